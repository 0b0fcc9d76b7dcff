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
 *   bench_webhook_receiver [--requests N] [--connections C] [--threads T] [--size S]
 */
#include <errno.h>
#include <stdatomic.h>
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
    if (ftx_webhook_server_start(&o, &server, &err) != FTX_OK) {
        fprintf(stderr, "cannot start receiver: %s\n", err.message);
        return 1;
    }
    (void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/webhook",
                   (unsigned int)ftx_webhook_server_port(server));

    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, conns);
    t0 = now_s();
    for (long c = 0; c < conns; c++) {
        slots[c].easy = curl_easy_init();
        curl_easy_setopt(slots[c].easy, CURLOPT_PRIVATE, &slots[c]);
        curl_easy_setopt(slots[c].easy, CURLOPT_NOSIGNAL, 1L);
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
            curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    elapsed = now_s() - t0;

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
        printf("{\"bench\":\"webhook_receiver\",\"requests\":%ld,\"payload_bytes\":%ld,"
               "\"connections\":%ld,\"threads\":%ld,\"elapsed_s\":%.4f,\"delivered\":%llu,"
               "\"callback_calls\":%lu,\"failed\":%zu,\"events_per_s\":%.1f,\"p50_ms\":%.4f,"
               "\"p99_ms\":%.4f,\"max_ms\":%.4f}\n",
               requests, size, conns, threads, elapsed, (unsigned long long)st.delivered,
               (unsigned long)atomic_load(&delivered), failed, rate, p50, p99, pmax);
    }

    for (long c = 0; c < conns; c++) {
        curl_slist_free_all(slots[c].headers);
        curl_easy_cleanup(slots[c].easy);
    }
    curl_multi_cleanup(multi);
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
