/* fivetrex-sandbox: cursor paging invariants on a synthetic account of 2500 connections. */
#include "sandbox_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 2500

static sandbox_proc *sb;

static int setup(void **state)
{
    (void)state;
    const char *args[] = {"--synthetic-connections", "2500", NULL};
    sb = sandbox_start(args);
    return sb ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return sandbox_stop(sb) == 0 ? 0 : -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* walk every page of path with limit; returns ids in order (caller frees); *n count;
 * asserts: each page has limit items except the last, next_cursor absent exactly on the last
 * page */
static char **walk(const char *path, int limit, size_t *n, size_t cap)
{
    char **ids = calloc(cap, sizeof(*ids));
    assert_non_null(ids);
    *n = 0;
    char *cursor = NULL;
    for (int pages = 0;; pages++) {
        assert_true(pages <= N + 1);
        json_t *j;
        const char *sep = strchr(path, '?') ? "&" : "?";
        if (cursor)
            j = sbt_call(sb, "GET", 200, NULL, "%s%slimit=%d&cursor=%s", path, sep, limit, cursor);
        else
            j = sbt_call(sb, "GET", 200, NULL, "%s%slimit=%d", path, sep, limit);
        json_t *d = sbt_data(j);
        json_t *items = json_object_get(d, "items");
        assert_true(json_is_array(items));
        json_t *nc = json_object_get(d, "next_cursor");
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            assert_true(*n < cap);
            ids[(*n)++] = strdup(sbt_str(it, "id"));
        }
        free(cursor);
        cursor = NULL;
        if (!nc) {
            assert_true(json_array_size(items) <= (size_t)limit);
            json_decref(j);
            break;
        }
        assert_int_equal(json_array_size(items), limit);
        assert_true(json_is_string(nc));
        /* opaque base64url: no characters that need escaping in a query */
        for (const char *c = json_string_value(nc); *c; c++)
            assert_non_null(
                strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *c));
        cursor = strdup(json_string_value(nc));
        json_decref(j);
    }
    return ids;
}

static void free_ids(char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

static void test_every_item_once(void **state)
{
    (void)state;
    static const int limits[] = {1, 7, 100, 1000};
    char **ref = NULL;
    size_t nref = 0;
    for (size_t l = 0; l < 4; l++) {
        size_t n;
        char **ids = walk("/connections", limits[l], &n, N + 10);
        assert_int_equal(n, N);
        if (!ref) {
            ref = ids;
            nref = n;
            /* exactly once: no duplicates */
            char **sorted = malloc(n * sizeof(*sorted));
            memcpy(sorted, ids, n * sizeof(*sorted));
            qsort(sorted, n, sizeof(*sorted), cmp_str);
            for (size_t i = 1; i < n; i++)
                assert_true(strcmp(sorted[i - 1], sorted[i]) != 0);
            for (size_t i = 0; i < n; i++)
                assert_true(sbt_is_id(sorted[i]));
            free(sorted);
        } else {
            /* stable order for every page size */
            for (size_t i = 0; i < n; i++)
                assert_string_equal(ids[i], ref[i]);
            free_ids(ids, n);
        }
    }
    free_ids(ref, nref);
}

static void test_default_limit_and_bad_params(void **state)
{
    (void)state;
    json_t *j = sbt_call(sb, "GET", 200, NULL, "/connections");
    assert_int_equal(json_array_size(json_object_get(sbt_data(j), "items")), 100);
    assert_non_null(json_object_get(sbt_data(j), "next_cursor"));
    json_decref(j);
    static const char *const bad[] = {
        "limit=0", "limit=1001", "limit=abc",           "limit=-1",
        "limit=",  "limit=10x",  "cursor=%%21%%21%%21", "cursor=bm90IGpzb24"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        char path[128];
        snprintf(path, sizeof(path), "/connections?%s", bad[i]);
        j = sbt_call(sb, "GET", 400, NULL, path);
        sbt_assert_error(j, "InvalidInput");
        json_decref(j);
    }
    j = sbt_call(sb, "GET", 200, NULL, "/groups?limit=1000");
    assert_int_equal(json_array_size(json_object_get(sbt_data(j), "items")), 25);
    assert_null(json_object_get(sbt_data(j), "next_cursor"));
    json_decref(j);
    j = sbt_call(sb, "GET", 400, NULL, "/groups?limit=0");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
    j = sbt_call(sb, "GET", 400, NULL, "/webhooks?limit=5000");
    sbt_assert_error(j, "InvalidInput");
    json_decref(j);
}

static void test_group_filter_paging(void **state)
{
    (void)state;
    json_t *j = sbt_call(sb, "GET", 200, NULL, "/groups?limit=2");
    char gid[64];
    snprintf(gid, sizeof(gid), "%s",
             sbt_str(json_array_get(json_object_get(sbt_data(j), "items"), 1), "id"));
    json_decref(j);
    char path[128];
    snprintf(path, sizeof(path), "/groups/%s/connections", gid);
    size_t n;
    char **ids = walk(path, 7, &n, N);
    assert_int_equal(n, N / 25);
    for (size_t i = 0; i < n; i++) {
        j = sbt_call(sb, "GET", 200, NULL, "/connections/%s", ids[i]);
        assert_string_equal(sbt_str(sbt_data(j), "group_id"), gid);
        json_decref(j);
    }
    free_ids(ids, n);
    snprintf(path, sizeof(path), "/connections?group_id=%s", gid);
    ids = walk(path, 1000, &n, N);
    assert_int_equal(n, N / 25);
    free_ids(ids, n);
}

static void test_mutation_while_paging(void **state)
{
    (void)state;
    /* page 1, then delete an item of page 1 and one of page 2, create one: the rest of the
     * walk neither repeats nor skips a surviving item */
    json_t *j = sbt_call(sb, "GET", 200, NULL, "/connections?limit=10");
    json_t *items = json_object_get(sbt_data(j), "items");
    char first_deleted[64], cursor[256], gid[64];
    snprintf(first_deleted, sizeof(first_deleted), "%s", sbt_str(json_array_get(items, 3), "id"));
    snprintf(gid, sizeof(gid), "%s", sbt_str(json_array_get(items, 0), "group_id"));
    snprintf(cursor, sizeof(cursor), "%s", sbt_str(sbt_data(j), "next_cursor"));
    json_decref(j);
    json_decref(sbt_call(sb, "DELETE", 200, NULL, "/connections/%s", first_deleted));
    j = sbt_call(sb, "GET", 200, NULL, "/connections?limit=10&cursor=%s", cursor);
    char second[64];
    snprintf(second, sizeof(second), "%s",
             sbt_str(json_array_get(json_object_get(sbt_data(j), "items"), 0), "id"));
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/connections/%s", second);
    json_decref(j);
    json_decref(sbt_call(sb, "PATCH", 200, "{\"paused\":true}", "/connections/%s", second));
    char body[256];
    snprintf(body, sizeof(body),
             "{\"group_id\":\"%s\",\"service\":\"jira\",\"config\":{\"schema\":\"jira_new\"}}",
             gid);
    json_decref(sbt_call(sb, "POST", 201, body, "/connections"));

    size_t n;
    char **ids = walk("/connections", 1000, &n, N + 10);
    assert_int_equal(n, N); /* one deleted, one added */
    for (size_t i = 0; i < n; i++)
        assert_string_not_equal(ids[i], first_deleted);
    free_ids(ids, n);
    j = sbt_call(sb, "GET", 404, NULL, "/connections/%s", first_deleted);
    sbt_assert_error(j, "NotFound_Connector");
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_item_once),
        cmocka_unit_test(test_default_limit_and_bad_params),
        cmocka_unit_test(test_group_filter_paging),
        cmocka_unit_test(test_mutation_while_paging),
    };
    return cmocka_run_group_tests_name("sandbox_paging", tests, setup, teardown);
}
