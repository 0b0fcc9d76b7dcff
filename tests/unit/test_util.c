/*
 * Unit tests of the internal helpers: buffers, percent-encoding, paths, queries,
 * timestamps, JSON readers, the envelope, error names, and allocation failures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "test_helpers.h"

/* ---- buffers ---- */

static void test_buf_append_printf_detach(void **state)
{
    ftx__buf b = FTX__BUF_INIT;
    char *s;
    int i;

    (void)state;
    assert_int_equal(ftx__buf_puts(&b, "abc"), 0);
    assert_int_equal(ftx__buf_append(&b, "defXX", 3), 0);
    assert_int_equal(ftx__buf_printf(&b, "-%d-%s", 42, "z"), 0);
    assert_string_equal(b.ptr, "abcdef-42-z");
    assert_int_equal(b.len, 11);
    /* growth across several reallocations keeps the content */
    for (i = 0; i < 200; i++)
        assert_int_equal(ftx__buf_puts(&b, "0123456789"), 0);
    assert_int_equal(b.len, 11 + 2000);
    assert_int_equal(strlen(b.ptr), b.len);
    assert_memory_equal(b.ptr + b.len - 10, "0123456789", 10);
    s = ftx__buf_detach(&b);
    assert_non_null(s);
    assert_null(b.ptr);
    assert_int_equal(b.len, 0);
    ftx__free(s);
    /* detach of an empty buffer is an empty string, never NULL */
    s = ftx__buf_detach(&b);
    assert_non_null(s);
    assert_string_equal(s, "");
    ftx__free(s);
    ftx__buf_dispose(&b);
    ftx__buf_dispose(NULL);
}

static void test_buf_oom(void **state)
{
    ftx__buf b = FTX__BUF_INIT;

    (void)state;
    ftx__alloc_fail_at(1);
    assert_int_equal(ftx__buf_puts(&b, "abc"), -1);
    assert_null(b.ptr);
    assert_int_equal(ftx__buf_puts(&b, "abc"), 0);
    assert_string_equal(b.ptr, "abc");
    ftx__buf_dispose(&b);
}

static char *encode(const char *s)
{
    ftx__buf b = FTX__BUF_INIT;

    assert_int_equal(ftx__buf_put_encoded(&b, s), 0);
    return ftx__buf_detach(&b);
}

static void check_encoding(const char *in, const char *expected)
{
    char *out = encode(in);

    assert_string_equal(out, expected);
    ftx__free(out);
}

static void test_encoding_hostile_ids(void **state)
{
    (void)state;
    check_encoding("decent_dropsy", "decent_dropsy");
    check_encoding("AZaz09-._~", "AZaz09-._~");
    check_encoding("../x", "..%2Fx");
    check_encoding("..", "%2E%2E");
    check_encoding(".", "%2E");
    check_encoding("...", "...");
    check_encoding("a.b", "a.b");
    check_encoding("a/b", "a%2Fb");
    check_encoding("a?b#c", "a%3Fb%23c");
    check_encoding("a b", "a%20b");
    check_encoding("100%", "100%25");
    check_encoding("a+b&c=d;e", "a%2Bb%26c%3Dd%3Be");
    check_encoding("\\", "%5C");
    check_encoding("caf\xc3\xa9", "caf%C3%A9");
    check_encoding("\xe2\x82\xac", "%E2%82%AC");
    check_encoding("\x01\x7f\xff", "%01%7F%FF");
    check_encoding("", "");
    check_encoding(NULL, "");
}

/* ---- paths and queries ---- */

static void test_path_placeholders(void **state)
{
    ftx_error err = {0};
    char *p = NULL;

    (void)state;
    assert_int_equal(ftx__path(&p, &err, "/groups/{group_id}", "decent_dropsy"), FTX_OK);
    assert_string_equal(p, "/groups/decent_dropsy");
    ftx__free(p);

    assert_int_equal(ftx__path(&p, &err, "/groups/{group_id}", "../x"), FTX_OK);
    assert_string_equal(p, "/groups/..%2Fx");
    ftx__free(p);

    assert_int_equal(ftx__path(&p, &err, "/groups/{group_id}", ".."), FTX_OK);
    assert_string_equal(p, "/groups/%2E%2E");
    ftx__free(p);

    assert_int_equal(ftx__path(&p, &err, "/connections/{connector_id}/schemas/{schema}/tables",
                               "a?b#c", "my schema"),
                     FTX_OK);
    assert_string_equal(p, "/connections/a%3Fb%23c/schemas/my%20schema/tables");
    ftx__free(p);

    assert_int_equal(ftx__path(&p, &err, "/groups"), FTX_OK);
    assert_string_equal(p, "/groups");
    ftx__free(p);
}

static void test_path_rejects_null_and_empty(void **state)
{
    ftx_error err = {0};
    char *p = (char *)"sentinel";

    (void)state;
    assert_int_equal(ftx__path(&p, &err, "/groups/{group_id}", (const char *)NULL),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_null(p);
    assert_int_equal(err.type, FTX_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.message, "group_id must be a non-empty string");

    assert_int_equal(ftx__path(&p, &err, "/connections/{connector_id}/schemas/{schema}", "c1", ""),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_null(p);
    assert_string_equal(err.message, "schema must be a non-empty string");

    /* no err: still the return code */
    assert_int_equal(ftx__path(&p, NULL, "/groups/{group_id}", ""), FTX_ERR_INVALID_ARGUMENT);
}

/* ftx__path terminates the list itself, so a wrong number of ids is caught, not read
 * past. */
static void test_path_counts_arguments(void **state)
{
    ftx_error err = {0};
    char *p = (char *)"sentinel";

    (void)state;
    assert_int_equal(ftx__path(&p, &err, "/a/{x}/b/{y}", "1"), FTX_ERR_INVALID_ARGUMENT);
    assert_null(p);
    assert_string_equal(err.message, "path template \"/a/{x}/b/{y}\" has 2 placeholders but 1 "
                                     "argument was given: {y} has none");
    assert_int_equal(ftx__path(&p, &err, "/a/{x}", "1", "2"), FTX_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.message, "path template \"/a/{x}\" has 1 placeholder but more "
                                     "arguments came before the terminating marker");
    assert_int_equal(ftx__path(&p, &err, "/a", "1"), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx__path_placeholders("/a/{x}/b/{y}/{"), 2);
}

static void test_path_oom(void **state)
{
    ftx_error err = {0};
    char *p = NULL;
    long i;
    int rc;

    (void)state;
    for (i = 1;; i++) {
        ftx__alloc_fail_at(i);
        rc = ftx__path(&p, &err, "/groups/{group_id}/x/{y}", "abc/def", "z");
        if (rc == FTX_OK)
            break;
        assert_int_equal(rc, FTX_ERR_NOMEM);
        assert_int_equal(err.type, FTX_ERR_NOMEM);
        assert_null(p);
    }
    ftx__alloc_fail_at(0);
    assert_true(i > 1);
    assert_string_equal(p, "/groups/abc%2Fdef/x/z");
    ftx__free(p);
}

static void test_query_add(void **state)
{
    ftx__buf b = FTX__BUF_INIT;

    (void)state;
    assert_int_equal(ftx__buf_puts(&b, "/groups"), 0);
    assert_int_equal(ftx__query_add(&b, "cursor", "eyJza2lwIjoxfQ=="), 0);
    assert_string_equal(b.ptr, "/groups?cursor=eyJza2lwIjoxfQ%3D%3D");
    assert_int_equal(ftx__query_add(&b, "limit", "2"), 0);
    assert_string_equal(b.ptr, "/groups?cursor=eyJza2lwIjoxfQ%3D%3D&limit=2");
    /* NULL value: nothing added */
    assert_int_equal(ftx__query_add(&b, "schema", NULL), 0);
    assert_string_equal(b.ptr, "/groups?cursor=eyJza2lwIjoxfQ%3D%3D&limit=2");
    /* a value cannot inject another parameter */
    assert_int_equal(ftx__query_add(&b, "schema", "a&limit=1000#x"), 0);
    assert_string_equal(b.ptr,
                        "/groups?cursor=eyJza2lwIjoxfQ%3D%3D&limit=2&schema=a%26limit%3D1000%23x");
    ftx__buf_dispose(&b);
}

/* ---- timestamps ---- */

static void check_time(const char *iso, int64_t expected)
{
    int64_t ms = -42;

    if (ftx_time_parse(iso, &ms) != 0)
        fail_msg("ftx_time_parse rejected \"%s\"", iso);
    assert_int_equal(ms, expected);
}

static void check_bad_time(const char *iso)
{
    int64_t ms = 0;

    if (ftx_time_parse(iso, &ms) != -1)
        fail_msg("ftx_time_parse accepted \"%s\"", iso ? iso : "(null)");
}

static void test_time_parse_valid(void **state)
{
    (void)state;
    check_time("2022-04-29T09:41:08Z", 1651225268000);           /* 0 fractional digits */
    check_time("2022-04-29T09:41:08.583Z", 1651225268583);       /* 3 */
    check_time("2022-04-29T09:41:08.5Z", 1651225268500);         /* 1 */
    check_time("2020-05-25T15:26:47.306509Z", 1590420407306);    /* 6 */
    check_time("2020-05-25T15:26:47.306509999Z", 1590420407306); /* 9, truncated */
    check_time("2022-04-29T09:41:08.583+02:00", 1651218068583);
    check_time("2022-04-29T09:41:08-05:30", 1651245068000);
    check_time("2022-04-29T09:41:08+0000", 1651225268000);
    check_time("2022-04-29T09:41:08+00:00", 1651225268000);
    check_time("2022-04-29T09:41:08", 1651225268000); /* no zone: UTC */
    check_time("2020-05-25", 1590364800000);          /* a date is midnight UTC */
    check_time("2020-02-29T12:00:00Z", 1582977600000);
    check_time("1970-01-01T00:00:00Z", 0);
    check_time("1969-12-31T23:59:59Z", -1000);
    assert_int_equal(ftx_time_parse("2020-05-25", NULL), 0);
}

static void test_time_parse_garbage(void **state)
{
    (void)state;
    check_bad_time(NULL);
    check_bad_time("");
    check_bad_time("soon");
    check_bad_time("2020");
    check_bad_time("2020-05");
    check_bad_time("2020-13-01");
    check_bad_time("2020-00-10");
    check_bad_time("2021-02-29");
    check_bad_time("2020-04-31");
    check_bad_time("2020-05-25T");
    check_bad_time("2020-05-25T25:00:00Z");
    check_bad_time("2020-05-25T10:61:00Z");
    check_bad_time("2020-05-25T15:26:47.Z");
    check_bad_time("2020-05-25T15:26:47.1234567890Z"); /* 10 digits */
    check_bad_time("2020-05-25T15:26:47Zjunk");
    check_bad_time("2020-05-25T15:26:47+25:00");
    check_bad_time("2020-05-25T15:26:47+");
    check_bad_time("2020-05-25 ");
    check_bad_time("20200525");
    check_bad_time("2020-05-25T15:26:47.306509Z\n");
    check_bad_time("-020-05-25");
}

/* ---- JSON readers ---- */

static const char *reader_doc =
    "{\"s\":\"text\",\"i\":42,\"r\":1.5,\"t\":true,\"f\":false,\"n\":null,\"o\":{\"k\":1},"
    "\"a\":[\"x\",1,\"y\",null],\"empty\":[],\"st\":\"true\",\"sf\":\"FALSE\",\"si\":\"-17\","
    "\"sbad\":\"4x\",\"time\":\"2020-05-25T15:26:47.306509Z\",\"badtime\":\"soon\",\"ni\":3.9}";

static void test_json_jstr(void **state)
{
    json_t *doc = th_json(reader_doc);
    ftx__jctx ctx = {0};
    char *s;

    (void)state;
    s = ftx__jstr(&ctx, doc, "s");
    assert_string_equal(s, "text");
    ftx__free(s);
    s = ftx__jstr(&ctx, doc, "i");
    assert_string_equal(s, "42");
    ftx__free(s);
    s = ftx__jstr(&ctx, doc, "r");
    assert_string_equal(s, "1.5");
    ftx__free(s);
    assert_null(ftx__jstr(&ctx, doc, "n"));
    assert_null(ftx__jstr(&ctx, doc, "missing"));
    assert_null(ftx__jstr(&ctx, doc, "t"));
    assert_null(ftx__jstr(&ctx, doc, "o"));
    assert_null(ftx__jstr(&ctx, doc, "a"));
    assert_null(ftx__jstr(&ctx, json_object_get(doc, "a"), "s")); /* not an object */
    assert_null(ftx__jstr(&ctx, NULL, "s"));
    assert_int_equal(ctx.oom, 0);

    ftx__alloc_fail_at(1);
    assert_null(ftx__jstr(&ctx, doc, "s"));
    assert_int_equal(ctx.oom, 1);
    json_decref(doc);
}

static void test_json_jbool_jint(void **state)
{
    json_t *doc = th_json(reader_doc);

    (void)state;
    assert_int_equal(ftx__jbool(doc, "t", 0), 1);
    assert_int_equal(ftx__jbool(doc, "f", 1), 0);
    assert_int_equal(ftx__jbool(doc, "st", 0), 1);
    assert_int_equal(ftx__jbool(doc, "sf", 1), 0);
    assert_int_equal(ftx__jbool(doc, "n", 1), 1);
    assert_int_equal(ftx__jbool(doc, "n", 0), 0);
    assert_int_equal(ftx__jbool(doc, "i", -1), -1);
    assert_int_equal(ftx__jbool(doc, "s", -1), -1);
    assert_int_equal(ftx__jbool(doc, "missing", -1), -1);
    assert_int_equal(ftx__jbool(NULL, "t", -1), -1);

    assert_int_equal(ftx__jint(doc, "i", -1), 42);
    assert_int_equal(ftx__jint(doc, "si", -1), -17);
    assert_int_equal(ftx__jint(doc, "ni", -1), 3);
    assert_int_equal(ftx__jint(doc, "sbad", -1), -1);
    assert_int_equal(ftx__jint(doc, "s", -1), -1);
    assert_int_equal(ftx__jint(doc, "n", -1), -1);
    assert_int_equal(ftx__jint(doc, "t", -1), -1);
    assert_int_equal(ftx__jint(doc, "o", -1), -1);
    assert_int_equal(ftx__jint(doc, "missing", 7), 7);
    json_decref(doc);
}

static void test_json_jtime(void **state)
{
    json_t *doc = th_json(reader_doc);
    ftx__jctx ctx = {0};
    ftx_time t, copy;

    (void)state;
    ftx__jtime(&ctx, doc, "time", &t);
    assert_string_equal(t.iso, "2020-05-25T15:26:47.306509Z");
    assert_int_equal(t.valid, 1);
    assert_int_equal(t.epoch_ms, 1590420407306);
    ftx__time_dup(&ctx, &copy, &t);
    assert_string_equal(copy.iso, t.iso);
    assert_ptr_not_equal(copy.iso, t.iso);
    assert_int_equal(copy.epoch_ms, t.epoch_ms);
    assert_int_equal(copy.valid, 1);
    ftx__time_dispose(&copy);
    assert_null(copy.iso);
    ftx__time_dispose(&t);

    ftx__jtime(&ctx, doc, "badtime", &t); /* kept as text, not valid */
    assert_string_equal(t.iso, "soon");
    assert_int_equal(t.valid, 0);
    ftx__time_dispose(&t);

    ftx__jtime(&ctx, doc, "n", &t);
    assert_null(t.iso);
    assert_int_equal(t.valid, 0);
    ftx__jtime(&ctx, doc, "i", &t);
    assert_null(t.iso);
    assert_int_equal(t.valid, 0);
    ftx__jtime(&ctx, doc, "missing", &t);
    assert_null(t.iso);
    assert_int_equal(ctx.oom, 0);
    ftx__time_dispose(&t);
    json_decref(doc);
}

static void test_json_jref_jstrv(void **state)
{
    json_t *doc = th_json(reader_doc);
    ftx__jctx ctx = {0};
    json_t *o;
    char **v, **copy;
    size_t n = 99;

    (void)state;
    o = ftx__jref(doc, "o");
    assert_ptr_equal(o, json_object_get(doc, "o"));
    assert_int_equal(o->refcount, 2);
    json_decref(o);
    assert_null(ftx__jref(doc, "n"));
    assert_null(ftx__jref(doc, "missing"));
    assert_null(ftx__jref(NULL, "o"));

    v = ftx__jstrv(&ctx, doc, "a", &n);
    assert_non_null(v);
    assert_int_equal(n, 2); /* non-strings skipped */
    assert_string_equal(v[0], "x");
    assert_string_equal(v[1], "y");
    assert_null(v[2]);
    copy = ftx__strv_dup(&ctx, v, n);
    assert_non_null(copy);
    assert_string_equal(copy[1], "y");
    assert_null(copy[2]);
    ftx__strv_free(copy);
    ftx__strv_free(v);

    v = ftx__jstrv(&ctx, doc, "empty", &n);
    assert_non_null(v);
    assert_int_equal(n, 0);
    assert_null(v[0]);
    ftx__strv_free(v);

    n = 5;
    assert_null(ftx__jstrv(&ctx, doc, "s", &n));
    assert_int_equal(n, 0);
    assert_null(ftx__jstrv(&ctx, doc, "n", &n));
    assert_null(ftx__jstrv(&ctx, doc, "missing", NULL));
    assert_null(ftx__strv_dup(&ctx, NULL, 0));
    assert_int_equal(ctx.oom, 0);
    ftx__strv_free(NULL);

    ftx__alloc_fail_at(2); /* the second string */
    assert_null(ftx__jstrv(&ctx, doc, "a", &n));
    assert_int_equal(ctx.oom, 1);
    ftx__alloc_fail_at(0);
    json_decref(doc);
}

/* ---- envelope ---- */

static int unwrap(const char *text, json_t **data, ftx_error *err)
{
    json_t *body = th_json(text);
    int rc = ftx__envelope_data(body, data, err);

    json_decref(body);
    return rc;
}

static void test_envelope_data(void **state)
{
    ftx_error err = {0};
    json_t *data = NULL;

    (void)state;
    assert_int_equal(unwrap("{\"code\":\"Success\",\"data\":{\"id\":\"g\"}}", &data, &err), FTX_OK);
    assert_string_equal(json_string_value(json_object_get(data, "id")), "g");
    json_decref(data);

    /* a bare object (no envelope) is the object */
    assert_int_equal(unwrap("{\"id\":\"bare\"}", &data, &err), FTX_OK);
    assert_string_equal(json_string_value(json_object_get(data, "id")), "bare");
    json_decref(data);

    assert_int_equal(unwrap("{\"code\":\"Success\",\"message\":\"ok\"}", &data, &err),
                     FTX_ERR_DECODE);
    assert_null(data);
    assert_int_equal(err.type, FTX_ERR_DECODE);
    assert_int_equal(unwrap("{\"code\":\"Success\",\"data\":null}", &data, &err), FTX_ERR_DECODE);
    assert_int_equal(unwrap("{\"code\":\"Success\",\"data\":[1]}", &data, &err), FTX_ERR_DECODE);
    assert_int_equal(unwrap("{\"code\":\"Success\",\"data\":\"x\"}", &data, &err), FTX_ERR_DECODE);
    assert_int_equal(unwrap("[{\"data\":{}}]", &data, &err), FTX_ERR_DECODE);
    assert_int_equal(unwrap("\"data\"", &data, &err), FTX_ERR_DECODE);
    assert_int_equal(ftx__envelope_data(NULL, &data, &err), FTX_ERR_DECODE);
    assert_null(data);
}

/* ---- errors ---- */

static void test_error_names(void **state)
{
    static const struct {
        int type;
        const char *name;
    } names[] = {
        {FTX_OK, "ok"},
        {FTX_ERR_INVALID_ARGUMENT, "invalid_argument"},
        {FTX_ERR_UNAUTHORIZED, "unauthorized"},
        {FTX_ERR_FORBIDDEN, "forbidden"},
        {FTX_ERR_NOT_FOUND, "not_found"},
        {FTX_ERR_CONFLICT, "conflict"},
        {FTX_ERR_BAD_REQUEST, "bad_request"},
        {FTX_ERR_RATE_LIMITED, "rate_limited"},
        {FTX_ERR_SERVER, "server_error"},
        {FTX_ERR_TRANSPORT, "transport"},
        {FTX_ERR_OUTCOME_UNKNOWN, "outcome_unknown"},
        {FTX_ERR_DECODE, "decode"},
        {FTX_ERR_NOMEM, "out_of_memory"},
        {FTX_ERR_UNKNOWN, "unknown"},
        {FTX_ERR_CANCELLED, "cancelled"},
        {FTX_ERR_TIMEOUT, "timeout"},
        {FTX_ERR_INVALID_STATE, "invalid_state"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        assert_string_equal(ftx_error_type_name(names[i].type), names[i].name);
    assert_string_equal(ftx_error_type_name(-1000), "unknown");
    assert_string_equal(ftx_error_type_name(5), "unknown");
}

static void test_error_set_and_clear(void **state)
{
    ftx_error err;
    char long_arg[1000];

    (void)state;
    memset(&err, 0x5a, sizeof(err));
    ftx_error_clear(&err);
    assert_int_equal(err.type, FTX_OK);
    assert_int_equal(err.status, 0);
    assert_int_equal(err.retry_after, -1);
    assert_string_equal(err.code, "");
    assert_string_equal(err.message, "");
    ftx_error_clear(NULL);

    err.status = 404;
    memcpy(err.code, "NotFound_Group", 15);
    err.retry_after = 30;
    assert_int_equal(ftx__error_set(&err, FTX_ERR_DECODE, "bad %s %d", "thing", 7), FTX_ERR_DECODE);
    assert_int_equal(err.type, FTX_ERR_DECODE);
    assert_string_equal(err.message, "bad thing 7");
    assert_int_equal(err.status, 0);
    assert_string_equal(err.code, "");
    assert_int_equal(err.retry_after, -1);

    memset(long_arg, 'x', sizeof(long_arg) - 1);
    long_arg[sizeof(long_arg) - 1] = '\0';
    ftx__error_set(&err, FTX_ERR_UNKNOWN, "%s", long_arg);
    assert_int_equal(strlen(err.message), sizeof(err.message) - 1);
    assert_int_equal(ftx__error_set(NULL, FTX_ERR_UNKNOWN, "x"), FTX_ERR_UNKNOWN);

    assert_int_equal(ftx__error_nomem(&err), FTX_ERR_NOMEM);
    assert_int_equal(err.type, FTX_ERR_NOMEM);
    assert_string_equal(err.message, "out of memory");
    assert_int_equal(ftx__error_nomem(NULL), FTX_ERR_NOMEM);
}

/* ---- allocation ---- */

static void test_alloc_hook(void **state)
{
    void *a, *b;
    char *s;

    (void)state;
    ftx__alloc_fail_at(2);
    a = ftx__malloc(8);
    assert_non_null(a);
    b = ftx__malloc(8);
    assert_null(b); /* the second one fails */
    b = ftx__malloc(8);
    assert_non_null(b); /* and only that one */
    ftx__free(a);
    ftx__free(b);

    s = ftx__strndup("abcdef", 3);
    assert_string_equal(s, "abc");
    ftx__free(s);
    s = ftx__strndup("ab", 10);
    assert_string_equal(s, "ab");
    ftx__free(s);
    assert_null(ftx__strdup(NULL));
    ftx__free(NULL);
    ftx__free_secret(NULL);
    ftx__free_secret(ftx__strdup("secret"));
}

/* Fail each allocation of ftx_group_from_json in turn: every failure is NOMEM,
 * nothing is half-built, nothing leaks (LeakSanitizer / valgrind check the rest). */
static void test_group_from_json_alloc_failures(void **state)
{
    json_t *j = th_json("{\"id\":\"decent_dropsy\",\"name\":\"Primary_Snowflake\","
                        "\"created_at\":\"2020-05-25T15:26:47.306509Z\"}");
    ftx_group *g = NULL, *copy;
    ftx_error err = {0};
    long i, failures = 0;
    int rc;

    (void)state;
    for (i = 1;; i++) {
        g = (ftx_group *)(uintptr_t)0x1;
        ftx__alloc_fail_at(i);
        rc = ftx_group_from_json(j, &g, &err);
        if (rc == FTX_OK)
            break;
        failures++;
        assert_int_equal(rc, FTX_ERR_NOMEM);
        assert_int_equal(err.type, FTX_ERR_NOMEM);
        assert_null(g);
        assert_int_equal(j->refcount, 1); /* no reference kept by a failed build */
    }
    ftx__alloc_fail_at(0);
    assert_true(failures >= 4); /* struct, id, name, created_at */
    assert_string_equal(g->id, "decent_dropsy");
    assert_string_equal(g->name, "Primary_Snowflake");

    for (i = 1;; i++) {
        ftx__alloc_fail_at(i);
        copy = ftx_group_dup(g);
        if (copy != NULL)
            break;
    }
    ftx__alloc_fail_at(0);
    assert_true(i > 4);
    assert_string_equal(copy->created_at.iso, "2020-05-25T15:26:47.306509Z");
    ftx_group_free(copy);
    ftx_group_free(g);
    json_decref(j);
}

static int parse_group(const json_t *item, void **out, ftx_error *err)
{
    ftx_group *g = NULL;
    int rc = ftx_group_from_json(item, &g, err);

    *out = g;
    return rc;
}

static void free_group(void *g)
{
    ftx_group_free(g);
}

static void test_page_parse_alloc_failures(void **state)
{
    static const ftx__list_spec spec = {"/groups", NULL, 0, parse_group, free_group,
                                        NULL,      0,    0, NULL};
    json_t *data = th_json("{\"items\":[{\"id\":\"a\",\"name\":\"A\"},{\"id\":\"b\",\"name\":\"B\","
                           "\"created_at\":\"2020-05-25T15:26:47Z\"}],\"next_cursor\":\"c2\"}");
    ftx__page *page = NULL;
    ftx_error err = {0};
    long i;
    int rc;

    (void)state;
    for (i = 1;; i++) {
        ftx__alloc_fail_at(i);
        rc = ftx__page_parse(data, &spec, &page, &err);
        if (rc == FTX_OK)
            break;
        assert_int_equal(rc, FTX_ERR_NOMEM);
        assert_null(page);
    }
    ftx__alloc_fail_at(0);
    assert_true(i > 8);
    assert_int_equal(page->count, 2);
    assert_string_equal(((ftx_group *)page->items[1])->id, "b");
    assert_string_equal(page->next_cursor, "c2");
    ftx__page_free(page, free_group);
    json_decref(data);
}

static void test_page_parse_shapes(void **state)
{
    static const ftx__list_spec spec = {"/groups", NULL, 0, parse_group, free_group,
                                        NULL,      0,    0, NULL};
    static const char *const decode_errors[] = {
        "{}",
        "{\"items\":null}",
        "{\"items\":{}}",
        "{\"items\":\"x\"}",
        "{\"items\":[{\"id\":\"a\"},42]}", /* a non-object item fails the page */
        "{\"items\":[{\"id\":\"a\"},null]}",
    };
    ftx__page *page = NULL;
    ftx_error err = {0};
    json_t *data;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(decode_errors) / sizeof(decode_errors[0]); i++) {
        data = th_json(decode_errors[i]);
        assert_int_equal(ftx__page_parse(data, &spec, &page, &err), FTX_ERR_DECODE);
        assert_null(page);
        json_decref(data);
    }
    assert_int_equal(ftx__page_parse(NULL, &spec, &page, &err), FTX_ERR_DECODE);

    data = th_json("{\"items\":[],\"next_cursor\":\"\"}");
    assert_int_equal(ftx__page_parse(data, &spec, &page, &err), FTX_OK);
    assert_int_equal(page->count, 0);
    assert_null(page->next_cursor);
    ftx__page_free(page, free_group);
    json_decref(data);

    data = th_json("{\"items\":[{\"id\":\"a\"}],\"next_cursor\":null,\"extra\":1}");
    assert_int_equal(ftx__page_parse(data, &spec, &page, &err), FTX_OK);
    assert_int_equal(page->count, 1);
    assert_null(page->next_cursor);
    ftx__page_free(page, free_group);
    json_decref(data);
    ftx__page_free(NULL, free_group);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_append_printf_detach),
        cmocka_unit_test(test_buf_oom),
        cmocka_unit_test(test_encoding_hostile_ids),
        cmocka_unit_test(test_path_placeholders),
        cmocka_unit_test(test_path_rejects_null_and_empty),
        cmocka_unit_test(test_path_counts_arguments),
        cmocka_unit_test(test_path_oom),
        cmocka_unit_test(test_query_add),
        cmocka_unit_test(test_time_parse_valid),
        cmocka_unit_test(test_time_parse_garbage),
        cmocka_unit_test(test_json_jstr),
        cmocka_unit_test(test_json_jbool_jint),
        cmocka_unit_test(test_json_jtime),
        cmocka_unit_test(test_json_jref_jstrv),
        cmocka_unit_test(test_envelope_data),
        cmocka_unit_test(test_error_names),
        cmocka_unit_test(test_error_set_and_clear),
        cmocka_unit_test(test_alloc_hook),
        cmocka_unit_test(test_group_from_json_alloc_failures),
        cmocka_unit_test(test_page_parse_alloc_failures),
        cmocka_unit_test(test_page_parse_shapes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
