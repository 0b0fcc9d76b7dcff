/*
 * Benchmark 1: call overhead.
 *
 * N sequential calls against a local server that always answers with the same realistic
 * body (bench_server.h, in-process, one thread per connection), one variant at a time:
 *
 *   curl_baseline        curl_easy_perform on one reused easy handle, no JSON: the floor
 *   raw_groups           ftx__call GET /groups/{id}: HTTP + retries + JSON parse, no model
 *   groups_get           ftx_groups_get: the above + envelope + ftx_group model
 *   raw_connectors       ftx__call GET /connections/{id} (Accept version=2), no model
 *   connectors_get       ftx_connectors_get: the above + ftx_connector model
 *   raw_users            ftx__call GET /users/{id}, no model
 *   users_get            ftx_users_get (generated): the above + ftx_user, decoded by the
 *                        descriptor interpreter (src/model.c) instead of hand-written code
 *
 * Reports calls/s (wall) and CPU microseconds per call of the calling thread
 * (getrusage RUSAGE_THREAD, user+system), so the in-process server's CPU is not
 * counted. Prints a table and one JSON line per variant. Never fails on time.
 *
 *   bench_call_overhead [--n N] [--variant NAME] [--warmup N]
 *
 * bench/callgrind.sh runs it under callgrind with --toggle-collect=measure_loop.
 */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <curl/curl.h>

#include "bench_server.h"
#include "internal.h"

typedef struct ctx {
    ftx_client *client;
    CURL *curl;
    const char *base;
    char group_url[128];
    int failures;
} ctx;

typedef void (*call_fn)(ctx *c);

static size_t discard_cb(char *data, size_t size, size_t nmemb, void *userp)
{
    (void)data;
    (void)userp;
    return size * nmemb;
}

static void do_curl_baseline(ctx *c)
{
    if (curl_easy_perform(c->curl) != CURLE_OK)
        c->failures++;
}

static void do_raw_groups(ctx *c)
{
    ftx__request req = {"GET", "/groups/decent_dropsy", NULL, 0, 0, 0};
    json_t *body = NULL;

    if (ftx__call(c->client, &req, &body, NULL) != FTX_OK)
        c->failures++;
    json_decref(body);
}

static void do_groups_get(ctx *c)
{
    ftx_group *g = NULL;

    if (ftx_groups_get(c->client, "decent_dropsy", &g, NULL) != FTX_OK)
        c->failures++;
    ftx_group_free(g);
}

static void do_raw_connectors(ctx *c)
{
    ftx__request req = {"GET", "/connections/speak_inexpensive", NULL, 1, 0, 0};
    json_t *body = NULL;

    if (ftx__call(c->client, &req, &body, NULL) != FTX_OK)
        c->failures++;
    json_decref(body);
}

static void do_connectors_get(ctx *c)
{
    ftx_connector *k = NULL;

    if (ftx_connectors_get(c->client, "speak_inexpensive", &k, NULL) != FTX_OK)
        c->failures++;
    ftx_connector_free(k);
}

static void do_raw_users(ctx *c)
{
    ftx__request req = {"GET", "/users/nostalgia_borrow", NULL, 0, 0, 0};
    json_t *body = NULL;

    if (ftx__call(c->client, &req, &body, NULL) != FTX_OK)
        c->failures++;
    json_decref(body);
}

static void do_users_get(ctx *c)
{
    ftx_user *u = NULL;

    if (ftx_users_get(c->client, "nostalgia_borrow", &u, NULL) != FTX_OK)
        c->failures++;
    ftx_user_free(u);
}

static const struct {
    const char *name;
    call_fn fn;
    const char *what;
} VARIANTS[] = {
    {"curl_baseline", do_curl_baseline, "libcurl only, reused handle, body discarded"},
    {"raw_groups", do_raw_groups, "ftx__call GET /groups/{id}, JSON parsed, no model"},
    {"groups_get", do_groups_get, "ftx_groups_get, full model"},
    {"raw_connectors", do_raw_connectors, "ftx__call GET /connections/{id}, no model"},
    {"connectors_get", do_connectors_get, "ftx_connectors_get, full model"},
    {"raw_users", do_raw_users, "ftx__call GET /users/{id}, no model"},
    {"users_get", do_users_get, "ftx_users_get, generated model (descriptors)"},
};
#define NVARIANTS (sizeof(VARIANTS) / sizeof(VARIANTS[0]))

/* The measured loop: its own symbol so callgrind can collect only inside it. */
__attribute__((noinline)) void measure_loop(call_fn fn, ctx *c, long n);
__attribute__((noinline)) void measure_loop(call_fn fn, ctx *c, long n)
{
    long i;

    for (i = 0; i < n; i++)
        fn(c);
}

static double thread_cpu_s(void)
{
    struct rusage ru;

    getrusage(RUSAGE_THREAD, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long parse_count(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);

    return (*s != '\0' && *end == '\0' && v > 0) ? v : -1;
}

int main(int argc, char **argv)
{
    long n = 20000, warmup = 500;
    const char *only = NULL;
    bench_server *srv;
    ftx_client_options o = FTX_CLIENT_OPTIONS_INIT;
    ftx_error err = {0};
    ctx c;
    size_t v;
    int i, ran = 0;

    /* The warm-up also runs in measure_loop: callgrind.sh takes the difference of two
     * runs with different --n, which cancels the warm-up and the first connect. */

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--n") == 0 && i + 1 < argc)
            n = parse_count(argv[++i]);
        else if (strcmp(argv[i], "--warmup") == 0 && i + 1 < argc)
            warmup = parse_count(argv[++i]);
        else if (strcmp(argv[i], "--variant") == 0 && i + 1 < argc)
            only = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--n N] [--warmup N] [--variant NAME]\n", argv[0]);
            return 2;
        }
        if (n <= 0 || warmup <= 0) {
            fprintf(stderr, "bench_call_overhead: counts must be positive integers\n");
            return 2;
        }
    }

    srv = bench_server_start(0, 0);
    if (srv == NULL) {
        fprintf(stderr, "bench_call_overhead: cannot start the local server\n");
        return 1;
    }
    memset(&c, 0, sizeof(c));
    o.api_key = "bench_key";
    o.api_secret = "bench_secret";
    o.base_url = srv->url;
    if (ftx_client_new(&c.client, &o, &err) != FTX_OK) {
        fprintf(stderr, "bench_call_overhead: %s\n", err.message);
        bench_server_stop(srv);
        return 1;
    }
    c.curl = curl_easy_init();
    (void)snprintf(c.group_url, sizeof(c.group_url), "%s/groups/decent_dropsy", srv->url);
    curl_easy_setopt(c.curl, CURLOPT_URL, c.group_url);
    curl_easy_setopt(c.curl, CURLOPT_WRITEFUNCTION, discard_cb);
    curl_easy_setopt(c.curl, CURLOPT_NOSIGNAL, 1L);

    printf("# benchmark 1: call overhead, %ld sequential calls per variant (server: %s)\n", n,
           srv->url);
    printf("%-16s %12s %14s %12s  %s\n", "variant", "calls/s", "cpu_us/call", "tcp_conns", "what");
    for (v = 0; v < NVARIANTS; v++) {
        double t0, t1, cpu0, cpu1, wall, cpu_us;
        unsigned long reqs, conns;

        if (only != NULL && strcmp(only, VARIANTS[v].name) != 0)
            continue;
        ran++;
        c.failures = 0;
        measure_loop(VARIANTS[v].fn, &c, warmup);
        bench_server_reset(srv);
        c.failures = 0;
        cpu0 = thread_cpu_s();
        t0 = bs_now_s();
        measure_loop(VARIANTS[v].fn, &c, n);
        t1 = bs_now_s();
        cpu1 = thread_cpu_s();
        bench_server_counts(srv, &reqs, &conns, NULL);
        wall = t1 - t0;
        cpu_us = (cpu1 - cpu0) * 1e6 / (double)n;
        printf("%-16s %12.0f %14.1f %12lu  %s%s\n", VARIANTS[v].name, (double)n / wall, cpu_us,
               conns, VARIANTS[v].what, c.failures ? " (FAILURES)" : "");
        printf("{\"bench\":\"call_overhead\",\"variant\":\"%s\",\"n\":%ld,\"calls_per_s\":%.1f,"
               "\"cpu_us_per_call\":%.2f,\"wall_us_per_call\":%.2f,\"tcp_connections\":%lu,"
               "\"server_requests\":%lu,\"failures\":%d}\n",
               VARIANTS[v].name, n, (double)n / wall, cpu_us, wall * 1e6 / (double)n, conns, reqs,
               c.failures);
        fflush(stdout);
    }
    if (ran == 0)
        fprintf(stderr, "bench_call_overhead: unknown variant %s\n", only);

    curl_easy_cleanup(c.curl);
    ftx_client_free(c.client);
    bench_server_stop(srv);
    return ran == 0 ? 2 : 0;
}
