/*
 * Connector schema configuration: the schema → table → column models, lookup by
 * name, and the four schema calls (get, update, reload, table columns).
 * Every schema operation uses Accept: application/json (the API's default there).
 */
#include <string.h>

#include "internal.h"

/* ---- models ---- */

static void column_free(ftx_column *c)
{
    if (c == NULL)
        return;
    ftx__free(c->name);
    ftx__free(c->name_in_destination);
    ftx__free(c->type);
    ftx__free(c);
}

static void table_free(ftx_table *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->column_count; i++)
        column_free(t->columns[i]);
    ftx__free(t->columns);
    ftx__free(t->name);
    ftx__free(t->name_in_destination);
    ftx__free(t->sync_mode);
    ftx__free(t);
}

static void schema_free(ftx_schema *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->table_count; i++)
        table_free(s->tables[i]);
    ftx__free(s->tables);
    ftx__free(s->name);
    ftx__free(s->name_in_destination);
    ftx__free(s);
}

static json_t *object_or_null(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_object(v) ? v : NULL;
}

/* `obj` is borrowed from the owning model's raw. */
static ftx_column *column_parse(ftx__jctx *ctx, const char *name, json_t *obj)
{
    ftx_column *c = ftx__calloc(1, sizeof(*c));

    if (c == NULL) {
        ctx->oom = 1;
        return NULL;
    }
    c->name = ftx__strdup_ctx(ctx, name);
    c->name_in_destination = ftx__jstr(ctx, obj, "name_in_destination");
    c->enabled = ftx__jbool(obj, "enabled", 0);
    c->hashed = ftx__jbool(obj, "hashed", 0);
    c->is_primary_key = ftx__jbool(obj, "is_primary_key", 0);
    c->type = ftx__jstr(ctx, obj, "type");
    c->enabled_patch_settings = object_or_null(obj, "enabled_patch_settings");
    c->raw = obj;
    return c;
}

/* Parse the object-valued entries of `map` in order into a pointer array. */
typedef void *(*entry_parse_fn)(ftx__jctx *ctx, const char *name, json_t *obj);

static void **parse_map(ftx__jctx *ctx, json_t *map, size_t *count, entry_parse_fn parse)
{
    const char *key;
    json_t *value;
    void **v;
    size_t k = 0, n;

    *count = 0;
    if (!json_is_object(map) || (n = json_object_size(map)) == 0)
        return NULL;
    v = ftx__calloc(n, sizeof(*v));
    if (v == NULL) {
        ctx->oom = 1;
        return NULL;
    }
    json_object_foreach(map, key, value)
    {
        void *item;
        if (!json_is_object(value))
            continue;
        if (k == n)
            break;
        item = parse(ctx, key, value);
        if (item == NULL)
            break;
        v[k++] = item;
    }
    *count = k;
    return v;
}

static void *column_parse_cb(ftx__jctx *ctx, const char *name, json_t *obj)
{
    return column_parse(ctx, name, obj);
}

static void *table_parse_cb(ftx__jctx *ctx, const char *name, json_t *obj)
{
    ftx_table *t = ftx__calloc(1, sizeof(*t));

    if (t == NULL) {
        ctx->oom = 1;
        return NULL;
    }
    t->name = ftx__strdup_ctx(ctx, name);
    t->name_in_destination = ftx__jstr(ctx, obj, "name_in_destination");
    t->enabled = ftx__jbool(obj, "enabled", 0);
    t->sync_mode = ftx__jstr(ctx, obj, "sync_mode");
    t->supports_columns_config = ftx__jbool(obj, "supports_columns_config", 0);
    t->supports_history_mode = ftx__jbool(obj, "supports_history_mode", 0);
    t->enabled_patch_settings = object_or_null(obj, "enabled_patch_settings");
    t->raw = obj;
    t->columns = (ftx_column **)parse_map(ctx, json_object_get(obj, "columns"), &t->column_count,
                                          column_parse_cb);
    return t;
}

static void *schema_parse_cb(ftx__jctx *ctx, const char *name, json_t *obj)
{
    ftx_schema *s = ftx__calloc(1, sizeof(*s));

    if (s == NULL) {
        ctx->oom = 1;
        return NULL;
    }
    s->name = ftx__strdup_ctx(ctx, name);
    s->name_in_destination = ftx__jstr(ctx, obj, "name_in_destination");
    s->enabled = ftx__jbool(obj, "enabled", 0);
    s->raw = obj;
    s->tables = (ftx_table **)parse_map(ctx, json_object_get(obj, "tables"), &s->table_count,
                                        table_parse_cb);
    return s;
}

void ftx_schema_config_free(ftx_schema_config *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < cfg->schema_count; i++)
        schema_free(cfg->schemas[i]);
    ftx__free(cfg->schemas);
    ftx__free(cfg->schema_change_handling);
    json_decref(cfg->raw);
    ftx__free(cfg);
}

int ftx_schema_config_from_json(const json_t *json, ftx_schema_config **out, ftx_error *err)
{
    ftx__jctx ctx = {0};
    ftx_schema_config *cfg;
    json_t *raw;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (!json_is_object(json))
        return ftx__error_set(err, FTX_ERR_DECODE, "schema config is not a JSON object");
    cfg = ftx__calloc(1, sizeof(*cfg));
    if (cfg == NULL)
        return ftx__error_nomem(err);
    raw = json_incref((json_t *)(uintptr_t)json);
    cfg->raw = raw;
    cfg->schema_change_handling = ftx__jstr(&ctx, raw, "schema_change_handling");
    /* Current responses carry only schema_change_handling (the OpenAPI definition
     * requires it; enable_new_by_default is optional and legacy): derive the flag
     * from it when it is a string, else take the legacy field. */
    if (json_is_string(json_object_get(raw, "schema_change_handling")))
        cfg->enable_new_by_default =
            strcmp(json_string_value(json_object_get(raw, "schema_change_handling")),
                   "ALLOW_ALL") == 0;
    else
        cfg->enable_new_by_default = ftx__jbool(raw, "enable_new_by_default", 0);
    cfg->schemas = (ftx_schema **)parse_map(&ctx, json_object_get(raw, "schemas"),
                                            &cfg->schema_count, schema_parse_cb);
    if (ctx.oom) {
        ftx_schema_config_free(cfg);
        return ftx__error_nomem(err);
    }
    *out = cfg;
    return FTX_OK;
}

ftx_schema_config *ftx_schema_config_dup(const ftx_schema_config *cfg)
{
    ftx_schema_config *copy = NULL;

    /* Shares `raw` (see common.h): the copy is rebuilt from the same object. */
    if (cfg == NULL || cfg->raw == NULL ||
        ftx_schema_config_from_json(cfg->raw, &copy, NULL) != FTX_OK)
        return NULL;
    return copy;
}

const ftx_schema *ftx_schema_config_find_schema(const ftx_schema_config *cfg, const char *name)
{
    if (cfg == NULL || name == NULL)
        return NULL;
    for (size_t i = 0; i < cfg->schema_count; i++)
        if (strcmp(cfg->schemas[i]->name, name) == 0)
            return cfg->schemas[i];
    return NULL;
}

const ftx_table *ftx_schema_find_table(const ftx_schema *schema, const char *name)
{
    if (schema == NULL || name == NULL)
        return NULL;
    for (size_t i = 0; i < schema->table_count; i++)
        if (strcmp(schema->tables[i]->name, name) == 0)
            return schema->tables[i];
    return NULL;
}

const ftx_column *ftx_table_find_column(const ftx_table *table, const char *name)
{
    if (table == NULL || name == NULL)
        return NULL;
    for (size_t i = 0; i < table->column_count; i++)
        if (strcmp(table->columns[i]->name, name) == 0)
            return table->columns[i];
    return NULL;
}

const ftx_table *ftx_schema_config_find_table(const ftx_schema_config *cfg, const char *schema,
                                              const char *table)
{
    return ftx_schema_find_table(ftx_schema_config_find_schema(cfg, schema), table);
}

void ftx_column_list_free(ftx_column_list *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->count; i++)
        column_free(list->items[i]);
    ftx__free(list->items);
    json_decref(list->raw);
    ftx__free(list);
}

int ftx_column_list_from_json(const json_t *json, ftx_column_list **out, ftx_error *err)
{
    ftx__jctx ctx = {0};
    ftx_column_list *list;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (!json_is_object(json))
        return ftx__error_set(err, FTX_ERR_DECODE, "column list is not a JSON object");
    list = ftx__calloc(1, sizeof(*list));
    if (list == NULL)
        return ftx__error_nomem(err);
    list->raw = json_incref((json_t *)(uintptr_t)json);
    list->items = (ftx_column **)parse_map(&ctx, json_object_get(list->raw, "columns"),
                                           &list->count, column_parse_cb);
    if (ctx.oom) {
        ftx_column_list_free(list);
        return ftx__error_nomem(err);
    }
    *out = list;
    return FTX_OK;
}

const ftx_column *ftx_column_list_find(const ftx_column_list *list, const char *name)
{
    if (list == NULL || name == NULL)
        return NULL;
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->items[i]->name, name) == 0)
            return list->items[i];
    return NULL;
}

/* ---- closed values (fivetran-api.md 1.11) ---- */

static int one_of(const char *v, const char *const *set)
{
    for (; v != NULL && *set != NULL; set++)
        if (strcmp(v, *set) == 0)
            return 1;
    return 0;
}

/* one_of on a JSON value: a string without embedded NULs ("LIVE\0x" is not "LIVE"). */
static int json_one_of(const json_t *v, const char *const *set)
{
    const char *s = json_string_value(v);
    return s != NULL && strlen(s) == json_string_length(v) && one_of(s, set);
}

static const char *const change_handlings[] = {"ALLOW_ALL", "ALLOW_COLUMNS", "BLOCK_ALL", NULL};
static const char *const sync_modes[] = {"SOFT_DELETE", "HISTORY", "LIVE", NULL};
static const char *const exclude_modes[] = {"PRESERVE", "EXCLUDE", NULL};

static int check_schema_params(const json_t *params, ftx_error *err)
{
    const json_t *v = json_object_get(params, "schema_change_handling");
    const char *sname, *tname;
    json_t *schema, *table;

    if (v != NULL && !json_is_null(v) && !json_one_of(v, change_handlings))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "schema_change_handling must be ALLOW_ALL, ALLOW_COLUMNS or "
                              "BLOCK_ALL");
    json_object_foreach(json_object_get(params, "schemas"), sname, schema)
    {
        json_object_foreach(json_object_get(schema, "tables"), tname, table)
        {
            v = json_object_get(table, "sync_mode");
            if (v != NULL && !json_is_null(v) && !json_one_of(v, sync_modes))
                return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                                      "sync_mode of table \"%.100s\" must be SOFT_DELETE, "
                                      "HISTORY or LIVE",
                                      tname);
        }
    }
    return FTX_OK;
}

/* ---- calls ---- */

static int schema_call(ftx_client *client, const char *method, const char *connector_id,
                       const char *suffix, const json_t *body, ftx_schema_config **out,
                       ftx_error *err)
{
    ftx__request req = {0};
    json_t *data = NULL;
    char *path = NULL;
    int rc;

    rc = ftx__path(&path, err,
                   suffix == NULL ? "/connections/{connector_id}/schemas"
                                  : "/connections/{connector_id}/schemas/reload",
                   connector_id);
    if (rc < 0)
        return rc;
    req.method = method;
    req.path = path;
    req.body = body;
    req.accept_v2 = 0;
    rc = ftx__call_data(client, &req, &data, err);
    ftx__free(path);
    if (rc == FTX_OK && out != NULL)
        rc = ftx_schema_config_from_json(data, out, err);
    json_decref(data);
    return rc;
}

int ftx_connectors_get_schema_config(ftx_client *client, const char *connector_id,
                                     ftx_schema_config **out, ftx_error *err)
{
    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    return schema_call(client, "GET", connector_id, NULL, NULL, out, err);
}

int ftx_connectors_update_schema_config(ftx_client *client, const char *connector_id,
                                        const json_t *params, ftx_schema_config **out,
                                        ftx_error *err)
{
    int rc;

    if (out != NULL)
        *out = NULL;
    if (!json_is_object(params))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "params must be a JSON object");
    if ((rc = check_schema_params(params, err)) < 0)
        return rc;
    return schema_call(client, "PATCH", connector_id, NULL, params, out, err);
}

int ftx_connectors_reload_schema_config(ftx_client *client, const char *connector_id,
                                        const ftx_reload_options *opts, ftx_schema_config **out,
                                        ftx_error *err)
{
    const char *mode = "PRESERVE";
    ftx_reload_options o;
    json_t *body;
    int rc;

    if (out != NULL)
        *out = NULL;
    if ((rc = FTX__OPTIONS_LOAD(ftx_reload_options, &o, opts, err)) != FTX_OK)
        return rc;
    if (o.exclude_mode != NULL)
        mode = o.exclude_mode;
    if (!one_of(mode, exclude_modes))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "exclude_mode \"%.40s\" is not accepted by the API; use PRESERVE "
                              "(keep settings) or EXCLUDE (disable new schemas and tables)",
                              mode);
    body = json_pack("{ss}", "exclude_mode", mode);
    if (body == NULL)
        return ftx__error_nomem(err);
    rc = schema_call(client, "POST", connector_id, "reload", body, out, err);
    json_decref(body);
    return rc;
}

int ftx_connectors_get_table_columns(ftx_client *client, const char *connector_id,
                                     const char *schema_name, const char *table_name,
                                     ftx_column_list **out, ftx_error *err)
{
    ftx__request req = {0};
    json_t *data = NULL;
    char *path = NULL;
    int rc;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    rc =
        ftx__path(&path, err, "/connections/{connector_id}/schemas/{schema}/tables/{table}/columns",
                  connector_id, schema_name, table_name);
    if (rc < 0)
        return rc;
    req.method = "GET";
    req.path = path;
    rc = ftx__call_data(client, &req, &data, err);
    ftx__free(path);
    if (rc == FTX_OK)
        rc = ftx_column_list_from_json(data, out, err);
    json_decref(data);
    return rc;
}
