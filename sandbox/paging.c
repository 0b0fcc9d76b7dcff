/*
 * Cursor paging: limit and cursor of a list request, cursors, a page of entities.
 */
#include "store_int.h"

int sbx_page_read(req *q, page *p)
{
    p->limit = 100;
    p->after = 0;
    const char *l = sbx_qget(q, "limit");
    if (l) {
        char *end;
        long v = strtol(l, &end, 10);
        if (!*l || *end || v < 1 || v > 1000) {
            sbx_reply_err(q->r, 400, "InvalidInput",
                          "Invalid value '%s' for 'limit': expected an integer from 1 to 1000", l);
            return -1;
        }
        p->limit = v;
    }
    const char *c = sbx_qget(q, "cursor");
    if (c && *c) {
        size_t n = 0;
        unsigned char *raw = sbx_b64url_decode(c, &n);
        json_t *j = raw ? json_loadb((const char *)raw, n, 0, NULL) : NULL;
        free(raw);
        json_t *a = json_object_get(j, "after");
        if (!json_is_integer(a) || json_integer_value(a) < 0) {
            json_decref(j);
            sbx_reply_err(q->r, 400, "InvalidInput", "Invalid cursor '%s'", c);
            return -1;
        }
        p->after = (uint64_t)json_integer_value(a);
        json_decref(j);
    }
    return 0;
}

json_t *sbx_cursor_json(uint64_t seq)
{
    char buf[64];
    int n = snprintf(buf, sizeof(buf), "{\"after\":%llu}", (unsigned long long)seq);
    char *c = sbx_b64url_encode((const unsigned char *)buf, (size_t)n);
    json_t *j = json_string(c ? c : "");
    free(c);
    return j;
}

void sbx_reply_page(req *q, const page *p, vec *v, render_fn fn, void *ud)
{
    json_t *items = json_array();
    json_t *data = json_object();
    uint64_t last = 0;
    long count = 0;
    int more = 0;
    for (size_t i = sbx_vec_after(v, p->after); i < v->n; i++) {
        json_t *it = fn(v->v[i], ud);
        if (!it)
            continue;
        if (count == p->limit) {
            json_decref(it);
            more = 1;
            break;
        }
        json_array_append_new(items, it);
        last = ((ent *)v->v[i])->seq;
        count++;
    }
    json_object_set_new(data, "items", items);
    if (more)
        json_object_set_new(data, "next_cursor", sbx_cursor_json(last));
    sbx_reply_data(q->r, 200, NULL, data);
}

int sbx_page_parse(sbx_req *q, long *limit, uint64_t *after)
{
    page p;
    if (sbx_page_read(q, &p) < 0)
        return -1;
    *limit = p.limit;
    *after = p.after;
    return 0;
}

json_t *sbx_cursor(uint64_t seq)
{
    return sbx_cursor_json(seq);
}
