/*
 * libFuzzer target: fivetrex-sandbox request handling, in process and without sockets.
 *
 * Input format (text, so the seed corpus stays readable):
 *   byte 0            configuration flags: bit 0 adds 250 synthetic connections,
 *                     bits 1-2 pick the paused-sync mode (409, 400, noop)
 *   then one or more requests, each
 *     "METHOD RAW-PATH[?RAW-QUERY]\n" followed by the body up to a line "%%\n" (or the end)
 *
 * Every request of one input runs against the same fresh store, so creating then reading,
 * patching and deleting objects is reachable. Webhook deliveries are switched off (nothing
 * goes on the network). The sandbox must answer every request with a status and a
 * NUL-terminated JSON body and never crash or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sandbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_REQUESTS 16

static char *dup_range(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        abort();
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

static const uint8_t *find(const uint8_t *p, const uint8_t *end, const char *needle)
{
    size_t nl = strlen(needle);
    for (; p + nl <= end; p++)
        if (memcmp(p, needle, nl) == 0)
            return p;
    return NULL;
}

static void run_request(const uint8_t *p, const uint8_t *end)
{
    const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
    const uint8_t *line_end = nl ? nl : end;
    const uint8_t *sp = memchr(p, ' ', (size_t)(line_end - p));
    if (!sp)
        return;
    /* the HTTP layer never hands over NUL bytes in the method, path or query */
    if (memchr(p, '\0', (size_t)(line_end - p)))
        return;
    char *method = dup_range(p, (size_t)(sp - p));
    const uint8_t *target = sp + 1;
    const uint8_t *qm = memchr(target, '?', (size_t)(line_end - target));
    char *path = dup_range(target, (size_t)((qm ? qm : line_end) - target));
    char *query = qm ? dup_range(qm + 1, (size_t)(line_end - qm - 1)) : NULL;
    const uint8_t *b = nl ? nl + 1 : end;
    size_t blen = (size_t)(end - b);
    /* main.c hands over a NUL-terminated copy, or NULL when there is no body */
    char *body = blen ? dup_range(b, blen) : NULL;

    sbx_response r = {0};
    sbx_handle(method, path, query, body, blen, &r);
    if (r.status < 100 || r.status > 599 || !r.body)
        abort();
    if (getenv("FTX_FUZZ_SANDBOX_TRACE")) /* handy when writing seed inputs */
        fprintf(stderr, "%s %s -> %d %s\n", method, path, r.status, r.body);
    json_error_t jerr;
    json_t *j = json_loads(r.body, 0, &jerr);
    if (!j) /* every answer is JSON */
        abort();
    json_decref(j);
    free(r.body);
    free(method);
    free(path);
    free(query);
    free(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int once;
    if (!once) {
        sbx_deliver_set_offline(1);
        once = 1;
    }
    if (size < 1)
        return 0;
    sbx_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.synthetic = (data[0] & 1) ? 250 : 0;
    cfg.sync_ms = 3000;
    cfg.random_seed = 1;
    cfg.threads = 1;
    int mode = (data[0] >> 1) & 3;
    cfg.paused_sync_status = mode == 1 ? 400 : mode == 2 ? 0 : 409;
    cfg.verify_webhooks = (data[0] & 8) != 0; /* exercised offline: always fails */

    char err[256];
    if (sbx_store_init(&cfg, err, sizeof(err)) != 0)
        abort();

    const uint8_t *p = data + 1, *end = data + size;
    for (int n = 0; p < end && n < MAX_REQUESTS; n++) {
        const uint8_t *sep = find(p, end, "\n%%\n");
        const uint8_t *req_end = sep ? sep : end;
        run_request(p, req_end);
        p = sep ? sep + 4 : end;
    }
    sbx_store_free();
    return 0;
}
