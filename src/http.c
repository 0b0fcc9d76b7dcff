/*
 * The client and the HTTP layer: a thread-safe pool of curl easy handles, one
 * request with its response mapped to ftx_error, and the built-in retries.
 *
 * Threads: the client is shared. Each easy handle (and its connection cache) is used
 * by one thread at a time, checked out of the pool under `lock`. The share handle
 * shares DNS and TLS sessions only, with one mutex per curl lock type.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "gen.h"
#include "http.h"
#include "internal.h"
#include "retry.h"

#define DEFAULT_BASE_URL           "https://api.fivetran.com/v1"
#define DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define DEFAULT_TIMEOUT_MS         60000L
#define DEFAULT_MAX_IDLE           8
/* Refuse response bodies larger than this (a list page is far smaller). */
#define MAX_RESPONSE_BYTES ((size_t)64 * 1024 * 1024)
/* Longest path (after the base URL, query included) a request may have. The API's
 * longest real paths are a few hundred bytes; 8 KiB is the common request-line limit
 * of HTTP front ends, and past about 1 MiB libcurl fails with "out of memory". */
#define MAX_PATH_BYTES ((size_t)8192)
/* Buffers grown past this are released when a handle returns to the pool. */
#define KEEP_BUFFER_BYTES ((size_t)1024 * 1024)

/* How a failed attempt may be repeated (enum ftx__retry_class, http.h). */
#define RETRY_NEVER      FTX__RETRY_NEVER
#define RETRY_ALWAYS     FTX__RETRY_ALWAYS
#define RETRY_IDEMPOTENT FTX__RETRY_IDEMPOTENT

typedef struct pool_handle {
    CURL *easy;
    ftx__buf url;
    ftx__buf req_body;
    ftx__buf resp;
    int resp_overflow;
    char errbuf[CURL_ERROR_SIZE];
    /* Per call (ftx__call_transport); reset by handle_put. */
    const ftx__transport *xport;   /* NULL: JSON both ways */
    curl_mime *mime;               /* the multipart body, built on the first attempt */
    const ftx_response_sink *sink; /* 2xx body goes to sink->write ... */
    FILE *sink_file;               /* ... or to this temporary file (path sinks) */
    unsigned long long sink_bytes; /* delivered by the current attempt */
    int sink_stopped;              /* the sink refused data (sink_errno: file error) */
    int sink_errno;
    struct pool_handle *next;
} pool_handle;

/* Request header lists by body kind (the second index of ftx_client.headers). */
enum { HDR_NO_BODY = 0, HDR_JSON = 1, HDR_EMPTY_BODY = 2, HDR_KINDS = 3 };

struct ftx_client {
    char *base_url;
    char *host_root; /* base_url without a trailing "/v1" (FTX_REQUEST_HOST_ROOT) */
    char *ca_file;   /* NULL: libcurl's default bundle */
    char *ca_path;
    char *user_agent;
    /* Request headers, immutable after creation: [accept_v2][HDR_*]. */
    struct curl_slist *headers[2][HDR_KINDS];
    long connect_timeout_ms;
    long timeout_ms;
    ftx_retry_policy retry;
    ftx_clock clock;
    void (*observer)(const ftx_request_info *info, void *userdata);
    void *observer_userdata;
    int max_idle;

    /* Guards everything below. */
    pthread_mutex_t lock;
    pool_handle *idle; /* most recently returned first */
    int idle_count;
    long rl_limit;
    long rl_remaining;
    uint64_t rng;
    uint64_t paused_until; /* client clock, ms: a 429 pauses every call until then */
    uint64_t server_until; /* the end the server asked for (>= paused_until; retry_after) */
    int stream_refs;       /* live streams (ftx__client_ref) */
    int freed;             /* ftx_client_free was called: destroy at the last unref */

    CURLSH *share;
    pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
};

/* ---- process-wide initialisation ---- */

/* The only file-scope mutable state: curl's global init is process-wide. */
static pthread_mutex_t g_init_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_initialised;

int ftx_global_init(void)
{
    int rc = FTX_OK;

    pthread_mutex_lock(&g_init_lock);
    if (!g_initialised) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            rc = FTX_ERR_TRANSPORT;
        } else {
            json_object_seed(0);
            g_initialised = 1;
        }
    }
    pthread_mutex_unlock(&g_init_lock);
    return rc;
}

void ftx_global_cleanup(void)
{
    pthread_mutex_lock(&g_init_lock);
    if (g_initialised) {
        curl_global_cleanup();
        g_initialised = 0;
    }
    pthread_mutex_unlock(&g_init_lock);
}

const char *ftx_version(void)
{
    return FTX_VERSION;
}

void ftx__free_secret(char *s)
{
    if (s == NULL)
        return;
    OPENSSL_cleanse(s, strlen(s));
    ftx__free(s);
}

/* ---- options ---- */

int ftx_client_options_init(ftx_client_options *opts, unsigned int version)
{
    return ftx__options_init(&ftx__ftx_client_options_abi, opts, version);
}

static const char *non_empty(const char *s)
{
    return (s != NULL && *s != '\0') ? s : NULL;
}

/* ---- the share handle's locks ---- */

static void share_lock(CURL *handle, curl_lock_data data, curl_lock_access access, void *userp)
{
    ftx_client *c = userp;

    (void)handle;
    (void)access;
    if ((int)data >= 0 && (int)data < CURL_LOCK_DATA_LAST)
        pthread_mutex_lock(&c->share_locks[data]);
}

static void share_unlock(CURL *handle, curl_lock_data data, void *userp)
{
    ftx_client *c = userp;

    (void)handle;
    if ((int)data >= 0 && (int)data < CURL_LOCK_DATA_LAST)
        pthread_mutex_unlock(&c->share_locks[data]);
}

/* ---- headers ---- */

static void slist_free_wiped(struct curl_slist *l)
{
    struct curl_slist *it;

    for (it = l; it != NULL; it = it->next)
        if (it->data != NULL)
            OPENSSL_cleanse(it->data, strlen(it->data));
    curl_slist_free_all(l);
}

static struct curl_slist *slist_add(struct curl_slist *l, const char *line, int *ok)
{
    struct curl_slist *n;

    if (!*ok)
        return l;
    n = curl_slist_append(l, line);
    if (n == NULL) {
        *ok = 0;
        return l;
    }
    return n;
}

/* Build the header lists. The Authorization line is wiped after copying. */
static int build_headers(ftx_client *c, const char *key, const char *secret)
{
    size_t klen = strlen(key), slen = strlen(secret), plain_len, b64_len, auth_len;
    unsigned char *plain = NULL;
    char *auth = NULL;
    int ok = 1, v2, kind;

    if (klen > INT_MAX / 2 || slen > INT_MAX / 2)
        return FTX_ERR_INVALID_ARGUMENT;
    plain_len = klen + 1 + slen;
    b64_len = 4 * ((plain_len + 2) / 3);
    auth_len = sizeof("Authorization: Basic ") - 1 + b64_len + 1;
    plain = ftx__malloc(plain_len + 1);
    auth = ftx__malloc(auth_len);
    if (plain == NULL || auth == NULL) {
        ok = 0;
        goto done;
    }
    memcpy(plain, key, klen);
    plain[klen] = ':';
    memcpy(plain + klen + 1, secret, slen);
    plain[plain_len] = '\0';
    memcpy(auth, "Authorization: Basic ", sizeof("Authorization: Basic ") - 1);
    EVP_EncodeBlock((unsigned char *)auth + sizeof("Authorization: Basic ") - 1, plain,
                    (int)plain_len);

    for (v2 = 0; v2 < 2; v2++) {
        for (kind = 0; kind < HDR_KINDS; kind++) {
            struct curl_slist *l = NULL;

            l = slist_add(l, auth, &ok);
            l = slist_add(l, v2 ? "Accept: application/json;version=2" : "Accept: application/json",
                          &ok);
            if (kind == HDR_JSON)
                l = slist_add(l, "Content-Type: application/json", &ok);
            else if (kind == HDR_EMPTY_BODY)
                l = slist_add(l, "Content-Type:", &ok); /* no curl default form type */
            l = slist_add(l, "Expect:", &ok);
            c->headers[v2][kind] = l;
        }
    }

done:
    if (plain != NULL) {
        OPENSSL_cleanse(plain, plain_len);
        ftx__free(plain);
    }
    if (auth != NULL) {
        OPENSSL_cleanse(auth, auth_len);
        ftx__free(auth);
    }
    return ok ? FTX_OK : FTX_ERR_NOMEM;
}

/* ---- client lifetime ---- */

static void handle_free(pool_handle *h)
{
    if (h == NULL)
        return;
    if (h->easy != NULL)
        curl_easy_cleanup(h->easy);
    curl_mime_free(h->mime);
    ftx__buf_dispose(&h->url);
    ftx__buf_dispose(&h->req_body);
    ftx__buf_dispose(&h->resp);
    ftx__free(h);
}

static void client_destroy(ftx_client *c);

void ftx__client_ref(ftx_client *c)
{
    pthread_mutex_lock(&c->lock);
    c->stream_refs++;
    pthread_mutex_unlock(&c->lock);
}

void ftx__client_unref(ftx_client *c)
{
    int destroy;

    pthread_mutex_lock(&c->lock);
    destroy = --c->stream_refs == 0 && c->freed;
    pthread_mutex_unlock(&c->lock);
    if (destroy)
        client_destroy(c);
}

/* Streams hold the client (ftx__client_ref): it goes when the last of them does. */
void ftx_client_free(ftx_client *c)
{
    int destroy;

    if (c == NULL)
        return;
    pthread_mutex_lock(&c->lock);
    c->freed = 1;
    destroy = c->stream_refs == 0;
    pthread_mutex_unlock(&c->lock);
    if (destroy)
        client_destroy(c);
}

static void client_destroy(ftx_client *c)
{
    pool_handle *h, *next;
    int i, j;

    for (h = c->idle; h != NULL; h = next) {
        next = h->next;
        handle_free(h);
    }
    if (c->share != NULL)
        curl_share_cleanup(c->share);
    for (i = 0; i < 2; i++)
        for (j = 0; j < HDR_KINDS; j++)
            slist_free_wiped(c->headers[i][j]);
    for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_destroy(&c->share_locks[i]);
    pthread_mutex_destroy(&c->lock);
    ftx__free(c->base_url);
    ftx__free(c->host_root);
    ftx__free(c->ca_file);
    ftx__free(c->ca_path);
    ftx__free(c->user_agent);
    OPENSSL_cleanse(c, sizeof(*c));
    ftx__free(c);
}

/* A base URL must not carry credentials ("user:password@host"): they would be sent
 * in place of the API key and echoed in messages. Refused with the userinfo redacted
 * (everything before the last '@' of the authority, i.e. before the first '/', '?'
 * or '#' after "scheme://" or, without a scheme, from the start). */
static int refuse_url_userinfo(const char *url, ftx_error *err)
{
    const char *sep = strstr(url, "://");
    size_t start = 0, end, at = 0;
    int found = 0;

    if (sep != NULL && strcspn(url, "/?#@") == (size_t)(sep - url) + 1)
        start = (size_t)(sep - url) + 3;
    end = start + strcspn(url + start, "/?#");
    for (size_t i = start; i < end; i++)
        if (url[i] == '@') {
            at = i;
            found = 1;
        }
    if (!found)
        return FTX_OK;
    return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                          "base URL \"%.*s***%.200s\" carries user credentials "
                          "(user:password@, shown as ***): not allowed; pass the key and "
                          "secret as api_key and api_secret instead",
                          (int)start, url, url + at);
}

/* Is `host` (as libcurl's URL parser gives it) this machine's loopback? */
static int loopback_host(const char *host)
{
    unsigned char a4[4], a6[16];
    char v6[64];
    size_t n = strlen(host);

    if (strcasecmp(host, "localhost") == 0 || strcasecmp(host, "localhost.") == 0)
        return 1;
    if (inet_pton(AF_INET, host, a4) == 1)
        return a4[0] == 127;
    if (n > 2 && n < sizeof(v6) && host[0] == '[' && host[n - 1] == ']') {
        memcpy(v6, host + 1, n - 2);
        v6[n - 2] = '\0';
        if (inet_pton(AF_INET6, v6, a6) == 1) {
            static const unsigned char one[16] = {[15] = 1};

            return memcmp(a6, one, sizeof(one)) == 0;
        }
    }
    return 0;
}

/* A plain http:// base URL would send the Basic credential in clear: only to loopback,
 * or when the caller opted in. The message names the host only (never userinfo). */
static int check_insecure_http(const char *url, int allowed, ftx_error *err)
{
    CURLU *u;
    char *host = NULL;
    int rc = FTX_OK;

    if (strncmp(url, "http://", 7) != 0 || allowed)
        return FTX_OK;
    u = curl_url();
    if (u == NULL)
        return ftx__error_nomem(err);
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host == NULL)
        rc = ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                            "base URL is not a valid http:// URL; pass base_url or set "
                            "FIVETRAN_BASE_URL, e.g. %s",
                            DEFAULT_BASE_URL);
    else if (!loopback_host(host))
        rc = ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                            "refusing plain http:// base URL for host \"%.200s\": the API key "
                            "and secret would cross the network unencrypted. Use https://, or "
                            "opt in with allow_insecure_http in ftx_client_options (or "
                            "FIVETRAN_ALLOW_INSECURE_HTTP=1 in the environment)",
                            host);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

/* The base URL: no userinfo, http(s), and plain http only where allowed. */
static int check_base_url(const char *url, int allow_insecure, ftx_error *err)
{
    if (refuse_url_userinfo(url, err) != FTX_OK)
        return FTX_ERR_INVALID_ARGUMENT;
    if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "base URL \"%.200s\" is not an http:// or https:// URL; pass "
                              "base_url or set FIVETRAN_BASE_URL, e.g. %s",
                              url, DEFAULT_BASE_URL);
    return check_insecure_http(url, allow_insecure, err);
}

/* A CA option must name something readable, so a typo fails here and not as a
 * puzzling TLS error on the first call. */
static int check_ca(const char *what, const char *path, int want_dir, ftx_error *err)
{
    struct stat st;

    if (path == NULL)
        return FTX_OK;
    if (stat(path, &st) != 0 || access(path, R_OK) != 0)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "%s \"%.300s\" cannot be read: %s",
                              what, path, strerror(errno));
    if (want_dir ? !S_ISDIR(st.st_mode) : S_ISDIR(st.st_mode))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "%s \"%.300s\" is %s", what, path,
                              want_dir ? "not a directory" : "a directory; use ca_path");
    return FTX_OK;
}

/* base_url without one trailing "/v1" (the whole base URL when it has none). */
static char *host_root_of(const char *base_url)
{
    size_t len = strlen(base_url);

    if (len > 3 && strcmp(base_url + len - 3, "/v1") == 0)
        len -= 3;
    return ftx__strndup(base_url, len);
}

int ftx_client_new(ftx_client **out, const ftx_client_options *opts, ftx_error *err)
{
    ftx_client_options o; /* the caller's version, completed with defaults */
    const char *key, *secret, *url, *ca_file, *ca_path;
    ftx_client *c;
    size_t len;
    int rc, i, allow_insecure = 0;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "ftx_client_new: out is NULL; pass the address of an "
                              "ftx_client pointer");
    *out = NULL;
    if ((rc = ftx__client_options_load(&o, opts, err)) != FTX_OK)
        return rc;
    opts = &o;
    ca_file = non_empty(opts->ca_file);
    ca_path = non_empty(opts->ca_path);
    allow_insecure = opts->allow_insecure_http != 0;
    if (!allow_insecure) {
        const char *env = getenv("FIVETRAN_ALLOW_INSECURE_HTTP");

        allow_insecure = env != NULL && strcmp(env, "1") == 0;
    }
    if ((rc = check_ca("ca_file", ca_file, 0, err)) != FTX_OK ||
        (rc = check_ca("ca_path", ca_path, 1, err)) != FTX_OK)
        return rc;
    if (opts->connect_timeout_ms < 0 || opts->timeout_ms < 0 || opts->max_idle_handles < 0)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "negative timeout or max_idle_handles in ftx_client_options; "
                              "use 0 for the default");

    key = non_empty(opts->api_key);
    if (key == NULL)
        key = non_empty(getenv("FIVETRAN_API_KEY"));
    if (key == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "missing API key: set api_key in ftx_client_options or the "
                              "FIVETRAN_API_KEY environment variable");
    secret = non_empty(opts->api_secret);
    if (secret == NULL)
        secret = non_empty(getenv("FIVETRAN_API_SECRET"));
    if (secret == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "missing API secret: set api_secret in ftx_client_options or "
                              "the FIVETRAN_API_SECRET environment variable");
    url = non_empty(opts->base_url);
    if (url == NULL)
        url = non_empty(getenv("FIVETRAN_BASE_URL"));
    if (url == NULL)
        url = DEFAULT_BASE_URL;
    if ((rc = check_base_url(url, allow_insecure, err)) != FTX_OK)
        return rc;

    if (ftx_global_init() != FTX_OK)
        return ftx__error_set(err, FTX_ERR_TRANSPORT, "libcurl failed to initialise");

    c = ftx__calloc(1, sizeof(*c));
    if (c == NULL)
        return ftx__error_nomem(err);
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        ftx__free(c);
        return ftx__error_nomem(err);
    }
    for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&c->share_locks[i], NULL);

    c->connect_timeout_ms =
        opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT_MS;
    c->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : DEFAULT_TIMEOUT_MS;
    c->retry = opts->retry;
    c->clock = opts->clock;
    c->observer = opts->observer;
    c->observer_userdata = opts->observer_userdata;
    c->max_idle = opts->max_idle_handles > 0 ? opts->max_idle_handles : DEFAULT_MAX_IDLE;
    c->rl_limit = -1;
    c->rl_remaining = -1;
    c->rng = ftx__rng_seed(c);

    len = strlen(url);
    while (len > 0 && url[len - 1] == '/')
        len--;
    c->base_url = ftx__strndup(url, len);
    c->host_root = c->base_url != NULL ? host_root_of(c->base_url) : NULL;
    c->ca_file = ca_file != NULL ? ftx__strdup(ca_file) : NULL;
    c->ca_path = ca_path != NULL ? ftx__strdup(ca_path) : NULL;
    {
        ftx__buf ua = FTX__BUF_INIT;
        const char *suffix = non_empty(opts->user_agent_suffix);

        if (ftx__buf_puts(&ua, "fivetrex/" FTX_VERSION) == 0 && suffix != NULL &&
            (ftx__buf_puts(&ua, " ") != 0 || ftx__buf_puts(&ua, suffix) != 0))
            ftx__buf_dispose(&ua);
        c->user_agent = ftx__buf_detach(&ua);
    }
    if (c->base_url == NULL || c->host_root == NULL || c->user_agent == NULL ||
        (ca_file != NULL && c->ca_file == NULL) || (ca_path != NULL && c->ca_path == NULL)) {
        ftx_client_free(c);
        return ftx__error_nomem(err);
    }
    /* Header lines must not be split by the suffix. */
    for (i = 0; c->user_agent[i] != '\0'; i++)
        if (c->user_agent[i] == '\r' || c->user_agent[i] == '\n')
            c->user_agent[i] = ' ';

    if ((rc = build_headers(c, key, secret)) != FTX_OK) {
        ftx_client_free(c);
        return rc == FTX_ERR_NOMEM ? ftx__error_nomem(err)
                                   : ftx__error_set(err, rc, "API key or secret too long");
    }

    c->share = curl_share_init();
    if (c->share == NULL ||
        curl_share_setopt(c->share, CURLSHOPT_LOCKFUNC, share_lock) != CURLSHE_OK ||
        curl_share_setopt(c->share, CURLSHOPT_UNLOCKFUNC, share_unlock) != CURLSHE_OK ||
        curl_share_setopt(c->share, CURLSHOPT_USERDATA, c) != CURLSHE_OK ||
        curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK ||
        curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK) {
        ftx_client_free(c);
        return ftx__error_nomem(err);
    }

    *out = c;
    return FTX_OK;
}

const char *ftx_client_base_url(const ftx_client *c)
{
    return c != NULL ? c->base_url : NULL;
}

void ftx_client_rate_limit(const ftx_client *c, long *limit, long *remaining)
{
    ftx_client *mc = (ftx_client *)(uintptr_t)c; /* the lock is not part of the value */
    long l = -1, r = -1;

    if (mc != NULL) {
        pthread_mutex_lock(&mc->lock);
        l = mc->rl_limit;
        r = mc->rl_remaining;
        pthread_mutex_unlock(&mc->lock);
    }
    if (limit != NULL)
        *limit = l;
    if (remaining != NULL)
        *remaining = r;
}

uint64_t ftx__now_ms(const ftx_client *c)
{
    return ftx__clock_now(c != NULL ? &c->clock : NULL);
}

void ftx__sleep_ms(const ftx_client *c, uint64_t ms)
{
    ftx__clock_sleep(c != NULL ? &c->clock : NULL, ms);
}

/* ---- the client-wide rate-limit pause (every thread; ftx_batch_run) ---- */

uint64_t ftx__client_paused_until(ftx_client *c)
{
    uint64_t v;

    if (c == NULL)
        return 0;
    pthread_mutex_lock(&c->lock);
    v = c->paused_until;
    pthread_mutex_unlock(&c->lock);
    return v;
}

/* The pause the client enforces is capped at now + max_delay_ms: a server's absurd
 * Retry-After (99999999 s, a date in 2099) must not lock the client for years. The
 * server's own end is kept (server_until) to report in retry_after. Within an active
 * pause, a request that does not end later than the server's end (1 s slack: a
 * Retry-After is whole seconds) changes nothing, so errors that only echo the
 * pause (e.g. batch tasks refused locally) do not keep extending it. */
void ftx__client_pause_until(ftx_client *c, uint64_t until_ms)
{
    uint64_t now, cap;

    if (c == NULL)
        return;
    now = ftx__now_ms(c);
    cap = now > UINT64_MAX - c->retry.max_delay_ms ? UINT64_MAX : now + c->retry.max_delay_ms;
    pthread_mutex_lock(&c->lock);
    if (now >= c->paused_until) {
        c->server_until = 0; /* the previous pause is over */
    } else if (c->server_until >= UINT64_MAX - 1000u || until_ms <= c->server_until + 1000u) {
        pthread_mutex_unlock(&c->lock);
        return;
    }
    if (until_ms > c->server_until)
        c->server_until = until_ms;
    if (until_ms > cap)
        until_ms = cap;
    if (until_ms > c->paused_until)
        c->paused_until = until_ms;
    pthread_mutex_unlock(&c->lock);
}

/* `now_ms` plus `secs` seconds, saturating: a server's absurd Retry-After must not
 * wrap around into the past (which would lift the pause instead of setting it). */
static uint64_t after_secs(uint64_t now_ms, long secs)
{
    uint64_t add;

    if (secs <= 0)
        return now_ms;
    if ((uint64_t)secs > UINT64_MAX / 1000u)
        return UINT64_MAX;
    add = (uint64_t)secs * 1000u;
    return add > UINT64_MAX - now_ms ? UINT64_MAX : now_ms + add;
}

/* Before an attempt: wait out a pause another call's 429 set, unless this call has
 * already waited until then (its own retry sleep). */
/* Wait out a client-wide 429 pause. When the server asked for longer than the retry
 * policy allows to wait, nothing is slept: while the (capped) pause lasts the call
 * fails at once with FTX_ERR_RATE_LIMITED and the server's remaining seconds in
 * `retry_after`, as a direct Retry-After would; after it, calls are sent again. */
int ftx__pause_check(ftx_client *c, const ftx__request *req, uint64_t waited_until,
                     uint64_t *until_out, uint64_t *left_out, ftx_error *err)
{
    uint64_t until, server, now, left = 0, server_left;

    *until_out = 0;
    *left_out = 0;
    pthread_mutex_lock(&c->lock);
    until = c->paused_until;
    server = c->server_until;
    pthread_mutex_unlock(&c->lock);
    if (until == 0 || until <= waited_until)
        return FTX_OK;
    now = ftx__now_ms(c);
    if (until > now) {
        left = until - now;
        server_left = server > now ? server - now : 0;
        if (server_left < left)
            server_left = left;
        /* The server asked for longer than the policy waits: refuse locally (for at
         * most max_delay_ms, the capped pause) and report the server's time. */
        if (server_left > c->retry.max_delay_ms) {
            ftx__error_set(err, FTX_ERR_RATE_LIMITED,
                           "%s %s: not sent, the server rate limited this client for %llu ms "
                           "more (longer than the retry policy's max_delay_ms %u; calls are "
                           "refused locally for %llu ms more, then sent again)",
                           req->method, req->path, (unsigned long long)server_left,
                           (unsigned)c->retry.max_delay_ms, (unsigned long long)left);
            if (err != NULL) {
                uint64_t secs = server_left / 1000u + (server_left % 1000u != 0); /* up */

                err->retry_after = secs > (uint64_t)LONG_MAX ? LONG_MAX : (long)secs;
            }
            return FTX_ERR_RATE_LIMITED;
        }
    }
    *until_out = until;
    *left_out = left;
    return FTX_OK;
}

static int pause_wait(ftx_client *c, const ftx__request *req, uint64_t *waited_until,
                      ftx_error *err)
{
    uint64_t until, left;
    int rc = ftx__pause_check(c, req, *waited_until, &until, &left, err);

    if (rc != FTX_OK || until == 0)
        return rc;
    if (left > 0)
        ftx__sleep_ms(c, left);
    *waited_until = until;
    return FTX_OK;
}

/* ---- the handle pool ---- */

/* A 2xx body of a call with a sink goes to the sink (unbounded, streamed); anything
 * else (an error body, or no sink) is collected in h->resp for JSON parsing. */
static int sink_takes(pool_handle *h)
{
    long status = 0;

    if (h->sink == NULL)
        return 0;
    (void)curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &status);
    return status >= 200 && status <= 299;
}

static size_t write_cb(char *data, size_t size, size_t nmemb, void *userp)
{
    pool_handle *h = userp;
    size_t n = size * nmemb;

    if (n > 0 && sink_takes(h)) {
        if (h->sink_file != NULL) {
            if (fwrite(data, 1, n, h->sink_file) != n) {
                h->sink_errno = errno != 0 ? errno : EIO;
                h->sink_stopped = 1;
                return 0;
            }
        } else if (h->sink->write(data, n, h->sink->userdata) != 0) {
            h->sink_stopped = 1;
            return 0;
        }
        h->sink_bytes += n;
        return n;
    }
    if (n > MAX_RESPONSE_BYTES || h->resp.len > MAX_RESPONSE_BYTES - n) {
        h->resp_overflow = 1;
        return 0;
    }
    if (ftx__buf_append(&h->resp, data, n) != 0)
        return 0;
    return n;
}

static pool_handle *handle_new(ftx_client *c)
{
    pool_handle *h = ftx__calloc(1, sizeof(*h));
    CURL *e;
    int bad = 0;

    if (h == NULL)
        return NULL;
    h->easy = e = curl_easy_init();
    if (e == NULL) {
        ftx__free(h);
        return NULL;
    }
    /* Never CURLOPT_VERBOSE: it would print the Authorization header. */
    bad |= curl_easy_setopt(e, CURLOPT_SHARE, c->share) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK;
    (void)curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->timeout_ms) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_USERAGENT, c->user_agent) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, h) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, h->errbuf) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
    /* TLS: always verify the peer and its name; the CA set may be replaced. */
    bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK;
    if (c->ca_file != NULL)
        bad |= curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_file) != CURLE_OK;
    if (c->ca_path != NULL)
        bad |= curl_easy_setopt(e, CURLOPT_CAPATH, c->ca_path) != CURLE_OK;
    (void)curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    (void)curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    if (bad) {
        handle_free(h);
        return NULL;
    }
    return h;
}

static pool_handle *handle_get(ftx_client *c)
{
    pool_handle *h;

    pthread_mutex_lock(&c->lock);
    h = c->idle;
    if (h != NULL) {
        c->idle = h->next;
        c->idle_count--;
        h->next = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    return h != NULL ? h : handle_new(c);
}

static void handle_put(ftx_client *c, pool_handle *h)
{
    /* Forget the call's transport variants: the next user gets a plain JSON handle. */
    if (h->mime != NULL) {
        (void)curl_easy_setopt(h->easy, CURLOPT_MIMEPOST, (curl_mime *)NULL);
        (void)curl_easy_setopt(h->easy, CURLOPT_HTTPGET, 1L);
        curl_mime_free(h->mime);
        h->mime = NULL;
    }
    h->xport = NULL;
    h->sink = NULL;
    h->sink_file = NULL;
    h->sink_bytes = 0;
    h->sink_stopped = 0;
    h->sink_errno = 0;
    /* Request bodies may hold connector passwords: wiped before being kept or freed. */
    if (h->req_body.ptr != NULL)
        OPENSSL_cleanse(h->req_body.ptr, h->req_body.len);
    if (h->resp.cap > KEEP_BUFFER_BYTES)
        ftx__buf_dispose(&h->resp);
    if (h->req_body.cap > KEEP_BUFFER_BYTES)
        ftx__buf_dispose(&h->req_body);
    pthread_mutex_lock(&c->lock);
    if (c->idle_count < c->max_idle) {
        h->next = c->idle;
        c->idle = h;
        c->idle_count++;
        h = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    handle_free(h);
}

ftx__handle *ftx__handle_get(ftx_client *c)
{
    return handle_get(c);
}

void ftx__handle_put(ftx_client *c, ftx__handle *h)
{
    if (h != NULL)
        handle_put(c, h);
}

CURL *ftx__handle_easy(ftx__handle *h)
{
    return h->easy;
}

/* ---- one attempt ---- */

static void buf_clear(ftx__buf *b)
{
    b->len = 0;
    if (b->ptr != NULL)
        b->ptr[0] = '\0';
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
    return ftx__buf_append(data, buffer, size) == 0 ? 0 : -1;
}

/* Seconds from a Retry-After value (see http.h). */
long ftx__parse_retry_after(const char *v, time_t now)
{
    const char *p;
    long secs = 0;
    time_t when;
    int has_alpha = 0;

    if (v == NULL)
        return -1;
    while (*v == ' ' || *v == '\t')
        v++;
    if (isdigit((unsigned char)*v)) {
        for (p = v; isdigit((unsigned char)*p); p++) {
            if (secs > (LONG_MAX - 9) / 10)
                secs = LONG_MAX / 10; /* absurd: keep large, avoid overflow */
            else
                secs = secs * 10 + (*p - '0');
        }
        while (*p == ' ' || *p == '\t')
            p++;
        return *p == '\0' ? secs : -1;
    }
    for (p = v; *p != '\0'; p++)
        if (isalpha((unsigned char)*p))
            has_alpha = 1;
    if (!has_alpha)
        return -1;
    when = curl_getdate(v, NULL);
    if (when == (time_t)-1)
        return -1;
    if (when <= now)
        return 0;
    if ((uint64_t)(when - now) > (uint64_t)LONG_MAX)
        return LONG_MAX;
    return (long)(when - now);
}

static long header_long(CURL *e, const char *name)
{
    struct curl_header *hdr = NULL;

    if (curl_easy_header(e, name, 0, CURLH_HEADER, -1, &hdr) != CURLHE_OK || hdr == NULL)
        return -1;
    return ftx__parse_header_long(hdr->value);
}

/* A rate-limit header's count (see http.h). */
long ftx__parse_header_long(const char *p)
{
    long v = 0;

    if (p == NULL)
        return -1;
    while (*p == ' ')
        p++;
    if (!isdigit((unsigned char)*p))
        return -1;
    for (; isdigit((unsigned char)*p); p++) {
        if (v > (LONG_MAX - (*p - '0')) / 10)
            return -1;
        v = v * 10 + (*p - '0');
    }
    return v;
}

static const char *header_value(CURL *e, const char *name)
{
    struct curl_header *hdr = NULL;

    if (curl_easy_header(e, name, 0, CURLH_HEADER, -1, &hdr) != CURLHE_OK || hdr == NULL)
        return NULL;
    return hdr->value;
}

static int status_type(long status)
{
    switch (status) {
    case 400:
    case 422:
        return FTX_ERR_BAD_REQUEST;
    case 401:
        return FTX_ERR_UNAUTHORIZED;
    case 403:
        return FTX_ERR_FORBIDDEN;
    case 404:
        return FTX_ERR_NOT_FOUND;
    case 409:
        return FTX_ERR_CONFLICT;
    case 429:
        return FTX_ERR_RATE_LIMITED;
    default:
        return status >= 500 ? FTX_ERR_SERVER : FTX_ERR_UNKNOWN;
    }
}

/* Messages (and codes) are one line: control characters from the server become
 * spaces, so printing them cannot break lines or send terminal escapes. */
static void one_line(ftx_error *err)
{
    char *p;

    if (err == NULL)
        return;
    for (p = err->message; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    for (p = err->code; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
}

static int is_blank(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!isspace((unsigned char)s[i]))
            return 0;
    return 1;
}

static const char *outcome_hint =
    "; outcome unknown: the object may have been created, list to check before retrying";

/* Map an HTTP error response (see http.h). */
int ftx__error_from_response(const ftx__request *req, long status, const char *resp,
                             size_t resp_len, int creates, long retry_after, int *klass,
                             ftx_error *err)
{
    json_t *body = NULL;
    const char *code = NULL, *msg = NULL, *hint = "";
    char hintbuf[160], codebuf[sizeof(((ftx_error *)0)->code)];
    int type = status_type(status);

    if (resp_len > 0 && !is_blank(resp, resp_len))
        body = json_loadb(resp, resp_len, 0, NULL);
    if (json_is_object(body)) {
        code = json_string_value(json_object_get(body, "code"));
        msg = json_string_value(json_object_get(body, "message"));
    }

    *klass = RETRY_NEVER;
    if (type == FTX_ERR_RATE_LIMITED) {
        *klass = RETRY_ALWAYS;
        if (retry_after >= 0) {
            (void)snprintf(hintbuf, sizeof(hintbuf), "; retry after %ld s", retry_after);
            hint = hintbuf;
        } else {
            hint = "; slow down and retry later";
        }
    } else if (type == FTX_ERR_SERVER) {
        *klass = RETRY_IDEMPOTENT;
        if (creates) {
            type = FTX_ERR_OUTCOME_UNKNOWN;
            hint = outcome_hint;
        } else {
            hint = "; Fivetran server error, retry later";
        }
    } else if (type == FTX_ERR_UNAUTHORIZED) {
        hint = "; check the API key and secret (FIVETRAN_API_KEY, FIVETRAN_API_SECRET)";
    } else if (type == FTX_ERR_FORBIDDEN) {
        hint = "; the API key lacks permission for this resource";
    }

    /* A code as long as the message itself would push the server's message out: the
     * message carries the code as err->code does, cut to its size. */
    if (code != NULL && snprintf(codebuf, sizeof(codebuf), "%s", code) >= (int)sizeof(codebuf)) {
        ftx__utf8_cut(codebuf);
        code = codebuf;
    }
    if (code != NULL && msg != NULL)
        ftx__error_set(err, type, "%s %s: %ld %s: %s%s", req->method, req->path, status, code, msg,
                       hint);
    else if (code != NULL || msg != NULL)
        ftx__error_set(err, type, "%s %s: %ld %s%s", req->method, req->path, status,
                       code != NULL ? code : msg, hint);
    else
        ftx__error_set(err, type, "%s %s: %ld (%s)%s", req->method, req->path, status,
                       body != NULL    ? "no error code in body"
                       : resp_len == 0 ? "empty body"
                                       : "non-JSON body",
                       hint);
    if (err != NULL) {
        err->status = (int)status;
        err->retry_after = retry_after;
        if (code != NULL &&
            snprintf(err->code, sizeof(err->code), "%s", code) >= (int)sizeof(err->code))
            ftx__utf8_cut(err->code);
        one_line(err);
    }
    json_decref(body);
    return type;
}

/* Map a curl failure. */
static int transport_error(const ftx__request *req, CURLcode cc, pool_handle *h, long status,
                           int creates, int *klass, ftx_error *err)
{
    long req_size = 0;
    const char *detail = h->errbuf[0] != '\0' ? h->errbuf : curl_easy_strerror(cc);
    const char *hint = "";
    int type = FTX_ERR_TRANSPORT, not_sent;

    if (h->sink_stopped) {
        *klass = RETRY_NEVER;
        type = h->sink_errno != 0 ? FTX_ERR_INVALID_ARGUMENT : FTX_ERR_CANCELLED;
        if (h->sink_errno != 0)
            ftx__error_set(
                err, type, "%s %s: writing the response to %.300s failed after %llu bytes: %s",
                req->method, req->path, h->sink->path != NULL ? h->sink->path : "the file",
                h->sink_bytes, strerror(h->sink_errno));
        else
            ftx__error_set(err, type,
                           "%s %s: the sink's write callback stopped the transfer after %llu "
                           "bytes",
                           req->method, req->path, h->sink_bytes);
        if (err != NULL)
            err->status = (int)status;
        return type;
    }
    if (h->resp_overflow) {
        *klass = RETRY_NEVER;
        ftx__error_set(err, FTX_ERR_DECODE,
                       "%s %s: response body larger than %zu MiB; narrow the request (e.g. "
                       "a smaller limit)",
                       req->method, req->path, MAX_RESPONSE_BYTES >> 20);
        if (err != NULL)
            err->status = (int)status;
        return FTX_ERR_DECODE;
    }
    if (cc == CURLE_OUT_OF_MEMORY || cc == CURLE_WRITE_ERROR) {
        *klass = RETRY_NEVER;
        return ftx__error_nomem(err);
    }
    (void)curl_easy_getinfo(h->easy, CURLINFO_REQUEST_SIZE, &req_size);
    not_sent = req_size == 0 || cc == CURLE_COULDNT_RESOLVE_HOST ||
               cc == CURLE_COULDNT_RESOLVE_PROXY || cc == CURLE_COULDNT_CONNECT;

    switch (cc) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CACERT_BADFILE:
        /* Never retried, never worked around: the server is not who it should be (or
         * the CA set is unusable). */
        *klass = RETRY_NEVER;
        ftx__error_set(err, FTX_ERR_TRANSPORT,
                       "%s %s: TLS verification failed: %s (curl %d); the server's "
                       "certificate is not signed by a trusted CA or does not match the host "
                       "name. If the server uses a private CA (e.g. a company proxy), pass "
                       "its certificate with the ca_file option (or a directory with "
                       "ca_path); check the base URL's host name",
                       req->method, req->path, detail, (int)cc);
        if (err != NULL) {
            err->status = (int)status;
            one_line(err);
        }
        return FTX_ERR_TRANSPORT;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_BAD_CONTENT_ENCODING:
        *klass = RETRY_NEVER;
        hint = "; check the base URL and TLS set-up";
        break;
    default:
        if (not_sent) {
            *klass = RETRY_ALWAYS;
            hint = "; check the base URL and the network";
        } else {
            *klass = RETRY_IDEMPOTENT;
            if (creates) {
                type = FTX_ERR_OUTCOME_UNKNOWN;
                hint = outcome_hint;
            } else if (cc == CURLE_OPERATION_TIMEDOUT) {
                hint = "; raise timeout_ms or retry later";
            }
        }
        break;
    }
    if (cc == CURLE_OPERATION_TIMEDOUT && not_sent)
        hint = "; raise connect_timeout_ms or check the network";
    ftx__error_set(err, type, "%s %s: transport error: %s (curl %d)%s", req->method, req->path,
                   detail, (int)cc, hint);
    if (err != NULL) {
        err->status = (int)status;
        one_line(err);
    }
    return type;
}

/* Set `h` up for one attempt of `req` (see http.h). */
/* The whole-request timeout of one attempt: the client's, cut short by a deadline. */
static long attempt_timeout_ms(ftx_client *c, const ftx__request *req)
{
    uint64_t now, left;

    if (req->deadline_ms == 0)
        return c->timeout_ms;
    now = ftx__now_ms(c);
    left = req->deadline_ms > now ? req->deadline_ms - now : 1;
    return left < (uint64_t)c->timeout_ms ? (long)left : c->timeout_ms;
}

/* Nothing more may start once a request's deadline has come. */
static int deadline_passed(ftx_client *c, const ftx__request *req, uint64_t wait_ms)
{
    return req->deadline_ms != 0 && ftx__now_ms(c) + wait_ms >= req->deadline_ms;
}

/* An over-long path is the caller's error, refused before anything is sent (libcurl
 * would fail it as "out of memory"). */
static int check_path_length(const ftx__request *req, ftx_error *err)
{
    size_t n = strlen(req->path);

    if (n <= MAX_PATH_BYTES)
        return FTX_OK;
    return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                          "%s %.64s...: path of %zu bytes is longer than the limit of %zu "
                          "bytes (an id or query value too long?)",
                          req->method, req->path, n, MAX_PATH_BYTES);
}

/* Point the handle at base URL + path, checking libcurl's answer. */
static int set_url(ftx__handle *h, const char *root, const ftx__request *req, ftx_error *err)
{
    CURLcode cc;

    if (check_path_length(req, err) != FTX_OK)
        return FTX_ERR_INVALID_ARGUMENT;
    buf_clear(&h->url);
    if (ftx__buf_puts(&h->url, root) != 0 || ftx__buf_puts(&h->url, req->path) != 0)
        return ftx__error_nomem(err);
    cc = curl_easy_setopt(h->easy, CURLOPT_URL, h->url.ptr);
    if (cc == CURLE_OUT_OF_MEMORY)
        return ftx__error_nomem(err);
    if (cc != CURLE_OK)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "%s %.64s: URL refused by libcurl: %s",
                              req->method, req->path, curl_easy_strerror(cc));
    return FTX_OK;
}

/* The multipart body of `req` (libcurl's mime API), built once per call: libcurl
 * rewinds it (and re-reads file parts) for every attempt. */
static int build_mime(pool_handle *h, const ftx__request *req, ftx_error *err)
{
    curl_mime *m = curl_mime_init(h->easy);
    size_t i;
    int bad = m == NULL;

    for (i = 0; !bad && i < h->xport->form_count; i++) {
        const ftx_form_part *p = &h->xport->form[i];
        curl_mimepart *part = curl_mime_addpart(m);

        bad = part == NULL || curl_mime_name(part, p->name) != CURLE_OK;
        if (!bad && p->file_path != NULL)
            bad = curl_mime_filedata(part, p->file_path) != CURLE_OK;
        else if (!bad && p->data != NULL)
            bad = curl_mime_data(part, p->data, p->data_len) != CURLE_OK;
        else if (!bad)
            bad = curl_mime_data(part, p->value, CURL_ZERO_TERMINATED) != CURLE_OK;
        if (!bad && p->filename != NULL)
            bad = curl_mime_filename(part, p->filename) != CURLE_OK;
        if (!bad && p->content_type != NULL)
            bad = curl_mime_type(part, p->content_type) != CURLE_OK;
    }
    if (bad) {
        curl_mime_free(m);
        return ftx__error_set(err, FTX_ERR_NOMEM, "%s %s: out of memory building the form",
                              req->method, req->path);
    }
    h->mime = m;
    return FTX_OK;
}

/* Before an attempt of a call with a sink: drop what a failed attempt delivered. The
 * call only retries such an attempt when this is possible (see call_impl). */
static int sink_rewind(pool_handle *h, const ftx__request *req, ftx_error *err)
{
    int failed = 0;

    h->sink_stopped = 0;
    h->sink_errno = 0;
    if (h->sink_bytes == 0)
        return FTX_OK;
    h->sink_bytes = 0;
    if (h->sink_file != NULL) {
        failed = fflush(h->sink_file) != 0 || ftruncate(fileno(h->sink_file), 0) != 0 ||
                 fseek(h->sink_file, 0, SEEK_SET) != 0;
        if (failed)
            return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                                  "%s %s: cannot empty the download file for a retry: %s",
                                  req->method, req->path, strerror(errno));
        return FTX_OK;
    }
    if (h->sink->reset == NULL || h->sink->reset(h->sink->userdata) != 0)
        return ftx__error_set(err, FTX_ERR_CANCELLED,
                              "%s %s: the sink's reset callback refused a retry", req->method,
                              req->path);
    return FTX_OK;
}

int ftx__attempt_prepare(ftx_client *c, ftx__handle *h, const ftx__request *req, int is_create,
                         ftx_error *err)
{
    CURL *e = h->easy;
    static const ftx__transport json_both_ways = {0};
    const ftx__transport *t = h->xport != NULL ? h->xport : &json_both_ways;
    int has_body, is_get, is_delete, is_patch, kind, rc;

    is_get = strcmp(req->method, "GET") == 0;
    is_delete = strcmp(req->method, "DELETE") == 0;
    is_patch = strcmp(req->method, "PATCH") == 0;
    has_body = !is_get && !is_delete;
    /* JSON unless the call asked for no body or a form (whose Content-Type, with its
     * boundary, libcurl writes). */
    kind = !has_body           ? HDR_NO_BODY
           : t->form_count > 0 ? HDR_NO_BODY
           : t->no_body        ? HDR_EMPTY_BODY
                               : HDR_JSON;

    if (h->sink != NULL && (rc = sink_rewind(h, req, err)) != FTX_OK)
        return rc;

    buf_clear(&h->resp);
    buf_clear(&h->req_body);
    h->resp_overflow = 0;
    h->errbuf[0] = '\0';
    if ((rc = set_url(h, t->host_root ? c->host_root : c->base_url, req, err)) != FTX_OK)
        return rc;
    if (kind == HDR_EMPTY_BODY) {
        if (ftx__buf_puts(&h->req_body, "") != 0)
            return ftx__error_nomem(err);
    } else if (kind == HDR_JSON) {
        if (req->body != NULL) {
            if (json_dump_callback(req->body, dump_cb, &h->req_body,
                                   JSON_COMPACT | JSON_ENCODE_ANY) != 0)
                return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                                      "%s %s: request body cannot be encoded as JSON", req->method,
                                      req->path);
        } else if (ftx__buf_puts(&h->req_body, "{}") != 0) {
            return ftx__error_nomem(err);
        }
        if (h->req_body.ptr == NULL && ftx__buf_puts(&h->req_body, "") != 0)
            return ftx__error_nomem(err);
    }

    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, attempt_timeout_ms(c, req));
    /* libcurl silently re-sends a request once when a reused connection dies before
     * the response starts. Harmless for everything but a create, which could then
     * happen twice: creates always go out on a fresh connection. */
    curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, is_create ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers[req->accept_v2 ? 1 : 0][kind]);
    if (has_body && t->form_count > 0) {
        if (h->mime == NULL && (rc = build_mime(h, req, err)) != FTX_OK)
            return rc;
        curl_easy_setopt(e, CURLOPT_MIMEPOST, h->mime);
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, is_patch ? "PATCH" : NULL);
    } else if (has_body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)h->req_body.len);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, h->req_body.ptr);
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, is_patch ? "PATCH" : NULL);
    } else {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)-1);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, NULL);
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, is_delete ? "DELETE" : NULL);
    }
    return FTX_OK;
}

/* Map the end of an attempt on `h` (see http.h). */
int ftx__attempt_finish(ftx_client *c, ftx__handle *h, const ftx__request *req, int is_create,
                        CURLcode cc, json_t **out_body, int *klass, long *status_out,
                        ftx_error *err)
{
    CURL *e = h->easy;
    long status = 0, rl;
    long retry_after;
    json_error_t jerr;
    json_t *body;

    *klass = RETRY_NEVER;
    *out_body = NULL;
    *status_out = 0;
    (void)curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    *status_out = status;

    if (status > 0) {
        long limit = header_long(e, "X-Rate-Limit");

        rl = header_long(e, "X-Rate-Limit-Remaining");
        if (limit >= 0 || rl >= 0) {
            pthread_mutex_lock(&c->lock);
            if (limit >= 0)
                c->rl_limit = limit;
            if (rl >= 0)
                c->rl_remaining = rl;
            pthread_mutex_unlock(&c->lock);
        }
    }
    if (cc != CURLE_OK)
        return transport_error(req, cc, h, status, is_create, klass, err);

    if (status < 200 || status > 299) {
        retry_after = ftx__parse_retry_after(header_value(e, "Retry-After"), time(NULL));
        return ftx__error_from_response(req, status, h->resp.ptr, h->resp.len, is_create,
                                        retry_after, klass, err);
    }

    if (h->sink != NULL)
        return FTX_OK; /* the body went to the sink */
    if (h->resp.len == 0 || is_blank(h->resp.ptr, h->resp.len))
        return FTX_OK;
    body = json_loadb(h->resp.ptr, h->resp.len, 0, &jerr);
    if (body == NULL) {
        ftx__error_set(err, FTX_ERR_DECODE,
                       "%s %s: %ld response is not valid JSON (%s at byte %d); the server "
                       "or a proxy sent something else",
                       req->method, req->path, status, jerr.text, jerr.position);
        if (err != NULL) {
            err->status = (int)status;
            one_line(err);
        }
        return FTX_ERR_DECODE;
    }
    *out_body = body;
    return FTX_OK;
}

/*
 * One HTTP attempt on `h`. On success `*out_body` gets the parsed body (NULL when
 * empty). `*klass` says how a failure may be retried.
 */
static int perform_once(ftx_client *c, pool_handle *h, const ftx__request *req, int is_create,
                        json_t **out_body, int *klass, long *status_out, ftx_error *err)
{
    int rc;

    *klass = RETRY_NEVER;
    *out_body = NULL;
    *status_out = 0;
    if ((rc = ftx__attempt_prepare(c, h, req, is_create, err)) != FTX_OK)
        return rc;
    return ftx__attempt_finish(c, h, req, is_create, curl_easy_perform(h->easy), out_body, klass,
                               status_out, err);
}

void ftx__attempt_report(ftx_client *c, const ftx__request *req, long status, double t0,
                         int attempt, int rc, ftx_request_info *info)
{
    memset(info, 0, sizeof(*info));
    info->method = req->method;
    info->path = req->path;
    info->status = (int)status;
    info->elapsed_ms = ftx__monotonic_ms() - t0;
    info->attempt = attempt;
    info->error_type = rc;
    if (c->observer != NULL)
        c->observer(info, c->observer_userdata);
}

int ftx__retry_decide(ftx_client *c, int is_create, int attempt, long status, int klass,
                      ftx_error *aerr, const ftx_request_info *info, uint64_t *delay_ms)
{
    const ftx_retry_policy *p = &c->retry;
    uint64_t delay = 0;
    int retry;

    *delay_ms = 0;
    if (p->retry_if != NULL)
        retry = p->retry_if(aerr, info, p->retry_if_userdata) != 0;
    else
        retry = klass == RETRY_ALWAYS || (klass == RETRY_IDEMPOTENT && !is_create);
    if (!retry || attempt >= p->max_attempts)
        return 0;
    {
        uint64_t rng;
        int d;

        pthread_mutex_lock(&c->lock);
        rng = c->rng;
        d = ftx__retry_delay(p, attempt, aerr->retry_after, &rng, &delay);
        c->rng = rng;
        pthread_mutex_unlock(&c->lock);
        if (d == FTX__RETRY_TOO_LONG) {
            /* Waiting less than asked would only earn another 429; every other
             * call on this client now fails fast until the server's time. */
            size_t n = strlen(aerr->message);

            if (status == 429 && aerr->retry_after > 0)
                ftx__client_pause_until(c, after_secs(ftx__now_ms(c), aerr->retry_after));

            (void)snprintf(aerr->message + n, sizeof(aerr->message) - n,
                           " (longer than the retry policy's max_delay_ms %u; not "
                           "retried)",
                           (unsigned)p->max_delay_ms);
            return 0;
        }
    }
    if (p->on_retry != NULL && p->on_retry(aerr, info, delay, p->on_retry_userdata) != 0)
        return 0;
    *delay_ms = delay;
    return 1;
}

/* ---- the call with retries ---- */

static int valid_method(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "POST") == 0 || strcmp(m, "PATCH") == 0 ||
           strcmp(m, "DELETE") == 0;
}

/* Attach `req`'s sink to `h` for the call; a path sink gets a temporary file next to
 * the path (`*tmp`, free with ftx__free), renamed by sink_end. */
static int sink_begin(pool_handle *h, const ftx__request *req, const ftx_response_sink *sink,
                      char **tmp, ftx_error *err)
{
    size_t n;
    int fd;

    *tmp = NULL;
    if (sink == NULL)
        return FTX_OK;
    h->sink = sink;
    if (sink->path == NULL)
        return FTX_OK;
    n = strlen(sink->path);
    if ((*tmp = ftx__malloc(n + sizeof(".XXXXXX"))) == NULL)
        return ftx__error_nomem(err);
    memcpy(*tmp, sink->path, n);
    memcpy(*tmp + n, ".XXXXXX", sizeof(".XXXXXX"));
    fd = mkstemp(*tmp);
    if (fd < 0 || (h->sink_file = fdopen(fd, "wb")) == NULL) {
        int e = errno;

        if (fd >= 0) {
            (void)close(fd);
            (void)unlink(*tmp);
        }
        ftx__free(*tmp);
        *tmp = NULL;
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "%s %s: cannot create a file next to %.300s: %s", req->method,
                              req->path, sink->path, strerror(e));
    }
    return FTX_OK;
}

/* Close a path sink's file: renamed over the path when the call succeeded, removed
 * otherwise. A failure to finish the file turns success into an error. */
static int sink_end(pool_handle *h, const ftx__request *req, char *tmp, int rc, ftx_error *aerr)
{
    int failed;

    if (h->sink_file == NULL)
        return rc;
    failed = fclose(h->sink_file) != 0;
    h->sink_file = NULL;
    if (rc == FTX_OK && (failed || rename(tmp, h->sink->path) != 0)) {
        rc = ftx__error_set(aerr, FTX_ERR_INVALID_ARGUMENT, "%s %s: cannot write %.300s: %s",
                            req->method, req->path, h->sink->path, strerror(errno));
    }
    if (rc != FTX_OK)
        (void)unlink(tmp);
    ftx__free(tmp);
    return rc;
}

/* ftx__call, also reporting the last status and the attempt count (err untouched on
 * success). */
static int call_impl(ftx_client *c, const ftx__request *req, const ftx__transport *t, int prior,
                     json_t **out_body, int *status_out, int *attempts_out, ftx_error *err)
{
    ftx_error aerr;
    ftx_request_info info;
    pool_handle *h;
    json_t *body = NULL;
    uint64_t delay = 0, waited_until = 0;
    double t0;
    long status = 0;
    char *sink_tmp = NULL;
    int attempt, rc, klass, is_create;

    *out_body = NULL;
    *status_out = 0;
    *attempts_out = 0;
    if (c == NULL || req == NULL || req->method == NULL || req->path == NULL ||
        !valid_method(req->method) || req->path[0] != '/')
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "invalid request: a client, a method (GET, POST, PATCH, "
                              "DELETE) and a path starting with '/' are required");
    if ((rc = check_path_length(req, err)) != FTX_OK)
        return rc;
    is_create = req->creates && strcmp(req->method, "POST") == 0;

    h = handle_get(c);
    if (h == NULL)
        return ftx__error_nomem(err);
    h->xport = t;
    if ((rc = sink_begin(h, req, t != NULL ? t->sink : NULL, &sink_tmp, err)) != FTX_OK) {
        handle_put(c, h);
        return rc;
    }

    for (attempt = prior + 1;; attempt++) {
        ftx_error_clear(&aerr);
        if ((rc = pause_wait(c, req, &waited_until, &aerr)) != FTX_OK) {
            attempt--; /* nothing was sent */
            break;
        }
        if (attempt == 1 && deadline_passed(c, req, 0)) {
            rc = ftx__error_set(&aerr, FTX_ERR_TIMEOUT, "%s %s: not sent, its deadline has passed",
                                req->method, req->path);
            attempt--;
            break;
        }
        t0 = ftx__monotonic_ms();
        rc = perform_once(c, h, req, is_create, &body, &klass, &status, &aerr);
        ftx__attempt_report(c, req, status, t0, attempt, rc, &info);

        if (rc == FTX_OK || rc == FTX_ERR_NOMEM)
            break;
        if (h->sink_bytes > 0 && h->sink_file == NULL && h->sink->reset == NULL) {
            /* The caller already has part of this body and cannot take it back. */
            size_t n = strlen(aerr.message);

            (void)snprintf(aerr.message + n, sizeof(aerr.message) - n,
                           " (%llu bytes already delivered to the sink's write callback; "
                           "not retried without a reset callback)",
                           h->sink_bytes);
            break;
        }
        if (!ftx__retry_decide(c, is_create, attempt, status, klass, &aerr, &info, &delay))
            break;
        if (deadline_passed(c, req, delay))
            break; /* the retry could not finish in time: report this attempt's error */
        if (status == 429) {
            waited_until = ftx__now_ms(c) + delay;
            ftx__client_pause_until(c, waited_until);
        }
        ftx__sleep_ms(c, delay);
    }
    rc = sink_end(h, req, sink_tmp, rc, &aerr);
    if (rc != FTX_OK) {
        json_decref(body);
        body = NULL;
    }
    handle_put(c, h);

    *status_out = (int)status;
    *attempts_out = attempt;
    if (rc != FTX_OK) {
        aerr.attempts = attempt;
        if (err != NULL)
            *err = aerr;
        return rc;
    }
    *out_body = body;
    return FTX_OK;
}

int ftx__call(ftx_client *c, const ftx__request *req, json_t **out_body, ftx_error *err)
{
    return ftx__call_transport(c, req, NULL, out_body, err);
}

int ftx__call_transport(ftx_client *c, const ftx__request *req, const ftx__transport *t,
                        json_t **out_body, ftx_error *err)
{
    json_t *body = NULL;
    int status, attempts, rc;

    rc = call_impl(c, req, t, 0, &body, &status, &attempts, err);
    if (out_body != NULL)
        *out_body = body;
    else
        json_decref(body);
    return rc;
}

int ftx__call_data(ftx_client *c, const ftx__request *req, json_t **out_data, ftx_error *err)
{
    return ftx__call_data_after(c, req, 0, out_data, err);
}

int ftx__response_data(const ftx__request *req, json_t *body, long status, int attempts,
                       json_t **out_data, ftx_error *err)
{
    ftx_error e2;
    int rc;

    *out_data = NULL;
    ftx_error_clear(&e2);
    if (body == NULL) {
        rc = ftx__error_set(err, FTX_ERR_DECODE,
                            "%s %s: %ld with an empty body; expected a JSON object with \"data\"",
                            req->method, req->path, status);
    } else {
        rc = ftx__envelope_data(body, out_data, &e2);
        if (rc != FTX_OK)
            ftx__error_set(err, rc, "%s %s: %ld %s", req->method, req->path, status, e2.message);
    }
    if (rc != FTX_OK && err != NULL) {
        err->attempts = attempts;
        err->status = (int)status;
    }
    return rc;
}

int ftx__call_data_after(ftx_client *c, const ftx__request *req, int prior, json_t **out_data,
                         ftx_error *err)
{
    json_t *body = NULL;
    int rc, attempts, status;

    if (out_data == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out_data must not be NULL");
    *out_data = NULL;
    rc = call_impl(c, req, NULL, prior, &body, &status, &attempts, err);
    if (rc == FTX_OK)
        rc = ftx__response_data(req, body, status, attempts, out_data, err);
    json_decref(body);
    return rc;
}

int ftx__call_data_transport(ftx_client *c, const ftx__request *req, const ftx__transport *t,
                             json_t **out_data, ftx_error *err)
{
    json_t *body = NULL;
    int rc, attempts, status;

    if (out_data == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out_data must not be NULL");
    *out_data = NULL;
    rc = call_impl(c, req, t, 0, &body, &status, &attempts, err);
    if (rc == FTX_OK)
        rc = ftx__response_data(req, body, status, attempts, out_data, err);
    json_decref(body);
    return rc;
}
