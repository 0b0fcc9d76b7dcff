/**
 * @file fivetrex/webhooks.h
 * @brief Webhooks management API: list, stream, get, create (account or group), update,
 * delete, test.
 *
 * This is the side that registers webhooks with Fivetran. Receiving and verifying the
 * deliveries is in fivetrex/webhook.h. Every call sends `Accept: application/json`.
 *
 * Thread note: every call may be made concurrently on a shared client.
 */
#ifndef FIVETREX_WEBHOOKS_H
#define FIVETREX_WEBHOOKS_H

#include <jansson.h>

#include "client.h"
#include "stream.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief A webhook registration (Fivetrex.Models.Webhook). Library-allocated, read-only.
 * Absent strings are NULL. Fields are only ever appended.
 */
typedef struct ftx_webhook {
    char *id;
    /** "account" or "group". */
    char *type;
    /** Group id of a group webhook; NULL for account webhooks. */
    char *group_id;
    /** Endpoint the events are POSTed to. */
    char *url;
    /** Subscribed event names (NULL-terminated too), `event_count` entries. */
    char **events;
    size_t event_count;
    /** 1 when Fivetran delivers events, else 0. */
    int active;
    /** The secret as returned: masked ("******") by the API; NULL when none. */
    char *secret;
    /** Creation time as sent and parsed. */
    ftx_time created_at;
    /** Id of the user who created it. */
    char *created_by;
    /** The whole object as received (borrowed; json_incref to keep). */
    json_t *raw;
} ftx_webhook;

/** @brief One page of webhooks. */
typedef struct ftx_webhook_page {
    ftx_webhook **items;
    size_t count;
    /** Cursor of the next page, NULL on the last page. */
    char *next_cursor;
} ftx_webhook_page;

/** @brief A lazy stream over every webhook. Opaque. */
typedef struct ftx_webhook_stream ftx_webhook_stream;

/**
 * @brief Result of ftx_webhooks_test(). Library-allocated, read-only; free with
 * ftx_webhook_test_result_free().
 */
typedef struct ftx_webhook_test_result {
    /** 1 when the endpoint accepted the test event. */
    int succeed;
    /** HTTP status the endpoint answered with (0 when absent). */
    int status;
    /** Fivetran's description, NULL when absent. */
    char *message;
    /** The whole `data` object as received. Borrowed. */
    json_t *raw;
} ftx_webhook_test_result;

/** @brief The event ftx_webhooks_test() sends when the caller passes NULL. */
#define FTX_WEBHOOK_TEST_DEFAULT_EVENT "sync_start"

/** @brief Free a webhook (its secret is wiped first). NULL-safe. @since 0.1 */
FTX_EXTERN void ftx_webhook_free(ftx_webhook *webhook);

/**
 * @brief Deep copy of a webhook.
 * @return the copy (free with ftx_webhook_free()), NULL when out of memory or
 *         `webhook` is NULL.
 * @since 0.1
 */
FTX_EXTERN ftx_webhook *ftx_webhook_dup(const ftx_webhook *webhook);

/**
 * @brief Build a webhook from a JSON object (the `data` of a response).
 * @param json the object; borrowed.
 * @param[out] out the webhook; free with ftx_webhook_free().
 * @param err optional error detail.
 * @return FTX_OK; FTX_ERR_INVALID_ARGUMENT when `json` or `out` is NULL;
 *         FTX_ERR_DECODE when `json` is not an object or has no string `id`;
 *         FTX_ERR_NOMEM.
 * @since 0.1
 */
FTX_EXTERN int ftx_webhook_from_json(const json_t *json, ftx_webhook **out, ftx_error *err);

/**
 * @brief Whether the webhook is account-level (`type` is "account", any case).
 * @return 1 or 0 (0 for NULL).
 * @since 0.1
 */
FTX_EXTERN int ftx_webhook_account_level(const ftx_webhook *webhook);

/**
 * @brief Whether the webhook is group-level (`type` is "group", any case).
 * @return 1 or 0 (0 for NULL).
 * @since 0.1
 */
FTX_EXTERN int ftx_webhook_group_level(const ftx_webhook *webhook);

/**
 * @brief Whether the webhook subscribes to `event` (exact name, e.g. "sync_end").
 * @return 1 or 0 (0 for NULL arguments).
 * @since 0.1
 */
FTX_EXTERN int ftx_webhook_has_event(const ftx_webhook *webhook, const char *event);

/** @brief Free a page and its items. NULL-safe. @since 0.1 */
FTX_EXTERN void ftx_webhook_page_free(ftx_webhook_page *page);

/** @brief Free a test result. NULL-safe. @since 0.1 */
FTX_EXTERN void ftx_webhook_test_result_free(ftx_webhook_test_result *result);

/**
 * @brief List one page of webhooks: GET /webhooks.
 * @param client the client.
 * @param opts cursor and limit; NULL for the first page with the API's default size.
 *        The list declares no filters: any filter is FTX_ERR_INVALID_ARGUMENT.
 * @param[out] out the page; free with ftx_webhook_page_free().
 * @param err optional error detail.
 * @return FTX_OK or a negative ftx_error_type.
 * @since 0.1
 */
FTX_EXTERN int ftx_webhooks_list(ftx_client *client, const ftx_list_options *opts,
                                 ftx_webhook_page **out, ftx_error *err);

/**
 * @brief Stream every webhook, page by page. No request is made until the first
 * ftx_webhook_stream_next().
 * @param client the client (must outlive the stream).
 * @param opts page size, starting cursor, prefetch; NULL for defaults.
 * @param[out] out the stream; free with ftx_webhook_stream_free().
 * @param err optional error detail.
 * @return FTX_OK, FTX_ERR_INVALID_ARGUMENT or FTX_ERR_NOMEM.
 * @since 0.1
 */
FTX_EXTERN int ftx_webhooks_stream(ftx_client *client, const ftx_list_options *opts,
                                   ftx_webhook_stream **out, ftx_error *err);

/**
 * @brief Next webhook. `*out` is NULL at the end; it is borrowed until the next call or
 * ftx_webhook_stream_free() (ftx_webhook_dup() keeps it).
 * @return FTX_OK or the error of the page request (the stream stays where it was).
 * @since 0.1
 */
FTX_EXTERN int ftx_webhook_stream_next(ftx_webhook_stream *stream, const ftx_webhook **out,
                                       ftx_error *err);

/** @brief Free a stream; no further request is made. NULL-safe. @since 0.1 */
FTX_EXTERN void ftx_webhook_stream_free(ftx_webhook_stream *stream);

/**
 * @brief Get a webhook: GET /webhooks/{webhook_id}.
 * @param[out] out the webhook; free with ftx_webhook_free().
 * @return FTX_OK; FTX_ERR_INVALID_ARGUMENT (NULL/empty id, nothing sent);
 *         FTX_ERR_NOT_FOUND; FTX_ERR_DECODE; other negative ftx_error_type values.
 * @since 0.1
 */
FTX_EXTERN int ftx_webhooks_get(ftx_client *client, const char *webhook_id, ftx_webhook **out,
                                ftx_error *err);

/**
 * @brief Create an account-level webhook: POST /webhooks/account with `params`.
 *
 * `params` is sent as given, e.g. {"url": "https://example.com/hook", "events":
 * ["sync_start", "sync_end"], "active": true, "secret": "s3cret"}. Checked before
 * sending (FTX_ERR_INVALID_ARGUMENT, nothing sent): `params` is an object, `url` a
 * non-empty string, `events` a non-empty array of non-empty strings (names are not
 * restricted: the API has no enum). The API wants an HTTPS url and, with `active`
 * true, POSTs a test event to it first (an unreachable endpoint gives 400).
 *
 * A create: never repeated after an ambiguous failure, which returns
 * FTX_ERR_OUTCOME_UNKNOWN (the webhook may exist).
 * @param[out] out the webhook; free with ftx_webhook_free().
 * @return FTX_OK; FTX_ERR_INVALID_ARGUMENT; FTX_ERR_BAD_REQUEST;
 *         FTX_ERR_OUTCOME_UNKNOWN; other negative ftx_error_type values.
 * @since 0.1
 */
FTX_EXTERN int ftx_webhooks_create_account(ftx_client *client, const json_t *params,
                                           ftx_webhook **out, ftx_error *err);

/**
 * @brief Create a group-level webhook: POST /webhooks/group/{group_id} with `params`.
 *
 * Same body, checks and retry rule as ftx_webhooks_create_account().
 * @param group_id the group; percent-encoded as one segment.
 * @param[out] out the webhook; free with ftx_webhook_free().
 * @return FTX_OK; FTX_ERR_INVALID_ARGUMENT; FTX_ERR_NOT_FOUND (no such group);
 *         FTX_ERR_BAD_REQUEST; FTX_ERR_OUTCOME_UNKNOWN; other negative values.
 * @since 0.1
 */
FTX_EXTERN int ftx_webhooks_create_group(ftx_client *client, const char *group_id,
                                         const json_t *params, ftx_webhook **out, ftx_error *err);

/**
 * @brief Update a webhook: PATCH /webhooks/{webhook_id} with any of `url`, `events`,
 * `active`, `secret`.
 * @param params a JSON object (borrowed); when present `url` must be a non-empty string
 *        and `events` a non-empty array of strings (checked before sending).
 * @param[out] out the updated webhook; free with ftx_webhook_free().
 * @return FTX_OK; FTX_ERR_INVALID_ARGUMENT; FTX_ERR_NOT_FOUND; FTX_ERR_BAD_REQUEST;
 *         other negative ftx_error_type values.
 * @since 0.1
 */
FTX_EXTERN int ftx_webhooks_update(ftx_client *client, const char *webhook_id, const json_t *params,
                                   ftx_webhook **out, ftx_error *err);

/**
 * @brief Delete a webhook: DELETE /webhooks/{webhook_id}.
 * @return FTX_OK; FTX_ERR_INVALID_ARGUMENT; FTX_ERR_NOT_FOUND; other negative values.
 * @since 0.1
 */
FTX_EXTERN int ftx_webhooks_delete(ftx_client *client, const char *webhook_id, ftx_error *err);

/**
 * @brief Ask Fivetran to send a test event: POST /webhooks/{webhook_id}/test with
 * {"event": event}.
 *
 * The API requires `event`; NULL sends FTX_WEBHOOK_TEST_DEFAULT_EVENT ("sync_start"),
 * the seed's "default test event". The delivery uses a dummy connection id
 * (`_connection_1`). An action: retried like a GET.
 * @param event event name, e.g. "sync_end"; NULL for "sync_start"; "" is rejected.
 * @param[out] out whether the endpoint accepted it; free with ftx_webhook_test_result_free().
 * @return FTX_OK (also when the endpoint refused: see `succeed`);
 *         FTX_ERR_INVALID_ARGUMENT; FTX_ERR_NOT_FOUND; FTX_ERR_DECODE; other values.
 * @since 0.1
 */
FTX_EXTERN int ftx_webhooks_test(ftx_client *client, const char *webhook_id, const char *event,
                                 ftx_webhook_test_result **out, ftx_error *err);

#ifdef __cplusplus
}
#endif
#endif
