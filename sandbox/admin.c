/*
 * The reserved admin prefix /_sandbox/ (outside /v1, so it never collides with an API path;
 * the same auth as the API): POST /_sandbox/reset (back to the start state), GET
 * /_sandbox/state (the state document, as --state writes it) and the clock, GET / POST
 * /_sandbox/clock with {"fixed":RFC3339}, {"advance_ms":N} or {"real":true}. Called by the
 * router under the state lock.
 */
#include "store_int.h"

#define MAX_ADVANCE_MS 3155760000000LL /* 100 years */

static void clock_reply(req *q, const char *message)
{
    int64_t now = sbx_now_ms();
    sbx_reply_data(q->r, 200, message,
                   json_pack("{s:o,s:I,s:b}", "now", sbx_ts_json(now), "now_ms", (json_int_t)now,
                             "fixed", sbx_clock_is_fixed()));
}

static void clock_post(req *q)
{
    json_t *b;
    if (sbx_body_json(q, &b, 1) < 0)
        return;
    const char *k;
    json_t *v;
    int n = 0;
    json_object_foreach(b, k, v)
    {
        if (strcmp(k, "fixed") != 0 && strcmp(k, "advance_ms") != 0 && strcmp(k, "real") != 0) {
            sbx_reply_errf(q->r, 400, "InvalidInput",
                           "Unknown field '%s': expected one of fixed, advance_ms, real", k);
            json_decref(b);
            return;
        }
        n++;
    }
    if (n != 1) {
        sbx_reply_errf(q->r, 400, "InvalidInput",
                       "Exactly one of the fields 'fixed', 'advance_ms' and 'real' is required");
        json_decref(b);
        return;
    }
    json_t *fixed = json_object_get(b, "fixed"), *adv = json_object_get(b, "advance_ms");
    json_t *real = json_object_get(b, "real");
    const char *message;
    int64_t ms;
    if (fixed) {
        if (sbx_parse_ts(json_string_value(fixed), &ms) < 0 || ms < 0) { /* not before 1970 */
            sbx_reply_errf(q->r, 400, "InvalidInput",
                           "Invalid value for field 'fixed': expected an RFC 3339 date-time "
                           "such as 2026-01-01T00:00:00Z");
            json_decref(b);
            return;
        }
        sbx_clock_fix(ms);
        message = "The clock is fixed";
    } else if (adv) {
        if (!json_is_integer(adv) || json_integer_value(adv) < 0 ||
            json_integer_value(adv) > MAX_ADVANCE_MS) {
            sbx_reply_errf(q->r, 400, "InvalidInput",
                           "Field 'advance_ms' must be an integer from 0 to %lld",
                           (long long)MAX_ADVANCE_MS);
            json_decref(b);
            return;
        }
        sbx_clock_advance((int64_t)json_integer_value(adv));
        message = "The clock has been advanced";
    } else {
        if (!json_is_true(real)) {
            sbx_reply_errf(q->r, 400, "InvalidInput", "Field 'real' must be true");
            json_decref(b);
            return;
        }
        sbx_clock_real();
        message = "The clock follows real time";
    }
    json_decref(b);
    sbx_tick(sbx_now_ms()); /* syncs and runs the move ended end now */
    clock_reply(q, message);
}

void sbx_admin(sbx_req *q)
{
    const char *what = q->nseg == 2 ? q->seg[1] : "";
    int get = strcmp(q->method, "GET") == 0, post = strcmp(q->method, "POST") == 0;
    const char *allow = NULL;
    if (strcmp(what, "state") == 0) {
        if (get) {
            json_t *doc = sbx_state_dump();
            char *text = doc ? json_dumps(doc, JSON_INDENT(1)) : NULL;
            json_decref(doc);
            if (!text) {
                sbx_reply_errf(q->r, 500, "InternalError", "Out of memory");
                return;
            }
            free(q->r->body);
            q->r->body = sbx_printf("%s\n", text);
            q->r->status = q->r->body ? 200 : 500;
            free(text);
            return;
        }
        allow = "GET";
    } else if (strcmp(what, "reset") == 0) {
        if (post) {
            char err[400];
            if (sbx_persist_reset(err, sizeof(err)) < 0) {
                sbx_reply_errf(q->r, 409, "Conflict", "%s", err);
                return;
            }
            sbx_reply_data(q->r, 200, "The sandbox state has been reset", NULL);
            return;
        }
        allow = "POST";
    } else if (strcmp(what, "clock") == 0) {
        if (get) {
            clock_reply(q, NULL);
            return;
        }
        if (post) {
            clock_post(q);
            return;
        }
        allow = "GET, POST";
    } else {
        sbx_reply_errf(q->r, 404, "NotFound_Route",
                       "Unrecognized request URL (%s /_sandbox/%s): the sandbox's admin paths "
                       "are /_sandbox/state, /_sandbox/reset and /_sandbox/clock",
                       q->method, q->nseg == 2 ? what : "...");
        return;
    }
    q->r->allow = allow;
    sbx_reply_errf(q->r, 405, "MethodNotAllowed", "HTTP 405 Method Not Allowed");
}
