/*
 * Self-test of the in-test HTTP server, driven with libcurl directly so it does not
 * depend on the library under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mock_server.h"

typedef struct fetch {
    char *data;
    size_t len;
    long status;
    CURLcode rc;
    char content_type[128];
    char extra[128];
} fetch;

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    fetch *f = userdata;
    size_t n = size * nmemb;
    char *grown = realloc(f->data, f->len + n + 1);

    if (grown == NULL)
        return 0;
    f->data = grown;
    memcpy(f->data + f->len, ptr, n);
    f->len += n;
    f->data[f->len] = '\0';
    return n;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    fetch *f = userdata;
    size_t n = size * nmemb;

    if (n > 14 && strncasecmp(ptr, "Content-Type: ", 14) == 0)
        snprintf(f->content_type, sizeof(f->content_type), "%.*s", (int)(n - 16), ptr + 14);
    if (n > 9 && strncasecmp(ptr, "X-Extra: ", 9) == 0)
        snprintf(f->extra, sizeof(f->extra), "%.*s", (int)(n - 11), ptr + 9);
    return n;
}

/* One request on `h` (reused for keep-alive); body NULL means GET unless method set. */
static void do_request(CURL *h, const char *url, const char *method, const char *body,
                       const char *auth, fetch *f)
{
    struct curl_slist *hdrs = NULL;

    memset(f, 0, sizeof(*f));
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, f);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "mocktest/1");
    hdrs = curl_slist_append(hdrs, "Accept: application/json;version=2");
    if (auth != NULL) {
        char line[256];
        snprintf(line, sizeof(line), "Authorization: %s", auth);
        hdrs = curl_slist_append(hdrs, line);
    }
    if (body != NULL) {
        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    if (method != NULL)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    f->rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &f->status);
    curl_slist_free_all(hdrs);
}

static void url_for(char *buf, size_t size, mock_server *ms, const char *suffix)
{
    snprintf(buf, size, "%s%s", mock_server_origin(ms), suffix);
}

static int setup(void **state)
{
    mock_server *ms = mock_server_start();

    if (ms == NULL)
        return -1;
    *state = ms;
    return 0;
}

static int teardown(void **state)
{
    mock_server_stop(*state);
    return 0;
}

static void test_urls(void **state)
{
    mock_server *ms = *state;
    const char *origin = mock_server_origin(ms);
    const char *url = mock_server_url(ms);

    assert_non_null(origin);
    assert_true(strncmp(origin, "http://127.0.0.1:", 17) == 0);
    assert_true(strtol(origin + 17, NULL, 10) > 0);
    assert_true(strncmp(url, origin, strlen(origin)) == 0);
    assert_string_equal(url + strlen(origin), "/v1");
}

static void test_raw_path_query_and_headers(void **state)
{
    mock_server *ms = *state;
    CURL *h = curl_easy_init();
    char url[256];
    fetch f;
    const mock_request *r;

    mock_server_respond(ms, 200, "{\"code\":\"Success\"}");
    url_for(url, sizeof(url), ms, "/v1/groups/a%2Fb%20c?cursor=x%3Dy&limit=2");
    do_request(h, url, NULL, NULL, "Basic a2V5OnNlY3JldA==", &f);
    assert_int_equal(f.rc, CURLE_OK);
    assert_int_equal(f.status, 200);
    assert_string_equal(f.data, "{\"code\":\"Success\"}");
    assert_string_equal(f.content_type, "application/json");

    assert_int_equal(mock_server_request_count(ms), 1);
    r = mock_server_request(ms, 0);
    assert_non_null(r);
    assert_string_equal(r->method, "GET");
    assert_string_equal(r->path, "/v1/groups/a%2Fb%20c");
    assert_string_equal(r->query, "cursor=x%3Dy&limit=2");
    assert_string_equal(r->authorization, "Basic a2V5OnNlY3JldA==");
    assert_string_equal(r->accept, "application/json;version=2");
    assert_null(r->content_type);
    assert_string_equal(r->user_agent, "mocktest/1");
    assert_null(r->body);
    assert_int_equal(r->body_len, 0);
    assert_null(mock_server_request(ms, 1));
    free(f.data);

    /* No query at all gives NULL, not "". */
    mock_server_respond(ms, 204, NULL);
    url_for(url, sizeof(url), ms, "/v1/groups");
    do_request(h, url, "DELETE", NULL, NULL, &f);
    assert_int_equal(f.status, 204);
    r = mock_server_request(ms, 1);
    assert_string_equal(r->method, "DELETE");
    assert_string_equal(r->path, "/v1/groups");
    assert_null(r->query);
    assert_null(r->authorization);
    free(f.data);
    curl_easy_cleanup(h);
}

static void test_body_capture(void **state)
{
    mock_server *ms = *state;
    CURL *h = curl_easy_init();
    char url[256];
    fetch f;
    const mock_request *r;
    size_t big_len = 200000, i;
    char *big = malloc(big_len + 1);

    assert_non_null(big);
    for (i = 0; i < big_len; i++)
        big[i] = (char)('a' + (i % 26));
    big[big_len] = '\0';

    mock_server_respond(ms, 201, "{\"code\":\"Created\"}");
    mock_server_respond(ms, 200, "{}");
    url_for(url, sizeof(url), ms, "/v1/groups");
    do_request(h, url, NULL, "{\"name\":\"x\"}", NULL, &f);
    assert_int_equal(f.status, 201);
    free(f.data);
    do_request(h, url, "PATCH", big, NULL, &f);
    assert_int_equal(f.status, 200);
    free(f.data);

    r = mock_server_request(ms, 0);
    assert_string_equal(r->method, "POST");
    assert_string_equal(r->content_type, "application/json");
    assert_string_equal(r->body, "{\"name\":\"x\"}");
    assert_int_equal(r->body_len, 12);
    r = mock_server_request(ms, 1);
    assert_string_equal(r->method, "PATCH");
    assert_int_equal(r->body_len, big_len);
    assert_memory_equal(r->body, big, big_len);
    free(big);
    curl_easy_cleanup(h);
}

static void test_queue_order_and_exhausted(void **state)
{
    mock_server *ms = *state;
    CURL *h = curl_easy_init();
    char url[256];
    fetch f;
    mock_response full;

    memset(&full, 0, sizeof(full));
    full.status = 429;
    full.body = "{\"code\":\"TooMany\"}";
    full.headers = "Retry-After: 7\r\nX-Extra:   yes\r\nContent-Type: text/plain";
    mock_server_respond(ms, 200, "first");
    mock_server_respond_full(ms, &full);
    mock_server_respond(ms, 500, "third");

    url_for(url, sizeof(url), ms, "/v1/a");
    do_request(h, url, NULL, NULL, NULL, &f);
    assert_int_equal(f.status, 200);
    assert_string_equal(f.data, "first");
    free(f.data);
    do_request(h, url, NULL, NULL, NULL, &f);
    assert_int_equal(f.status, 429);
    assert_string_equal(f.data, "{\"code\":\"TooMany\"}");
    assert_string_equal(f.extra, "yes");
    assert_string_equal(f.content_type, "text/plain");
    free(f.data);
    do_request(h, url, NULL, NULL, NULL, &f);
    assert_int_equal(f.status, 500);
    assert_string_equal(f.data, "third");
    free(f.data);
    do_request(h, url, NULL, NULL, NULL, &f);
    assert_int_equal(f.status, 599);
    assert_non_null(strstr(f.data, "\"MockExhausted\""));
    assert_non_null(strstr(f.data, "no response queued"));
    free(f.data);
    assert_int_equal(mock_server_request_count(ms), 4);
    curl_easy_cleanup(h);
}

static void test_connection_count_keepalive(void **state)
{
    mock_server *ms = *state;
    CURL *h = curl_easy_init();
    CURL *h2 = curl_easy_init();
    char url[256];
    fetch f;
    int i;

    url_for(url, sizeof(url), ms, "/v1/x");
    for (i = 0; i < 5; i++) {
        mock_server_respond(ms, 200, "{}");
        do_request(h, url, NULL, NULL, NULL, &f);
        assert_int_equal(f.status, 200);
        free(f.data);
    }
    assert_int_equal(mock_server_request_count(ms), 5);
    assert_int_equal(mock_server_connection_count(ms), 1);

    /* A second handle opens a second connection. */
    mock_server_respond(ms, 200, "{}");
    do_request(h2, url, NULL, NULL, NULL, &f);
    free(f.data);
    assert_int_equal(mock_server_connection_count(ms), 2);

    /* Reset forgets everything. */
    mock_server_respond(ms, 200, "{}");
    mock_server_reset(ms);
    assert_int_equal(mock_server_request_count(ms), 0);
    assert_int_equal(mock_server_connection_count(ms), 0);
    do_request(h, url, NULL, NULL, NULL, &f);
    assert_int_equal(f.status, 599);
    free(f.data);
    curl_easy_cleanup(h);
    curl_easy_cleanup(h2);
}

static void test_drop(void **state)
{
    mock_server *ms = *state;
    CURL *h = curl_easy_init();
    char url[256];
    fetch f;
    mock_response r;

    memset(&r, 0, sizeof(r));
    r.action = MOCK_DROP;
    mock_server_respond_full(ms, &r);
    mock_server_respond(ms, 200, "after");
    url_for(url, sizeof(url), ms, "/v1/drop");
    do_request(h, url, NULL, NULL, NULL, &f);
    assert_int_equal(f.rc, CURLE_GOT_NOTHING);
    assert_int_equal(f.status, 0);
    free(f.data);
    /* The request was still recorded, and the next one gets the next response. */
    assert_int_equal(mock_server_request_count(ms), 1);
    do_request(h, url, NULL, NULL, NULL, &f);
    assert_int_equal(f.status, 200);
    assert_string_equal(f.data, "after");
    free(f.data);
    curl_easy_cleanup(h);
}

static void test_truncate(void **state)
{
    mock_server *ms = *state;
    CURL *h = curl_easy_init();
    char url[256];
    fetch f;
    mock_response r;
    const char *body = "{\"code\":\"Success\",\"data\":{\"id\":\"abc\",\"name\":\"n\"}}";

    memset(&r, 0, sizeof(r));
    r.status = 200;
    r.body = body;
    r.action = MOCK_TRUNCATE;
    mock_server_respond_full(ms, &r);
    url_for(url, sizeof(url), ms, "/v1/t");
    do_request(h, url, NULL, NULL, NULL, &f);
    assert_int_equal(f.rc, CURLE_PARTIAL_FILE);
    assert_int_equal(f.status, 200);
    assert_true(f.len > 0);
    assert_true(f.len < strlen(body));
    assert_memory_equal(f.data, body, f.len);
    free(f.data);
    curl_easy_cleanup(h);
}

static void test_delay_does_not_block_others(void **state)
{
    mock_server *ms = *state;
    CURL *h = curl_easy_init();
    char url[256];
    fetch f;
    mock_response r;

    /* A delay longer than the client's timeout makes the client time out. */
    memset(&r, 0, sizeof(r));
    r.status = 200;
    r.body = "{}";
    r.delay_ms = 400;
    mock_server_respond_full(ms, &r);
    url_for(url, sizeof(url), ms, "/v1/slow");
    memset(&f, 0, sizeof(f));
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &f);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 100L);
    f.rc = curl_easy_perform(h);
    assert_int_equal(f.rc, CURLE_OPERATION_TIMEDOUT);
    free(f.data);

    /* While the slow connection is still sleeping, another one is served. */
    mock_server_respond(ms, 200, "fast");
    do_request(h, url, NULL, NULL, NULL, &f);
    assert_int_equal(f.status, 200);
    assert_string_equal(f.data, "fast");
    free(f.data);
    curl_easy_cleanup(h);
}

static void test_null_safety(void **state)
{
    (void)state;
    mock_server_stop(NULL);
    mock_server_reset(NULL);
    mock_server_respond(NULL, 200, "x");
    assert_int_equal(mock_server_request_count(NULL), 0);
    assert_null(mock_server_request(NULL, 0));
    assert_int_equal(mock_server_connection_count(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_urls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_path_query_and_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_capture, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_order_and_exhausted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connection_count_keepalive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_drop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delay_does_not_block_others, setup, teardown),
        cmocka_unit_test(test_null_safety),
    };
    int rc;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
