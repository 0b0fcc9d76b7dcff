/*
 * The sandbox's state (groups, destinations, connections, webhooks), the sync state machine
 * and the request handlers. One global mutex guards all state; handlers run under it and
 * release it only around outbound HTTP (webhook tests).
 */
#include "router.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ------------------------------------------------------------------------------------ */
/* entities                                                                              */

typedef struct ent {
    char id[SBX_ID_MAX];
    uint64_t seq; /* creation order: the stable list order, and what cursors point at */
} ent;

typedef struct group {
    ent e;
    json_t *obj;
    long synth_slot; /* index among synthetic groups, or -1 */
} group;

typedef struct dest {
    ent e;
    json_t *obj; /* public fields without config */
    json_t *config;
} dest;

typedef struct hook {
    ent e;
    json_t *obj; /* public fields, secret masked */
    char *secret;
} hook;

typedef struct conn {
    ent e;
    long synth;      /* synthetic index, or -1 */
    json_t *obj;     /* public fields without config */
    json_t *config;  /* unmasked */
    json_t *schema;  /* schema config, NULL until captured */
    json_t *catalog; /* what the "source" offers, in schema-config shape */
    json_t *touched; /* keys "s" and "s\037t" the user changed */
    json_t *state;   /* connector state (function connectors) */
    char daily[8];
    int fail;
    int syncing;
    int64_t sync_end;
    char sync_id[37];
    int pending;   /* a sync waits for resume */
    int resched;   /* the sync is "rescheduled" until sync_end, then it starts */
    json_t *tests; /* the last setup test results, NULL until tests ran */
} conn;

typedef struct vec {
    void **v;
    size_t n, cap;
} vec;

static struct {
    pthread_mutex_t lock;
    const sbx_config *cfg;
    uint64_t rng;
    uint64_t seq;
    int64_t last_ms;
    vec groups, dests, hooks, conns; /* real (non-synthetic) entities in seq order */
    sbx_map gmap, dmap, hmap, cmap;  /* cmap also holds materialised synthetic connections */
    long nsynth, nsynth_groups;
    char (*synth_gid)[SBX_ID_MAX];
    unsigned char *synth_dead;
    vec syncing;
    pthread_t ticker;
    int ticker_stop, ticker_started;
} S = {.lock = PTHREAD_MUTEX_INITIALIZER};

#define SYNTH_BASE_MS 1735689600000LL /* 2025-01-01T00:00:00Z */
#define SYNTH_MAX     2000000L

static const char *const synth_services[] = {"postgres",
                                             "salesforce",
                                             "google_analytics_4",
                                             "mysql",
                                             "hubspot",
                                             "stripe",
                                             "shopify",
                                             "zendesk",
                                             "google_sheets",
                                             "netsuite_suiteanalytics",
                                             "snowflake_db",
                                             "jira"};
#define N_SYNTH_SERVICES (sizeof(synth_services) / sizeof(synth_services[0]))

static const int freqs[] = {1, 5, 15, 30, 60, 120, 180, 360, 480, 720, 1440};
static const char *const tz_offsets[] = {"-11", "-10", "-9", "-8", "-7", "-6",  "-5",  "-4",
                                         "-3",  "-2",  "-1", "0",  "+1", "+2",  "+3",  "+4",
                                         "+5",  "+6",  "+7", "+8", "+9", "+10", "+11", "+12"};

/* ---- vec ---- */
static int vec_push(vec *v, void *p)
{
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 16;
        void **nv = realloc(v->v, nc * sizeof(*nv));
        if (!nv)
            return -1;
        v->v = nv;
        v->cap = nc;
    }
    v->v[v->n++] = p;
    return 0;
}

static void vec_remove(vec *v, void *p)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->v[i] == p) {
            memmove(&v->v[i], &v->v[i + 1], (v->n - i - 1) * sizeof(void *));
            v->n--;
            return;
        }
}

/* first index whose seq is greater than after (entities are in seq order) */
static size_t vec_after(const vec *v, uint64_t after)
{
    size_t lo = 0, hi = v->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (((ent *)v->v[mid])->seq <= after)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ---- time and ids ---- */
static int64_t stamp(void)
{
    int64_t t = sbx_wall_ms();
    if (t <= S.last_ms)
        t = S.last_ms + 1;
    S.last_ms = t;
    return t;
}

static json_t *ts_json(int64_t ms)
{
    char b[32];
    sbx_fmt_ts(ms, b);
    return json_string(b);
}

static void synth_id(long i, char out[SBX_ID_MAX])
{
    size_t w = sbx_word_count();
    size_t u = (size_t)i;
    snprintf(out, SBX_ID_MAX, "%s_%s_%s", sbx_word(u % w), sbx_word((u / w) % w),
             sbx_word((u / (w * w)) % w));
}

/* index of a synthetic id, or -1; alive: also require that it is not deleted */
static long synth_index(const char *id, int alive)
{
    if (!S.nsynth || !id)
        return -1;
    const char *a = id, *b = strchr(a, '_');
    if (!b)
        return -1;
    const char *c = strchr(b + 1, '_');
    if (!c || strchr(c + 1, '_'))
        return -1;
    long x = sbx_word_index(a, (size_t)(b - a));
    long y = sbx_word_index(b + 1, (size_t)(c - b - 1));
    long z = sbx_word_index(c + 1, strlen(c + 1));
    if (x < 0 || y < 0 || z < 0)
        return -1;
    long w = (long)sbx_word_count();
    long i = x + y * w + z * w * w;
    if (i >= S.nsynth)
        return -1;
    if (alive && (S.synth_dead[i / 8] & (1u << (i % 8))))
        return -1;
    return i;
}

static int id_taken(const char *id)
{
    return sbx_map_get(&S.gmap, id) || sbx_map_get(&S.cmap, id) || sbx_map_get(&S.hmap, id) ||
           synth_index(id, 0) >= 0;
}

static void gen_id(char out[SBX_ID_MAX])
{
    size_t w = sbx_word_count();
    for (int attempt = 0;; attempt++) {
        int parts = attempt < 40 ? 2 : attempt < 200 ? 4 : 5;
        size_t o = 0;
        out[0] = '\0';
        for (int p = 0; p < parts; p++)
            o += (size_t)snprintf(out + o, SBX_ID_MAX - o, "%s%s", p ? "_" : "",
                                  sbx_word((size_t)(sbx_rand_next(&S.rng) % w)));
        if (!id_taken(out))
            return;
    }
}

/* ---- responses ---- */
static void set_body(sbx_response *r, int status, json_t *j)
{
    r->status = status;
    free(r->body);
    r->body = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!r->body) {
        r->status = 500;
        r->body = sbx_strdup("{\"code\":\"InternalError\",\"message\":\"Out of memory\"}");
    }
}

void sbx_reply_error(sbx_response *r, int status, const char *code, const char *message)
{
    set_body(r, status, json_pack("{s:s,s:s}", "code", code, "message", message));
}

static void reply_err(sbx_response *r, int status, const char *code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sbx_reply_error(r, status, code, msg);
}

/* data is stolen; message may be NULL */
static void reply_data(sbx_response *r, int status, const char *message, json_t *data)
{
    json_t *j = json_object();
    json_object_set_new(j, "code", json_string("Success"));
    if (message)
        json_object_set_new(j, "message", json_string(message));
    if (data)
        json_object_set_new(j, "data", data);
    set_body(r, status, j);
}

static void reply_msg(sbx_response *r, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    reply_data(r, 200, msg, NULL);
}

void sbx_reply_errf(sbx_response *r, int status, const char *code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sbx_reply_error(r, status, code, msg);
}

void sbx_reply_data(sbx_response *r, int status, const char *message, json_t *data)
{
    reply_data(r, status, message, data);
}

void sbx_reply_msg(sbx_response *r, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    reply_data(r, 200, msg, NULL);
}

/* ---- validation errors ---- */
typedef struct verr {
    int status;
    const char *code;
    char msg[1024];
} verr;

#define FAIL(e, st, cd, ...)                                                                       \
    do {                                                                                           \
        (e)->status = (st);                                                                        \
        (e)->code = (cd);                                                                          \
        snprintf((e)->msg, sizeof((e)->msg), __VA_ARGS__);                                         \
        return -1;                                                                                 \
    } while (0)

static void reply_verr(sbx_response *r, const verr *e)
{
    sbx_reply_error(r, e->status, e->code, e->msg);
}

/* ---- request ---- */
typedef sbx_req req;

static const char *qget(const req *q, const char *k)
{
    for (int i = 0; i < q->nq; i++)
        if (strcmp(q->qk[i], k) == 0)
            return q->qv[i];
    return NULL;
}

static int is_method(const req *q, const char *m)
{
    return strcmp(q->method, m) == 0;
}

/* 405 unless the method is one of allowed ("GET, PATCH") */
static int allow(req *q, const char *allowed)
{
    const char *p = allowed;
    size_t ml = strlen(q->method);
    while (*p) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == ml && strncmp(p, q->method, l) == 0)
            return 1;
        if (!e)
            break;
        p = e + 1;
        while (*p == ' ')
            p++;
    }
    q->r->allow = allowed;
    reply_err(q->r, 405, "MethodNotAllowed", "HTTP 405 Method Not Allowed");
    return 0;
}

static int body_json(req *q, json_t **out, int required)
{
    return sbx_body_json(q, out, required);
}

/* field readers: 1 present and valid, 0 absent (or null), -1 invalid (e filled) */
static int f_str(json_t *o, const char *k, const char **out, int required, verr *e)
{
    json_t *v = o ? json_object_get(o, k) : NULL;
    if (!v || json_is_null(v)) {
        if (required)
            FAIL(e, 400, "InvalidInput", "Field '%s' is required", k);
        return 0;
    }
    if (!json_is_string(v))
        FAIL(e, 400, "InvalidInput", "Field '%s' must be a string", k);
    if (required && !*json_string_value(v))
        FAIL(e, 400, "InvalidInput", "Field '%s' is required", k);
    *out = json_string_value(v);
    return 1;
}

static int f_bool(json_t *o, const char *k, int *out, verr *e)
{
    json_t *v = o ? json_object_get(o, k) : NULL;
    if (!v || json_is_null(v))
        return 0;
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 1;
    }
    if (json_is_string(v) &&
        (strcmp(json_string_value(v), "true") == 0 || strcmp(json_string_value(v), "false") == 0)) {
        *out = strcmp(json_string_value(v), "true") == 0;
        return 1;
    }
    FAIL(e, 400, "InvalidInput", "Field '%s' must be a boolean", k);
}

static int f_int(json_t *o, const char *k, long *out, verr *e)
{
    json_t *v = o ? json_object_get(o, k) : NULL;
    if (!v || json_is_null(v))
        return 0;
    if (json_is_integer(v)) {
        *out = (long)json_integer_value(v);
        return 1;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        long x = strtol(s, &end, 10);
        if (*s && !*end) {
            *out = x;
            return 1;
        }
    }
    FAIL(e, 400, "InvalidInput", "Field '%s' must be an integer", k);
}

static int f_obj(json_t *o, const char *k, json_t **out, verr *e)
{
    json_t *v = o ? json_object_get(o, k) : NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_object(v))
        FAIL(e, 400, "InvalidInput", "Field '%s' must be an object", k);
    *out = v;
    return 1;
}

static int f_enum(json_t *o, const char *k, const char *const *vals, size_t n, const char **out,
                  verr *e)
{
    const char *s = NULL;
    int rc = f_str(o, k, &s, 0, e);
    if (rc <= 0)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, vals[i]) == 0) {
            *out = s;
            return 1;
        }
    FAIL(e, 400, "InvalidInput", "Invalid value '%s' for field '%s'", s, k);
}

/* ---- secrets ---- */
static int secret_key(const char *k)
{
    static const char *const pats[] = {"password", "secret",     "token",     "private_key",
                                       "api_key",  "access_key", "passphrase"};
    char low[128];
    size_t i = 0;
    for (; k[i] && i < sizeof(low) - 1; i++)
        low[i] = (char)tolower((unsigned char)k[i]);
    low[i] = '\0';
    for (size_t p = 0; p < sizeof(pats) / sizeof(pats[0]); p++)
        if (strstr(low, pats[p]))
            return 1;
    return 0;
}

static json_t *masked(json_t *v)
{
    if (json_is_object(v)) {
        json_t *o = json_object();
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            if (secret_key(k) && (json_is_string(x) || json_is_number(x)))
                json_object_set_new(o, k, json_string("******"));
            else
                json_object_set_new(o, k, masked(x));
        }
        return o;
    }
    if (json_is_array(v)) {
        json_t *a = json_array();
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) json_array_append_new(a, masked(x));
        return a;
    }
    return json_deep_copy(v);
}

/* deep merge src into dst (objects merge, everything else replaces) */
static void merge(json_t *dst, json_t *src)
{
    const char *k;
    json_t *v;
    json_object_foreach(src, k, v)
    {
        json_t *d = json_object_get(dst, k);
        if (json_is_object(d) && json_is_object(v))
            merge(d, v);
        else
            json_object_set_new(dst, k, json_deep_copy(v));
    }
}

/* ------------------------------------------------------------------------------------ */
/* paging                                                                                */

typedef struct page {
    long limit;
    uint64_t after;
} page;

static int page_parse(req *q, page *p)
{
    p->limit = 100;
    p->after = 0;
    const char *l = qget(q, "limit");
    if (l) {
        char *end;
        long v = strtol(l, &end, 10);
        if (!*l || *end || v < 1 || v > 1000) {
            reply_err(q->r, 400, "InvalidInput",
                      "Invalid value '%s' for 'limit': expected an integer from 1 to 1000", l);
            return -1;
        }
        p->limit = v;
    }
    const char *c = qget(q, "cursor");
    if (c && *c) {
        size_t n = 0;
        unsigned char *raw = sbx_b64url_decode(c, &n);
        json_t *j = raw ? json_loadb((const char *)raw, n, 0, NULL) : NULL;
        free(raw);
        json_t *a = json_object_get(j, "after");
        if (!json_is_integer(a) || json_integer_value(a) < 0) {
            json_decref(j);
            reply_err(q->r, 400, "InvalidInput", "Invalid cursor '%s'", c);
            return -1;
        }
        p->after = (uint64_t)json_integer_value(a);
        json_decref(j);
    }
    return 0;
}

static json_t *cursor_json(uint64_t seq)
{
    char buf[64];
    int n = snprintf(buf, sizeof(buf), "{\"after\":%llu}", (unsigned long long)seq);
    char *c = sbx_b64url_encode((const unsigned char *)buf, (size_t)n);
    json_t *j = json_string(c ? c : "");
    free(c);
    return j;
}

typedef json_t *(*render_fn)(void *ent, void *ud); /* NULL: filtered out */

static void reply_page(req *q, const page *p, vec *v, render_fn fn, void *ud)
{
    json_t *items = json_array();
    json_t *data = json_object();
    uint64_t last = 0;
    long count = 0;
    int more = 0;
    for (size_t i = vec_after(v, p->after); i < v->n; i++) {
        json_t *it = fn(v->v[i], ud);
        if (!it)
            continue;
        if (count == p->limit) {
            json_decref(it);
            more = 1;
            break;
        }
        json_array_append_new(items, it);
        last = ((ent *)v->v[i])->seq;
        count++;
    }
    json_object_set_new(data, "items", items);
    if (more)
        json_object_set_new(data, "next_cursor", cursor_json(last));
    reply_data(q->r, 200, NULL, data);
}

/* ------------------------------------------------------------------------------------ */
/* groups and destinations                                                               */

static group *group_find(const char *id)
{
    return sbx_map_get(&S.gmap, id);
}

static group *group_add(const char *id, const char *name, int64_t created)
{
    group *g = calloc(1, sizeof(*g));
    if (!g)
        return NULL;
    if (id)
        snprintf(g->e.id, SBX_ID_MAX, "%s", id);
    else
        gen_id(g->e.id);
    g->e.seq = ++S.seq;
    g->synth_slot = -1;
    g->obj = json_pack("{s:s,s:s,s:o}", "id", g->e.id, "name", name, "created_at",
                       ts_json(created ? created : stamp()));
    vec_push(&S.groups, g);
    sbx_map_put(&S.gmap, g->e.id, g);
    return g;
}

static json_t *group_render(void *p, void *ud)
{
    (void)ud;
    return json_deep_copy(((group *)p)->obj);
}

static dest *dest_find(const char *id)
{
    return sbx_map_get(&S.dmap, id);
}

static json_t *dest_render(dest *d, int with_config)
{
    json_t *o = json_deep_copy(d->obj);
    if (with_config)
        json_object_set_new(o, "config", masked(d->config));
    return o;
}

static json_t *with_lpa_alias(json_t *o);

static json_t *dest_render_list(void *p, void *ud)
{
    (void)ud;
    return with_lpa_alias(dest_render(p, 0));
}

/* setup test results; when fail, the last step FAILED and carries `details` (stolen; the API
 * sends a string or a list there) */
static json_t *setup_tests(const char *const *titles, size_t n, int fail, json_t *details)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        int f = fail && i == n - 1;
        json_t *t =
            json_pack("{s:s,s:s,s:s}", "title", titles[i], "status", f ? "FAILED" : "PASSED",
                      "message", f ? "Sandbox: configured to fail" : "");
        if (f && details)
            json_object_set(t, "details", details);
        json_array_append_new(a, t);
    }
    json_decref(details);
    return a;
}

static json_t *dest_tests(dest *d)
{
    static const char *const t[] = {"Host Connection", "Database Connection", "Permission Test"};
    int fail = json_is_true(json_object_get(d->config, "sandbox_fail"));
    json_object_set_new(d->obj, "setup_status", json_string(fail ? "broken" : "connected"));
    return setup_tests(t, 3, fail,
                       json_string("Sandbox: the destination's config has sandbox_fail: true"));
}

static void conn_delete(struct conn *c);
static void synth_kill(long i);

static void group_delete(group *g)
{
    /* cascade: connections, destination, group webhooks */
    for (size_t i = S.conns.n; i-- > 0;) {
        conn *c = S.conns.v[i];
        if (strcmp(json_string_value(json_object_get(c->obj, "group_id")), g->e.id) == 0)
            conn_delete(c);
    }
    if (g->synth_slot >= 0)
        for (long i = g->synth_slot; i < S.nsynth; i += S.nsynth_groups)
            synth_kill(i);
    dest *d = dest_find(g->e.id);
    if (d) {
        sbx_coll_forget("destinations", d->e.id);
        sbx_map_del(&S.dmap, d->e.id);
        vec_remove(&S.dests, d);
        json_decref(d->obj);
        json_decref(d->config);
        free(d);
    }
    for (size_t i = S.hooks.n; i-- > 0;) {
        hook *h = S.hooks.v[i];
        const char *hg = json_string_value(json_object_get(h->obj, "group_id"));
        if (hg && strcmp(hg, g->e.id) == 0) {
            sbx_map_del(&S.hmap, h->e.id);
            vec_remove(&S.hooks, h);
            json_decref(h->obj);
            free(h->secret);
            free(h);
        }
    }
    sbx_coll_forget("groups", g->e.id);
    sbx_map_del(&S.gmap, g->e.id);
    vec_remove(&S.groups, g);
    json_decref(g->obj);
    free(g);
}

/* The link/agent ids a connection or destination create/PATCH may carry: each a string, or
 * null to clear it. The sandbox serves no private links or agents, so any id is accepted. */
static const char *const link_ids[] = {"private_link_id", "proxy_agent_id",
                                       "hybrid_deployment_agent_id", "external_secrets_manager_id"};
#define N_CONN_LINK_IDS 3 /* connections: the first three; destinations: all four */

static int check_link_ids(json_t *b, size_t n, verr *e)
{
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_object_get(b, link_ids[i]);
        if (v && !json_is_null(v) && !json_is_string(v))
            FAIL(e, 400, "InvalidInput", "Field '%s' must be a string", link_ids[i]);
    }
    return 0;
}

/* store the ids present in b (null clears) on obj */
static void apply_link_ids(json_t *obj, json_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_object_get(b, link_ids[i]);
        if (v)
            json_object_set_new(obj, link_ids[i],
                                json_is_string(v) ? json_string(json_string_value(v))
                                                  : json_null());
    }
}

/* list items also carry the deprecated alias of hybrid_deployment_agent_id */
static json_t *with_lpa_alias(json_t *o)
{
    json_t *h = json_object_get(o, "hybrid_deployment_agent_id");
    json_object_set_new(o, "local_processing_agent_id", h ? json_incref(h) : json_null());
    return o;
}

static int check_tz(json_t *b, const char **tz, int required, verr *e)
{
    return f_enum(b, "time_zone_offset", tz_offsets, sizeof(tz_offsets) / sizeof(*tz_offsets), tz,
                  e) < 0
               ? -1
           : (required && !*tz)
               ? (e->status = 400, e->code = "InvalidInput",
                  snprintf(e->msg, sizeof(e->msg), "Field 'time_zone_offset' is required"), -1)
               : 0;
}

/* create or seed a destination; tests: run setup tests (fills *tests) */
static int dest_build(json_t *b, int seed, dest **out, json_t **tests, verr *e)
{
    const char *gid = NULL, *service = NULL, *tz = NULL, *region = NULL, *nm = NULL;
    json_t *config = NULL;
    int rst = 1, dst = 0;
    if (f_str(b, "group_id", &gid, 1, e) < 0 || f_str(b, "service", &service, 1, e) < 0 ||
        check_tz(b, &tz, !seed, e) < 0 || f_str(b, "region", &region, 0, e) < 0 ||
        f_obj(b, "config", &config, e) < 0 || f_bool(b, "run_setup_tests", &rst, e) < 0 ||
        f_bool(b, "daylight_saving_time_enabled", &dst, e) < 0 ||
        f_str(b, "networking_method", &nm, 0, e) < 0 || check_link_ids(b, 4, e) < 0)
        return -1;
    if (!group_find(gid))
        FAIL(e, 404, "NotFound_Group", "Cannot find entity 'Group' with id '%s'", gid);
    if (dest_find(gid))
        FAIL(e, 409, "Conflict", "Destination for group '%s' already exists", gid);
    dest *d = calloc(1, sizeof(*d));
    if (!d)
        FAIL(e, 500, "InternalError", "Out of memory");
    snprintf(d->e.id, SBX_ID_MAX, "%s", gid);
    d->e.seq = ++S.seq;
    d->config = config ? json_deep_copy(config) : json_object();
    const char *status = NULL;
    if (seed)
        f_str(b, "setup_status", &status, 0, e);
    d->obj = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:n,s:n,s:n,s:n}", "id", gid, "group_id", gid, "service",
        service, "region", region ? region : "GCP_US_EAST4", "time_zone_offset", tz ? tz : "0",
        "setup_status", status ? status : "incomplete", "daylight_saving_time_enabled", dst,
        "networking_method", nm ? nm : "Directly", "private_link_id", "hybrid_deployment_agent_id",
        "proxy_agent_id", "external_secrets_manager_id");
    apply_link_ids(d->obj, b, 4);
    if (tests)
        *tests = rst && !seed ? dest_tests(d) : NULL;
    vec_push(&S.dests, d);
    sbx_map_put(&S.dmap, d->e.id, d);
    *out = d;
    return 0;
}

/* ------------------------------------------------------------------------------------ */
/* connections                                                                           */

static json_t *status_obj(const char *setup, const char *sync, int historical)
{
    return json_pack("{s:s,s:s,s:s,s:b,s:s,s:n,s:[],s:[]}", "setup_state", setup, "sync_state",
                     sync, "update_state", "on_schedule", "is_historical_sync", historical,
                     "schema_status", "ready", "rescheduled_for", "tasks", "warnings");
}

static json_t *conn_obj(const char *id, const char *gid, const char *service, const char *schema,
                        int64_t created)
{
    return json_pack("{s:s,s:s,s:s,s:i,s:s,s:s,s:o,s:n,s:n,s:b,s:b,s:i,s:n,s:s,s:s,s:n,s:n,s:"
                     "n,s:s,s:i,s:o,s:{}}",
                     "id", id, "group_id", gid, "service", service, "service_version", 1, "schema",
                     schema, "connected_by", SBX_USER_ID, "created_at", ts_json(created),
                     "succeeded_at", "failed_at", "paused", 0, "pause_after_trial", 0,
                     "sync_frequency", 360, "daily_sync_time", "schedule_type", "auto",
                     "networking_method", "Directly", "private_link_id", "proxy_agent_id",
                     "hybrid_deployment_agent_id", "data_delay_sensitivity", "NORMAL",
                     "data_delay_threshold", 0, "status", status_obj("incomplete", "scheduled", 1),
                     "source_sync_details");
}

static json_t *col_obj(const char *name, int enabled, int pk)
{
    json_t *c = json_pack("{s:s,s:b,s:b,s:b}", "name_in_destination", name, "enabled", enabled,
                          "hashed", 0, "is_primary_key", pk);
    if (pk)
        json_object_set_new(c, "enabled_patch_settings",
                            json_pack("{s:b,s:s,s:s}", "allowed", 0, "reason_code", "SYSTEM_COLUMN",
                                      "reason",
                                      "The column does not support exclusion as it is a "
                                      "Primary Key"));
    else
        json_object_set_new(c, "enabled_patch_settings", json_pack("{s:b}", "allowed", 1));
    return c;
}

static json_t *table_obj(const char *name, int enabled)
{
    return json_pack("{s:s,s:b,s:s,s:b,s:b,s:{s:b},s:{}}", "name_in_destination", name, "enabled",
                     enabled, "sync_mode", "SOFT_DELETE", "supports_columns_config", 1,
                     "supports_history_mode", 1, "enabled_patch_settings", "allowed", 1, "columns");
}

/* compact catalog {"schema":{"table":["id*","col",...]}} → schema-config shape */
static json_t *catalog_from_compact(json_t *src)
{
    json_t *schemas = json_object();
    const char *sn, *tn;
    json_t *tables, *cols;
    json_object_foreach(src, sn, tables)
    {
        json_t *s = json_pack("{s:s,s:b,s:{}}", "name_in_destination", sn, "enabled", 1, "tables");
        json_object_foreach(tables, tn, cols)
        {
            json_t *t = table_obj(tn, 1);
            size_t i;
            json_t *c;
            json_array_foreach(cols, i, c)
            {
                const char *cn = json_string_value(c);
                if (!cn || !*cn)
                    continue;
                size_t l = strlen(cn);
                int pk = cn[l - 1] == '*';
                char *name = sbx_strdup(cn);
                if (!name)
                    continue;
                if (pk)
                    name[l - 1] = '\0';
                json_object_set_new(json_object_get(t, "columns"), name, col_obj(name, 1, pk));
                free(name);
            }
            json_object_set_new(json_object_get(s, "tables"), tn, t);
        }
        json_object_set_new(schemas, sn, s);
    }
    return json_pack("{s:b,s:s,s:o}", "enable_new_by_default", 1, "schema_change_handling",
                     "ALLOW_ALL", "schemas", schemas);
}

static json_t *default_catalog(const char *service)
{
    const char *sn = strstr(service, "sql") || strstr(service, "postgres") ? "public" : service;
    json_t *src =
        json_pack("{s:{s:[s,s,s,s,s],s:[s,s,s,s,s],s:[s,s,s,s]}}", sn, "users", "id*", "email",
                  "name", "created_at", "updated_at", "orders", "id*", "user_id", "amount",
                  "status", "created_at", "events", "id*", "type", "payload", "occurred_at");
    json_t *c = catalog_from_compact(src);
    json_decref(src);
    return c;
}

static json_t *conn_render(conn *c)
{
    json_t *o = json_deep_copy(c->obj);
    long freq = (long)json_integer_value(json_object_get(o, "sync_frequency"));
    json_object_set_new(o, "daily_sync_time",
                        freq == 1440 && c->daily[0] ? json_string(c->daily) : json_null());
    json_object_set_new(o, "config", masked(c->config));
    if (c->tests)
        json_object_set_new(o, "setup_tests", json_deep_copy(c->tests));
    return o;
}

static json_t *conn_render_item(conn *c)
{
    return with_lpa_alias(conn_render(c));
}

static const char *conn_group(conn *c)
{
    return json_string_value(json_object_get(c->obj, "group_id"));
}

static json_t *status_of(conn *c)
{
    return json_object_get(c->obj, "status");
}

static void set_status(conn *c, const char *k, const char *v)
{
    json_object_set_new(status_of(c), k, json_string(v));
}

static conn *synth_make(long i)
{
    conn *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    synth_id(i, c->e.id);
    c->e.seq = (uint64_t)i + 1;
    c->synth = i;
    const char *svc = synth_services[(size_t)i % N_SYNTH_SERVICES];
    char schema[96];
    snprintf(schema, sizeof(schema), "%s_%ld", svc, i);
    int64_t created = SYNTH_BASE_MS + (int64_t)i * 1000;
    c->obj = conn_obj(c->e.id, S.synth_gid[i % S.nsynth_groups], svc, schema, created);
    json_object_set_new(c->obj, "succeeded_at", ts_json(created + 3600000));
    json_object_set_new(c->obj, "status", status_obj("connected", "scheduled", 0));
    c->config = json_pack("{s:s}", "schema", schema);
    c->touched = json_object(); /* the catalog is built lazily (catalog_of) */
    return c;
}

static json_t *catalog_of(conn *c)
{
    if (!c->catalog)
        c->catalog = default_catalog(json_string_value(json_object_get(c->obj, "service")));
    return c->catalog;
}

/* growable text buffer for the list fast path */
typedef struct tbuf {
    char *p;
    size_t len, cap;
    int oom;
} tbuf;

static void tb_add(tbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t nc = (b->len + n + 1) * 2;
        char *np = realloc(b->p, nc);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* render an untouched synthetic connection straight from its index as compact JSON text (the
 * hot path of paging a large synthetic account; ids, services and schemas need no escaping) */
static void synth_render_text(tbuf *b, long i, const char *id)
{
    const char *svc = synth_services[(size_t)i % N_SYNTH_SERVICES];
    int64_t created = SYNTH_BASE_MS + (int64_t)i * 1000;
    char c1[32], c2[32], out[1536];
    sbx_fmt_ts(created, c1);
    sbx_fmt_ts(created + 3600000, c2);
    int n = snprintf(
        out, sizeof(out),
        "{\"id\":\"%s\",\"group_id\":\"%s\",\"service\":\"%s\",\"service_version\":1,"
        "\"schema\":\"%s_%ld\",\"connected_by\":\"" SBX_USER_ID "\",\"created_at\":\"%s\","
        "\"succeeded_at\":\"%s\",\"failed_at\":null,\"paused\":false,\"pause_after_trial\":false,"
        "\"sync_frequency\":360,\"daily_sync_time\":null,\"schedule_type\":\"auto\","
        "\"networking_method\":\"Directly\",\"private_link_id\":null,\"proxy_agent_id\":null,"
        "\"hybrid_deployment_agent_id\":null,\"data_delay_sensitivity\":\"NORMAL\","
        "\"data_delay_threshold\":0,\"status\":{\"setup_state\":\"connected\","
        "\"sync_state\":\"scheduled\",\"update_state\":\"on_schedule\","
        "\"is_historical_sync\":false,\"schema_status\":\"ready\",\"rescheduled_for\":null,"
        "\"tasks\":[],\"warnings\":[]},\"source_sync_details\":{},"
        "\"config\":{\"schema\":\"%s_%ld\"},\"local_processing_agent_id\":null}",
        id, S.synth_gid[i % S.nsynth_groups], svc, svc, i, c1, c2, svc, i);
    if (n > 0 && (size_t)n < sizeof(out))
        tb_add(b, out, (size_t)n);
}

static void tb_str(tbuf *b, const char *s)
{
    tb_add(b, s, strlen(s));
}

static void tb_add_json(tbuf *b, json_t *j)
{
    char *t = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!t) {
        b->oom = 1;
        return;
    }
    tb_add(b, t, strlen(t));
    free(t);
}

static void conn_free(conn *c)
{
    json_decref(c->obj);
    json_decref(c->config);
    json_decref(c->schema);
    json_decref(c->catalog);
    json_decref(c->touched);
    json_decref(c->state);
    json_decref(c->tests);
    free(c);
}

/* find a live connection; synthetic ones are materialised (kept) when keep, else a
 * temporary copy is returned with *temp set (caller frees with conn_free) */
static conn *conn_find(const char *id, int keep, int *temp)
{
    if (temp)
        *temp = 0;
    conn *c = sbx_map_get(&S.cmap, id);
    if (c)
        return c;
    long i = synth_index(id, 1);
    if (i < 0)
        return NULL;
    c = synth_make(i);
    if (!c)
        return NULL;
    if (keep)
        sbx_map_put(&S.cmap, c->e.id, c);
    else if (temp)
        *temp = 1;
    return c;
}

static void synth_kill(long i)
{
    S.synth_dead[i / 8] = (unsigned char)(S.synth_dead[i / 8] | (1u << (i % 8)));
    char id[SBX_ID_MAX];
    synth_id(i, id);
    conn *c = sbx_map_get(&S.cmap, id);
    if (c) {
        if (c->syncing)
            vec_remove(&S.syncing, c);
        sbx_map_del(&S.cmap, id);
        conn_free(c);
    }
}

/* ---- webhook events ---- */
static int hook_matches(hook *h, const char *event, const char *gid)
{
    if (!json_is_true(json_object_get(h->obj, "active")))
        return 0;
    const char *hg = json_string_value(json_object_get(h->obj, "group_id"));
    if (hg && (!gid || strcmp(hg, gid) != 0))
        return 0;
    size_t i;
    json_t *ev;
    json_array_foreach(json_object_get(h->obj, "events"), i, ev)
    {
        const char *s = json_string_value(ev);
        if (s && (strcmp(s, event) == 0 || strcmp(s, "*") == 0))
            return 1;
    }
    return 0;
}

/* data stolen; sync_id may be NULL */
static void emit(conn *c, const char *event, const char *sync_id, json_t *data)
{
    const char *gid = conn_group(c);
    int any = 0;
    for (size_t i = 0; i < S.hooks.n && !any; i++)
        any = hook_matches(S.hooks.v[i], event, gid);
    if (!any) {
        json_decref(data);
        return;
    }
    json_t *ev = json_object();
    json_object_set_new(ev, "event", json_string(event));
    json_object_set_new(ev, "created", ts_json(stamp()));
    json_object_set(ev, "connector_type", json_object_get(c->obj, "service"));
    json_object_set_new(ev, "connector_id", json_string(c->e.id));
    json_object_set(ev, "connector_name", json_object_get(c->obj, "schema"));
    if (sync_id)
        json_object_set_new(ev, "sync_id", json_string(sync_id));
    json_object_set_new(ev, "destination_group_id", json_string(gid));
    json_object_set_new(ev, "data", data ? data : json_object());
    char *body = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    if (!body)
        return;
    for (size_t i = 0; i < S.hooks.n; i++) {
        hook *h = S.hooks.v[i];
        if (hook_matches(h, event, gid))
            sbx_deliver_enqueue(json_string_value(json_object_get(h->obj, "url")), h->secret, body);
    }
    free(body);
}

/* ---- schema capture ---- */
static int handling_enabled(const char *handling, int level /* 0 schema/table, 1 column */)
{
    if (strcmp(handling, "ALLOW_ALL") == 0)
        return 1;
    if (strcmp(handling, "ALLOW_COLUMNS") == 0)
        return level == 1;
    return 0;
}

/* bring newly discovered catalog items into the schema config */
static void schema_discover(conn *c, int exclude)
{
    if (!c->schema) {
        c->schema = json_deep_copy(catalog_of(c));
        return;
    }
    const char *handling = json_string_value(json_object_get(c->schema, "schema_change_handling"));
    if (!handling)
        handling = "ALLOW_ALL";
    json_t *dst = json_object_get(c->schema, "schemas");
    const char *sn, *tn, *cn;
    json_t *s, *t, *col;
    json_object_foreach(json_object_get(catalog_of(c), "schemas"), sn, s)
    {
        json_t *ds = json_object_get(dst, sn);
        if (!ds) {
            ds = json_deep_copy(s);
            json_object_set_new(ds, "enabled", json_boolean(handling_enabled(handling, 0)));
            json_t *dt;
            const char *k;
            json_object_foreach(json_object_get(ds, "tables"), k, dt)
            {
                json_object_set_new(dt, "enabled", json_boolean(handling_enabled(handling, 0)));
                json_t *dc;
                const char *ck;
                json_object_foreach(json_object_get(dt, "columns"), ck, dc)
                {
                    if (json_is_true(json_object_get(json_object_get(dc, "enabled_patch_settings"),
                                                     "allowed")))
                        json_object_set_new(dc, "enabled",
                                            json_boolean(handling_enabled(handling, 1)));
                }
            }
            json_object_set_new(dst, sn, ds);
            continue;
        }
        json_object_foreach(json_object_get(s, "tables"), tn, t)
        {
            json_t *dtabs = json_object_get(ds, "tables");
            json_t *dt = json_object_get(dtabs, tn);
            if (!dt) {
                dt = json_deep_copy(t);
                json_object_set_new(dt, "enabled", json_boolean(handling_enabled(handling, 0)));
                json_object_set_new(dtabs, tn, dt);
                continue;
            }
            json_object_foreach(json_object_get(t, "columns"), cn, col)
            {
                json_t *dcols = json_object_get(dt, "columns");
                if (!json_object_get(dcols, cn)) {
                    json_t *nc = json_deep_copy(col);
                    json_object_set_new(nc, "enabled", json_boolean(handling_enabled(handling, 1)));
                    json_object_set_new(dcols, cn, nc);
                }
            }
        }
    }
    if (exclude) {
        json_object_foreach(dst, sn, s)
        {
            if (!json_object_get(c->touched, sn))
                json_object_set_new(s, "enabled", json_false());
            json_object_foreach(json_object_get(s, "tables"), tn, t)
            {
                char key[512];
                snprintf(key, sizeof(key), "%s\037%s", sn, tn);
                json_t *eps = json_object_get(t, "enabled_patch_settings");
                if (!json_object_get(c->touched, key) &&
                    json_is_true(json_object_get(eps, "allowed")))
                    json_object_set_new(t, "enabled", json_false());
            }
        }
    }
}

/* ---- sync state machine ---- */
static void sync_begin(conn *c, int historical)
{
    if (historical)
        json_object_set_new(status_of(c), "is_historical_sync", json_true());
    c->pending = 0;
    json_t *rs = json_object_get(c->config, "sandbox_rescheduled");
    if (!c->resched && (json_is_true(rs) || (json_is_integer(rs) && json_integer_value(rs) > 0))) {
        /* waits for "more API calls": rescheduled for the given ms (true: one sync
         * duration), then it starts */
        int64_t wait = json_is_integer(rs)  ? (int64_t)json_integer_value(rs)
                       : S.cfg->sync_ms > 0 ? S.cfg->sync_ms
                                            : 0;
        c->resched = 1;
        c->sync_end = sbx_wall_ms() + wait;
        if (!c->syncing) {
            c->syncing = 1;
            vec_push(&S.syncing, c);
        }
        set_status(c, "sync_state", "rescheduled");
        json_object_set_new(status_of(c), "rescheduled_for", ts_json(c->sync_end));
        return;
    }
    c->resched = 0;
    json_object_set_new(status_of(c), "rescheduled_for", json_null());
    sbx_uuid(&S.rng, c->sync_id);
    c->sync_end = sbx_wall_ms() + (S.cfg->sync_ms > 0 ? S.cfg->sync_ms : 0);
    if (!c->syncing) {
        c->syncing = 1;
        vec_push(&S.syncing, c);
    }
    set_status(c, "sync_state", "syncing");
    emit(c, "sync_start", c->sync_id, json_object());
}

static void sync_finish(conn *c)
{
    vec_remove(&S.syncing, c);
    c->syncing = 0;
    int64_t t = stamp();
    json_t *st = status_of(c);
    if (c->fail) {
        json_object_set_new(c->obj, "failed_at", ts_json(t));
        set_status(c, "setup_state", "broken");
        json_object_set_new(st, "tasks",
                            json_pack("[{s:s,s:s,s:s}]", "code", "reconnect", "message",
                                      "Connection timeout", "details",
                                      "Sandbox: this connection is configured to fail"));
        emit(c, "sync_end", c->sync_id,
             json_pack("{s:s,s:s,s:s}", "status", "FAILURE_WITH_TASK", "reason",
                       "Connection timeout", "taskType", "reconnect"));
    } else {
        json_object_set_new(c->obj, "succeeded_at", ts_json(t));
        set_status(c, "setup_state", "connected");
        json_object_set_new(st, "is_historical_sync", json_false());
        json_object_set_new(st, "tasks", json_array());
        if (!c->schema)
            schema_discover(c, 0);
        emit(c, "sync_end", c->sync_id, json_pack("{s:s}", "status", "SUCCESSFUL"));
    }
    set_status(c, "update_state", "on_schedule");
    set_status(c, "sync_state",
               json_is_true(json_object_get(c->obj, "paused")) ? "paused" : "scheduled");
}

static void *ticker(void *arg)
{
    (void)arg;
    for (;;) {
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&S.lock);
        if (S.ticker_stop) {
            pthread_mutex_unlock(&S.lock);
            return NULL;
        }
        int64_t now = sbx_wall_ms();
        for (size_t i = S.syncing.n; i-- > 0;) {
            conn *c = S.syncing.v[i];
            if (c->sync_end > now)
                continue;
            if (!c->resched) {
                sync_finish(c);
            } else if (json_is_true(json_object_get(c->obj, "paused"))) {
                /* paused while rescheduled: the sync waits for resume */
                vec_remove(&S.syncing, c);
                c->syncing = 0;
                c->resched = 0;
                c->pending = 1;
                json_object_set_new(status_of(c), "rescheduled_for", json_null());
            } else {
                sync_begin(c, 0);
            }
        }
        sbx_coll_tick(now);
        pthread_mutex_unlock(&S.lock);
    }
}

int sbx_ticker_start(void)
{
    S.ticker_stop = 0;
    if (pthread_create(&S.ticker, NULL, ticker, NULL) != 0)
        return -1;
    S.ticker_started = 1;
    return 0;
}

void sbx_ticker_stop(void)
{
    if (!S.ticker_started)
        return;
    pthread_mutex_lock(&S.lock);
    S.ticker_stop = 1;
    pthread_mutex_unlock(&S.lock);
    pthread_join(S.ticker, NULL);
    S.ticker_started = 0;
}

static void conn_delete(conn *c)
{
    emit(c, "delete_connector", NULL, json_object());
    sbx_coll_forget("connections", c->e.id);
    if (c->syncing)
        vec_remove(&S.syncing, c);
    sbx_map_del(&S.cmap, c->e.id);
    if (c->synth >= 0) {
        S.synth_dead[c->synth / 8] =
            (unsigned char)(S.synth_dead[c->synth / 8] | (1u << (c->synth % 8)));
    } else {
        vec_remove(&S.conns, c);
    }
    conn_free(c);
}

/* ---- connection field validation shared by create and PATCH ---- */
typedef struct conn_fields {
    int has_paused, paused, has_pat, pat, has_hist, hist;
    long freq;
    int has_freq;
    const char *daily, *sched, *dds, *nm, *dsn, *schema_status;
    long ddt;
    int has_ddt;
    json_t *config, *auth;
    int has_rst, rst;
    json_t *body; /* borrowed: the link/agent ids are applied from it */
} conn_fields;

static int conn_fields_read(json_t *b, conn_fields *f, verr *e)
{
    static const char *const sched[] = {"auto", "manual"};
    static const char *const dds[] = {"LOW", "NORMAL", "HIGH", "CUSTOM", "SYNC_FREQUENCY"};
    static const char *const nm[] = {"Directly", "SshTunnel", "ProxyAgent", "PrivateLink"};
    static const char *const dsn[] = {"FIVETRAN_NAMING", "SOURCE_NAMING"};
    static const char *const ss[] = {"ready", "blocked_on_capture"};
    memset(f, 0, sizeof(*f));
    int rc;
    if ((f->has_paused = f_bool(b, "paused", &f->paused, e)) < 0 ||
        (f->has_pat = f_bool(b, "pause_after_trial", &f->pat, e)) < 0 ||
        (f->has_hist = f_bool(b, "is_historical_sync", &f->hist, e)) < 0 ||
        (f->has_freq = f_int(b, "sync_frequency", &f->freq, e)) < 0 ||
        f_str(b, "daily_sync_time", &f->daily, 0, e) < 0 ||
        f_enum(b, "schedule_type", sched, 2, &f->sched, e) < 0 ||
        f_enum(b, "data_delay_sensitivity", dds, 5, &f->dds, e) < 0 ||
        f_enum(b, "networking_method", nm, 4, &f->nm, e) < 0 ||
        f_enum(b, "destination_schema_names", dsn, 2, &f->dsn, e) < 0 ||
        f_enum(b, "schema_status", ss, 2, &f->schema_status, e) < 0 ||
        (f->has_ddt = f_int(b, "data_delay_threshold", &f->ddt, e)) < 0 ||
        f_obj(b, "config", &f->config, e) < 0 || f_obj(b, "auth", &f->auth, e) < 0 ||
        (f->has_rst = f_bool(b, "run_setup_tests", &f->rst, e)) < 0 ||
        check_link_ids(b, N_CONN_LINK_IDS, e) < 0)
        return -1;
    f->body = b;
    if (f->has_freq) {
        int ok = 0;
        for (size_t i = 0; i < sizeof(freqs) / sizeof(*freqs); i++)
            ok |= freqs[i] == f->freq;
        if (!ok)
            FAIL(e, 400, "InvalidInput",
                 "Invalid value '%ld' for field 'sync_frequency': allowed values are 1, 5, "
                 "15, 30, 60, 120, 180, 360, 480, 720, 1440",
                 f->freq);
    }
    if (f->daily) {
        const char *d = f->daily;
        rc = strlen(d) == 5 && isdigit((unsigned char)d[0]) && isdigit((unsigned char)d[1]) &&
             d[2] == ':' && d[3] == '0' && d[4] == '0' && (d[0] - '0') * 10 + (d[1] - '0') < 24;
        if (!rc)
            FAIL(e, 400, "InvalidInput",
                 "Invalid value '%s' for field 'daily_sync_time': expected HH:00", d);
    }
    if (f->has_ddt && f->ddt < 0)
        FAIL(e, 400, "InvalidInput", "Field 'data_delay_threshold' must not be negative");
    return 0;
}

static void conn_fields_apply(conn *c, const conn_fields *f)
{
    if (f->has_pat)
        json_object_set_new(c->obj, "pause_after_trial", json_boolean(f->pat));
    if (f->has_freq)
        json_object_set_new(c->obj, "sync_frequency", json_integer(f->freq));
    if (f->daily)
        snprintf(c->daily, sizeof(c->daily), "%s", f->daily);
    if (f->sched)
        json_object_set_new(c->obj, "schedule_type", json_string(f->sched));
    if (f->dds)
        json_object_set_new(c->obj, "data_delay_sensitivity", json_string(f->dds));
    if (f->has_ddt)
        json_object_set_new(c->obj, "data_delay_threshold", json_integer(f->ddt));
    if (f->nm)
        json_object_set_new(c->obj, "networking_method", json_string(f->nm));
    if (f->dsn)
        json_object_set_new(c->obj, "destination_schema_names", json_string(f->dsn));
    if (f->schema_status)
        set_status(c, "schema_status", f->schema_status);
    apply_link_ids(c->obj, f->body, N_CONN_LINK_IDS);
    if (f->config) {
        merge(c->config, f->config);
        if (json_object_get(f->config, "sandbox_fail"))
            c->fail = json_is_true(json_object_get(f->config, "sandbox_fail"));
    }
}

static int valid_service(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
            return 0;
    return 1;
}

static int is_function_service(const char *svc)
{
    return strstr(svc, "function") || strstr(svc, "lambda") || strcmp(svc, "connector_sdk") == 0;
}

static json_t *conn_tests(conn *c)
{
    static const char *const t[] = {"Connecting to source", "Validating credentials",
                                    "Checking permissions"};
    set_status(c, "setup_state", c->fail ? "broken" : "connected");
    json_t *details = c->fail ? json_pack("[s,s]", "Sandbox: this connection is configured to fail",
                                          "config.sandbox_fail is true")
                              : NULL;
    json_decref(c->tests);
    c->tests = setup_tests(t, 3, c->fail, details);
    return json_deep_copy(c->tests);
}

static json_t *connect_card(conn *c, json_t *cfg)
{
    char payload[256];
    int n = snprintf(payload, sizeof(payload), "{\"connection_id\":\"%s\",\"exp\":%lld}", c->e.id,
                     (long long)(sbx_wall_ms() / 1000 + 3600));
    char *p = sbx_b64url_encode((const unsigned char *)payload, (size_t)n);
    char *tok = sbx_printf("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.%s.c2FuZGJveA", p ? p : "");
    free(p);
    const char *redirect = json_string_value(json_object_get(cfg, "redirect_uri"));
    char *uri = sbx_printf("https://fivetran.com/connect-card/setup?redirect_uri=%s&auth=%s",
                           redirect ? redirect : "", tok ? tok : "");
    json_t *j = json_pack("{s:s,s:s}", "token", tok ? tok : "", "uri", uri ? uri : "");
    free(tok);
    free(uri);
    return j;
}

static int check_connect_card_config(json_t *cfg, verr *e)
{
    const char *redirect = NULL;
    if (f_str(cfg, "redirect_uri", &redirect, 1, e) < 0)
        return -1;
    if (strncmp(redirect, "http", 4) != 0)
        FAIL(e, 400, "InvalidInput", "Field 'redirect_uri' must start with http or https");
    return 0;
}

/* build a new connection from a create body (or a seed entry) */
static int conn_build(json_t *b, int seed, conn **out, json_t **tests, json_t **card, verr *e)
{
    const char *gid = NULL, *service = NULL, *id = NULL;
    conn_fields f;
    json_t *ccc = NULL;
    if (f_str(b, "group_id", &gid, 1, e) < 0 || f_str(b, "service", &service, 1, e) < 0 ||
        conn_fields_read(b, &f, e) < 0 || f_obj(b, "connect_card_config", &ccc, e) < 0)
        return -1;
    if (seed && f_str(b, "id", &id, 0, e) < 0)
        return -1;
    if (!valid_service(service))
        FAIL(e, 400, "InvalidInput", "Unsupported service '%s'", service);
    if (!group_find(gid))
        FAIL(e, 404, "NotFound_Group", "Cannot find entity 'Group' with id '%s'", gid);
    if (ccc && check_connect_card_config(ccc, e) < 0)
        return -1;
    /* destination schema name: inside config */
    json_t *cfg = f.config;
    const char *sp = json_string_value(json_object_get(cfg, "schema_prefix"));
    const char *sc = json_string_value(json_object_get(cfg, "schema"));
    const char *tb = json_string_value(json_object_get(cfg, "table"));
    const char *tg = json_string_value(json_object_get(cfg, "table_group_name"));
    const char *top = seed ? json_string_value(json_object_get(b, "schema")) : NULL;
    char schema[256];
    if (sp && *sp)
        snprintf(schema, sizeof(schema), "%s", sp);
    else if (sc && *sc)
        snprintf(schema, sizeof(schema), "%s%s%s", sc, tb || tg ? "." : "", tb ? tb : tg ? tg : "");
    else if (top && *top)
        snprintf(schema, sizeof(schema), "%s", top);
    else
        FAIL(e, 400, "InvalidInput", "Field 'config.schema' is required");
    for (size_t i = 0; i < S.conns.n; i++) {
        conn *o = S.conns.v[i];
        if (strcmp(conn_group(o), gid) == 0 &&
            strcmp(json_string_value(json_object_get(o->obj, "schema")), schema) == 0)
            FAIL(e, 409, "Conflict", "A connection with schema '%s' already exists in group '%s'",
                 schema, gid);
    }
    if (id && id_taken(id))
        FAIL(e, 400, "InvalidInput", "Duplicate id '%s' in seed", id);
    conn *c = calloc(1, sizeof(*c));
    if (!c)
        FAIL(e, 500, "InternalError", "Out of memory");
    if (id)
        snprintf(c->e.id, SBX_ID_MAX, "%s", id);
    else
        gen_id(c->e.id);
    c->e.seq = ++S.seq;
    c->synth = -1;
    int64_t created = 0;
    if (seed)
        sbx_parse_ts(json_string_value(json_object_get(b, "created_at")), &created);
    c->obj = conn_obj(c->e.id, gid, service, schema, created ? created : stamp());
    c->config = cfg ? json_deep_copy(cfg) : json_object();
    c->touched = json_object();
    c->fail = json_is_true(json_object_get(c->config, "sandbox_fail")) ||
              (seed && json_is_true(json_object_get(b, "sandbox_fail")));
    conn_fields_apply(c, &f);
    if (f.has_paused) {
        json_object_set_new(c->obj, "paused", json_boolean(f.paused));
        if (f.paused)
            set_status(c, "sync_state", "paused");
    }
    int rst = f.has_rst ? f.rst : 1;
    if (tests)
        *tests = rst && !seed ? conn_tests(c) : NULL;
    if (ccc) {
        json_object_set_new(c->obj, "connect_card_config", json_deep_copy(ccc));
        if (card)
            *card = connect_card(c, ccc);
    }
    if (seed) {
        const char *setup = json_string_value(json_object_get(b, "setup_state"));
        set_status(c, "setup_state", setup ? setup : "connected");
        json_object_set_new(status_of(c), "is_historical_sync", json_false());
        int64_t t;
        if (sbx_parse_ts(json_string_value(json_object_get(b, "succeeded_at")), &t) == 0)
            json_object_set_new(c->obj, "succeeded_at", ts_json(t));
        if (sbx_parse_ts(json_string_value(json_object_get(b, "failed_at")), &t) == 0)
            json_object_set_new(c->obj, "failed_at", ts_json(t));
        json_t *src = json_object_get(b, "source");
        json_t *full = json_object_get(b, "schema_config");
        if (json_is_object(full)) {
            c->catalog = json_deep_copy(full);
            c->schema = json_deep_copy(full);
        } else if (json_is_object(src)) {
            c->catalog = catalog_from_compact(src);
            if (!json_is_false(json_object_get(b, "captured")))
                c->schema = json_deep_copy(c->catalog);
        }
        const char *sch = json_string_value(json_object_get(b, "schema_change_handling"));
        if (c->schema && sch) {
            json_object_set_new(c->schema, "schema_change_handling", json_string(sch));
            json_object_set_new(c->schema, "enable_new_by_default",
                                json_boolean(strcmp(sch, "ALLOW_ALL") == 0));
        }
        json_t *extra = json_object_get(b, "source_extra");
        if (json_is_object(extra) && c->catalog) {
            json_t *more = catalog_from_compact(extra);
            merge(c->catalog, more);
            json_decref(more);
        }
        if (json_is_object(json_object_get(b, "state")))
            c->state = json_deep_copy(json_object_get(b, "state"));
    }
    vec_push(&S.conns, c);
    sbx_map_put(&S.cmap, c->e.id, c);
    *out = c;
    return 0;
}

/* ------------------------------------------------------------------------------------ */
/* handlers: groups                                                                      */

typedef struct conn_filter {
    const char *gid;
    const char *schema;
} conn_filter;

static void list_connections(req *q, const char *gid, const char *schema)
{
    page p;
    if (page_parse(q, &p) < 0)
        return;
    tbuf b = {NULL, 0, 0, 0};
    tb_str(&b, "{\"code\":\"Success\",\"data\":{\"items\":[");
    long count = 0;
    uint64_t last = 0;
    int more = 0;
    /* synthetic connections: seq 1..nsynth */
    if ((uint64_t)S.nsynth > p.after) {
        long start = (long)p.after, step = 1;
        int skip = 0;
        if (gid) {
            group *g = group_find(gid);
            if (!g || g->synth_slot < 0) {
                skip = 1;
            } else {
                long slot = g->synth_slot, G = S.nsynth_groups;
                long first = start - start % G + slot;
                if (first < start)
                    first += G;
                start = first;
                step = G;
            }
        }
        for (long i = start; !skip && i < S.nsynth && !more; i += step) {
            if (S.synth_dead[i / 8] & (1u << (i % 8)))
                continue;
            if (schema) {
                char s[96];
                snprintf(s, sizeof(s), "%s_%ld", synth_services[(size_t)i % N_SYNTH_SERVICES], i);
                if (strcmp(s, schema) != 0)
                    continue;
            }
            if (count == p.limit) {
                more = 1;
                break;
            }
            char id[SBX_ID_MAX];
            synth_id(i, id);
            if (count)
                tb_add(&b, ",", 1);
            conn *c = sbx_map_get(&S.cmap, id);
            if (c)
                tb_add_json(&b, conn_render_item(c));
            else
                synth_render_text(&b, i, id);
            last = (uint64_t)i + 1;
            count++;
        }
    }
    for (size_t i = vec_after(&S.conns, p.after); i < S.conns.n && !more; i++) {
        conn *c = S.conns.v[i];
        if (gid && strcmp(conn_group(c), gid) != 0)
            continue;
        if (schema && strcmp(json_string_value(json_object_get(c->obj, "schema")), schema) != 0)
            continue;
        if (count == p.limit) {
            more = 1;
            break;
        }
        if (count)
            tb_add(&b, ",", 1);
        tb_add_json(&b, conn_render_item(c));
        last = c->e.seq;
        count++;
    }
    tb_add(&b, "]", 1);
    if (more) {
        json_t *cur = cursor_json(last);
        tb_str(&b, ",\"next_cursor\":\"");
        tb_add(&b, json_string_value(cur), strlen(json_string_value(cur)));
        tb_add(&b, "\"", 1);
        json_decref(cur);
    }
    tb_add(&b, "}}", 2);
    if (b.oom) {
        free(b.p);
        reply_err(q->r, 500, "InternalError", "Out of memory");
        return;
    }
    free(q->r->body);
    q->r->status = 200;
    q->r->body = b.p;
}

static void route_groups(req *q)
{
    verr e;
    json_t *b = NULL;
    if (q->nseg == 1) {
        if (!allow(q, "GET, POST"))
            return;
        if (is_method(q, "GET")) {
            page p;
            if (page_parse(q, &p) == 0)
                reply_page(q, &p, &S.groups, group_render, NULL);
            return;
        }
        const char *name = NULL;
        if (body_json(q, &b, 1) < 0)
            return;
        if (f_str(b, "name", &name, 1, &e) < 0) {
            reply_verr(q->r, &e);
        } else {
            group *g = group_add(NULL, name, 0);
            reply_data(q->r, 201, "Group has been created", json_deep_copy(g->obj));
        }
        json_decref(b);
        return;
    }
    group *g = group_find(q->seg[1]);
    if (q->nseg == 2) {
        if (!allow(q, "GET, PATCH, DELETE"))
            return;
        if (!g) {
            reply_err(q->r, 404, "NotFound_Group", "Cannot find entity 'Group' with id '%s'",
                      q->seg[1]);
            return;
        }
        if (is_method(q, "GET")) {
            reply_data(q->r, 200, NULL, json_deep_copy(g->obj));
        } else if (is_method(q, "PATCH")) {
            const char *name = NULL;
            if (body_json(q, &b, 1) < 0)
                return;
            if (f_str(b, "name", &name, 1, &e) < 0) {
                reply_verr(q->r, &e);
            } else {
                json_object_set_new(g->obj, "name", json_string(name));
                reply_data(q->r, 200, "Group has been updated", json_deep_copy(g->obj));
            }
            json_decref(b);
        } else {
            char id[SBX_ID_MAX];
            snprintf(id, sizeof(id), "%s", g->e.id);
            group_delete(g);
            reply_msg(q->r, "Group with id '%s' has been deleted", id);
        }
        return;
    }
    if (q->nseg == 3 && strcmp(q->seg[2], "connections") == 0) {
        if (!allow(q, "GET"))
            return;
        if (!g) {
            reply_err(q->r, 404, "NotFound_Group", "Cannot find entity 'Group' with id '%s'",
                      q->seg[1]);
            return;
        }
        list_connections(q, g->e.id, qget(q, "schema"));
        return;
    }
    reply_err(q->r, 404, "NotFound", "HTTP 404 Not Found");
}

/* ------------------------------------------------------------------------------------ */
/* handlers: destinations                                                                */

static void route_destinations(req *q)
{
    verr e;
    json_t *b = NULL;
    if (q->nseg == 1) {
        if (!allow(q, "GET, POST"))
            return;
        if (is_method(q, "GET")) {
            page p;
            if (page_parse(q, &p) == 0)
                reply_page(q, &p, &S.dests, dest_render_list, NULL);
            return;
        }
        if (body_json(q, &b, 1) < 0)
            return;
        dest *d;
        json_t *tests = NULL;
        if (dest_build(b, 0, &d, &tests, &e) < 0) {
            reply_verr(q->r, &e);
        } else {
            json_t *o = dest_render(d, 1);
            if (tests)
                json_object_set_new(o, "setup_tests", tests);
            reply_data(q->r, 201, "Destination has been created", o);
        }
        json_decref(b);
        return;
    }
    dest *d = dest_find(q->seg[1]);
    int is_test = q->nseg == 3 && strcmp(q->seg[2], "test") == 0;
    if (q->nseg > 3 || (q->nseg == 3 && !is_test)) {
        reply_err(q->r, 404, "NotFound", "HTTP 404 Not Found");
        return;
    }
    if (!allow(q, is_test ? "POST" : "GET, PATCH, DELETE"))
        return;
    if (!d) {
        reply_err(q->r, 404, "NotFound_Destination",
                  "Cannot find entity 'Destination' with id '%s'", q->seg[1]);
        return;
    }
    if (is_test) {
        int t;
        if (body_json(q, &b, 0) < 0)
            return;
        if (f_bool(b, "trust_certificates", &t, &e) < 0 ||
            f_bool(b, "trust_fingerprints", &t, &e) < 0) {
            reply_verr(q->r, &e);
        } else {
            json_t *tests = dest_tests(d);
            json_t *o = dest_render(d, 1);
            json_object_set_new(o, "setup_tests", tests);
            reply_data(q->r, 200, "Setup tests were completed", o);
        }
        json_decref(b);
        return;
    }
    if (is_method(q, "GET")) {
        reply_data(q->r, 200, NULL, dest_render(d, 1));
        return;
    }
    if (is_method(q, "DELETE")) {
        char id[SBX_ID_MAX];
        snprintf(id, sizeof(id), "%s", d->e.id);
        sbx_coll_forget("destinations", d->e.id);
        sbx_map_del(&S.dmap, d->e.id);
        vec_remove(&S.dests, d);
        json_decref(d->obj);
        json_decref(d->config);
        free(d);
        reply_msg(q->r, "Destination with id '%s' has been deleted", id);
        return;
    }
    /* PATCH */
    const char *tz = NULL, *region = NULL, *nm = NULL;
    json_t *config = NULL;
    int rst = 0, dst = 0, has_dst;
    if (body_json(q, &b, 1) < 0)
        return;
    /* a partial update: time_zone_offset only when it changes (see README) */
    if (check_tz(b, &tz, 0, &e) < 0 || f_str(b, "region", &region, 0, &e) < 0 ||
        f_obj(b, "config", &config, &e) < 0 || f_bool(b, "run_setup_tests", &rst, &e) < 0 ||
        (has_dst = f_bool(b, "daylight_saving_time_enabled", &dst, &e)) < 0 ||
        f_str(b, "networking_method", &nm, 0, &e) < 0 || check_link_ids(b, 4, &e) < 0) {
        reply_verr(q->r, &e);
        json_decref(b);
        return;
    }
    if (tz)
        json_object_set_new(d->obj, "time_zone_offset", json_string(tz));
    apply_link_ids(d->obj, b, 4);
    if (region)
        json_object_set_new(d->obj, "region", json_string(region));
    if (nm)
        json_object_set_new(d->obj, "networking_method", json_string(nm));
    if (has_dst)
        json_object_set_new(d->obj, "daylight_saving_time_enabled", json_boolean(dst));
    if (config)
        merge(d->config, config);
    json_t *tests = rst ? dest_tests(d) : NULL;
    json_t *o = dest_render(d, 1);
    if (tests)
        json_object_set_new(o, "setup_tests", tests);
    reply_data(q->r, 200, "Destination has been updated", o);
    json_decref(b);
}

/* ------------------------------------------------------------------------------------ */
/* handlers: connections                                                                 */

static void not_found_conn(req *q, const char *id)
{
    reply_err(q->r, 404, "NotFound_Connector", "Cannot find entity 'Connector' with id '%s'", id);
}

static void reply_schema(req *q, conn *c, const char *msg)
{
    reply_data(q->r, 200, msg, json_deep_copy(c->schema));
}

/* validate a nested columns map {"c":{enabled,hashed,is_primary_key}} against table t */
static int check_columns(json_t *cols, json_t *t, const char *tn, verr *e)
{
    const char *cn;
    json_t *cv;
    int v;
    json_object_foreach(cols, cn, cv)
    {
        json_t *dc = json_object_get(json_object_get(t, "columns"), cn);
        if (!dc)
            FAIL(e, 404, "NotFound", "Column '%s' not found in table '%s'", cn, tn);
        if (!json_is_object(cv))
            FAIL(e, 400, "InvalidInput", "Column '%s' settings must be an object", cn);
        if (f_bool(cv, "enabled", &v, e) < 0 || f_bool(cv, "hashed", &v, e) < 0 ||
            f_bool(cv, "is_primary_key", &v, e) < 0)
            return -1;
        if (f_bool(cv, "enabled", &v, e) == 1 && !v &&
            json_is_false(
                json_object_get(json_object_get(dc, "enabled_patch_settings"), "allowed")))
            FAIL(e, 400, "InvalidInput", "Column '%s' does not support exclusion", cn);
    }
    return 0;
}

static int check_tables(json_t *tabs, json_t *s, const char *sn, verr *e)
{
    static const char *const modes[] = {"SOFT_DELETE", "HISTORY", "LIVE"};
    const char *tn, *m;
    json_t *tv, *cols;
    int v;
    json_object_foreach(tabs, tn, tv)
    {
        json_t *t = json_object_get(json_object_get(s, "tables"), tn);
        if (!t)
            FAIL(e, 404, "NotFound", "Table '%s' not found in schema '%s'", tn, sn);
        if (!json_is_object(tv))
            FAIL(e, 400, "InvalidInput", "Table '%s' settings must be an object", tn);
        if (f_bool(tv, "enabled", &v, e) < 0 || f_enum(tv, "sync_mode", modes, 3, &m, e) < 0)
            return -1;
        if (f_bool(tv, "enabled", &v, e) == 1 && !v &&
            json_is_false(json_object_get(json_object_get(t, "enabled_patch_settings"), "allowed")))
            FAIL(e, 400, "InvalidInput", "Table '%s' does not support exclusion", tn);
        cols = NULL;
        if (f_obj(tv, "columns", &cols, e) < 0 || (cols && check_columns(cols, t, tn, e) < 0))
            return -1;
    }
    return 0;
}

static int check_schemas(json_t *schemas, json_t *cfg, verr *e)
{
    const char *sn;
    json_t *sv, *tabs;
    int v;
    json_object_foreach(schemas, sn, sv)
    {
        json_t *s = json_object_get(json_object_get(cfg, "schemas"), sn);
        if (!s)
            FAIL(e, 404, "NotFound", "Schema '%s' not found", sn);
        if (!json_is_object(sv))
            FAIL(e, 400, "InvalidInput", "Schema '%s' settings must be an object", sn);
        tabs = NULL;
        if (f_bool(sv, "enabled", &v, e) < 0 || f_obj(sv, "tables", &tabs, e) < 0 ||
            (tabs && check_tables(tabs, s, sn, e) < 0))
            return -1;
    }
    return 0;
}

static void touch(conn *c, const char *sn, const char *tn)
{
    char key[512];
    if (tn)
        snprintf(key, sizeof(key), "%s\037%s", sn, tn);
    else
        snprintf(key, sizeof(key), "%s", sn);
    json_object_set_new(c->touched, key, json_true());
}

static void apply_setting(json_t *dst, json_t *src, const char *const *keys)
{
    for (; *keys; keys++) {
        json_t *v = json_object_get(src, *keys);
        if (!v || json_is_null(v))
            continue;
        if (json_is_string(v) && (strcmp(json_string_value(v), "true") == 0 ||
                                  strcmp(json_string_value(v), "false") == 0))
            json_object_set_new(dst, *keys,
                                json_boolean(strcmp(json_string_value(v), "true") == 0));
        else
            json_object_set(dst, *keys, v);
    }
}

static void apply_columns(json_t *cols, json_t *t)
{
    static const char *const keys[] = {"enabled", "hashed", "is_primary_key", NULL};
    const char *cn;
    json_t *cv;
    json_object_foreach(cols, cn, cv)
        apply_setting(json_object_get(json_object_get(t, "columns"), cn), cv, keys);
}

static void apply_tables(conn *c, const char *sn, json_t *tabs, json_t *s)
{
    static const char *const keys[] = {"enabled", "sync_mode", NULL};
    const char *tn;
    json_t *tv;
    json_object_foreach(tabs, tn, tv)
    {
        json_t *t = json_object_get(json_object_get(s, "tables"), tn);
        apply_setting(t, tv, keys);
        touch(c, sn, tn);
        json_t *cols = json_object_get(tv, "columns");
        if (json_is_object(cols))
            apply_columns(cols, t);
    }
}

static void apply_schemas(conn *c, json_t *schemas)
{
    static const char *const keys[] = {"enabled", NULL};
    const char *sn;
    json_t *sv;
    json_object_foreach(schemas, sn, sv)
    {
        json_t *s = json_object_get(json_object_get(c->schema, "schemas"), sn);
        apply_setting(s, sv, keys);
        touch(c, sn, NULL);
        json_t *tabs = json_object_get(sv, "tables");
        if (json_is_object(tabs))
            apply_tables(c, sn, tabs, s);
    }
}

static void route_schemas(req *q, conn *c)
{
    verr e;
    json_t *b = NULL;
    static const char *const handling[] = {"ALLOW_ALL", "ALLOW_COLUMNS", "BLOCK_ALL"};
    static const char *const modes[] = {"PRESERVE", "EXCLUDE"};
    int n = q->nseg; /* connections, id, schemas, ... */
    if (n == 4 && strcmp(q->seg[3], "reload") == 0 && is_method(q, "POST")) {
        const char *mode = NULL;
        if (body_json(q, &b, 0) < 0)
            return;
        if (f_enum(b, "exclude_mode", modes, 2, &mode, &e) < 0) {
            reply_verr(q->r, &e);
        } else {
            schema_discover(c, mode && strcmp(mode, "EXCLUDE") == 0);
            reply_schema(q, c, "Schema config has been reloaded");
        }
        json_decref(b);
        return;
    }
    if (n == 3) {
        if (!allow(q, "GET, POST, PATCH"))
            return;
        if (is_method(q, "GET")) {
            if (!c->schema)
                reply_err(q->r, 404, "NotFound_SchemaConfig",
                          "Connection with id '%s' doesn't have schema config", c->e.id);
            else
                reply_schema(q, c, NULL);
            return;
        }
        const char *h = NULL;
        json_t *schemas = NULL;
        int locked = 0, has_locked;
        if (body_json(q, &b, 1) < 0)
            return;
        if (f_enum(b, "schema_change_handling", handling, 3, &h, &e) < 0 ||
            f_obj(b, "schemas", &schemas, &e) < 0 ||
            (has_locked = f_bool(b, "is_type_locked", &locked, &e)) < 0) {
            reply_verr(q->r, &e);
            json_decref(b);
            return;
        }
        if (is_method(q, "POST")) { /* pre-create before the first capture */
            if (!schemas) {
                reply_err(q->r, 400, "InvalidInput", "Field 'schemas' is required");
            } else if (c->schema) {
                reply_err(q->r, 409, "Conflict",
                          "Connection with id '%s' already has a schema config", c->e.id);
            } else {
                c->schema = json_deep_copy(catalog_of(c));
                if (h)
                    json_object_set_new(c->schema, "schema_change_handling", json_string(h));
                verr e2;
                if (check_schemas(schemas, c->schema, &e2) < 0) {
                    json_decref(c->schema);
                    c->schema = NULL;
                    reply_verr(q->r, &e2);
                } else {
                    apply_schemas(c, schemas);
                    reply_schema(q, c, NULL);
                }
            }
            json_decref(b);
            return;
        }
        if (!c->schema)
            schema_discover(c, 0);
        if (schemas && check_schemas(schemas, c->schema, &e) < 0) {
            reply_verr(q->r, &e);
            json_decref(b);
            return;
        }
        if (h) {
            json_object_set_new(c->schema, "schema_change_handling", json_string(h));
            json_object_set_new(c->schema, "enable_new_by_default",
                                json_boolean(strcmp(h, "ALLOW_ALL") == 0));
        }
        if (has_locked)
            json_object_set_new(c->schema, "is_type_locked", json_boolean(locked));
        if (schemas)
            apply_schemas(c, schemas);
        reply_schema(q, c, "Schema config has been updated");
        json_decref(b);
        return;
    }
    /* /schemas/{s}[/tables/{t}[/columns[/{c}]]] */
    const char *sn = q->seg[3];
    int is_table = n >= 6 && strcmp(q->seg[4], "tables") == 0;
    if (n == 5 || (n >= 5 && !is_table) || n > 8 || (n >= 7 && strcmp(q->seg[6], "columns") != 0)) {
        reply_err(q->r, 404, "NotFound", "HTTP 404 Not Found");
        return;
    }
    if (n == 7) { /* GET columns: live from the source */
        if (!allow(q, "GET"))
            return;
        json_t *ct = json_object_get(
            json_object_get(json_object_get(json_object_get(catalog_of(c), "schemas"), sn),
                            "tables"),
            q->seg[5]);
        if (!ct) {
            reply_err(q->r, 404, "NotFound", "Table '%s' not found in schema '%s'", q->seg[5], sn);
            return;
        }
        json_t *cols = json_deep_copy(json_object_get(ct, "columns"));
        json_t *cfgt =
            c->schema
                ? json_object_get(
                      json_object_get(json_object_get(json_object_get(c->schema, "schemas"), sn),
                                      "tables"),
                      q->seg[5])
                : NULL;
        if (cfgt)
            merge(cols, json_object_get(cfgt, "columns"));
        reply_data(q->r, 200, NULL, json_pack("{s:o}", "columns", cols));
        return;
    }
    if (!allow(q, n == 8 ? "PATCH, DELETE" : "PATCH"))
        return;
    if (!c->schema) {
        reply_err(q->r, 404, "NotFound_SchemaConfig",
                  "Connection with id '%s' doesn't have schema config", c->e.id);
        return;
    }
    json_t *s = json_object_get(json_object_get(c->schema, "schemas"), sn);
    json_t *t = is_table ? json_object_get(json_object_get(s, "tables"), q->seg[5]) : NULL;
    json_t *col = n == 8 ? json_object_get(json_object_get(t, "columns"), q->seg[7]) : NULL;
    if (!s || (is_table && !t) || (n == 8 && !col)) {
        reply_err(q->r, 404, "NotFound", "%s not found",
                  !s                 ? "Schema"
                  : (is_table && !t) ? "Table"
                                     : "Column");
        return;
    }
    if (is_method(q, "DELETE")) { /* drop a blocked column */
        if (json_is_true(json_object_get(col, "enabled")))
            reply_err(q->r, 409, "Conflict", "Column '%s' is not blocked", q->seg[7]);
        else
            reply_msg(q->r, "Column successfully marked for deletion");
        return;
    }
    if (body_json(q, &b, 1) < 0)
        return;
    /* wrap the body into a nested schemas patch and reuse its validation */
    json_t *patch;
    if (n == 4)
        patch = json_pack("{s:O}", sn, b);
    else if (n == 6)
        patch = json_pack("{s:{s:{s:O}}}", sn, "tables", q->seg[5], b);
    else
        patch =
            json_pack("{s:{s:{s:{s:{s:O}}}}}", sn, "tables", q->seg[5], "columns", q->seg[7], b);
    if (check_schemas(patch, c->schema, &e) < 0) {
        reply_verr(q->r, &e);
    } else {
        apply_schemas(c, patch);
        reply_schema(q, c, NULL);
    }
    json_decref(patch);
    json_decref(b);
}

static void conn_patch(req *q, conn *c)
{
    verr e;
    json_t *b = NULL;
    conn_fields f;
    if (body_json(q, &b, 1) < 0)
        return;
    if (conn_fields_read(b, &f, &e) < 0) {
        reply_verr(q->r, &e);
        json_decref(b);
        return;
    }
    /* at least one persistent parameter: test flags alone are refused */
    const char *k;
    json_t *v;
    int persistent = 0;
    json_object_foreach(b, k, v)
    {
        if (strcmp(k, "run_setup_tests") != 0 && strcmp(k, "trust_certificates") != 0 &&
            strcmp(k, "trust_fingerprints") != 0)
            persistent = 1;
    }
    if (!persistent) {
        reply_err(q->r, 400, "InvalidInput",
                  "The request must contain at least one parameter to update");
        json_decref(b);
        return;
    }
    if (f.config) {
        static const char *const fixed[] = {"schema", "table", "schema_prefix", "table_group_name"};
        for (size_t i = 0; i < 4; i++) {
            json_t *nv = json_object_get(f.config, fixed[i]);
            json_t *ov = json_object_get(c->config, fixed[i]);
            if (nv && !json_equal(nv, ov)) {
                reply_err(q->r, 400, "InvalidInput",
                          "Field 'config.%s' can only be set when the connection is created",
                          fixed[i]);
                json_decref(b);
                return;
            }
        }
    }
    c = conn_find(c->e.id, 1, NULL); /* materialise a synthetic connection */
    if (!c) {
        reply_err(q->r, 500, "InternalError", "Out of memory");
        json_decref(b);
        return;
    }
    conn_fields_apply(c, &f);
    if (f.config)
        emit(c, "edit_connector", NULL, json_object());
    int was_paused = json_is_true(json_object_get(c->obj, "paused"));
    if (f.has_paused && f.paused != was_paused) {
        json_object_set_new(c->obj, "paused", json_boolean(f.paused));
        if (f.paused) {
            set_status(c, "sync_state", "paused");
            emit(c, "pause_connector", NULL, json_object());
        } else {
            set_status(c, "sync_state",
                       c->resched   ? "rescheduled"
                       : c->syncing ? "syncing"
                                    : "scheduled");
            emit(c, "resume_connector", NULL, json_object());
            if (c->pending && !c->syncing)
                sync_begin(c, 0);
        }
    }
    if (f.has_hist && f.hist) {
        json_object_set_new(status_of(c), "is_historical_sync", json_true());
        if (json_is_true(json_object_get(c->obj, "paused")))
            c->pending = 1;
        else
            sync_begin(c, 1);
    }
    json_t *o = conn_render(c);
    if (f.has_rst && f.rst)
        json_object_set_new(o, "setup_tests", conn_tests(c));
    reply_data(q->r, 200, "Connection has been updated", o);
    json_decref(b);
}

static void route_connections(req *q)
{
    verr e;
    json_t *b = NULL;
    if (q->nseg == 1) {
        if (!allow(q, "GET, POST"))
            return;
        if (is_method(q, "GET")) {
            list_connections(q, qget(q, "group_id"), qget(q, "schema"));
            return;
        }
        if (body_json(q, &b, 1) < 0)
            return;
        conn *c;
        json_t *tests = NULL, *card = NULL;
        if (conn_build(b, 0, &c, &tests, &card, &e) < 0) {
            reply_verr(q->r, &e);
        } else {
            emit(c, "create_connector", NULL, json_object());
            json_t *o = conn_render(c);
            if (tests)
                json_object_set_new(o, "setup_tests", tests);
            if (card)
                json_object_set_new(o, "connect_card", card);
            reply_data(q->r, 201, "Connection has been created", o);
        }
        json_decref(b);
        return;
    }
    const char *id = q->seg[1];
    const char *sub = q->nseg >= 3 ? q->seg[2] : NULL;
    /* validate the path shape before the id, so that unknown paths are 404 NotFound */
    static const char *const actions[] = {"sync", "resync", "test", "connect-card", "force"};
    int is_action = 0;
    if (sub && q->nseg == 3)
        for (size_t i = 0; i < sizeof(actions) / sizeof(*actions); i++)
            is_action |= strcmp(sub, actions[i]) == 0;
    int is_state = sub && q->nseg == 3 && strcmp(sub, "state") == 0;
    int is_schema = sub && strcmp(sub, "schemas") == 0;
    if (sub && !is_action && !is_state && !is_schema) {
        reply_err(q->r, 404, "NotFound", "HTTP 404 Not Found");
        return;
    }
    if (q->nseg == 2 && !allow(q, "GET, PATCH, DELETE"))
        return;
    if ((is_action && !allow(q, "POST")) || (is_state && !allow(q, "GET, PATCH")))
        return;
    int temp = 0;
    conn *c = conn_find(id, 0, &temp);
    if (!c) {
        not_found_conn(q, id);
        return;
    }
    if (temp && !is_method(q, "GET")) { /* anything that may mutate materialises */
        conn_free(c);
        temp = 0;
        c = conn_find(id, 1, NULL);
        if (!c) {
            reply_err(q->r, 500, "InternalError", "Out of memory");
            return;
        }
    }
    if (q->nseg == 2) {
        if (is_method(q, "GET"))
            reply_data(q->r, 200, NULL, conn_render(c));
        else if (is_method(q, "PATCH"))
            conn_patch(q, c);
        else {
            char cid[SBX_ID_MAX];
            snprintf(cid, sizeof(cid), "%s", c->e.id);
            conn_delete(c);
            reply_msg(q->r, "Connection with id '%s' has been deleted", cid);
        }
    } else if (is_schema) {
        route_schemas(q, c);
    } else if (is_state) {
        const char *svc = json_string_value(json_object_get(c->obj, "service"));
        if (!is_function_service(svc)) {
            reply_err(q->r, 405, "MethodNotAllowed", "Not a function connector error");
        } else if (is_method(q, "GET")) {
            if (!c->state)
                reply_err(q->r, 400, "InvalidInput",
                          "Connection with id '%s' doesn't have a state yet", c->e.id);
            else
                reply_data(q->r, 200, "Connection state retrieved successfully",
                           json_pack("{s:O}", "state", c->state));
        } else {
            json_t *st = NULL;
            if (body_json(q, &b, 1) == 0) {
                if (f_obj(b, "state", &st, &e) < 0)
                    reply_verr(q->r, &e);
                else if (!st)
                    reply_err(q->r, 400, "InvalidInput", "Field 'state' is required");
                else if (c->syncing)
                    reply_err(q->r, 409, "Conflict",
                              "Connection state cannot be updated while a sync is running");
                else {
                    json_decref(c->state);
                    c->state = json_deep_copy(st);
                    reply_data(q->r, 200, "Connection state has been updated",
                               json_pack("{s:O}", "state", c->state));
                }
                json_decref(b);
            }
        }
    } else if (strcmp(sub, "sync") == 0 || strcmp(sub, "force") == 0) {
        int force = 0;
        if (body_json(q, &b, 0) < 0)
            goto out;
        if (f_bool(b, "force", &force, &e) < 0) {
            reply_verr(q->r, &e);
            json_decref(b);
            goto out;
        }
        json_decref(b);
        if (strcmp(sub, "force") == 0)
            force = 1;
        if (json_is_true(json_object_get(c->obj, "paused")) && S.cfg->paused_sync_status) {
            reply_err(q->r, S.cfg->paused_sync_status,
                      S.cfg->paused_sync_status == 409 ? "Conflict" : "InvalidInput",
                      "Connection with id '%s' is paused", c->e.id);
            goto out;
        }
        if (!json_is_true(json_object_get(c->obj, "paused"))) {
            emit(c, "force_update_connector", NULL, json_object());
            if (!c->syncing || force)
                sync_begin(c, 0);
        }
        reply_msg(q->r, "Sync has been successfully triggered for connection with id '%s'",
                  c->e.id);
    } else if (strcmp(sub, "resync") == 0) {
        json_t *scope = NULL;
        if (body_json(q, &b, 0) < 0)
            goto out;
        scope = b ? json_object_get(b, "scope") : NULL;
        if (scope && !json_is_null(scope)) {
            const char *sn;
            json_t *tabs;
            int ok = json_is_object(scope) && json_object_size(scope) > 0;
            json_object_foreach(scope, sn, tabs)
            {
                if (!json_is_array(tabs) || json_array_size(tabs) == 0)
                    ok = 0;
                size_t i;
                json_t *t;
                json_array_foreach(tabs, i, t) if (!json_is_string(t)) ok = 0;
            }
            if (!ok) {
                reply_err(q->r, 400, "InvalidInput",
                          "Field 'scope' must map schema names to non-empty lists of tables");
                json_decref(b);
                goto out;
            }
        }
        int tables = scope && !json_is_null(scope);
        json_decref(b);
        emit(c, tables ? "resync_table" : "resync_connector", NULL, json_object());
        json_object_set_new(status_of(c), "is_historical_sync", json_true());
        if (json_is_true(json_object_get(c->obj, "paused")))
            c->pending = 1;
        else
            sync_begin(c, 1);
        reply_msg(q->r, "Re-sync has been triggered successfully");
    } else if (strcmp(sub, "test") == 0) {
        int t;
        if (body_json(q, &b, 0) < 0)
            goto out;
        if (!b) {
            reply_err(q->r, 400, "InvalidInput", "Request body is required");
            goto out;
        }
        if (f_bool(b, "trust_certificates", &t, &e) < 0 ||
            f_bool(b, "trust_fingerprints", &t, &e) < 0) {
            reply_verr(q->r, &e);
        } else {
            json_t *tests = conn_tests(c);
            json_t *o = conn_render(c);
            json_object_set_new(o, "setup_tests", tests);
            reply_data(q->r, 200, "Setup tests were completed", o);
        }
        json_decref(b);
    } else { /* connect-card */
        json_t *ccc = NULL;
        if (body_json(q, &b, 1) < 0)
            goto out;
        int bad = f_obj(b, "connect_card_config", &ccc, &e) < 0;
        if (!bad && !ccc) {
            e.status = 400;
            e.code = "InvalidInput";
            snprintf(e.msg, sizeof(e.msg), "Field 'connect_card_config' is required");
            bad = 1;
        }
        if (bad || check_connect_card_config(ccc, &e) < 0) {
            reply_verr(q->r, &e);
        } else {
            json_object_set_new(c->obj, "connect_card_config", json_deep_copy(ccc));
            reply_data(q->r, 200, "Connection Connect Card has been created",
                       json_pack("{s:s,s:o,s:O}", "connector_id", c->e.id, "connect_card",
                                 connect_card(c, ccc), "connect_card_config", ccc));
        }
        json_decref(b);
    }
out:
    if (temp)
        conn_free(c);
}

/* ------------------------------------------------------------------------------------ */
/* handlers: webhooks                                                                    */

static json_t *hook_render(void *p, void *ud)
{
    (void)ud;
    return json_deep_copy(((hook *)p)->obj);
}

static int check_url(const char *url, verr *e)
{
    if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
        FAIL(e, 400, "InvalidInput", "Field 'url' must be an https URL");
    if (strchr(url, ' ') || strlen(url) > 2048)
        FAIL(e, 400, "InvalidInput", "Field 'url' is not a valid URL");
    return 0;
}

static int check_events(json_t *ev, verr *e)
{
    if (!json_is_array(ev) || json_array_size(ev) == 0)
        FAIL(e, 400, "InvalidInput", "Field 'events' must be a non-empty array of strings");
    size_t i;
    json_t *x;
    json_array_foreach(ev, i, x) if (!json_is_string(x) || !*json_string_value(x))
        FAIL(e, 400, "InvalidInput", "Field 'events' must be a non-empty array of strings");
    return 0;
}

static char *test_payload(const char *event)
{
    char sid[37];
    sbx_uuid(&S.rng, sid);
    char ts[32];
    sbx_fmt_ts(stamp(), ts);
    json_t *ev = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "event", event, "created", ts, "connector_type",
        "_connection_type", "connector_id", "_connection_1", "connector_name", "_connection_name",
        "sync_id", sid, "destination_group_id", "_destination_1", "data",
        strcmp(event, "sync_end") == 0 ? json_pack("{s:s}", "status", "SUCCESSFUL")
                                       : json_object());
    char *s = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    return s;
}

/* verification POST done with the state lock released; 0 ok, -1 failed (e filled) */
static int verify_url(const char *url, const char *secret, verr *e)
{
    if (!S.cfg->verify_webhooks)
        return 0;
    char *body = test_payload("test");
    char *u = sbx_strdup(url), *s = secret ? sbx_strdup(secret) : NULL;
    long status = 0;
    char msg[256] = "";
    pthread_mutex_unlock(&S.lock);
    int ok = body && u && sbx_deliver_now(u, s, body, &status, msg, sizeof(msg));
    pthread_mutex_lock(&S.lock);
    free(body);
    free(u);
    free(s);
    if (!ok)
        FAIL(e, 400, "InvalidInput",
             "Webhook test failed: the URL did not answer a test event with 2xx (status %ld: "
             "%s)",
             status, msg);
    return 0;
}

static int hook_build(json_t *b, const char *gid, int seed, hook **out, verr *e)
{
    const char *url = NULL, *secret = NULL, *id = NULL;
    int active = 1;
    json_t *events = json_object_get(b, "events");
    if (f_str(b, "url", &url, 1, e) < 0 || check_url(url, e) < 0)
        return -1;
    if (!events)
        FAIL(e, 400, "InvalidInput", "Field 'events' is required");
    if (check_events(events, e) < 0 || f_bool(b, "active", &active, e) < 0 ||
        f_str(b, "secret", &secret, 0, e) < 0 || (seed && f_str(b, "id", &id, 0, e) < 0))
        return -1;
    if (id && id_taken(id))
        FAIL(e, 400, "InvalidInput", "Duplicate id '%s' in seed", id);
    json_t *keep = json_incref(b); /* b's strings survive the unlock */
    if (active && !seed && verify_url(url, secret, e) < 0) {
        json_decref(keep);
        return -1;
    }
    if (gid && !group_find(gid)) { /* the group may have gone while unlocked */
        json_decref(keep);
        FAIL(e, 404, "NotFound_Group", "Cannot find entity 'Group' with id '%s'", gid);
    }
    hook *h = calloc(1, sizeof(*h));
    if (!h) {
        json_decref(keep);
        FAIL(e, 500, "InternalError", "Out of memory");
    }
    if (id)
        snprintf(h->e.id, SBX_ID_MAX, "%s", id);
    else
        gen_id(h->e.id);
    h->e.seq = ++S.seq;
    h->secret = secret && *secret ? sbx_strdup(secret) : NULL;
    h->obj = json_object();
    json_object_set_new(h->obj, "id", json_string(h->e.id));
    json_object_set_new(h->obj, "type", json_string(gid ? "group" : "account"));
    if (gid)
        json_object_set_new(h->obj, "group_id", json_string(gid));
    json_object_set_new(h->obj, "url", json_string(url));
    json_object_set_new(h->obj, "events", json_deep_copy(events));
    json_object_set_new(h->obj, "active", json_boolean(active));
    if (h->secret)
        json_object_set_new(h->obj, "secret", json_string("******"));
    json_object_set_new(h->obj, "created_at", ts_json(stamp()));
    json_object_set_new(h->obj, "created_by", json_string(SBX_USER_ID));
    json_decref(keep);
    vec_push(&S.hooks, h);
    sbx_map_put(&S.hmap, h->e.id, h);
    *out = h;
    return 0;
}

static void route_webhooks(req *q)
{
    verr e;
    json_t *b = NULL;
    if (q->nseg == 1) {
        if (!allow(q, "GET"))
            return;
        page p;
        if (page_parse(q, &p) == 0)
            reply_page(q, &p, &S.hooks, hook_render, NULL);
        return;
    }
    int create_account = q->nseg == 2 && strcmp(q->seg[1], "account") == 0 && is_method(q, "POST");
    int create_group = q->nseg == 3 && strcmp(q->seg[1], "group") == 0;
    if (create_account || create_group) {
        if (create_group && !allow(q, "POST"))
            return;
        const char *gid = create_group ? q->seg[2] : NULL;
        if (gid && !group_find(gid)) {
            reply_err(q->r, 404, "NotFound_Group", "Cannot find entity 'Group' with id '%s'", gid);
            return;
        }
        if (body_json(q, &b, 1) < 0)
            return;
        char gidc[SBX_ID_MAX] = "";
        if (gid)
            snprintf(gidc, sizeof(gidc), "%s", gid);
        hook *h;
        if (hook_build(b, gid ? gidc : NULL, 0, &h, &e) < 0)
            reply_verr(q->r, &e);
        else
            reply_data(q->r, 200,
                       gid ? "Group webhook has been created" : "Account webhook has been created",
                       json_deep_copy(h->obj));
        json_decref(b);
        return;
    }
    int is_test = q->nseg == 3 && strcmp(q->seg[2], "test") == 0;
    if (q->nseg > 3 || (q->nseg == 3 && !is_test)) {
        reply_err(q->r, 404, "NotFound", "HTTP 404 Not Found");
        return;
    }
    if (!allow(q, is_test ? "POST" : "GET, PATCH, DELETE"))
        return;
    hook *h = sbx_map_get(&S.hmap, q->seg[1]);
    if (!h) {
        reply_err(q->r, 404, "NotFound_Webhook", "Cannot find entity 'Webhook' with id '%s'",
                  q->seg[1]);
        return;
    }
    char hid[SBX_ID_MAX];
    snprintf(hid, sizeof(hid), "%s", h->e.id);
    if (is_test) {
        const char *event = NULL;
        if (body_json(q, &b, 1) < 0)
            return;
        if (f_str(b, "event", &event, 1, &e) < 0) {
            reply_verr(q->r, &e);
            json_decref(b);
            return;
        }
        char *body = test_payload(event);
        char *url = sbx_strdup(json_string_value(json_object_get(h->obj, "url")));
        char *secret = h->secret ? sbx_strdup(h->secret) : NULL;
        json_decref(b);
        long status = 0;
        char msg[256] = "";
        pthread_mutex_unlock(&S.lock);
        int ok = body && url && sbx_deliver_now(url, secret, body, &status, msg, sizeof(msg));
        pthread_mutex_lock(&S.lock);
        free(body);
        free(url);
        free(secret);
        reply_data(
            q->r, 200, "Webhook test completed successfully",
            json_pack("{s:b,s:i,s:s}", "succeed", ok, "status", (int)status, "message", msg));
        return;
    }
    if (is_method(q, "GET")) {
        reply_data(q->r, 200, NULL, json_deep_copy(h->obj));
        return;
    }
    if (is_method(q, "DELETE")) {
        sbx_map_del(&S.hmap, h->e.id);
        vec_remove(&S.hooks, h);
        json_decref(h->obj);
        free(h->secret);
        free(h);
        reply_msg(q->r, "Webhook with id '%s' has been deleted", hid);
        return;
    }
    /* PATCH */
    const char *url = NULL, *secret = NULL;
    int active = 0, has_active;
    json_t *events = NULL;
    if (body_json(q, &b, 1) < 0)
        return;
    events = json_object_get(b, "events");
    if (f_str(b, "url", &url, 0, &e) < 0 || (url && check_url(url, &e) < 0) ||
        (events && check_events(events, &e) < 0) ||
        (has_active = f_bool(b, "active", &active, &e)) < 0 ||
        f_str(b, "secret", &secret, 0, &e) < 0) {
        reply_verr(q->r, &e);
        json_decref(b);
        return;
    }
    int now_active = has_active ? active : json_is_true(json_object_get(h->obj, "active"));
    int was_active = json_is_true(json_object_get(h->obj, "active"));
    if (now_active && (!was_active || url)) {
        const char *vu = url ? url : json_string_value(json_object_get(h->obj, "url"));
        char *vuc = sbx_strdup(vu);
        const char *vs = secret ? secret : h->secret;
        char *vsc = vs ? sbx_strdup(vs) : NULL;
        int rc = verify_url(vuc ? vuc : "", vsc, &e);
        free(vuc);
        free(vsc);
        h = sbx_map_get(&S.hmap, hid); /* may have been deleted meanwhile */
        if (rc < 0 || !h) {
            if (rc < 0)
                reply_verr(q->r, &e);
            else
                reply_err(q->r, 404, "NotFound_Webhook",
                          "Cannot find entity 'Webhook' with id '%s'", hid);
            json_decref(b);
            return;
        }
    }
    if (url)
        json_object_set_new(h->obj, "url", json_string(url));
    if (events)
        json_object_set_new(h->obj, "events", json_deep_copy(events));
    if (has_active)
        json_object_set_new(h->obj, "active", json_boolean(active));
    if (secret) {
        free(h->secret);
        h->secret = *secret ? sbx_strdup(secret) : NULL;
        if (h->secret)
            json_object_set_new(h->obj, "secret", json_string("******"));
        else
            json_object_del(h->obj, "secret");
    }
    reply_data(q->r, 200, "Webhook has been updated", json_deep_copy(h->obj));
    json_decref(b);
}

/* ------------------------------------------------------------------------------------ */
/* dispatch                                                                              */

/* ------------------------------------------------------------------------------------ */
/* the router's entry points                                                             */

void sbx_lock(void)
{
    pthread_mutex_lock(&S.lock);
}

void sbx_unlock(void)
{
    pthread_mutex_unlock(&S.lock);
}

int64_t sbx_stamp(void)
{
    return stamp();
}

void sbx_gen_id(char out[SBX_ID_MAX])
{
    gen_id(out);
}

uint64_t sbx_next_seq(void)
{
    return ++S.seq;
}

uint64_t *sbx_rng(void)
{
    return &S.rng;
}

int sbx_entity_exists(const char *kind, const char *id)
{
    if (strcmp(kind, "groups") == 0)
        return group_find(id) != NULL;
    if (strcmp(kind, "destinations") == 0)
        return dest_find(id) != NULL;
    if (strcmp(kind, "connections") == 0)
        return sbx_map_get(&S.cmap, id) != NULL || synth_index(id, 1) >= 0;
    return 0;
}

json_t *sbx_connections_where(const char *field, const char *value)
{
    json_t *a = json_array();
    for (size_t i = 0; i < S.conns.n; i++) {
        conn *c = S.conns.v[i];
        const char *v = json_string_value(json_object_get(c->obj, field));
        if (v && strcmp(v, value) == 0)
            json_array_append_new(a, json_string(c->e.id));
    }
    return a;
}

long sbx_sync_ms(void)
{
    return S.cfg && S.cfg->sync_ms > 0 ? S.cfg->sync_ms : 0;
}

int sbx_page_parse(sbx_req *q, long *limit, uint64_t *after)
{
    page p;
    if (page_parse(q, &p) < 0)
        return -1;
    *limit = p.limit;
    *after = p.after;
    return 0;
}

json_t *sbx_cursor(uint64_t seq)
{
    return cursor_json(seq);
}

void sbx_h_groups(sbx_req *q, const sbx_route *rt)
{
    (void)rt;
    route_groups(q);
}

void sbx_h_connections(sbx_req *q, const sbx_route *rt)
{
    (void)rt;
    route_connections(q);
}

void sbx_h_destinations(sbx_req *q, const sbx_route *rt)
{
    (void)rt;
    route_destinations(q);
}

void sbx_h_webhooks(sbx_req *q, const sbx_route *rt)
{
    (void)rt;
    route_webhooks(q);
}

void sbx_h_account_info(sbx_req *q, const sbx_route *rt)
{
    (void)rt;
    reply_data(q->r, 200, "Account information retrieved successfully",
               json_pack("{s:s,s:s,s:s,s:n}", "account_id", SBX_ACCOUNT_ID, "account_name",
                         "Sandbox", "user_id", SBX_USER_ID, "system_key_id"));
}

/* the connection of /connections/{id}/schemas/...: materialised; NULL with the reply set */
static conn *schema_conn(req *q)
{
    conn *c = conn_find(q->seg[1], 1, NULL);
    if (!c) {
        not_found_conn(q, q->seg[1]);
        return NULL;
    }
    if (!c->schema) {
        reply_err(q->r, 404, "NotFound_SchemaConfig",
                  "Connection with id '%s' doesn't have schema config", c->e.id);
        return NULL;
    }
    return c;
}

/* POST /connections/{id}/schemas/drop-columns
 * {"schemas":{"s":{"tables":{"t":{"columns":["c", ...]}}}}}: every named column must exist
 * and be blocked (enabled:false), else nothing changes (404 / 409); the columns leave the
 * schema config. */
void sbx_h_drop_columns(sbx_req *q, const sbx_route *rt)
{
    json_t *b = NULL;
    if (sbx_body_json(q, &b, 1) < 0 || sbx_validate(q, rt, b) < 0) {
        json_decref(b);
        return;
    }
    conn *c = schema_conn(q);
    if (!c) {
        json_decref(b);
        return;
    }
    for (int pass = 0; pass < 2; pass++) {
        const char *sn, *tn;
        json_t *sv, *tv;
        json_object_foreach(json_object_get(b, "schemas"), sn, sv)
        {
            json_t *s = json_object_get(json_object_get(c->schema, "schemas"), sn);
            json_t *tabs = json_object_get(sv, "tables");
            if (!s || !json_is_object(tabs)) {
                if (!s)
                    reply_err(q->r, 404, "NotFound", "Schema '%s' not found", sn);
                else
                    reply_err(q->r, 400, "InvalidInput", "Field 'schemas.%s.tables' is required",
                              sn);
                json_decref(b);
                return;
            }
            json_object_foreach(tabs, tn, tv)
            {
                json_t *t = json_object_get(json_object_get(s, "tables"), tn);
                json_t *cols = json_object_get(tv, "columns");
                if (!t) {
                    reply_err(q->r, 404, "NotFound", "Table '%s' not found in schema '%s'", tn, sn);
                    json_decref(b);
                    return;
                }
                if (!json_is_array(cols) || !json_array_size(cols)) {
                    reply_err(q->r, 400, "InvalidInput",
                              "Field 'schemas.%s.tables.%s.columns' must be a non-empty array", sn,
                              tn);
                    json_decref(b);
                    return;
                }
                size_t i;
                json_t *cv;
                json_array_foreach(cols, i, cv)
                {
                    const char *cn = json_string_value(cv);
                    json_t *tcols = json_object_get(t, "columns");
                    json_t *col = cn ? json_object_get(tcols, cn) : NULL;
                    if (pass == 1) {
                        json_object_del(tcols, cn);
                        continue;
                    }
                    if (!col) {
                        reply_err(q->r, 404, "NotFound", "Column '%s' not found in table '%s'",
                                  cn ? cn : "", tn);
                        json_decref(b);
                        return;
                    }
                    if (json_is_true(json_object_get(col, "enabled"))) {
                        reply_err(q->r, 409, "Conflict", "Column '%s' is not blocked", cn);
                        json_decref(b);
                        return;
                    }
                }
            }
        }
    }
    json_decref(b);
    reply_msg(q->r, "Columns successfully marked for deletion");
}

/* POST /connections/{id}/schemas/tables/resync {"schema":["table", ...], ...}: a historical
 * sync of the named tables (they must exist in the schema config) */
void sbx_h_tables_resync(sbx_req *q, const sbx_route *rt)
{
    (void)rt;
    json_t *b = NULL;
    if (sbx_body_json(q, &b, 1) < 0)
        return;
    conn *c = schema_conn(q);
    if (!c) {
        json_decref(b);
        return;
    }
    const char *sn;
    json_t *tabs;
    if (!json_object_size(b)) {
        reply_err(q->r, 400, "InvalidInput", "At least one schema with tables is required");
        json_decref(b);
        return;
    }
    json_object_foreach(b, sn, tabs)
    {
        json_t *s = json_object_get(json_object_get(c->schema, "schemas"), sn);
        if (!json_is_array(tabs) || !json_array_size(tabs)) {
            reply_err(q->r, 400, "InvalidInput", "Field '%s' must be a non-empty array of tables",
                      sn);
            json_decref(b);
            return;
        }
        if (!s) {
            reply_err(q->r, 404, "NotFound", "Schema '%s' not found", sn);
            json_decref(b);
            return;
        }
        size_t i;
        json_t *t;
        json_array_foreach(tabs, i, t)
        {
            const char *tn = json_string_value(t);
            if (!tn || !json_object_get(json_object_get(s, "tables"), tn)) {
                reply_err(q->r, 404, "NotFound", "Table '%s' not found in schema '%s'",
                          tn ? tn : "", sn);
                json_decref(b);
                return;
            }
        }
    }
    json_decref(b);
    emit(c, "resync_table", NULL, json_object());
    json_object_set_new(status_of(c), "is_historical_sync", json_true());
    if (json_is_true(json_object_get(c->obj, "paused")))
        c->pending = 1;
    else
        sync_begin(c, 1);
    reply_msg(q->r, "Re-sync has been triggered successfully");
}

/* ------------------------------------------------------------------------------------ */
/* init, seed, teardown                                                                  */

int sbx_store_seed(json_t *seed, char *errbuf, size_t errlen)
{
    verr e;
    size_t i;
    json_t *x;
    if (!json_is_object(seed)) {
        snprintf(errbuf, errlen, "seed: top level must be an object");
        return -1;
    }
    json_array_foreach(json_object_get(seed, "groups"), i, x)
    {
        const char *id = json_string_value(json_object_get(x, "id"));
        const char *name = json_string_value(json_object_get(x, "name"));
        int64_t created = 0;
        sbx_parse_ts(json_string_value(json_object_get(x, "created_at")), &created);
        if (!name || (id && id_taken(id))) {
            snprintf(errbuf, errlen, "seed: group %zu needs a name and a unique id", i);
            return -1;
        }
        group_add(id, name, created);
    }
    json_array_foreach(json_object_get(seed, "destinations"), i, x)
    {
        dest *d;
        if (dest_build(x, 1, &d, NULL, &e) < 0) {
            snprintf(errbuf, errlen, "seed: destination %zu: %s", i, e.msg);
            return -1;
        }
    }
    json_array_foreach(json_object_get(seed, "connections"), i, x)
    {
        conn *c;
        if (conn_build(x, 1, &c, NULL, NULL, &e) < 0) {
            snprintf(errbuf, errlen, "seed: connection %zu: %s", i, e.msg);
            return -1;
        }
    }
    json_array_foreach(json_object_get(seed, "webhooks"), i, x)
    {
        hook *h;
        const char *gid = json_string_value(json_object_get(x, "group_id"));
        if (gid && !group_find(gid)) {
            snprintf(errbuf, errlen, "seed: webhook %zu: unknown group '%s'", i, gid);
            return -1;
        }
        if (hook_build(x, gid, 1, &h, &e) < 0) {
            snprintf(errbuf, errlen, "seed: webhook %zu: %s", i, e.msg);
            return -1;
        }
    }
    return 0;
}

int sbx_store_init(const sbx_config *cfg, char *errbuf, size_t errlen)
{
    S.cfg = cfg;
    S.rng = cfg->random_seed ^ 0x5EED5EED5EEDULL;
    if (cfg->synthetic < 0 || cfg->synthetic > SYNTH_MAX) {
        snprintf(errbuf, errlen, "--synthetic-connections must be 0..%ld", SYNTH_MAX);
        return -1;
    }
    S.nsynth = cfg->synthetic;
    S.seq = (uint64_t)S.nsynth;
    if (S.nsynth) {
        long g = S.nsynth / 100;
        S.nsynth_groups = g < 1 ? 1 : g > 1000 ? 1000 : g;
        S.synth_gid = calloc((size_t)S.nsynth_groups, sizeof(*S.synth_gid));
        S.synth_dead = calloc((size_t)S.nsynth / 8 + 1, 1);
        if (!S.synth_gid || !S.synth_dead) {
            snprintf(errbuf, errlen, "out of memory");
            return -1;
        }
        for (long k = 0; k < S.nsynth_groups; k++) {
            char name[64];
            snprintf(name, sizeof(name), "synthetic_%ld", k);
            group *gr = group_add(NULL, name, SYNTH_BASE_MS - 86400000LL + k);
            if (!gr) {
                snprintf(errbuf, errlen, "out of memory");
                return -1;
            }
            gr->synth_slot = k;
            snprintf(S.synth_gid[k], SBX_ID_MAX, "%s", gr->e.id);
            json_t *db = json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s,s:s}}", "group_id", gr->e.id,
                                   "service", "snowflake", "time_zone_offset", "0", "setup_status",
                                   "connected", "config", "host", "sandbox.snowflakecomputing.com",
                                   "user", "fivetran", "password", "synthetic");
            dest *d;
            verr e;
            dest_build(db, 1, &d, NULL, &e);
            json_decref(db);
        }
    }
    return 0;
}

void sbx_store_free(void)
{
    sbx_coll_free();
    for (size_t i = 0; i < S.conns.n; i++)
        sbx_map_del(&S.cmap, ((conn *)S.conns.v[i])->e.id), conn_free(S.conns.v[i]);
    for (size_t i = 0; i < S.cmap.cap; i++) { /* materialised synthetic connections */
        sbx_map_slot *s = &S.cmap.slots[i];
        if (s->k && s->v)
            conn_free(s->v);
    }
    for (size_t i = 0; i < S.groups.n; i++) {
        json_decref(((group *)S.groups.v[i])->obj);
        free(S.groups.v[i]);
    }
    for (size_t i = 0; i < S.dests.n; i++) {
        dest *d = S.dests.v[i];
        json_decref(d->obj);
        json_decref(d->config);
        free(d);
    }
    for (size_t i = 0; i < S.hooks.n; i++) {
        hook *h = S.hooks.v[i];
        json_decref(h->obj);
        free(h->secret);
        free(h);
    }
    free(S.conns.v);
    free(S.groups.v);
    free(S.dests.v);
    free(S.hooks.v);
    free(S.syncing.v);
    sbx_map_free(&S.cmap);
    sbx_map_free(&S.gmap);
    sbx_map_free(&S.dmap);
    sbx_map_free(&S.hmap);
    free(S.synth_gid);
    free(S.synth_dead);
    /* leave an empty store behind so sbx_store_init can run again (in-process harnesses) */
    S.cfg = NULL;
    S.rng = 0;
    S.seq = 0;
    S.last_ms = 0;
    memset(&S.groups, 0, sizeof(S.groups));
    memset(&S.dests, 0, sizeof(S.dests));
    memset(&S.hooks, 0, sizeof(S.hooks));
    memset(&S.conns, 0, sizeof(S.conns));
    memset(&S.syncing, 0, sizeof(S.syncing));
    memset(&S.gmap, 0, sizeof(S.gmap));
    memset(&S.dmap, 0, sizeof(S.dmap));
    memset(&S.hmap, 0, sizeof(S.hmap));
    memset(&S.cmap, 0, sizeof(S.cmap));
    S.nsynth = S.nsynth_groups = 0;
    S.synth_gid = NULL;
    S.synth_dead = NULL;
}
