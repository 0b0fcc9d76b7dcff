/*
 * The one pager's I/O-free pieces (pager.h): options check, pages, page paths, the
 * envelope of a list response, and the cursor walk with its loop guards.
 */
#include <stdio.h>
#include <string.h>

#include "gen.h"
#include "pager.h"

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

/* ---- pages ---- */

int ftx__spec_parse(const ftx__list_spec *spec, const json_t *item, void **out, ftx_error *err)
{
    if (spec->parse != NULL)
        return spec->parse(item, out, err);
    return ftx__model_decode(spec->model, item, out, err);
}

void ftx__spec_free_item(const ftx__list_spec *spec, void *item)
{
    if (spec->parse != NULL || spec->free_item != NULL) {
        if (spec->free_item != NULL)
            spec->free_item(item);
        return;
    }
    ftx__model_free(spec->model, item);
}

void ftx__page_free_spec(ftx__page *page, const ftx__list_spec *spec)
{
    size_t i;

    if (page == NULL)
        return;
    for (i = 0; page->items != NULL && i < page->count; i++)
        ftx__spec_free_item(spec, page->items[i]);
    ftx__page_free(page, NULL);
}

int ftx__list_query(const ftx__list_spec *spec, const ftx_list_options *opts, char **out,
                    ftx_error *err)
{
    ftx_list_options lo;
    ftx__buf b = FTX__BUF_INIT;
    int rc;

    *out = NULL;
    if ((rc = FTX__OPTIONS_LOAD(ftx_list_options, &lo, opts, err)) != FTX_OK)
        return rc;
    if (spec->filters_any)
        rc = ftx__query_check_names(spec->path, "filter", lo.filters, lo.filter_count, err);
    else
        rc = ftx__query_check(spec->path, "filter", spec->filters, spec->nfilters, lo.filters,
                              lo.filter_count, err);
    if (rc != FTX_OK)
        return rc;
    if (spec->extra_query != NULL && spec->extra_query[0] != '\0' &&
        ftx__buf_puts(&b, spec->extra_query) < 0)
        goto nomem;
    if (ftx__query_encode(&b, lo.filters, lo.filter_count) < 0)
        goto nomem;
    if (b.ptr == NULL)
        return FTX_OK;
    if ((*out = ftx__buf_detach(&b)) == NULL)
        return ftx__error_nomem(err);
    return FTX_OK;

nomem:
    ftx__buf_dispose(&b);
    return ftx__error_nomem(err);
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

    if (out == NULL || spec == NULL ||
        (spec->parse == NULL ? spec->model == NULL : spec->free_item == NULL))
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

        rc = ftx__spec_parse(spec, json_array_get(items, i), &item, err);
        if (rc != FTX_OK) {
            ftx__page_free_spec(page, spec);
            return rc;
        }
        page->items[page->count++] = item;
    }
    /* Absent, null and "" all mean "last page". */
    cursor = json_object_get(data, "next_cursor");
    if (json_is_string(cursor) && json_string_length(cursor) > 0) {
        page->next_cursor = ftx__strdup(json_string_value(cursor));
        if (page->next_cursor == NULL) {
            ftx__page_free_spec(page, spec);
            return ftx__error_nomem(err);
        }
    }
    *out = page;
    return FTX_OK;
}

int ftx__page_path(const ftx__list_spec *spec, const char *cursor, int limit, ftx__buf *out)
{
    char num[16];

    out->len = 0;
    if (out->ptr != NULL)
        out->ptr[0] = '\0';
    if (ftx__buf_puts(out, spec->path) < 0)
        return -1;
    if (spec->extra_query != NULL && spec->extra_query[0] != '\0') {
        if (ftx__buf_puts(out, strchr(spec->path, '?') ? "&" : "?") < 0 ||
            ftx__buf_puts(out, spec->extra_query) < 0)
            return -1;
    }
    if (cursor != NULL && cursor[0] != '\0' && ftx__query_add(out, "cursor", cursor) < 0)
        return -1;
    if (limit > 0) {
        (void)snprintf(num, sizeof(num), "%d", limit);
        if (ftx__query_add(out, "limit", num) < 0)
            return -1;
    }
    return 0;
}

int ftx__page_from_body(const ftx__list_spec *spec, const ftx__request *req, json_t *body,
                        long status, int attempts, ftx__page **out, ftx_error *err)
{
    json_t *data = NULL;
    int rc;

    *out = NULL;
    if ((rc = ftx__response_data(req, body, status, attempts, &data, err)) != FTX_OK)
        return rc;
    rc = ftx__page_parse(data, spec, out, err);
    json_decref(data);
    return rc;
}

/* ---- the cursor walk ---- */

/* FNV-1a, then a 64-bit finaliser (splitmix64's); never 0 (the empty slot). */
static uint64_t cursor_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebULL;
    h ^= h >> 31;
    return h != 0 ? h : 1;
}

/* The slot of `hash`: its entry, or the empty slot where it would go. */
static ftx__walk_seen *seen_slot(ftx__walk_seen *tab, size_t cap, uint64_t hash)
{
    size_t i = (size_t)hash & (cap - 1);

    while (tab[i].hash != 0 && tab[i].hash != hash)
        i = (i + 1) & (cap - 1);
    return &tab[i];
}

static int seen_add(ftx__walk *w, uint64_t hash, size_t page)
{
    ftx__walk_seen *slot;

    if ((w->nseen + 1) * 2 > w->cap) { /* keep the load under 1/2 */
        size_t cap = w->cap ? w->cap * 2 : 16, i;
        ftx__walk_seen *tab;

        if (cap > SIZE_MAX / sizeof(*tab))
            return -1;
        tab = ftx__calloc(cap, sizeof(*tab));
        if (tab == NULL)
            return -1;
        for (i = 0; i < w->cap; i++)
            if (w->seen[i].hash != 0)
                *seen_slot(tab, cap, w->seen[i].hash) = w->seen[i];
        ftx__free(w->seen);
        w->seen = tab;
        w->cap = cap;
    }
    slot = seen_slot(w->seen, w->cap, hash);
    if (slot->hash == 0) {
        slot->hash = hash;
        slot->page = page;
        w->nseen++;
    }
    return 0;
}

int ftx__walk_init(ftx__walk *w, const char *start_cursor, ftx_error *err)
{
    memset(w, 0, sizeof(*w));
    if (start_cursor == NULL || start_cursor[0] == '\0')
        return FTX_OK;
    w->cursor = ftx__strdup(start_cursor);
    if (w->cursor == NULL || seen_add(w, cursor_hash(start_cursor), 0) < 0) {
        ftx__walk_dispose(w);
        return ftx__error_nomem(err);
    }
    return FTX_OK;
}

void ftx__walk_dispose(ftx__walk *w)
{
    if (w == NULL)
        return;
    ftx__free(w->cursor);
    ftx__free(w->seen);
    memset(w, 0, sizeof(*w));
}

int ftx__walk_accept(ftx__walk *w, const char *what, const char *next_cursor, size_t count,
                     ftx_error *err)
{
    size_t page = w->pages + 1; /* the number of the page being accepted */
    uint64_t hash;
    char *next = NULL;

    if (next_cursor != NULL && next_cursor[0] == '\0')
        next_cursor = NULL;
    if (next_cursor != NULL) {
        const ftx__walk_seen *slot;

        hash = cursor_hash(next_cursor);
        slot = w->cap != 0 ? seen_slot(w->seen, w->cap, hash) : NULL;
        if (slot != NULL && slot->hash == hash) {
            size_t ago = page - slot->page;

            return ftx__error_set(err, FTX_ERR_DECODE,
                                  "%s: cursor \"%.100s\" came back after %zu page%s: the server's "
                                  "paging loops; stopping instead of reading the same pages again",
                                  what, next_cursor, ago, ago == 1 ? "" : "s");
        }
        if (count == 0 && w->empty_run >= FTX__PAGER_MAX_EMPTY_PAGES)
            return ftx__error_set(err, FTX_ERR_DECODE,
                                  "%s: more than %d empty pages in a row, each with a new "
                                  "next_cursor: the server's paging makes no progress; stopping",
                                  what, FTX__PAGER_MAX_EMPTY_PAGES);
        if ((next = ftx__strdup(next_cursor)) == NULL || seen_add(w, hash, page) < 0) {
            ftx__free(next);
            return ftx__error_nomem(err);
        }
    }
    ftx__free(w->cursor);
    w->cursor = next;
    w->started = 1;
    w->done = next == NULL;
    w->pages = page;
    w->empty_run = count == 0 && next != NULL ? w->empty_run + 1 : 0;
    return FTX_OK;
}
