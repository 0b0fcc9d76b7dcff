/*
 * libfivetrex against fivetrex-sandbox: groups, destinations and connectors through the
 * public API only. Most tests share one sandbox started with `--seed demo`; one test
 * runs against a fresh (empty) sandbox.
 */
#include "lib_itest.h"

static sandbox_proc *sb;
static ftx_client *cl;
static it_log rlog;

static int setup(void **state)
{
    const char *args[] = {"--seed", "demo", "--sync-duration-ms", "100", NULL};

    (void)state;
    sb = sandbox_start(args);
    if (sb == NULL)
        return -1;
    it_log_init(&rlog);
    cl = it_client(sandbox_url(sb), NULL, &rlog);
    return cl != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ftx_client_free(cl);
    it_log_dispose(&rlog);
    return sandbox_stop(sb) == 0 ? 0 : -1;
}

/* ---- helpers ---- */

static ftx_group *create_group(ftx_client *c, const char *name)
{
    ftx_group *g = NULL;
    json_t *p = json_pack("{s:s}", "name", name);

    IT_OK(ftx_groups_create(c, p, &g, IT_ERR));
    json_decref(p);
    assert_non_null(g->id);
    it_assert_str(g->name, name);
    return g;
}

static ftx_destination *create_destination(ftx_client *c, const char *group_id)
{
    ftx_destination *d = NULL;
    json_t *p = json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:i,s:s,s:s,s:s}}", "group_id", group_id,
                          "service", "snowflake", "region", "AWS_US_EAST_1", "time_zone_offset",
                          "-5", "config", "host", "itest.snowflakecomputing.com", "port", 443,
                          "database", "ITEST", "user", "loader", "password", "dest-password");

    IT_OK(ftx_destinations_create(c, p, &d, IT_ERR));
    json_decref(p);
    return d;
}

static ftx_connector *create_connector(ftx_client *c, const char *group_id, const char *service,
                                       const char *schema)
{
    ftx_connector *k = NULL;
    json_t *p =
        json_pack("{s:s,s:s,s:{s:s,s:s,s:s}}", "group_id", group_id, "service", service, "config",
                  "schema", schema, "host", "db.itest.local", "password", "conn-password");

    IT_OK(ftx_connectors_create(c, p, &k, IT_ERR));
    json_decref(p);
    assert_non_null(k->id);
    return k;
}

/* Every group id by paging with ftx_groups_list; each page honours the limit. */
static it_idset *groups_by_pages(int limit)
{
    it_idset *ids = it_idset_new(64);
    ftx_list_options o = FTX_LIST_OPTIONS_INIT;
    char *cursor = NULL;
    int pages = 0;

    o.limit = limit;
    do {
        ftx_group_page *pg = NULL;
        size_t i;

        o.cursor = cursor;
        IT_OK(ftx_groups_list(cl, &o, &pg, IT_ERR));
        assert_true(pg->count <= (size_t)(limit > 0 ? limit : 100));
        for (i = 0; i < pg->count; i++) {
            assert_non_null(pg->items[i]->id);
            assert_true(pg->items[i]->created_at.valid);
            assert_int_equal(it_idset_add(ids, pg->items[i]->id), 1);
        }
        free(cursor);
        cursor = pg->next_cursor ? strdup(pg->next_cursor) : NULL;
        /* a full page, unless it is the last one */
        if (cursor != NULL && limit > 0)
            assert_int_equal(pg->count, limit);
        ftx_group_page_free(pg);
        assert_true(++pages < 1000);
    } while (cursor != NULL);
    return ids;
}

static it_idset *groups_by_stream(int limit, int prefetch)
{
    it_idset *ids = it_idset_new(64);
    ftx_list_options o = FTX_LIST_OPTIONS_INIT;
    ftx_group_stream *s = NULL;
    const ftx_group *g = NULL;

    o.limit = limit;
    o.prefetch = prefetch;
    IT_OK(ftx_groups_stream(cl, &o, &s, IT_ERR));
    for (;;) {
        IT_OK(ftx_group_stream_next(s, &g, IT_ERR));
        if (g == NULL)
            break;
        assert_int_equal(it_idset_add(ids, g->id), 1);
    }
    /* the end is sticky: no further request, still the end */
    {
        size_t before = it_log_count(&rlog);

        IT_OK(ftx_group_stream_next(s, &g, IT_ERR));
        assert_null(g);
        assert_int_equal(it_log_count(&rlog), before);
    }
    ftx_group_stream_free(s);
    return ids;
}

/* Connector ids by paging (group_id NULL: the account-wide list). */
static it_idset *connectors_by_pages(const char *group_id, int limit)
{
    it_idset *ids = it_idset_new(128);
    ftx_list_options o = FTX_LIST_OPTIONS_INIT;
    char *cursor = NULL;
    int pages = 0;

    o.limit = limit;
    do {
        ftx_connector_page *pg = NULL;
        size_t i;

        o.cursor = cursor;
        if (group_id != NULL)
            IT_OK(ftx_connectors_list(cl, group_id, &o, &pg, IT_ERR));
        else
            IT_OK(ftx_connectors_list_all(cl, &o, &pg, IT_ERR));
        assert_true(pg->count <= (size_t)(limit > 0 ? limit : 100));
        for (i = 0; i < pg->count; i++) {
            if (group_id != NULL)
                it_assert_str(pg->items[i]->group_id, group_id);
            assert_int_equal(it_idset_add(ids, pg->items[i]->id), 1);
        }
        free(cursor);
        cursor = pg->next_cursor ? strdup(pg->next_cursor) : NULL;
        ftx_connector_page_free(pg);
        assert_true(++pages < 1000);
    } while (cursor != NULL);
    return ids;
}

static it_idset *connectors_by_stream(const char *group_id, int limit, int prefetch,
                                      it_idset *groups_seen)
{
    it_idset *ids = it_idset_new(128);
    ftx_list_options o = FTX_LIST_OPTIONS_INIT;
    ftx_connector_stream *s = NULL;
    const ftx_connector *k = NULL;

    o.limit = limit;
    o.prefetch = prefetch;
    if (group_id != NULL)
        IT_OK(ftx_connectors_stream(cl, group_id, &o, &s, IT_ERR));
    else
        IT_OK(ftx_connectors_stream_all(cl, &o, &s, IT_ERR));
    for (;;) {
        IT_OK(ftx_connector_stream_next(s, &k, IT_ERR));
        if (k == NULL)
            break;
        assert_non_null(k->group_id);
        if (group_id != NULL)
            it_assert_str(k->group_id, group_id);
        if (groups_seen != NULL)
            (void)it_idset_add(groups_seen, k->group_id);
        assert_int_equal(it_idset_add(ids, k->id), 1);
    }
    ftx_connector_stream_free(s);
    return ids;
}

/* ---- groups ---- */

static void test_groups_crud(void **state)
{
    ftx_group *g, *got = NULL, *upd = NULL;
    ftx_error err = {0};
    json_t *p;
    int rc;

    (void)state;
    /* the demo seed's groups, parsed */
    IT_OK(ftx_groups_get(cl, "decent_dropsy", &got, IT_ERR));
    it_assert_str(got->id, "decent_dropsy");
    it_assert_str(got->name, "Primary_Snowflake");
    it_assert_str(got->created_at.iso, "2024-03-11T09:14:22.306Z");
    assert_true(got->created_at.valid);
    assert_int_equal(got->created_at.epoch_ms, 1710148462306LL);
    ftx_group_free(got);
    got = NULL;

    g = create_group(cl, "itest_crud");
    assert_true(g->created_at.valid);
    IT_OK(ftx_groups_get(cl, g->id, &got, IT_ERR));
    it_assert_str(got->id, g->id);
    it_assert_str(got->name, "itest_crud");
    it_assert_str(got->created_at.iso, g->created_at.iso);
    assert_non_null(got->raw);
    ftx_group_free(got);
    got = NULL;

    p = json_pack("{s:s}", "name", "itest_crud_renamed");
    IT_OK(ftx_groups_update(cl, g->id, p, &upd, IT_ERR));
    json_decref(p);
    it_assert_str(upd->id, g->id);
    it_assert_str(upd->name, "itest_crud_renamed");
    IT_OK(ftx_groups_get(cl, g->id, &got, IT_ERR));
    it_assert_str(got->name, "itest_crud_renamed");
    ftx_group_free(got);
    got = NULL;
    ftx_group_free(upd);

    /* a missing name is the API's 400, with its code copied */
    p = json_object();
    rc = ftx_groups_create(cl, p, &got, &err);
    json_decref(p);
    it_assert_error(rc, &err, FTX_ERR_BAD_REQUEST);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.code, "InvalidInput");
    assert_null(got);

    IT_OK(ftx_groups_delete(cl, g->id, IT_ERR));
    rc = ftx_groups_get(cl, g->id, &got, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    assert_int_equal(err.status, 404);
    assert_string_equal(err.code, "NotFound_Group");
    assert_null(got);

    /* hostile ids stay one path segment: never another endpoint */
    rc = ftx_groups_get(cl, "../connections", &got, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    rc = ftx_groups_get(cl, "a/b?c=d#e", &got, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    rc = ftx_groups_get(cl, "", &got, &err);
    it_assert_error(rc, &err, FTX_ERR_INVALID_ARGUMENT);
    ftx_group_free(g);
}

static void test_groups_list_and_stream_every_item_once(void **state)
{
    static const int limits[] = {1, 2, 3, 7, 100, 1000, 0};
    ftx_group *made[9];
    it_idset *clean;
    size_t i;
    char name[32];

    (void)state;
    for (i = 0; i < 9; i++) {
        (void)snprintf(name, sizeof(name), "itest_page_%zu", i);
        made[i] = create_group(cl, name);
    }
    clean = groups_by_pages(1000);
    assert_true(clean->count >= 4 + 9); /* the demo's 4 and ours */
    for (i = 0; i < 9; i++)
        assert_true(it_idset_has(clean, made[i]->id));
    assert_true(it_idset_has(clean, "amber_lagoon"));

    for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
        it_idset *paged = groups_by_pages(limits[i]);
        it_idset *streamed = groups_by_stream(limits[i], 1);
        it_idset *sync_streamed = groups_by_stream(limits[i], 0);

        assert_true(it_idset_equal(paged, clean));
        assert_true(it_idset_equal(streamed, clean));
        assert_true(it_idset_equal(sync_streamed, clean));
        it_idset_free(paged);
        it_idset_free(streamed);
        it_idset_free(sync_streamed);
    }

    /* a stream can start from a page's cursor: the rest, without overlap */
    {
        ftx_list_options o = FTX_LIST_OPTIONS_INIT;
        ftx_group_page *pg = NULL;
        ftx_group_stream *s = NULL;
        const ftx_group *g = NULL;
        it_idset *all = it_idset_new(64);

        o.limit = 3;
        IT_OK(ftx_groups_list(cl, &o, &pg, IT_ERR));
        assert_int_equal(pg->count, 3);
        assert_non_null(pg->next_cursor);
        for (i = 0; i < pg->count; i++)
            assert_int_equal(it_idset_add(all, pg->items[i]->id), 1);
        o.cursor = pg->next_cursor;
        IT_OK(ftx_groups_stream(cl, &o, &s, IT_ERR));
        for (;;) {
            IT_OK(ftx_group_stream_next(s, &g, IT_ERR));
            if (g == NULL)
                break;
            assert_int_equal(it_idset_add(all, g->id), 1);
        }
        ftx_group_stream_free(s);
        ftx_group_page_free(pg);
        assert_true(it_idset_equal(all, clean));
        it_idset_free(all);
    }

    /* a stream asks for pages lazily: limit 2, stop after 3 items -> 2 requests */
    {
        ftx_list_options o = FTX_LIST_OPTIONS_INIT;
        ftx_group_stream *s = NULL;
        const ftx_group *g = NULL;
        size_t before;

        o.limit = 2;
        o.prefetch = 0;
        IT_OK(ftx_groups_stream(cl, &o, &s, IT_ERR));
        before = it_log_count(&rlog);
        for (i = 0; i < 3; i++) {
            IT_OK(ftx_group_stream_next(s, &g, IT_ERR));
            assert_non_null(g);
        }
        ftx_group_stream_free(s);
        assert_int_equal(it_log_count(&rlog) - before, 2);
        assert_int_equal(it_log_matching(&rlog, before, "GET", "/groups?limit=2", 0), 1);
    }

    /* limit outside 1..1000 is refused before any request */
    {
        ftx_list_options o = FTX_LIST_OPTIONS_INIT;
        ftx_group_page *pg = NULL;
        ftx_error err = {0};
        size_t before = it_log_count(&rlog);

        o.limit = 1001;
        it_assert_error(ftx_groups_list(cl, &o, &pg, &err), &err, FTX_ERR_INVALID_ARGUMENT);
        assert_int_equal(it_log_count(&rlog), before);
        /* a cursor the API never issued is its 400 */
        o.limit = 5;
        o.cursor = "not-a-cursor";
        it_assert_error(ftx_groups_list(cl, &o, &pg, &err), &err, FTX_ERR_BAD_REQUEST);
        assert_null(pg);
    }

    for (i = 0; i < 9; i++) {
        IT_OK(ftx_groups_delete(cl, made[i]->id, IT_ERR));
        ftx_group_free(made[i]);
    }
    it_idset_free(clean);
}

/* ---- connectors ---- */

static void test_connector_create_get_update_list(void **state)
{
    ftx_group *g;
    ftx_destination *d;
    ftx_connector *k, *got = NULL, *upd = NULL;
    ftx_connector_page *pg = NULL;
    ftx_error err = {0};
    json_t *p;
    int rc;

    (void)state;
    g = create_group(cl, "itest_connectors");
    d = create_destination(cl, g->id);
    it_assert_str(d->id, g->id);
    it_assert_str(d->group_id, g->id);
    it_assert_str(d->service, "snowflake");

    k = create_connector(cl, g->id, "postgres", "itest_pg");
    it_assert_str(k->group_id, g->id);
    it_assert_str(k->service, "postgres");
    it_assert_str(k->schema, "itest_pg");
    assert_int_equal(k->paused, 0);
    assert_int_equal(k->sync_frequency, 360);
    it_assert_str(k->setup_state, "connected");
    it_assert_str(ftx_connector_sync_state(k), "scheduled");
    assert_true(k->created_at.valid);
    assert_null(k->succeeded_at.iso);
    assert_null(k->failed_at.iso);
    assert_non_null(k->config);
    it_assert_str(json_string_value(json_object_get(k->config, "host")), "db.itest.local");
    /* secrets come back masked */
    it_assert_str(json_string_value(json_object_get(k->config, "password")), "******");
    assert_true(json_is_array(json_object_get(k->raw, "setup_tests")));

    IT_OK(ftx_connectors_get(cl, k->id, &got, IT_ERR));
    it_assert_str(got->id, k->id);
    it_assert_str(got->group_id, g->id);
    it_assert_str(got->service, "postgres");
    it_assert_str(got->schema, "itest_pg");
    it_assert_str(got->schedule_type, "auto");
    assert_int_equal(got->service_version, 1);
    it_assert_str(got->status->update_state, "on_schedule");
    assert_int_equal(got->status->is_historical_sync, 1);
    assert_int_equal(got->status->task_count, 0);
    assert_int_equal(got->status->warning_count, 0);
    assert_int_equal(got->created_at.epoch_ms, k->created_at.epoch_ms);
    ftx_connector_free(got);

    /* a second connection with the same schema in the group conflicts */
    p = json_pack("{s:s,s:s,s:{s:s}}", "group_id", g->id, "service", "mysql", "config", "schema",
                  "itest_pg");
    got = NULL;
    rc = ftx_connectors_create(cl, p, &got, &err);
    json_decref(p);
    it_assert_error(rc, &err, FTX_ERR_CONFLICT);
    assert_int_equal(err.status, 409);
    assert_string_equal(err.code, "Conflict");
    assert_null(got);

    /* update: frequency and config (merged) */
    p = json_pack("{s:i,s:{s:s}}", "sync_frequency", 60, "config", "host", "db2.itest.local");
    IT_OK(ftx_connectors_update(cl, k->id, p, &upd, IT_ERR));
    json_decref(p);
    assert_int_equal(upd->sync_frequency, 60);
    it_assert_str(json_string_value(json_object_get(upd->config, "host")), "db2.itest.local");
    it_assert_str(json_string_value(json_object_get(upd->config, "schema")), "itest_pg");
    ftx_connector_free(upd);
    IT_OK(ftx_connectors_get(cl, k->id, &got, IT_ERR));
    assert_int_equal(got->sync_frequency, 60);
    ftx_connector_free(got);

    /* the group's list has exactly it */
    IT_OK(ftx_connectors_list(cl, g->id, NULL, &pg, IT_ERR));
    assert_int_equal(pg->count, 1);
    it_assert_str(pg->items[0]->id, k->id);
    assert_int_equal(pg->items[0]->sync_frequency, 60);
    assert_null(pg->next_cursor);
    ftx_connector_page_free(pg);

    /* unknown connector: 404 with the API's code */
    got = NULL;
    rc = ftx_connectors_get(cl, "no_such_connector", &got, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    assert_string_equal(err.code, "NotFound_Connector");
    assert_null(got);
    /* unknown group's list */
    pg = NULL;
    rc = ftx_connectors_list(cl, "no_such_group", NULL, &pg, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    assert_string_equal(err.code, "NotFound_Group");

    /* delete the connector alone */
    IT_OK(ftx_connectors_delete(cl, k->id, IT_ERR));
    rc = ftx_connectors_get(cl, k->id, &got, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    rc = ftx_connectors_delete(cl, k->id, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);

    IT_OK(ftx_groups_delete(cl, g->id, IT_ERR));
    ftx_connector_free(k);
    ftx_destination_free(d);
    ftx_group_free(g);
}

static void test_connector_setup_tests_and_connect_card(void **state)
{
    ftx_connector *k = NULL, *t = NULL;
    json_t *p, *card = NULL;
    const char *token;

    (void)state;
    p = json_pack("{s:s,s:s,s:{s:s},s:{s:s,s:b}}", "group_id", "amber_lagoon", "service",
                  "salesforce", "config", "schema", "itest_card", "connect_card_config",
                  "redirect_uri", "https://app.example/done", "hide_setup_guide", 1);
    IT_OK(ftx_connectors_create(cl, p, &k, IT_ERR));
    json_decref(p);
    assert_non_null(k->connect_card);
    assert_non_null(k->connect_card_token);
    assert_non_null(k->connect_card_uri);
    assert_non_null(strstr(k->connect_card_uri, "redirect_uri=https://app.example/done"));

    IT_OK(ftx_connectors_test(cl, k->id, NULL, &t, IT_ERR));
    it_assert_str(t->id, k->id);
    it_assert_str(t->setup_state, "connected");
    assert_int_equal(json_array_size(json_object_get(t->raw, "setup_tests")), 3);
    ftx_connector_free(t);

    p = json_pack("{s:s}", "redirect_uri", "https://app.example/again");
    IT_OK(ftx_connectors_connect_card(cl, k->id, p, &card, IT_ERR));
    json_decref(p);
    it_assert_str(json_string_value(json_object_get(card, "connector_id")), k->id);
    token = json_string_value(json_object_get(json_object_get(card, "connect_card"), "token"));
    assert_non_null(token);
    assert_true(strlen(token) > 10);
    json_decref(card);

    IT_OK(ftx_connectors_delete(cl, k->id, IT_ERR));
    ftx_connector_free(k);
}

/* What the API returns after a write, read back through the typed model: the link/agent
 * ids, setup_tests on GET/PATCH/list items (a failing step with list details),
 * status.schema_status and status.rescheduled_for. */
static void test_connector_link_ids_setup_tests_status(void **state)
{
    ftx_connector *k = NULL, *got = NULL, *upd = NULL;
    ftx_connector_page *page = NULL;
    const ftx_connector *item = NULL;
    ftx_sync_result *sr = NULL;
    json_t *p;

    (void)state;
    p = json_pack("{s:s,s:s,s:{s:s},s:s,s:s,s:s,s:s}", "group_id", "amber_lagoon", "service",
                  "postgres", "config", "schema_prefix", "itest_linked", "networking_method",
                  "PrivateLink", "private_link_id", "pl_itest", "proxy_agent_id", "pa_itest",
                  "hybrid_deployment_agent_id", "hd_itest");
    IT_OK(ftx_connectors_create(cl, p, &k, IT_ERR));
    json_decref(p);
    it_assert_str(k->private_link_id, "pl_itest");
    it_assert_str(k->proxy_agent_id, "pa_itest");
    it_assert_str(k->hybrid_deployment_agent_id, "hd_itest");
    assert_int_equal(k->setup_test_count, 3);

    IT_OK(ftx_connectors_get(cl, k->id, &got, IT_ERR));
    it_assert_str(got->private_link_id, "pl_itest");
    it_assert_str(got->proxy_agent_id, "pa_itest");
    it_assert_str(got->hybrid_deployment_agent_id, "hd_itest");
    assert_int_equal(got->setup_test_count, 3);
    it_assert_str(got->setup_tests[0]->status, "PASSED");
    assert_null(got->setup_tests[2]->details);
    it_assert_str(got->status->schema_status, "ready");
    assert_false(got->status->rescheduled_for.valid);
    ftx_connector_free(got);

    p = json_pack("{s:n,s:s,s:{s:b},s:b}", "proxy_agent_id", "hybrid_deployment_agent_id",
                  "hd_itest2", "config", "sandbox_fail", 1, "run_setup_tests", 1);
    IT_OK(ftx_connectors_update(cl, k->id, p, &upd, IT_ERR));
    json_decref(p);
    it_assert_str(upd->private_link_id, "pl_itest");
    assert_null(upd->proxy_agent_id);
    it_assert_str(upd->hybrid_deployment_agent_id, "hd_itest2");
    assert_int_equal(upd->setup_test_count, 3);
    it_assert_str(upd->setup_tests[2]->status, "FAILED");
    assert_true(json_is_array(upd->setup_tests[2]->details));
    ftx_connector_free(upd);

    IT_OK(ftx_connectors_list(cl, "amber_lagoon", NULL, &page, IT_ERR));
    for (size_t i = 0; i < page->count; i++)
        if (strcmp(page->items[i]->id, k->id) == 0)
            item = page->items[i];
    assert_non_null(item);
    it_assert_str(item->private_link_id, "pl_itest");
    it_assert_str(item->hybrid_deployment_agent_id, "hd_itest2");
    it_assert_str(json_string_value(json_object_get(item->raw, "local_processing_agent_id")),
                  "hd_itest2");
    assert_int_equal(item->setup_test_count, 3);
    it_assert_str(item->setup_tests[2]->status, "FAILED");
    it_assert_str(item->status->schema_status, "ready");
    ftx_connector_page_free(page);
    IT_OK(ftx_connectors_delete(cl, k->id, IT_ERR));
    ftx_connector_free(k);

    /* a sync that waits for API quota: rescheduled, with the time it resumes */
    p = json_pack("{s:s,s:s,s:{s:s,s:i}}", "group_id", "amber_lagoon", "service", "hubspot",
                  "config", "schema", "itest_quota", "sandbox_rescheduled", 600000);
    IT_OK(ftx_connectors_create(cl, p, &k, IT_ERR));
    json_decref(p);
    IT_OK(ftx_connectors_sync(cl, k->id, NULL, &sr, IT_ERR));
    ftx_sync_result_free(sr);
    IT_OK(ftx_connectors_get(cl, k->id, &got, IT_ERR));
    it_assert_str(got->status->sync_state, "rescheduled");
    assert_true(got->status->rescheduled_for.valid);
    assert_true(got->status->rescheduled_for.epoch_ms > (int64_t)it_wall_ms() + 500000);
    ftx_connector_free(got);
    IT_OK(ftx_connectors_delete(cl, k->id, IT_ERR));
    ftx_connector_free(k);
}

static void test_connectors_stream_pages_and_stream_all(void **state)
{
    static const int limits[] = {1, 7, 100, 1000};
    ftx_group *g1, *g2;
    it_idset *clean1, *clean_all, *groups_seen;
    char schema[32];
    size_t i;

    (void)state;
    g1 = create_group(cl, "itest_stream_a");
    g2 = create_group(cl, "itest_stream_b");
    for (i = 0; i < 23; i++) {
        ftx_connector *k;

        (void)snprintf(schema, sizeof(schema), "s_%zu", i);
        k = create_connector(cl, i % 3 == 0 ? g2->id : g1->id, i % 2 ? "postgres" : "mysql",
                             schema);
        ftx_connector_free(k);
    }
    clean1 = connectors_by_pages(g1->id, 1000);
    assert_int_equal(clean1->count, 15);
    clean_all = connectors_by_pages(NULL, 1000);
    assert_true(clean_all->count >= 8 + 23);
    assert_true(it_idset_has(clean_all, "speak_inexpensive"));
    assert_true(it_idset_has(clean_all, "cedar_harbor"));

    for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
        it_idset *a = connectors_by_pages(g1->id, limits[i]);
        it_idset *b = connectors_by_stream(g1->id, limits[i], 1, NULL);
        it_idset *c = connectors_by_pages(NULL, limits[i]);
        it_idset *d;

        groups_seen = it_idset_new(16);
        d = connectors_by_stream(NULL, limits[i], (int)(i % 2), groups_seen);
        assert_true(it_idset_equal(a, clean1));
        assert_true(it_idset_equal(b, clean1));
        assert_true(it_idset_equal(c, clean_all));
        assert_true(it_idset_equal(d, clean_all));
        /* across groups: the demo's three groups with connections and ours */
        assert_true(it_idset_has(groups_seen, "decent_dropsy"));
        assert_true(it_idset_has(groups_seen, "projected_sickle"));
        assert_true(it_idset_has(groups_seen, "deck_enjoy"));
        assert_true(it_idset_has(groups_seen, g1->id));
        assert_true(it_idset_has(groups_seen, g2->id));
        it_idset_free(a);
        it_idset_free(b);
        it_idset_free(c);
        it_idset_free(d);
        it_idset_free(groups_seen);
    }

    /* the account-wide stream requests /connections page by page with the limit */
    {
        size_t before = it_log_count(&rlog);
        it_idset *s = connectors_by_stream(NULL, 10, 0, NULL);
        size_t pages = (clean_all->count + 9) / 10;

        assert_int_equal(it_log_matching(&rlog, before, "GET", "/connections?", 1), pages);
        assert_int_equal(it_log_count(&rlog) - before, pages);
        it_idset_free(s);
    }

    IT_OK(ftx_groups_delete(cl, g1->id, IT_ERR));
    IT_OK(ftx_groups_delete(cl, g2->id, IT_ERR));
    it_idset_free(clean1);
    it_idset_free(clean_all);
    ftx_group_free(g1);
    ftx_group_free(g2);
}

static void test_pause_resume(void **state)
{
    ftx_connector *k = NULL;
    ftx_sync_status *st = NULL;

    (void)state;
    IT_OK(ftx_connectors_pause(cl, "program_quoth", &k, IT_ERR));
    assert_int_equal(k->paused, 1);
    assert_int_equal(ftx_connector_paused(k), 1);
    it_assert_str(ftx_connector_sync_state(k), "paused");
    ftx_connector_free(k);
    k = NULL;
    IT_OK(ftx_connectors_get(cl, "program_quoth", &k, IT_ERR));
    assert_int_equal(k->paused, 1);
    ftx_connector_free(k);
    IT_OK(ftx_connectors_get_sync_status(cl, "program_quoth", &st, IT_ERR));
    it_assert_str(st->sync_state, "paused");
    assert_int_equal(ftx_sync_status_paused(st), 1);
    it_assert_str(st->succeeded_at.iso, "2026-06-01T02:00:41.003Z");
    assert_true(st->succeeded_at.valid);
    assert_null(st->failed_at.iso);
    ftx_sync_status_free(st);

    /* a paused connector's sync is refused by the sandbox (409 by default) */
    {
        ftx_error err = {0};
        int rc = ftx_connectors_sync(cl, "program_quoth", NULL, NULL, &err);

        it_assert_error(rc, &err, FTX_ERR_CONFLICT);
    }

    k = NULL;
    IT_OK(ftx_connectors_resume(cl, "program_quoth", &k, IT_ERR));
    assert_int_equal(k->paused, 0);
    it_assert_str(ftx_connector_sync_state(k), "scheduled");
    ftx_connector_free(k);
    /* out may be NULL */
    IT_OK(ftx_connectors_pause(cl, "program_quoth", NULL, IT_ERR));
    IT_OK(ftx_connectors_resume(cl, "program_quoth", NULL, IT_ERR));
    k = NULL;
    IT_OK(ftx_connectors_get(cl, "program_quoth", &k, IT_ERR));
    assert_int_equal(k->paused, 0);
    ftx_connector_free(k);
}

static void test_set_sync_frequency(void **state)
{
    ftx_sync_frequency_options o = FTX_SYNC_FREQUENCY_OPTIONS_INIT;
    ftx_connector *k = NULL;
    ftx_error err = {0};
    size_t before;
    int rc;

    (void)state;
    o.daily_sync_time = "04:00";
    IT_OK(ftx_connectors_set_sync_frequency(cl, "lumber_tomato", 1440, &o, &k, IT_ERR));
    assert_int_equal(k->sync_frequency, 1440);
    it_assert_str(k->daily_sync_time, "04:00");
    ftx_connector_free(k);
    k = NULL;
    IT_OK(ftx_connectors_get(cl, "lumber_tomato", &k, IT_ERR));
    assert_int_equal(k->sync_frequency, 1440);
    it_assert_str(k->daily_sync_time, "04:00");
    ftx_connector_free(k);
    k = NULL;

    o.daily_sync_time = NULL;
    o.schedule_type = "manual";
    IT_OK(ftx_connectors_set_sync_frequency(cl, "lumber_tomato", 60, &o, &k, IT_ERR));
    assert_int_equal(k->sync_frequency, 60);
    assert_null(k->daily_sync_time); /* only daily syncs have one */
    it_assert_str(k->schedule_type, "manual");
    ftx_connector_free(k);
    k = NULL;
    o.schedule_type = "auto";
    IT_OK(ftx_connectors_set_sync_frequency(cl, "lumber_tomato", 360, &o, NULL, IT_ERR));

    /* values outside the closed set never reach the wire */
    before = it_log_count(&rlog);
    rc = ftx_connectors_set_sync_frequency(cl, "lumber_tomato", 7, NULL, &k, &err);
    it_assert_error(rc, &err, FTX_ERR_INVALID_ARGUMENT);
    o.schedule_type = "sometimes";
    rc = ftx_connectors_set_sync_frequency(cl, "lumber_tomato", 60, &o, &k, &err);
    it_assert_error(rc, &err, FTX_ERR_INVALID_ARGUMENT);
    o.schedule_type = NULL;
    o.daily_sync_time = "04:30";
    rc = ftx_connectors_set_sync_frequency(cl, "lumber_tomato", 1440, &o, &k, &err);
    it_assert_error(rc, &err, FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(it_log_count(&rlog), before);
    assert_null(k);

    IT_OK(ftx_connectors_get(cl, "lumber_tomato", &k, IT_ERR));
    assert_int_equal(k->sync_frequency, 360);
    it_assert_str(k->schedule_type, "auto");
    ftx_connector_free(k);
}

static void test_schema_config_get_update_reload(void **state)
{
    ftx_schema_config *sc = NULL, *upd = NULL, *rel = NULL;
    const ftx_schema *pub, *bil;
    const ftx_table *users, *orders, *ff;
    const ftx_column *id, *email;
    ftx_reload_options ro = FTX_RELOAD_OPTIONS_INIT;
    ftx_error err = {0};
    json_t *p;
    size_t before;
    int rc;

    (void)state;
    IT_OK(ftx_connectors_get_schema_config(cl, "speak_inexpensive", &sc, IT_ERR));
    assert_int_equal(sc->enable_new_by_default, 1);
    it_assert_str(sc->schema_change_handling, "ALLOW_ALL");
    assert_int_equal(sc->schema_count, 2);
    pub = ftx_schema_config_find_schema(sc, "public");
    bil = ftx_schema_config_find_schema(sc, "billing");
    assert_non_null(pub);
    assert_non_null(bil);
    assert_null(ftx_schema_config_find_schema(sc, "Public"));
    it_assert_str(pub->name, "public");
    it_assert_str(pub->name_in_destination, "public");
    assert_int_equal(pub->enabled, 1);
    assert_int_equal(pub->table_count, 3);
    /* order of the response */
    it_assert_str(pub->tables[0]->name, "users");
    it_assert_str(pub->tables[1]->name, "orders");
    it_assert_str(pub->tables[2]->name, "order_items");
    assert_int_equal(bil->table_count, 2);
    users = ftx_schema_find_table(pub, "users");
    assert_non_null(users);
    it_assert_str(users->name_in_destination, "users");
    assert_int_equal(users->enabled, 1);
    it_assert_str(users->sync_mode, "SOFT_DELETE");
    assert_int_equal(users->supports_columns_config, 1);
    assert_int_equal(users->supports_history_mode, 1);
    assert_true(json_is_true(json_object_get(users->enabled_patch_settings, "allowed")));
    assert_int_equal(users->column_count, 5);
    it_assert_str(users->columns[0]->name, "id");
    it_assert_str(users->columns[4]->name, "created_at");
    id = ftx_table_find_column(users, "id");
    assert_non_null(id);
    assert_int_equal(id->is_primary_key, 1);
    assert_int_equal(id->enabled, 1);
    assert_int_equal(id->hashed, 0);
    assert_true(json_is_false(json_object_get(id->enabled_patch_settings, "allowed")));
    it_assert_str(json_string_value(json_object_get(id->enabled_patch_settings, "reason_code")),
                  "SYSTEM_COLUMN");
    email = ftx_table_find_column(users, "email");
    assert_non_null(email);
    assert_int_equal(email->is_primary_key, 0);
    assert_null(ftx_table_find_column(users, "nope"));
    ftx_schema_config_free(sc);
    sc = NULL;

    /* another connector's policy */
    IT_OK(ftx_connectors_get_schema_config(cl, "program_quoth", &sc, IT_ERR));
    it_assert_str(sc->schema_change_handling, "ALLOW_COLUMNS");
    assert_int_equal(sc->enable_new_by_default, 0);
    ftx_schema_config_free(sc);
    sc = NULL;

    /* update: policy, a table off, a column hashed -- returned and persisted */
    p = json_pack("{s:s,s:{s:{s:{s:{s:b},s:{s:{s:{s:b}}}}}}}", "schema_change_handling",
                  "BLOCK_ALL", "schemas", "public", "tables", "orders", "enabled", 0, "users",
                  "columns", "email", "hashed", 1);
    IT_OK(ftx_connectors_update_schema_config(cl, "speak_inexpensive", p, &upd, IT_ERR));
    json_decref(p);
    it_assert_str(upd->schema_change_handling, "BLOCK_ALL");
    assert_int_equal(upd->enable_new_by_default, 0);
    pub = ftx_schema_config_find_schema(upd, "public");
    orders = ftx_schema_find_table(pub, "orders");
    assert_int_equal(orders->enabled, 0);
    email = ftx_table_find_column(ftx_schema_find_table(pub, "users"), "email");
    assert_int_equal(email->hashed, 1);
    assert_int_equal(email->enabled, 1);
    ftx_schema_config_free(upd);
    IT_OK(ftx_connectors_get_schema_config(cl, "speak_inexpensive", &sc, IT_ERR));
    pub = ftx_schema_config_find_schema(sc, "public");
    assert_int_equal(ftx_schema_find_table(pub, "orders")->enabled, 0);
    assert_int_equal(ftx_schema_find_table(pub, "order_items")->enabled, 1);
    assert_int_equal(ftx_table_find_column(ftx_schema_find_table(pub, "users"), "email")->hashed,
                     1);
    it_assert_str(sc->schema_change_handling, "BLOCK_ALL");
    ftx_schema_config_free(sc);
    sc = NULL;

    /* bad values are refused before sending; unknown names are the API's 404 */
    before = it_log_count(&rlog);
    p = json_pack("{s:s}", "schema_change_handling", "ALLOW_SOME");
    rc = ftx_connectors_update_schema_config(cl, "speak_inexpensive", p, &upd, &err);
    json_decref(p);
    it_assert_error(rc, &err, FTX_ERR_INVALID_ARGUMENT);
    ro.exclude_mode = "INCLUDE";
    rc = ftx_connectors_reload_schema_config(cl, "speak_inexpensive", &ro, &rel, &err);
    it_assert_error(rc, &err, FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(it_log_count(&rlog), before);
    p = json_pack("{s:{s:{s:{s:{s:b}}}}}", "schemas", "public", "tables", "nope", "enabled", 0);
    rc = ftx_connectors_update_schema_config(cl, "speak_inexpensive", p, &upd, &err);
    json_decref(p);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);

    /* reload finds the source's new table; under BLOCK_ALL it arrives disabled */
    ro.exclude_mode = "PRESERVE";
    IT_OK(ftx_connectors_reload_schema_config(cl, "speak_inexpensive", &ro, &rel, IT_ERR));
    pub = ftx_schema_config_find_schema(rel, "public");
    assert_int_equal(pub->table_count, 4);
    ff = ftx_schema_find_table(pub, "feature_flags");
    assert_non_null(ff);
    assert_int_equal(ff->enabled, 0);
    assert_non_null(ftx_table_find_column(ff, "id"));
    assert_int_equal(ftx_table_find_column(ff, "id")->is_primary_key, 1);
    /* earlier choices preserved */
    assert_int_equal(ftx_schema_find_table(pub, "orders")->enabled, 0);
    ftx_schema_config_free(rel);
    rel = NULL;
    /* NULL options: PRESERVE; out may be NULL */
    IT_OK(ftx_connectors_reload_schema_config(cl, "speak_inexpensive", NULL, NULL, IT_ERR));
    assert_int_equal(
        it_log_matching(&rlog, before, "POST", "/connections/speak_inexpensive/schemas/reload", 0),
        2);
}

static void test_table_columns(void **state)
{
    ftx_column_list *cols = NULL;
    ftx_error err = {0};
    int rc;

    (void)state;
    IT_OK(ftx_connectors_get_table_columns(cl, "mystified_presiding", "hubspot", "contact", &cols,
                                           IT_ERR));
    assert_int_equal(cols->count, 3);
    it_assert_str(cols->items[0]->name, "id");
    it_assert_str(cols->items[1]->name, "email");
    it_assert_str(cols->items[2]->name, "lifecycle_stage");
    assert_int_equal(cols->items[0]->is_primary_key, 1);
    assert_int_equal(cols->items[1]->is_primary_key, 0);
    it_assert_str(cols->items[1]->name_in_destination, "email");
    assert_int_equal(cols->items[1]->enabled, 1);
    assert_int_equal(cols->items[1]->hashed, 0);
    assert_true(json_is_object(json_object_get(cols->raw, "columns")));
    ftx_column_list_free(cols);
    cols = NULL;

    rc =
        ftx_connectors_get_table_columns(cl, "mystified_presiding", "hubspot", "nope", &cols, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    assert_int_equal(err.status, 404);
    rc =
        ftx_connectors_get_table_columns(cl, "mystified_presiding", "../x", "contact", &cols, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    assert_null(cols);
}

static void test_connector_state(void **state)
{
    json_t *st = NULL;
    ftx_connector *sdk;
    ftx_error err = {0};
    char path[128];
    long status = 0;
    int rc;

    (void)state;
    /* a Function connector with state */
    IT_OK(ftx_connectors_get_state(cl, "cedar_harbor", &st, IT_ERR));
    it_assert_str(json_string_value(json_object_get(json_object_get(st, "state"), "cursor")),
                  "2026-06-01T05:00:00Z");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(st, "state"), "page")), 42);
    json_decref(st);
    st = NULL;

    /* not a function connector: the API's 405 */
    rc = ftx_connectors_get_state(cl, "speak_inexpensive", &st, &err);
    it_assert_error(rc, &err, FTX_ERR_UNKNOWN);
    assert_int_equal(err.status, 405);
    assert_string_equal(err.code, "MethodNotAllowed");
    assert_null(st);

    /* a fresh connector_sdk connection: no state yet (400), then state set out of band */
    sdk = create_connector(cl, "amber_lagoon", "connector_sdk", "itest_sdk");
    rc = ftx_connectors_get_state(cl, sdk->id, &st, &err);
    it_assert_error(rc, &err, FTX_ERR_BAD_REQUEST);
    assert_string_equal(err.code, "InvalidInput");
    (void)snprintf(path, sizeof(path), "/connections/%s/state", sdk->id);
    assert_int_equal(sandbox_request(sandbox_url(sb), "PATCH", path,
                                     "{\"state\":{\"offset\":17,\"tables\":[\"a\",\"b\"]}}", NULL,
                                     &status, NULL),
                     0);
    assert_int_equal(status, 200);
    IT_OK(ftx_connectors_get_state(cl, sdk->id, &st, IT_ERR));
    {
        json_t *want = json_pack("{s:{s:i,s:[s,s]}}", "state", "offset", 17, "tables", "a", "b");

        assert_true(json_equal(st, want));
        json_decref(want);
    }
    json_decref(st);
    IT_OK(ftx_connectors_delete(cl, sdk->id, IT_ERR));
    ftx_connector_free(sdk);
}

static void test_group_delete_cascades(void **state)
{
    ftx_group *g, *gg = NULL;
    ftx_destination *d, *dd = NULL;
    ftx_connector *k1, *k2, *kk = NULL;
    ftx_connector_page *pg = NULL;
    ftx_error err = {0};
    int rc;

    (void)state;
    g = create_group(cl, "itest_cascade");
    d = create_destination(cl, g->id);
    k1 = create_connector(cl, g->id, "postgres", "cascade_a");
    k2 = create_connector(cl, g->id, "stripe", "cascade_b");

    IT_OK(ftx_groups_delete(cl, g->id, IT_ERR));

    rc = ftx_connectors_get(cl, k1->id, &kk, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    assert_int_equal(err.status, 404);
    assert_string_equal(err.code, "NotFound_Connector");
    assert_int_equal(err.attempts, 1); /* a 404 is never retried */
    assert_null(kk);
    rc = ftx_connectors_get(cl, k2->id, &kk, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    assert_string_equal(err.code, "NotFound_Connector");
    rc = ftx_destinations_get(cl, d->id, &dd, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    assert_string_equal(err.code, "NotFound_Destination");
    assert_null(dd);
    rc = ftx_groups_get(cl, g->id, &gg, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    assert_string_equal(err.code, "NotFound_Group");
    rc = ftx_connectors_list(cl, g->id, NULL, &pg, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    assert_null(pg);
    rc = ftx_groups_delete(cl, g->id, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);

    /* nothing of it is left in the account-wide listing */
    {
        it_idset *all = connectors_by_pages(NULL, 1000);

        assert_false(it_idset_has(all, k1->id));
        assert_false(it_idset_has(all, k2->id));
        it_idset_free(all);
    }
    ftx_connector_free(k1);
    ftx_connector_free(k2);
    ftx_destination_free(d);
    ftx_group_free(g);
}

/* ---- sync and wait (real clock, small poll interval) ---- */

typedef struct progress_log {
    int calls;
    int saw_syncing;
    int read_errors;
} progress_log;

static int on_progress(const ftx_sync_progress *p, void *userdata)
{
    progress_log *pl = userdata;

    pl->calls++;
    assert_int_equal(p->poll, pl->calls);
    if (p->connector != NULL && ftx_connector_syncing(p->connector))
        pl->saw_syncing = 1;
    if (p->error != NULL)
        pl->read_errors++;
    return 0;
}

static void test_sync_and_wait_success(void **state)
{
    ftx_sync_wait_options o = FTX_SYNC_WAIT_OPTIONS_INIT;
    ftx_sync_wait_result *r = NULL;
    ftx_connector *before = NULL, *after = NULL;
    progress_log pl = {0, 0, 0};
    size_t nlog = it_log_count(&rlog);
    uint64_t t0;

    (void)state;
    IT_OK(ftx_connectors_get(cl, "mystified_presiding", &before, IT_ERR));
    assert_true(before->succeeded_at.valid);

    o.poll_interval_ms = 20;
    o.timeout_ms = 4000;
    o.progress = on_progress;
    o.progress_userdata = &pl;
    t0 = it_wall_ms();
    IT_OK(ftx_connectors_sync_and_wait(cl, "mystified_presiding", &o, &r, IT_ERR));
    assert_true(it_wall_ms() - t0 < 4000);
    assert_int_equal(r->outcome, FTX_SYNC_SUCCEEDED);
    assert_non_null(r->connector);
    it_assert_str(r->connector->id, "mystified_presiding");
    assert_true(r->connector->succeeded_at.valid);
    assert_true(r->connector->succeeded_at.epoch_ms > before->succeeded_at.epoch_ms);
    it_assert_str(ftx_connector_sync_state(r->connector), "scheduled");
    it_assert_str(r->connector->setup_state, "connected");
    assert_true(r->polls >= 1);
    assert_int_equal(r->polls, pl.calls);
    assert_int_equal(pl.read_errors, 0);
    assert_true(r->elapsed_ms >= 100); /* the sandbox's sync takes 100 ms */
    assert_true(r->elapsed_ms < 4000);
    /* exactly one trigger */
    assert_int_equal(
        it_log_matching(&rlog, nlog, "POST", "/connections/mystified_presiding/sync", 0), 1);

    IT_OK(ftx_connectors_get(cl, "mystified_presiding", &after, IT_ERR));
    assert_int_equal(after->succeeded_at.epoch_ms, r->connector->succeeded_at.epoch_ms);
    ftx_connector_free(after);
    ftx_connector_free(before);
    ftx_sync_wait_result_free(r);
}

static void test_sync_and_wait_failure(void **state)
{
    ftx_sync_wait_options o = FTX_SYNC_WAIT_OPTIONS_INIT;
    ftx_sync_wait_result *r = NULL;
    ftx_connector *k, *now = NULL;
    ftx_error err = {0};
    json_t *p;
    size_t nlog;
    uint64_t t0;
    int rc;

    (void)state;
    /* a connection configured to fail (sandbox/README.md: config.sandbox_fail) */
    k = create_connector(cl, "amber_lagoon", "postgres", "itest_failing");
    it_assert_str(k->setup_state, "connected");
    p = json_pack("{s:{s:b}}", "config", "sandbox_fail", 1);
    IT_OK(ftx_connectors_update(cl, k->id, p, NULL, IT_ERR));
    json_decref(p);

    o.poll_interval_ms = 20;
    o.timeout_ms = 4000;
    t0 = it_wall_ms();
    IT_OK(ftx_connectors_sync_and_wait(cl, k->id, &o, &r, IT_ERR));
    assert_true(it_wall_ms() - t0 < 4000);
    assert_int_equal(r->outcome, FTX_SYNC_FAILED);
    assert_true(r->connector->failed_at.valid);
    assert_null(r->connector->succeeded_at.iso);
    assert_int_equal(r->connector->status->task_count, 1);
    it_assert_str(r->connector->status->tasks[0]->code, "reconnect");
    it_assert_str(r->connector->status->tasks[0]->message, "Connection timeout");
    it_assert_str(r->connector->setup_state, "broken");
    ftx_sync_wait_result_free(r);
    r = NULL;

    /* now broken: refused before any trigger */
    nlog = it_log_count(&rlog);
    rc = ftx_connectors_sync_and_wait(cl, k->id, &o, &r, &err);
    it_assert_error(rc, &err, FTX_ERR_INVALID_STATE);
    assert_null(r);
    assert_int_equal(it_log_matching(&rlog, nlog, "POST", "/connections/", 1), 0);

    /* the demo's paused connector is refused too */
    rc = ftx_connectors_sync_and_wait(cl, "nostalgic_cumin", &o, &r, &err);
    it_assert_error(rc, &err, FTX_ERR_INVALID_STATE);
    assert_int_equal(it_log_matching(&rlog, nlog, "POST", "/connections/", 1), 0);
    /* an unknown connector is the first read's 404 */
    rc = ftx_connectors_sync_and_wait(cl, "no_such_connector", &o, &r, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    assert_string_equal(err.code, "NotFound_Connector");

    /* the deadline always exists: a tiny timeout ends the wait with FTX_ERR_TIMEOUT */
    IT_OK(ftx_connectors_get(cl, "assimilate_seem", &now, IT_ERR));
    ftx_connector_free(now);
    o.timeout_ms = 30;
    o.poll_interval_ms = 10;
    rc = ftx_connectors_sync_and_wait(cl, "assimilate_seem", &o, &r, &err);
    it_assert_error(rc, &err, FTX_ERR_TIMEOUT);
    assert_null(r);
    /* the sync it started still ends; wait for it so later tests see a quiet sandbox */
    o.timeout_ms = 4000;
    o.poll_interval_ms = 20;
    IT_OK(ftx_connectors_sync_and_wait(cl, "assimilate_seem", &o, &r, IT_ERR));
    assert_int_equal(r->outcome, FTX_SYNC_SUCCEEDED);
    ftx_sync_wait_result_free(r);

    IT_OK(ftx_connectors_delete(cl, k->id, IT_ERR));
    ftx_connector_free(k);
}

static void test_resync_then_wait(void **state)
{
    ftx_resync_options ro = FTX_RESYNC_OPTIONS_INIT;
    ftx_sync_wait_options o = FTX_SYNC_WAIT_OPTIONS_INIT;
    ftx_sync_result *res = NULL;
    ftx_sync_wait_result *r = NULL;
    ftx_connector *k = NULL;
    ftx_error err = {0};
    size_t before;
    int rc;

    (void)state;
    /* the safety valve: no request without the explicit confirmation */
    before = it_log_count(&rlog);
    rc = ftx_connectors_resync(cl, "lumber_tomato", NULL, &res, &err);
    it_assert_error(rc, &err, FTX_ERR_INVALID_ARGUMENT);
    ro.confirm = 1;
    rc = ftx_connectors_resync(cl, "lumber_tomato", &ro, &res, &err);
    it_assert_error(rc, &err, FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(it_log_count(&rlog), before);
    assert_null(res);

    ro.confirm = FTX_RESYNC_CONFIRM;
    IT_OK(ftx_connectors_resync(cl, "lumber_tomato", &ro, &res, IT_ERR));
    assert_int_equal(res->success, 1);
    assert_non_null(res->message);
    ftx_sync_result_free(res);
    IT_OK(ftx_connectors_get(cl, "lumber_tomato", &k, IT_ERR));
    assert_int_equal(k->status->is_historical_sync, 1);
    assert_int_equal(ftx_connector_syncing(k), 1);
    ftx_connector_free(k);
    k = NULL;

    /* a sync already running is not restarted; its end is the end of the wait */
    o.poll_interval_ms = 20;
    o.timeout_ms = 4000;
    IT_OK(ftx_connectors_sync_and_wait(cl, "lumber_tomato", &o, &r, IT_ERR));
    assert_int_equal(r->outcome, FTX_SYNC_SUCCEEDED);
    assert_int_equal(r->connector->status->is_historical_sync, 0);
    it_assert_str(ftx_connector_sync_state(r->connector), "scheduled");
    ftx_sync_wait_result_free(r);
}

/* ---- a fresh, empty sandbox ---- */

static void test_fresh_sandbox(void **state)
{
    const char *args[] = {"--sync-duration-ms", "60", "--random-seed", "99", NULL};
    sandbox_proc *fresh;
    ftx_client *c;
    ftx_group_page *gp = NULL;
    ftx_group_stream *gs = NULL;
    const ftx_group *gi = NULL;
    ftx_connector_stream *cs = NULL;
    const ftx_connector *ci = NULL;
    ftx_schema_config *sc = NULL;
    ftx_sync_wait_options o = FTX_SYNC_WAIT_OPTIONS_INIT;
    ftx_sync_wait_result *r = NULL;
    ftx_error err = {0};
    ftx_group *g = NULL;
    ftx_destination *d = NULL;
    ftx_connector *k = NULL;
    json_t *p;
    int rc;

    (void)state;
    fresh = it_sandbox_start(args);
    c = it_client(sandbox_url(fresh), NULL, NULL);

    IT_OK(ftx_groups_list(c, NULL, &gp, IT_ERR));
    assert_int_equal(gp->count, 0);
    assert_null(gp->next_cursor);
    ftx_group_page_free(gp);
    IT_OK(ftx_groups_stream(c, NULL, &gs, IT_ERR));
    IT_OK(ftx_group_stream_next(gs, &gi, IT_ERR));
    assert_null(gi);
    ftx_group_stream_free(gs);
    IT_OK(ftx_connectors_stream_all(c, NULL, &cs, IT_ERR));
    IT_OK(ftx_connector_stream_next(cs, &ci, IT_ERR));
    assert_null(ci);
    ftx_connector_stream_free(cs);

    p = json_pack("{s:s}", "name", "fresh");
    IT_OK(ftx_groups_create(c, p, &g, IT_ERR));
    json_decref(p);
    p = json_pack("{s:s,s:s,s:s,s:s}", "group_id", g->id, "service", "big_query", "region",
                  "GCP_US_EAST4", "time_zone_offset", "+1");
    IT_OK(ftx_destinations_create(c, p, &d, IT_ERR));
    json_decref(p);
    it_assert_str(d->id, g->id);
    it_assert_str(d->time_zone_offset, "+1");
    p = json_pack("{s:s,s:s,s:{s:s}}", "group_id", g->id, "service", "postgres", "config",
                  "schema_prefix", "fresh_pg");
    IT_OK(ftx_connectors_create(c, p, &k, IT_ERR));
    json_decref(p);
    it_assert_str(k->schema, "fresh_pg");

    /* no schema config before the first sync captures it */
    rc = ftx_connectors_get_schema_config(c, k->id, &sc, &err);
    it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
    assert_string_equal(err.code, "NotFound_SchemaConfig");

    o.poll_interval_ms = 15;
    o.timeout_ms = 4000;
    IT_OK(ftx_connectors_sync_and_wait(c, k->id, &o, &r, IT_ERR));
    assert_int_equal(r->outcome, FTX_SYNC_SUCCEEDED);
    assert_true(r->connector->succeeded_at.valid);
    assert_null(r->connector->failed_at.iso);
    assert_int_equal(r->connector->status->is_historical_sync, 0);
    ftx_sync_wait_result_free(r);
    IT_OK(ftx_connectors_get_schema_config(c, k->id, &sc, IT_ERR));
    assert_non_null(sc->raw);
    ftx_schema_config_free(sc);

    IT_OK(ftx_groups_delete(c, g->id, IT_ERR));
    {
        ftx_connector *gone = NULL;

        rc = ftx_connectors_get(c, k->id, &gone, &err);
        it_assert_error(rc, &err, FTX_ERR_NOT_FOUND);
        assert_string_equal(err.code, "NotFound_Connector");
    }
    ftx_connector_free(k);
    ftx_destination_free(d);
    ftx_group_free(g);
    ftx_client_free(c);
    assert_int_equal(it_sandbox_stop(fresh), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_groups_crud),
        cmocka_unit_test(test_groups_list_and_stream_every_item_once),
        cmocka_unit_test(test_connector_create_get_update_list),
        cmocka_unit_test(test_connector_setup_tests_and_connect_card),
        cmocka_unit_test(test_connector_link_ids_setup_tests_status),
        cmocka_unit_test(test_connectors_stream_pages_and_stream_all),
        cmocka_unit_test(test_pause_resume),
        cmocka_unit_test(test_set_sync_frequency),
        cmocka_unit_test(test_schema_config_get_update_reload),
        cmocka_unit_test(test_table_columns),
        cmocka_unit_test(test_connector_state),
        cmocka_unit_test(test_group_delete_cascades),
        cmocka_unit_test(test_sync_and_wait_success),
        cmocka_unit_test(test_sync_and_wait_failure),
        cmocka_unit_test(test_resync_then_wait),
        cmocka_unit_test_teardown(test_fresh_sandbox, it_teardown),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
