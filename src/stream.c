/*
 * ftx__list (one page) and the lazy stream over all pages, on the one pager
 * (pager.h): the cursor walk with its loop guards, the page path, envelope and
 * parse. A stream's pages come from the API (ftx__stream_new) or from a caller's
 * fetch function (ftx__stream_new_fetch: ftx_paginate, and the fuzz target).
 *
 * Stream invariants, prefetch or not:
 * - creation makes no request;
 * - a failed _next leaves the stream as it was, and the next _next asks for the same
 *   page again (synchronously);
 * - no thread: every request, observer call, retry decision and clock call happens
 *   on the thread calling _next;
 * - _free makes no request and returns at once: a running prefetch is aborted;
 * - the stream holds a reference on its client, so freeing the client first is safe.
 *
 * Prefetch (API streams, on unless opts->prefetch is 0): when the caller asks for
 * the second item of a page — it has used the first one and wants more, so the
 * next page will likely be read — and the page has a next_cursor, the next page's
 * request is started on the stream's own curl multi handle and sent at once. It is
 * driven, without blocking, from the caller's later _next calls while they hand out
 * the page's items (the response lands in socket buffers meanwhile), and waited for
 * only when the caller needs the page. So reading one item (or any part of a
 * one-item page) and stopping costs no extra request; at most one request is ever
 * ahead, and at most two pages are held. A prefetched attempt that fails goes
 * through the same decisions as any attempt (ftx__retry_decide, via ftx__xfer_done):
 * a final error is what _next returns when the page is needed; a retry is made then,
 * synchronously, after the retry delay, through ftx__call's retry loop, continuing
 * its attempt count. A prefetch is not started while the client-wide 429 pause
 * holds (the synchronous path waits for it instead).
 */
#include <string.h>
#include <sys/socket.h>

#include "gen.h"
#include "pager.h"
#include "retry.h"

/* While a prefetch is in flight, _next drives it (curl_multi_perform, which does not
 * block) on the first calls after it started, to get the request out, then on every
 * PREFETCH_DRIVE_EVERY-th call. */
#define PREFETCH_DRIVE_FIRST 4
#define PREFETCH_DRIVE_EVERY 16
/* Non-blocking curl_multi_perform rounds when a prefetch starts. */
#define PREFETCH_START_ROUNDS 3
/* Receive buffer asked for the prefetch connection (SO_RCVBUF; the kernel caps it at
 * net.core.rmem_max): a whole page — about 0.75 MB for 1000 connectors — can then
 * land in it while the caller works without reading, instead of the server stalling
 * once the default window (128 KiB) is full. */
#define PREFETCH_RCVBUF (2 * 1024 * 1024)
/* Longest single curl_multi_poll wait (ms) while blocking for a prefetched page. */
#define PREFETCH_POLL_MS 1000

static int check_spec(const ftx__list_spec *spec, const void *out, ftx_error *err)
{
    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    if (spec == NULL || spec->path == NULL ||
        (spec->parse == NULL ? spec->model == NULL : spec->free_item == NULL))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "list spec is incomplete");
    return FTX_OK;
}

/* One page through ftx__call's retry loop; `prior` attempts were already made (by a
 * prefetch). */
static int fetch_page(ftx_client *c, const ftx__list_spec *spec, const char *cursor, int limit,
                      int prior, ftx__page **out, ftx_error *err)
{
    ftx__buf path = FTX__BUF_INIT;
    ftx__request req;
    json_t *data = NULL;
    int rc;

    *out = NULL;
    if (ftx__page_path(spec, cursor, limit, &path) < 0) {
        ftx__buf_dispose(&path);
        return ftx__error_nomem(err);
    }
    memset(&req, 0, sizeof(req));
    req.method = "GET";
    req.path = path.ptr;
    req.accept_v2 = spec->accept_v2;
    rc = ftx__call_data_after(c, &req, prior, &data, err);
    ftx__buf_dispose(&path);
    if (rc != FTX_OK)
        return rc;
    rc = ftx__page_parse(data, spec, out, err);
    json_decref(data);
    return rc;
}

int ftx__list(ftx_client *c, const ftx__list_spec *spec, const ftx_list_options *opts,
              ftx__page **out, ftx_error *err)
{
    ftx__list_spec with_query;
    char *query = NULL;
    int rc;

    if (c == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "client must not be NULL");
    if ((rc = check_spec(spec, out, err)) != FTX_OK)
        return rc;
    *out = NULL;
    if ((rc = ftx__list_options_check(opts, err)) != FTX_OK ||
        (rc = ftx__list_query(spec, opts, &query, err)) != FTX_OK)
        return rc;
    with_query = *spec;
    with_query.extra_query = query;
    rc = fetch_page(c, &with_query, opts && opts->cursor && opts->cursor[0] ? opts->cursor : NULL,
                    opts ? opts->limit : 0, 0, out, err);
    ftx__free(query);
    return rc;
}

/* ---- streams ---- */

enum {
    PF_NONE = 0, /* no prefetch */
    PF_RUNNING,  /* xfer on the multi handle */
    PF_PAGE,     /* pf_page is the next page */
    PF_FAILED,   /* the next page failed for good: pf_rc, pf_err */
    PF_RETRY     /* the next page failed and may be retried from pf_due */
};

struct ftx__stream {
    ftx_client *client;      /* API source: a reference (ftx__client_ref) */
    ftx_page_fetch_fn fetch; /* function source (client NULL) */
    void *fetch_userdata;
    ftx__list_spec spec; /* path and extra_query owned */
    int limit;
    int prefetch;

    ftx__walk walk;
    ftx__page *page; /* current page */
    size_t index;    /* next item of `page` to hand out */

    CURLM *multi;   /* created at the first prefetch */
    ftx__xfer xfer; /* the prefetch of the page at walk.cursor */
    int pf;         /* PF_* */
    unsigned pf_calls;
    ftx__page *pf_page;
    int pf_rc;
    ftx_error pf_err;
    uint64_t pf_due;
    int pf_attempts;
};

static int stream_alloc(const ftx__list_spec *spec, const ftx_list_options *opts, ftx__stream **out,
                        ftx_error *err)
{
    ftx__stream *s;
    int rc;

    s = ftx__calloc(1, sizeof(*s));
    if (s == NULL)
        return ftx__error_nomem(err);
    s->spec = *spec;
    s->spec.path = ftx__strdup(spec->path);
    s->spec.extra_query = spec->extra_query ? ftx__strdup(spec->extra_query) : NULL;
    if (s->spec.path == NULL || (spec->extra_query && s->spec.extra_query == NULL)) {
        ftx__stream_free(s);
        return ftx__error_nomem(err);
    }
    if ((rc = ftx__walk_init(&s->walk, opts ? opts->cursor : NULL, err)) != FTX_OK) {
        ftx__stream_free(s);
        return rc;
    }
    s->limit = opts ? opts->limit : 0;
    s->prefetch = opts ? opts->prefetch != 0 : 1;
    *out = s;
    return FTX_OK;
}

int ftx__stream_new(ftx_client *c, const ftx__list_spec *spec, const ftx_list_options *opts,
                    ftx__stream **out, ftx_error *err)
{
    ftx__list_spec with_query;
    char *query = NULL;
    int rc;

    if (c == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "client must not be NULL");
    if ((rc = check_spec(spec, out, err)) != FTX_OK)
        return rc;
    *out = NULL;
    if ((rc = ftx__list_options_check(opts, err)) != FTX_OK ||
        (rc = ftx__list_query(spec, opts, &query, err)) != FTX_OK)
        return rc;
    /* The stream keeps its own copy of the query (filters included). */
    with_query = *spec;
    with_query.extra_query = query;
    rc = stream_alloc(&with_query, opts, out, err);
    ftx__free(query);
    if (rc != FTX_OK)
        return rc;
    ftx__client_ref(c);
    (*out)->client = c;
    return FTX_OK;
}

int ftx__stream_new_fetch(ftx_page_fetch_fn fetch, void *userdata, const ftx__list_spec *spec,
                          const char *cursor, ftx__stream **out, ftx_error *err)
{
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    int rc;

    if ((rc = check_spec(spec, out, err)) != FTX_OK)
        return rc;
    *out = NULL;
    if (fetch == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "fetch must not be NULL");
    lo.cursor = cursor;
    if ((rc = stream_alloc(spec, &lo, out, err)) != FTX_OK)
        return rc;
    (*out)->fetch = fetch;
    (*out)->fetch_userdata = userdata;
    (*out)->prefetch = 0;
    return FTX_OK;
}

/* ---- prefetch ---- */

static int pf_sockopt(void *userdata, curl_socket_t fd, curlsocktype purpose)
{
    int size = PREFETCH_RCVBUF;

    (void)userdata;
    if (purpose == CURLSOCKTYPE_IPCXN)
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    return CURL_SOCKOPT_OK;
}

static void pf_complete(ftx__stream *s, CURLcode cc)
{
    ftx__page *page = NULL;
    uint64_t due = 0;
    int rc, retry = 0;

    ftx_error_clear(&s->pf_err);
    rc = ftx__xfer_done(s->client, s->multi, &s->xfer, &s->spec, cc, &page, &retry, &due,
                        &s->pf_err);
    if (rc == FTX_OK) {
        s->pf_page = page;
        s->pf = PF_PAGE;
    } else if (retry) {
        s->pf_due = due;
        s->pf_attempts = s->xfer.attempt - 1;
        s->pf = PF_RETRY;
    } else {
        s->pf_rc = rc;
        s->pf = PF_FAILED;
    }
}

/* Take a running prefetch off the multi handle unreported: the synchronous path then
 * fetches the page (only after a failure of curl's multi interface itself). */
static void pf_drop(ftx__stream *s)
{
    if (s->xfer.running) {
        (void)curl_multi_remove_handle(s->multi, ftx__handle_easy(s->xfer.h));
        s->xfer.running = 0;
    }
    s->pf = PF_NONE;
}

/* Let a running prefetch progress; with `block`, until it has ended. */
static void pf_drive(ftx__stream *s, int block)
{
    while (s->pf == PF_RUNNING) {
        CURLMsg *msg;
        int still = 0, left = 0;

        if (curl_multi_perform(s->multi, &still) != CURLM_OK) {
            pf_drop(s);
            return;
        }
        while (s->pf == PF_RUNNING && (msg = curl_multi_info_read(s->multi, &left)) != NULL)
            if (msg->msg == CURLMSG_DONE)
                pf_complete(s, msg->data.result);
        if (!block || s->pf != PF_RUNNING)
            return;
        if (curl_multi_poll(s->multi, NULL, 0, PREFETCH_POLL_MS, NULL) != CURLM_OK) {
            pf_drop(s);
            return;
        }
    }
}

/* Start fetching the page at walk.cursor, when prefetch applies. Any obstacle (out
 * of memory, the client paused) only loses the prefetch: _next then fetches the page
 * synchronously, which reports it. */
static void pf_start(ftx__stream *s)
{
    ftx_error e;
    uint64_t paused = 0;
    int still = 0, i;

    if (!s->prefetch || s->client == NULL || s->pf != PF_NONE || !s->walk.started || s->walk.done)
        return;
    if (s->multi == NULL) {
        if ((s->multi = curl_multi_init()) == NULL)
            return;
        (void)curl_multi_setopt(s->multi, CURLMOPT_MAXCONNECTS, 1L);
    }
    if (ftx__xfer_page(&s->xfer, &s->spec, s->walk.cursor, s->limit) < 0)
        return;
    ftx_error_clear(&e);
    if (ftx__xfer_start(s->client, s->multi, &s->xfer, s, &paused, &e) != FTX_OK || paused != 0)
        return;
    /* Before the first perform, which opens the stream's connection. */
    curl_easy_setopt(ftx__handle_easy(s->xfer.h), CURLOPT_SOCKOPTFUNCTION, pf_sockopt);
    s->pf = PF_RUNNING;
    s->pf_calls = 0;
    /* Send the request now: a few non-blocking rounds finish a loopback or reused
     * connection; a slower connect goes on in the following _next calls. */
    for (i = 0; i < PREFETCH_START_ROUNDS; i++) {
        curl_off_t sent = 0;

        if (curl_multi_perform(s->multi, &still) != CURLM_OK || still == 0)
            break;
        if (curl_easy_getinfo(ftx__handle_easy(s->xfer.h), CURLINFO_PRETRANSFER_TIME_T, &sent) ==
                CURLE_OK &&
            sent > 0)
            break;
    }
}

/* The page at walk.cursor: the prefetched one, or fetched now. */
static int next_page(ftx__stream *s, ftx__page **page, ftx_error *err)
{
    int prior = 0;

    *page = NULL;
    if (s->fetch != NULL) {
        json_t *data = NULL;
        int rc = s->fetch(s->walk.cursor, &data, s->fetch_userdata, err);

        if (rc >= 0)
            rc = ftx__page_parse(data, &s->spec, page, err);
        json_decref(data);
        return rc;
    }
    if (s->pf == PF_RUNNING)
        pf_drive(s, 1);
    switch (s->pf) {
    case PF_PAGE:
        s->pf = PF_NONE;
        *page = s->pf_page;
        s->pf_page = NULL;
        return FTX_OK;
    case PF_FAILED:
        s->pf = PF_NONE;
        if (err != NULL)
            *err = s->pf_err;
        return s->pf_rc;
    case PF_RETRY: {
        uint64_t now = ftx__now_ms(s->client);

        s->pf = PF_NONE;
        if (s->pf_due > now)
            ftx__sleep_ms(s->client, s->pf_due - now);
        prior = s->pf_attempts;
        break;
    }
    default:
        break;
    }
    return fetch_page(s->client, &s->spec, s->walk.cursor, s->limit, prior, page, err);
}

int ftx__stream_next(ftx__stream *s, const void **out, ftx_error *err)
{
    if (out != NULL)
        *out = NULL;
    if (s == NULL || out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "stream and out must not be NULL");

    for (;;) {
        ftx__page *page = NULL;
        int rc;

        if (s->pf == PF_RUNNING) {
            s->pf_calls++;
            if (s->pf_calls <= PREFETCH_DRIVE_FIRST || s->pf_calls % PREFETCH_DRIVE_EVERY == 0)
                pf_drive(s, 0);
        }
        if (s->page != NULL && s->index < s->page->count) {
            if (s->index >= 1)
                pf_start(s); /* the caller came back for more of this page */
            *out = s->page->items[s->index++];
            return FTX_OK;
        }
        if (s->walk.started && s->walk.done)
            return FTX_OK; /* end of stream */

        if ((rc = next_page(s, &page, err)) != FTX_OK) {
            ftx__page_free_spec(page, &s->spec);
            return rc; /* unchanged: the next call asks for the same page again */
        }
        rc = ftx__walk_accept(&s->walk, s->spec.path, page->next_cursor, page->count, err);
        if (rc != FTX_OK) {
            ftx__page_free_spec(page, &s->spec);
            return rc;
        }
        ftx__page_free_spec(s->page, &s->spec);
        s->page = page;
        s->index = 0;
    }
}

void ftx__stream_free(ftx__stream *s)
{
    if (s == NULL)
        return;
    if (s->xfer.h != NULL)
        curl_easy_setopt(ftx__handle_easy(s->xfer.h), CURLOPT_SOCKOPTFUNCTION, NULL);
    if (s->client != NULL)
        ftx__xfer_dispose(s->client, s->multi, &s->xfer); /* aborts a running prefetch */
    ftx__buf_dispose(&s->xfer.path);
    if (s->multi != NULL)
        curl_multi_cleanup(s->multi);
    ftx__page_free_spec(s->pf_page, &s->spec);
    ftx__page_free_spec(s->page, &s->spec);
    ftx__walk_dispose(&s->walk);
    ftx__free((char *)(uintptr_t)s->spec.path);
    ftx__free((char *)(uintptr_t)s->spec.extra_query);
    if (s->client != NULL)
        ftx__client_unref(s->client);
    ftx__free(s);
}
