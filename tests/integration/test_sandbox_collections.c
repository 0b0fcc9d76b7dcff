/*
 * fivetrex-sandbox: the router (route table, literal segments, unknown routes), validation
 * from the table, and the generic collections' effects (memberships, cascades, credentials
 * shown once, certificates, transformation runs), over real sockets.
 */
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

/* POST path body, expect status, return data.id (strdup) */
static char *create_id(const char *path, long expect, const char *body)
{
    json_t *j = sbt_call(sb, "POST", expect, body, "%s", path);
    const char *id = sbt_str(sbt_data(j), "id");
    assert_non_null(id);
    char *r = strdup(id);
    json_decref(j);
    return r;
}

static char *new_user(const char *email)
{
    char body[256];
    snprintf(body, sizeof(body),
             "{\"email\":\"%s\",\"given_name\":\"Ada\",\"family_name\":\"Lovelace\","
             "\"role\":\"Account Reviewer\"}",
             email);
    return create_id("/users", 201, body);
}

static size_t list_len(const char *path)
{
    json_t *j = sbt_call(sb, "GET", 200, NULL, "%s", path);
    size_t n = json_array_size(json_object_get(sbt_data(j), "items"));
    json_decref(j);
    return n;
}

static void assert_error(long status, const char *method, const char *body, const char *path,
                         const char *code, const char *message)
{
    json_t *j = sbt_call(sb, method, status, body, "%s", path);
    sbt_assert_error(j, code);
    if (message)
        assert_string_equal(sbt_str(j, "message"), message);
    json_decref(j);
}

/* ---- router ---- */

static void test_unknown_route(void **state)
{
    (void)state;
    json_t *j = sbt_call(sb, "GET", 404, NULL, "/widgets/42");
    sbt_assert_error(j, "NotFound_Route");
    assert_non_null(strstr(sbt_str(j, "message"), "not an API route the sandbox knows"));
    assert_non_null(strstr(sbt_str(j, "message"), "/v1/widgets/42"));
    json_decref(j);
    /* a known collection, an unknown sub-path: still a route error, not a missing object */
    assert_error(404, "POST", "{}", "/users/nobody/explode", "NotFound_Route", NULL);
    /* a known path with another method: 405 with Allow from the table */
    assert_error(405, "PUT", "{}", "/users", "MethodNotAllowed", NULL);
    /* a known route with a missing object: the object's own code */
    assert_error(404, "GET", NULL, "/users/nobody", "NotFound_User",
                 "Cannot find entity 'User' with id 'nobody'");
    /* the one operation outside /v1 */
    long status = 0;
    char *resp = NULL;
    assert_int_equal(sandbox_request(sandbox_origin(sb), "GET", "/public/connector-types", NULL,
                                     NULL, &status, &resp),
                     0);
    assert_int_equal(status, 200);
    j = json_loads(resp, 0, NULL);
    free(resp);
    assert_non_null(j);
    assert_string_equal(sbt_str(sbt_data(j), "id"), "postgres");
    json_decref(j);
}

static void test_drop_columns_is_its_own_route(void **state)
{
    (void)state;
    const char *drop =
        "{\"schemas\":{\"public\":{\"tables\":{\"orders\":{\"columns\":[\"currency\"]}}}}}";
    /* not a schema named "drop-columns": the column must be blocked first */
    assert_error(409, "POST", drop, "/connections/speak_inexpensive/schemas/drop-columns",
                 "Conflict", "Column 'currency' is not blocked");
    json_t *j = sbt_call(sb, "PATCH", 200, "{\"enabled\":false}",
                         "/connections/speak_inexpensive/schemas/public/tables/orders/columns/"
                         "currency");
    json_decref(j);
    j = sbt_call(sb, "POST", 200, drop, "/connections/speak_inexpensive/schemas/drop-columns");
    assert_string_equal(sbt_str(j, "message"), "Columns successfully marked for deletion");
    assert_null(json_object_get(j, "data"));
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/connections/speak_inexpensive/schemas");
    json_t *cols = json_object_get(
        json_object_get(
            json_object_get(json_object_get(json_object_get(sbt_data(j), "schemas"), "public"),
                            "tables"),
            "orders"),
        "columns");
    assert_non_null(json_object_get(cols, "total_cents"));
    assert_null(json_object_get(cols, "currency"));
    json_decref(j);
    /* validation from the table: schemas is required */
    assert_error(400, "POST", "{}", "/connections/speak_inexpensive/schemas/drop-columns",
                 "InvalidInput", "Field 'schemas' is required");
    assert_error(404, "POST", drop, "/connections/nobody_here/schemas/drop-columns",
                 "NotFound_Connector", NULL);
}

static void test_tables_resync_is_its_own_route(void **state)
{
    (void)state;
    assert_error(404, "POST", "{\"public\":[\"nope\"]}",
                 "/connections/speak_inexpensive/schemas/tables/resync", "NotFound",
                 "Table 'nope' not found in schema 'public'");
    json_t *j = sbt_call(sb, "POST", 200, "{\"public\":[\"users\",\"orders\"]}",
                         "/connections/speak_inexpensive/schemas/tables/resync");
    assert_string_equal(sbt_str(j, "message"), "Re-sync has been triggered successfully");
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/connections/speak_inexpensive");
    json_t *st = json_object_get(sbt_data(j), "status");
    assert_true(json_is_true(json_object_get(st, "is_historical_sync")));
    assert_string_equal(sbt_str(st, "sync_state"), "syncing");
    json_decref(j);
    j = sbt_wait_sync_state(sb, "speak_inexpensive", "scheduled", 5000);
    assert_string_equal(sbt_str(json_object_get(sbt_data(j), "status"), "sync_state"), "scheduled");
    json_decref(j);
}

/* ---- validation ---- */

static void test_validation_from_the_table(void **state)
{
    (void)state;
    assert_error(400, "POST", "{\"email\":\"a@example.com\",\"given_name\":\"A\"}", "/users",
                 "InvalidInput", "Field 'family_name' is required");
    assert_error(400, "POST", NULL, "/users", "InvalidInput", "Request body is required");
    assert_error(400, "POST", "{\"email\":5,\"given_name\":\"A\",\"family_name\":\"B\"}", "/users",
                 "InvalidInput", "Field 'email' must be a string");
    assert_error(400, "POST", "{\"name\":\"k\",\"expiration_period\":\"FOREVER\"}", "/system-keys",
                 "InvalidInput",
                 "Invalid value 'FOREVER' for field 'expiration_period': expected one of "
                 "ONE_WEEK, ONE_MONTH, THREE_MONTHS, SIX_MONTHS, INFINITE");
    assert_error(400, "POST", "{\"name\":[1]}", "/teams", "InvalidInput",
                 "Field 'name' must be a string");
    assert_error(400, "POST", "[1]", "/teams", "InvalidInput",
                 "Request body must be a JSON object");
    /* nothing was created */
    assert_int_equal(list_len("/system-keys"), 0);
}

/* ---- collections ---- */

static void test_users_crud_and_paging(void **state)
{
    (void)state;
    char *a = new_user("pg1@example.com"), *b = new_user("pg2@example.com"),
         *c = new_user("pg3@example.com");
    json_t *j = sbt_call(sb, "GET", 200, NULL, "/users/%s", a);
    json_t *u = sbt_data(j);
    assert_string_equal(sbt_str(u, "id"), a);
    assert_string_equal(sbt_str(u, "email"), "pg1@example.com");
    assert_string_equal(sbt_str(u, "given_name"), "Ada");
    assert_string_equal(sbt_str(u, "role"), "Account Reviewer");
    assert_true(sbt_is_ts(sbt_str(u, "created_at")));
    assert_true(json_is_boolean(json_object_get(u, "active")));
    assert_true(json_is_boolean(json_object_get(u, "verified")));
    assert_non_null(json_object_get(u, "logged_in_at"));
    json_decref(j);

    j = sbt_call(sb, "PATCH", 200, "{\"given_name\":\"Grace\"}", "/users/%s", b);
    assert_string_equal(sbt_str(sbt_data(j), "given_name"), "Grace");
    assert_string_equal(sbt_str(sbt_data(j), "family_name"), "Lovelace");
    json_decref(j);

    /* pages of 2 over the users, in creation order, with a cursor */
    j = sbt_call(sb, "GET", 200, NULL, "/users?limit=2");
    json_t *items = json_object_get(sbt_data(j), "items");
    const char *cur = sbt_str(sbt_data(j), "next_cursor");
    assert_int_equal(json_array_size(items), 2);
    assert_non_null(cur);
    char path[256];
    snprintf(path, sizeof(path), "/users?limit=2&cursor=%s", cur);
    json_t *j2 = sbt_call(sb, "GET", 200, NULL, "%s", path);
    size_t n2 = json_array_size(json_object_get(sbt_data(j2), "items"));
    assert_true(n2 >= 1);
    json_decref(j);
    json_decref(j2);
    assert_error(400, "GET", NULL, "/users?limit=0", "InvalidInput", NULL);

    j = sbt_call(sb, "DELETE", 200, NULL, "/users/%s", c);
    char msg[128];
    snprintf(msg, sizeof(msg), "User with id '%s' has been deleted", c);
    assert_string_equal(sbt_str(j, "message"), msg);
    json_decref(j);
    snprintf(path, sizeof(path), "/users/%s", c);
    assert_error(404, "GET", NULL, path, "NotFound_User", NULL);
    free(a);
    free(b);
    free(c);
}

static void test_user_delete_leaves_no_membership(void **state)
{
    (void)state;
    char *u = new_user("member@example.com");
    char *t = create_id("/teams", 201, "{\"name\":\"Data\",\"role\":\"Account Reviewer\"}");
    char path[256], body[256];

    /* group membership by email, seen from both sides */
    json_t *j = sbt_call(sb, "POST", 200,
                         "{\"email\":\"member@example.com\",\"role\":\"Destination Reviewer\"}",
                         "/groups/decent_dropsy/users");
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/groups/decent_dropsy/users");
    json_t *items = json_object_get(sbt_data(j), "items");
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(sbt_str(json_array_get(items, 0), "id"), u);
    assert_string_equal(sbt_str(json_array_get(items, 0), "email"), "member@example.com");
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/users/%s/groups/decent_dropsy", u);
    assert_string_equal(sbt_str(sbt_data(j), "role"), "Destination Reviewer");
    json_decref(j);
    assert_error(404, "POST", "{\"email\":\"nobody@example.com\",\"role\":\"x\"}",
                 "/groups/decent_dropsy/users", "NotFound_User", NULL);

    /* team membership and a connection membership */
    snprintf(body, sizeof(body), "{\"user_id\":\"%s\",\"role\":\"Team Member\"}", u);
    snprintf(path, sizeof(path), "/teams/%s/users", t);
    j = sbt_call(sb, "POST", 201, body, "%s", path);
    assert_string_equal(sbt_str(sbt_data(j), "user_id"), u);
    assert_string_equal(sbt_str(sbt_data(j), "role"), "Team Member");
    json_decref(j);
    assert_error(409, "POST", body, path, "Conflict", NULL);
    snprintf(path, sizeof(path), "/users/%s/connections", u);
    j = sbt_call(sb, "POST", 201, "{\"id\":\"program_quoth\",\"role\":\"Connector Reviewer\"}",
                 "%s", path);
    json_decref(j);
    assert_error(404, "POST", "{\"id\":\"no_such_conn\",\"role\":\"Connector Reviewer\"}", path,
                 "NotFound_Connector", NULL);
    assert_int_equal(list_len(path), 1);

    /* the user goes: every membership naming it goes too */
    j = sbt_call(sb, "DELETE", 200, NULL, "/users/%s", u);
    json_decref(j);
    snprintf(path, sizeof(path), "/teams/%s/users", t);
    assert_int_equal(list_len(path), 0);
    assert_int_equal(list_len("/groups/decent_dropsy/users"), 0);
    snprintf(path, sizeof(path), "/users/%s/connections", u);
    assert_error(404, "GET", NULL, path, "NotFound_User", NULL);
    free(u);
    free(t);
}

static void test_team_delete_leaves_no_membership(void **state)
{
    (void)state;
    char *t = create_id("/teams", 201, "{\"name\":\"Ops\",\"role\":\"Account Reviewer\"}");
    char path[256];
    snprintf(path, sizeof(path), "/teams/%s/groups", t);
    json_t *j =
        sbt_call(sb, "POST", 201, "{\"id\":\"decent_dropsy\",\"role\":\"Destination Reviewer\"}",
                 "%s", path);
    assert_string_equal(sbt_str(sbt_data(j), "id"), "decent_dropsy");
    json_decref(j);
    j = sbt_call(sb, "PATCH", 200, "{\"role\":\"Destination Administrator\"}", "%s/decent_dropsy",
                 path);
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "%s/decent_dropsy", path);
    assert_string_equal(sbt_str(sbt_data(j), "role"), "Destination Administrator");
    json_decref(j);
    /* the account role goes */
    j = sbt_call(sb, "DELETE", 200, NULL, "/teams/%s/role", t);
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/teams/%s", t);
    assert_true(json_is_null(json_object_get(sbt_data(j), "role")));
    json_decref(j);

    j = sbt_call(sb, "DELETE", 200, NULL, "/teams/%s", t);
    json_decref(j);
    assert_error(404, "GET", NULL, path, "NotFound_Team", NULL);
    /* re-created under the same id the collection would be empty: nothing was kept */
    free(t);
}

static void test_group_delete_drops_memberships(void **state)
{
    (void)state;
    char *u = new_user("gd@example.com");
    char *g = create_id("/groups", 201, "{\"name\":\"Doomed\"}");
    char path[256], body[256];
    snprintf(path, sizeof(path), "/users/%s/groups", u);
    snprintf(body, sizeof(body), "{\"id\":\"%s\",\"role\":\"Destination Reviewer\"}", g);
    json_t *j = sbt_call(sb, "POST", 201, body, "%s", path);
    json_decref(j);
    assert_int_equal(list_len(path), 1);
    j = sbt_call(sb, "DELETE", 200, NULL, "/groups/%s", g);
    json_decref(j);
    assert_int_equal(list_len(path), 0);
    free(u);
    free(g);
}

static void test_group_extras(void **state)
{
    (void)state;
    json_t *j = sbt_call(sb, "GET", 200, NULL, "/groups/decent_dropsy/public-key");
    assert_non_null(strstr(sbt_str(sbt_data(j), "public_key"), "ssh-rsa "));
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/groups/decent_dropsy/service-account");
    assert_string_equal(sbt_str(sbt_data(j), "service_account"),
                        "g-decent_dropsy@fivetran-production.iam.gserviceaccount.com");
    json_decref(j);
    assert_error(404, "GET", NULL, "/groups/no_group/public-key", "NotFound_Group",
                 "Cannot find entity 'Group' with id 'no_group'");
}

static void test_certificates_approve_revoke(void **state)
{
    (void)state;
    const char *base = "/connections/program_quoth/certificates";
    assert_int_equal(list_len(base), 0);
    json_t *j =
        sbt_call(sb, "POST", 200, "{\"hash\":\"c0ffee\",\"encoded_cert\":\"MIIB\"}", "%s", base);
    assert_string_equal(sbt_str(sbt_data(j), "hash"), "c0ffee");
    json_decref(j);
    j = sbt_call(
        sb, "POST", 200,
        "{\"hash\":\"beef\",\"encoded_cert\":\"MIIC\",\"connection_id\":\"program_quoth\"}",
        "/certificates");
    assert_null(json_object_get(j, "data"));
    json_decref(j);
    assert_int_equal(list_len(base), 2);
    j = sbt_call(sb, "DELETE", 200, NULL, "%s/c0ffee", base);
    assert_string_equal(sbt_str(j, "message"), "Certificate with id 'c0ffee' has been revoked");
    json_decref(j);
    assert_int_equal(list_len(base), 1);
    char path[128];
    snprintf(path, sizeof(path), "%s/c0ffee", base);
    assert_error(404, "GET", NULL, path, "NotFound_Certificate", NULL);
    assert_error(400, "POST", "{\"hash\":\"x\",\"encoded_cert\":\"y\"}", "/certificates",
                 "InvalidInput", NULL);
    /* fingerprints of a destination */
    j = sbt_call(sb, "POST", 200, "{\"hash\":\"fp1\",\"public_key\":\"ssh-rsa AAAA\"}",
                 "/destinations/decent_dropsy/fingerprints");
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/destinations/decent_dropsy/fingerprints/fp1");
    assert_string_equal(sbt_str(sbt_data(j), "public_key"), "ssh-rsa AAAA");
    json_decref(j);
}

static void test_credentials_shown_once(void **state)
{
    (void)state;
    json_t *j = sbt_call(sb, "POST", 201, "{\"name\":\"ci\",\"expiration_period\":\"ONE_WEEK\"}",
                         "/system-keys");
    json_t *k = sbt_data(j);
    char *id = strdup(sbt_str(k, "id"));
    char *secret = strdup(sbt_str(k, "secret"));
    char *key = strdup(sbt_str(k, "key"));
    assert_string_not_equal(secret, "******");
    assert_true(strlen(secret) >= 32);
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/system-keys/%s", id);
    assert_string_equal(sbt_str(sbt_data(j), "secret"), "******");
    assert_string_equal(sbt_str(sbt_data(j), "key"), key);
    json_decref(j);
    j = sbt_call(sb, "POST", 200, "{\"expiration_period\":\"ONE_MONTH\"}", "/system-keys/%s/rotate",
                 id);
    assert_string_not_equal(sbt_str(sbt_data(j), "secret"), "******");
    assert_string_not_equal(sbt_str(sbt_data(j), "secret"), secret);
    assert_string_not_equal(sbt_str(sbt_data(j), "key"), key);
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/system-keys/%s", id);
    assert_string_equal(sbt_str(sbt_data(j), "secret"), "******");
    json_decref(j);

    /* proxy agent: credentials on create and regenerate-secrets only */
    j = sbt_call(sb, "POST", 201, "{\"display_name\":\"edge\",\"group_id\":\"decent_dropsy\"}",
                 "/proxy");
    const char *agent = sbt_str(sbt_data(j), "agent_id");
    assert_non_null(agent);
    char *aid = strdup(agent);
    char *tok = strdup(sbt_str(sbt_data(j), "auth_token"));
    assert_string_not_equal(tok, "******");
    json_decref(j);
    j = sbt_call(sb, "POST", 200, NULL, "/proxy/%s/regenerate-secrets", aid);
    assert_string_equal(sbt_str(sbt_data(j), "agent_id"), aid);
    assert_string_not_equal(sbt_str(sbt_data(j), "auth_token"), tok);
    assert_string_not_equal(sbt_str(sbt_data(j), "auth_token"), "******");
    assert_non_null(strstr(sbt_str(sbt_data(j), "client_private_key"), "PRIVATE KEY"));
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/proxy/%s", aid);
    assert_string_equal(sbt_str(sbt_data(j), "display_name"), "edge");
    json_decref(j);
    free(id);
    free(secret);
    free(key);
    free(aid);
    free(tok);
}

static void test_transformation_run_ends(void **state)
{
    (void)state;
    char *t = create_id("/transformations", 201,
                        "{\"type\":\"DBT_CORE\",\"paused\":false,\"transformation_config\":"
                        "{\"project_id\":\"p1\",\"name\":\"daily\",\"steps\":[]}}");
    json_t *j = sbt_call(sb, "GET", 200, NULL, "/transformations/%s", t);
    assert_string_equal(sbt_str(sbt_data(j), "status"), "NEW");
    assert_true(json_is_null(json_object_get(sbt_data(j), "last_started_at")));
    json_decref(j);
    char path[128];
    snprintf(path, sizeof(path), "/transformations/%s/cancel", t);
    assert_error(409, "POST", NULL, path, "Conflict", NULL);
    j = sbt_call(sb, "POST", 200, "{\"full_refresh\":true}", "/transformations/%s/run", t);
    assert_string_equal(sbt_str(j, "message"), "Transformation run has been triggered");
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/transformations/%s", t);
    assert_string_equal(sbt_str(sbt_data(j), "status"), "RUNNING");
    assert_true(sbt_is_ts(sbt_str(sbt_data(j), "last_started_at")));
    json_decref(j);
    const char *st = NULL;
    for (int waited = 0; waited < 5000; waited += 10) {
        j = sbt_call(sb, "GET", 200, NULL, "/transformations/%s", t);
        st = strcmp(sbt_str(sbt_data(j), "status"), "SUCCEEDED") == 0 ? "SUCCEEDED" : NULL;
        if (st) {
            assert_true(sbt_is_ts(sbt_str(sbt_data(j), "last_ended_at")));
            json_decref(j);
            break;
        }
        json_decref(j);
        sbt_sleep_ms(10);
    }
    assert_non_null(st);
    assert_error(400, "POST", "{\"full_refresh\":\"yes\"}", "/transformations/nope/run",
                 "InvalidInput", "Field 'full_refresh' must be a boolean");
    assert_error(404, "POST", "{}", "/transformations/nope/run", "NotFound_Transformation", NULL);
    free(t);
}

static void test_singleton_and_catalogues(void **state)
{
    (void)state;
    assert_error(404, "GET", NULL, "/external-logging/account", "NotFound_LogService", NULL);
    json_t *j = sbt_call(sb, "POST", 201,
                         "{\"service\":\"datadog_log\",\"enabled\":true,\"config\":{\"api_key\":"
                         "\"dd-secret-1\"}}",
                         "/external-logging/account");
    json_decref(j);
    assert_error(409, "POST", "{\"service\":\"datadog_log\"}", "/external-logging/account",
                 "Conflict", NULL);
    j = sbt_call(sb, "GET", 200, NULL, "/external-logging/account");
    assert_string_equal(sbt_str(sbt_data(j), "service"), "datadog_log");
    assert_string_equal(sbt_str(json_object_get(sbt_data(j), "config"), "api_key"), "******");
    json_decref(j);
    j = sbt_call(sb, "DELETE", 200, NULL, "/external-logging/account");
    json_decref(j);
    assert_error(404, "GET", NULL, "/external-logging/account", "NotFound_LogService", NULL);

    assert_true(list_len("/roles") >= 5);
    j = sbt_call(sb, "GET", 200, NULL, "/metadata/connector-types/postgres");
    assert_string_equal(sbt_str(sbt_data(j), "name"), "PostgreSQL");
    json_decref(j);
    assert_error(404, "GET", NULL, "/metadata/connector-types/nope", "NotFound_ConnectorType",
                 NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_route),
        cmocka_unit_test(test_drop_columns_is_its_own_route),
        cmocka_unit_test(test_tables_resync_is_its_own_route),
        cmocka_unit_test(test_validation_from_the_table),
        cmocka_unit_test(test_users_crud_and_paging),
        cmocka_unit_test(test_user_delete_leaves_no_membership),
        cmocka_unit_test(test_team_delete_leaves_no_membership),
        cmocka_unit_test(test_group_delete_drops_memberships),
        cmocka_unit_test(test_group_extras),
        cmocka_unit_test(test_certificates_approve_revoke),
        cmocka_unit_test(test_credentials_shown_once),
        cmocka_unit_test(test_transformation_run_ends),
        cmocka_unit_test(test_singleton_and_catalogues),
    };
    return cmocka_run_group_tests_name("sandbox_collections", tests, setup, teardown);
}
