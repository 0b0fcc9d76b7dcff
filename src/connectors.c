/*
 * Connectors (the API's "connections"): model, list/stream, CRUD, sync, resync,
 * pause/resume, state, sync status, sync frequency, setup tests, connect card.
 * Schema configuration lives in schema_config.c, sync_and_wait in sync_wait.c.
 */
#include <limits.h>
#include <string.h>

#include "gen.h"
#include "internal.h"

/* ---- model ---- */

static void notice_free(ftx_connector_notice *n)
{
    if (n == NULL)
        return;
    ftx__free(n->code);
    ftx__free(n->message);
    ftx__free(n->details);
    ftx__free(n);
}

static void notices_free(ftx_connector_notice **v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        notice_free(v[i]);
    ftx__free(v);
}

static void status_free(ftx_connector_status *s)
{
    if (s == NULL)
        return;
    ftx__free(s->setup_state);
    ftx__free(s->sync_state);
    ftx__free(s->update_state);
    ftx__free(s->schema_status);
    ftx__time_dispose(&s->rescheduled_for);
    notices_free(s->tasks, s->task_count);
    notices_free(s->warnings, s->warning_count);
    ftx__free(s);
}

/* Parse an array of {code, message, details}; `arr` is borrowed from the model's raw. */
static ftx_connector_notice **notices_parse(ftx__jctx *ctx, json_t *arr, size_t *count)
{
    ftx_connector_notice **v;
    size_t n, i, k = 0;

    *count = 0;
    if (!json_is_array(arr) || (n = json_array_size(arr)) == 0)
        return NULL;
    v = ftx__calloc(n, sizeof(*v));
    if (v == NULL) {
        ctx->oom = 1;
        return NULL;
    }
    for (i = 0; i < n; i++) {
        json_t *item = json_array_get(arr, i);
        ftx_connector_notice *no;
        if (!json_is_object(item))
            continue;
        no = ftx__calloc(1, sizeof(*no));
        if (no == NULL) {
            ctx->oom = 1;
            break;
        }
        no->code = ftx__jstr(ctx, item, "code");
        no->message = ftx__jstr(ctx, item, "message");
        no->details = ftx__jstr(ctx, item, "details");
        no->raw = item;
        v[k++] = no;
    }
    *count = k;
    return v;
}

static ftx_connector_status *status_parse(ftx__jctx *ctx, json_t *obj)
{
    ftx_connector_status *s = ftx__calloc(1, sizeof(*s));

    if (s == NULL) {
        ctx->oom = 1;
        return NULL;
    }
    if (!json_is_object(obj))
        return s;
    s->raw = obj;
    s->setup_state = ftx__jstr(ctx, obj, "setup_state");
    s->sync_state = ftx__jstr(ctx, obj, "sync_state");
    s->update_state = ftx__jstr(ctx, obj, "update_state");
    s->is_historical_sync = ftx__jbool(obj, "is_historical_sync", 0);
    s->schema_status = ftx__jstr(ctx, obj, "schema_status");
    ftx__jtime(ctx, obj, "rescheduled_for", &s->rescheduled_for);
    s->tasks = notices_parse(ctx, json_object_get(obj, "tasks"), &s->task_count);
    s->warnings = notices_parse(ctx, json_object_get(obj, "warnings"), &s->warning_count);
    return s;
}

void ftx_connector_free(ftx_connector *c)
{
    if (c == NULL)
        return;
    ftx__free(c->id);
    ftx__free(c->group_id);
    ftx__free(c->service);
    ftx__free(c->schema);
    status_free(c->status);
    ftx__free(c->setup_state);
    ftx__time_dispose(&c->created_at);
    ftx__time_dispose(&c->succeeded_at);
    ftx__time_dispose(&c->failed_at);
    ftx__free(c->connect_card_token);
    ftx__free(c->connect_card_uri);
    ftx__free(c->schedule_type);
    ftx__free(c->daily_sync_time);
    ftx__free(c->connected_by);
    ftx__free(c->private_link_id);
    ftx__free(c->proxy_agent_id);
    ftx__free(c->hybrid_deployment_agent_id);
    ftx__setup_tests_free(c->setup_tests, c->setup_test_count);
    json_decref(c->raw);
    ftx__free(c);
}

int ftx_connector_from_json(const json_t *json, ftx_connector **out, ftx_error *err)
{
    ftx__jctx ctx = {0};
    ftx_connector *c;
    json_t *raw, *cc;
    long long freq;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (!json_is_object(json))
        return ftx__error_set(err, FTX_ERR_DECODE, "connector is not a JSON object");
    c = ftx__calloc(1, sizeof(*c));
    if (c == NULL)
        return ftx__error_nomem(err);
    raw = json_incref((json_t *)(uintptr_t)json);
    c->raw = raw;

    c->id = ftx__jstr(&ctx, raw, "id");
    c->group_id = ftx__jstr(&ctx, raw, "group_id");
    c->service = ftx__jstr(&ctx, raw, "service");
    c->service_version = ftx__jint(raw, "service_version", -1);
    c->schema = ftx__jstr(&ctx, raw, "schema");
    c->paused = ftx__jbool(raw, "paused", 0);
    c->pause_after_trial = ftx__jbool(raw, "pause_after_trial", 0);
    freq = ftx__jint(raw, "sync_frequency", 0);
    c->sync_frequency = (freq < 0 || freq > INT_MAX) ? 0 : (int)freq;
    c->status = status_parse(&ctx, json_object_get(raw, "status"));
    c->setup_state = ftx__jstr(&ctx, raw, "setup_state");
    if (c->setup_state == NULL && c->status != NULL && c->status->setup_state != NULL)
        c->setup_state = ftx__strdup_ctx(&ctx, c->status->setup_state);
    ftx__jtime(&ctx, raw, "created_at", &c->created_at);
    ftx__jtime(&ctx, raw, "succeeded_at", &c->succeeded_at);
    ftx__jtime(&ctx, raw, "failed_at", &c->failed_at);
    c->config =
        json_is_object(json_object_get(raw, "config")) ? json_object_get(raw, "config") : NULL;
    cc = json_object_get(raw, "connect_card");
    if (json_is_object(cc)) {
        c->connect_card = cc;
        c->connect_card_token = ftx__jstr(&ctx, cc, "token");
        c->connect_card_uri = ftx__jstr(&ctx, cc, "uri");
    }
    c->schedule_type = ftx__jstr(&ctx, raw, "schedule_type");
    c->daily_sync_time = ftx__jstr(&ctx, raw, "daily_sync_time");
    c->connected_by = ftx__jstr(&ctx, raw, "connected_by");
    c->private_link_id = ftx__jstr(&ctx, raw, "private_link_id");
    c->proxy_agent_id = ftx__jstr(&ctx, raw, "proxy_agent_id");
    c->hybrid_deployment_agent_id = ftx__jstr(&ctx, raw, "hybrid_deployment_agent_id");
    if (c->hybrid_deployment_agent_id == NULL)
        c->hybrid_deployment_agent_id = ftx__jstr(&ctx, raw, "local_processing_agent_id");
    c->setup_tests = ftx__setup_tests_parse(&ctx, raw, &c->setup_test_count);

    if (ctx.oom || c->status == NULL) {
        ftx_connector_free(c);
        return ftx__error_nomem(err);
    }
    *out = c;
    return FTX_OK;
}

ftx_connector *ftx_connector_dup(const ftx_connector *c)
{
    ftx_connector *copy = NULL;

    /* Shares `raw` (see common.h): the copy is rebuilt from the same object. */
    if (c == NULL || c->raw == NULL || ftx_connector_from_json(c->raw, &copy, NULL) != FTX_OK)
        return NULL;
    return copy;
}

const char *ftx_connector_sync_state(const ftx_connector *c)
{
    if (c == NULL || c->status == NULL)
        return NULL;
    return c->status->sync_state;
}

int ftx_connector_syncing(const ftx_connector *c)
{
    const char *s = ftx_connector_sync_state(c);
    return s != NULL && strcmp(s, "syncing") == 0;
}

int ftx_connector_paused(const ftx_connector *c)
{
    return c != NULL && c->paused != 0;
}

static int item_parse(const json_t *item, void **out, ftx_error *err)
{
    ftx_connector *c = NULL;
    int rc = ftx_connector_from_json(item, &c, err);
    *out = c;
    return rc;
}

static void item_free(void *item)
{
    ftx_connector_free(item);
}

FTX__TYPED_PAGE_FNS(connector_page, ftx_connector_page, ftx_connector, item_free)

void ftx_connector_page_free(ftx_connector_page *page)
{
    connector_page_free(page);
}

void ftx_sync_result_free(ftx_sync_result *r)
{
    if (r == NULL)
        return;
    ftx__free(r->message);
    ftx__free(r->sync_state);
    json_decref(r->raw);
    ftx__free(r);
}

/* ---- closed values (fivetran-api.md 1.11) ---- */

static const int valid_frequencies[] = {1, 5, 15, 30, 60, 120, 180, 360, 480, 720, 1440};
#define FREQUENCIES_TEXT "1, 5, 15, 30, 60, 120, 180, 360, 480, 720 or 1440"

static int check_frequency(long long minutes, ftx_error *err)
{
    for (size_t i = 0; i < sizeof(valid_frequencies) / sizeof(valid_frequencies[0]); i++)
        if (minutes == valid_frequencies[i])
            return FTX_OK;
    return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                          "sync_frequency %lld is not accepted by the API; use " FREQUENCIES_TEXT
                          " (minutes)",
                          minutes);
}

static int check_schedule_type(const char *v, ftx_error *err)
{
    if (v != NULL && (strcmp(v, "auto") == 0 || strcmp(v, "manual") == 0))
        return FTX_OK;
    return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                          "schedule_type must be \"auto\" or \"manual\"");
}

static int check_daily_sync_time(const char *v, ftx_error *err)
{
    if (v != NULL && strlen(v) == 5 && v[0] >= '0' && v[0] <= '2' && v[1] >= '0' && v[1] <= '9' &&
        (v[0] - '0') * 10 + (v[1] - '0') <= 23 && v[2] == ':' && v[3] == '0' && v[4] == '0')
        return FTX_OK;
    return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                          "daily_sync_time must be a whole UTC hour \"HH:00\" from \"00:00\" to "
                          "\"23:00\"");
}

/* The C string of a JSON string without embedded NULs, else NULL: "auto\0x" is not "auto". */
static const char *plain_string(const json_t *v)
{
    const char *s = json_string_value(v);
    return s != NULL && strlen(s) == json_string_length(v) ? s : NULL;
}

/* Check the closed schedule fields of a create/update body (absent or null: fine). */
static int check_schedule_fields(const json_t *params, ftx_error *err)
{
    const json_t *v;
    int rc;

    v = json_object_get(params, "sync_frequency");
    if (v != NULL && !json_is_null(v)) {
        if (!json_is_integer(v))
            return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                                  "sync_frequency must be a JSON integer: " FREQUENCIES_TEXT);
        if ((rc = check_frequency(json_integer_value(v), err)) < 0)
            return rc;
    }
    v = json_object_get(params, "schedule_type");
    if (v != NULL && !json_is_null(v) && (rc = check_schedule_type(plain_string(v), err)) < 0)
        return rc;
    v = json_object_get(params, "daily_sync_time");
    if (v != NULL && !json_is_null(v) && (rc = check_daily_sync_time(plain_string(v), err)) < 0)
        return rc;
    return FTX_OK;
}

static int check_out(const void *out, ftx_error *err)
{
    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    return FTX_OK;
}

/* ---- calls ---- */

/* One request whose `data` is a connector; `out` may be NULL (result discarded). */
static int call_connector(ftx_client *client, const ftx__request *req, ftx_connector **out,
                          ftx_error *err)
{
    json_t *data = NULL;
    int rc = ftx__call_data(client, req, &data, err);

    if (rc == FTX_OK && out != NULL)
        rc = ftx_connector_from_json(data, out, err);
    json_decref(data);
    return rc;
}

static int connector_request_until(ftx_client *client, const char *method, const char *tmpl,
                                   const char *connector_id, const json_t *body,
                                   uint64_t deadline_ms, ftx_connector **out, ftx_error *err)
{
    ftx__request req = {0};
    char *path = NULL;
    int rc;

    if ((rc = ftx__path(&path, err, tmpl, connector_id)) < 0)
        return rc;
    req.method = method;
    req.path = path;
    req.body = body;
    req.accept_v2 = 1;
    req.deadline_ms = deadline_ms;
    rc = call_connector(client, &req, out, err);
    ftx__free(path);
    return rc;
}

static int connector_request(ftx_client *client, const char *method, const char *tmpl,
                             const char *connector_id, const json_t *body, ftx_connector **out,
                             ftx_error *err)
{
    return connector_request_until(client, method, tmpl, connector_id, body, 0, out, err);
}

/* The filters the API declares (api/fivetran-api.json: list_connections,
 * list_all_connections_in_group), checked before anything is sent. */
static const ftx__qparam all_filters[] = {
    {"group_id", FTX__Q_STRING, 0, NULL},
    {"schema", FTX__Q_STRING, 0, NULL},
};
static const ftx__qparam group_filters[] = {
    {"schema", FTX__Q_STRING, 0, NULL},
};

/* The spec of the connectors of `group_id` (`*path` to free), or of the account when
 * `all`. */
static int list_spec(int all, const char *group_id, ftx__list_spec *spec, char **path,
                     ftx_error *err)
{
    int rc;

    memset(spec, 0, sizeof(*spec));
    *path = NULL;
    if (all) {
        spec->path = "/connections";
        spec->accept_v2 = 1;
        spec->filters = all_filters;
        spec->nfilters = sizeof(all_filters) / sizeof(all_filters[0]);
    } else {
        if ((rc = ftx__path(path, err, "/groups/{group_id}/connections", group_id)) < 0)
            return rc;
        spec->path = *path;
        spec->accept_v2 = 0; /* the spec's default for this list is plain application/json */
        spec->filters = group_filters;
        spec->nfilters = sizeof(group_filters) / sizeof(group_filters[0]);
    }
    spec->parse = item_parse;
    spec->free_item = item_free;
    return FTX_OK;
}

static int list_page(ftx_client *client, int all, const char *group_id,
                     const ftx_list_options *opts, ftx_connector_page **out, ftx_error *err)
{
    ftx__list_spec spec;
    ftx__page *page = NULL;
    char *path = NULL;
    int rc;

    if ((rc = check_out(out, err)) < 0)
        return rc;
    *out = NULL;
    if ((rc = list_spec(all, group_id, &spec, &path, err)) < 0)
        return rc;
    rc = ftx__list(client, &spec, opts, &page, err);
    ftx__free(path);
    return rc != FTX_OK ? rc : connector_page_from(page, out, err);
}

static int list_stream(ftx_client *client, int all, const char *group_id,
                       const ftx_list_options *opts, ftx_connector_stream **out, ftx_error *err)
{
    ftx__list_spec spec;
    ftx__stream *s = NULL;
    char *path = NULL;
    int rc;

    if ((rc = check_out(out, err)) < 0)
        return rc;
    *out = NULL;
    if ((rc = list_spec(all, group_id, &spec, &path, err)) < 0)
        return rc;
    rc = ftx__stream_new(client, &spec, opts, &s, err);
    ftx__free(path);
    if (rc == FTX_OK)
        *out = (ftx_connector_stream *)s;
    return rc;
}

int ftx_connectors_list(ftx_client *client, const char *group_id, const ftx_list_options *opts,
                        ftx_connector_page **out, ftx_error *err)
{
    return list_page(client, 0, group_id, opts, out, err);
}

int ftx_connectors_stream(ftx_client *client, const char *group_id, const ftx_list_options *opts,
                          ftx_connector_stream **out, ftx_error *err)
{
    return list_stream(client, 0, group_id, opts, out, err);
}

int ftx_connectors_list_all(ftx_client *client, const ftx_list_options *opts,
                            ftx_connector_page **out, ftx_error *err)
{
    return list_page(client, 1, NULL, opts, out, err);
}

int ftx_connectors_stream_all(ftx_client *client, const ftx_list_options *opts,
                              ftx_connector_stream **out, ftx_error *err)
{
    return list_stream(client, 1, NULL, opts, out, err);
}

int ftx_connector_stream_next(ftx_connector_stream *stream, const ftx_connector **out,
                              ftx_error *err)
{
    const void *item = NULL;
    int rc;

    if (out == NULL || stream == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "stream and out must not be NULL");
    *out = NULL;
    rc = ftx__stream_next((ftx__stream *)stream, &item, err);
    if (rc == FTX_OK)
        *out = item;
    return rc;
}

void ftx_connector_stream_free(ftx_connector_stream *stream)
{
    ftx__stream_free((ftx__stream *)stream);
}

int ftx__connectors_get_until(ftx_client *client, const char *connector_id, uint64_t deadline_ms,
                              ftx_connector **out, ftx_error *err)
{
    int rc;

    if ((rc = check_out(out, err)) < 0)
        return rc;
    *out = NULL;
    return connector_request_until(client, "GET", "/connections/{connector_id}", connector_id, NULL,
                                   deadline_ms, out, err);
}

int ftx_connectors_get(ftx_client *client, const char *connector_id, ftx_connector **out,
                       ftx_error *err)
{
    return ftx__connectors_get_until(client, connector_id, 0, out, err);
}

int ftx_connectors_create(ftx_client *client, const json_t *params, ftx_connector **out,
                          ftx_error *err)
{
    ftx__request req = {0};
    const char *group_id, *service;
    int rc;

    if ((rc = check_out(out, err)) < 0)
        return rc;
    *out = NULL;
    if (!json_is_object(params))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "params must be a JSON object");
    group_id = json_string_value(json_object_get(params, "group_id"));
    service = json_string_value(json_object_get(params, "service"));
    if (group_id == NULL || group_id[0] == '\0')
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "params.group_id is required (a non-empty string)");
    if (service == NULL || service[0] == '\0')
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "params.service is required (a non-empty string)");
    if ((rc = check_schedule_fields(params, err)) < 0)
        return rc;
    req.method = "POST";
    req.path = "/connections";
    req.body = params;
    req.accept_v2 = 1;
    req.creates = 1;
    return call_connector(client, &req, out, err);
}

int ftx_connectors_update(ftx_client *client, const char *connector_id, const json_t *params,
                          ftx_connector **out, ftx_error *err)
{
    int rc;

    if (out != NULL)
        *out = NULL;
    if (!json_is_object(params))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "params must be a JSON object");
    if ((rc = check_schedule_fields(params, err)) < 0)
        return rc;
    return connector_request(client, "PATCH", "/connections/{connector_id}", connector_id, params,
                             out, err);
}

int ftx_connectors_delete(ftx_client *client, const char *connector_id, ftx_error *err)
{
    ftx__request req = {0};
    char *path = NULL;
    int rc;

    if ((rc = ftx__path(&path, err, "/connections/{connector_id}", connector_id)) < 0)
        return rc;
    req.method = "DELETE";
    req.path = path;
    req.accept_v2 = 1;
    rc = ftx__call(client, &req, NULL, err);
    ftx__free(path);
    return rc;
}

/* An action POST whose response normally has no data: fill a sync result. */
static int action_post(ftx_client *client, const char *tmpl, const char *connector_id,
                       const json_t *body, ftx_sync_result **out, ftx_error *err)
{
    ftx__request req = {0};
    ftx__jctx ctx = {0};
    ftx_sync_result *r;
    json_t *resp = NULL, *data;
    char *path = NULL;
    int rc;

    if ((rc = ftx__path(&path, err, tmpl, connector_id)) < 0)
        return rc;
    req.method = "POST";
    req.path = path;
    req.body = body;
    req.accept_v2 = 1;
    rc = ftx__call(client, &req, &resp, err);
    ftx__free(path);
    if (rc < 0 || out == NULL) {
        json_decref(resp);
        return rc;
    }
    r = ftx__calloc(1, sizeof(*r));
    if (r == NULL) {
        json_decref(resp);
        return ftx__error_nomem(err);
    }
    r->success = 1;
    r->raw = resp;
    if (json_is_object(resp)) {
        r->message = ftx__jstr(&ctx, resp, "message");
        data = json_object_get(resp, "data");
        if (json_is_object(data) && json_is_object(json_object_get(data, "status")))
            r->sync_state = ftx__jstr(&ctx, json_object_get(data, "status"), "sync_state");
    }
    if (ctx.oom) {
        ftx_sync_result_free(r);
        return ftx__error_nomem(err);
    }
    *out = r;
    return FTX_OK;
}

int ftx_connectors_sync(ftx_client *client, const char *connector_id, const ftx_sync_options *opts,
                        ftx_sync_result **out, ftx_error *err)
{
    ftx_sync_options o;
    json_t *body;
    int rc;

    if (out != NULL)
        *out = NULL;
    if ((rc = FTX__OPTIONS_LOAD(ftx_sync_options, &o, opts, err)) != FTX_OK)
        return rc;
    body = o.force ? json_pack("{sb}", "force", 1) : json_object();
    if (body == NULL)
        return ftx__error_nomem(err);
    rc = action_post(client, "/connections/{connector_id}/sync", connector_id, body, out, err);
    json_decref(body);
    return rc;
}

static int check_scope(const json_t *scope, ftx_error *err)
{
    const char *schema;
    json_t *tables;

    if (!json_is_object(scope) || json_object_size(scope) == 0)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "resync scope must be a non-empty object {\"schema\": [\"table\", "
                              "...]} (or NULL for everything)");
    json_object_foreach((json_t *)scope, schema, tables)
    {
        size_t i, n = json_array_size(tables);
        if (!json_is_array(tables) || n == 0 || schema[0] == '\0')
            return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                                  "resync scope: each schema needs a non-empty array of tables");
        for (i = 0; i < n; i++) {
            const char *t = json_string_value(json_array_get(tables, i));
            if (t == NULL || t[0] == '\0')
                return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                                      "resync scope: table names must be non-empty strings");
        }
    }
    return FTX_OK;
}

int ftx_connectors_resync(ftx_client *client, const char *connector_id,
                          const ftx_resync_options *opts, ftx_sync_result **out, ftx_error *err)
{
    ftx_resync_options o;
    json_t *body;
    int rc;

    if (out != NULL)
        *out = NULL;
    if (opts != NULL && (rc = FTX__OPTIONS_LOAD(ftx_resync_options, &o, opts, err)) != FTX_OK)
        return rc;
    if (opts == NULL || o.confirm != FTX_RESYNC_CONFIRM)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "historical resync wipes and re-imports all data: confirm it by "
                              "passing ftx_resync_options with confirm = FTX_RESYNC_CONFIRM");
    opts = &o;
    if (opts->scope != NULL && (rc = check_scope(opts->scope, err)) < 0)
        return rc;
    body = json_object();
    if (body == NULL)
        return ftx__error_nomem(err);
    if (opts->scope != NULL && json_object_set_new(body, "scope", json_deep_copy(opts->scope))) {
        json_decref(body);
        return ftx__error_nomem(err);
    }
    rc = action_post(client, "/connections/{connector_id}/resync", connector_id, body, out, err);
    json_decref(body);
    return rc;
}

static int set_paused(ftx_client *client, const char *connector_id, int paused, ftx_connector **out,
                      ftx_error *err)
{
    json_t *body = json_pack("{sb}", "paused", paused);
    int rc;

    if (out != NULL)
        *out = NULL;
    if (body == NULL)
        return ftx__error_nomem(err);
    rc = connector_request(client, "PATCH", "/connections/{connector_id}", connector_id, body, out,
                           err);
    json_decref(body);
    return rc;
}

int ftx_connectors_pause(ftx_client *client, const char *connector_id, ftx_connector **out,
                         ftx_error *err)
{
    return set_paused(client, connector_id, 1, out, err);
}

int ftx_connectors_resume(ftx_client *client, const char *connector_id, ftx_connector **out,
                          ftx_error *err)
{
    return set_paused(client, connector_id, 0, out, err);
}

int ftx_connectors_get_state(ftx_client *client, const char *connector_id, json_t **out,
                             ftx_error *err)
{
    ftx__request req = {0};
    char *path = NULL;
    int rc;

    if ((rc = check_out(out, err)) < 0)
        return rc;
    *out = NULL;
    if ((rc = ftx__path(&path, err, "/connections/{connector_id}/state", connector_id)) < 0)
        return rc;
    req.method = "GET";
    req.path = path;
    req.accept_v2 = 1;
    rc = ftx__call_data(client, &req, out, err);
    ftx__free(path);
    return rc;
}

int ftx_sync_status_from_connector(const ftx_connector *c, ftx_sync_status **out, ftx_error *err)
{
    ftx__jctx ctx = {0};
    ftx_sync_status *s;

    if ((c == NULL) || out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "connector and out must not be NULL");
    *out = NULL;
    s = ftx__calloc(1, sizeof(*s));
    if (s == NULL)
        return ftx__error_nomem(err);
    if (c->status != NULL) {
        s->sync_state = ftx__strdup_ctx(&ctx, c->status->sync_state);
        s->update_state = ftx__strdup_ctx(&ctx, c->status->update_state);
        s->is_historical_sync = c->status->is_historical_sync;
    }
    ftx__time_dup(&ctx, &s->succeeded_at, &c->succeeded_at);
    ftx__time_dup(&ctx, &s->failed_at, &c->failed_at);
    s->raw = c->raw != NULL ? json_incref(c->raw) : NULL;
    if (ctx.oom) {
        ftx_sync_status_free(s);
        return ftx__error_nomem(err);
    }
    *out = s;
    return FTX_OK;
}

void ftx_sync_status_free(ftx_sync_status *s)
{
    if (s == NULL)
        return;
    ftx__free(s->sync_state);
    ftx__free(s->update_state);
    ftx__time_dispose(&s->succeeded_at);
    ftx__time_dispose(&s->failed_at);
    json_decref(s->raw);
    ftx__free(s);
}

static int state_is(const ftx_sync_status *s, const char *v)
{
    return s != NULL && s->sync_state != NULL && strcmp(s->sync_state, v) == 0;
}

int ftx_sync_status_syncing(const ftx_sync_status *s)
{
    return state_is(s, "syncing");
}

int ftx_sync_status_paused(const ftx_sync_status *s)
{
    return state_is(s, "paused");
}

int ftx_sync_status_scheduled(const ftx_sync_status *s)
{
    return state_is(s, "scheduled");
}

int ftx_connectors_get_sync_status(ftx_client *client, const char *connector_id,
                                   ftx_sync_status **out, ftx_error *err)
{
    ftx_connector *c = NULL;
    int rc;

    if ((rc = check_out(out, err)) < 0)
        return rc;
    *out = NULL;
    if ((rc = ftx_connectors_get(client, connector_id, &c, err)) < 0)
        return rc;
    rc = ftx_sync_status_from_connector(c, out, err);
    ftx_connector_free(c);
    return rc;
}

int ftx_connectors_set_sync_frequency(ftx_client *client, const char *connector_id, int minutes,
                                      const ftx_sync_frequency_options *opts, ftx_connector **out,
                                      ftx_error *err)
{
    ftx_sync_frequency_options o;
    json_t *body;
    int rc;

    if (out != NULL)
        *out = NULL;
    if (opts != NULL) {
        if ((rc = FTX__OPTIONS_LOAD(ftx_sync_frequency_options, &o, opts, err)) != FTX_OK)
            return rc;
        opts = &o;
    }
    if ((rc = check_frequency(minutes, err)) < 0)
        return rc;
    if (opts != NULL && opts->schedule_type != NULL &&
        (rc = check_schedule_type(opts->schedule_type, err)) < 0)
        return rc;
    if (opts != NULL && opts->daily_sync_time != NULL &&
        (rc = check_daily_sync_time(opts->daily_sync_time, err)) < 0)
        return rc;
    body = json_pack("{si}", "sync_frequency", minutes);
    if (body == NULL)
        return ftx__error_nomem(err);
    if (opts != NULL && opts->schedule_type != NULL &&
        json_object_set_new(body, "schedule_type", json_string(opts->schedule_type)) != 0)
        goto nomem;
    if (opts != NULL && opts->daily_sync_time != NULL &&
        json_object_set_new(body, "daily_sync_time", json_string(opts->daily_sync_time)) != 0)
        goto nomem;
    rc = connector_request(client, "PATCH", "/connections/{connector_id}", connector_id, body, out,
                           err);
    json_decref(body);
    return rc;
nomem:
    json_decref(body);
    return ftx__error_nomem(err);
}

int ftx_connectors_test(ftx_client *client, const char *connector_id, const json_t *params,
                        ftx_connector **out, ftx_error *err)
{
    json_t *empty = NULL;
    int rc;

    if (out != NULL)
        *out = NULL;
    if (params != NULL && !json_is_object(params))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "params must be a JSON object");
    if (params == NULL && (empty = json_object()) == NULL)
        return ftx__error_nomem(err);
    rc = connector_request(client, "POST", "/connections/{connector_id}/test", connector_id,
                           params != NULL ? params : empty, out, err);
    json_decref(empty);
    return rc;
}

int ftx_connectors_connect_card(ftx_client *client, const char *connector_id,
                                const json_t *connect_card_config, json_t **out, ftx_error *err)
{
    ftx__request req = {0};
    const char *uri;
    json_t *body;
    char *path = NULL;
    int rc;

    if ((rc = check_out(out, err)) < 0)
        return rc;
    *out = NULL;
    uri = json_string_value(json_object_get(connect_card_config, "redirect_uri"));
    if (!json_is_object(connect_card_config) || uri == NULL ||
        (strncmp(uri, "http://", 7) != 0 && strncmp(uri, "https://", 8) != 0))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "connect_card_config needs a redirect_uri starting with http:// or "
                              "https://");
    if ((rc = ftx__path(&path, err, "/connections/{connector_id}/connect-card", connector_id)) < 0)
        return rc;
    body = json_object();
    if (body == NULL ||
        json_object_set_new(body, "connect_card_config", json_deep_copy(connect_card_config))) {
        json_decref(body);
        ftx__free(path);
        return ftx__error_nomem(err);
    }
    req.method = "POST";
    req.path = path;
    req.body = body;
    req.accept_v2 = 1;
    rc = ftx__call_data(client, &req, out, err);
    json_decref(body);
    ftx__free(path);
    return rc;
}
