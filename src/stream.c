/*
 * The generic cursor pager (one page per call) and the lazy stream over all
 * pages, with optional one-page-ahead prefetch on a background thread.
 *
 * Stream invariants, prefetch or not:
 * - creation makes no request;
 * - a page is requested only once the caller has reached the end of the one
 *   before it (prefetch: page N+1 is requested while page N is consumed, never
 *   N+2, so at most two pages are held);
 * - a failed _next leaves the stream as it was, and the next _next retries the
 *   same page (synchronously);
 * - _free makes no new request and joins a running prefetch.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

int ftx__list_options_check(const ftx_list_options *opts, ftx_error *err)
{
    if (opts == NULL)
        return FTX_OK;
    if (FTX__OPTIONS_CHECK(ftx_list_options, opts, err) != FTX_OK)
        return FTX_ERR_INVALID_ARGUMENT;
    if (opts->limit < 0 || opts->limit > 1000)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "limit must be 0 (API default) or 1..1000, got %d", opts->limit);
    return FTX_OK;
}

static int check_spec(const ftx_client *c, const ftx__list_spec *spec, const void *out,
                      ftx_error *err)
{
    if (c == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "client must not be NULL");
    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    if (spec == NULL || spec->path == NULL || spec->parse == NULL || spec->free_item == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "list spec is incomplete");
    return FTX_OK;
}

void ftx__page_free(ftx__page *page, ftx__free_fn free_item)
{
    size_t i;

    if (page == NULL)
        return;
    if (page->items != NULL && free_item != NULL) {
        for (i = 0; i < page->count; i++)
            free_item(page->items[i]);
    }
    ftx__free(page->items);
    ftx__free(page->next_cursor);
    ftx__free(page);
}

int ftx__page_parse(const json_t *data, const ftx__list_spec *spec, ftx__page **out, ftx_error *err)
{
    const json_t *items, *cursor;
    ftx__page *page;
    size_t i, n;
    int rc;

    if (out == NULL || spec == NULL || spec->parse == NULL || spec->free_item == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "page parse arguments missing");
    *out = NULL;
    if (!json_is_object(data))
        return ftx__error_set(err, FTX_ERR_DECODE, "list response data is not a JSON object");
    items = json_object_get(data, "items");
    if (!json_is_array(items))
        return ftx__error_set(err, FTX_ERR_DECODE, "list response has no \"items\" array");
    n = json_array_size(items);

    page = ftx__calloc(1, sizeof(*page));
    if (page == NULL)
        return ftx__error_nomem(err);
    page->items = ftx__calloc(n ? n : 1, sizeof(void *));
    if (page->items == NULL) {
        ftx__free(page);
        return ftx__error_nomem(err);
    }
    for (i = 0; i < n; i++) {
        void *item = NULL;

        rc = spec->parse(json_array_get(items, i), &item, err);
        if (rc != FTX_OK) {
            ftx__page_free(page, spec->free_item);
            return rc;
        }
        page->items[page->count++] = item;
    }
    /* Absent, null and "" all mean "last page". */
    cursor = json_object_get(data, "next_cursor");
    if (json_is_string(cursor) && json_string_length(cursor) > 0) {
        page->next_cursor = ftx__strdup(json_string_value(cursor));
        if (page->next_cursor == NULL) {
            ftx__page_free(page, spec->free_item);
            return ftx__error_nomem(err);
        }
    }
    *out = page;
    return FTX_OK;
}

static int list_page(ftx_client *c, const ftx__list_spec *spec, const char *cursor, int limit,
                     ftx__page **out, ftx_error *err)
{
    ftx__buf path = FTX__BUF_INIT;
    ftx__request req;
    json_t *data = NULL;
    char num[16];
    int rc;

    if (ftx__buf_puts(&path, spec->path) < 0)
        goto nomem;
    if (spec->extra_query != NULL && spec->extra_query[0] != '\0') {
        if (ftx__buf_puts(&path, strchr(spec->path, '?') ? "&" : "?") < 0 ||
            ftx__buf_puts(&path, spec->extra_query) < 0)
            goto nomem;
    }
    if (cursor != NULL && cursor[0] != '\0' && ftx__query_add(&path, "cursor", cursor) < 0)
        goto nomem;
    if (limit > 0) {
        (void)snprintf(num, sizeof(num), "%d", limit);
        if (ftx__query_add(&path, "limit", num) < 0)
            goto nomem;
    }

    memset(&req, 0, sizeof(req));
    req.method = "GET";
    req.path = path.ptr;
    req.accept_v2 = spec->accept_v2;
    rc = ftx__call_data(c, &req, &data, err);
    ftx__buf_dispose(&path);
    if (rc != FTX_OK)
        return rc;
    rc = ftx__page_parse(data, spec, out, err);
    json_decref(data);
    return rc;

nomem:
    ftx__buf_dispose(&path);
    return ftx__error_nomem(err);
}

int ftx__list(ftx_client *c, const ftx__list_spec *spec, const ftx_list_options *opts,
              ftx__page **out, ftx_error *err)
{
    int rc;

    if ((rc = check_spec(c, spec, out, err)) != FTX_OK)
        return rc;
    *out = NULL;
    if ((rc = ftx__list_options_check(opts, err)) != FTX_OK)
        return rc;
    return list_page(c, spec, opts ? opts->cursor : NULL, opts ? opts->limit : 0, out, err);
}

/* ---- streams ---- */

struct ftx__stream {
    ftx_client *client;
    ftx__list_spec spec; /* path and extra_query owned */
    int limit;
    int prefetch;

    char *cursor;    /* cursor of the next page to fetch (NULL: first page) */
    int started;     /* the first page has been requested successfully */
    int done;        /* the current page is the last one */
    ftx__page *page; /* current page */
    size_t index;    /* next item of `page` to hand out */

    /* Prefetch of the page after `page`; the thread owns the pf_* fields until
     * joined. */
    pthread_t worker;
    int worker_running;
    atomic_int cancel;
    ftx__page *pf_page;
    int pf_rc;
    ftx_error pf_err;
};

int ftx__stream_new(ftx_client *c, const ftx__list_spec *spec, const ftx_list_options *opts,
                    ftx__stream **out, ftx_error *err)
{
    ftx__stream *s;
    int rc;

    if ((rc = check_spec(c, spec, out, err)) != FTX_OK)
        return rc;
    *out = NULL;
    if ((rc = ftx__list_options_check(opts, err)) != FTX_OK)
        return rc;

    s = ftx__calloc(1, sizeof(*s));
    if (s == NULL)
        return ftx__error_nomem(err);
    s->client = c;
    s->spec = *spec;
    s->spec.path = ftx__strdup(spec->path);
    s->spec.extra_query = spec->extra_query ? ftx__strdup(spec->extra_query) : NULL;
    s->cursor = opts && opts->cursor && opts->cursor[0] ? ftx__strdup(opts->cursor) : NULL;
    if (s->spec.path == NULL || (spec->extra_query && s->spec.extra_query == NULL) ||
        (opts && opts->cursor && opts->cursor[0] && s->cursor == NULL)) {
        ftx__stream_free(s);
        return ftx__error_nomem(err);
    }
    s->limit = opts ? opts->limit : 0;
    s->prefetch = opts ? opts->prefetch != 0 : 1;
    atomic_init(&s->cancel, 0);
    *out = s;
    return FTX_OK;
}

static void *prefetch_main(void *arg)
{
    ftx__stream *s = arg;

    if (atomic_load(&s->cancel)) {
        s->pf_rc = FTX_ERR_CANCELLED;
        return NULL;
    }
    ftx_error_clear(&s->pf_err);
    s->pf_rc = list_page(s->client, &s->spec, s->cursor, s->limit, &s->pf_page, &s->pf_err);
    return NULL;
}

/* Start fetching the page after the current one, when there is one. A failure
 * to start a thread only loses the prefetch: _next then fetches synchronously. */
static void prefetch_start(ftx__stream *s)
{
    if (!s->prefetch || s->done || s->worker_running)
        return;
    s->pf_page = NULL;
    s->pf_rc = FTX_OK;
    if (pthread_create(&s->worker, NULL, prefetch_main, s) == 0)
        s->worker_running = 1;
}

/* Join the prefetch; returns its result with its page in *out. */
static int prefetch_join(ftx__stream *s, ftx__page **out, ftx_error *err)
{
    int rc;

    (void)pthread_join(s->worker, NULL);
    s->worker_running = 0;
    rc = s->pf_rc;
    *out = s->pf_page;
    s->pf_page = NULL;
    if (rc != FTX_OK && err != NULL)
        *err = s->pf_err;
    return rc;
}

/* Make `page` the current page (the stream takes it). */
static int install_page(ftx__stream *s, ftx__page *page, ftx_error *err)
{
    char *next = NULL;

    /* `s->cursor` fetched this page: answering it with itself would make the stream
     * ask for the same page forever (inside one _next when the pages are empty). */
    if (page->next_cursor != NULL && s->cursor != NULL &&
        strcmp(page->next_cursor, s->cursor) == 0) {
        ftx__page_free(page, s->spec.free_item);
        return ftx__error_set(err, FTX_ERR_DECODE,
                              "%s: the server answered cursor \"%.100s\" with the same "
                              "next_cursor; stopping instead of asking for the same page forever",
                              s->spec.path, s->cursor);
    }
    if (page->next_cursor != NULL) {
        next = ftx__strdup(page->next_cursor);
        if (next == NULL) {
            ftx__page_free(page, s->spec.free_item);
            return ftx__error_nomem(err);
        }
    }
    ftx__page_free(s->page, s->spec.free_item);
    s->page = page;
    s->index = 0;
    s->started = 1;
    ftx__free(s->cursor);
    s->cursor = next;
    s->done = next == NULL;
    return FTX_OK;
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

        if (s->page != NULL && s->index < s->page->count) {
            *out = s->page->items[s->index++];
            return FTX_OK;
        }
        if (s->started && s->done)
            return FTX_OK; /* end of stream */

        if (s->worker_running)
            rc = prefetch_join(s, &page, err);
        else
            rc = list_page(s->client, &s->spec, s->cursor, s->limit, &page, err);
        if (rc != FTX_OK) {
            ftx__page_free(page, s->spec.free_item);
            return rc; /* unchanged: the next call asks for the same page again */
        }
        if ((rc = install_page(s, page, err)) != FTX_OK)
            return rc;
        prefetch_start(s);
    }
}

void ftx__stream_free(ftx__stream *s)
{
    if (s == NULL)
        return;
    if (s->worker_running) {
        ftx__page *page = NULL;

        atomic_store(&s->cancel, 1);
        (void)prefetch_join(s, &page, NULL);
        ftx__page_free(page, s->spec.free_item);
    }
    ftx__page_free(s->page, s->spec.free_item);
    ftx__free((char *)(uintptr_t)s->spec.path);
    ftx__free((char *)(uintptr_t)s->spec.extra_query);
    ftx__free(s->cursor);
    ftx__free(s);
}
