/**
 * @file fivetrex/sync_logs.h
 * @brief Sync logs (Fivetrex.SyncLogs, Fivetrex.Models.LogEntry).
 *
 * Fivetran has no REST endpoint for sync logs: the Fivetran Platform Connector writes
 * them to your warehouse (schema `fivetran_metadata`, legacy `fivetran_log`). This
 * module gives the example SQL queries of the seed and parses rows of the LOG table
 * (as JSON objects, e.g. from a warehouse driver) into typed entries.
 * No call here does I/O; all are thread-safe.
 */
#ifndef FIVETREX_SYNC_LOGS_H
#define FIVETREX_SYNC_LOGS_H

#include <stddef.h>

#include <jansson.h>

#include "common.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief The example queries of Fivetrex.SyncLogs.query_example/1. */
typedef enum ftx_sync_logs_query {
    /** Last 10 sync events for a connector (`:recent_syncs`). */
    FTX_SYNC_LOGS_RECENT_SYNCS = 0,
    /** Recent failure events (`:failed_syncs`). */
    FTX_SYNC_LOGS_FAILED_SYNCS = 1,
    /** Sync timing and duration for a connector (`:sync_duration`). */
    FTX_SYNC_LOGS_SYNC_DURATION = 2,
    /** Schema modification events (`:schema_changes`). */
    FTX_SYNC_LOGS_SCHEMA_CHANGES = 3,
} ftx_sync_logs_query;

/** @brief Default schema of the Fivetran Platform Connector. */
#define FTX_SYNC_LOGS_DEFAULT_SCHEMA "fivetran_metadata"
/** @brief The connector id placeholder used in the templates. */
#define FTX_SYNC_LOGS_CONNECTOR_PLACEHOLDER "your_connector_id"

/**
 * @brief The seed's query text for `kind`, verbatim: schema `fivetran_metadata` and the
 * placeholder 'your_connector_id' (where the query has one).
 * @return a static string, or NULL for an unknown kind.
 * @since 0.1
 */
FTX_EXTERN const char *ftx_sync_logs_query_template(ftx_sync_logs_query kind);

/**
 * @brief The name of a kind as in the seed ("recent_syncs", "failed_syncs",
 * "sync_duration", "schema_changes"); NULL for an unknown kind.
 * @since 0.1
 */
FTX_EXTERN const char *ftx_sync_logs_query_name(ftx_sync_logs_query kind);

/**
 * @brief Look a kind up by its name (a leading ':' is accepted).
 * @return FTX_OK or FTX_ERR_INVALID_ARGUMENT for an unknown or NULL name.
 * @since 0.1
 */
FTX_EXTERN int ftx_sync_logs_query_from_name(const char *name, ftx_sync_logs_query *out,
                                             ftx_error *err);

/**
 * @brief An example query ready to run (Fivetrex.SyncLogs.query_example/1, with the
 * substitutions the seed tells the user to make).
 *
 * @param kind which query.
 * @param schema the Platform Connector's schema, e.g. "fivetran_log" or
 *   "analytics.fivetran_metadata"; NULL means "fivetran_metadata". Must be SQL
 *   identifiers ([A-Za-z_][A-Za-z0-9_$]*) joined by '.'.
 * @param connector_id substituted for 'your_connector_id' (single quotes doubled);
 *   NULL keeps the placeholder. Control characters and backslashes are refused.
 * @param[out] out the SQL; free with ftx_sync_logs_query_free().
 * @return FTX_OK, FTX_ERR_INVALID_ARGUMENT (unknown kind, bad schema or id) or FTX_ERR_NOMEM.
 * @since 0.1
 */
FTX_EXTERN int ftx_sync_logs_query_example(ftx_sync_logs_query kind, const char *schema,
                                           const char *connector_id, char **out, ftx_error *err);

/** @brief Free a query from ftx_sync_logs_query_example(). NULL-safe. @since 0.1 */
FTX_EXTERN void ftx_sync_logs_query_free(char *sql);

/** @brief A row of the LOG table (Fivetrex.Models.LogEntry). Every field may be NULL. */
typedef struct ftx_log_entry {
    char *id;
    /** When the event occurred; `valid` is 0 when it did not parse. */
    ftx_time time_stamp;
    char *connector_id;
    /** e.g. "sync_start", "sync_end", "create_table", "SEVERE". */
    char *event;
    char *message_event;
    /** Event-specific data as text (a JSON object or array in the row is serialised). */
    char *message_data;
    /** The whole row as received (borrowed; json_incref to keep). */
    json_t *raw;
} ftx_log_entry;

/**
 * @brief Parse one row (Fivetrex.Models.LogEntry.from_row/1).
 *
 * Column names are matched exactly first, then case-insensitively (warehouses such as
 * Snowflake return upper-case names). `id` may be a number. `time_stamp` is ISO-8601;
 * a space instead of 'T' ("2024-01-15 10:30:00") is accepted too.
 * @param row a JSON object (not stolen).
 * @param[out] out the entry; free with ftx_log_entry_free().
 * @return FTX_OK, FTX_ERR_INVALID_ARGUMENT (NULL out), FTX_ERR_DECODE (not an object) or
 *   FTX_ERR_NOMEM.
 * @since 0.1
 */
FTX_EXTERN int ftx_log_entry_from_json(const json_t *row, ftx_log_entry **out, ftx_error *err);

/**
 * @brief Parse an array of rows (Fivetrex.Models.LogEntry.from_rows/1).
 * @param rows a JSON array of objects.
 * @param[out] out array of `*count` entries; free with ftx_log_entries_free().
 * @param[out] count number of entries.
 * @return FTX_OK, FTX_ERR_INVALID_ARGUMENT, FTX_ERR_DECODE (not an array, or an element
 *   that is not an object; nothing is returned then) or FTX_ERR_NOMEM.
 * @since 0.1
 */
FTX_EXTERN int ftx_log_entries_from_json(const json_t *rows, ftx_log_entry ***out, size_t *count,
                                         ftx_error *err);

/** @brief Free an entry. NULL-safe. @since 0.1 */
FTX_EXTERN void ftx_log_entry_free(ftx_log_entry *entry);
/** @brief Free an array from ftx_log_entries_from_json(). NULL-safe. @since 0.1 */
FTX_EXTERN void ftx_log_entries_free(ftx_log_entry **entries, size_t count);
/** @brief Deep copy; NULL when out of memory. Free with ftx_log_entry_free(). */
FTX_EXTERN ftx_log_entry *ftx_log_entry_dup(const ftx_log_entry *entry);

/** @brief 1 when `event` is "sync_start" (NULL-safe). @since 0.1 */
FTX_EXTERN int ftx_log_entry_sync_start(const ftx_log_entry *entry);
/** @brief 1 when `event` is "sync_end" (NULL-safe). @since 0.1 */
FTX_EXTERN int ftx_log_entry_sync_end(const ftx_log_entry *entry);
/**
 * @brief 1 when `event` is a schema change: "create_table", "alter_table", "drop_table"
 * or "create_schema" (NULL-safe).
 * @since 0.1
 */
FTX_EXTERN int ftx_log_entry_schema_change(const ftx_log_entry *entry);

#ifdef __cplusplus
}
#endif
#endif
