/*
 * The embedded webhook receiver, driven over real sockets on 127.0.0.1 with libcurl
 * (and raw sockets for slow clients): delivery exactly once, duplicate suppression,
 * every refusal status without reaching the callback, size limits, slow clients,
 * concurrency, and a clean stop; the defences against slowloris floods (whole-request
 * deadline, total and per-address connection limits, body memory budget) with 1,100
 * slow connections from other loopback addresses (127.0.0.2...).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "internal.h"
#include "test_helpers.h"

#define SECRET   "whsec_server_test"
#define MAX_SEEN 256

/* ---- what the callback saw ---- */

typedef struct recorder {
    pthread_mutex_t lock;
    int calls;
    int fail_next; /* >0: refuse that many calls */
    char *sync_ids[MAX_SEEN];
    char *events[MAX_SEEN];
    int freed;
} recorder;

static int on_event(const ftx_webhook_event *ev, void *userdata)
{
    recorder *r = userdata;
    int refuse = 0;

    pthread_mutex_lock(&r->lock);
    if (r->fail_next > 0) {
        r->fail_next--;
        refuse = 1;
    } else if (r->calls < MAX_SEEN) {
        r->sync_ids[r->calls] = ev->sync_id ? strdup(ev->sync_id) : NULL;
        r->events[r->calls] = ev->event ? strdup(ev->event) : NULL;
        r->calls++;
    }
    pthread_mutex_unlock(&r->lock);
    return refuse;
}

static void free_userdata(void *userdata)
{
    recorder *r = userdata;
    r->freed++;
}

static void recorder_init(recorder *r)
{
    memset(r, 0, sizeof(*r));
    pthread_mutex_init(&r->lock, NULL);
}

static void recorder_dispose(recorder *r)
{
    for (int i = 0; i < MAX_SEEN; i++) {
        free(r->sync_ids[i]);
        free(r->events[i]);
    }
    pthread_mutex_destroy(&r->lock);
}

static int recorder_calls(recorder *r)
{
    int n;
    pthread_mutex_lock(&r->lock);
    n = r->calls;
    pthread_mutex_unlock(&r->lock);
    return n;
}

static int recorder_count(recorder *r, const char *sync_id)
{
    int n = 0;
    pthread_mutex_lock(&r->lock);
    for (int i = 0; i < r->calls; i++)
        if (r->sync_ids[i] && strcmp(r->sync_ids[i], sync_id) == 0)
            n++;
    pthread_mutex_unlock(&r->lock);
    return n;
}

/* ---- helpers ---- */

static void sign(const char *body, size_t len, const char *key, char out[65])
{
    unsigned char md[32];
    unsigned int n = 0;

    assert_non_null(
        HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)body, len, md, &n));
    for (size_t i = 0; i < 32; i++)
        (void)snprintf(out + 2 * i, 3, "%02X", md[i]);
}

static void event_body(char *buf, size_t size, const char *event, const char *sync_id,
                       const char *created)
{
    (void)snprintf(buf, size,
                   "{\"event\":\"%s\",\"created\":\"%s\",\"connector_type\":\"postgres\","
                   "\"connector_id\":\"conn_1\",\"connector_name\":\"pg\",\"sync_id\":\"%s\","
                   "\"destination_group_id\":\"grp\",\"data\":{\"status\":\"SUCCESSFUL\"}}",
                   event, created, sync_id);
}

typedef struct http_result {
    long status;
    char body[256];
    size_t len;
    char allow[64];
    CURLcode code;
} http_result;

static size_t write_cb(char *p, size_t size, size_t n, void *ud)
{
    http_result *r = ud;
    size_t len = size * n, room = sizeof(r->body) - 1 - r->len;
    size_t take = len < room ? len : room;

    memcpy(r->body + r->len, p, take);
    r->len += take;
    r->body[r->len] = '\0';
    return len;
}

static size_t header_cb(char *p, size_t size, size_t n, void *ud)
{
    http_result *r = ud;
    size_t len = size * n;

    if (len > 6 && strncasecmp(p, "Allow:", 6) == 0) {
        size_t k = len - 6 < sizeof(r->allow) - 1 ? len - 6 : sizeof(r->allow) - 1;
        memcpy(r->allow, p + 6, k);
        r->allow[k] = '\0';
    }
    return len;
}

/* Send one request. `sig` NULL: no signature header. `chunked`: no Content-Length. */
static http_result request(uint16_t port, const char *method, const char *path, const char *body,
                           size_t len, const char *sig, int chunked)
{
    http_result res;
    CURL *h = curl_easy_init();
    struct curl_slist *hdrs = NULL;
    char url[128], line[160];

    memset(&res, 0, sizeof(res));
    assert_non_null(h);
    (void)snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", (unsigned)port, path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &res);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &res);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    hdrs = curl_slist_append(hdrs, "Expect:");
    if (sig != NULL) {
        (void)snprintf(line, sizeof(line), "X-Fivetran-Signature-256: %s", sig);
        hdrs = curl_slist_append(hdrs, line);
    }
    if (chunked)
        hdrs = curl_slist_append(hdrs, "Transfer-Encoding: chunked");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    if (body != NULL) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        if (!chunked)
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    res.code = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res.status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    return res;
}

static http_result post_signed(uint16_t port, const char *body)
{
    char sig[65];
    sign(body, strlen(body), SECRET, sig);
    return request(port, "POST", "/webhook", body, strlen(body), sig, 0);
}

static ftx_webhook_server *start(recorder *rec, ftx_webhook_server_options *o)
{
    ftx_webhook_server *s = NULL;
    ftx_error err = {0};

    o->secret = o->secret ? o->secret : SECRET;
    o->on_event = on_event;
    o->userdata = rec;
    assert_int_equal(ftx_webhook_server_start(o, &s, &err), FTX_OK);
    assert_non_null(s);
    assert_true(ftx_webhook_server_port(s) > 0);
    return s;
}

static int raw_connect(uint16_t port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    return fd;
}

static void raw_send(int fd, const char *s, size_t n)
{
    assert_int_equal(send(fd, s, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* Read until the peer closes or `ms` pass; returns bytes read (-1: timeout before close). */
static ssize_t raw_read_until_close(int fd, char *buf, size_t size, int ms)
{
    size_t got = 0;
    struct timespec t0, t1;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        long elapsed;
        ssize_t n;

        clock_gettime(CLOCK_MONOTONIC, &t1);
        elapsed = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
        if (elapsed >= ms)
            return -1;
        if (poll(&p, 1, (int)(ms - elapsed)) <= 0)
            return -1;
        n = recv(fd, buf + got, size - 1 - got, 0);
        if (n <= 0) {
            buf[got] = '\0';
            return (ssize_t)got;
        }
        got += (size_t)n;
        if (got >= size - 1) {
            buf[got] = '\0';
            return (ssize_t)got;
        }
    }
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- tests ---- */

static void test_valid_event_delivered_once(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server_stats st;
    ftx_webhook_server *s;
    recorder rec;
    http_result r;
    char body[512];

    (void)state;
    recorder_init(&rec);
    s = start(&rec, &o);
    event_body(body, sizeof(body), "sync_end", "sync-1", "2026-05-22T00:06:08.638Z");
    r = post_signed(ftx_webhook_server_port(s), body);
    assert_int_equal(r.code, CURLE_OK);
    assert_int_equal(r.status, 200);
    th_assert_json_eq(r.body, "{\"status\":\"ok\"}");
    assert_int_equal(recorder_calls(&rec), 1);
    assert_string_equal(rec.sync_ids[0], "sync-1");
    assert_string_equal(rec.events[0], "sync_end");

    /* Fivetran re-delivers: answered 200, not passed on again */
    r = post_signed(ftx_webhook_server_port(s), body);
    assert_int_equal(r.status, 200);
    th_assert_json_eq(r.body, "{\"status\":\"duplicate\"}");
    assert_int_equal(recorder_calls(&rec), 1);

    /* a lowercase signature of the same event is still the same event */
    {
        char sig[65];
        sign(body, strlen(body), SECRET, sig);
        for (char *p = sig; *p; p++)
            if (*p >= 'A' && *p <= 'F')
                *p = (char)(*p + 32);
        r = request(ftx_webhook_server_port(s), "POST", "/webhook", body, strlen(body), sig, 0);
        assert_int_equal(r.status, 200);
        assert_int_equal(recorder_calls(&rec), 1);
    }

    /* same sync, another event (sync_start): a different identity */
    event_body(body, sizeof(body), "sync_start", "sync-1", "2026-05-22T00:01:02.120Z");
    r = post_signed(ftx_webhook_server_port(s), body);
    assert_int_equal(r.status, 200);
    assert_int_equal(recorder_calls(&rec), 2);

    ftx_webhook_server_stats_get(s, &st);
    assert_int_equal(st.delivered, 2);
    assert_int_equal(st.duplicates, 2);
    assert_int_equal(st.rejected, 0);
    ftx_webhook_server_free(s);
    recorder_dispose(&rec);
}

static void test_bad_requests_never_reach_callback(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server_stats st;
    ftx_webhook_server *s;
    recorder rec;
    http_result r;
    uint16_t port;
    char body[512], sig[65];

    (void)state;
    recorder_init(&rec);
    s = start(&rec, &o);
    port = ftx_webhook_server_port(s);
    event_body(body, sizeof(body), "sync_end", "sync-bad", "2026-05-22T00:06:08.638Z");
    sign(body, strlen(body), SECRET, sig);

    r = request(port, "POST", "/webhook", body, strlen(body), NULL, 0);
    assert_int_equal(r.status, 400);
    th_assert_json_eq(r.body, "{\"error\":\"missing signature\"}");

    r = request(port, "POST", "/webhook", body, strlen(body), "", 0);
    assert_int_equal(r.status, 400);

    r = request(port, "POST", "/webhook", body, strlen(body), "0123", 0);
    assert_int_equal(r.status, 401);
    th_assert_json_eq(r.body, "{\"error\":\"invalid signature\"}");

    /* tampered body, original signature */
    body[20] = 'X';
    r = request(port, "POST", "/webhook", body, strlen(body), sig, 0);
    assert_int_equal(r.status, 401);

    /* signed with another secret */
    {
        char other[65];
        sign(body, strlen(body), "not-the-secret", other);
        r = request(port, "POST", "/webhook", body, strlen(body), other, 0);
        assert_int_equal(r.status, 401);
    }

    /* correctly signed, not a JSON object */
    sign("[1,2,3]", 7, SECRET, sig);
    r = request(port, "POST", "/webhook", "[1,2,3]", 7, sig, 0);
    assert_int_equal(r.status, 422);
    th_assert_json_eq(r.body, "{\"error\":\"invalid JSON payload\"}");
    sign("", 0, SECRET, sig);
    r = request(port, "POST", "/webhook", "", 0, sig, 0);
    assert_int_equal(r.status, 422);

    /* other paths and methods */
    event_body(body, sizeof(body), "sync_end", "sync-bad", "2026-05-22T00:06:08.638Z");
    sign(body, strlen(body), SECRET, sig);
    r = request(port, "POST", "/other", body, strlen(body), sig, 0);
    assert_int_equal(r.status, 404);
    th_assert_json_eq(r.body, "{\"error\":\"not found\"}");
    r = request(port, "POST", "/webhook/extra", body, strlen(body), sig, 0);
    assert_int_equal(r.status, 404);
    r = request(port, "GET", "/webhook", NULL, 0, NULL, 0);
    assert_int_equal(r.status, 405);
    assert_non_null(strstr(r.allow, "POST"));
    th_assert_json_eq(r.body, "{\"error\":\"method not allowed\"}");
    r = request(port, "PUT", "/webhook", body, strlen(body), sig, 0);
    assert_int_equal(r.status, 405);

    assert_int_equal(recorder_calls(&rec), 0);
    ftx_webhook_server_stats_get(s, &st);
    assert_int_equal(st.delivered, 0);
    assert_int_equal(st.rejected, 11);

    /* and the valid one still goes through afterwards */
    r = request(port, "POST", "/webhook", body, strlen(body), sig, 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(recorder_calls(&rec), 1);
    ftx_webhook_server_free(s);
    recorder_dispose(&rec);
}

static void test_custom_path_and_query(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server *s;
    recorder rec;
    http_result r;
    char body[512], sig[65];

    (void)state;
    recorder_init(&rec);
    o.path = "/hooks/fivetran";
    s = start(&rec, &o);
    event_body(body, sizeof(body), "sync_end", "p1", "2026-05-22T00:06:08.638Z");
    sign(body, strlen(body), SECRET, sig);
    r = request(ftx_webhook_server_port(s), "POST", "/webhook", body, strlen(body), sig, 0);
    assert_int_equal(r.status, 404);
    r = request(ftx_webhook_server_port(s), "POST", "/hooks/fivetran?x=1", body, strlen(body), sig,
                0);
    assert_int_equal(r.status, 200);
    assert_int_equal(recorder_calls(&rec), 1);
    ftx_webhook_server_free(s);
    recorder_dispose(&rec);
}

static void test_oversized_bodies_413(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server *s;
    recorder rec;
    http_result r;
    char *big;
    size_t n = 4096;
    char sig[65], body[512];

    (void)state;
    recorder_init(&rec);
    o.max_body = 1024;
    s = start(&rec, &o);
    big = malloc(n + 1);
    assert_non_null(big);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    big[n] = '\0';
    sign(big, n, SECRET, sig);

    /* announced by Content-Length: refused before the body is read */
    r = request(ftx_webhook_server_port(s), "POST", "/webhook", big, n, sig, 0);
    assert_int_equal(r.status, 413);
    th_assert_json_eq(r.body, "{\"error\":\"payload too large\"}");
    /* chunked, no Content-Length: refused while streaming */
    r = request(ftx_webhook_server_port(s), "POST", "/webhook", big, n, sig, 1);
    assert_int_equal(r.status, 413);
    /* a chunked body within the limit is fine */
    event_body(body, sizeof(body), "sync_end", "chunked-ok", "2026-05-22T00:06:08.638Z");
    sign(body, strlen(body), SECRET, sig);
    r = request(ftx_webhook_server_port(s), "POST", "/webhook", body, strlen(body), sig, 1);
    assert_int_equal(r.status, 200);
    assert_int_equal(recorder_calls(&rec), 1);
    assert_int_equal(recorder_count(&rec, "chunked-ok"), 1);

    /* a body exactly at the limit is accepted */
    {
        char *exact = malloc(1025);
        size_t bl = strlen(body);
        assert_non_null(exact);
        memcpy(exact, body, bl - 1);
        memset(exact + bl - 1, ' ', 1024 - bl);
        exact[1023] = '}';
        exact[1024] = '\0';
        /* a distinct identity: change the sync id */
        memcpy(strstr(exact, "chunked-ok"), "chunked-ex", 10);
        sign(exact, 1024, SECRET, sig);
        r = request(ftx_webhook_server_port(s), "POST", "/webhook", exact, 1024, sig, 0);
        assert_int_equal(r.status, 200);
        assert_int_equal(recorder_count(&rec, "chunked-ex"), 1);
        free(exact);
    }
    free(big);
    ftx_webhook_server_free(s);
    recorder_dispose(&rec);
}

static void test_huge_content_length_refused_without_reading(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server *s;
    recorder rec;
    char buf[1024];
    ssize_t n;
    int fd;
    static const char req[] = "POST /webhook HTTP/1.1\r\nHost: x\r\n"
                              "Content-Length: 10000000000\r\n"
                              "X-Fivetran-Signature-256: 00\r\n\r\n";

    (void)state;
    recorder_init(&rec);
    s = start(&rec, &o);
    fd = raw_connect(ftx_webhook_server_port(s));
    raw_send(fd, req, sizeof(req) - 1);
    /* the 413 arrives without us sending a single body byte */
    n = raw_read_until_close(fd, buf, sizeof(buf), 5000);
    assert_true(n > 0);
    assert_non_null(strstr(buf, "HTTP/1.1 413"));
    close(fd);
    assert_int_equal(recorder_calls(&rec), 0);
    ftx_webhook_server_free(s);
    recorder_dispose(&rec);
}

static void test_slow_client_does_not_block_others(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server *s;
    recorder rec;
    char body[512], sig[65], head[256], buf[1024];
    int fd;
    double t0;
    size_t half;

    (void)state;
    recorder_init(&rec);
    o.threads = 1; /* the hardest case: a single thread serves everyone */
    s = start(&rec, &o);

    event_body(body, sizeof(body), "sync_end", "slow", "2026-05-22T00:06:08.638Z");
    sign(body, strlen(body), SECRET, sig);
    (void)snprintf(head, sizeof(head),
                   "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n"
                   "X-Fivetran-Signature-256: %s\r\n\r\n",
                   strlen(body), sig);
    fd = raw_connect(ftx_webhook_server_port(s));
    raw_send(fd, head, strlen(head));
    half = strlen(body) / 2;
    raw_send(fd, body, half);

    /* while it stalls, others are served promptly */
    t0 = now_s();
    for (int i = 0; i < 5; i++) {
        char b[512], id[32];
        http_result r;
        (void)snprintf(id, sizeof(id), "fast-%d", i);
        event_body(b, sizeof(b), "sync_end", id, "2026-05-22T00:06:08.638Z");
        r = post_signed(ftx_webhook_server_port(s), b);
        assert_int_equal(r.status, 200);
    }
    assert_true(now_s() - t0 < 10.0); /* a blocked server would hit curl's 20 s timeout */
    assert_int_equal(recorder_calls(&rec), 5);
    assert_int_equal(recorder_count(&rec, "slow"), 0);

    /* the slow client finishes and is served too */
    raw_send(fd, body + half, strlen(body) - half);
    {
        struct pollfd p = {fd, POLLIN, 0};
        ssize_t n;
        assert_true(poll(&p, 1, 5000) == 1);
        n = recv(fd, buf, sizeof(buf) - 1, 0);
        assert_true(n > 0);
        buf[n] = '\0';
        assert_non_null(strstr(buf, "HTTP/1.1 200"));
    }
    close(fd);
    assert_int_equal(recorder_count(&rec, "slow"), 1);
    ftx_webhook_server_free(s);
    recorder_dispose(&rec);
}

static void test_stalled_connection_times_out(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server *s;
    recorder rec;
    char buf[256];
    ssize_t n;
    int fd;
    static const char req[] = "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
                              "X-Fivetran-Signature-256: 00\r\n\r\n{\"event\":";

    (void)state;
    recorder_init(&rec);
    o.connection_timeout = 1;
    s = start(&rec, &o);
    fd = raw_connect(ftx_webhook_server_port(s));
    raw_send(fd, req, sizeof(req) - 1);
    /* closed by the server after ~1 s of silence, without a response */
    n = raw_read_until_close(fd, buf, sizeof(buf), 6000);
    assert_int_equal(n, 0);
    close(fd);
    assert_int_equal(recorder_calls(&rec), 0);
    ftx_webhook_server_free(s);
    recorder_dispose(&rec);
}

/* ---- slow and greedy clients ---- */

#define NSLOW 1100

/* Room for NSLOW client sockets plus as many server-side ones; 0 when impossible. */
static int raise_fd_limit(void)
{
    struct rlimit rl;
    rlim_t want = 3 * NSLOW;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 0;
    if (rl.rlim_cur >= want)
        return 1;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want)
        return 0;
    rl.rlim_cur = want;
    return setrlimit(RLIMIT_NOFILE, &rl) == 0;
}

/* A connection from 127.0.0.<host> (-1 when the connect fails). */
static int connect_from(uint16_t port, unsigned int host)
{
    struct sockaddr_in a, src;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    memset(&src, 0, sizeof(src));
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl(INADDR_LOOPBACK - 1 + host); /* 127.0.0.<host> */
    assert_int_equal(bind(fd, (struct sockaddr *)&src, sizeof(src)), 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* 1 when the server has closed `fd` (end of stream or reset), 0 while it is open. */
static int peer_closed(int fd)
{
    char b[256];
    ssize_t n = recv(fd, b, sizeof(b), MSG_DONTWAIT);

    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* Open NSLOW connections spread over `naddr` source addresses (127.0.0.2...), each
 * starting a request it never finishes, then trickle one more header byte to each. */
static void slow_open(uint16_t port, unsigned int naddr, int *fds)
{
    static const char head[] = "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n";

    for (int i = 0; i < NSLOW; i++) {
        fds[i] = connect_from(port, 2 + (unsigned int)i % naddr);
        if (fds[i] >= 0)
            (void)send(fds[i], head, sizeof(head) - 1, MSG_NOSIGNAL);
    }
    for (int i = 0; i < NSLOW; i++)
        if (fds[i] >= 0)
            (void)send(fds[i], "X", 1, MSG_NOSIGNAL);
}

static int slow_count_open(const int *fds)
{
    int n = 0;
    for (int i = 0; i < NSLOW; i++)
        n += fds[i] >= 0 && !peer_closed(fds[i]);
    return n;
}

static void slow_close(int *fds)
{
    for (int i = 0; i < NSLOW; i++)
        if (fds[i] >= 0)
            close(fds[i]);
}

/* Ten valid signed deliveries from 127.0.0.1, each answered 200 within a second. */
static void deliveries_within_a_second(recorder *rec, uint16_t port, const char *tag)
{
    for (int i = 0; i < 10; i++) {
        char b[512], id[48];
        http_result r;
        double t0 = now_s(), took;

        (void)snprintf(id, sizeof(id), "%s-%d", tag, i);
        event_body(b, sizeof(b), "sync_end", id, "2026-05-22T00:06:08.638Z");
        r = post_signed(port, b);
        took = now_s() - t0;
        if (r.status != 200 || took >= 1.0)
            fail_msg("delivery %d under a slow flood: status %ld (curl %d) after %.3f s", i,
                     r.status, (int)r.code, took);
        assert_int_equal(recorder_count(rec, id), 1);
    }
}

static void test_slowloris_one_address_valid_deliveries_served(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server *s;
    recorder rec;
    int *fds;

    (void)state;
    if (!raise_fd_limit())
        skip(); /* needs ~3,300 descriptors: raise the hard RLIMIT_NOFILE */
    recorder_init(&rec);
    s = start(&rec, &o); /* defaults: 10 s deadline, 1000 connections, 64 per address */
    fds = calloc(NSLOW, sizeof(*fds));
    assert_non_null(fds);
    slow_open(ftx_webhook_server_port(s), 1, fds);

    deliveries_within_a_second(&rec, ftx_webhook_server_port(s), "one-addr");
    /* the flood's address holds at most its 64 connections; the rest were closed */
    assert_true(slow_count_open(fds) <= 64);
    assert_int_equal(recorder_calls(&rec), 10);

    slow_close(fds);
    free(fds);
    ftx_webhook_server_free(s);
    recorder_dispose(&rec);
}

static void test_slowloris_many_addresses_oldest_evicted(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server *s;
    recorder rec;
    int *fds, open_before;

    (void)state;
    if (!raise_fd_limit())
        skip();
    recorder_init(&rec);
    o.max_connections = 1000; /* the default, spelled out */
    s = start(&rec, &o);
    fds = calloc(NSLOW, sizeof(*fds));
    assert_non_null(fds);
    /* 50 addresses x 22 connections: under the per-address limit, over the total */
    slow_open(ftx_webhook_server_port(s), 50, fds);

    deliveries_within_a_second(&rec, ftx_webhook_server_port(s), "many-addr");
    open_before = slow_count_open(fds);
    assert_true(open_before <= 1000);
    assert_true(open_before >= 900); /* only what was needed was shut, ... */
    /* ... and the oldest first. The server orders by when it accepted, which on a loaded
     * machine can differ a little from the order of our connect() calls: most of the first
     * 50 (not every one) must be gone. Seen once in CI with every one required. */
    int closed = 0;
    for (int i = 0; i < 50; i++)
        closed += fds[i] < 0 || peer_closed(fds[i]);
    assert_true(closed >= 40);
    assert_false(peer_closed(fds[NSLOW - 1]));

    slow_close(fds);
    free(fds);
    ftx_webhook_server_free(s);
    recorder_dispose(&rec);
}

static void test_per_address_limit_and_version_1(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server *s;
    recorder rec;
    char body[512];
    int fd;

    (void)state;
    /* Connection-order dependent: under valgrind the server may accept the second
     * connection before the first (seen in CI); the ASan run keeps it. */
    if (getenv("FTX_UNDER_VALGRIND") != NULL)
        skip();
    recorder_init(&rec);
    event_body(body, sizeof(body), "sync_end", "per-addr", "2026-05-22T00:06:08.638Z");

    /* version 2: one connection per address; a second one from 127.0.0.1 is closed */
    o.max_connections_per_address = 1;
    s = start(&rec, &o);
    fd = raw_connect(ftx_webhook_server_port(s));
    raw_send(fd, "POST", 4);
    assert_int_not_equal(post_signed(ftx_webhook_server_port(s), body).code, CURLE_OK);
    close(fd);
    ftx_webhook_server_free(s);
    assert_int_equal(recorder_calls(&rec), 0);

    /* a version-1 caller has no such field: whatever lies there is not read */
    o.version = 1;
    s = start(&rec, &o);
    fd = raw_connect(ftx_webhook_server_port(s));
    raw_send(fd, "POST", 4);
    assert_int_equal(post_signed(ftx_webhook_server_port(s), body).status, 200);
    close(fd);
    ftx_webhook_server_free(s);
    assert_int_equal(recorder_calls(&rec), 1);
    recorder_dispose(&rec);
}

static void test_request_deadline_closes_trickling_client(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server *s;
    recorder rec;
    static const char head[] = "POST /webhook HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    char body[512], sig[65], req[1024], buf[1024];
    double t0, closed_after = -1;
    ssize_t n;
    int fd;

    (void)state;
    recorder_init(&rec);
    o.request_timeout_ms = 300;
    o.connection_timeout = 10; /* idle timeout: never reached by a trickle */
    s = start(&rec, &o);

    /* one byte every 20 ms: never idle, never complete */
    fd = raw_connect(ftx_webhook_server_port(s));
    raw_send(fd, head, sizeof(head) - 1);
    t0 = now_s();
    while (now_s() - t0 < 3.0) {
        struct timespec ts = {0, 20 * 1000000L};
        if (peer_closed(fd) || send(fd, "a", 1, MSG_NOSIGNAL) != 1) {
            closed_after = now_s() - t0;
            break;
        }
        nanosleep(&ts, NULL);
    }
    close(fd);
    if (closed_after < 0)
        fail_msg("a connection trickling bytes stayed open past the 300 ms deadline");
    assert_true(closed_after >= 0.25);
    assert_true(closed_after < 1.5);

    /* a keep-alive connection gets a new window per request: two requests 200 ms apart
     * (400 ms in all, over the deadline) are both answered */
    fd = raw_connect(ftx_webhook_server_port(s));
    for (int i = 0; i < 2; i++) {
        struct timespec ts = {0, 200 * 1000000L};
        char id[16];

        (void)snprintf(id, sizeof(id), "ka-%d", i);
        event_body(body, sizeof(body), "sync_end", id, "2026-05-22T00:06:08.638Z");
        sign(body, strlen(body), SECRET, sig);
        (void)snprintf(req, sizeof(req),
                       "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n"
                       "X-Fivetran-Signature-256: %s\r\n\r\n%s",
                       strlen(body), sig, body);
        raw_send(fd, req, strlen(req));
        {
            struct pollfd p = {fd, POLLIN, 0};
            assert_int_equal(poll(&p, 1, 5000), 1);
            n = recv(fd, buf, sizeof(buf) - 1, 0);
            assert_true(n > 0);
            buf[n] = '\0';
            assert_non_null(strstr(buf, "HTTP/1.1 200"));
        }
        nanosleep(&ts, NULL);
    }
    close(fd);
    assert_int_equal(recorder_count(&rec, "ka-1"), 1);
    ftx_webhook_server_free(s);
    recorder_dispose(&rec);
}

/* Start a request of `cl` bytes on a new connection and send all of it but the last. */
static int body_almost_sent(uint16_t port, size_t cl)
{
    char head[256], *fill = malloc(cl);
    int fd = raw_connect(port);

    assert_non_null(fill);
    memset(fill, ' ', cl);
    (void)snprintf(head, sizeof(head),
                   "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n"
                   "X-Fivetran-Signature-256: 00\r\n\r\n",
                   cl);
    raw_send(fd, head, strlen(head));
    raw_send(fd, fill, cl - 1);
    free(fill);
    return fd;
}

static void test_body_memory_budget_evicts_oldest_body(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server *s;
    recorder rec;
    char body[512], id[32];
    int a, b, tries;
    uint16_t port;

    (void)state;
    /* Timing: under valgrind the server may not have read the greedy bodies before the
     * tries run out (seen once in CI). The ASan run covers this test. */
    if (getenv("FTX_UNDER_VALGRIND") != NULL)
        skip();
    recorder_init(&rec);
    o.max_body = 64 * 1024;
    o.max_body_memory = 128 * 1024; /* two full bodies */
    s = start(&rec, &o);
    port = ftx_webhook_server_port(s);

    /* two greedy clients hold the whole budget (once the server has read them) */
    a = body_almost_sent(port, 64 * 1024);
    b = body_almost_sent(port, 64 * 1024);
    /* deliveries still get 200: the oldest unfinished body (a) is closed to make room,
     * and only as much as is needed (b stays) */
    for (tries = 0; tries < 200; tries++) {
        struct timespec ts = {0, 10 * 1000000L};

        (void)snprintf(id, sizeof(id), "budget-%d", tries);
        event_body(body, sizeof(body), "sync_end", id, "2026-05-22T00:06:08.638Z");
        assert_int_equal(post_signed(port, body).status, 200);
        if (peer_closed(a))
            break;
        nanosleep(&ts, NULL);
    }
    if (tries == 200)
        fail_msg("the oldest body was never evicted for a delivery");
    assert_false(peer_closed(b));
    assert_int_equal(recorder_calls(&rec), tries + 1);
    close(a);
    close(b);
    ftx_webhook_server_free(s);
    recorder_dispose(&rec);
}

static int raw_status(uint16_t port, const char *req);

/* A callback that blocks on "gate" events until released. */
typedef struct gate {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int entered;
    int released;
} gate;

static gate the_gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};

static int on_event_gated(const ftx_webhook_event *ev, void *userdata)
{
    (void)userdata;
    if (ev->sync_id != NULL && strcmp(ev->sync_id, "gate") == 0) {
        pthread_mutex_lock(&the_gate.lock);
        the_gate.entered = 1;
        pthread_cond_broadcast(&the_gate.cond);
        while (!the_gate.released)
            pthread_cond_wait(&the_gate.cond, &the_gate.lock);
        pthread_mutex_unlock(&the_gate.lock);
    }
    return 0;
}

typedef struct gated_post {
    uint16_t port;
    char *body;
    long status;
} gated_post;

static void *gated_post_main(void *arg)
{
    gated_post *g = arg;
    g->status = post_signed(g->port, g->body).status;
    return NULL;
}

static void test_body_memory_budget_503_when_all_in_callback(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server *s = NULL;
    ftx_error err = {0};
    gated_post g;
    pthread_t t;
    http_result r;
    char body[512], sig[65];
    size_t big = 62 * 1024;
    int rc = 0;

    (void)state;
    o.secret = SECRET;
    o.on_event = on_event_gated;
    o.max_body = 64 * 1024;
    o.max_body_memory = 64 * 1024; /* one full body */
    assert_int_equal(ftx_webhook_server_start(&o, &s, &err), FTX_OK);
    g.port = ftx_webhook_server_port(s);

    /* a 62 KiB delivery whose callback holds it (and its memory) */
    g.body = malloc(big + 1);
    assert_non_null(g.body);
    event_body(g.body, big, "sync_end", "gate", "2026-05-22T00:06:08.638Z");
    {
        size_t n = strlen(g.body) - 1; /* drop the closing brace, pad, close again */
        const char pad[] = ",\"pad\":\"";
        memcpy(g.body + n, pad, sizeof(pad) - 1);
        n += sizeof(pad) - 1;
        memset(g.body + n, 'x', big - n - 2);
        memcpy(g.body + big - 2, "\"}", 3);
    }
    assert_int_equal(pthread_create(&t, NULL, gated_post_main, &g), 0);
    pthread_mutex_lock(&the_gate.lock);
    while (!the_gate.entered && rc == 0) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 10;
        rc = pthread_cond_timedwait(&the_gate.cond, &the_gate.lock, &until);
    }
    pthread_mutex_unlock(&the_gate.lock);
    assert_int_equal(rc, 0);

    /* nothing can be evicted: 503, Retry-After, with or without Content-Length */
    event_body(body, sizeof(body), "sync_end", "waits", "2026-05-22T00:06:08.638Z");
    sign(body, strlen(body), SECRET, sig);
    r = request(g.port, "POST", "/webhook", body, strlen(body), sig, 1);
    assert_int_equal(r.status, 503);
    assert_non_null(strstr(r.body, "busy"));
    {
        char req[4096];
        char pad[3000];
        memset(pad, ' ', sizeof(pad) - 1);
        pad[sizeof(pad) - 1] = '\0';
        (void)snprintf(req, sizeof(req),
                       "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n"
                       "X-Fivetran-Signature-256: 00\r\n\r\n%s",
                       strlen(pad), pad);
        assert_int_equal(raw_status(g.port, req), 503);
    }

    pthread_mutex_lock(&the_gate.lock);
    the_gate.released = 1;
    pthread_cond_broadcast(&the_gate.cond);
    pthread_mutex_unlock(&the_gate.lock);
    pthread_join(t, NULL);
    assert_int_equal(g.status, 200);
    /* the memory is back: the refused delivery now goes through */
    assert_int_equal(post_signed(g.port, body).status, 200);
    free(g.body);
    ftx_webhook_server_free(s);
}

static void test_body_memory_charged_as_received(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server *s;
    recorder rec;
    char body[512], head[256];
    int fds[6];
    uint16_t port;

    (void)state;
    recorder_init(&rec);
    o.max_body = 64 * 1024;
    o.max_body_memory = 128 * 1024;
    s = start(&rec, &o);
    port = ftx_webhook_server_port(s);
    /* six clients announce 64 KiB (384 KiB in all) but send one byte each: they hold
     * what they sent (a first buffer each), not what they announced */
    (void)snprintf(head, sizeof(head),
                   "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n"
                   "X-Fivetran-Signature-256: 00\r\n\r\n{",
                   64 * 1024);
    for (int i = 0; i < 6; i++) {
        fds[i] = raw_connect(port);
        raw_send(fds[i], head, strlen(head));
    }
    event_body(body, sizeof(body), "sync_end", "announced", "2026-05-22T00:06:08.638Z");
    assert_int_equal(post_signed(port, body).status, 200);
    assert_int_equal(recorder_count(&rec, "announced"), 1);
    for (int i = 0; i < 6; i++)
        close(fds[i]);
    ftx_webhook_server_free(s);
    recorder_dispose(&rec);
}

/* Send a raw request and return the status line's code (0: closed without one). */
static int raw_status(uint16_t port, const char *req)
{
    char buf[1024];
    int fd = raw_connect(port), code = 0;

    raw_send(fd, req, strlen(req));
    (void)shutdown(fd, SHUT_WR);
    if (raw_read_until_close(fd, buf, sizeof(buf), 5000) > 12 && strncmp(buf, "HTTP/1.", 7) == 0)
        code = (int)strtol(buf + 9, NULL, 10);
    close(fd);
    return code;
}

static void test_host_header_required_in_http11(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server *s;
    recorder rec;
    char body[512], sig[65], req[1024];
    uint16_t port;

    (void)state;
    recorder_init(&rec);
    s = start(&rec, &o);
    port = ftx_webhook_server_port(s);
    event_body(body, sizeof(body), "sync_end", "host", "2026-05-22T00:06:08.638Z");
    sign(body, strlen(body), SECRET, sig);

#define REQ(version, hosts)                                                                        \
    (void)snprintf(req, sizeof(req),                                                               \
                   "POST /webhook HTTP/" version "\r\n" hosts "Content-Length: %zu\r\n"            \
                   "X-Fivetran-Signature-256: %s\r\nConnection: close\r\n\r\n%s",                  \
                   strlen(body), sig, body)
    REQ("1.1", "");
    assert_int_equal(raw_status(port, req), 400);
    REQ("1.1", "Host: a\r\nHost: b\r\n");
    assert_int_equal(raw_status(port, req), 400);
    REQ("1.0", "Host: a\r\nHost: b\r\n");
    assert_int_equal(raw_status(port, req), 400);
    assert_int_equal(recorder_calls(&rec), 0);
    REQ("1.0", ""); /* HTTP/1.0 may omit it */
    assert_int_equal(raw_status(port, req), 200);
    REQ("1.1", "host: a\r\n");
    assert_int_equal(raw_status(port, req), 200); /* the duplicate: 200 again, once */
    assert_int_equal(recorder_count(&rec, "host"), 1);
#undef REQ
    ftx_webhook_server_free(s);
    recorder_dispose(&rec);
}

/* ---- concurrency ---- */

#define NTHREADS 40

typedef struct worker {
    uint16_t port;
    int index;
    long status_first;
    long status_second;
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    char body[512], id[32], sig[65];
    http_result r;

    (void)snprintf(id, sizeof(id), "conc-%d", w->index);
    event_body(body, sizeof(body), "sync_end", id, "2026-05-22T00:06:08.638Z");
    sign(body, strlen(body), SECRET, sig);
    r = request(w->port, "POST", "/webhook", body, strlen(body), sig, 0);
    w->status_first = r.status;
    r = request(w->port, "POST", "/webhook", body, strlen(body), sig, 0);
    w->status_second = r.status;
    return NULL;
}

static void test_concurrent_posts_delivered_once(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server_stats st;
    ftx_webhook_server *s;
    recorder rec;
    pthread_t th[NTHREADS];
    worker w[NTHREADS];

    (void)state;
    recorder_init(&rec);
    o.threads = 4;
    /* 40 clients, each closing its first connection and opening a second: libmicrohttpd
     * counts a closed connection against its address until its thread reaps it, which
     * under valgrind lags enough to pass the default of 64. This test is about
     * delivering once, not about the per-address limit (tested above). */
    o.max_connections_per_address = 4 * NTHREADS;
    s = start(&rec, &o);
    for (int i = 0; i < NTHREADS; i++) {
        w[i].port = ftx_webhook_server_port(s);
        w[i].index = i;
        assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < NTHREADS; i++) {
        char id[32];
        assert_int_equal(w[i].status_first, 200);
        assert_int_equal(w[i].status_second, 200);
        (void)snprintf(id, sizeof(id), "conc-%d", i);
        assert_int_equal(recorder_count(&rec, id), 1);
    }
    assert_int_equal(recorder_calls(&rec), NTHREADS);
    ftx_webhook_server_stats_get(s, &st);
    assert_int_equal(st.delivered, NTHREADS);
    assert_int_equal(st.duplicates, NTHREADS);
    ftx_webhook_server_free(s);
    recorder_dispose(&rec);
}

typedef struct same_worker {
    uint16_t port;
    const char *body;
    const char *sig;
    long status;
} same_worker;

static void *same_main(void *arg)
{
    same_worker *w = arg;
    http_result r = request(w->port, "POST", "/webhook", w->body, strlen(w->body), w->sig, 0);
    w->status = r.status;
    return NULL;
}

static void test_concurrent_duplicates_delivered_once(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server *s;
    recorder rec;
    pthread_t th[16];
    same_worker w[16];
    char body[512], sig[65];

    (void)state;
    recorder_init(&rec);
    o.threads = 4;
    s = start(&rec, &o);
    event_body(body, sizeof(body), "sync_end", "same", "2026-05-22T00:06:08.638Z");
    sign(body, strlen(body), SECRET, sig);
    for (int i = 0; i < 16; i++) {
        w[i].port = ftx_webhook_server_port(s);
        w[i].body = body;
        w[i].sig = sig;
        assert_int_equal(pthread_create(&th[i], NULL, same_main, &w[i]), 0);
    }
    for (int i = 0; i < 16; i++) {
        pthread_join(th[i], NULL);
        /* 503 only while the first copy is still in the callback */
        assert_true(w[i].status == 200 || w[i].status == 503);
    }
    assert_int_equal(recorder_count(&rec, "same"), 1);
    ftx_webhook_server_free(s);
    recorder_dispose(&rec);
}

static void test_callback_refusal_allows_redelivery(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server *s;
    recorder rec;
    http_result r;
    char body[512];

    (void)state;
    recorder_init(&rec);
    rec.fail_next = 1;
    s = start(&rec, &o);
    event_body(body, sizeof(body), "sync_end", "refused", "2026-05-22T00:06:08.638Z");
    r = post_signed(ftx_webhook_server_port(s), body);
    assert_int_equal(r.status, 500);
    assert_int_equal(recorder_calls(&rec), 0);
    /* the re-delivery is passed on, once */
    r = post_signed(ftx_webhook_server_port(s), body);
    assert_int_equal(r.status, 200);
    r = post_signed(ftx_webhook_server_port(s), body);
    assert_int_equal(r.status, 200);
    assert_int_equal(recorder_count(&rec, "refused"), 1);
    ftx_webhook_server_free(s);
    recorder_dispose(&rec);
}

static void test_dedup_memory_is_bounded_and_optional(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server *s;
    recorder rec;
    char a[512], b[512], c[512];

    (void)state;
    recorder_init(&rec);
    o.dedup_capacity = 2;
    s = start(&rec, &o);
    event_body(a, sizeof(a), "sync_end", "A", "2026-05-22T00:06:08.638Z");
    event_body(b, sizeof(b), "sync_end", "B", "2026-05-22T00:06:08.638Z");
    event_body(c, sizeof(c), "sync_end", "C", "2026-05-22T00:06:08.638Z");
    assert_int_equal(post_signed(ftx_webhook_server_port(s), a).status, 200);
    assert_int_equal(post_signed(ftx_webhook_server_port(s), b).status, 200);
    assert_int_equal(post_signed(ftx_webhook_server_port(s), b).status, 200); /* dup */
    assert_int_equal(recorder_calls(&rec), 2);
    assert_int_equal(post_signed(ftx_webhook_server_port(s), c).status, 200); /* evicts A */
    assert_int_equal(post_signed(ftx_webhook_server_port(s), a).status, 200); /* A again */
    assert_int_equal(recorder_count(&rec, "A"), 2);
    assert_int_equal(recorder_count(&rec, "B"), 1);
    assert_int_equal(recorder_count(&rec, "C"), 1);
    ftx_webhook_server_free(s);
    recorder_dispose(&rec);

    /* turned off: every delivery reaches the callback */
    recorder_init(&rec);
    o = (ftx_webhook_server_options)FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    o.dedup_disable = 1;
    s = start(&rec, &o);
    assert_int_equal(post_signed(ftx_webhook_server_port(s), a).status, 200);
    assert_int_equal(post_signed(ftx_webhook_server_port(s), a).status, 200);
    assert_int_equal(recorder_count(&rec, "A"), 2);
    ftx_webhook_server_free(s);
    recorder_dispose(&rec);
}

/* Refused events are not acknowledged: however often they come back refused, they
 * never push the acknowledged ones out of the memory ("the last dedup_capacity
 * acknowledged events"). */
static void test_refusals_do_not_evict_acknowledged(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server *s;
    recorder rec;
    char a[512], b[512], x[512], y[512];

    (void)state;
    recorder_init(&rec);
    o.dedup_capacity = 2;
    s = start(&rec, &o);
    event_body(a, sizeof(a), "sync_end", "A", "2026-05-22T00:06:08.638Z");
    event_body(b, sizeof(b), "sync_end", "B", "2026-05-22T00:06:08.638Z");
    event_body(x, sizeof(x), "sync_end", "X", "2026-05-22T00:06:08.638Z");
    event_body(y, sizeof(y), "sync_end", "Y", "2026-05-22T00:06:08.638Z");
    assert_int_equal(post_signed(ftx_webhook_server_port(s), a).status, 200);
    assert_int_equal(post_signed(ftx_webhook_server_port(s), b).status, 200);
    pthread_mutex_lock(&rec.lock);
    rec.fail_next = 3;
    pthread_mutex_unlock(&rec.lock);
    assert_int_equal(post_signed(ftx_webhook_server_port(s), x).status, 500);
    assert_int_equal(post_signed(ftx_webhook_server_port(s), y).status, 500);
    assert_int_equal(post_signed(ftx_webhook_server_port(s), x).status, 500);
    /* A and B are still remembered: answered 200 without reaching the callback */
    assert_int_equal(post_signed(ftx_webhook_server_port(s), a).status, 200);
    assert_int_equal(post_signed(ftx_webhook_server_port(s), b).status, 200);
    assert_int_equal(recorder_count(&rec, "A"), 1);
    assert_int_equal(recorder_count(&rec, "B"), 1);
    /* X is delivered once acknowledged; then it evicts A (the oldest), not B */
    assert_int_equal(post_signed(ftx_webhook_server_port(s), x).status, 200);
    assert_int_equal(post_signed(ftx_webhook_server_port(s), b).status, 200);
    assert_int_equal(post_signed(ftx_webhook_server_port(s), x).status, 200);
    assert_int_equal(recorder_count(&rec, "X"), 1);
    assert_int_equal(recorder_count(&rec, "B"), 1);
    assert_int_equal(post_signed(ftx_webhook_server_port(s), a).status, 200);
    assert_int_equal(recorder_count(&rec, "A"), 2);
    ftx_webhook_server_free(s);
    recorder_dispose(&rec);
}

static void test_identity_without_sync_id_uses_body(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server *s;
    recorder rec;

    (void)state;
    recorder_init(&rec);
    s = start(&rec, &o);
    assert_int_equal(
        post_signed(ftx_webhook_server_port(s), "{\"event\":\"pause_connector\"}").status, 200);
    assert_int_equal(
        post_signed(ftx_webhook_server_port(s), "{\"event\":\"pause_connector\"}").status, 200);
    assert_int_equal(
        post_signed(ftx_webhook_server_port(s), "{\"event\":\"pause_connector\",\"x\":1}").status,
        200);
    assert_int_equal(recorder_calls(&rec), 2);
    ftx_webhook_server_free(s);
    recorder_dispose(&rec);
}

static int server_provider(char *buf, size_t size, void *userdata)
{
    (void)userdata;
    (void)snprintf(buf, size, "%s", "provided_secret");
    return 0;
}

static void test_secret_provider(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server *s;
    recorder rec;
    char body[512], sig[65];
    http_result r;

    (void)state;
    recorder_init(&rec);
    o.secret_provider = server_provider;
    s = start(&rec, &o); /* `secret` is SECRET too, but the provider wins */
    event_body(body, sizeof(body), "sync_end", "prov", "2026-05-22T00:06:08.638Z");
    r = post_signed(ftx_webhook_server_port(s), body);
    assert_int_equal(r.status, 401);
    sign(body, strlen(body), "provided_secret", sig);
    r = request(ftx_webhook_server_port(s), "POST", "/webhook", body, strlen(body), sig, 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(recorder_calls(&rec), 1);
    ftx_webhook_server_free(s);
    recorder_dispose(&rec);
}

static void test_clean_stop(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server *s;
    recorder rec;
    uint16_t port;
    http_result r;
    char body[512];

    (void)state;
    recorder_init(&rec);
    o.free_userdata = free_userdata;
    s = start(&rec, &o);
    port = ftx_webhook_server_port(s);
    event_body(body, sizeof(body), "sync_end", "stop", "2026-05-22T00:06:08.638Z");
    assert_int_equal(post_signed(port, body).status, 200);
    ftx_webhook_server_stop(s);
    ftx_webhook_server_stop(s); /* idempotent */
    assert_int_equal(ftx_webhook_server_port(s), 0);
    r = post_signed(port, body);
    assert_int_equal(r.code, CURLE_COULDNT_CONNECT);
    assert_int_equal(rec.freed, 0);
    ftx_webhook_server_free(s);
    assert_int_equal(rec.freed, 1);
    ftx_webhook_server_free(NULL);
    ftx_webhook_server_stop(NULL);
    assert_int_equal(ftx_webhook_server_port(NULL), 0);
    recorder_dispose(&rec);
}

static void test_start_errors(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server *s = (ftx_webhook_server *)&s, *first = NULL;
    ftx_error err = {0};
    recorder rec;

    (void)state;
    recorder_init(&rec);
    o.secret = SECRET;
    assert_int_equal(ftx_webhook_server_start(&o, &s, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_null(s);
    assert_non_null(strstr(err.message, "on_event"));

    o.on_event = on_event;
    o.secret = NULL;
    assert_int_equal(ftx_webhook_server_start(&o, &s, &err), FTX_ERR_INVALID_ARGUMENT);
    o.secret = "";
    assert_int_equal(ftx_webhook_server_start(&o, &s, &err), FTX_ERR_INVALID_ARGUMENT);

    o.secret = SECRET;
    o.bind_address = "not-an-address";
    assert_int_equal(ftx_webhook_server_start(&o, &s, &err), FTX_ERR_INVALID_ARGUMENT);
    th_assert_no_secret(err.message);
    assert_null(strstr(err.message, SECRET));
    o.bind_address = NULL;
    o.path = "no-slash";
    assert_int_equal(ftx_webhook_server_start(&o, &s, &err), FTX_ERR_INVALID_ARGUMENT);
    o.path = NULL;
    o.version = 7;
    assert_int_equal(ftx_webhook_server_start(&o, &s, &err), FTX_ERR_INVALID_ARGUMENT);
    o.version = 0;
    assert_int_equal(ftx_webhook_server_start(&o, &s, &err), FTX_ERR_INVALID_ARGUMENT);
    o.version = FTX_WEBHOOK_SERVER_OPTIONS_VERSION + 1;
    assert_int_equal(ftx_webhook_server_start(&o, &s, &err), FTX_ERR_INVALID_ARGUMENT);
    o.version = FTX_WEBHOOK_SERVER_OPTIONS_VERSION;
    assert_int_equal(ftx_webhook_server_start(NULL, &s, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_webhook_server_start(&o, NULL, &err), FTX_ERR_INVALID_ARGUMENT);

    /* the port is taken */
    o.userdata = &rec;
    assert_int_equal(ftx_webhook_server_start(&o, &first, &err), FTX_OK);
    o.port = ftx_webhook_server_port(first);
    assert_int_equal(ftx_webhook_server_start(&o, &s, &err), FTX_ERR_TRANSPORT);
    assert_null(s);
    assert_null(strstr(err.message, SECRET));
    ftx_webhook_server_free(first);
    recorder_dispose(&rec);
}

static void test_ipv6_loopback(void **state)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server *s = NULL;
    ftx_error err = {0};
    recorder rec;

    (void)state;
    recorder_init(&rec);
    o.bind_address = "::1";
    o.secret = SECRET;
    o.on_event = on_event;
    o.userdata = &rec;
    /* a machine without IPv6 cannot listen: that is a transport error, not a crash */
    if (ftx_webhook_server_start(&o, &s, &err) == FTX_OK) {
        char url[96], body[512], sig[65], line[128];
        CURL *h = curl_easy_init();
        struct curl_slist *hd = NULL;
        long status = 0;
        event_body(body, sizeof(body), "sync_end", "v6", "2026-05-22T00:06:08.638Z");
        sign(body, strlen(body), SECRET, sig);
        (void)snprintf(url, sizeof(url), "http://[::1]:%u/webhook",
                       (unsigned)ftx_webhook_server_port(s));
        (void)snprintf(line, sizeof(line), "X-Fivetran-Signature-256: %s", sig);
        hd = curl_slist_append(hd, line);
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
        {
            http_result sink;
            memset(&sink, 0, sizeof(sink));
            curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
            assert_int_equal(curl_easy_perform(h), CURLE_OK);
        }
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        assert_int_equal(status, 200);
        assert_int_equal(recorder_count(&rec, "v6"), 1);
        curl_slist_free_all(hd);
        curl_easy_cleanup(h);
        ftx_webhook_server_free(s);
    } else {
        assert_int_equal(err.type, FTX_ERR_TRANSPORT);
    }
    recorder_dispose(&rec);
}

static int group_setup(void **state)
{
    (void)state;
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    curl_global_cleanup();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_event_delivered_once),
        cmocka_unit_test(test_bad_requests_never_reach_callback),
        cmocka_unit_test(test_custom_path_and_query),
        cmocka_unit_test(test_oversized_bodies_413),
        cmocka_unit_test(test_huge_content_length_refused_without_reading),
        cmocka_unit_test(test_slow_client_does_not_block_others),
        cmocka_unit_test(test_stalled_connection_times_out),
        cmocka_unit_test(test_slowloris_one_address_valid_deliveries_served),
        cmocka_unit_test(test_slowloris_many_addresses_oldest_evicted),
        cmocka_unit_test(test_per_address_limit_and_version_1),
        cmocka_unit_test(test_request_deadline_closes_trickling_client),
        cmocka_unit_test(test_body_memory_budget_evicts_oldest_body),
        cmocka_unit_test(test_body_memory_budget_503_when_all_in_callback),
        cmocka_unit_test(test_body_memory_charged_as_received),
        cmocka_unit_test(test_host_header_required_in_http11),
        cmocka_unit_test(test_concurrent_posts_delivered_once),
        cmocka_unit_test(test_concurrent_duplicates_delivered_once),
        cmocka_unit_test(test_callback_refusal_allows_redelivery),
        cmocka_unit_test(test_dedup_memory_is_bounded_and_optional),
        cmocka_unit_test(test_refusals_do_not_evict_acknowledged),
        cmocka_unit_test(test_identity_without_sync_id_uses_body),
        cmocka_unit_test(test_secret_provider),
        cmocka_unit_test(test_clean_stop),
        cmocka_unit_test(test_start_errors),
        cmocka_unit_test(test_ipv6_loopback),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
