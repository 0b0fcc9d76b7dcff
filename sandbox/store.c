/*
 * The sandbox's state: groups, destinations, connections (real and synthetic) and webhooks,
 * their lookup, rendering and creation, the seed, init and teardown. One global mutex guards
 * all state (sbx_lock); handlers run under it.
 */
#include "store_int.h"

struct sbx_state sbx_st = {.lock = PTHREAD_MUTEX_INITIALIZER};

static json_t *with_lpa_alias(json_t *o);

static void synth_kill(long i);

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
int sbx_vec_push(vec *v, void *p)
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

void sbx_vec_remove(vec *v, void *p)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->v[i] == p) {
            memmove(&v->v[i], &v->v[i + 1], (v->n - i - 1) * sizeof(void *));
            v->n--;
            return;
        }
}

/* first index whose seq is greater than after (entities are in seq order) */
size_t sbx_vec_after(const vec *v, uint64_t after)
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
int64_t sbx_stamp(void)
{
    int64_t t = sbx_now_ms();
    if (sbx_clock_is_fixed())
        return t; /* a fixed clock: every timestamp is exactly its time */
    if (t <= sbx_st.last_ms)
        t = sbx_st.last_ms + 1;
    sbx_st.last_ms = t;
    return t;
}

json_t *sbx_ts_json(int64_t ms)
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
    if (!sbx_st.nsynth || !id)
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
    if (i >= sbx_st.nsynth)
        return -1;
    if (alive && (sbx_st.synth_dead[i / 8] & (1u << (i % 8))))
        return -1;
    return i;
}

int sbx_id_taken(const char *id)
{
    return sbx_map_get(&sbx_st.gmap, id) || sbx_map_get(&sbx_st.cmap, id) ||
           sbx_map_get(&sbx_st.hmap, id) || synth_index(id, 0) >= 0;
}

void sbx_gen_id(char out[SBX_ID_MAX])
{
    size_t w = sbx_word_count();
    for (int attempt = 0;; attempt++) {
        int parts = attempt < 40 ? 2 : attempt < 200 ? 4 : 5;
        size_t o = 0;
        out[0] = '\0';
        for (int p = 0; p < parts; p++)
            o += (size_t)snprintf(out + o, SBX_ID_MAX - o, "%s%s", p ? "_" : "",
                                  sbx_word((size_t)(sbx_rand_next(&sbx_st.rng) % w)));
        if (!sbx_id_taken(out))
            return;
    }
}

group *sbx_group_find(const char *id)
{
    return sbx_map_get(&sbx_st.gmap, id);
}

group *sbx_group_add(const char *id, const char *name, int64_t created)
{
    group *g = calloc(1, sizeof(*g));
    if (!g)
        return NULL;
    if (id)
        snprintf(g->e.id, SBX_ID_MAX, "%s", id);
    else
        sbx_gen_id(g->e.id);
    g->e.seq = ++sbx_st.seq;
    g->synth_slot = -1;
    g->obj = json_pack("{s:s,s:s,s:o}", "id", g->e.id, "name", name, "created_at",
                       sbx_ts_json(created ? created : sbx_stamp()));
    sbx_vec_push(&sbx_st.groups, g);
    sbx_map_put(&sbx_st.gmap, g->e.id, g);
    return g;
}

json_t *sbx_group_render(void *p, void *ud)
{
    (void)ud;
    return json_deep_copy(((group *)p)->obj);
}

dest *sbx_dest_find(const char *id)
{
    return sbx_map_get(&sbx_st.dmap, id);
}

json_t *sbx_dest_render(dest *d, int with_config)
{
    json_t *o = json_deep_copy(d->obj);
    if (with_config)
        json_object_set_new(o, "config", sbx_masked(d->config));
    return o;
}

json_t *sbx_dest_render_list(void *p, void *ud)
{
    (void)ud;
    return with_lpa_alias(sbx_dest_render(p, 0));
}

/* setup test results; when fail, the last step FAILED and carries `details` (stolen; the API
 * sends a string or a list there) */
json_t *sbx_setup_tests(const char *const *titles, size_t n, int fail, json_t *details)
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

json_t *sbx_dest_tests(dest *d)
{
    static const char *const t[] = {"Host Connection", "Database Connection", "Permission Test"};
    int fail = json_is_true(json_object_get(d->config, "sandbox_fail"));
    json_object_set_new(d->obj, "setup_status", json_string(fail ? "broken" : "connected"));
    return sbx_setup_tests(t, 3, fail,
                           json_string("Sandbox: the destination's config has sandbox_fail: true"));
}

void sbx_group_delete(group *g)
{
    /* cascade: connections, destination, group webhooks */
    for (size_t i = sbx_st.conns.n; i-- > 0;) {
        conn *c = sbx_st.conns.v[i];
        if (strcmp(json_string_value(json_object_get(c->obj, "group_id")), g->e.id) == 0)
            sbx_conn_delete(c);
    }
    if (g->synth_slot >= 0)
        for (long i = g->synth_slot; i < sbx_st.nsynth; i += sbx_st.nsynth_groups)
            synth_kill(i);
    dest *d = sbx_dest_find(g->e.id);
    if (d) {
        sbx_coll_forget("destinations", d->e.id);
        sbx_map_del(&sbx_st.dmap, d->e.id);
        sbx_vec_remove(&sbx_st.dests, d);
        json_decref(d->obj);
        json_decref(d->config);
        free(d);
    }
    for (size_t i = sbx_st.hooks.n; i-- > 0;) {
        hook *h = sbx_st.hooks.v[i];
        const char *hg = json_string_value(json_object_get(h->obj, "group_id"));
        if (hg && strcmp(hg, g->e.id) == 0) {
            sbx_map_del(&sbx_st.hmap, h->e.id);
            sbx_vec_remove(&sbx_st.hooks, h);
            json_decref(h->obj);
            free(h->secret);
            free(h);
        }
    }
    sbx_coll_forget("groups", g->e.id);
    sbx_map_del(&sbx_st.gmap, g->e.id);
    sbx_vec_remove(&sbx_st.groups, g);
    json_decref(g->obj);
    free(g);
}

/* The link/agent ids a connection or destination create/PATCH may carry: each a string, or
 * null to clear it. The sandbox serves no private links or agents, so any id is accepted. */
static const char *const link_ids[] = {"private_link_id", "proxy_agent_id",
                                       "hybrid_deployment_agent_id", "external_secrets_manager_id"};
#define N_CONN_LINK_IDS 3 /* connections: the first three; destinations: all four */

int sbx_check_link_ids(json_t *b, size_t n, verr *e)
{
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_object_get(b, link_ids[i]);
        if (v && !json_is_null(v) && !json_is_string(v))
            FAIL(e, 400, "InvalidInput", "Field '%s' must be a string", link_ids[i]);
    }
    return 0;
}

/* store the ids present in b (null clears) on obj */
void sbx_apply_link_ids(json_t *obj, json_t *b, size_t n)
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

int sbx_check_tz(json_t *b, const char **tz, int required, verr *e)
{
    return sbx_f_enum(b, "time_zone_offset", tz_offsets, sizeof(tz_offsets) / sizeof(*tz_offsets),
                      tz, e) < 0
               ? -1
           : (required && !*tz)
               ? (e->status = 400, e->code = "InvalidInput",
                  snprintf(e->msg, sizeof(e->msg), "Field 'time_zone_offset' is required"), -1)
               : 0;
}

/* create or seed a destination; tests: run setup tests (fills *tests) */
int sbx_dest_build(json_t *b, int seed, dest **out, json_t **tests, verr *e)
{
    const char *gid = NULL, *service = NULL, *tz = NULL, *region = NULL, *nm = NULL;
    json_t *config = NULL;
    int rst = 1, dst = 0;
    if (sbx_f_str(b, "group_id", &gid, 1, e) < 0 || sbx_f_str(b, "service", &service, 1, e) < 0 ||
        sbx_check_tz(b, &tz, !seed, e) < 0 || sbx_f_str(b, "region", &region, 0, e) < 0 ||
        sbx_f_obj(b, "config", &config, e) < 0 || sbx_f_bool(b, "run_setup_tests", &rst, e) < 0 ||
        sbx_f_bool(b, "daylight_saving_time_enabled", &dst, e) < 0 ||
        sbx_f_str(b, "networking_method", &nm, 0, e) < 0 || sbx_check_link_ids(b, 4, e) < 0)
        return -1;
    if (!sbx_group_find(gid))
        FAIL(e, 404, "NotFound_Group", "Cannot find entity 'Group' with id '%s'", gid);
    if (sbx_dest_find(gid))
        FAIL(e, 409, "Conflict", "Destination for group '%s' already exists", gid);
    dest *d = calloc(1, sizeof(*d));
    if (!d)
        FAIL(e, 500, "InternalError", "Out of memory");
    snprintf(d->e.id, SBX_ID_MAX, "%s", gid);
    d->e.seq = ++sbx_st.seq;
    d->config = config ? json_deep_copy(config) : json_object();
    const char *status = NULL;
    if (seed)
        sbx_f_str(b, "setup_status", &status, 0, e);
    d->obj = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:n,s:n,s:n,s:n}", "id", gid, "group_id", gid, "service",
        service, "region", region ? region : "GCP_US_EAST4", "time_zone_offset", tz ? tz : "0",
        "setup_status", status ? status : "incomplete", "daylight_saving_time_enabled", dst,
        "networking_method", nm ? nm : "Directly", "private_link_id", "hybrid_deployment_agent_id",
        "proxy_agent_id", "external_secrets_manager_id");
    sbx_apply_link_ids(d->obj, b, 4);
    if (tests)
        *tests = rst && !seed ? sbx_dest_tests(d) : NULL;
    sbx_vec_push(&sbx_st.dests, d);
    sbx_map_put(&sbx_st.dmap, d->e.id, d);
    *out = d;
    return 0;
}

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
                     schema, "connected_by", SBX_USER_ID, "created_at", sbx_ts_json(created),
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

json_t *sbx_conn_render(conn *c)
{
    json_t *o = json_deep_copy(c->obj);
    long freq = (long)json_integer_value(json_object_get(o, "sync_frequency"));
    json_object_set_new(o, "daily_sync_time",
                        freq == 1440 && c->daily[0] ? json_string(c->daily) : json_null());
    json_object_set_new(o, "config", sbx_masked(c->config));
    if (c->tests)
        json_object_set_new(o, "setup_tests", json_deep_copy(c->tests));
    return o;
}

static json_t *conn_render_item(conn *c)
{
    return with_lpa_alias(sbx_conn_render(c));
}

const char *sbx_conn_group(conn *c)
{
    return json_string_value(json_object_get(c->obj, "group_id"));
}

json_t *sbx_status_of(conn *c)
{
    return json_object_get(c->obj, "status");
}

void sbx_set_status(conn *c, const char *k, const char *v)
{
    json_object_set_new(sbx_status_of(c), k, json_string(v));
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
    c->obj = conn_obj(c->e.id, sbx_st.synth_gid[i % sbx_st.nsynth_groups], svc, schema, created);
    json_object_set_new(c->obj, "succeeded_at", sbx_ts_json(created + 3600000));
    json_object_set_new(c->obj, "status", status_obj("connected", "scheduled", 0));
    c->config = json_pack("{s:s}", "schema", schema);
    c->touched = json_object(); /* the catalog is built lazily (catalog_of) */
    return c;
}

json_t *sbx_catalog_of(conn *c)
{
    if (!c->catalog)
        c->catalog = default_catalog(json_string_value(json_object_get(c->obj, "service")));
    return c->catalog;
}

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
        id, sbx_st.synth_gid[i % sbx_st.nsynth_groups], svc, svc, i, c1, c2, svc, i);
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

void sbx_conn_free(conn *c)
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
conn *sbx_conn_find(const char *id, int keep, int *temp)
{
    if (temp)
        *temp = 0;
    conn *c = sbx_map_get(&sbx_st.cmap, id);
    if (c)
        return c;
    long i = synth_index(id, 1);
    if (i < 0)
        return NULL;
    c = synth_make(i);
    if (!c)
        return NULL;
    if (keep)
        sbx_map_put(&sbx_st.cmap, c->e.id, c);
    else if (temp)
        *temp = 1;
    return c;
}

static void synth_kill(long i)
{
    sbx_st.synth_dead[i / 8] = (unsigned char)(sbx_st.synth_dead[i / 8] | (1u << (i % 8)));
    char id[SBX_ID_MAX];
    synth_id(i, id);
    conn *c = sbx_map_get(&sbx_st.cmap, id);
    if (c) {
        if (c->syncing)
            sbx_vec_remove(&sbx_st.syncing, c);
        sbx_map_del(&sbx_st.cmap, id);
        sbx_conn_free(c);
    }
}

void sbx_conn_delete(conn *c)
{
    sbx_emit(c, "delete_connector", NULL, json_object());
    sbx_coll_forget("connections", c->e.id);
    if (c->syncing)
        sbx_vec_remove(&sbx_st.syncing, c);
    sbx_map_del(&sbx_st.cmap, c->e.id);
    if (c->synth >= 0) {
        sbx_st.synth_dead[c->synth / 8] =
            (unsigned char)(sbx_st.synth_dead[c->synth / 8] | (1u << (c->synth % 8)));
    } else {
        sbx_vec_remove(&sbx_st.conns, c);
    }
    sbx_conn_free(c);
}

int sbx_conn_fields_read(json_t *b, conn_fields *f, verr *e)
{
    static const char *const sched[] = {"auto", "manual"};
    static const char *const dds[] = {"LOW", "NORMAL", "HIGH", "CUSTOM", "SYNC_FREQUENCY"};
    static const char *const nm[] = {"Directly", "SshTunnel", "ProxyAgent", "PrivateLink"};
    static const char *const dsn[] = {"FIVETRAN_NAMING", "SOURCE_NAMING"};
    static const char *const ss[] = {"ready", "blocked_on_capture"};
    memset(f, 0, sizeof(*f));
    int rc;
    if ((f->has_paused = sbx_f_bool(b, "paused", &f->paused, e)) < 0 ||
        (f->has_pat = sbx_f_bool(b, "pause_after_trial", &f->pat, e)) < 0 ||
        (f->has_hist = sbx_f_bool(b, "is_historical_sync", &f->hist, e)) < 0 ||
        (f->has_freq = sbx_f_int(b, "sync_frequency", &f->freq, e)) < 0 ||
        sbx_f_str(b, "daily_sync_time", &f->daily, 0, e) < 0 ||
        sbx_f_enum(b, "schedule_type", sched, 2, &f->sched, e) < 0 ||
        sbx_f_enum(b, "data_delay_sensitivity", dds, 5, &f->dds, e) < 0 ||
        sbx_f_enum(b, "networking_method", nm, 4, &f->nm, e) < 0 ||
        sbx_f_enum(b, "destination_schema_names", dsn, 2, &f->dsn, e) < 0 ||
        sbx_f_enum(b, "schema_status", ss, 2, &f->schema_status, e) < 0 ||
        (f->has_ddt = sbx_f_int(b, "data_delay_threshold", &f->ddt, e)) < 0 ||
        sbx_f_obj(b, "config", &f->config, e) < 0 || sbx_f_obj(b, "auth", &f->auth, e) < 0 ||
        (f->has_rst = sbx_f_bool(b, "run_setup_tests", &f->rst, e)) < 0 ||
        sbx_check_link_ids(b, N_CONN_LINK_IDS, e) < 0)
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

void sbx_conn_fields_apply(conn *c, const conn_fields *f)
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
        sbx_set_status(c, "schema_status", f->schema_status);
    sbx_apply_link_ids(c->obj, f->body, N_CONN_LINK_IDS);
    if (f->config) {
        sbx_merge(c->config, f->config);
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

int sbx_is_function_service(const char *svc)
{
    return strstr(svc, "function") || strstr(svc, "lambda") || strcmp(svc, "connector_sdk") == 0;
}

json_t *sbx_conn_tests(conn *c)
{
    static const char *const t[] = {"Connecting to source", "Validating credentials",
                                    "Checking permissions"};
    sbx_set_status(c, "setup_state", c->fail ? "broken" : "connected");
    json_t *details = c->fail ? json_pack("[s,s]", "Sandbox: this connection is configured to fail",
                                          "config.sandbox_fail is true")
                              : NULL;
    json_decref(c->tests);
    c->tests = sbx_setup_tests(t, 3, c->fail, details);
    return json_deep_copy(c->tests);
}

json_t *sbx_connect_card(conn *c, json_t *cfg)
{
    char payload[256];
    int n = snprintf(payload, sizeof(payload), "{\"connection_id\":\"%s\",\"exp\":%lld}", c->e.id,
                     (long long)(sbx_now_ms() / 1000 + 3600));
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

int sbx_check_connect_card_config(json_t *cfg, verr *e)
{
    const char *redirect = NULL;
    if (sbx_f_str(cfg, "redirect_uri", &redirect, 1, e) < 0)
        return -1;
    if (strncmp(redirect, "http", 4) != 0)
        FAIL(e, 400, "InvalidInput", "Field 'redirect_uri' must start with http or https");
    return 0;
}

/* build a new connection from a create body (or a seed entry) */
int sbx_conn_build(json_t *b, int seed, conn **out, json_t **tests, json_t **card, verr *e)
{
    const char *gid = NULL, *service = NULL, *id = NULL;
    conn_fields f;
    json_t *ccc = NULL;
    if (sbx_f_str(b, "group_id", &gid, 1, e) < 0 || sbx_f_str(b, "service", &service, 1, e) < 0 ||
        sbx_conn_fields_read(b, &f, e) < 0 || sbx_f_obj(b, "connect_card_config", &ccc, e) < 0)
        return -1;
    if (seed && sbx_f_str(b, "id", &id, 0, e) < 0)
        return -1;
    if (!valid_service(service))
        FAIL(e, 400, "InvalidInput", "Unsupported service '%s'", service);
    if (!sbx_group_find(gid))
        FAIL(e, 404, "NotFound_Group", "Cannot find entity 'Group' with id '%s'", gid);
    if (ccc && sbx_check_connect_card_config(ccc, e) < 0)
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
    for (size_t i = 0; i < sbx_st.conns.n; i++) {
        conn *o = sbx_st.conns.v[i];
        if (strcmp(sbx_conn_group(o), gid) == 0 &&
            strcmp(json_string_value(json_object_get(o->obj, "schema")), schema) == 0)
            FAIL(e, 409, "Conflict", "A connection with schema '%s' already exists in group '%s'",
                 schema, gid);
    }
    if (id && sbx_id_taken(id))
        FAIL(e, 400, "InvalidInput", "Duplicate id '%s' in seed", id);
    conn *c = calloc(1, sizeof(*c));
    if (!c)
        FAIL(e, 500, "InternalError", "Out of memory");
    if (id)
        snprintf(c->e.id, SBX_ID_MAX, "%s", id);
    else
        sbx_gen_id(c->e.id);
    c->e.seq = ++sbx_st.seq;
    c->synth = -1;
    int64_t created = 0;
    if (seed)
        sbx_parse_ts(json_string_value(json_object_get(b, "created_at")), &created);
    c->obj = conn_obj(c->e.id, gid, service, schema, created ? created : sbx_stamp());
    c->config = cfg ? json_deep_copy(cfg) : json_object();
    c->touched = json_object();
    c->fail = json_is_true(json_object_get(c->config, "sandbox_fail")) ||
              (seed && json_is_true(json_object_get(b, "sandbox_fail")));
    sbx_conn_fields_apply(c, &f);
    if (f.has_paused) {
        json_object_set_new(c->obj, "paused", json_boolean(f.paused));
        if (f.paused)
            sbx_set_status(c, "sync_state", "paused");
    }
    int rst = f.has_rst ? f.rst : 1;
    if (tests)
        *tests = rst && !seed ? sbx_conn_tests(c) : NULL;
    if (ccc) {
        json_object_set_new(c->obj, "connect_card_config", json_deep_copy(ccc));
        if (card)
            *card = sbx_connect_card(c, ccc);
    }
    if (seed) {
        const char *setup = json_string_value(json_object_get(b, "setup_state"));
        sbx_set_status(c, "setup_state", setup ? setup : "connected");
        json_object_set_new(sbx_status_of(c), "is_historical_sync", json_false());
        int64_t t;
        if (sbx_parse_ts(json_string_value(json_object_get(b, "succeeded_at")), &t) == 0)
            json_object_set_new(c->obj, "succeeded_at", sbx_ts_json(t));
        if (sbx_parse_ts(json_string_value(json_object_get(b, "failed_at")), &t) == 0)
            json_object_set_new(c->obj, "failed_at", sbx_ts_json(t));
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
            sbx_merge(c->catalog, more);
            json_decref(more);
        }
        if (json_is_object(json_object_get(b, "state")))
            c->state = json_deep_copy(json_object_get(b, "state"));
    }
    sbx_vec_push(&sbx_st.conns, c);
    sbx_map_put(&sbx_st.cmap, c->e.id, c);
    *out = c;
    return 0;
}

void sbx_list_connections(req *q, const char *gid, const char *schema)
{
    page p;
    if (sbx_page_read(q, &p) < 0)
        return;
    tbuf b = {NULL, 0, 0, 0};
    tb_str(&b, "{\"code\":\"Success\",\"data\":{\"items\":[");
    long count = 0;
    uint64_t last = 0;
    int more = 0;
    /* synthetic connections: seq 1..nsynth */
    if ((uint64_t)sbx_st.nsynth > p.after) {
        long start = (long)p.after, step = 1;
        int skip = 0;
        if (gid) {
            group *g = sbx_group_find(gid);
            if (!g || g->synth_slot < 0) {
                skip = 1;
            } else {
                long slot = g->synth_slot, G = sbx_st.nsynth_groups;
                long first = start - start % G + slot;
                if (first < start)
                    first += G;
                start = first;
                step = G;
            }
        }
        for (long i = start; !skip && i < sbx_st.nsynth && !more; i += step) {
            if (sbx_st.synth_dead[i / 8] & (1u << (i % 8)))
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
            conn *c = sbx_map_get(&sbx_st.cmap, id);
            if (c)
                tb_add_json(&b, conn_render_item(c));
            else
                synth_render_text(&b, i, id);
            last = (uint64_t)i + 1;
            count++;
        }
    }
    for (size_t i = sbx_vec_after(&sbx_st.conns, p.after); i < sbx_st.conns.n && !more; i++) {
        conn *c = sbx_st.conns.v[i];
        if (gid && strcmp(sbx_conn_group(c), gid) != 0)
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
        json_t *cur = sbx_cursor_json(last);
        tb_str(&b, ",\"next_cursor\":\"");
        tb_add(&b, json_string_value(cur), strlen(json_string_value(cur)));
        tb_add(&b, "\"", 1);
        json_decref(cur);
    }
    tb_add(&b, "}}", 2);
    if (b.oom) {
        free(b.p);
        sbx_reply_err(q->r, 500, "InternalError", "Out of memory");
        return;
    }
    free(q->r->body);
    q->r->status = 200;
    q->r->body = b.p;
}

void sbx_not_found_conn(req *q, const char *id)
{
    sbx_reply_err(q->r, 404, "NotFound_Connector", "Cannot find entity 'Connector' with id '%s'",
                  id);
}

void sbx_lock(void)
{
    pthread_mutex_lock(&sbx_st.lock);
}

void sbx_unlock(void)
{
    pthread_mutex_unlock(&sbx_st.lock);
}

uint64_t sbx_next_seq(void)
{
    return ++sbx_st.seq;
}

uint64_t *sbx_rng(void)
{
    return &sbx_st.rng;
}

int sbx_entity_exists(const char *kind, const char *id)
{
    if (strcmp(kind, "groups") == 0)
        return sbx_group_find(id) != NULL;
    if (strcmp(kind, "destinations") == 0)
        return sbx_dest_find(id) != NULL;
    if (strcmp(kind, "connections") == 0)
        return sbx_map_get(&sbx_st.cmap, id) != NULL || synth_index(id, 1) >= 0;
    return 0;
}

json_t *sbx_connections_where(const char *field, const char *value)
{
    json_t *a = json_array();
    for (size_t i = 0; i < sbx_st.conns.n; i++) {
        conn *c = sbx_st.conns.v[i];
        const char *v = json_string_value(json_object_get(c->obj, field));
        if (v && strcmp(v, value) == 0)
            json_array_append_new(a, json_string(c->e.id));
    }
    return a;
}

long sbx_sync_ms(void)
{
    return sbx_st.cfg && sbx_st.cfg->sync_ms > 0 ? sbx_st.cfg->sync_ms : 0;
}

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
        if (!name || (id && sbx_id_taken(id))) {
            snprintf(errbuf, errlen, "seed: group %zu needs a name and a unique id", i);
            return -1;
        }
        sbx_group_add(id, name, created);
    }
    json_array_foreach(json_object_get(seed, "destinations"), i, x)
    {
        dest *d;
        if (sbx_dest_build(x, 1, &d, NULL, &e) < 0) {
            snprintf(errbuf, errlen, "seed: destination %zu: %s", i, e.msg);
            return -1;
        }
    }
    json_array_foreach(json_object_get(seed, "connections"), i, x)
    {
        conn *c;
        if (sbx_conn_build(x, 1, &c, NULL, NULL, &e) < 0) {
            snprintf(errbuf, errlen, "seed: connection %zu: %s", i, e.msg);
            return -1;
        }
    }
    json_array_foreach(json_object_get(seed, "webhooks"), i, x)
    {
        hook *h;
        const char *gid = json_string_value(json_object_get(x, "group_id"));
        if (gid && !sbx_group_find(gid)) {
            snprintf(errbuf, errlen, "seed: webhook %zu: unknown group '%s'", i, gid);
            return -1;
        }
        if (sbx_hook_build(x, gid, 1, &h, &e) < 0) {
            snprintf(errbuf, errlen, "seed: webhook %zu: %s", i, e.msg);
            return -1;
        }
    }
    return 0;
}

int sbx_store_init(const sbx_config *cfg, char *errbuf, size_t errlen)
{
    sbx_st.cfg = cfg;
    sbx_st.rng = cfg->random_seed ^ 0x5EED5EED5EEDULL;
    if (cfg->synthetic < 0 || cfg->synthetic > SYNTH_MAX) {
        snprintf(errbuf, errlen, "--synthetic-connections must be 0..%ld", SYNTH_MAX);
        return -1;
    }
    sbx_st.nsynth = cfg->synthetic;
    sbx_st.seq = (uint64_t)sbx_st.nsynth;
    if (sbx_st.nsynth) {
        long g = sbx_st.nsynth / 100;
        sbx_st.nsynth_groups = g < 1 ? 1 : g > 1000 ? 1000 : g;
        sbx_st.synth_gid = calloc((size_t)sbx_st.nsynth_groups, sizeof(*sbx_st.synth_gid));
        sbx_st.synth_dead = calloc((size_t)sbx_st.nsynth / 8 + 1, 1);
        if (!sbx_st.synth_gid || !sbx_st.synth_dead) {
            snprintf(errbuf, errlen, "out of memory");
            return -1;
        }
        for (long k = 0; k < sbx_st.nsynth_groups; k++) {
            char name[64];
            snprintf(name, sizeof(name), "synthetic_%ld", k);
            group *gr = sbx_group_add(NULL, name, SYNTH_BASE_MS - 86400000LL + k);
            if (!gr) {
                snprintf(errbuf, errlen, "out of memory");
                return -1;
            }
            gr->synth_slot = k;
            snprintf(sbx_st.synth_gid[k], SBX_ID_MAX, "%s", gr->e.id);
            json_t *db = json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s,s:s}}", "group_id", gr->e.id,
                                   "service", "snowflake", "time_zone_offset", "0", "setup_status",
                                   "connected", "config", "host", "sandbox.snowflakecomputing.com",
                                   "user", "fivetran", "password", "synthetic");
            dest *d;
            verr e;
            sbx_dest_build(db, 1, &d, NULL, &e);
            json_decref(db);
        }
    }
    return 0;
}

void sbx_store_free(void)
{
    sbx_store_clear();
    sbx_clock_real();
}

void sbx_store_clear(void)
{
    sbx_coll_free();
    for (size_t i = 0; i < sbx_st.conns.n; i++)
        sbx_map_del(&sbx_st.cmap, ((conn *)sbx_st.conns.v[i])->e.id),
            sbx_conn_free(sbx_st.conns.v[i]);
    for (size_t i = 0; i < sbx_st.cmap.cap; i++) { /* materialised synthetic connections */
        sbx_map_slot *s = &sbx_st.cmap.slots[i];
        if (s->k && s->v)
            sbx_conn_free(s->v);
    }
    for (size_t i = 0; i < sbx_st.groups.n; i++) {
        json_decref(((group *)sbx_st.groups.v[i])->obj);
        free(sbx_st.groups.v[i]);
    }
    for (size_t i = 0; i < sbx_st.dests.n; i++) {
        dest *d = sbx_st.dests.v[i];
        json_decref(d->obj);
        json_decref(d->config);
        free(d);
    }
    for (size_t i = 0; i < sbx_st.hooks.n; i++) {
        hook *h = sbx_st.hooks.v[i];
        json_decref(h->obj);
        free(h->secret);
        free(h);
    }
    free(sbx_st.conns.v);
    free(sbx_st.groups.v);
    free(sbx_st.dests.v);
    free(sbx_st.hooks.v);
    free(sbx_st.syncing.v);
    sbx_map_free(&sbx_st.cmap);
    sbx_map_free(&sbx_st.gmap);
    sbx_map_free(&sbx_st.dmap);
    sbx_map_free(&sbx_st.hmap);
    free(sbx_st.synth_gid);
    free(sbx_st.synth_dead);
    /* leave an empty store behind so sbx_store_init (or a load) can run again */
    sbx_st.cfg = NULL;
    sbx_st.rng = 0;
    sbx_st.seq = 0;
    sbx_st.last_ms = 0;
    memset(&sbx_st.groups, 0, sizeof(sbx_st.groups));
    memset(&sbx_st.dests, 0, sizeof(sbx_st.dests));
    memset(&sbx_st.hooks, 0, sizeof(sbx_st.hooks));
    memset(&sbx_st.conns, 0, sizeof(sbx_st.conns));
    memset(&sbx_st.syncing, 0, sizeof(sbx_st.syncing));
    memset(&sbx_st.gmap, 0, sizeof(sbx_st.gmap));
    memset(&sbx_st.dmap, 0, sizeof(sbx_st.dmap));
    memset(&sbx_st.hmap, 0, sizeof(sbx_st.hmap));
    memset(&sbx_st.cmap, 0, sizeof(sbx_st.cmap));
    sbx_st.nsynth = sbx_st.nsynth_groups = 0;
    sbx_st.synth_gid = NULL;
    sbx_st.synth_dead = NULL;
}
