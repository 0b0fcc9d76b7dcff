/*
 * Webhook signatures: HEX(HMAC-SHA256(secret, raw body)), uppercase, 64 characters.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "internal.h"

#define DIGEST_LEN 32

static const char HEX_UPPER[] = "0123456789ABCDEF";

const char *ftx_webhook_signature_header(void)
{
    return "X-Fivetran-Signature-256";
}

/* Raw HMAC-SHA256; 0 on success. */
static int hmac_sha256(const void *body, size_t len, const char *secret,
                       unsigned char digest[DIGEST_LEN])
{
    static const unsigned char empty = 0;
    unsigned int out_len = 0;
    size_t klen = strlen(secret);

    if (klen > (size_t)INT32_MAX)
        return -1;
    if (HMAC(EVP_sha256(), secret, (int)klen, len ? (const unsigned char *)body : &empty, len,
             digest, &out_len) == NULL ||
        out_len != DIGEST_LEN)
        return -1;
    return 0;
}

static void hex_upper(const unsigned char *digest, char *out)
{
    for (size_t i = 0; i < DIGEST_LEN; i++) {
        out[2 * i] = HEX_UPPER[digest[i] >> 4];
        out[2 * i + 1] = HEX_UPPER[digest[i] & 0x0f];
    }
    out[FTX_WEBHOOK_SIGNATURE_HEX_LEN] = '\0';
}

int ftx_webhook_signature_compute(const void *body, size_t len, const char *secret, char *out,
                                  ftx_error *err)
{
    unsigned char digest[DIGEST_LEN];

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    out[0] = '\0';
    if (secret == NULL || secret[0] == '\0')
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "webhook secret is missing or empty");
    if (body == NULL && len > 0)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "body is NULL but len is %zu", len);
    if (hmac_sha256(body, len, secret, digest) != 0)
        return ftx__error_set(err, FTX_ERR_UNKNOWN, "HMAC-SHA256 computation failed");
    hex_upper(digest, out);
    OPENSSL_cleanse(digest, sizeof(digest));
    return FTX_OK;
}

int ftx_webhook_signature_compute_alloc(const void *body, size_t len, const char *secret,
                                        char **out, ftx_error *err)
{
    char buf[FTX_WEBHOOK_SIGNATURE_BUFSIZE];
    int rc;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if ((rc = ftx_webhook_signature_compute(body, len, secret, buf, err)) != FTX_OK)
        return rc;
    if ((*out = ftx__strdup(buf)) == NULL)
        return ftx__error_nomem(err);
    return FTX_OK;
}

void ftx_webhook_signature_free(char *signature)
{
    ftx__free(signature);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

ftx_webhook_sig_result ftx_webhook_signature_verify(const void *body, size_t len,
                                                    const char *signature, const char *secret)
{
    unsigned char digest[DIGEST_LEN];
    char expected[FTX_WEBHOOK_SIGNATURE_BUFSIZE];
    char given[FTX_WEBHOOK_SIGNATURE_HEX_LEN];
    const char *start, *end;
    unsigned char bad = 0;
    int same;

    if (signature == NULL)
        return FTX_WEBHOOK_SIG_MISSING;
    start = signature;
    while (is_blank(*start))
        start++;
    end = start + strlen(start);
    while (end > start && is_blank(end[-1]))
        end--;
    if (end == start)
        return FTX_WEBHOOK_SIG_MISSING;

    if (secret == NULL || secret[0] == '\0')
        return FTX_WEBHOOK_SIG_INVALID;
    if (body == NULL && len > 0)
        return FTX_WEBHOOK_SIG_INVALID;
    if ((size_t)(end - start) != FTX_WEBHOOK_SIGNATURE_HEX_LEN)
        return FTX_WEBHOOK_SIG_INVALID;

    /* Normalise to uppercase without branching on the (secret-derived) comparison. */
    for (size_t i = 0; i < FTX_WEBHOOK_SIGNATURE_HEX_LEN; i++) {
        unsigned char c = (unsigned char)start[i];
        unsigned char is_lower = (unsigned char)((c >= 'a') & (c <= 'f'));
        unsigned char is_upper = (unsigned char)((c >= 'A') & (c <= 'F'));
        unsigned char is_digit = (unsigned char)((c >= '0') & (c <= '9'));
        bad |= (unsigned char)((is_lower | is_upper | is_digit) ^ 1u);
        given[i] = (char)(c - (unsigned char)(is_lower * 0x20u));
    }

    if (hmac_sha256(body, len, secret, digest) != 0)
        return FTX_WEBHOOK_SIG_INVALID;
    hex_upper(digest, expected);
    same = CRYPTO_memcmp(expected, given, FTX_WEBHOOK_SIGNATURE_HEX_LEN) == 0;
    OPENSSL_cleanse(digest, sizeof(digest));
    OPENSSL_cleanse(expected, sizeof(expected));
    return (same && !bad) ? FTX_WEBHOOK_SIG_OK : FTX_WEBHOOK_SIG_INVALID;
}
