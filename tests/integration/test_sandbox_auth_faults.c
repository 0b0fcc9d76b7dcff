/* fivetrex-sandbox: Basic auth enforcement, fault injection, concurrency, clean shutdown. */
#include "sandbox_test_util.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

static void test_auth_enforced(void **state)
{
    (void)state;
    const char *args[] = {"--api-key", "key1", "--api-secret", "sec1", NULL};
    sandbox_proc *sb = sandbox_start(args);
    assert_non_null(sb);
    static const char *const wrong[] = {"", NULL, "key1:wrong", "wrong:sec1", "key1:", ":sec1"};
    for (size_t i = 0; i < sizeof(wrong) / sizeof(*wrong); i++) {
        json_t *j = sbt_call_auth(sb, wrong[i], "GET", 401, NULL, "/groups");
        sbt_assert_error(j, "AuthFailed");
        char *dump = json_dumps(j, 0);
        assert_null(strstr(dump, "sec1"));
        free(dump);
        json_decref(j);
    }
    json_t *j = sbt_call_auth(sb, "key1:sec1", "GET", 200, NULL, "/groups");
    assert_non_null(json_object_get(sbt_data(j), "items"));
    json_decref(j);
    /* auth is checked before routing: unknown paths are 401 too */
    j = sbt_call_auth(sb, NULL, "GET", 401, NULL, "/nowhere");
    json_decref(j);
    assert_int_equal(sandbox_stop(sb), 0);
}

static void test_any_basic_auth_by_default(void **state)
{
    (void)state;
    sandbox_proc *sb = sandbox_start(NULL);
    assert_non_null(sb);
    json_t *j = sbt_call_auth(sb, "any:thing", "GET", 200, NULL, "/groups");
    json_decref(j);
    j = sbt_call_auth(sb, NULL, "GET", 200, NULL, "/groups"); /* the harness's default */
    json_decref(j);
    /* no Authorization header at all: 401, before routing */
    static const char *const paths[] = {"/groups", "/users", "/nowhere"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
        j = sbt_call_auth(sb, "", "GET", 401, NULL, paths[i]);
        sbt_assert_error(j, "AuthFailed");
        json_decref(j);
    }
    assert_int_equal(sandbox_stop(sb), 0);
}

typedef struct tally {
    int ok, r429, r500, r503, transport, other, retry_after_ok;
    char seq[401];
} tally;

static void run_faults(const char *seed, tally *t)
{
    const char *args[] = {"--fault-rate-429",
                          "0.2",
                          "--fault-rate-5xx",
                          "0.1",
                          "--fault-drop",
                          "0.1",
                          "--fault-truncate",
                          "0.1",
                          "--random-seed",
                          seed,
                          NULL};
    sandbox_proc *sb = sandbox_start(args);
    assert_non_null(sb);
    memset(t, 0, sizeof(*t));
    for (int i = 0; i < 400; i++) {
        long status;
        char *resp = NULL;
        int rc =
            sandbox_request(sandbox_url(sb), "GET", "/groups?limit=5", NULL, NULL, &status, &resp);
        char c;
        if (rc != 0) {
            t->transport++;
            c = 'x';
        } else if (status == 200) {
            t->ok++;
            c = '.';
            json_t *j = json_loads(resp, 0, NULL);
            assert_non_null(j); /* a 200 is never truncated silently */
            json_decref(j);
        } else if (status == 429) {
            t->r429++;
            c = 'r';
            json_t *j = json_loads(resp, 0, NULL);
            sbt_assert_error(j, "TooManyRequests");
            json_decref(j);
        } else if (status == 500) {
            t->r500++;
            c = '5';
        } else if (status == 503) {
            t->r503++;
            c = '3';
        } else {
            t->other++;
            c = '?';
        }
        t->seq[i] = c;
        free(resp);
    }
    assert_int_equal(sandbox_stop(sb), 0);
}

static void test_faults_rate_and_determinism(void **state)
{
    (void)state;
    tally a, b, c;
    run_faults("42", &a);
    /* 400 requests: 20% 429, 10% 5xx, 20% drop+truncate (transport errors), 50% ok;
     * generous bounds (well over 4 sigma) */
    assert_in_range(a.r429, 50, 115);
    assert_in_range(a.r500 + a.r503, 18, 65);
    assert_true(a.r500 > 0 && a.r503 > 0);
    assert_in_range(a.transport, 45, 120);
    assert_in_range(a.ok, 160, 240);
    assert_int_equal(a.other, 0);
    /* the same seed gives the same sequence; another seed another one */
    run_faults("42", &b);
    assert_string_equal(a.seq, b.seq);
    run_faults("43", &c);
    assert_string_not_equal(a.seq, c.seq);
}

static void test_retry_after_header(void **state)
{
    (void)state;
    const char *args[] = {"--fault-rate-429", "1", NULL};
    sandbox_proc *sb = sandbox_start(args);
    assert_non_null(sb);
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "curl -s -D - -o /dev/null '%s/groups'", sandbox_url(sb));
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[256];
    int found = 0, is429 = 0;
    while (fgets(line, sizeof(line), p)) {
        if (strncmp(line, "HTTP/1.1 429", 12) == 0)
            is429 = 1;
        if (strncasecmp(line, "Retry-After: 1", 14) == 0)
            found = 1;
    }
    pclose(p);
    assert_true(is429);
    assert_true(found);
    assert_int_equal(sandbox_stop(sb), 0);
}

static sandbox_proc *shared;

static void *hammer(void *arg)
{
    long n = (long)(intptr_t)arg;
    char body[128];
    for (int i = 0; i < 40; i++) {
        long status;
        char *resp = NULL;
        snprintf(body, sizeof(body), "{\"name\":\"t%ld_%d\"}", n, i);
        if (sandbox_request(sandbox_url(shared), "POST", "/groups", body, NULL, &status, &resp) !=
                0 ||
            status != 201) {
            free(resp);
            return (void *)1;
        }
        json_t *j = json_loads(resp, 0, NULL);
        free(resp);
        char path[128];
        snprintf(path, sizeof(path), "/groups/%s",
                 json_string_value(json_object_get(json_object_get(j, "data"), "id")));
        json_decref(j);
        if (sandbox_request(sandbox_url(shared), i % 2 ? "DELETE" : "GET", path, NULL, NULL,
                            &status, NULL) != 0 ||
            status != 200)
            return (void *)1;
    }
    return NULL;
}

static void test_concurrent_clients(void **state)
{
    (void)state;
    const char *args[] = {"--threads", "4", NULL};
    shared = sandbox_start(args);
    assert_non_null(shared);
    pthread_t th[8];
    for (long i = 0; i < 8; i++)
        pthread_create(&th[i], NULL, hammer, (void *)(intptr_t)i);
    for (int i = 0; i < 8; i++) {
        void *r;
        pthread_join(th[i], &r);
        assert_null(r);
    }
    /* 8 * 40 created, half deleted */
    json_t *j = sbt_call(shared, "GET", 200, NULL, "/groups?limit=1000");
    assert_int_equal(json_array_size(json_object_get(sbt_data(j), "items")), 160);
    json_decref(j);
    assert_int_equal(sandbox_stop(shared), 0);
}

static void test_sigint_and_bad_args(void **state)
{
    (void)state;
    sandbox_proc *sb = sandbox_start(NULL);
    assert_non_null(sb);
    /* SIGINT also stops it cleanly */
    kill(sandbox_pid(sb), SIGINT);
    sbt_sleep_ms(200);
    assert_int_equal(sandbox_stop(sb), 0);
    const char *bad[] = {"--fault-rate-429", "2", NULL};
    assert_null(sandbox_start(bad));
    const char *bad2[] = {"--api-key", "only", NULL};
    assert_null(sandbox_start(bad2));
    const char *bad3[] = {"--seed", "/nonexistent/seed.json", NULL};
    assert_null(sandbox_start(bad3));
}

static void test_large_synthetic(void **state)
{
    (void)state;
    const char *args[] = {"--synthetic-connections", "1000000", NULL};
    sandbox_proc *sb = sandbox_start(args);
    assert_non_null(sb);
    /* a few pages deep into the middle and the end, by cursor */
    json_t *j = sbt_call(sb, "GET", 200, NULL, "/connections?limit=1000");
    assert_int_equal(json_array_size(json_object_get(sbt_data(j), "items")), 1000);
    const char *last = sbt_str(json_array_get(json_object_get(sbt_data(j), "items"), 999), "id");
    char id[64];
    snprintf(id, sizeof(id), "%s", last);
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/connections/%s", id);
    assert_string_equal(sbt_str(sbt_data(j), "id"), id);
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/groups?limit=1000");
    assert_int_equal(json_array_size(json_object_get(sbt_data(j), "items")), 1000);
    json_decref(j);
    assert_int_equal(sandbox_stop(sb), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auth_enforced),
        cmocka_unit_test(test_any_basic_auth_by_default),
        cmocka_unit_test(test_faults_rate_and_determinism),
        cmocka_unit_test(test_retry_after_header),
        cmocka_unit_test(test_concurrent_clients),
        cmocka_unit_test(test_sigint_and_bad_args),
        cmocka_unit_test(test_large_synthetic),
    };
    return cmocka_run_group_tests_name("sandbox_auth_faults", tests, NULL, NULL);
}
