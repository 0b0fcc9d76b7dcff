/* fivetrex-sandbox: command line, HTTP server (libmicrohttpd), auth, latency and faults. */
#include "sandbox.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <curl/curl.h>
#include <microhttpd.h>

static sbx_config cfg;
static char *expected_auth; /* "Basic base64(key:secret)" or NULL */
static pthread_mutex_t fault_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t fault_rng;
static unsigned long long request_count; /* --verbose numbers the requests */

typedef struct conn_ctx {
    char *body;
    size_t len, cap;
    int too_large;
    int64_t t0; /* arrival, for the --verbose log */
} conn_ctx;

typedef struct trunc_ctx {
    char *body;
    size_t len;
} trunc_ctx;

static ssize_t trunc_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    trunc_ctx *t = cls;
    size_t half = t->len / 2;
    if (pos >= half)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = half - (size_t)pos;
    if (n > max)
        n = max;
    memcpy(buf, t->body + pos, n);
    return (ssize_t)n;
}

static void trunc_free(void *cls)
{
    trunc_ctx *t = cls;
    free(t->body);
    free(t);
}

static enum MHD_Result send_json(struct MHD_Connection *c, sbx_response *r, int truncate)
{
    struct MHD_Response *resp;
    if (truncate && r->body && strlen(r->body) > 1) {
        trunc_ctx *t = malloc(sizeof(*t));
        if (!t)
            return MHD_NO;
        t->body = r->body;
        t->len = strlen(r->body);
        r->body = NULL;
        resp = MHD_create_response_from_callback(t->len, 4096, trunc_reader, t, trunc_free);
        if (!resp) {
            trunc_free(t);
            return MHD_NO;
        }
    } else {
        const char *b = r->body ? r->body : "";
        size_t n = r->body_len ? r->body_len : strlen(b);
        resp = MHD_create_response_from_buffer(n, (void *)(uintptr_t)b, MHD_RESPMEM_MUST_COPY);
    }
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type",
                            r->content_type ? r->content_type : "application/json;charset=utf-8");
    if (r->allow)
        MHD_add_response_header(resp, "Allow", r->allow);
    if (r->retry_after > 0) {
        char ra[16];
        snprintf(ra, sizeof(ra), "%d", r->retry_after);
        MHD_add_response_header(resp, "Retry-After", ra);
    }
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s); /* keep the raw path: segments are decoded one by one */
}

/* rebuild the raw query string from the (not unescaped) GET arguments */
typedef struct qbuf {
    char *s;
    size_t len, cap;
} qbuf;

static void qb_add(qbuf *q, const char *s)
{
    size_t n = strlen(s);
    if (q->len + n + 1 > q->cap) {
        size_t nc = (q->len + n + 1) * 2;
        char *ns = realloc(q->s, nc);
        if (!ns)
            return;
        q->s = ns;
        q->cap = nc;
    }
    memcpy(q->s + q->len, s, n + 1);
    q->len += n;
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    qbuf *q = cls;
    if (q->len)
        qb_add(q, "&");
    qb_add(q, key);
    if (value) {
        qb_add(q, "=");
        qb_add(q, value);
    }
    return MHD_YES;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)cls;
    (void)version;
    conn_ctx *ctx = *con_cls;
    if (!ctx) {
        ctx = calloc(1, sizeof(*ctx));
        if (!ctx)
            return MHD_NO;
        *con_cls = ctx;
        ctx->t0 = sbx_wall_ms();
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > SBX_MAX_BODY)
            ctx->too_large = 1;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (ctx->too_large || ctx->len + n > SBX_MAX_BODY) {
            ctx->too_large = 1;
            return MHD_YES;
        }
        if (ctx->len + n + 1 > ctx->cap) {
            size_t nc = (ctx->len + n + 1) * 2;
            char *nb = realloc(ctx->body, nc);
            if (!nb)
                return MHD_NO;
            ctx->body = nb;
            ctx->cap = nc;
        }
        memcpy(ctx->body + ctx->len, upload_data, n);
        ctx->len += n;
        ctx->body[ctx->len] = '\0';
        return MHD_YES;
    }

    sbx_response r = {0};
    const char *fault = NULL, *note = NULL;
    int truncate = 0, answered = 1;
    qbuf q = {0};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &q);
    if (ctx->too_large) {
        sbx_reply_error(&r, 413, "PayloadTooLarge", "Request body is too large");
        goto send;
    }
    int admin = strncmp(url, "/_sandbox/", 10) == 0; /* no latency or faults */
    if (cfg.latency_ms > 0 && !admin)
        sleep_ms(cfg.latency_ms);

    /* fault injection: one draw per request, deterministic for a given --random-seed */
    if (!admin && cfg.fault_429 + cfg.fault_5xx + cfg.fault_drop + cfg.fault_truncate > 0) {
        pthread_mutex_lock(&fault_lock);
        double u = sbx_rand_unit(&fault_rng);
        double v = sbx_rand_unit(&fault_rng);
        pthread_mutex_unlock(&fault_lock);
        double a = cfg.fault_429, b = a + cfg.fault_5xx, d = b + cfg.fault_drop,
               t = d + cfg.fault_truncate;
        if (u < a) {
            sbx_reply_error(&r, 429, "TooManyRequests",
                            "Rate limit exceeded. Please retry after 1 second");
            r.retry_after = 1;
            fault = "rate limit";
        } else if (u < b) {
            int s503 = v < 0.5;
            sbx_reply_error(&r, s503 ? 503 : 500,
                            s503 ? "ServiceUnavailable" : "InternalServerError",
                            s503 ? "Service temporarily unavailable" : "Internal server error");
            fault = s503 ? "server error 503" : "server error 500";
        } else if (u < d) {
            answered = 0; /* drop the connection without an answer */
            fault = "drop";
            goto send;
        } else if (u < t) {
            truncate = 1;
            fault = "truncate";
        }
        if (r.body)
            goto send;
    }

    {
        /* any Basic credential by default; exactly --api-key/--api-secret when given */
        const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
        int ok = expected_auth ? auth && strcmp(auth, expected_auth) == 0
                               : auth && strncasecmp(auth, "Basic ", 6) == 0 && auth[6];
        if (!ok) {
            sbx_reply_error(&r, 401, "AuthFailed",
                            "Authentication failed: missing or invalid API key and secret");
            note = auth ? "wrong credentials" : "no Authorization header";
            truncate = 0; /* an answer that is not sent truncated */
            fault = NULL;
            goto send;
        }
    }

    sbx_handle(method, url, q.s, ctx->body, ctx->len, &r);
send:
    if (cfg.verbose) {
        unsigned long long n = __atomic_add_fetch(&request_count, 1, __ATOMIC_RELAXED);
        sbx_access_log(n, method, url, q.s, answered ? r.status : 0,
                       (long long)(sbx_wall_ms() - ctx->t0), cfg.latency_ms, fault, note);
    }
    free(q.s);
    enum MHD_Result rc = answered ? send_json(c, &r, truncate) : MHD_NO;
    free(r.body);
    return rc;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    conn_ctx *ctx = *con_cls;
    if (ctx) {
        free(ctx->body);
        free(ctx);
        *con_cls = NULL;
    }
}

static void usage(FILE *f)
{
    fputs("Usage: fivetrex-sandbox [options]\n"
          "A local simulator of the Fivetran REST API on 127.0.0.1.\n"
          "The first line of standard output is the base URL, e.g. "
          "http://127.0.0.1:40123/v1\n\n"
          "  --port N                  port to listen on (0 = pick a free one; default 0)\n"
          "  --api-key K --api-secret S  require HTTP Basic auth with these credentials\n"
          "  --api-secret-file FILE    the secret from FILE's first line (not seen in ps)\n"
          "                            key and secret also from FIVETREX_SANDBOX_API_KEY and\n"
          "                            FIVETREX_SANDBOX_API_SECRET; the command line wins,\n"
          "                            then the file, then the environment\n"
          "  --tls-cert FILE --tls-key FILE  serve HTTPS with this PEM certificate and key\n"
          "  --seed FILE|demo          load state from a JSON seed file or the demo account\n"
          "  --state FILE              keep the state in FILE: load it at start when it\n"
          "                            exists (else start from the seed), save it after\n"
          "                            each change and on exit\n"
          "  --clock RFC3339           start with the sandbox clock fixed at this time\n"
          "                            (e.g. 2026-01-01T00:00:00Z; see /_sandbox/clock)\n"
          "  --synthetic-connections N add N synthetic connections (up to 2000000)\n"
          "  --sync-duration-ms N      how long a sync runs (default 3000)\n"
          "  --latency-ms N            delay every response by N ms\n"
          "  --fault-rate-429 P        answer 429 (Retry-After: 1) with probability P\n"
          "  --fault-rate-5xx P        answer 500/503 with probability P\n"
          "  --fault-drop P            close the connection without answering (probability P)\n"
          "  --fault-truncate P        send only half of the response body (probability P)\n"
          "  --random-seed N           seed for ids and faults (default 1)\n"
          "  --threads N               HTTP worker threads (default 4)\n"
          "  --paused-sync MODE        POST /sync on a paused connection: 409 (default), 400\n"
          "                            or noop (200 without starting a sync)\n"
          "  --no-webhook-verify       do not send the test POST on webhook create/activation\n"
          "  --verbose                 log every request (status, time, injected fault) and\n"
          "                            webhook delivery to stderr, one line each\n"
          "  --help                    show this help\n",
          f);
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || !*s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_prob(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || v < 0 || v > 1)
        return -1;
    *out = v;
    return 0;
}

static int known_option(const char *a)
{
    static const char *const opts[] = {"--port",
                                       "--api-key",
                                       "--api-secret",
                                       "--api-secret-file",
                                       "--tls-cert",
                                       "--tls-key",
                                       "--seed",
                                       "--synthetic-connections",
                                       "--sync-duration-ms",
                                       "--latency-ms",
                                       "--fault-rate-429",
                                       "--fault-rate-5xx",
                                       "--fault-drop",
                                       "--fault-truncate",
                                       "--random-seed",
                                       "--threads",
                                       "--paused-sync",
                                       "--state",
                                       "--clock"};
    for (size_t i = 0; i < sizeof(opts) / sizeof(*opts); i++)
        if (strcmp(a, opts[i]) == 0)
            return 1;
    return 0;
}

static int parse_args(int argc, char **argv)
{
    cfg.sync_ms = 3000;
    cfg.random_seed = 1;
    cfg.threads = 4;
    cfg.paused_sync_status = 409;
    cfg.verify_webhooks = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        int used = 1, bad = 0;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else if (strcmp(a, "--verbose") == 0) {
            cfg.verbose = 1;
            used = 0;
        } else if (strcmp(a, "--no-webhook-verify") == 0) {
            cfg.verify_webhooks = 0;
            used = 0;
        } else if (!known_option(a)) {
            fprintf(stderr, "fivetrex-sandbox: unknown option %s (see --help)\n", a);
            return -1;
        } else if (!v) {
            fprintf(stderr, "fivetrex-sandbox: %s needs a value (see --help)\n", a);
            return -1;
        } else if (strcmp(a, "--port") == 0) {
            bad = parse_long(v, 0, 65535, &n);
            cfg.port = (unsigned)n;
        } else if (strcmp(a, "--api-key") == 0) {
            cfg.api_key = v;
        } else if (strcmp(a, "--api-secret") == 0) {
            cfg.api_secret = v;
        } else if (strcmp(a, "--api-secret-file") == 0) {
            cfg.api_secret_file = v;
        } else if (strcmp(a, "--tls-cert") == 0) {
            cfg.tls_cert = v;
        } else if (strcmp(a, "--tls-key") == 0) {
            cfg.tls_key = v;
        } else if (strcmp(a, "--seed") == 0) {
            cfg.seed = v;
        } else if (strcmp(a, "--state") == 0) {
            cfg.state_file = v;
            bad = !*v;
        } else if (strcmp(a, "--clock") == 0) {
            bad = sbx_parse_ts(v, &cfg.clock_ms) != 0 || cfg.clock_ms < 0; /* not before 1970 */
            cfg.clock_set = 1;
        } else if (strcmp(a, "--synthetic-connections") == 0) {
            bad = parse_long(v, 0, 2000000, &cfg.synthetic);
        } else if (strcmp(a, "--sync-duration-ms") == 0) {
            bad = parse_long(v, 0, 86400000, &cfg.sync_ms);
        } else if (strcmp(a, "--latency-ms") == 0) {
            bad = parse_long(v, 0, 600000, &cfg.latency_ms);
        } else if (strcmp(a, "--fault-rate-429") == 0) {
            bad = parse_prob(v, &cfg.fault_429);
        } else if (strcmp(a, "--fault-rate-5xx") == 0) {
            bad = parse_prob(v, &cfg.fault_5xx);
        } else if (strcmp(a, "--fault-drop") == 0) {
            bad = parse_prob(v, &cfg.fault_drop);
        } else if (strcmp(a, "--fault-truncate") == 0) {
            bad = parse_prob(v, &cfg.fault_truncate);
        } else if (strcmp(a, "--random-seed") == 0) {
            char *end;
            errno = 0;
            cfg.random_seed = strtoull(v, &end, 10);
            bad = errno || !*v || *end;
        } else if (strcmp(a, "--threads") == 0) {
            bad = parse_long(v, 1, 256, &n);
            cfg.threads = (unsigned)n;
        } else if (strcmp(a, "--paused-sync") == 0) {
            if (strcmp(v, "409") == 0)
                cfg.paused_sync_status = 409;
            else if (strcmp(v, "400") == 0)
                cfg.paused_sync_status = 400;
            else if (strcmp(v, "noop") == 0)
                cfg.paused_sync_status = 0;
            else
                bad = 1;
        } else {
            fprintf(stderr, "fivetrex-sandbox: unknown option %s (see --help)\n", a);
            return -1;
        }
        if (bad) {
            fprintf(stderr, "fivetrex-sandbox: invalid value for %s\n", a);
            return -1;
        }
        i += used;
    }
    if (!cfg.tls_cert != !cfg.tls_key) {
        fprintf(stderr, "fivetrex-sandbox: --tls-cert and --tls-key go together\n");
        return -1;
    }
    if (cfg.fault_429 + cfg.fault_5xx + cfg.fault_drop + cfg.fault_truncate > 1) {
        fprintf(stderr, "fivetrex-sandbox: the fault rates add up to more than 1\n");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    char err[512];
    char *file_secret = NULL, *tls_cert = NULL, *tls_key = NULL;
    if (parse_args(argc, argv) != 0)
        return 2;
    if (sbx_access_credentials(&cfg, &file_secret, err, sizeof(err)) != 0) {
        fprintf(stderr, "fivetrex-sandbox: %s\n", err);
        return 2;
    }
    if (cfg.tls_cert && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        fprintf(stderr, "fivetrex-sandbox: this libmicrohttpd has no TLS support (built without "
                        "GnuTLS): --tls-cert/--tls-key cannot be used\n");
        free(file_secret);
        return 1;
    }
    if (cfg.tls_cert && sbx_access_tls_load(&cfg, &tls_cert, &tls_key, err, sizeof(err)) != 0) {
        fprintf(stderr, "fivetrex-sandbox: %s\n", err);
        free(file_secret);
        return 2;
    }
    fault_rng = cfg.random_seed ^ 0xFA017FA017ULL;
    if (cfg.api_key) {
        char *kv = sbx_printf("%s:%s", cfg.api_key, cfg.api_secret);
        char *b64 = kv ? sbx_b64_encode((const unsigned char *)kv, strlen(kv)) : NULL;
        expected_auth = b64 ? sbx_printf("Basic %s", b64) : NULL;
        free(kv);
        free(b64);
        free(file_secret); /* the secret lives on only inside expected_auth */
        file_secret = NULL;
        cfg.api_secret = NULL;
        if (!expected_auth)
            return 1;
    }

    /* signals are taken by sigwait in the main thread only */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);

    if (cfg.clock_set)
        sbx_clock_fix(cfg.clock_ms);
    if (sbx_store_init(&cfg, err, sizeof(err)) != 0 ||
        (cfg.seed && sbx_seed_load(cfg.seed, err, sizeof(err)) != 0) ||
        sbx_persist_init(cfg.state_file, err, sizeof(err)) != 0) {
        fprintf(stderr, "fivetrex-sandbox: %s\n", err);
        sbx_persist_free();
        sbx_store_free();
        free(tls_cert);
        free(tls_key);
        return 1;
    }

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)cfg.port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_OptionItem tls_opts[] = {
        {tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, tls_cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, tls_key},
        {MHD_OPTION_END, 0, NULL}};
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | (cfg.verbose ? MHD_USE_ERROR_LOG : 0) |
            (tls_cert ? MHD_USE_TLS : 0),
        (uint16_t)cfg.port, NULL, NULL, on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER,
        sbx_access_mhd_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)cfg.threads, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, NULL, MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned int)1000, MHD_OPTION_ARRAY, tls_opts, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "fivetrex-sandbox: cannot listen on 127.0.0.1:%u%s\n", cfg.port,
                tls_cert ? " with TLS" : "");
        sbx_persist_free();
        sbx_store_free();
        free(tls_cert);
        free(tls_key);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = info ? info->port : cfg.port;
    if (sbx_deliver_start(cfg.verbose) != 0 || sbx_ticker_start() != 0) {
        fprintf(stderr, "fivetrex-sandbox: cannot start threads\n");
        MHD_stop_daemon(d);
        return 1;
    }
    printf("%s://127.0.0.1:%u/v1\n", tls_cert ? "https" : "http", port);
    fflush(stdout);

    int sig = 0;
    sigwait(&set, &sig);
    if (cfg.verbose)
        fprintf(stderr, "fivetrex-sandbox: stopping (signal %d)\n", sig);

    MHD_stop_daemon(d);
    sbx_ticker_stop();
    int rc = sbx_persist_flush(1) == 0 ? 0 : 1; /* the state on exit */
    sbx_deliver_stop();
    sbx_persist_free();
    sbx_store_free();
    free(expected_auth);
    free(tls_cert);
    free(tls_key);
    curl_global_cleanup();
    return rc;
}
