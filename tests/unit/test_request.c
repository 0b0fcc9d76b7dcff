/*
 * ftx_request, ftx_path_build, ftx_paginate and ftx_request_stream: any API operation
 * with the client's behaviour, and the seed's Stream.paginate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fivetrex/fivetrex.h"
#include "test_helpers.h"

#define USERS_PAGE1                                                                                \
    "{\"code\":\"Success\",\"data\":{\"items\":[{\"id\":\"nostalgic_cumin\"},"                     \
    "{\"id\":\"_airworthy\"}],\"next_cursor\":\"eyJza2lwIjoyfQ\"}}"
#define USERS_PAGE2 "{\"code\":\"Success\",\"data\":{\"items\":[{\"id\":\"lumber_tomato\"}]}}"

static void test_request_get(void **state)
{
    th_fixture *fx = *state;
    ftx_request_options o = FTX_REQUEST_OPTIONS_INIT;
    ftx_error err = {0};
    json_t *out = NULL;

    mock_server_respond(fx->ms, 200,
                        "{\"code\":\"Success\",\"message\":\"ok\",\"data\":{\"account_id\":"
                        "\"lumber_tomato\",\"account_name\":\"Acme\"}}");
    assert_int_equal(ftx_request(fx->client, "GET", "/account/info", NULL, NULL, &out, &err),
                     FTX_OK);
    th_assert_call(fx->ms, 0, "GET", "/v1/account/info", NULL, "application/json", NULL);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(out, "data"), "account_id")),
        "lumber_tomato");
    assert_string_equal(json_string_value(json_object_get(out, "message")), "ok");
    json_decref(out);

    o.accept_v2 = 1;
    mock_server_respond(fx->ms, 200, "{\"code\":\"Success\",\"data\":{\"items\":[]}}");
    assert_int_equal(ftx_request(fx->client, "GET", "/destinations?limit=5", NULL, &o, NULL, &err),
                     FTX_OK);
    th_assert_call(fx->ms, 1, "GET", "/v1/destinations", "limit=5", "application/json;version=2",
                   NULL);
}

static void test_request_post_body_and_errors(void **state)
{
    th_fixture *fx = *state;
    ftx_request_options o = FTX_REQUEST_OPTIONS_INIT;
    json_t *body = th_json("{\"email\":\"john@mycompany.com\",\"given_name\":\"John\"}");
    ftx_error err = {0};
    json_t *out = NULL;

    mock_server_respond(fx->ms, 404,
                        "{\"code\":\"NotFound_User\",\"message\":\"Cannot find entity 'User'\"}");
    assert_int_equal(ftx_request(fx->client, "PATCH", "/users/x", body, NULL, &out, &err),
                     FTX_ERR_NOT_FOUND);
    assert_null(out);
    assert_string_equal(err.code, "NotFound_User");
    th_assert_call(fx->ms, 0, "PATCH", "/v1/users/x", NULL, "application/json",
                   "{\"email\":\"john@mycompany.com\",\"given_name\":\"John\"}");

    /* a create is not repeated after an ambiguous failure */
    o.creates = 1;
    mock_server_respond(fx->ms, 500, "{\"code\":\"InternalError\"}");
    mock_server_respond(fx->ms, 201, "{\"code\":\"Success\",\"data\":{}}");
    assert_int_equal(ftx_request(fx->client, "POST", "/users", body, &o, &out, &err),
                     FTX_ERR_OUTCOME_UNKNOWN);
    assert_int_equal(mock_server_request_count(fx->ms), 2);
    /* the same POST as an action is retried */
    o.creates = 0;
    mock_server_reset(fx->ms);
    mock_server_respond(fx->ms, 500, "{\"code\":\"InternalError\"}");
    mock_server_respond(fx->ms, 200, "{\"code\":\"Success\"}");
    assert_int_equal(ftx_request(fx->client, "POST", "/users/x/test", NULL, &o, &out, &err),
                     FTX_OK);
    assert_int_equal(mock_server_request_count(fx->ms), 2);
    th_assert_call(fx->ms, 1, "POST", "/v1/users/x/test", NULL, "application/json", "{}");
    json_decref(out);
    json_decref(body);
}

static void test_request_bad_arguments_send_nothing(void **state)
{
    th_fixture *fx = *state;
    ftx_request_options bad = FTX_REQUEST_OPTIONS_INIT;
    static const char *const paths[] = {
        NULL, "", "users", "/users x", "/users#frag", "/users\r\nX-Evil: 1", "/a\x7f"};
    ftx_error err = {0};
    json_t *out = (json_t *)1;
    size_t i;

    for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        assert_int_equal(ftx_request(fx->client, "GET", paths[i], NULL, NULL, &out, &err),
                         FTX_ERR_INVALID_ARGUMENT);
        assert_null(out);
    }
    assert_int_equal(ftx_request(fx->client, "PUT", "/users", NULL, NULL, &out, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_request(fx->client, NULL, "/users", NULL, NULL, &out, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_request(NULL, "GET", "/users", NULL, NULL, &out, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    bad.version = 99;
    assert_int_equal(ftx_request(fx->client, "GET", "/users", NULL, &bad, &out, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "version"));
    assert_int_equal(mock_server_request_count(fx->ms), 0);
}

static void test_path_build(void **state)
{
    ftx_error err = {0};
    char *p = NULL;

    (void)state;
    assert_int_equal(
        ftx_path_build(&p, &err, "/users/{user_id}/groups/{group_id}", "../x", "a/b?c#d e", NULL),
        FTX_OK);
    assert_string_equal(p, "/users/..%2Fx/groups/a%2Fb%3Fc%23d%20e");
    ftx_string_free(p);
    assert_int_equal(ftx_path_build(&p, &err, "/teams/{team_id}", "..", NULL), FTX_OK);
    assert_string_equal(p, "/teams/%2E%2E");
    ftx_string_free(p);
    assert_int_equal(ftx_path_build(&p, &err, "/teams/{team_id}/users/{user_id}", "t", "", NULL),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_null(p);
    assert_non_null(strstr(err.message, "user_id"));
    ftx_string_free(NULL);
}

/* The argument count is checked against the placeholders: a missing id, a NULL id and an
 * extra id are each refused, and nothing past the terminating NULL is read. */
static void test_path_build_counts_arguments(void **state)
{
    ftx_error err = {0};
    char *p = (char *)"untouched";

    (void)state;
    /* one id short: the second placeholder meets the NULL */
    assert_int_equal(ftx_path_build(&p, &err, "/teams/{team_id}/users/{user_id}", "t", NULL),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_null(p);
    assert_string_equal(err.message,
                        "user_id must be a non-empty string: argument 2 is NULL or missing (the "
                        "path template has 2 placeholders, 1 argument came before the "
                        "terminating NULL)");
    /* a NULL id ends the list early: the same error, naming the first placeholder */
    assert_int_equal(
        ftx_path_build(&p, &err, "/teams/{team_id}/users/{user_id}", (const char *)NULL, "u", NULL),
        FTX_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "team_id must be a non-empty string: argument 1"));
    /* one id too many */
    assert_int_equal(ftx_path_build(&p, &err, "/teams/{team_id}", "t", "extra", NULL),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.message, "path template \"/teams/{team_id}\" has 1 placeholder but "
                                     "more arguments came before the terminating NULL");
    /* no placeholder, no argument */
    assert_int_equal(ftx_path_build(&p, &err, "/users", NULL), FTX_OK);
    assert_string_equal(p, "/users");
    ftx_string_free(p);
    /* an unclosed brace is text, not a placeholder */
    assert_int_equal(ftx_path_build(&p, &err, "/a/{x", NULL), FTX_OK);
    assert_string_equal(p, "/a/{x");
    ftx_string_free(p);
}

static void test_path_buildv(void **state)
{
    static const char *const ids[] = {"../x", "a b"};
    ftx_error err = {0};
    char *p = NULL;

    (void)state;
    assert_int_equal(ftx_path_buildv(&p, &err, "/users/{user_id}/groups/{group_id}", ids, 2),
                     FTX_OK);
    assert_string_equal(p, "/users/..%2Fx/groups/a%20b");
    ftx_string_free(p);
    assert_int_equal(ftx_path_buildv(&p, &err, "/users", NULL, 0), FTX_OK);
    assert_string_equal(p, "/users");
    ftx_string_free(p);
    /* count mismatch, both ways */
    assert_int_equal(ftx_path_buildv(&p, &err, "/users/{user_id}/groups/{group_id}", ids, 1),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_null(p);
    assert_string_equal(err.message, "path template \"/users/{user_id}/groups/{group_id}\" has 2 "
                                     "placeholders but 1 argument was given");
    assert_int_equal(ftx_path_buildv(&p, &err, "/users/{user_id}", ids, 2),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "has 1 placeholder but 2 arguments were given"));
    /* a NULL or empty element names its placeholder */
    {
        const char *const bad[] = {"u", NULL};
        const char *const empty[] = {"", "g"};

        assert_int_equal(ftx_path_buildv(&p, &err, "/users/{user_id}/groups/{group_id}", bad, 2),
                         FTX_ERR_INVALID_ARGUMENT);
        assert_string_equal(err.message, "group_id must be a non-empty string");
        assert_int_equal(ftx_path_buildv(&p, &err, "/users/{user_id}/groups/{group_id}", empty, 2),
                         FTX_ERR_INVALID_ARGUMENT);
        assert_string_equal(err.message, "user_id must be a non-empty string");
    }
    assert_int_equal(ftx_path_buildv(&p, &err, "/users/{user_id}", NULL, 1),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_path_buildv(NULL, &err, "/users", NULL, 0), FTX_ERR_INVALID_ARGUMENT);
}

/* ---- ftx_paginate with a caller's fetch function ---- */

typedef struct pages {
    const char *const *bodies; /* page JSON per call; NULL entry: fail with `fail_rc` */
    size_t n;
    size_t calls;
    char cursors[8][32]; /* cursor of each call ("-" for NULL) */
    int fail_rc;
} pages;

static int fetch_pages(const char *cursor, json_t **out_page, void *userdata, ftx_error *err)
{
    pages *p = userdata;
    size_t i = p->calls++;

    assert_true(i < p->n);
    (void)snprintf(p->cursors[i], sizeof(p->cursors[i]), "%s", cursor ? cursor : "-");
    if (p->bodies[i] == NULL) {
        err->type = p->fail_rc;
        (void)snprintf(err->message, sizeof(err->message), "page %zu failed", i + 1);
        return p->fail_rc;
    }
    *out_page = json_loads(p->bodies[i], 0, NULL);
    return FTX_OK;
}

static void collect(ftx_json_stream *s, char *ids, size_t size, int want_rc)
{
    const json_t *item;
    ftx_error err = {0};
    int rc;

    ids[0] = '\0';
    while ((rc = ftx_json_stream_next(s, &item, &err)) == FTX_OK && item != NULL) {
        strncat(ids, json_string_value(json_object_get(item, "id")), size - strlen(ids) - 2);
        strncat(ids, " ", size - strlen(ids) - 1);
    }
    assert_int_equal(rc, want_rc);
}

static void test_paginate_pages_lazily(void **state)
{
    static const char *const bodies[] = {
        "{\"items\":[{\"id\":\"a\"},{\"id\":\"b\"}],\"next_cursor\":\"c2\"}",
        "{\"items\":[],\"next_cursor\":\"c3\"}", /* an empty page in the middle */
        "{\"items\":[{\"id\":\"c\"}],\"next_cursor\":null}"};
    pages p = {bodies, 3, 0, {{0}}, 0};
    ftx_json_stream *s = NULL;
    const json_t *item = NULL;
    ftx_error err = {0};
    char ids[64];

    (void)state;
    assert_int_equal(ftx_paginate(fetch_pages, &p, &s, &err), FTX_OK);
    assert_int_equal(p.calls, 0); /* no fetch until the first _next */
    assert_int_equal(ftx_json_stream_next(s, &item, &err), FTX_OK);
    assert_string_equal(json_string_value(json_object_get(item, "id")), "a");
    assert_int_equal(p.calls, 1);
    collect(s, ids, sizeof(ids), FTX_OK);
    assert_string_equal(ids, "b c ");
    assert_int_equal(p.calls, 3);
    assert_string_equal(p.cursors[0], "-");
    assert_string_equal(p.cursors[1], "c2");
    assert_string_equal(p.cursors[2], "c3");
    /* the end stays the end, with no further fetch */
    assert_int_equal(ftx_json_stream_next(s, &item, &err), FTX_OK);
    assert_null(item);
    assert_int_equal(p.calls, 3);
    ftx_json_stream_free(s);

    /* stopping early fetches nothing more */
    p.calls = 0;
    assert_int_equal(ftx_paginate(fetch_pages, &p, &s, &err), FTX_OK);
    assert_int_equal(ftx_json_stream_next(s, &item, &err), FTX_OK);
    ftx_json_stream_free(s);
    assert_int_equal(p.calls, 1);
}

static void test_paginate_error_then_retry(void **state)
{
    static const char *const bodies[] = {"{\"items\":[{\"id\":\"a\"}],\"next_cursor\":\"c2\"}",
                                         NULL, "{\"items\":[{\"id\":\"b\"}],\"next_cursor\":\"\"}"};
    pages p = {bodies, 3, 0, {{0}}, FTX_ERR_RATE_LIMITED};
    ftx_json_stream *s = NULL;
    ftx_error err = {0};
    char ids[64];

    (void)state;
    assert_int_equal(ftx_paginate(fetch_pages, &p, &s, &err), FTX_OK);
    collect(s, ids, sizeof(ids), FTX_ERR_RATE_LIMITED);
    assert_string_equal(ids, "a ");
    /* the stream stayed put: the next call retries page 2 with the same cursor */
    collect(s, ids, sizeof(ids), FTX_OK);
    assert_string_equal(ids, "b ");
    assert_string_equal(p.cursors[1], "c2");
    assert_string_equal(p.cursors[2], "c2");
    ftx_json_stream_free(s);
}

static void test_paginate_bad_pages(void **state)
{
    static const char *const not_object[] = {"[1,2]"};
    static const char *const no_items[] = {"{\"data\":{\"items\":[]}}"};
    static const char *const repeats[] = {"{\"items\":[{\"id\":\"a\"}],\"next_cursor\":\"c2\"}",
                                          "{\"items\":[],\"next_cursor\":\"c2\"}"};
    static const char *const unparsable[] = {"{\"items\":["};
    const char *const *cases[] = {not_object, no_items, repeats, unparsable};
    const size_t counts[] = {1, 1, 2, 1};
    ftx_json_stream *s = NULL;
    const json_t *item;
    ftx_error err = {0};
    size_t i;

    (void)state;
    for (i = 0; i < 4; i++) {
        pages p = {cases[i], counts[i], 0, {{0}}, 0};
        int rc;

        assert_int_equal(ftx_paginate(fetch_pages, &p, &s, &err), FTX_OK);
        while ((rc = ftx_json_stream_next(s, &item, &err)) == FTX_OK && item != NULL)
            ;
        assert_int_equal(rc, FTX_ERR_DECODE);
        ftx_json_stream_free(s);
    }
    assert_int_equal(ftx_paginate(NULL, NULL, &s, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_null(s);
    assert_int_equal(ftx_json_stream_next(NULL, &item, &err), FTX_ERR_INVALID_ARGUMENT);
    ftx_json_stream_free(NULL);
}

/* ---- ftx_request_stream over a list endpoint ---- */

static void test_request_stream(void **state)
{
    th_fixture *fx = *state;
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx_json_stream *s = NULL;
    ftx_error err = {0};
    char ids[128];

    lo.limit = 2;
    mock_server_respond(fx->ms, 200, USERS_PAGE1);
    mock_server_respond(fx->ms, 200, USERS_PAGE2);
    assert_int_equal(ftx_request_stream(fx->client, "/users?active=true", NULL, &lo, &s, &err),
                     FTX_OK);
    assert_int_equal(mock_server_request_count(fx->ms), 0);
    collect(s, ids, sizeof(ids), FTX_OK);
    assert_string_equal(ids, "nostalgic_cumin _airworthy lumber_tomato ");
    th_assert_call(fx->ms, 0, "GET", "/v1/users", "active=true&limit=2", "application/json", NULL);
    th_assert_call(fx->ms, 1, "GET", "/v1/users", "active=true&cursor=eyJza2lwIjoyfQ&limit=2",
                   "application/json", NULL);
    ftx_json_stream_free(s);

    /* starting at a caller's cursor; an API error mid-stream is returned by _next */
    mock_server_reset(fx->ms);
    lo.cursor = "eyJza2lwIjoyfQ";
    lo.limit = 0;
    mock_server_respond(fx->ms, 403, "{\"code\":\"Forbidden\",\"message\":\"no access\"}");
    assert_int_equal(ftx_request_stream(fx->client, "/roles", NULL, &lo, &s, &err), FTX_OK);
    collect(s, ids, sizeof(ids), FTX_ERR_FORBIDDEN);
    th_assert_call(fx->ms, 0, "GET", "/v1/roles", "cursor=eyJza2lwIjoyfQ", "application/json",
                   NULL);
    ftx_json_stream_free(s);

    /* filters: sent as given (the path is the caller's), after the path's own query */
    {
        const ftx_query_param f[] = {{"type", "a b"}, {"x", "1"}};
        const ftx_query_param pager_own[] = {{"limit", "5"}};

        mock_server_reset(fx->ms);
        lo.cursor = NULL;
        lo.filters = f;
        lo.filter_count = 2;
        mock_server_respond(fx->ms, 200, USERS_PAGE2);
        assert_int_equal(ftx_request_stream(fx->client, "/users?active=true", NULL, &lo, &s, &err),
                         FTX_OK);
        collect(s, ids, sizeof(ids), FTX_OK);
        th_assert_call(fx->ms, 0, "GET", "/v1/users", "active=true&type=a%20b&x=1",
                       "application/json", NULL);
        ftx_json_stream_free(s);
        lo.filters = pager_own;
        lo.filter_count = 1;
        assert_int_equal(ftx_request_stream(fx->client, "/users", NULL, &lo, &s, &err),
                         FTX_ERR_INVALID_ARGUMENT);
        assert_string_equal(
            err.message, "/users: \"limit\" is not a filter: set ftx_list_options.limit instead");
        lo.filters = NULL;
        lo.filter_count = 0;
    }

    lo.limit = 1001;
    assert_int_equal(ftx_request_stream(fx->client, "/roles", NULL, &lo, &s, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_request_stream(fx->client, "roles", NULL, NULL, &s, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_null(s);
}

/* ---- loop guards: the one pager's, for JSON streams too ---- */

/* A fetch function whose cursors cycle A, B, A, ... (empty pages), or give a fresh
 * cursor every time; after 100 calls it ends the list, so a pager without guards
 * returns FTX_OK instead of the decode error. */
typedef struct cycler {
    int fresh;
    int calls;
} cycler;

static int fetch_cycle(const char *cursor, json_t **out_page, void *userdata, ftx_error *err)
{
    cycler *c = userdata;
    char next[32];

    (void)err;
    c->calls++;
    if (c->fresh)
        snprintf(next, sizeof(next), "f%d", c->calls);
    else
        snprintf(next, sizeof(next), "%s", cursor != NULL && strcmp(cursor, "A") == 0 ? "B" : "A");
    *out_page = c->calls > 100 ? json_pack("{s:[]}", "items")
                               : json_pack("{s:[], s:s}", "items", "next_cursor", next);
    return FTX_OK;
}

static void test_paginate_cycles_stopped(void **state)
{
    cycler c = {0, 0};
    ftx_json_stream *s = NULL;
    const json_t *item = NULL;
    ftx_error err = {0};

    (void)state;
    assert_int_equal(ftx_paginate(fetch_cycle, &c, &s, &err), FTX_OK);
    assert_int_equal(ftx_json_stream_next(s, &item, &err), FTX_ERR_DECODE);
    assert_non_null(strstr(err.message, "cursor \"A\" came back after 2 pages"));
    assert_int_equal(c.calls, 3);
    ftx_json_stream_free(s);

    c.fresh = 1;
    c.calls = 0;
    assert_int_equal(ftx_paginate(fetch_cycle, &c, &s, &err), FTX_OK);
    assert_int_equal(ftx_json_stream_next(s, &item, &err), FTX_ERR_DECODE);
    assert_non_null(strstr(err.message, "more than 10 empty pages in a row"));
    assert_int_equal(c.calls, 11);
    ftx_json_stream_free(s);
}

/* ftx_request_stream: non-empty pages whose cursors cycle. */
static void test_request_stream_cycle_stopped(void **state)
{
    th_fixture *fx = *state;
    ftx_json_stream *s = NULL;
    ftx_error err = {0};
    char ids[256];
    int i;

    mock_server_respond(fx->ms, 200,
                        "{\"data\":{\"items\":[{\"id\":\"u1\"}],\"next_cursor\":\"A\"}}");
    for (i = 0; i < 40; i++)
        mock_server_respond(fx->ms, 200,
                            i % 2
                                ? "{\"data\":{\"items\":[{\"id\":\"u1\"}],\"next_cursor\":\"A\"}}"
                                : "{\"data\":{\"items\":[{\"id\":\"u2\"}],\"next_cursor\":\"B\"}}");
    mock_server_respond(fx->ms, 200, "{\"data\":{\"items\":[]}}");
    assert_int_equal(ftx_request_stream(fx->client, "/users", NULL, NULL, &s, &err), FTX_OK);
    collect(s, ids, sizeof(ids), FTX_ERR_DECODE);
    assert_string_equal(ids, "u1 u2 ");
    assert_int_equal(mock_server_request_count(fx->ms), 3);
    ftx_json_stream_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_request_get, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_request_post_body_and_errors, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_request_bad_arguments_send_nothing, th_setup,
                                        th_teardown),
        cmocka_unit_test(test_path_build),
        cmocka_unit_test(test_path_build_counts_arguments),
        cmocka_unit_test(test_path_buildv),
        cmocka_unit_test(test_paginate_pages_lazily),
        cmocka_unit_test(test_paginate_error_then_retry),
        cmocka_unit_test(test_paginate_bad_pages),
        cmocka_unit_test_setup_teardown(test_request_stream, th_setup, th_teardown),
        cmocka_unit_test(test_paginate_cycles_stopped),
        cmocka_unit_test_setup_teardown(test_request_stream_cycle_stopped, th_setup, th_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
