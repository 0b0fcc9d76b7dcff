/*
 * Shared by the generated operation tests: see gen_support.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gen_support.h"
#include "test_helpers.h"

mock_server *gen_ms;
ftx_client *gen_client;

int gen_group_setup(void **state)
{
    (void)state;
    gen_ms = mock_server_start();
    if (gen_ms == NULL)
        return -1;
    gen_client = th_client(gen_ms);
    return gen_client == NULL ? -1 : 0;
}

int gen_group_teardown(void **state)
{
    (void)state;
    ftx_client_free(gen_client);
    gen_client = NULL;
    mock_server_stop(gen_ms);
    gen_ms = NULL;
    return 0;
}

int gen_reset(void **state)
{
    (void)state;
    mock_server_reset(gen_ms);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Split a raw query into its sorted `name=value` pairs (in place); returns the count. */
static size_t query_pairs(char *q, char **pairs, size_t max)
{
    size_t n = 0;
    char *save = NULL, *p;

    for (p = strtok_r(q, "&", &save); p != NULL; p = strtok_r(NULL, "&", &save)) {
        if (n == max)
            fail_msg("query has more than %zu parameters", max);
        pairs[n++] = p;
    }
    qsort(pairs, n, sizeof(*pairs), cmp_str);
    return n;
}

static void assert_query(const char *actual, const char *expected)
{
    char *a, *e, *ap[32], *ep[32];
    size_t na, ne, k;

    if (expected == NULL) {
        if (actual != NULL)
            fail_msg("expected no query, got \"%s\"", actual);
        return;
    }
    if (actual == NULL)
        fail_msg("expected the query \"%s\", got none", expected);
    a = strdup(actual);
    e = strdup(expected);
    assert_non_null(a);
    assert_non_null(e);
    na = query_pairs(a, ap, 32);
    ne = query_pairs(e, ep, 32);
    if (na != ne)
        fail_msg("query \"%s\" is not \"%s\"", actual, expected);
    for (k = 0; k < na; k++)
        if (strcmp(ap[k], ep[k]) != 0)
            fail_msg("query \"%s\" is not \"%s\" (%s)", actual, expected, ep[k]);
    free(a);
    free(e);
}

void gen_assert_request(size_t i, const char *method, const char *path, const char *query,
                        const char *accept, const char *body)
{
    const mock_request *r;

    assert_true(i < mock_server_request_count(gen_ms));
    r = mock_server_request(gen_ms, i);
    assert_query(r->query, query);
    th_assert_request(r, method, path, r->query, accept);
    if (body == NULL) {
        if (r->body != NULL)
            fail_msg("expected no body, got %s", r->body);
        if (r->content_type != NULL)
            fail_msg("expected no Content-Type with no body, got %s", r->content_type);
    } else {
        th_assert_json_eq(r->body, body);
        assert_non_null(r->content_type);
        assert_non_null(strstr(r->content_type, "application/json"));
    }
}

void gen_assert_time(const ftx_time *t, const char *iso, long long epoch_ms)
{
    assert_non_null(t->iso);
    assert_string_equal(t->iso, iso);
    assert_int_equal(t->valid, 1);
    assert_int_equal(t->epoch_ms, epoch_ms);
}

void gen_assert_no_time(const ftx_time *t)
{
    assert_null(t->iso);
    assert_int_equal(t->valid, 0);
}

void gen_assert_json(const json_t *j, const char *expected)
{
    json_t *e = gen_json(expected);
    int eq = j != NULL && json_equal(j, e);

    json_decref(e);
    if (!eq) {
        char *text = j != NULL ? json_dumps(j, JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;

        fail_msg("JSON differs:\n  actual:   %s\n  expected: %s", text != NULL ? text : "(null)",
                 expected);
    }
}

void gen_assert_error(int rc, const ftx_error *err, int type, int status, const char *code)
{
    assert_int_equal(rc, type);
    assert_int_equal(err->type, type);
    assert_int_equal(err->status, status);
    assert_string_equal(err->code, code);
    th_assert_no_secret(err->message);
}

void gen_assert_refused(int rc, const ftx_error *err, const char *what)
{
    assert_int_equal(rc, FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(err->type, FTX_ERR_INVALID_ARGUMENT);
    if (what != NULL && strstr(err->message, what) == NULL)
        fail_msg("the message \"%s\" does not name %s", err->message, what);
    assert_int_equal(mock_server_request_count(gen_ms), 0);
}

json_t *gen_json(const char *text)
{
    return th_json(text);
}
