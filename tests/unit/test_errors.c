/*
 * Every error class: HTTP statuses, transport failures and malformed bodies, mapped to
 * ftx_error with Fivetran's code and message copied.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "internal.h"
#include "test_helpers.h"

typedef th_fixture fixture;

static int get(fixture *f, const char *path, json_t **out, ftx_error *err)
{
    ftx__request req = {"GET", path, NULL, 0, 0, 0};

    memset(err, 0x5A, sizeof(*err)); /* every field must be written */
    return ftx__call(f->client, &req, out, err);
}

static int get_data(fixture *f, const char *path, json_t **out, ftx_error *err)
{
    ftx__request req = {"GET", path, NULL, 0, 0, 0};

    memset(err, 0x5A, sizeof(*err));
    return ftx__call_data(f->client, &req, out, err);
}

static void check_status_error(void **state, int status, const char *body, int type,
                               const char *code, const char *message)
{
    fixture *f = *state;
    ftx_error err;
    json_t *out = (json_t *)0x1;

    mock_server_respond(f->ms, status, body);
    assert_int_equal(get(f, "/groups/x", &out, &err), type);
    assert_null(out);
    assert_int_equal(err.type, type);
    assert_int_equal(err.status, status);
    assert_string_equal(err.code, code);
    assert_int_equal(err.attempts, 1);
    assert_int_equal(err.retry_after, -1);
    if (message != NULL)
        assert_string_equal(err.message, message);
    assert_int_equal(mock_server_request_count(f->ms), 1);
    th_assert_no_secret(err.message);
}

static void test_401(void **state)
{
    check_status_error(state, 401, "{\"code\":\"AuthFailed\",\"message\":\"Invalid credentials\"}",
                       FTX_ERR_UNAUTHORIZED, "AuthFailed",
                       "GET /groups/x: 401 AuthFailed: Invalid credentials; check the API key "
                       "and secret (FIVETRAN_API_KEY, FIVETRAN_API_SECRET)");
}

static void test_401_no_body(void **state)
{
    check_status_error(state, 401, NULL, FTX_ERR_UNAUTHORIZED, "",
                       "GET /groups/x: 401 (empty body); check the API key and secret "
                       "(FIVETRAN_API_KEY, FIVETRAN_API_SECRET)");
}

static void test_403(void **state)
{
    check_status_error(state, 403, "{\"code\":\"Forbidden\",\"message\":\"No access\"}",
                       FTX_ERR_FORBIDDEN, "Forbidden",
                       "GET /groups/x: 403 Forbidden: No access; the API key lacks permission "
                       "for this resource");
}

static void test_404(void **state)
{
    check_status_error(
        state, 404,
        "{\"code\":\"NotFound_Group\",\"message\":\"Cannot find entity 'Group' with id 'x'\"}",
        FTX_ERR_NOT_FOUND, "NotFound_Group",
        "GET /groups/x: 404 NotFound_Group: Cannot find entity 'Group' with id 'x'");
}

static void test_409(void **state)
{
    check_status_error(
        state, 409,
        "{\"code\":\"Conflict\",\"message\":\"Proxy agent with same name already exists.\"}",
        FTX_ERR_CONFLICT, "Conflict",
        "GET /groups/x: 409 Conflict: Proxy agent with same name already exists.");
}

static void test_400(void **state)
{
    check_status_error(state, 400,
                       "{\"code\":\"InvalidInput\",\"message\":\"Field 'group_id' is required\"}",
                       FTX_ERR_BAD_REQUEST, "InvalidInput",
                       "GET /groups/x: 400 InvalidInput: Field 'group_id' is required");
}

static void test_422(void **state)
{
    check_status_error(state, 422, "{\"code\":\"Unprocessable\",\"message\":\"bad\"}",
                       FTX_ERR_BAD_REQUEST, "Unprocessable",
                       "GET /groups/x: 422 Unprocessable: bad");
}

static void test_405_unknown(void **state)
{
    check_status_error(state, 405,
                       "{\"code\":\"MethodNotAllowed\",\"message\":\"Not a function connector\"}",
                       FTX_ERR_UNKNOWN, "MethodNotAllowed",
                       "GET /groups/x: 405 MethodNotAllowed: Not a function connector");
}

static void test_500(void **state)
{
    check_status_error(state, 500, "{\"code\":\"InternalError\",\"message\":\"boom\"}",
                       FTX_ERR_SERVER, "InternalError",
                       "GET /groups/x: 500 InternalError: boom; Fivetran server error, retry "
                       "later");
}

static void test_502_html(void **state)
{
    check_status_error(state, 502,
                       "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>nginx"
                       "</body></html>",
                       FTX_ERR_SERVER, "",
                       "GET /groups/x: 502 (non-JSON body); Fivetran server error, retry later");
}

static void test_503(void **state)
{
    check_status_error(state, 503, "{\"code\":\"Unavailable\"}", FTX_ERR_SERVER, "Unavailable",
                       "GET /groups/x: 503 Unavailable; Fivetran server error, retry later");
}

static void test_429_with_retry_after(void **state)
{
    fixture *f = *state;
    mock_response r = {429, "{\"code\":\"TooManyRequests\",\"message\":\"Rate limit exceeded\"}",
                       "Retry-After: 5", 0, MOCK_REPLY};
    ftx_error err;

    mock_server_respond_full(f->ms, &r);
    assert_int_equal(get(f, "/groups", NULL, &err), FTX_ERR_RATE_LIMITED);
    assert_int_equal(err.status, 429);
    assert_int_equal(err.retry_after, 5);
    assert_string_equal(err.code, "TooManyRequests");
    assert_string_equal(err.message,
                        "GET /groups: 429 TooManyRequests: Rate limit exceeded; retry after 5 s");
    assert_int_equal(err.attempts, 1);
}

static void test_429_without_retry_after(void **state)
{
    fixture *f = *state;
    ftx_error err;

    mock_server_respond(f->ms, 429, "{\"code\":\"TooManyRequests\",\"message\":\"slow down\"}");
    assert_int_equal(get(f, "/groups", NULL, &err), FTX_ERR_RATE_LIMITED);
    assert_int_equal(err.status, 429);
    assert_int_equal(err.retry_after, -1);
    assert_string_equal(err.code, "TooManyRequests");
    assert_non_null(strstr(err.message, "429 TooManyRequests: slow down"));
}

static void test_refused_connection(void **state)
{
    fixture *f = *state;
    mock_server *dead = mock_server_start();
    ftx_client_options o = th_options(f->ms, NULL);
    ftx_client *c;
    ftx__request req = {"GET", "/groups", NULL, 0, 0, 0};
    ftx_error err;
    char url[128];

    assert_non_null(dead);
    snprintf(url, sizeof(url), "%s", mock_server_url(dead));
    mock_server_stop(dead);
    o.base_url = url;
    o.retry.max_attempts = 1;
    c = th_client_opts(&o);
    memset(&err, 0x5A, sizeof(err));
    assert_int_equal(ftx__call(c, &req, NULL, &err), FTX_ERR_TRANSPORT);
    assert_int_equal(err.type, FTX_ERR_TRANSPORT);
    assert_int_equal(err.status, 0);
    assert_int_equal(err.attempts, 1);
    assert_string_equal(err.code, "");
    assert_non_null(strstr(err.message, "GET /groups: transport error: "));
    assert_non_null(strstr(err.message, "(curl 7)")); /* CURLE_COULDNT_CONNECT */
    ftx_client_free(c);
}

static void test_timeout(void **state)
{
    fixture *f = *state;
    ftx_client_options o = th_options(f->ms, NULL);
    mock_response slow = {200, "{\"code\":\"Success\",\"data\":{}}", NULL, 500, MOCK_REPLY};
    ftx__request req = {"GET", "/groups", NULL, 0, 0, 0};
    ftx_client *c;
    ftx_error err;

    o.retry.max_attempts = 1;
    o.timeout_ms = 100;
    c = th_client_opts(&o);
    mock_server_respond_full(f->ms, &slow);
    memset(&err, 0, sizeof(err));
    assert_int_equal(ftx__call(c, &req, NULL, &err), FTX_ERR_TRANSPORT);
    assert_int_equal(err.status, 0);
    assert_non_null(strstr(err.message, "(curl 28)")); /* CURLE_OPERATION_TIMEDOUT */
    assert_non_null(strstr(err.message, "timeout_ms"));
    ftx_client_free(c);
}

static void test_truncated_body(void **state)
{
    fixture *f = *state;
    mock_response r = {200, "{\"code\":\"Success\",\"data\":{\"id\":\"abc\",\"name\":\"n\"}}", NULL,
                       0, MOCK_TRUNCATE};
    ftx_error err;
    json_t *out = NULL;

    mock_server_respond_full(f->ms, &r);
    assert_int_equal(get_data(f, "/groups/abc", &out, &err), FTX_ERR_TRANSPORT);
    assert_null(out);
    assert_int_equal(err.status, 200);
    assert_non_null(strstr(err.message, "(curl 18)")); /* CURLE_PARTIAL_FILE */
}

static void test_dropped_connection(void **state)
{
    fixture *f = *state;
    mock_response r = {0, NULL, NULL, 0, MOCK_DROP};
    ftx_error err;

    mock_server_respond_full(f->ms, &r);
    assert_int_equal(get(f, "/groups", NULL, &err), FTX_ERR_TRANSPORT);
    assert_int_equal(err.status, 0);
    assert_int_equal(err.attempts, 1);
    assert_non_null(strstr(err.message, "(curl 52)")); /* CURLE_GOT_NOTHING */
    assert_int_equal(mock_server_request_count(f->ms), 1);
}

static void test_invalid_json(void **state)
{
    fixture *f = *state;
    ftx_error err;
    json_t *out = (json_t *)0x1;

    mock_server_respond(f->ms, 200, "{\"code\":\"Success\",\"data\":{\"id\":");
    assert_int_equal(get(f, "/groups/g", &out, &err), FTX_ERR_DECODE);
    assert_null(out);
    assert_int_equal(err.status, 200);
    assert_int_equal(err.attempts, 1);
    assert_non_null(strstr(err.message, "GET /groups/g: 200 response is not valid JSON"));

    mock_server_respond(f->ms, 200, "<html>maintenance</html>");
    assert_int_equal(get_data(f, "/groups/g", &out, &err), FTX_ERR_DECODE);
    assert_null(out);
}

static void test_json_without_data(void **state)
{
    fixture *f = *state;
    ftx_error err;
    json_t *out = (json_t *)0x1;

    /* An envelope without data. */
    mock_server_respond(f->ms, 200, "{\"code\":\"Success\",\"message\":\"ok\"}");
    assert_int_equal(get_data(f, "/groups/g", &out, &err), FTX_ERR_DECODE);
    assert_null(out);
    assert_int_equal(err.status, 200);
    assert_int_equal(err.attempts, 1);
    assert_non_null(strstr(err.message, "GET /groups/g: 200"));
    assert_non_null(strstr(err.message, "data"));

    /* data that is not an object. */
    mock_server_respond(f->ms, 200, "{\"code\":\"Success\",\"data\":null}");
    assert_int_equal(get_data(f, "/groups/g", &out, &err), FTX_ERR_DECODE);
    assert_null(out);
    mock_server_respond(f->ms, 200, "{\"code\":\"Success\",\"data\":[1,2]}");
    assert_int_equal(get_data(f, "/groups/g", &out, &err), FTX_ERR_DECODE);

    /* A body that is not an object. */
    mock_server_respond(f->ms, 200, "[1,2,3]");
    assert_int_equal(get_data(f, "/groups/g", &out, &err), FTX_ERR_DECODE);
    mock_server_respond(f->ms, 200, "\"text\"");
    assert_int_equal(get_data(f, "/groups/g", &out, &err), FTX_ERR_DECODE);

    /* A bare object (no envelope) is the object itself. */
    mock_server_respond(f->ms, 200, "{\"id\":\"g\",\"name\":\"n\"}");
    assert_int_equal(get_data(f, "/groups/g", &out, &err), FTX_OK);
    assert_string_equal(json_string_value(json_object_get(out, "id")), "g");
    json_decref(out);

    /* data is unwrapped. */
    mock_server_respond(f->ms, 200, "{\"code\":\"Success\",\"data\":{\"id\":\"g2\"}}");
    assert_int_equal(get_data(f, "/groups/g", &out, &err), FTX_OK);
    assert_string_equal(json_string_value(json_object_get(out, "id")), "g2");
    assert_null(json_object_get(out, "code"));
    json_decref(out);
}

static void test_empty_bodies(void **state)
{
    fixture *f = *state;
    ftx__request del = {"DELETE", "/webhooks/w", NULL, 0, 0, 0};
    ftx_error err = {0};
    json_t *out = (json_t *)0x1;

    mock_server_respond(f->ms, 204, NULL);
    assert_int_equal(ftx__call(f->client, &del, &out, &err), FTX_OK);
    assert_null(out);

    out = (json_t *)0x1;
    mock_server_respond(f->ms, 200, NULL);
    assert_int_equal(get(f, "/groups", &out, &err), FTX_OK);
    assert_null(out);

    mock_server_respond(f->ms, 200, "  \r\n ");
    assert_int_equal(get(f, "/groups", &out, &err), FTX_OK);
    assert_null(out);

    /* Where data is expected an empty body is a decode error. */
    mock_server_respond(f->ms, 200, NULL);
    assert_int_equal(get_data(f, "/groups/g", &out, &err), FTX_ERR_DECODE);
    assert_null(out);
    assert_int_equal(err.status, 200);

    /* The success path leaves no reference behind when out is NULL. */
    mock_server_respond(f->ms, 200, "{\"code\":\"Success\",\"data\":{}}");
    assert_int_equal(ftx__call(f->client, &del, NULL, &err), FTX_OK);
}

static void test_long_and_hostile_fields(void **state)
{
    fixture *f = *state;
    ftx_error err;
    char *body;
    size_t i, n = 4000;
    json_t *j;

    j = json_object();
    body = malloc(n + 1);
    assert_non_null(body);
    for (i = 0; i < n; i++)
        body[i] = (char)('a' + (i % 26));
    body[n] = '\0';
    json_object_set_new(j, "code", json_string(body));
    json_object_set_new(j, "message", json_string("line one\nline two\r\n\ttabbed"));
    free(body);
    body = json_dumps(j, 0);
    json_decref(j);
    mock_server_respond(f->ms, 404, body);
    free(body);

    assert_int_equal(get(f, "/groups/x", NULL, &err), FTX_ERR_NOT_FOUND);
    assert_int_equal(strlen(err.code), sizeof(err.code) - 1);
    assert_memory_equal(err.code, "abcdefghij", 10);
    assert_true(strlen(err.message) < sizeof(err.message));
    assert_null(strchr(err.message, '\n'));
    assert_null(strchr(err.message, '\r'));
    assert_null(strchr(err.message, '\t'));

    /* Control characters in the code (CR/LF, an ANSI escape) do not survive either:
     * callers print err.code next to the message. */
    mock_server_respond(f->ms, 404,
                        "{\"code\":\"Not\\r\\nFound\\u001b[31m\\t\",\"message\":\"m\"}");
    assert_int_equal(get(f, "/groups/x", NULL, &err), FTX_ERR_NOT_FOUND);
    assert_string_equal(err.code, "Not  Found [31m ");
    for (i = 0; err.message[i] != '\0'; i++)
        assert_true((unsigned char)err.message[i] >= 0x20 && err.message[i] != 0x7f);

    /* Non-string code and message are ignored. */
    mock_server_respond(f->ms, 404, "{\"code\":42,\"message\":{\"a\":1}}");
    assert_int_equal(get(f, "/groups/x", NULL, &err), FTX_ERR_NOT_FOUND);
    assert_string_equal(err.code, "");
    assert_string_equal(err.message, "GET /groups/x: 404 (no error code in body)");
}

/* 1 when `s` is well-formed UTF-8 (no cut or stray sequence). */
static int utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        size_t n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : 3;
        if (*p >= 0x80 && ((*p & 0xC0) == 0x80 || *p >= 0xF8))
            return 0;
        for (size_t i = 1; i <= n; i++)
            if ((p[i] & 0xC0) != 0x80)
                return 0;
        p += n + 1;
    }
    return 1;
}

/* A long code and message in a multi-byte script are cut at a character boundary:
 * err.code and err.message stay valid UTF-8 (a JSON encoder refuses anything else). */
static void test_long_utf8_fields_cut_whole(void **state)
{
    fixture *f = *state;
    ftx_error err;
    char code[200] = "", msg[1200] = "", *body;
    json_t *j;

    for (int i = 0; i < 60; i++) /* e-acute, 2 bytes: byte 63 falls inside one */
        memcpy(code + 2 * i, "\xC3\xA9", 3);
    for (int i = 0; i < 100; i++) /* 1 + 3 + 4 bytes */
        memcpy(msg + 8 * i, "a\xE2\x82\xAC\xF0\x9F\x98\x80", 9);
    j = json_pack("{s:s,s:s}", "code", code, "message", msg);
    body = json_dumps(j, 0);
    json_decref(j);
    mock_server_respond(f->ms, 400, body);
    free(body);

    assert_int_equal(get(f, "/groups/x", NULL, &err), FTX_ERR_BAD_REQUEST);
    assert_true(utf8_ok(err.code));
    assert_true(utf8_ok(err.message));
    assert_int_equal(strlen(err.code), 62); /* 31 whole characters */
    assert_memory_equal(err.code, code, 62);
    assert_true(strlen(err.message) >= sizeof(err.message) - 4);
    for (int shift = 0; shift < 8; shift++) {
        /* whatever byte the cut lands on */
        char path[64];
        snprintf(path, sizeof(path), "/groups/%.*s", shift, "xxxxxxxx");
        j = json_pack("{s:s,s:s}", "code", "C", "message", msg);
        body = json_dumps(j, 0);
        json_decref(j);
        mock_server_respond(f->ms, 400, body);
        free(body);
        assert_int_equal(get(f, path, NULL, &err), FTX_ERR_BAD_REQUEST);
        assert_true(utf8_ok(err.message));
    }
}

static void test_null_err_allowed(void **state)
{
    fixture *f = *state;
    ftx__request req = {"GET", "/groups", NULL, 0, 0, 0};
    json_t *out = NULL;

    mock_server_respond(f->ms, 404, "{\"code\":\"NotFound\",\"message\":\"x\"}");
    assert_int_equal(ftx__call(f->client, &req, NULL, NULL), FTX_ERR_NOT_FOUND);
    mock_server_respond(f->ms, 200, "{\"code\":\"Success\"}");
    assert_int_equal(ftx__call_data(f->client, &req, &out, NULL), FTX_ERR_DECODE);
    assert_null(out);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, th_setup_one_attempt, th_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_401),
        T(test_401_no_body),
        T(test_403),
        T(test_404),
        T(test_409),
        T(test_400),
        T(test_422),
        T(test_405_unknown),
        T(test_500),
        T(test_502_html),
        T(test_503),
        T(test_429_with_retry_after),
        T(test_429_without_retry_after),
        T(test_refused_connection),
        T(test_timeout),
        T(test_truncated_body),
        T(test_dropped_connection),
        T(test_invalid_json),
        T(test_json_without_data),
        T(test_empty_bodies),
        T(test_long_and_hostile_fields),
        T(test_long_utf8_fields_cut_whole),
        T(test_null_err_allowed),
    };
    int rc;

    ftx_global_init();
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    ftx_global_cleanup();
    return rc;
}
