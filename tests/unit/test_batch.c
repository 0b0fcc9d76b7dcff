/*
 * ftx_batch_run: every task runs once with its result reported, at most K tasks run at
 * once, failures are reported by lowest index, stop_on_error, argument checks, and the
 * shared rate-limit state: a 429 on one worker makes the other workers wait too
 * (observed through an injected clock that records every sleep).
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "fivetrex/batch.h"
#include "internal.h"
#include "test_helpers.h"

#define GROUP_OK(id)                                                                               \
    "{\"code\":\"Success\",\"data\":{\"id\":\"" id "\",\"name\":\"n\","                            \
    "\"created_at\":\"2020-05-25T15:26:47.306509Z\"}}"
#define ERR_429 "{\"code\":\"TooManyRequests\",\"message\":\"Rate limit exceeded\"}"
#define ERR_404 "{\"code\":\"NotFound_Group\",\"message\":\"Cannot find entity 'Group'\"}"

/* ---- a clock whose time stands still: every sleep is recorded, none advances it ---- */

typedef struct still_clock {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint64_t now_ms;
    uint64_t sleeps[16];
    size_t nsleeps;
} still_clock;

static uint64_t still_now(void *ud)
{
    still_clock *sc = ud;
    uint64_t v;

    pthread_mutex_lock(&sc->lock);
    v = sc->now_ms;
    pthread_mutex_unlock(&sc->lock);
    return v;
}

static void still_sleep(uint64_t ms, void *ud)
{
    still_clock *sc = ud;

    pthread_mutex_lock(&sc->lock);
    if (sc->nsleeps < 16)
        sc->sleeps[sc->nsleeps] = ms;
    sc->nsleeps++;
    pthread_cond_broadcast(&sc->cond);
    pthread_mutex_unlock(&sc->lock);
}

/* Wait (real time, at most 5 s) until at least `n` sleeps were recorded. */
static int still_wait_sleeps(still_clock *sc, size_t n)
{
    struct timespec dl;
    int ok;

    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += 5;
    pthread_mutex_lock(&sc->lock);
    while (sc->nsleeps < n)
        if (pthread_cond_timedwait(&sc->cond, &sc->lock, &dl) != 0)
            break;
    ok = sc->nsleeps >= n;
    pthread_mutex_unlock(&sc->lock);
    return ok;
}

/* ---- fixture ---- */

struct fixture {
    mock_server *ms;
    still_clock sc;
    ftx_client *client;
    /* task bookkeeping */
    pthread_mutex_t lock;
    int running;
    int peak;
    int done_calls[64];
    int done_rc[64];
    int done_concurrent; /* set when two done callbacks overlapped */
    int in_done;
    int done_bad_err; /* a done callback got an err that does not match rc */
    char ids[64][32];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    f->ms = mock_server_start();
    if (f->ms == NULL) {
        free(f);
        return -1;
    }
    pthread_mutex_init(&f->sc.lock, NULL);
    pthread_cond_init(&f->sc.cond, NULL);
    f->sc.now_ms = 1000;
    pthread_mutex_init(&f->lock, NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    ftx_client_free(f->client);
    mock_server_stop(f->ms);
    pthread_cond_destroy(&f->sc.cond);
    pthread_mutex_destroy(&f->sc.lock);
    pthread_mutex_destroy(&f->lock);
    free(f);
    return 0;
}

static ftx_client *make_client(struct fixture *f, int max_attempts)
{
    ftx_client_options o = th_options(f->ms, NULL);

    o.clock.now_ms = still_now;
    o.clock.sleep_ms = still_sleep;
    o.clock.userdata = &f->sc;
    o.retry.max_attempts = max_attempts;
    o.max_idle_handles = 16;
    f->client = th_client_opts(&o);
    return f->client;
}

/* Task: GET /groups/g<index>, keep the id parsed from the answer. */
static int get_group_task(ftx_client *c, size_t i, void *ud, ftx_error *err)
{
    struct fixture *f = ud;
    ftx_group *g = NULL;
    char id[32];
    int rc;

    pthread_mutex_lock(&f->lock);
    f->running++;
    if (f->running > f->peak)
        f->peak = f->running;
    pthread_mutex_unlock(&f->lock);

    (void)snprintf(id, sizeof(id), "g%zu", i);
    rc = ftx_groups_get(c, id, &g, err);
    if (rc == FTX_OK)
        (void)snprintf(f->ids[i], sizeof(f->ids[i]), "%s", g->id);
    ftx_group_free(g);

    pthread_mutex_lock(&f->lock);
    f->running--;
    pthread_mutex_unlock(&f->lock);
    return rc;
}

static void on_done(size_t i, int rc, const ftx_error *err, void *ud)
{
    struct fixture *f = ud;

    pthread_mutex_lock(&f->lock);
    if (f->in_done)
        f->done_concurrent = 1;
    f->in_done = 1;
    pthread_mutex_unlock(&f->lock);
    if (i < 64) {
        f->done_calls[i]++;
        f->done_rc[i] = rc;
    }
    /* worker threads: record, assert on the test's thread */
    if (err == NULL || err->type != rc)
        f->done_bad_err = 1;
    pthread_mutex_lock(&f->lock);
    f->in_done = 0;
    pthread_mutex_unlock(&f->lock);
}

static int seen_path(mock_server *ms, const char *path)
{
    size_t i, n = mock_server_request_count(ms);

    for (i = 0; i < n; i++)
        if (strcmp(mock_server_request(ms, i)->path, path) == 0)
            return 1;
    return 0;
}

/* ---- tests ---- */

/* Every task runs exactly once, its request is the one it asked for, each result is
 * reported once, and no more than K run at the same moment. */
static void test_runs_every_task_at_most_k_in_flight(void **state)
{
    struct fixture *f = *state;
    ftx_batch_options o = FTX_BATCH_OPTIONS_INIT;
    ftx_batch_stats st;
    ftx_error err;
    mock_response r = {200, GROUP_OK("same"), NULL, 40, MOCK_REPLY};
    size_t i;

    make_client(f, 1);
    for (i = 0; i < 12; i++)
        mock_server_respond_full(f->ms, &r);
    o.max_in_flight = 3;
    memset(&st, 0xff, sizeof(st));
    assert_int_equal(ftx_batch_run(f->client, 12, get_group_task, on_done, f, &o, &st, &err),
                     FTX_OK);

    assert_int_equal(mock_server_request_count(f->ms), 12);
    for (i = 0; i < 12; i++) {
        char path[32];

        (void)snprintf(path, sizeof(path), "/v1/groups/g%zu", i);
        assert_true(seen_path(f->ms, path));
        assert_int_equal(f->done_calls[i], 1);
        assert_int_equal(f->done_rc[i], FTX_OK);
        assert_string_equal(f->ids[i], "same");
    }
    assert_int_equal(f->done_concurrent, 0);
    assert_int_equal(f->done_bad_err, 0);
    /* the bound holds, and the batch really ran tasks concurrently */
    assert_true(f->peak <= 3);
    assert_true(f->peak >= 2);
    assert_int_equal(st.succeeded, 12);
    assert_int_equal(st.failed, 0);
    assert_int_equal(st.not_run, 0);
    assert_true(st.peak_in_flight <= 3);
    assert_true(st.peak_in_flight >= f->peak);
    /* the caller's thread is one of the workers: connections stay bounded by K */
    assert_true(mock_server_connection_count(f->ms) <= 3);
}

/* K = 1 is sequential: tasks run in index order. */
static void test_k1_is_sequential_in_order(void **state)
{
    struct fixture *f = *state;
    ftx_batch_options o = FTX_BATCH_OPTIONS_INIT;
    size_t i;

    make_client(f, 1);
    for (i = 0; i < 5; i++)
        mock_server_respond(f->ms, 200, GROUP_OK("x"));
    o.max_in_flight = 1;
    assert_int_equal(ftx_batch_run(f->client, 5, get_group_task, NULL, f, &o, NULL, NULL), FTX_OK);
    assert_int_equal(f->peak, 1);
    for (i = 0; i < 5; i++) {
        char path[32];

        (void)snprintf(path, sizeof(path), "/v1/groups/g%zu", i);
        assert_string_equal(mock_server_request(f->ms, i)->path, path);
    }
    assert_int_equal(mock_server_connection_count(f->ms), 1);
}

/* Task 1 waits (real time, bounded) until task 0 sleeps on its 429. */
static int staggered_task(ftx_client *c, size_t i, void *ud, ftx_error *err)
{
    struct fixture *f = ud;

    if (i == 1 && !still_wait_sleeps(&f->sc, 1))
        return ftx__error_set(err, FTX_ERR_UNKNOWN, "task 0 never slept");
    return get_group_task(c, i, ud, err);
}

/* A 429 with Retry-After seen by one worker makes the other worker wait as well,
 * instead of sending its request at once. */
static void test_429_pauses_every_worker(void **state)
{
    struct fixture *f = *state;
    ftx_batch_options o = FTX_BATCH_OPTIONS_INIT;
    mock_response r429 = {429, ERR_429, "Retry-After: 7", 0, MOCK_REPLY};
    ftx_batch_stats st;

    make_client(f, 3);
    mock_server_respond_full(f->ms, &r429);
    mock_server_respond(f->ms, 200, GROUP_OK("a"));
    mock_server_respond(f->ms, 200, GROUP_OK("a"));
    o.max_in_flight = 2;
    assert_int_equal(ftx_batch_run(f->client, 2, NULL, NULL, f, &o, &st, NULL),
                     FTX_ERR_INVALID_ARGUMENT); /* (task is required) */
    f->peak = 0;
    /* task 0 goes first and meets the 429; task 1 sends its request only once task 0
     * is sleeping on it */
    assert_int_equal(ftx_batch_run(f->client, 2, staggered_task, NULL, f, &o, &st, NULL), FTX_OK);
    assert_int_equal(st.succeeded, 2);
    assert_int_equal(mock_server_request_count(f->ms), 3);
    assert_string_equal(mock_server_request(f->ms, 0)->path, "/v1/groups/g0");
    /* two waits of 7 s: task 0's own retry and task 1 honouring the shared pause */
    assert_int_equal(f->sc.nsleeps, 2);
    assert_int_equal(f->sc.sleeps[0], 7000);
    assert_int_equal(f->sc.sleeps[1], 7000);
    assert_int_equal(ftx__client_paused_until(f->client), 1000 + 7000);
}

/* A task that ends rate-limited (no retries left) with Retry-After holds back the
 * requests of the tasks after it. */
static void test_final_rate_limit_pauses_later_tasks(void **state)
{
    struct fixture *f = *state;
    ftx_batch_options o = FTX_BATCH_OPTIONS_INIT;
    mock_response r429 = {429, ERR_429, "Retry-After: 5", 0, MOCK_REPLY};
    ftx_batch_stats st;
    ftx_error err;

    make_client(f, 1);
    mock_server_respond_full(f->ms, &r429);
    mock_server_respond(f->ms, 200, GROUP_OK("b"));
    o.max_in_flight = 1;
    assert_int_equal(ftx_batch_run(f->client, 2, get_group_task, NULL, f, &o, &st, &err),
                     FTX_ERR_RATE_LIMITED);
    assert_int_equal(err.type, FTX_ERR_RATE_LIMITED);
    assert_int_equal(err.retry_after, 5);
    assert_int_equal(err.status, 429);
    assert_int_equal(st.succeeded, 1);
    assert_int_equal(st.failed, 1);
    assert_int_equal(mock_server_request_count(f->ms), 2);
    assert_int_equal(f->sc.nsleeps, 1);
    assert_int_equal(f->sc.sleeps[0], 5000);
}

/* A task's own rate-limit error with an absurd retry_after pauses the client (for the
 * policy's max_delay_ms, not for years) instead of wrapping around into the past and
 * lifting it; the error keeps the task's value. */
static long huge_retry_after;

static int huge_retry_after_task(ftx_client *c, size_t i, void *ud, ftx_error *err)
{
    (void)c;
    (void)ud;
    ftx__error_set(err, FTX_ERR_RATE_LIMITED, "task %zu: rate limited", i);
    err->retry_after = huge_retry_after;
    return FTX_ERR_RATE_LIMITED;
}

static void test_huge_task_retry_after_pauses(void **state)
{
    /* LONG_MAX; just over 2^64/1000 (wraps to 384 ms); just over 2^63/1000 */
    static const long values[] = {LONG_MAX, 18446744073709552L, 9223372036854776L};
    struct fixture *f = *state;
    ftx_batch_options o = FTX_BATCH_OPTIONS_INIT;
    size_t i;

    o.max_in_flight = 1;
    for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        ftx_batch_stats st;
        ftx_error err;

        ftx_client_free(f->client);
        make_client(f, 1);
        huge_retry_after = values[i];
        assert_int_equal(ftx_batch_run(f->client, 1, huge_retry_after_task, NULL, f, &o, &st, &err),
                         FTX_ERR_RATE_LIMITED);
        assert_int_equal(err.retry_after, values[i]);
        /* paused, capped at the retry policy's max_delay_ms (30 s) */
        assert_int_equal(ftx__client_paused_until(f->client), f->sc.now_ms + 30000);
    }
    assert_int_equal(mock_server_request_count(f->ms), 0);
}

/* Failures: every task still runs, the lowest failed index is returned. */
static void test_failure_of_lowest_index_is_returned(void **state)
{
    struct fixture *f = *state;
    ftx_batch_options o = FTX_BATCH_OPTIONS_INIT;
    ftx_batch_stats st;
    ftx_error err;

    make_client(f, 1);
    mock_server_respond(f->ms, 200, GROUP_OK("a"));
    mock_server_respond(f->ms, 404, ERR_404);
    mock_server_respond(f->ms, 200, GROUP_OK("c"));
    mock_server_respond(f->ms, 500, "{\"code\":\"InternalError\",\"message\":\"boom\"}");
    o.max_in_flight = 1;
    assert_int_equal(ftx_batch_run(f->client, 4, get_group_task, on_done, f, &o, &st, &err),
                     FTX_ERR_NOT_FOUND);
    assert_int_equal(err.type, FTX_ERR_NOT_FOUND);
    assert_int_equal(err.status, 404);
    assert_string_equal(err.code, "NotFound_Group");
    assert_int_equal(st.succeeded, 2);
    assert_int_equal(st.failed, 2);
    assert_int_equal(f->done_rc[1], FTX_ERR_NOT_FOUND);
    assert_int_equal(f->done_rc[3], FTX_ERR_SERVER);
    assert_int_equal(f->done_rc[2], FTX_OK);
    assert_int_equal(f->done_bad_err, 0);
}

static void test_stop_on_error(void **state)
{
    struct fixture *f = *state;
    ftx_batch_options o = FTX_BATCH_OPTIONS_INIT;
    ftx_batch_stats st;

    make_client(f, 1);
    mock_server_respond(f->ms, 404, ERR_404);
    o.max_in_flight = 1;
    o.stop_on_error = 1;
    assert_int_equal(ftx_batch_run(f->client, 5, get_group_task, on_done, f, &o, &st, NULL),
                     FTX_ERR_NOT_FOUND);
    assert_int_equal(mock_server_request_count(f->ms), 1);
    assert_int_equal(st.failed, 1);
    assert_int_equal(st.not_run, 4);
    assert_int_equal(f->done_calls[1], 0);
}

static int bad_task(ftx_client *c, size_t i, void *ud, ftx_error *err)
{
    (void)c;
    (void)i;
    (void)ud;
    (void)err;
    return 7; /* not a valid result: reported as unknown */
}

static int never_task(ftx_client *c, size_t i, void *ud, ftx_error *err)
{
    (void)c;
    (void)i;
    (void)ud;
    (void)err;
    fail_msg("no task may run");
    return FTX_OK;
}

static void test_arguments(void **state)
{
    struct fixture *f = *state;
    ftx_batch_options o = FTX_BATCH_OPTIONS_INIT;
    ftx_batch_stats st;
    ftx_error err;

    make_client(f, 1);
    assert_int_equal(ftx_batch_run(NULL, 1, never_task, NULL, NULL, NULL, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_batch_run(f->client, 1, NULL, NULL, NULL, NULL, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    o.version = 99;
    assert_int_equal(ftx_batch_run(f->client, 1, never_task, NULL, NULL, &o, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "version"));
    o.version = FTX_BATCH_OPTIONS_VERSION;
    o.max_in_flight = -1;
    assert_int_equal(ftx_batch_run(f->client, 1, never_task, NULL, NULL, &o, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    o.max_in_flight = 100000;
    assert_int_equal(ftx_batch_run(f->client, 1, never_task, NULL, NULL, &o, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    /* nothing to do */
    assert_int_equal(ftx_batch_run(f->client, 0, never_task, NULL, NULL, NULL, &st, &err), FTX_OK);
    assert_int_equal(st.succeeded + st.failed + st.not_run, 0);
    /* a task returning a positive value is a failure, never success */
    assert_int_equal(ftx_batch_run(f->client, 2, bad_task, NULL, NULL, NULL, &st, &err),
                     FTX_ERR_UNKNOWN);
    assert_int_equal(st.failed, 2);
    assert_int_equal(mock_server_request_count(f->ms), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_runs_every_task_at_most_k_in_flight, setup, teardown),
        cmocka_unit_test_setup_teardown(test_k1_is_sequential_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_429_pauses_every_worker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_final_rate_limit_pauses_later_tasks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_huge_task_retry_after_pauses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_of_lowest_index_is_returned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_on_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arguments, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
