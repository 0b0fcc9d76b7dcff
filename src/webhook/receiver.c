/*
 * The embedded webhook receiver on libmicrohttpd. The only file that includes
 * <microhttpd.h>.
 *
 * Each request is handled in the daemon's threads: the body is streamed into a buffer
 * bounded by max_body (over it, the rest is discarded and 413 answered), then
 * ftx_webhook_handle() verifies and parses it, the duplicate memory is consulted and
 * the user's callback runs for new events only.
 *
 * Defences against slow and greedy clients (libmicrohttpd's own idle timeout is
 * defeated by a byte every few seconds):
 * - every open connection is on a list ordered by the start of its current request
 *   window (accept, or the end of the previous request); a reaper thread shuts down the
 *   socket of any connection whose request is not complete within request_timeout_ms
 *   (shutdown() only: libmicrohttpd then sees the end of stream and closes it itself);
 * - over max_connections, a new connection makes the oldest one (not inside the
 *   handler) be shut down, so a flood of slow connections cannot lock deliveries out;
 * - libmicrohttpd closes connections beyond max_connections_per_address at once;
 * - body buffers grow with the bytes actually received and are charged to a budget
 *   shared by all requests (max_body_memory); when it is spent, the connections whose
 *   unfinished requests hold body memory are shut down, oldest first, to make room;
 *   when none can be (all inside the handler), the request is answered 503 with
 *   Retry-After and "Connection: close".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>
#include <openssl/evp.h>

#include "internal.h"

#define DEFAULT_BIND        "127.0.0.1"
#define DEFAULT_PATH        "/webhook"
#define DEFAULT_THREADS     2u
#define DEFAULT_TIMEOUT_S   10u
#define DEFAULT_DEDUP       4096u
#define DEFAULT_DEADLINE_MS 10000u
#define DEFAULT_MAX_CONNS   1000u
#define DEFAULT_MAX_PER_IP  64u
#define DEFAULT_BODY_MEMORY ((size_t)32 * 1024 * 1024)
/* First buffer of a body (or its Content-Length when smaller); then it doubles. */
#define FIRST_CHUNK_CAP ((size_t)16384)
#define MAX_DEDUP       ((size_t)1 << 24)
/* After the limit is crossed, keep discarding up to this many times the limit so the
 * client can read the 413; beyond it the connection is dropped. */
#define DISCARD_FACTOR 4u

/* ---- duplicate memory: a ring of SHA-256 identities with a chained hash index ----
 *
 * The ring holds acknowledged events only, oldest reused first. An event whose callback
 * is running is "pending" in a small separate table (at most one per daemon thread), so
 * a refused event never takes, and never evicts, a ring slot. */

enum { SLOT_EMPTY = 0, SLOT_DONE = 2 };
enum { DEDUP_NEW, DEDUP_SEEN, DEDUP_BUSY };

typedef struct dedup_slot {
    unsigned char key[32];
    int32_t next; /* next slot in the bucket chain, -1 at the end */
    int state;
} dedup_slot;

typedef struct dedup {
    pthread_mutex_t lock;
    dedup_slot *slots;
    size_t cap;
    size_t head; /* slot reused next (the oldest) */
    int32_t *buckets;
    size_t mask;
    unsigned char (*pending)[32]; /* identities whose callback is running */
    size_t npending;
    size_t pending_cap;
} dedup;

static int dedup_init(dedup *d, size_t cap, size_t pending_cap)
{
    size_t nb = 1;

    memset(d, 0, sizeof(*d));
    while (nb < cap)
        nb <<= 1;
    d->cap = cap;
    d->mask = nb - 1;
    d->pending_cap = pending_cap;
    d->slots = ftx__calloc(cap, sizeof(*d->slots));
    d->buckets = ftx__malloc(nb * sizeof(*d->buckets));
    d->pending = ftx__calloc(pending_cap, sizeof(*d->pending));
    if (d->slots == NULL || d->buckets == NULL || d->pending == NULL ||
        pthread_mutex_init(&d->lock, NULL) != 0) {
        ftx__free(d->slots);
        ftx__free(d->buckets);
        ftx__free(d->pending);
        d->slots = NULL;
        return -1;
    }
    for (size_t i = 0; i < nb; i++)
        d->buckets[i] = -1;
    for (size_t i = 0; i < cap; i++)
        d->slots[i].next = -1;
    return 0;
}

static void dedup_dispose(dedup *d)
{
    if (d->slots == NULL)
        return;
    pthread_mutex_destroy(&d->lock);
    ftx__free(d->slots);
    ftx__free(d->buckets);
    ftx__free(d->pending);
    d->slots = NULL;
}

static size_t dedup_bucket(const dedup *d, const unsigned char *key)
{
    uint32_t h =
        (uint32_t)key[0] | (uint32_t)key[1] << 8 | (uint32_t)key[2] << 16 | (uint32_t)key[3] << 24;
    return (size_t)h & d->mask;
}

/* Remove slot `i` from its chain (lock held). */
static void dedup_unlink(dedup *d, size_t i)
{
    int32_t *link = &d->buckets[dedup_bucket(d, d->slots[i].key)];

    while (*link != -1) {
        if ((size_t)*link == i) {
            *link = d->slots[i].next;
            break;
        }
        link = &d->slots[*link].next;
    }
    d->slots[i].next = -1;
    d->slots[i].state = SLOT_EMPTY;
}

/* Look `key` up; when it is neither remembered nor pending, mark it pending. */
static int dedup_claim(dedup *d, const unsigned char *key)
{
    int32_t j;
    int rc = DEDUP_NEW;

    pthread_mutex_lock(&d->lock);
    for (j = d->buckets[dedup_bucket(d, key)]; j != -1; j = d->slots[j].next) {
        if (memcmp(d->slots[j].key, key, 32) == 0) {
            rc = DEDUP_SEEN;
            break;
        }
    }
    for (size_t i = 0; rc == DEDUP_NEW && i < d->npending; i++)
        if (memcmp(d->pending[i], key, 32) == 0)
            rc = DEDUP_BUSY;
    if (rc == DEDUP_NEW) {
        if (d->npending == d->pending_cap)
            rc = DEDUP_BUSY; /* cannot happen with one callback per thread; 503 anyway */
        else
            memcpy(d->pending[d->npending++], key, 32);
    }
    pthread_mutex_unlock(&d->lock);
    return rc;
}

/* Settle a claimed identity: remember it (acknowledged) or forget it (refused). */
static void dedup_settle(dedup *d, const unsigned char *key, int keep)
{
    pthread_mutex_lock(&d->lock);
    for (size_t i = 0; i < d->npending; i++) {
        if (memcmp(d->pending[i], key, 32) == 0) {
            memcpy(d->pending[i], d->pending[d->npending - 1], 32);
            d->npending--;
            break;
        }
    }
    if (keep) {
        size_t i = d->head, b = dedup_bucket(d, key);

        d->head = (d->head + 1) % d->cap;
        if (d->slots[i].state != SLOT_EMPTY)
            dedup_unlink(d, i);
        memcpy(d->slots[i].key, key, 32);
        d->slots[i].state = SLOT_DONE;
        d->slots[i].next = d->buckets[b];
        d->buckets[b] = (int32_t)i;
    }
    pthread_mutex_unlock(&d->lock);
}

/* Identity of an event: event, connector_id, sync_id, created (each length-prefixed);
 * the body itself when the event has neither sync_id nor created. */
static int event_identity(const ftx_webhook_event *ev, const char *body, size_t len,
                          unsigned char key[32])
{
    const char *parts[4];
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int out_len = 0;
    int ok;

    if (md == NULL)
        return -1;
    ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1;
    if (ev->sync_id == NULL && ev->created.iso == NULL) {
        ok = ok && EVP_DigestUpdate(md, "body", 5) == 1;
        ok = ok && EVP_DigestUpdate(md, body, len) == 1;
    } else {
        parts[0] = ev->event;
        parts[1] = ev->connector_id;
        parts[2] = ev->sync_id;
        parts[3] = ev->created.iso;
        for (size_t i = 0; ok && i < 4; i++) {
            unsigned char hdr[9] = {0};
            size_t n = parts[i] ? strlen(parts[i]) : 0;
            hdr[0] = parts[i] ? 1 : 0;
            for (size_t k = 0; k < 8; k++)
                hdr[1 + k] = (unsigned char)(n >> (8 * k));
            ok = EVP_DigestUpdate(md, hdr, sizeof(hdr)) == 1;
            if (ok && n)
                ok = EVP_DigestUpdate(md, parts[i], n) == 1;
        }
    }
    ok = ok && EVP_DigestFinal_ex(md, key, &out_len) == 1 && out_len == 32;
    EVP_MD_CTX_free(md);
    return ok ? 0 : -1;
}

/* ---- the server ---- */

enum {
    RESP_OK,
    RESP_DUP,
    RESP_400,
    RESP_401,
    RESP_404,
    RESP_405,
    RESP_413,
    RESP_422,
    RESP_500,
    RESP_503,
    RESP_400_HOST,  /* HTTP/1.1 without exactly one Host header */
    RESP_503_CLOSE, /* saturated: body memory budget spent; the connection is closed */
    RESP_COUNT
};

static const int RESP_STATUS[RESP_COUNT] = {200, 200, 400, 401, 404, 405,
                                            413, 422, 500, 503, 400, 503};

/* One open connection (libmicrohttpd's socket context), on the server's list. */
typedef struct conn_state {
    struct conn_state *prev, *next;
    int fd;
    uint64_t started_ms; /* start of the current request window (monotonic) */
    int busy;            /* inside the handler: never shut down */
    int shut;            /* shutdown() already sent */
    size_t held;         /* body bytes its request holds (charged to the budget) */
} conn_state;

struct ftx_webhook_server {
    struct MHD_Daemon *daemon;
    pthread_mutex_t stop_lock;
    uint16_t port;
    char *path;
    char *secret;
    ftx_webhook_secret_fn secret_provider;
    void *secret_userdata;
    size_t max_body;
    ftx_webhook_event_fn on_event;
    void *userdata;
    void (*free_userdata)(void *);
    int dedup_enabled;
    dedup seen;
    struct MHD_Response *responses[RESP_COUNT];
    /* connections: list oldest request window first, guarded by conn_lock */
    pthread_mutex_t conn_lock;
    pthread_cond_t reaper_wake;
    pthread_t reaper;
    int reaper_running;
    int reaper_stop;
    conn_state *head, *tail;
    size_t live; /* connections on the list not yet shut down */
    unsigned int deadline_ms;
    unsigned int max_conns;
    unsigned int max_per_ip;
    size_t body_budget;
    atomic_size_t body_used;
    atomic_uint_fast64_t delivered;
    atomic_uint_fast64_t duplicates;
    atomic_uint_fast64_t rejected;
};

/* Per-request state, from the headers to the completion notice. */
typedef struct request {
    char *body;
    size_t len;
    size_t cap;       /* bytes allocated, all charged to the body budget */
    size_t expected;  /* Content-Length; 0 when absent */
    conn_state *conn; /* NULL when untracked */
    size_t discarded;
    int too_large;
    int saturated; /* the budget could not hold the body: 503 */
} request;

/* ---- connections and the whole-request deadline ---- */

static uint64_t mono_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

/* Lock held. */
static void conn_unlink(ftx_webhook_server *s, conn_state *c)
{
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        s->head = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    else
        s->tail = c->prev;
    c->prev = c->next = NULL;
}

/* Lock held. */
static void conn_append(ftx_webhook_server *s, conn_state *c)
{
    c->prev = s->tail;
    c->next = NULL;
    if (s->tail != NULL)
        s->tail->next = c;
    else
        s->head = c;
    s->tail = c;
}

/* Lock held. The socket stays open (libmicrohttpd closes it after the end of stream it
 * now sees), so the descriptor cannot be reused under us while `c` is on the list. */
static void conn_shut(ftx_webhook_server *s, conn_state *c)
{
    if (c->shut)
        return;
    c->shut = 1;
    s->live--;
    (void)shutdown(c->fd, SHUT_RDWR);
}

/* A new request window starts now (connection accepted, or a request answered). */
static void conn_restart(ftx_webhook_server *s, conn_state *c, int busy)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&s->conn_lock);
    c->busy = busy;
    c->started_ms = mono_ms();
    conn_unlink(s, c);
    conn_append(s, c);
    pthread_mutex_unlock(&s->conn_lock);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    ftx_webhook_server *s = cls;
    conn_state *c = *socket_context;

    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

        if (ci == NULL || (c = ftx__calloc(1, sizeof(*c))) == NULL)
            return; /* untracked: still bounded by libmicrohttpd's idle timeout and limits */
        c->fd = ci->connect_fd;
        pthread_mutex_lock(&s->conn_lock);
        c->started_ms = mono_ms(); /* under the lock: the list stays in time order */
        conn_append(s, c);
        s->live++;
        if (s->live > s->max_conns) {
            /* make room: shut the oldest connection not inside the handler (the list is
             * ordered by request start, so that is the one that has waited longest) */
            conn_state *v = s->head;

            while (v != NULL && (v->shut || v->busy))
                v = v->next;
            conn_shut(s, v != NULL ? v : c);
        }
        pthread_mutex_unlock(&s->conn_lock);
        *socket_context = c;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && c != NULL) {
        pthread_mutex_lock(&s->conn_lock);
        conn_unlink(s, c);
        if (!c->shut)
            s->live--;
        pthread_mutex_unlock(&s->conn_lock);
        ftx__free(c);
        *socket_context = NULL;
    }
}

/* Shut down every connection whose request window is older than the deadline. */
static void *reaper_main(void *arg)
{
    ftx_webhook_server *s = arg;
    uint64_t tick = s->deadline_ms / 8;
    struct timespec until;

    if (tick < 1)
        tick = 1;
    if (tick > 250)
        tick = 250;
    pthread_mutex_lock(&s->conn_lock);
    while (!s->reaper_stop) {
        uint64_t now = mono_ms();

        for (conn_state *c = s->head; c != NULL; c = c->next) {
            if (c->busy || c->shut)
                continue;
            if (now - c->started_ms < s->deadline_ms)
                break; /* ordered: the rest are younger */
            conn_shut(s, c);
        }
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += (long)(tick * 1000000u);
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        (void)pthread_cond_timedwait(&s->reaper_wake, &s->conn_lock, &until);
    }
    pthread_mutex_unlock(&s->conn_lock);
    return NULL;
}

static conn_state *conn_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

    return ci != NULL ? ci->socket_context : NULL;
}

/* ---- the body memory budget ---- */

/* Charge `n` bytes unless that takes the total over `limit`. */
static int budget_take(ftx_webhook_server *s, size_t n, size_t limit)
{
    size_t used = atomic_load(&s->body_used);

    do {
        if (used > limit || n > limit - used)
            return -1;
    } while (!atomic_compare_exchange_weak(&s->body_used, &used, used + n));
    return 0;
}

static void budget_give(ftx_webhook_server *s, size_t n)
{
    if (n > 0)
        atomic_fetch_sub(&s->body_used, n);
}

/* Record what the request's connection holds now (for evict_for_memory). */
static void request_held(ftx_webhook_server *s, request *r)
{
    if (r->conn == NULL)
        return;
    pthread_mutex_lock(&s->conn_lock);
    r->conn->held = r->cap;
    pthread_mutex_unlock(&s->conn_lock);
}

/* The budget is spent: shut down the connections whose unfinished requests hold body
 * memory, oldest first (not `self`, not inside the handler), until `need` bytes are on
 * their way back. Returns 1 when they are; the caller may then overdraw the budget by
 * `need` until libmicrohttpd has closed them, but never past twice the budget (when
 * closes lag behind a flood, the overdraft would otherwise pile up). */
static int evict_for_memory(ftx_webhook_server *s, conn_state *self, size_t need)
{
    size_t freed = 0;

    if (self == NULL)
        return 0;
    pthread_mutex_lock(&s->conn_lock);
    if (self->shut) {
        pthread_mutex_unlock(&s->conn_lock);
        return 0;
    }
    for (conn_state *c = s->head; c != NULL && freed < need; c = c->next) {
        if (c == self || c->busy || c->shut || c->held == 0)
            continue;
        freed += c->held;
        conn_shut(s, c);
    }
    pthread_mutex_unlock(&s->conn_lock);
    return freed >= need;
}

static void request_drop_body(ftx_webhook_server *s, request *r)
{
    ftx__free(r->body);
    budget_give(s, r->cap);
    r->body = NULL;
    if (r->cap != 0) {
        r->cap = 0;
        request_held(s, r);
    }
}

/* Room for `need` bytes, charged to the budget; -1 (and nothing changed) when the
 * budget cannot hold it even after evicting older unfinished bodies, or memory runs
 * out (r->saturated tells which). The buffer doubles from FIRST_CHUNK_CAP, never past
 * the Content-Length or max_body, so what is charged is at most about twice what has
 * arrived. */
static int request_grow(ftx_webhook_server *s, request *r, size_t need)
{
    size_t limit = r->expected && r->expected < s->max_body ? r->expected : s->max_body;
    size_t cap = r->cap ? r->cap : FIRST_CHUNK_CAP;
    char *p;

    while (cap < need && cap < limit)
        cap = cap > limit / 2 ? limit : cap * 2;
    if (cap > limit)
        cap = limit;
    if (cap < need)
        cap = need; /* more than Content-Length announced: cannot happen, be safe */
    if (r->conn != NULL) {
        int shut;

        pthread_mutex_lock(&s->conn_lock);
        shut = r->conn->shut;
        pthread_mutex_unlock(&s->conn_lock);
        if (shut) { /* evicted: it gets nothing more */
            r->saturated = 1;
            return -1;
        }
    }
    if (budget_take(s, cap - r->cap, s->body_budget) != 0 &&
        (!evict_for_memory(s, r->conn, cap - r->cap) ||
         budget_take(s, cap - r->cap,
                     s->body_budget > SIZE_MAX / 2 ? SIZE_MAX : 2 * s->body_budget) != 0)) {
        r->saturated = 1;
        return -1;
    }
    if ((p = ftx__realloc(r->body, cap)) == NULL) {
        budget_give(s, cap - r->cap);
        return -1;
    }
    r->body = p;
    r->cap = cap;
    request_held(s, r);
    return 0;
}

/* Count of Host headers. */
static enum MHD_Result count_host(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    (void)kind;
    (void)value;
    if (key != NULL && strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0)
        (*(unsigned int *)cls)++;
    return MHD_YES;
}

static enum MHD_Result reply(ftx_webhook_server *s, struct MHD_Connection *conn, int which)
{
    if (which != RESP_OK && which != RESP_DUP)
        atomic_fetch_add_explicit(&s->rejected, 1, memory_order_relaxed);
    return MHD_queue_response(conn, (unsigned int)RESP_STATUS[which], s->responses[which]);
}

static int status_to_response(int status)
{
    switch (status) {
    case 400:
        return RESP_400;
    case 401:
        return RESP_401;
    case 413:
        return RESP_413;
    case 422:
        return RESP_422;
    default:
        return RESP_500;
    }
}

/* Content-Length as a number; -1 when absent, SIZE_MAX when not representable. */
static int content_length(struct MHD_Connection *conn, size_t *out)
{
    const char *v =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    size_t n = 0;

    if (v == NULL || *v == '\0')
        return -1;
    for (; *v >= '0' && *v <= '9'; v++) {
        if (n > (SIZE_MAX - 9) / 10) {
            n = SIZE_MAX;
            break;
        }
        n = n * 10 + (size_t)(*v - '0');
    }
    *out = n;
    return 0;
}

static int deliver(ftx_webhook_server *s, struct MHD_Connection *conn, request *r)
{
    ftx_webhook_handle_options ho = FTX_WEBHOOK_HANDLE_OPTIONS_INIT;
    ftx_webhook_event *ev = NULL;
    unsigned char key[32];
    const char *sig;
    int status, which, seen = DEDUP_NEW;

    ho.secret = s->secret;
    ho.secret_provider = s->secret_provider;
    ho.secret_userdata = s->secret_userdata;
    ho.max_body = s->max_body;
    sig = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, ftx_webhook_signature_header());
    status = ftx_webhook_handle(r->body, r->len, sig, &ho, &ev, NULL);
    if (status != 200)
        return reply(s, conn, status_to_response(status));

    if (s->dedup_enabled) {
        if (event_identity(ev, r->body, r->len, key) != 0) {
            ftx_webhook_event_free(ev);
            return reply(s, conn, RESP_500);
        }
        seen = dedup_claim(&s->seen, key);
    }
    if (seen == DEDUP_SEEN) {
        atomic_fetch_add_explicit(&s->duplicates, 1, memory_order_relaxed);
        which = RESP_DUP;
    } else if (seen == DEDUP_BUSY) {
        which = RESP_503;
    } else if (s->on_event(ev, s->userdata) != 0) {
        if (s->dedup_enabled)
            dedup_settle(&s->seen, key, 0);
        which = RESP_500;
    } else {
        if (s->dedup_enabled)
            dedup_settle(&s->seen, key, 1);
        atomic_fetch_add_explicit(&s->delivered, 1, memory_order_relaxed);
        which = RESP_OK;
    }
    ftx_webhook_event_free(ev);
    return reply(s, conn, which);
}

static void conn_busy(ftx_webhook_server *s, conn_state *c)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&s->conn_lock);
    c->busy = 1;
    pthread_mutex_unlock(&s->conn_lock);
}

/* Headers are in: decide what can be decided before reading the body. */
static enum MHD_Result on_headers(ftx_webhook_server *s, struct MHD_Connection *conn,
                                  const char *url, const char *method, const char *version,
                                  void **con_cls)
{
    unsigned int hosts = 0;
    size_t cl = 0;
    int have_cl;
    request *r;

    (void)MHD_get_connection_values(conn, MHD_HEADER_KIND, count_host, &hosts);
    if (hosts > 1 || (hosts == 0 && version != NULL && strcmp(version, MHD_HTTP_VERSION_1_1) == 0))
        return reply(s, conn, RESP_400_HOST);
    if (url == NULL || strcmp(url, s->path) != 0)
        return reply(s, conn, RESP_404);
    if (method == NULL || strcmp(method, MHD_HTTP_METHOD_POST) != 0)
        return reply(s, conn, RESP_405);
    have_cl = content_length(conn, &cl) == 0;
    if (have_cl && cl > s->max_body)
        return reply(s, conn, RESP_413);
    if ((r = ftx__calloc(1, sizeof(*r))) == NULL)
        return MHD_NO;
    r->expected = have_cl ? cl : 0;
    r->conn = conn_of(conn);
    *con_cls = r;
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    ftx_webhook_server *s = cls;
    request *r = *con_cls;
    conn_state *c;
    enum MHD_Result rc;

    if (r == NULL)
        return on_headers(s, conn, url, method, version, con_cls);

    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;

        *upload_data_size = 0;
        if (!r->too_large && !r->saturated && n > s->max_body - r->len) {
            r->too_large = 1;
            request_drop_body(s, r);
        }
        if (!r->too_large && !r->saturated && r->len + n > r->cap &&
            request_grow(s, r, r->len + n) != 0) {
            if (!r->saturated)
                return MHD_NO; /* out of memory */
            request_drop_body(s, r);
        }
        if (r->too_large || r->saturated) {
            /* keep reading (bounded) so the client sees the answer */
            r->discarded += n;
            return r->discarded / DISCARD_FACTOR > s->max_body ? MHD_NO : MHD_YES;
        }
        memcpy(r->body + r->len, upload_data, n);
        r->len += n;
        return MHD_YES;
    }

    if (r->too_large)
        return reply(s, conn, RESP_413);
    if (r->saturated)
        return reply(s, conn, RESP_503_CLOSE);
    c = conn_of(conn);
    conn_busy(s, c);
    rc = deliver(s, conn, r) == MHD_YES ? MHD_YES : MHD_NO;
    request_drop_body(s, r);
    conn_restart(s, c, 0); /* a fresh window to send the answer */
    return rc;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    ftx_webhook_server *s = cls;
    request *r = *con_cls;

    (void)toe;
    if (r != NULL) {
        request_drop_body(s, r);
        ftx__free(r);
        *con_cls = NULL;
    }
    conn_restart(s, conn_of(conn), 0); /* the next request on this connection */
}

static void server_dispose(ftx_webhook_server *s)
{
    for (int i = 0; i < RESP_COUNT; i++)
        if (s->responses[i] != NULL)
            MHD_destroy_response(s->responses[i]);
    dedup_dispose(&s->seen);
    ftx__free(s->path);
    ftx__free_secret(s->secret);
    pthread_cond_destroy(&s->reaper_wake);
    pthread_mutex_destroy(&s->conn_lock);
    pthread_mutex_destroy(&s->stop_lock);
    ftx__free(s);
}

/* Create the server's locks; -1 (nothing left to destroy) on failure. */
static int server_locks_init(ftx_webhook_server *s)
{
    pthread_condattr_t ca;
    int ok;

    if (pthread_condattr_init(&ca) != 0)
        return -1;
    ok = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
         pthread_cond_init(&s->reaper_wake, &ca) == 0;
    pthread_condattr_destroy(&ca);
    if (!ok)
        return -1;
    if (pthread_mutex_init(&s->conn_lock, NULL) != 0) {
        pthread_cond_destroy(&s->reaper_wake);
        return -1;
    }
    if (pthread_mutex_init(&s->stop_lock, NULL) != 0) {
        pthread_mutex_destroy(&s->conn_lock);
        pthread_cond_destroy(&s->reaper_wake);
        return -1;
    }
    return 0;
}

static void reaper_join(ftx_webhook_server *s)
{
    if (!s->reaper_running)
        return;
    pthread_mutex_lock(&s->conn_lock);
    s->reaper_stop = 1;
    pthread_cond_signal(&s->reaper_wake);
    pthread_mutex_unlock(&s->conn_lock);
    pthread_join(s->reaper, NULL);
    s->reaper_running = 0;
}

static int make_responses(ftx_webhook_server *s)
{
    for (int i = 0; i < RESP_COUNT; i++) {
        const char *body = i == RESP_DUP        ? "{\"status\":\"duplicate\"}"
                           : i == RESP_400_HOST ? "{\"error\":\"missing or repeated Host header\"}"
                                                : ftx_webhook_response_body(RESP_STATUS[i]);
        s->responses[i] = MHD_create_response_from_buffer(strlen(body), (void *)(uintptr_t)body,
                                                          MHD_RESPMEM_PERSISTENT);
        if (s->responses[i] == NULL ||
            MHD_add_response_header(s->responses[i], MHD_HTTP_HEADER_CONTENT_TYPE,
                                    "application/json") != MHD_YES)
            return -1;
        if (i == RESP_405 &&
            MHD_add_response_header(s->responses[i], MHD_HTTP_HEADER_ALLOW, "POST") != MHD_YES)
            return -1;
        if ((i == RESP_503 || i == RESP_503_CLOSE) &&
            MHD_add_response_header(s->responses[i], MHD_HTTP_HEADER_RETRY_AFTER, "1") != MHD_YES)
            return -1;
        if (i == RESP_503_CLOSE &&
            MHD_add_response_header(s->responses[i], MHD_HTTP_HEADER_CONNECTION, "close") !=
                MHD_YES)
            return -1;
    }
    return 0;
}

int ftx_webhook_server_start(const ftx_webhook_server_options *opts, ftx_webhook_server **out,
                             ftx_error *err)
{
    ftx_webhook_server_options o;
    ftx_webhook_server *s;
    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    const struct sockaddr *addr;
    const char *bind_addr;
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
    unsigned int threads, timeout, mhd_limit;
    size_t cap;
    const union MHD_DaemonInfo *info;
    int saved_errno;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (opts == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "webhook server options missing; initialise them with "
                              "FTX_WEBHOOK_SERVER_OPTIONS_INIT");
    if (FTX__OPTIONS_LOAD(ftx_webhook_server_options, &o, opts, err) != FTX_OK)
        return FTX_ERR_INVALID_ARGUMENT;
    opts = &o; /* the caller's version, completed with defaults */
    if (opts->on_event == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "on_event callback is required");
    if (opts->secret_provider == NULL && (opts->secret == NULL || opts->secret[0] == '\0'))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "a webhook secret (or secret provider) is required");
    if (opts->path != NULL && opts->path[0] != '/')
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "path must start with '/'");
    cap = opts->dedup_capacity ? opts->dedup_capacity : DEFAULT_DEDUP;
    if (cap > MAX_DEDUP)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "dedup_capacity above %zu", MAX_DEDUP);

    bind_addr = opts->bind_address ? opts->bind_address : DEFAULT_BIND;
    memset(&a4, 0, sizeof(a4));
    memset(&a6, 0, sizeof(a6));
    if (inet_pton(AF_INET, bind_addr, &a4.sin_addr) == 1) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons(opts->port);
        addr = (const struct sockaddr *)&a4;
    } else if (inet_pton(AF_INET6, bind_addr, &a6.sin6_addr) == 1) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons(opts->port);
        addr = (const struct sockaddr *)&a6;
        flags |= MHD_USE_IPv6;
    } else {
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "bind_address must be an IPv4 or IPv6 literal: %.100s", bind_addr);
    }

    if ((s = ftx__calloc(1, sizeof(*s))) == NULL)
        return ftx__error_nomem(err);
    if (server_locks_init(s) != 0) {
        ftx__free(s);
        return ftx__error_nomem(err);
    }
    s->path = ftx__strdup(opts->path ? opts->path : DEFAULT_PATH);
    s->secret = opts->secret ? ftx__strdup(opts->secret) : NULL;
    s->secret_provider = opts->secret_provider;
    s->secret_userdata = opts->secret_userdata;
    s->max_body = opts->max_body ? opts->max_body : FTX_WEBHOOK_DEFAULT_MAX_BODY;
    s->deadline_ms = DEFAULT_DEADLINE_MS;
    s->max_conns = DEFAULT_MAX_CONNS;
    s->max_per_ip = DEFAULT_MAX_PER_IP;
    s->body_budget = DEFAULT_BODY_MEMORY;
    if (opts->version >= 2) {
        if (opts->request_timeout_ms)
            s->deadline_ms = opts->request_timeout_ms;
        if (opts->max_connections)
            s->max_conns = opts->max_connections;
        if (opts->max_connections_per_address)
            s->max_per_ip = opts->max_connections_per_address;
        if (opts->max_body_memory)
            s->body_budget = opts->max_body_memory;
    }
    if (s->body_budget < s->max_body)
        s->body_budget = s->max_body;
    if (s->max_per_ip > s->max_conns)
        s->max_per_ip = s->max_conns;
    atomic_init(&s->body_used, 0);
    s->on_event = opts->on_event;
    s->userdata = opts->userdata;
    s->dedup_enabled = !opts->dedup_disable;
    atomic_init(&s->delivered, 0);
    atomic_init(&s->duplicates, 0);
    atomic_init(&s->rejected, 0);
    threads = opts->threads ? opts->threads : DEFAULT_THREADS;
    /* One callback at a time per daemon thread: at most `threads` pending events. */
    if (s->path == NULL || (opts->secret && s->secret == NULL) ||
        (s->dedup_enabled && dedup_init(&s->seen, cap, (size_t)threads + 1) != 0) ||
        make_responses(s) != 0) {
        server_dispose(s);
        return ftx__error_nomem(err);
    }

    timeout = opts->connection_timeout ? opts->connection_timeout : DEFAULT_TIMEOUT_S;
    /* libmicrohttpd's own limit sits above ours so that a new connection is accepted and
     * the oldest one shut down instead (see on_connection). */
    mhd_limit = s->max_conns + (s->max_conns / 8 > threads + 16 ? s->max_conns / 8 : threads + 16);
    errno = 0;
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, addr,
        MHD_OPTION_CONNECTION_TIMEOUT, timeout, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s, MHD_OPTION_CONNECTION_LIMIT, mhd_limit,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->max_per_ip, MHD_OPTION_THREAD_POOL_SIZE,
        threads > 1 ? threads : 0u, MHD_OPTION_END);
    saved_errno = errno;
    if (s->daemon == NULL) {
        server_dispose(s);
        return ftx__error_set(err, FTX_ERR_TRANSPORT, "cannot listen on %.100s port %u: %s",
                              bind_addr, (unsigned int)opts->port,
                              saved_errno ? strerror(saved_errno) : "libmicrohttpd refused");
    }
    if (pthread_create(&s->reaper, NULL, reaper_main, s) != 0) {
        MHD_stop_daemon(s->daemon);
        server_dispose(s);
        return ftx__error_nomem(err);
    }
    s->reaper_running = 1;
    info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info != NULL ? info->port : opts->port;
    s->free_userdata = opts->free_userdata;
    *out = s;
    return FTX_OK;
}

uint16_t ftx_webhook_server_port(const ftx_webhook_server *s)
{
    ftx_webhook_server *m = (ftx_webhook_server *)(uintptr_t)s; /* the lock is not state */
    uint16_t port;

    if (s == NULL)
        return 0;
    pthread_mutex_lock(&m->stop_lock);
    port = m->daemon != NULL ? m->port : 0;
    pthread_mutex_unlock(&m->stop_lock);
    return port;
}

void ftx_webhook_server_stats_get(const ftx_webhook_server *s, ftx_webhook_server_stats *out)
{
    if (out == NULL)
        return;
    memset(out, 0, sizeof(*out));
    if (s == NULL)
        return;
    out->delivered = atomic_load(&((ftx_webhook_server *)s)->delivered);
    out->duplicates = atomic_load(&((ftx_webhook_server *)s)->duplicates);
    out->rejected = atomic_load(&((ftx_webhook_server *)s)->rejected);
}

void ftx_webhook_server_stop(ftx_webhook_server *s)
{
    struct MHD_Daemon *d;

    if (s == NULL)
        return;
    pthread_mutex_lock(&s->stop_lock);
    d = s->daemon;
    s->daemon = NULL;
    if (d != NULL)
        reaper_join(s);
    pthread_mutex_unlock(&s->stop_lock);
    if (d != NULL)
        MHD_stop_daemon(d);
}

void ftx_webhook_server_free(ftx_webhook_server *s)
{
    if (s == NULL)
        return;
    ftx_webhook_server_stop(s);
    if (s->free_userdata != NULL)
        s->free_userdata(s->userdata);
    server_dispose(s);
}
