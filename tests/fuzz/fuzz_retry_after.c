/*
 * Fuzz target: the Retry-After and X-Rate-Limit(-Remaining) header values
 * (ftx__parse_retry_after, ftx__parse_header_long in src/http.c).
 *
 * Input: [now: 5 bytes, big-endian seconds since the epoch][header value: the rest, up to
 * the first NUL]. The seed corpus holds one header value per file after the 5 bytes.
 *
 * Invariants: both return -1 or a count >= 0 and nothing else; the same value parses
 * the same twice; a delay-seconds value is the decimal number written (capped when
 * absurd) whatever the clock; an HTTP-date is exactly `when - now`: parsing it again at
 * now + result gives 0 and at now + result - 1 gives 1; a rate-limit count is the value
 * of the leading digits, -1 when there are none or they overflow.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The digits of a delay-seconds value ("  120 "), or NULL when it is not one. */
static const char *delay_digits(const char *v, size_t *ndigits)
{
    const char *p, *d;

    while (*v == ' ' || *v == '\t')
        v++;
    d = v;
    for (p = v; isdigit((unsigned char)*p); p++)
        ;
    if (p == d)
        return NULL;
    *ndigits = (size_t)(p - d);
    while (*p == ' ' || *p == '\t')
        p++;
    return *p == '\0' ? d : NULL;
}

static void check_retry_after(const char *v, time_t now)
{
    long r = ftx__parse_retry_after(v, now);
    const char *digits;
    size_t nd = 0;

    if (r < -1)
        abort();
    if (ftx__parse_retry_after(v, now) != r)
        abort();
    digits = delay_digits(v, &nd);
    if (digits != NULL) {
        /* delay-seconds: the number written, whatever the clock */
        if (ftx__parse_retry_after(v, now + 86400) != r || r < 0)
            abort();
        while (nd > 1 && *digits == '0') { /* leading zeros change nothing */
            digits++;
            nd--;
        }
        if (nd <= 18) {
            long long want = 0;
            for (size_t i = 0; i < nd; i++)
                want = want * 10 + (digits[i] - '0');
            if ((long long)r != want)
                abort();
        } else if (r < LONG_MAX / 100) {
            abort(); /* absurd values stay large: never wrap or go negative */
        }
        return;
    }
    if (r > 0 && r < LONG_MAX && (time_t)r < (time_t)LONG_MAX - now) {
        /* an HTTP-date in the future: the wait is exactly when - now */
        if (ftx__parse_retry_after(v, now + (time_t)r) != 0)
            abort();
        if (ftx__parse_retry_after(v, now + (time_t)r - 1) != 1)
            abort();
    } else if (r == 0) {
        /* a date already past stays past */
        if (ftx__parse_retry_after(v, now + 3600) != 0)
            abort();
    }
}

static void check_header_long(const char *v)
{
    long r = ftx__parse_header_long(v);
    const char *p = v;
    char *end;
    long want;

    if (r < -1)
        abort();
    while (*p == ' ')
        p++;
    if (!isdigit((unsigned char)*p)) {
        if (r != -1)
            abort();
        return;
    }
    errno = 0;
    want = strtol(p, &end, 10);
    if (errno == ERANGE) {
        if (r != -1)
            abort();
    } else if (r != want) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    time_t now = 0;
    char *v;

    if (size < 5)
        return 0;
    for (int i = 0; i < 5; i++)
        now = (now << 8) | data[i];
    data += 5;
    size -= 5;
    v = malloc(size + 1);
    if (v == NULL)
        return 0;
    memcpy(v, data, size);
    v[size] = '\0';

    if (ftx__parse_retry_after(NULL, now) != -1 || ftx__parse_header_long(NULL) != -1)
        abort();
    check_retry_after(v, now);
    check_header_long(v);
    free(v);
    return 0;
}
