/*
 * Errors: filling the caller-owned ftx_error and the stable type names.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/*
 * The ABI rule of ftx_error (error.h): callers allocate it, the library writes whole
 * structs into it, so its size and every field's offset are frozen. A new field is
 * carved out of `reserved` and gets its own assert here; these never change.
 */
#define FTX__ERROR_FROZEN(field, off)                                                              \
    _Static_assert(offsetof(ftx_error, field) == (off), "ftx_error." #field " moved: the ABI "     \
                                                        "rule in error.h forbids it")
_Static_assert(sizeof(ftx_error) == FTX_ERROR_SIZE && FTX_ERROR_SIZE == 1024,
               "ftx_error must stay 1024 bytes: carve new fields out of `reserved`");
FTX__ERROR_FROZEN(type, 0);
FTX__ERROR_FROZEN(status, 4);
FTX__ERROR_FROZEN(code, 8);
FTX__ERROR_FROZEN(message, 72);
FTX__ERROR_FROZEN(retry_after, 584);
FTX__ERROR_FROZEN(attempts, 584 + sizeof(long));
FTX__ERROR_FROZEN(reserved, 588 + sizeof(long));
_Static_assert(sizeof(((ftx_error *)0)->code) == 64 && sizeof(((ftx_error *)0)->message) == 512,
               "ftx_error.code and .message keep their sizes");

const char *ftx_error_type_name(int type)
{
    switch (type) {
    case FTX_OK:
        return "ok";
    case FTX_ERR_INVALID_ARGUMENT:
        return "invalid_argument";
    case FTX_ERR_UNAUTHORIZED:
        return "unauthorized";
    case FTX_ERR_FORBIDDEN:
        return "forbidden";
    case FTX_ERR_NOT_FOUND:
        return "not_found";
    case FTX_ERR_CONFLICT:
        return "conflict";
    case FTX_ERR_BAD_REQUEST:
        return "bad_request";
    case FTX_ERR_RATE_LIMITED:
        return "rate_limited";
    case FTX_ERR_SERVER:
        return "server_error";
    case FTX_ERR_TRANSPORT:
        return "transport";
    case FTX_ERR_OUTCOME_UNKNOWN:
        return "outcome_unknown";
    case FTX_ERR_DECODE:
        return "decode";
    case FTX_ERR_NOMEM:
        return "out_of_memory";
    case FTX_ERR_UNKNOWN:
        return "unknown";
    case FTX_ERR_CANCELLED:
        return "cancelled";
    case FTX_ERR_TIMEOUT:
        return "timeout";
    case FTX_ERR_INVALID_STATE:
        return "invalid_state";
    default:
        return "unknown";
    }
}

void ftx_error_clear(ftx_error *err)
{
    if (err == NULL)
        return;
    memset(err, 0, sizeof(*err));
    err->retry_after = -1;
}

int ftx__error_set(ftx_error *err, int type, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return type;
    err->type = type;
    err->status = 0;
    err->code[0] = '\0';
    err->retry_after = -1;
    err->message[0] = '\0';
    if (fmt != NULL) {
        va_start(ap, fmt);
        /* Truncation is intended: the message is one line in a fixed buffer. */
        if (vsnprintf(err->message, sizeof(err->message), fmt, ap) >= (int)sizeof(err->message))
            ftx__utf8_cut(err->message);
        va_end(ap);
    }
    return type;
}

void ftx__utf8_cut(char *s)
{
    size_t len = strlen(s), lead = len, need;
    unsigned char c;

    /* back over at most 3 continuation bytes to the sequence's first byte */
    while (lead > 0 && len - lead < 3 && ((unsigned char)s[lead - 1] & 0xC0) == 0x80)
        lead--;
    if (lead == 0)
        return;
    c = (unsigned char)s[lead - 1];
    need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (len - (lead - 1) < need)
        s[lead - 1] = '\0';
}

int ftx__error_nomem(ftx_error *err)
{
    /* No allocation and no formatting: this runs when memory is exhausted. */
    if (err == NULL)
        return FTX_ERR_NOMEM;
    err->type = FTX_ERR_NOMEM;
    err->status = 0;
    err->code[0] = '\0';
    err->retry_after = -1;
    memcpy(err->message, "out of memory", sizeof("out of memory"));
    return FTX_ERR_NOMEM;
}
