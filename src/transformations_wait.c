/*
 * ftx_transformations_run_and_wait(): trigger a transformation run and poll its
 * details until the run this call started has ended. The "ended" rule is documented
 * in extras.h; the shape follows ftx_connectors_sync_and_wait (sync_wait.c).
 */
#include <stdint.h>
#include <string.h>

#include "internal.h"

#define DEFAULT_POLL_MS    10000u
#define DEFAULT_TIMEOUT_MS 3600000u
/* The status read made at the deadline itself may take this long, retries included. */
#define LAST_READ_GRACE_MS 5000u

void ftx_transformation_wait_result_free(ftx_transformation_wait_result *r)
{
    if (r == NULL)
        return;
    ftx__free(r->status);
    json_decref(r->transformation);
    ftx__free(r);
}

static const char *status_of(const json_t *t)
{
    return json_string_value(json_object_get(t, "status"));
}

/* The outcome of a final status; 0 while the run is not over. */
static int final_outcome(const char *status)
{
    static const struct {
        const char *status;
        int outcome;
    } finals[] = {
        {"SUCCEEDED", FTX_TRANSFORMATION_SUCCEEDED},
        {"FAILED", FTX_TRANSFORMATION_FAILED},
        {"CANCELED", FTX_TRANSFORMATION_CANCELED},
        {"PARTIALLY_SUCCEEDED", FTX_TRANSFORMATION_PARTIALLY_SUCCEEDED},
    };
    size_t i;

    for (i = 0; status != NULL && i < sizeof(finals) / sizeof(finals[0]); i++)
        if (strcmp(status, finals[i].status) == 0)
            return finals[i].outcome;
    return 0;
}

static int going(const char *status)
{
    return status != NULL && (strcmp(status, "SCHEDULING") == 0 || strcmp(status, "RUNNING") == 0 ||
                              strcmp(status, "TERMINATING") == 0);
}

/* `last_ended_at` in ms, INT64_MIN when absent or not a timestamp. */
static int64_t last_ended(const json_t *t)
{
    int64_t ms;

    if (ftx_time_parse(json_string_value(json_object_get(t, "last_ended_at")), &ms) != 0)
        return INT64_MIN;
    return ms;
}

/* Errors after which polling again cannot help. */
static int fatal_read_error(int rc)
{
    return rc == FTX_ERR_UNAUTHORIZED || rc == FTX_ERR_FORBIDDEN || rc == FTX_ERR_NOT_FOUND ||
           rc == FTX_ERR_INVALID_ARGUMENT || rc == FTX_ERR_NOMEM;
}

/* GET /transformations/{id}: its data, with every attempt ending by `deadline_ms`. */
static int read_transformation(ftx_client *client, const char *path, uint64_t deadline_ms,
                               json_t **out, ftx_error *err)
{
    ftx__request req;

    memset(&req, 0, sizeof(req));
    req.method = "GET";
    req.path = path;
    req.deadline_ms = deadline_ms;
    return ftx__call_data(client, &req, out, err);
}

static int finish(ftx_transformation_wait_result **out, int outcome, json_t *t, uint64_t elapsed,
                  int polls, ftx_error *err)
{
    ftx_transformation_wait_result *r = ftx__calloc(1, sizeof(*r));

    if (r == NULL || (r->status = ftx__strdup(status_of(t))) == NULL) {
        ftx__free(r);
        json_decref(t);
        return ftx__error_nomem(err);
    }
    r->outcome = outcome;
    r->transformation = t;
    r->elapsed_ms = elapsed;
    r->polls = polls;
    *out = r;
    return FTX_OK;
}

int ftx_transformations_run_and_wait(ftx_client *client, const char *transformation_id,
                                     const ftx_transformation_wait_options *opts,
                                     ftx_transformation_wait_result **out, ftx_error *err)
{
    ftx_transformation_wait_options o = FTX_TRANSFORMATION_WAIT_OPTIONS_INIT;
    ftx__request run;
    json_t *t = NULL, *body = NULL;
    char *path = NULL, *run_path = NULL;
    uint64_t start, interval, timeout, elapsed;
    int64_t baseline;
    int rc, polls = 0, seen_going = 0;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (client == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "client must not be NULL");
    if ((rc = FTX__OPTIONS_LOAD(ftx_transformation_wait_options, &o, opts, err)) != FTX_OK)
        return rc;
    if ((rc = ftx__path(&path, err, "/transformations/{transformation_id}", transformation_id)) !=
            FTX_OK ||
        (rc = ftx__path(&run_path, err, "/transformations/{transformation_id}/run",
                        transformation_id)) != FTX_OK)
        goto done;
    interval = o.poll_interval_ms != 0 ? o.poll_interval_ms : DEFAULT_POLL_MS;
    timeout = o.timeout_ms != 0 ? o.timeout_ms : DEFAULT_TIMEOUT_MS;
    start = ftx__now_ms(client);

    /* 1: the baseline. */
    if ((rc = read_transformation(client, path, 0, &t, err)) != FTX_OK)
        goto done;
    baseline = last_ended(t);
    json_decref(t);
    t = NULL;

    /* 2: trigger. */
    body = o.full_refresh ? json_pack("{s:b}", "full_refresh", 1) : json_object();
    if (body == NULL) {
        rc = ftx__error_nomem(err);
        goto done;
    }
    memset(&run, 0, sizeof(run));
    run.method = "POST";
    run.path = run_path;
    run.body = body;
    if ((rc = ftx__call(client, &run, NULL, err)) != FTX_OK)
        goto done;

    /* 3-5: poll until a final status of this run, or the deadline. */
    for (;;) {
        ftx_transformation_progress p;
        ftx_error read_err;
        json_t *now = NULL;
        int outcome;

        elapsed = ftx__now_ms(client) - start;
        if (elapsed >= timeout) {
            rc = ftx__error_set(err, FTX_ERR_TIMEOUT,
                                "transformation run did not end within %llu ms (%d status reads)",
                                (unsigned long long)timeout, polls);
            goto done;
        }
        ftx__sleep_ms(client, interval < timeout - elapsed ? interval : timeout - elapsed);

        ftx_error_clear(&read_err);
        rc = read_transformation(client, path, start + timeout + LAST_READ_GRACE_MS, &now,
                                 &read_err);
        polls++;
        memset(&p, 0, sizeof(p));
        p.poll = polls;
        p.elapsed_ms = ftx__now_ms(client) - start;
        p.status = rc == FTX_OK ? status_of(now) : NULL;
        p.transformation = now;
        p.error = rc != FTX_OK ? &read_err : NULL;
        if (o.progress != NULL && o.progress(&p, o.progress_userdata) != 0) {
            json_decref(now);
            rc = ftx__error_set(err, FTX_ERR_CANCELLED, "wait stopped by the progress callback");
            goto done;
        }
        if (rc != FTX_OK) {
            if (fatal_read_error(rc)) {
                if (err != NULL)
                    *err = read_err;
                goto done;
            }
            continue; /* transient: read again at the next interval */
        }
        outcome = final_outcome(status_of(now));
        if (outcome != 0 && (seen_going || last_ended(now) > baseline)) {
            rc = finish(out, outcome, now, ftx__now_ms(client) - start, polls, err);
            goto done;
        }
        seen_going |= going(status_of(now));
        json_decref(now);
    }

done:
    json_decref(body);
    ftx__free(path);
    ftx__free(run_path);
    return rc;
}
