/*
 * Handlers: destinations.
 */
#include "store_int.h"

static void route_destinations(req *q)
{
    verr e;
    json_t *b = NULL;
    if (q->nseg == 1) {
        if (!sbx_allow(q, "GET, POST"))
            return;
        if (sbx_is_method(q, "GET")) {
            page p;
            if (sbx_page_read(q, &p) == 0)
                sbx_reply_page(q, &p, &sbx_st.dests, sbx_dest_render_list, NULL);
            return;
        }
        if (sbx_body_json(q, &b, 1) < 0)
            return;
        dest *d;
        json_t *tests = NULL;
        if (sbx_dest_build(b, 0, &d, &tests, &e) < 0) {
            sbx_reply_verr(q->r, &e);
        } else {
            json_t *o = sbx_dest_render(d, 1);
            if (tests)
                json_object_set_new(o, "setup_tests", tests);
            sbx_reply_data(q->r, 201, "Destination has been created", o);
        }
        json_decref(b);
        return;
    }
    dest *d = sbx_dest_find(q->seg[1]);
    int is_test = q->nseg == 3 && strcmp(q->seg[2], "test") == 0;
    if (q->nseg > 3 || (q->nseg == 3 && !is_test)) {
        sbx_reply_err(q->r, 404, "NotFound", "HTTP 404 Not Found");
        return;
    }
    if (!sbx_allow(q, is_test ? "POST" : "GET, PATCH, DELETE"))
        return;
    if (!d) {
        sbx_reply_err(q->r, 404, "NotFound_Destination",
                      "Cannot find entity 'Destination' with id '%s'", q->seg[1]);
        return;
    }
    if (is_test) {
        int t;
        if (sbx_body_json(q, &b, 0) < 0)
            return;
        if (sbx_f_bool(b, "trust_certificates", &t, &e) < 0 ||
            sbx_f_bool(b, "trust_fingerprints", &t, &e) < 0) {
            sbx_reply_verr(q->r, &e);
        } else {
            json_t *tests = sbx_dest_tests(d);
            json_t *o = sbx_dest_render(d, 1);
            json_object_set_new(o, "setup_tests", tests);
            sbx_reply_data(q->r, 200, "Setup tests were completed", o);
        }
        json_decref(b);
        return;
    }
    if (sbx_is_method(q, "GET")) {
        sbx_reply_data(q->r, 200, NULL, sbx_dest_render(d, 1));
        return;
    }
    if (sbx_is_method(q, "DELETE")) {
        char id[SBX_ID_MAX];
        snprintf(id, sizeof(id), "%s", d->e.id);
        sbx_coll_forget("destinations", d->e.id);
        sbx_map_del(&sbx_st.dmap, d->e.id);
        sbx_vec_remove(&sbx_st.dests, d);
        json_decref(d->obj);
        json_decref(d->config);
        free(d);
        sbx_reply_msg(q->r, "Destination with id '%s' has been deleted", id);
        return;
    }
    /* PATCH */
    const char *tz = NULL, *region = NULL, *nm = NULL;
    json_t *config = NULL;
    int rst = 0, dst = 0, has_dst;
    if (sbx_body_json(q, &b, 1) < 0)
        return;
    /* a partial update: time_zone_offset only when it changes (see README) */
    if (sbx_check_tz(b, &tz, 0, &e) < 0 || sbx_f_str(b, "region", &region, 0, &e) < 0 ||
        sbx_f_obj(b, "config", &config, &e) < 0 || sbx_f_bool(b, "run_setup_tests", &rst, &e) < 0 ||
        (has_dst = sbx_f_bool(b, "daylight_saving_time_enabled", &dst, &e)) < 0 ||
        sbx_f_str(b, "networking_method", &nm, 0, &e) < 0 || sbx_check_link_ids(b, 4, &e) < 0) {
        sbx_reply_verr(q->r, &e);
        json_decref(b);
        return;
    }
    if (tz)
        json_object_set_new(d->obj, "time_zone_offset", json_string(tz));
    sbx_apply_link_ids(d->obj, b, 4);
    if (region)
        json_object_set_new(d->obj, "region", json_string(region));
    if (nm)
        json_object_set_new(d->obj, "networking_method", json_string(nm));
    if (has_dst)
        json_object_set_new(d->obj, "daylight_saving_time_enabled", json_boolean(dst));
    if (config)
        sbx_merge(d->config, config);
    json_t *tests = rst ? sbx_dest_tests(d) : NULL;
    json_t *o = sbx_dest_render(d, 1);
    if (tests)
        json_object_set_new(o, "setup_tests", tests);
    sbx_reply_data(q->r, 200, "Destination has been updated", o);
    json_decref(b);
}

void sbx_h_destinations(sbx_req *q, const sbx_route *rt)
{
    (void)rt;
    route_destinations(q);
}
