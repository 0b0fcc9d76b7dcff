/*
 * Retry delays, the default clock, and ftx_with_retry() for a caller's function.
 * The built-in retries of every API call live in http.c and use the same delays.
 */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "retry.h"

double ftx__monotonic_ms(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0.0;
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

uint64_t ftx__clock_now(const ftx_clock *clock)
{
    struct timespec ts;

    if (clock != NULL && clock->now_ms != NULL)
        return clock->now_ms(clock->userdata);
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void ftx__clock_sleep(const ftx_clock *clock, uint64_t ms)
{
    struct timespec req, rem;

    if (clock != NULL && clock->sleep_ms != NULL) {
        clock->sleep_ms(ms, clock->userdata);
        return;
    }
    req.tv_sec = (time_t)(ms / 1000u);
    req.tv_nsec = (long)(ms % 1000u) * 1000000L;
    while (nanosleep(&req, &rem) != 0 && errno == EINTR)
        req = rem;
}

uint64_t ftx__rng_seed(const void *salt)
{
    struct timespec ts;
    uint64_t s = 0x9E3779B97F4A7C15ull;

    if (clock_gettime(CLOCK_REALTIME, &ts) == 0)
        s ^= (uint64_t)ts.tv_sec * 1000000007ull + (uint64_t)ts.tv_nsec;
    s ^= (uint64_t)(uintptr_t)salt << 1;
    /* splitmix64 finaliser so nearby seeds diverge */
    s = (s ^ (s >> 30)) * 0xBF58476D1CE4E5B9ull;
    s = (s ^ (s >> 27)) * 0x94D049BB133111EBull;
    s ^= s >> 31;
    return s != 0 ? s : 0x2545F4914F6CDD1Dull;
}

uint64_t ftx__rng_next(uint64_t *state)
{
    uint64_t x = *state;

    if (x == 0)
        x = 0x2545F4914F6CDD1Dull;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

int ftx__retry_policy_check(const ftx_retry_policy *p, ftx_error *err)
{
    int rc;

    if ((rc = FTX__OPTIONS_CHECK(ftx_retry_policy, p, err)) != FTX_OK)
        return rc;
    if (p->max_attempts < 1)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "retry policy max_attempts is %d; use 1 or more (1 disables "
                              "retries)",
                              p->max_attempts);
    if (!(p->backoff_factor >= 1.0) || !isfinite(p->backoff_factor))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "retry policy backoff_factor must be a finite number >= 1");
    return FTX_OK;
}

int ftx__retry_delay(const ftx_retry_policy *p, int retry, long retry_after, uint64_t *rng,
                     uint64_t *delay_ms)
{
    double d;
    uint64_t delay;

    if (retry_after >= 0) {
        /* Honoured exactly as sent, or not at all. */
        if ((unsigned long)retry_after > p->max_delay_ms / 1000u ||
            (uint64_t)retry_after * 1000u > p->max_delay_ms)
            return FTX__RETRY_TOO_LONG;
        *delay_ms = (uint64_t)retry_after * 1000u;
        return FTX__RETRY_WAIT;
    }
    if (retry < 1)
        retry = 1;
    /* base * factor^(retry-1), by multiplication: no libm, stops at the cap */
    d = (double)p->base_delay_ms;
    for (; retry > 1 && d < (double)p->max_delay_ms; retry--)
        d *= p->backoff_factor;
    if (!(d < (double)p->max_delay_ms))
        delay = p->max_delay_ms;
    else
        delay = (uint64_t)d;
    if (p->jitter && rng != NULL && delay > 0)
        delay = ftx__rng_next(rng) % (delay + 1u);
    *delay_ms = delay;
    return FTX__RETRY_WAIT;
}

static int default_retryable(int type)
{
    return type == FTX_ERR_RATE_LIMITED || type == FTX_ERR_SERVER || type == FTX_ERR_TRANSPORT;
}

int ftx_with_retry(const ftx_retry_policy *policy, const ftx_clock *clock,
                   int (*fn)(void *userdata, ftx_error *err), void *userdata, ftx_error *err)
{
    ftx_retry_policy pol;
    const ftx_retry_policy *p = &pol;
    ftx_error last;
    ftx_request_info info;
    uint64_t rng, delay = 0;
    int attempt, rc, retry;
    double t0;

    if (fn == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "ftx_with_retry: fn is NULL; pass the function to run");
    if ((rc = ftx__retry_policy_load(&pol, policy, err)) != FTX_OK)
        return rc;
    rng = ftx__rng_seed(&rng);

    for (attempt = 1;; attempt++) {
        ftx_error_clear(&last);
        t0 = ftx__monotonic_ms();
        rc = fn(userdata, &last);
        if (rc == FTX_OK)
            break;
        if (last.type == FTX_OK)
            last.type = rc; /* fn forgot to fill its error */

        memset(&info, 0, sizeof(info));
        info.method = "";
        info.path = "";
        info.status = last.status;
        info.elapsed_ms = ftx__monotonic_ms() - t0;
        info.attempt = attempt;
        info.error_type = rc;

        if (p->retry_if != NULL)
            retry = p->retry_if(&last, &info, p->retry_if_userdata) != 0;
        else
            retry = default_retryable(rc);
        if (!retry || attempt >= p->max_attempts)
            break;
        if (ftx__retry_delay(p, attempt, last.retry_after, &rng, &delay) != FTX__RETRY_WAIT)
            break;
        if (p->on_retry != NULL && p->on_retry(&last, &info, delay, p->on_retry_userdata) != 0)
            break;
        ftx__clock_sleep(clock, delay);
    }

    if (err != NULL) {
        if (rc == FTX_OK)
            ftx_error_clear(err);
        else
            *err = last;
    }
    return rc;
}
