/*
 * Destinations against the in-test server: the exact request of every call
 * (method, raw path, query, Accept, JSON body) and every field parsed from the
 * shapes in fivetran-api.md 3.6.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fivetrex/fivetrex.h"
#include "internal.h"
#include "mock_server.h"
#include "test_helpers.h"

#define ACCEPT_V2 "application/json;version=2"

typedef th_fixture fixture;

static char *read_fixture(const char *name)
{
    char path[128];

    (void)snprintf(path, sizeof(path), "destinations/%s", name);
    return th_read_fixture(path);
}

static void respond_fixture(fixture *fx, int status, const char *name)
{
    char *body = read_fixture(name);

    mock_server_respond(fx->ms, status, body);
    free(body);
}

/* Assert request `i`. `query` and `body` NULL mean none was sent. */
static const mock_request *assert_request(fixture *fx, size_t i, const char *method,
                                          const char *path, const char *query, const char *body)
{
    return th_assert_call(fx->ms, i, method, path, query, ACCEPT_V2, body);
}

static void assert_snowflake(const ftx_destination *d)
{
    assert_non_null(d);
    assert_string_equal(d->id, "decent_dropsy");
    assert_string_equal(d->group_id, "decent_dropsy");
    assert_string_equal(d->service, "snowflake");
    assert_string_equal(d->region, "GCP_US_EAST4");
    assert_string_equal(d->time_zone_offset, "-5");
    assert_string_equal(d->setup_status, "connected");
    assert_int_equal(d->daylight_saving_time_enabled, 1);
    assert_string_equal(d->networking_method, "PrivateLink");
    assert_string_equal(d->private_link_id, "pl_sunny_daze");
    assert_string_equal(d->hybrid_deployment_agent_id, "hda_quiet_owl");
    assert_string_equal(d->proxy_agent_id, "proxy_brave_fox");
    assert_string_equal(d->external_secrets_manager_id, "esm_tidy_elk");
    assert_true(json_is_object(d->config));
    assert_string_equal(json_string_value(json_object_get(d->config, "host")),
                        "your-account.snowflakecomputing.com");
    assert_int_equal(json_integer_value(json_object_get(d->config, "port")), 443);
    assert_string_equal(json_string_value(json_object_get(d->config, "password")), "******");
    assert_int_equal(d->setup_test_count, 3);
    assert_string_equal(d->setup_tests[0]->title, "Host Connection");
    assert_string_equal(d->setup_tests[0]->status, "PASSED");
    assert_string_equal(d->setup_tests[0]->message, "");
    assert_null(d->setup_tests[0]->details);
    assert_string_equal(d->setup_tests[1]->title, "Database Connection");
    assert_string_equal(d->setup_tests[2]->title, "Permission Test");
    assert_string_equal(d->setup_tests[2]->status, "WARNING");
    assert_string_equal(d->setup_tests[2]->message, "Missing grant");
    assert_string_equal(json_string_value(json_object_get(d->setup_tests[2]->details, "grant")),
                        "USAGE");
    assert_true(json_is_object(d->raw));
    assert_string_equal(json_string_value(json_object_get(d->raw, "id")), "decent_dropsy");
    assert_true(ftx_destination_connected(d));
}

/* ---- get ---- */

static void test_destinations_get_parses_every_field(void **state)
{
    fixture *fx = *state;
    ftx_destination *d = NULL;
    ftx_error err = {0};

    respond_fixture(fx, 200, "destination_snowflake.json");
    assert_int_equal(ftx_destinations_get(fx->client, "decent_dropsy", &d, &err), FTX_OK);
    assert_snowflake(d);
    assert_int_equal(mock_server_request_count(fx->ms), 1);
    assert_request(fx, 0, "GET", "/v1/destinations/decent_dropsy", NULL, NULL);
    ftx_destination_free(d);
}

static void test_destinations_get_encodes_hostile_id(void **state)
{
    fixture *fx = *state;
    ftx_destination *d = NULL;

    respond_fixture(fx, 200, "destination_snowflake.json");
    assert_int_equal(ftx_destinations_get(fx->client, "../groups/x?y=1#z", &d, NULL), FTX_OK);
    assert_request(fx, 0, "GET", "/v1/destinations/..%2Fgroups%2Fx%3Fy%3D1%23z", NULL, NULL);
    ftx_destination_free(d);

    mock_server_reset(fx->ms);
    respond_fixture(fx, 200, "destination_snowflake.json");
    assert_int_equal(ftx_destinations_get(fx->client, "..", &d, NULL), FTX_OK);
    assert_request(fx, 0, "GET", "/v1/destinations/%2E%2E", NULL, NULL);
    ftx_destination_free(d);
}

static void test_destinations_get_rejects_missing_id(void **state)
{
    fixture *fx = *state;
    ftx_destination *d = (ftx_destination *)(uintptr_t)1;
    ftx_destination_test_result *r = NULL;
    json_t *params;
    ftx_error err = {0};

    assert_int_equal(ftx_destinations_get(fx->client, NULL, &d, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_null(d);
    assert_int_equal(ftx_destinations_get(fx->client, "", &d, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_destinations_get(NULL, "x", &d, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_destinations_get(fx->client, "x", NULL, &err), FTX_ERR_INVALID_ARGUMENT);
    params = json_object();
    assert_int_equal(ftx_destinations_update(fx->client, "", params, &d, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    json_decref(params);
    assert_int_equal(ftx_destinations_delete(fx->client, NULL, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_destinations_test(fx->client, "", NULL, &r, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(fx->ms), 0);
}

static void test_destinations_get_not_found(void **state)
{
    fixture *fx = *state;
    ftx_destination *d = NULL;
    ftx_error err = {0};

    mock_server_respond(fx->ms, 404,
                        "{\"code\":\"NotFound_Destination\",\"message\":\"Destination with id "
                        "'nope' not found\"}");
    assert_int_equal(ftx_destinations_get(fx->client, "nope", &d, &err), FTX_ERR_NOT_FOUND);
    assert_null(d);
    assert_int_equal(err.type, FTX_ERR_NOT_FOUND);
    assert_int_equal(err.status, 404);
    assert_string_equal(err.code, "NotFound_Destination");
    assert_int_equal(mock_server_request_count(fx->ms), 1);
}

static void test_destinations_get_decode_errors(void **state)
{
    fixture *fx = *state;
    ftx_destination *d = NULL;
    ftx_error err = {0};

    mock_server_respond(fx->ms, 200, "{\"code\":\"Success\",\"data\":{\"id\":");
    assert_int_equal(ftx_destinations_get(fx->client, "x", &d, &err), FTX_ERR_DECODE);
    assert_null(d);
    mock_server_respond(fx->ms, 200, "{\"code\":\"Success\",\"data\":[1,2]}");
    assert_int_equal(ftx_destinations_get(fx->client, "x", &d, &err), FTX_ERR_DECODE);
    assert_null(d);
    /* An object without an id is not a destination. */
    mock_server_respond(fx->ms, 200, "{\"code\":\"Success\",\"data\":{\"service\":\"redshift\"}}");
    assert_int_equal(ftx_destinations_get(fx->client, "x", &d, &err), FTX_ERR_DECODE);
    assert_null(d);
}

/* ---- create ---- */

static const char *create_body = "{\"group_id\":\"decent_dropsy\",\"service\":\"snowflake\","
                                 "\"region\":\"GCP_US_EAST4\",\"time_zone_offset\":\"-5\","
                                 "\"trust_certificates\":true,\"run_setup_tests\":true,"
                                 "\"config\":{\"host\":\"your-account.snowflakecomputing.com\","
                                 "\"port\":443,\"database\":\"fivetran\",\"auth\":\"PASSWORD\","
                                 "\"user\":\"fivetran_user\",\"password\":\"hunter2\"}}";

static void test_destinations_create_sends_body(void **state)
{
    fixture *fx = *state;
    json_t *params = json_loads(create_body, 0, NULL);
    ftx_destination *d = NULL;
    ftx_error err = {0};

    assert_non_null(params);
    respond_fixture(fx, 201, "destination_snowflake.json");
    assert_int_equal(ftx_destinations_create(fx->client, params, &d, &err), FTX_OK);
    assert_snowflake(d);
    assert_int_equal(mock_server_request_count(fx->ms), 1);
    assert_request(fx, 0, "POST", "/v1/destinations", NULL, create_body);
    /* The caller's reference is not stolen. */
    assert_int_equal(params->refcount, 1);
    json_decref(params);
    ftx_destination_free(d);
}

static void test_destinations_create_minimal_and_unknown_region(void **state)
{
    fixture *fx = *state;
    json_t *params = json_pack("{s:s, s:s, s:s, s:s}", "group_id", "g", "service", "some_future_wh",
                               "time_zone_offset", "0", "region", "MARS_OLYMPUS_1");
    ftx_destination *d = NULL;

    respond_fixture(fx, 201, "destination_snowflake.json");
    assert_int_equal(ftx_destinations_create(fx->client, params, &d, NULL), FTX_OK);
    assert_request(fx, 0, "POST", "/v1/destinations", NULL,
                   "{\"group_id\":\"g\",\"service\":\"some_future_wh\","
                   "\"time_zone_offset\":\"0\",\"region\":\"MARS_OLYMPUS_1\"}");
    json_decref(params);
    ftx_destination_free(d);
}

static void expect_create_refused(fixture *fx, const char *body, const char *needle)
{
    json_t *params = body ? json_loads(body, 0, NULL) : NULL;
    ftx_destination *d = NULL;
    ftx_error err = {0};

    if (body != NULL)
        assert_non_null(params);
    assert_int_equal(ftx_destinations_create(fx->client, params, &d, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_null(d);
    assert_int_equal(err.type, FTX_ERR_INVALID_ARGUMENT);
    if (strstr(err.message, needle) == NULL)
        fail_msg("message \"%s\" does not name \"%s\" (body %s)", err.message, needle,
                 body ? body : "NULL");
    assert_int_equal(mock_server_request_count(fx->ms), 0);
    json_decref(params);
}

static void test_destinations_create_requires_fields(void **state)
{
    fixture *fx = *state;

    expect_create_refused(fx, NULL, "params");
    expect_create_refused(fx, "[]", "params");
    expect_create_refused(fx, "{\"service\":\"snowflake\",\"time_zone_offset\":\"-5\"}",
                          "group_id");
    expect_create_refused(
        fx, "{\"group_id\":\"\",\"service\":\"snowflake\",\"time_zone_offset\":\"-5\"}",
        "group_id");
    expect_create_refused(
        fx, "{\"group_id\":null,\"service\":\"snowflake\",\"time_zone_offset\":\"-5\"}",
        "group_id");
    expect_create_refused(fx, "{\"group_id\":\"g\",\"time_zone_offset\":\"-5\"}", "service");
    expect_create_refused(fx, "{\"group_id\":\"g\",\"service\":7,\"time_zone_offset\":\"-5\"}",
                          "service");
    expect_create_refused(fx, "{\"group_id\":\"g\",\"service\":\"snowflake\"}", "time_zone_offset");
    expect_create_refused(fx,
                          "{\"group_id\":\"g\",\"service\":\"snowflake\",\"time_zone_offset\":-5}",
                          "time_zone_offset");
    expect_create_refused(
        fx, "{\"group_id\":\"g\",\"service\":\"snowflake\",\"time_zone_offset\":\"5\"}",
        "time_zone_offset");
    expect_create_refused(
        fx, "{\"group_id\":\"g\",\"service\":\"snowflake\",\"time_zone_offset\":\"-12\"}",
        "time_zone_offset");
    expect_create_refused(
        fx, "{\"group_id\":\"g\",\"service\":\"snowflake\",\"time_zone_offset\":\"+0\"}",
        "time_zone_offset");
    expect_create_refused(fx,
                          "{\"group_id\":\"g\",\"service\":\"snowflake\","
                          "\"time_zone_offset\":\"-5\",\"region\":3}",
                          "region");
    expect_create_refused(fx,
                          "{\"group_id\":\"g\",\"service\":\"snowflake\","
                          "\"time_zone_offset\":\"-5\",\"config\":\"host=x\"}",
                          "config");
}

static void test_destination_time_zone_offsets(void **state)
{
    static const char *valid[] = {"-11", "-10", "-9", "-8", "-7", "-6",  "-5",  "-4",
                                  "-3",  "-2",  "-1", "0",  "+1", "+2",  "+3",  "+4",
                                  "+5",  "+6",  "+7", "+8", "+9", "+10", "+11", "+12"};
    static const char *invalid[] = {"",    "-12", "+13", "1",     "12",  "-0",   "+0", "00",
                                    "-5 ", " -5", "-05", "+1:00", "UTC", "-5.5", "--5"};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
        assert_true(ftx_destination_time_zone_offset_valid(valid[i]));
    for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
        if (ftx_destination_time_zone_offset_valid(invalid[i]))
            fail_msg("\"%s\" accepted", invalid[i]);
    assert_false(ftx_destination_time_zone_offset_valid(NULL));
}

static void test_destinations_create_not_retried(void **state)
{
    fixture *fx = *state;
    json_t *params = json_pack("{s:s, s:s, s:s}", "group_id", "g", "service", "snowflake",
                               "time_zone_offset", "+1");
    ftx_destination *d = NULL;
    ftx_error err = {0};

    mock_server_respond(fx->ms, 503, "{\"code\":\"ServiceUnavailable\",\"message\":\"down\"}");
    mock_server_respond(fx->ms, 201, "{\"code\":\"Success\",\"data\":{\"id\":\"g\"}}");
    assert_int_equal(ftx_destinations_create(fx->client, params, &d, &err),
                     FTX_ERR_OUTCOME_UNKNOWN);
    assert_null(d);
    assert_int_equal(mock_server_request_count(fx->ms), 1);

    /* 404: the group does not exist. */
    mock_server_reset(fx->ms);
    mock_server_respond(fx->ms, 404,
                        "{\"code\":\"NotFound\",\"message\":\"Destination with id g not found\"}");
    assert_int_equal(ftx_destinations_create(fx->client, params, &d, &err), FTX_ERR_NOT_FOUND);
    assert_int_equal(err.status, 404);

    /* 400 InvalidInput. */
    mock_server_reset(fx->ms);
    mock_server_respond(fx->ms, 400, "{\"code\":\"InvalidInput\",\"message\":\"bad config\"}");
    assert_int_equal(ftx_destinations_create(fx->client, params, &d, &err), FTX_ERR_BAD_REQUEST);
    assert_string_equal(err.code, "InvalidInput");
    assert_int_equal(mock_server_request_count(fx->ms), 1);
    json_decref(params);
}

/* ---- update ---- */

static void test_destinations_update_sends_patch(void **state)
{
    fixture *fx = *state;
    const char *body = "{\"time_zone_offset\":\"+1\",\"region\":\"AWS_EU_WEST_1\","
                       "\"config\":{\"password\":\"new\"},\"run_setup_tests\":false}";
    json_t *params = json_loads(body, 0, NULL);
    ftx_destination *d = NULL;
    ftx_error err = {0};

    respond_fixture(fx, 200, "destination_snowflake.json");
    assert_int_equal(ftx_destinations_update(fx->client, "decent_dropsy", params, &d, &err),
                     FTX_OK);
    assert_snowflake(d);
    assert_request(fx, 0, "PATCH", "/v1/destinations/decent_dropsy", NULL, body);
    json_decref(params);
    ftx_destination_free(d);

    /* time_zone_offset may be left out (the seed's examples do). */
    mock_server_reset(fx->ms);
    params = json_pack("{s:{s:s}}", "config", "password", "x");
    respond_fixture(fx, 200, "destination_snowflake.json");
    assert_int_equal(ftx_destinations_update(fx->client, "a/b", params, &d, &err), FTX_OK);
    assert_request(fx, 0, "PATCH", "/v1/destinations/a%2Fb", NULL,
                   "{\"config\":{\"password\":\"x\"}}");
    json_decref(params);
    ftx_destination_free(d);
}

static void test_destinations_update_validates_offset(void **state)
{
    fixture *fx = *state;
    json_t *params = json_pack("{s:s}", "time_zone_offset", "+13");
    ftx_destination *d = NULL;
    ftx_error err = {0};

    assert_int_equal(ftx_destinations_update(fx->client, "x", params, &d, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "time_zone_offset"));
    json_decref(params);
    assert_int_equal(ftx_destinations_update(fx->client, "x", NULL, &d, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    params = json_pack("{s:i}", "config", 1);
    assert_int_equal(ftx_destinations_update(fx->client, "x", params, &d, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    json_decref(params);
    assert_null(d);
    assert_int_equal(mock_server_request_count(fx->ms), 0);
}

/* ---- delete ---- */

static void test_destinations_delete(void **state)
{
    fixture *fx = *state;
    ftx_error err = {0};

    mock_server_respond(fx->ms, 200,
                        "{\"code\":\"Success\",\"message\":\"Destination with id "
                        "'decent_dropsy' has been deleted\"}");
    assert_int_equal(ftx_destinations_delete(fx->client, "decent_dropsy", &err), FTX_OK);
    assert_request(fx, 0, "DELETE", "/v1/destinations/decent_dropsy", NULL, NULL);

    mock_server_respond(fx->ms, 409,
                        "{\"code\":\"Conflict\",\"message\":\"Destination has connections\"}");
    assert_int_equal(ftx_destinations_delete(fx->client, "decent_dropsy", &err), FTX_ERR_CONFLICT);
    assert_int_equal(err.status, 409);
    assert_string_equal(err.code, "Conflict");
    assert_int_equal(mock_server_request_count(fx->ms), 2);

    mock_server_respond(fx->ms, 404, "{\"code\":\"NotFound_Destination\",\"message\":\"no\"}");
    assert_int_equal(ftx_destinations_delete(fx->client, "?", &err), FTX_ERR_NOT_FOUND);
    assert_request(fx, 2, "DELETE", "/v1/destinations/%3F", NULL, NULL);
}

/* ---- test ---- */

static void test_destinations_test_parses_results(void **state)
{
    fixture *fx = *state;
    ftx_destination_test_result *r = NULL;
    ftx_error err = {0};

    respond_fixture(fx, 200, "destination_test_failed.json");
    assert_int_equal(ftx_destinations_test(fx->client, "decent_dropsy", NULL, &r, &err), FTX_OK);
    assert_request(fx, 0, "POST", "/v1/destinations/decent_dropsy/test", NULL, "{}");
    assert_non_null(r);
    assert_string_equal(r->setup_status, "BROKEN");
    assert_int_equal(r->setup_test_count, 3);
    assert_string_equal(r->setup_tests[0]->title, "Host Connection");
    assert_string_equal(r->setup_tests[0]->status, "PASSED");
    assert_string_equal(r->setup_tests[1]->title, "Validate Login");
    assert_string_equal(r->setup_tests[1]->status, "FAILED");
    assert_string_equal(r->setup_tests[1]->message, "Invalid login credentials.");
    assert_string_equal(json_string_value(json_object_get(r->setup_tests[1]->details, "sqlState")),
                        "28P01");
    assert_int_equal(json_integer_value(json_object_get(r->setup_tests[1]->details, "attempts")),
                     3);
    assert_string_equal(r->setup_tests[2]->title, "Check Permissions");
    assert_string_equal(r->setup_tests[2]->status, "SKIPPED");
    assert_null(r->setup_tests[2]->message);
    assert_null(r->setup_tests[2]->details);
    assert_string_equal(json_string_value(json_object_get(r->raw, "service")),
                        "postgres_rds_warehouse");
    ftx_destination_test_result_free(r);
}

static void test_destinations_test_trust_flags(void **state)
{
    fixture *fx = *state;
    ftx_destination_test_options o = FTX_DESTINATION_TEST_OPTIONS_INIT;
    ftx_destination_test_result *r = NULL;
    ftx_error err = {0};

    o.trust_certificates = 1;
    o.trust_fingerprints = 1;
    respond_fixture(fx, 200, "destination_snowflake.json");
    assert_int_equal(ftx_destinations_test(fx->client, "decent_dropsy", &o, &r, &err), FTX_OK);
    assert_request(fx, 0, "POST", "/v1/destinations/decent_dropsy/test", NULL,
                   "{\"trust_certificates\":true,\"trust_fingerprints\":true}");
    assert_string_equal(r->setup_status, "connected");
    assert_int_equal(r->setup_test_count, 3);
    ftx_destination_test_result_free(r);

    o.trust_fingerprints = 0;
    respond_fixture(fx, 200, "destination_snowflake.json");
    assert_int_equal(ftx_destinations_test(fx->client, "decent_dropsy", &o, &r, &err), FTX_OK);
    assert_request(fx, 1, "POST", "/v1/destinations/decent_dropsy/test", NULL,
                   "{\"trust_certificates\":true}");
    ftx_destination_test_result_free(r);

    o.version = 99;
    assert_int_equal(ftx_destinations_test(fx->client, "decent_dropsy", &o, &r, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_null(r);
    assert_int_equal(mock_server_request_count(fx->ms), 2);
}

static void test_destinations_test_retried_as_action(void **state)
{
    fixture *fx = *state;
    ftx_destination_test_result *r = NULL;
    ftx_error err = {0};

    mock_server_respond(fx->ms, 503, "{\"code\":\"ServiceUnavailable\",\"message\":\"busy\"}");
    respond_fixture(fx, 200, "destination_snowflake.json");
    assert_int_equal(ftx_destinations_test(fx->client, "decent_dropsy", NULL, &r, &err), FTX_OK);
    assert_int_equal(mock_server_request_count(fx->ms), 2);
    assert_true(fx->fc.total_slept_ms > 0);
    assert_string_equal(r->setup_status, "connected");
    ftx_destination_test_result_free(r);
}

/* ---- list and stream ---- */

static void test_destinations_list_page(void **state)
{
    fixture *fx = *state;
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx_destination_page *page = NULL;
    ftx_error err = {0};

    lo.limit = 2;
    lo.cursor = "eyJza2lwIjowfQ";
    respond_fixture(fx, 200, "destinations_page1.json");
    assert_int_equal(ftx_destinations_list(fx->client, &lo, &page, &err), FTX_OK);
    assert_non_null(page);
    assert_int_equal(page->count, 2);
    assert_string_equal(page->next_cursor, "eyJza2lwIjoyfQ");
    assert_request(fx, 0, "GET", "/v1/destinations", "cursor=eyJza2lwIjowfQ&limit=2", NULL);
    assert_string_equal(page->items[0]->id, "decent_dropsy");
    assert_string_equal(page->items[0]->service, "snowflake");
    assert_int_equal(page->items[0]->daylight_saving_time_enabled, 0);
    assert_null(page->items[0]->config);
    assert_null(page->items[0]->setup_tests);
    assert_int_equal(page->items[0]->setup_test_count, 0);
    assert_true(ftx_destination_connected(page->items[0]));
    assert_string_equal(page->items[1]->id, "lush_ribbon");
    assert_string_equal(page->items[1]->region, "GCP_EUROPE_WEST3");
    assert_string_equal(page->items[1]->time_zone_offset, "+1");
    assert_string_equal(page->items[1]->setup_status, "INCOMPLETE");
    assert_int_equal(page->items[1]->daylight_saving_time_enabled, -1);
    assert_string_equal(page->items[1]->hybrid_deployment_agent_id, "lpa_old_agent");
    assert_false(ftx_destination_connected(page->items[1]));
    ftx_destination_page_free(page);
}

static void test_destinations_stream_walks_pages(void **state)
{
    fixture *fx = *state;
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx_destination_stream *s = NULL;
    const ftx_destination *d = NULL;
    ftx_error err = {0};
    const char *ids[3] = {"decent_dropsy", "lush_ribbon", "brisk_pine"};
    size_t n = 0;
    int rc;

    lo.prefetch = 0;
    lo.limit = 2;
    respond_fixture(fx, 200, "destinations_page1.json");
    respond_fixture(fx, 200, "destinations_page2.json");
    assert_int_equal(ftx_destinations_stream(fx->client, &lo, &s, &err), FTX_OK);
    assert_int_equal(mock_server_request_count(fx->ms), 0);
    while ((rc = ftx_destination_stream_next(s, &d, &err)) == FTX_OK && d != NULL) {
        assert_true(n < 3);
        assert_string_equal(d->id, ids[n]);
        n++;
    }
    assert_int_equal(rc, FTX_OK);
    assert_int_equal(n, 3);
    assert_int_equal(mock_server_request_count(fx->ms), 2);
    assert_request(fx, 0, "GET", "/v1/destinations", "limit=2", NULL);
    assert_request(fx, 1, "GET", "/v1/destinations", "cursor=eyJza2lwIjoyfQ&limit=2", NULL);
    ftx_destination_stream_free(s);
}

/* ---- model ---- */

static void test_destination_connected_ignores_case(void **state)
{
    ftx_destination d;

    (void)state;
    memset(&d, 0, sizeof(d));
    assert_false(ftx_destination_connected(NULL));
    assert_false(ftx_destination_connected(&d));
    d.setup_status = "connected";
    assert_true(ftx_destination_connected(&d));
    d.setup_status = "CONNECTED";
    assert_true(ftx_destination_connected(&d));
    d.setup_status = "Connected";
    assert_true(ftx_destination_connected(&d));
    d.setup_status = "incomplete";
    assert_false(ftx_destination_connected(&d));
    d.setup_status = "connected ";
    assert_false(ftx_destination_connected(&d));
}

static void test_destination_from_json_tolerance(void **state)
{
    ftx_destination *d = NULL;
    ftx_error err = {0};
    json_t *j;

    (void)state;
    assert_int_equal(ftx_destination_from_json(NULL, &d, &err), FTX_ERR_INVALID_ARGUMENT);
    j = json_string("x");
    assert_int_equal(ftx_destination_from_json(j, &d, &err), FTX_ERR_DECODE);
    json_decref(j);
    j = json_pack("{s:i}", "id", 5);
    assert_int_equal(ftx_destination_from_json(j, &d, &err), FTX_ERR_DECODE);
    assert_null(d);
    json_decref(j);

    /* Wrong types degrade to defaults; non-object tests are skipped. */
    j = json_loads("{\"id\":\"x\",\"service\":[1],\"region\":null,\"setup_status\":{},"
                   "\"daylight_saving_time_enabled\":\"true\",\"config\":null,"
                   "\"setup_tests\":[1,\"a\",{\"title\":\"T\",\"status\":\"PASSED\"},null],"
                   "\"future_field\":{\"kept\":true}}",
                   0, NULL);
    assert_non_null(j);
    assert_int_equal(ftx_destination_from_json(j, &d, &err), FTX_OK);
    assert_string_equal(d->id, "x");
    assert_null(d->service);
    assert_null(d->region);
    assert_null(d->setup_status);
    assert_null(d->config);
    assert_int_equal(d->daylight_saving_time_enabled, 1);
    assert_int_equal(d->setup_test_count, 1);
    assert_string_equal(d->setup_tests[0]->title, "T");
    assert_true(json_is_true(json_object_get(json_object_get(d->raw, "future_field"), "kept")));
    ftx_destination_free(d);
    json_decref(j);

    j = json_loads("{\"id\":\"x\",\"setup_tests\":{\"title\":\"T\"}}", 0, NULL);
    assert_int_equal(ftx_destination_from_json(j, &d, &err), FTX_OK);
    assert_int_equal(d->setup_test_count, 0);
    assert_null(d->setup_tests);
    ftx_destination_free(d);
    json_decref(j);
    ftx_destination_free(NULL);
    ftx_destination_page_free(NULL);
    ftx_destination_test_result_free(NULL);
    ftx_destination_stream_free(NULL);
}

static void test_destination_dup_is_deep(void **state)
{
    char *text = read_fixture("destination_snowflake.json");
    json_t *body = json_loads(text, 0, NULL);
    ftx_destination *d = NULL, *copy;

    (void)state;
    assert_int_equal(ftx_destination_from_json(json_object_get(body, "data"), &d, NULL), FTX_OK);
    copy = ftx_destination_dup(d);
    assert_non_null(copy);
    assert_ptr_not_equal(copy->id, d->id);
    assert_ptr_not_equal(copy->setup_tests, d->setup_tests);
    assert_ptr_not_equal(copy->setup_tests[2], d->setup_tests[2]);
    ftx_destination_free(d);
    json_decref(body);
    free(text);
    assert_snowflake(copy);
    ftx_destination_free(copy);
    assert_null(ftx_destination_dup(NULL));
}

/* Every allocation failure is reported, never crashes or leaks. */
static void test_destination_alloc_failures(void **state)
{
    char *text = read_fixture("destination_snowflake.json");
    json_t *body = json_loads(text, 0, NULL);
    const json_t *data = json_object_get(body, "data");
    long n;
    int ok = 0;

    (void)state;
    for (n = 1; n < 200 && !ok; n++) {
        ftx_destination *d = NULL, *copy = NULL;
        int rc;

        ftx__alloc_fail_at(n);
        rc = ftx_destination_from_json(data, &d, NULL);
        if (rc == FTX_OK) {
            copy = ftx_destination_dup(d);
            ok = copy != NULL;
        } else {
            assert_int_equal(rc, FTX_ERR_NOMEM);
            assert_null(d);
        }
        ftx__alloc_fail_at(0);
        ftx_destination_free(copy);
        ftx_destination_free(d);
    }
    assert_true(ok);
    json_decref(body);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_destinations_get_parses_every_field, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_destinations_get_encodes_hostile_id, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_destinations_get_rejects_missing_id, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_destinations_get_not_found, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_destinations_get_decode_errors, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_destinations_create_sends_body, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_destinations_create_minimal_and_unknown_region,
                                        th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_destinations_create_requires_fields, th_setup,
                                        th_teardown),
        cmocka_unit_test(test_destination_time_zone_offsets),
        cmocka_unit_test_setup_teardown(test_destinations_create_not_retried, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_destinations_update_sends_patch, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_destinations_update_validates_offset, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_destinations_delete, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_destinations_test_parses_results, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_destinations_test_trust_flags, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_destinations_test_retried_as_action, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_destinations_list_page, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_destinations_stream_walks_pages, th_setup,
                                        th_teardown),
        cmocka_unit_test(test_destination_connected_ignores_case),
        cmocka_unit_test(test_destination_from_json_tolerance),
        cmocka_unit_test(test_destination_dup_is_deep),
        cmocka_unit_test(test_destination_alloc_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
