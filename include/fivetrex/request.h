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

#define FTX_REQUEST_OPTIONS_VERSION 2

/** @brief ftx_request_options.flags: POST or PATCH with no body at all — no `{}`, no
 *  Content-Type, `Content-Length: 0` — for operations whose definition takes none
 *  (e.g. transformation cancel, agent reset-credentials). `body` must be NULL.
 *  @since 0.2 */
#define FTX_REQUEST_NO_BODY 0x1u
/** @brief ftx_request_options.flags: `path` is relative to the API host, not to the
 *  base URL: the base URL without its trailing `/v1` (the base URL itself when it has
 *  none). For operations outside `/v1`, e.g. `GET /public/connector-types`.
 *  @since 0.2 */
#define FTX_REQUEST_HOST_ROOT 0x2u

/**
 * @brief One field of a `multipart/form-data` body (ftx_request_options.form).
 *
 * The content is exactly one of: `value` (text), `file_path` (read at send time, and
 * again on a retry) or `data`/`data_len` (copied when the call starts). Used in
 * arrays, so this struct never grows: later needs get a new struct.
 * @since 0.2
 */
typedef struct ftx_form_part {
    /** Field name, e.g. "file" (required). */
    const char *name;
    /** Text value (NUL-terminated), or NULL. */
    const char *value;
    /** File whose contents are the value, or NULL. The filename sent is its last
     *  path component unless `filename` is set. */
    const char *file_path;
    /** In-memory contents (may hold NUL bytes), or NULL. */
    const void *data;
    size_t data_len;
    /** Filename in the part's Content-Disposition; NULL: none (or file_path's). */
    const char *filename;
    /** The part's Content-Type, e.g. "application/zip"; NULL: libcurl's choice
     *  (from a few well-known filename extensions, application/octet-stream for
     *  other `file_path` parts, none for `value` and `data`). */
    const char *content_type;
} ftx_form_part;

/**
 * @brief Where a 2xx response body goes instead of being parsed as JSON (binary
 * responses, e.g. a Connector SDK package zip). ftx_request_options.sink.
 *
 * Only a 2xx body is delivered, as it arrives and with no size limit (a JSON body is
 * refused past 64 MiB); an error response's body is still read as the JSON error and
 * mapped to ftx_error as usual. Set `path` or `write`, not both.
 *
 * Retries never deliver data twice. With `path`, the body is written to a new file
 * next to it (`<path>.XXXXXX`, mode 0600), which is emptied before a retry and renamed
 * to `path` only when the call succeeds (removed when it fails), so `path` is either
 * untouched or holds exactly one whole body. With `write`, an attempt that fails after
 * delivering bytes (e.g. the connection drops mid-body) is retried only when `reset`
 * is set: `reset` is called first and the caller must discard what it received;
 * without `reset` the call fails with that attempt's error and the message says how
 * many bytes were delivered.
 * @since 0.2
 */
typedef struct ftx_response_sink {
    /** Receive `len` bytes (len > 0) of a 2xx body, in order. Return 0 to continue,
     *  non-zero to stop: the call then fails with FTX_ERR_CANCELLED. Called on the
     *  calling thread. */
    int (*write)(const void *data, size_t len, void *userdata);
    /** Optional: forget everything `write` received so far (a retry follows). Return
     *  0 to go on, non-zero to give up (FTX_ERR_CANCELLED). */
    int (*reset)(void *userdata);
    /** Passed to `write` and `reset`. */
    void *userdata;
    /** Write the body to this file instead (replaced atomically on success). */
    const char *path;
} ftx_response_sink;

/**
 * @brief Options of ftx_request().
 *
 * Versioning: `version` says which fields the caller's struct has; the library reads
 * only those (version 1: up to `creates`). All pointers are borrowed for the call only.
 */
typedef struct ftx_request_options {
    unsigned int version;
    /** Non-zero: `Accept: application/json;version=2` (the Connection and Destination
     *  Management operations; see the OpenAPI definition), else `application/json`. */
    int accept_v2;
    /** Non-zero: the POST creates an object, so an ambiguous failure (5xx, timeout or
     *  reset after sending) is not retried and returns FTX_ERR_OUTCOME_UNKNOWN. */
    int creates;
    /* ---- version 2 ---- */
    /** FTX_REQUEST_NO_BODY, FTX_REQUEST_HOST_ROOT, or 0. @since 0.2 */
    unsigned int flags;
    /** POST/PATCH: send these `form_count` parts as `multipart/form-data` (libcurl's
     *  mime API) instead of a JSON body; `body` must be NULL. @since 0.2 */
    const ftx_form_part *form;
    size_t form_count;
    /** Non-NULL: deliver a 2xx body here instead of parsing it (`*out` is then NULL).
     *  @since 0.2 */
    const ftx_response_sink *sink;
} ftx_request_options;

#define FTX_REQUEST_OPTIONS_INIT                                                                   \
    {                                                                                              \
        FTX_REQUEST_OPTIONS_VERSION, 0, 0, 0u, NULL, 0, NULL                                       \
    }

/**
 * @brief Send one API request.
 * @param method "GET", "POST", "PATCH" or "DELETE".
 * @param path after the base URL, starting with '/', e.g. "/users?active=true"; ids in
 *        it must already be percent-encoded (build it with ftx_path_build()). Control
 *        characters, spaces and '#' are refused, and so is a path (query included)
 *        longer than 8192 bytes (FTX_ERR_INVALID_ARGUMENT naming the limit; the same
 *        limit holds for the paths every typed call builds from its ids).
 * @param body JSON body for POST/PATCH (NULL sends "{}", unless opts->flags has
 *        FTX_REQUEST_NO_BODY or opts->form is set); ignored for GET/DELETE. Not stolen.
 * @param opts NULL for defaults.
 * @param[out] out the whole response body, envelope included (`code`, `message`,
 *        `data`); a new reference to release with json_decref(). NULL for an empty body.
 *        May be NULL when the caller does not want it. Always NULL with opts->sink.
 * @return FTX_OK or a negative ftx_error_type (see docs/errors.md): an option that
 *         does not fit the method or another option (a form with GET, a body with
 *         FTX_REQUEST_NO_BODY, a sink with both or neither of write/path, an unreadable
 *         form file, ...) is FTX_ERR_INVALID_ARGUMENT and nothing is sent.
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
 * array is FTX_ERR_DECODE, and so is paging that loops (a `next_cursor` already seen
 * in this walk, or more than 10 empty pages in a row with a `next_cursor`; see
 * stream.h). `fetch` is called on the thread calling ftx_json_stream_next().
 * @param[out] out the stream; free with ftx_json_stream_free().
 * @since 0.1
 */
FTX_EXTERN int ftx_paginate(ftx_page_fetch_fn fetch, void *userdata, ftx_json_stream **out,
                            ftx_error *err);

/**
 * @brief A lazy stream over a list endpoint: GET `path` page by page, following
 * `next_cursor`, with `opts->limit` as the page size (`opts->cursor` to start later)
 * and `opts->prefetch` as for the typed streams (stream.h; NULL opts: on).
 * @param path as for ftx_request(), e.g. "/users" or "/metadata/connector-types".
 * @param ropts as for ftx_request(); `form`, `sink` and FTX_REQUEST_NO_BODY do not
 *        apply to a paged GET and are FTX_ERR_INVALID_ARGUMENT.
 * @param opts as for the typed lists; its filters (version 2) are sent with every page
 *        as given (percent-encoded), unchecked since the path is the caller's; a filter
 *        without a name or value, or named `cursor` or `limit`, is
 *        FTX_ERR_INVALID_ARGUMENT.
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
