/*
 * Fuzz the response decoder for groups: any bytes → JSON → envelope unwrap (as
 * ftx__call_data does) → ftx_group_from_json and a list-page parse, then dup and
 * free. The same bytes, as text, also go through ftx_time_parse and the path
 * encoder. Nothing may crash, leak or read out of bounds; a decoded model is whole,
 * and an encoded path segment never contains a character that could leave it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int parse_group(const json_t *item, void **out, ftx_error *err)
{
    ftx_group *g = NULL;
    int rc = ftx_group_from_json(item, &g, err);

    *out = g;
    return rc;
}

static void free_group(void *g)
{
    ftx_group_free(g);
}

static const ftx__list_spec groups_spec = {"/groups", NULL, 0, parse_group, free_group,
                                           NULL,      0,    0, NULL};

static int same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void check_group(const json_t *j)
{
    ftx_group *g = NULL, *copy;
    ftx_error err = {0};
    int64_t ms;

    if (ftx_group_from_json(j, &g, &err) != FTX_OK) {
        if (g != NULL || err.type != FTX_ERR_DECODE || json_is_object(j))
            abort();
        return;
    }
    if (g == NULL || g->raw != j)
        abort();
    if (g->created_at.valid &&
        (ftx_time_parse(g->created_at.iso, &ms) != 0 || ms != g->created_at.epoch_ms))
        abort();
    copy = ftx_group_dup(g);
    if (copy == NULL || !same_str(copy->id, g->id) || !same_str(copy->name, g->name) ||
        !same_str(copy->created_at.iso, g->created_at.iso))
        abort();
    ftx_group_free(copy);
    ftx_group_free(g);
}

static void check_page(const json_t *d)
{
    ftx__page *page = NULL;
    ftx_error err = {0};
    size_t i;

    if (ftx__page_parse(d, &groups_spec, &page, &err) != FTX_OK) {
        if (page != NULL)
            abort();
        return;
    }
    for (i = 0; i < page->count; i++)
        if (page->items[i] == NULL)
            abort();
    if (page->next_cursor != NULL && page->next_cursor[0] == '\0')
        abort();
    ftx__page_free(page, free_group);
}

static void check_text(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    ftx__buf b = FTX__BUF_INIT;
    int64_t ms;
    char *path = NULL;
    size_t i;

    if (text == NULL)
        return;
    memcpy(text, data, size);
    text[size] = '\0';
    (void)ftx_time_parse(text, &ms);
    if (ftx__buf_put_encoded(&b, text) == 0 && b.ptr != NULL) {
        for (i = 0; i < b.len; i++)
            if (b.ptr[i] == '\0' || strchr("/?# ", b.ptr[i]) != NULL)
                abort();
        if (strcmp(b.ptr, ".") == 0 || strcmp(b.ptr, "..") == 0)
            abort();
    }
    ftx__buf_dispose(&b);
    if (ftx__path(&path, NULL, "/groups/{group_id}", text) == FTX_OK) {
        if (strncmp(path, "/groups/", 8) != 0 || strchr(path + 8, '/') != NULL ||
            strchr(path, '?') != NULL)
            abort();
        ftx__free(path);
    } else if (text[0] != '\0') {
        abort();
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *body, *d = NULL;
    ftx_error err = {0};

    check_text(data, size);
    body = json_loadb((const char *)data, size, JSON_DECODE_ANY, &jerr);
    if (body == NULL)
        return 0;
    check_group(body);
    if (ftx__envelope_data(body, &d, &err) == FTX_OK) {
        if (!json_is_object(d))
            abort();
        check_group(d);
        check_page(d);
        json_decref(d);
    } else if (d != NULL || err.type != FTX_ERR_DECODE) {
        abort();
    }
    json_decref(body);
    return 0;
}
