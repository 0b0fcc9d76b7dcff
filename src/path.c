/*
 * Paths with {placeholder} templates and query strings.
 */
#include <string.h>

#include "internal.h"

/* The next placeholder at or after `p`: its '{' (NULL when none); `*close` its '}'. */
static const char *next_placeholder(const char *p, const char **close)
{
    for (p = strchr(p, '{'); p != NULL; p = strchr(p + 1, '{')) {
        *close = strchr(p, '}');
        if (*close != NULL)
            return p;
    }
    return NULL;
}

size_t ftx__path_placeholders(const char *tmpl)
{
    const char *close;
    size_t n = 0;

    while (tmpl != NULL && (tmpl = next_placeholder(tmpl, &close)) != NULL) {
        n++;
        tmpl = close + 1;
    }
    return n;
}

/* The name of placeholder number `index` (0-based), for messages. */
static void placeholder_name(const char *tmpl, size_t index, const char **name, int *len)
{
    const char *close = NULL;
    const char *p = next_placeholder(tmpl, &close);

    while (p != NULL && index-- > 0)
        p = next_placeholder(close + 1, &close);
    *name = p != NULL ? p + 1 : "?";
    *len = p != NULL ? (int)(close - p - 1) : 1;
}

int ftx__path_array(char **out, ftx_error *err, const char *tmpl, const char *const *args, size_t n)
{
    ftx__buf b = FTX__BUF_INIT;
    const char *p, *open, *close = NULL;
    size_t want, i = 0;

    if (out != NULL)
        *out = NULL;
    if (out == NULL || tmpl == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "path template missing");
    want = ftx__path_placeholders(tmpl);
    if (n != want)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "path template \"%.200s\" has %zu placeholder%s but %zu "
                              "argument%s given",
                              tmpl, want, want == 1 ? "" : "s", n, n == 1 ? " was" : "s were");
    if (n > 0 && args == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "path arguments missing (NULL)");
    for (p = tmpl; (open = next_placeholder(p, &close)) != NULL; p = close + 1, i++) {
        const char *arg = args[i];

        if (arg == NULL || arg[0] == '\0') {
            ftx__buf_dispose(&b);
            return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "%.*s must be a non-empty string",
                                  (int)(close - open - 1), open + 1);
        }
        if (ftx__buf_append(&b, p, (size_t)(open - p)) < 0 || ftx__buf_put_encoded(&b, arg) < 0)
            goto nomem;
    }
    if (ftx__buf_puts(&b, p) < 0)
        goto nomem;
    *out = ftx__buf_detach(&b);
    if (*out == NULL)
        return ftx__error_nomem(err);
    return FTX_OK;

nomem:
    ftx__buf_dispose(&b);
    return ftx__error_nomem(err);
}

/* Small templates need no allocation for the argument array. */
#define PATH_ARGS_ON_STACK 8

const char ftx__path_end_marker[1] = "";

int ftx__path_va(char **out, ftx_error *err, const char *tmpl, va_list ap, const char *end)
{
    const char *stack_args[PATH_ARGS_ON_STACK];
    const char **args = stack_args;
    const char *extra;
    size_t want, n;
    int rc;

    if (out != NULL)
        *out = NULL;
    if (out == NULL || tmpl == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "path template missing");
    want = ftx__path_placeholders(tmpl);
    if (want > PATH_ARGS_ON_STACK && (args = ftx__calloc(want, sizeof(*args))) == NULL)
        return ftx__error_nomem(err);
    /* Read at most one argument per placeholder, then the terminator that must follow:
     * never past it, never more than the template asks for plus one. */
    for (n = 0; n < want; n++) {
        args[n] = va_arg(ap, const char *);
        if (args[n] == end)
            break;
    }
    if (n < want && end != NULL) {
        const char *name;
        int len;

        placeholder_name(tmpl, n, &name, &len);
        rc = ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                            "path template \"%.200s\" has %zu placeholder%s but %zu argument%s "
                            "given: {%.*s} has none",
                            tmpl, want, want == 1 ? "" : "s", n, n == 1 ? " was" : "s were", len,
                            name);
    } else if (n < want) {
        const char *name;
        int len;

        placeholder_name(tmpl, n, &name, &len);
        rc = ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                            "%.*s must be a non-empty string: argument %zu is NULL or missing "
                            "(the path template has %zu placeholder%s, %zu argument%s came "
                            "before the terminating NULL)",
                            len, name, n + 1, want, want == 1 ? "" : "s", n, n == 1 ? "" : "s");
    } else if ((extra = va_arg(ap, const char *)) != end) {
        rc = ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                            "path template \"%.200s\" has %zu placeholder%s but more arguments "
                            "came before the terminating %s",
                            tmpl, want, want == 1 ? "" : "s", end == NULL ? "NULL" : "marker");
    } else {
        rc = ftx__path_array(out, err, tmpl, args, n);
    }
    if (args != stack_args)
        ftx__free((void *)args);
    return rc;
}

int ftx__path_args(char **out, ftx_error *err, const char *tmpl, ...)
{
    va_list ap;
    int rc;

    va_start(ap, tmpl);
    rc = ftx__path_va(out, err, tmpl, ap, FTX__PATH_END);
    va_end(ap);
    return rc;
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
