/*
 * Fuzz the one pager (src/pager.c, src/stream.c) with a scripted server: the input
 * describes up to 64 pages, and an in-memory fetch function (no network) answers
 * each cursor with one of them, so the script can make cursors cycle, repeat, stay
 * empty with fresh cursors, or fail, in any order. A caller drains the stream, giving
 * up after a few errors, as the CLI would. Whatever the script, the walk must end
 * within a bound: every accepted page's next_cursor is new to the walk, so at most
 * (distinct cursors + 1) pages are accepted; nothing may crash or leak.
 *
 * Input: byte 0 = flags (bit 0: start at cursor "c<byte 1 % 64>"), then records of 3
 * bytes [kind, next, nitems]:
 *   kind % 8: 0 page; 1 fetch fails (FTX_ERR_SERVER); 2 data not an object;
 *             3 "items" not an array; 4 a bad item; 5 next_cursor a number;
 *             6 next_cursor ""; 7 next_cursor null;
 *             kind & 0x80: a 300-byte cursor (long cursors in messages)
 *   next:     0xff no next_cursor, else cursor "c<next % 64>"
 *   nitems:   nitems % 4 items
 * The page for cursor NULL is record 0, for "c<k>" record (k + 1) % records.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"
#include "pager.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RECORDS 64
#define MAX_ERRORS  3 /* the caller gives up after this many failed _next */
/* Every accepted page has a next_cursor new to the walk: at most 64 cursors + the
 * first page are accepted; each page costs one fetch, each failed _next one more. */
#define MAX_PAGES   (64 + 1)
#define MAX_FETCHES (MAX_PAGES + MAX_ERRORS + 1)

typedef struct script {
    const uint8_t *rec; /* 3 bytes each */
    size_t n;
    size_t fetches;
} script;

static int parse_id(const json_t *item, void **out, ftx_error *err)
{
    const json_t *id = json_object_get(item, "id");

    *out = NULL;
    if (!json_is_string(id))
        return ftx__error_set(err, FTX_ERR_DECODE, "item has no id");
    *out = ftx__strdup(json_string_value(id));
    return *out != NULL ? FTX_OK : ftx__error_nomem(err);
}

static void free_id(void *item)
{
    ftx__free(item);
}

static const ftx__list_spec spec = {"/fuzz", NULL, 0, parse_id, free_id, NULL, 0, 0, NULL};

static void cursor_name(char *buf, size_t cap, unsigned k, int long_cursor)
{
    if (long_cursor)
        (void)snprintf(buf, cap, "c%u-%0300u", k % 64, k % 64);
    else
        (void)snprintf(buf, cap, "c%u", k % 64);
}

static int fetch(const char *cursor, json_t **out_page, void *userdata, ftx_error *err)
{
    script *sc = userdata;
    const uint8_t *r;
    json_t *page, *items;
    char next[400];
    size_t i, idx = 0;
    unsigned kind, k;

    if (++sc->fetches > MAX_FETCHES)
        abort(); /* the walk went on past its guards */
    if (cursor != NULL) {
        if (cursor[0] != 'c' || sscanf(cursor + 1, "%u", &k) != 1 || k >= 64)
            abort(); /* the pager asked for a cursor no page ever gave */
        idx = (k + 1) % sc->n;
    }
    r = sc->rec + 3 * idx;
    kind = r[0] % 8;
    if (kind == 1)
        return ftx__error_set(err, FTX_ERR_SERVER, "scripted failure");
    if (kind == 2) {
        *out_page = json_string("not a page");
        return FTX_OK;
    }
    page = json_object();
    items = kind == 3 ? json_integer(7) : json_array();
    for (i = 0; kind != 3 && i < (size_t)(r[2] % 4); i++) {
        char id[32];

        (void)snprintf(id, sizeof(id), "i%zu", i);
        (void)json_array_append_new(items, kind == 4 && i == 0 ? json_integer(1)
                                                               : json_pack("{s:s}", "id", id));
    }
    (void)json_object_set_new(page, "items", items);
    if (kind == 5)
        (void)json_object_set_new(page, "next_cursor", json_integer(r[1]));
    else if (kind == 6)
        (void)json_object_set_new(page, "next_cursor", json_string(""));
    else if (kind == 7)
        (void)json_object_set_new(page, "next_cursor", json_null());
    else if (r[1] != 0xff) {
        cursor_name(next, sizeof(next), r[1], (r[0] & 0x80) != 0);
        (void)json_object_set_new(page, "next_cursor", json_string(next));
    }
    *out_page = page;
    return FTX_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    script sc;
    ftx__stream *s = NULL;
    ftx_error err;
    char start[16];
    size_t items = 0, errors = 0;
    int rc;

    if (size < 4)
        return 0;
    sc.rec = data + 1;
    sc.n = (size - 1) / 3;
    if (sc.n > MAX_RECORDS)
        sc.n = MAX_RECORDS;
    sc.fetches = 0;
    memset(&err, 0, sizeof(err));
    if (data[0] & 1) {
        ftx__walk w;

        (void)snprintf(start, sizeof(start), "c%u", data[1] % 64u);
        /* the start cursor coming straight back is a cycle */
        if (ftx__walk_init(&w, start, &err) == FTX_OK) {
            if (ftx__walk_accept(&w, "/fuzz", start, 1, &err) != FTX_ERR_DECODE)
                abort();
            ftx__walk_dispose(&w);
        }
    }
    if (ftx__stream_new_fetch(fetch, &sc, &spec, data[0] & 1 ? start : NULL, &s, &err) != FTX_OK)
        return 0;

    for (;;) {
        const void *item = NULL;

        rc = ftx__stream_next(s, &item, &err);
        if (rc != FTX_OK) {
            if (err.type != rc || err.message[0] == '\0')
                abort(); /* an error always says what happened */
            if (++errors > MAX_ERRORS)
                break;
            continue;
        }
        if (item == NULL)
            break;
        if (strncmp(item, "i", 1) != 0)
            abort();
        items++;
    }
    if (items > MAX_PAGES * 3)
        abort();
    ftx__stream_free(s);
    return 0;
}
