/*
 * Webhooks management API against the in-test server: the exact request of every
 * call (method, raw path, query, Accept, JSON body) and every field parsed from the
 * shapes in fivetran-api.md 3.7.
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

#define ACCEPT_JSON "application/json"

typedef th_fixture fixture;

static char *read_fixture(const char *name)
{
    char path[128];

    (void)snprintf(path, sizeof(path), "webhooks_api/%s", name);
    return th_read_fixture(path);
}

static void respond_fixture(fixture *fx, int status, const char *name)
{
    char *body = read_fixture(name);

    mock_server_respond(fx->ms, status, body);
    free(body);
}

/* Assert request `i`. `query` and `body` NULL mean none was sent. */
static void assert_request(fixture *fx, size_t i, const char *method, const char *path,
                           const char *query, const char *body)
{
    (void)th_assert_call(fx->ms, i, method, path, query, ACCEPT_JSON, body);
}

static void assert_account_webhook(const ftx_webhook *w)
{
    assert_non_null(w);
    assert_string_equal(w->id, "program_quoth");
    assert_string_equal(w->type, "account");
    assert_null(w->group_id);
    assert_string_equal(w->url, "https://your-host.your-domain/webhook");
    assert_int_equal(w->event_count, 2);
    assert_string_equal(w->events[0], "sync_start");
    assert_string_equal(w->events[1], "sync_end");
    assert_null(w->events[2]);
    assert_int_equal(w->active, 1);
    assert_string_equal(w->secret, "******");
    assert_string_equal(w->created_at.iso, "2022-04-29T09:41:08.583Z");
    assert_int_equal(w->created_at.valid, 1);
    assert_int_equal(w->created_at.epoch_ms, 1651225268583LL);
    assert_string_equal(w->created_by, "_airworthy");
    assert_string_equal(json_string_value(json_object_get(w->raw, "id")), "program_quoth");
    assert_true(ftx_webhook_account_level(w));
    assert_false(ftx_webhook_group_level(w));
    assert_true(ftx_webhook_has_event(w, "sync_end"));
    assert_false(ftx_webhook_has_event(w, "sync_en"));
}

static void assert_group_webhook(const ftx_webhook *w)
{
    assert_non_null(w);
    assert_string_equal(w->id, "recur_readable");
    assert_string_equal(w->type, "group");
    assert_string_equal(w->group_id, "_moonbeam");
    assert_string_equal(w->url, "https://your-host.your-domain/group-hook");
    assert_int_equal(w->event_count, 3);
    assert_string_equal(w->events[0], "sync_end");
    assert_string_equal(w->events[1], "connection_failure");
    assert_string_equal(w->events[2], "dbt_run_failed");
    assert_int_equal(w->active, 0);
    assert_string_equal(w->secret, "******");
    assert_string_equal(w->created_at.iso, "2018-12-01T15:43:29.013729Z");
    assert_int_equal(w->created_at.valid, 1);
    assert_int_equal(w->created_at.epoch_ms, 1543679009013LL);
    assert_string_equal(w->created_by, "_wearable");
    assert_false(ftx_webhook_account_level(w));
    assert_true(ftx_webhook_group_level(w));
}

/* ---- get ---- */

static void test_webhooks_get_parses_every_field(void **state)
{
    fixture *fx = *state;
    ftx_webhook *w = NULL;
    ftx_error err = {0};

    respond_fixture(fx, 200, "webhook_account.json");
    assert_int_equal(ftx_webhooks_get(fx->client, "program_quoth", &w, &err), FTX_OK);
    assert_account_webhook(w);
    assert_int_equal(mock_server_request_count(fx->ms), 1);
    assert_request(fx, 0, "GET", "/v1/webhooks/program_quoth", NULL, NULL);
    ftx_webhook_free(w);

    respond_fixture(fx, 200, "webhook_group.json");
    assert_int_equal(ftx_webhooks_get(fx->client, "recur_readable", &w, &err), FTX_OK);
    assert_group_webhook(w);
    ftx_webhook_free(w);
}

static void test_webhooks_hostile_ids_encoded(void **state)
{
    fixture *fx = *state;
    ftx_webhook *w = NULL;
    ftx_webhook_test_result *r = NULL;
    json_t *params = json_pack("{s:s, s:[s]}", "url", "https://h.example/x", "events", "sync_end");

    respond_fixture(fx, 200, "webhook_account.json");
    assert_int_equal(ftx_webhooks_get(fx->client, "../account", &w, NULL), FTX_OK);
    assert_request(fx, 0, "GET", "/v1/webhooks/..%2Faccount", NULL, NULL);
    ftx_webhook_free(w);

    respond_fixture(fx, 200, "webhook_group.json");
    assert_int_equal(ftx_webhooks_create_group(fx->client, "g/../../groups?x=1", params, &w, NULL),
                     FTX_OK);
    assert_request(fx, 1, "POST", "/v1/webhooks/group/g%2F..%2F..%2Fgroups%3Fx%3D1", NULL,
                   "{\"url\":\"https://h.example/x\",\"events\":[\"sync_end\"]}");
    ftx_webhook_free(w);

    respond_fixture(fx, 200, "webhook_account.json");
    assert_int_equal(ftx_webhooks_update(fx->client, "a b", params, &w, NULL), FTX_OK);
    assert_request(fx, 2, "PATCH", "/v1/webhooks/a%20b", NULL,
                   "{\"url\":\"https://h.example/x\",\"events\":[\"sync_end\"]}");
    ftx_webhook_free(w);

    mock_server_respond(fx->ms, 200, "{\"code\":\"Success\"}");
    assert_int_equal(ftx_webhooks_delete(fx->client, ".", NULL), FTX_OK);
    assert_request(fx, 3, "DELETE", "/v1/webhooks/%2E", NULL, NULL);

    respond_fixture(fx, 200, "webhook_test_result.json");
    assert_int_equal(ftx_webhooks_test(fx->client, "x#y", NULL, &r, NULL), FTX_OK);
    assert_request(fx, 4, "POST", "/v1/webhooks/x%23y/test", NULL, "{\"event\":\"sync_start\"}");
    ftx_webhook_test_result_free(r);
    json_decref(params);
}

static void test_webhooks_reject_missing_ids(void **state)
{
    fixture *fx = *state;
    ftx_webhook *w = NULL;
    ftx_webhook_test_result *r = NULL;
    json_t *params = json_pack("{s:s, s:[s]}", "url", "https://h.example/x", "events", "sync_end");
    ftx_error err = {0};

    assert_int_equal(ftx_webhooks_get(fx->client, NULL, &w, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_webhooks_get(fx->client, "", &w, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_webhooks_get(NULL, "x", &w, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_webhooks_get(fx->client, "x", NULL, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_webhooks_create_group(fx->client, "", params, &w, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_webhooks_create_group(fx->client, NULL, params, &w, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_webhooks_update(fx->client, "", params, &w, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_webhooks_delete(fx->client, "", &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_webhooks_delete(NULL, "x", &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_webhooks_test(fx->client, NULL, "sync_end", &r, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_webhooks_test(fx->client, "x", "", &r, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_null(w);
    assert_null(r);
    assert_int_equal(mock_server_request_count(fx->ms), 0);
    json_decref(params);
}

static void test_webhooks_get_not_found(void **state)
{
    fixture *fx = *state;
    ftx_webhook *w = NULL;
    ftx_error err = {0};

    mock_server_respond(fx->ms, 404,
                        "{\"code\":\"NotFound_Webhook\",\"message\":\"Webhook with id 'x' not "
                        "found\"}");
    assert_int_equal(ftx_webhooks_get(fx->client, "x", &w, &err), FTX_ERR_NOT_FOUND);
    assert_null(w);
    assert_int_equal(err.status, 404);
    assert_string_equal(err.code, "NotFound_Webhook");

    mock_server_respond(fx->ms, 200, "{\"code\":\"Success\",\"data\":\"nope\"}");
    assert_int_equal(ftx_webhooks_get(fx->client, "x", &w, &err), FTX_ERR_DECODE);
    assert_null(w);
    mock_server_respond(fx->ms, 200, "<html>");
    assert_int_equal(ftx_webhooks_get(fx->client, "x", &w, &err), FTX_ERR_DECODE);
    assert_null(w);
}

/* ---- create ---- */

static const char *account_body = "{\"url\":\"https://your-host.your-domain/webhook\","
                                  "\"events\":[\"sync_start\",\"sync_end\"],\"active\":true,"
                                  "\"secret\":\"my_webhook_secret\"}";

static void test_webhooks_create_account(void **state)
{
    fixture *fx = *state;
    json_t *params = json_loads(account_body, 0, NULL);
    ftx_webhook *w = NULL;
    ftx_error err = {0};

    assert_non_null(params);
    respond_fixture(fx, 200, "webhook_account.json");
    assert_int_equal(ftx_webhooks_create_account(fx->client, params, &w, &err), FTX_OK);
    assert_account_webhook(w);
    assert_int_equal(mock_server_request_count(fx->ms), 1);
    assert_request(fx, 0, "POST", "/v1/webhooks/account", NULL, account_body);
    assert_int_equal(params->refcount, 1);
    json_decref(params);
    ftx_webhook_free(w);
}

static void test_webhooks_create_group(void **state)
{
    fixture *fx = *state;
    const char *body = "{\"url\":\"https://your-host.your-domain/group-hook\","
                       "\"events\":[\"sync_end\",\"connection_failure\",\"dbt_run_failed\"],"
                       "\"active\":false}";
    json_t *params = json_loads(body, 0, NULL);
    ftx_webhook *w = NULL;
    ftx_error err = {0};

    respond_fixture(fx, 200, "webhook_group.json");
    assert_int_equal(ftx_webhooks_create_group(fx->client, "_moonbeam", params, &w, &err), FTX_OK);
    assert_group_webhook(w);
    assert_request(fx, 0, "POST", "/v1/webhooks/group/_moonbeam", NULL, body);
    ftx_webhook_free(w);

    mock_server_respond(fx->ms, 404,
                        "{\"code\":\"NotFound_Group\",\"message\":\"Group not found\"}");
    assert_int_equal(ftx_webhooks_create_group(fx->client, "missing", params, &w, &err),
                     FTX_ERR_NOT_FOUND);
    assert_null(w);
    json_decref(params);
}

static void expect_create_refused(fixture *fx, const char *body, const char *needle)
{
    json_t *params = body ? json_loads(body, 0, NULL) : NULL;
    ftx_webhook *w = NULL;
    ftx_error err = {0};

    if (body != NULL)
        assert_non_null(params);
    assert_int_equal(ftx_webhooks_create_account(fx->client, params, &w, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_null(w);
    if (strstr(err.message, needle) == NULL)
        fail_msg("message \"%s\" does not name \"%s\"", err.message, needle);
    memset(&err, 0, sizeof(err));
    assert_int_equal(ftx_webhooks_create_group(fx->client, "g", params, &w, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_null(w);
    if (strstr(err.message, needle) == NULL)
        fail_msg("message \"%s\" does not name \"%s\"", err.message, needle);
    assert_int_equal(mock_server_request_count(fx->ms), 0);
    json_decref(params);
}

static void test_webhooks_create_requires_url_and_events(void **state)
{
    fixture *fx = *state;

    expect_create_refused(fx, NULL, "params");
    expect_create_refused(fx, "[\"sync_end\"]", "params");
    expect_create_refused(fx, "{\"events\":[\"sync_end\"]}", "url");
    expect_create_refused(fx, "{\"url\":\"\",\"events\":[\"sync_end\"]}", "url");
    expect_create_refused(fx, "{\"url\":42,\"events\":[\"sync_end\"]}", "url");
    expect_create_refused(fx, "{\"url\":\"https://h.example\"}", "events");
    expect_create_refused(fx, "{\"url\":\"https://h.example\",\"events\":[]}", "events");
    expect_create_refused(fx, "{\"url\":\"https://h.example\",\"events\":\"sync_end\"}", "events");
    expect_create_refused(fx, "{\"url\":\"https://h.example\",\"events\":[\"sync_end\",\"\"]}",
                          "events[1]");
    expect_create_refused(fx, "{\"url\":\"https://h.example\",\"events\":[null]}", "events[0]");
}

static void test_webhooks_create_never_retried(void **state)
{
    fixture *fx = *state;
    json_t *params = json_loads(account_body, 0, NULL);
    ftx_webhook *w = NULL;
    ftx_error err = {0};

    mock_server_respond(fx->ms, 502, "{\"code\":\"BadGateway\",\"message\":\"upstream\"}");
    respond_fixture(fx, 200, "webhook_account.json");
    assert_int_equal(ftx_webhooks_create_account(fx->client, params, &w, &err),
                     FTX_ERR_OUTCOME_UNKNOWN);
    assert_null(w);
    assert_int_equal(mock_server_request_count(fx->ms), 1);

    mock_server_reset(fx->ms);
    mock_server_respond(fx->ms, 500, "{\"code\":\"InternalError\"}");
    assert_int_equal(ftx_webhooks_create_group(fx->client, "g", params, &w, &err),
                     FTX_ERR_OUTCOME_UNKNOWN);
    assert_int_equal(mock_server_request_count(fx->ms), 1);

    /* 400: an HTTP url, or an endpoint that failed the activation test. */
    mock_server_reset(fx->ms);
    mock_server_respond(fx->ms, 400,
                        "{\"code\":\"InvalidInput\",\"message\":\"url must be https\"}");
    assert_int_equal(ftx_webhooks_create_account(fx->client, params, &w, &err),
                     FTX_ERR_BAD_REQUEST);
    assert_string_equal(err.code, "InvalidInput");
    json_decref(params);
}

/* ---- update, delete ---- */

static void test_webhooks_update(void **state)
{
    fixture *fx = *state;
    json_t *params = json_pack("{s:b}", "active", 0);
    ftx_webhook *w = NULL;
    ftx_error err = {0};

    respond_fixture(fx, 200, "webhook_group.json");
    assert_int_equal(ftx_webhooks_update(fx->client, "recur_readable", params, &w, &err), FTX_OK);
    assert_group_webhook(w);
    assert_request(fx, 0, "PATCH", "/v1/webhooks/recur_readable", NULL, "{\"active\":false}");
    ftx_webhook_free(w);
    json_decref(params);

    /* url/events are optional on PATCH but checked when present. */
    params = json_pack("{s:[]}", "events");
    assert_int_equal(ftx_webhooks_update(fx->client, "x", params, &w, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    json_decref(params);
    params = json_pack("{s:s}", "url", "");
    assert_int_equal(ftx_webhooks_update(fx->client, "x", params, &w, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    json_decref(params);
    assert_int_equal(ftx_webhooks_update(fx->client, "x", NULL, &w, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(fx->ms), 1);
}

static void test_webhooks_delete(void **state)
{
    fixture *fx = *state;
    ftx_error err = {0};

    mock_server_respond(fx->ms, 200,
                        "{\"code\":\"Success\",\"message\":\"Webhook with id 'program_quoth' has "
                        "been deleted\"}");
    assert_int_equal(ftx_webhooks_delete(fx->client, "program_quoth", &err), FTX_OK);
    assert_request(fx, 0, "DELETE", "/v1/webhooks/program_quoth", NULL, NULL);

    /* The 2024 OpenAPI said 204 for this delete. */
    mock_server_respond(fx->ms, 204, NULL);
    assert_int_equal(ftx_webhooks_delete(fx->client, "program_quoth", &err), FTX_OK);

    mock_server_respond(fx->ms, 404, "{\"code\":\"NotFound_Webhook\",\"message\":\"gone\"}");
    assert_int_equal(ftx_webhooks_delete(fx->client, "program_quoth", &err), FTX_ERR_NOT_FOUND);
    mock_server_respond(fx->ms, 409, "{\"code\":\"Conflict\",\"message\":\"busy\"}");
    assert_int_equal(ftx_webhooks_delete(fx->client, "program_quoth", &err), FTX_ERR_CONFLICT);
    assert_int_equal(err.status, 409);
    assert_int_equal(mock_server_request_count(fx->ms), 4);
}

/* ---- test ---- */

static void test_webhooks_test_default_event(void **state)
{
    fixture *fx = *state;
    ftx_webhook_test_result *r = NULL;
    ftx_error err = {0};

    respond_fixture(fx, 200, "webhook_test_result.json");
    assert_int_equal(ftx_webhooks_test(fx->client, "program_quoth", NULL, &r, &err), FTX_OK);
    assert_request(fx, 0, "POST", "/v1/webhooks/program_quoth/test", NULL,
                   "{\"event\":\"sync_start\"}");
    assert_non_null(r);
    assert_int_equal(r->succeed, 1);
    assert_int_equal(r->status, 200);
    assert_string_equal(r->message, "The test was succeed");
    assert_true(json_is_true(json_object_get(r->raw, "succeed")));
    ftx_webhook_test_result_free(r);
}

static void test_webhooks_test_named_event_and_failure(void **state)
{
    fixture *fx = *state;
    ftx_webhook_test_result *r = NULL;
    ftx_error err = {0};

    mock_server_respond(fx->ms, 200,
                        "{\"code\":\"Success\",\"data\":{\"succeed\":false,\"status\":503,"
                        "\"message\":\"Endpoint returned 503\"}}");
    assert_int_equal(ftx_webhooks_test(fx->client, "program_quoth", "sync_end", &r, &err), FTX_OK);
    assert_request(fx, 0, "POST", "/v1/webhooks/program_quoth/test", NULL,
                   "{\"event\":\"sync_end\"}");
    assert_int_equal(r->succeed, 0);
    assert_int_equal(r->status, 503);
    assert_string_equal(r->message, "Endpoint returned 503");
    ftx_webhook_test_result_free(r);

    /* An unknown event name is passed through (the API has no enum). */
    mock_server_respond(fx->ms, 200, "{\"code\":\"Success\",\"data\":{\"succeed\":true}}");
    assert_int_equal(ftx_webhooks_test(fx->client, "program_quoth", "brand_new_event", &r, &err),
                     FTX_OK);
    assert_request(fx, 1, "POST", "/v1/webhooks/program_quoth/test", NULL,
                   "{\"event\":\"brand_new_event\"}");
    assert_int_equal(r->succeed, 1);
    assert_int_equal(r->status, 0);
    assert_null(r->message);
    ftx_webhook_test_result_free(r);
}

static void test_webhooks_test_retried_as_action(void **state)
{
    fixture *fx = *state;
    ftx_webhook_test_result *r = NULL;
    ftx_error err = {0};

    mock_server_respond(fx->ms, 503, "{\"code\":\"Unavailable\"}");
    respond_fixture(fx, 200, "webhook_test_result.json");
    assert_int_equal(ftx_webhooks_test(fx->client, "program_quoth", "sync_end", &r, &err), FTX_OK);
    assert_int_equal(mock_server_request_count(fx->ms), 2);
    assert_true(fx->fc.total_slept_ms > 0);
    ftx_webhook_test_result_free(r);
}

/* ---- list and stream ---- */

static void test_webhooks_list_page(void **state)
{
    fixture *fx = *state;
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx_webhook_page *page = NULL;
    ftx_error err = {0};

    respond_fixture(fx, 200, "webhooks_page1.json");
    assert_int_equal(ftx_webhooks_list(fx->client, NULL, &page, &err), FTX_OK);
    assert_request(fx, 0, "GET", "/v1/webhooks", NULL, NULL);
    assert_int_equal(page->count, 2);
    assert_string_equal(page->next_cursor, "eyJza2lwIjoyfQ");
    assert_string_equal(page->items[0]->id, "program_quoth");
    assert_null(page->items[0]->secret);
    assert_true(ftx_webhook_account_level(page->items[0]));
    assert_string_equal(page->items[1]->id, "recur_readable");
    assert_string_equal(page->items[1]->group_id, "_moonbeam");
    assert_int_equal(page->items[1]->event_count, 1);
    assert_int_equal(page->items[1]->created_at.epoch_ms, 1566656122000LL);
    assert_true(ftx_webhook_group_level(page->items[1]));
    ftx_webhook_page_free(page);

    lo.cursor = "eyJza2lwIjoyfQ";
    lo.limit = 1000;
    respond_fixture(fx, 200, "webhooks_page2.json");
    assert_int_equal(ftx_webhooks_list(fx->client, &lo, &page, &err), FTX_OK);
    assert_request(fx, 1, "GET", "/v1/webhooks", "cursor=eyJza2lwIjoyfQ&limit=1000", NULL);
    assert_int_equal(page->count, 1);
    assert_null(page->next_cursor);
    ftx_webhook_page_free(page);
}

static void test_webhooks_stream_walks_pages(void **state)
{
    fixture *fx = *state;
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx_webhook_stream *s = NULL;
    const ftx_webhook *w = NULL;
    ftx_webhook *kept = NULL;
    ftx_error err = {0};
    const char *ids[3] = {"program_quoth", "recur_readable", "cheer_lacquer"};
    size_t n = 0, account = 0;
    int rc;

    lo.prefetch = 0;
    respond_fixture(fx, 200, "webhooks_page1.json");
    respond_fixture(fx, 200, "webhooks_page2.json");
    assert_int_equal(ftx_webhooks_stream(fx->client, &lo, &s, &err), FTX_OK);
    assert_int_equal(mock_server_request_count(fx->ms), 0);
    while ((rc = ftx_webhook_stream_next(s, &w, &err)) == FTX_OK && w != NULL) {
        assert_true(n < 3);
        assert_string_equal(w->id, ids[n]);
        account += (size_t)ftx_webhook_account_level(w);
        if (n == 0)
            kept = ftx_webhook_dup(w);
        n++;
    }
    assert_int_equal(rc, FTX_OK);
    assert_int_equal(n, 3);
    /* "ACCOUNT" counts as account-level too. */
    assert_int_equal(account, 2);
    assert_int_equal(mock_server_request_count(fx->ms), 2);
    assert_request(fx, 0, "GET", "/v1/webhooks", NULL, NULL);
    assert_request(fx, 1, "GET", "/v1/webhooks", "cursor=eyJza2lwIjoyfQ", NULL);
    ftx_webhook_stream_free(s);
    /* The dup outlives the stream. */
    assert_non_null(kept);
    assert_string_equal(kept->id, "program_quoth");
    assert_string_equal(kept->events[1], "sync_end");
    assert_string_equal(kept->created_at.iso, "2022-04-29T09:41:08.583Z");
    ftx_webhook_free(kept);
}

static void test_webhooks_stream_stops_early(void **state)
{
    fixture *fx = *state;
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx_webhook_stream *s = NULL;
    const ftx_webhook *w = NULL;

    lo.prefetch = 0;
    respond_fixture(fx, 200, "webhooks_page1.json");
    assert_int_equal(ftx_webhooks_stream(fx->client, &lo, &s, NULL), FTX_OK);
    assert_int_equal(ftx_webhook_stream_next(s, &w, NULL), FTX_OK);
    assert_string_equal(w->id, "program_quoth");
    ftx_webhook_stream_free(s);
    assert_int_equal(mock_server_request_count(fx->ms), 1);
}

/* ---- model ---- */

static void test_webhook_level_helpers(void **state)
{
    ftx_webhook w;
    char *events[] = {"sync_start", NULL};

    (void)state;
    memset(&w, 0, sizeof(w));
    assert_false(ftx_webhook_account_level(NULL));
    assert_false(ftx_webhook_group_level(NULL));
    assert_false(ftx_webhook_account_level(&w));
    assert_false(ftx_webhook_group_level(&w));
    w.type = "account";
    assert_true(ftx_webhook_account_level(&w));
    assert_false(ftx_webhook_group_level(&w));
    w.type = "group";
    w.group_id = "g_123";
    assert_false(ftx_webhook_account_level(&w));
    assert_true(ftx_webhook_group_level(&w));
    w.type = "groups";
    assert_false(ftx_webhook_group_level(&w));
    assert_false(ftx_webhook_has_event(&w, "sync_start"));
    w.events = events;
    w.event_count = 1;
    assert_true(ftx_webhook_has_event(&w, "sync_start"));
    assert_false(ftx_webhook_has_event(&w, NULL));
    assert_false(ftx_webhook_has_event(NULL, "sync_start"));
}

static void test_webhook_from_json_tolerance(void **state)
{
    ftx_webhook *w = NULL;
    ftx_error err = {0};
    json_t *j;

    (void)state;
    assert_int_equal(ftx_webhook_from_json(NULL, &w, &err), FTX_ERR_INVALID_ARGUMENT);
    j = json_array();
    assert_int_equal(ftx_webhook_from_json(j, &w, &err), FTX_ERR_DECODE);
    json_decref(j);
    j = json_pack("{s:s}", "type", "account");
    assert_int_equal(ftx_webhook_from_json(j, &w, &err), FTX_ERR_DECODE);
    assert_null(w);
    json_decref(j);

    j = json_loads("{\"id\":\"w\",\"events\":[\"a\",1,null,\"b\"],\"active\":\"true\","
                   "\"created_at\":\"not a time\",\"url\":{}}",
                   0, NULL);
    assert_int_equal(ftx_webhook_from_json(j, &w, &err), FTX_OK);
    assert_int_equal(w->event_count, 2);
    assert_string_equal(w->events[0], "a");
    assert_string_equal(w->events[1], "b");
    assert_int_equal(w->active, 1);
    assert_string_equal(w->created_at.iso, "not a time");
    assert_int_equal(w->created_at.valid, 0);
    assert_null(w->url);
    assert_null(w->type);
    ftx_webhook_free(w);
    json_decref(j);

    j = json_loads("{\"id\":\"w\",\"events\":\"sync_end\"}", 0, NULL);
    assert_int_equal(ftx_webhook_from_json(j, &w, &err), FTX_OK);
    assert_null(w->events);
    assert_int_equal(w->event_count, 0);
    assert_int_equal(w->active, 0);
    assert_false(ftx_webhook_has_event(w, "sync_end"));
    ftx_webhook_free(w);
    json_decref(j);
    ftx_webhook_free(NULL);
    ftx_webhook_page_free(NULL);
    ftx_webhook_test_result_free(NULL);
    ftx_webhook_stream_free(NULL);
    assert_null(ftx_webhook_dup(NULL));
}

static void test_webhook_alloc_failures(void **state)
{
    char *text = read_fixture("webhook_group.json");
    json_t *body = json_loads(text, 0, NULL);
    const json_t *data = json_object_get(body, "data");
    long n;
    int ok = 0;

    (void)state;
    for (n = 1; n < 200 && !ok; n++) {
        ftx_webhook *w = NULL, *copy = NULL;
        int rc;

        ftx__alloc_fail_at(n);
        rc = ftx_webhook_from_json(data, &w, NULL);
        if (rc == FTX_OK) {
            copy = ftx_webhook_dup(w);
            ok = copy != NULL;
        } else {
            assert_int_equal(rc, FTX_ERR_NOMEM);
            assert_null(w);
        }
        ftx__alloc_fail_at(0);
        if (ok)
            assert_group_webhook(copy);
        ftx_webhook_free(copy);
        ftx_webhook_free(w);
    }
    assert_true(ok);
    json_decref(body);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_webhooks_get_parses_every_field, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_webhooks_hostile_ids_encoded, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_webhooks_reject_missing_ids, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_webhooks_get_not_found, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_webhooks_create_account, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_webhooks_create_group, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_webhooks_create_requires_url_and_events, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_webhooks_create_never_retried, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_webhooks_update, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_webhooks_delete, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_webhooks_test_default_event, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_webhooks_test_named_event_and_failure, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_webhooks_test_retried_as_action, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_webhooks_list_page, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_webhooks_stream_walks_pages, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_webhooks_stream_stops_early, th_setup, th_teardown),
        cmocka_unit_test(test_webhook_level_helpers),
        cmocka_unit_test(test_webhook_from_json_tolerance),
        cmocka_unit_test(test_webhook_alloc_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
