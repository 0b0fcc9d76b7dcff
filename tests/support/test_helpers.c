#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "test_helpers.h"

void th_fake_clock_init(th_fake_clock *fc)
{
    memset(fc, 0, sizeof(*fc));
    pthread_mutex_init(&fc->lock, NULL);
    fc->now_ms = 1000000;
}

void th_fake_clock_dispose(th_fake_clock *fc)
{
    pthread_mutex_destroy(&fc->lock);
}

static uint64_t fake_now(void *userdata)
{
    th_fake_clock *fc = userdata;
    uint64_t now;

    if (fc == NULL)
        return 0;
    pthread_mutex_lock(&fc->lock);
    now = fc->now_ms;
    pthread_mutex_unlock(&fc->lock);
    return now;
}

static void fake_sleep(uint64_t ms, void *userdata)
{
    th_fake_clock *fc = userdata;

    if (fc == NULL)
        return;
    pthread_mutex_lock(&fc->lock);
    if (fc->nsleeps < TH_MAX_SLEEPS)
        fc->sleeps[fc->nsleeps] = ms;
    fc->nsleeps++;
    fc->now_ms += ms;
    fc->total_slept_ms += ms;
    pthread_mutex_unlock(&fc->lock);
}

ftx_clock th_fake_clock_get(th_fake_clock *fc)
{
    ftx_clock c = {fake_now, fake_sleep, fc, {NULL}};

    return c;
}

ftx_client_options th_options(mock_server *ms, th_fake_clock *fc)
{
    ftx_client_options o = FTX_CLIENT_OPTIONS_INIT;

    o.api_key = TH_API_KEY;
    o.api_secret = TH_API_SECRET;
    o.base_url = mock_server_url(ms);
    o.connect_timeout_ms = 5000;
    o.timeout_ms = 10000;
    o.clock = th_fake_clock_get(fc);
    return o;
}

ftx_client *th_client_opts(const ftx_client_options *opts)
{
    ftx_client *c = NULL;
    ftx_error err = {0};
    int rc = ftx_client_new(&c, opts, &err);

    if (rc != FTX_OK)
        fail_msg("ftx_client_new: %s (%s)", err.message, ftx_error_type_name(rc));
    assert_non_null(c);
    return c;
}

ftx_client *th_client_clock(mock_server *ms, th_fake_clock *fc)
{
    ftx_client_options o = th_options(ms, fc);

    return th_client_opts(&o);
}

ftx_client *th_client(mock_server *ms)
{
    return th_client_clock(ms, NULL);
}

static char *expected_basic(void)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *in = TH_API_KEY ":" TH_API_SECRET;
    size_t n = strlen(in), i, o = 0;
    char *out = malloc(6 + (n + 2) / 3 * 4 + 1);

    assert_non_null(out);
    memcpy(out, "Basic ", 6);
    o = 6;
    for (i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)(unsigned char)in[i] << 16;

        if (i + 1 < n)
            v |= (uint32_t)(unsigned char)in[i + 1] << 8;
        if (i + 2 < n)
            v |= (uint32_t)(unsigned char)in[i + 2];
        out[o++] = tbl[(v >> 18) & 63];
        out[o++] = tbl[(v >> 12) & 63];
        out[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? tbl[v & 63] : '=';
    }
    out[o] = '\0';
    return out;
}

void th_assert_request(const mock_request *r, const char *method, const char *path,
                       const char *query, const char *accept)
{
    char *basic;

    assert_non_null(r);
    assert_string_equal(r->method, method);
    assert_string_equal(r->path, path);
    if (query == NULL) {
        if (r->query != NULL && r->query[0] != '\0')
            fail_msg("expected no query, got \"%s\"", r->query);
    } else {
        assert_non_null(r->query);
        assert_string_equal(r->query, query);
    }
    if (accept != NULL) {
        assert_non_null(r->accept);
        assert_string_equal(r->accept, accept);
    }
    /* Compared without printing: the header carries the secret. */
    basic = expected_basic();
    if (r->authorization == NULL || strcmp(r->authorization, basic) != 0) {
        free(basic);
        fail_msg("Authorization header missing or not Basic with the test credentials");
    }
    free(basic);
}

json_t *th_json(const char *text)
{
    json_error_t jerr;
    json_t *j;

    assert_non_null(text);
    j = json_loads(text, JSON_DECODE_ANY, &jerr);
    if (j == NULL)
        fail_msg("invalid JSON (%s): %s", jerr.text, text);
    return j;
}

void th_assert_json_eq(const char *actual, const char *expected)
{
    json_t *a, *e;
    int eq;

    if (actual == NULL)
        fail_msg("expected JSON %s, got nothing", expected);
    a = th_json(actual);
    e = th_json(expected);
    eq = json_equal(a, e);
    json_decref(a);
    json_decref(e);
    if (!eq)
        fail_msg("JSON differs:\n  actual:   %s\n  expected: %s", actual, expected);
}

void th_assert_no_secret(const char *text)
{
    if (text != NULL && strstr(text, TH_API_SECRET) != NULL)
        fail_msg("the API secret leaked into a message");
}

char *th_read_fixture(const char *name)
{
    char path[1024];
    FILE *f;
    long size;
    char *buf;

    (void)snprintf(path, sizeof(path), "%s/%s", FTX_TEST_DATA_DIR, name);
    f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open fixture %s", path);
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        fail_msg("cannot size fixture %s", path);
    }
    buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        free(buf);
        fail_msg("cannot read fixture %s", path);
    }
    fclose(f);
    buf[size] = '\0';
    return buf;
}

void th_respond_fixture(mock_server *ms, int status, const char *name)
{
    char *body = th_read_fixture(name);

    mock_server_respond(ms, status, body);
    free(body);
}

const mock_request *th_assert_call(mock_server *ms, size_t i, const char *method, const char *path,
                                   const char *query, const char *accept, const char *body)
{
    const mock_request *r = mock_server_request(ms, i);

    th_assert_request(r, method, path, query, accept);
    if (query == NULL)
        assert_null(r->query);
    if (body == NULL) {
        assert_null(r->body);
    } else {
        th_assert_json_eq(r->body, body);
        assert_non_null(r->content_type);
        assert_non_null(strstr(r->content_type, "application/json"));
    }
    return r;
}

static int fixture_setup(void **state, int max_attempts, int with_client)
{
    th_fixture *fx = calloc(1, sizeof(*fx));

    if (fx == NULL)
        return -1;
    fx->ms = mock_server_start();
    if (fx->ms == NULL) {
        free(fx);
        return -1;
    }
    th_fake_clock_init(&fx->fc);
    if (with_client) {
        ftx_client_options o = th_options(fx->ms, &fx->fc);

        if (max_attempts > 0)
            o.retry.max_attempts = max_attempts;
        fx->client = th_client_opts(&o);
    }
    *state = fx;
    return 0;
}

int th_setup(void **state)
{
    return fixture_setup(state, 0, 1);
}

int th_setup_one_attempt(void **state)
{
    return fixture_setup(state, 1, 1);
}

int th_setup_no_client(void **state)
{
    return fixture_setup(state, 0, 0);
}

int th_teardown(void **state)
{
    th_fixture *fx = *state;

    ftx_client_free(fx->client);
    mock_server_stop(fx->ms);
    th_fake_clock_dispose(&fx->fc);
    free(fx);
    return 0;
}

mock_server *th_ms;

int th_group_setup(void **state)
{
    (void)state;
    th_ms = mock_server_start();
    return th_ms == NULL ? -1 : 0;
}

int th_group_teardown(void **state)
{
    (void)state;
    mock_server_stop(th_ms);
    th_ms = NULL;
    return 0;
}

int th_reset(void **state)
{
    (void)state;
    mock_server_reset(th_ms);
    return 0;
}
