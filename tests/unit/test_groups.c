/*
 * Groups against the in-test HTTP server: the exact request of every call and
 * every field parsed from realistic responses (shapes from fivetran-api.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fivetrex/fivetrex.h"
#include "test_helpers.h"

#define GROUP_JSON                                                                                 \
    "{\"id\":\"decent_dropsy\",\"name\":\"Primary_Snowflake\","                                    \
    "\"created_at\":\"2020-05-25T15:26:47.306509Z\"}"
#define GROUP_ENVELOPE "{\"code\":\"Success\",\"data\":" GROUP_JSON "}"
#define CREATED_AT_MS  1590420407306LL

typedef th_fixture fixture;

static void assert_primary_snowflake(const ftx_group *g)
{
    assert_non_null(g);
    assert_string_equal(g->id, "decent_dropsy");
    assert_string_equal(g->name, "Primary_Snowflake");
    assert_string_equal(g->created_at.iso, "2020-05-25T15:26:47.306509Z");
    assert_int_equal(g->created_at.valid, 1);
    assert_int_equal(g->created_at.epoch_ms, CREATED_AT_MS);
    assert_non_null(g->raw);
    assert_true(json_is_object(g->raw));
    assert_string_equal(json_string_value(json_object_get(g->raw, "name")), "Primary_Snowflake");
}

/* ---- get ---- */

static void test_get(void **state)
{
    fixture *f = *state;
    ftx_group *g = NULL;
    ftx_error err = {0};
    const mock_request *r;

    mock_server_respond(f->ms, 200, GROUP_ENVELOPE);
    assert_int_equal(ftx_groups_get(f->client, "decent_dropsy", &g, &err), FTX_OK);
    assert_int_equal(mock_server_request_count(f->ms), 1);
    r = mock_server_request(f->ms, 0);
    th_assert_request(r, "GET", "/v1/groups/decent_dropsy", NULL, "application/json");
    assert_null(r->body);
    assert_primary_snowflake(g);
    ftx_group_free(g);
}

static void test_get_unknown_fields_and_nulls(void **state)
{
    fixture *f = *state;
    ftx_group *g = NULL;
    ftx_error err = {0};

    mock_server_respond(f->ms, 200,
                        "{\"code\":\"Success\",\"data\":{\"id\":\"projected_sickle\",\"name\":null,"
                        "\"created_at\":null,\"region\":\"GCP_US_EAST4\",\"new\":{\"x\":[1]}}}");
    assert_int_equal(ftx_groups_get(f->client, "projected_sickle", &g, &err), FTX_OK);
    assert_string_equal(g->id, "projected_sickle");
    assert_null(g->name);
    assert_null(g->created_at.iso);
    assert_int_equal(g->created_at.valid, 0);
    /* fields the model does not name are kept in raw */
    assert_string_equal(json_string_value(json_object_get(g->raw, "region")), "GCP_US_EAST4");
    ftx_group_free(g);
}

static void test_get_hostile_ids_are_encoded(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *id;
        const char *path;
    } cases[] = {
        {"../x", "/v1/groups/..%2Fx"},
        {"..", "/v1/groups/%2E%2E"},
        {".", "/v1/groups/%2E"},
        {"a/b", "/v1/groups/a%2Fb"},
        {"a?b#c", "/v1/groups/a%3Fb%23c"},
        {"a b", "/v1/groups/a%20b"},
        {"../groups?limit=1", "/v1/groups/..%2Fgroups%3Flimit%3D1"},
        {"caf\xc3\xa9", "/v1/groups/caf%C3%A9"},
        {"_airworthy", "/v1/groups/_airworthy"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ftx_group *g = NULL;
        ftx_error err = {0};
        const mock_request *r;

        mock_server_respond(f->ms, 200, GROUP_ENVELOPE);
        assert_int_equal(ftx_groups_get(f->client, cases[i].id, &g, &err), FTX_OK);
        r = mock_server_request(f->ms, i);
        th_assert_request(r, "GET", cases[i].path, NULL, "application/json");
        ftx_group_free(g);
    }
    assert_int_equal(mock_server_request_count(f->ms), sizeof(cases) / sizeof(cases[0]));
}

static void test_null_and_empty_ids_send_nothing(void **state)
{
    fixture *f = *state;
    const char *ids[] = {NULL, ""};
    json_t *params = json_pack("{s:s}", "name", "x");
    size_t i;

    for (i = 0; i < 2; i++) {
        ftx_group *g = (ftx_group *)(uintptr_t)1;
        ftx_error err = {0};

        assert_int_equal(ftx_groups_get(f->client, ids[i], &g, &err), FTX_ERR_INVALID_ARGUMENT);
        assert_null(g);
        assert_int_equal(err.type, FTX_ERR_INVALID_ARGUMENT);
        assert_string_equal(err.message, "group_id must be a non-empty string");
        g = (ftx_group *)(uintptr_t)1;
        assert_int_equal(ftx_groups_update(f->client, ids[i], params, &g, &err),
                         FTX_ERR_INVALID_ARGUMENT);
        assert_null(g);
        assert_string_equal(err.message, "group_id must be a non-empty string");
        assert_int_equal(ftx_groups_delete(f->client, ids[i], &err), FTX_ERR_INVALID_ARGUMENT);
        assert_string_equal(err.message, "group_id must be a non-empty string");
        /* err may be NULL */
        assert_int_equal(ftx_groups_delete(f->client, ids[i], NULL), FTX_ERR_INVALID_ARGUMENT);
    }
    assert_int_equal(mock_server_request_count(f->ms), 0);
    json_decref(params);
}

static void test_bad_arguments_send_nothing(void **state)
{
    fixture *f = *state;
    json_t *arr = json_array();
    ftx_group *g = NULL;
    ftx_group_page *page = NULL;
    ftx_group_stream *s = NULL;
    ftx_error err = {0};

    assert_int_equal(ftx_groups_get(NULL, "x", &g, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_groups_get(f->client, "x", NULL, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_groups_create(f->client, NULL, &g, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_groups_create(f->client, arr, &g, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_groups_update(f->client, "x", NULL, &g, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_groups_update(f->client, "x", arr, &g, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_groups_delete(NULL, "x", &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_groups_list(NULL, NULL, &page, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_groups_stream(NULL, NULL, &s, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(f->ms), 0);
    json_decref(arr);
}

static void test_get_not_found(void **state)
{
    fixture *f = *state;
    ftx_group *g = (ftx_group *)(uintptr_t)1;
    ftx_error err = {0};

    mock_server_respond(f->ms, 404,
                        "{\"code\":\"NotFound_Group\","
                        "\"message\":\"Cannot find entity 'Group' with id 'nope'\"}");
    assert_int_equal(ftx_groups_get(f->client, "nope", &g, &err), FTX_ERR_NOT_FOUND);
    assert_null(g);
    assert_int_equal(err.type, FTX_ERR_NOT_FOUND);
    assert_int_equal(err.status, 404);
    assert_string_equal(err.code, "NotFound_Group");
    assert_non_null(strstr(err.message, "Cannot find entity 'Group' with id 'nope'"));
    th_assert_no_secret(err.message);
    /* a 404 is not retried */
    assert_int_equal(mock_server_request_count(f->ms), 1);
}

static void test_get_envelope_without_data_is_decode(void **state)
{
    fixture *f = *state;
    ftx_group *g = NULL;
    ftx_error err = {0};

    mock_server_respond(f->ms, 200, "{\"code\":\"Success\",\"message\":\"ok\"}");
    assert_int_equal(ftx_groups_get(f->client, "g", &g, &err), FTX_ERR_DECODE);
    assert_null(g);
    mock_server_respond(f->ms, 200, "{\"code\":\"Success\",\"data\":[" GROUP_JSON "]}");
    assert_int_equal(ftx_groups_get(f->client, "g", &g, &err), FTX_ERR_DECODE);
    assert_null(g);
    mock_server_respond(f->ms, 200, "{\"code\":\"Success\",\"data\":{\"id\":");
    assert_int_equal(ftx_groups_get(f->client, "g", &g, &err), FTX_ERR_DECODE);
    assert_null(g);
}

/* ---- create / update / delete ---- */

static void test_create(void **state)
{
    fixture *f = *state;
    json_t *params = json_pack("{s:s}", "name", "Primary_Snowflake");
    ftx_group *g = NULL;
    ftx_error err = {0};
    const mock_request *r;

    mock_server_respond(
        f->ms, 201,
        "{\"code\":\"Created\",\"message\":\"Group has been created\",\"data\":" GROUP_JSON "}");
    assert_int_equal(ftx_groups_create(f->client, params, &g, &err), FTX_OK);
    r = mock_server_request(f->ms, 0);
    th_assert_request(r, "POST", "/v1/groups", NULL, "application/json");
    assert_non_null(r->content_type);
    assert_non_null(strstr(r->content_type, "application/json"));
    th_assert_json_eq(r->body, "{\"name\":\"Primary_Snowflake\"}");
    assert_primary_snowflake(g);
    /* the caller's reference is not stolen */
    assert_int_equal(params->refcount, 1);
    ftx_group_free(g);
    json_decref(params);
}

static void test_create_500_is_outcome_unknown_and_not_repeated(void **state)
{
    fixture *f = *state;
    json_t *params = json_pack("{s:s}", "name", "warehouse");
    ftx_group *g = NULL;
    ftx_error err = {0};

    mock_server_respond(f->ms, 500, "{\"code\":\"InternalError\",\"message\":\"oops\"}");
    mock_server_respond(f->ms, 201, "{\"code\":\"Created\",\"data\":" GROUP_JSON "}");
    assert_int_equal(ftx_groups_create(f->client, params, &g, &err), FTX_ERR_OUTCOME_UNKNOWN);
    assert_null(g);
    assert_int_equal(err.type, FTX_ERR_OUTCOME_UNKNOWN);
    assert_int_equal(mock_server_request_count(f->ms), 1);
    assert_int_equal(f->fc.nsleeps, 0);
    json_decref(params);
}

static void test_update(void **state)
{
    fixture *f = *state;
    json_t *params = json_pack("{s:s}", "name", "new_name");
    ftx_group *g = NULL;
    ftx_error err = {0};
    const mock_request *r;

    mock_server_respond(f->ms, 200,
                        "{\"code\":\"Success\",\"data\":{\"id\":\"decent_dropsy\",\"name\":"
                        "\"new_name\",\"created_at\":\"2020-05-25T15:26:47.306509Z\"}}");
    assert_int_equal(ftx_groups_update(f->client, "decent_dropsy", params, &g, &err), FTX_OK);
    r = mock_server_request(f->ms, 0);
    th_assert_request(r, "PATCH", "/v1/groups/decent_dropsy", NULL, "application/json");
    th_assert_json_eq(r->body, "{\"name\":\"new_name\"}");
    assert_string_equal(g->id, "decent_dropsy");
    assert_string_equal(g->name, "new_name");
    assert_int_equal(g->created_at.epoch_ms, CREATED_AT_MS);
    ftx_group_free(g);

    /* hostile id in a PATCH */
    mock_server_respond(f->ms, 200, GROUP_ENVELOPE);
    assert_int_equal(ftx_groups_update(f->client, "a/b", params, &g, &err), FTX_OK);
    th_assert_request(mock_server_request(f->ms, 1), "PATCH", "/v1/groups/a%2Fb", NULL,
                      "application/json");
    ftx_group_free(g);
    json_decref(params);
}

static void test_delete(void **state)
{
    fixture *f = *state;
    ftx_error err = {0};
    const mock_request *r;

    mock_server_respond(
        f->ms, 200,
        "{\"code\":\"Success\",\"message\":\"Group with id 'decent_dropsy' has been "
        "deleted\"}");
    assert_int_equal(ftx_groups_delete(f->client, "decent_dropsy", &err), FTX_OK);
    r = mock_server_request(f->ms, 0);
    th_assert_request(r, "DELETE", "/v1/groups/decent_dropsy", NULL, "application/json");
    assert_null(r->body);

    /* hostile id, and a 204 with no body is fine too */
    mock_server_respond(f->ms, 204, NULL);
    assert_int_equal(ftx_groups_delete(f->client, "../x", &err), FTX_OK);
    th_assert_request(mock_server_request(f->ms, 1), "DELETE", "/v1/groups/..%2Fx", NULL,
                      "application/json");

    mock_server_respond(f->ms, 404, "{\"code\":\"NotFound_Group\",\"message\":\"gone\"}");
    assert_int_equal(ftx_groups_delete(f->client, "gone", &err), FTX_ERR_NOT_FOUND);
    assert_string_equal(err.code, "NotFound_Group");
    assert_int_equal(mock_server_request_count(f->ms), 3);
}

/* ---- list / stream ---- */

#define LIST_PAGE1                                                                                 \
    "{\"code\":\"Success\",\"data\":{\"items\":[" GROUP_JSON                                       \
    ",{\"id\":\"projected_sickle\",\"name\":\"Staging\",\"created_at\":\"2018-12-20T11:59:35."     \
    "089Z\"}"                                                                                      \
    "],\"next_cursor\":\"eyJza2lwIjoyfQ\"}}"
#define LIST_PAGE2                                                                                 \
    "{\"code\":\"Success\",\"data\":{\"items\":[{\"id\":\"third_group\",\"name\":\"Third\","       \
    "\"created_at\":\"2021-01-01T00:00:00Z\"}],\"next_cursor\":null}}"

static void test_list(void **state)
{
    fixture *f = *state;
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx_group_page *page = NULL;
    ftx_error err = {0};

    lo.limit = 2;
    mock_server_respond(f->ms, 200, LIST_PAGE1);
    assert_int_equal(ftx_groups_list(f->client, &lo, &page, &err), FTX_OK);
    th_assert_request(mock_server_request(f->ms, 0), "GET", "/v1/groups", "limit=2",
                      "application/json");
    assert_int_equal(page->count, 2);
    assert_primary_snowflake(page->items[0]);
    assert_string_equal(page->items[1]->id, "projected_sickle");
    assert_string_equal(page->items[1]->name, "Staging");
    assert_int_equal(page->items[1]->created_at.epoch_ms, 1545307175089LL);
    assert_string_equal(page->next_cursor, "eyJza2lwIjoyfQ");

    lo.cursor = page->next_cursor;
    mock_server_respond(f->ms, 200, LIST_PAGE2);
    {
        ftx_group_page *page2 = NULL;

        assert_int_equal(ftx_groups_list(f->client, &lo, &page2, &err), FTX_OK);
        th_assert_request(mock_server_request(f->ms, 1), "GET", "/v1/groups",
                          "cursor=eyJza2lwIjoyfQ&limit=2", "application/json");
        assert_int_equal(page2->count, 1);
        assert_string_equal(page2->items[0]->id, "third_group");
        assert_null(page2->next_cursor);
        ftx_group_page_free(page2);
    }
    ftx_group_page_free(page);
    ftx_group_page_free(NULL);

    /* no options: first page, API's default size */
    mock_server_respond(f->ms, 200, "{\"code\":\"Success\",\"data\":{\"items\":[]}}");
    assert_int_equal(ftx_groups_list(f->client, NULL, &page, &err), FTX_OK);
    th_assert_request(mock_server_request(f->ms, 2), "GET", "/v1/groups", NULL, "application/json");
    assert_int_equal(page->count, 0);
    assert_null(page->next_cursor);
    ftx_group_page_free(page);

    lo.limit = 1001;
    assert_int_equal(ftx_groups_list(f->client, &lo, &page, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(f->ms), 3);
}

static void test_list_item_not_object_is_decode(void **state)
{
    fixture *f = *state;
    ftx_group_page *page = NULL;
    ftx_error err = {0};

    mock_server_respond(f->ms, 200,
                        "{\"code\":\"Success\",\"data\":{\"items\":[" GROUP_JSON ",\"oops\"]}}");
    assert_int_equal(ftx_groups_list(f->client, NULL, &page, &err), FTX_ERR_DECODE);
    assert_null(page);
}

static void run_stream(fixture *f, int prefetch)
{
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx_group_stream *s = NULL;
    const ftx_group *g = NULL;
    ftx_error err = {0};
    const char *expect[] = {"decent_dropsy", "projected_sickle", "third_group"};
    int rc, n = 0;

    mock_server_reset(f->ms);
    lo.limit = 2;
    lo.prefetch = prefetch;
    mock_server_respond(f->ms, 200, LIST_PAGE1);
    mock_server_respond(f->ms, 200, LIST_PAGE2);
    assert_int_equal(ftx_groups_stream(f->client, &lo, &s, &err), FTX_OK);
    assert_int_equal(mock_server_request_count(f->ms), 0);
    while ((rc = ftx_group_stream_next(s, &g, &err)) == FTX_OK && g != NULL) {
        assert_true(n < 3);
        assert_string_equal(g->id, expect[n]);
        if (n == 0)
            assert_primary_snowflake(g);
        n++;
    }
    assert_int_equal(rc, FTX_OK);
    assert_int_equal(n, 3);
    ftx_group_stream_free(s);
    assert_int_equal(mock_server_request_count(f->ms), 2);
    th_assert_request(mock_server_request(f->ms, 0), "GET", "/v1/groups", "limit=2",
                      "application/json");
    th_assert_request(mock_server_request(f->ms, 1), "GET", "/v1/groups",
                      "cursor=eyJza2lwIjoyfQ&limit=2", "application/json");
}

static void test_stream(void **state)
{
    run_stream(*state, 0);
    run_stream(*state, 1);
}

static void test_stream_item_dup_outlives_stream(void **state)
{
    fixture *f = *state;
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx_group_stream *s = NULL;
    const ftx_group *g = NULL;
    ftx_group *kept;
    ftx_error err = {0};

    lo.prefetch = 0;
    mock_server_respond(f->ms, 200, LIST_PAGE2);
    assert_int_equal(ftx_groups_stream(f->client, &lo, &s, &err), FTX_OK);
    assert_int_equal(ftx_group_stream_next(s, &g, &err), FTX_OK);
    kept = ftx_group_dup(g);
    ftx_group_stream_free(s);
    assert_string_equal(kept->id, "third_group");
    assert_string_equal(kept->name, "Third");
    assert_string_equal(json_string_value(json_object_get(kept->raw, "id")), "third_group");
    ftx_group_free(kept);
    assert_int_equal(ftx_group_stream_next(NULL, &g, &err), FTX_ERR_INVALID_ARGUMENT);
    ftx_group_stream_free(NULL);
}

/* ---- model ---- */

static void test_from_json_rejects_non_objects(void **state)
{
    static const char *const texts[] = {"[]", "\"decent_dropsy\"", "42", "null", "true"};
    ftx_error err = {0};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        json_t *j = th_json(texts[i]);
        ftx_group *g = (ftx_group *)(uintptr_t)1;

        assert_int_equal(ftx_group_from_json(j, &g, &err), FTX_ERR_DECODE);
        assert_null(g);
        assert_int_equal(err.type, FTX_ERR_DECODE);
        json_decref(j);
    }
    {
        ftx_group *g = (ftx_group *)(uintptr_t)1;

        assert_int_equal(ftx_group_from_json(NULL, &g, &err), FTX_ERR_DECODE);
        assert_null(g);
    }
}

static void test_from_json_tolerant(void **state)
{
    json_t *j = th_json("{\"id\":42,\"name\":[\"x\"],\"created_at\":\"yesterday\"}");
    ftx_group *g = NULL;

    (void)state;
    assert_int_equal(ftx_group_from_json(j, &g, NULL), FTX_OK);
    assert_string_equal(g->id, "42");
    assert_null(g->name);
    assert_string_equal(g->created_at.iso, "yesterday");
    assert_int_equal(g->created_at.valid, 0);
    assert_ptr_equal(g->raw, j);
    ftx_group_free(g);
    json_decref(j);

    j = th_json("{}");
    assert_int_equal(ftx_group_from_json(j, &g, NULL), FTX_OK);
    assert_null(g->id);
    assert_null(g->name);
    assert_null(g->created_at.iso);
    ftx_group_free(g);
    json_decref(j);
}

static void test_dup(void **state)
{
    json_t *j = th_json(GROUP_JSON);
    ftx_group *g = NULL, *copy;

    (void)state;
    assert_int_equal(ftx_group_from_json(j, &g, NULL), FTX_OK);
    json_decref(j); /* the model holds its own reference */
    copy = ftx_group_dup(g);
    assert_non_null(copy);
    assert_ptr_not_equal(copy->id, g->id);
    assert_ptr_not_equal(copy->name, g->name);
    assert_ptr_not_equal(copy->created_at.iso, g->created_at.iso);
    /* raw is shared by reference (read-only JSON), not copied */
    assert_ptr_equal(copy->raw, g->raw);
    assert_int_equal(g->raw->refcount, 2);
    ftx_group_free(g);
    assert_primary_snowflake(copy);
    assert_int_equal(copy->raw->refcount, 1);
    ftx_group_free(copy);
    assert_null(ftx_group_dup(NULL));
    ftx_group_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_get, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_get_unknown_fields_and_nulls, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_get_hostile_ids_are_encoded, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_null_and_empty_ids_send_nothing, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments_send_nothing, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_get_not_found, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_get_envelope_without_data_is_decode, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_create, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_create_500_is_outcome_unknown_and_not_repeated,
                                        th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_update, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_delete, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_list, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_list_item_not_object_is_decode, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_stream, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_item_dup_outlives_stream, th_setup,
                                        th_teardown),
        cmocka_unit_test(test_from_json_rejects_non_objects),
        cmocka_unit_test(test_from_json_tolerant),
        cmocka_unit_test(test_dup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
