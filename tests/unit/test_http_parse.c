/*
 * The header values of a response, parsed without a server: Retry-After (seconds or an
 * HTTP-date, against an injected wall clock) and the X-Rate-Limit counts.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "http.h"

#define NOW ((time_t)1767225600) /* Thu, 01 Jan 2026 00:00:00 GMT */

static void test_retry_after_seconds(void **state)
{
    (void)state;
    assert_int_equal(ftx__parse_retry_after("120", NOW), 120);
    assert_int_equal(ftx__parse_retry_after(" \t30 \t", NOW), 30);
    assert_int_equal(ftx__parse_retry_after("0", NOW), 0);
    assert_int_equal(ftx__parse_retry_after("000042", NOW), 42);
    /* absurd: kept large, never wrapped */
    assert_true(ftx__parse_retry_after("99999999999999999999999", NOW) >= LONG_MAX / 100);
    assert_int_equal(ftx__parse_retry_after("-5", NOW), -1);
    assert_int_equal(ftx__parse_retry_after("1.5", NOW), -1);
    assert_int_equal(ftx__parse_retry_after("120abc", NOW), -1);
    assert_int_equal(ftx__parse_retry_after("", NOW), -1);
    assert_int_equal(ftx__parse_retry_after(NULL, NOW), -1);
}

static void test_retry_after_date(void **state)
{
    (void)state;
    assert_int_equal(ftx__parse_retry_after("Thu, 01 Jan 2026 00:02:00 GMT", NOW), 120);
    assert_int_equal(ftx__parse_retry_after("Thu, 01 Jan 2026 00:02:00 GMT", NOW + 119), 1);
    assert_int_equal(ftx__parse_retry_after("Thu, 01 Jan 2026 00:02:00 GMT", NOW + 120), 0);
    assert_int_equal(ftx__parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", NOW), 0);
    assert_int_equal(ftx__parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", NOW), 0);
    assert_int_equal(ftx__parse_retry_after("soon", NOW), -1);
}

static void test_rate_limit_counts(void **state)
{
    (void)state;
    assert_int_equal(ftx__parse_header_long("4500"), 4500);
    assert_int_equal(ftx__parse_header_long("  0"), 0);
    assert_int_equal(ftx__parse_header_long("-1"), -1);
    assert_int_equal(ftx__parse_header_long("x"), -1);
    assert_int_equal(ftx__parse_header_long(NULL), -1);
    /* the whole range of long, and nothing past it */
    {
        char max[32], over[40];
        snprintf(max, sizeof(max), "%ld", LONG_MAX);
        snprintf(over, sizeof(over), "%lu", (unsigned long)LONG_MAX + 1);
        assert_true(ftx__parse_header_long(max) == LONG_MAX);
        assert_int_equal(ftx__parse_header_long(over), -1);
        max[strlen(max) - 1] = '\0';
        assert_true(ftx__parse_header_long(max) == LONG_MAX / 10);
    }
    assert_int_equal(ftx__parse_header_long("99999999999999999999"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retry_after_seconds),
        cmocka_unit_test(test_retry_after_date),
        cmocka_unit_test(test_rate_limit_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
