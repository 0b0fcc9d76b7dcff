/*
 * Handlers: groups (and account info).
 */
#include "store_int.h"

static void route_groups(req *q)
{
    verr e;
    json_t *b = NULL;
    if (q->nseg == 1) {
        if (!sbx_allow(q, "GET, POST"))
            return;
        if (sbx_is_method(q, "GET")) {
            page p;
            if (sbx_page_read(q, &p) == 0)
                sbx_reply_page(q, &p, &sbx_st.groups, sbx_group_render, NULL);
            return;
        }
        const char *name = NULL;
        if (sbx_body_json(q, &b, 1) < 0)
            return;
        if (sbx_f_str(b, "name", &name, 1, &e) < 0) {
            sbx_reply_verr(q->r, &e);
        } else {
            group *g = sbx_group_add(NULL, name, 0);
            sbx_reply_data(q->r, 201, "Group has been created", json_deep_copy(g->obj));
        }
        json_decref(b);
        return;
    }
    group *g = sbx_group_find(q->seg[1]);
    if (q->nseg == 2) {
        if (!sbx_allow(q, "GET, PATCH, DELETE"))
            return;
        if (!g) {
            sbx_reply_err(q->r, 404, "NotFound_Group", "Cannot find entity 'Group' with id '%s'",
                          q->seg[1]);
            return;
        }
        if (sbx_is_method(q, "GET")) {
            sbx_reply_data(q->r, 200, NULL, json_deep_copy(g->obj));
        } else if (sbx_is_method(q, "PATCH")) {
            const char *name = NULL;
            if (sbx_body_json(q, &b, 1) < 0)
                return;
            if (sbx_f_str(b, "name", &name, 1, &e) < 0) {
                sbx_reply_verr(q->r, &e);
            } else {
                json_object_set_new(g->obj, "name", json_string(name));
                sbx_reply_data(q->r, 200, "Group has been updated", json_deep_copy(g->obj));
            }
            json_decref(b);
        } else {
            char id[SBX_ID_MAX];
            snprintf(id, sizeof(id), "%s", g->e.id);
            sbx_group_delete(g);
            sbx_reply_msg(q->r, "Group with id '%s' has been deleted", id);
        }
        return;
    }
    if (q->nseg == 3 && strcmp(q->seg[2], "connections") == 0) {
        if (!sbx_allow(q, "GET"))
            return;
        if (!g) {
            sbx_reply_err(q->r, 404, "NotFound_Group", "Cannot find entity 'Group' with id '%s'",
                          q->seg[1]);
            return;
        }
        sbx_list_connections(q, g->e.id, sbx_qget(q, "schema"));
        return;
    }
    sbx_reply_err(q->r, 404, "NotFound", "HTTP 404 Not Found");
}

void sbx_h_groups(sbx_req *q, const sbx_route *rt)
{
    (void)rt;
    route_groups(q);
}

void sbx_h_account_info(sbx_req *q, const sbx_route *rt)
{
    (void)rt;
    sbx_reply_data(q->r, 200, "Account information retrieved successfully",
                   json_pack("{s:s,s:s,s:s,s:n}", "account_id", SBX_ACCOUNT_ID, "account_name",
                             "Sandbox", "user_id", SBX_USER_ID, "system_key_id"));
}
