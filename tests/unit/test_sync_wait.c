/*
 * ftx_connectors_sync_and_wait(): the "ended" rule, refusals, rescheduling, the
 * deadline and failed reads, on a fake clock (no real waiting).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "test_helpers.h"

#define V2 "application/json;version=2"

#define T0 "2024-05-01T10:00:00Z"
#define T1 "2024-05-01T11:00:00.5Z"
#define T2 "2024-05-01T12:00:00Z"

static th_fake_clock fc;

static int setup(void **state)
{
    (void)state;
    mock_server_reset(th_ms);
    th_fake_clock_init(&fc);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    th_fake_clock_dispose(&fc);
    return 0;
}

static ftx_client *client(int max_attempts)
{
    ftx_client_options o = th_options(th_ms, &fc);

    if (max_attempts > 0)
        o.retry.max_attempts = max_attempts;
    return th_client_opts(&o);
}

/* Queue a connector details response. NULL timestamps are JSON null. */
static void respond_connector(const char *sync_state, int paused, const char *setup_state,
                              const char *succeeded_at, const char *failed_at,
                              const char *schedule_type)
{
    char body[1024], s[64], f[64];

    if (succeeded_at != NULL)
        (void)snprintf(s, sizeof(s), "\"%s\"", succeeded_at);
    else
        (void)snprintf(s, sizeof(s), "null");
    if (failed_at != NULL)
        (void)snprintf(f, sizeof(f), "\"%s\"", failed_at);
    else
        (void)snprintf(f, sizeof(f), "null");
    (void)snprintf(body, sizeof(body),
                   "{\"code\":\"Success\",\"data\":{\"id\":\"c1\",\"group_id\":\"g1\","
                   "\"service\":\"postgres\",\"paused\":%s,\"schedule_type\":\"%s\","
                   "\"succeeded_at\":%s,\"failed_at\":%s,\"status\":{\"setup_state\":\"%s\","
                   "\"sync_state\":\"%s\",\"update_state\":\"on_schedule\","
                   "\"is_historical_sync\":false,\"tasks\":[],\"warnings\":[]}}}",
                   paused ? "true" : "false", schedule_type, s, f, setup_state, sync_state);
    mock_server_respond(th_ms, 200, body);
}

static void respond_sync_ok(void)
{
    mock_server_respond(th_ms, 200,
                        "{\"code\":\"Success\",\"message\":\"Sync has been successfully "
                        "triggered for connection with id 'c1'\"}");
}

typedef struct progress_log {
    int calls;
    char states[16][16];
    int errors;
    int stop_at; /* return non-zero at this call (0: never) */
    uint64_t last_elapsed;
} progress_log;

static int on_progress(const ftx_sync_progress *p, void *userdata)
{
    progress_log *log = userdata;

    log->calls++;
    assert_int_equal(p->poll, log->calls);
    log->last_elapsed = p->elapsed_ms;
    if (p->connector == NULL) {
        assert_non_null(p->error);
        log->errors++;
    } else if (log->calls <= 16) {
        const char *s = ftx_connector_sync_state(p->connector);
        (void)snprintf(log->states[log->calls - 1], sizeof(log->states[0]), "%s",
                       s != NULL ? s : "");
    }
    return log->stop_at != 0 && log->calls == log->stop_at;
}

static void assert_poll_requests(size_t first, size_t count)
{
    for (size_t i = first; i < first + count; i++)
        th_assert_request(mock_server_request(th_ms, i), "GET", "/v1/connections/c1", NULL, V2);
}

/* The trigger happens after the baseline read and sends the sync body. */
static void assert_trigger(size_t index, const char *body)
{
    th_assert_request(mock_server_request(th_ms, index), "POST", "/v1/connections/c1/sync", NULL,
                      V2);
    th_assert_json_eq(mock_server_request(th_ms, index)->body, body);
}

static void test_wait_success(void **state)
{
    ftx_client *c = client(0);
    ftx_sync_wait_options o = FTX_SYNC_WAIT_OPTIONS_INIT;
    ftx_sync_wait_result *r = NULL;
    progress_log log = {0};
    ftx_error err = {0};

    (void)state;
    o.poll_interval_ms = 5000;
    o.progress = on_progress;
    o.progress_userdata = &log;
    respond_connector("scheduled", 0, "connected", T0, NULL, "auto"); /* baseline */
    respond_sync_ok();
    respond_connector("scheduled", 0, "connected", T0, NULL, "auto"); /* not started yet */
    respond_connector("syncing", 0, "connected", T0, NULL, "auto");
    respond_connector("scheduled", 0, "connected", T1, NULL, "auto"); /* ended */
    assert_int_equal(ftx_connectors_sync_and_wait(c, "c1", &o, &r, &err), FTX_OK);
    assert_non_null(r);
    assert_int_equal(r->outcome, FTX_SYNC_SUCCEEDED);
    assert_int_equal(r->polls, 3);
    assert_int_equal(r->elapsed_ms, 15000);
    assert_string_equal(r->connector->succeeded_at.iso, T1);
    assert_int_equal(mock_server_request_count(th_ms), 5);
    assert_poll_requests(0, 1);
    assert_trigger(1, "{}");
    assert_poll_requests(2, 3);
    /* progress at each poll, in order */
    assert_int_equal(log.calls, 3);
    assert_string_equal(log.states[0], "scheduled");
    assert_string_equal(log.states[1], "syncing");
    assert_string_equal(log.states[2], "scheduled");
    assert_int_equal(log.last_elapsed, 15000);
    /* the client's clock was used: three sleeps of the interval */
    assert_int_equal(fc.nsleeps, 3);
    assert_int_equal(fc.sleeps[0], 5000);
    assert_int_equal(fc.sleeps[2], 5000);
    ftx_sync_wait_result_free(r);
    ftx_sync_wait_result_free(NULL);
    ftx_client_free(c);
}

static void test_wait_failure(void **state)
{
    ftx_client *c = client(0);
    ftx_sync_wait_options o = FTX_SYNC_WAIT_OPTIONS_INIT;
    ftx_sync_wait_result *r = NULL;
    ftx_error err = {0};

    (void)state;
    o.force = 1;
    o.poll_interval_ms = 1000;
    respond_connector("scheduled", 0, "connected", T1, T0, "auto");
    respond_sync_ok();
    respond_connector("syncing", 0, "connected", T1, T0, "auto");
    respond_connector("scheduled", 0, "connected", T1, T2, "auto"); /* failed_at moved */
    assert_int_equal(ftx_connectors_sync_and_wait(c, "c1", &o, &r, &err), FTX_OK);
    assert_int_equal(r->outcome, FTX_SYNC_FAILED);
    assert_int_equal(r->polls, 2);
    assert_string_equal(r->connector->failed_at.iso, T2);
    assert_trigger(1, "{\"force\":true}");
    assert_int_equal(mock_server_request_count(th_ms), 4);
    ftx_sync_wait_result_free(r);
    ftx_client_free(c);
}

/* First sync ever: baseline has no timestamps; any end counts. */
static void test_wait_first_sync_without_baseline(void **state)
{
    ftx_client *c = client(0);
    ftx_sync_wait_result *r = NULL;
    ftx_error err = {0};

    (void)state;
    respond_connector("scheduled", 0, "connected", NULL, NULL, "auto");
    respond_sync_ok();
    respond_connector("scheduled", 0, "connected", NULL, T0, "auto");
    assert_int_equal(ftx_connectors_sync_and_wait(c, "c1", NULL, &r, &err), FTX_OK);
    assert_int_equal(r->outcome, FTX_SYNC_FAILED);
    /* defaults: 10 s interval */
    assert_int_equal(fc.sleeps[0], 10000);
    assert_int_equal(r->elapsed_ms, 10000);
    ftx_sync_wait_result_free(r);
    ftx_client_free(c);
}

/*
 * The race: right after the trigger the connector still reads "scheduled" with the
 * old timestamps (the sync has not started yet). "scheduled" alone must not end the
 * wait; only a timestamp passing the baseline does.
 */
static void test_wait_scheduled_before_trigger_race(void **state)
{
    ftx_client *c = client(0);
    ftx_sync_wait_options o = FTX_SYNC_WAIT_OPTIONS_INIT;
    ftx_sync_wait_result *r = NULL;
    ftx_error err = {0};

    (void)state;
    o.poll_interval_ms = 2000;
    /* baseline: both timestamps set, failed_at is the later one */
    respond_connector("scheduled", 0, "connected", T0, T1, "auto");
    respond_sync_ok();
    for (int i = 0; i < 4; i++)
        respond_connector("scheduled", 0, "connected", T0, T1, "auto");
    /* an end equal to the baseline is not a new end either */
    respond_connector("syncing", 0, "connected", T1, T1, "auto");
    respond_connector("scheduled", 0, "connected", T2, T1, "auto");
    assert_int_equal(ftx_connectors_sync_and_wait(c, "c1", &o, &r, &err), FTX_OK);
    assert_int_equal(r->outcome, FTX_SYNC_SUCCEEDED);
    assert_int_equal(r->polls, 6);
    assert_int_equal(mock_server_request_count(th_ms), 8);
    ftx_sync_wait_result_free(r);
    ftx_client_free(c);
}

static void test_wait_deadline(void **state)
{
    ftx_client *c = client(0);
    ftx_sync_wait_options o = FTX_SYNC_WAIT_OPTIONS_INIT;
    ftx_sync_wait_result *r = NULL;
    progress_log log = {0};
    ftx_error err = {0};

    (void)state;
    o.poll_interval_ms = 10000;
    o.timeout_ms = 25000;
    o.progress = on_progress;
    o.progress_userdata = &log;
    respond_connector("scheduled", 0, "connected", T0, NULL, "auto");
    respond_sync_ok();
    for (int i = 0; i < 3; i++)
        respond_connector("syncing", 0, "connected", T0, NULL, "auto");
    assert_int_equal(ftx_connectors_sync_and_wait(c, "c1", &o, &r, &err), FTX_ERR_TIMEOUT);
    assert_null(r);
    assert_int_equal(err.type, FTX_ERR_TIMEOUT);
    /* reads at 10 s, 20 s, and 25 s (the last sleep is cut to the deadline) */
    assert_int_equal(mock_server_request_count(th_ms), 5);
    assert_int_equal(log.calls, 3);
    assert_int_equal(fc.nsleeps, 3);
    assert_int_equal(fc.sleeps[2], 5000);
    assert_int_equal(fc.total_slept_ms, 25000);
    ftx_client_free(c);
}

static void test_wait_refuses_paused(void **state)
{
    ftx_client *c = client(0);
    ftx_sync_wait_result *r = NULL;
    ftx_error err = {0};

    (void)state;
    respond_connector("paused", 1, "connected", T0, NULL, "auto");
    assert_int_equal(ftx_connectors_sync_and_wait(c, "c1", NULL, &r, &err), FTX_ERR_INVALID_STATE);
    assert_null(r);
    assert_non_null(strstr(err.message, "paused"));
    /* only the read: no sync was triggered */
    assert_int_equal(mock_server_request_count(th_ms), 1);
    assert_string_equal(mock_server_request(th_ms, 0)->method, "GET");
    ftx_client_free(c);
}

static void test_wait_refuses_setup_not_connected(void **state)
{
    const char *states[] = {"incomplete", "broken"};
    ftx_client *c = client(0);
    ftx_sync_wait_result *r = NULL;
    ftx_error err = {0};

    (void)state;
    for (int i = 0; i < 2; i++) {
        respond_connector("scheduled", 0, states[i], T0, NULL, "auto");
        assert_int_equal(ftx_connectors_sync_and_wait(c, "c1", NULL, &r, &err),
                         FTX_ERR_INVALID_STATE);
        assert_null(r);
        assert_non_null(strstr(err.message, states[i]));
    }
    assert_int_equal(mock_server_request_count(th_ms), 2);
    ftx_client_free(c);
}

static void test_wait_failed_reads_are_retried(void **state)
{
    ftx_client *c = client(1); /* no retries inside the call: the wait loop retries */
    ftx_sync_wait_options o = FTX_SYNC_WAIT_OPTIONS_INIT;
    ftx_sync_wait_result *r = NULL;
    progress_log log = {0};
    ftx_error err = {0};

    (void)state;
    o.poll_interval_ms = 1000;
    o.progress = on_progress;
    o.progress_userdata = &log;
    respond_connector("scheduled", 0, "connected", T0, NULL, "auto");
    respond_sync_ok();
    mock_server_respond(th_ms, 500, "{\"code\":\"InternalError\",\"message\":\"oops\"}");
    mock_server_respond(th_ms, 200, "{\"code\":\"Success\",\"data\":");
    respond_connector("scheduled", 0, "connected", T1, NULL, "auto");
    assert_int_equal(ftx_connectors_sync_and_wait(c, "c1", &o, &r, &err), FTX_OK);
    assert_int_equal(r->outcome, FTX_SYNC_SUCCEEDED);
    assert_int_equal(r->polls, 3);
    assert_int_equal(log.errors, 2);
    assert_int_equal(mock_server_request_count(th_ms), 5);
    ftx_sync_wait_result_free(r);
    ftx_client_free(c);
}

static void test_wait_not_found_while_waiting_is_fatal(void **state)
{
    ftx_client *c = client(1);
    ftx_sync_wait_result *r = NULL;
    ftx_error err = {0};

    (void)state;
    respond_connector("scheduled", 0, "connected", T0, NULL, "auto");
    respond_sync_ok();
    mock_server_respond(th_ms, 404, "{\"code\":\"NotFound_Connector\",\"message\":\"deleted\"}");
    assert_int_equal(ftx_connectors_sync_and_wait(c, "c1", NULL, &r, &err), FTX_ERR_NOT_FOUND);
    assert_null(r);
    assert_string_equal(err.code, "NotFound_Connector");
    assert_int_equal(mock_server_request_count(th_ms), 3);
    ftx_client_free(c);
}

static void test_wait_rescheduled_manual_ends(void **state)
{
    ftx_client *c = client(0);
    ftx_sync_wait_result *r = NULL;
    ftx_error err = {0};

    (void)state;
    respond_connector("scheduled", 0, "connected", T0, NULL, "manual");
    respond_sync_ok();
    respond_connector("syncing", 0, "connected", T0, NULL, "manual");
    respond_connector("rescheduled", 0, "connected", T0, NULL, "manual");
    assert_int_equal(ftx_connectors_sync_and_wait(c, "c1", NULL, &r, &err), FTX_OK);
    assert_int_equal(r->outcome, FTX_SYNC_RESCHEDULED);
    assert_int_equal(r->polls, 2);
    assert_string_equal(ftx_connector_sync_state(r->connector), "rescheduled");
    ftx_sync_wait_result_free(r);
    ftx_client_free(c);
}

static void test_wait_rescheduled_auto_keeps_waiting(void **state)
{
    ftx_client *c = client(0);
    ftx_sync_wait_options o = FTX_SYNC_WAIT_OPTIONS_INIT;
    ftx_sync_wait_result *r = NULL;
    ftx_error err = {0};

    (void)state;
    respond_connector("scheduled", 0, "connected", T0, NULL, "auto");
    respond_sync_ok();
    respond_connector("rescheduled", 0, "connected", T0, NULL, "auto");
    respond_connector("syncing", 0, "connected", T0, NULL, "auto");
    respond_connector("scheduled", 0, "connected", T2, NULL, "auto");
    assert_int_equal(ftx_connectors_sync_and_wait(c, "c1", &o, &r, &err), FTX_OK);
    assert_int_equal(r->outcome, FTX_SYNC_SUCCEEDED);
    assert_int_equal(r->polls, 3);
    ftx_sync_wait_result_free(r);

    /* unless asked to stop there */
    mock_server_reset(th_ms);
    o.stop_on_rescheduled = 1;
    respond_connector("scheduled", 0, "connected", T0, NULL, "auto");
    respond_sync_ok();
    respond_connector("rescheduled", 0, "connected", T0, NULL, "auto");
    assert_int_equal(ftx_connectors_sync_and_wait(c, "c1", &o, &r, &err), FTX_OK);
    assert_int_equal(r->outcome, FTX_SYNC_RESCHEDULED);
    assert_int_equal(mock_server_request_count(th_ms), 3);
    ftx_sync_wait_result_free(r);
    ftx_client_free(c);
}

static void test_wait_paused_while_waiting(void **state)
{
    ftx_client *c = client(0);
    ftx_sync_wait_result *r = NULL;
    ftx_error err = {0};

    (void)state;
    respond_connector("scheduled", 0, "connected", T0, NULL, "auto");
    respond_sync_ok();
    respond_connector("paused", 1, "connected", T0, NULL, "auto");
    assert_int_equal(ftx_connectors_sync_and_wait(c, "c1", NULL, &r, &err), FTX_ERR_INVALID_STATE);
    assert_null(r);
    ftx_client_free(c);
}

static void test_wait_progress_can_cancel(void **state)
{
    ftx_client *c = client(0);
    ftx_sync_wait_options o = FTX_SYNC_WAIT_OPTIONS_INIT;
    ftx_sync_wait_result *r = NULL;
    progress_log log = {0};
    ftx_error err = {0};

    (void)state;
    log.stop_at = 2;
    o.progress = on_progress;
    o.progress_userdata = &log;
    respond_connector("scheduled", 0, "connected", T0, NULL, "auto");
    respond_sync_ok();
    respond_connector("syncing", 0, "connected", T0, NULL, "auto");
    respond_connector("syncing", 0, "connected", T0, NULL, "auto");
    assert_int_equal(ftx_connectors_sync_and_wait(c, "c1", &o, &r, &err), FTX_ERR_CANCELLED);
    assert_null(r);
    assert_int_equal(log.calls, 2);
    assert_int_equal(mock_server_request_count(th_ms), 4);
    ftx_client_free(c);
}

static void test_wait_errors_before_waiting(void **state)
{
    ftx_client *c = client(1);
    ftx_sync_wait_options o = FTX_SYNC_WAIT_OPTIONS_INIT;
    ftx_sync_wait_result *r = NULL;
    ftx_error err = {0};

    (void)state;
    assert_int_equal(ftx_connectors_sync_and_wait(c, "c1", NULL, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_connectors_sync_and_wait(NULL, "c1", NULL, &r, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_connectors_sync_and_wait(c, "", NULL, &r, &err), FTX_ERR_INVALID_ARGUMENT);
    o.version = 0;
    assert_int_equal(ftx_connectors_sync_and_wait(c, "c1", &o, &r, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(th_ms), 0);

    /* the trigger fails: reported, no polling */
    respond_connector("scheduled", 0, "connected", T0, NULL, "auto");
    mock_server_respond(th_ms, 409, "{\"code\":\"Conflict\",\"message\":\"no\"}");
    assert_int_equal(ftx_connectors_sync_and_wait(c, "c1", NULL, &r, &err), FTX_ERR_CONFLICT);
    assert_null(r);
    assert_int_equal(mock_server_request_count(th_ms), 2);
    ftx_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_wait_success, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_first_sync_without_baseline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_scheduled_before_trigger_race, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_refuses_paused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_refuses_setup_not_connected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_failed_reads_are_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_not_found_while_waiting_is_fatal, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_wait_rescheduled_manual_ends, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_rescheduled_auto_keeps_waiting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_paused_while_waiting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_progress_can_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_errors_before_waiting, setup, teardown),
    };
    return cmocka_run_group_tests(tests, th_group_setup, th_group_teardown);
}
