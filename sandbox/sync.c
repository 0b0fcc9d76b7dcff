/*
 * The sync engine: schema capture, a sync's start and end, and the ticker thread that ends
 * syncs (and transformation runs, sbx_coll_tick) on the sandbox clock (sbx_now_ms).
 */
#include "store_int.h"

/* ---- schema capture ---- */
static int handling_enabled(const char *handling, int level /* 0 schema/table, 1 column */)
{
    if (strcmp(handling, "ALLOW_ALL") == 0)
        return 1;
    if (strcmp(handling, "ALLOW_COLUMNS") == 0)
        return level == 1;
    return 0;
}

/* bring newly discovered catalog items into the schema config */
void sbx_schema_discover(conn *c, int exclude)
{
    if (!c->schema) {
        c->schema = json_deep_copy(sbx_catalog_of(c));
        return;
    }
    const char *handling = json_string_value(json_object_get(c->schema, "schema_change_handling"));
    if (!handling)
        handling = "ALLOW_ALL";
    json_t *dst = json_object_get(c->schema, "schemas");
    const char *sn, *tn, *cn;
    json_t *s, *t, *col;
    json_object_foreach(json_object_get(sbx_catalog_of(c), "schemas"), sn, s)
    {
        json_t *ds = json_object_get(dst, sn);
        if (!ds) {
            ds = json_deep_copy(s);
            json_object_set_new(ds, "enabled", json_boolean(handling_enabled(handling, 0)));
            json_t *dt;
            const char *k;
            json_object_foreach(json_object_get(ds, "tables"), k, dt)
            {
                json_object_set_new(dt, "enabled", json_boolean(handling_enabled(handling, 0)));
                json_t *dc;
                const char *ck;
                json_object_foreach(json_object_get(dt, "columns"), ck, dc)
                {
                    if (json_is_true(json_object_get(json_object_get(dc, "enabled_patch_settings"),
                                                     "allowed")))
                        json_object_set_new(dc, "enabled",
                                            json_boolean(handling_enabled(handling, 1)));
                }
            }
            json_object_set_new(dst, sn, ds);
            continue;
        }
        json_object_foreach(json_object_get(s, "tables"), tn, t)
        {
            json_t *dtabs = json_object_get(ds, "tables");
            json_t *dt = json_object_get(dtabs, tn);
            if (!dt) {
                dt = json_deep_copy(t);
                json_object_set_new(dt, "enabled", json_boolean(handling_enabled(handling, 0)));
                json_object_set_new(dtabs, tn, dt);
                continue;
            }
            json_object_foreach(json_object_get(t, "columns"), cn, col)
            {
                json_t *dcols = json_object_get(dt, "columns");
                if (!json_object_get(dcols, cn)) {
                    json_t *nc = json_deep_copy(col);
                    json_object_set_new(nc, "enabled", json_boolean(handling_enabled(handling, 1)));
                    json_object_set_new(dcols, cn, nc);
                }
            }
        }
    }
    if (exclude) {
        json_object_foreach(dst, sn, s)
        {
            if (!json_object_get(c->touched, sn))
                json_object_set_new(s, "enabled", json_false());
            json_object_foreach(json_object_get(s, "tables"), tn, t)
            {
                char key[512];
                snprintf(key, sizeof(key), "%s\037%s", sn, tn);
                json_t *eps = json_object_get(t, "enabled_patch_settings");
                if (!json_object_get(c->touched, key) &&
                    json_is_true(json_object_get(eps, "allowed")))
                    json_object_set_new(t, "enabled", json_false());
            }
        }
    }
}

/* ---- sync state machine ---- */
void sbx_sync_begin(conn *c, int historical)
{
    if (historical)
        json_object_set_new(sbx_status_of(c), "is_historical_sync", json_true());
    c->pending = 0;
    json_t *rs = json_object_get(c->config, "sandbox_rescheduled");
    if (!c->resched && (json_is_true(rs) || (json_is_integer(rs) && json_integer_value(rs) > 0))) {
        /* waits for "more API calls": rescheduled for the given ms (true: one sync
         * duration), then it starts */
        int64_t wait = json_is_integer(rs)       ? (int64_t)json_integer_value(rs)
                       : sbx_st.cfg->sync_ms > 0 ? sbx_st.cfg->sync_ms
                                                 : 0;
        c->resched = 1;
        c->sync_end = sbx_now_ms() + wait;
        if (!c->syncing) {
            c->syncing = 1;
            sbx_vec_push(&sbx_st.syncing, c);
        }
        sbx_set_status(c, "sync_state", "rescheduled");
        json_object_set_new(sbx_status_of(c), "rescheduled_for", sbx_ts_json(c->sync_end));
        return;
    }
    c->resched = 0;
    json_object_set_new(sbx_status_of(c), "rescheduled_for", json_null());
    sbx_uuid(&sbx_st.rng, c->sync_id);
    c->sync_end = sbx_now_ms() + (sbx_st.cfg->sync_ms > 0 ? sbx_st.cfg->sync_ms : 0);
    if (!c->syncing) {
        c->syncing = 1;
        sbx_vec_push(&sbx_st.syncing, c);
    }
    sbx_set_status(c, "sync_state", "syncing");
    sbx_emit(c, "sync_start", c->sync_id, json_object());
}

static void sync_finish(conn *c)
{
    sbx_vec_remove(&sbx_st.syncing, c);
    c->syncing = 0;
    int64_t t = sbx_stamp();
    json_t *st = sbx_status_of(c);
    if (c->fail) {
        json_object_set_new(c->obj, "failed_at", sbx_ts_json(t));
        sbx_set_status(c, "setup_state", "broken");
        json_object_set_new(st, "tasks",
                            json_pack("[{s:s,s:s,s:s}]", "code", "reconnect", "message",
                                      "Connection timeout", "details",
                                      "Sandbox: this connection is configured to fail"));
        sbx_emit(c, "sync_end", c->sync_id,
                 json_pack("{s:s,s:s,s:s}", "status", "FAILURE_WITH_TASK", "reason",
                           "Connection timeout", "taskType", "reconnect"));
    } else {
        json_object_set_new(c->obj, "succeeded_at", sbx_ts_json(t));
        sbx_set_status(c, "setup_state", "connected");
        json_object_set_new(st, "is_historical_sync", json_false());
        json_object_set_new(st, "tasks", json_array());
        if (!c->schema)
            sbx_schema_discover(c, 0);
        sbx_emit(c, "sync_end", c->sync_id, json_pack("{s:s}", "status", "SUCCESSFUL"));
    }
    sbx_set_status(c, "update_state", "on_schedule");
    sbx_set_status(c, "sync_state",
                   json_is_true(json_object_get(c->obj, "paused")) ? "paused" : "scheduled");
}

/* end the syncs and runs due at now (the lock is held); returns how many changed */
int sbx_tick(int64_t now)
{
    int changed = 0;
    for (size_t i = sbx_st.syncing.n; i-- > 0;) {
        if (i >= sbx_st.syncing.n) /* a finish may remove more than one */
            continue;
        conn *c = sbx_st.syncing.v[i];
        if (c->sync_end > now)
            continue;
        changed++;
        if (!c->resched) {
            sync_finish(c);
        } else if (json_is_true(json_object_get(c->obj, "paused"))) {
            /* paused while rescheduled: the sync waits for resume */
            sbx_vec_remove(&sbx_st.syncing, c);
            c->syncing = 0;
            c->resched = 0;
            c->pending = 1;
            json_object_set_new(sbx_status_of(c), "rescheduled_for", json_null());
        } else {
            sbx_sync_begin(c, 0);
        }
    }
    changed += sbx_coll_tick(now);
    if (changed)
        sbx_persist_mark();
    return changed;
}

static void *ticker(void *arg)
{
    (void)arg;
    for (;;) {
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&sbx_st.lock);
        if (sbx_st.ticker_stop) {
            pthread_mutex_unlock(&sbx_st.lock);
            return NULL;
        }
        sbx_tick(sbx_now_ms());
        pthread_mutex_unlock(&sbx_st.lock);
        sbx_persist_flush(0);
    }
}

int sbx_ticker_start(void)
{
    sbx_st.ticker_stop = 0;
    if (pthread_create(&sbx_st.ticker, NULL, ticker, NULL) != 0)
        return -1;
    sbx_st.ticker_started = 1;
    return 0;
}

void sbx_ticker_stop(void)
{
    if (!sbx_st.ticker_started)
        return;
    pthread_mutex_lock(&sbx_st.lock);
    sbx_st.ticker_stop = 1;
    pthread_mutex_unlock(&sbx_st.lock);
    pthread_join(sbx_st.ticker, NULL);
    sbx_st.ticker_started = 0;
}
