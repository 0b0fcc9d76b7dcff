/*
 * Paths with {placeholder} templates and query strings.
 */
#include <string.h>

#include "internal.h"

int ftx__path(char **out, ftx_error *err, const char *tmpl, ...)
{
    va_list ap;
    int rc;

    va_start(ap, tmpl);
    rc = ftx__vpath(out, err, tmpl, ap);
    va_end(ap);
    return rc;
}

int ftx__vpath(char **out, ftx_error *err, const char *tmpl, va_list ap)
{
    ftx__buf b = FTX__BUF_INIT;
    const char *p;

    if (out == NULL || tmpl == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "path template missing");
    *out = NULL;
    for (p = tmpl; *p != '\0';) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        const char *arg;

        if (close == NULL) {
            const char *next = strchr(p + 1, '{');
            size_t n = next ? (size_t)(next - p) : strlen(p);

            if (ftx__buf_append(&b, p, n) < 0)
                goto nomem;
            p += n;
            continue;
        }
        arg = va_arg(ap, const char *);
        if (arg == NULL || arg[0] == '\0') {
            int name_len = (int)(close - p - 1);

            ftx__buf_dispose(&b);
            return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "%.*s must be a non-empty string",
                                  name_len, p + 1);
        }
        if (ftx__buf_put_encoded(&b, arg) < 0)
            goto nomem;
        p = close + 1;
    }
    *out = ftx__buf_detach(&b);
    if (*out == NULL)
        return ftx__error_nomem(err);
    return FTX_OK;

nomem:
    ftx__buf_dispose(&b);
    return ftx__error_nomem(err);
}

int ftx__query_add(ftx__buf *b, const char *key, const char *value)
{
    int has_query;

    if (b == NULL || key == NULL)
        return -1;
    if (value == NULL)
        return 0;
    has_query = b->ptr != NULL && strchr(b->ptr, '?') != NULL;
    if (ftx__buf_append(b, has_query ? "&" : "?", 1) < 0 || ftx__buf_put_encoded(b, key) < 0 ||
        ftx__buf_append(b, "=", 1) < 0 || ftx__buf_put_encoded(b, value) < 0)
        return -1;
    return 0;
}
