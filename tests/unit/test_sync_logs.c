/*
 * Sync logs (Fivetrex.SyncLogs, Fivetrex.Models.LogEntry): the seed's example
 * queries, substitution, and LOG rows parsed from JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "test_helpers.h"

/* The seed's text for :recent_syncs, as printed in Fivetrex.SyncLogs. */
static const char SEED_RECENT[] = "SELECT\n"
                                  "  time_stamp,\n"
                                  "  event,\n"
                                  "  message_event,\n"
                                  "  message_data\n"
                                  "FROM fivetran_metadata.log\n"
                                  "WHERE connector_id = 'your_connector_id'\n"
                                  "ORDER BY time_stamp DESC\n"
                                  "LIMIT 10;\n";

static void test_templates_match_seed(void **state)
{
    const char *q;

    (void)state;
    assert_string_equal(ftx_sync_logs_query_template(FTX_SYNC_LOGS_RECENT_SYNCS), SEED_RECENT);

    q = ftx_sync_logs_query_template(FTX_SYNC_LOGS_FAILED_SYNCS);
    assert_non_null(q);
    assert_non_null(strstr(q, "FROM fivetran_metadata.log\n"));
    assert_non_null(strstr(q, "WHERE event = 'SEVERE'\n"));
    assert_non_null(strstr(q, "  OR message_event LIKE '%error%'\n"));
    assert_non_null(strstr(q, "  OR message_event LIKE '%fail%'\n"));
    assert_non_null(strstr(q, "LIMIT 50;"));
    assert_null(strstr(q, "your_connector_id"));

    q = ftx_sync_logs_query_template(FTX_SYNC_LOGS_SYNC_DURATION);
    assert_non_null(q);
    assert_true(strncmp(q, "WITH sync_events AS (\n", 22) == 0);
    assert_non_null(strstr(q, "    LAG(time_stamp) OVER (\n      PARTITION BY connector_id\n"
                              "      ORDER BY time_stamp\n    ) AS prev_time\n"));
    assert_non_null(strstr(q, "  WHERE message_event IN ('sync_start', 'sync_end')\n"));
    assert_non_null(strstr(q, "  DATEDIFF('minute', prev_time, time_stamp) AS duration_minutes\n"));
    assert_non_null(strstr(q, "  AND connector_id = 'your_connector_id'\n"));
    assert_non_null(strstr(q, "LIMIT 20;"));

    q = ftx_sync_logs_query_template(FTX_SYNC_LOGS_SCHEMA_CHANGES);
    assert_non_null(q);
    assert_non_null(strstr(q, "WHERE message_event LIKE '%schema%'\n"
                              "  OR message_event LIKE '%column%'\n"
                              "  OR message_event LIKE '%table%'\n"));
    assert_non_null(strstr(q, "LIMIT 100;"));

    assert_null(ftx_sync_logs_query_template((ftx_sync_logs_query)4));
    assert_null(ftx_sync_logs_query_template((ftx_sync_logs_query)-1));
}

static void test_names(void **state)
{
    static const char *const names[] = {"recent_syncs", "failed_syncs", "sync_duration",
                                        "schema_changes"};
    ftx_sync_logs_query k;
    ftx_error err = {0};

    (void)state;
    for (int i = 0; i < 4; i++) {
        assert_string_equal(ftx_sync_logs_query_name((ftx_sync_logs_query)i), names[i]);
        assert_int_equal(ftx_sync_logs_query_from_name(names[i], &k, &err), FTX_OK);
        assert_int_equal(k, i);
    }
    assert_int_equal(ftx_sync_logs_query_from_name(":failed_syncs", &k, &err), FTX_OK);
    assert_int_equal(k, FTX_SYNC_LOGS_FAILED_SYNCS);
    assert_int_equal(ftx_sync_logs_query_from_name("nope", &k, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "recent_syncs"));
    assert_int_equal(ftx_sync_logs_query_from_name(NULL, &k, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_null(ftx_sync_logs_query_name((ftx_sync_logs_query)9));
}

static void test_example_defaults_equal_template(void **state)
{
    char *sql = NULL;

    (void)state;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(
            ftx_sync_logs_query_example((ftx_sync_logs_query)i, NULL, NULL, &sql, NULL), FTX_OK);
        assert_string_equal(sql, ftx_sync_logs_query_template((ftx_sync_logs_query)i));
        ftx_sync_logs_query_free(sql);
    }
}

static void test_example_substitutes_schema_and_id(void **state)
{
    char *sql = NULL;
    ftx_error err = {0};

    (void)state;
    assert_int_equal(ftx_sync_logs_query_example(FTX_SYNC_LOGS_RECENT_SYNCS, "fivetran_log",
                                                 "my_actual_connector_id", &sql, &err),
                     FTX_OK);
    assert_string_equal(sql, "SELECT\n"
                             "  time_stamp,\n"
                             "  event,\n"
                             "  message_event,\n"
                             "  message_data\n"
                             "FROM fivetran_log.log\n"
                             "WHERE connector_id = 'my_actual_connector_id'\n"
                             "ORDER BY time_stamp DESC\n"
                             "LIMIT 10;\n");
    ftx_sync_logs_query_free(sql);

    assert_int_equal(ftx_sync_logs_query_example(FTX_SYNC_LOGS_SYNC_DURATION,
                                                 "analytics.fivetran_metadata", "c1", &sql, &err),
                     FTX_OK);
    assert_non_null(strstr(sql, "  FROM analytics.fivetran_metadata.log\n"));
    assert_non_null(strstr(sql, "  AND connector_id = 'c1'\n"));
    assert_null(strstr(sql, "your_connector_id"));
    /* the sync_start / sync_end literals are untouched */
    assert_non_null(strstr(sql, "('sync_start', 'sync_end')"));
    ftx_sync_logs_query_free(sql);

    /* queries without a connector filter ignore the id */
    assert_int_equal(
        ftx_sync_logs_query_example(FTX_SYNC_LOGS_FAILED_SYNCS, NULL, "c1", &sql, &err), FTX_OK);
    assert_string_equal(sql, ftx_sync_logs_query_template(FTX_SYNC_LOGS_FAILED_SYNCS));
    ftx_sync_logs_query_free(sql);
}

static void test_example_is_injection_safe(void **state)
{
    static const char *const bad_schema[] = {
        "", "a b", "x;DROP TABLE t", "a..b", ".a", "a.", "1abc", "a-b", "a\"b"};
    char *sql = (char *)"untouched";
    ftx_error err = {0};

    (void)state;
    /* quotes are doubled so the id stays one string literal */
    assert_int_equal(
        ftx_sync_logs_query_example(FTX_SYNC_LOGS_RECENT_SYNCS, NULL, "x' OR '1'='1", &sql, &err),
        FTX_OK);
    assert_non_null(strstr(sql, "WHERE connector_id = 'x'' OR ''1''=''1'\n"));
    ftx_sync_logs_query_free(sql);

    for (size_t i = 0; i < sizeof(bad_schema) / sizeof(bad_schema[0]); i++) {
        sql = (char *)"untouched";
        assert_int_equal(ftx_sync_logs_query_example(FTX_SYNC_LOGS_RECENT_SYNCS, bad_schema[i],
                                                     NULL, &sql, &err),
                         FTX_ERR_INVALID_ARGUMENT);
        assert_null(sql);
    }
    assert_int_equal(
        ftx_sync_logs_query_example(FTX_SYNC_LOGS_RECENT_SYNCS, NULL, "a\\b", &sql, &err),
        FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(
        ftx_sync_logs_query_example(FTX_SYNC_LOGS_RECENT_SYNCS, NULL, "a\nb", &sql, &err),
        FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_sync_logs_query_example(FTX_SYNC_LOGS_RECENT_SYNCS, NULL, "", &sql, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_sync_logs_query_example((ftx_sync_logs_query)7, NULL, NULL, &sql, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(
        ftx_sync_logs_query_example(FTX_SYNC_LOGS_RECENT_SYNCS, NULL, NULL, NULL, &err),
        FTX_ERR_INVALID_ARGUMENT);
    ftx_sync_logs_query_free(NULL);
}

static void test_log_entry_from_row(void **state)
{
    json_t *row = th_json("{\"id\":\"log_123\",\"time_stamp\":\"2024-01-15T10:30:00Z\","
                          "\"connector_id\":\"conn_456\",\"event\":\"sync_start\","
                          "\"message_event\":\"sync_start\","
                          "\"message_data\":\"{\\\"status\\\":\\\"ok\\\"}\"}");
    ftx_log_entry *e = NULL;
    ftx_error err = {0};

    (void)state;
    assert_int_equal(ftx_log_entry_from_json(row, &e, &err), FTX_OK);
    assert_string_equal(e->id, "log_123");
    assert_string_equal(e->time_stamp.iso, "2024-01-15T10:30:00Z");
    assert_true(e->time_stamp.valid);
    assert_int_equal(e->time_stamp.epoch_ms, INT64_C(1705314600000));
    assert_string_equal(e->connector_id, "conn_456");
    assert_string_equal(e->event, "sync_start");
    assert_string_equal(e->message_event, "sync_start");
    assert_string_equal(e->message_data, "{\"status\":\"ok\"}");
    assert_ptr_equal(e->raw, row);
    assert_true(ftx_log_entry_sync_start(e));
    assert_false(ftx_log_entry_sync_end(e));
    assert_false(ftx_log_entry_schema_change(e));
    ftx_log_entry_free(e);
    json_decref(row);
}

static void test_log_entry_warehouse_shapes(void **state)
{
    /* upper-case columns (Snowflake), numeric id, space-separated timestamp, JSON data */
    json_t *row = th_json("{\"ID\":42,\"TIME_STAMP\":\"2024-01-15 10:30:00.250\","
                          "\"CONNECTOR_ID\":\"c\",\"EVENT\":\"sync_end\","
                          "\"MESSAGE_DATA\":{\"status\":\"SUCCESSFUL\"}}");
    ftx_log_entry *e = NULL;

    (void)state;
    assert_int_equal(ftx_log_entry_from_json(row, &e, NULL), FTX_OK);
    assert_string_equal(e->id, "42");
    assert_string_equal(e->time_stamp.iso, "2024-01-15 10:30:00.250");
    assert_true(e->time_stamp.valid);
    assert_int_equal(e->time_stamp.epoch_ms, INT64_C(1705314600250));
    assert_string_equal(e->connector_id, "c");
    assert_true(ftx_log_entry_sync_end(e));
    assert_null(e->message_event);
    th_assert_json_eq(e->message_data, "{\"status\":\"SUCCESSFUL\"}");
    ftx_log_entry_free(e);
    json_decref(row);

    /* a bad timestamp keeps its text and is not valid; empty row gives all NULL */
    row = th_json("{\"time_stamp\":\"not a time\"}");
    assert_int_equal(ftx_log_entry_from_json(row, &e, NULL), FTX_OK);
    assert_string_equal(e->time_stamp.iso, "not a time");
    assert_false(e->time_stamp.valid);
    assert_null(e->id);
    assert_null(e->event);
    assert_false(ftx_log_entry_sync_start(e));
    ftx_log_entry_free(e);
    json_decref(row);
}

static void test_schema_change_events(void **state)
{
    static const char *const yes[] = {"create_table", "alter_table", "drop_table", "create_schema"};
    static const char *const no[] = {"sync_start", "sync_end", "write_to_table", "SEVERE",
                                     "CREATE_TABLE"};
    char text[128];

    (void)state;
    for (size_t i = 0; i < 4; i++) {
        ftx_log_entry *e = NULL;
        json_t *row;
        (void)snprintf(text, sizeof(text), "{\"event\":\"%s\"}", yes[i]);
        row = th_json(text);
        assert_int_equal(ftx_log_entry_from_json(row, &e, NULL), FTX_OK);
        assert_true(ftx_log_entry_schema_change(e));
        ftx_log_entry_free(e);
        json_decref(row);
    }
    for (size_t i = 0; i < 5; i++) {
        ftx_log_entry *e = NULL;
        json_t *row;
        (void)snprintf(text, sizeof(text), "{\"event\":\"%s\"}", no[i]);
        row = th_json(text);
        assert_int_equal(ftx_log_entry_from_json(row, &e, NULL), FTX_OK);
        assert_false(ftx_log_entry_schema_change(e));
        ftx_log_entry_free(e);
        json_decref(row);
    }
    assert_false(ftx_log_entry_schema_change(NULL));
    assert_false(ftx_log_entry_sync_start(NULL));
    assert_false(ftx_log_entry_sync_end(NULL));
}

static void test_from_rows(void **state)
{
    json_t *rows = th_json("[{\"id\":\"log_1\",\"event\":\"sync_start\"},"
                           "{\"id\":\"log_2\",\"event\":\"sync_end\"}]");
    ftx_log_entry **v = NULL;
    size_t n = 99;
    ftx_error err = {0};

    (void)state;
    assert_int_equal(ftx_log_entries_from_json(rows, &v, &n, &err), FTX_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0]->id, "log_1");
    assert_true(ftx_log_entry_sync_start(v[0]));
    assert_string_equal(v[1]->id, "log_2");
    assert_true(ftx_log_entry_sync_end(v[1]));
    ftx_log_entries_free(v, n);
    json_decref(rows);

    rows = th_json("[]");
    assert_int_equal(ftx_log_entries_from_json(rows, &v, &n, &err), FTX_OK);
    assert_int_equal(n, 0);
    ftx_log_entries_free(v, n);
    json_decref(rows);

    rows = th_json("[{\"id\":\"a\"}, 5]");
    assert_int_equal(ftx_log_entries_from_json(rows, &v, &n, &err), FTX_ERR_DECODE);
    assert_null(v);
    assert_int_equal(n, 0);
    assert_non_null(strstr(err.message, "row 1"));
    json_decref(rows);

    rows = th_json("{}");
    assert_int_equal(ftx_log_entries_from_json(rows, &v, &n, &err), FTX_ERR_DECODE);
    json_decref(rows);
    assert_int_equal(ftx_log_entries_from_json(NULL, NULL, &n, &err), FTX_ERR_INVALID_ARGUMENT);
    ftx_log_entries_free(NULL, 3);
}

static void test_from_json_errors_and_dup(void **state)
{
    json_t *row = th_json("{\"id\":\"x\",\"time_stamp\":\"2024-01-15T10:30:00Z\","
                          "\"connector_id\":\"c\",\"event\":\"alter_table\","
                          "\"message_event\":\"m\",\"message_data\":\"d\"}");
    json_t *arr = json_array();
    ftx_log_entry *e = NULL, *d;

    (void)state;
    assert_int_equal(ftx_log_entry_from_json(arr, &e, NULL), FTX_ERR_DECODE);
    assert_int_equal(ftx_log_entry_from_json(NULL, &e, NULL), FTX_ERR_DECODE);
    assert_int_equal(ftx_log_entry_from_json(row, NULL, NULL), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_log_entry_from_json(row, &e, NULL), FTX_OK);
    d = ftx_log_entry_dup(e);
    ftx_log_entry_free(e);
    assert_non_null(d);
    assert_string_equal(d->id, "x");
    assert_string_equal(d->time_stamp.iso, "2024-01-15T10:30:00Z");
    assert_int_equal(d->time_stamp.epoch_ms, INT64_C(1705314600000));
    assert_string_equal(d->connector_id, "c");
    assert_string_equal(d->event, "alter_table");
    assert_string_equal(d->message_event, "m");
    assert_string_equal(d->message_data, "d");
    assert_true(ftx_log_entry_schema_change(d));
    ftx_log_entry_free(d);
    assert_null(ftx_log_entry_dup(NULL));
    ftx_log_entry_free(NULL);
    json_decref(arr);
    json_decref(row);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_templates_match_seed),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_example_defaults_equal_template),
        cmocka_unit_test(test_example_substitutes_schema_and_id),
        cmocka_unit_test(test_example_is_injection_safe),
        cmocka_unit_test(test_log_entry_from_row),
        cmocka_unit_test(test_log_entry_warehouse_shapes),
        cmocka_unit_test(test_schema_change_events),
        cmocka_unit_test(test_from_rows),
        cmocka_unit_test(test_from_json_errors_and_dup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
