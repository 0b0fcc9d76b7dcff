/*
 * Webhooks management: GET /webhooks, POST /webhooks/account,
 * POST /webhooks/group/{group_id}, GET/PATCH/DELETE /webhooks/{id},
 * POST /webhooks/{id}/test. Accept: application/json (the spec's default here).
 */
#include <string.h>
#include <strings.h>

#include "internal.h"

/* ---- the model ---- */

void ftx_webhook_free(ftx_webhook *w)
{
    if (w == NULL)
        return;
    ftx__free(w->id);
    ftx__free(w->type);
    ftx__free(w->group_id);
    ftx__free(w->url);
    ftx__strv_free(w->events);
    ftx__free_secret(w->secret);
    ftx__time_dispose(&w->created_at);
    ftx__free(w->created_by);
    json_decref(w->raw);
    ftx__free(w);
}

int ftx_webhook_from_json(const json_t *json, ftx_webhook **out, ftx_error *err)
{
    ftx__jctx ctx = {0};
    ftx_webhook *w;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (json == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "json must not be NULL");
    if (!json_is_object(json))
        return ftx__error_set(err, FTX_ERR_DECODE, "webhook is not a JSON object");
    if (!json_is_string(json_object_get(json, "id")))
        return ftx__error_set(err, FTX_ERR_DECODE, "webhook has no string id");
    w = ftx__calloc(1, sizeof(*w));
    if (w == NULL)
        return ftx__error_nomem(err);
    w->id = ftx__jstr(&ctx, json, "id");
    w->type = ftx__jstr(&ctx, json, "type");
    w->group_id = ftx__jstr(&ctx, json, "group_id");
    w->url = ftx__jstr(&ctx, json, "url");
    w->events = ftx__jstrv(&ctx, json, "events", &w->event_count);
    w->active = ftx__jbool(json, "active", 0);
    w->secret = ftx__jstr(&ctx, json, "secret");
    ftx__jtime(&ctx, json, "created_at", &w->created_at);
    w->created_by = ftx__jstr(&ctx, json, "created_by");
    w->raw = json_incref((json_t *)(uintptr_t)json);
    if (ctx.oom) {
        ftx_webhook_free(w);
        return ftx__error_nomem(err);
    }
    *out = w;
    return FTX_OK;
}

ftx_webhook *ftx_webhook_dup(const ftx_webhook *src)
{
    ftx__jctx ctx = {0};
    ftx_webhook *w;

    if (src == NULL)
        return NULL;
    w = ftx__calloc(1, sizeof(*w));
    if (w == NULL)
        return NULL;
    w->id = ftx__strdup_ctx(&ctx, src->id);
    w->type = ftx__strdup_ctx(&ctx, src->type);
    w->group_id = ftx__strdup_ctx(&ctx, src->group_id);
    w->url = ftx__strdup_ctx(&ctx, src->url);
    w->events = ftx__strv_dup(&ctx, src->events, src->event_count);
    w->event_count = w->events != NULL ? src->event_count : 0;
    w->active = src->active;
    w->secret = ftx__strdup_ctx(&ctx, src->secret);
    ftx__time_dup(&ctx, &w->created_at, &src->created_at);
    w->created_by = ftx__strdup_ctx(&ctx, src->created_by);
    w->raw = json_incref(src->raw);
    if (ctx.oom) {
        ftx_webhook_free(w);
        return NULL;
    }
    return w;
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
