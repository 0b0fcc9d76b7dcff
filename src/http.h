/*
 * Private to libfivetrex: the pieces of one HTTP attempt, shared by the blocking
 * path (http.c: ftx__call) and the curl-multi path (multi.c). Nothing here is exported.
 *
 * An attempt on the blocking path is:
 *   ftx__attempt_prepare(h) ; curl_easy_perform(easy) ; ftx__attempt_finish(h, cc)
 * and the multi path does the same with curl_multi_add_handle / CURLMSG_DONE in the
 * middle. Between attempts, ftx__retry_decide says whether and how long to wait, and
 * ftx__pause_check reads the client-wide 429 pause.
 */
#ifndef FIVETREX_HTTP_H
#define FIVETREX_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <curl/curl.h>

#include "internal.h"

/* How a failed attempt may be repeated (ftx__attempt_finish's *klass). */
enum ftx__retry_class {
    FTX__RETRY_NEVER = 0,
    FTX__RETRY_ALWAYS,    /* 429, or a failure before the request was sent */
    FTX__RETRY_IDEMPOTENT /* 5xx, timeout or reset after sending: not for creates */
};

/* A pooled easy handle with its URL, request body and response buffers. */
typedef struct pool_handle ftx__handle;

/* Check a handle out of the client's pool (a new one when the pool is empty; NULL on
 * OOM) and give it back (kept when the pool has room, else freed). */
ftx__handle *ftx__handle_get(ftx_client *c);
void ftx__handle_put(ftx_client *c, ftx__handle *h);
/* The handle's curl easy handle (CURLOPT_PRIVATE is free for the caller's use). */
CURL *ftx__handle_easy(ftx__handle *h);

/* Set the easy handle up for `req` (URL, method, headers, body). FTX_OK, or an
 * error (nothing to send: NOMEM, or a body that cannot be encoded). */
int ftx__attempt_prepare(ftx_client *c, ftx__handle *h, const ftx__request *req, int is_create,
                         ftx_error *err);
/* After the transfer ended with `cc`: record the rate-limit headers and map the
 * result. On success `*out_body` gets the parsed body (NULL when empty); otherwise
 * `err` is filled and `*klass` says how the failure may be retried. */
int ftx__attempt_finish(ftx_client *c, ftx__handle *h, const ftx__request *req, int is_create,
                        CURLcode cc, json_t **out_body, int *klass, long *status_out,
                        ftx_error *err);
/* Fill `info` for attempt `attempt` (started at ftx__monotonic_ms() `t0`) and tell
 * the client's observer. */
void ftx__attempt_report(ftx_client *c, const ftx__request *req, long status, double t0,
                         int attempt, int rc, ftx_request_info *info);

/* After failed attempt number `attempt` (error `aerr`, `info` from
 * ftx__attempt_report): 1 to retry after `*delay_ms`, 0 to give up with `aerr` (whose
 * message may have been extended; a too long Retry-After on a 429 pauses the
 * client). Applies retry_if, max_attempts, the delay rules and on_retry. The caller
 * of a 429 retry then pauses the client until now + delay. */
int ftx__retry_decide(ftx_client *c, int is_create, int attempt, long status, int klass,
                      ftx_error *aerr, const ftx_request_info *info, uint64_t *delay_ms);

/* The client-wide pause as seen by a request that has already waited until
 * `waited_until`: FTX_OK with `*until` 0 when there is nothing to wait for, or with
 * `*until` the pause end and `*left` the ms still to wait (0: already over; the
 * caller then records `waited_until = *until`). FTX_ERR_RATE_LIMITED (err filled,
 * retry_after set) when the wait exceeds the retry policy's max_delay_ms. */
int ftx__pause_check(ftx_client *c, const ftx__request *req, uint64_t waited_until, uint64_t *until,
                     uint64_t *left, ftx_error *err);

/* Pure pieces of ftx__attempt_finish, separate so that tests/fuzz can reach them. */

/* Seconds from a Retry-After value at wall-clock time `now`: delay-seconds (digits,
 * blanks around them allowed; absurdly large values stay large) or an HTTP-date (0 when
 * already past). -1 when NULL or malformed. */
long ftx__parse_retry_after(const char *v, time_t now);
/* An X-Rate-Limit(-Remaining) value: the leading decimal count after spaces, -1 when
 * NULL, not a number or above LONG_MAX. */
long ftx__parse_header_long(const char *v);
/* Map a non-2xx response: `status`, its body (`resp_len` bytes, need not be
 * NUL-terminated) and the parsed Retry-After (-1: none) become `err` (type, status,
 * Fivetran's code and message on one line, retry_after). Returns the error type;
 * `*klass` says how the attempt may be retried. A 5xx on a create is
 * FTX_ERR_OUTCOME_UNKNOWN. */
int ftx__error_from_response(const ftx__request *req, long status, const char *resp,
                             size_t resp_len, int creates, long retry_after, int *klass,
                             ftx_error *err);

#endif
