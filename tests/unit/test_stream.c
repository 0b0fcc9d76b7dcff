/*
 * The generic pager (ftx__list) and lazy streams (ftx__stream_*), prefetch on and
 * off, against the in-test HTTP server: the exact cursor/limit query of each
 * request, early stop, last-page markers, errors mid-stream and retrying.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "internal.h"
#include "pager.h"
#include "test_helpers.h"

/* ---- a generic item type: the "id" string of each object ---- */

static int parse_id(const json_t *item, void **out, ftx_error *err)
{
    const json_t *id = json_object_get(item, "id");

    *out = NULL;
    if (!json_is_object(item) || !json_is_string(id))
        return ftx__error_set(err, FTX_ERR_DECODE, "item has no id");
    *out = ftx__strdup(json_string_value(id));
    return *out ? FTX_OK : ftx__error_nomem(err);
}

static void free_id(void *item)
{
    ftx__free(item);
}

static const ftx__list_spec things = {"/things", "schema=s%201", 0, parse_id, free_id, NULL, 0, 0,
                                      NULL};
static const ftx__list_spec plain = {"/things", NULL, 0, parse_id, free_id, NULL, 0, 0, NULL};

#define PAGE1                                                                                      \
    "{\"code\":\"Success\",\"data\":{\"items\":[{\"id\":\"a\"},{\"id\":\"b\"}],\"next_cursor\":"   \
    "\"c1\"}}"
#define PAGE2                                                                                      \
    "{\"code\":\"Success\",\"data\":{\"items\":[{\"id\":\"c\"},{\"id\":\"d\"}],\"next_cursor\":"   \
    "\"c2\"}}"
#define PAGE3 "{\"code\":\"Success\",\"data\":{\"items\":[{\"id\":\"e\"}]}}"

typedef th_fixture fixture;

static void assert_query(mock_server *ms, size_t i, const char *query)
{
    th_assert_request(mock_server_request(ms, i), "GET", "/v1/things", query, "application/json");
}

/* Walk a stream to its end; "ids" receives the items joined with ','. */
static int drain(ftx__stream *s, char *ids, size_t cap, ftx_error *err)
{
    const void *item = NULL;
    int rc;

    ids[0] = '\0';
    while ((rc = ftx__stream_next(s, &item, err)) == FTX_OK && item != NULL) {
        if (ids[0] != '\0')
            strncat(ids, ",", cap - strlen(ids) - 1);
        strncat(ids, item, cap - strlen(ids) - 1);
    }
    return rc;
}

/* ---- ftx__list ---- */

static void test_list_exact_query(void **state)
{
    fixture *f = *state;
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx__page *page = NULL;
    ftx_error err = {0};

    lo.cursor = "eyJza2lwIjoxfQ==";
    lo.limit = 2;
    mock_server_respond(f->ms, 200, PAGE1);
    assert_int_equal(ftx__list(f->client, &things, &lo, &page, &err), FTX_OK);
    assert_int_equal(mock_server_request_count(f->ms), 1);
    assert_query(f->ms, 0, "schema=s%201&cursor=eyJza2lwIjoxfQ%3D%3D&limit=2");
    assert_int_equal(page->count, 2);
    assert_string_equal(page->items[0], "a");
    assert_string_equal(page->items[1], "b");
    assert_string_equal(page->next_cursor, "c1");
    ftx__page_free(page, free_id);

    /* no options: no query at all */
    mock_server_respond(f->ms, 200, PAGE3);
    assert_int_equal(ftx__list(f->client, &plain, NULL, &page, &err), FTX_OK);
    assert_query(f->ms, 1, NULL);
    assert_int_equal(page->count, 1);
    assert_null(page->next_cursor);
    ftx__page_free(page, free_id);

    /* limit bounds 1 and 1000 are accepted and sent */
    lo.cursor = NULL;
    lo.limit = 1000;
    mock_server_respond(f->ms, 200, PAGE3);
    assert_int_equal(ftx__list(f->client, &plain, &lo, &page, &err), FTX_OK);
    assert_query(f->ms, 2, "limit=1000");
    ftx__page_free(page, free_id);
    lo.limit = 1;
    mock_server_respond(f->ms, 200, PAGE3);
    assert_int_equal(ftx__list(f->client, &plain, &lo, &page, &err), FTX_OK);
    assert_query(f->ms, 3, "limit=1");
    ftx__page_free(page, free_id);
}

static void test_invalid_limit_sends_nothing(void **state)
{
    fixture *f = *state;
    static const int bad[] = {-1, 1001, 100000, -2147483647};
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx__page *page = (ftx__page *)(uintptr_t)1;
    ftx__stream *s = (ftx__stream *)(uintptr_t)1;
    ftx_error err = {0};
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        lo.limit = bad[i];
        assert_int_equal(ftx__list(f->client, &plain, &lo, &page, &err), FTX_ERR_INVALID_ARGUMENT);
        assert_null(page);
        assert_int_equal(err.type, FTX_ERR_INVALID_ARGUMENT);
        assert_non_null(strstr(err.message, "limit"));
        assert_int_equal(ftx__stream_new(f->client, &plain, &lo, &s, &err),
                         FTX_ERR_INVALID_ARGUMENT);
        assert_null(s);
    }
    lo.limit = 0;
    lo.version = 99;
    assert_int_equal(ftx__list(f->client, &plain, &lo, &page, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx__stream_new(f->client, &plain, &lo, &s, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx__list(NULL, &plain, NULL, &page, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx__list(f->client, &plain, NULL, NULL, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(f->ms), 0);
}

static void test_list_decode_errors(void **state)
{
    fixture *f = *state;
    ftx__page *page = NULL;
    ftx_error err = {0};

    mock_server_respond(f->ms, 200, "{\"code\":\"Success\",\"data\":{\"items\":{\"id\":\"a\"}}}");
    assert_int_equal(ftx__list(f->client, &plain, NULL, &page, &err), FTX_ERR_DECODE);
    assert_null(page);
    /* one bad item fails the page; the good ones are freed (leak-checked) */
    mock_server_respond(f->ms, 200,
                        "{\"code\":\"Success\",\"data\":{\"items\":[{\"id\":\"a\"},{\"id\":7}]}}");
    assert_int_equal(ftx__list(f->client, &plain, NULL, &page, &err), FTX_ERR_DECODE);
    assert_null(page);
    assert_int_equal(err.type, FTX_ERR_DECODE);
    mock_server_respond(f->ms, 200, "{\"code\":\"Success\",\"data\":{\"next_cursor\":\"x\"}}");
    assert_int_equal(ftx__list(f->client, &plain, NULL, &page, &err), FTX_ERR_DECODE);
    assert_int_equal(mock_server_request_count(f->ms), 3);
}

/* ---- streams ---- */

static void test_stream_no_io_until_next(void **state)
{
    fixture *f = *state;
    ftx__stream *s = NULL;
    ftx_error err = {0};

    assert_int_equal(ftx__stream_new(f->client, &things, NULL, &s, &err), FTX_OK);
    assert_non_null(s);
    assert_int_equal(mock_server_request_count(f->ms), 0);
    ftx__stream_free(s);
    assert_int_equal(mock_server_request_count(f->ms), 0);
    ftx__stream_free(NULL);
}

/* Three pages, limit 2: items in order and the exact query of every request. */
static void run_three_pages(fixture *f, int prefetch)
{
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx__stream *s = NULL;
    ftx_error err = {0};
    const void *item = (const void *)1;
    char ids[64];

    lo.limit = 2;
    lo.prefetch = prefetch;
    mock_server_respond(f->ms, 200, PAGE1);
    mock_server_respond(f->ms, 200, PAGE2);
    mock_server_respond(f->ms, 200, PAGE3);
    assert_int_equal(ftx__stream_new(f->client, &things, &lo, &s, &err), FTX_OK);
    assert_int_equal(drain(s, ids, sizeof(ids), &err), FTX_OK);
    assert_string_equal(ids, "a,b,c,d,e");
    /* past the end: still the end, and no further request */
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_null(item);
    ftx__stream_free(s);
    assert_int_equal(mock_server_request_count(f->ms), 3);
    assert_query(f->ms, 0, "schema=s%201&limit=2");
    assert_query(f->ms, 1, "schema=s%201&cursor=c1&limit=2");
    assert_query(f->ms, 2, "schema=s%201&cursor=c2&limit=2");
}

static void test_stream_three_pages(void **state)
{
    run_three_pages(*state, 0);
}

static void test_stream_three_pages_prefetch(void **state)
{
    run_three_pages(*state, 1);
}

static void test_stream_starts_at_cursor(void **state)
{
    fixture *f = *state;
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx__stream *s = NULL;
    ftx_error err = {0};
    char ids[64];

    lo.cursor = "c2";
    mock_server_respond(f->ms, 200, PAGE3);
    assert_int_equal(ftx__stream_new(f->client, &plain, &lo, &s, &err), FTX_OK);
    assert_int_equal(drain(s, ids, sizeof(ids), &err), FTX_OK);
    ftx__stream_free(s);
    assert_string_equal(ids, "e");
    assert_int_equal(mock_server_request_count(f->ms), 1);
    assert_query(f->ms, 0, "cursor=c2");
}

static void test_stream_early_stop_no_prefetch(void **state)
{
    fixture *f = *state;
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx__stream *s = NULL;
    ftx_error err = {0};
    const void *item = NULL;

    lo.prefetch = 0;
    mock_server_respond(f->ms, 200, PAGE1);
    mock_server_respond(f->ms, 200, PAGE2);
    assert_int_equal(ftx__stream_new(f->client, &plain, &lo, &s, &err), FTX_OK);
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_string_equal(item, "a");
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_string_equal(item, "b"); /* page 1 used up, page 2 not reached */
    ftx__stream_free(s);
    assert_int_equal(mock_server_request_count(f->ms), 1);
}

/* Prefetch never costs a request for a page the caller does not go on into: reading
 * one item and stopping sends exactly one request. */
static void test_stream_early_stop_prefetch(void **state)
{
    fixture *f = *state;
    ftx__stream *s = NULL;
    ftx_error err = {0};
    const void *item = NULL;

    mock_server_respond(f->ms, 200, PAGE1);
    mock_server_respond(f->ms, 200, PAGE2);
    mock_server_respond(f->ms, 200, PAGE3);
    assert_int_equal(ftx__stream_new(f->client, &plain, NULL, &s, &err), FTX_OK);
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_string_equal(item, "a");
    ftx__stream_free(s);
    assert_int_equal(mock_server_request_count(f->ms), 1);
}

#define PAGE4                                                                                      \
    "{\"code\":\"Success\",\"data\":{\"items\":[{\"id\":\"a\"},{\"id\":\"b\"},{\"id\":\"c\"},"     \
    "{\"id\":\"d\"}],\"next_cursor\":\"c1\"}}"

/* With prefetch on, page 2 is requested when the caller asks for the second item of
 * page 1, and sent before that _next returns: it reaches the server while the caller
 * makes no library call at all. Page 3 is never requested before page 2 is reached. */
static void test_stream_prefetch_fetches_ahead(void **state)
{
    fixture *f = *state;
    ftx__stream *s = NULL;
    ftx_error err = {0};
    const void *item = NULL;
    struct timespec ts = {0, 2000000};
    int i;

    mock_server_respond(f->ms, 200, PAGE4);
    mock_server_respond(f->ms, 200, PAGE2);
    mock_server_respond(f->ms, 200, PAGE3);
    assert_int_equal(ftx__stream_new(f->client, &plain, NULL, &s, &err), FTX_OK);
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_string_equal(item, "a");
    for (i = 0; i < 20; i++)
        nanosleep(&ts, NULL);
    assert_int_equal(mock_server_request_count(f->ms), 1); /* one item read: nothing ahead */
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_string_equal(item, "b");
    /* Poll (bounded) for the prefetch request; no library call is made meanwhile. */
    for (i = 0; i < 2500 && mock_server_request_count(f->ms) < 2; i++)
        nanosleep(&ts, NULL);
    assert_int_equal(mock_server_request_count(f->ms), 2);
    assert_query(f->ms, 1, "cursor=c1");
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_string_equal(item, "c");
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_string_equal(item, "d");
    for (i = 0; i < 20; i++)
        nanosleep(&ts, NULL);
    assert_int_equal(mock_server_request_count(f->ms), 2);
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_string_equal(item, "c"); /* page 2, from the prefetch: no new request */
    assert_int_equal(mock_server_request_count(f->ms), 2);
    ftx__stream_free(s);
    assert_true(mock_server_request_count(f->ms) <= 3);
}

static void run_last_page_marker(fixture *f, const char *page, int prefetch)
{
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx__stream *s = NULL;
    ftx_error err = {0};
    char ids[64];

    lo.prefetch = prefetch;
    mock_server_reset(f->ms);
    mock_server_respond(f->ms, 200, page);
    assert_int_equal(ftx__stream_new(f->client, &plain, &lo, &s, &err), FTX_OK);
    assert_int_equal(drain(s, ids, sizeof(ids), &err), FTX_OK);
    ftx__stream_free(s);
    assert_string_equal(ids, "a");
    assert_int_equal(mock_server_request_count(f->ms), 1);
}

static void test_stream_next_cursor_null_empty_absent(void **state)
{
    fixture *f = *state;
    static const char *const pages[] = {
        "{\"code\":\"Success\",\"data\":{\"items\":[{\"id\":\"a\"}],\"next_cursor\":null}}",
        "{\"code\":\"Success\",\"data\":{\"items\":[{\"id\":\"a\"}],\"next_cursor\":\"\"}}",
        "{\"code\":\"Success\",\"data\":{\"items\":[{\"id\":\"a\"}]}}",
    };
    size_t i;

    for (i = 0; i < 3; i++) {
        run_last_page_marker(f, pages[i], 0);
        run_last_page_marker(f, pages[i], 1);
    }
}

static void run_empty_pages(fixture *f, int prefetch)
{
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx__stream *s = NULL;
    ftx_error err = {0};
    char ids[64];

    lo.prefetch = prefetch;
    mock_server_reset(f->ms);
    /* an empty page that still has a cursor, then a page, then an empty last page */
    mock_server_respond(f->ms, 200,
                        "{\"code\":\"Success\",\"data\":{\"items\":[],\"next_cursor\":\"c1\"}}");
    mock_server_respond(f->ms, 200, PAGE2);
    mock_server_respond(f->ms, 200, "{\"code\":\"Success\",\"data\":{\"items\":[]}}");
    assert_int_equal(ftx__stream_new(f->client, &plain, &lo, &s, &err), FTX_OK);
    assert_int_equal(drain(s, ids, sizeof(ids), &err), FTX_OK);
    ftx__stream_free(s);
    assert_string_equal(ids, "c,d");
    assert_int_equal(mock_server_request_count(f->ms), 3);
    assert_query(f->ms, 0, NULL);
    assert_query(f->ms, 1, "cursor=c1");
    assert_query(f->ms, 2, "cursor=c2");
}

static void test_stream_empty_pages(void **state)
{
    run_empty_pages(*state, 0);
    run_empty_pages(*state, 1);
}

/* Page 3 fails: the _next that reaches it returns the error, the stream stays
 * where it was, and the next _next asks for page 3 again. */
static void run_error_on_page_3(fixture *f, int prefetch)
{
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx__stream *s = NULL;
    ftx_error err = {0};
    const void *item = NULL;
    char ids[64] = "";
    int i;

    lo.limit = 2;
    lo.prefetch = prefetch;
    mock_server_reset(f->ms);
    mock_server_respond(f->ms, 200, PAGE1);
    mock_server_respond(f->ms, 200, PAGE2);
    mock_server_respond(f->ms, 500,
                        "{\"code\":\"InternalError\",\"message\":\"Something went wrong\"}");
    mock_server_respond(f->ms, 200, "{\"code\":\"Success\",\"data\":{\"items\":\"broken\"}}");
    mock_server_respond(f->ms, 200, PAGE3);
    assert_int_equal(ftx__stream_new(f->client, &plain, &lo, &s, &err), FTX_OK);
    for (i = 0; i < 4; i++) {
        assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
        assert_non_null(item);
        strncat(ids, item, sizeof(ids) - strlen(ids) - 1);
    }
    assert_string_equal(ids, "abcd");

    item = (const void *)1;
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_ERR_SERVER);
    assert_null(item);
    assert_int_equal(err.type, FTX_ERR_SERVER);
    assert_int_equal(err.status, 500);
    assert_string_equal(err.code, "InternalError");
    assert_int_equal(mock_server_request_count(f->ms), 3);

    /* retry: a decode error this time, still the same page */
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_ERR_DECODE);
    assert_int_equal(mock_server_request_count(f->ms), 4);

    /* retry again: success, the stream resumes with page 3 */
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_string_equal(item, "e");
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_null(item);
    ftx__stream_free(s);
    assert_int_equal(mock_server_request_count(f->ms), 5);
    assert_query(f->ms, 0, "limit=2");
    assert_query(f->ms, 1, "cursor=c1&limit=2");
    assert_query(f->ms, 2, "cursor=c2&limit=2");
    assert_query(f->ms, 3, "cursor=c2&limit=2");
    assert_query(f->ms, 4, "cursor=c2&limit=2");
}

static void test_stream_error_on_page_3(void **state)
{
    run_error_on_page_3(*state, 0);
}

static void test_stream_error_on_page_3_prefetch(void **state)
{
    run_error_on_page_3(*state, 1);
}

/* The first page failing leaves a fresh stream; free after an error is clean. */
static void test_stream_first_page_error(void **state)
{
    fixture *f = *state;
    ftx__stream *s = NULL;
    ftx_error err = {0};
    const void *item = NULL;

    mock_server_respond(f->ms, 404, "{\"code\":\"NotFound\",\"message\":\"HTTP 404 Not Found\"}");
    mock_server_respond(f->ms, 200, PAGE3);
    assert_int_equal(ftx__stream_new(f->client, &plain, NULL, &s, &err), FTX_OK);
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_ERR_NOT_FOUND);
    assert_string_equal(err.code, "NotFound");
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_string_equal(item, "e");
    ftx__stream_free(s);
    assert_int_equal(mock_server_request_count(f->ms), 2);
    assert_query(f->ms, 0, NULL);
    assert_query(f->ms, 1, NULL);
    assert_int_equal(ftx__stream_next(NULL, &item, &err), FTX_ERR_INVALID_ARGUMENT);
}

/* A server that answers a cursor with the same cursor would make the stream ask for
 * the same page forever, inside one _next when the pages are empty: the repeat is a
 * decode error instead, after exactly one repeated request. */
#define SAME_CURSOR "{\"code\":\"Success\",\"data\":{\"items\":[],\"next_cursor\":\"c1\"}}"
#define SAME_CURSOR_ITEM                                                                           \
    "{\"code\":\"Success\",\"data\":{\"items\":[{\"id\":\"b\"}],\"next_cursor\":\"c1\"}}"

static void run_repeated_cursor(fixture *f, int prefetch, const char *repeat)
{
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx__stream *s = NULL;
    ftx_error err = {0};
    const void *item = NULL;
    int i;

    lo.prefetch = prefetch;
    mock_server_reset(f->ms);
    mock_server_respond(f->ms, 200, PAGE1); /* a, b; next c1 */
    for (i = 0; i < 8; i++)
        mock_server_respond(f->ms, 200, repeat);
    assert_int_equal(ftx__stream_new(f->client, &plain, &lo, &s, &err), FTX_OK);
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_string_equal(item, "a");
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_string_equal(item, "b");
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_ERR_DECODE);
    assert_null(item);
    assert_non_null(strstr(err.message, "cursor"));
    assert_int_equal(mock_server_request_count(f->ms), 2);
    ftx__stream_free(s);
    assert_query(f->ms, 1, "cursor=c1");
}

static void test_stream_repeated_cursor(void **state)
{
    run_repeated_cursor(*state, 0, SAME_CURSOR);
    run_repeated_cursor(*state, 1, SAME_CURSOR);
    run_repeated_cursor(*state, 0, SAME_CURSOR_ITEM);
    run_repeated_cursor(*state, 1, SAME_CURSOR_ITEM);
}

/* Prefetch on and off: the same items and the same request sequence. */
static void test_prefetch_matches_sequential(void **state)
{
    fixture *f = *state;
    char ids[2][256];
    char queries[2][8][64];
    size_t counts[2];
    int mode, p;

    for (mode = 0; mode < 2; mode++) {
        ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
        ftx__stream *s = NULL;
        ftx_error err = {0};
        size_t i;

        mock_server_reset(f->ms);
        for (p = 0; p < 6; p++) {
            char body[256];

            if (p < 5)
                snprintf(body, sizeof(body),
                         "{\"code\":\"Success\",\"data\":{\"items\":[{\"id\":\"p%da\"},"
                         "{\"id\":\"p%db\"}],\"next_cursor\":\"cur%d\"}}",
                         p, p, p + 1);
            else
                snprintf(body, sizeof(body),
                         "{\"code\":\"Success\",\"data\":{\"items\":[{\"id\":\"last\"}]}}");
            mock_server_respond(f->ms, 200, body);
        }
        lo.limit = 2;
        lo.prefetch = mode;
        assert_int_equal(ftx__stream_new(f->client, &things, &lo, &s, &err), FTX_OK);
        assert_int_equal(drain(s, ids[mode], sizeof(ids[mode]), &err), FTX_OK);
        ftx__stream_free(s);
        counts[mode] = mock_server_request_count(f->ms);
        assert_int_equal(counts[mode], 6);
        for (i = 0; i < counts[mode]; i++) {
            const mock_request *r = mock_server_request(f->ms, i);

            snprintf(queries[mode][i], sizeof(queries[mode][i]), "%s", r->query ? r->query : "");
        }
    }
    assert_string_equal(ids[0], ids[1]);
    assert_string_equal(ids[0], "p0a,p0b,p1a,p1b,p2a,p2b,p3a,p3b,p4a,p4b,last");
    for (p = 0; p < 6; p++)
        assert_string_equal(queries[0][p], queries[1][p]);
    assert_string_equal(queries[0][5], "schema=s%201&cursor=cur5&limit=2");
}

/* ---- loop guards: servers whose paging never ends ----
 * The server answers from the request's cursor, without end; after CYCLE_BOUND
 * requests it ends the list, so code without the guards terminates (and fails the
 * assertions) instead of hanging the test. */
#define CYCLE_BOUND 100

enum { CYCLE_EMPTY_AB = 0, CYCLE_ITEMS_AB, CYCLE_EMPTY_FRESH };

typedef struct cycle_srv {
    pthread_mutex_t lock;
    int mode;
    int served;
} cycle_srv;

static int cycle_handler(const mock_request *req, mock_response *out, void *userdata)
{
    static __thread char body[256];
    cycle_srv *cs = userdata;
    const char *q = req->query != NULL ? strstr(req->query, "cursor=") : NULL;
    char cur[32] = "", next[32];
    int n;

    pthread_mutex_lock(&cs->lock);
    n = ++cs->served;
    pthread_mutex_unlock(&cs->lock);
    if (q != NULL)
        (void)sscanf(q + 7, "%31[^&]", cur);
    if (cs->mode == CYCLE_EMPTY_FRESH)
        snprintf(next, sizeof(next), "f%d", n);
    else
        snprintf(next, sizeof(next), "%s", strcmp(cur, "A") == 0 ? "B" : "A");
    if (n > CYCLE_BOUND)
        snprintf(body, sizeof(body), "{\"code\":\"Success\",\"data\":{\"items\":[]}}");
    else if (cs->mode == CYCLE_ITEMS_AB)
        snprintf(body, sizeof(body),
                 "{\"code\":\"Success\",\"data\":{\"items\":[{\"id\":\"x%d\"},{\"id\":\"y%d\"}],"
                 "\"next_cursor\":\"%s\"}}",
                 n, n, next);
    else
        snprintf(body, sizeof(body),
                 "{\"code\":\"Success\",\"data\":{\"items\":[],\"next_cursor\":\"%s\"}}", next);
    out->status = 200;
    out->body = body;
    return 0;
}

static void run_cycle(fixture *f, int mode, int prefetch, size_t want_requests,
                      const char *want_ids, const char *want_msg)
{
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    cycle_srv cs = {PTHREAD_MUTEX_INITIALIZER, mode, 0};
    ftx__stream *s = NULL;
    ftx_error err = {0};
    char ids[256];

    mock_server_reset(f->ms);
    mock_server_set_handler(f->ms, cycle_handler, &cs);
    lo.prefetch = prefetch;
    assert_int_equal(ftx__stream_new(f->client, &plain, &lo, &s, &err), FTX_OK);
    assert_int_equal(drain(s, ids, sizeof(ids), &err), FTX_ERR_DECODE);
    assert_int_equal(err.type, FTX_ERR_DECODE);
    assert_string_equal(ids, want_ids);
    if (strstr(err.message, want_msg) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err.message, want_msg);
    ftx__stream_free(s);
    mock_server_set_handler(f->ms, NULL, NULL);
    assert_int_equal(mock_server_request_count(f->ms), want_requests);
}

/* Empty pages with cursors A, B, A: the third request answers with A again. */
static void test_stream_cycle_empty_pages(void **state)
{
    run_cycle(*state, CYCLE_EMPTY_AB, 0, 3, "",
              "/things: cursor \"A\" came back after 2 pages: the server's paging loops");
    run_cycle(*state, CYCLE_EMPTY_AB, 1, 3, "", "cursor \"A\" came back after 2 pages");
}

/* Non-empty pages repeating: without the guard the caller would get x1,y1,x2,y2,...
 * forever; it gets each page once, then the decode error. */
static void test_stream_cycle_item_pages(void **state)
{
    run_cycle(*state, CYCLE_ITEMS_AB, 0, 3, "x1,y1,x2,y2", "cursor \"A\" came back after 2 pages");
    run_cycle(*state, CYCLE_ITEMS_AB, 1, 3, "x1,y1,x2,y2", "cursor \"A\" came back after 2 pages");
}

/* A fresh cursor on every empty page: bounded by FTX__PAGER_MAX_EMPTY_PAGES. */
static void test_stream_fresh_cursor_empty_pages(void **state)
{
    run_cycle(*state, CYCLE_EMPTY_FRESH, 0, FTX__PAGER_MAX_EMPTY_PAGES + 1, "",
              "more than 10 empty pages in a row");
    run_cycle(*state, CYCLE_EMPTY_FRESH, 1, FTX__PAGER_MAX_EMPTY_PAGES + 1, "",
              "more than 10 empty pages in a row");
}

/* A cursor that comes back to the caller's starting cursor is a cycle too. */
static void test_stream_cycle_to_start_cursor(void **state)
{
    fixture *f = *state;
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx__stream *s = NULL;
    ftx_error err = {0};
    char ids[64];

    lo.cursor = "c2";
    mock_server_respond(f->ms, 200, PAGE2); /* c, d; next c2: the start cursor */
    mock_server_respond(f->ms, 200, PAGE3);
    assert_int_equal(ftx__stream_new(f->client, &plain, &lo, &s, &err), FTX_OK);
    assert_int_equal(drain(s, ids, sizeof(ids), &err), FTX_ERR_DECODE);
    assert_non_null(strstr(err.message, "cursor \"c2\" came back after 1 page:"));
    ftx__stream_free(s);
    assert_int_equal(mock_server_request_count(f->ms), 1);
}

/* ---- prefetch without threads ---- */

/* _free with a prefetch in flight returns at once (the transfer is aborted), even
 * when the server takes seconds to answer. */
static void test_stream_free_is_prompt(void **state)
{
    fixture *f = *state;
    mock_response slow = {200, PAGE2, NULL, 1500, MOCK_REPLY};
    ftx__stream *s = NULL;
    ftx_error err = {0};
    const void *item = NULL;
    struct timespec t0, t1, ts = {0, 2000000};
    double ms;
    int i;

    mock_server_respond(f->ms, 200, PAGE4);
    mock_server_respond_full(f->ms, &slow);
    assert_int_equal(ftx__stream_new(f->client, &plain, NULL, &s, &err), FTX_OK);
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK); /* starts the prefetch */
    for (i = 0; i < 2500 && mock_server_request_count(f->ms) < 2; i++)
        nanosleep(&ts, NULL); /* the server has it, and sits on it */
    assert_int_equal(mock_server_request_count(f->ms), 2);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ftx__stream_free(s);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    if (ms > 500)
        fail_msg("ftx__stream_free took %.0f ms with a prefetch in flight", ms);
    assert_int_equal(mock_server_request_count(f->ms), 2);
}

typedef struct thread_obs {
    pthread_t caller;
    int calls;
    int foreign; /* calls on another thread */
    int attempts[8];
} thread_obs;

static void obs_thread(const ftx_request_info *info, void *userdata)
{
    thread_obs *o = userdata;

    if (!pthread_equal(pthread_self(), o->caller))
        o->foreign++;
    if (o->calls < 8)
        o->attempts[o->calls] = info->attempt;
    o->calls++;
}

static int retry_thread(const ftx_error *e, const ftx_request_info *info, uint64_t delay,
                        void *userdata)
{
    (void)e;
    (void)info;
    (void)delay;
    obs_thread(info, userdata);
    return 0;
}

/* Every request of a prefetching stream — and so the observer, the retry callbacks
 * and the clock — runs on the thread that calls _next (client.h's promise). */
static void test_stream_callbacks_on_caller_thread(void **state)
{
    fixture *f = *state;
    ftx_client_options o = th_options(f->ms, &f->fc);
    thread_obs obs = {pthread_self(), 0, 0, {0}};
    thread_obs ret = {pthread_self(), 0, 0, {0}};
    ftx_client *c;
    ftx__stream *s = NULL;
    ftx_error err = {0};
    char ids[64];

    o.observer = obs_thread;
    o.observer_userdata = &obs;
    o.retry.on_retry = retry_thread;
    o.retry.on_retry_userdata = &ret;
    c = th_client_opts(&o);
    mock_server_respond(f->ms, 200, PAGE4);
    mock_server_respond(f->ms, 503, "{\"code\":\"Unavailable\",\"message\":\"busy\"}");
    mock_server_respond(f->ms, 200, PAGE3);
    assert_int_equal(ftx__stream_new(c, &plain, NULL, &s, &err), FTX_OK);
    assert_int_equal(drain(s, ids, sizeof(ids), &err), FTX_OK);
    assert_string_equal(ids, "a,b,c,d,e");
    ftx__stream_free(s);
    ftx_client_free(c);
    assert_int_equal(mock_server_request_count(f->ms), 3);
    assert_int_equal(obs.calls, 3);
    assert_int_equal(obs.foreign, 0);
    assert_int_equal(ret.calls, 1);
    assert_int_equal(ret.foreign, 0);
    /* the prefetch's 503 was attempt 1 of page 2; its retry is attempt 2 */
    assert_int_equal(obs.attempts[1], 1);
    assert_int_equal(obs.attempts[2], 2);
}

/* A prefetched page that fails with a retryable error is retried when the caller
 * needs it, after the policy's delay (on the client clock), counting on from the
 * prefetch's attempt; max_attempts bounds all of them. */
static void test_stream_prefetch_retry_budget(void **state)
{
    fixture *f = *state;
    ftx_client_options o = th_options(f->ms, &f->fc);
    ftx_client *c;
    ftx__stream *s = NULL;
    ftx_error err = {0};
    const void *item = NULL;
    int i;

    o.retry.max_attempts = 2;
    o.retry.base_delay_ms = 700;
    c = th_client_opts(&o);
    mock_server_respond(f->ms, 200, PAGE4);
    mock_server_respond(f->ms, 503, "{\"code\":\"Unavailable\",\"message\":\"busy\"}");
    mock_server_respond(f->ms, 503, "{\"code\":\"Unavailable\",\"message\":\"busy\"}");
    mock_server_respond(f->ms, 200, PAGE3);
    assert_int_equal(ftx__stream_new(c, &plain, NULL, &s, &err), FTX_OK);
    for (i = 0; i < 4; i++)
        assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_ERR_SERVER);
    assert_int_equal(err.attempts, 2);
    assert_int_equal(mock_server_request_count(f->ms), 3);
    assert_int_equal(f->fc.total_slept_ms, 700);
    /* the stream stayed put: the next _next asks for page 2 again */
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_string_equal(item, "e");
    ftx__stream_free(s);
    ftx_client_free(c);
    assert_int_equal(mock_server_request_count(f->ms), 4);
    assert_query(f->ms, 1, "cursor=c1");
    assert_query(f->ms, 2, "cursor=c1");
    assert_query(f->ms, 3, "cursor=c1");
}

/* A prefetch answered with a final error (404) is not sent again by the _next that
 * needs the page: that _next returns it. */
static void test_stream_prefetch_final_error(void **state)
{
    fixture *f = *state;
    ftx__stream *s = NULL;
    ftx_error err = {0};
    const void *item = NULL;
    int i;

    mock_server_respond(f->ms, 200, PAGE4);
    mock_server_respond(f->ms, 404, "{\"code\":\"NotFound\",\"message\":\"gone\"}");
    assert_int_equal(ftx__stream_new(f->client, &plain, NULL, &s, &err), FTX_OK);
    for (i = 0; i < 4; i++)
        assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_ERR_NOT_FOUND);
    assert_null(item);
    assert_string_equal(err.code, "NotFound");
    assert_int_equal(err.attempts, 1);
    ftx__stream_free(s);
    assert_int_equal(mock_server_request_count(f->ms), 2);
}

/* While the client-wide 429 pause holds, no prefetch is sent: the _next that needs
 * the page waits the pause out (client clock), then fetches it. */
static void test_stream_no_prefetch_while_paused(void **state)
{
    fixture *f = *state;
    ftx__stream *s = NULL;
    ftx_error err = {0};
    const void *item = NULL;
    struct timespec ts = {0, 2000000};
    char ids[64];
    int i;

    mock_server_respond(f->ms, 200, PAGE4);
    mock_server_respond(f->ms, 200, PAGE3);
    assert_int_equal(ftx__stream_new(f->client, &plain, NULL, &s, &err), FTX_OK);
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    ftx__client_pause_until(f->client, f->fc.now_ms + 3000);
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK); /* would start a prefetch */
    for (i = 0; i < 25; i++)
        nanosleep(&ts, NULL);
    assert_int_equal(mock_server_request_count(f->ms), 1);
    assert_int_equal(drain(s, ids, sizeof(ids), &err), FTX_OK);
    assert_string_equal(ids, "c,d,e");
    assert_int_equal(f->fc.total_slept_ms, 3000);
    ftx__stream_free(s);
    assert_int_equal(mock_server_request_count(f->ms), 2);
}

/* The stream holds its client: freeing the client first is safe, and the stream
 * still works until it is freed (ASan checks the use-after-free). */
static void test_stream_outlives_client(void **state)
{
    fixture *f = *state;
    ftx_client *c = th_client(f->ms);
    ftx__stream *s = NULL;
    ftx_error err = {0};
    const void *item = NULL;
    char ids[64];

    mock_server_respond(f->ms, 200, PAGE4);
    mock_server_respond(f->ms, 200, PAGE3);
    assert_int_equal(ftx__stream_new(c, &plain, NULL, &s, &err), FTX_OK);
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK); /* prefetch in flight */
    ftx_client_free(c);
    assert_int_equal(drain(s, ids, sizeof(ids), &err), FTX_OK);
    assert_string_equal(ids, "c,d,e");
    ftx__stream_free(s);

    /* and with the prefetch still in flight at the stream's _free */
    mock_server_reset(f->ms);
    c = th_client(f->ms);
    mock_server_respond(f->ms, 200, PAGE4);
    mock_server_respond(f->ms, 200, PAGE3);
    assert_int_equal(ftx__stream_new(c, &plain, NULL, &s, &err), FTX_OK);
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    ftx_client_free(c);
    ftx__stream_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_list_exact_query, th_setup_one_attempt, th_teardown),
        cmocka_unit_test_setup_teardown(test_invalid_limit_sends_nothing, th_setup_one_attempt,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_list_decode_errors, th_setup_one_attempt, th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_no_io_until_next, th_setup_one_attempt,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_three_pages, th_setup_one_attempt, th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_three_pages_prefetch, th_setup_one_attempt,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_starts_at_cursor, th_setup_one_attempt,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_early_stop_no_prefetch, th_setup_one_attempt,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_early_stop_prefetch, th_setup_one_attempt,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_prefetch_fetches_ahead, th_setup_one_attempt,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_next_cursor_null_empty_absent,
                                        th_setup_one_attempt, th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_empty_pages, th_setup_one_attempt, th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_error_on_page_3, th_setup_one_attempt,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_error_on_page_3_prefetch, th_setup_one_attempt,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_first_page_error, th_setup_one_attempt,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_repeated_cursor, th_setup_one_attempt,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_prefetch_matches_sequential, th_setup_one_attempt,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_cycle_empty_pages, th_setup_one_attempt,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_cycle_item_pages, th_setup_one_attempt,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_fresh_cursor_empty_pages, th_setup_one_attempt,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_cycle_to_start_cursor, th_setup_one_attempt,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_free_is_prompt, th_setup_one_attempt,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_callbacks_on_caller_thread,
                                        th_setup_one_attempt, th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_prefetch_retry_budget, th_setup_one_attempt,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_prefetch_final_error, th_setup_one_attempt,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_outlives_client, th_setup_one_attempt,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_no_prefetch_while_paused, th_setup_one_attempt,
                                        th_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
