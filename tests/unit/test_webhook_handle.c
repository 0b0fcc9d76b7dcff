/*
 * ftx_webhook_handle (the C counterpart of Fivetrex.WebhookPlug): each HTTP status,
 * the order of checks, secret providers and the response bodies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "internal.h"
#include "test_helpers.h"

#define SECRET "whsec_test_do_not_print"
#define BODY                                                                                       \
    "{\"event\":\"sync_end\",\"created\":\"2026-05-22T00:06:08.638Z\",\"connector_id\":"           \
    "\"assimilate_seem\",\"sync_id\":\"b4703f73\",\"data\":{\"status\":\"SUCCESSFUL\"}}"

/* Uppercase HMAC by OpenSSL directly. */
static void sign(const char *body, size_t len, const char *key, char out[65])
{
    unsigned char md[32];
    unsigned int n = 0;

    assert_non_null(
        HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)body, len, md, &n));
    for (size_t i = 0; i < 32; i++)
        (void)snprintf(out + 2 * i, 3, "%02X", md[i]);
}

static ftx_webhook_handle_options opts_secret(const char *secret)
{
    ftx_webhook_handle_options o = FTX_WEBHOOK_HANDLE_OPTIONS_INIT;
    o.secret = secret;
    return o;
}

static void test_200_gives_parsed_event(void **state)
{
    ftx_webhook_handle_options o = opts_secret(SECRET);
    ftx_webhook_event *ev = NULL;
    ftx_error err = {0};
    char sig[65];

    (void)state;
    sign(BODY, strlen(BODY), SECRET, sig);
    assert_int_equal(ftx_webhook_handle(BODY, strlen(BODY), sig, &o, &ev, &err), 200);
    assert_non_null(ev);
    assert_string_equal(ev->event, "sync_end");
    assert_string_equal(ev->connector_id, "assimilate_seem");
    assert_string_equal(ev->sync_id, "b4703f73");
    assert_true(ftx_webhook_event_successful(ev));
    assert_int_equal(err.type, FTX_OK);
    ftx_webhook_event_free(ev);

    /* out may be NULL: verification and validation only */
    assert_int_equal(ftx_webhook_handle(BODY, strlen(BODY), sig, &o, NULL, NULL), 200);
    assert_string_equal(ftx_webhook_response_body(200), "{\"status\":\"ok\"}");
}

static void test_400_missing_signature(void **state)
{
    ftx_webhook_handle_options o = opts_secret(SECRET);
    ftx_webhook_event *ev = (ftx_webhook_event *)&ev;
    ftx_error err = {0};

    (void)state;
    assert_int_equal(ftx_webhook_handle(BODY, strlen(BODY), NULL, &o, &ev, &err), 400);
    assert_null(ev);
    assert_int_equal(err.status, 400);
    assert_non_null(strstr(err.message, "X-Fivetran-Signature-256"));
    assert_int_equal(ftx_webhook_handle(BODY, strlen(BODY), "", &o, &ev, &err), 400);
    th_assert_json_eq(ftx_webhook_response_body(400), "{\"error\":\"missing signature\"}");
}

static void test_401_invalid_signature(void **state)
{
    ftx_webhook_handle_options o = opts_secret(SECRET);
    ftx_webhook_event *ev = (ftx_webhook_event *)&ev;
    ftx_error err = {0};
    char sig[65], tampered[] = BODY;

    (void)state;
    sign(BODY, strlen(BODY), SECRET, sig);
    assert_int_equal(ftx_webhook_handle(BODY, strlen(BODY), "deadbeef", &o, &ev, &err), 401);
    assert_null(ev);
    assert_int_equal(err.status, 401);
    th_assert_no_secret(err.message);
    assert_null(strstr(err.message, SECRET));
    /* tampered body */
    tampered[10] = 'X';
    assert_int_equal(ftx_webhook_handle(tampered, strlen(tampered), sig, &o, &ev, &err), 401);
    /* signed with another secret */
    sign(BODY, strlen(BODY), "other", sig);
    assert_int_equal(ftx_webhook_handle(BODY, strlen(BODY), sig, &o, &ev, &err), 401);
    th_assert_json_eq(ftx_webhook_response_body(401), "{\"error\":\"invalid signature\"}");
}

static void test_413_before_anything_else(void **state)
{
    ftx_webhook_handle_options o = opts_secret(SECRET);
    ftx_webhook_event *ev = NULL;
    ftx_error err = {0};
    char sig[65];

    (void)state;
    o.max_body = strlen(BODY) - 1;
    sign(BODY, strlen(BODY), SECRET, sig);
    /* even with a valid signature, and even with none */
    assert_int_equal(ftx_webhook_handle(BODY, strlen(BODY), sig, &o, &ev, &err), 413);
    assert_null(ev);
    assert_int_equal(err.status, 413);
    assert_int_equal(ftx_webhook_handle(BODY, strlen(BODY), NULL, &o, &ev, &err), 413);
    /* exactly at the limit is fine */
    o.max_body = strlen(BODY);
    assert_int_equal(ftx_webhook_handle(BODY, strlen(BODY), sig, &o, &ev, &err), 200);
    ftx_webhook_event_free(ev);
    th_assert_json_eq(ftx_webhook_response_body(413), "{\"error\":\"payload too large\"}");
}

static void test_default_limit_is_1mib(void **state)
{
    ftx_webhook_handle_options o = opts_secret(SECRET);
    size_t n = FTX_WEBHOOK_DEFAULT_MAX_BODY + 1;
    char *big = calloc(1, n);

    (void)state;
    assert_int_equal(FTX_WEBHOOK_DEFAULT_MAX_BODY, 1048576);
    assert_non_null(big);
    memset(big, ' ', n);
    assert_int_equal(ftx_webhook_handle(big, n, "x", &o, NULL, NULL), 413);
    /* 1 MiB of spaces around an object: size ok, then signature decides */
    big[0] = '{';
    big[n - 2] = '}';
    {
        char sig[65];
        sign(big, n - 1, SECRET, sig);
        assert_int_equal(ftx_webhook_handle(big, n - 1, sig, &o, NULL, NULL), 200);
    }
    free(big);
}

static void test_422_not_a_json_object(void **state)
{
    static const char *const bad[] = {
        "[1,2]", "not json", "{\"event\":", "\"x\"", "", "{\"event\":\"a\"}{}"};
    ftx_webhook_handle_options o = opts_secret(SECRET);
    ftx_webhook_event *ev = (ftx_webhook_event *)&ev;
    ftx_error err = {0};
    char sig[65];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sign(bad[i], strlen(bad[i]), SECRET, sig);
        assert_int_equal(ftx_webhook_handle(bad[i], strlen(bad[i]), sig, &o, &ev, &err), 422);
        assert_null(ev);
        assert_int_equal(err.status, 422);
        assert_int_equal(err.type, FTX_ERR_DECODE);
    }
    th_assert_json_eq(ftx_webhook_response_body(422), "{\"error\":\"invalid JSON payload\"}");
}

static void test_verification_before_parsing(void **state)
{
    /* invalid JSON with a bad signature is 401 (not 422): the body is not looked at */
    ftx_webhook_handle_options o = opts_secret(SECRET);

    (void)state;
    assert_int_equal(ftx_webhook_handle("not json", 8, "00", &o, NULL, NULL), 401);
    assert_int_equal(ftx_webhook_handle("not json", 8, NULL, &o, NULL, NULL), 400);
}

typedef struct provider_state {
    const char *secret;
    int calls;
    int fail;
} provider_state;

static int provider(char *buf, size_t size, void *userdata)
{
    provider_state *ps = userdata;

    ps->calls++;
    assert_true(size >= 256);
    if (ps->fail)
        return -1;
    (void)snprintf(buf, size, "%s", ps->secret);
    return 0;
}

static void test_secret_provider(void **state)
{
    ftx_webhook_handle_options o = FTX_WEBHOOK_HANDLE_OPTIONS_INIT;
    provider_state ps = {"rotated_secret", 0, 0};
    ftx_error err = {0};
    char sig[65];

    (void)state;
    o.secret = "static_secret_ignored";
    o.secret_provider = provider;
    o.secret_userdata = &ps;
    sign(BODY, strlen(BODY), "rotated_secret", sig);
    assert_int_equal(ftx_webhook_handle(BODY, strlen(BODY), sig, &o, NULL, &err), 200);
    assert_int_equal(ps.calls, 1);
    /* signed with the static secret: the provider's wins */
    sign(BODY, strlen(BODY), "static_secret_ignored", sig);
    assert_int_equal(ftx_webhook_handle(BODY, strlen(BODY), sig, &o, NULL, &err), 401);
    /* the provider fails: 500 */
    ps.fail = 1;
    assert_int_equal(ftx_webhook_handle(BODY, strlen(BODY), sig, &o, NULL, &err), 500);
    assert_int_equal(err.type, FTX_ERR_INVALID_ARGUMENT);
    /* the provider gives an empty secret: 500, never a pass */
    ps.fail = 0;
    ps.secret = "";
    sign(BODY, strlen(BODY), "x", sig);
    assert_int_equal(ftx_webhook_handle(BODY, strlen(BODY), sig, &o, NULL, &err), 500);
}

static void test_500_misconfigured(void **state)
{
    ftx_webhook_handle_options o = opts_secret(NULL);
    ftx_error err = {0};
    char sig[65];

    (void)state;
    sign(BODY, strlen(BODY), SECRET, sig);
    assert_int_equal(ftx_webhook_handle(BODY, strlen(BODY), sig, &o, NULL, &err), 500);
    o.secret = "";
    assert_int_equal(ftx_webhook_handle(BODY, strlen(BODY), sig, &o, NULL, &err), 500);
    assert_int_equal(ftx_webhook_handle(BODY, strlen(BODY), sig, NULL, NULL, &err), 500);
    o.secret = SECRET;
    o.version = 99;
    assert_int_equal(ftx_webhook_handle(BODY, strlen(BODY), sig, &o, NULL, &err), 500);
    o.version = FTX_WEBHOOK_HANDLE_OPTIONS_VERSION;
    assert_int_equal(ftx_webhook_handle(NULL, 5, sig, &o, NULL, &err), 500);
    th_assert_json_eq(ftx_webhook_response_body(500), "{\"error\":\"internal error\"}");
    th_assert_json_eq(ftx_webhook_response_body(204), "{\"status\":\"ok\"}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_200_gives_parsed_event),
        cmocka_unit_test(test_400_missing_signature),
        cmocka_unit_test(test_401_invalid_signature),
        cmocka_unit_test(test_413_before_anything_else),
        cmocka_unit_test(test_default_limit_is_1mib),
        cmocka_unit_test(test_422_not_a_json_object),
        cmocka_unit_test(test_verification_before_parsing),
        cmocka_unit_test(test_secret_provider),
        cmocka_unit_test(test_500_misconfigured),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
