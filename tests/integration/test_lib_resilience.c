/*
 * libfivetrex against fivetrex-sandbox's fault injection (fixed --random-seed, so the
 * sequence of faults is repeatable): 429 with Retry-After, 5xx, dropped connections,
 * truncated bodies, a dead server, auth enforcement, and a 100,000-connection stream.
 *
 * Retries never wait real time: the clients get a fake ftx_clock (tests/support).
 * Every call must end in success or a structured error; streams must never skip or
 * repeat an item.
 */
#include "lib_itest.h"

/* ---- helpers ---- */

static ftx_client *fake_client(const char *url, th_fake_clock *fc, it_log *log, int attempts)
{
    ftx_client_options o = it_options(url, fc, log);

    o.retry.max_attempts = attempts;
    return it_client_opts(&o);
}

/* All connector ids (account-wide), in order, through a client that retries hard. */
typedef struct id_list {
    char **ids;
    size_t count, cap;
} id_list;

static void id_list_add(id_list *l, const char *id)
{
    if (l->count == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->ids = realloc(l->ids, l->cap * sizeof(char *));
        assert_non_null(l->ids);
    }
    l->ids[l->count] = strdup(id);
    assert_non_null(l->ids[l->count]);
    l->count++;
}

static void id_list_free(id_list *l)
{
    size_t i;

    for (i = 0; i < l->count; i++)
        free(l->ids[i]);
    free(l->ids);
    memset(l, 0, sizeof(*l));
}

/* Walk the account-wide stream; a failed _next must be a structured error and is
 * retried (the stream stays where it was), at most `max_errors` times in all.
 * Returns the number of failed _next calls; error types seen are OR-ed into *types. */
static int stream_connectors(ftx_client *c, int limit, int prefetch, id_list *out, int max_errors,
                             unsigned *types)
{
    ftx_list_options o = FTX_LIST_OPTIONS_INIT;
    ftx_connector_stream *s = NULL;
    const ftx_connector *k = NULL;
    int errors = 0;

    o.limit = limit;
    o.prefetch = prefetch;
    IT_OK(ftx_connectors_stream_all(c, &o, &s, IT_ERR));
    for (;;) {
        ftx_error err = {0};
        int rc = ftx_connector_stream_next(s, &k, &err);

        if (rc != FTX_OK) {
            assert_null(k);
            assert_int_equal(err.type, rc);
            assert_true(err.message[0] != '\0');
            assert_null(strstr(err.message, IT_SECRET));
            if (types != NULL)
                *types |= 1u << (unsigned)(-rc);
            if (++errors > max_errors)
                fail_msg("stream: too many errors, last %s: %s", ftx_error_type_name(rc),
                         err.message);
            continue;
        }
        if (k == NULL)
            break;
        id_list_add(out, k->id);
    }
    ftx_connector_stream_free(s);
    return errors;
}

static void assert_same_ids(const id_list *a, const id_list *b)
{
    size_t i;

    assert_int_equal(a->count, b->count);
    for (i = 0; i < a->count; i++)
        assert_string_equal(a->ids[i], b->ids[i]);
}

/* Names of every group, with how many groups carry each, via a patient client. */
static size_t groups_named(ftx_client *c, const char *name)
{
    ftx_list_options o = FTX_LIST_OPTIONS_INIT;
    ftx_group_stream *s = NULL;
    const ftx_group *g = NULL;
    size_t n = 0;

    o.limit = 1000;
    IT_OK(ftx_groups_stream(c, &o, &s, IT_ERR));
    for (;;) {
        IT_OK(ftx_group_stream_next(s, &g, IT_ERR));
        if (g == NULL)
            break;
        if (g->name != NULL && strcmp(g->name, name) == 0)
            n++;
    }
    ftx_group_stream_free(s);
    return n;
}

/* One of a few read calls, chosen by i. */
static int some_read(ftx_client *c, int i, ftx_error *err)
{
    int rc;

    switch (i % 5) {
    case 0: {
        ftx_group *g = NULL;

        rc = ftx_groups_get(c, "decent_dropsy", &g, err);
        if (rc == FTX_OK)
            assert_string_equal(g->name, "Primary_Snowflake");
        ftx_group_free(g);
        return rc;
    }
    case 1: {
        ftx_connector *k = NULL;

        rc = ftx_connectors_get(c, "speak_inexpensive", &k, err);
        if (rc == FTX_OK)
            assert_string_equal(k->service, "postgres");
        ftx_connector_free(k);
        return rc;
    }
    case 2: {
        ftx_group_page *pg = NULL;

        rc = ftx_groups_list(c, NULL, &pg, err);
        if (rc == FTX_OK)
            assert_true(pg->count >= 4);
        ftx_group_page_free(pg);
        return rc;
    }
    case 3: {
        ftx_destination *d = NULL;

        rc = ftx_destinations_get(c, "projected_sickle", &d, err);
        if (rc == FTX_OK)
            assert_string_equal(d->service, "big_query");
        ftx_destination_free(d);
        return rc;
    }
    default: {
        ftx_schema_config *sc = NULL;

        rc = ftx_connectors_get_schema_config(c, "program_quoth", &sc, err);
        if (rc == FTX_OK)
            assert_int_equal(sc->schema_count, 1);
        ftx_schema_config_free(sc);
        return rc;
    }
    }
}

/* ---- 429 ---- */

static void test_rate_limited_429(void **state)
{
    const char *args[] = {"--seed", "demo", "--fault-rate-429", "0.35", "--random-seed",
                          "4242",   NULL};
    sandbox_proc *sb;
    th_fake_clock fc;
    it_log log;
    ftx_client *c;
    ftx_client_options o;
    int i, ok = 0, limited = 0, third = 0;
    size_t k, nposts_ok = 0;
    uint64_t t0 = it_wall_ms();

    (void)state;
    sb = it_sandbox_start(args);
    assert_non_null(sb);
    th_fake_clock_init(&fc);
    it_log_init(&log);

    /* default attempts (3), but a 5 s backoff base: a 1 s sleep can only be Retry-After */
    o = it_options(sandbox_url(sb), &fc, &log);
    o.retry.base_delay_ms = 5000;
    c = it_client_opts(&o);
    for (i = 0; i < 60; i++) {
        ftx_error err = {0};
        int rc = some_read(c, i, &err);

        if (rc == FTX_OK) {
            ok++;
            continue;
        }
        it_assert_error(rc, &err, FTX_ERR_RATE_LIMITED);
        assert_int_equal(err.status, 429);
        assert_string_equal(err.code, "TooManyRequests");
        assert_int_equal(err.retry_after, 1);
        assert_int_equal(err.attempts, 3);
        limited++;
    }
    assert_true(ok > 0);
    assert_int_equal(ok + limited, 60);
    for (k = 0; k < log.count && k < IT_LOG_MAX; k++)
        if (log.items[k].attempt == 3)
            third++;
    assert_true(fc.nsleeps > 0);
    assert_true(third > 0); /* some calls needed two retries: still 1 s each */
    for (k = 0; k < fc.nsleeps && k < TH_MAX_SLEEPS; k++)
        assert_int_equal(fc.sleeps[k], 1000);
    assert_int_equal(fc.total_slept_ms, 1000 * fc.nsleeps);
    ftx_client_free(c);

    /* no retries: some calls report the 429 with retry_after, nothing slept */
    th_fake_clock_dispose(&fc);
    th_fake_clock_init(&fc);
    c = fake_client(sandbox_url(sb), &fc, NULL, 1);
    limited = 0;
    for (i = 0; i < 40; i++) {
        ftx_error err = {0};
        int rc = some_read(c, i, &err);

        if (rc != FTX_OK) {
            it_assert_error(rc, &err, FTX_ERR_RATE_LIMITED);
            assert_int_equal(err.retry_after, 1);
            if (err.attempts != 1)
                fail_msg("call %d: attempts %d: %s", i, err.attempts, err.message);
            limited++;
        }
    }
    assert_true(limited > 0);
    assert_int_equal(fc.nsleeps, 0);
    ftx_client_free(c);

    /* Retry-After (1 s) longer than the policy allows (0.5 s): returned, never shortened,
     * and the client then refuses to send until the server's time has passed */
    it_log_reset(&log);
    o = it_options(sandbox_url(sb), &fc, &log);
    o.retry.max_delay_ms = 500;
    o.retry.max_attempts = 5;
    c = it_client_opts(&o);
    limited = 0;
    ok = 0;
    for (i = 0; i < 40; i++) {
        ftx_error err = {0};
        int rc = some_read(c, i, &err);

        if (rc == FTX_OK) {
            ok++;
            continue;
        }
        it_assert_error(rc, &err, FTX_ERR_RATE_LIMITED);
        assert_int_equal(err.retry_after, 1);
        assert_int_equal(err.attempts, 1);
        assert_int_equal(err.status, 429);
        limited++;
        /* at once again: not sent, the rest of the server's second in retry_after */
        {
            size_t sent = it_log_count(&log);

            rc = some_read(c, i, &err);
            it_assert_error(rc, &err, FTX_ERR_RATE_LIMITED);
            assert_int_equal(err.attempts, 0);
            assert_int_equal(err.retry_after, 1);
            assert_int_equal(it_log_count(&log), sent);
        }
        /* the caller waits as told (fake time) */
        pthread_mutex_lock(&fc.lock);
        fc.now_ms += 1000;
        pthread_mutex_unlock(&fc.lock);
    }
    assert_true(limited > 0);
    assert_true(ok > 0);
    assert_int_equal(fc.nsleeps, 0);
    assert_int_equal(it_log_count(&log), 40);
    ftx_client_free(c);

    /* creates: a 429 was not processed, so it is retried; the listing has exactly the
     * groups whose create succeeded */
    it_log_reset(&log);
    c = fake_client(sandbox_url(sb), &fc, &log, 3);
    for (i = 0; i < 20; i++) {
        ftx_group *g = NULL;
        ftx_error err = {0};
        json_t *p = json_pack("{s:s}", "name", "rl_group");
        int rc = ftx_groups_create(c, p, &g, &err);

        json_decref(p);
        if (rc == FTX_OK) {
            nposts_ok++;
            assert_string_equal(g->name, "rl_group");
        } else {
            it_assert_error(rc, &err, FTX_ERR_RATE_LIMITED);
        }
        ftx_group_free(g);
    }
    assert_true(it_log_matching(&log, 0, "POST", "/groups", 0) > 20); /* some were retried */
    ftx_client_free(c);
    c = fake_client(sandbox_url(sb), &fc, NULL, 30);
    assert_int_equal(groups_named(c, "rl_group"), nposts_ok);

    /* a stream under 429s: same ids, same order as a listing */
    {
        id_list a = {0}, b = {0};

        (void)stream_connectors(c, 1000, 0, &a, 0, NULL);
        (void)stream_connectors(c, 2, 1, &b, 0, NULL);
        assert_int_equal(a.count, 8);
        assert_same_ids(&a, &b);
        id_list_free(&a);
        id_list_free(&b);
    }
    ftx_client_free(c);

    it_log_dispose(&log);
    th_fake_clock_dispose(&fc);
    assert_int_equal(it_sandbox_stop(sb), 0);
    assert_true(it_wall_ms() - t0 < 10000);
}

/* ---- 5xx ---- */

static void test_server_errors_5xx(void **state)
{
    const char *args[] = {"--seed", "demo", "--fault-rate-5xx", "0.3", "--random-seed", "77", NULL};
    sandbox_proc *sb;
    th_fake_clock fc;
    it_log log;
    ftx_client *c;
    int i, unknown = 0, created = 0;
    size_t k, n5xx = 0;
    char names[30][16];
    int outcome[30];

    (void)state;
    sb = it_sandbox_start(args);
    assert_non_null(sb);
    th_fake_clock_init(&fc);
    it_log_init(&log);
    c = fake_client(sandbox_url(sb), &fc, &log, 10);

    /* reads are retried until they succeed */
    for (i = 0; i < 40; i++)
        IT_OK(some_read(c, i, IT_ERR));
    for (k = 0; k < log.count && k < IT_LOG_MAX; k++)
        if (log.items[k].status == 500 || log.items[k].status == 503) {
            assert_int_equal(log.items[k].error_type, FTX_ERR_SERVER);
            n5xx++;
        }
    assert_true(n5xx > 0);
    /* backoff doubles from 1 s, capped at 30 s */
    for (k = 0; k < fc.nsleeps && k < TH_MAX_SLEEPS; k++)
        assert_true(fc.sleeps[k] == 1000 || fc.sleeps[k] == 2000 || fc.sleeps[k] == 4000 ||
                    fc.sleeps[k] == 8000 || fc.sleeps[k] == 16000 || fc.sleeps[k] == 30000);
    /* PATCH is retried too */
    for (i = 0; i < 10; i++) {
        json_t *p = json_pack("{s:i}", "sync_frequency", i % 2 ? 60 : 120);
        ftx_connector *kk = NULL;

        IT_OK(ftx_connectors_update(c, "lumber_tomato", p, &kk, IT_ERR));
        assert_int_equal(kk->sync_frequency, i % 2 ? 60 : 120);
        ftx_connector_free(kk);
        json_decref(p);
    }

    /* creates are never repeated after a 5xx: outcome unknown */
    it_log_reset(&log);
    for (i = 0; i < 30; i++) {
        ftx_group *g = NULL;
        ftx_error err = {0};
        json_t *p;
        int rc;

        (void)snprintf(names[i], sizeof(names[i]), "fx_%d", i);
        p = json_pack("{s:s}", "name", names[i]);
        rc = ftx_groups_create(c, p, &g, &err);
        json_decref(p);
        outcome[i] = rc;
        if (rc == FTX_OK) {
            created++;
        } else {
            it_assert_error(rc, &err, FTX_ERR_OUTCOME_UNKNOWN);
            assert_true(err.status == 500 || err.status == 503);
            assert_true(strcmp(err.code, "InternalServerError") == 0 ||
                        strcmp(err.code, "ServiceUnavailable") == 0);
            assert_int_equal(err.attempts, 1);
            assert_non_null(strstr(err.message, "outcome unknown"));
            assert_null(g);
            unknown++;
        }
        ftx_group_free(g);
    }
    assert_true(unknown > 0);
    assert_true(created > 0);
    /* exactly one POST per create */
    assert_int_equal(it_log_matching(&log, 0, "POST", "/groups", 0), 30);
    /* the listing: each created group once, each unknown one at most once */
    for (i = 0; i < 30; i++) {
        size_t n = groups_named(c, names[i]);

        if (outcome[i] == FTX_OK)
            assert_int_equal(n, 1);
        else
            assert_true(n <= 1);
    }
    /* an action POST (sync trigger) is retried */
    IT_OK(ftx_connectors_sync(c, "lumber_tomato", NULL, NULL, IT_ERR));

    ftx_client_free(c);
    it_log_dispose(&log);
    th_fake_clock_dispose(&fc);
    assert_int_equal(it_sandbox_stop(sb), 0);
}

/* ---- dropped connections and truncated bodies ---- */

static void test_drop_and_truncate(void **state)
{
    /* two sandboxes with the same account (the demo plus 300 synthetic connections,
     * identical for the same --random-seed): one clean, one faulty */
    const char *clean_args[] = {"--seed", "demo", "--synthetic-connections", "300", "--random-seed",
                                "5",      NULL};
    const char *fault_args[] = {"--seed",
                                "demo",
                                "--synthetic-connections",
                                "300",
                                "--random-seed",
                                "5",
                                "--fault-drop",
                                "0.1",
                                "--fault-truncate",
                                "0.1",
                                NULL};
    sandbox_proc *clean_sb, *sb;
    th_fake_clock fc;
    it_log log;
    ftx_client *clean, *c, *c1;
    id_list want = {0};
    unsigned types = 0;
    int i, errors, ok = 0, transport = 0, unknown = 0;
    char names[30][16];
    int outcome[30];

    (void)state;
    clean_sb = it_sandbox_start(clean_args);
    sb = it_sandbox_start(fault_args);
    assert_non_null(clean_sb);
    assert_non_null(sb);
    th_fake_clock_init(&fc);
    it_log_init(&log);

    clean = it_client(sandbox_url(clean_sb), NULL, NULL);
    c = fake_client(sandbox_url(sb), &fc, &log, 12);
    (void)stream_connectors(clean, 1000, 0, &want, 0, NULL);
    assert_int_equal(want.count, 308);

    /* streams with retries: every id once, in order; errors (if any) are structured */
    {
        static const int limits[] = {1, 7, 50, 1000};
        size_t li;

        for (li = 0; li < sizeof(limits) / sizeof(limits[0]); li++) {
            id_list got = {0};

            errors = stream_connectors(c, limits[li], (int)(li % 2), &got, 40, &types);
            (void)errors;
            assert_same_ids(&want, &got);
            id_list_free(&got);
        }
    }
    /* without retries the faults surface at _next; retrying _next resumes the same page */
    c1 = fake_client(sandbox_url(sb), &fc, NULL, 1);
    {
        id_list got = {0};

        errors = stream_connectors(c1, 5, 0, &got, 200, &types);
        assert_true(errors > 0);
        assert_same_ids(&want, &got);
        id_list_free(&got);
        got.count = 0;
        errors = stream_connectors(c1, 3, 1, &got, 200, &types);
        assert_same_ids(&want, &got);
        id_list_free(&got);
    }
    /* only transport (drop, truncation) and decode errors can come out of these faults */
    assert_true((types & (1u << (unsigned)(-FTX_ERR_TRANSPORT))) != 0);
    assert_int_equal(
        types & ~((1u << (unsigned)(-FTX_ERR_TRANSPORT)) | (1u << (unsigned)(-FTX_ERR_DECODE))), 0);

    /* single calls without retries: success or a structured transport error */
    for (i = 0; i < 60; i++) {
        ftx_error err = {0};
        int rc = some_read(c1, i, &err);

        if (rc == FTX_OK) {
            ok++;
        } else {
            assert_true(rc == FTX_ERR_TRANSPORT || rc == FTX_ERR_DECODE);
            it_assert_error(rc, &err, rc);
            assert_int_equal(err.attempts, 1);
            transport++;
        }
    }
    assert_true(ok > 0);
    assert_true(transport > 0);

    /* creates: a drop or a truncation after sending is "outcome unknown", never repeated;
     * a truncated create did happen, so the group may exist, at most once */
    it_log_reset(&log);
    for (i = 0; i < 30; i++) {
        ftx_group *g = NULL;
        ftx_error err = {0};
        json_t *p;
        int rc;

        (void)snprintf(names[i], sizeof(names[i]), "dt_g_%d", i);
        p = json_pack("{s:s}", "name", names[i]);
        rc = ftx_groups_create(c, p, &g, &err);
        json_decref(p);
        outcome[i] = rc;
        if (rc != FTX_OK) {
            it_assert_error(rc, &err, FTX_ERR_OUTCOME_UNKNOWN);
            assert_int_equal(err.attempts, 1);
            assert_null(g);
            unknown++;
        }
        ftx_group_free(g);
    }
    assert_true(unknown > 0);
    assert_int_equal(it_log_matching(&log, 0, "POST", "/groups", 0), 30);
    for (i = 0; i < 30; i++) {
        size_t n = groups_named(c, names[i]);

        if (outcome[i] == FTX_OK)
            assert_int_equal(n, 1);
        else
            assert_true(n <= 1);
    }

    ftx_client_free(c1);
    ftx_client_free(c);
    ftx_client_free(clean);
    id_list_free(&want);
    it_log_dispose(&log);
    th_fake_clock_dispose(&fc);
    assert_int_equal(it_sandbox_stop(sb), 0);
    assert_int_equal(it_sandbox_stop(clean_sb), 0);
}

/* ---- sync_and_wait through every kind of fault (real clock, short backoff) ---- */

typedef struct wait_seen {
    int polls;
    int read_errors;
} wait_seen;

static int count_progress(const ftx_sync_progress *p, void *userdata)
{
    wait_seen *w = userdata;

    w->polls++;
    if (p->error != NULL) {
        w->read_errors++;
        if (p->error->message[0] == '\0' || p->connector != NULL)
            return 1; /* malformed report: stop, the test then fails */
    } else if (p->connector == NULL) {
        return 1;
    }
    return 0;
}

static void test_sync_and_wait_under_faults(void **state)
{
    const char *args[] = {"--seed",
                          "demo",
                          "--sync-duration-ms",
                          "60",
                          "--fault-rate-5xx",
                          "0.2",
                          "--fault-drop",
                          "0.1",
                          "--fault-truncate",
                          "0.1",
                          "--random-seed",
                          "11",
                          NULL};
    sandbox_proc *sb;
    ftx_client_options o;
    ftx_client *c;
    ftx_sync_wait_options wo = FTX_SYNC_WAIT_OPTIONS_INIT;
    ftx_sync_wait_result *r = NULL;
    wait_seen seen = {0, 0};
    it_log log;
    uint64_t t0 = it_wall_ms();

    (void)state;
    sb = it_sandbox_start(args);
    it_log_init(&log);
    o = it_options(sandbox_url(sb), NULL, &log);
    o.retry.max_attempts = 6;
    o.retry.base_delay_ms = 5;
    o.retry.max_delay_ms = 50;
    c = it_client_opts(&o);
    wo.poll_interval_ms = 10;
    wo.timeout_ms = 4000;
    wo.progress = count_progress;
    wo.progress_userdata = &seen;
    IT_OK(ftx_connectors_sync_and_wait(c, "speak_inexpensive", &wo, &r, IT_ERR));
    assert_int_equal(r->outcome, FTX_SYNC_SUCCEEDED);
    assert_int_equal(r->polls, seen.polls);
    assert_true(r->connector->succeeded_at.valid);
    /* the trigger is an action: retried, but it reached the server */
    assert_true(it_log_matching(&log, 0, "POST", "/connections/speak_inexpensive/sync", 0) >= 1);
    assert_true(it_wall_ms() - t0 < 5000);
    ftx_sync_wait_result_free(r);
    ftx_client_free(c);
    it_log_dispose(&log);
    assert_int_equal(it_sandbox_stop(sb), 0);
}

/* ---- a dead server ---- */

static void test_dead_server(void **state)
{
    const char *args[] = {"--seed", "demo", NULL};
    sandbox_proc *sb;
    th_fake_clock fc;
    it_log log;
    ftx_client *c;
    ftx_error err = {0};
    ftx_group_page *pg = NULL;
    ftx_group *g = NULL;
    ftx_connector_stream *s = NULL;
    const ftx_connector *k = NULL;
    ftx_sync_wait_result *r = NULL;
    char url[128];
    json_t *p;
    int rc;

    (void)state;
    sb = it_sandbox_start(args);
    assert_non_null(sb);
    (void)snprintf(url, sizeof(url), "%s", sandbox_url(sb));
    assert_int_equal(it_sandbox_stop(sb), 0);

    th_fake_clock_init(&fc);
    it_log_init(&log);
    c = fake_client(url, &fc, &log, 3);
    rc = ftx_groups_list(c, NULL, &pg, &err);
    it_assert_error(rc, &err, FTX_ERR_TRANSPORT);
    assert_int_equal(err.status, 0);
    assert_int_equal(err.attempts, 3); /* connection refused: nothing was sent, retried */
    assert_string_equal(err.code, "");
    assert_null(pg);
    assert_int_equal(fc.nsleeps, 2);

    /* a create that never reached the server is a plain transport error, not unknown */
    p = json_pack("{s:s}", "name", "never");
    rc = ftx_groups_create(c, p, &g, &err);
    json_decref(p);
    it_assert_error(rc, &err, FTX_ERR_TRANSPORT);
    assert_null(g);

    IT_OK(ftx_connectors_stream_all(c, NULL, &s, IT_ERR));
    rc = ftx_connector_stream_next(s, &k, &err);
    it_assert_error(rc, &err, FTX_ERR_TRANSPORT);
    assert_null(k);
    rc = ftx_connector_stream_next(s, &k, &err); /* still the same error, no crash */
    it_assert_error(rc, &err, FTX_ERR_TRANSPORT);
    ftx_connector_stream_free(s);

    rc = ftx_connectors_sync_and_wait(c, "speak_inexpensive", NULL, &r, &err);
    it_assert_error(rc, &err, FTX_ERR_TRANSPORT);
    assert_null(r);
    assert_null(strstr(err.message, IT_SECRET));

    ftx_client_free(c);
    it_log_dispose(&log);
    th_fake_clock_dispose(&fc);
}

/* ---- auth ---- */

static void test_auth_enforced(void **state)
{
    const char *args[] = {"--seed", "demo", "--api-key", IT_KEY, "--api-secret", IT_SECRET, NULL};
    const char *wrong = "wrong-secret-5f3a9c";
    /* base64("itest_key:wrong-secret-5f3a9c"), as it would appear in an Authorization header */
    const char *wrong_b64 = "aXRlc3Rfa2V5Ondyb25nLXNlY3JldC01ZjNhOWM=";
    sandbox_proc *sb;
    th_fake_clock fc;
    ftx_client *good, *bad, *badkey;
    ftx_client_options o;
    ftx_group_page *pg = NULL;
    ftx_group *g = NULL;
    ftx_group_stream *s = NULL;
    const ftx_group *gi = NULL;
    ftx_sync_wait_result *r = NULL;
    ftx_error err = {0};
    json_t *p;
    size_t ngroups;
    int rc;

    (void)state;
    sb = it_sandbox_start(args);
    assert_non_null(sb);
    th_fake_clock_init(&fc);
    good = fake_client(sandbox_url(sb), &fc, NULL, 3);
    o = it_options(sandbox_url(sb), &fc, NULL);
    o.api_secret = wrong;
    bad = it_client_opts(&o);
    o.api_secret = IT_SECRET;
    o.api_key = "someone_else";
    badkey = it_client_opts(&o);

    IT_OK(ftx_groups_list(good, NULL, &pg, IT_ERR));
    ngroups = pg->count;
    assert_int_equal(ngroups, 4);
    ftx_group_page_free(pg);
    pg = NULL;

    rc = ftx_groups_list(bad, NULL, &pg, &err);
    it_assert_error(rc, &err, FTX_ERR_UNAUTHORIZED);
    assert_int_equal(err.status, 401);
    assert_string_equal(err.code, "AuthFailed");
    assert_int_equal(err.attempts, 1); /* never retried */
    assert_null(strstr(err.message, wrong));
    assert_null(strstr(err.message, wrong_b64));
    assert_null(strstr(err.message, IT_SECRET));
    assert_null(pg);
    rc = ftx_groups_list(badkey, NULL, &pg, &err);
    it_assert_error(rc, &err, FTX_ERR_UNAUTHORIZED);
    assert_null(strstr(err.message, IT_SECRET));

    /* a create with bad credentials creates nothing */
    p = json_pack("{s:s}", "name", "intruder");
    rc = ftx_groups_create(bad, p, &g, &err);
    json_decref(p);
    it_assert_error(rc, &err, FTX_ERR_UNAUTHORIZED);
    assert_null(g);
    IT_OK(ftx_groups_list(good, NULL, &pg, IT_ERR));
    assert_int_equal(pg->count, ngroups);
    ftx_group_page_free(pg);

    /* streams and waits report it too, and stop */
    IT_OK(ftx_groups_stream(bad, NULL, &s, IT_ERR));
    rc = ftx_group_stream_next(s, &gi, &err);
    it_assert_error(rc, &err, FTX_ERR_UNAUTHORIZED);
    assert_null(gi);
    ftx_group_stream_free(s);
    rc = ftx_connectors_sync_and_wait(bad, "speak_inexpensive", NULL, &r, &err);
    it_assert_error(rc, &err, FTX_ERR_UNAUTHORIZED);
    assert_null(strstr(err.message, wrong));
    assert_null(r);
    assert_int_equal(fc.nsleeps, 0);

    ftx_client_free(badkey);
    ftx_client_free(bad);
    ftx_client_free(good);
    th_fake_clock_dispose(&fc);
    assert_int_equal(it_sandbox_stop(sb), 0);
}

/* ---- one client shared by threads, under 429s and 5xx ---- */

typedef struct worker_arg {
    ftx_client *client;
    int index;
    int ok;
    int failed;
} worker_arg;

static void *worker_main(void *p)
{
    worker_arg *w = p;
    int i;

    for (i = 0; i < 25; i++) {
        ftx_error err = {0};
        int rc;

        switch ((i + w->index) % 3) {
        case 0: {
            ftx_group *g = NULL;

            rc = ftx_groups_get(w->client, "deck_enjoy", &g, &err);
            if (rc == FTX_OK && strcmp(g->name, "Finance_Redshift") != 0)
                rc = -100;
            ftx_group_free(g);
            break;
        }
        case 1: {
            ftx_connector *k = NULL;

            rc = ftx_connectors_get(w->client, "cedar_harbor", &k, &err);
            if (rc == FTX_OK && strcmp(k->service, "aws_lambda") != 0)
                rc = -100;
            ftx_connector_free(k);
            break;
        }
        default: {
            ftx_list_options o = FTX_LIST_OPTIONS_INIT;
            ftx_connector_stream *s = NULL;
            const ftx_connector *k = NULL;
            int n = 0;

            o.limit = 3;
            rc = ftx_connectors_stream_all(w->client, &o, &s, &err);
            while (rc == FTX_OK) {
                rc = ftx_connector_stream_next(s, &k, &err);
                if (rc != FTX_OK || k == NULL)
                    break;
                n++;
            }
            if (rc == FTX_OK && n != 8)
                rc = -100;
            ftx_connector_stream_free(s);
            break;
        }
        }
        if (rc == FTX_OK)
            w->ok++;
        else if (rc == FTX_ERR_RATE_LIMITED || rc == FTX_ERR_SERVER)
            w->failed++; /* structured, after the retries */
        else
            w->failed += 1000; /* anything else is wrong */
    }
    return NULL;
}

static void test_shared_client_threads(void **state)
{
    const char *args[] = {"--seed",
                          "demo",
                          "--fault-rate-429",
                          "0.1",
                          "--fault-rate-5xx",
                          "0.1",
                          "--random-seed",
                          "3",
                          "--threads",
                          "4",
                          NULL};
    sandbox_proc *sb;
    th_fake_clock fc;
    ftx_client *c;
    pthread_t th[4];
    worker_arg w[4];
    int i, ok = 0, failed = 0;

    (void)state;
    sb = it_sandbox_start(args);
    th_fake_clock_init(&fc);
    c = fake_client(sandbox_url(sb), &fc, NULL, 6);
    for (i = 0; i < 4; i++) {
        memset(&w[i], 0, sizeof(w[i]));
        w[i].client = c;
        w[i].index = i;
        assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
    }
    for (i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        ok += w[i].ok;
        failed += w[i].failed;
    }
    assert_true(failed < 1000);
    assert_int_equal(ok + failed, 100);
    assert_true(ok >= 90);
    assert_true(fc.nsleeps > 0);
    ftx_client_free(c);
    th_fake_clock_dispose(&fc);
    assert_int_equal(it_sandbox_stop(sb), 0);
}

/* ---- 100,000 synthetic connections ---- */

static void test_stream_100k_connections(void **state)
{
    const char *args[] = {"--synthetic-connections", "100000", NULL};
    sandbox_proc *sb;
    it_log log;
    ftx_client *c;
    ftx_list_options o = FTX_LIST_OPTIONS_INIT;
    ftx_connector_stream *s = NULL;
    const ftx_connector *k = NULL;
    it_idset *ids, *groups;
    size_t n = 0;
    uint64_t t0;

    (void)state;
    sb = it_sandbox_start(args);
    assert_non_null(sb);
    it_log_init(&log);
    c = it_client(sandbox_url(sb), NULL, &log);
    ids = it_idset_new(100000);
    groups = it_idset_new(1000);

    t0 = it_wall_ms();
    o.limit = 1000;
    IT_OK(ftx_connectors_stream_all(c, &o, &s, IT_ERR));
    for (;;) {
        IT_OK(ftx_connector_stream_next(s, &k, IT_ERR));
        if (k == NULL)
            break;
        n++;
        if (!it_idset_add(ids, k->id))
            fail_msg("connection %s seen twice (item %zu)", k->id, n);
        (void)it_idset_add(groups, k->group_id);
    }
    ftx_connector_stream_free(s);
    {
        double http_ms = 0;
        size_t i;

        for (i = 0; i < log.count && i < IT_LOG_MAX; i++)
            http_ms += log.items[i].elapsed_ms;
        print_message("streamed %zu connections in %llu ms (HTTP %.0f ms of it)\n", n,
                      (unsigned long long)(it_wall_ms() - t0), http_ms);
    }
    assert_int_equal(n, 100000);
    assert_int_equal(ids->count, 100000);
    assert_int_equal(groups->count, 1000); /* clamp(100000 / 100, 1, 1000) groups */
    /* 100 full pages, one request each */
    assert_int_equal(it_log_count(&log), 100);
    assert_int_equal(it_log_matching(&log, 0, "GET", "/connections?limit=1000", 0), 1);
    assert_int_equal(it_log_matching(&log, 0, "GET", "/connections?", 1), 100);

    it_idset_free(ids);
    it_idset_free(groups);
    ftx_client_free(c);
    it_log_dispose(&log);
    assert_int_equal(it_sandbox_stop(sb), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_rate_limited_429, it_teardown),
        cmocka_unit_test_teardown(test_server_errors_5xx, it_teardown),
        cmocka_unit_test_teardown(test_drop_and_truncate, it_teardown),
        cmocka_unit_test_teardown(test_sync_and_wait_under_faults, it_teardown),
        cmocka_unit_test_teardown(test_dead_server, it_teardown),
        cmocka_unit_test_teardown(test_auth_enforced, it_teardown),
        cmocka_unit_test_teardown(test_shared_client_threads, it_teardown),
        cmocka_unit_test_teardown(test_stream_100k_connections, it_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
