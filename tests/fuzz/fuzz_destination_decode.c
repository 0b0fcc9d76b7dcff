/*
 * Fuzz the destination decoder: any bytes → JSON → ftx_destination_from_json (on the
 * body, its envelope `data`, and each `data.items[]` of a list page), then dup,
 * the helpers and free. Also feeds the webhook model, which shares the readers.
 * Nothing may crash, leak or read out of bounds; a decoded model is fully formed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fivetrex/fivetrex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_destination(const json_t *j)
{
    ftx_destination *d = NULL, *copy;
    ftx_webhook *w = NULL;
    ftx_error err = {0};
    size_t i;

    if (ftx_destination_from_json(j, &d, &err) == FTX_OK) {
        /* A decoded destination always has its id and a consistent test array. */
        if (d->id == NULL || (d->setup_test_count > 0 && d->setup_tests == NULL))
            abort();
        for (i = 0; i < d->setup_test_count; i++)
            if (d->setup_tests[i] == NULL)
                abort();
        (void)ftx_destination_connected(d);
        (void)ftx_destination_time_zone_offset_valid(d->time_zone_offset);
        copy = ftx_destination_dup(d);
        if (copy != NULL && copy->setup_test_count != d->setup_test_count)
            abort();
        ftx_destination_free(copy);
        ftx_destination_free(d);
    } else if (d != NULL) {
        abort();
    }
    if (ftx_webhook_from_json(j, &w, &err) == FTX_OK) {
        ftx_webhook *wc = ftx_webhook_dup(w);

        for (i = 0; i < w->event_count; i++)
            if (w->events[i] == NULL)
                abort();
        (void)ftx_webhook_account_level(w);
        (void)ftx_webhook_group_level(w);
        (void)ftx_webhook_has_event(w, "sync_end");
        ftx_webhook_free(wc);
        ftx_webhook_free(w);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_error_t jerr;
    json_t *root = json_loadb((const char *)data, size, JSON_DECODE_ANY, &jerr);
    const json_t *inner, *items;
    size_t i;

    if (root == NULL)
        return 0;
    check_destination(root);
    inner = json_object_get(root, "data");
    if (inner != NULL) {
        check_destination(inner);
        items = json_object_get(inner, "items");
        for (i = 0; i < json_array_size(items); i++)
            check_destination(json_array_get(items, i));
    }
    json_decref(root);
    return 0;
}
