/*
 * Fuzz target: fivetrex-sandbox's seed loader (sbx_seed_load, sandbox/seed.c, and the
 * store's sbx_store_seed), reading a seed file as `--seed FILE` does.
 *
 * Input: the seed file's bytes (JSON: {"groups":[...],"destinations":[...],
 * "connections":[...],"webhooks":[...]}). It is written to a temporary file and loaded
 * into a fresh store.
 *
 * Invariants: a failed load says why ("seed..." in the error buffer, NUL-terminated) and
 * leaks nothing of what it inserted before failing; after a successful load every
 * group and connection of the seed that has a plain id is served by GET with that id
 * (and a group with its name), and the list endpoints answer 200 with JSON. The demo
 * seed loads once per process as a control.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "sandbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char seed_path[64];
static int seed_fd = -1;

static void remove_seed_file(void)
{
    if (seed_path[0])
        unlink(seed_path);
}

/* GET `path`: the status; `*body` the parsed JSON answer (every answer is JSON). */
static int get(const char *path, json_t **body)
{
    sbx_response r = {0};
    json_error_t jerr;

    sbx_handle("GET", path, NULL, NULL, 0, &r);
    if (r.status < 100 || r.status > 599 || r.body == NULL)
        abort();
    *body = json_loads(r.body, 0, &jerr);
    if (*body == NULL)
        abort();
    free(r.body);
    return r.status;
}

static int plain_id(const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) >= SBX_ID_MAX)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-'))
            return 0;
    return 1;
}

/* Each object of seed[`key`] with a plain id is served at `prefix`/id. */
static void check_served(const json_t *seed, const char *key, const char *prefix)
{
    size_t i;
    json_t *x;

    json_array_foreach(json_object_get(seed, key), i, x)
    {
        const char *id = json_string_value(json_object_get(x, "id"));
        char path[128];
        json_t *body, *d;
        if (!plain_id(id))
            continue;
        snprintf(path, sizeof(path), "%s/%s", prefix, id);
        if (get(path, &body) != 200)
            abort();
        d = json_object_get(body, "data");
        if (!json_equal(json_object_get(d, "id"), json_object_get(x, "id")))
            abort();
        if (strcmp(key, "groups") == 0 &&
            !json_equal(json_object_get(d, "name"), json_object_get(x, "name")))
            abort();
        json_decref(body);
    }
}

static int load(const char *seed, json_t *parsed)
{
    sbx_config cfg;
    char err[256];
    int rc;

    memset(&cfg, 0, sizeof(cfg));
    cfg.sync_ms = 3000;
    cfg.random_seed = 1;
    cfg.threads = 1;
    cfg.paused_sync_status = 409;
    if (sbx_store_init(&cfg, err, sizeof(err)) != 0)
        abort();
    memset(err, 'x', sizeof(err));
    rc = sbx_seed_load(seed, err, sizeof(err));
    if (rc != 0) {
        if (rc != -1 || !memchr(err, '\0', sizeof(err)) || strncmp(err, "seed", 4) != 0)
            abort();
    } else if (parsed != NULL) {
        static const char *const lists[] = {"/v1/groups", "/v1/destinations", "/v1/webhooks",
                                            "/v1/connections"};
        for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
            json_t *body;
            int st = get(lists[i], &body);
            if (st != 200 && st != 404) /* not every list exists in every version */
                abort();
            json_decref(body);
        }
        check_served(parsed, "groups", "/v1/groups");
        check_served(parsed, "connections", "/v1/connections");
    }
    sbx_store_free();
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int once;
    json_t *parsed;

    if (!once) {
        int fd;
        once = 1;
        sbx_deliver_set_offline(1);
        snprintf(seed_path, sizeof(seed_path), "%s", "/tmp/ftx-fuzz-seed-XXXXXX");
        fd = mkstemp(seed_path);
        if (fd < 0)
            abort();
        seed_fd = fd; /* kept open: rewriting in place is cheap, open+truncate is not */
        atexit(remove_seed_file);
        if (load("demo", NULL) != 0) /* the shipped demo seed always loads */
            abort();
    }
    if ((size && pwrite(seed_fd, data, size, 0) != (ssize_t)size) ||
        ftruncate(seed_fd, (off_t)size) != 0)
        abort();
    parsed = json_loadb((const char *)data, size, 0, NULL);
    if (load(seed_path, parsed) == 0 && !json_is_object(parsed))
        abort(); /* only an object is a seed */
    json_decref(parsed);
    return 0;
}
