/*
 * Benchmark 2: connection reuse.
 *
 * N sequential ftx_groups_get calls against the local fixed-response server, three ways:
 *
 *   keepalive      one client: its pooled easy handle keeps the connection alive
 *   server_close   one client, but the server answers "Connection: close", so every
 *                  call opens a new TCP connection (isolates the cost of connecting)
 *   fresh_client   a new ftx_client per call (ftx_client_new + call + ftx_client_free):
 *                  the only way for a caller to get no reuse, since the client has no
 *                  switch to disable it
 *
 * The TCP connections are counted by the server (accept notifications), not assumed.
 * Reports calls/s, CPU microseconds per call of the calling thread (RUSAGE_THREAD) and
 * connections opened. One JSON line per variant. Never fails on time.
 *
 *   bench_connection_reuse [--n N]
 */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "bench_server.h"
#include "internal.h"

static double thread_cpu_s(void)
{
    struct rusage ru;

    getrusage(RUSAGE_THREAD, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int new_client(ftx_client **c, const char *url)
{
    ftx_client_options o = FTX_CLIENT_OPTIONS_INIT;
    ftx_error err = {0};

    o.api_key = "bench_key";
    o.api_secret = "bench_secret";
    o.base_url = url;
    if (ftx_client_new(c, &o, &err) != FTX_OK) {
        fprintf(stderr, "bench_connection_reuse: %s\n", err.message);
        return -1;
    }
    return 0;
}

static int one_call(ftx_client *c)
{
    ftx_group *g = NULL;
    int rc = ftx_groups_get(c, "decent_dropsy", &g, NULL);

    ftx_group_free(g);
    return rc;
}

static void report(const char *variant, const char *what, long n, double wall, double cpu,
                   unsigned long conns, unsigned long reqs, int failures)
{
    double cpu_us = cpu * 1e6 / (double)n;

    printf("%-14s %10.0f %12.1f %12.1f %10lu %10.3f  %s%s\n", variant, (double)n / wall,
           wall * 1e6 / (double)n, cpu_us, conns, (double)conns / (double)n, what,
           failures ? " (FAILURES)" : "");
    printf("{\"bench\":\"connection_reuse\",\"variant\":\"%s\",\"n\":%ld,\"calls_per_s\":%.1f,"
           "\"wall_us_per_call\":%.2f,\"cpu_us_per_call\":%.2f,\"tcp_connections\":%lu,"
           "\"connections_per_call\":%.4f,\"server_requests\":%lu,\"failures\":%d}\n",
           variant, n, (double)n / wall, wall * 1e6 / (double)n, cpu_us, conns,
           (double)conns / (double)n, reqs, failures);
    fflush(stdout);
}

/* mode 0: one client; 1: fresh client per call. */
static int run(const char *variant, const char *what, bench_server *srv, int fresh, long n)
{
    ftx_client *c = NULL;
    unsigned long conns, reqs;
    double t0, t1, cpu0, cpu1;
    int failures = 0;
    long i;

    if (!fresh && new_client(&c, srv->url) != 0)
        return -1;
    bench_server_reset(srv);
    cpu0 = thread_cpu_s();
    t0 = bs_now_s();
    for (i = 0; i < n; i++) {
        if (fresh) {
            if (new_client(&c, srv->url) != 0)
                return -1;
            failures += one_call(c) != FTX_OK;
            ftx_client_free(c);
            c = NULL;
        } else {
            failures += one_call(c) != FTX_OK;
        }
    }
    t1 = bs_now_s();
    cpu1 = thread_cpu_s();
    ftx_client_free(c);
    bench_server_counts(srv, &reqs, &conns, NULL);
    report(variant, what, n, t1 - t0, cpu1 - cpu0, conns, reqs, failures);
    return 0;
}

int main(int argc, char **argv)
{
    long n = 3000;
    bench_server *keep, *closing;
    int i, rc = 0;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--n") == 0 && i + 1 < argc) {
            char *end;

            n = strtol(argv[++i], &end, 10);
            if (*end != '\0' || n <= 0) {
                fprintf(stderr, "bench_connection_reuse: --n needs a positive integer\n");
                return 2;
            }
        } else {
            fprintf(stderr, "usage: %s [--n N]\n", argv[0]);
            return 2;
        }
    }
    keep = bench_server_start(0, 0);
    closing = bench_server_start(0, 1);
    if (keep == NULL || closing == NULL) {
        fprintf(stderr, "bench_connection_reuse: cannot start the local servers\n");
        bench_server_stop(keep);
        bench_server_stop(closing);
        return 1;
    }
    printf("# benchmark 2: connection reuse, %ld sequential ftx_groups_get per variant\n", n);
    printf("%-14s %10s %12s %12s %10s %10s  %s\n", "variant", "calls/s", "wall_us/call",
           "cpu_us/call", "tcp_conns", "conns/call", "what");
    rc |= run("keepalive", "one client, pooled handle keeps the connection", keep, 0, n);
    rc |= run("server_close", "one client, server sends Connection: close", closing, 0, n);
    rc |= run("fresh_client", "ftx_client_new/free around every call", keep, 1, n);
    bench_server_stop(keep);
    bench_server_stop(closing);
    return rc != 0 ? 1 : 0;
}
