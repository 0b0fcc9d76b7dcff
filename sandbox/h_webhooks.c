/*
 * Handlers: webhooks.
 */
#include "store_int.h"

static json_t *hook_render(void *p, void *ud)
{
    (void)ud;
    return json_deep_copy(((hook *)p)->obj);
}

static int check_url(const char *url, verr *e)
{
    if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
        FAIL(e, 400, "InvalidInput", "Field 'url' must be an https URL");
    if (strchr(url, ' ') || strlen(url) > 2048)
        FAIL(e, 400, "InvalidInput", "Field 'url' is not a valid URL");
    return 0;
}

static int check_events(json_t *ev, verr *e)
{
    if (!json_is_array(ev) || json_array_size(ev) == 0)
        FAIL(e, 400, "InvalidInput", "Field 'events' must be a non-empty array of strings");
    size_t i;
    json_t *x;
    json_array_foreach(ev, i, x) if (!json_is_string(x) || !*json_string_value(x))
        FAIL(e, 400, "InvalidInput", "Field 'events' must be a non-empty array of strings");
    return 0;
}

static char *test_payload(const char *event)
{
    char sid[37];
    sbx_uuid(&sbx_st.rng, sid);
    char ts[32];
    sbx_fmt_ts(sbx_stamp(), ts);
    json_t *ev = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o}", "event", event, "created", ts, "connector_type",
        "_connection_type", "connector_id", "_connection_1", "connector_name", "_connection_name",
        "sync_id", sid, "destination_group_id", "_destination_1", "data",
        strcmp(event, "sync_end") == 0 ? json_pack("{s:s}", "status", "SUCCESSFUL")
                                       : json_object());
    char *s = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    return s;
}

/* verification POST done with the state lock released; 0 ok, -1 failed (e filled) */
static int verify_url(const char *url, const char *secret, verr *e)
{
    if (!sbx_st.cfg->verify_webhooks)
        return 0;
    char *body = test_payload("test");
    char *u = sbx_strdup(url), *s = secret ? sbx_strdup(secret) : NULL;
    long status = 0;
    char msg[256] = "";
    pthread_mutex_unlock(&sbx_st.lock);
    int ok = body && u && sbx_deliver_now(u, s, body, &status, msg, sizeof(msg));
    pthread_mutex_lock(&sbx_st.lock);
    free(body);
    free(u);
    free(s);
    if (!ok)
        FAIL(e, 400, "InvalidInput",
             "Webhook test failed: the URL did not answer a test event with 2xx (status %ld: "
             "%s)",
             status, msg);
    return 0;
}

int sbx_hook_build(json_t *b, const char *gid, int seed, hook **out, verr *e)
{
    const char *url = NULL, *secret = NULL, *id = NULL;
    int active = 1;
    json_t *events = json_object_get(b, "events");
    if (sbx_f_str(b, "url", &url, 1, e) < 0 || check_url(url, e) < 0)
        return -1;
    if (!events)
        FAIL(e, 400, "InvalidInput", "Field 'events' is required");
    if (check_events(events, e) < 0 || sbx_f_bool(b, "active", &active, e) < 0 ||
        sbx_f_str(b, "secret", &secret, 0, e) < 0 || (seed && sbx_f_str(b, "id", &id, 0, e) < 0))
        return -1;
    if (id && sbx_id_taken(id))
        FAIL(e, 400, "InvalidInput", "Duplicate id '%s' in seed", id);
    json_t *keep = json_incref(b); /* b's strings survive the unlock */
    if (active && !seed && verify_url(url, secret, e) < 0) {
        json_decref(keep);
        return -1;
    }
    if (gid && !sbx_group_find(gid)) { /* the group may have gone while unlocked */
        json_decref(keep);
        FAIL(e, 404, "NotFound_Group", "Cannot find entity 'Group' with id '%s'", gid);
    }
    hook *h = calloc(1, sizeof(*h));
    if (!h) {
        json_decref(keep);
        FAIL(e, 500, "InternalError", "Out of memory");
    }
    if (id)
        snprintf(h->e.id, SBX_ID_MAX, "%s", id);
    else
        sbx_gen_id(h->e.id);
    h->e.seq = ++sbx_st.seq;
    h->secret = secret && *secret ? sbx_strdup(secret) : NULL;
    h->obj = json_object();
    json_object_set_new(h->obj, "id", json_string(h->e.id));
    json_object_set_new(h->obj, "type", json_string(gid ? "group" : "account"));
    if (gid)
        json_object_set_new(h->obj, "group_id", json_string(gid));
    json_object_set_new(h->obj, "url", json_string(url));
    json_object_set_new(h->obj, "events", json_deep_copy(events));
    json_object_set_new(h->obj, "active", json_boolean(active));
    if (h->secret)
        json_object_set_new(h->obj, "secret", json_string("******"));
    json_object_set_new(h->obj, "created_at", sbx_ts_json(sbx_stamp()));
    json_object_set_new(h->obj, "created_by", json_string(SBX_USER_ID));
    json_decref(keep);
    sbx_vec_push(&sbx_st.hooks, h);
    sbx_map_put(&sbx_st.hmap, h->e.id, h);
    *out = h;
    return 0;
}

static void route_webhooks(req *q)
{
    verr e;
    json_t *b = NULL;
    if (q->nseg == 1) {
        if (!sbx_allow(q, "GET"))
            return;
        page p;
        if (sbx_page_read(q, &p) == 0)
            sbx_reply_page(q, &p, &sbx_st.hooks, hook_render, NULL);
        return;
    }
    int create_account =
        q->nseg == 2 && strcmp(q->seg[1], "account") == 0 && sbx_is_method(q, "POST");
    int create_group = q->nseg == 3 && strcmp(q->seg[1], "group") == 0;
    if (create_account || create_group) {
        if (create_group && !sbx_allow(q, "POST"))
            return;
        const char *gid = create_group ? q->seg[2] : NULL;
        if (gid && !sbx_group_find(gid)) {
            sbx_reply_err(q->r, 404, "NotFound_Group", "Cannot find entity 'Group' with id '%s'",
                          gid);
            return;
        }
        if (sbx_body_json(q, &b, 1) < 0)
            return;
        char gidc[SBX_ID_MAX] = "";
        if (gid)
            snprintf(gidc, sizeof(gidc), "%s", gid);
        hook *h;
        if (sbx_hook_build(b, gid ? gidc : NULL, 0, &h, &e) < 0)
            sbx_reply_verr(q->r, &e);
        else
            sbx_reply_data(q->r, 200,
                           gid ? "Group webhook has been created"
                               : "Account webhook has been created",
                           json_deep_copy(h->obj));
        json_decref(b);
        return;
    }
    int is_test = q->nseg == 3 && strcmp(q->seg[2], "test") == 0;
    if (q->nseg > 3 || (q->nseg == 3 && !is_test)) {
        sbx_reply_err(q->r, 404, "NotFound", "HTTP 404 Not Found");
        return;
    }
    if (!sbx_allow(q, is_test ? "POST" : "GET, PATCH, DELETE"))
        return;
    hook *h = sbx_map_get(&sbx_st.hmap, q->seg[1]);
    if (!h) {
        sbx_reply_err(q->r, 404, "NotFound_Webhook", "Cannot find entity 'Webhook' with id '%s'",
                      q->seg[1]);
        return;
    }
    char hid[SBX_ID_MAX];
    snprintf(hid, sizeof(hid), "%s", h->e.id);
    if (is_test) {
        const char *event = NULL;
        if (sbx_body_json(q, &b, 1) < 0)
            return;
        if (sbx_f_str(b, "event", &event, 1, &e) < 0) {
            sbx_reply_verr(q->r, &e);
            json_decref(b);
            return;
        }
        char *body = test_payload(event);
        char *url = sbx_strdup(json_string_value(json_object_get(h->obj, "url")));
        char *secret = h->secret ? sbx_strdup(h->secret) : NULL;
        json_decref(b);
        long status = 0;
        char msg[256] = "";
        pthread_mutex_unlock(&sbx_st.lock);
        int ok = body && url && sbx_deliver_now(url, secret, body, &status, msg, sizeof(msg));
        pthread_mutex_lock(&sbx_st.lock);
        free(body);
        free(url);
        free(secret);
        sbx_reply_data(
            q->r, 200, "Webhook test completed successfully",
            json_pack("{s:b,s:i,s:s}", "succeed", ok, "status", (int)status, "message", msg));
        return;
    }
    if (sbx_is_method(q, "GET")) {
        sbx_reply_data(q->r, 200, NULL, json_deep_copy(h->obj));
        return;
    }
    if (sbx_is_method(q, "DELETE")) {
        sbx_map_del(&sbx_st.hmap, h->e.id);
        sbx_vec_remove(&sbx_st.hooks, h);
        json_decref(h->obj);
        free(h->secret);
        free(h);
        sbx_reply_msg(q->r, "Webhook with id '%s' has been deleted", hid);
        return;
    }
    /* PATCH */
    const char *url = NULL, *secret = NULL;
    int active = 0, has_active;
    json_t *events = NULL;
    if (sbx_body_json(q, &b, 1) < 0)
        return;
    events = json_object_get(b, "events");
    if (sbx_f_str(b, "url", &url, 0, &e) < 0 || (url && check_url(url, &e) < 0) ||
        (events && check_events(events, &e) < 0) ||
        (has_active = sbx_f_bool(b, "active", &active, &e)) < 0 ||
        sbx_f_str(b, "secret", &secret, 0, &e) < 0) {
        sbx_reply_verr(q->r, &e);
        json_decref(b);
        return;
    }
    int now_active = has_active ? active : json_is_true(json_object_get(h->obj, "active"));
    int was_active = json_is_true(json_object_get(h->obj, "active"));
    if (now_active && (!was_active || url)) {
        const char *vu = url ? url : json_string_value(json_object_get(h->obj, "url"));
        char *vuc = sbx_strdup(vu);
        const char *vs = secret ? secret : h->secret;
        char *vsc = vs ? sbx_strdup(vs) : NULL;
        int rc = verify_url(vuc ? vuc : "", vsc, &e);
        free(vuc);
        free(vsc);
        h = sbx_map_get(&sbx_st.hmap, hid); /* may have been deleted meanwhile */
        if (rc < 0 || !h) {
            if (rc < 0)
                sbx_reply_verr(q->r, &e);
            else
                sbx_reply_err(q->r, 404, "NotFound_Webhook",
                              "Cannot find entity 'Webhook' with id '%s'", hid);
            json_decref(b);
            return;
        }
    }
    if (url)
        json_object_set_new(h->obj, "url", json_string(url));
    if (events)
        json_object_set_new(h->obj, "events", json_deep_copy(events));
    if (has_active)
        json_object_set_new(h->obj, "active", json_boolean(active));
    if (secret) {
        free(h->secret);
        h->secret = *secret ? sbx_strdup(secret) : NULL;
        if (h->secret)
            json_object_set_new(h->obj, "secret", json_string("******"));
        else
            json_object_del(h->obj, "secret");
    }
    sbx_reply_data(q->r, 200, "Webhook has been updated", json_deep_copy(h->obj));
    json_decref(b);
}

void sbx_h_webhooks(sbx_req *q, const sbx_route *rt)
{
    (void)rt;
    route_webhooks(q);
}
