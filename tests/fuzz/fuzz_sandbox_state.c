/*
 * Fuzz target: fivetrex-sandbox's state loader (sbx_state_load, sandbox/dump.c, and the
 * collections' sbx_coll_load), reading a state document as `--state FILE` does.
 *
 * Input: the state file's bytes (JSON, "format":"fivetrex-sandbox-state").
 *
 * Invariants: a refused document says why (a NUL-terminated message in the error buffer)
 * and leaves an empty store; an accepted one dumps to a document that loads again and
 * dumps to the same document (GET /_sandbox/state serves it too), and the store it makes
 * answers the list endpoints, a sync, a group delete and a reset with JSON (never a crash).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sandbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *call(const char *method, const char *path, const char *body)
{
    sbx_response r = {0};
    sbx_handle(method, path, NULL, body, body ? strlen(body) : 0, &r);
    if (r.status < 100 || r.status > 599 || r.body == NULL)
        abort();
    json_t *j = json_loads(r.body, 0, NULL);
    if (j == NULL)
        abort();
    free(r.body);
    return j;
}

/* the id of the first item of a list (a copy), or NULL */
static char *first_id(const char *path)
{
    json_t *j = call("GET", path, NULL);
    const char *id = json_string_value(json_object_get(
        json_array_get(json_object_get(json_object_get(j, "data"), "items"), 0), "id"));
    char *copy = id ? strdup(id) : NULL;
    json_decref(j);
    return copy;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int once;
    if (!once) {
        sbx_deliver_set_offline(1);
        once = 1;
    }
    json_t *doc = json_loadb((const char *)data, size, 0, NULL);
    if (doc == NULL)
        return 0;
    sbx_config cfg;
    char err[256];
    memset(&cfg, 0, sizeof(cfg));
    cfg.sync_ms = 0;
    cfg.random_seed = 1;
    cfg.threads = 1;
    cfg.paused_sync_status = 409;
    if (sbx_store_init(&cfg, err, sizeof(err)) != 0)
        abort();
    memset(err, 'x', sizeof(err));
    if (sbx_state_load(doc, err, sizeof(err)) != 0) {
        if (!memchr(err, '\0', sizeof(err)) || !err[0])
            abort();
        json_t *empty = sbx_state_dump();
        if (json_array_size(json_object_get(empty, "groups")) != 0)
            abort();
        json_decref(empty);
    } else {
        json_t *d1 = sbx_state_dump();
        if (sbx_state_load(d1, err, sizeof(err)) != 0)
            abort();
        json_t *d2 = sbx_state_dump();
        json_t *served = call("GET", "/_sandbox/state", NULL);
        if (!json_equal(d1, d2) || !json_equal(d1, served))
            abort();
        json_decref(d1);
        json_decref(d2);
        json_decref(served);
        static const char *const lists[] = {"/v1/groups", "/v1/destinations", "/v1/webhooks",
                                            "/v1/users", "/v1/teams"};
        for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
            json_decref(call("GET", lists[i], NULL));
        char *cid = first_id("/v1/connections");
        if (cid) {
            char path[128];
            snprintf(path, sizeof(path), "/v1/connections/%s/sync", cid);
            json_decref(call("POST", path, "{}"));
            snprintf(path, sizeof(path), "/v1/connections/%s/schemas", cid);
            json_decref(call("GET", path, NULL));
            free(cid);
        }
        json_decref(call("POST", "/_sandbox/clock", "{\"advance_ms\":1}"));
        char *gid = first_id("/v1/groups");
        if (gid) {
            char path[128];
            snprintf(path, sizeof(path), "/v1/groups/%s", gid);
            json_decref(call("DELETE", path, NULL));
            free(gid);
        }
        json_decref(call("GET", "/_sandbox/state", NULL));
    }
    json_decref(doc);
    sbx_store_free();
    return 0;
}
