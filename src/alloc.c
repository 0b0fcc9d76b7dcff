/*
 * Allocation: every allocation of the library goes through these wrappers so a
 * test can make the Nth one fail (ftx__alloc_fail_at) and check that each
 * failure is reported as FTX_ERR_NOMEM without leaking (curl's torture mode).
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Test hook only: allocations left before the one that fails (0: never fail). */
static atomic_long alloc_countdown;

void ftx__alloc_fail_at(long n)
{
    atomic_store(&alloc_countdown, n > 0 ? n : 0);
}

static int should_fail(void)
{
    long cur = atomic_load(&alloc_countdown);

    while (cur > 0) {
        if (atomic_compare_exchange_weak(&alloc_countdown, &cur, cur - 1))
            return cur == 1;
    }
    return 0;
}

void *ftx__malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return malloc(n ? n : 1);
}

void *ftx__calloc(size_t n, size_t size)
{
    if (should_fail())
        return NULL;
    if (n == 0 || size == 0)
        return calloc(1, 1);
    return calloc(n, size);
}

void *ftx__realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return realloc(p, n ? n : 1);
}

char *ftx__strndup(const char *s, size_t n)
{
    size_t len = 0;
    char *copy;

    if (s == NULL)
        return NULL;
    while (len < n && s[len] != '\0')
        len++;
    copy = ftx__malloc(len + 1);
    if (copy == NULL)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

char *ftx__strdup(const char *s)
{
    if (s == NULL)
        return NULL;
    return ftx__strndup(s, strlen(s));
}

void ftx__free(void *p)
{
    free(p);
}
