/*
 * Benchmark of the embedded webhook receiver (ftx_webhook_server).
 *
 * Starts the receiver on 127.0.0.1 (ephemeral port), then drives it with C concurrent
 * keep-alive connections (one libcurl multi handle) posting N signed payloads of
 * S bytes (default 1 KiB), each a distinct sync_end event so every one is verified,
 * parsed, checked against the duplicate memory and delivered to the callback.
 * Prints verified events/s and latency percentiles as a table and one JSON line.
 * Figures only: it never fails on time.
 *
 * Slowloris mode (--slow N): before the deliveries start, N raw connections from
 * 127.0.0.2... (spread over --slow-addrs A addresses) each begin a request and never
 * finish it: partial headers, or with --slow-body B a Content-Length of B and all but
 * 64 bytes of the body. Every --slow-interval-ms (default 2000) each sends one more
 * byte, and a connection the server closed is opened again (at most once per
 * interval), as a real attacker would. Each delivery gets --delivery-timeout-ms (default
 * 15000) before it counts as failed. Also printed: how many slow connections were open
 * at the start and at the end, reconnects, and the process's RSS before the flood, after
 * it settled, and its peak (VmHWM; the client's own part is one body buffer).
 *
 *   bench_webhook_receiver [--requests N] [--connections C] [--threads T] [--size S]
 *       [--slow N] [--slow-addrs A] [--slow-body B] [--slow-interval-ms MS]
 *       [--delivery-timeout-ms MS]
 *       [--deadline-ms MS] [--max-conns N] [--per-addr N] [--body-memory BYTES]
 *   (the last four set the receiver's version-2 options; ignored when built against a
 *    header without them)
 */
#include <errno.h>
#include <stdatomic.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "fivetrex/fivetrex.h"

#define SECRET "bench_webhook_secret"

typedef struct slot {
    CURL *easy;
    struct curl_slist *headers;
    size_t index; /* request in flight */
    double started;
} slot;

static atomic_ulong delivered;

static int on_event(const ftx_webhook_event *ev, void *userdata)
{
    (void)userdata;
    if (ev->sync_id != NULL)
        atomic_fetch_add_explicit(&delivered, 1, memory_order_relaxed);
    return 0;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static long arg_long(const char *s, long dflt)
{
    char *end = NULL;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v <= 0)
        return dflt;
    return v;
}

/* ---- slowloris clients ---- */

typedef struct slow_conn {
    int fd;
    double last; /* last byte sent or reconnect attempt */
} slow_conn;

typedef struct slow_flood {
    slow_conn *conns;
    long n;
    long addrs;
    long body; /* 0: partial headers only */
    double interval;
    uint16_t port;
    char *fill; /* `body` bytes */
    unsigned long reconnects;
} slow_flood;

/* VmRSS or VmHWM of this process in KiB (0 when unknown). */
static long proc_kib(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = 0;
    size_t n = strlen(field);

    if (f == NULL)
        return 0;
    while (fgets(line, sizeof(line), f) != NULL)
        if (strncmp(line, field, n) == 0 && line[n] == ':')
            v = strtol(line + n + 1, NULL, 10);
    fclose(f);
    return v;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Open slow connection i and start its request; fd -1 when refused or closed. */
static void slow_open(slow_flood *f, long i)
{
    struct sockaddr_in a, src;
    struct timeval tv = {2, 0};
    slow_conn *c = &f->conns[i];
    char head[256];
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    c->fd = -1;
    c->last = now_s();
    if (fd < 0)
        return;
    memset(&src, 0, sizeof(src));
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1 + (uint32_t)(i % f->addrs));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons(f->port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (bind(fd, (struct sockaddr *)&src, sizeof(src)) != 0 ||
        connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return;
    }
    if (f->body > 0)
        (void)snprintf(head, sizeof(head),
                       "POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: %ld\r\n"
                       "X-Fivetran-Signature-256: 00\r\n\r\n",
                       f->body);
    else
        (void)snprintf(head, sizeof(head), "POST /webhook HTTP/1.1\r\nHost: x\r\n");
    if (send_all(fd, head, strlen(head)) != 0 ||
        (f->body > 64 && send_all(fd, f->fill, (size_t)f->body - 64) != 0)) {
        close(fd);
        return;
    }
    c->fd = fd;
}

/* 1 when the server closed it. */
static int slow_closed(int fd)
{
    char b[512];
    ssize_t n = recv(fd, b, sizeof(b), MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* One byte more on each connection due; reopen the closed ones due. */
static void slow_tick(slow_flood *f)
{
    double now = now_s();

    for (long i = 0; i < f->n; i++) {
        slow_conn *c = &f->conns[i];

        if (now - c->last < f->interval)
            continue;
        if (c->fd >= 0 && (slow_closed(c->fd) ||
                           send(c->fd, f->body ? " " : "X", 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1)) {
            close(c->fd);
            c->fd = -1;
        }
        if (c->fd < 0) {
            f->reconnects++;
            slow_open(f, i);
        }
        c->last = now;
    }
}

static long slow_count_open(slow_flood *f)
{
    long n = 0;
    for (long i = 0; i < f->n; i++)
        if (f->conns[i].fd >= 0 && !slow_closed(f->conns[i].fd))
            n++;
    return n;
}

/* A sync_end payload of exactly `size` bytes (padded in an extra field). */
static char *make_body(size_t i, size_t size)
{
    char head[512];
    int n = snprintf(head, sizeof(head),
                     "{\"event\":\"sync_end\",\"created\":\"2026-05-22T00:06:08.638Z\","
                     "\"connector_type\":\"postgres\",\"connector_id\":\"bench_conn\","
                     "\"connector_name\":\"bench\",\"sync_id\":\"sync-%08zu\","
                     "\"destination_group_id\":\"bench_group\",\"data\":{\"status\":"
                     "\"SUCCESSFUL\"},\"padding\":\"",
                     i);
    size_t hl = (size_t)n, pad;
    char *b;

    if (size < hl + 2)
        size = hl + 2;
    pad = size - hl - 2;
    if ((b = malloc(size + 1)) == NULL)
        return NULL;
    memcpy(b, head, hl);
    memset(b + hl, 'x', pad);
    memcpy(b + hl + pad, "\"}", 2);
    b[size] = '\0';
    return b;
}

static void prepare(slot *s, const char *url, char **bodies, char (*sigs)[65], size_t i,
                    size_t size)
{
    char line[128];

    curl_slist_free_all(s->headers);
    s->headers = curl_slist_append(NULL, "Content-Type: application/json");
    s->headers = curl_slist_append(s->headers, "Expect:");
    (void)snprintf(line, sizeof(line), "X-Fivetran-Signature-256: %s", sigs[i]);
    s->headers = curl_slist_append(s->headers, line);
    curl_easy_setopt(s->easy, CURLOPT_URL, url);
    curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->headers);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, bodies[i]);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE, (long)size);
    curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, discard);
    s->index = i;
    s->started = now_s();
}

int main(int argc, char **argv)
{
    long requests = 20000, conns = 16, threads = 2, size = 1024;
    long slow = 0, slow_addrs = 1, slow_body = 0, slow_interval_ms = 2000, timeout_ms = 15000;
    long deadline_ms = 0, max_conns = 0, per_addr = 0, body_memory = 0;
    long rss_before = 0, rss_flood = 0, open_start = 0, open_end = 0;
    slow_flood flood;
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server_stats st;
    ftx_webhook_server *server = NULL;
    ftx_error err = {0};
    char **bodies;
    char(*sigs)[65];
    double *lat, t0, elapsed;
    slot *slots;
    CURLM *multi;
    char url[96];
    size_t next = 0, done = 0, failed = 0;
    int running = 0;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--requests") == 0)
            requests = arg_long(argv[i + 1], requests);
        else if (strcmp(argv[i], "--connections") == 0)
            conns = arg_long(argv[i + 1], conns);
        else if (strcmp(argv[i], "--threads") == 0)
            threads = arg_long(argv[i + 1], threads);
        else if (strcmp(argv[i], "--size") == 0)
            size = arg_long(argv[i + 1], size);
        else if (strcmp(argv[i], "--slow") == 0)
            slow = arg_long(argv[i + 1], slow);
        else if (strcmp(argv[i], "--slow-addrs") == 0)
            slow_addrs = arg_long(argv[i + 1], slow_addrs);
        else if (strcmp(argv[i], "--slow-body") == 0)
            slow_body = arg_long(argv[i + 1], slow_body);
        else if (strcmp(argv[i], "--slow-interval-ms") == 0)
            slow_interval_ms = arg_long(argv[i + 1], slow_interval_ms);
        else if (strcmp(argv[i], "--delivery-timeout-ms") == 0)
            timeout_ms = arg_long(argv[i + 1], timeout_ms);
        else if (strcmp(argv[i], "--deadline-ms") == 0)
            deadline_ms = arg_long(argv[i + 1], deadline_ms);
        else if (strcmp(argv[i], "--max-conns") == 0)
            max_conns = arg_long(argv[i + 1], max_conns);
        else if (strcmp(argv[i], "--per-addr") == 0)
            per_addr = arg_long(argv[i + 1], per_addr);
        else if (strcmp(argv[i], "--body-memory") == 0)
            body_memory = arg_long(argv[i + 1], body_memory);
    }
    if (slow_addrs > 250)
        slow_addrs = 250;
    if (slow > 0) {
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)(3 * slow + 256)) {
            rl.rlim_cur = (rlim_t)(3 * slow + 256);
            if (rl.rlim_max != RLIM_INFINITY && rl.rlim_cur > rl.rlim_max)
                rl.rlim_cur = rl.rlim_max;
            (void)setrlimit(RLIMIT_NOFILE, &rl);
        }
    }
    if (conns > requests)
        conns = requests;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    bodies = calloc((size_t)requests, sizeof(*bodies));
    sigs = calloc((size_t)requests, sizeof(*sigs));
    lat = calloc((size_t)requests, sizeof(*lat));
    slots = calloc((size_t)conns, sizeof(*slots));
    if (bodies == NULL || sigs == NULL || lat == NULL || slots == NULL)
        return 1;
    for (long i = 0; i < requests; i++) {
        if ((bodies[i] = make_body((size_t)i, (size_t)size)) == NULL)
            return 1;
        size = (long)strlen(bodies[i]);
        if (ftx_webhook_signature_compute(bodies[i], (size_t)size, SECRET, sigs[i], &err) != FTX_OK)
            return 1;
    }

    o.secret = SECRET;
    o.on_event = on_event;
    o.threads = (unsigned int)threads;
    o.dedup_capacity = 4096;
#if FTX_WEBHOOK_SERVER_OPTIONS_VERSION >= 2
    o.request_timeout_ms = (unsigned int)deadline_ms;
    o.max_connections = (unsigned int)max_conns;
    o.max_connections_per_address = (unsigned int)per_addr;
    o.max_body_memory = (size_t)body_memory;
#else
    if (deadline_ms || max_conns || per_addr || body_memory)
        fprintf(stderr, "note: this receiver has no version-2 limits; options ignored\n");
#endif
    if (ftx_webhook_server_start(&o, &server, &err) != FTX_OK) {
        fprintf(stderr, "cannot start receiver: %s\n", err.message);
        return 1;
    }
    (void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/webhook",
                   (unsigned int)ftx_webhook_server_port(server));

    memset(&flood, 0, sizeof(flood));
    rss_before = proc_kib("VmRSS");
    if (slow > 0) {
        struct timespec settle = {0, 500 * 1000000L};

        flood.n = slow;
        flood.addrs = slow_addrs;
        flood.body = slow_body;
        flood.interval = (double)slow_interval_ms / 1e3;
        flood.port = ftx_webhook_server_port(server);
        flood.conns = calloc((size_t)slow, sizeof(*flood.conns));
        flood.fill = malloc(slow_body > 0 ? (size_t)slow_body : 1);
        if (flood.conns == NULL || flood.fill == NULL)
            return 1;
        memset(flood.fill, ' ', slow_body > 0 ? (size_t)slow_body : 1);
        for (long i = 0; i < slow; i++)
            slow_open(&flood, i);
        nanosleep(&settle, NULL); /* let the receiver read what was sent */
        open_start = slow_count_open(&flood);
        rss_flood = proc_kib("VmRSS");
    }

    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, conns);
    t0 = now_s();
    for (long c = 0; c < conns; c++) {
        slots[c].easy = curl_easy_init();
        curl_easy_setopt(slots[c].easy, CURLOPT_PRIVATE, &slots[c]);
        curl_easy_setopt(slots[c].easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(slots[c].easy, CURLOPT_TIMEOUT_MS, timeout_ms);
        prepare(&slots[c], url, bodies, sigs, next++, (size_t)size);
        curl_multi_add_handle(multi, slots[c].easy);
    }
    while (done < (size_t)requests) {
        CURLMsg *m;
        int left;

        curl_multi_perform(multi, &running);
        while ((m = curl_multi_info_read(multi, &left)) != NULL) {
            slot *s = NULL;
            long status = 0;

            if (m->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&s);
            curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
            if (m->data.result != CURLE_OK || status != 200)
                failed++;
            lat[done++] = now_s() - s->started;
            curl_multi_remove_handle(multi, s->easy);
            if (next < (size_t)requests) {
                prepare(s, url, bodies, sigs, next++, (size_t)size);
                curl_multi_add_handle(multi, s->easy);
            }
        }
        if (done < (size_t)requests)
            curl_multi_poll(multi, NULL, 0, slow > 0 ? 20 : 100, NULL);
        if (slow > 0)
            slow_tick(&flood);
    }
    elapsed = now_s() - t0;
    if (slow > 0)
        open_end = slow_count_open(&flood);

    ftx_webhook_server_stats_get(server, &st);
    qsort(lat, (size_t)requests, sizeof(*lat), cmp_double);
    {
        double rate = (double)st.delivered / elapsed;
        double p50 = lat[(size_t)((double)requests * 0.50)] * 1e3;
        double p99 = lat[(size_t)((double)(requests - 1) * 0.99)] * 1e3;
        double pmax = lat[requests - 1] * 1e3;

        printf("webhook receiver benchmark (127.0.0.1, libcurl multi, keep-alive)\n");
        printf("  %-22s %ld\n", "requests", requests);
        printf("  %-22s %ld\n", "payload bytes", size);
        printf("  %-22s %ld\n", "client connections", conns);
        printf("  %-22s %ld\n", "receiver threads", threads);
        printf("  %-22s %.3f\n", "elapsed s", elapsed);
        printf("  %-22s %llu\n", "verified+delivered", (unsigned long long)st.delivered);
        printf("  %-22s %zu\n", "failed requests", failed);
        printf("  %-22s %.0f\n", "verified events/s", rate);
        printf("  %-22s %.3f\n", "latency p50 ms", p50);
        printf("  %-22s %.3f\n", "latency p99 ms", p99);
        printf("  %-22s %.3f\n", "latency max ms", pmax);
        if (slow > 0) {
            printf("  %-22s %ld from %ld address(es), %s\n", "slow connections", slow, slow_addrs,
                   slow_body > 0 ? "body nearly sent" : "partial headers");
            if (slow_body > 0)
                printf("  %-22s %ld\n", "slow body bytes", slow_body);
            printf("  %-22s %ld / %ld\n", "slow open start/end", open_start, open_end);
            printf("  %-22s %lu\n", "slow reconnects", flood.reconnects);
        }
        printf("  %-22s %ld / %ld / %ld\n", "RSS KiB before/flood/peak", rss_before, rss_flood,
               proc_kib("VmHWM"));
        printf("{\"bench\":\"webhook_receiver\",\"requests\":%ld,\"payload_bytes\":%ld,"
               "\"connections\":%ld,\"threads\":%ld,\"elapsed_s\":%.4f,\"delivered\":%llu,"
               "\"callback_calls\":%lu,\"failed\":%zu,\"events_per_s\":%.1f,\"p50_ms\":%.4f,"
               "\"p99_ms\":%.4f,\"max_ms\":%.4f,\"slow\":%ld,\"slow_addrs\":%ld,"
               "\"slow_body\":%ld,\"slow_open_start\":%ld,\"slow_open_end\":%ld,"
               "\"slow_reconnects\":%lu,\"rss_before_kib\":%ld,\"rss_flood_kib\":%ld,"
               "\"rss_peak_kib\":%ld}\n",
               requests, size, conns, threads, elapsed, (unsigned long long)st.delivered,
               (unsigned long)atomic_load(&delivered), failed, rate, p50, p99, pmax, slow,
               slow_addrs, slow_body, open_start, open_end, flood.reconnects, rss_before, rss_flood,
               proc_kib("VmHWM"));
    }

    for (long c = 0; c < conns; c++) {
        curl_slist_free_all(slots[c].headers);
        curl_easy_cleanup(slots[c].easy);
    }
    curl_multi_cleanup(multi);
    for (long i = 0; i < flood.n; i++)
        if (flood.conns[i].fd >= 0)
            close(flood.conns[i].fd);
    free(flood.conns);
    free(flood.fill);
    ftx_webhook_server_free(server);
    for (long i = 0; i < requests; i++)
        free(bodies[i]);
    free(bodies);
    free(sigs);
    free(lat);
    free(slots);
    curl_global_cleanup();
    return failed ? 1 : 0;
}
