/**
 * @file fivetrex/destinations.h
 * @brief Destinations: list, stream, get, create, update, delete, test.
 *
 * A destination is the warehouse a group loads into; every group has at most one and
 * its id is the group's id. Every destination call sends
 * `Accept: application/json;version=2`, the spec's default for Destination Management.
 *
 * Destination configs hold credentials. The API masks secrets in responses
 * (`"******"`), but `config` still names hosts and users: do not log it.
 *
 * Thread note: every call may be made concurrently on a shared client.
 */
#ifndef FIVETREX_DESTINATIONS_H
#define FIVETREX_DESTINATIONS_H

#include <jansson.h>

#include "client.h"
#include "stream.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief One setup test step of a destination (`setup_tests[]` in create, update,
 * details and test responses). Library-allocated, read-only.
 */
typedef struct ftx_destination_setup_test {
    /** Human-readable step name, e.g. "Host Connection". */
    char *title;
    /** "PASSED", "SKIPPED", "WARNING", "FAILED" or "JOB_FAILED" (as received). */
    char *status;
    /** Result message, often empty; NULL when absent. */
    char *message;
    /** `details` as received (a string, a list or an object), NULL when absent (borrowed;
     * json_incref to keep). */
    json_t *details;
} ftx_destination_setup_test;

/**
 * @brief A destination (Fivetrex.Models.Destination). Library-allocated, read-only.
 *
 * Absent strings are NULL. Fields are only ever appended.
 */
typedef struct ftx_destination {
    /** Destination id (equal to the group id). */
    char *id;
    /** Id of the group that owns it. */
    char *group_id;
    /** Destination type, e.g. "snowflake", "big_query". */
    char *service;
    /** Processing region, e.g. "GCP_US_EAST4". */
    char *region;
    /** Time zone offset string: "-11" ... "-1", "0", "+1" ... "+12". */
    char *time_zone_offset;
    /** "connected", "incomplete" or "broken"; the case varies, see ftx_destination_connected(). */
    char *setup_status;
    /** 1 or 0; -1 when the response did not say (the field is "US only"). */
    int daylight_saving_time_enabled;
    /** "Directly", "SshTunnel", "ProxyAgent", "PrivateLink" ... */
    char *networking_method;
    char *private_link_id;
    /** Hybrid deployment agent id (falls back to the deprecated local_processing_agent_id). */
    char *hybrid_deployment_agent_id;
    char *proxy_agent_id;
    /** Service-specific configuration, secrets masked; NULL when absent (lists). Borrowed. */
    json_t *config;
    /** Setup test results (`setup_tests`), `setup_test_count` entries; NULL when none. */
    ftx_destination_setup_test **setup_tests;
    size_t setup_test_count;
    /** The whole object as received (borrowed; json_incref to keep). */
    json_t *raw;
    /** External secrets manager id, NULL when none. */
    char *external_secrets_manager_id;
} ftx_destination;

/** @brief One page of destinations (items carry no `config`). */
typedef struct ftx_destination_page {
    ftx_destination **items;
    size_t count;
    /** Cursor of the next page, NULL on the last page. */
    char *next_cursor;
} ftx_destination_page;

/** @brief A lazy stream over every destination. Opaque. */
typedef struct ftx_destination_stream ftx_destination_stream;

/**
 * @brief Result of ftx_destinations_test(): the overall status and each step.
 * Library-allocated, read-only; free with ftx_destination_test_result_free().
 */
typedef struct ftx_destination_test_result {
    /** Overall status after the tests, e.g. "connected"; NULL when absent. */
    char *setup_status;
    /** The individual tests, `setup_test_count` entries; NULL when none. */
    ftx_destination_setup_test **setup_tests;
    size_t setup_test_count;
    /** The whole `data` object (the destination, tests included). Borrowed. */
    json_t *raw;
} ftx_destination_test_result;

#define FTX_DESTINATION_TEST_OPTIONS_VERSION 1

/** @brief Options of ftx_destinations_test(). */
typedef struct ftx_destination_test_options {
    unsigned int version;
    /** Non-zero: send `"trust_certificates": true` (trust the certificate during tests). */
    int trust_certificates;
    /** Non-zero: send `"trust_fingerprints": true` (trust the SSH fingerprint). */
    int trust_fingerprints;
} ftx_destination_test_options;

#define FTX_DESTINATION_TEST_OPTIONS_INIT                                                          \
    {                                                                                              \
        FTX_DESTINATION_TEST_OPTIONS_VERSION, 0, 0                                                 \
    }

/** @brief Free a destination. NULL-safe. @since 0.1 */
FTX_EXTERN void ftx_destination_free(ftx_destination *destination);

/**
 * @brief Deep copy of a destination.
 * @return the copy (free with ftx_destination_free()), NULL when out of memory or
 *         `destination` is NULL.
 * @since 0.1
 */
FTX_EXTERN ftx_destination *ftx_destination_dup(const ftx_destination *destination);

/**
 * @brief Build a destination from a JSON object (the `data` of a response).
 * @param json the object; borrowed (the model takes its own reference for `raw`).
 * @param[out] out the destination; free with ftx_destination_free().
 * @param err optional error detail.
 * @return FTX_OK; FTX_ERR_INVALID_ARGUMENT when `json` or `out` is NULL;
 *         FTX_ERR_DECODE when `json` is not an object or has no string `id`;
 *         FTX_ERR_NOMEM.
 * @since 0.1
 */
FTX_EXTERN int ftx_destination_from_json(const json_t *json, ftx_destination **out, ftx_error *err);

/**
 * @brief Whether the destination's `setup_status` is "connected", compared
 * case-insensitively (the spec says "CONNECTED", live responses "connected").
 * @return 1 or 0 (0 for NULL).
 * @since 0.1
 */
FTX_EXTERN int ftx_destination_connected(const ftx_destination *destination);

/**
 * @brief Whether `offset` is one of the 24 time zone offsets the API accepts:
 * "-11" ... "-1", "0", "+1" ... "+12" (positive values carry a '+', zero does not).
 * @return 1 or 0 (0 for NULL).
 * @since 0.1
 */
FTX_EXTERN int ftx_destination_time_zone_offset_valid(const char *offset);

/** @brief Free a page and its items. NULL-safe. @since 0.1 */
FTX_EXTERN void ftx_destination_page_free(ftx_destination_page *page);

/** @brief Free a test result. NULL-safe. @since 0.1 */
FTX_EXTERN void ftx_destination_test_result_free(ftx_destination_test_result *result);

/**
 * @brief List one page of destinations: GET /destinations.
 *
 * Not in the Elixir seed (which predates the endpoint).
 * @param client the client.
 * @param opts cursor and limit; NULL for the first page with the API's default size.
 *        The list declares no filters: any filter is FTX_ERR_INVALID_ARGUMENT.
 * @param[out] out the page; free with ftx_destination_page_free().
 * @param err optional error detail.
 * @return FTX_OK or a negative ftx_error_type (FTX_ERR_UNAUTHORIZED, FTX_ERR_DECODE, ...).
 * @since 0.1
 */
FTX_EXTERN int ftx_destinations_list(ftx_client *client, const ftx_list_options *opts,
                                     ftx_destination_page **out, ftx_error *err);

/**
 * @brief Stream every destination, page by page. No request is made until the first
 * ftx_destination_stream_next().
 * @param client the client (must outlive the stream).
 * @param opts page size (`limit`), starting `cursor`, `prefetch`; NULL for defaults.
 * @param[out] out the stream; free with ftx_destination_stream_free().
 * @param err optional error detail.
 * @return FTX_OK, FTX_ERR_INVALID_ARGUMENT or FTX_ERR_NOMEM.
 * @since 0.1
 */
FTX_EXTERN int ftx_destinations_stream(ftx_client *client, const ftx_list_options *opts,
                                       ftx_destination_stream **out, ftx_error *err);

/**
 * @brief Next destination. `*out` is NULL at the end; it is borrowed until the next call
 * or ftx_destination_stream_free() (ftx_destination_dup() keeps it).
 * @return FTX_OK or the error of the page request (the stream stays where it was).
 * @since 0.1
 */
FTX_EXTERN int ftx_destination_stream_next(ftx_destination_stream *stream,
                                           const ftx_destination **out, ftx_error *err);

/** @brief Free a stream; no further request is made. NULL-safe. @since 0.1 */
FTX_EXTERN void ftx_destination_stream_free(ftx_destination_stream *stream);

/**
 * @brief Get a destination: GET /destinations/{destination_id}.
 * @param client the client.
 * @param destination_id the id (equal to its group id); percent-encoded as one segment.
 * @param[out] out the destination; free with ftx_destination_free().
 * @param err optional error detail.
 * @return FTX_OK; FTX_ERR_INVALID_ARGUMENT (NULL/empty id, no request sent);
 *         FTX_ERR_NOT_FOUND; FTX_ERR_DECODE; other negative ftx_error_type values.
 * @since 0.1
 */
FTX_EXTERN int ftx_destinations_get(ftx_client *client, const char *destination_id,
                                    ftx_destination **out, ftx_error *err);

/**
 * @brief Create a destination: POST /destinations with `params` sent as given.
 *
 * Required, checked before anything is sent (FTX_ERR_INVALID_ARGUMENT naming the field):
 * `group_id` and `service` (non-empty strings) and `time_zone_offset` (one of the 24
 * strings, see ftx_destination_time_zone_offset_valid()). `region` and `config` are
 * optional (the spec, which the seed's docs predate); when present `region` must be a
 * string (unknown regions are passed through, the list grows) and `config` an object.
 * Other documented fields (`trust_certificates`, `run_setup_tests`,
 * `daylight_saving_time_enabled`, `networking_method`, ...) are passed through.
 *
 * A create: it is never repeated after an ambiguous failure (5xx, timeout, reset after
 * sending), which returns FTX_ERR_OUTCOME_UNKNOWN because the destination may exist.
 *
 * @param client the client.
 * @param params the request body (borrowed), e.g.
 *   `json_pack("{s:s, s:s, s:s, s:s, s:{...}}", "group_id", g, "service", "snowflake",
 *   "region", "GCP_US_EAST4", "time_zone_offset", "-5", "config", ...)`.
 * @param[out] out the created destination; free with ftx_destination_free().
 * @param err optional error detail.
 * @return FTX_OK; FTX_ERR_INVALID_ARGUMENT; FTX_ERR_BAD_REQUEST (InvalidInput);
 *         FTX_ERR_NOT_FOUND (no such group); FTX_ERR_CONFLICT; FTX_ERR_OUTCOME_UNKNOWN;
 *         other negative ftx_error_type values.
 * @since 0.1
 */
FTX_EXTERN int ftx_destinations_create(ftx_client *client, const json_t *params,
                                       ftx_destination **out, ftx_error *err);

/**
 * @brief Update a destination: PATCH /destinations/{destination_id} with `params`.
 *
 * The API's spec marks `time_zone_offset` required on PATCH too; the library does not
 * insist (the seed's examples omit it) but when present it must be one of the 24
 * valid strings (FTX_ERR_INVALID_ARGUMENT otherwise, nothing sent). Send the current
 * value if the API answers 400 without it.
 *
 * @param client the client.
 * @param destination_id the id; percent-encoded as one segment.
 * @param params a JSON object (borrowed), e.g. {"time_zone_offset": "+1", "config": {...}}.
 * @param[out] out the updated destination; free with ftx_destination_free().
 * @param err optional error detail.
 * @return FTX_OK; FTX_ERR_INVALID_ARGUMENT; FTX_ERR_NOT_FOUND; FTX_ERR_BAD_REQUEST;
 *         other negative ftx_error_type values.
 * @since 0.1
 */
FTX_EXTERN int ftx_destinations_update(ftx_client *client, const char *destination_id,
                                       const json_t *params, ftx_destination **out, ftx_error *err);

/**
 * @brief Delete a destination: DELETE /destinations/{destination_id}.
 *
 * The API may refuse with FTX_ERR_CONFLICT (409); Fivetran does not document why
 * (connectors still in the group is the likely reason).
 * @return FTX_OK; FTX_ERR_INVALID_ARGUMENT; FTX_ERR_NOT_FOUND; FTX_ERR_CONFLICT;
 *         other negative ftx_error_type values.
 * @since 0.1
 */
FTX_EXTERN int ftx_destinations_delete(ftx_client *client, const char *destination_id,
                                       ftx_error *err);

/**
 * @brief Run the setup tests: POST /destinations/{destination_id}/test.
 *
 * An action (retried like a GET). The body is `{}` or carries the trust flags of `opts`.
 * @param client the client.
 * @param destination_id the id; percent-encoded as one segment.
 * @param opts trust flags; NULL for none.
 * @param[out] out setup status and each test; free with ftx_destination_test_result_free().
 * @param err optional error detail.
 * @return FTX_OK (also when tests failed: inspect the result); FTX_ERR_INVALID_ARGUMENT
 *         (bad id or unknown options version); FTX_ERR_NOT_FOUND; FTX_ERR_DECODE;
 *         other negative ftx_error_type values.
 * @since 0.1
 */
FTX_EXTERN int ftx_destinations_test(ftx_client *client, const char *destination_id,
                                     const ftx_destination_test_options *opts,
                                     ftx_destination_test_result **out, ftx_error *err);

#ifdef __cplusplus
}
#endif
#endif
