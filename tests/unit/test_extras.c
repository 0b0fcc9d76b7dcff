/*
 * The hand-written operations of fivetrex/extras.h against the in-test server:
 * Connector SDK package upload (multipart) and download (binary, to a sink), and
 * ftx_transformations_run_and_wait on the fake clock.
 */
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

/* A "zip": binary bytes (no NUL: the mock server takes C strings). */
#define ZIP_BYTES "PK\x03\x04\x14\x00\xff\xfe\x80\x81 binary\r\n\x7f\x01 end"
#define PKG_JSON                                                                                   \
    "{\"id\":\"pkg_1\",\"created_by\":\"u\",\"file_sha256_hash\":\"abc\","                         \
    "\"created_at\":\"2025-01-01T00:00:00Z\"}"
#define OK_MESSAGE "{\"code\":\"Success\",\"message\":\"ok\"}"

/* ---- Connector SDK packages ---- */

static void assert_file_form(const mock_request *r, const char *method, const char *path,
                             const char *filename)
{
    char expected[1024];
    const char *b;

    assert_string_equal(r->method, method);
    assert_string_equal(r->path, path);
    assert_null(r->query);
    assert_string_equal(r->accept, "application/json");
    assert_non_null(r->content_type);
    assert_int_equal(strncmp(r->content_type, "multipart/form-data; boundary=", 30), 0);
    b = r->content_type + 30;
    (void)snprintf(expected, sizeof(expected),
                   "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
                   "Content-Type: application/zip\r\n\r\n%s\r\n--%s--\r\n",
                   b, filename, ZIP_BYTES, b);
    assert_non_null(r->body);
    assert_int_equal(r->body_len, strlen(expected));
    assert_memory_equal(r->body, expected, r->body_len);
}

typedef struct tmpzip {
    char dir[32];
    char path[96];
} tmpzip;

static void tmpzip_make(tmpzip *z)
{
    FILE *f;

    (void)snprintf(z->dir, sizeof(z->dir), "%s", "/tmp/ftx_sdk_XXXXXX");
    assert_non_null(mkdtemp(z->dir));
    (void)snprintf(z->path, sizeof(z->path), "%s/code.zip", z->dir);
    f = fopen(z->path, "wb");
    assert_non_null(f);
    assert_true(fputs(ZIP_BYTES, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

static void tmpzip_remove(tmpzip *z)
{
    (void)unlink(z->path);
    assert_int_equal(rmdir(z->dir), 0);
}

static void test_sdk_create(void **state)
{
    th_fixture *f = *state;
    tmpzip z;
    json_t *out = NULL;
    ftx_error err = {0};

    tmpzip_make(&z);
    mock_server_respond(f->ms, 201, "{\"code\":\"Success\",\"data\":" PKG_JSON "}");
    assert_int_equal(ftx_connector_sdk_packages_create(f->client, z.path, &out, &err), FTX_OK);
    assert_int_equal(mock_server_request_count(f->ms), 1);
    assert_file_form(mock_server_request(f->ms, 0), "POST", "/v1/connector-sdk/packages",
                     "code.zip");
    th_assert_request(mock_server_request(f->ms, 0), "POST", "/v1/connector-sdk/packages", NULL,
                      "application/json");
    /* the data, not the envelope */
    assert_string_equal(json_string_value(json_object_get(out, "id")), "pkg_1");
    assert_string_equal(json_string_value(json_object_get(out, "file_sha256_hash")), "abc");
    json_decref(out);

    /* a create is never retried after an ambiguous failure */
    mock_server_reset(f->ms);
    mock_server_respond(f->ms, 500, "{\"code\":\"InternalError\",\"message\":\"oops\"}");
    mock_server_respond(f->ms, 201, "{\"code\":\"Success\",\"data\":" PKG_JSON "}");
    assert_int_equal(ftx_connector_sdk_packages_create(f->client, z.path, &out, &err),
                     FTX_ERR_OUTCOME_UNKNOWN);
    assert_null(out);
    assert_int_equal(mock_server_request_count(f->ms), 1);

    /* a 400 (bad file) is mapped */
    mock_server_reset(f->ms);
    mock_server_respond(f->ms, 400, "{\"code\":\"InvalidInput\",\"message\":\"not a zip\"}");
    assert_int_equal(ftx_connector_sdk_packages_create(f->client, z.path, &out, &err),
                     FTX_ERR_BAD_REQUEST);
    assert_string_equal(err.code, "InvalidInput");
    tmpzip_remove(&z);

    /* nothing is sent without a readable file */
    mock_server_reset(f->ms);
    assert_int_equal(ftx_connector_sdk_packages_create(f->client, z.path, &out, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "cannot read"));
    assert_non_null(strstr(err.message, "code.zip"));
    assert_int_equal(ftx_connector_sdk_packages_create(f->client, NULL, &out, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_connector_sdk_packages_create(f->client, "", &out, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_connector_sdk_packages_create(f->client, "x", NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_connector_sdk_packages_create(NULL, "x", &out, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(f->ms), 0);
}

static void test_sdk_update(void **state)
{
    th_fixture *f = *state;
    tmpzip z;
    json_t *out = NULL;
    ftx_error err = {0};

    tmpzip_make(&z);
    /* an update is retried, with the file read again */
    mock_server_respond(f->ms, 503, "{\"code\":\"Unavailable\"}");
    mock_server_respond(f->ms, 200, "{\"code\":\"Success\",\"data\":" PKG_JSON "}");
    assert_int_equal(ftx_connector_sdk_packages_update(f->client, "pkg/1 x", z.path, &out, &err),
                     FTX_OK);
    assert_int_equal(mock_server_request_count(f->ms), 2);
    assert_file_form(mock_server_request(f->ms, 0), "PATCH",
                     "/v1/connector-sdk/packages/pkg%2F1%20x", "code.zip");
    assert_file_form(mock_server_request(f->ms, 1), "PATCH",
                     "/v1/connector-sdk/packages/pkg%2F1%20x", "code.zip");
    assert_string_equal(json_string_value(json_object_get(out, "id")), "pkg_1");
    json_decref(out);

    mock_server_respond(f->ms, 403, "{\"code\":\"Forbidden\",\"message\":\"not the owner\"}");
    assert_int_equal(ftx_connector_sdk_packages_update(f->client, "pkg_1", z.path, &out, &err),
                     FTX_ERR_FORBIDDEN);
    assert_null(out);

    assert_int_equal(ftx_connector_sdk_packages_update(f->client, "", z.path, &out, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.message, "package_id must be a non-empty string");
    assert_int_equal(ftx_connector_sdk_packages_update(f->client, NULL, z.path, &out, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(f->ms), 3);
    tmpzip_remove(&z);
}

typedef struct got {
    char data[256];
    size_t len;
} got;

static int collect(const void *data, size_t len, void *userdata)
{
    got *g = userdata;

    assert_true(g->len + len < sizeof(g->data));
    memcpy(g->data + g->len, data, len);
    g->len += len;
    return 0;
}

static void test_sdk_download(void **state)
{
    th_fixture *f = *state;
    ftx_response_sink sink = {0};
    got g = {{0}, 0};
    ftx_error err = {0};
    tmpzip z;
    char buf[256];
    size_t n;
    FILE *fp;

    sink.write = collect;
    sink.userdata = &g;
    mock_server_respond(f->ms, 200, ZIP_BYTES);
    assert_int_equal(ftx_connector_sdk_packages_download(f->client, "pkg 1", &sink, &err), FTX_OK);
    th_assert_call(f->ms, 0, "GET", "/v1/connector-sdk/packages/pkg%201/download", NULL,
                   "application/json", NULL);
    assert_int_equal(g.len, strlen(ZIP_BYTES));
    assert_memory_equal(g.data, ZIP_BYTES, g.len);

    /* to a file */
    tmpzip_make(&z);
    assert_int_equal(unlink(z.path), 0);
    memset(&sink, 0, sizeof(sink));
    sink.path = z.path;
    mock_server_respond(f->ms, 200, ZIP_BYTES);
    assert_int_equal(ftx_connector_sdk_packages_download(f->client, "pkg_1", &sink, &err), FTX_OK);
    fp = fopen(z.path, "rb");
    assert_non_null(fp);
    n = fread(buf, 1, sizeof(buf), fp);
    (void)fclose(fp);
    assert_int_equal(n, strlen(ZIP_BYTES));
    assert_memory_equal(buf, ZIP_BYTES, n);

    /* an error body never reaches the sink */
    assert_int_equal(unlink(z.path), 0);
    mock_server_respond(f->ms, 404, "{\"code\":\"NotFound\",\"message\":\"no package\"}");
    assert_int_equal(ftx_connector_sdk_packages_download(f->client, "gone", &sink, &err),
                     FTX_ERR_NOT_FOUND);
    assert_int_equal(access(z.path, F_OK), -1);
    assert_int_equal(rmdir(z.dir), 0);

    /* bad arguments send nothing */
    assert_int_equal(ftx_connector_sdk_packages_download(f->client, "p", NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    sink.write = collect; /* both */
    assert_int_equal(ftx_connector_sdk_packages_download(f->client, "p", &sink, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.message, "the sink needs exactly one of write or path");
    sink.path = NULL;
    assert_int_equal(ftx_connector_sdk_packages_download(f->client, "", &sink, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.message, "package_id must be a non-empty string");
    assert_int_equal(mock_server_request_count(f->ms), 3);
}

/* ---- transformations: run and wait ---- */

#define TR(status, ended)                                                                          \
    "{\"code\":\"Success\",\"data\":{\"id\":\"tr_1\",\"type\":\"DBT_CORE\",\"status\":\"" status   \
    "\",\"paused\":false,\"last_ended_at\":" ended "}}"
#define T0 "\"2025-01-01T00:00:00Z\""
#define T1 "\"2025-01-01T01:00:00Z\""

typedef struct seen {
    int calls;
    char statuses[256];
    int errors;
    int stop_at;
} seen;

static int progress(const ftx_transformation_progress *p, void *userdata)
{
    seen *s = userdata;
    size_t n = strlen(s->statuses);

    s->calls++;
    assert_int_equal(p->poll, s->calls);
    if (p->error != NULL) {
        assert_null(p->transformation);
        assert_null(p->status);
        s->errors++;
        (void)snprintf(s->statuses + n, sizeof(s->statuses) - n, "error:%d ", p->error->type);
    } else {
        assert_non_null(p->transformation);
        assert_string_equal(json_string_value(json_object_get(p->transformation, "id")), "tr_1");
        (void)snprintf(s->statuses + n, sizeof(s->statuses) - n, "%s ", p->status);
    }
    return s->stop_at != 0 && s->calls >= s->stop_at;
}

static void test_run_and_wait_ignores_the_previous_runs_status(void **state)
{
    th_fixture *f = *state;
    ftx_transformation_wait_options o = FTX_TRANSFORMATION_WAIT_OPTIONS_INIT;
    ftx_transformation_wait_result *r = NULL;
    ftx_error err = {0};
    seen s = {0};

    o.poll_interval_ms = 2000;
    o.progress = progress;
    o.progress_userdata = &s;
    mock_server_respond(f->ms, 200, TR("SUCCEEDED", T0)); /* baseline */
    mock_server_respond(f->ms, 200, OK_MESSAGE);          /* run */
    mock_server_respond(f->ms, 200, TR("SUCCEEDED", T0)); /* the previous run: not this one */
    mock_server_respond(f->ms, 200, TR("RUNNING", T0));
    mock_server_respond(f->ms, 200, TR("FAILED", T0)); /* going before: ended */
    assert_int_equal(ftx_transformations_run_and_wait(f->client, "tr/1", &o, &r, &err), FTX_OK);
    assert_int_equal(r->outcome, FTX_TRANSFORMATION_FAILED);
    assert_string_equal(r->status, "FAILED");
    assert_string_equal(json_string_value(json_object_get(r->transformation, "status")), "FAILED");
    assert_int_equal(r->polls, 3);
    assert_int_equal(r->elapsed_ms, 6000);
    assert_int_equal(s.calls, 3);
    assert_string_equal(s.statuses, "SUCCEEDED RUNNING FAILED ");
    th_assert_call(f->ms, 0, "GET", "/v1/transformations/tr%2F1", NULL, "application/json", NULL);
    th_assert_call(f->ms, 1, "POST", "/v1/transformations/tr%2F1/run", NULL, "application/json",
                   "{}");
    th_assert_call(f->ms, 2, "GET", "/v1/transformations/tr%2F1", NULL, "application/json", NULL);
    th_assert_call(f->ms, 4, "GET", "/v1/transformations/tr%2F1", NULL, "application/json", NULL);
    assert_int_equal(mock_server_request_count(f->ms), 5);
    assert_int_equal(f->fc.nsleeps, 3);
    assert_int_equal(f->fc.sleeps[0], 2000);
    assert_int_equal(f->fc.sleeps[2], 2000);
    ftx_transformation_wait_result_free(r);
    ftx_transformation_wait_result_free(NULL);
}

static void test_run_and_wait_ended_by_timestamp(void **state)
{
    th_fixture *f = *state;
    ftx_transformation_wait_options o = FTX_TRANSFORMATION_WAIT_OPTIONS_INIT;
    ftx_transformation_wait_result *r = NULL;
    ftx_error err = {0};

    o.full_refresh = 1;
    mock_server_respond(f->ms, 200, TR("NEW", "null"));
    mock_server_respond(f->ms, 200, OK_MESSAGE);
    mock_server_respond(f->ms, 200, TR("NEW", "null"));
    mock_server_respond(f->ms, 200, TR("PARTIALLY_SUCCEEDED", T1));
    assert_int_equal(ftx_transformations_run_and_wait(f->client, "tr_1", &o, &r, &err), FTX_OK);
    assert_int_equal(r->outcome, FTX_TRANSFORMATION_PARTIALLY_SUCCEEDED);
    assert_string_equal(r->status, "PARTIALLY_SUCCEEDED");
    assert_int_equal(r->polls, 2);
    assert_int_equal(r->elapsed_ms, 20000); /* default interval */
    th_assert_call(f->ms, 1, "POST", "/v1/transformations/tr_1/run", NULL, "application/json",
                   "{\"full_refresh\":true}");
    ftx_transformation_wait_result_free(r);

    /* a later last_ended_at ends the wait even without seeing the run going; an
     * equal one does not; BLOCKED and unknown statuses keep waiting */
    mock_server_reset(f->ms);
    mock_server_respond(f->ms, 200, TR("SUCCEEDED", T0));
    mock_server_respond(f->ms, 200, OK_MESSAGE);
    mock_server_respond(f->ms, 200, TR("CANCELED", T0));
    mock_server_respond(f->ms, 200, TR("BLOCKED", T0));
    mock_server_respond(f->ms, 200, TR("SOMETHING_NEW", T0));
    mock_server_respond(f->ms, 200, TR("SUCCEEDED", T1));
    assert_int_equal(ftx_transformations_run_and_wait(f->client, "tr_1", NULL, &r, &err), FTX_OK);
    assert_int_equal(r->outcome, FTX_TRANSFORMATION_SUCCEEDED);
    assert_int_equal(r->polls, 4);
    ftx_transformation_wait_result_free(r);

    /* canceled after running */
    mock_server_reset(f->ms);
    mock_server_respond(f->ms, 200, TR("SUCCEEDED", "null"));
    mock_server_respond(f->ms, 200, OK_MESSAGE);
    mock_server_respond(f->ms, 200, TR("TERMINATING", "null"));
    mock_server_respond(f->ms, 200, TR("CANCELED", "null"));
    assert_int_equal(ftx_transformations_run_and_wait(f->client, "tr_1", NULL, &r, &err), FTX_OK);
    assert_int_equal(r->outcome, FTX_TRANSFORMATION_CANCELED);
    ftx_transformation_wait_result_free(r);
}

static void test_run_and_wait_timeout_and_cancel(void **state)
{
    th_fixture *f = *state;
    ftx_transformation_wait_options o = FTX_TRANSFORMATION_WAIT_OPTIONS_INIT;
    ftx_transformation_wait_result *r = (ftx_transformation_wait_result *)state;
    ftx_error err = {0};
    seen s = {0};

    o.poll_interval_ms = 10000;
    o.timeout_ms = 25000;
    mock_server_respond(f->ms, 200, TR("SUCCEEDED", T0));
    mock_server_respond(f->ms, 200, OK_MESSAGE);
    mock_server_respond(f->ms, 200, TR("RUNNING", T0));
    mock_server_respond(f->ms, 200, TR("RUNNING", T0));
    mock_server_respond(f->ms, 200, TR("RUNNING", T0));
    assert_int_equal(ftx_transformations_run_and_wait(f->client, "tr_1", &o, &r, &err),
                     FTX_ERR_TIMEOUT);
    assert_null(r);
    assert_string_equal(err.message,
                        "transformation run did not end within 25000 ms (3 status reads)");
    assert_int_equal(mock_server_request_count(f->ms), 5);
    assert_int_equal(f->fc.sleeps[2], 5000); /* the last sleep stops at the deadline */

    /* the progress callback stops the wait */
    mock_server_reset(f->ms);
    o.timeout_ms = 0;
    o.progress = progress;
    o.progress_userdata = &s;
    s.stop_at = 2;
    mock_server_respond(f->ms, 200, TR("SUCCEEDED", T0));
    mock_server_respond(f->ms, 200, OK_MESSAGE);
    mock_server_respond(f->ms, 200, TR("SCHEDULING", T0));
    mock_server_respond(f->ms, 200, TR("RUNNING", T0));
    assert_int_equal(ftx_transformations_run_and_wait(f->client, "tr_1", &o, &r, &err),
                     FTX_ERR_CANCELLED);
    assert_null(r);
    assert_string_equal(s.statuses, "SCHEDULING RUNNING ");
    assert_int_equal(mock_server_request_count(f->ms), 4);
}

static void test_run_and_wait_read_errors(void **state)
{
    th_fixture *f = *state; /* one attempt per call */
    ftx_transformation_wait_options o = FTX_TRANSFORMATION_WAIT_OPTIONS_INIT;
    ftx_transformation_wait_result *r = NULL;
    ftx_error err = {0};
    seen s = {0};

    o.progress = progress;
    o.progress_userdata = &s;
    /* a transient failure is reported and read again; 404 ends the wait */
    mock_server_respond(f->ms, 200, TR("SUCCEEDED", T0));
    mock_server_respond(f->ms, 200, OK_MESSAGE);
    mock_server_respond(f->ms, 500, "{\"code\":\"InternalError\",\"message\":\"oops\"}");
    mock_server_respond(f->ms, 200, "{\"code\":\"Success\",\"data\":[]}");
    mock_server_respond(f->ms, 200, TR("RUNNING", T0));
    mock_server_respond(f->ms, 404, "{\"code\":\"NotFound\",\"message\":\"deleted\"}");
    assert_int_equal(ftx_transformations_run_and_wait(f->client, "tr_1", &o, &r, &err),
                     FTX_ERR_NOT_FOUND);
    assert_null(r);
    assert_string_equal(err.code, "NotFound");
    assert_int_equal(s.errors, 3);
    assert_int_equal(s.calls, 4);

    /* the errors of the first read and of the trigger are returned as they are */
    mock_server_reset(f->ms);
    mock_server_respond(f->ms, 404, "{\"code\":\"NotFound\",\"message\":\"no\"}");
    assert_int_equal(ftx_transformations_run_and_wait(f->client, "tr_1", NULL, &r, &err),
                     FTX_ERR_NOT_FOUND);
    assert_int_equal(mock_server_request_count(f->ms), 1);
    mock_server_respond(f->ms, 200, TR("SUCCEEDED", T0));
    mock_server_respond(f->ms, 409, "{\"code\":\"Conflict\",\"message\":\"already running\"}");
    assert_int_equal(ftx_transformations_run_and_wait(f->client, "tr_1", NULL, &r, &err),
                     FTX_ERR_CONFLICT);
    assert_int_equal(mock_server_request_count(f->ms), 3);

    /* arguments: nothing sent */
    mock_server_reset(f->ms);
    assert_int_equal(ftx_transformations_run_and_wait(f->client, "", NULL, &r, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.message, "transformation_id must be a non-empty string");
    assert_int_equal(ftx_transformations_run_and_wait(f->client, "t", NULL, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_transformations_run_and_wait(NULL, "t", NULL, &r, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    o.version = 99;
    assert_int_equal(ftx_transformations_run_and_wait(f->client, "t", &o, &r, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "FTX_TRANSFORMATION_WAIT_OPTIONS_INIT"));
    assert_int_equal(mock_server_request_count(f->ms), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sdk_create, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_sdk_update, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_sdk_download, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_run_and_wait_ignores_the_previous_runs_status,
                                        th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_run_and_wait_ended_by_timestamp, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_run_and_wait_timeout_and_cancel, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_run_and_wait_read_errors, th_setup_one_attempt,
                                        th_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
