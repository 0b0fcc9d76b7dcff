/*
 * In-test HTTP server: see mock_server.h for the contract.
 *
 * libmicrohttpd runs with a thread per connection, so a delayed answer on one
 * connection never blocks another. The raw request target is captured from the
 * URI log callback (before MHD unescapes anything), the body is accumulated
 * across upload chunks, and the request is recorded just before its scripted
 * response is popped from the FIFO queue.
 */
#include "mock_server.h"

#include <microhttpd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

typedef struct queued_response {
    int status;
    char *body;
    size_t body_len;
    char *headers;
    unsigned delay_ms;
    mock_action action;
    struct queued_response *next;
} queued_response;

struct mock_server {
    struct MHD_Daemon *daemon;
    unsigned short port;
    char *tls_key; /* PEM, NULL for plain HTTP */
    char *tls_cert;
    char url[64];
    char origin[64];

    pthread_mutex_t lock;
    queued_response *head;
    queued_response *tail;
    mock_request **requests;
    size_t request_count;
    size_t request_cap;
    unsigned connections;
    mock_handler_fn handler;
    void *handler_userdata;
    unsigned handlers_running; /* handler calls in progress */
    pthread_cond_t handlers_done;
};

static queued_response *make_queued(const mock_response *r);

/* Per-request state, created by the URI log callback. */
typedef struct request_state {
    char *raw_uri;
    char *body;
    size_t body_len;
    size_t body_cap;
    int started;
} request_state;

/* Body sent for MOCK_TRUNCATE: announced in full, delivered by half. */
typedef struct truncated_body {
    char *data;
    size_t len;
    size_t send_len;
} truncated_body;

static char *dup_str(const char *s)
{
    size_t n;
    char *copy;

    if (s == NULL)
        return NULL;
    n = strlen(s);
    copy = malloc(n + 1);
    if (copy == NULL)
        abort();
    memcpy(copy, s, n + 1);
    return copy;
}

static char *dup_mem(const char *s, size_t n)
{
    char *copy = malloc(n + 1);

    if (copy == NULL)
        abort();
    if (n > 0)
        memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts;

    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static void free_response(queued_response *q)
{
    if (q == NULL)
        return;
    free(q->body);
    free(q->headers);
    free(q);
}

static void free_request(mock_request *r)
{
    if (r == NULL)
        return;
    free(r->path);
    free(r->query);
    free(r->authorization);
    free(r->accept);
    free(r->content_type);
    free(r->user_agent);
    free(r->body);
    free(r->content_length);
    free(r);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    request_state *st = calloc(1, sizeof(*st));

    (void)cls;
    (void)conn;
    if (st == NULL)
        abort();
    st->raw_uri = dup_str(uri != NULL ? uri : "");
    return st;
}

/* Keep the URL as sent; the raw form is what the tests assert. */
static size_t identity_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    return strlen(s);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    request_state *st = *con_cls;

    (void)cls;
    (void)conn;
    (void)toe;
    if (st != NULL) {
        free(st->raw_uri);
        free(st->body);
        free(st);
        *con_cls = NULL;
    }
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    mock_server *ms = cls;

    (void)conn;
    (void)socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        pthread_mutex_lock(&ms->lock);
        ms->connections++;
        pthread_mutex_unlock(&ms->lock);
    }
}

static char *header_copy(struct MHD_Connection *conn, const char *name)
{
    const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);

    return dup_str(v);
}

static mock_request *record_request(mock_server *ms, struct MHD_Connection *conn,
                                    const char *method, request_state *st)
{
    mock_request *r = calloc(1, sizeof(*r));
    const char *q;

    if (r == NULL)
        abort();
    snprintf(r->method, sizeof(r->method), "%s", method);
    q = strchr(st->raw_uri, '?');
    if (q != NULL) {
        r->path = dup_mem(st->raw_uri, (size_t)(q - st->raw_uri));
        r->query = dup_str(q + 1);
    } else {
        r->path = dup_str(st->raw_uri);
    }
    r->authorization = header_copy(conn, MHD_HTTP_HEADER_AUTHORIZATION);
    r->accept = header_copy(conn, MHD_HTTP_HEADER_ACCEPT);
    r->content_type = header_copy(conn, MHD_HTTP_HEADER_CONTENT_TYPE);
    r->user_agent = header_copy(conn, MHD_HTTP_HEADER_USER_AGENT);
    r->content_length = header_copy(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (st->body_len > 0) {
        r->body = dup_mem(st->body, st->body_len);
        r->body_len = st->body_len;
    }

    pthread_mutex_lock(&ms->lock);
    if (ms->request_count == ms->request_cap) {
        size_t cap = ms->request_cap ? ms->request_cap * 2 : 16;
        mock_request **grown = realloc(ms->requests, cap * sizeof(*grown));
        if (grown == NULL)
            abort();
        ms->requests = grown;
        ms->request_cap = cap;
    }
    ms->requests[ms->request_count++] = r;
    pthread_mutex_unlock(&ms->lock);
    return r;
}

static queued_response *pop_response(mock_server *ms)
{
    queued_response *q;

    pthread_mutex_lock(&ms->lock);
    q = ms->head;
    if (q != NULL) {
        ms->head = q->next;
        if (ms->head == NULL)
            ms->tail = NULL;
        q->next = NULL;
    }
    pthread_mutex_unlock(&ms->lock);
    return q;
}

static ssize_t truncated_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    truncated_body *tb = cls;
    size_t left;

    if (pos >= tb->send_len)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    left = tb->send_len - (size_t)pos;
    if (left > max)
        left = max;
    memcpy(buf, tb->data + pos, left);
    return (ssize_t)left;
}

static void truncated_free(void *cls)
{
    truncated_body *tb = cls;

    if (tb != NULL) {
        free(tb->data);
        free(tb);
    }
}

/* Adds "Name: value" lines; returns whether a Content-Type was among them. */
static int add_extra_headers(struct MHD_Response *resp, const char *headers)
{
    const char *p = headers;
    int has_content_type = 0;

    while (p != NULL && *p != '\0') {
        const char *eol = strstr(p, "\r\n");
        size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);
        const char *colon = memchr(p, ':', len);

        if (colon != NULL && colon > p) {
            char *name = dup_mem(p, (size_t)(colon - p));
            const char *v = colon + 1;
            char *value;

            while (v < p + len && (*v == ' ' || *v == '\t'))
                v++;
            value = dup_mem(v, (size_t)(p + len - v));
            if (strcasecmp(name, MHD_HTTP_HEADER_CONTENT_TYPE) == 0)
                has_content_type = 1;
            MHD_add_response_header(resp, name, value);
            free(name);
            free(value);
        }
        p = eol != NULL ? eol + 2 : NULL;
    }
    return has_content_type;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    mock_server *ms = cls;
    request_state *st = *con_cls;
    queued_response *q;
    struct MHD_Response *resp;
    enum MHD_Result ret;
    int status;

    (void)version;
    if (st == NULL) {
        /* No URI log callback ran (should not happen): fall back to the URL. */
        st = on_uri(NULL, url, conn);
        *con_cls = st;
    }
    if (!st->started) {
        st->started = 1;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        if (st->body_len + n + 1 > st->body_cap) {
            size_t cap = st->body_cap ? st->body_cap : 1024;
            char *grown;
            while (cap < st->body_len + n + 1)
                cap *= 2;
            grown = realloc(st->body, cap);
            if (grown == NULL)
                abort();
            st->body = grown;
            st->body_cap = cap;
        }
        memcpy(st->body + st->body_len, upload_data, n);
        st->body_len += n;
        *upload_data_size = 0;
        return MHD_YES;
    }

    q = NULL;
    {
        mock_request *r = record_request(ms, conn, method, st);
        mock_handler_fn fn;
        void *ud;

        pthread_mutex_lock(&ms->lock);
        fn = ms->handler;
        ud = ms->handler_userdata;
        if (fn != NULL)
            ms->handlers_running++;
        pthread_mutex_unlock(&ms->lock);
        if (fn != NULL) {
            mock_response out;

            memset(&out, 0, sizeof(out));
            if (fn(r, &out, ud) == 0)
                q = make_queued(&out);
            pthread_mutex_lock(&ms->lock);
            if (--ms->handlers_running == 0)
                pthread_cond_broadcast(&ms->handlers_done);
            pthread_mutex_unlock(&ms->lock);
        }
    }
    if (q == NULL)
        q = pop_response(ms);
    if (q == NULL) {
        static const char exhausted[] = "{\"code\":\"MockExhausted\",\"message\":"
                                        "\"no response queued\"}";
        resp = MHD_create_response_from_buffer(sizeof(exhausted) - 1, (void *)exhausted,
                                               MHD_RESPMEM_PERSISTENT);
        if (resp == NULL)
            return MHD_NO;
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
        ret = MHD_queue_response(conn, 599, resp);
        MHD_destroy_response(resp);
        return ret;
    }

    if (q->delay_ms > 0)
        sleep_ms(q->delay_ms);

    if (q->action == MOCK_DROP) {
        free_response(q);
        return MHD_NO;
    }

    if (q->action == MOCK_TRUNCATE) {
        truncated_body *tb = calloc(1, sizeof(*tb));
        if (tb == NULL)
            abort();
        /* At least one byte is always missing, so an empty body still breaks. */
        tb->len = q->body_len > 0 ? q->body_len : 2;
        tb->data = q->body_len > 0 ? dup_mem(q->body, q->body_len) : dup_mem("{}", 2);
        tb->send_len = tb->len / 2;
        resp =
            MHD_create_response_from_callback(tb->len, 1024, truncated_reader, tb, truncated_free);
        if (resp == NULL) {
            truncated_free(tb);
            free_response(q);
            return MHD_NO;
        }
    } else {
        resp = MHD_create_response_from_buffer(q->body_len, q->body_len ? q->body : (void *)"",
                                               MHD_RESPMEM_MUST_COPY);
        if (resp == NULL) {
            free_response(q);
            return MHD_NO;
        }
    }
    if (!add_extra_headers(resp, q->headers) && q->body_len > 0)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    status = q->status > 0 ? q->status : 200;
    free_response(q);
    ret = MHD_queue_response(conn, (unsigned int)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static mock_server *start_impl(const char *key_pem, const char *cert_pem)
{
    mock_server *ms = calloc(1, sizeof(*ms));
    struct sockaddr_in addr;
    const union MHD_DaemonInfo *info;
    const char *scheme = key_pem != NULL ? "https" : "http";
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                         MHD_USE_ITC | MHD_USE_POLL;

    if (ms == NULL)
        return NULL;
    if (key_pem != NULL) {
        ms->tls_key = dup_str(key_pem);
        ms->tls_cert = dup_str(cert_pem);
        flags |= MHD_USE_TLS;
    }
    if (pthread_mutex_init(&ms->lock, NULL) != 0) {
        free(ms->tls_key);
        free(ms->tls_cert);
        free(ms);
        return NULL;
    }
    if (pthread_cond_init(&ms->handlers_done, NULL) != 0) {
        pthread_mutex_destroy(&ms->lock);
        free(ms);
        return NULL;
    }
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    /* The TLS options come last: for a plain server MHD_OPTION_END ends the list
     * before them. */
    ms->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, ms, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, ms, MHD_OPTION_UNESCAPE_CALLBACK, identity_unescape,
        ms, MHD_OPTION_NOTIFY_COMPLETED, on_completed, ms, MHD_OPTION_NOTIFY_CONNECTION,
        on_connection, ms, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
        key_pem != NULL ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, ms->tls_key,
        MHD_OPTION_HTTPS_MEM_CERT, ms->tls_cert, MHD_OPTION_END);
    if (ms->daemon == NULL) {
        pthread_cond_destroy(&ms->handlers_done);
        pthread_mutex_destroy(&ms->lock);
        free(ms->tls_key);
        free(ms->tls_cert);
        free(ms);
        return NULL;
    }
    info = MHD_get_daemon_info(ms->daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (info == NULL || info->port == 0) {
        MHD_stop_daemon(ms->daemon);
        pthread_cond_destroy(&ms->handlers_done);
        pthread_mutex_destroy(&ms->lock);
        free(ms->tls_key);
        free(ms->tls_cert);
        free(ms);
        return NULL;
    }
    ms->port = (unsigned short)info->port;
    snprintf(ms->origin, sizeof(ms->origin), "%s://127.0.0.1:%u", scheme, (unsigned)ms->port);
    snprintf(ms->url, sizeof(ms->url), "%s://127.0.0.1:%u/v1", scheme, (unsigned)ms->port);
    return ms;
}

mock_server *mock_server_start(void)
{
    return start_impl(NULL, NULL);
}

mock_server *mock_server_start_tls(const char *key_pem, const char *cert_pem)
{
    if (key_pem == NULL || cert_pem == NULL)
        return NULL;
    return start_impl(key_pem, cert_pem);
}

unsigned short mock_server_port(const mock_server *ms)
{
    return ms != NULL ? ms->port : 0;
}

const char *mock_server_url(const mock_server *ms)
{
    return ms != NULL ? ms->url : NULL;
}

const char *mock_server_origin(const mock_server *ms)
{
    return ms != NULL ? ms->origin : NULL;
}

static void clear_locked(mock_server *ms)
{
    queued_response *q = ms->head;
    size_t i;

    while (q != NULL) {
        queued_response *next = q->next;
        free_response(q);
        q = next;
    }
    ms->head = ms->tail = NULL;
    for (i = 0; i < ms->request_count; i++)
        free_request(ms->requests[i]);
    ms->request_count = 0;
    ms->connections = 0;
    ms->handler = NULL;
    ms->handler_userdata = NULL;
}

void mock_server_stop(mock_server *ms)
{
    if (ms == NULL)
        return;
    MHD_stop_daemon(ms->daemon);
    pthread_mutex_lock(&ms->lock);
    clear_locked(ms);
    pthread_mutex_unlock(&ms->lock);
    free(ms->requests);
    free(ms->tls_key);
    free(ms->tls_cert);
    pthread_cond_destroy(&ms->handlers_done);
    pthread_mutex_destroy(&ms->lock);
    free(ms);
}

void mock_server_respond(mock_server *ms, int status, const char *body)
{
    mock_response r;

    memset(&r, 0, sizeof(r));
    r.status = status;
    r.body = body;
    r.action = MOCK_REPLY;
    mock_server_respond_full(ms, &r);
}

static queued_response *make_queued(const mock_response *r)
{
    queued_response *q = calloc(1, sizeof(*q));

    if (q == NULL)
        abort();
    q->status = r->status;
    if (r->body != NULL) {
        q->body_len = strlen(r->body);
        q->body = dup_mem(r->body, q->body_len);
    }
    q->headers = dup_str(r->headers);
    q->delay_ms = r->delay_ms;
    q->action = r->action;
    return q;
}

void mock_server_set_handler(mock_server *ms, mock_handler_fn fn, void *userdata)
{
    if (ms == NULL)
        return;
    pthread_mutex_lock(&ms->lock);
    ms->handler = fn;
    ms->handler_userdata = userdata;
    /* The old handler's userdata may die after this returns: wait for its calls. */
    while (ms->handlers_running > 0)
        pthread_cond_wait(&ms->handlers_done, &ms->lock);
    pthread_mutex_unlock(&ms->lock);
}

void mock_server_respond_full(mock_server *ms, const mock_response *r)
{
    queued_response *q;

    if (ms == NULL || r == NULL)
        return;
    q = make_queued(r);

    pthread_mutex_lock(&ms->lock);
    if (ms->tail != NULL)
        ms->tail->next = q;
    else
        ms->head = q;
    ms->tail = q;
    pthread_mutex_unlock(&ms->lock);
}

size_t mock_server_request_count(mock_server *ms)
{
    size_t n;

    if (ms == NULL)
        return 0;
    pthread_mutex_lock(&ms->lock);
    n = ms->request_count;
    pthread_mutex_unlock(&ms->lock);
    return n;
}

const mock_request *mock_server_request(mock_server *ms, size_t index)
{
    const mock_request *r = NULL;

    if (ms == NULL)
        return NULL;
    pthread_mutex_lock(&ms->lock);
    if (index < ms->request_count)
        r = ms->requests[index];
    pthread_mutex_unlock(&ms->lock);
    return r;
}

unsigned mock_server_connection_count(mock_server *ms)
{
    unsigned n;

    if (ms == NULL)
        return 0;
    pthread_mutex_lock(&ms->lock);
    n = ms->connections;
    pthread_mutex_unlock(&ms->lock);
    return n;
}

void mock_server_reset(mock_server *ms)
{
    if (ms == NULL)
        return;
    pthread_mutex_lock(&ms->lock);
    clear_locked(ms);
    while (ms->handlers_running > 0)
        pthread_cond_wait(&ms->handlers_done, &ms->lock);
    pthread_mutex_unlock(&ms->lock);
}
