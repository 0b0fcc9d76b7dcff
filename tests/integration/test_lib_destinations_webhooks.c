/*
 * libfivetrex against fivetrex-sandbox: destinations and webhooks through the public API,
 * with the sandbox's webhook deliveries received, verified and parsed by the library's own
 * embedded receiver (ftx_webhook_server on 127.0.0.1:0 with a secret).
 */
#include "lib_itest.h"

#define WH_SECRET  "itest-webhook-secret-never-printed"
#define MAX_EVENTS 256

static sandbox_proc *sb;
static ftx_client *cl;
static it_log rlog;
static ftx_webhook_server *rx;
static char rx_url[96];

/* Events the receiver's callback got (verified ones only reach it). */
static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static ftx_webhook_event *events[MAX_EVENTS];
static size_t nevents;

static int on_event(const ftx_webhook_event *ev, void *userdata)
{
    (void)userdata;
    pthread_mutex_lock(&ev_lock);
    if (nevents < MAX_EVENTS)
        events[nevents++] = ftx_webhook_event_dup(ev);
    pthread_mutex_unlock(&ev_lock);
    return 0;
}

static size_t event_count(void)
{
    size_t n;

    pthread_mutex_lock(&ev_lock);
    n = nevents;
    pthread_mutex_unlock(&ev_lock);
    return n;
}

/* Number of received events named `name` for `connector_id` (NULL: any), from index
 * `from`; `*last` gets the last one (borrowed; events are never freed before teardown). */
static size_t count_events(size_t from, const char *name, const char *connector_id,
                           const ftx_webhook_event **last)
{
    size_t i, n = 0;

    pthread_mutex_lock(&ev_lock);
    for (i = from; i < nevents; i++) {
        const ftx_webhook_event *e = events[i];

        if (e == NULL || e->event == NULL || strcmp(e->event, name) != 0)
            continue;
        if (connector_id != NULL &&
            (e->connector_id == NULL || strcmp(e->connector_id, connector_id) != 0))
            continue;
        n++;
        if (last != NULL)
            *last = e;
    }
    pthread_mutex_unlock(&ev_lock);
    return n;
}

static ftx_webhook_server_stats rx_stats(void)
{
    ftx_webhook_server_stats s;

    memset(&s, 0, sizeof(s));
    ftx_webhook_server_stats_get(rx, &s);
    return s;
}

static int setup(void **state)
{
    const char *args[] = {"--seed", "demo", "--sync-duration-ms", "50", NULL};
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_error err = {0};

    (void)state;
    sb = sandbox_start(args);
    if (sb == NULL)
        return -1;
    it_log_init(&rlog);
    cl = it_client(sandbox_url(sb), NULL, &rlog);
    o.bind_address = "127.0.0.1";
    o.port = 0;
    o.path = "/hooks/fivetran";
    o.secret = WH_SECRET;
    o.on_event = on_event;
    if (ftx_webhook_server_start(&o, &rx, &err) != FTX_OK) {
        fprintf(stderr, "receiver: %s\n", err.message);
        return -1;
    }
    (void)snprintf(rx_url, sizeof(rx_url), "http://127.0.0.1:%u/hooks/fivetran",
                   (unsigned)ftx_webhook_server_port(rx));
    return 0;
}

static int teardown(void **state)
{
    size_t i;

    (void)state;
    ftx_webhook_server_free(rx);
    for (i = 0; i < nevents; i++)
        ftx_webhook_event_free(events[i]);
    ftx_client_free(cl);
    it_log_dispose(&rlog);
    return sandbox_stop(sb) == 0 ? 0 : -1;
}

static ftx_group *create_group(const char *name)
{
    ftx_group *g = NULL;
    json_t *p = json_pack("{s:s}", "name", name);

    IT_OK(ftx_groups_create(cl, p, &g, IT_ERR));
    json_decref(p);
    return g;
}

/* ---- destinations ---- */

static void test_destinations_crud_test_conflict(void **state)
{
    ftx_group *g;
    ftx_destination *d = NULL, *got = NULL, *upd = NULL;
    ftx_destination_test_result *tr = NULL;
    ftx_destination_page *dpage = NULL;
    ftx_destination_test_options to = FTX_DESTINATION_TEST_OPTIONS_INIT;
    ftx_error err = {0};
    json_t *p;
    size_t before, i;
    int rc;

    (void)state;
    g = create_group("itest_dest");
    p = json_pack("{s:s,s:s,s:s,s:s,s:b,s:{s:s,s:i,s:s,s:s,s:s}}", "group_id", g->id, "service",
                  "postgres_warehouse", "region", "GCP_US_EAST4", "time_zone_offset", "+3",
                  "daylight_saving_time_enabled", 1, "config", "host", "wh.itest.local", "port",
                  5432, "database", "dw", "user", "loader", "password", "dw-password");
    IT_OK(ftx_destinations_create(cl, p, &d, IT_ERR));
    json_decref(p);
    it_assert_str(d->id, g->id);
    it_assert_str(d->group_id, g->id);
    it_assert_str(d->service, "postgres_warehouse");
    it_assert_str(d->region, "GCP_US_EAST4");
    it_assert_str(d->time_zone_offset, "+3");
    assert_int_equal(d->daylight_saving_time_enabled, 1);
    it_assert_str(d->networking_method, "Directly");
    assert_null(d->private_link_id);
    assert_non_null(d->setup_status);
    assert_non_null(d->config);
    it_assert_str(json_string_value(json_object_get(d->config, "host")), "wh.itest.local");
    it_assert_str(json_string_value(json_object_get(d->config, "password")), "******");
    assert_true(d->setup_test_count > 0);
    for (i = 0; i < d->setup_test_count; i++) {
        assert_non_null(d->setup_tests[i]->title);
        assert_non_null(d->setup_tests[i]->status);
    }

    IT_OK(ftx_destinations_get(cl, g->id, &got, IT_ERR));
    it_assert_str(got->id, g->id);
    it_assert_str(got->service, "postgres_warehouse");
    it_assert_str(got->time_zone_offset, "+3");
    it_assert_str(got->setup_status, d->setup_status);
    it_assert_str(json_string_value(json_object_get(got->config, "password")), "******");
    assert_int_equal(json_integer_value(json_object_get(got->config, "port")), 5432);
    ftx_destination_free(got);
    got = NULL;

    /* a second destination in the group: 409 with the API's code */
    p = json_pack("{s:s,s:s,s:s}", "group_id", g->id, "service", "snowflake", "time_zone_offset",
                  "0");
    rc = ftx_destinations_create(cl, p, &got, &err);
    json_decref(p);
    it_assert_error(rc, &err, FTX_ERR_CONFLICT);
    assert_int_equal(err.status, 409);
    assert_string_equal(err.code, "Conflict");
    assert_int_equal(err.attempts, 1);
    assert_null(got);
    /* and one for a group that does not exist: 404 */
    p = json_pack("{s:s,s:s,s:s}", "group_id", "no_such_group", "service", "snowflake",
                  "time_zone_offset", "0");
    rc = ftx_destinations_create(cl, p, &got, &err);
    json_decref(p);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    /* bad time zone offsets never reach the wire */
    before = it_log_count(&rlog);
    p = json_pack("{s:s,s:s,s:s}", "group_id", g->id, "service", "snowflake", "time_zone_offset",
                  "+0");
    rc = ftx_destinations_create(cl, p, &got, &err);
    json_decref(p);
    it_assert_error(rc, &err, FTX_ERR_INVALID_ARGUMENT);
    p = json_pack("{s:s}", "time_zone_offset", "5");
    rc = ftx_destinations_update(cl, g->id, p, &got, &err);
    json_decref(p);
    it_assert_error(rc, &err, FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(it_log_count(&rlog), before);

    /* update */
    p = json_pack("{s:s,s:{s:s}}", "time_zone_offset", "-3", "config", "host", "wh2.itest.local");
    IT_OK(ftx_destinations_update(cl, g->id, p, &upd, IT_ERR));
    json_decref(p);
    it_assert_str(upd->time_zone_offset, "-3");
    it_assert_str(json_string_value(json_object_get(upd->config, "host")), "wh2.itest.local");
    it_assert_str(json_string_value(json_object_get(upd->config, "database")), "dw");
    ftx_destination_free(upd);
    IT_OK(ftx_destinations_get(cl, g->id, &got, IT_ERR));
    it_assert_str(got->time_zone_offset, "-3");
    ftx_destination_free(got);
    got = NULL;

    /* a PATCH that changes only the region (time_zone_offset is not repeated), and the
     * link/agent ids stored and read back */
    p = json_pack("{s:s,s:s,s:s,s:s,s:s}", "region", "AWS_US_WEST_2", "networking_method",
                  "PrivateLink", "private_link_id", "pl_dest", "proxy_agent_id", "pa_dest",
                  "hybrid_deployment_agent_id", "hd_dest");
    IT_OK(ftx_destinations_update(cl, g->id, p, &upd, IT_ERR));
    json_decref(p);
    it_assert_str(upd->region, "AWS_US_WEST_2");
    it_assert_str(upd->time_zone_offset, "-3");
    it_assert_str(upd->networking_method, "PrivateLink");
    it_assert_str(upd->private_link_id, "pl_dest");
    it_assert_str(upd->proxy_agent_id, "pa_dest");
    it_assert_str(upd->hybrid_deployment_agent_id, "hd_dest");
    ftx_destination_free(upd);
    upd = NULL;
    IT_OK(ftx_destinations_get(cl, g->id, &got, IT_ERR));
    it_assert_str(got->region, "AWS_US_WEST_2");
    it_assert_str(got->time_zone_offset, "-3");
    it_assert_str(got->private_link_id, "pl_dest");
    it_assert_str(got->proxy_agent_id, "pa_dest");
    it_assert_str(got->hybrid_deployment_agent_id, "hd_dest");
    ftx_destination_free(got);
    got = NULL;
    IT_OK(ftx_destinations_list(cl, NULL, &dpage, IT_ERR));
    for (i = 0; i < dpage->count; i++)
        if (strcmp(dpage->items[i]->id, g->id) == 0)
            break;
    assert_true(i < dpage->count);
    it_assert_str(dpage->items[i]->private_link_id, "pl_dest");
    it_assert_str(dpage->items[i]->hybrid_deployment_agent_id, "hd_dest");
    it_assert_str(
        json_string_value(json_object_get(dpage->items[i]->raw, "local_processing_agent_id")),
        "hd_dest");
    ftx_destination_page_free(dpage);
    dpage = NULL;

    /* setup tests */
    to.trust_certificates = 1;
    IT_OK(ftx_destinations_test(cl, g->id, &to, &tr, IT_ERR));
    assert_non_null(tr->setup_status);
    assert_true(tr->setup_test_count > 0);
    for (i = 0; i < tr->setup_test_count; i++) {
        assert_non_null(tr->setup_tests[i]->title);
        assert_non_null(tr->setup_tests[i]->status);
    }
    it_assert_str(json_string_value(json_object_get(tr->raw, "id")), g->id);
    ftx_destination_test_result_free(tr);
    tr = NULL;
    IT_OK(ftx_destinations_test(cl, "decent_dropsy", NULL, &tr, IT_ERR));
    it_assert_str(tr->setup_status, "connected");
    assert_int_equal(tr->setup_test_count, 3);
    it_assert_str(tr->setup_tests[0]->title, "Host Connection");
    it_assert_str(tr->setup_tests[0]->status, "PASSED");
    ftx_destination_test_result_free(tr);
    tr = NULL;
    rc = ftx_destinations_test(cl, "no_such_destination", NULL, &tr, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    assert_string_equal(err.code, "NotFound_Destination");

    /* delete: gone, the group stays */
    IT_OK(ftx_destinations_delete(cl, g->id, IT_ERR));
    rc = ftx_destinations_get(cl, g->id, &got, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    assert_string_equal(err.code, "NotFound_Destination");
    assert_null(got);
    rc = ftx_destinations_delete(cl, g->id, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    {
        ftx_group *gg = NULL;

        IT_OK(ftx_groups_get(cl, g->id, &gg, IT_ERR));
        ftx_group_free(gg);
    }
    /* the group can have a destination again */
    p = json_pack("{s:s,s:s,s:s}", "group_id", g->id, "service", "snowflake", "time_zone_offset",
                  "0");
    IT_OK(ftx_destinations_create(cl, p, &got, IT_ERR));
    json_decref(p);
    it_assert_str(got->service, "snowflake");
    ftx_destination_free(got);

    IT_OK(ftx_groups_delete(cl, g->id, IT_ERR));
    ftx_destination_free(d);
    ftx_group_free(g);
}

static void test_destinations_list_and_stream(void **state)
{
    static const int limits[] = {1, 2, 100};
    ftx_group *g[3];
    it_idset *clean;
    size_t i;

    (void)state;
    for (i = 0; i < 3; i++) {
        ftx_destination *d = NULL;
        json_t *p;

        g[i] = create_group(i == 0 ? "itest_dl_0" : i == 1 ? "itest_dl_1" : "itest_dl_2");
        p = json_pack("{s:s,s:s,s:s}", "group_id", g[i]->id, "service", "big_query",
                      "time_zone_offset", "0");
        IT_OK(ftx_destinations_create(cl, p, &d, IT_ERR));
        json_decref(p);
        ftx_destination_free(d);
    }
    clean = it_idset_new(16);
    {
        ftx_destination_page *pg = NULL;
        ftx_list_options o = FTX_LIST_OPTIONS_INIT;

        o.limit = 1000;
        IT_OK(ftx_destinations_list(cl, &o, &pg, IT_ERR));
        assert_null(pg->next_cursor);
        for (i = 0; i < pg->count; i++) {
            assert_int_equal(it_idset_add(clean, pg->items[i]->id), 1);
            assert_non_null(pg->items[i]->service);
        }
        ftx_destination_page_free(pg);
    }
    assert_int_equal(clean->count, 3 + 3);
    assert_true(it_idset_has(clean, "decent_dropsy"));
    assert_true(it_idset_has(clean, "projected_sickle"));
    assert_true(it_idset_has(clean, "deck_enjoy"));

    for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
        ftx_list_options o = FTX_LIST_OPTIONS_INIT;
        ftx_destination_stream *s = NULL;
        const ftx_destination *d = NULL;
        it_idset *seen = it_idset_new(16);

        o.limit = limits[i];
        IT_OK(ftx_destinations_stream(cl, &o, &s, IT_ERR));
        for (;;) {
            IT_OK(ftx_destination_stream_next(s, &d, IT_ERR));
            if (d == NULL)
                break;
            it_assert_str(d->id, d->group_id);
            assert_int_equal(it_idset_add(seen, d->id), 1);
        }
        ftx_destination_stream_free(s);
        assert_true(it_idset_equal(seen, clean));
        it_idset_free(seen);
    }
    for (i = 0; i < 3; i++) {
        IT_OK(ftx_groups_delete(cl, g[i]->id, IT_ERR));
        ftx_group_free(g[i]);
    }
    it_idset_free(clean);
}

/* ---- webhooks management ---- */

static void test_webhook_account_lifecycle(void **state)
{
    ftx_webhook *w = NULL, *got = NULL, *upd = NULL;
    ftx_webhook_test_result *tr = NULL;
    const ftx_webhook_event *ev = NULL;
    ftx_error err = {0};
    ftx_webhook_server_stats st0, st1;
    size_t ev0, i;
    json_t *p;
    int rc;

    (void)state;
    ev0 = event_count();
    st0 = rx_stats();
    p = json_pack("{s:s,s:[s,s],s:b,s:s}", "url", rx_url, "events", "sync_start", "sync_end",
                  "active", 1, "secret", WH_SECRET);
    IT_OK(ftx_webhooks_create_account(cl, p, &w, IT_ERR));
    json_decref(p);
    assert_non_null(w->id);
    it_assert_str(w->type, "account");
    assert_int_equal(ftx_webhook_account_level(w), 1);
    assert_int_equal(ftx_webhook_group_level(w), 0);
    assert_null(w->group_id);
    it_assert_str(w->url, rx_url);
    assert_int_equal(w->event_count, 2);
    it_assert_str(w->events[0], "sync_start");
    it_assert_str(w->events[1], "sync_end");
    assert_null(w->events[2]);
    assert_int_equal(ftx_webhook_has_event(w, "sync_end"), 1);
    assert_int_equal(ftx_webhook_has_event(w, "create_connector"), 0);
    assert_int_equal(w->active, 1);
    it_assert_str(w->secret, "******"); /* masked by the API */
    assert_true(w->created_at.valid);
    assert_non_null(w->created_by);

    /* activation made the sandbox POST a signed test event, synchronously: the library's
     * receiver verified it and handed it over exactly once */
    assert_int_equal(count_events(ev0, "test", "_connection_1", &ev), 1);
    it_assert_str(ev->destination_group_id, "_destination_1");
    assert_non_null(ev->sync_id);
    assert_true(ev->created.valid);
    st1 = rx_stats();
    assert_int_equal(st1.delivered - st0.delivered, 1);
    assert_int_equal(st1.rejected - st0.rejected, 0);

    IT_OK(ftx_webhooks_get(cl, w->id, &got, IT_ERR));
    it_assert_str(got->id, w->id);
    it_assert_str(got->url, rx_url);
    assert_int_equal(got->event_count, 2);
    assert_int_equal(got->active, 1);
    it_assert_str(got->created_at.iso, w->created_at.iso);
    ftx_webhook_free(got);
    got = NULL;

    /* list and stream: the demo's two and ours, each once */
    {
        ftx_webhook_page *pg = NULL;
        ftx_list_options o = FTX_LIST_OPTIONS_INIT;
        ftx_webhook_stream *s = NULL;
        const ftx_webhook *x = NULL;
        it_idset *listed = it_idset_new(8), *streamed = it_idset_new(8);

        IT_OK(ftx_webhooks_list(cl, NULL, &pg, IT_ERR));
        for (i = 0; i < pg->count; i++)
            assert_int_equal(it_idset_add(listed, pg->items[i]->id), 1);
        ftx_webhook_page_free(pg);
        assert_int_equal(listed->count, 3);
        assert_true(it_idset_has(listed, "copper_sparrow"));
        assert_true(it_idset_has(listed, "willow_quartz"));
        assert_true(it_idset_has(listed, w->id));
        o.limit = 1;
        IT_OK(ftx_webhooks_stream(cl, &o, &s, IT_ERR));
        for (;;) {
            IT_OK(ftx_webhook_stream_next(s, &x, IT_ERR));
            if (x == NULL)
                break;
            assert_int_equal(it_idset_add(streamed, x->id), 1);
            if (strcmp(x->id, "willow_quartz") == 0) {
                it_assert_str(x->type, "group");
                it_assert_str(x->group_id, "deck_enjoy");
                assert_int_equal(x->active, 0);
            }
        }
        ftx_webhook_stream_free(s);
        assert_true(it_idset_equal(listed, streamed));
        it_idset_free(listed);
        it_idset_free(streamed);
    }

    /* update: fewer events, inactive (no test event), then active again (one more) */
    ev0 = event_count();
    p = json_pack("{s:[s],s:b}", "events", "sync_end", "active", 0);
    IT_OK(ftx_webhooks_update(cl, w->id, p, &upd, IT_ERR));
    json_decref(p);
    assert_int_equal(upd->event_count, 1);
    it_assert_str(upd->events[0], "sync_end");
    assert_int_equal(upd->active, 0);
    ftx_webhook_free(upd);
    upd = NULL;
    assert_int_equal(event_count(), ev0);
    p = json_pack("{s:[s,s],s:b}", "events", "sync_start", "sync_end", "active", 1);
    IT_OK(ftx_webhooks_update(cl, w->id, p, &upd, IT_ERR));
    json_decref(p);
    assert_int_equal(upd->active, 1);
    assert_int_equal(upd->event_count, 2);
    ftx_webhook_free(upd);
    assert_int_equal(count_events(ev0, "test", "_connection_1", NULL), 1);
    /* empty events are refused before sending */
    {
        size_t before = it_log_count(&rlog);

        p = json_pack("{s:[]}", "events");
        rc = ftx_webhooks_update(cl, w->id, p, &upd, &err);
        json_decref(p);
        it_assert_error(rc, &err, FTX_ERR_INVALID_ARGUMENT);
        assert_int_equal(it_log_count(&rlog), before);
    }

    /* test: the sandbox posts the event to our receiver, which verifies and parses it */
    ev0 = event_count();
    IT_OK(ftx_webhooks_test(cl, w->id, "sync_end", &tr, IT_ERR));
    assert_int_equal(tr->succeed, 1);
    assert_int_equal(tr->status, 200);
    ftx_webhook_test_result_free(tr);
    tr = NULL;
    assert_int_equal(count_events(ev0, "sync_end", "_connection_1", &ev), 1);
    it_assert_str(ev->status, "SUCCESSFUL");
    it_assert_str(ev->connector_type, "_connection_type");
    assert_int_equal(ftx_webhook_event_sync_end(ev), 1);
    assert_int_equal(ftx_webhook_event_successful(ev), 1);
    IT_OK(ftx_webhooks_test(cl, w->id, NULL, &tr, IT_ERR)); /* default: sync_start */
    assert_int_equal(tr->succeed, 1);
    ftx_webhook_test_result_free(tr);
    tr = NULL;
    assert_int_equal(count_events(ev0, "sync_start", "_connection_1", &ev), 1);
    assert_int_equal(ftx_webhook_event_sync_start(ev), 1);
    rc = ftx_webhooks_test(cl, "no_such_webhook", "sync_end", &tr, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    assert_string_equal(err.code, "NotFound_Webhook");

    IT_OK(ftx_webhooks_delete(cl, w->id, IT_ERR));
    rc = ftx_webhooks_get(cl, w->id, &got, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    assert_int_equal(err.status, 404);
    assert_string_equal(err.code, "NotFound_Webhook");
    assert_null(got);
    rc = ftx_webhooks_delete(cl, w->id, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    ftx_webhook_free(w);
}

static void test_webhook_wrong_secret_is_refused_by_receiver(void **state)
{
    ftx_webhook *w = NULL;
    ftx_webhook_page *pg = NULL;
    ftx_webhook_test_result *tr = NULL;
    ftx_webhook_server_stats st0, st1;
    ftx_error err = {0};
    size_t ev0 = event_count(), n_before;
    json_t *p;
    int rc;

    (void)state;
    IT_OK(ftx_webhooks_list(cl, NULL, &pg, IT_ERR));
    n_before = pg->count;
    ftx_webhook_page_free(pg);
    pg = NULL;

    /* active with a secret the receiver does not know: its test event fails verification
     * (401), so the API refuses the webhook and nothing is created */
    st0 = rx_stats();
    p = json_pack("{s:s,s:[s],s:b,s:s}", "url", rx_url, "events", "sync_end", "active", 1, "secret",
                  "some-other-secret");
    rc = ftx_webhooks_create_account(cl, p, &w, &err);
    json_decref(p);
    it_assert_error(rc, &err, FTX_ERR_BAD_REQUEST);
    assert_null(strstr(err.message, "some-other-secret"));
    assert_null(strstr(err.message, WH_SECRET));
    assert_null(w);
    st1 = rx_stats();
    assert_int_equal(st1.rejected - st0.rejected, 1);
    assert_int_equal(st1.delivered - st0.delivered, 0);
    assert_int_equal(event_count(), ev0);
    IT_OK(ftx_webhooks_list(cl, NULL, &pg, IT_ERR));
    assert_int_equal(pg->count, n_before);
    ftx_webhook_page_free(pg);

    /* inactive it is created unverified; its test then reports the receiver's 401 */
    p = json_pack("{s:s,s:[s],s:b,s:s}", "url", rx_url, "events", "sync_end", "active", 0, "secret",
                  "some-other-secret");
    IT_OK(ftx_webhooks_create_account(cl, p, &w, IT_ERR));
    json_decref(p);
    assert_int_equal(w->active, 0);
    IT_OK(ftx_webhooks_test(cl, w->id, "sync_end", &tr, IT_ERR));
    assert_int_equal(tr->succeed, 0);
    assert_int_equal(tr->status, 401);
    ftx_webhook_test_result_free(tr);
    assert_int_equal(rx_stats().rejected - st0.rejected, 2);
    assert_int_equal(event_count(), ev0);
    IT_OK(ftx_webhooks_delete(cl, w->id, IT_ERR));
    ftx_webhook_free(w);
}

static void test_webhook_group(void **state)
{
    ftx_group *g;
    ftx_webhook *w = NULL, *got = NULL;
    ftx_error err = {0};
    json_t *p;
    size_t before;
    int rc;

    (void)state;
    g = create_group("itest_wh_group");
    p = json_pack("{s:s,s:[s],s:b,s:s}", "url", rx_url, "events", "sync_end", "active", 1, "secret",
                  WH_SECRET);
    IT_OK(ftx_webhooks_create_group(cl, g->id, p, &w, IT_ERR));
    it_assert_str(w->type, "group");
    it_assert_str(w->group_id, g->id);
    assert_int_equal(ftx_webhook_group_level(w), 1);
    assert_int_equal(w->event_count, 1);
    IT_OK(ftx_webhooks_get(cl, w->id, &got, IT_ERR));
    it_assert_str(got->group_id, g->id);
    ftx_webhook_free(got);
    got = NULL;

    rc = ftx_webhooks_create_group(cl, "no_such_group", p, &got, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    assert_string_equal(err.code, "NotFound_Group");
    assert_null(got);
    json_decref(p);

    before = it_log_count(&rlog);
    p = json_pack("{s:s,s:[]}", "url", rx_url, "events");
    rc = ftx_webhooks_create_group(cl, g->id, p, &got, &err);
    json_decref(p);
    it_assert_error(rc, &err, FTX_ERR_INVALID_ARGUMENT);
    p = json_pack("{s:[s]}", "events", "sync_end");
    rc = ftx_webhooks_create_group(cl, g->id, p, &got, &err);
    json_decref(p);
    it_assert_error(rc, &err, FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(it_log_count(&rlog), before);

    /* deleting the group deletes its webhooks */
    IT_OK(ftx_groups_delete(cl, g->id, IT_ERR));
    rc = ftx_webhooks_get(cl, w->id, &got, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    ftx_webhook_free(w);
    ftx_group_free(g);
}

/* ---- deliveries of a real sync ---- */

/* Wait (bounded, 5 s) until the receiver has a sync_end for `connector_id` and
 * `dups` duplicate deliveries more than `dup0`. */
static int wait_sync_end(const char *connector_id, size_t from, uint64_t dups)
{
    uint64_t t0 = it_wall_ms();

    while (it_wall_ms() - t0 < 5000) {
        if (count_events(from, "sync_end", connector_id, NULL) >= 1 &&
            rx_stats().duplicates >= dups)
            return 1;
        it_nap_ms(5);
    }
    return 0;
}

static void test_sync_events_delivered_verified_once(void **state)
{
    ftx_group *g;
    ftx_destination *d = NULL;
    ftx_connector *ok = NULL, *bad = NULL;
    ftx_webhook *wa = NULL, *wg = NULL;
    ftx_sync_wait_options o = FTX_SYNC_WAIT_OPTIONS_INIT;
    ftx_sync_wait_result *r = NULL;
    const ftx_webhook_event *start = NULL, *end = NULL;
    ftx_webhook_server_stats st0, st1;
    size_t ev0;
    json_t *p;

    (void)state;
    g = create_group("itest_wh_sync");
    p = json_pack("{s:s,s:s,s:s}", "group_id", g->id, "service", "snowflake", "time_zone_offset",
                  "0");
    IT_OK(ftx_destinations_create(cl, p, &d, IT_ERR));
    json_decref(p);
    p = json_pack("{s:s,s:s,s:{s:s}}", "group_id", g->id, "service", "postgres", "config",
                  "schema_prefix", "wh_pg");
    IT_OK(ftx_connectors_create(cl, p, &ok, IT_ERR));
    json_decref(p);
    p = json_pack("{s:s,s:s,s:{s:s}}", "group_id", g->id, "service", "hubspot", "config", "schema",
                  "wh_hub");
    IT_OK(ftx_connectors_create(cl, p, &bad, IT_ERR));
    json_decref(p);
    p = json_pack("{s:{s:b}}", "config", "sandbox_fail", 1);
    IT_OK(ftx_connectors_update(cl, bad->id, p, NULL, IT_ERR));
    json_decref(p);

    /* an account webhook and a group webhook, both to our receiver: every sync event is
     * delivered twice, and the receiver passes it on once */
    p = json_pack("{s:s,s:[s,s],s:b,s:s}", "url", rx_url, "events", "sync_start", "sync_end",
                  "active", 1, "secret", WH_SECRET);
    IT_OK(ftx_webhooks_create_account(cl, p, &wa, IT_ERR));
    IT_OK(ftx_webhooks_create_group(cl, g->id, p, &wg, IT_ERR));
    json_decref(p);

    ev0 = event_count();
    st0 = rx_stats();
    o.poll_interval_ms = 10;
    o.timeout_ms = 4000;
    IT_OK(ftx_connectors_sync_and_wait(cl, ok->id, &o, &r, IT_ERR));
    assert_int_equal(r->outcome, FTX_SYNC_SUCCEEDED);
    ftx_sync_wait_result_free(r);
    r = NULL;
    assert_true(wait_sync_end(ok->id, ev0, st0.duplicates + 2));

    assert_int_equal(count_events(ev0, "sync_start", ok->id, &start), 1);
    assert_int_equal(count_events(ev0, "sync_end", ok->id, &end), 1);
    st1 = rx_stats();
    assert_int_equal(st1.delivered - st0.delivered, 2);
    assert_int_equal(st1.duplicates - st0.duplicates, 2);
    assert_int_equal(st1.rejected - st0.rejected, 0);
    /* parsed fields */
    it_assert_str(start->event, "sync_start");
    it_assert_str(start->connector_id, ok->id);
    it_assert_str(start->connector_type, "postgres");
    it_assert_str(start->connector_name, "wh_pg");
    it_assert_str(start->destination_group_id, g->id);
    assert_non_null(start->sync_id);
    assert_true(start->created.valid);
    assert_true(json_is_object(start->data));
    it_assert_str(end->event, "sync_end");
    it_assert_str(end->connector_id, ok->id);
    it_assert_str(end->destination_group_id, g->id);
    it_assert_str(end->sync_id, start->sync_id);
    it_assert_str(end->status, "SUCCESSFUL");
    it_assert_str(json_string_value(json_object_get(end->data, "status")), "SUCCESSFUL");
    assert_true(end->created.valid);
    assert_true(end->created.epoch_ms >= start->created.epoch_ms);
    assert_int_equal(ftx_webhook_event_successful(end), 1);
    assert_int_equal(ftx_webhook_event_failed(end), 0);

    /* a failing sync: sync_end reports the failure */
    ev0 = event_count();
    st0 = rx_stats();
    IT_OK(ftx_connectors_sync_and_wait(cl, bad->id, &o, &r, IT_ERR));
    assert_int_equal(r->outcome, FTX_SYNC_FAILED);
    ftx_sync_wait_result_free(r);
    assert_true(wait_sync_end(bad->id, ev0, st0.duplicates + 2));
    assert_int_equal(count_events(ev0, "sync_start", bad->id, &start), 1);
    assert_int_equal(count_events(ev0, "sync_end", bad->id, &end), 1);
    it_assert_str(end->sync_id, start->sync_id);
    it_assert_str(end->connector_type, "hubspot");
    it_assert_str(end->destination_group_id, g->id);
    it_assert_str(end->status, "FAILURE_WITH_TASK");
    it_assert_str(json_string_value(json_object_get(end->data, "reason")), "Connection timeout");
    assert_int_equal(ftx_webhook_event_failed(end), 1);
    assert_int_equal(ftx_webhook_event_successful(end), 0);
    /* nothing of the other connector */
    assert_int_equal(count_events(ev0, "sync_start", ok->id, NULL), 0);
    st1 = rx_stats();
    assert_int_equal(st1.delivered - st0.delivered, 2);
    assert_int_equal(st1.rejected - st0.rejected, 0);

    IT_OK(ftx_webhooks_delete(cl, wa->id, IT_ERR));
    IT_OK(ftx_groups_delete(cl, g->id, IT_ERR));
    ftx_webhook_free(wa);
    ftx_webhook_free(wg);
    ftx_connector_free(ok);
    ftx_connector_free(bad);
    ftx_destination_free(d);
    ftx_group_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_destinations_crud_test_conflict),
        cmocka_unit_test(test_destinations_list_and_stream),
        cmocka_unit_test(test_webhook_account_lifecycle),
        cmocka_unit_test(test_webhook_wrong_secret_is_refused_by_receiver),
        cmocka_unit_test(test_webhook_group),
        cmocka_unit_test(test_sync_events_delivered_verified_once),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
