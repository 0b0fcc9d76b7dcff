/* fivetrex-sandbox: the sync state machine and signed webhook deliveries. */
#include "sandbox_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sandbox_proc *sb;
static sbt_receiver *rx;
static char account_hook[64], group_hook[64];

static int setup(void **state)
{
    (void)state;
    const char *args[] = {"--seed", "demo", "--sync-duration-ms", "50", NULL};
    sb = sandbox_start(args);
    rx = sbt_receiver_start(200);
    return sb && rx ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    sbt_receiver_stop(rx);
    return sandbox_stop(sb) == 0 ? 0 : -1;
}

static char *ts_of(json_t *conn, const char *key)
{
    const char *s = sbt_str(sbt_data(conn), key);
    return s ? strdup(s) : NULL;
}

/* find the first delivery from index `from` with event and connector id; returns its index or
 * -1; fills *out (caller frees) */
static long find_delivery(size_t from, const char *event, const char *cid, sbt_delivery *out,
                          json_t **ev_out)
{
    size_t n = sbt_receiver_count(rx);
    for (size_t i = from; i < n; i++) {
        sbt_delivery d = sbt_receiver_get(rx, i);
        json_t *ev = json_loads(d.body, 0, NULL);
        if (ev && strcmp(sbt_str(ev, "event"), event) == 0 && sbt_str(ev, "connector_id") &&
            strcmp(sbt_str(ev, "connector_id"), cid) == 0) {
            *out = d;
            *ev_out = ev;
            return (long)i;
        }
        json_decref(ev);
        sbt_delivery_free(&d);
    }
    return -1;
}

static long wait_delivery(size_t from, const char *event, const char *cid, sbt_delivery *out,
                          json_t **ev)
{
    for (int waited = 0; waited < 5000; waited += 10) {
        long i = find_delivery(from, event, cid, out, ev);
        if (i >= 0)
            return i;
        sbt_sleep_ms(10);
    }
    return -1;
}

static void test_register_webhooks(void **state)
{
    (void)state;
    char body[512];
    snprintf(body, sizeof(body),
             "{\"url\":\"%s\",\"events\":[\"sync_start\",\"sync_end\"],\"secret\":\"s3cr3t\"}",
             sbt_receiver_url(rx));
    json_t *j = sbt_call(sb, "POST", 200, body, "/webhooks/account");
    snprintf(account_hook, sizeof(account_hook), "%s", sbt_str(sbt_data(j), "id"));
    json_decref(j);
    /* group webhook on another group, no secret: must not receive events of decent_dropsy */
    snprintf(body, sizeof(body), "{\"url\":\"%s\",\"events\":[\"sync_end\"]}",
             sbt_receiver_url(rx));
    j = sbt_call(sb, "POST", 200, body, "/webhooks/group/projected_sickle");
    snprintf(group_hook, sizeof(group_hook), "%s", sbt_str(sbt_data(j), "id"));
    json_decref(j);
    assert_true(sbt_receiver_wait(rx, 2, 5000) >= 2); /* the two creation tests */
}

static void test_sync_success_lifecycle(void **state)
{
    (void)state;
    const char *cid = "program_quoth"; /* decent_dropsy, salesforce */
    json_t *before = sbt_call(sb, "GET", 200, NULL, "/connections/%s", cid);
    char *prev = ts_of(before, "succeeded_at");
    json_decref(before);
    size_t from = sbt_receiver_count(rx);

    json_t *j = sbt_call(sb, "POST", 200, "{\"force\":false}", "/connections/%s/sync", cid);
    char msg[160];
    snprintf(msg, sizeof(msg), "Sync has been successfully triggered for connection with id '%s'",
             cid);
    assert_string_equal(sbt_str(j, "message"), msg);
    assert_null(json_object_get(j, "data"));
    json_decref(j);

    /* ends in scheduled with a newer succeeded_at */
    json_t *c = NULL;
    char *now = NULL;
    for (int waited = 0; waited < 5000; waited += 10) {
        json_decref(c);
        free(now);
        c = sbt_call(sb, "GET", 200, NULL, "/connections/%s", cid);
        now = ts_of(c, "succeeded_at");
        if (now && strcmp(now, prev) > 0)
            break;
        sbt_sleep_ms(10);
    }
    assert_true(sbt_is_ts(now));
    assert_true(strcmp(now, prev) > 0);
    json_t *st = json_object_get(sbt_data(c), "status");
    assert_string_equal(sbt_str(st, "sync_state"), "scheduled");
    assert_string_equal(sbt_str(st, "setup_state"), "connected");
    assert_true(json_is_false(json_object_get(st, "is_historical_sync")));

    /* sync_start then sync_end, signed with the account webhook's secret */
    sbt_delivery d1, d2;
    json_t *e1, *e2;
    long i1 = wait_delivery(from, "sync_start", cid, &d1, &e1);
    assert_true(i1 >= 0);
    long i2 = wait_delivery(from, "sync_end", cid, &d2, &e2);
    assert_true(i2 > i1);
    char sig[65];
    sbt_hmac_hex("s3cr3t", d1.body, sig);
    assert_non_null(d1.signature);
    assert_string_equal(d1.signature, sig);
    sbt_hmac_hex("s3cr3t", d2.body, sig);
    assert_string_equal(d2.signature, sig);
    assert_non_null(strstr(d2.content_type, "application/json"));
    /* compact JSON, fields in the documented order */
    assert_null(strchr(d2.body, ' '));
    assert_true(strncmp(d2.body, "{\"event\":\"sync_end\",\"created\":\"", 31) == 0);
    const char *order[] = {
        "\"event\"",          "\"created\"", "\"connector_type\"",       "\"connector_id\"",
        "\"connector_name\"", "\"sync_id\"", "\"destination_group_id\"", "\"data\""};
    const char *p = d2.body;
    for (size_t k = 0; k < 8; k++) {
        const char *q = strstr(p, order[k]);
        assert_non_null(q);
        p = q;
    }
    assert_string_equal(sbt_str(e2, "connector_type"), "salesforce");
    assert_string_equal(sbt_str(e2, "connector_name"), "salesforce");
    assert_string_equal(sbt_str(e2, "destination_group_id"), "decent_dropsy");
    assert_true(sbt_is_ts(sbt_str(e2, "created")));
    assert_int_equal(strlen(sbt_str(e2, "sync_id")), 36);
    assert_string_equal(sbt_str(e1, "sync_id"), sbt_str(e2, "sync_id"));
    assert_string_equal(sbt_str(json_object_get(e2, "data"), "status"), "SUCCESSFUL");
    assert_int_equal(json_object_size(json_object_get(e1, "data")), 0);
    json_decref(e1);
    json_decref(e2);
    sbt_delivery_free(&d1);
    sbt_delivery_free(&d2);
    json_decref(c);
    free(prev);
    free(now);

    /* the group webhook (projected_sickle) got nothing for this decent_dropsy connection: the
     * unsigned deliveries are only the creation tests so far */
    size_t n = sbt_receiver_count(rx);
    for (size_t i = 2; i < n; i++) {
        sbt_delivery d = sbt_receiver_get(rx, i);
        assert_non_null(d.signature);
        sbt_delivery_free(&d);
    }
}

static void test_syncing_state_visible(void **state)
{
    (void)state;
    /* a long sync: observe syncing, then force restarts with a new sync_start */
    const char *cid = "lumber_tomato";
    size_t from = sbt_receiver_count(rx);
    json_decref(sbt_call(sb, "POST", 200, NULL, "/connections/%s/sync", cid));
    json_t *c = sbt_call(sb, "GET", 200, NULL, "/connections/%s", cid);
    const char *s = sbt_str(json_object_get(sbt_data(c), "status"), "sync_state");
    assert_true(strcmp(s, "syncing") == 0 || strcmp(s, "scheduled") == 0);
    json_decref(c);
    c = sbt_wait_sync_state(sb, cid, "scheduled", 5000);
    assert_string_equal(sbt_str(json_object_get(sbt_data(c), "status"), "sync_state"), "scheduled");
    json_decref(c);
    sbt_delivery d;
    json_t *ev;
    assert_true(wait_delivery(from, "sync_end", cid, &d, &ev) >= 0);
    json_decref(ev);
    sbt_delivery_free(&d);
}

static void test_sync_failure(void **state)
{
    (void)state;
    const char *cid = "upriver_avoid"; /* demo: configured to fail */
    /* subscribe a group webhook for deck_enjoy */
    char body[512];
    snprintf(body, sizeof(body), "{\"url\":\"%s\",\"events\":[\"sync_end\"],\"secret\":\"g\"}",
             sbt_receiver_url(rx));
    json_t *j = sbt_call(sb, "POST", 200, body, "/webhooks/group/deck_enjoy");
    json_decref(j);
    json_t *before = sbt_call(sb, "GET", 200, NULL, "/connections/%s", cid);
    char *prev = ts_of(before, "failed_at");
    char *prev_ok = ts_of(before, "succeeded_at");
    json_decref(before);
    size_t from = sbt_receiver_count(rx);
    json_decref(sbt_call(sb, "POST", 200, "{}", "/connections/%s/sync", cid));
    json_t *c = NULL;
    char *now = NULL;
    for (int waited = 0; waited < 5000; waited += 10) {
        json_decref(c);
        free(now);
        c = sbt_call(sb, "GET", 200, NULL, "/connections/%s", cid);
        now = ts_of(c, "failed_at");
        if (now && strcmp(now, prev) > 0)
            break;
        sbt_sleep_ms(10);
    }
    assert_true(strcmp(now, prev) > 0);
    char *ok_now = ts_of(c, "succeeded_at");
    assert_true((ok_now == NULL && prev_ok == NULL) ||
                (ok_now && prev_ok && strcmp(ok_now, prev_ok) == 0));
    json_t *st = json_object_get(sbt_data(c), "status");
    assert_string_equal(sbt_str(st, "sync_state"), "scheduled");
    assert_string_equal(sbt_str(st, "setup_state"), "broken");
    assert_true(json_array_size(json_object_get(st, "tasks")) >= 1);
    /* two sync_end deliveries: account webhook (secret s3cr3t) and group webhook (secret g) */
    sbt_delivery d;
    json_t *ev;
    long i = wait_delivery(from, "sync_end", cid, &d, &ev);
    assert_true(i >= 0);
    json_t *data = json_object_get(ev, "data");
    assert_string_equal(sbt_str(data, "status"), "FAILURE_WITH_TASK");
    assert_non_null(sbt_str(data, "reason"));
    assert_non_null(sbt_str(data, "taskType"));
    json_decref(ev);
    sbt_delivery d2;
    long i2 = wait_delivery((size_t)i + 1, "sync_end", cid, &d2, &ev);
    assert_true(i2 > i);
    json_decref(ev);
    char s1[65], s2[65];
    sbt_hmac_hex("s3cr3t", d.body, s1);
    sbt_hmac_hex("g", d.body, s2);
    /* the same body bytes, each signed with its own webhook's secret */
    assert_string_equal(d.body, d2.body);
    assert_true((strcmp(d.signature, s1) == 0 && strcmp(d2.signature, s2) == 0) ||
                (strcmp(d.signature, s2) == 0 && strcmp(d2.signature, s1) == 0));
    sbt_delivery_free(&d);
    sbt_delivery_free(&d2);
    json_decref(c);
    free(prev);
    free(prev_ok);
    free(now);
    free(ok_now);
}

static void test_paused_does_not_sync(void **state)
{
    (void)state;
    const char *cid = "nostalgic_cumin"; /* demo: paused */
    json_t *j = sbt_call(sb, "POST", 409, "{}", "/connections/%s/sync", cid);
    sbt_assert_error(j, "Conflict");
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/connections/%s", cid);
    assert_string_equal(sbt_str(json_object_get(sbt_data(j), "status"), "sync_state"), "paused");
    assert_true(json_is_null(json_object_get(sbt_data(j), "succeeded_at")));
    json_decref(j);

    /* resync while paused: historical flag set, the sync runs on resume */
    json_decref(sbt_call(sb, "POST", 200, NULL, "/connections/%s/resync", cid));
    j = sbt_call(sb, "GET", 200, NULL, "/connections/%s", cid);
    json_t *st = json_object_get(sbt_data(j), "status");
    assert_true(json_is_true(json_object_get(st, "is_historical_sync")));
    assert_string_equal(sbt_str(st, "sync_state"), "paused");
    json_decref(j);
    json_decref(sbt_call(sb, "PATCH", 200, "{\"paused\":false}", "/connections/%s", cid));
    json_t *c = NULL;
    for (int waited = 0; waited < 5000; waited += 10) {
        json_decref(c);
        c = sbt_call(sb, "GET", 200, NULL, "/connections/%s", cid);
        if (sbt_str(sbt_data(c), "succeeded_at"))
            break;
        sbt_sleep_ms(10);
    }
    assert_true(sbt_is_ts(sbt_str(sbt_data(c), "succeeded_at")));
    assert_true(json_is_false(
        json_object_get(json_object_get(sbt_data(c), "status"), "is_historical_sync")));
    json_decref(c);
}

static void test_resync_sets_historical(void **state)
{
    (void)state;
    const char *cid = "mystified_presiding";
    json_decref(sbt_call(sb, "POST", 200, "{\"scope\":{\"hubspot\":[\"deal\"]}}",
                         "/connections/%s/resync", cid));
    json_t *j = sbt_call(sb, "GET", 200, NULL, "/connections/%s", cid);
    json_t *st = json_object_get(sbt_data(j), "status");
    const char *ss = sbt_str(st, "sync_state");
    /* either still running (historical) or already finished */
    if (strcmp(ss, "syncing") == 0)
        assert_true(json_is_true(json_object_get(st, "is_historical_sync")));
    json_decref(j);
    j = sbt_wait_sync_state(sb, cid, "scheduled", 5000);
    assert_true(json_is_false(
        json_object_get(json_object_get(sbt_data(j), "status"), "is_historical_sync")));
    json_decref(j);
}

static void test_inactive_webhook_gets_nothing(void **state)
{
    (void)state;
    json_decref(sbt_call(sb, "PATCH", 200, "{\"active\":false}", "/webhooks/%s", account_hook));
    json_decref(sbt_call(sb, "PATCH", 200, "{\"active\":false}", "/webhooks/%s", group_hook));
    size_t from = sbt_receiver_count(rx);
    const char *cid = "speak_inexpensive";
    json_decref(sbt_call(sb, "POST", 200, NULL, "/connections/%s/sync", cid));
    json_t *c = sbt_wait_sync_state(sb, cid, "scheduled", 5000);
    json_decref(c);
    /* let any (wrong) delivery arrive before checking */
    sbt_receiver_wait(rx, from + 1, 300);
    sbt_delivery d;
    json_t *ev;
    assert_true(find_delivery(from, "sync_end", cid, &d, &ev) < 0);
    assert_true(find_delivery(from, "sync_start", cid, &d, &ev) < 0);
    /* reactivation performs a test POST again */
    json_decref(sbt_call(sb, "PATCH", 200, "{\"active\":true}", "/webhooks/%s", account_hook));
    assert_true(sbt_receiver_wait(rx, from + 1, 5000) >= from + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_webhooks),
        cmocka_unit_test(test_sync_success_lifecycle),
        cmocka_unit_test(test_syncing_state_visible),
        cmocka_unit_test(test_sync_failure),
        cmocka_unit_test(test_paused_does_not_sync),
        cmocka_unit_test(test_resync_sets_historical),
        cmocka_unit_test(test_inactive_webhook_gets_nothing),
    };
    return cmocka_run_group_tests_name("sandbox_sync", tests, setup, teardown);
}
