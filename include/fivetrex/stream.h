/**
 * @file fivetrex/stream.h
 * @brief Paging options shared by every list and stream call.
 *
 * A list call returns one page: `items` (an array of `count` model pointers) and
 * `next_cursor` (NULL on the last page). A stream call does no I/O when created; each
 * `_next` returns one borrowed item (valid until the next `_next` or `_free`), fetching
 * the following page only when the buffered one is used up (or ahead of that with
 * prefetch, below). The end is FTX_OK with a NULL item. A failed `_next` leaves the
 * stream where it was, so calling it again retries the same page.
 *
 * Loop guards: a page whose `next_cursor` was already followed in this walk (or is the
 * cursor the stream started at), or more than 10 consecutive empty pages that each
 * carry a `next_cursor`, end the walk with FTX_ERR_DECODE naming the cursor: a server
 * whose paging loops can never keep a caller inside `_next` or make it read the same
 * items again. The same rules hold for ftx_request_stream(), ftx_paginate() and
 * ftx_connectors_stream_groups().
 *
 * Threads and lifetime: a stream starts no thread; every request it makes, and so every
 * observer, retry and clock callback, runs on the thread calling `_next`. A stream
 * holds a reference on its client (see ftx_client_free()). `_free` makes no request
 * and returns at once, aborting a prefetch in flight.
 */
#ifndef FIVETREX_STREAM_H
#define FIVETREX_STREAM_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FTX_LIST_OPTIONS_VERSION 2

/**
 * @brief One query parameter of a request: `name=value` (both percent-encoded when
 * sent). Used for list filters and the few other operations that take a query.
 */
typedef struct ftx_query_param {
    const char *name;
    const char *value;
} ftx_query_param;

/** @brief Paging options, and (version 2) the list's filters. */
typedef struct ftx_list_options {
    unsigned int version;
    /** Cursor from a previous page's `next_cursor`; NULL for the first page. */
    const char *cursor;
    /** Page size 1..1000; 0 lets the API choose (100). */
    int limit;
    /**
     * Streams only: non-zero fetches the next page ahead. When the caller asks for
     * the second item of a page that has a `next_cursor`, the next page's request is
     * sent (on the stream's own connection, through curl's multi interface); the
     * caller's later `_next` calls move it along without blocking, and the `_next`
     * that needs the page waits for what is left. Reading a single item and stopping
     * costs no extra request; reading two or more may cost one. At most one request
     * ahead and two pages held. A prefetched attempt that fails is retried by the
     * `_next` that needs the page, after the retry policy's delay, counting toward
     * the same `max_attempts`. No prefetch is started while the client-wide 429 pause
     * holds. Default on.
     */
    int prefetch;
    /* Version 2. */
    /**
     * Filters of the list, `filter_count` of them, e.g. {"group_id", "g1"} for the
     * account-wide connector list. Each name must be one the operation declares and each
     * value of its kind ("true"/"false" for booleans) and, for a closed set, one of its
     * values; otherwise FTX_ERR_INVALID_ARGUMENT names the filter and lists the valid
     * ones, and nothing is sent. Copied by a stream; may be freed after the call.
     */
    const ftx_query_param *filters;
    size_t filter_count;
} ftx_list_options;

#define FTX_LIST_OPTIONS_INIT                                                                      \
    {                                                                                              \
        FTX_LIST_OPTIONS_VERSION, NULL, 0, 1, NULL, 0                                              \
    }

#ifdef __cplusplus
}
#endif
#endif
