/*
 * Built-in retries: which failures are repeated per method, how many attempts, and the
 * exact waits (recorded by a fake clock); Retry-After; jitter; callbacks; ftx_with_retry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "internal.h"
#include "retry.h"
#include "test_helpers.h"

#define OK_BODY "{\"code\":\"Success\",\"data\":{\"id\":\"g1\"}}"
#define ERR_500 "{\"code\":\"InternalError\",\"message\":\"boom\"}"
#define ERR_429 "{\"code\":\"TooManyRequests\",\"message\":\"Rate limit exceeded\"}"

typedef th_fixture fixture;

static ftx_client *client(fixture *f)
{
    return th_client_clock(f->ms, &f->fc);
}

static void assert_sleeps(const th_fake_clock *fc, size_t n, const uint64_t *expected)
{
    size_t i;

    assert_int_equal(fc->nsleeps, n);
    for (i = 0; i < n; i++)
        assert_int_equal(fc->sleeps[i], expected[i]);
}

static void respond_h(mock_server *ms, int status, const char *body, const char *headers)
{
    mock_response r = {status, body, headers, 0, MOCK_REPLY};

    mock_server_respond_full(ms, &r);
}

static const ftx__request GET_REQ = {"GET", "/groups/g1", NULL, 0, 0, 0};
static const ftx__request CREATE_REQ = {"POST", "/groups", NULL, 0, 1, 0};
static const ftx__request ACTION_REQ = {"POST", "/connections/c1/sync", NULL, 1, 0, 0};

static void test_get_retried_on_500_then_success(void **state)
{
    fixture *f = *state;
    ftx_client *c = client(f);
    static const uint64_t want[] = {1000, 2000};
    ftx_error err = {0};
    json_t *out = NULL;

    mock_server_respond(f->ms, 500, ERR_500);
    mock_server_respond(f->ms, 502, "<html>bad gateway</html>");
    mock_server_respond(f->ms, 200, OK_BODY);
    assert_int_equal(ftx__call_data(c, &GET_REQ, &out, &err), FTX_OK);
    assert_string_equal(json_string_value(json_object_get(out, "id")), "g1");
    json_decref(out);
    assert_int_equal(mock_server_request_count(f->ms), 3);
    assert_sleeps(&f->fc, 2, want);
    ftx_client_free(c);
}

static void test_get_exhausts_attempts(void **state)
{
    fixture *f = *state;
    ftx_client *c = client(f);
    static const uint64_t want[] = {1000, 2000};
    ftx_error err = {0};

    mock_server_respond(f->ms, 500, ERR_500);
    mock_server_respond(f->ms, 503, ERR_500);
    mock_server_respond(f->ms, 500, ERR_500);
    assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_ERR_SERVER);
    assert_int_equal(err.attempts, 3);
    assert_int_equal(err.status, 500);
    assert_string_equal(err.code, "InternalError");
    assert_int_equal(mock_server_request_count(f->ms), 3);
    assert_sleeps(&f->fc, 2, want);
    ftx_client_free(c);
}

static void test_patch_and_delete_retried(void **state)
{
    fixture *f = *state;
    ftx_client *c = client(f);
    ftx__request patch = {"PATCH", "/groups/g1", NULL, 0, 0, 0};
    ftx__request del = {"DELETE", "/groups/g1", NULL, 0, 0, 0};
    ftx_error err = {0};

    mock_server_respond(f->ms, 500, ERR_500);
    mock_server_respond(f->ms, 200, OK_BODY);
    mock_server_respond(f->ms, 503, ERR_500);
    mock_server_respond(f->ms, 200, OK_BODY);
    assert_int_equal(ftx__call(c, &patch, NULL, &err), FTX_OK);
    assert_int_equal(ftx__call(c, &del, NULL, &err), FTX_OK);
    assert_int_equal(mock_server_request_count(f->ms), 4);
    assert_string_equal(mock_server_request(f->ms, 1)->method, "PATCH");
    assert_string_equal(mock_server_request(f->ms, 3)->method, "DELETE");
    assert_int_equal(f->fc.nsleeps, 2);
    ftx_client_free(c);
}

static void test_post_create_not_repeated_after_500(void **state)
{
    fixture *f = *state;
    ftx_client *c = client(f);
    ftx_error err = {0};
    json_t *out = (json_t *)0x1;

    mock_server_respond(f->ms, 500, ERR_500);
    mock_server_respond(f->ms, 201, OK_BODY); /* must not be reached */
    assert_int_equal(ftx__call_data(c, &CREATE_REQ, &out, &err), FTX_ERR_OUTCOME_UNKNOWN);
    assert_null(out);
    assert_int_equal(err.type, FTX_ERR_OUTCOME_UNKNOWN);
    assert_int_equal(err.status, 500);
    assert_int_equal(err.attempts, 1);
    assert_string_equal(err.code, "InternalError");
    assert_non_null(strstr(err.message, "POST /groups: 500 InternalError: boom"));
    assert_non_null(strstr(err.message, "may have been created"));
    assert_non_null(strstr(err.message, "list"));
    assert_int_equal(mock_server_request_count(f->ms), 1);
    assert_int_equal(f->fc.nsleeps, 0);
    ftx_client_free(c);
}

static void test_post_create_not_repeated_after_drop(void **state)
{
    fixture *f = *state;
    ftx_client *c = client(f); /* fresh connection: the drop is not a stale keep-alive */
    mock_response drop = {0, NULL, NULL, 0, MOCK_DROP};
    ftx_error err = {0};

    mock_server_respond_full(f->ms, &drop);
    mock_server_respond(f->ms, 201, OK_BODY);
    assert_int_equal(ftx__call(c, &CREATE_REQ, NULL, &err), FTX_ERR_OUTCOME_UNKNOWN);
    assert_int_equal(err.status, 0);
    assert_int_equal(err.attempts, 1);
    assert_non_null(strstr(err.message, "transport error"));
    assert_int_equal(mock_server_request_count(f->ms), 1);
    assert_int_equal(f->fc.nsleeps, 0);
    ftx_client_free(c);
}

static void test_post_create_not_repeated_after_timeout(void **state)
{
    fixture *f = *state;
    ftx_client_options o = th_options(f->ms, &f->fc);
    mock_response slow = {201, OK_BODY, NULL, 400, MOCK_REPLY};
    ftx_client *c;
    ftx_error err = {0};

    o.timeout_ms = 100;
    c = th_client_opts(&o);
    mock_server_respond_full(f->ms, &slow);
    assert_int_equal(ftx__call(c, &CREATE_REQ, NULL, &err), FTX_ERR_OUTCOME_UNKNOWN);
    assert_int_equal(err.attempts, 1);
    assert_non_null(strstr(err.message, "(curl 28)"));
    assert_int_equal(f->fc.nsleeps, 0);
    ftx_client_free(c);
}

static void test_get_retried_after_timeout(void **state)
{
    fixture *f = *state;
    ftx_client_options o = th_options(f->ms, &f->fc);
    mock_response slow = {200, OK_BODY, NULL, 400, MOCK_REPLY};
    static const uint64_t want[] = {1000};
    ftx_client *c;
    ftx_error err = {0};

    o.timeout_ms = 100;
    c = th_client_opts(&o);
    mock_server_respond_full(f->ms, &slow);
    mock_server_respond(f->ms, 200, OK_BODY);
    assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_OK);
    assert_int_equal(mock_server_request_count(f->ms), 2);
    assert_sleeps(&f->fc, 1, want);
    ftx_client_free(c);
}

static void test_action_post_retried(void **state)
{
    fixture *f = *state;
    ftx_client *c = client(f);
    static const uint64_t want[] = {1000};
    ftx_error err = {0};

    mock_server_respond(f->ms, 500, ERR_500);
    mock_server_respond(f->ms, 200, "{\"code\":\"Success\",\"message\":\"Sync triggered\"}");
    assert_int_equal(ftx__call(c, &ACTION_REQ, NULL, &err), FTX_OK);
    assert_int_equal(mock_server_request_count(f->ms), 2);
    assert_string_equal(mock_server_request(f->ms, 0)->body, "{}");
    assert_string_equal(mock_server_request(f->ms, 1)->body, "{}");
    assert_sleeps(&f->fc, 1, want);
    ftx_client_free(c);
}

static void test_429_retried_for_post_create(void **state)
{
    fixture *f = *state;
    ftx_client *c = client(f);
    static const uint64_t want[] = {1000};
    json_t *body = json_pack("{s:s}", "name", "new_group");
    ftx__request req = {"POST", "/groups", body, 0, 1, 0};
    ftx_error err = {0};
    json_t *out = NULL;

    mock_server_respond(f->ms, 429, ERR_429);
    mock_server_respond(f->ms, 201, OK_BODY);
    assert_int_equal(ftx__call_data(c, &req, &out, &err), FTX_OK);
    json_decref(out);
    assert_int_equal(mock_server_request_count(f->ms), 2);
    th_assert_json_eq(mock_server_request(f->ms, 0)->body, "{\"name\":\"new_group\"}");
    th_assert_json_eq(mock_server_request(f->ms, 1)->body, "{\"name\":\"new_group\"}");
    assert_sleeps(&f->fc, 1, want);
    json_decref(body);
    ftx_client_free(c);
}

static void test_refused_retried_for_post_create(void **state)
{
    fixture *f = *state;
    mock_server *dead = mock_server_start();
    ftx_client_options o = th_options(f->ms, &f->fc);
    static const uint64_t want[] = {1000, 2000};
    ftx_client *c;
    ftx_error err = {0};
    char url[128];

    assert_non_null(dead);
    snprintf(url, sizeof(url), "%s", mock_server_url(dead));
    mock_server_stop(dead);
    o.base_url = url;
    c = th_client_opts(&o);
    /* Not sent at all: safe to repeat even a create. */
    assert_int_equal(ftx__call(c, &CREATE_REQ, NULL, &err), FTX_ERR_TRANSPORT);
    assert_int_equal(err.attempts, 3);
    assert_sleeps(&f->fc, 2, want);
    ftx_client_free(c);
}

static void test_retry_after_seconds(void **state)
{
    fixture *f = *state;
    ftx_client *c = client(f);
    static const uint64_t want[] = {2000};
    ftx_error err = {0};

    respond_h(f->ms, 429, ERR_429, "Retry-After: 2");
    mock_server_respond(f->ms, 200, OK_BODY);
    assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_OK);
    assert_int_equal(mock_server_request_count(f->ms), 2);
    assert_sleeps(&f->fc, 1, want);
    ftx_client_free(c);
}

static void test_retry_after_on_503(void **state)
{
    fixture *f = *state;
    ftx_client *c = client(f);
    static const uint64_t want[] = {7000, 0};
    ftx_error err = {0};

    respond_h(f->ms, 503, ERR_500, "Retry-After: 7");
    respond_h(f->ms, 429, ERR_429, "Retry-After: 0");
    mock_server_respond(f->ms, 200, OK_BODY);
    assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_OK);
    assert_sleeps(&f->fc, 2, want);
    ftx_client_free(c);
}

static void test_retry_after_http_date(void **state)
{
    fixture *f = *state;
    ftx_client *c = client(f);
    ftx_error err = {0};
    char hdr[96], date[64];
    time_t when = time(NULL) + 5;
    struct tm tm;

    gmtime_r(&when, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    snprintf(hdr, sizeof(hdr), "Retry-After: %s", date);
    respond_h(f->ms, 429, ERR_429, hdr);
    /* A date in the past means "now". */
    respond_h(f->ms, 429, ERR_429, "Retry-After: Sun, 06 Nov 1994 08:49:37 GMT");
    mock_server_respond(f->ms, 200, OK_BODY);
    assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_OK);
    assert_int_equal(f->fc.nsleeps, 2);
    /* Whole seconds from the wall clock: 5 s, or 4 s when a second ticked over. */
    assert_in_range(f->fc.sleeps[0], 4000, 5000);
    assert_int_equal(f->fc.sleeps[0] % 1000, 0);
    assert_int_equal(f->fc.sleeps[1], 0);
    ftx_client_free(c);
}

static void test_retry_after_beyond_cap(void **state)
{
    fixture *f = *state;
    ftx_client *c = client(f);
    ftx_error err = {0};

    respond_h(f->ms, 429, ERR_429, "Retry-After: 3600");
    mock_server_respond(f->ms, 200, OK_BODY); /* must not be reached */
    assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_ERR_RATE_LIMITED);
    assert_int_equal(err.retry_after, 3600);
    assert_int_equal(err.status, 429);
    assert_int_equal(err.attempts, 1);
    assert_string_equal(err.code, "TooManyRequests");
    assert_non_null(strstr(err.message, "retry after 3600 s"));
    assert_non_null(strstr(err.message, "max_delay_ms"));
    assert_int_equal(mock_server_request_count(f->ms), 1);
    assert_int_equal(f->fc.nsleeps, 0);
    ftx_client_free(c);
}

/* A Retry-After beyond the cap pauses the whole client: later calls fail fast without
 * sending, with the server's remaining time in retry_after, for at most the policy's
 * max_delay_ms (30 s here); then they go out again. */
static void test_long_rate_limit_pauses_client(void **state)
{
    fixture *f = *state;
    ftx_client *c = client(f);
    uint64_t t0 = f->fc.now_ms;
    ftx_error err = {0};

    respond_h(f->ms, 429, ERR_429, "Retry-After: 3600");
    assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_ERR_RATE_LIMITED);
    assert_int_equal(err.retry_after, 3600);
    assert_int_equal(mock_server_request_count(f->ms), 1);
    assert_int_equal(ftx__client_paused_until(c), t0 + 30000);

    f->fc.now_ms += 10 * 1000; /* 3590 s of the server's time left */
    ftx_error_clear(&err);
    assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_ERR_RATE_LIMITED);
    assert_int_equal(err.retry_after, 3590);
    assert_int_equal(err.attempts, 0);
    assert_non_null(strstr(err.message, "not sent"));
    assert_non_null(strstr(err.message, "max_delay_ms 30000"));
    assert_int_equal(mock_server_request_count(f->ms), 1);
    assert_int_equal(f->fc.nsleeps, 0);

    f->fc.now_ms += 20 * 1000; /* the client's pause (30 s) is over */
    mock_server_respond(f->ms, 200, OK_BODY);
    assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_OK);
    assert_int_equal(mock_server_request_count(f->ms), 2);
    assert_int_equal(f->fc.nsleeps, 0);
    ftx_client_free(c);
}

/* One 429 with an absurd Retry-After (99999999 s, or an HTTP-date in 2099) must not
 * lock the client for years: the error carries the server's value, later calls are
 * refused locally only until max_delay_ms has passed, then they are sent again. */
static void test_absurd_retry_after_pause_is_capped(void **state)
{
    static const char *const values[] = {"99999999", "Thu, 01 Jan 2099 00:00:00 GMT"};
    fixture *f = *state;
    size_t i;

    for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        ftx_client_options o = th_options(f->ms, &f->fc);
        ftx_client *c;
        char hdr[64];
        uint64_t t0 = f->fc.now_ms;
        ftx_error err = {0};
        long first;

        o.retry.max_delay_ms = 5000;
        c = th_client_opts(&o);
        mock_server_reset(f->ms);
        (void)snprintf(hdr, sizeof(hdr), "Retry-After: %s", values[i]);
        respond_h(f->ms, 429, ERR_429, hdr);
        assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_ERR_RATE_LIMITED);
        assert_int_equal(err.status, 429);
        assert_int_equal(err.attempts, 1);
        first = err.retry_after;
        if (i == 0)
            assert_int_equal(first, 99999999);
        else
            assert_true(first > 70L * 365 * 24 * 3600); /* 2099 is > 70 years away */
        assert_int_equal(ftx__client_paused_until(c), t0 + 5000);

        /* within the capped pause: refused, nothing sent, the server's time reported */
        f->fc.now_ms += 4999;
        ftx_error_clear(&err);
        assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_ERR_RATE_LIMITED);
        assert_int_equal(err.attempts, 0);
        assert_in_range(err.retry_after, first - 5, first);
        assert_non_null(strstr(err.message, "not sent"));
        assert_int_equal(mock_server_request_count(f->ms), 1);
        /* the refusal did not extend the pause */
        assert_int_equal(ftx__client_paused_until(c), t0 + 5000);

        /* max_delay_ms after the 429: sent again */
        f->fc.now_ms += 1;
        mock_server_respond(f->ms, 200, OK_BODY);
        ftx_error_clear(&err);
        assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_OK);
        assert_int_equal(mock_server_request_count(f->ms), 2);
        assert_int_equal(f->fc.nsleeps, 0);
        ftx_client_free(c);
    }
}

/* An absurd Retry-After (more seconds than fit in 64-bit milliseconds) still pauses
 * the client (for max_delay_ms): the server's end saturates instead of wrapping
 * around into the past. */
static void test_huge_retry_after_pauses_client(void **state)
{
    static const char *const values[] = {"99999999999999999999999", "18446744073709552",
                                         "9223372036854775"};
    fixture *f = *state;
    size_t i;

    for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        ftx_client *c = client(f);
        char hdr[64];
        ftx_error err = {0};

        mock_server_reset(f->ms);
        (void)snprintf(hdr, sizeof(hdr), "Retry-After: %s", values[i]);
        respond_h(f->ms, 429, ERR_429, hdr);
        assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_ERR_RATE_LIMITED);
        assert_true(err.retry_after > 0);
        assert_int_equal(mock_server_request_count(f->ms), 1);

        /* the next call fails fast without sending, with a sane positive retry_after */
        f->fc.now_ms += 1000;
        ftx_error_clear(&err);
        assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_ERR_RATE_LIMITED);
        assert_int_equal(mock_server_request_count(f->ms), 1);
        assert_int_equal(err.attempts, 0);
        assert_true(err.retry_after > 1000000);
        assert_non_null(strstr(err.message, "not sent"));

        /* the client's pause ends max_delay_ms (30 s) after the 429 */
        f->fc.now_ms += 29000;
        mock_server_respond(f->ms, 200, OK_BODY);
        assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_OK);
        assert_int_equal(mock_server_request_count(f->ms), 2);
        ftx_client_free(c);
    }
}

/* A request deadline (used by sync_and_wait's status reads) bounds everything: no
 * retry wait that would end after it, no attempt once it has passed, and each
 * attempt's HTTP timeout cut to the time left. */
static void test_request_deadline(void **state)
{
    fixture *f = *state;
    ftx_client *c = client(f);
    static const uint64_t want[] = {1000};
    ftx__request req = GET_REQ;
    mock_response slow = {200, OK_BODY, NULL, 400, MOCK_REPLY};
    ftx_error err = {0};

    req.deadline_ms = f->fc.now_ms + 2500;
    mock_server_respond(f->ms, 500, ERR_500);
    mock_server_respond(f->ms, 500, ERR_500);
    mock_server_respond(f->ms, 200, OK_BODY); /* the third attempt would come too late */
    assert_int_equal(ftx__call(c, &req, NULL, &err), FTX_ERR_SERVER);
    assert_int_equal(err.attempts, 2);
    assert_int_equal(mock_server_request_count(f->ms), 2);
    assert_sleeps(&f->fc, 1, want);

    req.deadline_ms = f->fc.now_ms; /* already passed: nothing is sent */
    ftx_error_clear(&err);
    assert_int_equal(ftx__call(c, &req, NULL, &err), FTX_ERR_TIMEOUT);
    assert_int_equal(err.attempts, 0);
    assert_int_equal(mock_server_request_count(f->ms), 2);

    mock_server_reset(f->ms);
    req.deadline_ms = f->fc.now_ms + 100; /* the fake clock stands still: 100 ms of curl time */
    mock_server_respond_full(f->ms, &slow);
    ftx_error_clear(&err);
    assert_int_equal(ftx__call(c, &req, NULL, &err), FTX_ERR_TRANSPORT);
    assert_non_null(strstr(err.message, "timed out"));
    ftx_client_free(c);
}

static void test_retry_after_at_cap_is_waited(void **state)
{
    fixture *f = *state;
    ftx_client *c = client(f);
    static const uint64_t want[] = {30000};
    ftx_error err = {0};

    respond_h(f->ms, 429, ERR_429, "Retry-After: 30");
    mock_server_respond(f->ms, 200, OK_BODY);
    assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_OK);
    assert_sleeps(&f->fc, 1, want);
    ftx_client_free(c);
}

static void test_malformed_retry_after(void **state)
{
    fixture *f = *state;
    ftx_client_options o = th_options(f->ms, &f->fc);
    static const uint64_t want[] = {1000, 2000, 4000, 8000, 16000};
    ftx_client *c;
    ftx_error err = {0};

    o.retry.max_attempts = 6;
    c = th_client_opts(&o);
    respond_h(f->ms, 429, ERR_429, "Retry-After: soon");
    respond_h(f->ms, 429, ERR_429, "Retry-After: -5");
    respond_h(f->ms, 429, ERR_429, "Retry-After: 1.5");
    respond_h(f->ms, 429, ERR_429, "Retry-After: 99999999999999999999999999");
    respond_h(f->ms, 429, ERR_429, "Retry-After: Blursday, 99 Foo 20x9");
    mock_server_respond(f->ms, 200, OK_BODY);
    /* The huge integer is a valid (absurd) wait: beyond the cap, so it stops there. */
    assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_ERR_RATE_LIMITED);
    assert_int_equal(err.attempts, 4);
    assert_true(err.retry_after > 3600);
    assert_sleeps(&f->fc, 3, want);

    /* That pause holds the client back for max_delay_ms (see
     * test_absurd_retry_after_pause_is_capped); a fresh client shows that malformed
     * values alone fall back to the normal backoff. */
    ftx_client_free(c);
    c = th_client_opts(&o);
    mock_server_reset(f->ms);
    f->fc.nsleeps = 0;
    respond_h(f->ms, 429, ERR_429, "Retry-After: soon");
    respond_h(f->ms, 429, ERR_429, "Retry-After: ");
    respond_h(f->ms, 429, ERR_429, "Retry-After: Blursday, 99 Foo 20x9");
    respond_h(f->ms, 429, ERR_429, "Retry-After: 12abc");
    respond_h(f->ms, 429, ERR_429, "Retry-After: -1");
    respond_h(f->ms, 200, OK_BODY, NULL);
    assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_OK);
    assert_int_equal(mock_server_request_count(f->ms), 6);
    assert_sleeps(&f->fc, 5, want);
    ftx_client_free(c);
}

static void test_backoff_cap(void **state)
{
    fixture *f = *state;
    ftx_client_options o = th_options(f->ms, &f->fc);
    static const uint64_t want[] = {500, 2500, 4000, 4000};
    ftx_client *c;
    ftx_error err = {0};
    int i;

    o.retry.max_attempts = 5;
    o.retry.base_delay_ms = 500;
    o.retry.backoff_factor = 5.0;
    o.retry.max_delay_ms = 4000;
    c = th_client_opts(&o);
    for (i = 0; i < 5; i++)
        mock_server_respond(f->ms, 500, ERR_500);
    assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_ERR_SERVER);
    assert_int_equal(err.attempts, 5);
    assert_sleeps(&f->fc, 4, want);
    ftx_client_free(c);
}

static void test_jitter_bounds(void **state)
{
    fixture *f = *state;
    ftx_client_options o = th_options(f->ms, &f->fc);
    static const uint64_t full[] = {1000, 2000, 4000, 8000, 10000};
    ftx_retry_policy p = FTX_RETRY_POLICY_INIT;
    ftx_client *c;
    ftx_error err = {0};
    uint64_t rng = ftx__rng_seed(&rng), d, sum = 0, lo = UINT64_MAX, hi = 0;
    int i;

    o.retry.max_attempts = 6;
    o.retry.max_delay_ms = 10000;
    o.retry.jitter = 1;
    c = th_client_opts(&o);
    for (i = 0; i < 6; i++)
        mock_server_respond(f->ms, 503, ERR_500);
    assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_ERR_SERVER);
    assert_int_equal(f->fc.nsleeps, 5);
    for (i = 0; i < 5; i++)
        assert_in_range(f->fc.sleeps[i], 0, full[i]);
    ftx_client_free(c);

    /* Full jitter is uniform in [0, delay]: check range and spread over many draws. */
    p.jitter = 1;
    for (i = 0; i < 2000; i++) {
        assert_int_equal(ftx__retry_delay(&p, 3, -1, &rng, &d), FTX__RETRY_WAIT);
        assert_in_range(d, 0, 4000);
        sum += d;
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
    }
    assert_in_range(sum / 2000, 1700, 2300);
    assert_true(lo < 400);
    assert_true(hi > 3600);

    /* Retry-After is never jittered. */
    assert_int_equal(ftx__retry_delay(&p, 1, 3, &rng, &d), FTX__RETRY_WAIT);
    assert_int_equal(d, 3000);
    assert_int_equal(ftx__retry_delay(&p, 1, 31, &rng, &d), FTX__RETRY_TOO_LONG);
}

struct cb_state {
    int retry_if_calls;
    int on_retry_calls;
    int stop_on_retry_at; /* 0: never */
    int retry_answer;
    int seen_attempt[8];
    int seen_status[8];
    uint64_t delays[8];
    const char *path;
};

static int my_retry_if(const ftx_error *err, const ftx_request_info *info, void *ud)
{
    struct cb_state *s = ud;

    if (s->retry_if_calls < 8) {
        s->seen_attempt[s->retry_if_calls] = info->attempt;
        s->seen_status[s->retry_if_calls] = err->status;
    }
    s->path = info->path;
    s->retry_if_calls++;
    return s->retry_answer;
}

static int my_on_retry(const ftx_error *err, const ftx_request_info *info, uint64_t delay_ms,
                       void *ud)
{
    struct cb_state *s = ud;

    (void)err;
    (void)info;
    if (s->on_retry_calls < 8)
        s->delays[s->on_retry_calls] = delay_ms;
    s->on_retry_calls++;
    return s->stop_on_retry_at != 0 && s->on_retry_calls >= s->stop_on_retry_at;
}

static void test_retry_if_overrides(void **state)
{
    fixture *f = *state;
    ftx_client_options o = th_options(f->ms, &f->fc);
    struct cb_state s;
    ftx_client *c;
    ftx_error err = {0};

    memset(&s, 0, sizeof(s));
    s.retry_answer = 1;
    o.retry.retry_if = my_retry_if;
    o.retry.retry_if_userdata = &s;
    o.retry.on_retry = my_on_retry;
    o.retry.on_retry_userdata = &s;
    c = th_client_opts(&o);

    /* 404 is normally final; retry_if makes it retried. */
    mock_server_respond(f->ms, 404, "{\"code\":\"NotFound\",\"message\":\"not yet\"}");
    mock_server_respond(f->ms, 404, "{\"code\":\"NotFound\",\"message\":\"not yet\"}");
    mock_server_respond(f->ms, 200, OK_BODY);
    assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_OK);
    assert_int_equal(mock_server_request_count(f->ms), 3);
    assert_int_equal(s.retry_if_calls, 2);
    assert_int_equal(s.seen_attempt[0], 1);
    assert_int_equal(s.seen_attempt[1], 2);
    assert_int_equal(s.seen_status[0], 404);
    assert_string_equal(s.path, "/groups/g1");
    assert_int_equal(s.on_retry_calls, 2);
    assert_int_equal(s.delays[0], 1000);
    assert_int_equal(s.delays[1], 2000);
    assert_int_equal(f->fc.nsleeps, 2);

    /* A 500 that retry_if refuses is returned at once. */
    memset(&s, 0, sizeof(s));
    s.retry_answer = 0;
    mock_server_reset(f->ms);
    f->fc.nsleeps = 0;
    mock_server_respond(f->ms, 500, ERR_500);
    assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_ERR_SERVER);
    assert_int_equal(err.attempts, 1);
    assert_int_equal(s.retry_if_calls, 1);
    assert_int_equal(s.on_retry_calls, 0);
    assert_int_equal(f->fc.nsleeps, 0);

    /* retry_if cannot exceed max_attempts. */
    memset(&s, 0, sizeof(s));
    s.retry_answer = 1;
    mock_server_reset(f->ms);
    mock_server_respond(f->ms, 400, "{}");
    mock_server_respond(f->ms, 400, "{}");
    mock_server_respond(f->ms, 400, "{}");
    mock_server_respond(f->ms, 200, OK_BODY);
    assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_ERR_BAD_REQUEST);
    assert_int_equal(err.attempts, 3);
    assert_int_equal(mock_server_request_count(f->ms), 3);
    ftx_client_free(c);
}

static void test_on_retry_stops(void **state)
{
    fixture *f = *state;
    ftx_client_options o = th_options(f->ms, &f->fc);
    struct cb_state s;
    ftx_client *c;
    ftx_error err = {0};

    memset(&s, 0, sizeof(s));
    s.stop_on_retry_at = 2;
    o.retry.on_retry = my_on_retry;
    o.retry.on_retry_userdata = &s;
    o.retry.max_attempts = 5;
    c = th_client_opts(&o);
    mock_server_respond(f->ms, 500, ERR_500);
    mock_server_respond(f->ms, 500, ERR_500);
    mock_server_respond(f->ms, 200, OK_BODY);
    assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_ERR_SERVER);
    assert_int_equal(err.attempts, 2);
    assert_int_equal(s.on_retry_calls, 2);
    assert_int_equal(s.delays[0], 1000);
    assert_int_equal(s.delays[1], 2000);
    assert_int_equal(f->fc.nsleeps, 1); /* the second wait was refused */
    assert_int_equal(mock_server_request_count(f->ms), 2);
    ftx_client_free(c);
}

static void test_max_attempts_one(void **state)
{
    fixture *f = *state;
    ftx_client_options o = th_options(f->ms, &f->fc);
    ftx_client *c;
    ftx_error err = {0};

    o.retry.max_attempts = 1;
    c = th_client_opts(&o);
    mock_server_respond(f->ms, 500, ERR_500);
    mock_server_respond(f->ms, 200, OK_BODY);
    assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_ERR_SERVER);
    assert_int_equal(err.attempts, 1);
    assert_int_equal(mock_server_request_count(f->ms), 1);
    mock_server_reset(f->ms);
    respond_h(f->ms, 429, ERR_429, "Retry-After: 1");
    mock_server_respond(f->ms, 200, OK_BODY);
    assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_ERR_RATE_LIMITED);
    assert_int_equal(err.attempts, 1);
    assert_int_equal(err.retry_after, 1);
    assert_int_equal(mock_server_request_count(f->ms), 1);
    assert_int_equal(f->fc.nsleeps, 0);
    ftx_client_free(c);
}

static void test_non_retryable_not_repeated(void **state)
{
    fixture *f = *state;
    ftx_client *c = client(f);
    ftx_error err = {0};
    static const int statuses[] = {400, 401, 403, 404, 409, 422};
    size_t i;

    for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        mock_server_reset(f->ms);
        mock_server_respond(f->ms, statuses[i], "{\"code\":\"X\",\"message\":\"y\"}");
        mock_server_respond(f->ms, 200, OK_BODY);
        assert_true(ftx__call(c, &GET_REQ, NULL, &err) < 0);
        assert_int_equal(err.attempts, 1);
        assert_int_equal(mock_server_request_count(f->ms), 1);
    }
    /* A 200 with invalid JSON is not repeated either. */
    mock_server_reset(f->ms);
    mock_server_respond(f->ms, 200, "{oops");
    mock_server_respond(f->ms, 200, OK_BODY);
    assert_int_equal(ftx__call(c, &GET_REQ, NULL, &err), FTX_ERR_DECODE);
    assert_int_equal(mock_server_request_count(f->ms), 1);
    assert_int_equal(f->fc.nsleeps, 0);
    ftx_client_free(c);
}

/* ---- ftx_with_retry ---- */

struct fn_state {
    int calls;
    int fail_times;
    int fail_type;
    long retry_after;
};

static int my_fn(void *ud, ftx_error *err)
{
    struct fn_state *s = ud;

    s->calls++;
    if (s->calls <= s->fail_times) {
        ftx_error_clear(err);
        err->type = s->fail_type;
        err->retry_after = s->retry_after;
        snprintf(err->message, sizeof(err->message), "call %d failed", s->calls);
        return s->fail_type;
    }
    return FTX_OK;
}

static void test_with_retry(void **state)
{
    fixture *f = *state;
    ftx_clock clk = th_fake_clock_get(&f->fc);
    ftx_retry_policy p = FTX_RETRY_POLICY_INIT;
    struct fn_state s = {0, 2, FTX_ERR_SERVER, -1};
    static const uint64_t want[] = {1000, 2000};
    ftx_error err = {0};
    struct cb_state cb;

    /* Server errors retried with backoff, then success. */
    assert_int_equal(ftx_with_retry(NULL, &clk, my_fn, &s, &err), FTX_OK);
    assert_int_equal(s.calls, 3);
    assert_sleeps(&f->fc, 2, want);

    /* Exhausted: the last error is returned. */
    f->fc.nsleeps = 0;
    s = (struct fn_state){0, 10, FTX_ERR_TRANSPORT, -1};
    assert_int_equal(ftx_with_retry(&p, &clk, my_fn, &s, &err), FTX_ERR_TRANSPORT);
    assert_int_equal(s.calls, 3);
    assert_string_equal(err.message, "call 3 failed");

    /* Not found is final. */
    f->fc.nsleeps = 0;
    s = (struct fn_state){0, 10, FTX_ERR_NOT_FOUND, -1};
    assert_int_equal(ftx_with_retry(&p, &clk, my_fn, &s, &err), FTX_ERR_NOT_FOUND);
    assert_int_equal(s.calls, 1);
    assert_int_equal(f->fc.nsleeps, 0);

    /* retry_after from the function is honoured exactly ... */
    s = (struct fn_state){0, 1, FTX_ERR_RATE_LIMITED, 3};
    assert_int_equal(ftx_with_retry(&p, &clk, my_fn, &s, &err), FTX_OK);
    assert_int_equal(s.calls, 2);
    assert_int_equal(f->fc.nsleeps, 1);
    assert_int_equal(f->fc.sleeps[0], 3000);

    /* ... or returned when longer than the cap. */
    f->fc.nsleeps = 0;
    s = (struct fn_state){0, 1, FTX_ERR_RATE_LIMITED, 3600};
    assert_int_equal(ftx_with_retry(&p, &clk, my_fn, &s, &err), FTX_ERR_RATE_LIMITED);
    assert_int_equal(err.retry_after, 3600);
    assert_int_equal(s.calls, 1);
    assert_int_equal(f->fc.nsleeps, 0);

    /* Callbacks with user data. */
    memset(&cb, 0, sizeof(cb));
    cb.retry_answer = 1;
    p.retry_if = my_retry_if;
    p.retry_if_userdata = &cb;
    p.on_retry = my_on_retry;
    p.on_retry_userdata = &cb;
    p.max_attempts = 4;
    s = (struct fn_state){0, 2, FTX_ERR_NOT_FOUND, -1};
    assert_int_equal(ftx_with_retry(&p, &clk, my_fn, &s, &err), FTX_OK);
    assert_int_equal(s.calls, 3);
    assert_int_equal(cb.retry_if_calls, 2);
    assert_int_equal(cb.on_retry_calls, 2);
    assert_int_equal(cb.seen_attempt[1], 2);

    /* Bad arguments. */
    assert_int_equal(ftx_with_retry(NULL, &clk, NULL, NULL, &err), FTX_ERR_INVALID_ARGUMENT);
    p.version = 42;
    assert_int_equal(ftx_with_retry(&p, &clk, my_fn, &s, &err), FTX_ERR_INVALID_ARGUMENT);
}

static void test_real_clock_defaults(void **state)
{
    ftx_clock none = {NULL, NULL, NULL, {NULL}};
    uint64_t a, b;

    (void)state;
    a = ftx__clock_now(&none);
    ftx__clock_sleep(&none, 20);
    ftx__clock_sleep(NULL, 0);
    b = ftx__clock_now(NULL);
    assert_true(b >= a + 15);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, th_setup_no_client, th_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_get_retried_on_500_then_success),
        T(test_get_exhausts_attempts),
        T(test_patch_and_delete_retried),
        T(test_post_create_not_repeated_after_500),
        T(test_post_create_not_repeated_after_drop),
        T(test_post_create_not_repeated_after_timeout),
        T(test_get_retried_after_timeout),
        T(test_action_post_retried),
        T(test_429_retried_for_post_create),
        T(test_refused_retried_for_post_create),
        T(test_retry_after_seconds),
        T(test_retry_after_on_503),
        T(test_retry_after_http_date),
        T(test_retry_after_beyond_cap),
        T(test_long_rate_limit_pauses_client),
        T(test_absurd_retry_after_pause_is_capped),
        T(test_huge_retry_after_pauses_client),
        T(test_request_deadline),
        T(test_retry_after_at_cap_is_waited),
        T(test_malformed_retry_after),
        T(test_backoff_cap),
        T(test_jitter_bounds),
        T(test_retry_if_overrides),
        T(test_on_retry_stops),
        T(test_max_attempts_one),
        T(test_non_retryable_not_repeated),
        T(test_with_retry),
        T(test_real_clock_defaults),
    };
    int rc;

    ftx_global_init();
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    ftx_global_cleanup();
    return rc;
}
