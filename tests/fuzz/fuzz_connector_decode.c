/*
 * libFuzzer target: connector decoding. Any bytes that parse as JSON (whole envelope,
 * data object, or anything else) go through ftx_connector_from_json, the helpers,
 * the sync status builder and dup; nothing may crash or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "fivetrex/fivetrex.h"
#include "fuzz_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const ftx_connector *c)
{
    size_t n = 0;

    n += c->id != NULL ? strlen(c->id) : 0;
    n += c->setup_state != NULL ? strlen(c->setup_state) : 0;
    n += c->connect_card_uri != NULL ? strlen(c->connect_card_uri) : 0;
    for (size_t i = 0; i < c->status->task_count; i++)
        n += c->status->tasks[i]->code != NULL ? strlen(c->status->tasks[i]->code) : 0;
    for (size_t i = 0; i < c->status->warning_count; i++)
        n += c->status->warnings[i]->message != NULL ? strlen(c->status->warnings[i]->message) : 0;
    (void)n;
    (void)ftx_connector_syncing(c);
    (void)ftx_connector_paused(c);
    (void)ftx_connector_sync_state(c);
}

static void decode(const json_t *target)
{
    ftx_connector *c = NULL, *d;
    ftx_sync_status *s = NULL;
    ftx_error err;

    if (ftx_connector_from_json(target, &c, &err) != FTX_OK)
        return;
    walk(c);
    if (ftx_sync_status_from_connector(c, &s, &err) == FTX_OK) {
        (void)ftx_sync_status_syncing(s);
        (void)ftx_sync_status_paused(s);
        (void)ftx_sync_status_scheduled(s);
        ftx_sync_status_free(s);
    }
    d = ftx_connector_dup(c);
    ftx_connector_free(c);
    if (d != NULL)
        walk(d);
    ftx_connector_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_json_targets(data, size, decode);
    return 0;
}
