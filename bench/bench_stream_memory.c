/*
 * Benchmark 3: streaming memory.
 *
 * Starts fivetrex-sandbox with --synthetic-connections N as a child process and streams
 * every connector with ftx_connectors_stream_all in pages of 1000, prefetch on or off.
 * Reports items/s, wall time and the peak RSS of this process (getrusage ru_maxrss; the
 * sandbox is another process and not counted), plus the RSS before the stream started,
 * so the growth caused by streaming is visible.
 *
 * ru_maxrss is a high-water mark for the whole process, so measure one size per process
 * (bench/run does): a later, smaller run would otherwise report the earlier peak.
 *
 *   bench_stream_memory --items N [--prefetch on|off] [--work-ns NS]
 *                       [--latency-ms MS] [--page-work-ms MS] [--sandbox PATH]
 *
 * To show prefetch overlapping the next page's fetch with the consumer's work:
 * --work-ns makes the consumer spend NS nanoseconds of CPU per item (busy loop);
 * --page-work-ms makes it wait MS milliseconds after every 1000 items (like a consumer
 * writing each page to a database), and --latency-ms delays every sandbox response.
 *
 * It also times ftx_connector_stream_free twice: at the end of the stream (free_ms),
 * and on a second stream (pages of 10) freed after reading two items, while the
 * prefetch of its second page is in flight (free_inflight_ms: with --latency-ms the sandbox is
 * still holding that response). A prompt _free aborts the transfer instead of waiting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench_sandbox.h"
#include "bench_server.h" /* bs_now_s */
#include "internal.h"

static long rss_now_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;

    if (f == NULL)
        return -1;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static long peak_rss_kib(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static double cpu_self_s(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void busy_ns(long ns)
{
    struct timespec a, b;

    if (ns <= 0)
        return;
    clock_gettime(CLOCK_MONOTONIC, &a);
    do {
        clock_gettime(CLOCK_MONOTONIC, &b);
    } while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < ns);
}

int main(int argc, char **argv)
{
    long items = 100000, work_ns = 0, got = 0, rss_before, rss_peak, latency = 0, page_ms = 0;
    int prefetch = 1, i, rc, failed = 0;
    const char *sandbox_arg = NULL;
    char path[4096], nbuf[32], lbuf[32];
    const char *args[8];
    bench_sandbox sb;
    ftx_client_options o = FTX_CLIENT_OPTIONS_INIT;
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx_client *c = NULL;
    ftx_connector_stream *s = NULL;
    ftx_error err = {0};
    double t0, t1, cpu0, cpu1, first_item_s = 0, free_ms, inflight_ms = -1, f0;
    unsigned long checksum = 0;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--items") == 0 && i + 1 < argc) {
            items = strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--latency-ms") == 0 && i + 1 < argc) {
            latency = strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--page-work-ms") == 0 && i + 1 < argc) {
            page_ms = strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--work-ns") == 0 && i + 1 < argc) {
            work_ns = strtol(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--prefetch") == 0 && i + 1 < argc) {
            i++;
            prefetch = strcmp(argv[i], "off") != 0 && strcmp(argv[i], "0") != 0;
        } else if (strcmp(argv[i], "--sandbox") == 0 && i + 1 < argc) {
            sandbox_arg = argv[++i];
        } else {
            fprintf(stderr,
                    "usage: %s --items N [--prefetch on|off] [--work-ns NS] "
                    "[--sandbox PATH]\n",
                    argv[0]);
            return 2;
        }
    }
    if (items <= 0 || items > 2000000 || work_ns < 0 || latency < 0 || page_ms < 0) {
        fprintf(stderr, "bench_stream_memory: --items must be 1..2000000\n");
        return 2;
    }

    bsb_default_path(path, sizeof(path), sandbox_arg);
    (void)snprintf(nbuf, sizeof(nbuf), "%ld", items);
    args[0] = "--synthetic-connections";
    args[1] = nbuf;
    args[2] = NULL;
    if (latency > 0) {
        (void)snprintf(lbuf, sizeof(lbuf), "%ld", latency);
        args[2] = "--latency-ms";
        args[3] = lbuf;
        args[4] = NULL;
    }
    if (bench_sandbox_start(&sb, path, args) != 0)
        return 1;

    o.api_key = "bench_key";
    o.api_secret = "bench_secret";
    o.base_url = sb.url;
    lo.limit = 1000;
    lo.prefetch = prefetch;
    if (ftx_client_new(&c, &o, &err) != FTX_OK ||
        ftx_connectors_stream_all(c, &lo, &s, &err) != FTX_OK) {
        fprintf(stderr, "bench_stream_memory: %s\n", err.message);
        ftx_client_free(c);
        bench_sandbox_stop(&sb);
        return 1;
    }
    rss_before = rss_now_kib();
    cpu0 = cpu_self_s();
    t0 = bs_now_s();
    for (;;) {
        const ftx_connector *k = NULL;

        rc = ftx_connector_stream_next(s, &k, &err);
        if (rc != FTX_OK) {
            fprintf(stderr, "bench_stream_memory: after %ld items: %s\n", got, err.message);
            failed = 1;
            break;
        }
        if (k == NULL)
            break;
        if (got == 0)
            first_item_s = bs_now_s() - t0;
        got++;
        checksum += (unsigned long)(k->id != NULL ? (unsigned char)k->id[0] : 0);
        busy_ns(work_ns);
        if (page_ms > 0 && got % 1000 == 0)
            bs_sleep_ms((unsigned)page_ms);
    }
    t1 = bs_now_s();
    cpu1 = cpu_self_s();
    rss_peak = peak_rss_kib();
    f0 = bs_now_s();
    ftx_connector_stream_free(s);
    free_ms = (bs_now_s() - f0) * 1000.0;
    s = NULL;
    lo.limit = 10; /* the probe's pages: freeing the page held costs next to nothing */
    if (!failed && items > 20 && ftx_connectors_stream_all(c, &lo, &s, &err) == FTX_OK) {
        const ftx_connector *k = NULL;

        if (ftx_connector_stream_next(s, &k, &err) == FTX_OK &&
            ftx_connector_stream_next(s, &k, &err) == FTX_OK) {
            bs_sleep_ms(5); /* the request is at the sandbox, which sits on it */
            f0 = bs_now_s();
            ftx_connector_stream_free(s);
            inflight_ms = (bs_now_s() - f0) * 1000.0;
            s = NULL;
        }
        ftx_connector_stream_free(s);
    }
    ftx_client_free(c);
    bench_sandbox_stop(&sb);

    printf("# benchmark 3: stream %ld connectors (ftx_connectors_stream_all, limit 1000) "
           "from fivetrex-sandbox --synthetic-connections %ld\n",
           items, items);
    if (latency > 0 || page_ms > 0)
        printf("# sandbox latency %ld ms per response, consumer waits %ld ms per 1000 items\n",
               latency, page_ms);
    printf("%-10s %9s %10s %12s %9s %13s %14s %14s %10s %8s %16s\n", "items", "prefetch", "work_ns",
           "items/s", "wall_s", "client_cpu_s", "rss_before_kib", "peak_rss_kib", "received",
           "free_ms", "free_inflight_ms");
    printf("%-10ld %9s %10ld %12.0f %9.3f %13.3f %14ld %14ld %10ld %8.3f %16.3f%s\n", items,
           prefetch ? "on" : "off", work_ns, (double)got / (t1 - t0), t1 - t0, cpu1 - cpu0,
           rss_before, rss_peak, got, free_ms, inflight_ms,
           failed || got != items ? "  (INCOMPLETE)" : "");
    printf("{\"bench\":\"stream_memory\",\"variant\":\"%ld_prefetch_%s%s\",\"items\":%ld,"
           "\"received\":%ld,\"prefetch\":%s,\"work_ns_per_item\":%ld,\"items_per_s\":%.1f,"
           "\"latency_ms\":%ld,\"page_work_ms\":%ld,\"wall_s\":%.4f,\"client_cpu_s\":%.4f,\"first_"
           "item_ms\":%.2f,\"rss_before_kib\":%ld,"
           "\"peak_rss_kib\":%ld,\"free_ms\":%.3f,\"free_inflight_ms\":%.3f,\"failed\":%s,"
           "\"checksum\":%lu}\n",
           items, prefetch ? "on" : "off",
           work_ns > 0   ? "_cpuwork"
           : page_ms > 0 ? "_pagewait"
                         : "",
           items, got, prefetch ? "true" : "false", work_ns, (double)got / (t1 - t0), latency,
           page_ms, t1 - t0, cpu1 - cpu0, first_item_s * 1000.0, rss_before, rss_peak, free_ms,
           inflight_ms, failed ? "true" : "false", checksum);
    return failed ? 1 : 0;
}
