/*
 * Small helpers shared by the unit tests (cmocka):
 *
 *   mock_server *ms = mock_server_start();
 *   th_fake_clock fc;
 *   th_fake_clock_init(&fc);
 *   ftx_client *c = th_client_clock(ms, &fc);       (or th_client(ms): sleeps are no-ops)
 *   ... calls ...
 *   th_assert_request(mock_server_request(ms, 0), "GET", "/v1/groups", "limit=2",
 *                     "application/json");
 *   th_assert_json_eq(r->body, "{\"name\":\"x\"}");
 *   ftx_client_free(c);
 *   mock_server_stop(ms);
 */
#ifndef FTX_TEST_HELPERS_H
#define FTX_TEST_HELPERS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "fivetrex/fivetrex.h"
#include "mock_server.h"

#define TH_API_KEY    "test_key"
#define TH_API_SECRET "test_secret_do_not_print"
#define TH_MAX_SLEEPS 64

/* A clock that never waits: sleeping advances `now_ms` and records the delay.
 * Thread-safe (stream prefetch threads may sleep on retries). */
typedef struct th_fake_clock {
    pthread_mutex_t lock;
    uint64_t now_ms;
    uint64_t sleeps[TH_MAX_SLEEPS]; /* first TH_MAX_SLEEPS delays, in order */
    size_t nsleeps;                 /* number of sleeps (may exceed TH_MAX_SLEEPS) */
    uint64_t total_slept_ms;
} th_fake_clock;

void th_fake_clock_init(th_fake_clock *fc);
void th_fake_clock_dispose(th_fake_clock *fc);
/* An ftx_clock driven by `fc`. */
ftx_clock th_fake_clock_get(th_fake_clock *fc);

/* Client options aimed at `ms` with test credentials and `fc` (NULL: a clock whose
 * sleeps return at once). Adjust fields, then call th_client_opts. */
ftx_client_options th_options(mock_server *ms, th_fake_clock *fc);
/* Create a client (fails the test on error). */
ftx_client *th_client_opts(const ftx_client_options *opts);
ftx_client *th_client(mock_server *ms);
ftx_client *th_client_clock(mock_server *ms, th_fake_clock *fc);

/* Assert method, raw path, raw query (NULL: none), Accept and that Authorization is
 * Basic credentials of TH_API_KEY/TH_API_SECRET (never printed). */
void th_assert_request(const mock_request *r, const char *method, const char *path,
                       const char *query, const char *accept);
/* Assert two JSON texts are equal as JSON (order of keys ignored). */
void th_assert_json_eq(const char *actual, const char *expected);
/* Assert no secret appears in `text` (error messages, logs). */
void th_assert_no_secret(const char *text);
/* Contents of tests/data/<name> (free with free()); fails the test when unreadable. */
char *th_read_fixture(const char *name);
/* Parse JSON text (fails the test on invalid JSON). Free with json_decref. */
json_t *th_json(const char *text);
/* Queue a response whose body is the fixture tests/data/<name>. */
void th_respond_fixture(mock_server *ms, int status, const char *name);
/* th_assert_request on request `i` of `ms`, stricter on absence: `query` NULL means the
 * request had no query at all, `body` NULL that it had no body; otherwise the body must
 * equal `body` as JSON and be sent as application/json. Returns the request. */
const mock_request *th_assert_call(mock_server *ms, size_t i, const char *method, const char *path,
                                   const char *query, const char *accept, const char *body);

/* Per-test cmocka fixture: a fresh server, a fake clock and a client on both.
 * Use as setup/teardown; the test gets it as `*state`. */
typedef struct th_fixture {
    mock_server *ms;
    th_fake_clock fc;
    ftx_client *client;
} th_fixture;

int th_setup(void **state);             /* client with the default retry policy */
int th_setup_one_attempt(void **state); /* max_attempts 1: one request per call */
int th_setup_no_client(void **state);   /* client NULL: the test makes its own */
int th_teardown(void **state);

/* One server for a whole cmocka group: th_group_setup/th_group_teardown start and stop
 * `th_ms`, th_reset (a per-test setup) forgets its scripted responses and requests. */
extern mock_server *th_ms;
int th_group_setup(void **state);
int th_group_teardown(void **state);
int th_reset(void **state);

#endif
