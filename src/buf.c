/*
 * Growable string buffer and percent-encoding.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

static int buf_reserve(ftx__buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (extra > SIZE_MAX - b->len - 1)
        return -1;
    need = b->len + extra + 1;
    if (b->ptr != NULL && need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    p = ftx__realloc(b->ptr, cap);
    if (p == NULL)
        return -1;
    b->ptr = p;
    b->cap = cap;
    b->ptr[b->len] = '\0';
    return 0;
}

int ftx__buf_append(ftx__buf *b, const char *data, size_t n)
{
    if (b == NULL)
        return -1;
    if (buf_reserve(b, n) < 0)
        return -1;
    if (n > 0)
        memcpy(b->ptr + b->len, data, n);
    b->len += n;
    b->ptr[b->len] = '\0';
    return 0;
}

int ftx__buf_puts(ftx__buf *b, const char *s)
{
    return ftx__buf_append(b, s ? s : "", s ? strlen(s) : 0);
}

int ftx__buf_printf(ftx__buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (b == NULL || fmt == NULL)
        return -1;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || buf_reserve(b, (size_t)n) < 0)
        return -1;
    va_start(ap, fmt);
    n = vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    b->len += (size_t)n;
    return 0;
}

static int is_unreserved(unsigned char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '.' || ch == '_' || ch == '~';
}

int ftx__buf_put_encoded(ftx__buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    /* "." and ".." are dot-segments that clients and servers may collapse, so
     * they are encoded as %2E to stay a literal segment. */
    int dots_only;
    size_t i, len;

    if (b == NULL)
        return -1;
    if (s == NULL)
        return buf_reserve(b, 0);
    len = strlen(s);
    dots_only = (len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.');
    if (buf_reserve(b, len * 3) < 0)
        return -1;
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (is_unreserved(ch) && !dots_only) {
            b->ptr[b->len++] = (char)ch;
        } else {
            b->ptr[b->len++] = '%';
            b->ptr[b->len++] = hex[ch >> 4];
            b->ptr[b->len++] = hex[ch & 0x0f];
        }
    }
    b->ptr[b->len] = '\0';
    return 0;
}

void ftx__buf_dispose(ftx__buf *b)
{
    if (b == NULL)
        return;
    ftx__free(b->ptr);
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
}

char *ftx__buf_detach(ftx__buf *b)
{
    char *p;

    if (b == NULL)
        return NULL;
    if (b->ptr == NULL && buf_reserve(b, 0) < 0)
        return NULL;
    p = b->ptr;
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
