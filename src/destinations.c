/*
 * Destinations: GET/POST /destinations, GET/PATCH/DELETE /destinations/{id},
 * POST /destinations/{id}/test. Every call sends Accept: application/json;version=2
 * (the spec's default for Destination Management, fivetran-api.md 1.3).
 */
#include <string.h>
#include <strings.h>

#include "internal.h"

/* The closed set of time_zone_offset values (fivetran-api.md 1.11). */
static const char *const time_zone_offsets[] = {
    "-11", "-10", "-9", "-8", "-7", "-6", "-5", "-4", "-3", "-2",  "-1",  "0",
    "+1",  "+2",  "+3", "+4", "+5", "+6", "+7", "+8", "+9", "+10", "+11", "+12",
};

int ftx_destination_time_zone_offset_valid(const char *offset)
{
    size_t i;

    if (offset == NULL)
        return 0;
    for (i = 0; i < sizeof(time_zone_offsets) / sizeof(time_zone_offsets[0]); i++)
        if (strcmp(offset, time_zone_offsets[i]) == 0)
            return 1;
    return 0;
}

/* ---- setup tests ---- */

static void setup_test_free(ftx_destination_setup_test *t)
{
    if (t == NULL)
        return;
    ftx__free(t->title);
    ftx__free(t->status);
    ftx__free(t->message);
    json_decref(t->details);
    ftx__free(t);
}

void ftx__setup_tests_free(ftx_destination_setup_test **v, size_t n)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; i < n; i++)
        setup_test_free(v[i]);
    ftx__free(v);
}

static ftx_destination_setup_test *setup_test_from_json(ftx__jctx *ctx, const json_t *obj)
{
    ftx_destination_setup_test *t = ftx__calloc(1, sizeof(*t));

    if (t == NULL) {
        ctx->oom = 1;
        return NULL;
    }
    t->title = ftx__jstr(ctx, obj, "title");
    t->status = ftx__jstr(ctx, obj, "status");
    t->message = ftx__jstr(ctx, obj, "message");
    t->details = ftx__jref(obj, "details");
    return t;
}

/* Parse `setup_tests` of `obj`; elements that are not objects are skipped. */
ftx_destination_setup_test **ftx__setup_tests_parse(ftx__jctx *ctx, const json_t *obj,
                                                    size_t *count)
{
    const json_t *arr = json_object_get(obj, "setup_tests");
    ftx_destination_setup_test **v;
    size_t i, n = 0;

    *count = 0;
    if (!json_is_array(arr) || json_array_size(arr) == 0)
        return NULL;
    v = ftx__calloc(json_array_size(arr), sizeof(*v));
    if (v == NULL) {
        ctx->oom = 1;
        return NULL;
    }
    for (i = 0; i < json_array_size(arr); i++) {
        const json_t *el = json_array_get(arr, i);

        if (!json_is_object(el))
            continue;
        v[n] = setup_test_from_json(ctx, el);
        if (v[n] == NULL)
            break;
        n++;
    }
    *count = n;
    return v;
}

static ftx_destination_setup_test **
setup_tests_dup(ftx__jctx *ctx, ftx_destination_setup_test *const *src, size_t n)
{
    ftx_destination_setup_test **v;
    size_t i;

    if (src == NULL || n == 0)
        return NULL;
    v = ftx__calloc(n, sizeof(*v));
    if (v == NULL) {
        ctx->oom = 1;
        return NULL;
    }
    for (i = 0; i < n; i++) {
        ftx_destination_setup_test *t = ftx__calloc(1, sizeof(*t));

        if (t == NULL) {
            ctx->oom = 1;
            break;
        }
        t->title = ftx__strdup_ctx(ctx, src[i]->title);
        t->status = ftx__strdup_ctx(ctx, src[i]->status);
        t->message = ftx__strdup_ctx(ctx, src[i]->message);
        t->details = json_incref(src[i]->details);
        v[i] = t;
    }
    return v;
}

/* ---- the model ---- */

void ftx_destination_free(ftx_destination *d)
{
    if (d == NULL)
        return;
    ftx__free(d->id);
    ftx__free(d->group_id);
    ftx__free(d->service);
    ftx__free(d->region);
    ftx__free(d->time_zone_offset);
    ftx__free(d->setup_status);
    ftx__free(d->networking_method);
    ftx__free(d->private_link_id);
    ftx__free(d->hybrid_deployment_agent_id);
    ftx__free(d->proxy_agent_id);
    ftx__free(d->external_secrets_manager_id);
    json_decref(d->config);
    ftx__setup_tests_free(d->setup_tests, d->setup_test_count);
    json_decref(d->raw);
    ftx__free(d);
}

int ftx_destination_from_json(const json_t *json, ftx_destination **out, ftx_error *err)
{
    ftx__jctx ctx = {0};
    ftx_destination *d;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (json == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "json must not be NULL");
    if (!json_is_object(json))
        return ftx__error_set(err, FTX_ERR_DECODE, "destination is not a JSON object");
    if (!json_is_string(json_object_get(json, "id")))
        return ftx__error_set(err, FTX_ERR_DECODE, "destination has no string id");
    d = ftx__calloc(1, sizeof(*d));
    if (d == NULL)
        return ftx__error_nomem(err);
    d->id = ftx__jstr(&ctx, json, "id");
    d->group_id = ftx__jstr(&ctx, json, "group_id");
    d->service = ftx__jstr(&ctx, json, "service");
    d->region = ftx__jstr(&ctx, json, "region");
    d->time_zone_offset = ftx__jstr(&ctx, json, "time_zone_offset");
    d->setup_status = ftx__jstr(&ctx, json, "setup_status");
    d->daylight_saving_time_enabled = ftx__jbool(json, "daylight_saving_time_enabled", -1);
    d->networking_method = ftx__jstr(&ctx, json, "networking_method");
    d->private_link_id = ftx__jstr(&ctx, json, "private_link_id");
    d->hybrid_deployment_agent_id = ftx__jstr(&ctx, json, "hybrid_deployment_agent_id");
    if (d->hybrid_deployment_agent_id == NULL)
        d->hybrid_deployment_agent_id = ftx__jstr(&ctx, json, "local_processing_agent_id");
    d->proxy_agent_id = ftx__jstr(&ctx, json, "proxy_agent_id");
    d->external_secrets_manager_id = ftx__jstr(&ctx, json, "external_secrets_manager_id");
    d->config = ftx__jref(json, "config");
    d->setup_tests = ftx__setup_tests_parse(&ctx, json, &d->setup_test_count);
    d->raw = json_incref((json_t *)(uintptr_t)json);
    if (ctx.oom) {
        ftx_destination_free(d);
        return ftx__error_nomem(err);
    }
    *out = d;
    return FTX_OK;
}

ftx_destination *ftx_destination_dup(const ftx_destination *src)
{
    ftx__jctx ctx = {0};
    ftx_destination *d;

    if (src == NULL)
        return NULL;
    d = ftx__calloc(1, sizeof(*d));
    if (d == NULL)
        return NULL;
    d->id = ftx__strdup_ctx(&ctx, src->id);
    d->group_id = ftx__strdup_ctx(&ctx, src->group_id);
    d->service = ftx__strdup_ctx(&ctx, src->service);
    d->region = ftx__strdup_ctx(&ctx, src->region);
    d->time_zone_offset = ftx__strdup_ctx(&ctx, src->time_zone_offset);
    d->setup_status = ftx__strdup_ctx(&ctx, src->setup_status);
    d->daylight_saving_time_enabled = src->daylight_saving_time_enabled;
    d->networking_method = ftx__strdup_ctx(&ctx, src->networking_method);
    d->private_link_id = ftx__strdup_ctx(&ctx, src->private_link_id);
    d->hybrid_deployment_agent_id = ftx__strdup_ctx(&ctx, src->hybrid_deployment_agent_id);
    d->proxy_agent_id = ftx__strdup_ctx(&ctx, src->proxy_agent_id);
    d->external_secrets_manager_id = ftx__strdup_ctx(&ctx, src->external_secrets_manager_id);
    d->config = json_incref(src->config);
    d->setup_tests = setup_tests_dup(&ctx, src->setup_tests, src->setup_test_count);
    d->setup_test_count = d->setup_tests != NULL ? src->setup_test_count : 0;
    d->raw = json_incref(src->raw);
    if (ctx.oom) {
        ftx_destination_free(d);
        return NULL;
    }
    return d;
}

int ftx_destination_connected(const ftx_destination *d)
{
    return d != NULL && d->setup_status != NULL && strcasecmp(d->setup_status, "connected") == 0;
}

void ftx_destination_test_result_free(ftx_destination_test_result *r)
{
    if (r == NULL)
        return;
    ftx__free(r->setup_status);
    ftx__setup_tests_free(r->setup_tests, r->setup_test_count);
    json_decref(r->raw);
    ftx__free(r);
}

static int test_result_from_json(const json_t *json, ftx_destination_test_result **out,
                                 ftx_error *err)
{
    ftx__jctx ctx = {0};
    ftx_destination_test_result *r;

    if (!json_is_object(json))
        return ftx__error_set(err, FTX_ERR_DECODE, "setup test result is not a JSON object");
    r = ftx__calloc(1, sizeof(*r));
    if (r == NULL)
        return ftx__error_nomem(err);
    r->setup_status = ftx__jstr(&ctx, json, "setup_status");
    r->setup_tests = ftx__setup_tests_parse(&ctx, json, &r->setup_test_count);
    r->raw = json_incref((json_t *)(uintptr_t)json);
    if (ctx.oom) {
        ftx_destination_test_result_free(r);
        return ftx__error_nomem(err);
    }
    *out = r;
    return FTX_OK;
}

/* ---- pages and streams ---- */

static int parse_item(const json_t *item, void **out, ftx_error *err)
{
    ftx_destination *d = NULL;
    int rc = ftx_destination_from_json(item, &d, err);

    *out = d;
    return rc;
}

static void free_item(void *item)
{
    ftx_destination_free(item);
}

static const ftx__list_spec list_spec = {
    "/destinations", NULL, 1, parse_item, free_item, NULL, 0, 0, NULL};

FTX__TYPED_PAGE_FNS(destination_page, ftx_destination_page, ftx_destination, free_item)

void ftx_destination_page_free(ftx_destination_page *page)
{
    destination_page_free(page);
}

int ftx_destinations_list(ftx_client *client, const ftx_list_options *opts,
                          ftx_destination_page **out, ftx_error *err)
{
    ftx__page *gp = NULL;
    int rc = ftx__list_checked(client, &list_spec, opts, out != NULL ? &gp : NULL, err);

    if (out != NULL)
        *out = NULL;
    return rc != FTX_OK ? rc : destination_page_from(gp, out, err);
}

int ftx_destinations_stream(ftx_client *client, const ftx_list_options *opts,
                            ftx_destination_stream **out, ftx_error *err)
{
    return ftx__stream_checked(client, &list_spec, opts, (ftx__stream **)out, err);
}

int ftx_destination_stream_next(ftx_destination_stream *stream, const ftx_destination **out,
                                ftx_error *err)
{
    const void *item = NULL;
    int rc = ftx__stream_next_checked((ftx__stream *)stream, out != NULL ? &item : NULL, err);

    if (out != NULL)
        *out = item;
    return rc;
}

void ftx_destination_stream_free(ftx_destination_stream *stream)
{
    ftx__stream_free((ftx__stream *)stream);
}

/* ---- single-object calls ---- */

/* Perform `method` on `path` and parse the data object into a destination. */
static int call_destination(ftx_client *client, const char *method, const char *path,
                            const json_t *body, int creates, ftx_destination **out, ftx_error *err)
{
    ftx__request req = {method, path, body, 1, creates, 0};
    json_t *data = NULL;
    int rc;

    rc = ftx__call_data(client, &req, &data, err);
    if (rc == FTX_OK)
        rc = ftx_destination_from_json(data, out, err);
    json_decref(data);
    return rc;
}

int ftx_destinations_get(ftx_client *client, const char *destination_id, ftx_destination **out,
                         ftx_error *err)
{
    char *path = NULL;
    int rc;

    if ((rc = ftx__check_out_client(client, out, err)) != FTX_OK)
        return rc;
    *out = NULL;
    if ((rc = ftx__path(&path, err, "/destinations/{destination_id}", destination_id)) != FTX_OK)
        return rc;
    rc = call_destination(client, "GET", path, NULL, 0, out, err);
    ftx__free(path);
    return rc;
}

/* A required, non-empty string field of `params`. */
static int require_string(const json_t *params, const char *key, ftx_error *err)
{
    const json_t *v = json_object_get(params, key);

    if (v == NULL || json_is_null(v))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "%s is required", key);
    if (!json_is_string(v) || json_string_length(v) == 0)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "%s must be a non-empty string", key);
    return FTX_OK;
}

static int check_time_zone_offset(const json_t *v, ftx_error *err)
{
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
        !ftx_destination_time_zone_offset_valid(json_string_value(v)))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "time_zone_offset must be a string from \"-11\" to \"+12\" "
                              "(\"-5\", \"0\", \"+1\", ...)");
    return FTX_OK;
}

/* Checks shared by create and update on the optional fields. */
static int check_optional(const json_t *params, ftx_error *err)
{
    const json_t *v;

    v = json_object_get(params, "time_zone_offset");
    if (v != NULL && check_time_zone_offset(v, err) != FTX_OK)
        return FTX_ERR_INVALID_ARGUMENT;
    v = json_object_get(params, "region");
    if (v != NULL && !json_is_string(v))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "region must be a string");
    v = json_object_get(params, "config");
    if (v != NULL && !json_is_object(v))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "config must be a JSON object");
    return FTX_OK;
}

int ftx_destinations_create(ftx_client *client, const json_t *params, ftx_destination **out,
                            ftx_error *err)
{
    int rc;

    if ((rc = ftx__check_out_client(client, out, err)) != FTX_OK)
        return rc;
    *out = NULL;
    if (!json_is_object(params))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "params must be a JSON object");
    if ((rc = require_string(params, "group_id", err)) != FTX_OK ||
        (rc = require_string(params, "service", err)) != FTX_OK)
        return rc;
    if (json_object_get(params, "time_zone_offset") == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "time_zone_offset is required (e.g. \"-5\", \"0\", \"+1\")");
    if ((rc = check_optional(params, err)) != FTX_OK)
        return rc;
    return call_destination(client, "POST", "/destinations", params, 1, out, err);
}

int ftx_destinations_update(ftx_client *client, const char *destination_id, const json_t *params,
                            ftx_destination **out, ftx_error *err)
{
    char *path = NULL;
    int rc;

    if ((rc = ftx__check_out_client(client, out, err)) != FTX_OK)
        return rc;
    *out = NULL;
    if (!json_is_object(params))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "params must be a JSON object");
    if ((rc = check_optional(params, err)) != FTX_OK)
        return rc;
    if ((rc = ftx__path(&path, err, "/destinations/{destination_id}", destination_id)) != FTX_OK)
        return rc;
    rc = call_destination(client, "PATCH", path, params, 0, out, err);
    ftx__free(path);
    return rc;
}

int ftx_destinations_delete(ftx_client *client, const char *destination_id, ftx_error *err)
{
    return ftx__delete(client, "/destinations/{destination_id}", destination_id, 1, err);
}

int ftx_destinations_test(ftx_client *client, const char *destination_id,
                          const ftx_destination_test_options *opts,
                          ftx_destination_test_result **out, ftx_error *err)
{
    ftx__request req = {"POST", NULL, NULL, 1, 0, 0};
    ftx_destination_test_options o;
    json_t *body = NULL, *data = NULL;
    char *path = NULL;
    int rc;

    if ((rc = ftx__check_out_client(client, out, err)) != FTX_OK)
        return rc;
    *out = NULL;
    if ((rc = FTX__OPTIONS_LOAD(ftx_destination_test_options, &o, opts, err)) != FTX_OK)
        return rc;
    if ((rc = ftx__path(&path, err, "/destinations/{destination_id}/test", destination_id)) !=
        FTX_OK)
        return rc;
    body = json_object();
    if (body == NULL ||
        (o.trust_certificates &&
         json_object_set_new(body, "trust_certificates", json_true()) != 0) ||
        (o.trust_fingerprints &&
         json_object_set_new(body, "trust_fingerprints", json_true()) != 0)) {
        rc = ftx__error_nomem(err);
        goto done;
    }
    req.path = path;
    req.body = body;
    rc = ftx__call_data(client, &req, &data, err);
    if (rc == FTX_OK)
        rc = test_result_from_json(data, out, err);
done:
    json_decref(data);
    json_decref(body);
    ftx__free(path);
    return rc;
}
