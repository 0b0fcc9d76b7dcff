/*
 * Fuzz target: mapping a non-2xx response to an ftx_error (ftx__error_from_response in
 * src/http.c): status, body (JSON or not) and the parsed Retry-After.
 *
 * Input: [s][f][r: 4 bytes][body: the rest]
 *   s  status: below 128 one of the statuses Fivetran sends (table below), otherwise
 *      100 + (s * 7 + f) % 500 -- any 1xx..5xx
 *   f  bit 0: the request is a create; bit 1: a Retry-After was given (r, big-endian,
 *      masked to 31 bits); bits 2-3: the method
 *
 * Invariants: the return value is err.type and the class its status maps to (a 5xx on a
 * create is OUTCOME_UNKNOWN) with the matching retry class; status and retry_after are
 * copied; message and code are NUL-terminated in their arrays, one line (no C0 control
 * or DEL) and valid UTF-8 (the server's strings are, so truncation must not cut a
 * character); the message starts with "METHOD PATH: STATUS"; Fivetran's "code" is
 * copied whole when it fits, and a short code and message appear in the message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const long statuses[] = {400, 401, 403, 404, 405, 406, 409, 415,
                                422, 429, 500, 501, 502, 503, 504, 302};
static const char *const methods[] = {"GET", "POST", "PATCH", "DELETE"};

static int valid_utf8(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        size_t n;
        unsigned cp;
        if (*p < 0x80) {
            p++;
            continue;
        } else if ((*p & 0xE0) == 0xC0) {
            n = 1;
            cp = *p & 0x1F;
        } else if ((*p & 0xF0) == 0xE0) {
            n = 2;
            cp = *p & 0x0F;
        } else if ((*p & 0xF8) == 0xF0) {
            n = 3;
            cp = *p & 0x07;
        } else {
            return 0;
        }
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        p += n + 1;
    }
    return 1;
}

static int one_line(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

/* A copy of `s` with C0 controls and DEL as spaces, as the library writes it. */
static char *sanitised(const char *s)
{
    char *d = strdup(s);

    if (d == NULL)
        abort();
    for (char *p = d; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return d;
}

static int expected_type(long status, int creates)
{
    switch (status) {
    case 400:
    case 422:
        return FTX_ERR_BAD_REQUEST;
    case 401:
        return FTX_ERR_UNAUTHORIZED;
    case 403:
        return FTX_ERR_FORBIDDEN;
    case 404:
        return FTX_ERR_NOT_FOUND;
    case 409:
        return FTX_ERR_CONFLICT;
    case 429:
        return FTX_ERR_RATE_LIMITED;
    default:
        if (status >= 500)
            return creates ? FTX_ERR_OUTCOME_UNKNOWN : FTX_ERR_SERVER;
        return FTX_ERR_UNKNOWN;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ftx__request req;
    ftx_error err;
    long status, retry_after = -1;
    int creates, klass = -1, rc, want_klass;
    char prefix[128];
    const char *code = NULL, *msg = NULL;
    json_t *body;

    if (size < 6)
        return 0;
    status = data[0] < 128 ? statuses[data[0] % (sizeof(statuses) / sizeof(statuses[0]))]
                           : 100 + (long)((data[0] * 7u + data[1]) % 500u);
    creates = data[1] & 1;
    if (data[1] & 2)
        retry_after = (long)(((uint32_t)data[2] << 24 | (uint32_t)data[3] << 16 |
                              (uint32_t)data[4] << 8 | data[5]) &
                             0x7fffffffu);
    memset(&req, 0, sizeof(req));
    req.method = methods[(data[1] >> 2) & 3];
    req.path = "/groups/decent_dropsy";
    data += 6;
    size -= 6;

    memset(&err, 0x5a, sizeof(err)); /* the mapping must fill every field it promises */
    rc = ftx__error_from_response(&req, status, (const char *)data, size, creates, retry_after,
                                  &klass, &err);

    if (rc != err.type || rc != expected_type(status, creates))
        abort();
    want_klass = status == 429   ? FTX__RETRY_ALWAYS
                 : status >= 500 ? FTX__RETRY_IDEMPOTENT
                                 : FTX__RETRY_NEVER;
    if (klass != want_klass)
        abort();
    if (err.status != (int)status || err.retry_after != retry_after)
        abort();
    if (!memchr(err.message, '\0', sizeof(err.message)) ||
        !memchr(err.code, '\0', sizeof(err.code)))
        abort();
    if (!one_line(err.message) || !one_line(err.code))
        abort();
    if (!valid_utf8(err.message) || !valid_utf8(err.code))
        abort();
    snprintf(prefix, sizeof(prefix), "%s %s: %ld", req.method, req.path, status);
    if (strncmp(err.message, prefix, strlen(prefix)) != 0)
        abort();
    /* what the server said: the body as the library's JSON parser sees it */
    body = json_loadb((const char *)data, size, 0, NULL);
    if (json_is_object(body)) {
        code = json_string_value(json_object_get(body, "code"));
        msg = json_string_value(json_object_get(body, "message"));
    }
    if (code == NULL) {
        if (err.code[0] != '\0')
            abort();
    } else {
        char *full = sanitised(code);
        size_t n = strlen(full), got = strlen(err.code);
        if (n < sizeof(err.code) && strcmp(err.code, full) != 0)
            abort(); /* fits: copied whole */
        /* too long: a prefix, short at most by the bytes of one cut character */
        if (n >= sizeof(err.code) &&
            (strncmp(full, err.code, got) != 0 || got + 4 < sizeof(err.code)))
            abort();
        if (n < 48 && !strstr(err.message, full))
            abort();
        free(full);
    }
    if (msg != NULL) {
        char *full = sanitised(msg);
        if (strlen(full) < 160 && !strstr(err.message, full))
            abort();
        free(full);
    }
    json_decref(body);
    return 0;
}
