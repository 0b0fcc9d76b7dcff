/*
 * The transport variants of ftx_request (ftx_request_options version 2), each on the
 * one request path with retries, errors and the observer, asserting the exact
 * request the server received:
 *   - POST with no body (FTX_REQUEST_NO_BODY) for the six operations that take none;
 *   - multipart/form-data uploads (Connector SDK package create and update);
 *   - binary responses to a write callback or a file, never delivered twice;
 *   - paths outside /v1 (FTX_REQUEST_HOST_ROOT, GET /public/connector-types).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fivetrex/fivetrex.h"
#include "test_helpers.h"

#define OK_BODY "{\"code\":\"Success\",\"message\":\"ok\"}"
/* A "zip": binary bytes (no NUL: the mock server takes C strings). */
#define ZIP_BYTES "PK\x03\x04\x14\x00\xff\xfe\x80\x81 binary\r\n\x7f\x01 end"

/* ---- an observer that counts attempts ---- */

typedef struct seen {
    int calls;
    char last_path[128];
    int last_status;
} seen;

static void observe(const ftx_request_info *info, void *userdata)
{
    seen *s = userdata;

    s->calls++;
    s->last_status = info->status;
    (void)snprintf(s->last_path, sizeof(s->last_path), "%s", info->path);
}

static ftx_client *observed_client(th_fixture *fx, seen *s)
{
    ftx_client_options o = th_options(fx->ms, &fx->fc);

    o.observer = observe;
    o.observer_userdata = s;
    return th_client_opts(&o);
}

/* ---- POST with no body ---- */

static void assert_no_body(const mock_request *r, const char *path)
{
    assert_non_null(r);
    assert_string_equal(r->method, "POST");
    assert_string_equal(r->path, path);
    assert_null(r->body);
    assert_null(r->content_type); /* neither JSON nor curl's form default */
    assert_non_null(r->content_length);
    assert_string_equal(r->content_length, "0");
}

static void test_post_without_body_for_six_operations(void **state)
{
    th_fixture *fx = *state;
    /* the operations whose definitions take no request body */
    static const char *const tmpl[][2] = {
        {"/transformations/{transformation_id}/cancel", "/v1/transformations/t%2F1/cancel"},
        {"/transformations/{transformation_id}/upgrade", "/v1/transformations/t%2F1/upgrade"},
        {"/transformation-projects/{project_id}/test", "/v1/transformation-projects/t%2F1/test"},
        {"/external-logging/{log_id}/test", "/v1/external-logging/t%2F1/test"},
        {"/hybrid-deployment-agents/{agent_id}/reset-credentials",
         "/v1/hybrid-deployment-agents/t%2F1/reset-credentials"},
        {"/proxy/{agent_id}/regenerate-secrets", "/v1/proxy/t%2F1/regenerate-secrets"},
    };
    ftx_request_options o = FTX_REQUEST_OPTIONS_INIT;
    ftx_error err = {0};
    size_t i;

    o.flags = FTX_REQUEST_NO_BODY;
    for (i = 0; i < sizeof(tmpl) / sizeof(tmpl[0]); i++) {
        char *path = NULL;
        json_t *out = NULL;

        assert_int_equal(ftx_path_build(&path, &err, tmpl[i][0], "t/1", NULL), FTX_OK);
        mock_server_respond(fx->ms, 200, OK_BODY);
        assert_int_equal(ftx_request(fx->client, "POST", path, NULL, &o, &out, &err), FTX_OK);
        assert_string_equal(json_string_value(json_object_get(out, "code")), "Success");
        assert_no_body(mock_server_request(fx->ms, i), tmpl[i][1]);
        th_assert_request(mock_server_request(fx->ms, i), "POST", tmpl[i][1], NULL,
                          "application/json");
        json_decref(out);
        ftx_string_free(path);
    }
}

static void test_post_without_body_retried_and_observed(void **state)
{
    th_fixture *fx = *state;
    ftx_request_options o = FTX_REQUEST_OPTIONS_INIT;
    seen s = {0};
    ftx_client *c = observed_client(fx, &s);
    ftx_error err = {0};

    o.flags = FTX_REQUEST_NO_BODY;
    o.accept_v2 = 1;
    mock_server_respond(fx->ms, 503, "{\"code\":\"Unavailable\"}");
    mock_server_respond(fx->ms, 200, OK_BODY);
    assert_int_equal(ftx_request(c, "POST", "/transformations/t1/cancel", NULL, &o, NULL, &err),
                     FTX_OK);
    assert_int_equal(mock_server_request_count(fx->ms), 2);
    assert_no_body(mock_server_request(fx->ms, 0), "/v1/transformations/t1/cancel");
    assert_no_body(mock_server_request(fx->ms, 1), "/v1/transformations/t1/cancel");
    assert_string_equal(mock_server_request(fx->ms, 1)->accept, "application/json;version=2");
    assert_int_equal(s.calls, 2);
    assert_int_equal(s.last_status, 200);

    /* errors map as usual */
    mock_server_respond(fx->ms, 404, "{\"code\":\"NotFound_Transformation\",\"message\":\"no\"}");
    assert_int_equal(ftx_request(c, "POST", "/transformations/t2/cancel", NULL, &o, NULL, &err),
                     FTX_ERR_NOT_FOUND);
    assert_string_equal(err.code, "NotFound_Transformation");
    ftx_client_free(c);
}

static void test_version_and_flag_checks(void **state)
{
    th_fixture *fx = *state;
    ftx_request_options o = FTX_REQUEST_OPTIONS_INIT;
    json_t *body = th_json("{\"a\":1}");
    ftx_error err = {0};

    assert_int_equal(FTX_REQUEST_OPTIONS_VERSION, 2);
    o.flags = FTX_REQUEST_NO_BODY;
    assert_int_equal(ftx_request(fx->client, "POST", "/x", body, &o, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    o.flags = 0x80;
    assert_int_equal(ftx_request(fx->client, "POST", "/x", NULL, &o, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "flags"));
    o.version = 3;
    assert_int_equal(ftx_request(fx->client, "POST", "/x", NULL, &o, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(fx->ms), 0);

    /* A version 1 caller's struct ends at `creates`: nothing after it is read. */
    o.version = 1;
    o.flags = FTX_REQUEST_NO_BODY;
    mock_server_respond(fx->ms, 200, OK_BODY);
    assert_int_equal(ftx_request(fx->client, "POST", "/x/test", NULL, &o, NULL, &err), FTX_OK);
    th_assert_call(fx->ms, 0, "POST", "/v1/x/test", NULL, "application/json", "{}");
    json_decref(body);
}

/* ---- multipart/form-data ---- */

/* The boundary from "multipart/form-data; boundary=XYZ". */
static const char *boundary_of(const mock_request *r)
{
    const char *b;

    assert_non_null(r->content_type);
    assert_true(strncmp(r->content_type, "multipart/form-data; boundary=", 30) == 0);
    b = r->content_type + 30;
    assert_true(strlen(b) > 0);
    return b;
}

static void assert_file_form(const mock_request *r, const char *method, const char *path,
                             const char *filename, const char *type, const char *data)
{
    char expected[1024];
    const char *b;

    assert_string_equal(r->method, method);
    assert_string_equal(r->path, path);
    b = boundary_of(r);
    (void)snprintf(expected, sizeof(expected),
                   "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
                   "Content-Type: %s\r\n\r\n%s\r\n--%s--\r\n",
                   b, filename, type, data, b);
    assert_non_null(r->body);
    assert_int_equal(r->body_len, strlen(expected));
    assert_memory_equal(r->body, expected, r->body_len);
}

static void test_multipart_create_from_file_and_update_from_memory(void **state)
{
    th_fixture *fx = *state;
    char dir[] = "/tmp/ftx_form_XXXXXX", path[128];
    ftx_request_options o = FTX_REQUEST_OPTIONS_INIT;
    ftx_form_part part = {0};
    ftx_error err = {0};
    json_t *out = NULL;
    FILE *f;

    assert_non_null(mkdtemp(dir));
    (void)snprintf(path, sizeof(path), "%s/pkg.zip", dir);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fputs(ZIP_BYTES, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);

    /* create: the file from a path; its name is the last path component */
    part.name = "file";
    part.file_path = path;
    part.content_type = "application/zip";
    o.form = &part;
    o.form_count = 1;
    o.creates = 1;
    mock_server_respond(fx->ms, 201, "{\"code\":\"Success\",\"data\":{\"id\":\"pkg_1\"}}");
    assert_int_equal(
        ftx_request(fx->client, "POST", "/connector-sdk/packages", NULL, &o, &out, &err), FTX_OK);
    assert_string_equal(json_string_value(json_object_get(json_object_get(out, "data"), "id")),
                        "pkg_1");
    json_decref(out);
    th_assert_request(mock_server_request(fx->ms, 0), "POST", "/v1/connector-sdk/packages", NULL,
                      "application/json");
    assert_file_form(mock_server_request(fx->ms, 0), "POST", "/v1/connector-sdk/packages",
                     "pkg.zip", "application/zip", ZIP_BYTES);

    /* update: from memory, retried after a 503 with the whole form again */
    memset(&part, 0, sizeof(part));
    part.name = "file";
    part.data = ZIP_BYTES;
    part.data_len = strlen(ZIP_BYTES);
    part.filename = "v2.zip";
    part.content_type = "application/zip";
    o.creates = 0;
    mock_server_respond(fx->ms, 503, "{\"code\":\"Unavailable\"}");
    mock_server_respond(fx->ms, 200, OK_BODY);
    assert_int_equal(
        ftx_request(fx->client, "PATCH", "/connector-sdk/packages/pkg_1", NULL, &o, NULL, &err),
        FTX_OK);
    assert_int_equal(mock_server_request_count(fx->ms), 3);
    assert_file_form(mock_server_request(fx->ms, 1), "PATCH", "/v1/connector-sdk/packages/pkg_1",
                     "v2.zip", "application/zip", ZIP_BYTES);
    assert_file_form(mock_server_request(fx->ms, 2), "PATCH", "/v1/connector-sdk/packages/pkg_1",
                     "v2.zip", "application/zip", ZIP_BYTES);

    /* a file part is read again for a retry */
    memset(&part, 0, sizeof(part));
    part.name = "file";
    part.file_path = path;
    part.content_type = "application/zip";
    mock_server_respond(fx->ms, 500, "{\"code\":\"Oops\"}");
    mock_server_respond(fx->ms, 200, OK_BODY);
    assert_int_equal(
        ftx_request(fx->client, "PATCH", "/connector-sdk/packages/pkg_1", NULL, &o, NULL, &err),
        FTX_OK);
    assert_file_form(mock_server_request(fx->ms, 4), "PATCH", "/v1/connector-sdk/packages/pkg_1",
                     "pkg.zip", "application/zip", ZIP_BYTES);

    /* a following plain JSON call on the same pooled handle is JSON again */
    mock_server_respond(fx->ms, 200, OK_BODY);
    assert_int_equal(ftx_request(fx->client, "POST", "/users/u/test", NULL, NULL, NULL, &err),
                     FTX_OK);
    th_assert_call(fx->ms, 5, "POST", "/v1/users/u/test", NULL, "application/json", "{}");

    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

static void test_multipart_text_field(void **state)
{
    th_fixture *fx = *state;
    ftx_request_options o = FTX_REQUEST_OPTIONS_INIT;
    ftx_form_part parts[2] = {{0}, {0}};
    ftx_error err = {0};
    char expected[512];
    const mock_request *r;
    const char *b;

    parts[0].name = "note";
    parts[0].value = "hello";
    parts[1].name = "file";
    parts[1].data = "abc";
    parts[1].data_len = 3;
    parts[1].filename = "a.bin";
    o.form = parts;
    o.form_count = 2;
    mock_server_respond(fx->ms, 200, OK_BODY);
    assert_int_equal(ftx_request(fx->client, "POST", "/things", NULL, &o, NULL, &err), FTX_OK);
    r = mock_server_request(fx->ms, 0);
    b = boundary_of(r);
    (void)snprintf(expected, sizeof(expected),
                   "--%s\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
                   "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n"
                   "\r\nabc\r\n--%s--\r\n",
                   b, b, b);
    assert_int_equal(r->body_len, strlen(expected));
    assert_memory_equal(r->body, expected, r->body_len);
}

static void test_multipart_bad_arguments_send_nothing(void **state)
{
    th_fixture *fx = *state;
    ftx_request_options o = FTX_REQUEST_OPTIONS_INIT;
    ftx_form_part part = {0};
    json_t *body = th_json("{}");
    ftx_error err = {0};

    part.name = "file";
    part.file_path = "/nonexistent/pkg.zip";
    o.form = &part;
    o.form_count = 1;
    assert_int_equal(
        ftx_request(fx->client, "POST", "/connector-sdk/packages", NULL, &o, NULL, &err),
        FTX_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "/nonexistent/pkg.zip"));
    part.file_path = NULL;
    part.value = "x";
    assert_int_equal(ftx_request(fx->client, "GET", "/x", NULL, &o, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT); /* a form with GET */
    assert_int_equal(ftx_request(fx->client, "POST", "/x", body, &o, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT); /* a form and a JSON body */
    part.data = "y";
    part.data_len = 1;
    assert_int_equal(ftx_request(fx->client, "POST", "/x", NULL, &o, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT); /* two sources */
    part.data = NULL;
    part.name = NULL;
    assert_int_equal(ftx_request(fx->client, "POST", "/x", NULL, &o, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT); /* no name */
    part.name = "n";
    o.form_count = 0;
    assert_int_equal(ftx_request(fx->client, "POST", "/x", NULL, &o, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT); /* form without count */
    assert_int_equal(mock_server_request_count(fx->ms), 0);
    json_decref(body);
}

/* ---- binary responses ---- */

typedef struct collected {
    char data[256];
    size_t len;
    int writes;
    int resets;
    int stop_after; /* stop at this write (0: never) */
} collected;

static int collect(const void *data, size_t len, void *userdata)
{
    collected *c = userdata;

    c->writes++;
    if (c->stop_after > 0 && c->writes >= c->stop_after)
        return 1;
    assert_true(c->len + len <= sizeof(c->data));
    memcpy(c->data + c->len, data, len);
    c->len += len;
    return 0;
}

static int forget(void *userdata)
{
    collected *c = userdata;

    c->resets++;
    c->len = 0;
    return 0;
}

static void respond_zip(mock_server *ms, mock_action action)
{
    mock_response r;

    memset(&r, 0, sizeof(r));
    r.status = 200;
    r.body = ZIP_BYTES;
    r.headers = "Content-Type: application/zip";
    r.action = action;
    mock_server_respond_full(ms, &r);
}

static void test_binary_to_callback(void **state)
{
    th_fixture *fx = *state;
    ftx_request_options o = FTX_REQUEST_OPTIONS_INIT;
    ftx_response_sink sink = {0};
    collected got = {0};
    ftx_error err = {0};
    json_t *out = (json_t *)1;

    sink.write = collect;
    sink.userdata = &got;
    o.sink = &sink;
    respond_zip(fx->ms, MOCK_REPLY);
    assert_int_equal(
        ftx_request(fx->client, "GET", "/connector-sdk/packages/p1/download", NULL, &o, &out, &err),
        FTX_OK);
    assert_null(out);
    assert_int_equal(got.len, strlen(ZIP_BYTES));
    assert_memory_equal(got.data, ZIP_BYTES, got.len);
    th_assert_call(fx->ms, 0, "GET", "/v1/connector-sdk/packages/p1/download", NULL,
                   "application/json", NULL);

    /* an error still parses the JSON error body; nothing reaches the callback */
    memset(&got, 0, sizeof(got));
    mock_server_respond(fx->ms, 404,
                        "{\"code\":\"NotFound_Package\",\"message\":\"Package not found\"}");
    assert_int_equal(
        ftx_request(fx->client, "GET", "/connector-sdk/packages/p2/download", NULL, &o, &out, &err),
        FTX_ERR_NOT_FOUND);
    assert_string_equal(err.code, "NotFound_Package");
    assert_non_null(strstr(err.message, "Package not found"));
    assert_int_equal(got.writes, 0);

    /* a retried error before any data: the retry delivers the whole body once */
    mock_server_respond(fx->ms, 503, "{\"code\":\"Unavailable\"}");
    respond_zip(fx->ms, MOCK_REPLY);
    assert_int_equal(
        ftx_request(fx->client, "GET", "/connector-sdk/packages/p1/download", NULL, &o, NULL, &err),
        FTX_OK);
    assert_int_equal(got.len, strlen(ZIP_BYTES));
    assert_memory_equal(got.data, ZIP_BYTES, got.len);
    assert_int_equal(got.resets, 0);

    /* the callback stops the transfer: cancelled, not retried */
    memset(&got, 0, sizeof(got));
    got.stop_after = 1;
    mock_server_reset(fx->ms);
    respond_zip(fx->ms, MOCK_REPLY);
    respond_zip(fx->ms, MOCK_REPLY);
    assert_int_equal(
        ftx_request(fx->client, "GET", "/connector-sdk/packages/p1/download", NULL, &o, NULL, &err),
        FTX_ERR_CANCELLED);
    assert_int_equal(mock_server_request_count(fx->ms), 1);
}

static void test_binary_partial_attempt_never_delivered_twice(void **state)
{
    th_fixture *fx = *state;
    ftx_request_options o = FTX_REQUEST_OPTIONS_INIT;
    ftx_response_sink sink = {0};
    collected got = {0};
    ftx_error err = {0};

    sink.write = collect;
    sink.userdata = &got;
    o.sink = &sink;
    /* without reset: the half already delivered cannot be taken back, so no retry */
    respond_zip(fx->ms, MOCK_TRUNCATE);
    respond_zip(fx->ms, MOCK_REPLY);
    assert_int_equal(
        ftx_request(fx->client, "GET", "/connector-sdk/packages/p1/download", NULL, &o, NULL, &err),
        FTX_ERR_TRANSPORT);
    assert_int_equal(mock_server_request_count(fx->ms), 1);
    assert_int_equal(err.attempts, 1);
    assert_non_null(strstr(err.message, "already delivered"));
    assert_int_equal(got.len, strlen(ZIP_BYTES) / 2);

    /* with reset: reset once, then exactly one whole body */
    memset(&got, 0, sizeof(got));
    sink.reset = forget;
    mock_server_reset(fx->ms);
    respond_zip(fx->ms, MOCK_TRUNCATE);
    respond_zip(fx->ms, MOCK_REPLY);
    assert_int_equal(
        ftx_request(fx->client, "GET", "/connector-sdk/packages/p1/download", NULL, &o, NULL, &err),
        FTX_OK);
    assert_int_equal(mock_server_request_count(fx->ms), 2);
    assert_int_equal(got.resets, 1);
    assert_int_equal(got.len, strlen(ZIP_BYTES));
    assert_memory_equal(got.data, ZIP_BYTES, got.len);
}

static int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = calloc(1, 4096);

    assert_non_null(f);
    assert_non_null(buf);
    *len = fread(buf, 1, 4095, f);
    fclose(f);
    return buf;
}

static void test_binary_to_file(void **state)
{
    th_fixture *fx = *state;
    char dir[] = "/tmp/ftx_dl_XXXXXX", path[128];
    ftx_request_options o = FTX_REQUEST_OPTIONS_INIT;
    ftx_response_sink sink = {0};
    ftx_error err = {0};
    size_t len;
    char *data;

    assert_non_null(mkdtemp(dir));
    (void)snprintf(path, sizeof(path), "%s/pkg.zip", dir);
    sink.path = path;
    o.sink = &sink;

    /* a body cut off half way, then a whole one: the file holds exactly one body */
    respond_zip(fx->ms, MOCK_TRUNCATE);
    respond_zip(fx->ms, MOCK_REPLY);
    assert_int_equal(
        ftx_request(fx->client, "GET", "/connector-sdk/packages/p1/download", NULL, &o, NULL, &err),
        FTX_OK);
    assert_int_equal(mock_server_request_count(fx->ms), 2);
    data = slurp(path, &len);
    assert_int_equal(len, strlen(ZIP_BYTES));
    assert_memory_equal(data, ZIP_BYTES, len);
    free(data);
    assert_int_equal(dir_entries(dir), 1); /* no temporary file left */

    /* a failure leaves the existing file untouched and no temporary file */
    mock_server_respond(fx->ms, 404, "{\"code\":\"NotFound_Package\"}");
    assert_int_equal(
        ftx_request(fx->client, "GET", "/connector-sdk/packages/p2/download", NULL, &o, NULL, &err),
        FTX_ERR_NOT_FOUND);
    assert_string_equal(err.code, "NotFound_Package");
    data = slurp(path, &len);
    assert_int_equal(len, strlen(ZIP_BYTES));
    free(data);
    assert_int_equal(dir_entries(dir), 1);

    /* an unwritable place fails before sending */
    mock_server_reset(fx->ms);
    sink.path = "/nonexistent/dir/pkg.zip";
    assert_int_equal(
        ftx_request(fx->client, "GET", "/connector-sdk/packages/p1/download", NULL, &o, NULL, &err),
        FTX_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "/nonexistent/dir/pkg.zip"));
    assert_int_equal(mock_server_request_count(fx->ms), 0);

    /* exactly one of write and path */
    sink.write = collect;
    assert_int_equal(ftx_request(fx->client, "GET", "/x", NULL, &o, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    sink.write = NULL;
    sink.path = NULL;
    assert_int_equal(ftx_request(fx->client, "GET", "/x", NULL, &o, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(fx->ms), 0);

    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

/* ---- paths outside /v1 ---- */

static void test_host_root_path(void **state)
{
    th_fixture *fx = *state;
    ftx_request_options o = FTX_REQUEST_OPTIONS_INIT;
    seen s = {0};
    ftx_client *c = observed_client(fx, &s);
    ftx_client_options co = th_options(fx->ms, &fx->fc);
    ftx_client *bare;
    ftx_error err = {0};
    json_t *out = NULL;

    o.flags = FTX_REQUEST_HOST_ROOT;
    mock_server_respond(fx->ms, 500, "{\"code\":\"Oops\"}");
    mock_server_respond(fx->ms, 200, "{\"code\":\"Success\",\"data\":{\"items\":[]}}");
    assert_int_equal(ftx_request(c, "GET", "/public/connector-types?limit=2", NULL, &o, &out, &err),
                     FTX_OK);
    assert_non_null(out);
    json_decref(out);
    th_assert_call(fx->ms, 0, "GET", "/public/connector-types", "limit=2", "application/json",
                   NULL);
    th_assert_call(fx->ms, 1, "GET", "/public/connector-types", "limit=2", "application/json",
                   NULL);
    assert_int_equal(s.calls, 2);
    assert_string_equal(s.last_path, "/public/connector-types?limit=2");

    /* no list lives outside /v1: a stream refuses the option, sending nothing */
    {
        ftx_json_stream *st = NULL;

        assert_int_equal(ftx_request_stream(c, "/public/connector-types", &o, NULL, &st, &err),
                         FTX_ERR_INVALID_ARGUMENT);
        assert_null(st);
        assert_non_null(strstr(err.message, "FTX_REQUEST_HOST_ROOT"));
        assert_int_equal(mock_server_request_count(fx->ms), 2);
    }

    /* a base URL without /v1 is its own host root */
    co.base_url = mock_server_origin(fx->ms);
    bare = th_client_opts(&co);
    mock_server_respond(fx->ms, 200, OK_BODY);
    assert_int_equal(ftx_request(bare, "GET", "/public/connector-types", NULL, &o, NULL, &err),
                     FTX_OK);
    th_assert_call(fx->ms, 2, "GET", "/public/connector-types", NULL, "application/json", NULL);
    ftx_client_free(bare);
    ftx_client_free(c);
}

static void test_stream_refuses_body_options(void **state)
{
    th_fixture *fx = *state;
    ftx_request_options o = FTX_REQUEST_OPTIONS_INIT;
    ftx_response_sink sink = {0};
    ftx_json_stream *st = NULL;
    ftx_error err = {0};

    sink.path = "/tmp/x";
    o.sink = &sink;
    assert_int_equal(ftx_request_stream(fx->client, "/users", &o, NULL, &st, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_null(st);
    o.sink = NULL;
    o.flags = FTX_REQUEST_NO_BODY;
    assert_int_equal(ftx_request_stream(fx->client, "/users", &o, NULL, &st, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_null(st);
    assert_int_equal(mock_server_request_count(fx->ms), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_post_without_body_for_six_operations, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_post_without_body_retried_and_observed, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_version_and_flag_checks, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_multipart_create_from_file_and_update_from_memory,
                                        th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_multipart_text_field, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_multipart_bad_arguments_send_nothing, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_binary_to_callback, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_binary_partial_attempt_never_delivered_twice, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_binary_to_file, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_host_root_path, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_refuses_body_options, th_setup, th_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
