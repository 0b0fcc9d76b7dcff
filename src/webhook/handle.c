/*
 * Framework-agnostic webhook handling (the C counterpart of Fivetrex.WebhookPlug):
 * size limit, signature check, then parsing, mapped to an HTTP status.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "internal.h"

/* Room given to a secret provider. */
#define SECRET_BUF_SIZE 1024

const char *ftx_webhook_response_body(int status)
{
    switch (status) {
    case 400:
        return "{\"error\":\"missing signature\"}";
    case 401:
        return "{\"error\":\"invalid signature\"}";
    case 404:
        return "{\"error\":\"not found\"}";
    case 405:
        return "{\"error\":\"method not allowed\"}";
    case 413:
        return "{\"error\":\"payload too large\"}";
    case 422:
        return "{\"error\":\"invalid JSON payload\"}";
    case 500:
        return "{\"error\":\"internal error\"}";
    case 503:
        return "{\"error\":\"busy, retry later\"}";
    default:
        if (status >= 200 && status < 300)
            return "{\"status\":\"ok\"}";
        return "{\"error\":\"request refused\"}";
    }
}

/* Record the HTTP status we answer in `err` (already filled) and return it. */
static int with_status(ftx_error *err, int status)
{
    if (err != NULL)
        err->status = status;
    return status;
}

int ftx_webhook_handle(const void *body, size_t len, const char *signature,
                       const ftx_webhook_handle_options *opts, ftx_webhook_event **out,
                       ftx_error *err)
{
    char secret_buf[SECRET_BUF_SIZE];
    ftx_webhook_handle_options o;
    const char *secret;
    size_t max_body;
    ftx_webhook_sig_result sig;
    ftx_webhook_event *ev = NULL;
    int rc;

    if (out != NULL)
        *out = NULL;
    if (opts == NULL) {
        ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                       "webhook handle options missing; initialise them with "
                       "FTX_WEBHOOK_HANDLE_OPTIONS_INIT");
        return 500;
    }
    if (FTX__OPTIONS_LOAD(ftx_webhook_handle_options, &o, opts, err) != FTX_OK)
        return 500;
    opts = &o;
    max_body = opts->max_body ? opts->max_body : FTX_WEBHOOK_DEFAULT_MAX_BODY;
    if (len > max_body) {
        ftx__error_set(err, FTX_ERR_BAD_REQUEST,
                       "webhook body of %zu bytes exceeds the %zu-byte limit", len, max_body);
        return with_status(err, 413);
    }
    if (body == NULL && len > 0) {
        ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "body is NULL but len is %zu", len);
        return 500;
    }

    if (opts->secret_provider != NULL) {
        memset(secret_buf, 0, sizeof(secret_buf));
        if (opts->secret_provider(secret_buf, sizeof(secret_buf), opts->secret_userdata) != 0) {
            OPENSSL_cleanse(secret_buf, sizeof(secret_buf));
            ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "webhook secret provider gave no secret");
            return 500;
        }
        secret_buf[sizeof(secret_buf) - 1] = '\0';
        secret = secret_buf;
    } else {
        secret = opts->secret;
    }
    if (secret == NULL || secret[0] == '\0') {
        if (opts->secret_provider != NULL)
            OPENSSL_cleanse(secret_buf, sizeof(secret_buf));
        ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "no webhook secret is configured");
        return 500;
    }

    sig = ftx_webhook_signature_verify(body, len, signature, secret);
    if (opts->secret_provider != NULL)
        OPENSSL_cleanse(secret_buf, sizeof(secret_buf));
    if (sig == FTX_WEBHOOK_SIG_MISSING) {
        ftx__error_set(err, FTX_ERR_UNAUTHORIZED, "missing %s header",
                       ftx_webhook_signature_header());
        return with_status(err, 400);
    }
    if (sig != FTX_WEBHOOK_SIG_OK) {
        ftx__error_set(err, FTX_ERR_UNAUTHORIZED, "invalid webhook signature");
        return with_status(err, 401);
    }

    rc = ftx_webhook_event_parse(body, len, &ev, err);
    if (rc == FTX_ERR_NOMEM)
        return 500;
    if (rc != FTX_OK)
        return with_status(err, 422);
    if (out != NULL)
        *out = ev;
    else
        ftx_webhook_event_free(ev);
    if (err != NULL)
        ftx_error_clear(err);
    return 200;
}
