/*
 * Webhook emission: the events of a connection delivered to every matching active webhook.
 */
#include "store_int.h"

/* ---- webhook events ---- */
static int hook_matches(hook *h, const char *event, const char *gid)
{
    if (!json_is_true(json_object_get(h->obj, "active")))
        return 0;
    const char *hg = json_string_value(json_object_get(h->obj, "group_id"));
    if (hg && (!gid || strcmp(hg, gid) != 0))
        return 0;
    size_t i;
    json_t *ev;
    json_array_foreach(json_object_get(h->obj, "events"), i, ev)
    {
        const char *s = json_string_value(ev);
        if (s && (strcmp(s, event) == 0 || strcmp(s, "*") == 0))
            return 1;
    }
    return 0;
}

/* data stolen; sync_id may be NULL */
void sbx_emit(conn *c, const char *event, const char *sync_id, json_t *data)
{
    const char *gid = sbx_conn_group(c);
    int any = 0;
    for (size_t i = 0; i < sbx_st.hooks.n && !any; i++)
        any = hook_matches(sbx_st.hooks.v[i], event, gid);
    if (!any) {
        json_decref(data);
        return;
    }
    json_t *ev = json_object();
    json_object_set_new(ev, "event", json_string(event));
    json_object_set_new(ev, "created", sbx_ts_json(sbx_stamp()));
    json_object_set(ev, "connector_type", json_object_get(c->obj, "service"));
    json_object_set_new(ev, "connector_id", json_string(c->e.id));
    json_object_set(ev, "connector_name", json_object_get(c->obj, "schema"));
    if (sync_id)
        json_object_set_new(ev, "sync_id", json_string(sync_id));
    json_object_set_new(ev, "destination_group_id", json_string(gid));
    json_object_set_new(ev, "data", data ? data : json_object());
    char *body = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    if (!body)
        return;
    for (size_t i = 0; i < sbx_st.hooks.n; i++) {
        hook *h = sbx_st.hooks.v[i];
        if (hook_matches(h, event, gid))
            sbx_deliver_enqueue(json_string_value(json_object_get(h->obj, "url")), h->secret, body);
    }
    free(body);
}
