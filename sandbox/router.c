/*
 * The router: parse the request, find its row in the generated route table (routes_gen.c)
 * and call the row's handler under the state lock. Literal segments win over {param} ones,
 * so POST …/schemas/drop-columns is its own operation, not a schema named "drop-columns".
 * A path no row matches is 404 NotFound_Route; a path whose rows lack the method is 405.
 */
#include "router.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *sbx_qget(const sbx_req *q, const char *k)
{
    for (int i = 0; i < q->nq; i++)
        if (strcmp(q->qk[i], k) == 0)
            return q->qv[i];
    return NULL;
}

int sbx_body_json(sbx_req *q, json_t **out, int required)
{
    *out = NULL;
    size_t i = 0;
    while (i < q->len && isspace((unsigned char)q->body[i]))
        i++;
    if (i == q->len) {
        if (required) {
            sbx_reply_errf(q->r, 400, "InvalidInput", "Request body is required");
            return -1;
        }
        return 0;
    }
    json_error_t je;
    json_t *j = json_loadb(q->body, q->len, 0, &je);
    if (!j) {
        sbx_reply_errf(q->r, 400, "InvalidInput", "Malformed JSON in request body: %s", je.text);
        return -1;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        sbx_reply_errf(q->r, 400, "InvalidInput", "Request body must be a JSON object");
        return -1;
    }
    *out = j;
    return 0;
}

static const char *kind_name(int kind)
{
    switch (kind) {
    case SBX_K_STRING:
        return "a string";
    case SBX_K_INTEGER:
        return "an integer";
    case SBX_K_NUMBER:
        return "a number";
    case SBX_K_BOOLEAN:
        return "a boolean";
    case SBX_K_OBJECT:
        return "an object";
    case SBX_K_ARRAY:
        return "an array";
    default:
        return "a value";
    }
}

static int kind_ok(int kind, json_t *v)
{
    switch (kind) {
    case SBX_K_STRING:
        return json_is_string(v);
    case SBX_K_INTEGER:
        return json_is_integer(v);
    case SBX_K_NUMBER:
        return json_is_number(v);
    case SBX_K_BOOLEAN:
        return json_is_boolean(v);
    case SBX_K_OBJECT:
        return json_is_object(v);
    case SBX_K_ARRAY:
        return json_is_array(v);
    default:
        return 1;
    }
}

int sbx_validate(sbx_req *q, const sbx_route *rt, json_t *body)
{
    for (int i = 0; i < rt->nfields; i++) {
        const sbx_field *f = &rt->fields[i];
        json_t *v = body ? json_object_get(body, f->name) : NULL;
        if (!v || json_is_null(v)) {
            if (f->flags & SBX_F_REQUIRED) {
                sbx_reply_errf(q->r, 400, "InvalidInput", "Field '%s' is required", f->name);
                return -1;
            }
            continue;
        }
        if (!kind_ok(f->kind, v)) {
            sbx_reply_errf(q->r, 400, "InvalidInput", "Field '%s' must be %s", f->name,
                           kind_name(f->kind));
            return -1;
        }
        if ((f->flags & SBX_F_REQUIRED) && json_is_string(v) && !*json_string_value(v)) {
            sbx_reply_errf(q->r, 400, "InvalidInput", "Field '%s' is required", f->name);
            return -1;
        }
        if (f->enums && json_is_string(v)) {
            const char *s = json_string_value(v);
            const char *const *e = f->enums;
            while (*e && strcmp(*e, s) != 0)
                e++;
            if (!*e) {
                char allowed[512] = "";
                size_t o = 0;
                for (e = f->enums; *e && o < sizeof(allowed); e++)
                    o += (size_t)snprintf(allowed + o, sizeof(allowed) - o, "%s%s",
                                          e == f->enums ? "" : ", ", *e);
                sbx_reply_errf(q->r, 400, "InvalidInput",
                               "Invalid value '%s' for field '%s': expected one of %s", s, f->name,
                               allowed);
                return -1;
            }
        }
    }
    return 0;
}

/* ---- request parsing ---- */
static void req_free(sbx_req *q)
{
    for (int i = 0; i < q->nseg; i++)
        free(q->seg[i]);
    for (int i = 0; i < q->nq; i++) {
        free(q->qk[i]);
        free(q->qv[i]);
    }
}

static int req_parse(sbx_req *q, const char *path, const char *query)
{
    const char *p = path;
    if (strncmp(path, "/v1", 3) == 0 && (path[3] == '/' || path[3] == '\0'))
        p = path + 3;
    else
        q->root = 1;
    while (*p == '/') {
        p++;
        const char *e = strchr(p, '/');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (q->nseg == SBX_MAX_SEG || l == 0)
            return -1;
        q->seg[q->nseg] = sbx_pct_decode(p, l, 0);
        if (!q->seg[q->nseg])
            return -1;
        q->nseg++;
        p += l;
    }
    if (*p)
        return -1;
    while (query && *query) {
        const char *amp = strchr(query, '&');
        size_t l = amp ? (size_t)(amp - query) : strlen(query);
        const char *eq = memchr(query, '=', l);
        if (l && q->nq < SBX_MAX_Q) {
            size_t kl = eq ? (size_t)(eq - query) : l;
            q->qk[q->nq] = sbx_pct_decode(query, kl, 1);
            q->qv[q->nq] = eq ? sbx_pct_decode(eq + 1, l - kl - 1, 1) : sbx_strdup("");
            if (!q->qk[q->nq] || !q->qv[q->nq]) {
                free(q->qk[q->nq]);
                free(q->qv[q->nq]);
                return -1;
            }
            q->nq++;
        }
        query = amp ? amp + 1 : NULL;
    }
    return 0;
}

/* ---- matching ---- */
static int row_matches(const sbx_route *rt, const sbx_req *q)
{
    if (rt->nseg != q->nseg || !(rt->flags & SBX_RF_ROOT) != !q->root)
        return 0;
    for (int i = 0; i < rt->nseg; i++)
        if (rt->seg[i][0] != '{' && strcmp(rt->seg[i], q->seg[i]) != 0)
            return 0;
    return 1;
}

/* >0 when a is more specific than b: the first segment where one is literal and the other a
 * {param} decides */
static int specificity(const sbx_route *a, const sbx_route *b)
{
    for (int i = 0; i < a->nseg && i < b->nseg; i++) {
        int la = a->seg[i][0] != '{', lb = b->seg[i][0] != '{';
        if (la != lb)
            return la - lb;
    }
    return 0;
}

const sbx_route *sbx_route_find(const char *method, sbx_req *q, const sbx_route **any)
{
    const sbx_route *best = NULL, *best_any = NULL;
    for (size_t i = 0; i < sbx_nroutes; i++) {
        const sbx_route *rt = &sbx_routes[i];
        if (!row_matches(rt, q))
            continue;
        if (!best_any || specificity(rt, best_any) > 0)
            best_any = rt;
        if (strcmp(rt->method, method) == 0 && (!best || specificity(rt, best) > 0))
            best = rt;
    }
    if (any)
        *any = best_any;
    return best;
}

static void not_a_route(sbx_response *out, const char *method, const char *path)
{
    sbx_reply_errf(out, 404, "NotFound_Route",
                   "Unrecognized request URL (%s %s): it is not an API route the sandbox knows",
                   method, path);
}

void sbx_handle(const char *method, const char *raw_path, const char *raw_query, const char *body,
                size_t body_len, sbx_response *out)
{
    sbx_req q;
    memset(&q, 0, sizeof(q));
    q.method = method;
    q.body = body ? body : "";
    q.len = body ? body_len : 0;
    q.r = out;
    const sbx_route *any = NULL, *rt = NULL;
    int parsed = req_parse(&q, raw_path, raw_query) == 0 && q.nseg > 0;
    if (parsed && q.root && strcmp(q.seg[0], "_sandbox") == 0) {
        sbx_lock();
        sbx_admin(&q); /* the reserved admin prefix: never an API path */
        sbx_unlock();
        req_free(&q);
        return;
    }
    if (parsed)
        rt = sbx_route_find(method, &q, &any);
    if (!rt && !any) {
        not_a_route(out, method, raw_path);
    } else if (!rt) {
        out->allow = any->allow;
        sbx_reply_errf(out, 405, "MethodNotAllowed", "HTTP 405 Method Not Allowed");
    } else {
        sbx_lock();
        rt->handler(&q, rt);
        if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
            sbx_persist_mark();
        sbx_unlock();
    }
    req_free(&q);
}
