/**
 * @file fivetrex/batch.h
 * @brief Bounded concurrency: run many independent calls with at most K in flight.
 *
 * ftx_batch_run() runs `count` tasks, each a caller function that makes any library
 * calls it likes on the shared client (one GET, a whole stream, a list then a get ...),
 * with at most `max_in_flight` tasks running at once, and reports each result to a
 * callback. The workers share the client, its connection pool and its rate-limit state:
 * when any call on the client receives a 429, every worker waits out the same pause
 * before its next request instead of each hammering the API on its own.
 *
 * @code
 * static int fetch(ftx_client *c, size_t i, void *ud, ftx_error *err)
 * {
 *     struct job *jobs = ud;
 *     return ftx_connectors_list(c, jobs[i].group_id, NULL, &jobs[i].page, err);
 * }
 * ftx_batch_options o = FTX_BATCH_OPTIONS_INIT;
 * o.max_in_flight = 16;
 * rc = ftx_batch_run(client, njobs, fetch, NULL, jobs, &o, NULL, &err);
 * @endcode
 */
#ifndef FIVETREX_BATCH_H
#define FIVETREX_BATCH_H

#include <stddef.h>

#include "client.h"
#include "common.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FTX_BATCH_OPTIONS_VERSION 1

/** @brief Options for ftx_batch_run(). */
typedef struct ftx_batch_options {
    unsigned int version;
    /**
     * Most tasks running at once, 1..256 (0: 8). Each running task holds one pooled
     * connection; set the client's `max_idle_handles` to at least this value so the
     * connections are kept between tasks.
     */
    int max_in_flight;
    /** Non-zero: start no new task after the first failure (running ones finish). */
    int stop_on_error;
} ftx_batch_options;

#define FTX_BATCH_OPTIONS_INIT                                                                     \
    {                                                                                              \
        FTX_BATCH_OPTIONS_VERSION, 0, 0                                                            \
    }

/** @brief What a batch did (optional output of ftx_batch_run()). */
typedef struct ftx_batch_stats {
    /** Tasks that returned FTX_OK. */
    size_t succeeded;
    /** Tasks that returned an error. */
    size_t failed;
    /** Tasks never started (stop_on_error). */
    size_t not_run;
    /** Most tasks that were running at the same moment (<= max_in_flight). */
    int peak_in_flight;
} ftx_batch_stats;

/**
 * @brief One task: make the calls for item `index` and return FTX_OK or a negative
 *        ftx_error_type, filling `err` (never NULL) on failure.
 *
 * Runs on a worker thread, concurrently with other tasks; it may call any function
 * that takes the shared `client`, and must synchronise its own access to shared
 * caller data (distinct `index` values are a natural partition).
 */
typedef int (*ftx_batch_task_fn)(ftx_client *client, size_t index, void *userdata, ftx_error *err);

/**
 * @brief Told when task `index` has finished with result `rc` (`err` describes a
 *        failure; it is cleared on success). Calls are serialised (never two at once)
 *        but come from worker threads, in completion order.
 */
typedef void (*ftx_batch_done_fn)(size_t index, int rc, const ftx_error *err, void *userdata);

/**
 * @brief Run tasks 0..count-1 with at most `max_in_flight` at once and wait for all.
 *
 * The calling thread is one of the workers; max_in_flight - 1 more threads are started
 * (fewer when there are fewer tasks; if a thread cannot be started the batch runs with
 * those it has). Tasks start in index order.
 * Rate limits are shared: a 429 that the client retries pauses every request on the
 * client (every worker) until the retry time, and a task that finally fails with
 * FTX_ERR_RATE_LIMITED and a `retry_after` extends that pause by `retry_after` seconds
 * (on the client's clock), so later tasks do not hit the limit again at once.
 *
 * @param client the shared client.
 * @param count number of tasks (0: nothing to do, FTX_OK).
 * @param task the task function (required).
 * @param done optional completion callback.
 * @param userdata passed to `task` and `done`.
 * @param opts NULL for FTX_BATCH_OPTIONS_INIT.
 * @param[out] stats optional counts (filled on every return except invalid arguments).
 * @param err optional: on failure, the error of the lowest-index failed task.
 * @return FTX_OK when every task succeeded; otherwise the result of the lowest-index
 *         failed task; FTX_ERR_INVALID_ARGUMENT (NULL client or task, bad options,
 *         unknown version) before anything runs.
 * @since 0.1
 */
FTX_EXTERN int ftx_batch_run(ftx_client *client, size_t count, ftx_batch_task_fn task,
                             ftx_batch_done_fn done, void *userdata, const ftx_batch_options *opts,
                             ftx_batch_stats *stats, ftx_error *err);

#ifdef __cplusplus
}
#endif
#endif
