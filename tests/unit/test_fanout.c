/*
 * ftx_connectors_stream_groups: many paged lists on one curl multi handle.
 * Every item of every group is delivered exactly once with its group index; at most K
 * requests are in flight (counted by the server while it holds each answer); a 500
 * is retried after the policy's delay on the injected clock; a 429 with Retry-After
 * pauses every new request until the server's time; the first error (a 404) stops
 * everything; a non-zero callback return cancels with no further request; hostile
 * ids are percent-encoded; bad arguments send nothing.
 *
 * Concurrent tests answer through a mock_server handler (by path and cursor), since
 * the order in which concurrent requests arrive is not fixed; tests asserting exact
 * requests use max_in_flight 1 and the FIFO queue.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "fivetrex/batch.h"
#include "internal.h"
#include "test_helpers.h"

#define ITEM(id, gid)                                                                              \
    "{\"id\":\"" id "\",\"group_id\":\"" gid "\",\"service\":\"postgres\",\"schema\":\"pg_" id     \
    "\",\"paused\":false,\"status\":{\"setup_state\":\"connected\",\"sync_state\":"                \
    "\"scheduled\",\"update_state\":\"on_schedule\",\"is_historical_sync\":false,\"tasks\":[],"    \
    "\"warnings\":[]},\"created_at\":\"2020-05-25T15:26:47.306509Z\"}"
#define PAGE(items, next)                                                                          \
    "{\"code\":\"Success\",\"data\":{\"items\":[" items "],\"next_cursor\":" next "}}"
#define ERR_404                                                                                    \
    "{\"code\":\"NotFound_Group\",\"message\":\"Cannot find entity 'Group' with id 'g1'.\"}"
#define ERR_500 "{\"code\":\"InternalError\",\"message\":\"Something went wrong\"}"
#define ERR_429 "{\"code\":\"TooManyRequests\",\"message\":\"Rate limit exceeded\"}"

/* ---- a synthetic account served by path: group gN has `pages` pages of `per_page`
 * connectors each, ids "gN_cM"; cursors are "pK" ---- */

#define MAX_GROUPS 64

typedef struct account {
    th_fake_clock *fc;
    int groups;
    int pages;
    int per_page;
    unsigned delay_ms;
    pthread_mutex_t lock;
    int in_flight;
    int peak;
    int requests[MAX_GROUPS];
    /* 429 scripting: the first request of group `limited` gets a 429 with
     * Retry-After `retry_after`; requests of other groups record the fake time
     * they arrived at in `seen_at`. */
    int limited;
    int retry_after;
    int slow_group; /* answered 100 ms later than the others (-1: none) */
    uint64_t seen_at[MAX_GROUPS];
    int error_group; /* answered 500 on its first request (-1: none) */
} account;

static _Thread_local char tl_body[16384];

static int parse_group(const char *path)
{
    const char *p = "/v1/groups/g";
    char *end;
    long g;

    if (strncmp(path, p, strlen(p)) != 0)
        return -1;
    g = strtol(path + strlen(p), &end, 10);
    if (strcmp(end, "/connections") != 0 || g < 0 || g >= MAX_GROUPS)
        return -1;
    return (int)g;
}

static int query_page(const char *query)
{
    const char *c = query != NULL ? strstr(query, "cursor=p") : NULL;

    return c != NULL ? (int)strtol(c + strlen("cursor=p"), NULL, 10) : 0;
}

static void render_page(const account *a, int g, int page)
{
    size_t n = 0;
    int i;

    n += (size_t)snprintf(tl_body + n, sizeof(tl_body) - n,
                          "{\"code\":\"Success\",\"data\":{\"items\":[");
    for (i = 0; i < a->per_page; i++) {
        char id[32], gid[16];

        (void)snprintf(gid, sizeof(gid), "g%d", g);
        (void)snprintf(id, sizeof(id), "g%d_c%d", g, page * a->per_page + i);
        n += (size_t)snprintf(tl_body + n, sizeof(tl_body) - n,
                              "%s{\"id\":\"%s\",\"group_id\":\"%s\",\"service\":\"postgres\","
                              "\"schema\":\"pg_%s\",\"paused\":false,\"status\":{\"setup_state\":"
                              "\"connected\",\"sync_state\":\"scheduled\",\"update_state\":"
                              "\"on_schedule\",\"is_historical_sync\":false,\"tasks\":[],"
                              "\"warnings\":[]}}",
                              i ? "," : "", id, gid, id);
    }
    if (page + 1 < a->pages)
        (void)snprintf(tl_body + n, sizeof(tl_body) - n, "],\"next_cursor\":\"p%d\"}}", page + 1);
    else
        (void)snprintf(tl_body + n, sizeof(tl_body) - n, "],\"next_cursor\":null}}");
}

static void sleep_real_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0) {
    }
}

static int account_handler(const mock_request *req, mock_response *out, void *ud)
{
    account *a = ud;
    int g = parse_group(req->path), first;

    if (g < 0 || g >= a->groups) {
        out->status = 404;
        out->body = ERR_404;
        return 0;
    }
    pthread_mutex_lock(&a->lock);
    first = a->requests[g]++ == 0;
    if (++a->in_flight > a->peak)
        a->peak = a->in_flight;
    pthread_mutex_unlock(&a->lock);
    if (g != a->limited && a->fc != NULL) {
        pthread_mutex_lock(&a->fc->lock);
        a->seen_at[g] = a->fc->now_ms;
        pthread_mutex_unlock(&a->fc->lock);
    }

    /* Hold the answer so that concurrent requests overlap here. */
    if (a->delay_ms > 0)
        sleep_real_ms(a->delay_ms);
    if (g == a->slow_group)
        sleep_real_ms(100);

    pthread_mutex_lock(&a->lock);
    a->in_flight--;
    pthread_mutex_unlock(&a->lock);

    if (first && g == a->limited) {
        static _Thread_local char hdr[64];

        (void)snprintf(hdr, sizeof(hdr), "Retry-After: %d", a->retry_after);
        out->status = 429;
        out->body = ERR_429;
        out->headers = hdr;
        return 0;
    }
    if (first && g == a->error_group) {
        out->status = 500;
        out->body = ERR_500;
        return 0;
    }
    render_page(a, g, query_page(req->query));
    out->status = 200;
    out->body = tl_body;
    return 0;
}

static void account_init(account *a, th_fake_clock *fc, int groups, int pages, int per_page)
{
    memset(a, 0, sizeof(*a));
    a->fc = fc;
    a->groups = groups;
    a->pages = pages;
    a->per_page = per_page;
    a->limited = -1;
    a->slow_group = -1;
    a->error_group = -1;
    pthread_mutex_init(&a->lock, NULL);
}

/* ---- what the callback saw ---- */

typedef struct seen {
    char **ids;
    size_t *groups;
    size_t count;
    size_t cap;
    const char *const *group_ids;
    size_t stop_after; /* return 1 on this item number (1-based); 0: never */
} seen;

static int on_item(const ftx_connector *k, size_t g, void *ud)
{
    seen *s = ud;

    assert_non_null(k);
    assert_non_null(k->id);
    /* The item belongs to the group the callback names. */
    assert_string_equal(k->group_id, s->group_ids[g]);
    assert_string_equal(k->service, "postgres");
    assert_non_null(k->schema);
    assert_non_null(k->status);
    if (s->count == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->ids = realloc(s->ids, s->cap * sizeof(*s->ids));
        s->groups = realloc(s->groups, s->cap * sizeof(*s->groups));
        assert_non_null(s->ids);
        assert_non_null(s->groups);
    }
    s->ids[s->count] = strdup(k->id);
    s->groups[s->count] = g;
    s->count++;
    return s->stop_after != 0 && s->count == s->stop_after;
}

static void seen_free(seen *s)
{
    size_t i;

    for (i = 0; i < s->count; i++)
        free(s->ids[i]);
    free(s->ids);
    free(s->groups);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every id "gG_cM" for G < groups, M < total appears exactly once. */
static void assert_each_once(seen *s, int groups, int total)
{
    char **sorted;
    size_t i;
    int g, m, found;

    assert_int_equal(s->count, (size_t)(groups * total));
    sorted = malloc(s->count * sizeof(*sorted));
    assert_non_null(sorted);
    memcpy(sorted, s->ids, s->count * sizeof(*sorted));
    qsort(sorted, s->count, sizeof(*sorted), cmp_str);
    for (i = 1; i < s->count; i++)
        assert_string_not_equal(sorted[i - 1], sorted[i]);
    for (g = 0; g < groups; g++) {
        for (m = 0; m < total; m++) {
            char id[32];
            char *key = id;

            (void)snprintf(id, sizeof(id), "g%d_c%d", g, m);
            found = bsearch(&key, sorted, s->count, sizeof(*sorted), cmp_str) != NULL;
            assert_true(found);
        }
    }
    free(sorted);
}

static char **group_ids(int n)
{
    char **ids = calloc((size_t)n, sizeof(*ids));
    int i;

    assert_non_null(ids);
    for (i = 0; i < n; i++) {
        ids[i] = malloc(16);
        assert_non_null(ids[i]);
        (void)snprintf(ids[i], 16, "g%d", i);
    }
    return ids;
}

static void group_ids_free(char **ids, int n)
{
    int i;

    for (i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

/* ---- tests ---- */

static void test_every_item_once(void **state)
{
    th_fixture *fx = *state;
    ftx_fanout_options o = FTX_FANOUT_OPTIONS_INIT;
    ftx_fanout_stats st;
    ftx_error err;
    account a;
    seen s;
    char **ids = group_ids(12);
    size_t i, n;
    int rc;

    account_init(&a, &fx->fc, 12, 3, 2);
    mock_server_set_handler(fx->ms, account_handler, &a);
    memset(&s, 0, sizeof(s));
    s.group_ids = (const char *const *)ids;
    o.max_in_flight = 4;
    o.limit = 2;

    rc = ftx_connectors_stream_groups(fx->client, (const char *const *)ids, 12, &o, on_item, &s,
                                      &st, &err);
    assert_int_equal(rc, FTX_OK);
    assert_each_once(&s, 12, 6);
    assert_int_equal(st.lists_completed, 12);
    assert_int_equal(st.items, 72);
    assert_int_equal(st.requests, 36);
    assert_int_equal(st.retries, 0);
    assert_true(st.peak_in_flight >= 1 && st.peak_in_flight <= 4);

    /* Each item's group index matches the page it came from, and within a group the
     * pages arrive in order. */
    for (i = 0; i < s.count; i++) {
        char prefix[16];

        (void)snprintf(prefix, sizeof(prefix), "g%zu_", s.groups[i]);
        assert_int_equal(strncmp(s.ids[i], prefix, strlen(prefix)), 0);
    }
    for (i = 0; i < 12; i++) {
        int last = -1;
        size_t j;

        for (j = 0; j < s.count; j++) {
            if (s.groups[j] == i) {
                int m = (int)strtol(strchr(s.ids[j], 'c') + 1, NULL, 10);

                assert_true(m > last);
                last = m;
            }
        }
    }

    /* 3 requests per group: first page without cursor, then p1 and p2, all with
     * limit=2, plain Accept as ftx_connectors_stream, credentials sent. */
    n = mock_server_request_count(fx->ms);
    assert_int_equal(n, 36);
    for (i = 0; i < n; i++) {
        const mock_request *r = mock_server_request(fx->ms, i);
        const char *q = r->query;

        assert_true(parse_group(r->path) >= 0);
        assert_non_null(q);
        assert_true(strcmp(q, "limit=2") == 0 || strcmp(q, "cursor=p1&limit=2") == 0 ||
                    strcmp(q, "cursor=p2&limit=2") == 0);
        th_assert_request(r, "GET", r->path, q, "application/json");
    }
    for (i = 0; i < 12; i++)
        assert_int_equal(a.requests[i], 3);
    seen_free(&s);
    group_ids_free(ids, 12);
    mock_server_set_handler(fx->ms, NULL, NULL); /* no late call may see `a` */
    pthread_mutex_destroy(&a.lock);
}

static void run_bounded(th_fixture *fx, int k, int groups)
{
    ftx_client_options co = th_options(fx->ms, &fx->fc);
    ftx_fanout_options o = FTX_FANOUT_OPTIONS_INIT;
    ftx_fanout_stats st;
    ftx_client *c;
    ftx_error err;
    account a;
    seen s;
    char **ids = group_ids(groups);
    int rc;

    co.max_idle_handles = k;
    c = th_client_opts(&co);
    mock_server_reset(fx->ms);
    account_init(&a, &fx->fc, groups, 1, 3);
    a.delay_ms = 40;
    mock_server_set_handler(fx->ms, account_handler, &a);
    memset(&s, 0, sizeof(s));
    s.group_ids = (const char *const *)ids;
    o.max_in_flight = k;

    rc = ftx_connectors_stream_groups(c, (const char *const *)ids, (size_t)groups, &o, on_item, &s,
                                      &st, &err);
    assert_int_equal(rc, FTX_OK);
    assert_each_once(&s, groups, 3);
    /* The server never held more than K requests, and did hold several at once. */
    assert_true(a.peak <= k);
    assert_true(st.peak_in_flight <= k);
    if (k > 1) {
        assert_true(a.peak >= 2);
        assert_true(st.peak_in_flight >= 2);
    } else {
        assert_int_equal(a.peak, 1);
        assert_int_equal(st.peak_in_flight, 1);
    }
    /* Connections are kept and reused across groups: at most one per slot. */
    assert_true(mock_server_connection_count(fx->ms) <= (unsigned)k);
    assert_int_equal(mock_server_request_count(fx->ms), (size_t)groups);
    seen_free(&s);
    group_ids_free(ids, groups);
    ftx_client_free(c);
    mock_server_set_handler(fx->ms, NULL, NULL); /* no late call may see `a` */
    pthread_mutex_destroy(&a.lock);
}

static void test_at_most_k_in_flight(void **state)
{
    run_bounded(*state, 4, 16);
}

static void test_k1_is_sequential(void **state)
{
    run_bounded(*state, 1, 4);
}

static void test_500_retried_after_policy_delay(void **state)
{
    th_fixture *fx = *state;
    ftx_fanout_options o = FTX_FANOUT_OPTIONS_INIT;
    ftx_fanout_stats st;
    ftx_error err;
    seen s;
    const char *ids[] = {"g0"};
    int rc;

    mock_server_respond(fx->ms, 500, ERR_500);
    mock_server_respond(fx->ms, 200, PAGE(ITEM("g0_c0", "g0") "," ITEM("g0_c1", "g0"), "null"));
    memset(&s, 0, sizeof(s));
    s.group_ids = ids;
    o.max_in_flight = 1;

    rc = ftx_connectors_stream_groups(fx->client, ids, 1, &o, on_item, &s, &st, &err);
    assert_int_equal(rc, FTX_OK);
    assert_int_equal(s.count, 2);
    assert_string_equal(s.ids[0], "g0_c0");
    assert_string_equal(s.ids[1], "g0_c1");
    /* One wait, of the policy's base delay, on the injected clock. */
    assert_int_equal(fx->fc.nsleeps, 1);
    assert_int_equal(fx->fc.sleeps[0], 1000);
    assert_int_equal(st.requests, 2);
    assert_int_equal(st.retries, 1);
    assert_int_equal(mock_server_request_count(fx->ms), 2);
    th_assert_call(fx->ms, 0, "GET", "/v1/groups/g0/connections", NULL, "application/json", NULL);
    th_assert_call(fx->ms, 1, "GET", "/v1/groups/g0/connections", NULL, "application/json", NULL);
    seen_free(&s);
}

static void test_500_exhausts_attempts(void **state)
{
    th_fixture *fx = *state;
    ftx_fanout_options o = FTX_FANOUT_OPTIONS_INIT;
    ftx_error err;
    seen s;
    const char *ids[] = {"g0"};
    int rc;

    mock_server_respond(fx->ms, 500, ERR_500);
    mock_server_respond(fx->ms, 502, ERR_500);
    mock_server_respond(fx->ms, 503, ERR_500);
    memset(&s, 0, sizeof(s));
    s.group_ids = ids;
    o.max_in_flight = 1;

    rc = ftx_connectors_stream_groups(fx->client, ids, 1, &o, on_item, &s, NULL, &err);
    assert_int_equal(rc, FTX_ERR_SERVER);
    assert_int_equal(err.type, FTX_ERR_SERVER);
    assert_int_equal(err.status, 503);
    assert_int_equal(err.attempts, 3);
    assert_string_equal(err.code, "InternalError");
    /* Exponential backoff, as the blocking path. */
    assert_int_equal(fx->fc.nsleeps, 2);
    assert_int_equal(fx->fc.sleeps[0], 1000);
    assert_int_equal(fx->fc.sleeps[1], 2000);
    assert_int_equal(s.count, 0);
    assert_int_equal(mock_server_request_count(fx->ms), 3);
    th_assert_no_secret(err.message);
}

static void test_429_pauses_new_transfers(void **state)
{
    th_fixture *fx = *state;
    ftx_fanout_options o = FTX_FANOUT_OPTIONS_INIT;
    ftx_fanout_stats st;
    ftx_error err;
    account a;
    seen s;
    char **ids = group_ids(4);
    uint64_t t0 = fx->fc.now_ms;
    int rc, g;

    account_init(&a, &fx->fc, 4, 1, 2);
    a.limited = 0;
    a.retry_after = 7;
    a.slow_group = 1; /* g0's 429 comes back while g1 is still in flight */
    mock_server_set_handler(fx->ms, account_handler, &a);
    memset(&s, 0, sizeof(s));
    s.group_ids = (const char *const *)ids;
    o.max_in_flight = 2;

    rc = ftx_connectors_stream_groups(fx->client, (const char *const *)ids, 4, &o, on_item, &s, &st,
                                      &err);
    assert_int_equal(rc, FTX_OK);
    assert_each_once(&s, 4, 2);
    assert_int_equal(a.requests[0], 2);
    /* g1 started with g0 (before the 429); g2 and g3 only after the pause: the loop
     * waited once, the whole Retry-After, on the client's clock. */
    assert_int_equal(a.seen_at[1], t0);
    assert_true(a.seen_at[2] >= t0 + 7000);
    assert_true(a.seen_at[3] >= t0 + 7000);
    assert_int_equal(fx->fc.nsleeps, 1);
    assert_int_equal(fx->fc.sleeps[0], 7000);
    /* The pause is the client's, so every other call on it waits too. */
    assert_int_equal(ftx__client_paused_until(fx->client), t0 + 7000);
    assert_int_equal(st.retries, 1);
    assert_int_equal(st.requests, 5);
    for (g = 1; g < 4; g++)
        assert_int_equal(a.requests[g], 1);
    seen_free(&s);
    group_ids_free(ids, 4);
    mock_server_set_handler(fx->ms, NULL, NULL); /* no late call may see `a` */
    pthread_mutex_destroy(&a.lock);
}

static void test_client_pause_holds_first_request(void **state)
{
    th_fixture *fx = *state;
    ftx_fanout_options o = FTX_FANOUT_OPTIONS_INIT;
    ftx_error err;
    seen s;
    const char *ids[] = {"g0"};
    int rc;

    /* Another call's 429 paused the client for 3 s: nothing goes out before. */
    ftx__client_pause_until(fx->client, fx->fc.now_ms + 3000);
    mock_server_respond(fx->ms, 200, PAGE(ITEM("g0_c0", "g0"), "null"));
    memset(&s, 0, sizeof(s));
    s.group_ids = ids;
    rc = ftx_connectors_stream_groups(fx->client, ids, 1, &o, on_item, &s, NULL, &err);
    assert_int_equal(rc, FTX_OK);
    assert_int_equal(fx->fc.nsleeps, 1);
    assert_int_equal(fx->fc.sleeps[0], 3000);
    assert_int_equal(s.count, 1);

    /* A pause longer than max_delay_ms (30 s) fails at once, sending nothing. */
    mock_server_reset(fx->ms);
    ftx__client_pause_until(fx->client, fx->fc.now_ms + 60000);
    rc = ftx_connectors_stream_groups(fx->client, ids, 1, &o, on_item, &s, NULL, &err);
    assert_int_equal(rc, FTX_ERR_RATE_LIMITED);
    assert_int_equal(err.retry_after, 60);
    assert_int_equal(err.attempts, 0);
    assert_int_equal(mock_server_request_count(fx->ms), 0);
    seen_free(&s);
}

static void test_404_stops_everything(void **state)
{
    th_fixture *fx = *state;
    ftx_fanout_options o = FTX_FANOUT_OPTIONS_INIT;
    ftx_fanout_stats st;
    ftx_error err;
    seen s;
    const char *ids[] = {"g0", "g1", "g2"};
    int rc;

    mock_server_respond(fx->ms, 200, PAGE(ITEM("g0_c0", "g0"), "null"));
    mock_server_respond(fx->ms, 404, ERR_404);
    mock_server_respond(fx->ms, 200, PAGE(ITEM("g2_c0", "g2"), "null"));
    memset(&s, 0, sizeof(s));
    s.group_ids = ids;
    o.max_in_flight = 1;

    rc = ftx_connectors_stream_groups(fx->client, ids, 3, &o, on_item, &s, &st, &err);
    assert_int_equal(rc, FTX_ERR_NOT_FOUND);
    assert_int_equal(err.type, FTX_ERR_NOT_FOUND);
    assert_int_equal(err.status, 404);
    assert_int_equal(err.attempts, 1);
    assert_string_equal(err.code, "NotFound_Group");
    assert_non_null(strstr(err.message, "/groups/g1/connections"));
    /* g0's items stay delivered; g2 is never asked for. */
    assert_int_equal(s.count, 1);
    assert_string_equal(s.ids[0], "g0_c0");
    assert_int_equal(st.lists_completed, 1);
    assert_int_equal(mock_server_request_count(fx->ms), 2);
    th_assert_call(fx->ms, 1, "GET", "/v1/groups/g1/connections", NULL, "application/json", NULL);
    seen_free(&s);
}

/* A group id too long for any URL (1 MiB) is an invalid argument naming the limit,
 * not "out of memory"; nothing is sent. */
static void test_overlong_group_id_is_invalid_argument(void **state)
{
    th_fixture *fx = *state;
    ftx_fanout_options o = FTX_FANOUT_OPTIONS_INIT;
    size_t big = (size_t)1 << 20;
    char *id = malloc(big + 1);
    const char *ids[1];
    ftx_error err;
    seen s;
    int rc;

    assert_non_null(id);
    memset(id, 'g', big);
    id[big] = '\0';
    ids[0] = id;
    memset(&s, 0, sizeof(s));
    s.group_ids = ids;
    rc = ftx_connectors_stream_groups(fx->client, ids, 1, &o, on_item, &s, NULL, &err);
    assert_int_equal(rc, FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(err.attempts, 0);
    assert_non_null(strstr(err.message, "limit of 8192 bytes"));
    assert_int_equal(mock_server_request_count(fx->ms), 0);
    seen_free(&s);
    free(id);
}

static void test_404_among_concurrent(void **state)
{
    th_fixture *fx = *state;
    ftx_fanout_options o = FTX_FANOUT_OPTIONS_INIT;
    ftx_error err;
    account a;
    seen s;
    char **ids = group_ids(8);
    int rc;

    /* The account has 5 groups: g5..g7 are unknown (404). */
    account_init(&a, &fx->fc, 5, 2, 2);
    mock_server_set_handler(fx->ms, account_handler, &a);
    memset(&s, 0, sizeof(s));
    s.group_ids = (const char *const *)ids;
    o.max_in_flight = 4;
    rc = ftx_connectors_stream_groups(fx->client, (const char *const *)ids, 8, &o, on_item, &s,
                                      NULL, &err);
    assert_int_equal(rc, FTX_ERR_NOT_FOUND);
    assert_int_equal(err.status, 404);
    assert_string_equal(err.code, "NotFound_Group");
    assert_true(s.count < 8 * 4);
    seen_free(&s);
    group_ids_free(ids, 8);
    mock_server_set_handler(fx->ms, NULL, NULL); /* no late call may see `a` */
    pthread_mutex_destroy(&a.lock);
}

static void test_callback_stop_cancels(void **state)
{
    th_fixture *fx = *state;
    ftx_fanout_options o = FTX_FANOUT_OPTIONS_INIT;
    ftx_fanout_stats st;
    ftx_error err;
    seen s;
    const char *ids[] = {"g0", "g1"};
    int rc;

    mock_server_respond(
        fx->ms, 200,
        PAGE(ITEM("g0_c0", "g0") "," ITEM("g0_c1", "g0") "," ITEM("g0_c2", "g0"), "\"p1\""));
    mock_server_respond(fx->ms, 200, PAGE(ITEM("g0_c3", "g0"), "null"));
    mock_server_respond(fx->ms, 200, PAGE(ITEM("g1_c0", "g1"), "null"));
    memset(&s, 0, sizeof(s));
    s.group_ids = ids;
    s.stop_after = 2;
    o.max_in_flight = 1;

    rc = ftx_connectors_stream_groups(fx->client, ids, 2, &o, on_item, &s, &st, &err);
    assert_int_equal(rc, FTX_ERR_CANCELLED);
    assert_int_equal(err.type, FTX_ERR_CANCELLED);
    assert_int_equal(s.count, 2);
    assert_int_equal(st.items, 2);
    assert_int_equal(st.lists_completed, 0);
    /* No further request after the callback said stop. */
    assert_int_equal(mock_server_request_count(fx->ms), 1);
    seen_free(&s);
}

static void test_hostile_ids_encoded(void **state)
{
    th_fixture *fx = *state;
    ftx_fanout_options o = FTX_FANOUT_OPTIONS_INIT;
    ftx_error err;
    const char *ids[] = {"a/b?c#d", "..", "x y%\r\n"};
    seen s;
    int rc;

    mock_server_respond(fx->ms, 200, PAGE("", "null"));
    mock_server_respond(fx->ms, 200, PAGE("", "null"));
    mock_server_respond(fx->ms, 200, PAGE("", "null"));
    memset(&s, 0, sizeof(s));
    s.group_ids = ids;
    o.max_in_flight = 1;
    rc = ftx_connectors_stream_groups(fx->client, ids, 3, &o, on_item, &s, NULL, &err);
    assert_int_equal(rc, FTX_OK);
    assert_int_equal(mock_server_request_count(fx->ms), 3);
    th_assert_call(fx->ms, 0, "GET", "/v1/groups/a%2Fb%3Fc%23d/connections", NULL,
                   "application/json", NULL);
    th_assert_call(fx->ms, 1, "GET", "/v1/groups/%2E%2E/connections", NULL, "application/json",
                   NULL);
    th_assert_call(fx->ms, 2, "GET", "/v1/groups/x%20y%25%0D%0A/connections", NULL,
                   "application/json", NULL);
    seen_free(&s);
}

static void test_bad_arguments_send_nothing(void **state)
{
    th_fixture *fx = *state;
    ftx_fanout_options o = FTX_FANOUT_OPTIONS_INIT;
    ftx_fanout_stats st;
    ftx_error err;
    const char *ok[] = {"g0", "g1"};
    const char *with_null[] = {"g0", NULL};
    const char *with_empty[] = {"g0", ""};
    seen s;

    memset(&s, 0, sizeof(s));
    s.group_ids = ok;
    assert_int_equal(ftx_connectors_stream_groups(NULL, ok, 2, NULL, on_item, &s, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_connectors_stream_groups(fx->client, ok, 2, NULL, NULL, &s, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(
        ftx_connectors_stream_groups(fx->client, NULL, 2, NULL, on_item, &s, NULL, &err),
        FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(
        ftx_connectors_stream_groups(fx->client, with_null, 2, NULL, on_item, &s, NULL, &err),
        FTX_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "group_ids[1]"));
    assert_int_equal(
        ftx_connectors_stream_groups(fx->client, with_empty, 2, NULL, on_item, &s, NULL, &err),
        FTX_ERR_INVALID_ARGUMENT);
    o.version = 99;
    assert_int_equal(ftx_connectors_stream_groups(fx->client, ok, 2, &o, on_item, &s, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    o.version = FTX_FANOUT_OPTIONS_VERSION;
    o.max_in_flight = 257;
    assert_int_equal(ftx_connectors_stream_groups(fx->client, ok, 2, &o, on_item, &s, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    o.max_in_flight = -1;
    assert_int_equal(ftx_connectors_stream_groups(fx->client, ok, 2, &o, on_item, &s, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    o.max_in_flight = 0;
    o.limit = 1001;
    assert_int_equal(ftx_connectors_stream_groups(fx->client, ok, 2, &o, on_item, &s, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    /* No groups: nothing to do. */
    memset(&st, 0xff, sizeof(st));
    assert_int_equal(
        ftx_connectors_stream_groups(fx->client, NULL, 0, NULL, on_item, &s, &st, NULL), FTX_OK);
    assert_int_equal(st.requests, 0);
    assert_int_equal(st.items, 0);
    assert_int_equal(mock_server_request_count(fx->ms), 0);
    assert_int_equal(s.count, 0);
}

static void test_bad_page_is_decode_error(void **state)
{
    th_fixture *fx = *state;
    ftx_error err;
    seen s;
    const char *ids[] = {"g0"};
    int rc;

    mock_server_respond(fx->ms, 200, "{\"code\":\"Success\",\"data\":{\"items\":42}}");
    memset(&s, 0, sizeof(s));
    s.group_ids = ids;
    rc = ftx_connectors_stream_groups(fx->client, ids, 1, NULL, on_item, &s, NULL, &err);
    assert_int_equal(rc, FTX_ERR_DECODE);
    assert_int_equal(mock_server_request_count(fx->ms), 1);

    /* A page answering its own cursor would loop forever: stopped. */
    mock_server_reset(fx->ms);
    mock_server_respond(fx->ms, 200, PAGE(ITEM("g0_c0", "g0"), "\"p1\""));
    mock_server_respond(fx->ms, 200, PAGE(ITEM("g0_c1", "g0"), "\"p1\""));
    rc = ftx_connectors_stream_groups(fx->client, ids, 1, NULL, on_item, &s, NULL, &err);
    assert_int_equal(rc, FTX_ERR_DECODE);
    assert_int_equal(mock_server_request_count(fx->ms), 2);
    assert_int_equal(s.count, 1);
    seen_free(&s);
}

/* Cursors that cycle (A, B, A, ...) or a fresh cursor on every empty page: the
 * fan-out walks each list with the same guards as a stream. The queue holds far more
 * pages than the guards allow, ending with a last page, so code without them
 * returns FTX_OK after every page instead. */
static void test_cursor_cycles_stopped(void **state)
{
    th_fixture *fx = *state;
    ftx_error err;
    seen s;
    const char *ids[] = {"g0"};
    char body[128];
    int rc, i;

    memset(&s, 0, sizeof(s));
    s.group_ids = ids;
    mock_server_respond(fx->ms, 200, PAGE(ITEM("g0_c0", "g0"), "\"A\""));
    for (i = 0; i < 40; i++)
        mock_server_respond(fx->ms, 200,
                            i % 2 ? PAGE(ITEM("g0_c0", "g0"), "\"A\"")
                                  : PAGE(ITEM("g0_c1", "g0"), "\"B\""));
    mock_server_respond(fx->ms, 200, PAGE(ITEM("g0_end", "g0"), "null"));
    rc = ftx_connectors_stream_groups(fx->client, ids, 1, NULL, on_item, &s, NULL, &err);
    assert_int_equal(rc, FTX_ERR_DECODE);
    assert_non_null(strstr(err.message, "cursor \"A\" came back after 2 pages"));
    assert_int_equal(mock_server_request_count(fx->ms), 3);
    assert_int_equal(s.count, 2);
    seen_free(&s);

    /* empty pages, each with a new cursor */
    mock_server_reset(fx->ms);
    memset(&s, 0, sizeof(s));
    s.group_ids = ids;
    for (i = 0; i < 40; i++) {
        snprintf(body, sizeof(body), PAGE("", "\"f%d\""), i);
        mock_server_respond(fx->ms, 200, body);
    }
    mock_server_respond(fx->ms, 200, PAGE("", "null"));
    rc = ftx_connectors_stream_groups(fx->client, ids, 1, NULL, on_item, &s, NULL, &err);
    assert_int_equal(rc, FTX_ERR_DECODE);
    assert_non_null(strstr(err.message, "more than 10 empty pages in a row"));
    assert_int_equal(mock_server_request_count(fx->ms), 11);
    assert_int_equal(s.count, 0);
    seen_free(&s);
}

static int count_observed(void *ud)
{
    return *(int *)ud;
}

static void observe(const ftx_request_info *info, void *ud)
{
    (void)info;
    (*(int *)ud)++;
}

static void test_observer_sees_every_attempt(void **state)
{
    th_fixture *fx = *state;
    ftx_client_options co = th_options(fx->ms, &fx->fc);
    ftx_client *c;
    ftx_error err;
    seen s;
    const char *ids[] = {"g0", "g1"};
    int observed = 0, rc;

    co.observer = observe;
    co.observer_userdata = &observed;
    c = th_client_opts(&co);
    mock_server_respond(fx->ms, 500, ERR_500);
    mock_server_respond(fx->ms, 200, PAGE("", "null"));
    mock_server_respond(fx->ms, 200, PAGE("", "null"));
    memset(&s, 0, sizeof(s));
    s.group_ids = ids;
    rc = ftx_connectors_stream_groups(c, ids, 2, NULL, on_item, &s, NULL, &err);
    assert_int_equal(rc, FTX_OK);
    assert_int_equal(count_observed(&observed), 3);
    ftx_client_free(c);
    seen_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_item_once, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_at_most_k_in_flight, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_k1_is_sequential, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_500_retried_after_policy_delay, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_500_exhausts_attempts, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_429_pauses_new_transfers, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_client_pause_holds_first_request, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_404_stops_everything, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_404_among_concurrent, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_callback_stop_cancels, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_hostile_ids_encoded, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments_send_nothing, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_cursor_cycles_stopped, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_bad_page_is_decode_error, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_overlong_group_id_is_invalid_argument, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_observer_sees_every_attempt, th_setup, th_teardown),
    };

    ftx_global_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
