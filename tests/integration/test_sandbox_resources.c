/* fivetrex-sandbox: success and error shapes of every endpoint, over real sockets. */
#include "sandbox_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sandbox_proc *sb;

static int setup(void **state)
{
    (void)state;
    const char *args[] = {"--seed", "demo", "--sync-duration-ms", "50", NULL};
    sb = sandbox_start(args);
    return sb ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return sandbox_stop(sb) == 0 ? 0 : -1;
}

static char *new_group(const char *name)
{
    char body[256];
    snprintf(body, sizeof(body), "{\"name\":\"%s\"}", name);
    json_t *j = sbt_call(sb, "POST", 201, body, "/groups");
    char *id = strdup(sbt_str(sbt_data(j), "id"));
    json_decref(j);
    return id;
}

static void test_groups_crud(void **state)
{
    (void)state;
    json_t *j = sbt_call(sb, "POST", 201, "{\"name\":\"Analytics_Warehouse\"}", "/groups");
    assert_string_equal(sbt_str(j, "message"), "Group has been created");
    json_t *g = sbt_data(j);
    assert_int_equal(json_object_size(g), 3);
    const char *id = sbt_str(g, "id");
    assert_true(sbt_is_id(id));
    assert_string_equal(sbt_str(g, "name"), "Analytics_Warehouse");
    assert_true(sbt_is_ts(sbt_str(g, "created_at")));
    char gid[64];
    snprintf(gid, sizeof(gid), "%s", id);
    json_decref(j);

    j = sbt_call(sb, "GET", 200, NULL, "/groups/%s", gid);
    assert_string_equal(sbt_str(sbt_data(j), "name"), "Analytics_Warehouse");
    json_decref(j);

    j = sbt_call(sb, "PATCH", 200, "{\"name\":\"Renamed\"}", "/groups/%s", gid);
    assert_string_equal(sbt_str(sbt_data(j), "name"), "Renamed");
    assert_string_equal(sbt_str(sbt_data(j), "id"), gid);
    json_decref(j);

    /* the demo's groups come first, in creation order */
    j = sbt_call(sb, "GET", 200, NULL, "/groups?limit=1000");
    json_t *items = json_object_get(sbt_data(j), "items");
    assert_true(json_array_size(items) >= 5);
    assert_string_equal(sbt_str(json_array_get(items, 0), "id"), "decent_dropsy");
    assert_null(json_object_get(sbt_data(j), "next_cursor"));
    json_decref(j);

    j = sbt_call(sb, "DELETE", 200, NULL, "/groups/%s", gid);
    char msg[128];
    snprintf(msg, sizeof(msg), "Group with id '%s' has been deleted", gid);
    assert_string_equal(sbt_str(j, "message"), msg);
    assert_null(json_object_get(j, "data"));
    json_decref(j);

    j = sbt_call(sb, "GET", 404, NULL, "/groups/%s", gid);
    sbt_assert_error(j, "NotFound_Group");
    json_decref(j);
    j = sbt_call(sb, "DELETE", 404, NULL, "/groups/%s", gid);
    sbt_assert_error(j, "NotFound_Group");
    json_decref(j);
}

static void test_groups_errors(void **state)
{
    (void)state;
    json_t *j = sbt_call(sb, "POST", 400, "{}", "/groups");
    sbt_assert_error(j, "InvalidInput");
    assert_string_equal(sbt_str(j, "message"), "Field 'name' is required");
    json_decref(j);
    j = sbt_call(sb, "POST", 400, "{\"name\":42}", "/groups");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
    j = sbt_call(sb, "POST", 400, "{\"name\":", "/groups");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
    j = sbt_call(sb, "POST", 400, "[1,2]", "/groups");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
    j = sbt_call(sb, "POST", 400, NULL, "/groups");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
    j = sbt_call(sb, "PUT", 405, "{}", "/groups");
    sbt_assert_error(j, "MethodNotAllowed");
    json_decref(j);
    j = sbt_call(sb, "GET", 404, NULL, "/groups/nope_nope/widgets/x");
    sbt_assert_error(j, "NotFound_Route");
    json_decref(j);
    /* hostile ids are one path segment and never reach another endpoint */
    j = sbt_call(sb, "GET", 404, NULL, "/groups/..%%2Fconnections");
    sbt_assert_error(j, "NotFound_Group");
    assert_non_null(strstr(sbt_str(j, "message"), "../connections"));
    json_decref(j);
}

static void test_group_connections_and_cascade(void **state)
{
    (void)state;
    char *gid = new_group("cascade");
    char body[512];
    snprintf(body, sizeof(body),
             "{\"group_id\":\"%s\",\"service\":\"postgres\",\"config\":{\"schema_prefix\":"
             "\"pg\",\"password\":\"hunter2\"},\"run_setup_tests\":false}",
             gid);
    json_t *j = sbt_call(sb, "POST", 201, body, "/connections");
    char cid[64];
    snprintf(cid, sizeof(cid), "%s", sbt_str(sbt_data(j), "id"));
    json_decref(j);
    snprintf(body, sizeof(body),
             "{\"group_id\":\"%s\",\"service\":\"snowflake\",\"time_zone_offset\":\"+1\"}", gid);
    json_decref(sbt_call(sb, "POST", 201, body, "/destinations"));

    j = sbt_call(sb, "GET", 200, NULL, "/groups/%s/connections", gid);
    json_t *items = json_object_get(sbt_data(j), "items");
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(sbt_str(json_array_get(items, 0), "id"), cid);
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/groups/%s/connections?schema=nope", gid);
    assert_int_equal(json_array_size(json_object_get(sbt_data(j), "items")), 0);
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/connections?group_id=%s&schema=pg", gid);
    assert_int_equal(json_array_size(json_object_get(sbt_data(j), "items")), 1);
    json_decref(j);

    json_decref(sbt_call(sb, "DELETE", 200, NULL, "/groups/%s", gid));
    j = sbt_call(sb, "GET", 404, NULL, "/connections/%s", cid);
    sbt_assert_error(j, "NotFound_Connector");
    json_decref(j);
    j = sbt_call(sb, "GET", 404, NULL, "/destinations/%s", gid);
    sbt_assert_error(j, "NotFound_Destination");
    json_decref(j);
    j = sbt_call(sb, "GET", 404, NULL, "/groups/%s/connections", gid);
    sbt_assert_error(j, "NotFound_Group");
    json_decref(j);
    free(gid);
}

static void test_connection_create_and_get(void **state)
{
    (void)state;
    char *gid = new_group("conns");
    char body[1024];
    snprintf(body, sizeof(body),
             "{\"group_id\":\"%s\",\"service\":\"postgres\",\"paused\":true,"
             "\"sync_frequency\":1440,\"daily_sync_time\":\"03:00\",\"run_setup_tests\":false,"
             "\"config\":{\"schema_prefix\":\"app\",\"host\":\"db\",\"password\":\"hunter2\","
             "\"api_token\":\"t0k\"}}",
             gid);
    json_t *j = sbt_call(sb, "POST", 201, body, "/connections");
    json_t *c = sbt_data(j);
    assert_true(sbt_is_id(sbt_str(c, "id")));
    assert_string_equal(sbt_str(c, "group_id"), gid);
    assert_string_equal(sbt_str(c, "service"), "postgres");
    assert_string_equal(sbt_str(c, "schema"), "app");
    assert_true(json_is_true(json_object_get(c, "paused")));
    assert_int_equal(json_integer_value(json_object_get(c, "sync_frequency")), 1440);
    assert_string_equal(sbt_str(c, "daily_sync_time"), "03:00");
    assert_string_equal(sbt_str(c, "schedule_type"), "auto");
    assert_true(json_is_null(json_object_get(c, "succeeded_at")));
    assert_true(json_is_null(json_object_get(c, "failed_at")));
    assert_true(sbt_is_ts(sbt_str(c, "created_at")));
    assert_string_equal(sbt_str(c, "connected_by"), "_airworthy");
    json_t *st = json_object_get(c, "status");
    assert_string_equal(sbt_str(st, "setup_state"), "incomplete");
    assert_string_equal(sbt_str(st, "sync_state"), "paused");
    assert_string_equal(sbt_str(st, "update_state"), "on_schedule");
    assert_true(json_is_true(json_object_get(st, "is_historical_sync")));
    assert_int_equal(json_array_size(json_object_get(st, "tasks")), 0);
    json_t *cfg = json_object_get(c, "config");
    assert_string_equal(sbt_str(cfg, "host"), "db");
    assert_string_equal(sbt_str(cfg, "password"), "******");
    assert_string_equal(sbt_str(cfg, "api_token"), "******");
    char *cdump = json_dumps(c, 0);
    assert_null(strstr(cdump, "hunter2"));
    free(cdump);
    char cid[64];
    snprintf(cid, sizeof(cid), "%s", sbt_str(c, "id"));
    json_decref(j);

    j = sbt_call(sb, "GET", 200, NULL, "/connections/%s", cid);
    char *dump = json_dumps(j, 0);
    assert_null(strstr(dump, "hunter2"));
    free(dump);
    assert_string_equal(sbt_str(sbt_data(j), "schema"), "app");
    json_decref(j);

    /* with setup tests (default) and a connect card */
    snprintf(body, sizeof(body),
             "{\"group_id\":\"%s\",\"service\":\"google_sheets\",\"config\":{\"schema\":"
             "\"sheets\",\"table\":\"budget\"},\"connect_card_config\":{\"redirect_uri\":"
             "\"https://example.com/cb\"}}",
             gid);
    j = sbt_call(sb, "POST", 201, body, "/connections");
    c = sbt_data(j);
    assert_string_equal(sbt_str(c, "schema"), "sheets.budget");
    assert_string_equal(sbt_str(json_object_get(c, "status"), "setup_state"), "connected");
    assert_true(json_array_size(json_object_get(c, "setup_tests")) > 0);
    assert_string_equal(sbt_str(json_array_get(json_object_get(c, "setup_tests"), 0), "status"),
                        "PASSED");
    assert_non_null(sbt_str(json_object_get(c, "connect_card"), "token"));
    assert_non_null(strstr(sbt_str(json_object_get(c, "connect_card"), "uri"), "https://"));
    json_decref(j);

    /* second connection with the same schema in the group conflicts */
    j = sbt_call(sb, "POST", 409, body, "/connections");
    sbt_assert_error(j, "Conflict");
    json_decref(j);
    free(gid);
}

static void test_connection_create_errors(void **state)
{
    (void)state;
    static const struct {
        const char *body;
        long status;
        const char *code;
        const char *message;
    } cases[] = {
        {"{\"service\":\"postgres\"}", 400, "InvalidInput", "Field 'group_id' is required"},
        {"{\"group_id\":\"decent_dropsy\"}", 400, "InvalidInput", "Field 'service' is required"},
        {"{\"group_id\":\"decent_dropsy\",\"service\":\"Bad Service\",\"config\":{\"schema\":"
         "\"x\"}}",
         400, "InvalidInput", "Unsupported service 'Bad Service'"},
        {"{\"group_id\":\"no_such\",\"service\":\"postgres\",\"config\":{\"schema\":\"x\"}}", 404,
         "NotFound_Group", NULL},
        {"{\"group_id\":\"decent_dropsy\",\"service\":\"stripe\"}", 400, "InvalidInput",
         "Field 'config.schema' is required"},
        {"{\"group_id\":\"decent_dropsy\",\"service\":\"stripe\",\"config\":{\"schema\":\"s1\"},"
         "\"sync_frequency\":7}",
         400, "InvalidInput", NULL},
        {"{\"group_id\":\"decent_dropsy\",\"service\":\"stripe\",\"config\":{\"schema\":\"s1\"},"
         "\"schedule_type\":\"AUTO\"}",
         400, "InvalidInput", NULL},
        {"{\"group_id\":\"decent_dropsy\",\"service\":\"stripe\",\"config\":{\"schema\":\"s1\"},"
         "\"daily_sync_time\":\"03:30\"}",
         400, "InvalidInput", NULL},
        {"{\"group_id\":\"decent_dropsy\",\"service\":\"stripe\",\"config\":{\"schema\":\"s1\"},"
         "\"paused\":\"maybe\"}",
         400, "InvalidInput", "Field 'paused' must be a boolean"},
        {"{\"group_id\":\"decent_dropsy\",\"service\":\"stripe\",\"config\":[]}", 400,
         "InvalidInput", "Field 'config' must be an object"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        json_t *j = sbt_call(sb, "POST", cases[i].status, cases[i].body, "/connections");
        sbt_assert_error(j, cases[i].code);
        if (cases[i].message)
            assert_string_equal(sbt_str(j, "message"), cases[i].message);
        json_decref(j);
    }
}

static void test_connection_patch(void **state)
{
    (void)state;
    const char *id = "lumber_tomato";
    json_t *j = sbt_call(sb, "PATCH", 200, "{\"paused\":true}", "/connections/%s", id);
    assert_true(json_is_true(json_object_get(sbt_data(j), "paused")));
    assert_string_equal(sbt_str(json_object_get(sbt_data(j), "status"), "sync_state"), "paused");
    json_decref(j);
    j = sbt_call(sb, "PATCH", 200, "{\"paused\":false}", "/connections/%s", id);
    assert_string_equal(sbt_str(json_object_get(sbt_data(j), "status"), "sync_state"), "scheduled");
    json_decref(j);

    j = sbt_call(sb, "PATCH", 200,
                 "{\"sync_frequency\":1440,\"daily_sync_time\":\"05:00\",\"schedule_type\":"
                 "\"manual\"}",
                 "/connections/%s", id);
    json_t *c = sbt_data(j);
    assert_int_equal(json_integer_value(json_object_get(c, "sync_frequency")), 1440);
    assert_string_equal(sbt_str(c, "daily_sync_time"), "05:00");
    assert_string_equal(sbt_str(c, "schedule_type"), "manual");
    json_decref(j);
    /* daily_sync_time reads null unless the frequency is 1440 */
    j = sbt_call(sb, "PATCH", 200, "{\"sync_frequency\":60}", "/connections/%s", id);
    assert_true(json_is_null(json_object_get(sbt_data(j), "daily_sync_time")));
    json_decref(j);

    j = sbt_call(sb, "PATCH", 200, "{\"config\":{\"secret_key\":\"sk_new\",\"account\":\"x\"}}",
                 "/connections/%s", id);
    assert_string_equal(sbt_str(json_object_get(sbt_data(j), "config"), "secret_key"), "******");
    assert_string_equal(sbt_str(json_object_get(sbt_data(j), "config"), "account"), "x");
    assert_string_equal(sbt_str(json_object_get(sbt_data(j), "config"), "schema"), "stripe");
    json_decref(j);

    static const char *const bad[] = {
        "{\"sync_frequency\":2}",
        "{\"sync_frequency\":\"often\"}",
        "{\"schedule_type\":\"cron\"}",
        "{\"daily_sync_time\":\"24:00\"}",
        "{\"run_setup_tests\":true}",
        "{\"config\":{\"schema\":\"other\"}}",
        "{\"paused\":1}",
        "{}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        j = sbt_call(sb, "PATCH", 400, bad[i], "/connections/%s", id);
        sbt_assert_error(j, "InvalidInput");
        json_decref(j);
    }
    j = sbt_call(sb, "PATCH", 404, "{\"paused\":true}", "/connections/no_such_thing");
    sbt_assert_error(j, "NotFound_Connector");
    assert_string_equal(sbt_str(j, "message"),
                        "Cannot find entity 'Connector' with id 'no_such_thing'");
    json_decref(j);
}

static void test_connection_delete(void **state)
{
    (void)state;
    json_t *j = sbt_call(sb, "POST", 201,
                         "{\"group_id\":\"amber_lagoon\",\"service\":\"jira\",\"config\":{"
                         "\"schema\":\"jira_del\"}}",
                         "/connections");
    char cid[64];
    snprintf(cid, sizeof(cid), "%s", sbt_str(sbt_data(j), "id"));
    json_decref(j);
    j = sbt_call(sb, "DELETE", 200, NULL, "/connections/%s", cid);
    char msg[128];
    snprintf(msg, sizeof(msg), "Connection with id '%s' has been deleted", cid);
    assert_string_equal(sbt_str(j, "message"), msg);
    assert_int_equal(json_object_size(j), 2);
    json_decref(j);
    j = sbt_call(sb, "DELETE", 404, NULL, "/connections/%s", cid);
    sbt_assert_error(j, "NotFound_Connector");
    json_decref(j);
    j = sbt_call(sb, "POST", 404, "{}", "/connections/%s/sync", cid);
    sbt_assert_error(j, "NotFound_Connector");
    json_decref(j);
}

static void test_connection_actions(void **state)
{
    (void)state;
    /* test needs a body */
    json_t *j = sbt_call(sb, "POST", 400, NULL, "/connections/program_quoth/test");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
    j = sbt_call(sb, "POST", 200, "{}", "/connections/program_quoth/test");
    json_t *tests = json_object_get(sbt_data(j), "setup_tests");
    assert_true(json_array_size(tests) >= 1);
    assert_non_null(sbt_str(json_array_get(tests, 0), "title"));
    assert_string_equal(sbt_str(sbt_data(j), "id"), "program_quoth");
    json_decref(j);
    /* a connection configured to fail fails its setup tests */
    j = sbt_call(sb, "POST", 200, "{}", "/connections/upriver_avoid/test");
    assert_string_equal(sbt_str(json_object_get(sbt_data(j), "status"), "setup_state"), "broken");
    json_decref(j);

    /* connect card */
    j = sbt_call(sb, "POST", 200,
                 "{\"connect_card_config\":{\"redirect_uri\":\"https://x.example/cb\","
                 "\"hide_setup_guide\":true}}",
                 "/connections/program_quoth/connect-card");
    json_t *d = sbt_data(j);
    assert_string_equal(sbt_str(d, "connector_id"), "program_quoth");
    assert_non_null(sbt_str(json_object_get(d, "connect_card"), "token"));
    assert_non_null(sbt_str(json_object_get(d, "connect_card"), "uri"));
    assert_true(json_is_true(
        json_object_get(json_object_get(d, "connect_card_config"), "hide_setup_guide")));
    json_decref(j);
    j = sbt_call(sb, "POST", 400, "{}", "/connections/program_quoth/connect-card");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
    j = sbt_call(sb, "POST", 400, "{\"connect_card_config\":{\"redirect_uri\":\"ftp://x\"}}",
                 "/connections/program_quoth/connect-card");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);

    /* resync scope validation */
    static const char *const bad_scope[] = {"{\"scope\":{}}", "{\"scope\":{\"public\":[]}}",
                                            "{\"scope\":[\"x\"]}", "{\"scope\":{\"s\":[1]}}"};
    for (size_t i = 0; i < 4; i++) {
        j = sbt_call(sb, "POST", 400, bad_scope[i], "/connections/program_quoth/resync");
        sbt_assert_error(j, "InvalidInput");
        json_decref(j);
    }
    j = sbt_call(sb, "GET", 405, NULL, "/connections/program_quoth/sync");
    sbt_assert_error(j, "MethodNotAllowed");
    json_decref(j);
    j = sbt_call(sb, "POST", 400, "{\"force\":\"yes\"}", "/connections/program_quoth/sync");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
    j = sbt_call(sb, "POST", 404, "{}", "/connections/program_quoth/explode");
    sbt_assert_error(j, "NotFound_Route");
    json_decref(j);
}

static void test_connection_state(void **state)
{
    (void)state;
    json_t *j = sbt_call(sb, "GET", 200, NULL, "/connections/cedar_harbor/state");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(sbt_data(j), "state"), "page")), 42);
    json_decref(j);
    j = sbt_call(sb, "PATCH", 200, "{\"state\":{\"cursor\":\"2030-01-01T00:00:00Z\"}}",
                 "/connections/cedar_harbor/state");
    assert_string_equal(sbt_str(json_object_get(sbt_data(j), "state"), "cursor"),
                        "2030-01-01T00:00:00Z");
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/connections/cedar_harbor/state");
    assert_string_equal(sbt_str(json_object_get(sbt_data(j), "state"), "cursor"),
                        "2030-01-01T00:00:00Z");
    assert_null(json_object_get(json_object_get(sbt_data(j), "state"), "page"));
    json_decref(j);
    j = sbt_call(sb, "PATCH", 400, "{}", "/connections/cedar_harbor/state");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
    j = sbt_call(sb, "PATCH", 400, NULL, "/connections/cedar_harbor/state");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
    /* not a function connector */
    j = sbt_call(sb, "GET", 405, NULL, "/connections/program_quoth/state");
    sbt_assert_error(j, "MethodNotAllowed");
    json_decref(j);
}

static void test_schemas(void **state)
{
    (void)state;
    json_t *j = sbt_call(sb, "GET", 200, NULL, "/connections/speak_inexpensive/schemas");
    json_t *d = sbt_data(j);
    assert_string_equal(sbt_str(d, "schema_change_handling"), "ALLOW_ALL");
    assert_true(json_is_true(json_object_get(d, "enable_new_by_default")));
    json_t *users = json_object_get(
        json_object_get(json_object_get(json_object_get(d, "schemas"), "public"), "tables"),
        "users");
    assert_true(json_is_true(json_object_get(users, "enabled")));
    assert_string_equal(sbt_str(users, "sync_mode"), "SOFT_DELETE");
    json_t *idcol = json_object_get(json_object_get(users, "columns"), "id");
    assert_true(json_is_true(json_object_get(idcol, "is_primary_key")));
    assert_string_equal(sbt_str(json_object_get(idcol, "enabled_patch_settings"), "reason_code"),
                        "SYSTEM_COLUMN");
    assert_null(
        json_object_get(json_object_get(json_object_get(d, "schemas"), "public"), "feature_flags"));
    json_decref(j);

    /* per-schema, per-table, per-column PATCH return the full config */
    j = sbt_call(sb, "PATCH", 200, "{\"enabled\":false}",
                 "/connections/speak_inexpensive/schemas/billing");
    assert_true(json_is_false(json_object_get(
        json_object_get(json_object_get(sbt_data(j), "schemas"), "billing"), "enabled")));
    assert_non_null(json_object_get(json_object_get(sbt_data(j), "schemas"), "public"));
    json_decref(j);
    j = sbt_call(sb, "PATCH", 200, "{\"enabled\":false,\"sync_mode\":\"HISTORY\"}",
                 "/connections/speak_inexpensive/schemas/public/tables/orders");
    json_t *orders = json_object_get(
        json_object_get(json_object_get(json_object_get(sbt_data(j), "schemas"), "public"),
                        "tables"),
        "orders");
    assert_true(json_is_false(json_object_get(orders, "enabled")));
    assert_string_equal(sbt_str(orders, "sync_mode"), "HISTORY");
    json_decref(j);
    j = sbt_call(sb, "PATCH", 200, "{\"enabled\":false,\"hashed\":true}",
                 "/connections/speak_inexpensive/schemas/public/tables/users/columns/email");
    json_t *email = json_object_get(
        json_object_get(
            json_object_get(
                json_object_get(json_object_get(json_object_get(sbt_data(j), "schemas"), "public"),
                                "tables"),
                "users"),
            "columns"),
        "email");
    assert_true(json_is_false(json_object_get(email, "enabled")));
    assert_true(json_is_true(json_object_get(email, "hashed")));
    json_decref(j);

    /* primary keys cannot be excluded; bad enums; wrong case → 404 */
    j = sbt_call(sb, "PATCH", 400, "{\"enabled\":false}",
                 "/connections/speak_inexpensive/schemas/public/tables/users/columns/id");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
    j = sbt_call(sb, "PATCH", 400, "{\"sync_mode\":\"FAST\"}",
                 "/connections/speak_inexpensive/schemas/public/tables/users");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
    j = sbt_call(sb, "PATCH", 404, "{\"enabled\":true}",
                 "/connections/speak_inexpensive/schemas/PUBLIC");
    sbt_assert_error(j, "NotFound");
    json_decref(j);
    j = sbt_call(sb, "PATCH", 400, "{\"schema_change_handling\":\"ALLOW_SOME\"}",
                 "/connections/speak_inexpensive/schemas");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);

    /* whole-config PATCH (deep merge) */
    j = sbt_call(sb, "PATCH", 200,
                 "{\"schema_change_handling\":\"BLOCK_ALL\",\"schemas\":{\"billing\":{"
                 "\"enabled\":true,\"tables\":{\"payments\":{\"enabled\":false}}}}}",
                 "/connections/speak_inexpensive/schemas");
    d = sbt_data(j);
    assert_string_equal(sbt_str(d, "schema_change_handling"), "BLOCK_ALL");
    assert_true(json_is_false(json_object_get(d, "enable_new_by_default")));
    json_t *billing = json_object_get(json_object_get(d, "schemas"), "billing");
    assert_true(json_is_true(json_object_get(billing, "enabled")));
    assert_true(json_is_false(json_object_get(
        json_object_get(json_object_get(billing, "tables"), "payments"), "enabled")));
    assert_true(json_is_true(json_object_get(
        json_object_get(json_object_get(billing, "tables"), "invoices"), "enabled")));
    json_decref(j);

    /* reload discovers the new table; BLOCK_ALL → arrives disabled */
    j = sbt_call(sb, "POST", 200, "{\"exclude_mode\":\"PRESERVE\"}",
                 "/connections/speak_inexpensive/schemas/reload");
    json_t *ff = json_object_get(
        json_object_get(json_object_get(json_object_get(sbt_data(j), "schemas"), "public"),
                        "tables"),
        "feature_flags");
    assert_non_null(ff);
    assert_true(json_is_false(json_object_get(ff, "enabled")));
    json_decref(j);
    j = sbt_call(sb, "POST", 400, "{\"exclude_mode\":\"INCLUDE\"}",
                 "/connections/speak_inexpensive/schemas/reload");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);

    /* columns listing */
    j = sbt_call(sb, "GET", 200, NULL,
                 "/connections/speak_inexpensive/schemas/public/tables/users/columns");
    json_t *cols = json_object_get(sbt_data(j), "columns");
    assert_int_equal(json_object_size(cols), 5);
    assert_true(json_is_true(json_object_get(json_object_get(cols, "email"), "hashed")));
    json_decref(j);
    j = sbt_call(sb, "GET", 404, NULL,
                 "/connections/speak_inexpensive/schemas/public/tables/nope/columns");
    sbt_assert_error(j, "NotFound");
    json_decref(j);
}

static void test_schema_before_capture(void **state)
{
    (void)state;
    json_t *j = sbt_call(sb, "POST", 201,
                         "{\"group_id\":\"amber_lagoon\",\"service\":\"shopify\",\"config\":{"
                         "\"schema\":\"shop\"}}",
                         "/connections");
    char cid[64];
    snprintf(cid, sizeof(cid), "%s", sbt_str(sbt_data(j), "id"));
    json_decref(j);
    j = sbt_call(sb, "GET", 404, NULL, "/connections/%s/schemas", cid);
    sbt_assert_error(j, "NotFound_SchemaConfig");
    char msg[160];
    snprintf(msg, sizeof(msg), "Connection with id '%s' doesn't have schema config", cid);
    assert_string_equal(sbt_str(j, "message"), msg);
    json_decref(j);
    /* reload with EXCLUDE captures; a second EXCLUDE reload disables untouched items */
    j = sbt_call(sb, "POST", 200, NULL, "/connections/%s/schemas/reload", cid);
    assert_true(json_object_size(json_object_get(sbt_data(j), "schemas")) > 0);
    json_decref(j);
    json_decref(sbt_call(sb, "PATCH", 200, "{\"enabled\":true}",
                         "/connections/%s/schemas/shopify/tables/users", cid));
    j = sbt_call(sb, "POST", 200, "{\"exclude_mode\":\"EXCLUDE\"}",
                 "/connections/%s/schemas/reload", cid);
    json_t *tabs = json_object_get(
        json_object_get(json_object_get(sbt_data(j), "schemas"), "shopify"), "tables");
    assert_true(json_is_true(json_object_get(json_object_get(tabs, "users"), "enabled")));
    assert_true(json_is_false(json_object_get(json_object_get(tabs, "orders"), "enabled")));
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/connections/%s/schemas", cid);
    json_decref(j);
}

static void test_destinations(void **state)
{
    (void)state;
    char *gid = new_group("dest");
    char body[512];
    snprintf(body, sizeof(body),
             "{\"group_id\":\"%s\",\"service\":\"snowflake\",\"region\":\"AWS_US_EAST_1\","
             "\"time_zone_offset\":\"-5\",\"config\":{\"host\":\"h\",\"password\":\"pw\"}}",
             gid);
    json_t *j = sbt_call(sb, "POST", 201, body, "/destinations");
    json_t *d = sbt_data(j);
    assert_string_equal(sbt_str(d, "id"), gid);
    assert_string_equal(sbt_str(d, "group_id"), gid);
    assert_string_equal(sbt_str(d, "service"), "snowflake");
    assert_string_equal(sbt_str(d, "region"), "AWS_US_EAST_1");
    assert_string_equal(sbt_str(d, "time_zone_offset"), "-5");
    assert_string_equal(sbt_str(d, "setup_status"), "connected");
    assert_string_equal(sbt_str(json_object_get(d, "config"), "password"), "******");
    assert_int_equal(json_array_size(json_object_get(d, "setup_tests")), 3);
    json_decref(j);

    j = sbt_call(sb, "POST", 409, body, "/destinations");
    sbt_assert_error(j, "Conflict");
    json_decref(j);
    j = sbt_call(sb, "POST", 404,
                 "{\"group_id\":\"no_group\",\"service\":\"snowflake\",\"time_zone_offset\":\"0\"}",
                 "/destinations");
    sbt_assert_error(j, "NotFound_Group");
    json_decref(j);
    j = sbt_call(sb, "POST", 400, "{\"group_id\":\"x\",\"service\":\"snowflake\"}",
                 "/destinations");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
    j = sbt_call(sb, "POST", 400,
                 "{\"group_id\":\"x\",\"service\":\"snowflake\",\"time_zone_offset\":\"5\"}",
                 "/destinations");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);

    /* time_zone_offset is optional on PATCH (sandbox/README.md) but checked when sent */
    j = sbt_call(sb, "PATCH", 400, "{\"region\":\"GCP_US_EAST4\",\"time_zone_offset\":\"5\"}",
                 "/destinations/%s", gid);
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
    j = sbt_call(sb, "PATCH", 200,
                 "{\"time_zone_offset\":\"+2\",\"region\":\"GCP_US_EAST4\",\"config\":{"
                 "\"user\":\"u\"}}",
                 "/destinations/%s", gid);
    d = sbt_data(j);
    assert_string_equal(sbt_str(d, "time_zone_offset"), "+2");
    assert_string_equal(sbt_str(d, "region"), "GCP_US_EAST4");
    assert_string_equal(sbt_str(json_object_get(d, "config"), "user"), "u");
    assert_string_equal(sbt_str(json_object_get(d, "config"), "host"), "h");
    json_decref(j);

    j = sbt_call(sb, "POST", 200, "{\"trust_certificates\":true}", "/destinations/%s/test", gid);
    assert_int_equal(json_array_size(json_object_get(sbt_data(j), "setup_tests")), 3);
    json_decref(j);

    j = sbt_call(sb, "GET", 200, NULL, "/destinations");
    json_t *items = json_object_get(sbt_data(j), "items");
    assert_true(json_array_size(items) >= 4);
    assert_null(json_object_get(json_array_get(items, 0), "config"));
    json_decref(j);

    j = sbt_call(sb, "DELETE", 200, NULL, "/destinations/%s", gid);
    char msg[128];
    snprintf(msg, sizeof(msg), "Destination with id '%s' has been deleted", gid);
    assert_string_equal(sbt_str(j, "message"), msg);
    json_decref(j);
    j = sbt_call(sb, "GET", 404, NULL, "/destinations/%s", gid);
    sbt_assert_error(j, "NotFound_Destination");
    json_decref(j);
    free(gid);
}

static void test_webhooks_crud(void **state)
{
    (void)state;
    sbt_receiver *rx = sbt_receiver_start(200);
    assert_non_null(rx);
    char body[512];
    snprintf(body, sizeof(body),
             "{\"url\":\"%s\",\"events\":[\"sync_start\",\"sync_end\"],\"active\":true,"
             "\"secret\":\"my_secret\"}",
             sbt_receiver_url(rx));
    json_t *j = sbt_call(sb, "POST", 200, body, "/webhooks/account");
    assert_string_equal(sbt_str(j, "message"), "Account webhook has been created");
    json_t *w = sbt_data(j);
    char wid[64];
    snprintf(wid, sizeof(wid), "%s", sbt_str(w, "id"));
    assert_true(sbt_is_id(wid));
    assert_string_equal(sbt_str(w, "type"), "account");
    assert_string_equal(sbt_str(w, "url"), sbt_receiver_url(rx));
    assert_string_equal(sbt_str(w, "secret"), "******");
    assert_true(json_is_true(json_object_get(w, "active")));
    assert_int_equal(json_array_size(json_object_get(w, "events")), 2);
    assert_true(sbt_is_ts(sbt_str(w, "created_at")));
    assert_string_equal(sbt_str(w, "created_by"), "_airworthy");
    assert_null(json_object_get(w, "group_id"));
    json_decref(j);
    /* creation with active:true sent a signed test POST */
    assert_true(sbt_receiver_wait(rx, 1, 5000) >= 1);
    sbt_delivery d = sbt_receiver_get(rx, 0);
    char sig[65];
    sbt_hmac_hex("my_secret", d.body, sig);
    assert_string_equal(d.signature, sig);
    sbt_delivery_free(&d);

    /* group webhook */
    snprintf(body, sizeof(body), "{\"url\":\"%s\",\"events\":[\"sync_end\"],\"active\":false}",
             sbt_receiver_url(rx));
    j = sbt_call(sb, "POST", 200, body, "/webhooks/group/decent_dropsy");
    assert_string_equal(sbt_str(sbt_data(j), "type"), "group");
    assert_string_equal(sbt_str(sbt_data(j), "group_id"), "decent_dropsy");
    assert_null(json_object_get(sbt_data(j), "secret"));
    char gwid[64];
    snprintf(gwid, sizeof(gwid), "%s", sbt_str(sbt_data(j), "id"));
    json_decref(j);
    j = sbt_call(sb, "POST", 404, body, "/webhooks/group/no_group");
    sbt_assert_error(j, "NotFound_Group");
    json_decref(j);

    /* validation */
    j = sbt_call(sb, "POST", 400, "{\"events\":[\"sync_end\"]}", "/webhooks/account");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
    j = sbt_call(sb, "POST", 400, "{\"url\":\"ftp://x\",\"events\":[\"sync_end\"]}",
                 "/webhooks/account");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
    j = sbt_call(sb, "POST", 400, "{\"url\":\"https://x.example\",\"events\":[]}",
                 "/webhooks/account");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
    /* an unreachable URL fails the creation test → 400, nothing created */
    j = sbt_call(sb, "POST", 400,
                 "{\"url\":\"http://127.0.0.1:1/none\",\"events\":[\"sync_end\"],\"active\":true}",
                 "/webhooks/account");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);

    /* get, list, patch */
    j = sbt_call(sb, "GET", 200, NULL, "/webhooks/%s", wid);
    assert_string_equal(sbt_str(sbt_data(j), "id"), wid);
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/webhooks");
    size_t n = json_array_size(json_object_get(sbt_data(j), "items"));
    assert_true(n >= 4);
    json_decref(j);
    j = sbt_call(sb, "PATCH", 200, "{\"events\":[\"sync_end\"],\"active\":false}", "/webhooks/%s",
                 wid);
    assert_int_equal(json_array_size(json_object_get(sbt_data(j), "events")), 1);
    assert_true(json_is_false(json_object_get(sbt_data(j), "active")));
    json_decref(j);

    /* test endpoint */
    size_t before = sbt_receiver_count(rx);
    j = sbt_call(sb, "POST", 200, "{\"event\":\"sync_end\"}", "/webhooks/%s/test", wid);
    json_t *t = sbt_data(j);
    assert_true(json_is_true(json_object_get(t, "succeed")));
    assert_int_equal(json_integer_value(json_object_get(t, "status")), 200);
    json_decref(j);
    assert_true(sbt_receiver_wait(rx, before + 1, 5000) >= before + 1);
    d = sbt_receiver_get(rx, before);
    json_t *ev = json_loads(d.body, 0, NULL);
    assert_string_equal(sbt_str(ev, "event"), "sync_end");
    assert_string_equal(sbt_str(ev, "connector_id"), "_connection_1");
    json_decref(ev);
    sbt_delivery_free(&d);
    j = sbt_call(sb, "POST", 400, "{}", "/webhooks/%s/test", wid);
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
    /* a test against an endpoint that is down reports it, with 200 */
    j = sbt_call(sb, "PATCH", 200, "{\"url\":\"http://127.0.0.1:1/down\"}", "/webhooks/%s", wid);
    json_decref(j);
    j = sbt_call(sb, "POST", 200, "{\"event\":\"sync_start\"}", "/webhooks/%s/test", wid);
    assert_true(json_is_false(json_object_get(sbt_data(j), "succeed")));
    json_decref(j);

    j = sbt_call(sb, "DELETE", 200, NULL, "/webhooks/%s", wid);
    char msg[128];
    snprintf(msg, sizeof(msg), "Webhook with id '%s' has been deleted", wid);
    assert_string_equal(sbt_str(j, "message"), msg);
    json_decref(j);
    json_decref(sbt_call(sb, "DELETE", 200, NULL, "/webhooks/%s", gwid));
    j = sbt_call(sb, "GET", 404, NULL, "/webhooks/%s", wid);
    sbt_assert_error(j, "NotFound_Webhook");
    json_decref(j);
    sbt_receiver_stop(rx);
}

static void test_malformed_requests(void **state)
{
    (void)state;
    json_t *j = sbt_call(sb, "GET", 404, NULL, "/nothing/here");
    sbt_assert_error(j, "NotFound_Route");
    json_decref(j);
    long status;
    char *resp;
    assert_int_equal(sandbox_request(sandbox_origin(sb), "GET", "/", NULL, NULL, &status, &resp),
                     0);
    assert_int_equal(status, 404);
    free(resp);
    j = sbt_call(sb, "GET", 404, NULL, "/groups//connections");
    sbt_assert_error(j, "NotFound_Route");
    json_decref(j);
    j = sbt_call(sb, "DELETE", 405, NULL, "/connections");
    sbt_assert_error(j, "MethodNotAllowed");
    json_decref(j);
    j = sbt_call(sb, "POST", 400, "{\"name\":\"\\ud800\"", "/groups");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
    j = sbt_call(sb, "POST", 400, "\x01\x02garbage", "/groups");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
    /* a 2 MiB body → 413 with the API's error shape */
    size_t big = 2 * 1024 * 1024;
    char *huge = malloc(big + 1);
    assert_non_null(huge);
    memset(huge, 'a', big);
    huge[0] = '"';
    huge[big - 1] = '"';
    huge[big] = '\0';
    j = sbt_call(sb, "POST", 413, huge, "/groups");
    sbt_assert_error(j, "PayloadTooLarge");
    json_decref(j);
    free(huge);
    /* percent-encoding and query oddities */
    j = sbt_call(sb, "GET", 404, NULL, "/connections/%%zz%%");
    sbt_assert_error(j, "NotFound_Connector");
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/groups?&&=&limit=5&x");
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/account/info");
    assert_string_equal(sbt_str(sbt_data(j), "user_id"), "_airworthy");
    json_decref(j);
    /* still alive */
    j = sbt_call(sb, "GET", 200, NULL, "/groups/decent_dropsy");
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_groups_crud),
        cmocka_unit_test(test_groups_errors),
        cmocka_unit_test(test_group_connections_and_cascade),
        cmocka_unit_test(test_connection_create_and_get),
        cmocka_unit_test(test_connection_create_errors),
        cmocka_unit_test(test_connection_patch),
        cmocka_unit_test(test_connection_delete),
        cmocka_unit_test(test_connection_actions),
        cmocka_unit_test(test_connection_state),
        cmocka_unit_test(test_schemas),
        cmocka_unit_test(test_schema_before_capture),
        cmocka_unit_test(test_destinations),
        cmocka_unit_test(test_webhooks_crud),
        cmocka_unit_test(test_malformed_requests),
    };
    return cmocka_run_group_tests_name("sandbox_resources", tests, setup, teardown);
}
