/*
 * Connectors against the in-test server: the exact request of every call (method,
 * raw path, query, Accept, Authorization, JSON body) and every model field parsed.
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

#define V2    "application/json;version=2"
#define PLAIN "application/json"

static const char *CONNECTOR_MIN =
    "{\"code\":\"Success\",\"data\":{\"id\":\"c1\",\"group_id\":\"g1\",\"service\":\"postgres\","
    "\"paused\":true,\"status\":{\"setup_state\":\"connected\",\"sync_state\":\"paused\"}}}";

/* ---- get: every field ---- */

static void test_get_parses_every_field(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_connector *k = NULL;
    ftx_error err = {0};
    const ftx_connector_status *st;

    (void)state;
    th_respond_fixture(th_ms, 200, "connectors/connector_details.json");
    assert_int_equal(ftx_connectors_get(c, "speak_inexpensive", &k, &err), FTX_OK);
    assert_int_equal(mock_server_request_count(th_ms), 1);
    th_assert_request(mock_server_request(th_ms, 0), "GET", "/v1/connections/speak_inexpensive",
                      NULL, V2);
    assert_null(mock_server_request(th_ms, 0)->body);

    assert_string_equal(k->id, "speak_inexpensive");
    assert_string_equal(k->group_id, "projected_sickle");
    assert_string_equal(k->service, "criteo");
    assert_int_equal(k->service_version, 3);
    assert_string_equal(k->schema, "criteo");
    assert_int_equal(k->paused, 0);
    assert_int_equal(k->pause_after_trial, 1);
    assert_int_equal(k->sync_frequency, 1440);
    assert_string_equal(k->setup_state, "broken");
    assert_string_equal(k->created_at.iso, "2018-12-01T15:43:29.013729Z");
    assert_true(k->created_at.valid);
    assert_int_equal(k->created_at.epoch_ms, 1543679009013LL);
    assert_string_equal(k->succeeded_at.iso, "2024-12-01T15:43:29.013729Z");
    assert_true(k->succeeded_at.valid);
    assert_int_equal(k->succeeded_at.epoch_ms, 1733067809013LL);
    assert_string_equal(k->failed_at.iso, "2024-11-30T08:00:00Z");
    assert_int_equal(k->failed_at.epoch_ms, 1732953600000LL);
    assert_non_null(k->config);
    assert_string_equal(json_string_value(json_object_get(k->config, "username")), "myuser");
    assert_string_equal(json_string_value(json_object_get(k->config, "password")), "******");
    assert_non_null(k->connect_card);
    assert_string_equal(k->connect_card_token, "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.e30.sig");
    assert_string_equal(k->connect_card_uri, "https://fivetran.com/connect-card/setup?auth="
                                             "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.e30.sig");
    assert_string_equal(k->schedule_type, "auto");
    assert_string_equal(k->daily_sync_time, "03:00");
    assert_string_equal(k->connected_by, "interment_burdensome");

    st = k->status;
    assert_non_null(st);
    assert_string_equal(st->setup_state, "broken");
    assert_string_equal(st->sync_state, "rescheduled");
    assert_string_equal(st->update_state, "delayed");
    assert_int_equal(st->is_historical_sync, 1);
    assert_string_equal(st->schema_status, "ready");
    assert_true(st->rescheduled_for.valid);
    assert_int_equal(st->rescheduled_for.epoch_ms, 1733097600000LL);
    assert_int_equal(st->task_count, 1);
    assert_string_equal(st->tasks[0]->code, "reconnect");
    assert_string_equal(st->tasks[0]->message, "Reconnect");
    assert_string_equal(st->tasks[0]->details, "OAuth token expired");
    assert_int_equal(st->warning_count, 2);
    assert_string_equal(st->warnings[0]->code, "resync_table_warning");
    assert_string_equal(st->warnings[0]->message, "Resync Table Warning");
    assert_string_equal(st->warnings[0]->details, "Table users needs a resync");
    assert_string_equal(st->warnings[1]->code, "snowflake_discontinuing_password_auth");
    assert_null(st->warnings[1]->details);
    assert_non_null(st->raw);

    /* helpers */
    assert_string_equal(ftx_connector_sync_state(k), "rescheduled");
    assert_false(ftx_connector_syncing(k));
    assert_false(ftx_connector_paused(k));
    /* fields the model does not type are kept in raw */
    assert_non_null(json_object_get(json_object_get(k->raw, "future_field"), "nested"));
    ftx_connector_free(k);
    ftx_client_free(c);
}

/* link/agent ids and setup_tests (details a string on one step, a list on another) */
static void test_get_parses_link_ids_and_setup_tests(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_connector *k = NULL, *d;
    ftx_error err = {0};

    (void)state;
    th_respond_fixture(th_ms, 200, "connectors/connector_linked.json");
    assert_int_equal(ftx_connectors_get(c, "icy_ascent", &k, &err), FTX_OK);
    th_assert_request(mock_server_request(th_ms, 0), "GET", "/v1/connections/icy_ascent", NULL, V2);
    assert_string_equal(k->private_link_id, "vertical_ledger");
    assert_string_equal(k->proxy_agent_id, "mellow_bridge");
    assert_string_equal(k->hybrid_deployment_agent_id, "quiet_harbor");
    assert_int_equal(k->setup_test_count, 3);
    assert_non_null(k->setup_tests);
    assert_string_equal(k->setup_tests[0]->title, "Connecting to SSH tunnel");
    assert_string_equal(k->setup_tests[0]->status, "PASSED");
    assert_string_equal(k->setup_tests[0]->message, "");
    assert_null(k->setup_tests[0]->details);
    assert_string_equal(k->setup_tests[1]->title, "Validating certificate");
    assert_string_equal(k->setup_tests[1]->status, "WARNING");
    assert_string_equal(k->setup_tests[1]->message, "Certificate expires soon");
    assert_string_equal(json_string_value(k->setup_tests[1]->details), "Expires 2025-03-01");
    assert_string_equal(k->setup_tests[2]->title, "Connecting to database");
    assert_string_equal(k->setup_tests[2]->status, "FAILED");
    assert_string_equal(k->setup_tests[2]->message, "Connection refused");
    assert_true(json_is_array(k->setup_tests[2]->details));
    assert_int_equal(json_array_size(k->setup_tests[2]->details), 2);
    assert_string_equal(json_string_value(json_array_get(k->setup_tests[2]->details, 1)),
                        "Check the private link");
    assert_null(k->succeeded_at.iso);
    assert_string_equal(k->status->schema_status, "ready");
    assert_false(k->status->rescheduled_for.valid);

    /* a copy owns its own entries */
    d = ftx_connector_dup(k);
    ftx_connector_free(k);
    assert_non_null(d);
    assert_string_equal(d->private_link_id, "vertical_ledger");
    assert_string_equal(d->hybrid_deployment_agent_id, "quiet_harbor");
    assert_int_equal(d->setup_test_count, 3);
    assert_string_equal(d->setup_tests[2]->message, "Connection refused");
    ftx_connector_free(d);
    ftx_client_free(c);
}

/* list items: the deprecated local_processing_agent_id fills hybrid_deployment_agent_id
 * when only it is present; nulls and non-object setup test entries give NULL / are skipped */
static void test_link_ids_alias_and_absent(void **state)
{
    json_t *j = th_json("{\"id\":\"c1\",\"private_link_id\":null,\"proxy_agent_id\":null,"
                        "\"local_processing_agent_id\":\"old_agent\","
                        "\"setup_tests\":[7,{\"title\":\"T\",\"status\":\"PASSED\"}]}");
    ftx_connector *k = NULL;

    (void)state;
    assert_int_equal(ftx_connector_from_json(j, &k, NULL), FTX_OK);
    assert_null(k->private_link_id);
    assert_null(k->proxy_agent_id);
    assert_string_equal(k->hybrid_deployment_agent_id, "old_agent");
    assert_int_equal(k->setup_test_count, 1);
    assert_string_equal(k->setup_tests[0]->title, "T");
    assert_null(k->setup_tests[0]->message);
    ftx_connector_free(k);
    json_decref(j);

    j = th_json("{\"id\":\"c2\",\"hybrid_deployment_agent_id\":\"new_agent\","
                "\"local_processing_agent_id\":\"old_agent\",\"setup_tests\":[]}");
    assert_int_equal(ftx_connector_from_json(j, &k, NULL), FTX_OK);
    assert_string_equal(k->hybrid_deployment_agent_id, "new_agent");
    assert_null(k->setup_tests);
    assert_int_equal(k->setup_test_count, 0);
    ftx_connector_free(k);
    json_decref(j);
}

static void test_get_minimal_and_helpers(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_connector *k = NULL;

    (void)state;
    mock_server_respond(th_ms, 200, CONNECTOR_MIN);
    assert_int_equal(ftx_connectors_get(c, "c1", &k, NULL), FTX_OK);
    assert_string_equal(k->id, "c1");
    assert_null(k->schema);
    assert_int_equal(k->service_version, -1);
    assert_int_equal(k->sync_frequency, 0);
    assert_null(k->succeeded_at.iso);
    assert_false(k->succeeded_at.valid);
    assert_null(k->config);
    assert_null(k->connect_card);
    assert_null(k->connect_card_token);
    assert_string_equal(k->setup_state, "connected"); /* from status */
    assert_int_equal(k->status->task_count, 0);
    assert_null(k->status->tasks);
    assert_true(ftx_connector_paused(k));
    assert_false(ftx_connector_syncing(k));
    assert_string_equal(ftx_connector_sync_state(k), "paused");
    ftx_connector_free(k);

    /* NULL-safe helpers */
    assert_false(ftx_connector_paused(NULL));
    assert_false(ftx_connector_syncing(NULL));
    assert_null(ftx_connector_sync_state(NULL));
    ftx_connector_free(NULL);
    ftx_client_free(c);
}

static void test_get_hostile_and_missing_ids(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_connector *k = NULL;
    ftx_error err = {0};

    (void)state;
    assert_int_equal(ftx_connectors_get(c, NULL, &k, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_connectors_get(c, "", &k, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_connectors_get(c, "x", NULL, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_connectors_delete(c, NULL, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_connectors_get(NULL, "x", &k, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_connectors_list(NULL, "g", NULL, NULL, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_connectors_sync(c, "", NULL, NULL, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(th_ms), 0);

    mock_server_respond(th_ms, 200, CONNECTOR_MIN);
    assert_int_equal(ftx_connectors_get(c, "../groups?x=1#y", &k, &err), FTX_OK);
    th_assert_request(mock_server_request(th_ms, 0), "GET",
                      "/v1/connections/..%2Fgroups%3Fx%3D1%23y", NULL, V2);
    ftx_connector_free(k);
    ftx_client_free(c);
}

static void test_get_errors(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_connector *k = NULL;
    ftx_error err = {0};

    (void)state;
    mock_server_respond(th_ms, 404,
                        "{\"code\":\"NotFound_Connector\",\"message\":\"Cannot find entity "
                        "'Connector' with id 'nope'\"}");
    assert_int_equal(ftx_connectors_get(c, "nope", &k, &err), FTX_ERR_NOT_FOUND);
    assert_null(k);
    assert_int_equal(err.status, 404);
    assert_string_equal(err.code, "NotFound_Connector");
    th_assert_no_secret(err.message);

    mock_server_respond(th_ms, 200, "{\"code\":\"Success\",\"data\":[1,2]}");
    assert_int_equal(ftx_connectors_get(c, "x", &k, &err), FTX_ERR_DECODE);
    assert_null(k);
    mock_server_respond(th_ms, 200, "{\"code\":\"Success\",\"data\":{\"id\":");
    assert_int_equal(ftx_connectors_get(c, "x", &k, &err), FTX_ERR_DECODE);
    assert_null(k);
    ftx_client_free(c);
}

static void test_from_json_tolerant(void **state)
{
    const char *hostile[] = {
        "{\"id\":5,\"group_id\":null,\"paused\":\"true\",\"sync_frequency\":\"60\","
        "\"status\":\"broken\",\"succeeded_at\":\"not a time\",\"config\":[1],"
        "\"connect_card\":\"x\",\"service_version\":\"7\"}",
        "{\"status\":{\"tasks\":{\"a\":1},\"warnings\":[1,\"x\",null,{}],\"sync_state\":7}}",
        "{\"sync_frequency\":-5,\"failed_at\":12}",
        "{\"sync_frequency\":99999999999999}",
    };
    ftx_connector *k = NULL;
    ftx_error err = {0};
    json_t *j;

    (void)state;
    j = th_json("[1]");
    assert_int_equal(ftx_connector_from_json(j, &k, &err), FTX_ERR_DECODE);
    assert_null(k);
    json_decref(j);
    assert_int_equal(ftx_connector_from_json(NULL, &k, &err), FTX_ERR_DECODE);

    j = th_json(hostile[0]);
    assert_int_equal(ftx_connector_from_json(j, &k, &err), FTX_OK);
    assert_string_equal(k->id, "5");
    assert_null(k->group_id);
    assert_int_equal(k->paused, 1);
    assert_int_equal(k->sync_frequency, 60);
    assert_int_equal(k->service_version, 7);
    assert_non_null(k->status);
    assert_null(k->status->sync_state);
    assert_string_equal(k->succeeded_at.iso, "not a time");
    assert_false(k->succeeded_at.valid);
    assert_null(k->config);
    assert_null(k->connect_card);
    ftx_connector_free(k);
    json_decref(j);

    j = th_json(hostile[1]);
    assert_int_equal(ftx_connector_from_json(j, &k, &err), FTX_OK);
    assert_int_equal(k->status->task_count, 0);
    assert_int_equal(k->status->warning_count, 1); /* only the object entry */
    assert_null(k->status->warnings[0]->code);
    assert_string_equal(k->status->sync_state, "7");
    ftx_connector_free(k);
    json_decref(j);

    j = th_json(hostile[2]);
    assert_int_equal(ftx_connector_from_json(j, &k, &err), FTX_OK);
    assert_int_equal(k->sync_frequency, 0);
    assert_false(k->failed_at.valid);
    ftx_connector_free(k);
    json_decref(j);

    j = th_json(hostile[3]);
    assert_int_equal(ftx_connector_from_json(j, &k, &err), FTX_OK);
    assert_int_equal(k->sync_frequency, 0);
    ftx_connector_free(k);
    json_decref(j);
}

static void test_dup_is_independent(void **state)
{
    char *body = th_read_fixture("connectors/connector_details.json");
    json_t *env = th_json(body);
    ftx_connector *k = NULL, *d;

    (void)state;
    assert_int_equal(ftx_connector_from_json(json_object_get(env, "data"), &k, NULL), FTX_OK);
    json_decref(env);
    free(body);
    d = ftx_connector_dup(k);
    assert_non_null(d);
    assert_ptr_equal(d->raw, k->raw); /* shared by reference (common.h) */
    ftx_connector_free(k);
    assert_string_equal(d->id, "speak_inexpensive");
    assert_int_equal(d->status->warning_count, 2);
    assert_string_equal(d->status->warnings[1]->message,
                        "Snowflake is discontinuing password authentication");
    assert_string_equal(d->connect_card_uri, "https://fivetran.com/connect-card/setup?auth="
                                             "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.e30.sig");
    ftx_connector_free(d);
    assert_null(ftx_connector_dup(NULL));
}

static void test_decode_survives_every_allocation_failure(void **state)
{
    char *body = th_read_fixture("connectors/connector_details.json");
    json_t *env = th_json(body);
    const json_t *data = json_object_get(env, "data");
    int failed = 0;

    (void)state;
    for (long n = 1; n < 500; n++) {
        ftx_connector *k = NULL;
        ftx_sync_status *s = NULL;
        ftx_error err = {0};
        int rc;

        ftx__alloc_fail_at(n);
        rc = ftx_connector_from_json(data, &k, &err);
        if (rc == FTX_OK) {
            rc = ftx_sync_status_from_connector(k, &s, &err);
            ftx_sync_status_free(s);
            ftx_connector_free(k);
            if (rc == FTX_OK) {
                ftx__alloc_fail_at(0);
                break;
            }
        } else {
            assert_null(k);
        }
        assert_int_equal(rc, FTX_ERR_NOMEM);
        failed++;
    }
    ftx__alloc_fail_at(0);
    assert_true(failed > 20);
    json_decref(env);
    free(body);
}

/* ---- list / stream ---- */

static void test_list_group_page(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx_connector_page *page = NULL;
    ftx_error err = {0};

    (void)state;
    th_respond_fixture(th_ms, 200, "connectors/group_connections_page1.json");
    lo.cursor = "eyJza2lwIjoxfQ";
    lo.limit = 2;
    assert_int_equal(ftx_connectors_list(c, "projected_sickle", &lo, &page, &err), FTX_OK);
    th_assert_request(mock_server_request(th_ms, 0), "GET",
                      "/v1/groups/projected_sickle/connections", "cursor=eyJza2lwIjoxfQ&limit=2",
                      PLAIN);
    assert_int_equal(page->count, 2);
    assert_string_equal(page->next_cursor, "eyJza2lwIjoyfQ");
    assert_string_equal(page->items[0]->id, "decent_dropsy");
    assert_true(ftx_connector_syncing(page->items[0]));
    assert_int_equal(page->items[0]->sync_frequency, 360);
    assert_string_equal(page->items[1]->id, "program_quoth");
    assert_true(ftx_connector_paused(page->items[1]));
    assert_string_equal(page->items[1]->schedule_type, "manual");
    ftx_connector_page_free(page);

    /* no options: no query */
    th_respond_fixture(th_ms, 200, "connectors/group_connections_page2.json");
    assert_int_equal(ftx_connectors_list(c, "projected_sickle", NULL, &page, &err), FTX_OK);
    th_assert_request(mock_server_request(th_ms, 1), "GET",
                      "/v1/groups/projected_sickle/connections", NULL, PLAIN);
    assert_int_equal(page->count, 1);
    assert_null(page->next_cursor);
    ftx_connector_page_free(page);
    ftx_connector_page_free(NULL);

    assert_int_equal(ftx_connectors_list(c, NULL, NULL, &page, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_connectors_list(c, "g", NULL, NULL, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(th_ms), 2);
    ftx_client_free(c);
}

static void test_stream_group_is_lazy(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx_connector_stream *s = NULL;
    const ftx_connector *k = NULL;
    ftx_error err = {0};
    const char *ids[] = {"decent_dropsy", "program_quoth", "third_one"};
    size_t n = 0;

    (void)state;
    lo.prefetch = 0;
    lo.limit = 2;
    th_respond_fixture(th_ms, 200, "connectors/group_connections_page1.json");
    th_respond_fixture(th_ms, 200, "connectors/group_connections_page2.json");
    assert_int_equal(ftx_connectors_stream(c, "projected_sickle", &lo, &s, &err), FTX_OK);
    assert_int_equal(mock_server_request_count(th_ms), 0);
    while (ftx_connector_stream_next(s, &k, &err) == FTX_OK && k != NULL) {
        assert_true(n < 3);
        assert_string_equal(k->id, ids[n]);
        n++;
        if (n <= 2)
            assert_int_equal(mock_server_request_count(th_ms), 1);
    }
    assert_int_equal(n, 3);
    assert_null(k);
    assert_int_equal(mock_server_request_count(th_ms), 2);
    th_assert_request(mock_server_request(th_ms, 0), "GET",
                      "/v1/groups/projected_sickle/connections", "limit=2", PLAIN);
    th_assert_request(mock_server_request(th_ms, 1), "GET",
                      "/v1/groups/projected_sickle/connections", "cursor=eyJza2lwIjoyfQ&limit=2",
                      PLAIN);
    ftx_connector_stream_free(s);
    ftx_connector_stream_free(NULL);
    assert_int_equal(ftx_connectors_stream(c, "", &lo, &s, &err), FTX_ERR_INVALID_ARGUMENT);
    ftx_client_free(c);
}

static void test_stream_all_is_lazy_and_stops_early(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx_connector_stream *s = NULL;
    const ftx_connector *k = NULL;
    ftx_error err = {0};

    (void)state;
    lo.prefetch = 0;
    th_respond_fixture(th_ms, 200, "connectors/group_connections_page1.json");
    th_respond_fixture(th_ms, 200, "connectors/group_connections_page2.json");
    assert_int_equal(ftx_connectors_stream_all(c, &lo, &s, &err), FTX_OK);
    assert_int_equal(mock_server_request_count(th_ms), 0);
    assert_int_equal(ftx_connector_stream_next(s, &k, &err), FTX_OK);
    assert_string_equal(k->id, "decent_dropsy");
    assert_int_equal(ftx_connector_stream_next(s, &k, &err), FTX_OK);
    assert_string_equal(k->id, "program_quoth");
    /* stop after the first page: the second is never requested */
    ftx_connector_stream_free(s);
    assert_int_equal(mock_server_request_count(th_ms), 1);
    th_assert_request(mock_server_request(th_ms, 0), "GET", "/v1/connections", NULL, V2);

    /* the whole walk */
    mock_server_reset(th_ms);
    th_respond_fixture(th_ms, 200, "connectors/group_connections_page1.json");
    th_respond_fixture(th_ms, 200, "connectors/group_connections_page2.json");
    assert_int_equal(ftx_connectors_stream_all(c, &lo, &s, &err), FTX_OK);
    size_t n = 0;
    while (ftx_connector_stream_next(s, &k, &err) == FTX_OK && k != NULL)
        n++;
    assert_int_equal(n, 3);
    th_assert_request(mock_server_request(th_ms, 1), "GET", "/v1/connections",
                      "cursor=eyJza2lwIjoyfQ", V2);
    ftx_connector_stream_free(s);
    ftx_client_free(c);
}

static void test_list_all_page(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx_connector_page *page = NULL;

    (void)state;
    lo.limit = 1000;
    th_respond_fixture(th_ms, 200, "connectors/group_connections_page2.json");
    assert_int_equal(ftx_connectors_list_all(c, &lo, &page, NULL), FTX_OK);
    th_assert_request(mock_server_request(th_ms, 0), "GET", "/v1/connections", "limit=1000", V2);
    assert_int_equal(page->count, 1);
    assert_string_equal(page->items[0]->service, "webhooks");
    assert_string_equal(page->items[0]->setup_state, "incomplete");
    ftx_connector_page_free(page);
    ftx_client_free(c);
}

static void test_list_filters(void **state)
{
    ftx_client *c = th_client(th_ms);
    const ftx_query_param all[] = {{"group_id", "projected sickle"}, {"schema", "s/1"}};
    const ftx_query_param group[] = {{"schema", "github"}};
    const ftx_query_param bad_all[] = {{"group", "g"}};
    ftx_query_param streamed[] = {{"group_id", "g1"}};
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx_connector_page *page = NULL;
    ftx_connector_stream *s = NULL;
    const ftx_connector *k = NULL;
    ftx_error err = {0};
    size_t n = 0;

    (void)state;
    /* account-wide: group_id and schema, percent-encoded, before cursor and limit */
    lo.filters = all;
    lo.filter_count = 2;
    lo.limit = 2;
    th_respond_fixture(th_ms, 200, "connectors/group_connections_page2.json");
    assert_int_equal(ftx_connectors_list_all(c, &lo, &page, &err), FTX_OK);
    th_assert_request(mock_server_request(th_ms, 0), "GET", "/v1/connections",
                      "group_id=projected%20sickle&schema=s%2F1&limit=2", V2);
    assert_int_equal(page->count, 1);
    ftx_connector_page_free(page);

    /* a group's list: schema only */
    lo.filters = group;
    lo.filter_count = 1;
    lo.cursor = "eyJza2lwIjoxfQ";
    th_respond_fixture(th_ms, 200, "connectors/group_connections_page2.json");
    assert_int_equal(ftx_connectors_list(c, "projected_sickle", &lo, &page, &err), FTX_OK);
    th_assert_request(mock_server_request(th_ms, 1), "GET",
                      "/v1/groups/projected_sickle/connections",
                      "schema=github&cursor=eyJza2lwIjoxfQ&limit=2", PLAIN);
    ftx_connector_page_free(page);

    /* filters the list does not declare: nothing sent, the valid ones listed */
    lo.filters = all;
    lo.filter_count = 1;
    page = (ftx_connector_page *)&err;
    assert_int_equal(ftx_connectors_list(c, "projected_sickle", &lo, &page, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_null(page);
    assert_string_equal(err.message, "/groups/projected_sickle/connections: unknown filter "
                                     "\"group_id\"; valid: schema");
    assert_int_equal(ftx_connectors_stream(c, "projected_sickle", &lo, &s, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_null(s);
    lo.filters = bad_all;
    assert_int_equal(ftx_connectors_list_all(c, &lo, &page, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.message,
                        "/connections: unknown filter \"group\"; valid: group_id, schema");
    assert_int_equal(ftx_connectors_stream_all(c, &lo, &s, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(th_ms), 2);

    /* a stream copies its filters and sends them with every page */
    lo.cursor = NULL;
    lo.limit = 0;
    lo.prefetch = 0;
    lo.filters = streamed;
    lo.filter_count = 1;
    assert_int_equal(ftx_connectors_stream_all(c, &lo, &s, &err), FTX_OK);
    streamed[0].value = "changed";
    th_respond_fixture(th_ms, 200, "connectors/group_connections_page1.json");
    th_respond_fixture(th_ms, 200, "connectors/group_connections_page2.json");
    while (ftx_connector_stream_next(s, &k, &err) == FTX_OK && k != NULL)
        n++;
    assert_int_equal(n, 3);
    ftx_connector_stream_free(s);
    th_assert_request(mock_server_request(th_ms, 2), "GET", "/v1/connections", "group_id=g1", V2);
    th_assert_request(mock_server_request(th_ms, 3), "GET", "/v1/connections",
                      "group_id=g1&cursor=eyJza2lwIjoyfQ", V2);
    ftx_client_free(c);
}

static void test_other_lists_take_no_filters(void **state)
{
    ftx_client *c = th_client(th_ms);
    const ftx_query_param f[] = {{"schema", "x"}};
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx_group_page *gp = NULL;
    ftx_destination_page *dp = NULL;
    ftx_webhook_page *wp = NULL;
    ftx_group_stream *gs = NULL;
    ftx_error err = {0};

    (void)state;
    lo.filters = f;
    lo.filter_count = 1;
    assert_int_equal(ftx_groups_list(c, &lo, &gp, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.message, "/groups: unknown filter \"schema\": it takes no filters");
    assert_int_equal(ftx_groups_stream(c, &lo, &gs, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_destinations_list(c, &lo, &dp, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.message,
                        "/destinations: unknown filter \"schema\": it takes no filters");
    assert_int_equal(ftx_webhooks_list(c, &lo, &wp, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(th_ms), 0);
    ftx_client_free(c);
}

/* ---- create / update / delete ---- */

static void test_create_sends_body_and_exposes_connect_card(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_connector *k = NULL;
    ftx_error err = {0};
    json_t *params = th_json(
        "{\"group_id\":\"projected_sickle\",\"service\":\"google_analytics_4\",\"paused\":true,"
        "\"sync_frequency\":60,\"config\":{\"schema\":\"ga4\"},"
        "\"connect_card_config\":{\"redirect_uri\":\"https://your.site/callback\","
        "\"hide_setup_guide\":false}}");
    char *before = json_dumps(params, JSON_SORT_KEYS);

    (void)state;
    mock_server_respond(
        th_ms, 201,
        "{\"code\":\"Success\",\"message\":\"Connection has been created\",\"data\":{\"id\":"
        "\"new_conn\",\"group_id\":\"projected_sickle\",\"service\":\"google_analytics_4\","
        "\"paused\":true,\"sync_frequency\":60,\"schema\":\"ga4\",\"status\":{\"setup_state\":"
        "\"incomplete\",\"sync_state\":\"paused\"},\"connect_card\":{\"token\":\"tok.en\","
        "\"uri\":\"https://fivetran.com/connect-card/setup?auth=tok.en\"}}}");
    assert_int_equal(ftx_connectors_create(c, params, &k, &err), FTX_OK);
    th_assert_request(mock_server_request(th_ms, 0), "POST", "/v1/connections", NULL, V2);
    th_assert_json_eq(mock_server_request(th_ms, 0)->body,
                      "{\"group_id\":\"projected_sickle\",\"service\":\"google_analytics_4\","
                      "\"paused\":true,\"sync_frequency\":60,\"config\":{\"schema\":\"ga4\"},"
                      "\"connect_card_config\":{\"redirect_uri\":\"https://your.site/callback\","
                      "\"hide_setup_guide\":false}}");
    assert_string_equal(k->id, "new_conn");
    assert_string_equal(k->connect_card_token, "tok.en");
    assert_string_equal(k->connect_card_uri, "https://fivetran.com/connect-card/setup?auth=tok.en");
    /* the caller's params are untouched */
    char *after = json_dumps(params, JSON_SORT_KEYS);
    assert_string_equal(before, after);
    free(before);
    free(after);
    ftx_connector_free(k);
    json_decref(params);
    ftx_client_free(c);
}

/* Closed values with an embedded NUL ("auto\0x", "03:00\0") are not the closed values. */
static void test_closed_values_reject_embedded_nul(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_connector *k = NULL;
    ftx_error err = {0};
    json_t *p;

    (void)state;
    p = json_pack("{s:s,s:s,s:o}", "group_id", "g", "service", "pg", "schedule_type",
                  json_stringn("auto\0x", 6));
    assert_int_equal(ftx_connectors_create(c, p, &k, &err), FTX_ERR_INVALID_ARGUMENT);
    json_decref(p);
    p = json_pack("{s:i,s:o}", "sync_frequency", 1440, "daily_sync_time",
                  json_stringn("03:00\0", 6));
    assert_int_equal(ftx_connectors_update(c, "c1", p, &k, &err), FTX_ERR_INVALID_ARGUMENT);
    json_decref(p);
    assert_null(k);
    assert_int_equal(mock_server_request_count(th_ms), 0);
    ftx_client_free(c);
}

static void test_create_validates_before_sending(void **state)
{
    const char *bad[] = {
        "{\"service\":\"postgres\"}",
        "{\"group_id\":\"\",\"service\":\"postgres\"}",
        "{\"group_id\":\"g\"}",
        "{\"group_id\":\"g\",\"service\":5}",
        "{\"group_id\":\"g\",\"service\":\"pg\",\"sync_frequency\":7}",
        "{\"group_id\":\"g\",\"service\":\"pg\",\"sync_frequency\":\"60\"}",
        "{\"group_id\":\"g\",\"service\":\"pg\",\"sync_frequency\":0}",
        "{\"group_id\":\"g\",\"service\":\"pg\",\"schedule_type\":\"AUTO\"}",
        "{\"group_id\":\"g\",\"service\":\"pg\",\"daily_sync_time\":\"14:30\"}",
        "{\"group_id\":\"g\",\"service\":\"pg\",\"daily_sync_time\":\"24:00\"}",
        "[1]",
    };
    ftx_client *c = th_client(th_ms);
    ftx_connector *k = NULL;
    ftx_error err = {0};

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *p = th_json(bad[i]);
        assert_int_equal(ftx_connectors_create(c, p, &k, &err), FTX_ERR_INVALID_ARGUMENT);
        assert_null(k);
        json_decref(p);
    }
    assert_int_equal(ftx_connectors_create(c, NULL, &k, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(th_ms), 0);
    {
        json_t *p = th_json("{\"group_id\":\"g\",\"service\":\"pg\",\"sync_frequency\":45}");
        assert_int_equal(ftx_connectors_create(c, p, &k, &err), FTX_ERR_INVALID_ARGUMENT);
        assert_non_null(strstr(err.message, "1440"));
        json_decref(p);
    }
    ftx_client_free(c);
}

static void test_create_is_not_retried_after_ambiguous_failure(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_connector *k = NULL;
    ftx_error err = {0};
    json_t *p = th_json("{\"group_id\":\"g\",\"service\":\"pg\",\"sync_frequency\":1440,"
                        "\"schedule_type\":\"manual\",\"daily_sync_time\":\"23:00\"}");

    (void)state;
    mock_server_respond(th_ms, 503, "{\"code\":\"ServiceUnavailable\"}");
    mock_server_respond(th_ms, 201, CONNECTOR_MIN);
    assert_int_equal(ftx_connectors_create(c, p, &k, &err), FTX_ERR_OUTCOME_UNKNOWN);
    assert_int_equal(mock_server_request_count(th_ms), 1);
    assert_null(k);
    json_decref(p);
    ftx_client_free(c);
}

static void test_update_patch(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_connector *k = NULL;
    ftx_error err = {0};
    json_t *p = th_json("{\"paused\":true,\"sync_frequency\":60,\"config\":{\"host\":\"h\"}}");

    (void)state;
    mock_server_respond(th_ms, 200, CONNECTOR_MIN);
    assert_int_equal(ftx_connectors_update(c, "c1", p, &k, &err), FTX_OK);
    th_assert_request(mock_server_request(th_ms, 0), "PATCH", "/v1/connections/c1", NULL, V2);
    th_assert_json_eq(mock_server_request(th_ms, 0)->body,
                      "{\"paused\":true,\"sync_frequency\":60,\"config\":{\"host\":\"h\"}}");
    assert_true(ftx_connector_paused(k));
    ftx_connector_free(k);

    /* out is optional */
    mock_server_respond(th_ms, 200, CONNECTOR_MIN);
    assert_int_equal(ftx_connectors_update(c, "c1", p, NULL, &err), FTX_OK);
    json_decref(p);

    p = th_json("{\"sync_frequency\":90}");
    assert_int_equal(ftx_connectors_update(c, "c1", p, &k, &err), FTX_ERR_INVALID_ARGUMENT);
    json_decref(p);
    assert_int_equal(ftx_connectors_update(c, "c1", NULL, &k, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(th_ms), 2);
    ftx_client_free(c);
}

static void test_delete(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_error err = {0};

    (void)state;
    mock_server_respond(th_ms, 200,
                        "{\"code\":\"Success\",\"message\":\"Connection with id 'old' has been "
                        "deleted\"}");
    assert_int_equal(ftx_connectors_delete(c, "old", &err), FTX_OK);
    th_assert_request(mock_server_request(th_ms, 0), "DELETE", "/v1/connections/old", NULL, V2);
    mock_server_respond(th_ms, 404, "{\"code\":\"NotFound_Connector\",\"message\":\"gone\"}");
    assert_int_equal(ftx_connectors_delete(c, "old", &err), FTX_ERR_NOT_FOUND);
    ftx_client_free(c);
}

/* ---- sync / resync / pause / resume ---- */

static void test_sync_default_and_force(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_sync_options so = FTX_SYNC_OPTIONS_INIT;
    ftx_sync_result *r = NULL;
    ftx_error err = {0};

    (void)state;
    mock_server_respond(th_ms, 200,
                        "{\"code\":\"Success\",\"message\":\"Sync has been successfully triggered "
                        "for connection with id 'c1'\"}");
    assert_int_equal(ftx_connectors_sync(c, "c1", NULL, &r, &err), FTX_OK);
    th_assert_request(mock_server_request(th_ms, 0), "POST", "/v1/connections/c1/sync", NULL, V2);
    th_assert_json_eq(mock_server_request(th_ms, 0)->body, "{}");
    assert_int_equal(r->success, 1);
    assert_string_equal(r->message,
                        "Sync has been successfully triggered for connection with id 'c1'");
    assert_null(r->sync_state);
    ftx_sync_result_free(r);

    so.force = 1;
    mock_server_respond(
        th_ms, 200, "{\"code\":\"Success\",\"data\":{\"status\":{\"sync_state\":\"syncing\"}}}");
    assert_int_equal(ftx_connectors_sync(c, "c1", &so, &r, &err), FTX_OK);
    th_assert_json_eq(mock_server_request(th_ms, 1)->body, "{\"force\":true}");
    assert_string_equal(r->sync_state, "syncing");
    assert_null(r->message);
    ftx_sync_result_free(r);
    ftx_sync_result_free(NULL);

    so.version = 99;
    assert_int_equal(ftx_connectors_sync(c, "c1", &so, &r, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(th_ms), 2);
    ftx_client_free(c);
}

static void test_sync_is_retried_as_an_action(void **state)
{
    th_fake_clock fc;
    ftx_client *c;
    ftx_error err = {0};

    (void)state;
    th_fake_clock_init(&fc);
    c = th_client_clock(th_ms, &fc);
    mock_server_respond(th_ms, 503, "{\"code\":\"ServiceUnavailable\"}");
    mock_server_respond(th_ms, 200, "{\"code\":\"Success\"}");
    assert_int_equal(ftx_connectors_sync(c, "c1", NULL, NULL, &err), FTX_OK);
    assert_int_equal(mock_server_request_count(th_ms), 2);
    assert_int_equal(fc.nsleeps, 1);
    ftx_client_free(c);
    th_fake_clock_dispose(&fc);
}

static void test_resync_without_confirmation_sends_nothing(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_resync_options ro = FTX_RESYNC_OPTIONS_INIT;
    ftx_sync_result *r = NULL;
    ftx_error err = {0};

    (void)state;
    assert_int_equal(ftx_connectors_resync(c, "c1", NULL, &r, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "FTX_RESYNC_CONFIRM"));
    assert_int_equal(ftx_connectors_resync(c, "c1", &ro, &r, &err), FTX_ERR_INVALID_ARGUMENT);
    ro.confirm = 1; /* "true" is not the confirmation value */
    assert_int_equal(ftx_connectors_resync(c, "c1", &ro, &r, &err), FTX_ERR_INVALID_ARGUMENT);
    ro.confirm = 0xFFFFFFFFu;
    assert_int_equal(ftx_connectors_resync(c, "c1", &ro, &r, &err), FTX_ERR_INVALID_ARGUMENT);
    ro.confirm = FTX_RESYNC_CONFIRM;
    ro.version = 2;
    assert_int_equal(ftx_connectors_resync(c, "c1", &ro, &r, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_null(r);
    assert_int_equal(mock_server_request_count(th_ms), 0);
    ftx_client_free(c);
}

static void test_resync_confirmed_with_and_without_scope(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_resync_options ro = FTX_RESYNC_OPTIONS_INIT;
    ftx_sync_result *r = NULL;
    ftx_error err = {0};
    json_t *scope = th_json("{\"public\":[\"users\",\"orders\"],\"sales\":[\"deals\"]}");

    (void)state;
    ro.confirm = FTX_RESYNC_CONFIRM;
    mock_server_respond(th_ms, 200,
                        "{\"code\":\"Success\",\"message\":\"Re-sync has been triggered "
                        "successfully\"}");
    assert_int_equal(ftx_connectors_resync(c, "c1", &ro, &r, &err), FTX_OK);
    th_assert_request(mock_server_request(th_ms, 0), "POST", "/v1/connections/c1/resync", NULL, V2);
    th_assert_json_eq(mock_server_request(th_ms, 0)->body, "{}");
    assert_string_equal(r->message, "Re-sync has been triggered successfully");
    ftx_sync_result_free(r);

    ro.scope = scope;
    mock_server_respond(th_ms, 200, "{\"code\":\"Success\"}");
    assert_int_equal(ftx_connectors_resync(c, "c1", &ro, NULL, &err), FTX_OK);
    th_assert_json_eq(mock_server_request(th_ms, 1)->body,
                      "{\"scope\":{\"public\":[\"users\",\"orders\"],\"sales\":[\"deals\"]}}");
    json_decref(scope);

    mock_server_respond(th_ms, 409, "{\"code\":\"Conflict\",\"message\":\"sync running\"}");
    ro.scope = NULL;
    assert_int_equal(ftx_connectors_resync(c, "c1", &ro, &r, &err), FTX_ERR_CONFLICT);
    assert_null(r);
    ftx_client_free(c);
}

static void test_resync_rejects_bad_scope(void **state)
{
    const char *bad[] = {"{}",
                         "[]",
                         "{\"public\":[]}",
                         "{\"public\":\"users\"}",
                         "{\"public\":[\"\"]}",
                         "{\"public\":[1]}"};
    ftx_client *c = th_client(th_ms);
    ftx_resync_options ro = FTX_RESYNC_OPTIONS_INIT;
    ftx_error err = {0};

    (void)state;
    ro.confirm = FTX_RESYNC_CONFIRM;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *s = th_json(bad[i]);
        ro.scope = s;
        assert_int_equal(ftx_connectors_resync(c, "c1", &ro, NULL, &err), FTX_ERR_INVALID_ARGUMENT);
        json_decref(s);
    }
    assert_int_equal(mock_server_request_count(th_ms), 0);
    ftx_client_free(c);
}

static void test_pause_and_resume(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_connector *k = NULL;
    ftx_error err = {0};

    (void)state;
    mock_server_respond(th_ms, 200, CONNECTOR_MIN);
    assert_int_equal(ftx_connectors_pause(c, "c1", &k, &err), FTX_OK);
    th_assert_request(mock_server_request(th_ms, 0), "PATCH", "/v1/connections/c1", NULL, V2);
    th_assert_json_eq(mock_server_request(th_ms, 0)->body, "{\"paused\":true}");
    assert_true(ftx_connector_paused(k));
    ftx_connector_free(k);

    mock_server_respond(th_ms, 200,
                        "{\"code\":\"Success\",\"data\":{\"id\":\"c1\",\"paused\":false,"
                        "\"status\":{\"sync_state\":\"scheduled\"}}}");
    assert_int_equal(ftx_connectors_resume(c, "c1", &k, &err), FTX_OK);
    th_assert_request(mock_server_request(th_ms, 1), "PATCH", "/v1/connections/c1", NULL, V2);
    th_assert_json_eq(mock_server_request(th_ms, 1)->body, "{\"paused\":false}");
    assert_false(ftx_connector_paused(k));
    assert_string_equal(ftx_connector_sync_state(k), "scheduled");
    ftx_connector_free(k);
    ftx_client_free(c);
}

/* ---- state, sync status, frequency ---- */

static void test_get_state(void **state)
{
    ftx_client *c = th_client(th_ms);
    json_t *st = NULL;
    ftx_error err = {0};

    (void)state;
    mock_server_respond(
        th_ms, 200,
        "{\"code\":\"Success\",\"message\":\"Connection state retrieved "
        "successfully\",\"data\":{\"state\":{\"cursor\":\"2024-01-01T00:00:00Z\"}}}");
    assert_int_equal(ftx_connectors_get_state(c, "fn_conn", &st, &err), FTX_OK);
    th_assert_request(mock_server_request(th_ms, 0), "GET", "/v1/connections/fn_conn/state", NULL,
                      V2);
    assert_string_equal(json_string_value(json_object_get(json_object_get(st, "state"), "cursor")),
                        "2024-01-01T00:00:00Z");
    json_decref(st);

    mock_server_respond(th_ms, 405,
                        "{\"code\":\"MethodNotAllowed\",\"message\":\"Not a function "
                        "connector error\"}");
    assert_int_equal(ftx_connectors_get_state(c, "pg", &st, &err), FTX_ERR_UNKNOWN);
    assert_null(st);
    assert_int_equal(err.status, 405);
    ftx_client_free(c);
}

static void test_get_sync_status(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_sync_status *s = NULL;
    ftx_error err = {0};

    (void)state;
    th_respond_fixture(th_ms, 200, "connectors/connector_details.json");
    assert_int_equal(ftx_connectors_get_sync_status(c, "speak_inexpensive", &s, &err), FTX_OK);
    th_assert_request(mock_server_request(th_ms, 0), "GET", "/v1/connections/speak_inexpensive",
                      NULL, V2);
    assert_string_equal(s->sync_state, "rescheduled");
    assert_string_equal(s->update_state, "delayed");
    assert_int_equal(s->is_historical_sync, 1);
    assert_true(s->succeeded_at.valid);
    assert_int_equal(s->succeeded_at.epoch_ms, 1733067809013LL);
    assert_string_equal(s->failed_at.iso, "2024-11-30T08:00:00Z");
    assert_int_equal(s->failed_at.epoch_ms, 1732953600000LL);
    assert_non_null(s->raw);
    assert_false(ftx_sync_status_syncing(s));
    assert_false(ftx_sync_status_paused(s));
    assert_false(ftx_sync_status_scheduled(s));
    ftx_sync_status_free(s);
    ftx_client_free(c);
}

static void test_sync_status_from_connector_helpers(void **state)
{
    const char *states[] = {"syncing", "paused", "scheduled"};
    ftx_sync_status *s = NULL;

    (void)state;
    for (int i = 0; i < 3; i++) {
        char text[256];
        ftx_connector *k = NULL;
        json_t *j;
        (void)snprintf(text, sizeof(text),
                       "{\"status\":{\"sync_state\":\"%s\",\"is_historical_sync\":false,"
                       "\"update_state\":\"on_schedule\"},\"succeeded_at\":"
                       "\"2024-01-01T00:00:00Z\",\"failed_at\":null}",
                       states[i]);
        j = th_json(text);
        assert_int_equal(ftx_connector_from_json(j, &k, NULL), FTX_OK);
        json_decref(j);
        assert_int_equal(ftx_sync_status_from_connector(k, &s, NULL), FTX_OK);
        ftx_connector_free(k);
        assert_string_equal(s->sync_state, states[i]);
        assert_int_equal(s->succeeded_at.epoch_ms, 1704067200000LL);
        assert_null(s->failed_at.iso);
        assert_int_equal(ftx_sync_status_syncing(s), i == 0);
        assert_int_equal(ftx_sync_status_paused(s), i == 1);
        assert_int_equal(ftx_sync_status_scheduled(s), i == 2);
        ftx_sync_status_free(s);
    }
    assert_int_equal(ftx_sync_status_from_connector(NULL, &s, NULL), FTX_ERR_INVALID_ARGUMENT);
    assert_false(ftx_sync_status_syncing(NULL));
    assert_false(ftx_sync_status_paused(NULL));
    assert_false(ftx_sync_status_scheduled(NULL));
    ftx_sync_status_free(NULL);
}

static void test_set_sync_frequency(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_sync_frequency_options fo = FTX_SYNC_FREQUENCY_OPTIONS_INIT;
    ftx_connector *k = NULL;
    ftx_error err = {0};

    (void)state;
    mock_server_respond(th_ms, 200, CONNECTOR_MIN);
    assert_int_equal(ftx_connectors_set_sync_frequency(c, "c1", 60, NULL, &k, &err), FTX_OK);
    th_assert_request(mock_server_request(th_ms, 0), "PATCH", "/v1/connections/c1", NULL, V2);
    th_assert_json_eq(mock_server_request(th_ms, 0)->body, "{\"sync_frequency\":60}");
    ftx_connector_free(k);

    fo.schedule_type = "manual";
    fo.daily_sync_time = "14:00";
    mock_server_respond(th_ms, 200, CONNECTOR_MIN);
    assert_int_equal(ftx_connectors_set_sync_frequency(c, "c1", 1440, &fo, NULL, &err), FTX_OK);
    th_assert_json_eq(mock_server_request(th_ms, 1)->body,
                      "{\"sync_frequency\":1440,\"schedule_type\":\"manual\","
                      "\"daily_sync_time\":\"14:00\"}");
    ftx_client_free(c);
}

static void test_set_sync_frequency_rejects_before_sending(void **state)
{
    const int bad_minutes[] = {0, -1, 2, 7, 10, 45, 90, 1441, 10080};
    const char *bad_types[] = {"Auto", "MANUAL", "", "cron"};
    const char *bad_times[] = {"14:30", "24:00", "4:00", "04:00:00", "ab:00", "", "2x:00"};
    ftx_client *c = th_client(th_ms);
    ftx_sync_frequency_options fo = FTX_SYNC_FREQUENCY_OPTIONS_INIT;
    ftx_error err = {0};

    (void)state;
    for (size_t i = 0; i < sizeof(bad_minutes) / sizeof(bad_minutes[0]); i++) {
        assert_int_equal(
            ftx_connectors_set_sync_frequency(c, "c1", bad_minutes[i], NULL, NULL, &err),
            FTX_ERR_INVALID_ARGUMENT);
        assert_non_null(strstr(err.message, "1, 5, 15, 30, 60, 120, 180, 360, 480, 720 or 1440"));
    }
    for (size_t i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++) {
        fo.schedule_type = bad_types[i];
        assert_int_equal(ftx_connectors_set_sync_frequency(c, "c1", 60, &fo, NULL, &err),
                         FTX_ERR_INVALID_ARGUMENT);
    }
    fo.schedule_type = NULL;
    for (size_t i = 0; i < sizeof(bad_times) / sizeof(bad_times[0]); i++) {
        fo.daily_sync_time = bad_times[i];
        assert_int_equal(ftx_connectors_set_sync_frequency(c, "c1", 1440, &fo, NULL, &err),
                         FTX_ERR_INVALID_ARGUMENT);
    }
    assert_int_equal(mock_server_request_count(th_ms), 0);

    /* every accepted value goes through */
    const int ok_minutes[] = {1, 5, 15, 30, 60, 120, 180, 360, 480, 720, 1440};
    fo.daily_sync_time = "00:00";
    for (size_t i = 0; i < sizeof(ok_minutes) / sizeof(ok_minutes[0]); i++) {
        mock_server_respond(th_ms, 200, CONNECTOR_MIN);
        assert_int_equal(ftx_connectors_set_sync_frequency(c, "c1", ok_minutes[i], &fo, NULL, &err),
                         FTX_OK);
    }
    assert_int_equal(mock_server_request_count(th_ms), 11);
    ftx_client_free(c);
}

/* ---- setup tests and connect card ---- */

static void test_setup_tests_and_connect_card(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_connector *k = NULL;
    json_t *cc = NULL, *cfg;
    ftx_error err = {0};

    (void)state;
    mock_server_respond(th_ms, 200,
                        "{\"code\":\"Success\",\"data\":{\"id\":\"c1\",\"setup_tests\":[{\"title\":"
                        "\"Connecting\",\"status\":\"PASSED\"}],\"status\":{\"setup_state\":"
                        "\"connected\"}}}");
    assert_int_equal(ftx_connectors_test(c, "c1", NULL, &k, &err), FTX_OK);
    th_assert_request(mock_server_request(th_ms, 0), "POST", "/v1/connections/c1/test", NULL, V2);
    th_assert_json_eq(mock_server_request(th_ms, 0)->body, "{}");
    assert_string_equal(k->setup_state, "connected");
    assert_int_equal(k->setup_test_count, 1);
    assert_string_equal(k->setup_tests[0]->title, "Connecting");
    assert_string_equal(k->setup_tests[0]->status, "PASSED");
    ftx_connector_free(k);

    cfg = th_json("{\"redirect_uri\":\"https://app/cb\",\"hide_setup_guide\":true}");
    mock_server_respond(
        th_ms, 200,
        "{\"code\":\"Success\",\"data\":{\"connector_id\":\"c1\",\"connect_card\":{"
        "\"token\":\"t\",\"uri\":\"https://fivetran.com/connect-card/setup?auth=t\"}}}");
    assert_int_equal(ftx_connectors_connect_card(c, "c1", cfg, &cc, &err), FTX_OK);
    th_assert_request(mock_server_request(th_ms, 1), "POST", "/v1/connections/c1/connect-card",
                      NULL, V2);
    th_assert_json_eq(mock_server_request(th_ms, 1)->body,
                      "{\"connect_card_config\":{\"redirect_uri\":\"https://app/cb\","
                      "\"hide_setup_guide\":true}}");
    assert_string_equal(json_string_value(json_object_get(cc, "connector_id")), "c1");
    json_decref(cc);
    json_decref(cfg);

    cfg = th_json("{\"redirect_uri\":\"ftp://x\"}");
    assert_int_equal(ftx_connectors_connect_card(c, "c1", cfg, &cc, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    json_decref(cfg);
    assert_int_equal(mock_server_request_count(th_ms), 2);
    ftx_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_get_parses_every_field, th_reset),
        cmocka_unit_test_setup(test_closed_values_reject_embedded_nul, th_reset),
        cmocka_unit_test_setup(test_get_minimal_and_helpers, th_reset),
        cmocka_unit_test_setup(test_get_hostile_and_missing_ids, th_reset),
        cmocka_unit_test_setup(test_get_errors, th_reset),
        cmocka_unit_test_setup(test_from_json_tolerant, th_reset),
        cmocka_unit_test_setup(test_dup_is_independent, th_reset),
        cmocka_unit_test_setup(test_decode_survives_every_allocation_failure, th_reset),
        cmocka_unit_test_setup(test_list_group_page, th_reset),
        cmocka_unit_test_setup(test_stream_group_is_lazy, th_reset),
        cmocka_unit_test_setup(test_stream_all_is_lazy_and_stops_early, th_reset),
        cmocka_unit_test_setup(test_list_all_page, th_reset),
        cmocka_unit_test_setup(test_list_filters, th_reset),
        cmocka_unit_test_setup(test_other_lists_take_no_filters, th_reset),
        cmocka_unit_test_setup(test_create_sends_body_and_exposes_connect_card, th_reset),
        cmocka_unit_test_setup(test_create_validates_before_sending, th_reset),
        cmocka_unit_test_setup(test_create_is_not_retried_after_ambiguous_failure, th_reset),
        cmocka_unit_test_setup(test_update_patch, th_reset),
        cmocka_unit_test_setup(test_delete, th_reset),
        cmocka_unit_test_setup(test_sync_default_and_force, th_reset),
        cmocka_unit_test_setup(test_sync_is_retried_as_an_action, th_reset),
        cmocka_unit_test_setup(test_resync_without_confirmation_sends_nothing, th_reset),
        cmocka_unit_test_setup(test_resync_confirmed_with_and_without_scope, th_reset),
        cmocka_unit_test_setup(test_resync_rejects_bad_scope, th_reset),
        cmocka_unit_test_setup(test_pause_and_resume, th_reset),
        cmocka_unit_test_setup(test_get_state, th_reset),
        cmocka_unit_test_setup(test_get_sync_status, th_reset),
        cmocka_unit_test_setup(test_sync_status_from_connector_helpers, th_reset),
        cmocka_unit_test_setup(test_set_sync_frequency, th_reset),
        cmocka_unit_test_setup(test_set_sync_frequency_rejects_before_sending, th_reset),
        cmocka_unit_test_setup(test_setup_tests_and_connect_card, th_reset),
        cmocka_unit_test_setup(test_get_parses_link_ids_and_setup_tests, th_reset),
        cmocka_unit_test(test_link_ids_alias_and_absent),
    };
    return cmocka_run_group_tests(tests, th_group_setup, th_group_teardown);
}
