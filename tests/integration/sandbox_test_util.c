/* Helpers for the sandbox's own integration tests. */
#include "sandbox_test_util.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <microhttpd.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

void sbt_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

json_t *sbt_call_auth(sandbox_proc *sb, const char *userpwd, const char *method, long expect,
                      const char *body, const char *path)
{
    long status = 0;
    char *resp = NULL;
    int rc = sandbox_request(sandbox_url(sb), method, path, body, userpwd, &status, &resp);
    if (rc != 0 || status != expect)
        fprintf(stderr, "%s %s -> %ld (expected %ld): %s\n", method, path, status, expect,
                resp ? resp : "(transport error)");
    assert_int_equal(rc, 0);
    assert_int_equal(status, expect);
    json_error_t je;
    json_t *j = json_loads(resp, 0, &je);
    if (!j)
        fprintf(stderr, "not JSON: %s\n", resp);
    free(resp);
    assert_non_null(j);
    assert_true(json_is_object(j));
    assert_true(json_is_string(json_object_get(j, "code")));
    return j;
}

json_t *sbt_call(sandbox_proc *sb, const char *method, long expect, const char *body,
                 const char *path_fmt, ...)
{
    char path[2048];
    va_list ap;
    va_start(ap, path_fmt);
    vsnprintf(path, sizeof(path), path_fmt, ap);
    va_end(ap);
    return sbt_call_auth(sb, NULL, method, expect, body, path);
}

void sbt_assert_error(json_t *j, const char *code)
{
    assert_string_equal(json_string_value(json_object_get(j, "code")), code);
    assert_true(json_is_string(json_object_get(j, "message")));
    assert_true(strlen(json_string_value(json_object_get(j, "message"))) > 0);
    assert_null(json_object_get(j, "data"));
    assert_int_equal(json_object_size(j), 2);
}

json_t *sbt_data(json_t *j)
{
    assert_string_equal(json_string_value(json_object_get(j, "code")), "Success");
    json_t *d = json_object_get(j, "data");
    assert_non_null(d);
    return d;
}

const char *sbt_str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

int sbt_is_ts(const char *s)
{
    if (!s || strlen(s) != 24)
        return 0;
    const char *pat = "dddd-dd-ddTdd:dd:dd.dddZ";
    for (size_t i = 0; i < 24; i++) {
        if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pat[i])
            return 0;
    }
    return 1;
}

int sbt_is_id(const char *s)
{
    if (!s || !*s || s[0] == '_' || s[strlen(s) - 1] == '_' || !strchr(s, '_'))
        return 0;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && *s != '_')
            return 0;
    return 1;
}

json_t *sbt_wait_sync_state(sandbox_proc *sb, const char *id, const char *state, int timeout)
{
    json_t *j = NULL;
    for (int waited = 0;; waited += 10) {
        json_decref(j);
        j = sbt_call(sb, "GET", 200, NULL, "/connections/%s", id);
        const char *s = sbt_str(json_object_get(sbt_data(j), "status"), "sync_state");
        if ((s && strcmp(s, state) == 0) || waited >= timeout)
            return j;
        sbt_sleep_ms(10);
    }
}

void sbt_hmac_hex(const char *secret, const char *body, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)body, strlen(body), md,
         &n);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02X", md[i]);
}

/* ---- receiver ---- */
struct sbt_receiver {
    struct MHD_Daemon *d;
    char url[128];
    int answer;
    pthread_mutex_t lock;
    sbt_delivery *items;
    size_t n, cap;
};

typedef struct rx_ctx {
    char *body;
    size_t len;
} rx_ctx;

static char *dup_or_null(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static enum MHD_Result rx_handler(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    (void)url;
    (void)method;
    (void)version;
    sbt_receiver *r = cls;
    rx_ctx *ctx = *con_cls;
    if (!ctx) {
        ctx = calloc(1, sizeof(*ctx));
        *con_cls = ctx;
        return ctx ? MHD_YES : MHD_NO;
    }
    if (*size) {
        char *nb = realloc(ctx->body, ctx->len + *size + 1);
        if (!nb)
            return MHD_NO;
        memcpy(nb + ctx->len, data, *size);
        ctx->body = nb;
        ctx->len += *size;
        ctx->body[ctx->len] = '\0';
        *size = 0;
        return MHD_YES;
    }
    sbt_delivery d = {
        dup_or_null(ctx->body ? ctx->body : ""),
        dup_or_null(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Fivetran-Signature-256")),
        dup_or_null(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type"))};
    pthread_mutex_lock(&r->lock);
    if (r->n == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 16;
        sbt_delivery *ni = realloc(r->items, nc * sizeof(*ni));
        if (ni) {
            r->items = ni;
            r->cap = nc;
        }
    }
    if (r->n < r->cap)
        r->items[r->n++] = d;
    else
        sbt_delivery_free(&d);
    pthread_mutex_unlock(&r->lock);
    static const char ok[] = "ok";
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(2, (void *)(uintptr_t)ok, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)r->answer, resp);
    MHD_destroy_response(resp);
    return rc;
}

static void rx_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    rx_ctx *ctx = *con_cls;
    if (ctx) {
        free(ctx->body);
        free(ctx);
    }
    *con_cls = NULL;
}

sbt_receiver *sbt_receiver_start(int status_to_answer)
{
    sbt_receiver *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->answer = status_to_answer;
    pthread_mutex_init(&r->lock, NULL);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    r->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, rx_handler, r,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                            MHD_OPTION_NOTIFY_COMPLETED, rx_done, NULL, MHD_OPTION_END);
    if (!r->d) {
        free(r);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(r->d, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(r->url, sizeof(r->url), "http://127.0.0.1:%u/hook", info ? info->port : 0);
    return r;
}

const char *sbt_receiver_url(const sbt_receiver *r)
{
    return r->url;
}

size_t sbt_receiver_count(sbt_receiver *r)
{
    pthread_mutex_lock(&r->lock);
    size_t n = r->n;
    pthread_mutex_unlock(&r->lock);
    return n;
}

size_t sbt_receiver_wait(sbt_receiver *r, size_t n, int timeout)
{
    for (int waited = 0; waited < timeout; waited += 10) {
        if (sbt_receiver_count(r) >= n)
            break;
        sbt_sleep_ms(10);
    }
    return sbt_receiver_count(r);
}

sbt_delivery sbt_receiver_get(sbt_receiver *r, size_t i)
{
    sbt_delivery d = {NULL, NULL, NULL};
    pthread_mutex_lock(&r->lock);
    if (i < r->n) {
        d.body = dup_or_null(r->items[i].body);
        d.signature = dup_or_null(r->items[i].signature);
        d.content_type = dup_or_null(r->items[i].content_type);
    }
    pthread_mutex_unlock(&r->lock);
    return d;
}

void sbt_delivery_free(sbt_delivery *d)
{
    free(d->body);
    free(d->signature);
    free(d->content_type);
    d->body = d->signature = d->content_type = NULL;
}

void sbt_receiver_stop(sbt_receiver *r)
{
    if (!r)
        return;
    MHD_stop_daemon(r->d);
    for (size_t i = 0; i < r->n; i++)
        sbt_delivery_free(&r->items[i]);
    free(r->items);
    pthread_mutex_destroy(&r->lock);
    free(r);
}
