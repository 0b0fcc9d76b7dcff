/*
 * Handlers: connections (create, list, get, PATCH, delete, sync, resync, test, connect
 * card, state).
 */
#include "store_int.h"

static void conn_patch(req *q, conn *c)
{
    verr e;
    json_t *b = NULL;
    conn_fields f;
    if (sbx_body_json(q, &b, 1) < 0)
        return;
    if (sbx_conn_fields_read(b, &f, &e) < 0) {
        sbx_reply_verr(q->r, &e);
        json_decref(b);
        return;
    }
    /* at least one persistent parameter: test flags alone are refused */
    const char *k;
    json_t *v;
    int persistent = 0;
    json_object_foreach(b, k, v)
    {
        if (strcmp(k, "run_setup_tests") != 0 && strcmp(k, "trust_certificates") != 0 &&
            strcmp(k, "trust_fingerprints") != 0)
            persistent = 1;
    }
    if (!persistent) {
        sbx_reply_err(q->r, 400, "InvalidInput",
                      "The request must contain at least one parameter to update");
        json_decref(b);
        return;
    }
    if (f.config) {
        static const char *const fixed[] = {"schema", "table", "schema_prefix", "table_group_name"};
        for (size_t i = 0; i < 4; i++) {
            json_t *nv = json_object_get(f.config, fixed[i]);
            json_t *ov = json_object_get(c->config, fixed[i]);
            if (nv && !json_equal(nv, ov)) {
                sbx_reply_err(q->r, 400, "InvalidInput",
                              "Field 'config.%s' can only be set when the connection is created",
                              fixed[i]);
                json_decref(b);
                return;
            }
        }
    }
    c = sbx_conn_find(c->e.id, 1, NULL); /* materialise a synthetic connection */
    if (!c) {
        sbx_reply_err(q->r, 500, "InternalError", "Out of memory");
        json_decref(b);
        return;
    }
    sbx_conn_fields_apply(c, &f);
    if (f.config)
        sbx_emit(c, "edit_connector", NULL, json_object());
    int was_paused = json_is_true(json_object_get(c->obj, "paused"));
    if (f.has_paused && f.paused != was_paused) {
        json_object_set_new(c->obj, "paused", json_boolean(f.paused));
        if (f.paused) {
            sbx_set_status(c, "sync_state", "paused");
            sbx_emit(c, "pause_connector", NULL, json_object());
        } else {
            sbx_set_status(c, "sync_state",
                           c->resched   ? "rescheduled"
                           : c->syncing ? "syncing"
                                        : "scheduled");
            sbx_emit(c, "resume_connector", NULL, json_object());
            if (c->pending && !c->syncing)
                sbx_sync_begin(c, 0);
        }
    }
    if (f.has_hist && f.hist) {
        json_object_set_new(sbx_status_of(c), "is_historical_sync", json_true());
        if (json_is_true(json_object_get(c->obj, "paused")))
            c->pending = 1;
        else
            sbx_sync_begin(c, 1);
    }
    json_t *o = sbx_conn_render(c);
    if (f.has_rst && f.rst)
        json_object_set_new(o, "setup_tests", sbx_conn_tests(c));
    sbx_reply_data(q->r, 200, "Connection has been updated", o);
    json_decref(b);
}

static void route_connections(req *q)
{
    verr e;
    json_t *b = NULL;
    if (q->nseg == 1) {
        if (!sbx_allow(q, "GET, POST"))
            return;
        if (sbx_is_method(q, "GET")) {
            sbx_list_connections(q, sbx_qget(q, "group_id"), sbx_qget(q, "schema"));
            return;
        }
        if (sbx_body_json(q, &b, 1) < 0)
            return;
        conn *c;
        json_t *tests = NULL, *card = NULL;
        if (sbx_conn_build(b, 0, &c, &tests, &card, &e) < 0) {
            sbx_reply_verr(q->r, &e);
        } else {
            sbx_emit(c, "create_connector", NULL, json_object());
            json_t *o = sbx_conn_render(c);
            if (tests)
                json_object_set_new(o, "setup_tests", tests);
            if (card)
                json_object_set_new(o, "connect_card", card);
            sbx_reply_data(q->r, 201, "Connection has been created", o);
        }
        json_decref(b);
        return;
    }
    const char *id = q->seg[1];
    const char *sub = q->nseg >= 3 ? q->seg[2] : NULL;
    /* validate the path shape before the id, so that unknown paths are 404 NotFound */
    static const char *const actions[] = {"sync", "resync", "test", "connect-card", "force"};
    int is_action = 0;
    if (sub && q->nseg == 3)
        for (size_t i = 0; i < sizeof(actions) / sizeof(*actions); i++)
            is_action |= strcmp(sub, actions[i]) == 0;
    int is_state = sub && q->nseg == 3 && strcmp(sub, "state") == 0;
    int is_schema = sub && strcmp(sub, "schemas") == 0;
    if (sub && !is_action && !is_state && !is_schema) {
        sbx_reply_err(q->r, 404, "NotFound", "HTTP 404 Not Found");
        return;
    }
    if (q->nseg == 2 && !sbx_allow(q, "GET, PATCH, DELETE"))
        return;
    if ((is_action && !sbx_allow(q, "POST")) || (is_state && !sbx_allow(q, "GET, PATCH")))
        return;
    int temp = 0;
    conn *c = sbx_conn_find(id, 0, &temp);
    if (!c) {
        sbx_not_found_conn(q, id);
        return;
    }
    if (temp && !sbx_is_method(q, "GET")) { /* anything that may mutate materialises */
        sbx_conn_free(c);
        temp = 0;
        c = sbx_conn_find(id, 1, NULL);
        if (!c) {
            sbx_reply_err(q->r, 500, "InternalError", "Out of memory");
            return;
        }
    }
    if (q->nseg == 2) {
        if (sbx_is_method(q, "GET"))
            sbx_reply_data(q->r, 200, NULL, sbx_conn_render(c));
        else if (sbx_is_method(q, "PATCH"))
            conn_patch(q, c);
        else {
            char cid[SBX_ID_MAX];
            snprintf(cid, sizeof(cid), "%s", c->e.id);
            sbx_conn_delete(c);
            sbx_reply_msg(q->r, "Connection with id '%s' has been deleted", cid);
        }
    } else if (is_schema) {
        sbx_route_schemas(q, c);
    } else if (is_state) {
        const char *svc = json_string_value(json_object_get(c->obj, "service"));
        if (!sbx_is_function_service(svc)) {
            sbx_reply_err(q->r, 405, "MethodNotAllowed", "Not a function connector error");
        } else if (sbx_is_method(q, "GET")) {
            if (!c->state)
                sbx_reply_err(q->r, 400, "InvalidInput",
                              "Connection with id '%s' doesn't have a state yet", c->e.id);
            else
                sbx_reply_data(q->r, 200, "Connection state retrieved successfully",
                               json_pack("{s:O}", "state", c->state));
        } else {
            json_t *st = NULL;
            if (sbx_body_json(q, &b, 1) == 0) {
                if (sbx_f_obj(b, "state", &st, &e) < 0)
                    sbx_reply_verr(q->r, &e);
                else if (!st)
                    sbx_reply_err(q->r, 400, "InvalidInput", "Field 'state' is required");
                else if (c->syncing)
                    sbx_reply_err(q->r, 409, "Conflict",
                                  "Connection state cannot be updated while a sync is running");
                else {
                    json_decref(c->state);
                    c->state = json_deep_copy(st);
                    sbx_reply_data(q->r, 200, "Connection state has been updated",
                                   json_pack("{s:O}", "state", c->state));
                }
                json_decref(b);
            }
        }
    } else if (strcmp(sub, "sync") == 0 || strcmp(sub, "force") == 0) {
        int force = 0;
        if (sbx_body_json(q, &b, 0) < 0)
            goto out;
        if (sbx_f_bool(b, "force", &force, &e) < 0) {
            sbx_reply_verr(q->r, &e);
            json_decref(b);
            goto out;
        }
        json_decref(b);
        if (strcmp(sub, "force") == 0)
            force = 1;
        if (json_is_true(json_object_get(c->obj, "paused")) && sbx_st.cfg->paused_sync_status) {
            sbx_reply_err(q->r, sbx_st.cfg->paused_sync_status,
                          sbx_st.cfg->paused_sync_status == 409 ? "Conflict" : "InvalidInput",
                          "Connection with id '%s' is paused", c->e.id);
            goto out;
        }
        if (!json_is_true(json_object_get(c->obj, "paused"))) {
            sbx_emit(c, "force_update_connector", NULL, json_object());
            if (!c->syncing || force)
                sbx_sync_begin(c, 0);
        }
        sbx_reply_msg(q->r, "Sync has been successfully triggered for connection with id '%s'",
                      c->e.id);
    } else if (strcmp(sub, "resync") == 0) {
        json_t *scope = NULL;
        if (sbx_body_json(q, &b, 0) < 0)
            goto out;
        scope = b ? json_object_get(b, "scope") : NULL;
        if (scope && !json_is_null(scope)) {
            const char *sn;
            json_t *tabs;
            int ok = json_is_object(scope) && json_object_size(scope) > 0;
            json_object_foreach(scope, sn, tabs)
            {
                if (!json_is_array(tabs) || json_array_size(tabs) == 0)
                    ok = 0;
                size_t i;
                json_t *t;
                json_array_foreach(tabs, i, t) if (!json_is_string(t)) ok = 0;
            }
            if (!ok) {
                sbx_reply_err(q->r, 400, "InvalidInput",
                              "Field 'scope' must map schema names to non-empty lists of tables");
                json_decref(b);
                goto out;
            }
        }
        int tables = scope && !json_is_null(scope);
        json_decref(b);
        sbx_emit(c, tables ? "resync_table" : "resync_connector", NULL, json_object());
        json_object_set_new(sbx_status_of(c), "is_historical_sync", json_true());
        if (json_is_true(json_object_get(c->obj, "paused")))
            c->pending = 1;
        else
            sbx_sync_begin(c, 1);
        sbx_reply_msg(q->r, "Re-sync has been triggered successfully");
    } else if (strcmp(sub, "test") == 0) {
        int t;
        if (sbx_body_json(q, &b, 0) < 0)
            goto out;
        if (!b) {
            sbx_reply_err(q->r, 400, "InvalidInput", "Request body is required");
            goto out;
        }
        if (sbx_f_bool(b, "trust_certificates", &t, &e) < 0 ||
            sbx_f_bool(b, "trust_fingerprints", &t, &e) < 0) {
            sbx_reply_verr(q->r, &e);
        } else {
            json_t *tests = sbx_conn_tests(c);
            json_t *o = sbx_conn_render(c);
            json_object_set_new(o, "setup_tests", tests);
            sbx_reply_data(q->r, 200, "Setup tests were completed", o);
        }
        json_decref(b);
    } else { /* connect-card */
        json_t *ccc = NULL;
        if (sbx_body_json(q, &b, 1) < 0)
            goto out;
        int bad = sbx_f_obj(b, "connect_card_config", &ccc, &e) < 0;
        if (!bad && !ccc) {
            e.status = 400;
            e.code = "InvalidInput";
            snprintf(e.msg, sizeof(e.msg), "Field 'connect_card_config' is required");
            bad = 1;
        }
        if (bad || sbx_check_connect_card_config(ccc, &e) < 0) {
            sbx_reply_verr(q->r, &e);
        } else {
            json_object_set_new(c->obj, "connect_card_config", json_deep_copy(ccc));
            sbx_reply_data(q->r, 200, "Connection Connect Card has been created",
                           json_pack("{s:s,s:o,s:O}", "connector_id", c->e.id, "connect_card",
                                     sbx_connect_card(c, ccc), "connect_card_config", ccc));
        }
        json_decref(b);
    }
out:
    if (temp)
        sbx_conn_free(c);
}

void sbx_h_connections(sbx_req *q, const sbx_route *rt)
{
    (void)rt;
    route_connections(q);
}
