/*
 * Run fivetrex-sandbox as a child process for integration tests.
 *
 *   const char *args[] = {"--seed", "demo", "--sync-duration-ms", "50", NULL};
 *   sandbox_proc *sb = sandbox_start(args);          NULL on failure
 *   ... client with base_url = sandbox_url(sb) ...   "http://127.0.0.1:<port>/v1"
 *   sandbox_stop(sb);                                SIGTERM, wait; returns the exit status
 *
 * The binary's path comes from the compile definition FTX_SANDBOX_BIN (set in
 * tests/integration/CMakeLists.txt) or, when set, the environment variable
 * FTX_SANDBOX_BIN. The sandbox listens on 127.0.0.1 with port 0 (a free port); the harness
 * reads the base URL from the first line of its standard output.
 */
#ifndef FTX_TEST_SANDBOX_HARNESS_H
#define FTX_TEST_SANDBOX_HARNESS_H

#include <stddef.h>

typedef struct sandbox_proc sandbox_proc;

/* extra_args: NULL-terminated list of extra command-line arguments, or NULL. */
sandbox_proc *sandbox_start(const char *const *extra_args);
/* "http://127.0.0.1:<port>/v1" ("https://..." when started with --tls-cert/--tls-key) */
const char *sandbox_url(const sandbox_proc *sb);
/* "http://127.0.0.1:<port>" */
const char *sandbox_origin(const sandbox_proc *sb);
/* The child's pid. */
int sandbox_pid(const sandbox_proc *sb);
/* SIGTERM, wait (up to 10 s, then SIGKILL), free. Returns the exit status (0 = clean stop),
 * -1 when it had to be killed or did not exit normally. NULL-safe. */
int sandbox_stop(sandbox_proc *sb);

/* Run the sandbox with args (after "--port 0") until it exits by itself, for arguments it
 * must refuse: returns its exit status (-1: killed by a signal, or still running after 10 s,
 * then killed), and with err_out its standard error (malloc'd, NUL-terminated; free()). */
int sandbox_run(const char *const *extra_args, char **err_out);

/*
 * One HTTP request with libcurl to base_url + path (path starts with '/', e.g. "/groups").
 * body: JSON text or NULL (no body); userpwd: "key:secret" for Basic auth, NULL for
 * SANDBOX_DEFAULT_USERPWD (the sandbox accepts any Basic credential unless started with
 * --api-key/--api-secret), or "" for no Authorization header at all.
 * Fills *status (0 on transport failure) and *resp (malloc'd, NUL-terminated; free()).
 * Returns 0 when a response arrived, -1 on a transport error (connection dropped, truncated
 * body, ...). resp may be NULL when the body is not wanted.
 */
#define SANDBOX_DEFAULT_USERPWD "sandbox_key:sandbox_secret"

int sandbox_request(const char *base_url, const char *method, const char *path, const char *body,
                    const char *userpwd, long *status, char **resp);

#endif
