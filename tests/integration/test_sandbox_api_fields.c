/*
 * fivetrex-sandbox: fields the real API returns that the sandbox used to drop or never send
 * (issue 15): link/agent ids stored and read back, the deprecated local_processing_agent_id
 * alias in list items, setup_tests on every connection read, status.schema_status always,
 * status.rescheduled_for, and a destination PATCH that changes only the region.
 */
#include "sandbox_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sandbox_proc *sb, *syn;

static int setup(void **state)
{
    (void)state;
    const char *args[] = {"--seed", "demo", "--sync-duration-ms", "400", NULL};
    const char *syn_args[] = {"--synthetic-connections", "5", NULL};
    sb = sandbox_start(args);
    syn = sandbox_start(syn_args);
    return sb && syn ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    int rc = sandbox_stop(syn);
    return sandbox_stop(sb) == 0 && rc == 0 ? 0 : -1;
}

/* the item with id in data.items of a list response (borrowed), or NULL */
static json_t *find_item(json_t *list, const char *id)
{
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(sbt_data(list), "items"), i, it)
    {
        if (sbt_str(it, "id") && strcmp(sbt_str(it, "id"), id) == 0)
            return it;
    }
    return NULL;
}

static void assert_ids(json_t *o, const char *pl, const char *pa, const char *hda)
{
    json_t *v;
    v = json_object_get(o, "private_link_id");
    if (pl)
        assert_string_equal(json_string_value(v), pl);
    else
        assert_true(json_is_null(v));
    v = json_object_get(o, "proxy_agent_id");
    if (pa)
        assert_string_equal(json_string_value(v), pa);
    else
        assert_true(json_is_null(v));
    v = json_object_get(o, "hybrid_deployment_agent_id");
    if (hda)
        assert_string_equal(json_string_value(v), hda);
    else
        assert_true(json_is_null(v));
}

static void assert_tests(json_t *o, int fail, int details_is_list)
{
    json_t *t = json_object_get(o, "setup_tests");
    assert_true(json_is_array(t));
    assert_int_equal(json_array_size(t), 3);
    for (size_t i = 0; i < 3; i++) {
        json_t *e = json_array_get(t, i);
        assert_non_null(sbt_str(e, "title"));
        assert_string_equal(sbt_str(e, "status"), fail && i == 2 ? "FAILED" : "PASSED");
        assert_non_null(sbt_str(e, "message"));
        json_t *d = json_object_get(e, "details");
        if (fail && i == 2) {
            if (details_is_list) {
                assert_true(json_is_array(d));
                assert_true(json_array_size(d) >= 1);
                assert_true(json_is_string(json_array_get(d, 0)));
            } else {
                assert_true(json_is_string(d));
            }
        } else {
            assert_null(d);
        }
    }
}

static void test_connection_link_ids(void **state)
{
    (void)state;
    json_t *j =
        sbt_call(sb, "POST", 201,
                 "{\"group_id\":\"amber_lagoon\",\"service\":\"postgres\","
                 "\"config\":{\"schema_prefix\":\"linked\"},"
                 "\"networking_method\":\"PrivateLink\",\"private_link_id\":\"pl_alpha\","
                 "\"proxy_agent_id\":\"pa_beta\",\"hybrid_deployment_agent_id\":\"hd_gamma\"}",
                 "/connections");
    json_t *d = sbt_data(j);
    char id[64];
    snprintf(id, sizeof(id), "%s", sbt_str(d, "id"));
    assert_string_equal(sbt_str(d, "networking_method"), "PrivateLink");
    assert_ids(d, "pl_alpha", "pa_beta", "hd_gamma");
    json_decref(j);

    j = sbt_call(sb, "GET", 200, NULL, "/connections/%s", id);
    assert_ids(sbt_data(j), "pl_alpha", "pa_beta", "hd_gamma");
    /* the deprecated alias is a list-item field only */
    assert_null(json_object_get(sbt_data(j), "local_processing_agent_id"));
    json_decref(j);

    j = sbt_call(sb, "GET", 200, NULL, "/connections?group_id=amber_lagoon");
    json_t *it = find_item(j, id);
    assert_non_null(it);
    assert_ids(it, "pl_alpha", "pa_beta", "hd_gamma");
    assert_string_equal(sbt_str(it, "local_processing_agent_id"), "hd_gamma");
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/groups/amber_lagoon/connections");
    assert_string_equal(sbt_str(find_item(j, id), "local_processing_agent_id"), "hd_gamma");
    json_decref(j);

    /* PATCH changes one id, clears another with null, keeps the third */
    j = sbt_call(sb, "PATCH", 200,
                 "{\"proxy_agent_id\":null,\"hybrid_deployment_agent_id\":\"hd_2\"}",
                 "/connections/%s", id);
    assert_string_equal(sbt_str(j, "message"), "Connection has been updated");
    assert_ids(sbt_data(j), "pl_alpha", NULL, "hd_2");
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/connections/%s", id);
    assert_ids(sbt_data(j), "pl_alpha", NULL, "hd_2");
    json_decref(j);

    /* a non-string id is refused and changes nothing */
    j = sbt_call(sb, "PATCH", 400, "{\"private_link_id\":7,\"paused\":true}", "/connections/%s",
                 id);
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/connections/%s", id);
    assert_ids(sbt_data(j), "pl_alpha", NULL, "hd_2");
    assert_true(json_is_false(json_object_get(sbt_data(j), "paused")));
    json_decref(j);
}

static void test_connection_setup_tests_on_every_read(void **state)
{
    (void)state;
    json_t *j = sbt_call(sb, "POST", 201,
                         "{\"group_id\":\"amber_lagoon\",\"service\":\"mysql\","
                         "\"config\":{\"schema_prefix\":\"tested\"}}",
                         "/connections");
    char id[64];
    snprintf(id, sizeof(id), "%s", sbt_str(sbt_data(j), "id"));
    assert_tests(sbt_data(j), 0, 0);
    json_decref(j);

    j = sbt_call(sb, "GET", 200, NULL, "/connections/%s", id);
    assert_tests(sbt_data(j), 0, 0);
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/connections?group_id=amber_lagoon");
    assert_tests(find_item(j, id), 0, 0);
    json_decref(j);
    /* a PATCH without run_setup_tests still returns the last results */
    j = sbt_call(sb, "PATCH", 200, "{\"sync_frequency\":60}", "/connections/%s", id);
    assert_tests(sbt_data(j), 0, 0);
    json_decref(j);

    /* a failing connection: the failed step carries details (a list) everywhere */
    j = sbt_call(sb, "PATCH", 200, "{\"config\":{\"sandbox_fail\":true},\"run_setup_tests\":true}",
                 "/connections/%s", id);
    assert_tests(sbt_data(j), 1, 1);
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/connections/%s", id);
    assert_tests(sbt_data(j), 1, 1);
    assert_string_equal(sbt_str(json_object_get(sbt_data(j), "status"), "setup_state"), "broken");
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/connections?group_id=amber_lagoon");
    assert_tests(find_item(j, id), 1, 1);
    json_decref(j);

    /* seeded connections never ran tests: no setup_tests key */
    j = sbt_call(sb, "GET", 200, NULL, "/connections/speak_inexpensive");
    assert_null(json_object_get(sbt_data(j), "setup_tests"));
    json_decref(j);
}

static void test_schema_status_always_present(void **state)
{
    (void)state;
    json_t *j = sbt_call(sb, "GET", 200, NULL, "/connections/speak_inexpensive");
    json_t *st = json_object_get(sbt_data(j), "status");
    assert_string_equal(sbt_str(st, "schema_status"), "ready");
    assert_true(json_is_null(json_object_get(st, "rescheduled_for")));
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/connections?limit=1000");
    size_t i;
    json_t *it;
    size_t n = 0;
    json_array_foreach(json_object_get(sbt_data(j), "items"), i, it)
    {
        st = json_object_get(it, "status");
        assert_non_null(sbt_str(st, "schema_status"));
        assert_non_null(json_object_get(st, "rescheduled_for"));
        assert_non_null(json_object_get(it, "local_processing_agent_id"));
        n++;
    }
    assert_true(n >= 8);
    json_decref(j);
    /* a PATCH sets it, and it stays */
    j = sbt_call(sb, "PATCH", 200, "{\"schema_status\":\"blocked_on_capture\"}",
                 "/connections/lumber_tomato");
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/connections/lumber_tomato");
    assert_string_equal(sbt_str(json_object_get(sbt_data(j), "status"), "schema_status"),
                        "blocked_on_capture");
    json_decref(j);
}

static void test_synthetic_items_carry_the_fields(void **state)
{
    (void)state;
    json_t *j = sbt_call(syn, "GET", 200, NULL, "/connections");
    size_t i;
    json_t *it;
    assert_int_equal(json_array_size(json_object_get(sbt_data(j), "items")), 5);
    json_array_foreach(json_object_get(sbt_data(j), "items"), i, it)
    {
        json_t *st = json_object_get(it, "status");
        assert_string_equal(sbt_str(st, "schema_status"), "ready");
        assert_true(json_is_null(json_object_get(st, "rescheduled_for")));
        assert_true(json_is_null(json_object_get(it, "local_processing_agent_id")));
        assert_true(json_is_null(json_object_get(it, "hybrid_deployment_agent_id")));
    }
    /* a mutated (materialised) synthetic connection renders the same way */
    char id[64];
    snprintf(id, sizeof(id), "%s",
             sbt_str(json_array_get(json_object_get(sbt_data(j), "items"), 0), "id"));
    json_decref(j);
    j = sbt_call(syn, "PATCH", 200, "{\"hybrid_deployment_agent_id\":\"hd_syn\"}",
                 "/connections/%s", id);
    json_decref(j);
    j = sbt_call(syn, "GET", 200, NULL, "/connections?limit=1");
    it = find_item(j, id);
    assert_non_null(it);
    assert_string_equal(sbt_str(it, "local_processing_agent_id"), "hd_syn");
    assert_string_equal(sbt_str(json_object_get(it, "status"), "schema_status"), "ready");
    json_decref(j);
}

static void test_rescheduled_sync(void **state)
{
    (void)state;
    json_t *j = sbt_call(sb, "POST", 201,
                         "{\"group_id\":\"amber_lagoon\",\"service\":\"hubspot\","
                         "\"config\":{\"schema\":\"quota\",\"sandbox_rescheduled\":1500}}",
                         "/connections");
    char id[64];
    snprintf(id, sizeof(id), "%s", sbt_str(sbt_data(j), "id"));
    json_decref(j);
    j = sbt_call(sb, "POST", 200, "{}", "/connections/%s/sync", id);
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/connections/%s", id);
    json_t *st = json_object_get(sbt_data(j), "status");
    assert_string_equal(sbt_str(st, "sync_state"), "rescheduled");
    assert_true(sbt_is_ts(sbt_str(st, "rescheduled_for")));
    json_decref(j);
    /* list items show it too */
    j = sbt_call(sb, "GET", 200, NULL, "/connections?group_id=amber_lagoon");
    st = json_object_get(find_item(j, id), "status");
    assert_string_equal(sbt_str(st, "sync_state"), "rescheduled");
    assert_true(sbt_is_ts(sbt_str(st, "rescheduled_for")));
    json_decref(j);
    /* after the wait the sync runs and ends; rescheduled_for is null again */
    j = sbt_wait_sync_state(sb, id, "syncing", 5000);
    st = json_object_get(sbt_data(j), "status");
    assert_string_equal(sbt_str(st, "sync_state"), "syncing");
    assert_true(json_is_null(json_object_get(st, "rescheduled_for")));
    json_decref(j);
    j = sbt_wait_sync_state(sb, id, "scheduled", 5000);
    st = json_object_get(sbt_data(j), "status");
    assert_string_equal(sbt_str(st, "sync_state"), "scheduled");
    assert_true(json_is_null(json_object_get(st, "rescheduled_for")));
    assert_true(sbt_is_ts(sbt_str(sbt_data(j), "succeeded_at")));
    json_decref(j);
}

static void test_destination_link_ids_and_tests(void **state)
{
    (void)state;
    json_t *j = sbt_call(sb, "POST", 201,
                         "{\"group_id\":\"amber_lagoon\",\"service\":\"postgres_warehouse\","
                         "\"time_zone_offset\":\"+2\",\"networking_method\":\"ProxyAgent\","
                         "\"private_link_id\":\"pl_d\",\"proxy_agent_id\":\"pa_d\","
                         "\"hybrid_deployment_agent_id\":\"hd_d\","
                         "\"external_secrets_manager_id\":\"esm_d\","
                         "\"config\":{\"host\":\"h\",\"sandbox_fail\":true}}",
                         "/destinations");
    assert_ids(sbt_data(j), "pl_d", "pa_d", "hd_d");
    assert_string_equal(sbt_str(sbt_data(j), "external_secrets_manager_id"), "esm_d");
    assert_tests(sbt_data(j), 1, 0); /* destination details: a string */
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/destinations/amber_lagoon");
    assert_ids(sbt_data(j), "pl_d", "pa_d", "hd_d");
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/destinations");
    json_t *it = find_item(j, "amber_lagoon");
    assert_non_null(it);
    assert_ids(it, "pl_d", "pa_d", "hd_d");
    assert_string_equal(sbt_str(it, "local_processing_agent_id"), "hd_d");
    json_decref(j);
    j = sbt_call(sb, "PATCH", 200, "{\"private_link_id\":null,\"proxy_agent_id\":\"pa_e\"}",
                 "/destinations/amber_lagoon");
    assert_ids(sbt_data(j), NULL, "pa_e", "hd_d");
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/destinations/amber_lagoon");
    assert_ids(sbt_data(j), NULL, "pa_e", "hd_d");
    json_decref(j);
    j = sbt_call(sb, "PATCH", 400, "{\"hybrid_deployment_agent_id\":[]}",
                 "/destinations/amber_lagoon");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
}

static void test_destination_patch_region_only(void **state)
{
    (void)state;
    json_t *j =
        sbt_call(sb, "PATCH", 200, "{\"region\":\"AWS_US_WEST_2\"}", "/destinations/decent_dropsy");
    assert_string_equal(sbt_str(j, "message"), "Destination has been updated");
    assert_string_equal(sbt_str(sbt_data(j), "region"), "AWS_US_WEST_2");
    assert_string_equal(sbt_str(sbt_data(j), "time_zone_offset"), "-5");
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/destinations/decent_dropsy");
    assert_string_equal(sbt_str(sbt_data(j), "region"), "AWS_US_WEST_2");
    assert_string_equal(sbt_str(sbt_data(j), "time_zone_offset"), "-5");
    json_decref(j);
    /* a time_zone_offset that is sent is still checked */
    j = sbt_call(sb, "PATCH", 400, "{\"time_zone_offset\":\"5\"}", "/destinations/decent_dropsy");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connection_link_ids),
        cmocka_unit_test(test_connection_setup_tests_on_every_read),
        cmocka_unit_test(test_schema_status_always_present),
        cmocka_unit_test(test_synthetic_items_carry_the_fields),
        cmocka_unit_test(test_rescheduled_sync),
        cmocka_unit_test(test_destination_link_ids_and_tests),
        cmocka_unit_test(test_destination_patch_region_only),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
