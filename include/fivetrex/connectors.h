/**
 * @file fivetrex/connectors.h
 * @brief Connectors (the API's "connections"): the seed's 17 functions, schema
 *        configuration, sync status, and ftx_connectors_sync_and_wait().
 *
 * Fivetran renamed connectors to "connections" in 2025; these calls use the current
 * paths (`/connections...`, `/groups/{id}/connections`) and keep the seed's C names.
 * Connection Management calls send `Accept: application/json;version=2`; the schema
 * calls and the per-group list send `application/json` (the API's own defaults).
 *
 * Values the API accepts from a closed set (sync frequency, schedule type, daily sync
 * time, schema change handling, table sync mode, reload exclude mode) are checked
 * before any request is sent: a wrong one is FTX_ERR_INVALID_ARGUMENT with a message
 * listing the valid values, and nothing goes over the wire.
 *
 * Thread note: every call may be made concurrently on a shared client. Models are
 * read-only once returned; streams and results are used by one thread at a time.
 * The sync_and_wait progress callback runs on the calling thread.
 */
#ifndef FIVETREX_CONNECTORS_H
#define FIVETREX_CONNECTORS_H

#include <jansson.h>

#include "client.h"
#include "destinations.h"
#include "stream.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------ */
/* Models                                                                               */
/* ------------------------------------------------------------------------------------ */

/** @brief One entry of `status.tasks` or `status.warnings`. */
typedef struct ftx_connector_notice {
    /** e.g. "resync_table_warning"; NULL when absent. */
    char *code;
    /** Human-readable text; NULL when absent. */
    char *message;
    /** `details` when it is a string or number; NULL otherwise (see `raw`). */
    char *details;
    /** The entry as received (borrowed from the connector's `raw`). */
    json_t *raw;
} ftx_connector_notice;

/** @brief The connector's `status` object, typed. */
typedef struct ftx_connector_status {
    /** "incomplete", "connected" or "broken"; NULL when absent. */
    char *setup_state;
    /** "scheduled", "syncing", "paused" or "rescheduled"; NULL when absent. */
    char *sync_state;
    /** "on_schedule" or "delayed"; NULL when absent. */
    char *update_state;
    /** 1 when the next or current sync is historical. */
    int is_historical_sync;
    /** "ready" or "blocked_on_capture" (some connectors only); NULL when absent. */
    char *schema_status;
    /** When a `rescheduled` sync will resume. */
    ftx_time rescheduled_for;
    /** Active tasks (errors needing action), `task_count` entries. */
    ftx_connector_notice **tasks;
    size_t task_count;
    /** Warnings, `warning_count` entries. */
    ftx_connector_notice **warnings;
    size_t warning_count;
    /** The status object as received (borrowed), NULL when absent. */
    json_t *raw;
} ftx_connector_status;

/**
 * @brief A connector (Fivetrex.Models.Connector). Library-allocated, read-only.
 *
 * Absent strings are NULL, absent booleans 0. `status` is never NULL on a model built
 * by the library (its fields are NULL when the response has no `status`).
 */
typedef struct ftx_connector {
    char *id;
    char *group_id;
    /** Connector type, e.g. "postgres". */
    char *service;
    /** -1 when absent. */
    long long service_version;
    /** Destination schema name (the connector's "name"). */
    char *schema;
    int paused;
    int pause_after_trial;
    /** Minutes between syncs; 0 when absent or null. */
    int sync_frequency;
    /** Typed `status` (never NULL). */
    ftx_connector_status *status;
    /** `setup_state` at top level when present, else `status.setup_state`. */
    char *setup_state;
    ftx_time created_at;
    /** End of the last successful sync (iso NULL when never). */
    ftx_time succeeded_at;
    /** End of the last failed sync (iso NULL when never). */
    ftx_time failed_at;
    /** Service-specific configuration, secrets masked (borrowed from `raw`), or NULL. */
    json_t *config;
    /** `{token, uri}` when created with `connect_card_config` (borrowed), or NULL. */
    json_t *connect_card;
    /** `connect_card.token`, or NULL. */
    char *connect_card_token;
    /** `connect_card.uri`: where to send the end user, or NULL. */
    char *connect_card_uri;
    /** "auto" or "manual"; NULL when absent. */
    char *schedule_type;
    /** "HH:00" (UTC) for daily syncs, else NULL. */
    char *daily_sync_time;
    /** User id of the creator, or NULL. */
    char *connected_by;
    /** The whole object as received (borrowed; json_incref to keep). */
    json_t *raw;
    /* Fields appended after 0.1.0 (models are library-allocated, so appending is
     * ABI-compatible). */
    /** Private link id (`private_link_id`), NULL when none. */
    char *private_link_id;
    /** Proxy agent id (`proxy_agent_id`), NULL when none. */
    char *proxy_agent_id;
    /** Hybrid deployment agent id (`hybrid_deployment_agent_id`; falls back to the
     * deprecated `local_processing_agent_id` of list items), NULL when none. */
    char *hybrid_deployment_agent_id;
    /** The last setup test results (`setup_tests` on create, GET, PATCH, list items and
     * test responses), `setup_test_count` entries; NULL when none. Each entry's `details`
     * is whatever the API sent (a string, a list or an object). Owned by the model. */
    ftx_destination_setup_test **setup_tests;
    size_t setup_test_count;
} ftx_connector;

/** @brief One page of connectors. */
typedef struct ftx_connector_page {
    ftx_connector **items;
    size_t count;
    /** Cursor of the next page, NULL on the last page. */
    char *next_cursor;
} ftx_connector_page;

/** @brief A lazy stream of connectors. Opaque. */
typedef struct ftx_connector_stream ftx_connector_stream;

/** @brief A column (Fivetrex.Models.Column). */
typedef struct ftx_column {
    /** Source name (the key it had in `columns`). */
    char *name;
    char *name_in_destination;
    int enabled;
    /** 1 when values are hashed in the destination. */
    int hashed;
    int is_primary_key;
    /** Source type when the API sends one (undocumented), else NULL. */
    char *type;
    /** `{allowed, reason_code, reason}` (borrowed), or NULL. */
    json_t *enabled_patch_settings;
    /** The column object as received (borrowed). */
    json_t *raw;
} ftx_column;

/** @brief A table (Fivetrex.Models.Table). */
typedef struct ftx_table {
    /** Source name (the key it had in `tables`). */
    char *name;
    char *name_in_destination;
    int enabled;
    /** "SOFT_DELETE", "HISTORY" or "LIVE"; NULL when the connector cannot switch. */
    char *sync_mode;
    int supports_columns_config;
    int supports_history_mode;
    /** `{allowed, reason_code, reason}` (borrowed), or NULL. */
    json_t *enabled_patch_settings;
    /** Columns in the order received. The schema config omits default columns. */
    ftx_column **columns;
    size_t column_count;
    /** The table object as received (borrowed). */
    json_t *raw;
} ftx_table;

/** @brief A schema (Fivetrex.Models.Schema). */
typedef struct ftx_schema {
    /** Source name (the key it had in `schemas`). */
    char *name;
    char *name_in_destination;
    int enabled;
    /** Tables in the order received. */
    ftx_table **tables;
    size_t table_count;
    /** The schema object as received (borrowed). */
    json_t *raw;
} ftx_schema;

/**
 * @brief A connector's schema configuration (Fivetrex.Models.SchemaConfig).
 *
 * Schemas, tables and columns keep the order of the response (iterate the arrays)
 * and are found by source name with ftx_schema_config_find_schema(),
 * ftx_schema_find_table() and ftx_table_find_column(). Note: the schema config
 * omits columns that follow table defaults; ftx_connectors_get_table_columns()
 * returns all of them.
 */
typedef struct ftx_schema_config {
    /**
     * Legacy flag: 1 iff `schema_change_handling` is ALLOW_ALL. Derived from
     * `schema_change_handling` when the response has it as a string (current
     * responses carry only that); otherwise read from the legacy
     * `enable_new_by_default` field (0 when absent).
     */
    int enable_new_by_default;
    /** "ALLOW_ALL", "ALLOW_COLUMNS" or "BLOCK_ALL"; NULL when absent. */
    char *schema_change_handling;
    ftx_schema **schemas;
    size_t schema_count;
    /** The whole object as received (borrowed). */
    json_t *raw;
} ftx_schema_config;

/** @brief All columns of one table (ftx_connectors_get_table_columns()). */
typedef struct ftx_column_list {
    /** Columns in the order received. */
    ftx_column **items;
    size_t count;
    /** The `data` object as received, `{"columns": {...}}` (borrowed). */
    json_t *raw;
} ftx_column_list;

/** @brief Sync status summary (Fivetrex.Models.SyncStatus). */
typedef struct ftx_sync_status {
    /** "scheduled", "syncing", "paused", "rescheduled"; NULL when absent. */
    char *sync_state;
    /** Last successful sync end (parsed: `valid`, `epoch_ms`). */
    ftx_time succeeded_at;
    /** Last failed sync end. */
    ftx_time failed_at;
    int is_historical_sync;
    /** "on_schedule" or "delayed"; NULL when absent. */
    char *update_state;
    /** The connector object it was built from (borrowed). */
    json_t *raw;
} ftx_sync_status;

/** @brief Result of ftx_connectors_sync() and ftx_connectors_resync() (seed's sync_result). */
typedef struct ftx_sync_result {
    /** 1 when the API accepted the request (always 1 when the call returns FTX_OK). */
    int success;
    /** The API's message, e.g. "Sync has been successfully triggered ...", or NULL. */
    char *message;
    /** `data.status.sync_state` when the response has data (normally NULL). */
    char *sync_state;
    /** The whole response body (borrowed). */
    json_t *raw;
} ftx_sync_result;

/* ---- model functions ---- */

/**
 * @brief Build a connector from a JSON object (the `data` of a response).
 * @param[out] out the connector; free with ftx_connector_free().
 * @return FTX_OK, FTX_ERR_DECODE when `json` is not an object, FTX_ERR_NOMEM.
 * @since 0.1
 */
FTX_EXTERN int ftx_connector_from_json(const json_t *json, ftx_connector **out, ftx_error *err);
/** @brief Free a connector. NULL-safe. @since 0.1 */
FTX_EXTERN void ftx_connector_free(ftx_connector *connector);
/** @brief Copy (shares `raw`, see common.h); NULL when out of memory. Free with
 * ftx_connector_free(). */
FTX_EXTERN ftx_connector *ftx_connector_dup(const ftx_connector *connector);
/** @brief 1 when `status.sync_state` is "syncing". NULL-safe (0). @since 0.1 */
FTX_EXTERN int ftx_connector_syncing(const ftx_connector *connector);
/** @brief 1 when the connector is paused (`paused` true). NULL-safe (0). @since 0.1 */
FTX_EXTERN int ftx_connector_paused(const ftx_connector *connector);
/** @brief `status.sync_state` (borrowed), NULL when unknown. NULL-safe. @since 0.1 */
FTX_EXTERN const char *ftx_connector_sync_state(const ftx_connector *connector);
/** @brief Free a page and its items. NULL-safe. @since 0.1 */
FTX_EXTERN void ftx_connector_page_free(ftx_connector_page *page);

/**
 * @brief Build a schema config from a JSON object (the `data` of a response).
 * @param[out] out free with ftx_schema_config_free().
 * @return FTX_OK, FTX_ERR_DECODE when `json` is not an object, FTX_ERR_NOMEM.
 * @since 0.1
 */
FTX_EXTERN int ftx_schema_config_from_json(const json_t *json, ftx_schema_config **out,
                                           ftx_error *err);
/** @brief Free a schema config and everything in it. NULL-safe. @since 0.1 */
FTX_EXTERN void ftx_schema_config_free(ftx_schema_config *config);
/** @brief Copy (shares `raw`, see common.h); NULL when out of memory. Free with
 * ftx_schema_config_free(). */
FTX_EXTERN ftx_schema_config *ftx_schema_config_dup(const ftx_schema_config *config);
/** @brief The schema with source name `name` (borrowed), or NULL. Case-sensitive. */
FTX_EXTERN const ftx_schema *ftx_schema_config_find_schema(const ftx_schema_config *config,
                                                           const char *name);
/** @brief The table with source name `name` (borrowed), or NULL. Case-sensitive. */
FTX_EXTERN const ftx_table *ftx_schema_find_table(const ftx_schema *schema, const char *name);
/** @brief The column with source name `name` (borrowed), or NULL. Case-sensitive. */
FTX_EXTERN const ftx_column *ftx_table_find_column(const ftx_table *table, const char *name);
/** @brief Shortcut: schema then table (borrowed), or NULL. */
FTX_EXTERN const ftx_table *ftx_schema_config_find_table(const ftx_schema_config *config,
                                                         const char *schema, const char *table);

/**
 * @brief Build a column list from `{"columns": {name: column, ...}}`.
 * @param[out] out free with ftx_column_list_free().
 * @return FTX_OK, FTX_ERR_DECODE when `json` is not an object, FTX_ERR_NOMEM.
 */
FTX_EXTERN int ftx_column_list_from_json(const json_t *json, ftx_column_list **out, ftx_error *err);
/** @brief Free a column list. NULL-safe. */
FTX_EXTERN void ftx_column_list_free(ftx_column_list *list);
/** @brief The column named `name` (borrowed), or NULL. */
FTX_EXTERN const ftx_column *ftx_column_list_find(const ftx_column_list *list, const char *name);

/**
 * @brief Build a sync status from a connector (seed's SyncStatus.from_connector).
 * @param[out] out free with ftx_sync_status_free().
 * @return FTX_OK, FTX_ERR_INVALID_ARGUMENT when `connector` is NULL, FTX_ERR_NOMEM.
 */
FTX_EXTERN int ftx_sync_status_from_connector(const ftx_connector *connector, ftx_sync_status **out,
                                              ftx_error *err);
/** @brief Free a sync status. NULL-safe. */
FTX_EXTERN void ftx_sync_status_free(ftx_sync_status *status);
/** @brief 1 when `sync_state` is "syncing". NULL-safe (0). */
FTX_EXTERN int ftx_sync_status_syncing(const ftx_sync_status *status);
/** @brief 1 when `sync_state` is "paused". NULL-safe (0). */
FTX_EXTERN int ftx_sync_status_paused(const ftx_sync_status *status);
/** @brief 1 when `sync_state` is "scheduled". NULL-safe (0). */
FTX_EXTERN int ftx_sync_status_scheduled(const ftx_sync_status *status);

/** @brief Free a sync result. NULL-safe. */
FTX_EXTERN void ftx_sync_result_free(ftx_sync_result *result);

/* ------------------------------------------------------------------------------------ */
/* Options                                                                              */
/* ------------------------------------------------------------------------------------ */

#define FTX_SYNC_OPTIONS_VERSION 1
/** @brief Options of ftx_connectors_sync(). */
typedef struct ftx_sync_options {
    unsigned int version;
    /** Non-zero: stop a running sync and restart it (`{"force": true}`). */
    int force;
} ftx_sync_options;
#define FTX_SYNC_OPTIONS_INIT                                                                      \
    {                                                                                              \
        FTX_SYNC_OPTIONS_VERSION, 0                                                                \
    }

/** The only value of ftx_resync_options.confirm that allows a historical resync. */
#define FTX_RESYNC_CONFIRM 0x52455359u /* "RESY" */

#define FTX_RESYNC_OPTIONS_VERSION 1
/** @brief Options of ftx_connectors_resync(). */
typedef struct ftx_resync_options {
    unsigned int version;
    /**
     * Must be FTX_RESYNC_CONFIRM. Anything else (including the _INIT default 0, or 1)
     * refuses the call with FTX_ERR_INVALID_ARGUMENT before any request.
     */
    unsigned int confirm;
    /**
     * Optional scope `{"<schema>": ["<table>", ...], ...}`: re-sync only these tables.
     * NULL re-syncs everything. An empty object or empty table list is refused.
     * Borrowed for the call.
     */
    const json_t *scope;
} ftx_resync_options;
#define FTX_RESYNC_OPTIONS_INIT                                                                    \
    {                                                                                              \
        FTX_RESYNC_OPTIONS_VERSION, 0, NULL                                                        \
    }

#define FTX_SYNC_FREQUENCY_OPTIONS_VERSION 1
/** @brief Options of ftx_connectors_set_sync_frequency(). Strings are borrowed. */
typedef struct ftx_sync_frequency_options {
    unsigned int version;
    /** "auto" or "manual"; NULL leaves it unchanged. */
    const char *schedule_type;
    /** "HH:00" (00:00..23:00, UTC), only with 1440 minutes; NULL leaves it unchanged. */
    const char *daily_sync_time;
} ftx_sync_frequency_options;
#define FTX_SYNC_FREQUENCY_OPTIONS_INIT                                                            \
    {                                                                                              \
        FTX_SYNC_FREQUENCY_OPTIONS_VERSION, NULL, NULL                                             \
    }

#define FTX_RELOAD_OPTIONS_VERSION 1
/** @brief Options of ftx_connectors_reload_schema_config(). */
typedef struct ftx_reload_options {
    unsigned int version;
    /**
     * "PRESERVE" (NULL means this; keep existing settings) or "EXCLUDE" (disable
     * schemas and tables not yet touched). The seed's "INCLUDE" is not an API value
     * and is refused, as is anything else.
     */
    const char *exclude_mode;
} ftx_reload_options;
#define FTX_RELOAD_OPTIONS_INIT                                                                    \
    {                                                                                              \
        FTX_RELOAD_OPTIONS_VERSION, NULL                                                           \
    }

/* ------------------------------------------------------------------------------------ */
/* Calls                                                                                */
/* ------------------------------------------------------------------------------------ */

/**
 * @brief List one page of a group's connectors: GET /groups/{group_id}/connections.
 * @param opts cursor and limit; NULL for the first page with the API's default size.
 *        Filters (version 2): `schema` (connectors whose destination schema is that
 *        name); any other name is FTX_ERR_INVALID_ARGUMENT and nothing is sent.
 * @param[out] out the page; free with ftx_connector_page_free().
 * @return FTX_OK, FTX_ERR_INVALID_ARGUMENT (NULL/empty id), or an HTTP/decode error.
 * @since 0.1
 */
FTX_EXTERN int ftx_connectors_list(ftx_client *client, const char *group_id,
                                   const ftx_list_options *opts, ftx_connector_page **out,
                                   ftx_error *err);

/**
 * @brief Stream every connector of a group. No request is made until the first _next.
 *        Takes the filters of ftx_connectors_list() (`schema`), copied by the stream.
 * @param[out] out the stream; free with ftx_connector_stream_free().
 * @return FTX_OK, FTX_ERR_INVALID_ARGUMENT, FTX_ERR_NOMEM.
 * @since 0.1
 */
FTX_EXTERN int ftx_connectors_stream(ftx_client *client, const char *group_id,
                                     const ftx_list_options *opts, ftx_connector_stream **out,
                                     ftx_error *err);

/**
 * @brief List one page of every connector in the account: GET /connections.
 * @param opts cursor and limit; filters (version 2): `group_id` (the connectors of one
 *        group) and `schema`; any other name is FTX_ERR_INVALID_ARGUMENT and nothing
 *        is sent.
 * @param[out] out free with ftx_connector_page_free().
 * @since 0.1
 */
FTX_EXTERN int ftx_connectors_list_all(ftx_client *client, const ftx_list_options *opts,
                                       ftx_connector_page **out, ftx_error *err);

/**
 * @brief Stream every connector of every group, lazily (GET /connections page by page,
 *        the account-wide list). No request is made until the first _next. Takes the
 *        filters of ftx_connectors_list_all() (`group_id`, `schema`), copied by the
 *        stream and sent with every page.
 * @param[out] out free with ftx_connector_stream_free().
 * @since 0.1
 */
FTX_EXTERN int ftx_connectors_stream_all(ftx_client *client, const ftx_list_options *opts,
                                         ftx_connector_stream **out, ftx_error *err);

/**
 * @brief Next connector of a stream. `*out` is NULL at the end; it is borrowed until
 *        the next call (ftx_connector_dup() keeps one).
 * @return FTX_OK or the error of the page request (the stream stays where it was).
 */
FTX_EXTERN int ftx_connector_stream_next(ftx_connector_stream *stream, const ftx_connector **out,
                                         ftx_error *err);
/** @brief Free a stream; no further request is made. NULL-safe. */
FTX_EXTERN void ftx_connector_stream_free(ftx_connector_stream *stream);

/**
 * @brief GET /connections/{id}.
 * @param[out] out free with ftx_connector_free().
 * @since 0.1
 */
FTX_EXTERN int ftx_connectors_get(ftx_client *client, const char *connector_id, ftx_connector **out,
                                  ftx_error *err);

/**
 * @brief POST /connections: create a connector.
 *
 * `params` must hold `group_id` and `service` (non-empty strings); usually `config`,
 * optionally `paused`, `sync_frequency`, `schedule_type`, `daily_sync_time`,
 * `connect_card_config` `{redirect_uri, hide_setup_guide}` (the created model then has
 * `connect_card_token` and `connect_card_uri`) and any other field the API takes.
 * Closed values are checked first. A create: never retried after an ambiguous
 * failure, which returns FTX_ERR_OUTCOME_UNKNOWN (the connector may exist).
 * @param params borrowed, never modified.
 * @param[out] out free with ftx_connector_free().
 * @return FTX_OK, FTX_ERR_INVALID_ARGUMENT, FTX_ERR_OUTCOME_UNKNOWN, HTTP errors.
 * @since 0.1
 */
FTX_EXTERN int ftx_connectors_create(ftx_client *client, const json_t *params, ftx_connector **out,
                                     ftx_error *err);

/**
 * @brief PATCH /connections/{id} with `params` (e.g. `{"paused": true,
 *        "sync_frequency": 60}`; `config` is merged). Closed values are checked first.
 * @param[out] out the updated connector (free with ftx_connector_free()); may be NULL.
 * @since 0.1
 */
FTX_EXTERN int ftx_connectors_update(ftx_client *client, const char *connector_id,
                                     const json_t *params, ftx_connector **out, ftx_error *err);

/**
 * @brief DELETE /connections/{id}. Data already in the destination is untouched.
 * @since 0.1
 */
FTX_EXTERN int ftx_connectors_delete(ftx_client *client, const char *connector_id, ftx_error *err);

/**
 * @brief POST /connections/{id}/sync: trigger an incremental sync (returns at once).
 *
 * Sends `{}`, or `{"force": true}` with `opts->force`. An action: safe to retry.
 * @param opts NULL for defaults.
 * @param[out] out optional (may be NULL); free with ftx_sync_result_free().
 * @since 0.1
 */
FTX_EXTERN int ftx_connectors_sync(ftx_client *client, const char *connector_id,
                                   const ftx_sync_options *opts, ftx_sync_result **out,
                                   ftx_error *err);

/**
 * @brief POST /connections/{id}/resync: historical resync. DESTRUCTIVE.
 *
 * Re-imports all data (or the tables in `opts->scope`) from scratch. Refused with
 * FTX_ERR_INVALID_ARGUMENT, and no request sent, unless `opts` is non-NULL and
 * `opts->confirm == FTX_RESYNC_CONFIRM`.
 * @param[out] out optional; free with ftx_sync_result_free().
 * @return FTX_OK, FTX_ERR_INVALID_ARGUMENT, FTX_ERR_CONFLICT (a running sync cannot be
 *         completed), HTTP errors.
 * @since 0.1
 */
FTX_EXTERN int ftx_connectors_resync(ftx_client *client, const char *connector_id,
                                     const ftx_resync_options *opts, ftx_sync_result **out,
                                     ftx_error *err);

/** @brief PATCH /connections/{id} `{"paused": true}`. @param[out] out optional. */
FTX_EXTERN int ftx_connectors_pause(ftx_client *client, const char *connector_id,
                                    ftx_connector **out, ftx_error *err);
/** @brief PATCH /connections/{id} `{"paused": false}`. @param[out] out optional. */
FTX_EXTERN int ftx_connectors_resume(ftx_client *client, const char *connector_id,
                                     ftx_connector **out, ftx_error *err);

/**
 * @brief GET /connections/{id}/state (Function and Connector SDK connectors only).
 * @param[out] out new reference to the response `data` (`{"state": {...}}`);
 *             release with json_decref().
 * @return FTX_OK; FTX_ERR_BAD_REQUEST when no state exists yet; FTX_ERR_UNKNOWN (405)
 *         for other connector types.
 * @since 0.1
 */
FTX_EXTERN int ftx_connectors_get_state(ftx_client *client, const char *connector_id, json_t **out,
                                        ftx_error *err);

/**
 * @brief GET /connections/{id} summarised as a sync status.
 * @param[out] out free with ftx_sync_status_free().
 * @since 0.1
 */
FTX_EXTERN int ftx_connectors_get_sync_status(ftx_client *client, const char *connector_id,
                                              ftx_sync_status **out, ftx_error *err);

/**
 * @brief PATCH /connections/{id} `{"sync_frequency": minutes[, "schedule_type",
 *        "daily_sync_time"]}`.
 * @param minutes one of 1, 5, 15, 30, 60, 120, 180, 360, 480, 720, 1440.
 * @param opts NULL or schedule type ("auto"/"manual") and daily time ("HH:00").
 * @param[out] out optional; free with ftx_connector_free().
 * @return FTX_OK; FTX_ERR_INVALID_ARGUMENT (nothing sent) for any other value.
 * @since 0.1
 */
FTX_EXTERN int ftx_connectors_set_sync_frequency(ftx_client *client, const char *connector_id,
                                                 int minutes,
                                                 const ftx_sync_frequency_options *opts,
                                                 ftx_connector **out, ftx_error *err);

/**
 * @brief GET /connections/{id}/schemas.
 * Only explicitly configured columns are included; see ftx_connectors_get_table_columns().
 * @param[out] out free with ftx_schema_config_free().
 * @return FTX_OK; FTX_ERR_NOT_FOUND before the schema was first captured.
 * @since 0.1
 */
FTX_EXTERN int ftx_connectors_get_schema_config(ftx_client *client, const char *connector_id,
                                                ftx_schema_config **out, ftx_error *err);

/**
 * @brief PATCH /connections/{id}/schemas with `params` (deep merge), e.g.
 *        `{"schemas": {"public": {"tables": {"users": {"enabled": false}}}}}`.
 *
 * `schema_change_handling` (ALLOW_ALL, ALLOW_COLUMNS, BLOCK_ALL) and table
 * `sync_mode` values (SOFT_DELETE, HISTORY, LIVE) are checked before sending.
 * @param[out] out optional; free with ftx_schema_config_free().
 * @since 0.1
 */
FTX_EXTERN int ftx_connectors_update_schema_config(ftx_client *client, const char *connector_id,
                                                   const json_t *params, ftx_schema_config **out,
                                                   ftx_error *err);

/**
 * @brief POST /connections/{id}/schemas/reload `{"exclude_mode": ...}`: detect new
 *        schemas, tables and columns at the source (slow).
 * @param opts NULL for PRESERVE.
 * @param[out] out optional; free with ftx_schema_config_free().
 * @return FTX_OK; FTX_ERR_INVALID_ARGUMENT (nothing sent) for an exclude mode other
 *         than PRESERVE or EXCLUDE.
 * @since 0.1
 */
FTX_EXTERN int ftx_connectors_reload_schema_config(ftx_client *client, const char *connector_id,
                                                   const ftx_reload_options *opts,
                                                   ftx_schema_config **out, ftx_error *err);

/**
 * @brief GET /connections/{id}/schemas/{schema}/tables/{table}/columns: every column
 *        of a table, including those with default settings.
 * @param schema_name source schema name (case-sensitive, any characters).
 * @param table_name source table name.
 * @param[out] out free with ftx_column_list_free().
 * @since 0.1
 */
FTX_EXTERN int ftx_connectors_get_table_columns(ftx_client *client, const char *connector_id,
                                                const char *schema_name, const char *table_name,
                                                ftx_column_list **out, ftx_error *err);

/* ------------------------------------------------------------------------------------ */
/* Beyond the seed                                                                      */
/* ------------------------------------------------------------------------------------ */

/**
 * @brief POST /connections/{id}/test: run the setup tests.
 * @param params `{"trust_certificates": bool, "trust_fingerprints": bool}` or NULL
 *        (sends `{}`).
 * @param[out] out optional; the connector with its `setup_tests` (also in `raw`).
 * @since 0.1
 */
FTX_EXTERN int ftx_connectors_test(ftx_client *client, const char *connector_id,
                                   const json_t *params, ftx_connector **out, ftx_error *err);

/**
 * @brief POST /connections/{id}/connect-card: a new Connect Card token and URI.
 * @param connect_card_config `{"redirect_uri": "https://...", "hide_setup_guide": bool}`
 *        (`redirect_uri` required).
 * @param[out] out new reference to `data` (`connector_id`, `connect_card{token,uri}`);
 *             release with json_decref().
 * @since 0.1
 */
FTX_EXTERN int ftx_connectors_connect_card(ftx_client *client, const char *connector_id,
                                           const json_t *connect_card_config, json_t **out,
                                           ftx_error *err);

/** @brief How a waited-for sync ended. */
typedef enum ftx_sync_outcome {
    /** `succeeded_at` moved past the baseline and is the newer timestamp. */
    FTX_SYNC_SUCCEEDED = 1,
    /** `failed_at` moved past the baseline and is the newer (or equal) timestamp. */
    FTX_SYNC_FAILED = 2,
    /**
     * `sync_state` became "rescheduled" and it will not resume by itself
     * (`schedule_type` manual), or the caller asked to stop at a reschedule.
     */
    FTX_SYNC_RESCHEDULED = 3,
} ftx_sync_outcome;

/** @brief What the progress callback sees at each poll. Fields are only appended. */
typedef struct ftx_sync_progress {
    /** 1 for the first status read after the trigger. */
    int poll;
    /** Milliseconds since the call started (client clock). */
    uint64_t elapsed_ms;
    /** The connector as just read (borrowed for the callback), NULL when the read failed. */
    const ftx_connector *connector;
    /** The failed read's error (borrowed), NULL when the read succeeded. */
    const ftx_error *error;
} ftx_sync_progress;

#define FTX_SYNC_WAIT_OPTIONS_VERSION 1
/** @brief Options of ftx_connectors_sync_and_wait(). */
typedef struct ftx_sync_wait_options {
    unsigned int version;
    /** Pass `force` to the sync trigger. */
    int force;
    /** Time between status reads; 0: 10000 ms. */
    uint64_t poll_interval_ms;
    /** Deadline after the call starts; 0: 3600000 ms (one hour). There is always one. */
    uint64_t timeout_ms;
    /** Non-zero: return FTX_SYNC_RESCHEDULED at the first "rescheduled" read even when
     *  the schedule is auto (otherwise only manual schedules end the wait there). */
    int stop_on_rescheduled;
    /** Optional: called after each status read; return non-zero to stop waiting
     *  (the call then returns FTX_ERR_CANCELLED). Runs on the calling thread. */
    int (*progress)(const ftx_sync_progress *progress, void *userdata);
    /** Passed to `progress`. */
    void *progress_userdata;
} ftx_sync_wait_options;
#define FTX_SYNC_WAIT_OPTIONS_INIT                                                                 \
    {                                                                                              \
        FTX_SYNC_WAIT_OPTIONS_VERSION, 0, 0, 0, 0, NULL, NULL                                      \
    }

/** @brief Result of ftx_connectors_sync_and_wait(). */
typedef struct ftx_sync_wait_result {
    /** An ftx_sync_outcome value. */
    int outcome;
    /** The connector as last read (owned by the result). */
    ftx_connector *connector;
    /** Milliseconds from the start of the call to the end (client clock). */
    uint64_t elapsed_ms;
    /** Status reads made after the trigger (including failed ones). */
    int polls;
} ftx_sync_wait_result;

/** @brief Free a wait result and its connector. NULL-safe. */
FTX_EXTERN void ftx_sync_wait_result_free(ftx_sync_wait_result *result);

/**
 * @brief Trigger a sync and wait until the sync this call started has ended.
 *
 * The "ended" rule (what careful integrations such as Airflow's and Dagster's do):
 * 1. Read the connector first. Refuse with FTX_ERR_INVALID_STATE, before triggering,
 *    when it is paused or its `setup_state` is not "connected".
 * 2. Baseline = max(`succeeded_at`, `failed_at`) of that read (none when both are null).
 * 3. Trigger the sync (POST /sync, with `opts->force`).
 * 4. Every `poll_interval_ms` read the connector. The sync has ended when either
 *    timestamp is later than the baseline. It succeeded when `succeeded_at` is the
 *    later of the two; otherwise it failed. `sync_state` is never used to decide the
 *    end: right after the trigger it may still read "scheduled" from before the sync
 *    started, so "scheduled" alone proves nothing.
 * 5. `sync_state` "rescheduled" (e.g. source quota) with `schedule_type` "manual"
 *    ends the wait with FTX_SYNC_RESCHEDULED, since such a sync never resumes by
 *    itself; with "auto" the wait goes on (the sync resumes at `rescheduled_for`)
 *    unless `stop_on_rescheduled` is set. A connector found paused while waiting ends
 *    the wait with FTX_ERR_INVALID_STATE.
 * 6. A failed status read (network, 429, 5xx, bad body) is reported to `progress`
 *    and retried at the next interval, not fatal; 401, 403 and 404 end the wait.
 * 7. The deadline (`timeout_ms`) always exists: reaching it returns FTX_ERR_TIMEOUT.
 *    Every status read (its HTTP timeout and retry waits included) ends by the
 *    deadline, except the read made at the deadline itself, which gets 5 s more.
 * A sync already running when this is called (without `force`) is not restarted by
 * the API; its end then counts as the end of this call's sync.
 *
 * Sleeping and time use the client's clock (ftx_client_options.clock).
 * @param opts NULL for defaults.
 * @param[out] out on FTX_OK: outcome (a failed sync is FTX_OK with outcome
 *             FTX_SYNC_FAILED), final connector and elapsed time; free with
 *             ftx_sync_wait_result_free(). NULL on error.
 * @return FTX_OK, FTX_ERR_INVALID_ARGUMENT, FTX_ERR_INVALID_STATE, FTX_ERR_TIMEOUT,
 *         FTX_ERR_CANCELLED, or the error of the first read or of the trigger.
 * @since 0.1
 */
FTX_EXTERN int ftx_connectors_sync_and_wait(ftx_client *client, const char *connector_id,
                                            const ftx_sync_wait_options *opts,
                                            ftx_sync_wait_result **out, ftx_error *err);

#ifdef __cplusplus
}
#endif
#endif
