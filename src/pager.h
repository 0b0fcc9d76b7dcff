/*
 * Private to libfivetrex: the one pager. Every paged walk — typed streams and
 * ftx__list (stream.c), ftx_request_stream / ftx_paginate (request.c) and the
 * curl-multi fan-out (multi.c) — goes through these pieces:
 *
 *   ftx__page_path      the request path of a page (spec path, extra query, cursor, limit)
 *   ftx__page_from_body a 2xx body to a page: envelope unwrap, then ftx__page_parse
 *   ftx__walk           the cursor walk: next-cursor state and the loop guards
 *   ftx__xfer           one page request on a curl multi handle, one attempt at a
 *                       time, with the blocking path's pieces (http.h) and retry
 *                       decisions (ftx__retry_decide)
 *
 * Nothing here is exported.
 */
#ifndef FIVETREX_PAGER_H
#define FIVETREX_PAGER_H

#include <stdint.h>

#include "http.h"
#include "internal.h"

/*
 * The loop guards of a walk:
 * - a next_cursor that was already followed in this walk (or is the cursor the walk
 *   started at) is FTX_ERR_DECODE naming the cursor and the pages since it was
 *   first seen: a server whose cursors cycle (A, B, A, ...) would otherwise make the
 *   caller read the same pages forever;
 * - more than FTX__PAGER_MAX_EMPTY_PAGES consecutive empty pages that still carry a
 *   next_cursor is FTX_ERR_DECODE: a server that answers every empty page with a
 *   fresh cursor would otherwise keep one _next call inside an endless loop.
 * Cursors are remembered as 64-bit hashes (16 bytes a page), so a long walk stays
 * cheap; a hash collision, vanishingly rare for honest cursors, would end a walk
 * early with that decode error.
 */
#define FTX__PAGER_MAX_EMPTY_PAGES 10

typedef struct ftx__walk_seen {
    uint64_t hash; /* 0: empty slot */
    size_t page;   /* number of the page that returned this cursor (0: the start) */
} ftx__walk_seen;

typedef struct ftx__walk {
    char *cursor;       /* cursor of the next page to fetch; NULL: the first page */
    int started;        /* a page was accepted */
    int done;           /* the last accepted page had no next_cursor */
    unsigned empty_run; /* consecutive empty pages with a next_cursor */
    size_t pages;       /* pages accepted */
    ftx__walk_seen *seen;
    size_t nseen, cap; /* open addressing, cap a power of two (0: none yet) */
} ftx__walk;

/* Start a walk at `start_cursor` (NULL or "": the first page). FTX_OK or NOMEM. */
int ftx__walk_init(ftx__walk *w, const char *start_cursor, ftx_error *err);
void ftx__walk_dispose(ftx__walk *w);
/* The page fetched with w->cursor had `count` items and `next_cursor` (NULL: the
 * last page). FTX_OK: the walk moved on (w->done at the end). Otherwise nothing
 * changed: FTX_ERR_DECODE from a loop guard (the message names `what`, the list's
 * path), or FTX_ERR_NOMEM. */
int ftx__walk_accept(ftx__walk *w, const char *what, const char *next_cursor, size_t count,
                     ftx_error *err);

/* The request path of the page at `cursor` (NULL: first) into `out` (reset first):
 * spec->path, spec->extra_query, then cursor= and limit= (limit 0: none). 0 or -1 (OOM). */
int ftx__page_path(const ftx__list_spec *spec, const char *cursor, int limit, ftx__buf *out);
/* A 2xx response of `req` (status `status`, after `attempts` attempts) to a page:
 * the envelope's data (ftx__envelope_data; an empty body is FTX_ERR_DECODE), then
 * ftx__page_parse. `body` is borrowed. */
int ftx__page_from_body(const ftx__list_spec *spec, const ftx__request *req, json_t *body,
                        long status, int attempts, ftx__page **out, ftx_error *err);

/* ---- one page request on a curl multi handle (multi.c) ---- */
typedef struct ftx__xfer {
    ftx__handle *h;        /* checked out at the first start, kept until _dispose */
    ftx__buf path;         /* request path of the page */
    int accept_v2;         /* as the list spec */
    int attempt;           /* number of the running attempt, or of the next one */
    uint64_t waited_until; /* client clock: the pause this request already waited out */
    double t0;             /* ftx__monotonic_ms() at the start of the running attempt */
    int running;           /* the easy handle is on the multi handle */
} ftx__xfer;

/* Set `x` up for attempt 1 of the page at `cursor`. 0, or -1 out of memory. */
int ftx__xfer_page(ftx__xfer *x, const ftx__list_spec *spec, const char *cursor, int limit);
/* Start attempt x->attempt on `multi` (CURLOPT_PRIVATE = `priv`), after checking the
 * client-wide 429 pause (ftx__pause_check): FTX_OK with x->running set; FTX_OK with
 * `*paused_until` non-zero when the pause holds the request back (start it again
 * then; nothing was sent); or an error with `err` filled (nothing was sent). */
int ftx__xfer_start(ftx_client *c, CURLM *multi, ftx__xfer *x, void *priv, uint64_t *paused_until,
                    ftx_error *err);
/* The running transfer of `x` ended with `cc`: take it off `multi`, map the attempt
 * (ftx__attempt_finish; the observer is told) and on success build the page. On
 * failure `err` is filled (attempts set) and `*retry` says whether attempt
 * x->attempt + 1 may be made from `*due` (client clock): ftx__retry_decide decided,
 * and a 429 retry has paused the client until then. x->attempt is advanced when
 * `*retry`. */
int ftx__xfer_done(ftx_client *c, CURLM *multi, ftx__xfer *x, const ftx__list_spec *spec,
                   CURLcode cc, ftx__page **page, int *retry, uint64_t *due, ftx_error *err);
/* Abort a running transfer (prompt: the connection is closed), give the handle back
 * to the client's pool and free the path. */
void ftx__xfer_dispose(ftx_client *c, CURLM *multi, ftx__xfer *x);

#endif
