/*
 * ftx_batch_run: bounded concurrency over the shared, thread-safe client.
 *
 * A pool of at most K workers (the caller plus K-1 pthreads) takes task indexes in
 * order from a shared counter. Each task uses the client like any other thread does:
 * a pooled easy handle (connection kept alive) per running call, and the client-wide
 * rate-limit pause (http.c: a 429 sets "paused until", every request on the client
 * waits for it). The batch adds one thing: a task that finally fails with a
 * rate-limit error carrying Retry-After extends that pause, so no later request of
 * any task goes out early.
 */
#include <pthread.h>
#include <string.h>

#include "fivetrex/batch.h"
#include "internal.h"

#define DEFAULT_IN_FLIGHT 8
#define MAX_IN_FLIGHT     256

typedef struct batch {
    ftx_client *client;
    size_t count;
    ftx_batch_task_fn task;
    ftx_batch_done_fn done;
    void *userdata;
    int stop_on_error;

    pthread_mutex_t lock; /* guards everything below */
    size_t next;
    int stop;
    int in_flight;
    int peak;
    size_t succeeded;
    size_t failed;
    size_t first_failed; /* lowest failed index (valid when failed > 0) */
    int first_rc;
    ftx_error first_err;

    pthread_mutex_t done_lock; /* serialises the done callback */
} batch;

/* `now_ms` plus `secs` seconds, saturating: an absurd retry_after must not wrap
 * around into the past (which would lift the pause instead of extending it). */
static uint64_t after_secs(uint64_t now_ms, long secs)
{
    uint64_t add;

    if ((uint64_t)secs > UINT64_MAX / 1000u)
        return UINT64_MAX;
    add = (uint64_t)secs * 1000u;
    return add > UINT64_MAX - now_ms ? UINT64_MAX : now_ms + add;
}

static void *worker(void *arg)
{
    batch *b = arg;

    for (;;) {
        ftx_error e;
        size_t i;
        int rc;

        pthread_mutex_lock(&b->lock);
        if (b->stop || b->next >= b->count) {
            pthread_mutex_unlock(&b->lock);
            break;
        }
        i = b->next++;
        b->in_flight++;
        if (b->in_flight > b->peak)
            b->peak = b->in_flight;
        pthread_mutex_unlock(&b->lock);

        /* No wait here: every request on the client already waits out the pause. */
        ftx_error_clear(&e);
        rc = b->task(b->client, i, b->userdata, &e);
        if (rc > 0)
            rc = FTX_ERR_UNKNOWN; /* a task must return FTX_OK or a negative type */
        if (rc == FTX_OK)
            ftx_error_clear(&e);
        else if (e.type == FTX_OK)
            e.type = rc;
        if (rc == FTX_ERR_RATE_LIMITED && e.retry_after > 0)
            ftx__client_pause_until(b->client, after_secs(ftx__now_ms(b->client), e.retry_after));

        pthread_mutex_lock(&b->lock);
        b->in_flight--;
        if (rc == FTX_OK) {
            b->succeeded++;
        } else {
            if (b->failed == 0 || i < b->first_failed) {
                b->first_failed = i;
                b->first_rc = rc;
                b->first_err = e;
            }
            b->failed++;
            if (b->stop_on_error)
                b->stop = 1;
        }
        pthread_mutex_unlock(&b->lock);

        if (b->done != NULL) {
            pthread_mutex_lock(&b->done_lock);
            b->done(i, rc, &e, b->userdata);
            pthread_mutex_unlock(&b->done_lock);
        }
    }
    return NULL;
}

int ftx_batch_run(ftx_client *client, size_t count, ftx_batch_task_fn task, ftx_batch_done_fn done,
                  void *userdata, const ftx_batch_options *opts, ftx_batch_stats *stats,
                  ftx_error *err)
{
    ftx_batch_options o;
    pthread_t *threads = NULL;
    size_t started = 0, nthreads, t;
    batch b;
    int k;

    if (client == NULL || task == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "ftx_batch_run: client and task are required");
    if (FTX__OPTIONS_LOAD(ftx_batch_options, &o, opts, err) != FTX_OK)
        return FTX_ERR_INVALID_ARGUMENT;
    opts = &o;
    if (opts->max_in_flight < 0 || opts->max_in_flight > MAX_IN_FLIGHT)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "ftx_batch_options.max_in_flight %d is outside 0..%d (0: %d)",
                              opts->max_in_flight, MAX_IN_FLIGHT, DEFAULT_IN_FLIGHT);
    k = opts->max_in_flight > 0 ? opts->max_in_flight : DEFAULT_IN_FLIGHT;

    memset(&b, 0, sizeof(b));
    b.client = client;
    b.count = count;
    b.task = task;
    b.done = done;
    b.userdata = userdata;
    b.stop_on_error = opts->stop_on_error;
    if (pthread_mutex_init(&b.lock, NULL) != 0)
        return ftx__error_nomem(err);
    if (pthread_mutex_init(&b.done_lock, NULL) != 0) {
        pthread_mutex_destroy(&b.lock);
        return ftx__error_nomem(err);
    }

    nthreads = (size_t)k < count ? (size_t)k : count;
    if (nthreads > 1) {
        threads = ftx__calloc(nthreads - 1, sizeof(*threads));
        /* Without memory for the thread table the caller runs every task itself. */
        for (t = 0; threads != NULL && t < nthreads - 1; t++) {
            if (pthread_create(&threads[t], NULL, worker, &b) != 0)
                break;
            started++;
        }
    }
    worker(&b);
    for (t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    ftx__free(threads);

    if (stats != NULL) {
        stats->succeeded = b.succeeded;
        stats->failed = b.failed;
        stats->not_run = count - b.succeeded - b.failed;
        stats->peak_in_flight = b.peak;
    }
    pthread_mutex_destroy(&b.done_lock);
    pthread_mutex_destroy(&b.lock);
    if (b.failed > 0) {
        if (err != NULL)
            *err = b.first_err;
        return b.first_rc;
    }
    return FTX_OK;
}
