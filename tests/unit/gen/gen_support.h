/*
 * Shared by the generated operation tests (tests/unit/gen/test_gen_<resource>.c, written
 * by tools/gen/ctests.py): one in-test server and one client for the whole run, and the
 * assertions every generated case makes.
 */
#ifndef FTX_TEST_GEN_SUPPORT_H
#define FTX_TEST_GEN_SUPPORT_H

#include <stddef.h>

#include <jansson.h>

#include "fivetrex/fivetrex.h"
#include "mock_server.h"

/* The server and client of the current group (gen_group_setup). */
extern mock_server *gen_ms;
extern ftx_client *gen_client;

/* cmocka group setup/teardown: start the server on 127.0.0.1 and a client on it whose
 * sleeps return at once; gen_reset (per test) forgets responses and requests. */
int gen_group_setup(void **state);
int gen_group_teardown(void **state);
int gen_reset(void **state);

/*
 * Assert request `i`: method, raw path, Accept, Basic credentials, the query as a set of
 * raw `name=value` pairs (`query` NULL: no query at all) and the body: `body` NULL means
 * no body and no Content-Type; otherwise the body equals `body` as JSON and is sent as
 * application/json.
 */
void gen_assert_request(size_t i, const char *method, const char *path, const char *query,
                        const char *accept, const char *body);
/* Assert a parsed timestamp: the text as received and its milliseconds since the epoch. */
void gen_assert_time(const ftx_time *t, const char *iso, long long epoch_ms);
/* Assert an absent timestamp (null in the response). */
void gen_assert_no_time(const ftx_time *t);
/* Assert `j` equals the JSON text `expected`. */
void gen_assert_json(const json_t *j, const char *expected);
/* Assert a failed call: rc and err->type are `type`, err->status `status` and err->code
 * `code`. */
void gen_assert_error(int rc, const ftx_error *err, int type, int status, const char *code);
/* Assert a call refused before sending: FTX_ERR_INVALID_ARGUMENT, the message names
 * `what` (when not NULL), and the server saw nothing. */
void gen_assert_refused(int rc, const ftx_error *err, const char *what);
/* Parse JSON text (fails the test on invalid JSON); json_decref it. */
json_t *gen_json(const char *text);

/* One resource's cases: returns the number of failed tests. */
typedef int (*gen_group_fn)(void);

#endif
