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
 *
 * ftx_connectors_stream_groups() is the common fan-out without threads: every
 * connector of many groups, all lists paged concurrently on one curl multi handle on
 * the calling thread, items handed to a callback as their pages arrive.
 */
#ifndef FIVETREX_BATCH_H
#define FIVETREX_BATCH_H

#include <stddef.h>

#include "client.h"
#include "common.h"
#include "connectors.h"
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

/**
 * @brief What a batch did (optional output of ftx_batch_run()).
 *
 * ABI rule: caller-allocated and written by the library, so its size is frozen at
 * 8 `size_t`; fields added later are carved out of `reserved` (docs/abi.md).
 */
typedef struct ftx_batch_stats {
    /** Tasks that returned FTX_OK. */
    size_t succeeded;
    /** Tasks that returned an error. */
    size_t failed;
    /** Tasks never started (stop_on_error). */
    size_t not_run;
    /** Most tasks that were running at the same moment (<= max_in_flight). */
    int peak_in_flight;
    /** Room for fields added later (keeps the size frozen); not to be read. */
    size_t reserved[4];
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

#define FTX_FANOUT_OPTIONS_VERSION 1

/** @brief Options for ftx_connectors_stream_groups(). */
typedef struct ftx_fanout_options {
    unsigned int version;
    /**
     * Most requests in flight at once, 1..256 (0: 8). Each list has at most one
     * request in flight (its pages are fetched in order), so this is also the most
     * lists being paged at once; a list waiting for a retry keeps its place.
     */
    int max_in_flight;
    /** Page size: 0 (API default) or 1..1000, as ftx_list_options.limit. */
    int limit;
} ftx_fanout_options;

#define FTX_FANOUT_OPTIONS_INIT                                                                    \
    {                                                                                              \
        FTX_FANOUT_OPTIONS_VERSION, 0, 0                                                           \
    }

/**
 * @brief What a fan-out did (optional output of ftx_connectors_stream_groups()).
 *
 * ABI rule: caller-allocated and written by the library, so its size is frozen at
 * 8 `size_t`; fields added later are carved out of `reserved` (docs/abi.md).
 */
typedef struct ftx_fanout_stats {
    /** Lists whose last page was delivered. */
    size_t lists_completed;
    /** Items handed to the callback. */
    size_t items;
    /** HTTP attempts started, retries included. */
    size_t requests;
    /** Of `requests`, the retries. */
    size_t retries;
    /** Most requests that were in flight at the same moment (<= max_in_flight). */
    int peak_in_flight;
    /** Room for fields added later (keeps the size frozen); not to be read. */
    size_t reserved[3];
} ftx_fanout_stats;

/**
 * @brief Told about one connector of group `group_index` (an index into the
 *        `group_ids` array). `item` is borrowed: valid only during the call (keep a
 *        copy with ftx_connector_dup()). Return 0 to go on, non-zero to stop
 *        everything (the fan-out then returns FTX_ERR_CANCELLED).
 */
typedef int (*ftx_connector_item_fn)(const ftx_connector *item, size_t group_index, void *userdata);

/**
 * @brief Every connector of every group in `group_ids`: GET /groups/{id}/connections
 *        paged to the end for each group, the groups concurrently, on the calling
 *        thread.
 *
 * Up to `max_in_flight` requests run at once on one curl multi handle, with easy
 * handles from the client's pool (connections are kept and reused across pages and
 * groups for the duration of the call). Groups start in index order; each group's
 * pages are requested one after the other, and its items are delivered in page
 * order. Items of different groups interleave in completion order.
 *
 * Every request follows the client's retry policy exactly like a blocking call
 * (429, 5xx, transport failures, Retry-After, `retry_if`, `on_retry`, observer);
 * retry delays are timers on the client's clock, not sleeps, so other transfers go
 * on meanwhile. Rate limits are shared: a retried 429 on any request pauses the
 * whole client (this call's other lists and every other thread using the client)
 * until the retry time; no new request of this call starts before then, and a pause
 * longer than the policy's max_delay_ms fails the call with FTX_ERR_RATE_LIMITED.
 *
 * The first failure (in completion order, after its retries) ends the call: requests
 * in flight are abandoned, no new request is sent, and that error is returned; items
 * delivered before stay delivered. A non-zero return from `on_item` ends the call the
 * same way with FTX_ERR_CANCELLED.
 *
 * Callbacks (`on_item`, and the client's observer and retry callbacks) run on the
 * calling thread; `on_item` may make other (blocking) calls on the same client.
 *
 * @code
 * static int count(const ftx_connector *k, size_t g, void *ud)
 * {
 *     ((size_t *)ud)[g]++;
 *     return 0;
 * }
 * ftx_fanout_options o = FTX_FANOUT_OPTIONS_INIT;
 * o.max_in_flight = 16;
 * o.limit = 1000;
 * rc = ftx_connectors_stream_groups(client, ids, nids, &o, count, counts, NULL, &err);
 * @endcode
 *
 * @param client the client.
 * @param group_ids `n` group ids (each non-NULL and non-empty; percent-encoded in the
 *        path).
 * @param n number of groups (0: nothing to do, FTX_OK).
 * @param opts NULL for FTX_FANOUT_OPTIONS_INIT.
 * @param on_item called for every connector (required).
 * @param userdata passed to `on_item`.
 * @param[out] stats optional counts (filled on every return except invalid
 *        arguments).
 * @param err optional error detail.
 * @return FTX_OK when every page of every group was delivered; the first failure's
 *         ftx_error_type (e.g. FTX_ERR_NOT_FOUND for an unknown group, with
 *         `attempts`, `status` and Fivetran's code in `err`); FTX_ERR_CANCELLED when
 *         `on_item` stopped it; FTX_ERR_INVALID_ARGUMENT (NULL client, callback or
 *         ids, a NULL or empty id, bad options) before any request; FTX_ERR_NOMEM.
 * @since 0.1
 */
FTX_EXTERN int ftx_connectors_stream_groups(ftx_client *client, const char *const *group_ids,
                                            size_t n, const ftx_fanout_options *opts,
                                            ftx_connector_item_fn on_item, void *userdata,
                                            ftx_fanout_stats *stats, ftx_error *err);

#ifdef __cplusplus
}
#endif
#endif
