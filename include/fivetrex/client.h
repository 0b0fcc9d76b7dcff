/**
 * @file fivetrex/client.h
 * @brief The client handle, its options, the retry policy and the injectable clock.
 */
#ifndef FIVETREX_CLIENT_H
#define FIVETREX_CLIENT_H

#include "common.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief An API client. Opaque, thread-safe: share one between threads. */
typedef struct ftx_client ftx_client;

/**
 * @brief Time source and sleep, injectable so tests never wait real time.
 * A NULL function means the real one (CLOCK_MONOTONIC, nanosleep). Called from
 * whichever thread makes the call that waits.
 *
 * ABI rule: embedded by value in ftx_client_options, so its size is frozen at
 * 8 pointers; a field added later is carved out of `reserved` and is optional, with
 * zero (NULL) meaning "as before". Zero-initialise it (`ftx_clock clk = {0};`, or
 * through FTX_CLIENT_OPTIONS_INIT) so that the reserved room reads as zero.
 */
typedef struct ftx_clock {
    /** Milliseconds from an arbitrary fixed point. */
    uint64_t (*now_ms)(void *userdata);
    /** Sleep `ms` milliseconds. */
    void (*sleep_ms)(uint64_t ms, void *userdata);
    /** Passed to both functions. */
    void *userdata;
    /** Room for fields added later (keeps the size at 8 pointers); leave it zero. */
    void *reserved[5];
} ftx_clock;

/** @brief Facts about one HTTP attempt, given to retry callbacks and the observer. */
typedef struct ftx_request_info {
    const char *method; /**< "GET", "POST", "PATCH" or "DELETE" */
    const char *path;   /**< path after the base URL, with query, e.g. "/groups?limit=2" */
    int status;         /**< HTTP status, 0 when no response arrived */
    double elapsed_ms;  /**< time this attempt took */
    int attempt;        /**< 1 for the first attempt */
    int error_type;     /**< FTX_OK or the ftx_error_type of this attempt */
} ftx_request_info;

#define FTX_RETRY_POLICY_VERSION 1

/**
 * @brief When and how often failed requests are repeated.
 *
 * The default (FTX_RETRY_POLICY_INIT) is the seed's: 3 attempts, 1 s base delay,
 * doubling, 30 s cap. Which failures are retried (without `retry_if`): 429 and
 * failures before the request was sent, for every method; 5xx, timeouts and resets
 * for GET, PATCH, DELETE and action POSTs, never for POSTs that create (those
 * return FTX_ERR_OUTCOME_UNKNOWN). A `Retry-After` (on a 429 or a 503) is waited
 * exactly; when it is longer than `max_delay_ms` the call returns its error
 * (FTX_ERR_RATE_LIMITED for a 429, FTX_ERR_SERVER for a 503) with `retry_after` set
 * instead of retrying early.
 *
 * A 429 pauses the whole client, for the server's time but never longer than
 * `max_delay_ms` from when it arrived: during the pause every call on the client
 * (from any thread, e.g. ftx_batch_run() workers) waits before sending, or, when the
 * server asked for longer than `max_delay_ms`, fails at once with
 * FTX_ERR_RATE_LIMITED, `attempts` 0 and the server's remaining seconds in
 * `retry_after`, sending nothing. Once the capped pause is over, calls are sent
 * again, so an absurd `Retry-After` (99999999 s, a date in 2099) cannot lock the
 * client for years; the caller judges the server's value from `retry_after`.
 *
 * ABI rule: embedded by value in ftx_client_options, so its size is frozen (128 bytes
 * on LP64 platforms); a field added later is carved out of `reserved`, comes with a new
 * FTX_RETRY_POLICY_VERSION, and is read only from policies of that version or later.
 */
typedef struct ftx_retry_policy {
    unsigned int version;
    /** Total attempts including the first; 1 disables retries. */
    int max_attempts;
    /** Delay before the first retry. */
    uint32_t base_delay_ms;
    /** Delay multiplier per retry (2.0 = doubling). */
    double backoff_factor;
    /** Longest wait allowed between attempts (backoff cap and Retry-After ceiling). */
    uint32_t max_delay_ms;
    /** Non-zero: "full jitter", each delay is uniform in [0, computed delay]. */
    int jitter;
    /**
     * Optional: decide whether to retry. Return non-zero to retry, 0 to stop.
     * Overrides the built-in rules (but not `max_attempts`). Called on the calling
     * thread; `err` describes the failed attempt.
     */
    int (*retry_if)(const ftx_error *err, const ftx_request_info *info, void *userdata);
    void *retry_if_userdata;
    /**
     * Optional: told before each retry sleep of `delay_ms`. Return non-zero to stop
     * retrying (the call then returns the last error).
     */
    int (*on_retry)(const ftx_error *err, const ftx_request_info *info, uint64_t delay_ms,
                    void *userdata);
    void *on_retry_userdata;
    /** Room for fields added later (keeps the size frozen); leave it zero. */
    void *reserved[8];
} ftx_retry_policy;

#define FTX_RETRY_POLICY_INIT                                                                      \
    {                                                                                              \
        FTX_RETRY_POLICY_VERSION, 3, 1000, 2.0, 30000, 0, NULL, NULL, NULL, NULL,                  \
        {                                                                                          \
            NULL                                                                                   \
        }                                                                                          \
    }

#define FTX_CLIENT_OPTIONS_VERSION 2

/**
 * @brief Options for ftx_client_new(). Strings are copied.
 *
 * Initialise with FTX_CLIENT_OPTIONS_INIT or ftx_client_options_init(). Like every
 * options struct, it grows only by appending fields with a new
 * FTX_CLIENT_OPTIONS_VERSION; the library accepts every version from 1 to its own and
 * reads only the fields the caller's version has (docs/abi.md). The embedded `retry`
 * and `clock` have frozen sizes, so growing them never moves the fields after them.
 *
 * Versioning: `version` says which fields the caller's struct has; the library reads
 * only those (version 1: up to `max_idle_handles`).
 *
 * TLS: the server certificate and host name are always verified (libcurl's system CA
 * bundle unless `ca_file`/`ca_path` say otherwise); there is no option to turn that
 * off. A failure is FTX_ERR_TRANSPORT with a message starting "TLS verification
 * failed".
 */
typedef struct ftx_client_options {
    unsigned int version;
    /** API key; NULL: $FIVETRAN_API_KEY. */
    const char *api_key;
    /**
     * API secret; NULL: $FIVETRAN_API_SECRET. Copied into the client's Authorization
     * header, which ftx_client_free() wipes; the caller's string and the environment
     * are never written (see ftx_client_free() for what is not wiped).
     */
    const char *api_secret;
    /**
     * Base URL including /v1; NULL: $FIVETRAN_BASE_URL, then https://api.fivetran.com/v1
     * A URL with credentials (`user:password@host`) is refused; the error shows it
     * with them replaced by `***`. A plain http:// URL is refused unless its host is
     * loopback (localhost, 127.0.0.0/8, ::1) or `allow_insecure_http` is set.
     */
    const char *base_url;
    /** Connect timeout in ms (0: 10000). */
    long connect_timeout_ms;
    /** Whole-request timeout in ms (0: 60000). */
    long timeout_ms;
    /** Appended to the User-Agent "fivetrex/<version>" after a space; NULL: none. */
    const char *user_agent_suffix;
    /** Retry policy for every call. */
    ftx_retry_policy retry;
    /** Clock used for retry sleeps and waits. */
    ftx_clock clock;
    /**
     * Optional: called after every HTTP attempt (never with credentials). May run
     * concurrently on several threads when the client is shared.
     */
    void (*observer)(const ftx_request_info *info, void *userdata);
    void *observer_userdata;
    /** Most idle connections kept (0: 8). */
    int max_idle_handles;
    /* ---- version 2 ---- */
    /** PEM file of the CA certificates to trust instead of the system bundle (e.g. a
     *  company proxy's CA); NULL: the system bundle. Must be readable. @since 0.2 */
    const char *ca_file;
    /** Directory of CA certificates named by subject hash (`openssl rehash`), used
     *  with or instead of `ca_file`; NULL: none. @since 0.2 */
    const char *ca_path;
    /**
     * Non-zero: accept a plain http:// base URL whose host is not loopback. The API
     * key and secret then cross the network unencrypted: only for a trusted local
     * network or proxy. 0: refused with FTX_ERR_INVALID_ARGUMENT, unless the
     * environment has FIVETRAN_ALLOW_INSECURE_HTTP=1 (the same opt-in for programs
     * such as the CLI that take their settings from the environment). @since 0.2
     */
    int allow_insecure_http;
} ftx_client_options;

#define FTX_CLIENT_OPTIONS_INIT                                                                    \
    {                                                                                              \
        FTX_CLIENT_OPTIONS_VERSION, NULL, NULL, NULL, 0, 0, NULL, FTX_RETRY_POLICY_INIT,           \
            {NULL, NULL, NULL, {NULL}}, NULL, NULL, 0, NULL, NULL, 0                               \
    }

/**
 * @brief Initialise an options struct to defaults (same as FTX_CLIENT_OPTIONS_INIT).
 * @param version the version the caller was built with (FTX_CLIENT_OPTIONS_VERSION);
 *        only the fields of that version are written.
 * @return FTX_OK, or FTX_ERR_INVALID_ARGUMENT for a version outside 1..the library's.
 */
FTX_EXTERN int ftx_client_options_init(ftx_client_options *opts, unsigned int version);

/**
 * @brief Create a client.
 * @param[out] out the client; free with ftx_client_free().
 * @param opts options, NULL for all defaults (credentials from the environment).
 * @param err optional error detail.
 * @return FTX_OK; FTX_ERR_INVALID_ARGUMENT when a credential is missing (the message
 *         names it) or the options version is unknown; FTX_ERR_NOMEM.
 * @since 0.1
 */
FTX_EXTERN int ftx_client_new(ftx_client **out, const ftx_client_options *opts, ftx_error *err);

/**
 * @brief Free a client. NULL-safe. No call may be in flight.
 *
 * Overwrites the library's own copies of the credential (the Authorization header
 * lists) before freeing them. It cannot wipe the copies libcurl and OpenSSL make while
 * sending each request (request and TLS buffers, freed without being overwritten):
 * those may remain in freed heap memory. The library never changes process state to
 * hide them (e.g. core-dump settings); a program that must keep secrets out of core
 * dumps does that itself. Details: docs/secrets.md.
 *
 * A live stream holds its client: when streams are still open, the client is freed
 * (and its secret wiped) when the last of them is freed, and those streams keep
 * working until then. Every other use of `client` after this call is invalid.
 */
FTX_EXTERN void ftx_client_free(ftx_client *client);

/** @brief The base URL the client uses (borrowed, valid while the client lives). */
FTX_EXTERN const char *ftx_client_base_url(const ftx_client *client);

/**
 * @brief The rate-limit headers of the most recent response that carried them.
 * @param[out] limit `X-Rate-Limit`, -1 when never seen.
 * @param[out] remaining `X-Rate-Limit-Remaining`, -1 when never seen.
 */
FTX_EXTERN void ftx_client_rate_limit(const ftx_client *client, long *limit, long *remaining);

/**
 * @brief Run a caller's own function under a retry policy (the seed's with_retry).
 *
 * `fn` returns FTX_OK or a negative ftx_error_type and fills its `err`. It is retried
 * per `policy` (NULL: default) as if it were an idempotent GET: rate limits,
 * server errors and transport errors are retried, honouring `err->retry_after`.
 * @param clock NULL for the real clock.
 * @return the last result of `fn`.
 * @since 0.1
 */
FTX_EXTERN int ftx_with_retry(const ftx_retry_policy *policy, const ftx_clock *clock,
                              int (*fn)(void *userdata, ftx_error *err), void *userdata,
                              ftx_error *err);

#ifdef __cplusplus
}
#endif
#endif
