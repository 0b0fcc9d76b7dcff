/*
 * Benchmark 4: fan-out.
 *
 * Every connector of 500 groups, with 20 ms injected server latency
 * (fivetrex-sandbox --synthetic-connections 50000 --latency-ms 20 --threads 64, started
 * as a child process: 500 synthetic groups of 100 connections each).
 * The group ids are listed once (ftx_groups_stream, limit 1000), then each group's
 * connectors are streamed (ftx_connectors_stream, limit 1000):
 *
 *   sequential     one group after the other on the calling thread
 *   batch_k<K>     ftx_batch_run with max_in_flight K (client max_idle_handles = K)
 *   multi_k<K>     ftx_connectors_stream_groups with max_in_flight K: the same fan-out
 *                  on one curl multi handle on the calling thread, no worker threads
 *
 * Reports wall time of the per-group phase, groups/s, connectors received and the peak
 * concurrency (batch: tasks running at once, counted inside the tasks; multi: requests
 * in flight, from ftx_fanout_stats). Never fails on time.
 *
 *   bench_fanout [--groups 500] [--latency-ms 20] [--k 4,16,64] [--sandbox PATH]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_sandbox.h"
#include "bench_server.h" /* bs_now_s */
#include "internal.h"

typedef struct fan {
    char **ids;
    size_t n;
    pthread_mutex_t lock;
    int running;
    int peak;
    long connectors;
} fan;

static int stream_group(ftx_client *c, size_t i, void *ud, ftx_error *err)
{
    fan *f = ud;
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx_connector_stream *s = NULL;
    const ftx_connector *k;
    long got = 0;
    int rc;

    pthread_mutex_lock(&f->lock);
    if (++f->running > f->peak)
        f->peak = f->running;
    pthread_mutex_unlock(&f->lock);

    lo.limit = 1000;
    lo.prefetch = 0; /* one page per group: nothing to prefetch */
    rc = ftx_connectors_stream(c, f->ids[i], &lo, &s, err);
    while (rc == FTX_OK && (rc = ftx_connector_stream_next(s, &k, err)) == FTX_OK && k != NULL)
        got++;
    ftx_connector_stream_free(s);

    pthread_mutex_lock(&f->lock);
    f->running--;
    f->connectors += got;
    pthread_mutex_unlock(&f->lock);
    return rc;
}

static int count_item(const ftx_connector *k, size_t group_index, void *ud)
{
    fan *f = ud;

    (void)k;
    (void)group_index;
    f->connectors++; /* the calling thread only: no lock */
    return 0;
}

static void report(const char *variant, int k, const fan *f, double wall, int failures)
{
    printf("%-12s %6d %10.3f %10.1f %12ld %8d%s\n", variant, k, wall, (double)f->n / wall,
           f->connectors, f->peak, failures ? "  (FAILURES)" : "");
    printf("{\"bench\":\"fanout\",\"variant\":\"%s\",\"groups\":%zu,\"max_in_flight\":%d,"
           "\"wall_s\":%.4f,\"groups_per_s\":%.1f,\"connectors\":%ld,\"peak_concurrency\":%d,"
           "\"failures\":%d}\n",
           variant, f->n, k, wall, (double)f->n / wall, f->connectors, f->peak, failures);
    fflush(stdout);
}

static int make_client(ftx_client **c, const char *url, int idle)
{
    ftx_client_options o = FTX_CLIENT_OPTIONS_INIT;
    ftx_error err = {0};

    o.api_key = "bench_key";
    o.api_secret = "bench_secret";
    o.base_url = url;
    o.max_idle_handles = idle;
    if (ftx_client_new(c, &o, &err) != FTX_OK) {
        fprintf(stderr, "bench_fanout: %s\n", err.message);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    long groups = 500, latency = 20;
    const char *klist = "4,16,64";
    const char *sandbox_arg = NULL;
    char path[4096], nbuf[32], lbuf[32], kbuf[64];
    const char *args[12];
    bench_sandbox sb;
    ftx_client *c = NULL;
    ftx_group_stream *gs = NULL;
    const ftx_group *g;
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx_error err = {0};
    fan f;
    double t0;
    size_t i, cap = 0;
    int a, rc, failures;
    char *tok, *save = NULL;

    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--groups") == 0 && a + 1 < argc)
            groups = strtol(argv[++a], NULL, 10);
        else if (strcmp(argv[a], "--latency-ms") == 0 && a + 1 < argc)
            latency = strtol(argv[++a], NULL, 10);
        else if (strcmp(argv[a], "--k") == 0 && a + 1 < argc)
            klist = argv[++a];
        else if (strcmp(argv[a], "--sandbox") == 0 && a + 1 < argc)
            sandbox_arg = argv[++a];
        else {
            fprintf(stderr,
                    "usage: %s [--groups N] [--latency-ms MS] [--k K1,K2..] [--sandbox PATH]\n",
                    argv[0]);
            return 2;
        }
    }
    if (groups < 1 || groups > 1000 || latency < 0) {
        fprintf(stderr, "bench_fanout: --groups must be 1..1000\n");
        return 2;
    }

    bsb_default_path(path, sizeof(path), sandbox_arg);
    (void)snprintf(nbuf, sizeof(nbuf), "%ld", groups * 100); /* sandbox: 100 per group */
    (void)snprintf(lbuf, sizeof(lbuf), "%ld", latency);
    args[0] = "--synthetic-connections";
    args[1] = nbuf;
    args[2] = "--latency-ms";
    args[3] = lbuf;
    args[4] = "--threads";
    args[5] = "128";
    args[6] = NULL;
    if (bench_sandbox_start(&sb, path, args) != 0)
        return 1;

    memset(&f, 0, sizeof(f));
    pthread_mutex_init(&f.lock, NULL);
    if (make_client(&c, sb.url, 1) != 0) {
        bench_sandbox_stop(&sb);
        return 1;
    }
    lo.limit = 1000;
    rc = ftx_groups_stream(c, &lo, &gs, &err);
    while (rc == FTX_OK && (rc = ftx_group_stream_next(gs, &g, &err)) == FTX_OK && g != NULL) {
        if (f.n == cap) {
            char **n2;

            cap = cap ? cap * 2 : 64;
            n2 = realloc(f.ids, cap * sizeof(*n2));
            if (n2 == NULL) {
                rc = FTX_ERR_NOMEM;
                break;
            }
            f.ids = n2;
        }
        f.ids[f.n++] = strdup(g->id);
    }
    ftx_group_stream_free(gs);
    ftx_client_free(c);
    if (rc != FTX_OK) {
        fprintf(stderr, "bench_fanout: listing groups: %s\n", err.message);
        bench_sandbox_stop(&sb);
        return 1;
    }

    printf("# benchmark 4: fan-out over %zu groups (%ld connectors), server latency %ld ms "
           "per request\n",
           f.n, groups * 100, latency);
    printf("%-12s %6s %10s %10s %12s %8s\n", "variant", "K", "wall_s", "groups/s", "connectors",
           "peak");

    /* sequential */
    if (make_client(&c, sb.url, 1) == 0) {
        failures = 0;
        t0 = bs_now_s();
        for (i = 0; i < f.n; i++)
            failures += stream_group(c, i, &f, &err) != FTX_OK;
        report("sequential", 1, &f, bs_now_s() - t0, failures);
        ftx_client_free(c);
    }

    /* bounded concurrency */
    (void)snprintf(kbuf, sizeof(kbuf), "%s", klist);
    for (tok = strtok_r(kbuf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        ftx_batch_options bo = FTX_BATCH_OPTIONS_INIT;
        ftx_batch_stats st;
        char name[32];
        int k = (int)strtol(tok, NULL, 10);

        if (k < 1 || k > 256 || make_client(&c, sb.url, k) != 0)
            continue;
        f.peak = 0;
        f.connectors = 0;
        bo.max_in_flight = k;
        t0 = bs_now_s();
        rc = ftx_batch_run(c, f.n, stream_group, NULL, &f, &bo, &st, &err);
        (void)snprintf(name, sizeof(name), "batch_k%d", k);
        report(name, k, &f, bs_now_s() - t0, (int)st.failed);
        if (rc != FTX_OK)
            fprintf(stderr, "bench_fanout: %s: %s\n", name, err.message);
        ftx_client_free(c);
    }

    /* bounded concurrency on one curl multi handle */
    (void)snprintf(kbuf, sizeof(kbuf), "%s", klist);
    save = NULL;
    for (tok = strtok_r(kbuf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        ftx_fanout_options fo = FTX_FANOUT_OPTIONS_INIT;
        ftx_fanout_stats fs;
        char name[32];
        int k = (int)strtol(tok, NULL, 10);

        if (k < 1 || k > 256 || make_client(&c, sb.url, k) != 0)
            continue;
        f.connectors = 0;
        fo.max_in_flight = k;
        fo.limit = 1000;
        t0 = bs_now_s();
        rc = ftx_connectors_stream_groups(c, (const char *const *)f.ids, f.n, &fo, count_item, &f,
                                          &fs, &err);
        f.peak = fs.peak_in_flight;
        (void)snprintf(name, sizeof(name), "multi_k%d", k);
        report(name, k, &f, bs_now_s() - t0, rc != FTX_OK);
        if (rc != FTX_OK)
            fprintf(stderr, "bench_fanout: %s: %s\n", name, err.message);
        ftx_client_free(c);
    }

    bench_sandbox_stop(&sb);
    for (i = 0; i < f.n; i++)
        free(f.ids[i]);
    free(f.ids);
    pthread_mutex_destroy(&f.lock);
    return 0;
}
