/*
 * Handlers: a connection's schema config (show, pre-create, PATCH, reload, per schema /
 * table / column, drop-columns, tables/resync).
 */
#include "store_int.h"

static void reply_schema(req *q, conn *c, const char *msg)
{
    sbx_reply_data(q->r, 200, msg, json_deep_copy(c->schema));
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
        if (sbx_f_bool(cv, "enabled", &v, e) < 0 || sbx_f_bool(cv, "hashed", &v, e) < 0 ||
            sbx_f_bool(cv, "is_primary_key", &v, e) < 0)
            return -1;
        if (sbx_f_bool(cv, "enabled", &v, e) == 1 && !v &&
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
        if (sbx_f_bool(tv, "enabled", &v, e) < 0 ||
            sbx_f_enum(tv, "sync_mode", modes, 3, &m, e) < 0)
            return -1;
        if (sbx_f_bool(tv, "enabled", &v, e) == 1 && !v &&
            json_is_false(json_object_get(json_object_get(t, "enabled_patch_settings"), "allowed")))
            FAIL(e, 400, "InvalidInput", "Table '%s' does not support exclusion", tn);
        cols = NULL;
        if (sbx_f_obj(tv, "columns", &cols, e) < 0 || (cols && check_columns(cols, t, tn, e) < 0))
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
        if (sbx_f_bool(sv, "enabled", &v, e) < 0 || sbx_f_obj(sv, "tables", &tabs, e) < 0 ||
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

void sbx_route_schemas(req *q, conn *c)
{
    verr e;
    json_t *b = NULL;
    static const char *const handling[] = {"ALLOW_ALL", "ALLOW_COLUMNS", "BLOCK_ALL"};
    static const char *const modes[] = {"PRESERVE", "EXCLUDE"};
    int n = q->nseg; /* connections, id, schemas, ... */
    if (n == 4 && strcmp(q->seg[3], "reload") == 0 && sbx_is_method(q, "POST")) {
        const char *mode = NULL;
        if (sbx_body_json(q, &b, 0) < 0)
            return;
        if (sbx_f_enum(b, "exclude_mode", modes, 2, &mode, &e) < 0) {
            sbx_reply_verr(q->r, &e);
        } else {
            sbx_schema_discover(c, mode && strcmp(mode, "EXCLUDE") == 0);
            reply_schema(q, c, "Schema config has been reloaded");
        }
        json_decref(b);
        return;
    }
    if (n == 3) {
        if (!sbx_allow(q, "GET, POST, PATCH"))
            return;
        if (sbx_is_method(q, "GET")) {
            if (!c->schema)
                sbx_reply_err(q->r, 404, "NotFound_SchemaConfig",
                              "Connection with id '%s' doesn't have schema config", c->e.id);
            else
                reply_schema(q, c, NULL);
            return;
        }
        const char *h = NULL;
        json_t *schemas = NULL;
        int locked = 0, has_locked;
        if (sbx_body_json(q, &b, 1) < 0)
            return;
        if (sbx_f_enum(b, "schema_change_handling", handling, 3, &h, &e) < 0 ||
            sbx_f_obj(b, "schemas", &schemas, &e) < 0 ||
            (has_locked = sbx_f_bool(b, "is_type_locked", &locked, &e)) < 0) {
            sbx_reply_verr(q->r, &e);
            json_decref(b);
            return;
        }
        if (sbx_is_method(q, "POST")) { /* pre-create before the first capture */
            if (!schemas) {
                sbx_reply_err(q->r, 400, "InvalidInput", "Field 'schemas' is required");
            } else if (c->schema) {
                sbx_reply_err(q->r, 409, "Conflict",
                              "Connection with id '%s' already has a schema config", c->e.id);
            } else {
                c->schema = json_deep_copy(sbx_catalog_of(c));
                if (h)
                    json_object_set_new(c->schema, "schema_change_handling", json_string(h));
                verr e2;
                if (check_schemas(schemas, c->schema, &e2) < 0) {
                    json_decref(c->schema);
                    c->schema = NULL;
                    sbx_reply_verr(q->r, &e2);
                } else {
                    apply_schemas(c, schemas);
                    reply_schema(q, c, NULL);
                }
            }
            json_decref(b);
            return;
        }
        if (!c->schema)
            sbx_schema_discover(c, 0);
        if (schemas && check_schemas(schemas, c->schema, &e) < 0) {
            sbx_reply_verr(q->r, &e);
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
        sbx_reply_err(q->r, 404, "NotFound", "HTTP 404 Not Found");
        return;
    }
    if (n == 7) { /* GET columns: live from the source */
        if (!sbx_allow(q, "GET"))
            return;
        json_t *ct = json_object_get(
            json_object_get(json_object_get(json_object_get(sbx_catalog_of(c), "schemas"), sn),
                            "tables"),
            q->seg[5]);
        if (!ct) {
            sbx_reply_err(q->r, 404, "NotFound", "Table '%s' not found in schema '%s'", q->seg[5],
                          sn);
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
            sbx_merge(cols, json_object_get(cfgt, "columns"));
        sbx_reply_data(q->r, 200, NULL, json_pack("{s:o}", "columns", cols));
        return;
    }
    if (!sbx_allow(q, n == 8 ? "PATCH, DELETE" : "PATCH"))
        return;
    if (!c->schema) {
        sbx_reply_err(q->r, 404, "NotFound_SchemaConfig",
                      "Connection with id '%s' doesn't have schema config", c->e.id);
        return;
    }
    json_t *s = json_object_get(json_object_get(c->schema, "schemas"), sn);
    json_t *t = is_table ? json_object_get(json_object_get(s, "tables"), q->seg[5]) : NULL;
    json_t *col = n == 8 ? json_object_get(json_object_get(t, "columns"), q->seg[7]) : NULL;
    if (!s || (is_table && !t) || (n == 8 && !col)) {
        sbx_reply_err(q->r, 404, "NotFound", "%s not found",
                      !s                 ? "Schema"
                      : (is_table && !t) ? "Table"
                                         : "Column");
        return;
    }
    if (sbx_is_method(q, "DELETE")) { /* drop a blocked column */
        if (json_is_true(json_object_get(col, "enabled")))
            sbx_reply_err(q->r, 409, "Conflict", "Column '%s' is not blocked", q->seg[7]);
        else
            sbx_reply_msg(q->r, "Column successfully marked for deletion");
        return;
    }
    if (sbx_body_json(q, &b, 1) < 0)
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
        sbx_reply_verr(q->r, &e);
    } else {
        apply_schemas(c, patch);
        reply_schema(q, c, NULL);
    }
    json_decref(patch);
    json_decref(b);
}

/* the connection of /connections/{id}/schemas/...: materialised; NULL with the reply set */
static conn *schema_conn(req *q)
{
    conn *c = sbx_conn_find(q->seg[1], 1, NULL);
    if (!c) {
        sbx_not_found_conn(q, q->seg[1]);
        return NULL;
    }
    if (!c->schema) {
        sbx_reply_err(q->r, 404, "NotFound_SchemaConfig",
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
                    sbx_reply_err(q->r, 404, "NotFound", "Schema '%s' not found", sn);
                else
                    sbx_reply_err(q->r, 400, "InvalidInput",
                                  "Field 'schemas.%s.tables' is required", sn);
                json_decref(b);
                return;
            }
            json_object_foreach(tabs, tn, tv)
            {
                json_t *t = json_object_get(json_object_get(s, "tables"), tn);
                json_t *cols = json_object_get(tv, "columns");
                if (!t) {
                    sbx_reply_err(q->r, 404, "NotFound", "Table '%s' not found in schema '%s'", tn,
                                  sn);
                    json_decref(b);
                    return;
                }
                if (!json_is_array(cols) || !json_array_size(cols)) {
                    sbx_reply_err(q->r, 400, "InvalidInput",
                                  "Field 'schemas.%s.tables.%s.columns' must be a non-empty array",
                                  sn, tn);
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
                        sbx_reply_err(q->r, 404, "NotFound", "Column '%s' not found in table '%s'",
                                      cn ? cn : "", tn);
                        json_decref(b);
                        return;
                    }
                    if (json_is_true(json_object_get(col, "enabled"))) {
                        sbx_reply_err(q->r, 409, "Conflict", "Column '%s' is not blocked", cn);
                        json_decref(b);
                        return;
                    }
                }
            }
        }
    }
    json_decref(b);
    sbx_reply_msg(q->r, "Columns successfully marked for deletion");
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
        sbx_reply_err(q->r, 400, "InvalidInput", "At least one schema with tables is required");
        json_decref(b);
        return;
    }
    json_object_foreach(b, sn, tabs)
    {
        json_t *s = json_object_get(json_object_get(c->schema, "schemas"), sn);
        if (!json_is_array(tabs) || !json_array_size(tabs)) {
            sbx_reply_err(q->r, 400, "InvalidInput",
                          "Field '%s' must be a non-empty array of tables", sn);
            json_decref(b);
            return;
        }
        if (!s) {
            sbx_reply_err(q->r, 404, "NotFound", "Schema '%s' not found", sn);
            json_decref(b);
            return;
        }
        size_t i;
        json_t *t;
        json_array_foreach(tabs, i, t)
        {
            const char *tn = json_string_value(t);
            if (!tn || !json_object_get(json_object_get(s, "tables"), tn)) {
                sbx_reply_err(q->r, 404, "NotFound", "Table '%s' not found in schema '%s'",
                              tn ? tn : "", sn);
                json_decref(b);
                return;
            }
        }
    }
    json_decref(b);
    sbx_emit(c, "resync_table", NULL, json_object());
    json_object_set_new(sbx_status_of(c), "is_historical_sync", json_true());
    if (json_is_true(json_object_get(c->obj, "paused")))
        c->pending = 1;
    else
        sbx_sync_begin(c, 1);
    sbx_reply_msg(q->r, "Re-sync has been triggered successfully");
}
