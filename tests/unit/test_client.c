/*
 * Client creation, options, environment fallbacks, the exact request on the wire,
 * keep-alive reuse, thread safety and secrecy of credentials.
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
#include <pthread.h>

#include "internal.h"
#include "test_helpers.h"

#define SECRET TH_API_SECRET

static void clear_env(void)
{
    unsetenv("FIVETRAN_API_KEY");
    unsetenv("FIVETRAN_API_SECRET");
    unsetenv("FIVETRAN_BASE_URL");
}

static int setup(void **state)
{
    mock_server *ms;

    clear_env();
    ms = mock_server_start();
    if (ms == NULL)
        return -1;
    *state = ms;
    return 0;
}

static int teardown(void **state)
{
    mock_server_stop(*state);
    clear_env();
    return 0;
}

static int do_get(ftx_client *c, const char *path, int accept_v2, json_t **out, ftx_error *err)
{
    ftx__request req = {"GET", path, NULL, accept_v2, 0, 0};

    return ftx__call(c, &req, out, err);
}

/* ---- options and construction ---- */

static void test_version(void **state)
{
    (void)state;
    assert_string_equal(ftx_version(), FTX_VERSION);
    assert_int_equal(ftx_global_init(), FTX_OK);
    assert_int_equal(ftx_global_init(), FTX_OK); /* idempotent */
}

static void test_options_init(void **state)
{
    ftx_client_options o;

    (void)state;
    memset(&o, 0xAB, sizeof(o));
    assert_int_equal(ftx_client_options_init(&o, FTX_CLIENT_OPTIONS_VERSION), FTX_OK);
    assert_int_equal(o.version, FTX_CLIENT_OPTIONS_VERSION);
    assert_null(o.api_key);
    assert_null(o.base_url);
    assert_int_equal(o.retry.max_attempts, 3);
    assert_int_equal(o.retry.base_delay_ms, 1000);
    assert_int_equal(o.retry.max_delay_ms, 30000);
    assert_true(o.retry.backoff_factor == 2.0);
    assert_int_equal(o.max_idle_handles, 0);
    assert_int_equal(ftx_client_options_init(&o, 99), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_client_options_init(NULL, FTX_CLIENT_OPTIONS_VERSION),
                     FTX_ERR_INVALID_ARGUMENT);
}

static void test_bad_options_version(void **state)
{
    ftx_client_options o = th_options(*state, NULL);
    ftx_client *c = (ftx_client *)0x1;
    ftx_error err = {0};

    o.version = 99;
    assert_int_equal(ftx_client_new(&c, &o, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_null(c);
    assert_int_equal(err.type, FTX_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "version 99"));

    o = th_options(*state, NULL);
    o.retry.version = 7;
    assert_int_equal(ftx_client_new(&c, &o, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "ftx_retry_policy"));

    o = th_options(*state, NULL);
    o.retry.max_attempts = 0;
    assert_int_equal(ftx_client_new(&c, &o, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "max_attempts"));

    assert_int_equal(ftx_client_new(NULL, &o, &err), FTX_ERR_INVALID_ARGUMENT);
}

static void test_missing_key(void **state)
{
    ftx_client_options o = th_options(*state, NULL);
    ftx_client *c = NULL;
    ftx_error err = {0};

    o.api_key = NULL;
    assert_int_equal(ftx_client_new(&c, &o, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_null(c);
    assert_non_null(strstr(err.message, "API key"));
    assert_non_null(strstr(err.message, "FIVETRAN_API_KEY"));
    th_assert_no_secret(err.message);

    o.api_key = ""; /* empty counts as missing */
    assert_int_equal(ftx_client_new(&c, &o, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "FIVETRAN_API_KEY"));

    setenv("FIVETRAN_API_KEY", "", 1);
    assert_int_equal(ftx_client_new(&c, &o, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_null(c);
}

static void test_missing_secret(void **state)
{
    ftx_client_options o = th_options(*state, NULL);
    ftx_client *c = NULL;
    ftx_error err = {0};

    o.api_secret = NULL;
    assert_int_equal(ftx_client_new(&c, &o, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_null(c);
    assert_non_null(strstr(err.message, "API secret"));
    assert_non_null(strstr(err.message, "FIVETRAN_API_SECRET"));
    assert_null(strstr(err.message, "FIVETRAN_API_KEY"));

    /* NULL options: everything from the (empty) environment; the key is named first. */
    assert_int_equal(ftx_client_new(&c, NULL, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "FIVETRAN_API_KEY"));
}

static void test_env_fallbacks(void **state)
{
    mock_server *ms = *state;
    ftx_client *c = NULL;
    ftx_error err = {0};
    json_t *body = NULL;

    setenv("FIVETRAN_API_KEY", TH_API_KEY, 1);
    setenv("FIVETRAN_API_SECRET", TH_API_SECRET, 1);
    setenv("FIVETRAN_BASE_URL", mock_server_url(ms), 1);
    assert_int_equal(ftx_client_new(&c, NULL, &err), FTX_OK);
    assert_string_equal(ftx_client_base_url(c), mock_server_url(ms));

    mock_server_respond(ms, 200, "{\"code\":\"Success\",\"data\":{\"id\":\"g1\"}}");
    assert_int_equal(do_get(c, "/groups/g1", 0, &body, &err), FTX_OK);
    assert_string_equal(json_string_value(json_object_get(json_object_get(body, "data"), "id")),
                        "g1");
    json_decref(body);
    assert_int_equal(mock_server_request_count(ms), 1);
    /* Authorization is Basic base64(env key:env secret). */
    th_assert_request(mock_server_request(ms, 0), "GET", "/v1/groups/g1", NULL, "application/json");
    ftx_client_free(c);

    /* Options win over the environment. */
    {
        ftx_client_options o = th_options(ms, NULL);

        setenv("FIVETRAN_BASE_URL", "http://127.0.0.1:1/v1", 1);
        c = th_client_opts(&o);
        assert_string_equal(ftx_client_base_url(c), mock_server_url(ms));
        ftx_client_free(c);
    }
}

static void test_default_base_url_and_trim(void **state)
{
    ftx_client_options o = th_options(*state, NULL);
    ftx_client *c;
    ftx_error err = {0};

    o.base_url = NULL;
    c = th_client_opts(&o);
    assert_string_equal(ftx_client_base_url(c), "https://api.fivetran.com/v1");
    ftx_client_free(c);

    o.base_url = "http://example.test/v1//";
    o.allow_insecure_http = 1; /* not loopback: refused without it (test_transport.c) */
    c = th_client_opts(&o);
    assert_string_equal(ftx_client_base_url(c), "http://example.test/v1");
    ftx_client_free(c);
    o.allow_insecure_http = 0;

    setenv("FIVETRAN_BASE_URL", "https://sandbox.test/v1/", 1);
    o.base_url = NULL;
    c = th_client_opts(&o);
    assert_string_equal(ftx_client_base_url(c), "https://sandbox.test/v1");
    ftx_client_free(c);

    o.base_url = "ftp://example.test/v1";
    c = NULL;
    assert_int_equal(ftx_client_new(&c, &o, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_null(c);
    assert_non_null(strstr(err.message, "base URL"));

    assert_null(ftx_client_base_url(NULL));
    ftx_client_free(NULL);
}

/* Credentials in a base URL (user:password@) are refused, and never echoed: the
 * message shows the URL with the userinfo replaced by ***. */
static void test_base_url_userinfo_refused_and_redacted(void **state)
{
    static const struct {
        const char *url;
        const char *shown;
    } cases[] = {
        {"ftp://KEY:SECRET@host/v1", "\"ftp://***@host/v1\""},
        {"https://KEY:SECRET@api.fivetran.com/v1", "\"https://***@api.fivetran.com/v1\""},
        {"http://KEY@127.0.0.1:8080/v1", "\"http://***@127.0.0.1:8080/v1\""},
        {"https://KEY:SE@CRET@host", "\"https://***@host\""},
        {"KEY:SECRET@host/v1", "\"***@host/v1\""},
        {"https://KEY:SECRET@host?x=1", "\"https://***@host?x=1\""},
    };
    ftx_client_options o = th_options(*state, NULL);
    ftx_client *c;
    ftx_error err = {0};

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        o.base_url = cases[i].url;
        c = NULL;
        assert_int_equal(ftx_client_new(&c, &o, &err), FTX_ERR_INVALID_ARGUMENT);
        assert_null(c);
        if (strstr(err.message, "SECRET") != NULL || strstr(err.message, "KEY") != NULL ||
            strstr(err.message, "CRET") != NULL)
            fail_msg("credentials echoed: %s", err.message);
        if (strstr(err.message, cases[i].shown) == NULL)
            fail_msg("%s: message lacks %s: %s", cases[i].url, cases[i].shown, err.message);
        assert_non_null(strstr(err.message, "api_key"));
    }

    /* an '@' after the authority (in the path) is not userinfo */
    o.base_url = "https://example.test/v1@x";
    c = th_client_opts(&o);
    assert_string_equal(ftx_client_base_url(c), "https://example.test/v1@x");
    ftx_client_free(c);
}

/* ---- the request on the wire ---- */

static void test_get_headers(void **state)
{
    mock_server *ms = *state;
    ftx_client_options o = th_options(ms, NULL);
    ftx_client *c;
    ftx_error err = {0};
    const mock_request *r;

    o.user_agent_suffix = "mytool/1.2";
    c = th_client_opts(&o);
    mock_server_respond(ms, 200, "{\"code\":\"Success\",\"data\":{}}");
    mock_server_respond(ms, 200, "{\"code\":\"Success\",\"data\":{}}");
    assert_int_equal(do_get(c, "/groups?limit=2&cursor=abc%3D", 0, NULL, &err), FTX_OK);
    assert_int_equal(do_get(c, "/connections/c%2F1", 1, NULL, &err), FTX_OK);

    r = mock_server_request(ms, 0);
    th_assert_request(r, "GET", "/v1/groups", "limit=2&cursor=abc%3D", "application/json");
    assert_string_equal(r->user_agent, "fivetrex/" FTX_VERSION " mytool/1.2");
    assert_null(r->content_type);
    assert_null(r->body);

    r = mock_server_request(ms, 1);
    th_assert_request(r, "GET", "/v1/connections/c%2F1", NULL, "application/json;version=2");
    ftx_client_free(c);

    /* Without a suffix the User-Agent is the library and version alone. */
    c = th_client(ms);
    mock_server_respond(ms, 200, "{}");
    assert_int_equal(do_get(c, "/groups", 0, NULL, &err), FTX_OK);
    assert_string_equal(mock_server_request(ms, 2)->user_agent, "fivetrex/" FTX_VERSION);
    ftx_client_free(c);
}

static void test_post_patch_delete_bodies(void **state)
{
    mock_server *ms = *state;
    ftx_client *c = th_client(ms);
    ftx_error err = {0};
    json_t *body = json_pack("{s:s, s:b, s:i}", "name", "Ünïcode \"q\"", "paused", 1, "n", 7);
    ftx__request post_null = {"POST", "/connections/c1/sync", NULL, 1, 0, 0};
    ftx__request post = {"POST", "/groups", body, 0, 1, 0};
    ftx__request patch = {"PATCH", "/groups/g1", body, 0, 0, 0};
    ftx__request del = {"DELETE", "/groups/g1", NULL, 0, 0, 0};
    const mock_request *r;
    json_t *out = NULL;

    mock_server_respond(ms, 200, "{\"code\":\"Success\"}");
    mock_server_respond(ms, 201, "{\"code\":\"Success\",\"data\":{\"id\":\"new\"}}");
    mock_server_respond(ms, 200, "{\"code\":\"Success\",\"data\":{\"id\":\"g1\"}}");
    mock_server_respond(ms, 200, "{\"code\":\"Success\",\"message\":\"deleted\"}");

    assert_int_equal(ftx__call(c, &post_null, NULL, &err), FTX_OK);
    assert_int_equal(ftx__call_data(c, &post, &out, &err), FTX_OK);
    assert_string_equal(json_string_value(json_object_get(out, "id")), "new");
    json_decref(out);
    assert_int_equal(ftx__call(c, &patch, NULL, &err), FTX_OK);
    assert_int_equal(ftx__call(c, &del, NULL, &err), FTX_OK);
    assert_int_equal(mock_server_request_count(ms), 4);

    r = mock_server_request(ms, 0);
    th_assert_request(r, "POST", "/v1/connections/c1/sync", NULL, "application/json;version=2");
    assert_string_equal(r->content_type, "application/json");
    assert_string_equal(r->body, "{}");

    r = mock_server_request(ms, 1);
    th_assert_request(r, "POST", "/v1/groups", NULL, "application/json");
    assert_string_equal(r->content_type, "application/json");
    th_assert_json_eq(r->body, "{\"name\":\"Ünïcode \\\"q\\\"\",\"paused\":true,\"n\":7}");

    r = mock_server_request(ms, 2);
    th_assert_request(r, "PATCH", "/v1/groups/g1", NULL, "application/json");
    assert_string_equal(r->content_type, "application/json");
    th_assert_json_eq(r->body, "{\"name\":\"Ünïcode \\\"q\\\"\",\"paused\":true,\"n\":7}");

    /* A DELETE after a PATCH on the same pooled handle carries no body. */
    r = mock_server_request(ms, 3);
    th_assert_request(r, "DELETE", "/v1/groups/g1", NULL, "application/json");
    assert_null(r->body);
    assert_null(r->content_type);

    json_decref(body);
    ftx_client_free(c);
}

static void test_invalid_requests(void **state)
{
    mock_server *ms = *state;
    ftx_client *c = th_client(ms);
    ftx_error err = {0};
    ftx__request bad_method = {"PUT", "/groups", NULL, 0, 0, 0};
    ftx__request no_slash = {"GET", "groups", NULL, 0, 0, 0};
    ftx__request null_path = {"GET", NULL, NULL, 0, 0, 0};
    json_t *out = (json_t *)0x1;

    assert_int_equal(ftx__call(c, &bad_method, &out, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_null(out);
    assert_int_equal(ftx__call(c, &no_slash, NULL, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx__call(c, &null_path, NULL, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx__call(c, NULL, NULL, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx__call(NULL, &bad_method, NULL, NULL), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx__call_data(c, &no_slash, NULL, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(ms), 0);
    ftx_client_free(c);
}

/* An over-long path (a 1 MiB id) is an invalid argument naming the limit, not "out of
 * memory" from libcurl; nothing is sent. A path of exactly the limit goes out. */
static void test_overlong_path_is_invalid_argument(void **state)
{
    mock_server *ms = *state;
    ftx_client *c = th_client(ms);
    size_t big = (size_t)1 << 20;
    char *id = malloc(big + 1), *path = malloc(8192 + 2);
    ftx_group *g = NULL;
    ftx_error err = {0};
    json_t *out = NULL;

    assert_non_null(id);
    assert_non_null(path);
    memset(id, 'a', big);
    id[big] = '\0';
    assert_int_equal(ftx_groups_get(c, id, &g, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_null(g);
    assert_int_equal(err.type, FTX_ERR_INVALID_ARGUMENT);
    if (strstr(err.message, "8192") == NULL || strstr(err.message, "path") == NULL)
        fail_msg("message does not name the limit: %s", err.message);
    assert_true(strlen(err.message) < 400); /* the path itself is not echoed whole */
    assert_int_equal(err.attempts, 0);
    assert_int_equal(mock_server_request_count(ms), 0);

    /* the limit is on the path after the base URL, query included */
    path[0] = '/';
    memset(path + 1, 'p', 8191);
    path[8192] = '\0';
    mock_server_respond(ms, 200, "{\"code\":\"Success\",\"data\":{}}");
    assert_int_equal(do_get(c, path, 0, &out, &err), FTX_OK);
    json_decref(out);
    assert_int_equal(mock_server_request_count(ms), 1);
    assert_int_equal(strlen(mock_server_request(ms, 0)->path), strlen("/v1") + 8192);
    path[8192] = 'p';
    path[8193] = '\0';
    ftx_error_clear(&err);
    assert_int_equal(ftx_request(c, "GET", path, NULL, NULL, NULL, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "8193"));
    assert_int_equal(mock_server_request_count(ms), 1);
    free(id);
    free(path);
    ftx_client_free(c);
}

/* ---- rate-limit headers ---- */

static void test_rate_limit_headers(void **state)
{
    mock_server *ms = *state;
    ftx_client *c = th_client(ms);
    ftx_error err = {0};
    mock_response r1 = {200, "{\"code\":\"Success\",\"data\":{}}",
                        "X-Rate-Limit: 20000\r\nX-Rate-Limit-Remaining: 19998", 0, MOCK_REPLY};
    mock_response r2 = {200, "{\"code\":\"Success\",\"data\":{}}", NULL, 0, MOCK_REPLY};
    mock_response r3 = {404, "{\"code\":\"NotFound\",\"message\":\"x\"}",
                        "X-Rate-Limit-Remaining: 19997", 0, MOCK_REPLY};
    long limit = 0, remaining = 0;

    ftx_client_rate_limit(c, &limit, &remaining);
    assert_int_equal(limit, -1);
    assert_int_equal(remaining, -1);

    mock_server_respond_full(ms, &r1);
    mock_server_respond_full(ms, &r2);
    mock_server_respond_full(ms, &r3);
    assert_int_equal(do_get(c, "/groups", 0, NULL, &err), FTX_OK);
    ftx_client_rate_limit(c, &limit, &remaining);
    assert_int_equal(limit, 20000);
    assert_int_equal(remaining, 19998);

    /* A response without the headers keeps the latest values. */
    assert_int_equal(do_get(c, "/groups", 0, NULL, &err), FTX_OK);
    ftx_client_rate_limit(c, &limit, &remaining);
    assert_int_equal(limit, 20000);
    assert_int_equal(remaining, 19998);

    /* Error responses count too. */
    assert_int_equal(do_get(c, "/groups/x", 0, NULL, &err), FTX_ERR_NOT_FOUND);
    ftx_client_rate_limit(c, &limit, &remaining);
    assert_int_equal(limit, 20000);
    assert_int_equal(remaining, 19997);

    ftx_client_rate_limit(NULL, &limit, &remaining);
    assert_int_equal(limit, -1);
    assert_int_equal(remaining, -1);
    ftx_client_rate_limit(c, NULL, NULL);
    ftx_client_free(c);
}

/* ---- keep-alive and threads ---- */

static void test_keepalive_one_connection(void **state)
{
    mock_server *ms = *state;
    ftx_client *c = th_client(ms);
    ftx_error err = {0};
    ftx__request post = {"POST", "/connections/c1/sync", NULL, 1, 0, 0};
    int i;

    for (i = 0; i < 10; i++)
        mock_server_respond(ms, 200, "{\"code\":\"Success\",\"data\":{\"i\":1}}");
    for (i = 0; i < 8; i++)
        assert_int_equal(do_get(c, "/groups", i % 2, NULL, &err), FTX_OK);
    assert_int_equal(ftx__call(c, &post, NULL, &err), FTX_OK);
    assert_int_equal(do_get(c, "/groups", 0, NULL, &err), FTX_OK);
    assert_int_equal(mock_server_request_count(ms), 10);
    assert_int_equal(mock_server_connection_count(ms), 1);
    ftx_client_free(c);
}

#define NTHREADS 4
#define NCALLS   10

struct thread_arg {
    ftx_client *c;
    int ok;
};

static void *thread_main(void *p)
{
    struct thread_arg *a = p;
    int i;

    for (i = 0; i < NCALLS; i++) {
        ftx__request req = {"GET", "/groups?limit=1", NULL, 0, 0, 0};
        json_t *out = NULL;
        ftx_error err = {0};

        if (ftx__call_data(a->c, &req, &out, &err) == FTX_OK &&
            json_integer_value(json_object_get(out, "n")) == 42)
            a->ok++;
        json_decref(out);
    }
    return NULL;
}

static void test_concurrent_calls(void **state)
{
    mock_server *ms = *state;
    ftx_client *c = th_client(ms);
    pthread_t t[NTHREADS];
    struct thread_arg args[NTHREADS];
    int i;

    for (i = 0; i < NTHREADS * NCALLS; i++)
        mock_server_respond(ms, 200, "{\"code\":\"Success\",\"data\":{\"n\":42}}");
    for (i = 0; i < NTHREADS; i++) {
        args[i].c = c;
        args[i].ok = 0;
        assert_int_equal(pthread_create(&t[i], NULL, thread_main, &args[i]), 0);
    }
    for (i = 0; i < NTHREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(args[i].ok, NCALLS);
    }
    assert_int_equal(mock_server_request_count(ms), NTHREADS * NCALLS);
    /* One connection per pooled handle at most. */
    assert_in_range(mock_server_connection_count(ms), 1, NTHREADS);
    ftx_client_free(c);
}

static void test_max_idle_handles(void **state)
{
    mock_server *ms = *state;
    ftx_client_options o = th_options(ms, NULL);
    ftx_client *c;
    ftx_error err = {0};
    int i;

    o.max_idle_handles = 1;
    c = th_client_opts(&o);
    for (i = 0; i < 3; i++)
        mock_server_respond(ms, 200, "{}");
    for (i = 0; i < 3; i++)
        assert_int_equal(do_get(c, "/groups", 0, NULL, &err), FTX_OK);
    assert_int_equal(mock_server_connection_count(ms), 1);
    ftx_client_free(c);
}

/* ---- observer ---- */

#define MAX_SEEN 16

struct seen {
    int n;
    char method[MAX_SEEN][16];
    char path[MAX_SEEN][256];
    int status[MAX_SEEN];
    int attempt[MAX_SEEN];
    int error_type[MAX_SEEN];
    double elapsed[MAX_SEEN];
};

static void observer(const ftx_request_info *info, void *userdata)
{
    struct seen *s = userdata;

    if (s->n >= MAX_SEEN)
        return;
    snprintf(s->method[s->n], sizeof(s->method[0]), "%s", info->method);
    snprintf(s->path[s->n], sizeof(s->path[0]), "%s", info->path);
    s->status[s->n] = info->status;
    s->attempt[s->n] = info->attempt;
    s->error_type[s->n] = info->error_type;
    s->elapsed[s->n] = info->elapsed_ms;
    s->n++;
}

static void test_observer(void **state)
{
    mock_server *ms = *state;
    ftx_client_options o = th_options(ms, NULL);
    struct seen s;
    ftx_client *c;
    ftx_error err = {0};

    memset(&s, 0, sizeof(s));
    o.observer = observer;
    o.observer_userdata = &s;
    c = th_client_opts(&o);
    mock_server_respond(ms, 503, "<html>busy</html>");
    mock_server_respond(ms, 200, "{\"code\":\"Success\",\"data\":{}}");
    assert_int_equal(do_get(c, "/groups?limit=2", 0, NULL, &err), FTX_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.method[0], "GET");
    assert_string_equal(s.path[0], "/groups?limit=2");
    assert_int_equal(s.status[0], 503);
    assert_int_equal(s.attempt[0], 1);
    assert_int_equal(s.error_type[0], FTX_ERR_SERVER);
    assert_true(s.elapsed[0] >= 0.0);
    assert_int_equal(s.status[1], 200);
    assert_int_equal(s.attempt[1], 2);
    assert_int_equal(s.error_type[1], FTX_OK);
    ftx_client_free(c);
}

/* ---- secrets never leak ---- */

static void assert_clean(const ftx_error *err, const struct seen *s)
{
    int i;

    th_assert_no_secret(err->message);
    th_assert_no_secret(err->code);
    assert_null(strstr(err->message, "Basic "));
    assert_null(strstr(err->message, "dGVzdF9rZXk6")); /* base64 of "test_key:" */
    for (i = 0; i < s->n; i++) {
        th_assert_no_secret(s->method[i]);
        th_assert_no_secret(s->path[i]);
    }
}

static void test_secret_never_leaks(void **state)
{
    mock_server *ms = *state;
    ftx_client_options o = th_options(ms, NULL);
    struct seen s;
    ftx_client *c;
    ftx_error err;
    mock_response drop = {0, NULL, NULL, 0, MOCK_DROP};
    mock_response trunc = {200, "{\"code\":\"Success\",\"data\":{\"id\":\"abcdefgh\"}}", NULL, 0,
                           MOCK_TRUNCATE};
    mock_response slow = {200, "{}", NULL, 400, MOCK_REPLY};
    static const int statuses[] = {400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 405};
    ftx__request create = {"POST", "/groups", NULL, 0, 1, 0};
    size_t i;

    memset(&s, 0, sizeof(s));
    o.observer = observer;
    o.observer_userdata = &s;
    o.retry.max_attempts = 1;
    o.timeout_ms = 150;
    c = th_client_opts(&o);

    for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
        mock_server_respond(ms, statuses[i],
                            "{\"code\":\"Oops\",\"message\":\"something went wrong\"}");
        memset(&err, 0, sizeof(err));
        assert_true(do_get(c, "/groups/g", 0, NULL, &err) < 0);
        assert_clean(&err, &s);
    }
    mock_server_respond(ms, 502, "<html><body>Bad Gateway</body></html>");
    assert_int_equal(do_get(c, "/groups", 0, NULL, &err), FTX_ERR_SERVER);
    assert_clean(&err, &s);
    mock_server_respond(ms, 500, "{}");
    assert_int_equal(ftx__call(c, &create, NULL, &err), FTX_ERR_OUTCOME_UNKNOWN);
    assert_clean(&err, &s);
    mock_server_respond(ms, 200, "{not json");
    assert_int_equal(do_get(c, "/groups", 0, NULL, &err), FTX_ERR_DECODE);
    assert_clean(&err, &s);
    /* A drop on a fresh connection (curl itself re-sends once when a reused
     * connection closes before any byte arrives). */
    ftx_client_free(c);
    c = th_client_opts(&o);
    mock_server_respond_full(ms, &drop);
    assert_int_equal(do_get(c, "/groups", 0, NULL, &err), FTX_ERR_TRANSPORT);
    assert_clean(&err, &s);
    mock_server_respond_full(ms, &trunc);
    assert_int_equal(do_get(c, "/groups", 0, NULL, &err), FTX_ERR_TRANSPORT);
    assert_clean(&err, &s);
    mock_server_respond_full(ms, &slow);
    assert_int_equal(do_get(c, "/groups", 0, NULL, &err), FTX_ERR_TRANSPORT);
    assert_clean(&err, &s);
    ftx_client_free(c);

    /* A dead port: connection refused. */
    {
        mock_server *dead = mock_server_start();
        char url[128];

        assert_non_null(dead);
        snprintf(url, sizeof(url), "%s", mock_server_url(dead));
        mock_server_stop(dead);
        o.base_url = url;
        c = th_client_opts(&o);
        assert_int_equal(do_get(c, "/groups", 0, NULL, &err), FTX_ERR_TRANSPORT);
        assert_clean(&err, &s);
        ftx_client_free(c);
    }
    assert_true(s.n > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_options_init),
        cmocka_unit_test_setup_teardown(test_bad_options_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_secret, setup, teardown),
        cmocka_unit_test_setup_teardown(test_env_fallbacks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_default_base_url_and_trim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_base_url_userinfo_refused_and_redacted, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_get_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_post_patch_delete_bodies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlong_path_is_invalid_argument, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rate_limit_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keepalive_one_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_idle_handles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_observer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_never_leaks, setup, teardown),
    };
    int rc;

    ftx_global_init();
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    ftx_global_cleanup();
    return rc;
}
