/*
 * Helpers shared by the library-against-sandbox integration tests (test_lib_*.c).
 *
 * Only the public API of libfivetrex is used (plus the sandbox harness and the test
 * helpers' fake clock). Everything is static inline so each test file takes what it needs.
 *
 *   sandbox_proc *sb = sandbox_start(args);
 *   it_log log; it_log_init(&log);
 *   ftx_client *c = it_client(sandbox_url(sb), NULL, &log);     real clock
 *   th_fake_clock fc; th_fake_clock_init(&fc);
 *   ftx_client *f = it_client(sandbox_url(sb), &fc, &log);      retries never wait
 *   it_idset *s = it_idset_new(); it_idset_add(s, "id") == 1 the first time, 0 after.
 */
#ifndef FTX_LIB_ITEST_H
#define FTX_LIB_ITEST_H

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <fivetrex/fivetrex.h>

#include "sandbox_harness.h"
#include "test_helpers.h"

#define IT_KEY    "itest_key"
#define IT_SECRET "itest_secret_never_printed"

/* ---- wall clock ---- */

static inline uint64_t it_wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static inline void it_nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/* ---- sandboxes a test starts (stopped by it_teardown even when the test fails) ---- */

#define IT_MAX_SANDBOXES 4
static sandbox_proc *it_sandboxes[IT_MAX_SANDBOXES];

/* Start a sandbox that it_teardown() stops if the test does not. Fails the test when the
 * sandbox cannot start. */
static inline sandbox_proc *it_sandbox_start(const char *const *args)
{
    sandbox_proc *sb = sandbox_start(args);
    size_t i;

    if (sb == NULL)
        fail_msg("cannot start fivetrex-sandbox");
    for (i = 0; i < IT_MAX_SANDBOXES; i++) {
        if (it_sandboxes[i] == NULL) {
            it_sandboxes[i] = sb;
            return sb;
        }
    }
    (void)sandbox_stop(sb);
    fail_msg("too many sandboxes");
    return NULL;
}

/* Stop a sandbox from it_sandbox_start(); returns sandbox_stop()'s status. */
static inline int it_sandbox_stop(sandbox_proc *sb)
{
    size_t i;

    for (i = 0; i < IT_MAX_SANDBOXES; i++)
        if (it_sandboxes[i] == sb)
            it_sandboxes[i] = NULL;
    return sandbox_stop(sb);
}

/* cmocka per-test teardown: stop what a failed test left running. */
static inline int it_teardown(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < IT_MAX_SANDBOXES; i++) {
        if (it_sandboxes[i] != NULL) {
            (void)sandbox_stop(it_sandboxes[i]);
            it_sandboxes[i] = NULL;
        }
    }
    return 0;
}

/* ---- request log (client observer) ---- */

#define IT_LOG_MAX 4096

typedef struct it_attempt {
    char method[8];
    char path[160];
    int status;
    int attempt;
    int error_type;
    double elapsed_ms;
} it_attempt;

/* Every HTTP attempt the client made (the first IT_LOG_MAX kept; `count` counts all). */
typedef struct it_log {
    pthread_mutex_t lock;
    size_t count;
    it_attempt *items;
} it_log;

static inline void it_log_init(it_log *log)
{
    memset(log, 0, sizeof(*log));
    pthread_mutex_init(&log->lock, NULL);
    log->items = calloc(IT_LOG_MAX, sizeof(*log->items));
    assert_non_null(log->items);
}

static inline void it_log_dispose(it_log *log)
{
    free(log->items);
    log->items = NULL;
    pthread_mutex_destroy(&log->lock);
}

static inline void it_log_reset(it_log *log)
{
    pthread_mutex_lock(&log->lock);
    log->count = 0;
    pthread_mutex_unlock(&log->lock);
}

static inline size_t it_log_count(it_log *log)
{
    size_t n;

    pthread_mutex_lock(&log->lock);
    n = log->count;
    pthread_mutex_unlock(&log->lock);
    return n;
}

static inline void it_observer(const ftx_request_info *info, void *userdata)
{
    it_log *log = userdata;

    pthread_mutex_lock(&log->lock);
    if (log->count < IT_LOG_MAX) {
        it_attempt *a = &log->items[log->count];

        (void)snprintf(a->method, sizeof(a->method), "%s", info->method);
        (void)snprintf(a->path, sizeof(a->path), "%s", info->path);
        a->status = info->status;
        a->attempt = info->attempt;
        a->error_type = info->error_type;
        a->elapsed_ms = info->elapsed_ms;
    }
    log->count++;
    pthread_mutex_unlock(&log->lock);
}

/* Number of logged attempts from index `from` with this method and exact path (no query
 * when `path` has none and `prefix` is 0; `prefix` non-zero matches a path prefix). */
static inline size_t it_log_matching(it_log *log, size_t from, const char *method, const char *path,
                                     int prefix)
{
    size_t i, n = 0;

    pthread_mutex_lock(&log->lock);
    for (i = from; i < log->count && i < IT_LOG_MAX; i++) {
        const it_attempt *a = &log->items[i];

        if (strcmp(a->method, method) != 0)
            continue;
        if (prefix ? strncmp(a->path, path, strlen(path)) == 0 : strcmp(a->path, path) == 0)
            n++;
    }
    pthread_mutex_unlock(&log->lock);
    return n;
}

/* ---- clients ---- */

static inline ftx_client_options it_options(const char *url, th_fake_clock *fc, it_log *log)
{
    ftx_client_options o = FTX_CLIENT_OPTIONS_INIT;

    o.api_key = IT_KEY;
    o.api_secret = IT_SECRET;
    o.base_url = url;
    o.connect_timeout_ms = 3000;
    o.timeout_ms = 5000;
    if (fc != NULL)
        o.clock = th_fake_clock_get(fc);
    if (log != NULL) {
        o.observer = it_observer;
        o.observer_userdata = log;
    }
    return o;
}

static inline ftx_client *it_client_opts(const ftx_client_options *o)
{
    ftx_client *c = NULL;
    ftx_error err = {0};
    int rc = ftx_client_new(&c, o, &err);

    if (rc != FTX_OK)
        fail_msg("ftx_client_new: %s", err.message);
    return c;
}

static inline ftx_client *it_client(const char *url, th_fake_clock *fc, it_log *log)
{
    ftx_client_options o = it_options(url, fc, log);

    return it_client_opts(&o);
}

/* Fail the test with the error's details when rc is not FTX_OK. */
#define IT_OK(call)                                                                                \
    do {                                                                                           \
        ftx_error it_err_ = {0};                                                                   \
        int it_rc_;                                                                                \
        ftx_error_clear(&it_err_);                                                                 \
        it_rc_ = (call);                                                                           \
        (void)it_err_;                                                                             \
        if (it_rc_ != FTX_OK)                                                                      \
            fail_msg("%s: %s (%s)", #call, ftx_error_type_name(it_rc_), it_err_.message);          \
    } while (0)
/* Use as the `err` argument inside IT_OK(...). */
#define IT_ERR (&it_err_)

/* ---- set of ids (exactly-once checks) ---- */

typedef struct it_idset {
    char **slots;
    size_t cap; /* power of two */
    size_t count;
} it_idset;

static inline uint64_t it_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static inline it_idset *it_idset_new(size_t expected)
{
    it_idset *s = calloc(1, sizeof(*s));
    size_t cap = 64;

    assert_non_null(s);
    while (cap < expected * 2)
        cap *= 2;
    s->cap = cap;
    s->slots = calloc(cap, sizeof(char *));
    assert_non_null(s->slots);
    return s;
}

static inline void it_idset_free(it_idset *s)
{
    size_t i;

    if (s == NULL)
        return;
    for (i = 0; i < s->cap; i++)
        free(s->slots[i]);
    free(s->slots);
    free(s);
}

static inline int it_idset_has(const it_idset *s, const char *id)
{
    size_t i = (size_t)it_hash(id) & (s->cap - 1);

    while (s->slots[i] != NULL) {
        if (strcmp(s->slots[i], id) == 0)
            return 1;
        i = (i + 1) & (s->cap - 1);
    }
    return 0;
}

/* 1 when added, 0 when already there. */
static inline int it_idset_add(it_idset *s, const char *id)
{
    size_t i;

    assert_non_null(id);
    if ((s->count + 1) * 2 > s->cap) {
        char **old = s->slots;
        size_t oldcap = s->cap, j;

        s->cap *= 2;
        s->slots = calloc(s->cap, sizeof(char *));
        assert_non_null(s->slots);
        s->count = 0;
        for (j = 0; j < oldcap; j++) {
            if (old[j] != NULL) {
                i = (size_t)it_hash(old[j]) & (s->cap - 1);
                while (s->slots[i] != NULL)
                    i = (i + 1) & (s->cap - 1);
                s->slots[i] = old[j];
                s->count++;
            }
        }
        free(old);
    }
    i = (size_t)it_hash(id) & (s->cap - 1);
    while (s->slots[i] != NULL) {
        if (strcmp(s->slots[i], id) == 0)
            return 0;
        i = (i + 1) & (s->cap - 1);
    }
    s->slots[i] = strdup(id);
    assert_non_null(s->slots[i]);
    s->count++;
    return 1;
}

/* Every id of `a` is in `b` and the sizes match. */
static inline int it_idset_equal(const it_idset *a, const it_idset *b)
{
    size_t i;

    if (a->count != b->count)
        return 0;
    for (i = 0; i < a->cap; i++)
        if (a->slots[i] != NULL && !it_idset_has(b, a->slots[i]))
            return 0;
    return 1;
}

/* ---- small assertions ---- */

static inline void it_assert_str(const char *actual, const char *expected)
{
    if (expected == NULL) {
        if (actual != NULL)
            fail_msg("expected NULL, got \"%s\"", actual);
        return;
    }
    if (actual == NULL)
        fail_msg("expected \"%s\", got NULL", expected);
    assert_string_equal(actual, expected);
}

/* The error is well formed: the type, a non-empty one-line message, no secret. */
static inline void it_assert_error(int rc, const ftx_error *err, int type)
{
    if (rc != type)
        fail_msg("expected %s, got %s (%s)", ftx_error_type_name(type), ftx_error_type_name(rc),
                 err->message);
    assert_int_equal(err->type, type);
    assert_true(err->message[0] != '\0');
    assert_null(strchr(err->message, '\n'));
    assert_null(strstr(err->message, IT_SECRET));
}

#endif
