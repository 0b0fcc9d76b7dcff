/*
 * ftx_connectors_sync_and_wait(): trigger a sync and poll until the sync this call
 * started has ended. The "ended" rule is documented in connectors.h.
 */
#include <stdint.h>
#include <string.h>

#include "internal.h"

#define DEFAULT_POLL_MS    10000u
#define DEFAULT_TIMEOUT_MS 3600000u
/* The status read made at the deadline itself may take this long, retries included. */
#define LAST_READ_GRACE_MS 5000u

void ftx_sync_wait_result_free(ftx_sync_wait_result *r)
{
    if (r == NULL)
        return;
    ftx_connector_free(r->connector);
    ftx__free(r);
}

static int str_is(const char *s, const char *v)
{
    return s != NULL && strcmp(s, v) == 0;
}

/* Latest valid end timestamp of the connector, INT64_MIN when none. */
static int64_t baseline_of(const ftx_connector *c)
{
    int64_t b = INT64_MIN;

    if (c->succeeded_at.valid)
        b = c->succeeded_at.epoch_ms;
    if (c->failed_at.valid && c->failed_at.epoch_ms > b)
        b = c->failed_at.epoch_ms;
    return b;
}

/* 0 while running; else an ftx_sync_outcome. */
static int ended(const ftx_connector *c, int64_t baseline)
{
    int s = c->succeeded_at.valid && c->succeeded_at.epoch_ms > baseline;
    int f = c->failed_at.valid && c->failed_at.epoch_ms > baseline;

    if (!s && !f)
        return 0;
    if (s && (!f || c->succeeded_at.epoch_ms > c->failed_at.epoch_ms))
        return FTX_SYNC_SUCCEEDED;
    return FTX_SYNC_FAILED;
}

/* Errors after which polling again cannot help. */
static int fatal_read_error(int rc)
{
    return rc == FTX_ERR_UNAUTHORIZED || rc == FTX_ERR_FORBIDDEN || rc == FTX_ERR_NOT_FOUND ||
           rc == FTX_ERR_INVALID_ARGUMENT || rc == FTX_ERR_NOMEM;
}

static int finish(ftx_sync_wait_result **out, int outcome, ftx_connector *c, uint64_t elapsed,
                  int polls, ftx_error *err)
{
    ftx_sync_wait_result *r = ftx__calloc(1, sizeof(*r));

    if (r == NULL) {
        ftx_connector_free(c);
        return ftx__error_nomem(err);
    }
    r->outcome = outcome;
    r->connector = c;
    r->elapsed_ms = elapsed;
    r->polls = polls;
    *out = r;
    return FTX_OK;
}

int ftx_connectors_sync_and_wait(ftx_client *client, const char *connector_id,
                                 const ftx_sync_wait_options *opts, ftx_sync_wait_result **out,
                                 ftx_error *err)
{
    ftx_sync_wait_options o = FTX_SYNC_WAIT_OPTIONS_INIT;
    ftx_sync_options so = FTX_SYNC_OPTIONS_INIT;
    ftx_connector *c = NULL;
    uint64_t start, interval, timeout, elapsed;
    int64_t baseline;
    int rc, polls = 0;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (client == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "client must not be NULL");
    if ((rc = FTX__OPTIONS_LOAD(ftx_sync_wait_options, &o, opts, err)) != FTX_OK)
        return rc;
    interval = o.poll_interval_ms != 0 ? o.poll_interval_ms : DEFAULT_POLL_MS;
    timeout = o.timeout_ms != 0 ? o.timeout_ms : DEFAULT_TIMEOUT_MS;
    so.force = o.force;
    start = ftx__now_ms(client);

    /* 1-2: read the connector, refuse a state that cannot sync, take the baseline. */
    if ((rc = ftx_connectors_get(client, connector_id, &c, err)) < 0)
        return rc;
    if (c->paused || str_is(ftx_connector_sync_state(c), "paused")) {
        ftx_connector_free(c);
        return ftx__error_set(err, FTX_ERR_INVALID_STATE,
                              "connector is paused: resume it before syncing");
    }
    if (!str_is(c->setup_state, "connected")) {
        rc = ftx__error_set(err, FTX_ERR_INVALID_STATE,
                            "connector setup_state is \"%.40s\", not \"connected\": finish its "
                            "setup (setup tests) before syncing",
                            c->setup_state != NULL ? c->setup_state : "unknown");
        ftx_connector_free(c);
        return rc;
    }
    baseline = baseline_of(c);
    ftx_connector_free(c);
    c = NULL;

    /* 3: trigger. */
    if ((rc = ftx_connectors_sync(client, connector_id, &so, NULL, err)) < 0)
        return rc;

    /* 4-7: poll until an end timestamp passes the baseline or the deadline. */
    for (;;) {
        ftx_sync_progress p;
        ftx_error read_err;
        ftx_connector *now = NULL;
        int outcome;

        elapsed = ftx__now_ms(client) - start;
        if (elapsed >= timeout) {
            ftx_connector_free(c);
            return ftx__error_set(err, FTX_ERR_TIMEOUT,
                                  "sync did not end within %llu ms (%d status reads)",
                                  (unsigned long long)timeout, polls);
        }
        ftx__sleep_ms(client, interval < timeout - elapsed ? interval : timeout - elapsed);

        ftx_error_clear(&read_err);
        rc = ftx__connectors_get_until(client, connector_id, start + timeout + LAST_READ_GRACE_MS,
                                       &now, &read_err);
        polls++;
        memset(&p, 0, sizeof(p));
        p.poll = polls;
        p.elapsed_ms = ftx__now_ms(client) - start;
        p.connector = now;
        p.error = rc < 0 ? &read_err : NULL;
        if (o.progress != NULL && o.progress(&p, o.progress_userdata) != 0) {
            ftx_connector_free(now);
            ftx_connector_free(c);
            return ftx__error_set(err, FTX_ERR_CANCELLED, "wait stopped by the progress callback");
        }
        if (rc < 0) {
            if (fatal_read_error(rc)) {
                ftx_connector_free(c);
                if (err != NULL)
                    *err = read_err;
                return rc;
            }
            continue; /* transient: read again at the next interval */
        }
        ftx_connector_free(c);
        c = now;

        if ((outcome = ended(c, baseline)) != 0)
            return finish(out, outcome, c, ftx__now_ms(client) - start, polls, err);
        if (str_is(ftx_connector_sync_state(c), "rescheduled") &&
            (o.stop_on_rescheduled || str_is(c->schedule_type, "manual")))
            return finish(out, FTX_SYNC_RESCHEDULED, c, ftx__now_ms(client) - start, polls, err);
        if (c->paused || str_is(ftx_connector_sync_state(c), "paused")) {
            ftx_connector_free(c);
            return ftx__error_set(err, FTX_ERR_INVALID_STATE,
                                  "connector was paused while waiting for its sync to end");
        }
    }
}
