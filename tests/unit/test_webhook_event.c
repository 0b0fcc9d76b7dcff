/*
 * Webhook payload parsing (Fivetrex.Models.WebhookEvent): every field of the
 * documented examples (fivetran-api.md 4.4), connection_* names, the group_id
 * fallback, `extra`, errors and the helpers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "test_helpers.h"

#define SYNC_START                                                                                 \
    "{\"event\":\"sync_start\",\"created\":\"2026-05-22T00:01:02.120Z\",\"connector_type\":"       \
    "\"google_cloud_postgresql\",\"connector_id\":\"assimilate_seem\",\"connector_name\":"         \
    "\"ftar_pg\",\"sync_id\":\"b4703f73-6315-4e22-8d7a-3bfb18b2fed2\",\"destination_group_"        \
    "id\":\"inappropriate_implode\",\"data\":{}}"
#define SYNC_END_OK                                                                                \
    "{\"event\":\"sync_end\",\"created\":\"2026-05-22T00:06:08.638Z\",\"connector_type\":"         \
    "\"google_cloud_postgresql\",\"connector_id\":\"assimilate_seem\",\"connector_name\":"         \
    "\"ftar_pg\",\"sync_id\":\"b4703f73-6315-4e22-8d7a-3bfb18b2fed2\",\"destination_group_"        \
    "id\":\"inappropriate_implode\",\"data\":{\"status\":\"SUCCESSFUL\"}}"
#define SYNC_END_FAIL                                                                              \
    "{\"event\":\"sync_end\",\"created\":\"2026-05-22T03:06:11.002Z\",\"connector_type\":"         \
    "\"mysql\",\"connector_id\":\"assimilate_seem\",\"connector_name\":\"ftar_mysql\","            \
    "\"sync_id\":\"0d0e8c3e-3f0f-4b8e-9d3c-1c2a3b4c5d6e\",\"destination_group_id\":"               \
    "\"inappropriate_implode\",\"data\":{\"status\":\"FAILURE_WITH_TASK\",\"reason\":"             \
    "\"Connection timeout\",\"taskType\":\"reconnect\"}}"
#define SYNC_END_RESCHEDULED                                                                       \
    "{\"event\":\"sync_end\",\"created\":\"2026-05-22T04:00:00.000Z\",\"connector_type\":"         \
    "\"salesforce\",\"connector_id\":\"mystified_presiding\",\"connector_name\":\"sf\","           \
    "\"sync_id\":\"9e1bf5b5-f3a9-43e2-9b84-8f0d5c9fa4f7\",\"destination_group_id\":"               \
    "\"deck_enjoy\",\"data\":{\"status\":\"RESCHEDULED\",\"reason\":\"Source API quota "           \
    "reached\",\"rescheduledAt\":\"2026-05-22T05:00:00.000Z\"}}"
#define DBT_FAILED                                                                                 \
    "{\"event\":\"dbt_run_failed\",\"created\":\"2022-06-01T07:41:30.389Z\","                      \
    "\"destination_group_id\":\"deck_enjoy\",\"data\":{\"dbtJobId\":\"upriver_avoid\","            \
    "\"dbtJobName\":\"at8_30\",\"startTime\":\"2022-06-01T07:40:38.917Z\",\"endTime\":"            \
    "\"2022-06-01T07:41:28.949Z\",\"startupDetails\":{\"type\":\"manual\",\"userId\":"             \
    "\"_airworthy\"},\"result\":{\"description\":\"Steps: successful 0, failed 1\"}}}"

/* 2026-05-22T00:06:08.638Z in ms since the epoch. */
#define CREATED_SYNC_END_MS INT64_C(1779408368638)

static ftx_webhook_event *parse_ok(const char *body)
{
    ftx_webhook_event *ev = NULL;
    ftx_error err = {0};

    assert_int_equal(ftx_webhook_event_parse(body, strlen(body), &ev, &err), FTX_OK);
    assert_non_null(ev);
    return ev;
}

static void test_sync_start_every_field(void **state)
{
    ftx_webhook_event *ev = parse_ok(SYNC_START);

    (void)state;
    assert_string_equal(ev->event, "sync_start");
    assert_string_equal(ev->created.iso, "2026-05-22T00:01:02.120Z");
    assert_true(ev->created.valid);
    assert_int_equal(ev->created.epoch_ms, CREATED_SYNC_END_MS - (5 * 60 + 6) * 1000 - 518);
    assert_string_equal(ev->connector_type, "google_cloud_postgresql");
    assert_string_equal(ev->connector_id, "assimilate_seem");
    assert_string_equal(ev->connector_name, "ftar_pg");
    assert_string_equal(ev->sync_id, "b4703f73-6315-4e22-8d7a-3bfb18b2fed2");
    assert_string_equal(ev->destination_group_id, "inappropriate_implode");
    assert_null(ev->group_id);
    assert_null(ev->status);
    assert_true(json_is_object(ev->data));
    assert_int_equal(json_object_size(ev->data), 0);
    assert_true(json_is_object(ev->extra));
    assert_int_equal(json_object_size(ev->extra), 0);
    assert_true(ftx_webhook_event_sync_start(ev));
    assert_false(ftx_webhook_event_sync_end(ev));
    assert_false(ftx_webhook_event_successful(ev));
    assert_false(ftx_webhook_event_failed(ev));
    ftx_webhook_event_free(ev);
}

static void test_raw_is_whole_payload(void **state)
{
    ftx_webhook_event *ev = parse_ok(SYNC_END_FAIL);
    json_t *want = th_json(SYNC_END_FAIL);

    (void)state;
    assert_true(json_equal(ev->raw, want));
    json_decref(want);
    ftx_webhook_event_free(ev);
}

static void test_sync_end_successful(void **state)
{
    ftx_webhook_event *ev = parse_ok(SYNC_END_OK);

    (void)state;
    assert_string_equal(ev->event, "sync_end");
    assert_int_equal(ev->created.epoch_ms, CREATED_SYNC_END_MS);
    assert_string_equal(ev->connector_id, "assimilate_seem");
    assert_string_equal(ev->connector_type, "google_cloud_postgresql");
    assert_string_equal(ev->connector_name, "ftar_pg");
    assert_string_equal(ev->sync_id, "b4703f73-6315-4e22-8d7a-3bfb18b2fed2");
    assert_string_equal(ev->destination_group_id, "inappropriate_implode");
    /* status comes from data.status when there is no top-level status */
    assert_string_equal(ev->status, "SUCCESSFUL");
    assert_string_equal(json_string_value(json_object_get(ev->data, "status")), "SUCCESSFUL");
    assert_true(ftx_webhook_event_sync_end(ev));
    assert_false(ftx_webhook_event_sync_start(ev));
    assert_true(ftx_webhook_event_successful(ev));
    assert_false(ftx_webhook_event_failed(ev));
    ftx_webhook_event_free(ev);
}

static void test_sync_end_failure(void **state)
{
    ftx_webhook_event *ev = parse_ok(SYNC_END_FAIL);

    (void)state;
    assert_string_equal(ev->created.iso, "2026-05-22T03:06:11.002Z");
    assert_string_equal(ev->connector_type, "mysql");
    assert_string_equal(ev->connector_name, "ftar_mysql");
    assert_string_equal(ev->sync_id, "0d0e8c3e-3f0f-4b8e-9d3c-1c2a3b4c5d6e");
    assert_string_equal(ev->status, "FAILURE_WITH_TASK");
    assert_string_equal(json_string_value(json_object_get(ev->data, "reason")),
                        "Connection timeout");
    assert_string_equal(json_string_value(json_object_get(ev->data, "taskType")), "reconnect");
    assert_true(ftx_webhook_event_failed(ev));
    assert_false(ftx_webhook_event_successful(ev));
    ftx_webhook_event_free(ev);
}

static void test_sync_end_rescheduled_is_not_failure(void **state)
{
    ftx_webhook_event *ev = parse_ok(SYNC_END_RESCHEDULED);

    (void)state;
    assert_string_equal(ev->connector_id, "mystified_presiding");
    assert_string_equal(ev->connector_type, "salesforce");
    assert_string_equal(ev->connector_name, "sf");
    assert_string_equal(ev->destination_group_id, "deck_enjoy");
    assert_string_equal(ev->status, "RESCHEDULED");
    assert_string_equal(json_string_value(json_object_get(ev->data, "rescheduledAt")),
                        "2026-05-22T05:00:00.000Z");
    assert_false(ftx_webhook_event_failed(ev));
    assert_false(ftx_webhook_event_successful(ev));
    ftx_webhook_event_free(ev);
}

static void test_other_failure_statuses(void **state)
{
    static const char *const failing[] = {"FAILURE", "FAILED", "SOMETHING_NEW"};
    char body[256];

    (void)state;
    for (size_t i = 0; i < 3; i++) {
        ftx_webhook_event *ev;
        (void)snprintf(body, sizeof(body), "{\"event\":\"sync_end\",\"data\":{\"status\":\"%s\"}}",
                       failing[i]);
        ev = parse_ok(body);
        assert_true(ftx_webhook_event_failed(ev));
        ftx_webhook_event_free(ev);
    }
    /* sync_end with no status at all: not a failure, not a success */
    {
        ftx_webhook_event *ev = parse_ok("{\"event\":\"sync_end\"}");
        assert_false(ftx_webhook_event_failed(ev));
        assert_false(ftx_webhook_event_successful(ev));
        assert_null(ev->data);
        ftx_webhook_event_free(ev);
    }
}

static void test_dbt_event_without_connector_fields(void **state)
{
    ftx_webhook_event *ev = parse_ok(DBT_FAILED);

    (void)state;
    assert_string_equal(ev->event, "dbt_run_failed");
    assert_string_equal(ev->created.iso, "2022-06-01T07:41:30.389Z");
    assert_true(ev->created.valid);
    assert_null(ev->connector_id);
    assert_null(ev->connector_type);
    assert_null(ev->connector_name);
    assert_null(ev->sync_id);
    assert_null(ev->status);
    assert_string_equal(ev->destination_group_id, "deck_enjoy");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(ev->data, "startupDetails"), "type")),
        "manual");
    assert_false(ftx_webhook_event_failed(ev));
    assert_false(ftx_webhook_event_sync_end(ev));
    ftx_webhook_event_free(ev);
}

static void test_top_level_status_wins(void **state)
{
    ftx_webhook_event *ev = parse_ok(
        "{\"event\":\"status\",\"status\":\"FAILED\",\"data\":{\"status\":\"SUCCESSFUL\"}}");

    (void)state;
    assert_string_equal(ev->status, "FAILED");
    assert_true(ftx_webhook_event_failed(ev));
    assert_false(ftx_webhook_event_successful(ev));
    ftx_webhook_event_free(ev);

    ev = parse_ok("{\"status\":\"SUCCESSFUL\"}");
    assert_true(ftx_webhook_event_successful(ev));
    assert_null(ev->event);
    ftx_webhook_event_free(ev);
}

static void test_connection_names_preferred(void **state)
{
    ftx_webhook_event *ev =
        parse_ok("{\"event\":\"sync_end\",\"connector_id\":\"old_id\",\"connection_id\":\"new_id\","
                 "\"connector_name\":\"old_name\",\"connection_name\":\"new_name\","
                 "\"connector_type\":\"old_type\",\"connection_type\":\"new_type\"}");

    (void)state;
    assert_string_equal(ev->connector_id, "new_id");
    assert_string_equal(ev->connector_name, "new_name");
    assert_string_equal(ev->connector_type, "new_type");
    /* named fields, so not in extra */
    assert_int_equal(json_object_size(ev->extra), 0);
    ftx_webhook_event_free(ev);

    /* only the new names */
    ev = parse_ok(
        "{\"connection_id\":\"c1\",\"connection_name\":\"n1\",\"connection_type\":\"t1\"}");
    assert_string_equal(ev->connector_id, "c1");
    assert_string_equal(ev->connector_name, "n1");
    assert_string_equal(ev->connector_type, "t1");
    ftx_webhook_event_free(ev);

    /* a null or empty new name falls back to the old one */
    ev = parse_ok("{\"connection_id\":null,\"connector_id\":\"old\",\"connection_name\":\"\","
                  "\"connector_name\":\"oldn\"}");
    assert_string_equal(ev->connector_id, "old");
    assert_string_equal(ev->connector_name, "oldn");
    ftx_webhook_event_free(ev);
}

static void test_group_id_fallback(void **state)
{
    ftx_webhook_event *ev = parse_ok("{\"event\":\"sync_start\",\"group_id\":\"legacy_group\"}");

    (void)state;
    assert_string_equal(ev->group_id, "legacy_group");
    assert_string_equal(ev->destination_group_id, "legacy_group");
    ftx_webhook_event_free(ev);

    /* both present: each keeps its own value */
    ev = parse_ok("{\"group_id\":\"g_old\",\"destination_group_id\":\"g_new\"}");
    assert_string_equal(ev->group_id, "g_old");
    assert_string_equal(ev->destination_group_id, "g_new");
    ftx_webhook_event_free(ev);

    ev = parse_ok("{}");
    assert_null(ev->group_id);
    assert_null(ev->destination_group_id);
    assert_null(ev->event);
    assert_null(ev->created.iso);
    assert_false(ev->created.valid);
    assert_non_null(ev->extra);
    ftx_webhook_event_free(ev);
}

static void test_extra_holds_unknown_fields(void **state)
{
    ftx_webhook_event *ev =
        parse_ok("{\"event\":\"resync_table\",\"connector_id\":\"c\",\"table\":\"orders\","
                 "\"schema\":{\"name\":\"public\"},\"attempt\":3,\"flag\":true,\"nothing\":null}");
    json_t *want = th_json("{\"table\":\"orders\",\"schema\":{\"name\":\"public\"},"
                           "\"attempt\":3,\"flag\":true,\"nothing\":null}");

    (void)state;
    assert_true(json_equal(ev->extra, want));
    assert_string_equal(ev->event, "resync_table");
    json_decref(want);
    ftx_webhook_event_free(ev);
}

static void test_odd_values(void **state)
{
    /* numbers become text; wrong types are absent; an unparsable created keeps its text */
    ftx_webhook_event *ev = parse_ok("{\"connector_id\":42,\"sync_id\":{\"x\":1},"
                                     "\"created\":\"yesterday\",\"data\":\"text\"}");

    (void)state;
    assert_string_equal(ev->connector_id, "42");
    assert_null(ev->sync_id);
    assert_string_equal(ev->created.iso, "yesterday");
    assert_false(ev->created.valid);
    assert_true(json_is_string(ev->data));
    assert_null(ev->status);
    ftx_webhook_event_free(ev);
}

static void test_not_an_object_is_decode_error(void **state)
{
    static const char *const bad[] = {
        "[]",  "\"sync_end\"",     "42", "null", "{", "{\"a\":}", "{\"event\":\"x\"} trailing",
        "   ", "{\"a\":1,\"a\":2}"};
    ftx_webhook_event *ev = (ftx_webhook_event *)&ev;
    ftx_error err = {0};

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(ftx_webhook_event_parse(bad[i], strlen(bad[i]), &ev, &err),
                         FTX_ERR_DECODE);
        assert_null(ev);
        assert_int_equal(err.type, FTX_ERR_DECODE);
        assert_true(strlen(err.message) > 0);
    }
    assert_int_equal(ftx_webhook_event_parse("", 0, &ev, &err), FTX_ERR_DECODE);
    assert_int_equal(ftx_webhook_event_parse(NULL, 3, &ev, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_webhook_event_parse("{}", 2, NULL, &err), FTX_ERR_INVALID_ARGUMENT);
    /* the length is honoured: a valid prefix of a longer buffer */
    assert_int_equal(ftx_webhook_event_parse("{}garbage", 2, &ev, NULL), FTX_OK);
    ftx_webhook_event_free(ev);
}

static void test_from_json(void **state)
{
    json_t *j = th_json(SYNC_END_OK);
    ftx_webhook_event *ev = NULL;

    (void)state;
    assert_int_equal(ftx_webhook_event_from_json(j, &ev, NULL), FTX_OK);
    assert_string_equal(ev->sync_id, "b4703f73-6315-4e22-8d7a-3bfb18b2fed2");
    assert_ptr_equal(ev->raw, j);
    ftx_webhook_event_free(ev);
    json_decref(j);

    j = json_array();
    assert_int_equal(ftx_webhook_event_from_json(j, &ev, NULL), FTX_ERR_DECODE);
    json_decref(j);
    assert_int_equal(ftx_webhook_event_from_json(NULL, &ev, NULL), FTX_ERR_DECODE);
}

static void test_dup_and_free(void **state)
{
    ftx_webhook_event *ev = parse_ok(SYNC_END_FAIL);
    ftx_webhook_event *d = ftx_webhook_event_dup(ev);

    (void)state;
    ftx_webhook_event_free(ev); /* the copy outlives the original */
    assert_non_null(d);
    assert_string_equal(d->event, "sync_end");
    assert_string_equal(d->created.iso, "2026-05-22T03:06:11.002Z");
    assert_true(d->created.valid);
    assert_string_equal(d->connector_id, "assimilate_seem");
    assert_string_equal(d->connector_type, "mysql");
    assert_string_equal(d->connector_name, "ftar_mysql");
    assert_string_equal(d->sync_id, "0d0e8c3e-3f0f-4b8e-9d3c-1c2a3b4c5d6e");
    assert_string_equal(d->destination_group_id, "inappropriate_implode");
    assert_string_equal(d->status, "FAILURE_WITH_TASK");
    assert_string_equal(json_string_value(json_object_get(d->data, "reason")),
                        "Connection timeout");
    assert_non_null(d->raw);
    assert_non_null(d->extra);
    ftx_webhook_event_free(d);
    assert_null(ftx_webhook_event_dup(NULL));
    ftx_webhook_event_free(NULL);
}

static void test_helpers_null_safe(void **state)
{
    (void)state;
    assert_false(ftx_webhook_event_sync_start(NULL));
    assert_false(ftx_webhook_event_sync_end(NULL));
    assert_false(ftx_webhook_event_successful(NULL));
    assert_false(ftx_webhook_event_failed(NULL));
}

static void test_allocation_failures(void **state)
{
    /* Fail each allocation in turn: an error or a complete event, never a crash/leak. */
    (void)state;
    for (long n = 1; n < 200; n++) {
        ftx_webhook_event *ev = NULL;
        int rc;
        ftx__alloc_fail_at(n);
        rc = ftx_webhook_event_parse(SYNC_END_FAIL, strlen(SYNC_END_FAIL), &ev, NULL);
        ftx__alloc_fail_at(0);
        if (rc == FTX_OK) {
            assert_string_equal(ev->status, "FAILURE_WITH_TASK");
            ftx_webhook_event_free(ev);
            if (n > 30)
                break;
        } else {
            assert_int_equal(rc, FTX_ERR_NOMEM);
            assert_null(ev);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sync_start_every_field),
        cmocka_unit_test(test_raw_is_whole_payload),
        cmocka_unit_test(test_sync_end_successful),
        cmocka_unit_test(test_sync_end_failure),
        cmocka_unit_test(test_sync_end_rescheduled_is_not_failure),
        cmocka_unit_test(test_other_failure_statuses),
        cmocka_unit_test(test_dbt_event_without_connector_fields),
        cmocka_unit_test(test_top_level_status_wins),
        cmocka_unit_test(test_connection_names_preferred),
        cmocka_unit_test(test_group_id_fallback),
        cmocka_unit_test(test_extra_holds_unknown_fields),
        cmocka_unit_test(test_odd_values),
        cmocka_unit_test(test_not_an_object_is_decode_error),
        cmocka_unit_test(test_from_json),
        cmocka_unit_test(test_dup_and_free),
        cmocka_unit_test(test_helpers_null_safe),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
