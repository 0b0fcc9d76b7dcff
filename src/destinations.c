/*
 * Destinations: GET/POST /destinations, GET/PATCH/DELETE /destinations/{id},
 * POST /destinations/{id}/test. Every call sends Accept: application/json;version=2
 * (the spec's default for Destination Management, fivetran-api.md 1.3).
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "gen.h"

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

/* ---- the models ---- */

static const ftx__field setup_test_fields[] = {
    {"title", FTX__F_STRING, 0, offsetof(ftx_destination_setup_test, title), 0, NULL},
    {"status", FTX__F_STRING, 0, offsetof(ftx_destination_setup_test, status), 0, NULL},
    {"message", FTX__F_STRING, 0, offsetof(ftx_destination_setup_test, message), 0, NULL},
    {"details", FTX__F_JSON, FTX__FF_OWNED, offsetof(ftx_destination_setup_test, details), 0, NULL},
};

static const ftx__model setup_test_model = {
    .name = "setup test",
    .size = sizeof(ftx_destination_setup_test),
    .raw_offset = FTX__NO_RAW,
    .fields = setup_test_fields,
    .nfields = sizeof(setup_test_fields) / sizeof(setup_test_fields[0]),
};

/* `setup_tests` of a destination, a connector or a setup test result. */
#define SETUP_TESTS(type)                                                                          \
    {                                                                                              \
        "setup_tests", FTX__F_MODELS, FTX__FF_EMPTY_NULL, offsetof(type, setup_tests),             \
            offsetof(type, setup_test_count), &setup_test_model                                    \
    }

static const ftx__field setup_tests_field = SETUP_TESTS(ftx_destination);

ftx_destination_setup_test **ftx__setup_tests_parse(ftx__jctx *ctx, const json_t *obj,
                                                    size_t *count)
{
    return (ftx_destination_setup_test **)ftx__models_decode(
        ctx, &setup_tests_field, json_object_get(obj, "setup_tests"), count);
}

void ftx__setup_tests_free(ftx_destination_setup_test **v, size_t n)
{
    (void)n; /* NULL-terminated */
    ftx__models_free(&setup_test_model, (void **)v);
}

static const ftx__field destination_fields[] = {
    {"id", FTX__F_STRING, FTX__FF_REQUIRED, offsetof(ftx_destination, id), 0, NULL},
    {"group_id", FTX__F_STRING, 0, offsetof(ftx_destination, group_id), 0, NULL},
    {"service", FTX__F_STRING, 0, offsetof(ftx_destination, service), 0, NULL},
    {"region", FTX__F_STRING, 0, offsetof(ftx_destination, region), 0, NULL},
    {"time_zone_offset", FTX__F_STRING, 0, offsetof(ftx_destination, time_zone_offset), 0, NULL},
    {"setup_status", FTX__F_STRING, 0, offsetof(ftx_destination, setup_status), 0, NULL},
    {"daylight_saving_time_enabled", FTX__F_BOOL, FTX__FF_TRISTATE,
     offsetof(ftx_destination, daylight_saving_time_enabled), 0, NULL},
    {"networking_method", FTX__F_STRING, 0, offsetof(ftx_destination, networking_method), 0, NULL},
    {"private_link_id", FTX__F_STRING, 0, offsetof(ftx_destination, private_link_id), 0, NULL},
    {"hybrid_deployment_agent_id", FTX__F_STRING, 0,
     offsetof(ftx_destination, hybrid_deployment_agent_id), 0, NULL},
    {"local_processing_agent_id", FTX__F_STRING, FTX__FF_ALIAS,
     offsetof(ftx_destination, hybrid_deployment_agent_id), 0, NULL},
    {"proxy_agent_id", FTX__F_STRING, 0, offsetof(ftx_destination, proxy_agent_id), 0, NULL},
    {"external_secrets_manager_id", FTX__F_STRING, 0,
     offsetof(ftx_destination, external_secrets_manager_id), 0, NULL},
    {"config", FTX__F_JSON, FTX__FF_OWNED, offsetof(ftx_destination, config), 0, NULL},
    SETUP_TESTS(ftx_destination),
};

static const ftx__model destination_model = {
    .name = "destination",
    .size = sizeof(ftx_destination),
    .raw_offset = offsetof(ftx_destination, raw),
    .fields = destination_fields,
    .nfields = sizeof(destination_fields) / sizeof(destination_fields[0]),
};

static const ftx__field test_result_fields[] = {
    {"setup_status", FTX__F_STRING, 0, offsetof(ftx_destination_test_result, setup_status), 0,
     NULL},
    SETUP_TESTS(ftx_destination_test_result),
};

static const ftx__model test_result_model = {
    .name = "setup test result",
    .size = sizeof(ftx_destination_test_result),
    .raw_offset = offsetof(ftx_destination_test_result, raw),
    .fields = test_result_fields,
    .nfields = sizeof(test_result_fields) / sizeof(test_result_fields[0]),
};

void ftx_destination_free(ftx_destination *d)
{
    ftx__model_free(&destination_model, d);
}

int ftx_destination_from_json(const json_t *json, ftx_destination **out, ftx_error *err)
{
    void *obj = NULL;
    int rc;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (json == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "json must not be NULL");
    rc = ftx__model_decode(&destination_model, json, &obj, err);
    *out = obj;
    return rc;
}

ftx_destination *ftx_destination_dup(const ftx_destination *src)
{
    return ftx__model_dup(&destination_model, src);
}

int ftx_destination_connected(const ftx_destination *d)
{
    return d != NULL && d->setup_status != NULL && strcasecmp(d->setup_status, "connected") == 0;
}

void ftx_destination_test_result_free(ftx_destination_test_result *r)
{
    ftx__model_free(&test_result_model, r);
}

static int test_result_from_json(const json_t *json, ftx_destination_test_result **out,
                                 ftx_error *err)
{
    void *obj = NULL;
    int rc = ftx__model_decode(&test_result_model, json, &obj, err);

    *out = obj;
    return rc;
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
