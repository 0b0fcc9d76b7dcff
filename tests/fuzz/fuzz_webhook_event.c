/*
 * Fuzz target: webhook payload parsing (ftx_webhook_event_parse and helpers) and, on
 * the same bytes, LOG rows (ftx_log_entry_from_json / ftx_log_entries_from_json).
 * Any input must give FTX_OK with a complete event or an error, never a crash or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ftx_webhook_event *ev = NULL, *copy;
    ftx_error err = {0};
    json_t *json;
    int rc;

    rc = ftx_webhook_event_parse(data, size, &ev, &err);
    if (rc == FTX_OK) {
        if (ev == NULL || !json_is_object(ev->raw) || !json_is_object(ev->extra))
            abort();
        (void)ftx_webhook_event_sync_start(ev);
        (void)ftx_webhook_event_sync_end(ev);
        if (ftx_webhook_event_successful(ev) && ftx_webhook_event_failed(ev))
            abort();
        /* a resolved destination group implies one of the two fields was there */
        if (ev->destination_group_id != NULL && ev->group_id == NULL &&
            json_object_get(ev->raw, "destination_group_id") == NULL)
            abort();
        copy = ftx_webhook_event_dup(ev);
        ftx_webhook_event_free(ev);
        ftx_webhook_event_free(copy);
    } else if (ev != NULL || err.message[0] == '\0') {
        abort();
    }

    json = json_loadb((const char *)data, size, 0, NULL);
    if (json != NULL) {
        ftx_log_entry *e = NULL, **v = NULL;
        size_t n = 0;
        if (ftx_log_entry_from_json(json, &e, NULL) == FTX_OK) {
            ftx_log_entry *d = ftx_log_entry_dup(e);
            (void)ftx_log_entry_schema_change(d);
            ftx_log_entry_free(d);
            ftx_log_entry_free(e);
        }
        if (ftx_log_entries_from_json(json, &v, &n, NULL) == FTX_OK)
            ftx_log_entries_free(v, n);
        json_decref(json);
    }
    return 0;
}
