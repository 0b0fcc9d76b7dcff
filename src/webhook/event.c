/*
 * Webhook payloads (Fivetrex.Models.WebhookEvent).
 */
#include <string.h>

#include "internal.h"

/* Top-level fields with a typed home; everything else goes to `extra`. */
static const char *const NAMED_FIELDS[] = {
    "event",          "created",       "connector_id",         "connector_type",
    "connector_name", "connection_id", "connection_type",      "connection_name",
    "sync_id",        "group_id",      "destination_group_id", "status",
    "data",
};

static int is_named(const char *key)
{
    for (size_t i = 0; i < sizeof(NAMED_FIELDS) / sizeof(NAMED_FIELDS[0]); i++)
        if (strcmp(key, NAMED_FIELDS[i]) == 0)
            return 1;
    return 0;
}

/* `preferred` when it holds a non-empty value, else `fallback`. */
static char *jstr_pref(ftx__jctx *ctx, const json_t *obj, const char *preferred,
                       const char *fallback)
{
    char *s = ftx__jstr(ctx, obj, preferred);

    if (s != NULL && s[0] != '\0')
        return s;
    ftx__free(s);
    return ftx__jstr(ctx, obj, fallback);
}

void ftx_webhook_event_free(ftx_webhook_event *ev)
{
    if (ev == NULL)
        return;
    ftx__free(ev->event);
    ftx__time_dispose(&ev->created);
    ftx__free(ev->connector_id);
    ftx__free(ev->connector_type);
    ftx__free(ev->connector_name);
    ftx__free(ev->sync_id);
    ftx__free(ev->group_id);
    ftx__free(ev->destination_group_id);
    ftx__free(ev->status);
    json_decref(ev->data);
    json_decref(ev->extra);
    json_decref(ev->raw);
    ftx__free(ev);
}

int ftx_webhook_event_from_json(const json_t *json, ftx_webhook_event **out, ftx_error *err)
{
    ftx__jctx ctx = {0};
    ftx_webhook_event *ev;
    const char *key;
    json_t *value;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (!json_is_object(json))
        return ftx__error_set(err, FTX_ERR_DECODE, "webhook payload is not a JSON object");
    if ((ev = ftx__calloc(1, sizeof(*ev))) == NULL)
        return ftx__error_nomem(err);

    ev->event = ftx__jstr(&ctx, json, "event");
    ftx__jtime(&ctx, json, "created", &ev->created);
    ev->connector_id = jstr_pref(&ctx, json, "connection_id", "connector_id");
    ev->connector_type = jstr_pref(&ctx, json, "connection_type", "connector_type");
    ev->connector_name = jstr_pref(&ctx, json, "connection_name", "connector_name");
    ev->sync_id = ftx__jstr(&ctx, json, "sync_id");
    ev->group_id = ftx__jstr(&ctx, json, "group_id");
    ev->destination_group_id = jstr_pref(&ctx, json, "destination_group_id", "group_id");

    value = json_object_get(json, "data");
    if (value != NULL && !json_is_null(value))
        ev->data = json_incref(value);
    ev->status = ftx__jstr(&ctx, json, "status");
    if (ev->status == NULL && json_is_object(ev->data))
        ev->status = ftx__jstr(&ctx, ev->data, "status");

    if ((ev->extra = json_object()) == NULL)
        ctx.oom = 1;
    else {
        json_object_foreach((json_t *)json, key, value)
        {
            if (!is_named(key) && json_object_set(ev->extra, key, value) != 0) {
                ctx.oom = 1;
                break;
            }
        }
    }
    ev->raw = json_incref((json_t *)json);

    if (ctx.oom) {
        ftx_webhook_event_free(ev);
        return ftx__error_nomem(err);
    }
    *out = ev;
    return FTX_OK;
}

int ftx_webhook_event_parse(const void *body, size_t len, ftx_webhook_event **out, ftx_error *err)
{
    json_error_t jerr;
    json_t *json;
    int rc;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (body == NULL && len > 0)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "body is NULL but len is %zu", len);
    if (len == 0)
        return ftx__error_set(err, FTX_ERR_DECODE, "webhook payload is empty");
    json = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (json == NULL)
        return ftx__error_set(err, FTX_ERR_DECODE,
                              "webhook payload is not valid JSON (line %d, column %d): %.200s",
                              jerr.line, jerr.column, jerr.text);
    rc = ftx_webhook_event_from_json(json, out, err);
    json_decref(json);
    return rc;
}

ftx_webhook_event *ftx_webhook_event_dup(const ftx_webhook_event *ev)
{
    ftx__jctx ctx = {0};
    ftx_webhook_event *d;

    if (ev == NULL || (d = ftx__calloc(1, sizeof(*d))) == NULL)
        return NULL;
    d->event = ftx__strdup_ctx(&ctx, ev->event);
    ftx__time_dup(&ctx, &d->created, &ev->created);
    d->connector_id = ftx__strdup_ctx(&ctx, ev->connector_id);
    d->connector_type = ftx__strdup_ctx(&ctx, ev->connector_type);
    d->connector_name = ftx__strdup_ctx(&ctx, ev->connector_name);
    d->sync_id = ftx__strdup_ctx(&ctx, ev->sync_id);
    d->group_id = ftx__strdup_ctx(&ctx, ev->group_id);
    d->destination_group_id = ftx__strdup_ctx(&ctx, ev->destination_group_id);
    d->status = ftx__strdup_ctx(&ctx, ev->status);
    /* The JSON values are immutable once parsed, so sharing references is a copy. */
    d->data = json_incref(ev->data);
    d->extra = json_incref(ev->extra);
    d->raw = json_incref(ev->raw);
    if (ctx.oom) {
        ftx_webhook_event_free(d);
        return NULL;
    }
    return d;
}

static int str_is(const char *s, const char *want)
{
    return s != NULL && strcmp(s, want) == 0;
}

int ftx_webhook_event_sync_start(const ftx_webhook_event *ev)
{
    return ev != NULL && str_is(ev->event, "sync_start");
}

int ftx_webhook_event_sync_end(const ftx_webhook_event *ev)
{
    return ev != NULL && str_is(ev->event, "sync_end");
}

int ftx_webhook_event_successful(const ftx_webhook_event *ev)
{
    return ev != NULL && str_is(ev->status, "SUCCESSFUL");
}

int ftx_webhook_event_failed(const ftx_webhook_event *ev)
{
    if (ev == NULL || ev->status == NULL || ev->status[0] == '\0')
        return 0;
    if (str_is(ev->status, "FAILED") || str_is(ev->status, "FAILURE") ||
        str_is(ev->status, "FAILURE_WITH_TASK"))
        return 1;
    return ftx_webhook_event_sync_end(ev) && !str_is(ev->status, "SUCCESSFUL") &&
           !str_is(ev->status, "RESCHEDULED");
}
