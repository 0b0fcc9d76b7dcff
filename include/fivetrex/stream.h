/**
 * @file fivetrex/stream.h
 * @brief Paging options shared by every list and stream call.
 *
 * A list call returns one page: `items` (an array of `count` model pointers) and
 * `next_cursor` (NULL on the last page). A stream call does no I/O when created; each
 * `_next` returns one borrowed item (valid until the next `_next` or `_free`), fetching
 * the following page only when the buffered one is used up. The end is FTX_OK with a
 * NULL item. A failed `_next` leaves the stream where it was, so calling it again
 * retries the same page.
 */
#ifndef FIVETREX_STREAM_H
#define FIVETREX_STREAM_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FTX_LIST_OPTIONS_VERSION 1

/** @brief Paging options. */
typedef struct ftx_list_options {
    unsigned int version;
    /** Cursor from a previous page's `next_cursor`; NULL for the first page. */
    const char *cursor;
    /** Page size 1..1000; 0 lets the API choose (100). */
    int limit;
    /**
     * Streams only: non-zero fetches the next page in the background while the
     * caller consumes the current one (at most two pages held). Default on.
     */
    int prefetch;
} ftx_list_options;

#define FTX_LIST_OPTIONS_INIT                                                                      \
    {                                                                                              \
        FTX_LIST_OPTIONS_VERSION, NULL, 0, 1                                                       \
    }

#ifdef __cplusplus
}
#endif
#endif
