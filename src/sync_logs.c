/*
 * Sync logs (Fivetrex.SyncLogs and Fivetrex.Models.LogEntry): example SQL for the
 * Fivetran Platform Connector's LOG table and parsing of its rows.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

/* The seed's four queries, verbatim. */
static const char RECENT_SYNCS[] = "SELECT\n"
                                   "  time_stamp,\n"
                                   "  event,\n"
                                   "  message_event,\n"
                                   "  message_data\n"
                                   "FROM fivetran_metadata.log\n"
                                   "WHERE connector_id = 'your_connector_id'\n"
                                   "ORDER BY time_stamp DESC\n"
                                   "LIMIT 10;\n";

static const char FAILED_SYNCS[] = "SELECT\n"
                                   "  connector_id,\n"
                                   "  time_stamp,\n"
                                   "  message_event,\n"
                                   "  message_data\n"
                                   "FROM fivetran_metadata.log\n"
                                   "WHERE event = 'SEVERE'\n"
                                   "  OR message_event LIKE '%error%'\n"
                                   "  OR message_event LIKE '%fail%'\n"
                                   "ORDER BY time_stamp DESC\n"
                                   "LIMIT 50;\n";

static const char SYNC_DURATION[] = "WITH sync_events AS (\n"
                                    "  SELECT\n"
                                    "    connector_id,\n"
                                    "    time_stamp,\n"
                                    "    message_event,\n"
                                    "    LAG(time_stamp) OVER (\n"
                                    "      PARTITION BY connector_id\n"
                                    "      ORDER BY time_stamp\n"
                                    "    ) AS prev_time\n"
                                    "  FROM fivetran_metadata.log\n"
                                    "  WHERE message_event IN ('sync_start', 'sync_end')\n"
                                    ")\n"
                                    "SELECT\n"
                                    "  connector_id,\n"
                                    "  time_stamp AS sync_end_time,\n"
                                    "  DATEDIFF('minute', prev_time, time_stamp) AS "
                                    "duration_minutes\n"
                                    "FROM sync_events\n"
                                    "WHERE message_event = 'sync_end'\n"
                                    "  AND connector_id = 'your_connector_id'\n"
                                    "ORDER BY time_stamp DESC\n"
                                    "LIMIT 20;\n";

static const char SCHEMA_CHANGES[] = "SELECT\n"
                                     "  connector_id,\n"
                                     "  time_stamp,\n"
                                     "  message_event,\n"
                                     "  message_data\n"
                                     "FROM fivetran_metadata.log\n"
                                     "WHERE message_event LIKE '%schema%'\n"
                                     "  OR message_event LIKE '%column%'\n"
                                     "  OR message_event LIKE '%table%'\n"
                                     "ORDER BY time_stamp DESC\n"
                                     "LIMIT 100;\n";

static const struct {
    const char *name;
    const char *sql;
} QUERIES[] = {
    {"recent_syncs", RECENT_SYNCS},
    {"failed_syncs", FAILED_SYNCS},
    {"sync_duration", SYNC_DURATION},
    {"schema_changes", SCHEMA_CHANGES},
};

#define NQUERIES (sizeof(QUERIES) / sizeof(QUERIES[0]))

const char *ftx_sync_logs_query_template(ftx_sync_logs_query kind)
{
    return (unsigned int)kind < NQUERIES ? QUERIES[kind].sql : NULL;
}

const char *ftx_sync_logs_query_name(ftx_sync_logs_query kind)
{
    return (unsigned int)kind < NQUERIES ? QUERIES[kind].name : NULL;
}

int ftx_sync_logs_query_from_name(const char *name, ftx_sync_logs_query *out, ftx_error *err)
{
    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    if (name != NULL && name[0] == ':')
        name++;
    for (size_t i = 0; name != NULL && i < NQUERIES; i++) {
        if (strcmp(name, QUERIES[i].name) == 0) {
            *out = (ftx_sync_logs_query)i;
            return FTX_OK;
        }
    }
    return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                          "unknown sync log query (expected recent_syncs, failed_syncs, "
                          "sync_duration or schema_changes)");
}

static int ident_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int ident_char(char c)
{
    return ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

/* SQL identifiers joined by single dots: "fivetran_log", "db.fivetran_metadata". */
static int valid_schema(const char *s)
{
    if (s == NULL || strlen(s) > 255)
        return 0;
    for (;;) {
        if (!ident_start(*s))
            return 0;
        while (ident_char(*s))
            s++;
        if (*s == '\0')
            return 1;
        if (*s != '.')
            return 0;
        s++;
    }
}

static int valid_connector_id(const char *s)
{
    if (strlen(s) > 255)
        return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f || c == '\\')
            return 0;
    }
    return 1;
}

int ftx_sync_logs_query_example(ftx_sync_logs_query kind, const char *schema,
                                const char *connector_id, char **out, ftx_error *err)
{
    static const char SCHEMA_TOKEN[] = FTX_SYNC_LOGS_DEFAULT_SCHEMA ".log";
    static const char ID_TOKEN[] = "'" FTX_SYNC_LOGS_CONNECTOR_PLACEHOLDER "'";
    const char *sql = ftx_sync_logs_query_template(kind);
    ftx__buf b = FTX__BUF_INIT;
    int oom = 0;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (sql == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "unknown sync log query kind %d",
                              (int)kind);
    if (schema != NULL && !valid_schema(schema))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "schema must be SQL identifiers joined by '.'");
    if (connector_id != NULL && (connector_id[0] == '\0' || !valid_connector_id(connector_id)))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "connector_id is empty or holds control characters or '\\'");

    while (*sql && !oom) {
        if (strncmp(sql, SCHEMA_TOKEN, sizeof(SCHEMA_TOKEN) - 1) == 0) {
            oom |= ftx__buf_puts(&b, schema ? schema : FTX_SYNC_LOGS_DEFAULT_SCHEMA) != 0;
            oom |= ftx__buf_puts(&b, ".log") != 0;
            sql += sizeof(SCHEMA_TOKEN) - 1;
        } else if (connector_id != NULL && strncmp(sql, ID_TOKEN, sizeof(ID_TOKEN) - 1) == 0) {
            oom |= ftx__buf_append(&b, "'", 1) != 0;
            for (const char *p = connector_id; *p && !oom; p++) {
                if (*p == '\'')
                    oom |= ftx__buf_append(&b, "''", 2) != 0; /* SQL quote doubling */
                else
                    oom |= ftx__buf_append(&b, p, 1) != 0;
            }
            oom |= ftx__buf_append(&b, "'", 1) != 0;
            sql += sizeof(ID_TOKEN) - 1;
        } else {
            oom |= ftx__buf_append(&b, sql, 1) != 0;
            sql++;
        }
    }
    if (oom || b.ptr == NULL) {
        ftx__buf_dispose(&b);
        return ftx__error_nomem(err);
    }
    *out = ftx__buf_detach(&b);
    return FTX_OK;
}

void ftx_sync_logs_query_free(char *sql)
{
    ftx__free(sql);
}

/* ---- LOG rows ---- */

/* The row's value for `key`: exact match first, then case-insensitive. */
static const json_t *column(const json_t *row, const char *key)
{
    const char *k;
    json_t *v = json_object_get(row, key);

    if (v != NULL)
        return v;
    json_object_foreach((json_t *)row, k, v)
    {
        if (strcasecmp(k, key) == 0)
            return v;
    }
    return NULL;
}

static char *column_str(ftx__jctx *ctx, const json_t *row, const char *key)
{
    const json_t *v = column(row, key);
    json_t *tmp;
    char *s;

    if (v == NULL || json_is_null(v))
        return NULL;
    if (json_is_object(v) || json_is_array(v)) {
        char *dumped = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (dumped == NULL) {
            ctx->oom = 1;
            return NULL;
        }
        s = ftx__strdup_ctx(ctx, dumped);
        free(dumped);
        return s;
    }
    /* Reuse the tolerant reader (numbers and booleans become text). */
    if ((tmp = json_object()) == NULL || json_object_set(tmp, "v", (json_t *)v) != 0) {
        json_decref(tmp);
        ctx->oom = 1;
        return NULL;
    }
    s = ftx__jstr(ctx, tmp, "v");
    json_decref(tmp);
    return s;
}

static void column_time(ftx__jctx *ctx, const json_t *row, const char *key, ftx_time *out)
{
    int64_t ms = 0;

    memset(out, 0, sizeof(*out));
    out->iso = column_str(ctx, row, key);
    if (out->iso == NULL)
        return;
    if (ftx_time_parse(out->iso, &ms) == 0) {
        out->epoch_ms = ms;
        out->valid = 1;
        return;
    }
    /* Warehouses print "2024-01-15 10:30:00[.fff][+00:00]": retry with a 'T'. */
    if (strlen(out->iso) > 10 && out->iso[10] == ' ') {
        char *t = ftx__strdup_ctx(ctx, out->iso);
        if (t != NULL) {
            t[10] = 'T';
            if (ftx_time_parse(t, &ms) == 0) {
                out->epoch_ms = ms;
                out->valid = 1;
            }
            ftx__free(t);
        }
    }
}

void ftx_log_entry_free(ftx_log_entry *e)
{
    if (e == NULL)
        return;
    ftx__free(e->id);
    ftx__time_dispose(&e->time_stamp);
    ftx__free(e->connector_id);
    ftx__free(e->event);
    ftx__free(e->message_event);
    ftx__free(e->message_data);
    json_decref(e->raw);
    ftx__free(e);
}

int ftx_log_entry_from_json(const json_t *row, ftx_log_entry **out, ftx_error *err)
{
    ftx__jctx ctx = {0};
    ftx_log_entry *e;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (!json_is_object(row))
        return ftx__error_set(err, FTX_ERR_DECODE, "log row is not a JSON object");
    if ((e = ftx__calloc(1, sizeof(*e))) == NULL)
        return ftx__error_nomem(err);
    e->id = column_str(&ctx, row, "id");
    column_time(&ctx, row, "time_stamp", &e->time_stamp);
    e->connector_id = column_str(&ctx, row, "connector_id");
    e->event = column_str(&ctx, row, "event");
    e->message_event = column_str(&ctx, row, "message_event");
    e->message_data = column_str(&ctx, row, "message_data");
    e->raw = json_incref((json_t *)row);
    if (ctx.oom) {
        ftx_log_entry_free(e);
        return ftx__error_nomem(err);
    }
    *out = e;
    return FTX_OK;
}

void ftx_log_entries_free(ftx_log_entry **entries, size_t count)
{
    if (entries == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        ftx_log_entry_free(entries[i]);
    ftx__free(entries);
}

int ftx_log_entries_from_json(const json_t *rows, ftx_log_entry ***out, size_t *count,
                              ftx_error *err)
{
    ftx_log_entry **v;
    size_t n;
    int rc;

    if (out == NULL || count == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out and count must not be NULL");
    *out = NULL;
    *count = 0;
    if (!json_is_array(rows))
        return ftx__error_set(err, FTX_ERR_DECODE, "log rows are not a JSON array");
    n = json_array_size(rows);
    if ((v = ftx__calloc(n ? n : 1, sizeof(*v))) == NULL)
        return ftx__error_nomem(err);
    for (size_t i = 0; i < n; i++) {
        if ((rc = ftx_log_entry_from_json(json_array_get(rows, i), &v[i], err)) != FTX_OK) {
            if (rc == FTX_ERR_DECODE)
                ftx__error_set(err, FTX_ERR_DECODE, "log row %zu is not a JSON object", i);
            ftx_log_entries_free(v, i);
            return rc;
        }
    }
    *out = v;
    *count = n;
    return FTX_OK;
}

ftx_log_entry *ftx_log_entry_dup(const ftx_log_entry *e)
{
    ftx__jctx ctx = {0};
    ftx_log_entry *d;

    if (e == NULL || (d = ftx__calloc(1, sizeof(*d))) == NULL)
        return NULL;
    d->id = ftx__strdup_ctx(&ctx, e->id);
    ftx__time_dup(&ctx, &d->time_stamp, &e->time_stamp);
    d->connector_id = ftx__strdup_ctx(&ctx, e->connector_id);
    d->event = ftx__strdup_ctx(&ctx, e->event);
    d->message_event = ftx__strdup_ctx(&ctx, e->message_event);
    d->message_data = ftx__strdup_ctx(&ctx, e->message_data);
    d->raw = json_incref(e->raw);
    if (ctx.oom) {
        ftx_log_entry_free(d);
        return NULL;
    }
    return d;
}

static int event_is(const ftx_log_entry *e, const char *name)
{
    return e != NULL && e->event != NULL && strcmp(e->event, name) == 0;
}

int ftx_log_entry_sync_start(const ftx_log_entry *e)
{
    return event_is(e, "sync_start");
}

int ftx_log_entry_sync_end(const ftx_log_entry *e)
{
    return event_is(e, "sync_end");
}

int ftx_log_entry_schema_change(const ftx_log_entry *e)
{
    return event_is(e, "create_table") || event_is(e, "alter_table") || event_is(e, "drop_table") ||
           event_is(e, "create_schema");
}
