/*
 * Webhooks management: GET /webhooks, POST /webhooks/account,
 * POST /webhooks/group/{group_id}, GET/PATCH/DELETE /webhooks/{id},
 * POST /webhooks/{id}/test. Accept: application/json (the spec's default here).
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "gen.h"

/* ---- the model ---- */

static const ftx__field webhook_fields[] = {
    {"id", FTX__F_STRING, FTX__FF_REQUIRED, offsetof(ftx_webhook, id), 0, NULL},
    {"type", FTX__F_STRING, 0, offsetof(ftx_webhook, type), 0, NULL},
    {"group_id", FTX__F_STRING, 0, offsetof(ftx_webhook, group_id), 0, NULL},
    {"url", FTX__F_STRING, 0, offsetof(ftx_webhook, url), 0, NULL},
    {"events", FTX__F_STRINGS, 0, offsetof(ftx_webhook, events), offsetof(ftx_webhook, event_count),
     NULL},
    {"active", FTX__F_BOOL, 0, offsetof(ftx_webhook, active), 0, NULL},
    {"secret", FTX__F_STRING, FTX__FF_SECRET, offsetof(ftx_webhook, secret), 0, NULL},
    {"created_at", FTX__F_TIME, 0, offsetof(ftx_webhook, created_at), 0, NULL},
    {"created_by", FTX__F_STRING, 0, offsetof(ftx_webhook, created_by), 0, NULL},
};

static const ftx__model webhook_model = {
    .name = "webhook",
    .size = sizeof(ftx_webhook),
    .raw_offset = offsetof(ftx_webhook, raw),
    .fields = webhook_fields,
    .nfields = sizeof(webhook_fields) / sizeof(webhook_fields[0]),
};

void ftx_webhook_free(ftx_webhook *w)
{
    ftx__model_free(&webhook_model, w);
}

int ftx_webhook_from_json(const json_t *json, ftx_webhook **out, ftx_error *err)
{
    void *obj = NULL;
    int rc;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (json == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "json must not be NULL");
    rc = ftx__model_decode(&webhook_model, json, &obj, err);
    *out = obj;
    return rc;
}

ftx_webhook *ftx_webhook_dup(const ftx_webhook *src)
{
    return ftx__model_dup(&webhook_model, src);
}

int ftx_webhook_account_level(const ftx_webhook *w)
{
    return w != NULL && w->type != NULL && strcasecmp(w->type, "account") == 0;
}

int ftx_webhook_group_level(const ftx_webhook *w)
{
    return w != NULL && w->type != NULL && strcasecmp(w->type, "group") == 0;
}

int ftx_webhook_has_event(const ftx_webhook *w, const char *event)
{
    size_t i;

    if (w == NULL || event == NULL || w->events == NULL)
        return 0;
    for (i = 0; i < w->event_count; i++)
        if (w->events[i] != NULL && strcmp(w->events[i], event) == 0)
            return 1;
    return 0;
}

void ftx_webhook_test_result_free(ftx_webhook_test_result *r)
{
    if (r == NULL)
        return;
    ftx__free(r->message);
    json_decref(r->raw);
    ftx__free(r);
}

static int test_result_from_json(const json_t *json, ftx_webhook_test_result **out, ftx_error *err)
{
    ftx__jctx ctx = {0};
    ftx_webhook_test_result *r;
    long long status;

    if (!json_is_object(json))
        return ftx__error_set(err, FTX_ERR_DECODE, "webhook test result is not a JSON object");
    r = ftx__calloc(1, sizeof(*r));
    if (r == NULL)
        return ftx__error_nomem(err);
    r->succeed = ftx__jbool(json, "succeed", 0);
    status = ftx__jint(json, "status", 0);
    r->status = status >= 0 && status <= 999 ? (int)status : 0;
    r->message = ftx__jstr(&ctx, json, "message");
    r->raw = json_incref((json_t *)(uintptr_t)json);
    if (ctx.oom) {
        ftx_webhook_test_result_free(r);
        return ftx__error_nomem(err);
    }
    *out = r;
    return FTX_OK;
}

/* ---- pages and streams ---- */

static int parse_item(const json_t *item, void **out, ftx_error *err)
{
    ftx_webhook *w = NULL;
    int rc = ftx_webhook_from_json(item, &w, err);

    *out = w;
    return rc;
}

static void free_item(void *item)
{
    ftx_webhook_free(item);
}

static const ftx__list_spec list_spec = {"/webhooks", NULL, 0, parse_item, free_item,
                                         NULL,        0,    0, NULL};

FTX__TYPED_PAGE_FNS(webhook_page, ftx_webhook_page, ftx_webhook, free_item)

void ftx_webhook_page_free(ftx_webhook_page *page)
{
    webhook_page_free(page);
}

int ftx_webhooks_list(ftx_client *client, const ftx_list_options *opts, ftx_webhook_page **out,
                      ftx_error *err)
{
    ftx__page *gp = NULL;
    int rc = ftx__list_checked(client, &list_spec, opts, out != NULL ? &gp : NULL, err);

    if (out != NULL)
        *out = NULL;
    return rc != FTX_OK ? rc : webhook_page_from(gp, out, err);
}

int ftx_webhooks_stream(ftx_client *client, const ftx_list_options *opts, ftx_webhook_stream **out,
                        ftx_error *err)
{
    return ftx__stream_checked(client, &list_spec, opts, (ftx__stream **)out, err);
}

int ftx_webhook_stream_next(ftx_webhook_stream *stream, const ftx_webhook **out, ftx_error *err)
{
    const void *item = NULL;
    int rc = ftx__stream_next_checked((ftx__stream *)stream, out != NULL ? &item : NULL, err);

    if (out != NULL)
        *out = item;
    return rc;
}

void ftx_webhook_stream_free(ftx_webhook_stream *stream)
{
    ftx__stream_free((ftx__stream *)stream);
}

/* ---- single-object calls ---- */

static int call_webhook(ftx_client *client, const char *method, const char *path,
                        const json_t *body, int creates, ftx_webhook **out, ftx_error *err)
{
    ftx__request req = {method, path, body, 0, creates, 0};
    json_t *data = NULL;
    int rc;

    rc = ftx__call_data(client, &req, &data, err);
    if (rc == FTX_OK)
        rc = ftx_webhook_from_json(data, out, err);
    json_decref(data);
    return rc;
}

/*
 * Check `url` and `events` of a create/update body. `required`: both must be present.
 */
static int check_params(const json_t *params, int required, ftx_error *err)
{
    const json_t *url, *events;
    size_t i;

    if (!json_is_object(params))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "params must be a JSON object");
    url = json_object_get(params, "url");
    if (url == NULL && required)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "url is required");
    if (url != NULL && (!json_is_string(url) || json_string_length(url) == 0))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "url must be a non-empty string");
    events = json_object_get(params, "events");
    if (events == NULL && required)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "events is required (e.g. [\"sync_start\", \"sync_end\"])");
    if (events == NULL)
        return FTX_OK;
    if (!json_is_array(events) || json_array_size(events) == 0)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "events must be a non-empty array of event names");
    for (i = 0; i < json_array_size(events); i++) {
        const json_t *e = json_array_get(events, i);

        if (!json_is_string(e) || json_string_length(e) == 0)
            return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                                  "events[%zu] must be a non-empty string", i);
    }
    return FTX_OK;
}

int ftx_webhooks_get(ftx_client *client, const char *webhook_id, ftx_webhook **out, ftx_error *err)
{
    char *path = NULL;
    int rc;

    if ((rc = ftx__check_out_client(client, out, err)) != FTX_OK)
        return rc;
    *out = NULL;
    if ((rc = ftx__path(&path, err, "/webhooks/{webhook_id}", webhook_id)) != FTX_OK)
        return rc;
    rc = call_webhook(client, "GET", path, NULL, 0, out, err);
    ftx__free(path);
    return rc;
}

int ftx_webhooks_create_account(ftx_client *client, const json_t *params, ftx_webhook **out,
                                ftx_error *err)
{
    int rc;

    if ((rc = ftx__check_out_client(client, out, err)) != FTX_OK)
        return rc;
    *out = NULL;
    if ((rc = check_params(params, 1, err)) != FTX_OK)
        return rc;
    return call_webhook(client, "POST", "/webhooks/account", params, 1, out, err);
}

int ftx_webhooks_create_group(ftx_client *client, const char *group_id, const json_t *params,
                              ftx_webhook **out, ftx_error *err)
{
    char *path = NULL;
    int rc;

    if ((rc = ftx__check_out_client(client, out, err)) != FTX_OK)
        return rc;
    *out = NULL;
    if ((rc = check_params(params, 1, err)) != FTX_OK)
        return rc;
    if ((rc = ftx__path(&path, err, "/webhooks/group/{group_id}", group_id)) != FTX_OK)
        return rc;
    rc = call_webhook(client, "POST", path, params, 1, out, err);
    ftx__free(path);
    return rc;
}

int ftx_webhooks_update(ftx_client *client, const char *webhook_id, const json_t *params,
                        ftx_webhook **out, ftx_error *err)
{
    char *path = NULL;
    int rc;

    if ((rc = ftx__check_out_client(client, out, err)) != FTX_OK)
        return rc;
    *out = NULL;
    if ((rc = check_params(params, 0, err)) != FTX_OK)
        return rc;
    if ((rc = ftx__path(&path, err, "/webhooks/{webhook_id}", webhook_id)) != FTX_OK)
        return rc;
    rc = call_webhook(client, "PATCH", path, params, 0, out, err);
    ftx__free(path);
    return rc;
}

int ftx_webhooks_delete(ftx_client *client, const char *webhook_id, ftx_error *err)
{
    return ftx__delete(client, "/webhooks/{webhook_id}", webhook_id, 0, err);
}

int ftx_webhooks_test(ftx_client *client, const char *webhook_id, const char *event,
                      ftx_webhook_test_result **out, ftx_error *err)
{
    ftx__request req = {"POST", NULL, NULL, 0, 0, 0};
    json_t *body = NULL, *data = NULL;
    char *path = NULL;
    int rc;

    if ((rc = ftx__check_out_client(client, out, err)) != FTX_OK)
        return rc;
    *out = NULL;
    if (event == NULL)
        event = FTX_WEBHOOK_TEST_DEFAULT_EVENT;
    if (event[0] == '\0')
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "event must not be empty (NULL sends \"sync_start\")");
    if ((rc = ftx__path(&path, err, "/webhooks/{webhook_id}/test", webhook_id)) != FTX_OK)
        return rc;
    body = json_pack("{s:s}", "event", event);
    if (body == NULL) {
        /* json_pack fails on invalid UTF-8 as well as on OOM. */
        rc = ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "event must be valid UTF-8");
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
