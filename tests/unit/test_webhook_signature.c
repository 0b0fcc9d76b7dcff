/*
 * Webhook signatures (Fivetrex.WebhookSignature): compute, verify, header name.
 * Expected values come from the fact sheet's vectors (fivetran-api.md 4.2) and from
 * OpenSSL's HMAC called directly in the test, never from the code under test.
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

/* fivetran-api.md 4.2: the two published vectors. */
#define V1_SECRET "my_webhook_secret"
#define V1_BODY   "{\"event\":\"sync_end\",\"connector_id\":\"abc123\"}"
#define V1_SIG    "2F735ED96CE6FEA9FEB2518D442109ACD8FDD1E0EFB9FF748663FBFED454CDBD"

#define V2_SECRET "s"
#define V2_BODY                                                                                    \
    "{\"event\":\"sync_end\",\"created\":\"2026-05-22T00:06:08.638Z\",\"connector_type\":"         \
    "\"google_cloud_postgresql\",\"connector_id\":\"assimilate_seem\",\"connector_name\":"         \
    "\"ftar_pg\",\"sync_id\":\"b4703f73-6315-4e22-8d7a-3bfb18b2fed2\",\"destination_group_"        \
    "id\":\"inappropriate_implode\",\"data\":{\"status\":\"SUCCESSFUL\"}}"
#define V2_SIG "F8134D0BFF69BC7E990C0267C998039999589EFE325E75B497DC015CD98BD81E"

/* HMAC-SHA256 by OpenSSL directly, as lowercase or uppercase hex. */
static void openssl_hex(const void *body, size_t len, const char *key, size_t klen, int upper,
                        char out[65])
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

    assert_non_null(HMAC(EVP_sha256(), key, (int)klen, body, len, md, &mdlen));
    assert_int_equal(mdlen, 32);
    for (size_t i = 0; i < 32; i++) {
        out[2 * i] = digits[md[i] >> 4];
        out[2 * i + 1] = digits[md[i] & 15];
    }
    out[64] = '\0';
}

static void test_header_name(void **state)
{
    (void)state;
    assert_string_equal(ftx_webhook_signature_header(), "X-Fivetran-Signature-256");
}

static void test_fact_sheet_vectors(void **state)
{
    char sig[FTX_WEBHOOK_SIGNATURE_BUFSIZE];
    ftx_error err = {0};

    (void)state;
    assert_int_equal(strlen(V2_BODY), 287);
    assert_int_equal(ftx_webhook_signature_compute(V1_BODY, strlen(V1_BODY), V1_SECRET, sig, &err),
                     FTX_OK);
    assert_string_equal(sig, V1_SIG);
    assert_int_equal(ftx_webhook_signature_compute(V2_BODY, strlen(V2_BODY), V2_SECRET, sig, &err),
                     FTX_OK);
    assert_string_equal(sig, V2_SIG);

    assert_int_equal(ftx_webhook_signature_verify(V1_BODY, strlen(V1_BODY), V1_SIG, V1_SECRET),
                     FTX_WEBHOOK_SIG_OK);
    assert_int_equal(ftx_webhook_signature_verify(V2_BODY, strlen(V2_BODY), V2_SIG, V2_SECRET),
                     FTX_WEBHOOK_SIG_OK);
}

static void test_independent_vectors(void **state)
{
    /* Keys and bodies of assorted shapes: empty body, binary bytes, long key (> block
     * size, so HMAC hashes the key first), UTF-8. */
    static const struct {
        const char *key;
        const char *body;
        size_t len;
    } cases[] = {
#define CASE(k, b) {k, b, sizeof(b) - 1}
        CASE("key", ""),
        CASE("k", "\x00\x01\x02\xff binary"),
        CASE("a-very-long-secret-that-is-longer-than-the-sha256-block-size-of-64-bytes-xxxxxxxx",
             "{\"event\":\"sync_start\"}"),
        CASE("s\xc3\xa9kr\xc3\xa9t", "{\"connector_name\":\"caf\xc3\xa9\"}"),
        CASE("my_secret", "{\"event\":\"sync_end\"}"),
#undef CASE
    };
    char want[65], got[FTX_WEBHOOK_SIGNATURE_BUFSIZE], lower[65];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        openssl_hex(cases[i].body, cases[i].len, cases[i].key, strlen(cases[i].key), 1, want);
        assert_int_equal(
            ftx_webhook_signature_compute(cases[i].body, cases[i].len, cases[i].key, got, NULL),
            FTX_OK);
        assert_string_equal(got, want);
        assert_int_equal(strlen(got), 64);
        assert_int_equal(
            ftx_webhook_signature_verify(cases[i].body, cases[i].len, want, cases[i].key),
            FTX_WEBHOOK_SIG_OK);
        openssl_hex(cases[i].body, cases[i].len, cases[i].key, strlen(cases[i].key), 0, lower);
        assert_int_equal(
            ftx_webhook_signature_verify(cases[i].body, cases[i].len, lower, cases[i].key),
            FTX_WEBHOOK_SIG_OK);
    }
}

static void test_compute_alloc(void **state)
{
    char *sig = NULL;
    ftx_error err = {0};

    (void)state;
    assert_int_equal(
        ftx_webhook_signature_compute_alloc(V1_BODY, strlen(V1_BODY), V1_SECRET, &sig, &err),
        FTX_OK);
    assert_string_equal(sig, V1_SIG);
    ftx_webhook_signature_free(sig);
    ftx_webhook_signature_free(NULL);

    sig = (char *)"untouched";
    assert_int_equal(ftx_webhook_signature_compute_alloc(V1_BODY, 3, "", &sig, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_null(sig);
}

static void test_compute_rejects_bad_arguments(void **state)
{
    char sig[FTX_WEBHOOK_SIGNATURE_BUFSIZE] = "x";
    ftx_error err = {0};

    (void)state;
    assert_int_equal(ftx_webhook_signature_compute(V1_BODY, 3, NULL, sig, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_string_equal(sig, "");
    assert_int_equal(ftx_webhook_signature_compute(V1_BODY, 3, "", sig, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(err.type, FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_webhook_signature_compute(NULL, 3, "k", sig, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_webhook_signature_compute(V1_BODY, 3, "k", NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    /* an empty body with a NULL pointer is fine */
    assert_int_equal(ftx_webhook_signature_compute(NULL, 0, "key", sig, NULL), FTX_OK);
    {
        char want[65];
        openssl_hex("", 0, "key", 3, 1, want);
        assert_string_equal(sig, want);
    }
}

static void test_lowercase_and_blanks_accepted(void **state)
{
    char lower[65];

    (void)state;
    for (size_t i = 0; i <= 64; i++) {
        char c = V1_SIG[i];
        lower[i] = (char)((c >= 'A' && c <= 'F') ? c + 32 : c);
    }
    assert_int_equal(ftx_webhook_signature_verify(V1_BODY, strlen(V1_BODY), lower, V1_SECRET),
                     FTX_WEBHOOK_SIG_OK);
    /* mixed case */
    lower[1] = 'F';  /* V1_SIG[1] */
    lower[62] = 'B'; /* V1_SIG[62] */
    assert_int_equal(ftx_webhook_signature_verify(V1_BODY, strlen(V1_BODY), lower, V1_SECRET),
                     FTX_WEBHOOK_SIG_OK);
    assert_int_equal(
        ftx_webhook_signature_verify(V1_BODY, strlen(V1_BODY), " " V1_SIG "\t", V1_SECRET),
        FTX_WEBHOOK_SIG_OK);
}

static void test_tampered_body_and_wrong_secret(void **state)
{
    char body[] = V1_BODY;

    (void)state;
    /* one byte changed anywhere breaks it */
    for (size_t i = 0; i < strlen(body); i++) {
        body[i] ^= 0x01;
        assert_int_equal(ftx_webhook_signature_verify(body, strlen(body), V1_SIG, V1_SECRET),
                         FTX_WEBHOOK_SIG_INVALID);
        body[i] ^= 0x01;
    }
    /* a trailing newline (re-serialised body) breaks it */
    assert_int_equal(
        ftx_webhook_signature_verify(V1_BODY "\n", strlen(V1_BODY) + 1, V1_SIG, V1_SECRET),
        FTX_WEBHOOK_SIG_INVALID);
    /* a truncated body breaks it */
    assert_int_equal(ftx_webhook_signature_verify(V1_BODY, strlen(V1_BODY) - 1, V1_SIG, V1_SECRET),
                     FTX_WEBHOOK_SIG_INVALID);
    assert_int_equal(ftx_webhook_signature_verify(V1_BODY, strlen(V1_BODY), V1_SIG, "wrong"),
                     FTX_WEBHOOK_SIG_INVALID);
    assert_int_equal(ftx_webhook_signature_verify(V1_BODY, strlen(V1_BODY), V1_SIG, V1_SECRET "x"),
                     FTX_WEBHOOK_SIG_INVALID);
}

static void test_wrong_signatures(void **state)
{
    char sig[80];

    (void)state;
    assert_int_equal(
        ftx_webhook_signature_verify(V1_BODY, strlen(V1_BODY), "wrong_signature", V1_SECRET),
        FTX_WEBHOOK_SIG_INVALID);
    /* one hex digit changed */
    memcpy(sig, V1_SIG, 65);
    sig[10] = sig[10] == '0' ? '1' : '0';
    assert_int_equal(ftx_webhook_signature_verify(V1_BODY, strlen(V1_BODY), sig, V1_SECRET),
                     FTX_WEBHOOK_SIG_INVALID);
    /* wrong lengths: 63, 65 characters, a prefix */
    memcpy(sig, V1_SIG, 63);
    sig[63] = '\0';
    assert_int_equal(ftx_webhook_signature_verify(V1_BODY, strlen(V1_BODY), sig, V1_SECRET),
                     FTX_WEBHOOK_SIG_INVALID);
    (void)snprintf(sig, sizeof(sig), "%sA", V1_SIG);
    assert_int_equal(ftx_webhook_signature_verify(V1_BODY, strlen(V1_BODY), sig, V1_SECRET),
                     FTX_WEBHOOK_SIG_INVALID);
    (void)snprintf(sig, sizeof(sig), "sha256=%s", V1_SIG);
    assert_int_equal(ftx_webhook_signature_verify(V1_BODY, strlen(V1_BODY), sig, V1_SECRET),
                     FTX_WEBHOOK_SIG_INVALID);
    /* a non-hex character that case-folds to a valid digit must not pass */
    memcpy(sig, V1_SIG, 65);
    sig[0] = 'f' + 1; /* 'g' */
    assert_int_equal(ftx_webhook_signature_verify(V1_BODY, strlen(V1_BODY), sig, V1_SECRET),
                     FTX_WEBHOOK_SIG_INVALID);
    /* an embedded NUL byte shortens the header: invalid, not a crash */
    memcpy(sig, V1_SIG, 65);
    sig[32] = '\0';
    assert_int_equal(ftx_webhook_signature_verify(V1_BODY, strlen(V1_BODY), sig, V1_SECRET),
                     FTX_WEBHOOK_SIG_INVALID);
}

static void test_missing_signature(void **state)
{
    (void)state;
    assert_int_equal(ftx_webhook_signature_verify(V1_BODY, strlen(V1_BODY), NULL, V1_SECRET),
                     FTX_WEBHOOK_SIG_MISSING);
    assert_int_equal(ftx_webhook_signature_verify(V1_BODY, strlen(V1_BODY), "", V1_SECRET),
                     FTX_WEBHOOK_SIG_MISSING);
    assert_int_equal(ftx_webhook_signature_verify(V1_BODY, strlen(V1_BODY), "  \t", V1_SECRET),
                     FTX_WEBHOOK_SIG_MISSING);
    /* missing wins even without a secret */
    assert_int_equal(ftx_webhook_signature_verify(V1_BODY, strlen(V1_BODY), NULL, NULL),
                     FTX_WEBHOOK_SIG_MISSING);
}

static void test_empty_secret_never_verifies(void **state)
{
    char sig[65];

    (void)state;
    /* The correct HMAC under an empty key still must not verify. */
    openssl_hex(V1_BODY, strlen(V1_BODY), "", 0, 1, sig);
    assert_int_equal(ftx_webhook_signature_verify(V1_BODY, strlen(V1_BODY), sig, ""),
                     FTX_WEBHOOK_SIG_INVALID);
    assert_int_equal(ftx_webhook_signature_verify(V1_BODY, strlen(V1_BODY), sig, NULL),
                     FTX_WEBHOOK_SIG_INVALID);
}

static void test_null_safety(void **state)
{
    char sig[65];

    (void)state;
    assert_int_equal(ftx_webhook_signature_verify(NULL, 10, V1_SIG, V1_SECRET),
                     FTX_WEBHOOK_SIG_INVALID);
    assert_int_equal(ftx_webhook_signature_verify(NULL, 0, NULL, NULL), FTX_WEBHOOK_SIG_MISSING);
    /* empty body with NULL pointer verifies against the empty-body HMAC */
    openssl_hex("", 0, "k", 1, 1, sig);
    assert_int_equal(ftx_webhook_signature_verify(NULL, 0, sig, "k"), FTX_WEBHOOK_SIG_OK);
}

static void test_secret_not_in_error(void **state)
{
    char sig[FTX_WEBHOOK_SIGNATURE_BUFSIZE];
    ftx_error err = {0};

    (void)state;
    assert_int_equal(ftx_webhook_signature_compute(NULL, 5, TH_API_SECRET, sig, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    th_assert_no_secret(err.message);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_name),
        cmocka_unit_test(test_fact_sheet_vectors),
        cmocka_unit_test(test_independent_vectors),
        cmocka_unit_test(test_compute_alloc),
        cmocka_unit_test(test_compute_rejects_bad_arguments),
        cmocka_unit_test(test_lowercase_and_blanks_accepted),
        cmocka_unit_test(test_tampered_body_and_wrong_secret),
        cmocka_unit_test(test_wrong_signatures),
        cmocka_unit_test(test_missing_signature),
        cmocka_unit_test(test_empty_secret_never_verifies),
        cmocka_unit_test(test_null_safety),
        cmocka_unit_test(test_secret_not_in_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
