/**
 * @file fivetrex/request.h
 * @brief Any API operation: raw requests, path building and generic pagination.
 *
 * The resource modules cover groups, connectors, destinations and webhooks with typed
 * models. For the rest of the API's 168 operations (users, teams, roles, metadata,
 * certificates, ...) these calls give the same client behaviour — auth, Accept,
 * retries, the client-wide rate-limit pause, the error taxonomy — with JSON in and out.
 * ftx_paginate() is the seed's Fivetrex.Stream.paginate: it turns any "fetch the page
 * at this cursor" function into a lazy stream.
 *
 * Thread note: ftx_request() may be called concurrently on a shared client; a stream
 * is used by one thread at a time.
 */
#ifndef FIVETREX_REQUEST_H
#define FIVETREX_REQUEST_H

#include <jansson.h>

#include "client.h"
#include "stream.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FTX_REQUEST_OPTIONS_VERSION 1

/** @brief Options of ftx_request(). */
typedef struct ftx_request_options {
    unsigned int version;
    /** Non-zero: `Accept: application/json;version=2` (the Connection and Destination
     *  Management operations; see the OpenAPI definition), else `application/json`. */
    int accept_v2;
    /** Non-zero: the POST creates an object, so an ambiguous failure (5xx, timeout or
     *  reset after sending) is not retried and returns FTX_ERR_OUTCOME_UNKNOWN. */
    int creates;
} ftx_request_options;

#define FTX_REQUEST_OPTIONS_INIT                                                                   \
    {                                                                                              \
        FTX_REQUEST_OPTIONS_VERSION, 0, 0                                                          \
    }

/**
 * @brief Send one API request.
 * @param method "GET", "POST", "PATCH" or "DELETE".
 * @param path after the base URL, starting with '/', e.g. "/users?active=true"; ids in
 *        it must already be percent-encoded (build it with ftx_path_build()). Control
 *        characters, spaces and '#' are refused.
 * @param body JSON body for POST/PATCH (NULL sends "{}"); ignored for GET/DELETE. Not
 *        stolen.
 * @param opts NULL for defaults.
 * @param[out] out the whole response body, envelope included (`code`, `message`,
 *        `data`); a new reference to release with json_decref(). NULL for an empty body.
 *        May be NULL when the caller does not want it.
 * @return FTX_OK or a negative ftx_error_type (see docs/errors.md).
 * @since 0.1
 */
FTX_EXTERN int ftx_request(ftx_client *client, const char *method, const char *path,
                           const json_t *body, const ftx_request_options *opts, json_t **out,
                           ftx_error *err);

/**
 * @brief Build a path from a template, percent-encoding each id as one path segment.
 *
 * `{name}` placeholders are replaced, in order, by the `const char *` arguments, and
 * the list ends with NULL:
 * `ftx_path_build(&p, err, "/users/{user_id}/groups/{group_id}", uid, gid, NULL)`.
 * GCC and Clang warn about a call without the final NULL (the sentinel attribute). At
 * run time the number of arguments before the NULL must equal the number of
 * placeholders: fewer (or a NULL id, which ends the list early) or more is
 * FTX_ERR_INVALID_ARGUMENT saying which, and nothing past the NULL is read. An empty
 * argument is FTX_ERR_INVALID_ARGUMENT naming the placeholder. An id like "../x" or
 * "a/b?c" can never address another endpoint.
 * @param[out] out the path; free with ftx_string_free(). NULL on failure.
 * @param tmpl the template, e.g. "/teams/{team_id}/users/{user_id}"; `{name}` is any
 *        text between braces.
 * @return FTX_OK, FTX_ERR_INVALID_ARGUMENT or FTX_ERR_NOMEM.
 * @since 0.1
 */
FTX_EXTERN int ftx_path_build(char **out, ftx_error *err, const char *tmpl, ...) FTX_SENTINEL;

/**
 * @brief ftx_path_build() with the ids in an array: `n` must equal the number of
 * placeholders in `tmpl` (else FTX_ERR_INVALID_ARGUMENT giving both numbers), and
 * every `args[i]` must be a non-empty string (else FTX_ERR_INVALID_ARGUMENT naming the
 * placeholder).
 * @param args `n` strings, borrowed; may be NULL when `n` is 0.
 * @param[out] out the path; free with ftx_string_free(). NULL on failure.
 * @since 0.1
 */
FTX_EXTERN int ftx_path_buildv(char **out, ftx_error *err, const char *tmpl,
                               const char *const *args, size_t n);

/** @brief Free a string the library returned. NULL-safe. @since 0.1 */
FTX_EXTERN void ftx_string_free(char *s);

/** @brief A lazy stream of JSON items. Opaque. */
typedef struct ftx_json_stream ftx_json_stream;

/**
 * @brief Fetch one page for ftx_paginate().
 * @param cursor NULL for the first page, else the previous page's `next_cursor`.
 * @param[out] out_page a new reference to `{"items": [...], "next_cursor": "..."}` (the
 *        `data` of a Fivetran list response; `next_cursor` absent, null or "" on the
 *        last page). The stream takes it over.
 * @return FTX_OK, or a negative ftx_error_type with `err` filled: the stream's _next
 *         returns it and stays where it was, so calling _next again retries the page.
 */
typedef int (*ftx_page_fetch_fn)(const char *cursor, json_t **out_page, void *userdata,
                                 ftx_error *err);

/**
 * @brief A lazy stream over every item of a paged list (the seed's Stream.paginate).
 *
 * No page is fetched until the first _next; the next page only when the current one is
 * used up; none after the caller stops. A page that is not an object with an `items`
 * array, or whose `next_cursor` repeats the cursor that fetched it, is FTX_ERR_DECODE.
 * @param[out] out the stream; free with ftx_json_stream_free().
 * @since 0.1
 */
FTX_EXTERN int ftx_paginate(ftx_page_fetch_fn fetch, void *userdata, ftx_json_stream **out,
                            ftx_error *err);

/**
 * @brief A lazy stream over a list endpoint: GET `path` page by page, following
 * `next_cursor`, with `opts->limit` as the page size (`opts->cursor` to start later).
 * @param path as for ftx_request(), e.g. "/users" or "/metadata/connector-types".
 * @since 0.1
 */
FTX_EXTERN int ftx_request_stream(ftx_client *client, const char *path,
                                  const ftx_request_options *ropts, const ftx_list_options *opts,
                                  ftx_json_stream **out, ftx_error *err);

/**
 * @brief Next item; `*out` is NULL at the end. The item is borrowed until the next
 * call or ftx_json_stream_free() (json_incref it to keep it).
 */
FTX_EXTERN int ftx_json_stream_next(ftx_json_stream *stream, const json_t **out, ftx_error *err);

/** @brief Free a stream; no further page is fetched. NULL-safe. */
FTX_EXTERN void ftx_json_stream_free(ftx_json_stream *stream);

#ifdef __cplusplus
}
#endif
#endif
