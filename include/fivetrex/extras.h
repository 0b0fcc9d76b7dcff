/**
 * @file fivetrex/extras.h
 * @brief Hand-written operations outside the generated layer: Connector SDK packages
 * (multipart upload, binary download) and running a transformation until it ends.
 *
 * Thread note: each call may be made concurrently on a shared client; callbacks run on
 * the calling thread.
 */
#ifndef FIVETREX_EXTRAS_H
#define FIVETREX_EXTRAS_H

#include <stdint.h>

#include <jansson.h>

#include "client.h"
#include "request.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Connector SDK packages ---- */

/**
 * @brief Upload a new Connector SDK package: POST /connector-sdk/packages with the ZIP
 * (as made by `fivetran package`) as the `file` field of a `multipart/form-data` body.
 *
 * A create: an ambiguous failure (5xx, timeout or reset after sending) is not retried
 * and returns FTX_ERR_OUTCOME_UNKNOWN (list the packages to see whether it was made).
 * @param zip_path the package file; read when the request is sent. An unreadable file
 *        is FTX_ERR_INVALID_ARGUMENT naming it, and nothing is sent.
 * @param[out] out the new package (the response's `data`: `id`, `created_at`,
 *        `created_by`, `file_sha256_hash`, ...), a new reference; NULL on error.
 * @return FTX_OK, FTX_ERR_INVALID_ARGUMENT, FTX_ERR_BAD_REQUEST (a bad or missing
 *         file), FTX_ERR_OUTCOME_UNKNOWN, or another HTTP/decode error.
 * @since 0.2
 */
FTX_EXTERN int ftx_connector_sdk_packages_create(ftx_client *client, const char *zip_path,
                                                 json_t **out, ftx_error *err);

/**
 * @brief Replace a package's code: PATCH /connector-sdk/packages/{package_id} with the
 * ZIP as the `file` field of a `multipart/form-data` body. Connections using the
 * package pick up the new code at their next sync. Retried as any update (the file
 * is read again for each attempt).
 * @param[out] out the updated package (`data`), a new reference; NULL on error.
 * @return FTX_OK, FTX_ERR_INVALID_ARGUMENT (NULL/empty id, unreadable file),
 *         FTX_ERR_FORBIDDEN (not the package's owner nor an account admin),
 *         FTX_ERR_NOT_FOUND, or another HTTP/decode error.
 * @since 0.2
 */
FTX_EXTERN int ftx_connector_sdk_packages_update(ftx_client *client, const char *package_id,
                                                 const char *zip_path, json_t **out,
                                                 ftx_error *err);

/**
 * @brief Download a package's code: GET /connector-sdk/packages/{package_id}/download.
 * The response is the raw ZIP, delivered to `sink` as it arrives (see
 * ftx_response_sink: a `path` sink is replaced atomically and only on success; a
 * `write` sink is retried only when it has `reset`). An error response is mapped as
 * usual and nothing of it reaches the sink.
 * @param sink where the bytes go: exactly one of `write` and `path` set.
 * @return FTX_OK, FTX_ERR_INVALID_ARGUMENT (NULL/empty id, a sink with both or neither
 *         of write/path), FTX_ERR_NOT_FOUND, FTX_ERR_CANCELLED (the sink stopped),
 *         or another HTTP error.
 * @since 0.2
 */
FTX_EXTERN int ftx_connector_sdk_packages_download(ftx_client *client, const char *package_id,
                                                   const ftx_response_sink *sink, ftx_error *err);

/* ---- transformations: run and wait ---- */

/** @brief How a waited-for transformation run ended (its `status`). */
typedef enum ftx_transformation_outcome {
    /** SUCCEEDED */
    FTX_TRANSFORMATION_SUCCEEDED = 1,
    /** FAILED */
    FTX_TRANSFORMATION_FAILED = 2,
    /** CANCELED (e.g. POST /transformations/{id}/cancel) */
    FTX_TRANSFORMATION_CANCELED = 3,
    /** PARTIALLY_SUCCEEDED (some models or steps failed) */
    FTX_TRANSFORMATION_PARTIALLY_SUCCEEDED = 4
} ftx_transformation_outcome;

/** @brief What the progress callback sees at each poll. Fields are only appended. */
typedef struct ftx_transformation_progress {
    /** 1 for the first status read after the run was triggered. */
    int poll;
    /** Milliseconds since the call started (client clock). */
    uint64_t elapsed_ms;
    /** `status` as just read (borrowed), NULL when the read failed or had none. */
    const char *status;
    /** The transformation as just read (the response's `data`, borrowed), NULL when
     *  the read failed. */
    const json_t *transformation;
    /** The failed read's error (borrowed), NULL when the read succeeded. */
    const ftx_error *error;
} ftx_transformation_progress;

#define FTX_TRANSFORMATION_WAIT_OPTIONS_VERSION 1
/** @brief Options of ftx_transformations_run_and_wait(). */
typedef struct ftx_transformation_wait_options {
    unsigned int version;
    /** Non-zero: the run body is `{"full_refresh": true}` (dbt: rebuild incremental
     *  models); 0 sends `{}`. */
    int full_refresh;
    /** Time between status reads; 0: 10000 ms. */
    uint64_t poll_interval_ms;
    /** Deadline after the call starts; 0: 3600000 ms (one hour). There is always one. */
    uint64_t timeout_ms;
    /** Optional: called after each status read; return non-zero to stop waiting (the
     *  call then returns FTX_ERR_CANCELLED; the run goes on). */
    int (*progress)(const ftx_transformation_progress *progress, void *userdata);
    /** Passed to `progress`. */
    void *progress_userdata;
} ftx_transformation_wait_options;
#define FTX_TRANSFORMATION_WAIT_OPTIONS_INIT                                                       \
    {                                                                                              \
        FTX_TRANSFORMATION_WAIT_OPTIONS_VERSION, 0, 0, 0, NULL, NULL                               \
    }

/** @brief Result of ftx_transformations_run_and_wait(). */
typedef struct ftx_transformation_wait_result {
    /** An ftx_transformation_outcome value. */
    int outcome;
    /** The final `status` (owned by the result), e.g. "SUCCEEDED". */
    char *status;
    /** The transformation as last read (the response's `data`; a reference the result
     *  owns). */
    json_t *transformation;
    /** Milliseconds from the start of the call to the end (client clock). */
    uint64_t elapsed_ms;
    /** Status reads made after the trigger (including failed ones). */
    int polls;
} ftx_transformation_wait_result;

/** @brief Free a wait result. NULL-safe. @since 0.2 */
FTX_EXTERN void ftx_transformation_wait_result_free(ftx_transformation_wait_result *result);

/**
 * @brief Run a transformation and wait until the run this call started has ended.
 *
 * 1. Read the transformation (GET /transformations/{id}); baseline = its
 *    `last_ended_at` (none when null).
 * 2. Trigger the run (POST /transformations/{id}/run, body per `full_refresh`).
 * 3. Every `poll_interval_ms` read it again. The run has ended when `status` is one of
 *    SUCCEEDED, FAILED, CANCELED, PARTIALLY_SUCCEEDED and either `last_ended_at` is
 *    later than the baseline or a read of this call saw the run going (SCHEDULING,
 *    RUNNING, TERMINATING) before: right after the trigger the status may still be
 *    the previous run's, which proves nothing. NEW, SCHEDULING, RUNNING, TERMINATING,
 *    BLOCKED (waiting on something upstream) and values this library does not know
 *    keep the wait going.
 * 4. A failed status read (network, 429, 5xx, bad body) is reported to `progress` and
 *    retried at the next interval; 401, 403 and 404 end the wait with that error.
 * 5. The deadline (`timeout_ms`) always exists: reaching it returns FTX_ERR_TIMEOUT
 *    (the run goes on). Every status read ends by the deadline, except the read made
 *    at the deadline itself, which gets 5 s more.
 * Sleeping and time use the client's clock (ftx_client_options.clock).
 * @param opts NULL for defaults.
 * @param[out] out on FTX_OK: outcome (a failed run is FTX_OK with outcome
 *             FTX_TRANSFORMATION_FAILED), final status and transformation; free with
 *             ftx_transformation_wait_result_free(). NULL on error.
 * @return FTX_OK, FTX_ERR_INVALID_ARGUMENT, FTX_ERR_TIMEOUT, FTX_ERR_CANCELLED, or the
 *         error of the first read or of the trigger.
 * @since 0.2
 */
FTX_EXTERN int ftx_transformations_run_and_wait(ftx_client *client, const char *transformation_id,
                                                const ftx_transformation_wait_options *opts,
                                                ftx_transformation_wait_result **out,
                                                ftx_error *err);

#ifdef __cplusplus
}
#endif
#endif
