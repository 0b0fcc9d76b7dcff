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

#endif
