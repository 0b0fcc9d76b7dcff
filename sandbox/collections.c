/*
 * The generic stateful collection handler: every operation without special behaviour in the
 * hand-written handlers (users, teams, roles, memberships, log services, private links, proxy
 * and hybrid deployment agents, system keys, external secrets managers, certificates and
 * fingerprints, connector SDK packages, transformations and projects, metadata, HVR, group
 * public key / service account) is served from its route-table row.
 *
 * A collection is named by the concrete path of its list (e.g. "users", "users/u1/groups",
 * "connections/c1/certificates"); items keep creation order (the cursor position) and a JSON
 * object of their stored fields. Responses carry the fields of the row's response schema:
 * stored values first, then realistic defaults. Effects: deleting an entity drops its
 * sub-collections and the memberships that name it (sbx_coll_forget); user ↔ group
 * memberships are kept on both sides; regenerate/reset/rotate return new credentials once
 * (stored as "******"); a transformation run is RUNNING for one --sync-duration-ms, then
 * SUCCEEDED (sbx_coll_tick, from the sync ticker).
 */
#include "router.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

typedef struct item {
    uint64_t seq;
    char *id;
    json_t *obj; /* stored fields; secrets as "******" */
    int64_t created;
    int64_t run_end; /* > 0: a transformation run ends then */
    char *blob;      /* connector SDK package content (blob_len bytes, may hold NULs) */
    size_t blob_len;
} item;

typedef struct coll {
    char *key;
    item **v;
    size_t n, cap;
    sbx_map idx;
} coll;

static struct {
    sbx_map map;
    coll **v;
    size_t n, cap;
    item **running;
    size_t nrun, caprun;
    int seeded;
} C;

/* ---- storage ---- */
static int grow(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 16;
    void *nv = realloc(*v, nc * size);
    if (!nv)
        return -1;
    *v = nv;
    *cap = nc;
    return 0;
}

static void run_forget(item *it)
{
    for (size_t i = 0; i < C.nrun; i++)
        if (C.running[i] == it) {
            C.running[i] = C.running[--C.nrun];
            return;
        }
}

static void item_free(item *it)
{
    run_forget(it);
    free(it->id);
    json_decref(it->obj);
    free(it->blob);
    free(it);
}

static coll *coll_get(const char *key, int create)
{
    coll *c = sbx_map_get(&C.map, key);
    if (c || !create)
        return c;
    c = calloc(1, sizeof(*c));
    if (!c || !(c->key = sbx_strdup(key)) || grow((void **)&C.v, &C.cap, C.n, sizeof(*C.v)) < 0) {
        if (c)
            free(c->key);
        free(c);
        return NULL;
    }
    C.v[C.n++] = c;
    sbx_map_put(&C.map, c->key, c);
    return c;
}

static void coll_drop(coll *c)
{
    sbx_map_del(&C.map, c->key);
    for (size_t i = 0; i < C.n; i++)
        if (C.v[i] == c) {
            memmove(&C.v[i], &C.v[i + 1], (C.n - i - 1) * sizeof(*C.v));
            C.n--;
            break;
        }
    for (size_t i = 0; i < c->n; i++)
        item_free(c->v[i]);
    sbx_map_free(&c->idx);
    free(c->v);
    free(c->key);
    free(c);
}

static item *item_find(coll *c, const char *id)
{
    return c ? sbx_map_get(&c->idx, id) : NULL;
}

static item *item_add(coll *c, const char *id, json_t *obj)
{
    item *it = calloc(1, sizeof(*it));
    if (!it || !(it->id = sbx_strdup(id)) || grow((void **)&c->v, &c->cap, c->n, sizeof(*c->v))) {
        if (it)
            free(it->id);
        free(it);
        json_decref(obj);
        return NULL;
    }
    it->seq = sbx_next_seq();
    it->created = sbx_stamp();
    it->obj = obj ? obj : json_object();
    c->v[c->n++] = it;
    sbx_map_put(&c->idx, it->id, it);
    return it;
}

static void item_del(coll *c, item *it)
{
    sbx_map_del(&c->idx, it->id);
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i] == it) {
            memmove(&c->v[i], &c->v[i + 1], (c->n - i - 1) * sizeof(*c->v));
            c->n--;
            break;
        }
    item_free(it);
}

/* user ↔ group memberships are kept on both sides: users/U/groups/G ↔ groups/G/users/U */
static int mirror(const char *key, const char *id, char *mkey, size_t mlen, char *mid, size_t idlen)
{
    const char *a = key, *s1 = strchr(a, '/'), *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
    if (!s2 || strchr(s2 + 1, '/'))
        return 0;
    const char *b = s2 + 1;
    size_t al = (size_t)(s1 - a);
    int ug = al == 5 && strncmp(a, "users", 5) == 0 && strcmp(b, "groups") == 0;
    int gu = al == 6 && strncmp(a, "groups", 6) == 0 && strcmp(b, "users") == 0;
    if (!ug && !gu)
        return 0;
    snprintf(mkey, mlen, "%s/%s/%.*s", b, id, (int)al, a);
    snprintf(mid, idlen, "%.*s", (int)(s2 - s1 - 1), s1 + 1);
    return 1;
}

void sbx_coll_forget(const char *kind, const char *id)
{
    char prefix[512];
    snprintf(prefix, sizeof(prefix), "%s/%s/", kind, id);
    size_t pl = strlen(prefix), kl = strlen(kind);
    for (size_t i = C.n; i-- > 0;) {
        coll *c = C.v[i];
        size_t l = strlen(c->key);
        if (strncmp(c->key, prefix, pl) == 0) {
            coll_drop(c);
            continue;
        }
        /* memberships that name it: */
        if (l > kl + 1 && c->key[l - kl - 1] == '/' && strcmp(c->key + l - kl, kind) == 0) {
            item *it = item_find(c, id);
            if (it)
                item_del(c, it);
        }
    }
}

/* ---- helpers ---- */
static void seg_key(const sbx_req *q, int n, char *out, size_t len)
{
    size_t o = 0;
    out[0] = '\0';
    for (int i = 0; i < n && o < len; i++)
        o += (size_t)snprintf(out + o, len - o, "%s%s", i ? "/" : "", q->seg[i]);
}

/* "private-links" -> "PrivateLink"; the names of the hand-written entities' NotFound codes */
static void entity_of(const char *seg, char *out, size_t len)
{
    static const char *const special[][2] = {
        {"connections", "Connector"},
        {"external-logging", "LogService"},
        {"proxy", "ProxyAgent"},
        {"packages", "ConnectorSdkPackage"},
        {"connector-types", "ConnectorType"},
        {"external-secrets-managers", "ExternalSecretsManager"},
        {"package-metadata", "PackageMetadata"}};
    for (size_t i = 0; i < sizeof(special) / sizeof(*special); i++)
        if (strcmp(seg, special[i][0]) == 0) {
            snprintf(out, len, "%s", special[i][1]);
            return;
        }
    size_t o = 0;
    int up = 1;
    for (const char *p = seg; *p && o + 1 < len; p++) {
        if (*p == '-') {
            up = 1;
            continue;
        }
        out[o++] = up ? (char)toupper((unsigned char)*p) : *p;
        up = 0;
    }
    out[o] = '\0';
    if (o > 3 && strcmp(out + o - 3, "ies") == 0)
        snprintf(out + o - 3, len - (o - 3), "y");
    else if (o > 1 && out[o - 1] == 's')
        out[o - 1] = '\0';
}

static void not_found(sbx_req *q, const char *seg, const char *id)
{
    char ent[64];
    entity_of(seg, ent, sizeof(ent));
    char code[96];
    snprintf(code, sizeof(code), "NotFound_%s", ent);
    sbx_reply_errf(q->r, 404, code, "Cannot find entity '%s' with id '%s'", ent, id);
}

/* does entity id of collection kind exist (kind is the literal before it; key its list) */
static int exists(const char *key, const char *kind, const char *id)
{
    if (strcmp(kind, "groups") == 0 || strcmp(kind, "connections") == 0 ||
        strcmp(kind, "destinations") == 0)
        return sbx_entity_exists(kind, id);
    return item_find(coll_get(key, 0), id) != NULL;
}

static int shown_once(const char *k)
{
    static const char *const names[] = {
        "secret", "token", "auth_token", "access_token", "client_private_key", "password"};
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
        if (strcmp(k, names[i]) == 0)
            return 1;
    return 0;
}

static int secret_like(const char *k)
{
    static const char *const pats[] = {"password", "secret",     "token",     "private_key",
                                       "api_key",  "access_key", "passphrase"};
    for (size_t i = 0; i < sizeof(pats) / sizeof(*pats); i++)
        if (strstr(k, pats[i]))
            return 1;
    return 0;
}

static json_t *masked_copy(json_t *v)
{
    if (json_is_object(v)) {
        json_t *o = json_object();
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            if (secret_like(k) && (json_is_string(x) || json_is_number(x)))
                json_object_set_new(o, k, json_string("******"));
            else
                json_object_set_new(o, k, masked_copy(x));
        }
        return o;
    }
    return json_deep_copy(v);
}

static json_t *ts(int64_t ms)
{
    char b[32];
    sbx_fmt_ts(ms, b);
    return json_string(b);
}

static json_t *random_hex(size_t bytes, const char *prefix)
{
    char buf[160];
    size_t o = (size_t)snprintf(buf, sizeof(buf), "%s", prefix);
    for (size_t i = 0; i < bytes && o + 2 < sizeof(buf); i += 8) {
        uint64_t r = sbx_rand_next(sbx_rng());
        o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%016llx", (unsigned long long)r);
    }
    return json_string(buf);
}

static json_t *fresh_secret(const char *k)
{
    if (strcmp(k, "client_private_key") == 0) {
        json_t *h = random_hex(32, "");
        json_t *s = json_sprintf("-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n",
                                 json_string_value(h));
        json_decref(h);
        return s;
    }
    if (strcmp(k, "client_cert") == 0) {
        json_t *h = random_hex(32, "");
        json_t *s = json_sprintf("-----BEGIN CERTIFICATE-----\n%s\n-----END CERTIFICATE-----\n",
                                 json_string_value(h));
        json_decref(h);
        return s;
    }
    if (strcmp(k, "key") == 0)
        return random_hex(16, "");
    return random_hex(32, "");
}

/* len bytes as a Base64 JSON string ("" when out of memory or bytes is NULL) */
static json_t *b64_json(const char *bytes, size_t len)
{
    char *b = bytes ? sbx_b64_encode((const unsigned char *)bytes, len) : NULL;
    json_t *j = json_string(b ? b : "");
    free(b);
    return j;
}

/* regenerate the credentials the response schema carries: returns them (shown once) and
 * stores "******" (or, for key and client_cert, the new value) */
static json_t *regenerate(const sbx_route *rt, item *it)
{
    json_t *fresh = json_object();
    for (int i = 0; i < rt->nresp; i++) {
        const char *k = rt->resp[i].name;
        if (rt->resp[i].kind != SBX_K_STRING)
            continue;
        if (shown_once(k)) {
            json_object_set_new(fresh, k, fresh_secret(k));
            json_object_set_new(it->obj, k, json_string("******"));
        } else if (strcmp(k, "key") == 0 || strcmp(k, "client_cert") == 0) {
            json_t *v = fresh_secret(k);
            json_object_set(fresh, k, v);
            json_object_set_new(it->obj, k, v);
        }
    }
    /* a hybrid deployment agent's files (create, re-auth): the three required members,
     * each file's contents in Base64 as the API sends them; auth.json carries the token
     * shown this once (the agent authenticates with it) */
    for (int i = 0; i < rt->nresp; i++)
        if (rt->resp[i].kind == SBX_K_OBJECT && strcmp(rt->resp[i].name, "files") == 0) {
            const char *tok = json_string_value(json_object_get(fresh, "token"));
            static const char cj[] = "{\"agent_id\":\"sandbox\"}";
            static const char dc[] = "services:\n  agent:\n    image: fivetran/hybrid-agent\n";
            json_t *auth = json_pack("{s:s}", "token", tok ? tok : "******");
            char *aj = json_dumps(auth, JSON_COMPACT);
            json_object_set_new(fresh, "files",
                                json_pack("{s:o,s:o,s:o}", "config_json",
                                          b64_json(cj, sizeof(cj) - 1), "auth_json",
                                          b64_json(aj, aj ? strlen(aj) : 0), "docker_compose_yaml",
                                          b64_json(dc, sizeof(dc) - 1)));
            free(aj);
            json_decref(auth);
        }
    return fresh;
}

/* {connectionId} -> "connection_id" */
static int param_is(const char *tmpl, const char *field)
{
    char snake[96];
    size_t o = 0;
    for (const char *p = tmpl + 1; *p && *p != '}' && o + 2 < sizeof(snake); p++) {
        if (isupper((unsigned char)*p)) {
            snake[o++] = '_';
            snake[o++] = (char)tolower((unsigned char)*p);
        } else {
            snake[o++] = *p;
        }
    }
    snake[o] = '\0';
    return strcmp(snake, field) == 0;
}

static json_t *default_value(const sbx_field *f, const sbx_req *q, const sbx_route *rt,
                             const char *id, int64_t created)
{
    const char *n = f->name;
    for (int i = 0; i < rt->nseg; i++)
        if (rt->seg[i][0] == '{' && param_is(rt->seg[i], n) && f->kind == SBX_K_STRING)
            return json_string(q->seg[i]);
    if (f->flags & SBX_F_DATETIME) {
        if ((f->flags & SBX_F_NULLABLE) && strcmp(n, "created_at") != 0 &&
            strcmp(n, "updated_at") != 0)
            return json_null();
        return ts(created);
    }
    if (f->enums)
        return json_string(f->enums[0]);
    switch (f->kind) {
    case SBX_K_BOOLEAN:
        return json_boolean(strcmp(n, "active") == 0 || strcmp(n, "verified") == 0 ||
                            strcmp(n, "enabled") == 0 || strcmp(n, "online") == 0);
    case SBX_K_INTEGER:
    case SBX_K_NUMBER:
        return json_integer(0);
    case SBX_K_ARRAY:
        return json_array();
    case SBX_K_OBJECT:
        return json_object();
    case SBX_K_STRING:
        break;
    default:
        return json_null();
    }
    if (strcmp(n, "id") == 0 || strcmp(n, "agent_id") == 0)
        return json_string(id ? id : "");
    if (strcmp(n, "email") == 0)
        return json_sprintf("%s@example.com", id ? id : "user");
    if (strcmp(n, "given_name") == 0)
        return json_string("Sandbox");
    if (strcmp(n, "family_name") == 0)
        return json_string("User");
    if (strcmp(n, "created_by") == 0 || strcmp(n, "created_by_id") == 0 ||
        strcmp(n, "last_updated_by") == 0 || strcmp(n, "user_id") == 0)
        return json_string(SBX_USER_ID);
    if (strcmp(n, "name") == 0 || strcmp(n, "display_name") == 0)
        return json_sprintf("%s %s", rt->entity, id ? id : "");
    if (strcmp(n, "validated_by") == 0)
        return json_string(SBX_USER_ID);
    if ((strcmp(n, "sha256") == 0 || strcmp(n, "sha1") == 0) && id)
        return json_string(id);
    if (strcmp(n, "type") == 0 && strstr(rt->path, "certificates"))
        return json_string("X.509");
    if (strcmp(n, "version") == 0)
        return json_string("1.0.0");
    if (strcmp(n, "role") == 0)
        return (f->flags & SBX_F_REQUIRED) ? json_string("Account Reviewer") : json_null();
    if (secret_like(n))
        return json_string("******");
    if (!(f->flags & SBX_F_REQUIRED))
        return NULL; /* absent: the definition types it a string, not null */
    return json_string("");
}

/* the response object of the row: stored fields, then defaults for the others */
static json_t *render(const sbx_route *rt, const sbx_req *q, const char *id, json_t *obj,
                      int64_t created)
{
    if (!rt->resp) {
        json_t *o = obj ? json_deep_copy(obj) : json_object();
        if (id && !json_object_get(o, "id"))
            json_object_set_new(o, "id", json_string(id));
        return o;
    }
    json_t *o = json_object();
    for (int i = 0; i < rt->nresp; i++) {
        const sbx_field *f = &rt->resp[i];
        json_t *v = obj ? json_object_get(obj, f->name) : NULL;
        if (!v && strcmp(f->name, "next_cursor") == 0)
            continue; /* absent: no further page */
        if (!v && strcmp(f->name, "id") == 0 && id)
            v = json_string(id);
        else if (v)
            json_incref(v);
        else
            v = default_value(f, q, rt, id, created);
        if (v)
            json_object_set_new(o, f->name, v);
    }
    return o;
}

static json_t *render_item(const sbx_route *rt, const sbx_req *q, const char *ckey, item *it)
{
    /* a group's users read as the users (their account fields), not as memberships */
    size_t l = strlen(ckey);
    if (l > 6 && strcmp(ckey + l - 6, "/users") == 0 && rt->resp) {
        int has_email = 0;
        for (int i = 0; i < rt->nresp; i++)
            has_email |= strcmp(rt->resp[i].name, "email") == 0;
        item *u = has_email ? item_find(coll_get("users", 0), it->id) : NULL;
        if (u)
            return render(rt, q, u->id, u->obj, u->created);
    }
    return render(rt, q, it->id, it->obj, it->created);
}

/* "ProxyAgent" -> "Proxy agent" */
static void human(const char *entity, char *out, size_t len)
{
    size_t o = 0;
    for (const char *p = entity; *p && o + 2 < len; p++) {
        if (p != entity && isupper((unsigned char)*p)) {
            out[o++] = ' ';
            out[o++] = (char)tolower((unsigned char)*p);
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
}

static void reply(sbx_req *q, const sbx_route *rt, const char *msg, json_t *data)
{
    if (rt->envelope == SBX_ENV_DATA) {
        sbx_reply_data(q->r, rt->status, msg, data ? data : json_object());
    } else {
        json_decref(data);
        sbx_reply_data(q->r, rt->status, msg ? msg : "Operation completed successfully", NULL);
    }
}

/* ---- static catalogues: roles, connector types, package metadata ---- */
static void seed_static(void)
{
    if (C.seeded)
        return;
    C.seeded = 1;
    static const char *const roles[][3] = {
        {"Account Administrator", "ACCOUNT", "Full access to the account"},
        {"Account Billing", "ACCOUNT", "Access to billing"},
        {"Account Analyst", "ACCOUNT", "Read access to the account and its usage"},
        {"Account Reviewer", "ACCOUNT", "Read-only access to the account"},
        {"Destination Administrator", "DESTINATION", "Full access to a destination"},
        {"Destination Reviewer", "DESTINATION", "Read-only access to a destination"},
        {"Connector Administrator", "CONNECTOR", "Full access to a connection"},
        {"Connector Reviewer", "CONNECTOR", "Read-only access to a connection"},
        {"Team Manager", "TEAM", "Manages a team"}};
    coll *c = coll_get("roles", 1);
    for (size_t i = 0; c && i < sizeof(roles) / sizeof(*roles); i++)
        item_add(c, roles[i][0],
                 json_pack("{s:s,s:s,s:b,s:[s],s:b,s:n}", "name", roles[i][0], "description",
                           roles[i][2], "is_custom", 0, "scope", roles[i][1], "is_deprecated", 0,
                           "replacement_role_name"));
    static const char *const types[][3] = {
        {"postgres", "PostgreSQL", "Database"}, {"mysql", "MySQL", "Database"},
        {"salesforce", "Salesforce", "API"},    {"stripe", "Stripe", "Finance"},
        {"hubspot", "HubSpot", "Marketing"},    {"google_sheets", "Google Sheets", "File"},
        {"snowflake", "Snowflake", "Warehouse"}};
    c = coll_get("metadata/connector-types", 1);
    for (size_t i = 0; c && i < sizeof(types) / sizeof(*types); i++)
        item_add(c, types[i][0],
                 json_pack("{s:s,s:s,s:s,s:s,s:o,s:s,s:s,s:[s],s:o,s:{s:s},s:{}}", "id",
                           types[i][0], "name", types[i][1], "type", types[i][2], "service_status",
                           "general_availability", "service_status_updated_at", json_null(),
                           "icon_url", "https://fivetran.com/integrations/icon.svg", "link_to_docs",
                           "https://fivetran.com/docs", "icons", "icon.svg", "supported_features",
                           json_array(), "config", "type", "object", "auth"));
    c = coll_get("transformations/package-metadata", 1);
    if (c)
        item_add(c, "dbt_fivetran_log",
                 json_pack("{s:s,s:s,s:s,s:s}", "id", "dbt_fivetran_log", "name", "fivetran_log",
                           "version", "1.9.0", "description", "Fivetran platform log models"));
}

/* ---- the handler ---- */
/* list filters: each query parameter other than cursor and limit (groupId reads group_id)
 * keeps the items whose field of that name equals it; fields an item lacks do not filter */
static int filtered_out(const sbx_req *q, json_t *it)
{
    for (int i = 0; i < q->nq; i++) {
        const char *k = q->qk[i];
        if (strcmp(k, "cursor") == 0 || strcmp(k, "limit") == 0)
            continue;
        char snake[96];
        size_t o = 0;
        for (const char *p = k; *p && o + 2 < sizeof(snake); p++) {
            if (isupper((unsigned char)*p)) {
                snake[o++] = '_';
                snake[o++] = (char)tolower((unsigned char)*p);
            } else {
                snake[o++] = *p;
            }
        }
        snake[o] = '\0';
        json_t *v = json_object_get(it, snake);
        if (!v)
            continue;
        const char *want = q->qv[i];
        if (json_is_boolean(v)  ? strcmp(want, json_is_true(v) ? "true" : "false") != 0
            : json_is_string(v) ? strcmp(want, json_string_value(v)) != 0
                                : 0)
            return 1;
    }
    return 0;
}

static void do_list(sbx_req *q, const sbx_route *rt)
{
    long limit;
    uint64_t after;
    if (sbx_page_parse(q, &limit, &after) < 0)
        return;
    char key[512];
    seg_key(q, q->nseg, key, sizeof(key));
    json_t *items = json_array(), *data = json_object();
    uint64_t last = 0;
    int more = 0;
    if (strcmp(rt->operation_id, "get_proxy_agent_connections") == 0) {
        json_t *ids = sbx_connections_where("proxy_agent_id", q->seg[1]);
        size_t i;
        json_t *v;
        json_array_foreach(ids, i, v)
            json_array_append_new(items, json_pack("{s:O}", "connection_id", v));
        json_decref(ids);
    } else {
        coll *c = coll_get(key, 0);
        long count = 0;
        for (size_t i = 0; c && i < c->n; i++) {
            item *it = c->v[i];
            if (it->seq <= after)
                continue;
            json_t *o = render_item(rt, q, key, it);
            if (filtered_out(q, o)) {
                json_decref(o);
                continue;
            }
            if (count == limit) {
                json_decref(o);
                more = 1;
                break;
            }
            json_array_append_new(items, o);
            last = it->seq;
            count++;
        }
    }
    json_object_set_new(data, "items", items);
    if (more)
        json_object_set_new(data, "next_cursor", sbx_cursor(last));
    sbx_reply_data(q->r, 200, NULL, data);
}

static json_t *stored_body(json_t *b)
{
    return b ? masked_copy(b) : json_object();
}

static void sha256_hex(const char *p, size_t n, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int ml = 0;
    EVP_Digest(p, n, md, &ml, EVP_sha256(), NULL);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* The file part of a multipart/form-data body ("--boundary\r\nheaders\r\n\r\ncontent
 * \r\n--boundary"); the whole body when it is not multipart. */
static void multipart_file(const char *body, size_t len, const char **out, size_t *olen)
{
    *out = body;
    *olen = len;
    if (len < 4 || body[0] != '-' || body[1] != '-')
        return;
    const char *eol = memchr(body, '\r', len);
    if (!eol || (size_t)(eol - body) > 200)
        return;
    char delim[256];
    int dl = snprintf(delim, sizeof(delim), "\r\n%.*s", (int)(eol - body), body);
    const char *p = body;
    const char *end = body + len;
    while (p + 4 <= end && memcmp(p, "\r\n\r\n", 4) != 0)
        p++;
    if (p + 4 > end)
        return;
    const char *start = p + 4;
    for (const char *x = start; x + dl <= end; x++)
        if (memcmp(x, delim, (size_t)dl) == 0) {
            *out = start;
            *olen = (size_t)(x - start);
            return;
        }
}

/* a connector SDK package's file: the multipart body's file part and its SHA-256 */
static void set_file(const sbx_req *q, item *it)
{
    char h[65];
    const char *file;
    size_t flen;
    multipart_file(q->body, q->len, &file, &flen);
    sha256_hex(file, flen, h);
    json_object_set_new(it->obj, "file_sha256_hash", json_string(h));
    free(it->blob);
    it->blob = malloc(flen + 1);
    it->blob_len = it->blob ? flen : 0;
    if (it->blob) {
        memcpy(it->blob, file, flen);
        it->blob[flen] = '\0';
    }
}

static void do_create(sbx_req *q, const sbx_route *rt, json_t *b)
{
    char key[512], id[SBX_ID_MAX * 2], hum[96];
    human(rt->entity, hum, sizeof(hum));
    seg_key(q, q->nseg, key, sizeof(key));
    const char *kind = q->seg[q->nseg - 1];
    if (strcmp(rt->operation_id, "add_user_to_group") == 0) {
        /* an existing user, by email */
        const char *email = json_string_value(json_object_get(b, "email"));
        if (!email || !*email) {
            sbx_reply_errf(q->r, 400, "InvalidInput", "Field 'email' is required");
            return;
        }
        coll *users = coll_get("users", 0);
        item *u = NULL;
        for (size_t i = 0; users && i < users->n && !u; i++) {
            const char *e = json_string_value(json_object_get(users->v[i]->obj, "email"));
            if (e && strcasecmp(e, email) == 0)
                u = users->v[i];
        }
        if (!u) {
            sbx_reply_errf(q->r, 404, "NotFound_User", "Cannot find entity 'User' with email '%s'",
                           email);
            return;
        }
        snprintf(id, sizeof(id), "%s", u->id);
    } else if (rt->key_field) {
        const char *k = json_string_value(json_object_get(b, rt->key_field));
        if (!k || !*k) {
            sbx_reply_errf(q->r, 400, "InvalidInput", "Field '%s' is required", rt->key_field);
            return;
        }
        snprintf(id, sizeof(id), "%s", k);
        if (strcmp(rt->key_field, "hash") != 0) {
            const char *rk = strcmp(rt->key_field, "user_id") == 0 ? "users" : kind;
            if (!exists(rk, rk, id)) {
                not_found(q, rk, id);
                return;
            }
        }
    } else {
        sbx_gen_id(id);
    }
    coll *c = coll_get(key, 1);
    if (!c) {
        sbx_reply_errf(q->r, 500, "InternalError", "Out of memory");
        return;
    }
    if (item_find(c, id)) {
        sbx_reply_errf(q->r, 409, "Conflict", "%s with id '%s' already exists", hum, id);
        return;
    }
    json_t *obj = stored_body(b);
    json_object_del(obj, "id");
    if (strcmp(rt->operation_id, "add_user_to_group") == 0)
        json_object_del(obj, "email");
    item *it = item_add(c, id, obj);
    if (!it) {
        sbx_reply_errf(q->r, 500, "InternalError", "Out of memory");
        return;
    }
    if (rt->flags & SBX_RF_MULTIPART)
        set_file(q, it);
    char mkey[512], mid[SBX_ID_MAX * 2];
    if (mirror(key, id, mkey, sizeof(mkey), mid, sizeof(mid))) {
        coll *m = coll_get(mkey, 1);
        if (m && !item_find(m, mid))
            item_add(m, mid, json_deep_copy(it->obj));
    }
    json_t *fresh = regenerate(rt, it);
    if (strcmp(rt->operation_id, "create_proxy_agent") == 0)
        json_object_set_new(fresh, "agent_id", json_string(id));
    json_t *o = render_item(rt, q, key, it);
    json_object_update(o, fresh);
    json_decref(fresh);
    char msg[256];
    if (strcmp(rt->operation_id, "add_user_to_group") == 0)
        snprintf(msg, sizeof(msg), "User with id '%s' has been added to the group", id);
    else if (strncmp(rt->operation_id, "approve_", 8) == 0)
        snprintf(msg, sizeof(msg), "%s has been approved", hum);
    else
        snprintf(msg, sizeof(msg), "%s has been created", hum);
    reply(q, rt, msg, o);
}

static void merge_into(json_t *dst, json_t *src)
{
    const char *k;
    json_t *v;
    json_object_foreach(src, k, v)
    {
        json_t *d = json_object_get(dst, k);
        if (json_is_object(d) && json_is_object(v))
            merge_into(d, v);
        else
            json_object_set_new(dst, k, masked_copy(v));
    }
}

static void do_item(sbx_req *q, const sbx_route *rt, json_t *b, int op)
{
    char key[512], hum[96];
    human(rt->entity, hum, sizeof(hum));
    seg_key(q, q->nseg - 1, key, sizeof(key));
    const char *id = q->seg[q->nseg - 1];
    coll *c = coll_get(key, 0);
    item *it = item_find(c, id);
    if (!it) {
        not_found(q, q->seg[q->nseg - 2], id);
        return;
    }
    if (op == SBX_OP_GET) {
        reply(q, rt, NULL, render_item(rt, q, key, it));
        return;
    }
    if (op == SBX_OP_UPDATE) {
        if (b) {
            json_object_del(b, "id");
            merge_into(it->obj, b);
        }
        json_object_set_new(it->obj, "updated_at", ts(sbx_stamp()));
        if ((rt->flags & SBX_RF_MULTIPART) && q->len)
            set_file(q, it);
        char mkey[512], mid[SBX_ID_MAX * 2];
        if (mirror(key, id, mkey, sizeof(mkey), mid, sizeof(mid))) {
            item *m = item_find(coll_get(mkey, 0), mid);
            if (m && b)
                merge_into(m->obj, b);
        }
        char msg[256];
        snprintf(msg, sizeof(msg), "%s has been updated", hum);
        reply(q, rt, msg, render_item(rt, q, key, it));
        return;
    }
    /* DELETE */
    json_t *o = rt->envelope == SBX_ENV_DATA ? render_item(rt, q, key, it) : NULL;
    char idc[SBX_ID_MAX * 2], msg[512];
    snprintf(idc, sizeof(idc), "%s", id);
    char mkey[512], mid[SBX_ID_MAX * 2];
    if (mirror(key, idc, mkey, sizeof(mkey), mid, sizeof(mid))) {
        coll *mc = coll_get(mkey, 0);
        item *m = item_find(mc, mid);
        if (m)
            item_del(mc, m);
    }
    item_del(c, it);
    if (!strchr(key, '/'))
        sbx_coll_forget(key, idc);
    if (strncmp(rt->operation_id, "revoke_", 7) == 0)
        snprintf(msg, sizeof(msg), "%s with id '%s' has been revoked", hum, idc);
    else if (strchr(key, '/')) /* a membership: the user, group or connection stays */
        snprintf(msg, sizeof(msg), "%s membership with id '%s' has been deleted", hum, idc);
    else
        snprintf(msg, sizeof(msg), "%s with id '%s' has been deleted", hum, idc);
    reply(q, rt, msg, o);
}

/* an action on the item named by the segment before the last (…/{id}/run) */
static item *action_item(sbx_req *q, char *key, size_t klen)
{
    seg_key(q, q->nseg - 2, key, klen);
    item *it = item_find(coll_get(key, 0), q->seg[q->nseg - 2]);
    if (!it)
        not_found(q, q->nseg >= 3 ? q->seg[q->nseg - 3] : q->seg[0], q->seg[q->nseg - 2]);
    return it;
}

static int is_singleton(const sbx_route *rt)
{
    return rt->nseg >= 2 && rt->seg[rt->nseg - 1][0] != '{' && rt->seg[rt->nseg - 2][0] != '{' &&
           strchr(rt->allow, ',') != NULL;
}

static void do_singleton(sbx_req *q, const sbx_route *rt, json_t *b)
{
    char key[512];
    seg_key(q, q->nseg, key, sizeof(key));
    const char *id = q->seg[q->nseg - 1];
    coll *c = coll_get(key, 1);
    item *it = item_find(c, id);
    if (!c) {
        sbx_reply_errf(q->r, 500, "InternalError", "Out of memory");
        return;
    }
    if (strcmp(q->method, "POST") == 0) {
        if (it) {
            sbx_reply_errf(q->r, 409, "Conflict", "The %s already exists", rt->entity);
            return;
        }
        char nid[SBX_ID_MAX];
        sbx_gen_id(nid);
        json_t *obj = stored_body(b);
        json_object_set_new(obj, "id", json_string(nid));
        it = item_add(c, id, obj);
        if (!it) {
            sbx_reply_errf(q->r, 500, "InternalError", "Out of memory");
            return;
        }
        reply(q, rt, "Log service has been created", render(rt, q, NULL, it->obj, it->created));
        return;
    }
    if (!it) {
        not_found(q, q->seg[0], id);
        return;
    }
    if (strcmp(q->method, "GET") == 0) {
        reply(q, rt, NULL, render(rt, q, NULL, it->obj, it->created));
    } else if (strcmp(q->method, "PATCH") == 0) {
        if (b)
            merge_into(it->obj, b);
        reply(q, rt, "Log service has been updated", render(rt, q, NULL, it->obj, it->created));
    } else {
        item_del(c, it);
        reply(q, rt, "Log service has been deleted", NULL);
    }
}

static json_t *passed_tests(const char *title)
{
    return json_pack("[{s:s,s:s,s:s}]", "title", title, "status", "PASSED", "message", "");
}

static void do_action(sbx_req *q, const sbx_route *rt, json_t *b)
{
    const char *op = rt->operation_id;
    char key[512];
    if (is_singleton(rt)) {
        do_singleton(q, rt, b);
        return;
    }
    if (strcmp(op, "approve_certificate") == 0) {
        const char *cid = json_string_value(json_object_get(b, "connection_id"));
        const char *did = json_string_value(json_object_get(b, "destination_id"));
        if (!cid == !did) {
            sbx_reply_errf(q->r, 400, "InvalidInput",
                           "Exactly one of the fields 'connection_id' and 'destination_id' is "
                           "required");
            return;
        }
        const char *kind = cid ? "connections" : "destinations";
        if (!sbx_entity_exists(kind, cid ? cid : did)) {
            not_found(q, kind, cid ? cid : did);
            return;
        }
        snprintf(key, sizeof(key), "%s/%s/certificates", kind, cid ? cid : did);
        coll *c = coll_get(key, 1);
        const char *hash = json_string_value(json_object_get(b, "hash"));
        item *old = item_find(c, hash);
        if (old)
            item_del(c, old);
        json_t *obj = stored_body(b);
        json_object_del(obj, "connection_id");
        json_object_del(obj, "destination_id");
        if (c)
            item_add(c, hash, obj);
        else
            json_decref(obj);
        reply(q, rt, "The certificate has been approved", NULL);
        return;
    }
    if (strcmp(op, "group_ssh_public_key") == 0) {
        reply(q, rt, NULL,
              json_pack("{s:o}", "public_key",
                        json_sprintf("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ%s fivetran user key",
                                     q->seg[1])));
        return;
    }
    if (strcmp(op, "group_service_account") == 0) {
        reply(
            q, rt, NULL,
            json_pack("{s:o}", "service_account",
                      json_sprintf("g-%s@fivetran-production.iam.gserviceaccount.com", q->seg[1])));
        return;
    }
    if (strcmp(op, "hvr_register_hub") == 0) {
        char uuid[37];
        sbx_uuid(sbx_rng(), uuid);
        reply(q, rt, NULL,
              json_pack("{s:s,s:o}", "registration_id", uuid, "access_token",
                        fresh_secret("access_token")));
        return;
    }
    if (strcmp(op, "metadata_public_connectors") == 0) {
        seed_static();
        coll *c = coll_get("metadata/connector-types", 0);
        item *it = c && c->n ? c->v[0] : NULL;
        reply(q, rt, NULL, render(rt, q, it ? it->id : NULL, it ? it->obj : NULL, 0));
        return;
    }
    if (strcmp(op, "download_connector_sdk_package") == 0) {
        item *it = action_item(q, key, sizeof(key));
        if (!it)
            return;
        free(q->r->body);
        q->r->status = 200;
        q->r->body = malloc(it->blob_len + 1);
        if (q->r->body) {
            if (it->blob_len)
                memcpy(q->r->body, it->blob, it->blob_len);
            q->r->body[it->blob_len] = '\0';
            q->r->body_len = it->blob_len;
            q->r->content_type = "application/zip";
        }
        return;
    }
    /* an action on an item: …/{id}/verb */
    if (rt->nseg >= 2 && rt->seg[rt->nseg - 2][0] == '{') {
        item *it = action_item(q, key, sizeof(key));
        if (!it)
            return;
        char msg[256];
        snprintf(msg, sizeof(msg), "Operation completed successfully");
        if (strcmp(op, "run_transformation") == 0) {
            json_object_set_new(it->obj, "status", json_string("RUNNING"));
            json_object_set_new(it->obj, "last_started_at", ts(sbx_stamp()));
            it->run_end = sbx_now_ms() + sbx_sync_ms();
            run_forget(it);
            if (grow((void **)&C.running, &C.caprun, C.nrun, sizeof(*C.running)) == 0)
                C.running[C.nrun++] = it;
            snprintf(msg, sizeof(msg), "Transformation run has been triggered");
        } else if (strcmp(op, "cancel_transformation") == 0) {
            const char *st = json_string_value(json_object_get(it->obj, "status"));
            if (!st || strcmp(st, "RUNNING") != 0) {
                sbx_reply_errf(q->r, 409, "Conflict", "Transformation with id '%s' is not running",
                               it->id);
                return;
            }
            run_forget(it);
            json_object_set_new(it->obj, "status", json_string("CANCELED"));
            json_object_set_new(it->obj, "last_ended_at", ts(sbx_stamp()));
            snprintf(msg, sizeof(msg), "Transformation run has been cancelled");
        } else if (strcmp(op, "upgrade_transformation_package") == 0) {
            json_object_set_new(it->obj, "updated_at", ts(sbx_stamp()));
            snprintf(msg, sizeof(msg), "Transformation package has been upgraded");
        } else if (strcmp(q->seg[q->nseg - 1], "role") == 0) {
            json_object_set_new(it->obj, "role", json_null());
            snprintf(msg, sizeof(msg), "%s role has been removed from the account",
                     strcmp(q->seg[0], "teams") == 0 ? "Team" : "User");
        } else if (strcmp(op, "reset_hybrid_deployment_agent_credentials") == 0) {
            json_decref(regenerate(rt, it));
            json_object_set_new(it->obj, "token", json_string("******"));
            snprintf(msg, sizeof(msg), "Agent credentials have been reset");
        }
        json_t *fresh = NULL;
        if (strcmp(op, "regenerate_secrets_proxy_agent") == 0 ||
            strcmp(op, "rotate_system_key") == 0 ||
            strcmp(op, "re_auth_hybrid_deployment_agent") == 0) {
            if (b)
                merge_into(it->obj, b);
            fresh = regenerate(rt, it);
            if (strcmp(op, "regenerate_secrets_proxy_agent") == 0)
                json_object_set_new(fresh, "agent_id", json_string(it->id));
        }
        if (rt->envelope != SBX_ENV_DATA) {
            json_decref(fresh);
            reply(q, rt, msg, NULL);
            return;
        }
        json_t *o = render(rt, q, it->id, it->obj, it->created);
        if (json_object_get(o, "setup_tests"))
            json_object_set_new(o, "setup_tests", passed_tests("Connecting to the service"));
        if (fresh)
            json_object_update(o, fresh);
        json_decref(fresh);
        reply(q, rt, rt->envelope == SBX_ENV_DATA ? NULL : msg, o);
        return;
    }
    /* anything else: the response schema with what the request said */
    json_t *o = render(rt, q, NULL, b, sbx_stamp());
    reply(q, rt, NULL, o);
}

/* check every {param} before the last addressed one names an existing entity */
static int check_parents(sbx_req *q, const sbx_route *rt, int upto)
{
    char key[512];
    for (int i = 1; i < upto; i++) {
        if (rt->seg[i][0] != '{')
            continue;
        seg_key(q, i, key, sizeof(key));
        if (!exists(key, q->seg[i - 1], q->seg[i])) {
            not_found(q, q->seg[i - 1], q->seg[i]);
            return -1;
        }
    }
    return 0;
}

void sbx_h_collection(sbx_req *q, const sbx_route *rt)
{
    seed_static();
    unsigned op = rt->flags & SBX_OP_MASK;
    json_t *b = NULL;
    if (rt->flags & SBX_RF_VALIDATE) {
        int required = 0;
        for (int i = 0; i < rt->nfields; i++)
            required |= (rt->fields[i].flags & SBX_F_REQUIRED) != 0;
        if (sbx_body_json(q, &b, required) < 0)
            return;
        if (sbx_validate(q, rt, b) < 0) {
            json_decref(b);
            return;
        }
    } else if ((rt->flags & SBX_RF_MULTIPART) && q->len == 0) {
        sbx_reply_errf(q->r, 400, "InvalidInput", "Field 'file' is required");
        return;
    }
    int item_op = op == SBX_OP_GET || op == SBX_OP_UPDATE || op == SBX_OP_DELETE;
    if (check_parents(q, rt, item_op ? rt->nseg - 1 : rt->nseg) < 0) {
        json_decref(b);
        return;
    }
    switch (op) {
    case SBX_OP_LIST:
        do_list(q, rt);
        break;
    case SBX_OP_CREATE:
        do_create(q, rt, b);
        break;
    case SBX_OP_GET:
    case SBX_OP_UPDATE:
    case SBX_OP_DELETE:
        do_item(q, rt, b, (int)op);
        break;
    default:
        do_action(q, rt, b);
        break;
    }
    json_decref(b);
}

int sbx_coll_tick(int64_t now)
{
    int ended = 0;
    for (size_t i = C.nrun; i-- > 0;) {
        item *it = C.running[i];
        if (it->run_end > now)
            continue;
        ended++;
        C.running[i] = C.running[--C.nrun];
        it->run_end = 0;
        json_object_set_new(it->obj, "status", json_string("SUCCEEDED"));
        json_object_set_new(it->obj, "last_ended_at", ts(sbx_stamp()));
    }
    return ended;
}

void sbx_coll_free(void)
{
    while (C.n)
        coll_drop(C.v[C.n - 1]);
    free(C.v);
    free(C.running);
    sbx_map_free(&C.map);
    memset(&C, 0, sizeof(C));
}

/* ---- the state document (dump.c): {"catalogues":bool,"lists":[{"key","items":[...]}]} ---- */
static int is_running(const item *it)
{
    for (size_t i = 0; i < C.nrun; i++)
        if (C.running[i] == it)
            return 1;
    return 0;
}

json_t *sbx_coll_dump(void)
{
    json_t *lists = json_array();
    for (size_t i = 0; i < C.n; i++) {
        coll *c = C.v[i];
        json_t *items = json_array();
        for (size_t k = 0; k < c->n; k++) {
            item *it = c->v[k];
            json_t *o = json_pack("{s:s,s:I,s:I,s:O}", "id", it->id, "seq", (json_int_t)it->seq,
                                  "created_ms", (json_int_t)it->created, "obj", it->obj);
            if (it->run_end)
                json_object_set_new(o, "run_end_ms", json_integer((json_int_t)it->run_end));
            if (is_running(it))
                json_object_set_new(o, "running", json_true());
            if (it->blob)
                json_object_set_new(o, "blob_base64", b64_json(it->blob, it->blob_len));
            json_array_append_new(items, o);
        }
        json_array_append_new(lists, json_pack("{s:s,s:o}", "key", c->key, "items", items));
    }
    return json_pack("{s:b,s:o}", "catalogues", C.seeded, "lists", lists);
}

#define LOAD_FAIL(...)                                                                             \
    do {                                                                                           \
        snprintf(errbuf, errlen, __VA_ARGS__);                                                     \
        return -1;                                                                                 \
    } while (0)

int sbx_coll_load(json_t *doc, char *errbuf, size_t errlen)
{
    json_t *lists = json_object_get(doc, "lists");
    if (!json_is_object(doc) || !json_is_array(lists))
        LOAD_FAIL("collections: expected an object with a \"lists\" array");
    C.seeded = json_is_true(json_object_get(doc, "catalogues"));
    size_t i, k;
    json_t *l, *x;
    json_array_foreach(lists, i, l)
    {
        const char *key = json_string_value(json_object_get(l, "key"));
        json_t *items = json_object_get(l, "items");
        if (!key || !*key || !json_is_array(items))
            LOAD_FAIL("collections: list %zu needs a \"key\" string and an \"items\" array", i);
        if (coll_get(key, 0))
            LOAD_FAIL("collections: list \"%s\" appears twice", key);
        coll *c = coll_get(key, 1);
        if (!c)
            LOAD_FAIL("out of memory");
        json_array_foreach(items, k, x)
        {
            const char *id = json_string_value(json_object_get(x, "id"));
            json_t *seq = json_object_get(x, "seq"), *cr = json_object_get(x, "created_ms");
            json_t *obj = json_object_get(x, "obj"), *re = json_object_get(x, "run_end_ms");
            json_t *blob = json_object_get(x, "blob_base64");
            if (!id || !json_is_integer(seq) || json_integer_value(seq) < 0 ||
                !json_is_integer(cr) || !json_is_object(obj) || (re && !json_is_integer(re)) ||
                (blob && !json_is_string(blob)))
                LOAD_FAIL("collections: \"%s\" item %zu needs \"id\", \"seq\", \"created_ms\" "
                          "and an \"obj\" object",
                          key, k);
            if (item_find(c, id))
                LOAD_FAIL("collections: \"%s\" has the id \"%s\" twice", key, id);
            item *it = item_add(c, id, json_deep_copy(obj));
            if (!it)
                LOAD_FAIL("out of memory");
            it->seq = (uint64_t)json_integer_value(seq);
            it->created = (int64_t)json_integer_value(cr);
            it->run_end = re ? (int64_t)json_integer_value(re) : 0;
            if (blob) {
                size_t n = 0;
                unsigned char *b = sbx_b64url_decode(json_string_value(blob), &n);
                if (!b)
                    LOAD_FAIL("collections: \"%s\" item \"%s\": bad blob_base64", key, id);
                it->blob = (char *)b;
                it->blob_len = n;
            }
            if (json_is_true(json_object_get(x, "running")) &&
                grow((void **)&C.running, &C.caprun, C.nrun, sizeof(*C.running)) == 0)
                C.running[C.nrun++] = it;
        }
    }
    return 0;
}
