/*
 * Private to libfivetrex: retry delays, the default clock and a small PRNG,
 * shared by http.c (built-in retries) and retry.c (ftx_with_retry).
 */
#ifndef FIVETREX_RETRY_H
#define FIVETREX_RETRY_H

#include <stdint.h>

#include "fivetrex/client.h"

/* Milliseconds on `clock` (NULL or NULL function: CLOCK_MONOTONIC). */
uint64_t ftx__clock_now(const ftx_clock *clock);
/* Sleep on `clock` (NULL or NULL function: nanosleep, resumed after signals). */
void ftx__clock_sleep(const ftx_clock *clock, uint64_t ms);
/* CLOCK_MONOTONIC in milliseconds, fractional. */
double ftx__monotonic_ms(void);

/* A seed for ftx__rng_next, different per call site and time. Never 0. */
uint64_t ftx__rng_seed(const void *salt);
/* xorshift64*: advances *state (non-zero) and returns the next value. */
uint64_t ftx__rng_next(uint64_t *state);

/* Check a caller's policy: FTX_OK or FTX_ERR_INVALID_ARGUMENT (err filled). */
int ftx__retry_policy_check(const ftx_retry_policy *p, ftx_error *err);

/* Results of ftx__retry_delay. */
#define FTX__RETRY_WAIT     0 /* wait *delay_ms then retry */
#define FTX__RETRY_TOO_LONG 1 /* Retry-After exceeds max_delay_ms: give up */

/*
 * The wait before retry number `retry` (1 for the first retry).
 * `retry_after` (seconds, -1 none) is honoured exactly when it fits under the cap;
 * otherwise base*factor^(retry-1) capped at max_delay_ms, jittered uniformly in
 * [0, delay] when the policy asks for jitter (`rng` must then be non-NULL).
 */
int ftx__retry_delay(const ftx_retry_policy *p, int retry, long retry_after, uint64_t *rng,
                     uint64_t *delay_ms);

#endif
