/*
 * fivetrex-sandbox: the state file (--state), the admin endpoints under /_sandbox/ (reset,
 * state, clock) and the sandbox clock (--clock, fixed / advance / real).
 */
#include "sandbox_test_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char dir[64];
static sandbox_proc *cur; /* the test's sandbox: stopped by each_teardown after a failure */
static char path[128], tmp_path[160];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/ftx_state_XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof(path), "%s/state.json", dir);
    snprintf(tmp_path, sizeof(tmp_path), "%s.tmp", path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    unlink(tmp_path);
    return rmdir(dir);
}

static int each_setup(void **state)
{
    (void)state;
    unlink(path);
    unlink(tmp_path);
    return 0;
}

static int each_teardown(void **state)
{
    (void)state;
    sandbox_stop(cur);
    cur = NULL;
    return 0;
}

static sandbox_proc *start(const char *const *args)
{
    cur = sandbox_start(args);
    return cur;
}

static int stop(void)
{
    int rc = sandbox_stop(cur);
    cur = NULL;
    return rc;
}

/* an admin request (path under the origin, e.g. /_sandbox/state): the raw body */
static char *admin_raw(sandbox_proc *sb, const char *userpwd, const char *method, const char *p,
                       const char *body, long expect)
{
    long status = 0;
    char *resp = NULL;
    int rc = sandbox_request(sandbox_origin(sb), method, p, body, userpwd, &status, &resp);
    if (rc != 0 || status != expect)
        fprintf(stderr, "%s %s -> %ld (expected %ld): %s\n", method, p, status, expect,
                resp ? resp : "(transport error)");
    assert_int_equal(rc, 0);
    assert_int_equal(status, expect);
    return resp;
}

static json_t *admin(sandbox_proc *sb, const char *method, const char *p, const char *body,
                     long expect)
{
    char *resp = admin_raw(sb, NULL, method, p, body, expect);
    json_t *j = json_loads(resp, 0, NULL);
    free(resp);
    assert_non_null(j);
    return j;
}

static json_t *live_state(sandbox_proc *sb)
{
    json_t *j = admin(sb, "GET", "/_sandbox/state", NULL, 200);
    assert_string_equal(sbt_str(j, "format"), "fivetrex-sandbox-state");
    return j;
}

static char *read_text(const char *p)
{
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    char *s = NULL;
    size_t len = 0, cap = 0;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            s = realloc(s, cap);
            assert_non_null(s);
        }
        memcpy(s + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (!s)
        s = calloc(1, 1);
    else
        s[len] = '\0';
    return s;
}

static int file_absent(const char *p)
{
    struct stat st;
    return stat(p, &st) != 0 && errno == ENOENT;
}

/* poll the state file until it equals the live state (5 s); every read must be a whole,
 * valid document (the save is atomic), and once it matches no FILE.tmp is left */
static void wait_saved(sandbox_proc *sb)
{
    json_t *live = live_state(sb);
    int equal = 0;
    for (int waited = 0; waited < 5000 && !equal; waited += 5) {
        json_error_t je;
        json_t *f = json_load_file(path, 0, &je);
        if (!f)
            fprintf(stderr, "%s: %s\n", path, je.text);
        assert_non_null(f);
        equal = json_equal(f, live);
        json_decref(f);
        if (!equal)
            sbt_sleep_ms(5);
    }
    assert_true(equal);
    assert_true(file_absent(tmp_path));
    json_decref(live);
}

static char *created_id(json_t *j)
{
    char *id = strdup(sbt_str(sbt_data(j), "id"));
    json_decref(j);
    return id;
}

/* ---- --state ---- */
static void test_state_survives_restart(void **state)
{
    (void)state;
    const char *args[] = {
        "--seed", "demo", "--state", path, "--sync-duration-ms", "60000", "--no-webhook-verify",
        NULL};
    sandbox_proc *sb = start(args);
    assert_non_null(sb);
    assert_false(file_absent(path)); /* written at start */
    char *uid = created_id(sbt_call(sb, "POST", 201,
                                    "{\"email\":\"ada@example.com\",\"given_name\":\"Ada\","
                                    "\"family_name\":\"Lovelace\"}",
                                    "/users"));
    char *tid = created_id(
        sbt_call(sb, "POST", 201, "{\"name\":\"Data\",\"description\":\"d\"}", "/teams"));
    char body[256];
    snprintf(body, sizeof(body), "{\"user_id\":\"%s\",\"role\":\"Team Manager\"}", uid);
    json_decref(sbt_call(sb, "POST", 201, body, "/teams/%s/users", tid));
    json_decref(sbt_call(sb, "POST", 200,
                         "{\"email\":\"ada@example.com\",\"role\":\"Destination Reviewer\"}",
                         "/groups/decent_dropsy/users"));
    char *gid = created_id(sbt_call(sb, "POST", 201, "{\"name\":\"Kept\"}", "/groups"));
    json_decref(
        sbt_call(sb, "PATCH", 200, "{\"sync_frequency\":60}", "/connections/speak_inexpensive"));
    json_decref(sbt_call(sb, "POST", 200, "{}", "/connections/speak_inexpensive/sync"));
    json_decref(sbt_call(sb, "DELETE", 200, NULL, "/groups/projected_sickle"));
    json_decref(sbt_call(sb, "POST", 200,
                         "{\"url\":\"https://example.com/h\",\"events\":[\"sync_end\"],"
                         "\"secret\":\"whsec\",\"active\":true}",
                         "/webhooks/account"));
    wait_saved(sb);
    json_t *before = live_state(sb);
    assert_int_equal(stop(), 0);
    char *saved = read_text(path);
    assert_non_null(saved);
    assert_true(file_absent(tmp_path));

    /* no --seed: everything comes from the file */
    const char *args2[] = {"--state", path, "--sync-duration-ms", "60000", NULL};
    sb = start(args2);
    assert_non_null(sb);
    json_t *after = live_state(sb);
    assert_true(json_equal(before, after));
    json_t *j = sbt_call(sb, "GET", 200, NULL, "/users/%s", uid);
    assert_string_equal(sbt_str(sbt_data(j), "email"), "ada@example.com");
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/teams/%s/users/%s", tid, uid);
    assert_string_equal(sbt_str(sbt_data(j), "role"), "Team Manager");
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/users/%s/groups/decent_dropsy", uid);
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/groups/%s", gid);
    assert_string_equal(sbt_str(sbt_data(j), "name"), "Kept");
    json_decref(j);
    json_decref(sbt_call(sb, "GET", 404, NULL, "/groups/projected_sickle"));
    j = sbt_call(sb, "GET", 200, NULL, "/connections/speak_inexpensive");
    json_t *c = sbt_data(j);
    assert_int_equal(json_integer_value(json_object_get(c, "sync_frequency")), 60);
    assert_string_equal(sbt_str(json_object_get(c, "status"), "sync_state"), "syncing");
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/connections/speak_inexpensive/schemas");
    assert_true(json_is_object(json_object_get(sbt_data(j), "schemas")));
    json_decref(j);
    /* an untouched restart saves the same document again, byte for byte */
    assert_int_equal(stop(), 0);
    char *again = read_text(path);
    assert_non_null(again);
    assert_string_equal(saved, again);
    free(saved);
    free(again);
    json_decref(before);
    json_decref(after);
    free(uid);
    free(tid);
    free(gid);
}

static void test_state_saved_atomically_after_each_change(void **state)
{
    (void)state;
    const char *args[] = {"--state", path, NULL};
    sandbox_proc *sb = start(args);
    assert_non_null(sb);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600); /* it holds configs and secrets */
    wait_saved(sb);
    char *ids[3];
    for (int i = 0; i < 3; i++) {
        char body[64];
        snprintf(body, sizeof(body), "{\"name\":\"g%d\"}", i);
        ids[i] = created_id(sbt_call(sb, "POST", 201, body, "/groups"));
        wait_saved(sb);
    }
    json_decref(sbt_call(sb, "DELETE", 200, NULL, "/groups/%s", ids[1]));
    wait_saved(sb);
    json_t *doc = json_load_file(path, 0, NULL);
    json_t *groups = json_object_get(doc, "groups");
    assert_int_equal(json_array_size(groups), 2);
    assert_string_equal(sbt_str(json_array_get(groups, 0), "id"), ids[0]);
    assert_string_equal(sbt_str(json_array_get(groups, 1), "id"), ids[2]);
    json_decref(doc);
    assert_int_equal(stop(), 0);
    for (int i = 0; i < 3; i++)
        free(ids[i]);
}

static void expect_refused(const char *content, const char *what)
{
    if (content) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fputs(content, f);
        fclose(f);
    }
    const char *args[] = {"--state", path, NULL};
    char *err = NULL;
    int rc = sandbox_run(args, &err);
    if (rc != 1 || !strstr(err, path) || !strstr(err, what))
        fprintf(stderr, "exit %d, stderr: %s\n", rc, err ? err : "");
    assert_int_equal(rc, 1);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, what));
    free(err);
}

static void test_corrupt_state_is_an_error(void **state)
{
    (void)state;
    expect_refused("{\"format\": \"fivetrex-sandbox-state\",", "line 1");
    expect_refused("", "line");
    expect_refused("[1, 2]", "the top level must be an object");
    expect_refused("{\"format\":\"other\"}", "not a sandbox state");
    expect_refused("{\"format\":\"fivetrex-sandbox-state\",\"version\":1,\"seq\":1,"
                   "\"rng\":\"01\",\"stamp_ms\":0,\"groups\":[],\"destinations\":[],"
                   "\"connections\":[{\"id\":\"c1\",\"seq\":1,\"obj\":{\"group_id\":\"nope\","
                   "\"service\":\"postgres\",\"schema\":\"s\",\"status\":{}},\"config\":{},"
                   "\"touched\":{},\"sync\":{\"running\":false,\"end_ms\":0,\"id\":\"\"}}],"
                   "\"webhooks\":[],\"synthetic\":{\"count\":0,\"groups\":[],\"deleted\":[],"
                   "\"connections\":[]},\"collections\":{\"catalogues\":false,\"lists\":[]}}",
                   "unknown group \"nope\"");
    expect_refused("{\"format\":\"fivetrex-sandbox-state\",\"version\":1,\"seq\":1,"
                   "\"rng\":\"01\",\"stamp_ms\":0,\"groups\":[],\"destinations\":[],"
                   "\"connections\":[],\"webhooks\":[],\"synthetic\":{\"count\":0,\"groups\":[],"
                   "\"deleted\":[],\"connections\":[]},\"collections\":{\"lists\":[{\"key\":"
                   "\"users\",\"items\":[{\"id\":\"u\"}]}]}}",
                   "collections: \"users\" item 0");
    /* unreadable: a directory */
    unlink(path);
    assert_int_equal(mkdir(path, 0700), 0);
    expect_refused(NULL, "state");
    assert_int_equal(rmdir(path), 0);
}

/* ---- /_sandbox/ ---- */
static void test_reset_goes_back_to_the_seed(void **state)
{
    (void)state;
    const char *args[] = {"--seed", "demo", NULL};
    sandbox_proc *sb = start(args);
    assert_non_null(sb);
    json_t *start = live_state(sb);
    char *first = created_id(sbt_call(sb, "POST", 201, "{\"name\":\"Temp\"}", "/groups"));
    json_decref(sbt_call(sb, "DELETE", 200, NULL, "/groups/projected_sickle"));
    json_decref(sbt_call(sb, "POST", 201,
                         "{\"email\":\"x@example.com\",\"given_name\":\"X\",\"family_name\":\"Y\"}",
                         "/users"));
    json_t *changed = live_state(sb);
    assert_false(json_equal(start, changed));

    json_t *j = admin(sb, "POST", "/_sandbox/reset", NULL, 200);
    assert_string_equal(sbt_str(j, "code"), "Success");
    json_decref(j);
    json_t *after = live_state(sb);
    assert_true(json_equal(start, after));
    json_decref(sbt_call(sb, "GET", 404, NULL, "/groups/%s", first));
    json_decref(sbt_call(sb, "GET", 200, NULL, "/groups/projected_sickle"));
    j = sbt_call(sb, "GET", 200, NULL, "/users");
    assert_int_equal(json_array_size(json_object_get(sbt_data(j), "items")), 0);
    json_decref(j);
    /* the id generator went back too: the same request makes the same id */
    char *again = created_id(sbt_call(sb, "POST", 201, "{\"name\":\"Temp\"}", "/groups"));
    assert_string_equal(first, again);
    free(first);
    free(again);
    json_decref(start);
    json_decref(changed);
    json_decref(after);
    assert_int_equal(stop(), 0);
}

static void test_state_endpoint(void **state)
{
    (void)state;
    const char *args[] = {"--seed", "demo", "--synthetic-connections", "250", NULL};
    sandbox_proc *sb = start(args);
    assert_non_null(sb);
    json_t *doc = live_state(sb);
    assert_int_equal(json_integer_value(json_object_get(doc, "version")), 1);
    json_t *syn = json_object_get(doc, "synthetic");
    assert_int_equal(json_integer_value(json_object_get(syn, "count")), 250);
    assert_int_equal(json_array_size(json_object_get(syn, "groups")), 2);
    size_t i;
    json_t *x;
    int found = 0;
    json_array_foreach(json_object_get(doc, "connections"), i, x)
    {
        if (strcmp(sbt_str(x, "id"), "speak_inexpensive") == 0) {
            found = 1;
            assert_string_equal(sbt_str(json_object_get(x, "obj"), "group_id"), "decent_dropsy");
            assert_true(json_is_object(json_object_get(x, "schema")));
        }
    }
    assert_true(found);
    json_decref(doc);
    /* a synthetic connection changed by the API is in the document */
    json_decref(
        sbt_call(sb, "PATCH", 200, "{\"paused\":true}", "/connections/decent_decent_decent"));
    doc = live_state(sb);
    json_t *mat = json_object_get(json_object_get(doc, "synthetic"), "connections");
    assert_int_equal(json_array_size(mat), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(mat, 0), "synthetic_index")),
                     0);
    assert_true(
        json_is_true(json_object_get(json_object_get(json_array_get(mat, 0), "obj"), "paused")));
    json_decref(doc);
    char *resp = admin_raw(sb, NULL, "POST", "/_sandbox/state", NULL, 405);
    json_t *j = json_loads(resp, 0, NULL);
    sbt_assert_error(j, "MethodNotAllowed");
    json_decref(j);
    free(resp);
    assert_int_equal(stop(), 0);
}

/* ---- the clock ---- */
static void assert_clock(json_t *j, const char *now, int fixed)
{
    json_t *d = sbt_data(j);
    if (now)
        assert_string_equal(sbt_str(d, "now"), now);
    assert_true(json_is_integer(json_object_get(d, "now_ms")));
    assert_int_equal(json_is_true(json_object_get(d, "fixed")), fixed);
    json_decref(j);
}

static void test_fixed_clock_gives_exact_timestamps(void **state)
{
    (void)state;
    const char *args[] = {"--clock", "2026-01-01T00:00:00Z", NULL};
    sandbox_proc *sb = start(args);
    assert_non_null(sb);
    assert_clock(admin(sb, "GET", "/_sandbox/clock", NULL, 200), "2026-01-01T00:00:00.000Z", 1);
    json_t *j = sbt_call(sb, "POST", 201, "{\"name\":\"A\"}", "/groups");
    assert_string_equal(sbt_str(sbt_data(j), "created_at"), "2026-01-01T00:00:00.000Z");
    json_decref(j);
    j = sbt_call(sb, "POST", 201, "{\"name\":\"B\"}", "/groups");
    assert_string_equal(sbt_str(sbt_data(j), "created_at"), "2026-01-01T00:00:00.000Z");
    json_decref(j);

    assert_clock(
        admin(sb, "POST", "/_sandbox/clock", "{\"fixed\":\"2027-03-04T05:06:07+02:00\"}", 200),
        "2027-03-04T03:06:07.000Z", 1);
    j = sbt_call(sb, "POST", 201,
                 "{\"email\":\"t@example.com\",\"given_name\":\"T\",\"family_name\":\"U\"}",
                 "/users");
    assert_string_equal(sbt_str(sbt_data(j), "created_at"), "2027-03-04T03:06:07.000Z");
    json_decref(j);
    assert_clock(admin(sb, "POST", "/_sandbox/clock", "{\"advance_ms\":1500}", 200),
                 "2027-03-04T03:06:08.500Z", 1);
    j = sbt_call(sb, "POST", 201, "{\"name\":\"C\"}", "/groups");
    assert_string_equal(sbt_str(sbt_data(j), "created_at"), "2027-03-04T03:06:08.500Z");
    json_decref(j);

    static const char *const bad[] = {"{\"fixed\":\"tomorrow\"}",
                                      "{\"fixed\":\"2026-02-30T00:00:00Z\"}",
                                      "{\"fixed\":\"1969-12-31T23:59:59Z\"}",
                                      "{\"fixed\":\"2026-01-01T00:00:00\"}",
                                      "{\"fixed\":1767225600000}",
                                      "{\"advance_ms\":-1}",
                                      "{\"advance_ms\":\"5\"}",
                                      "{\"real\":false}",
                                      "{\"real\":true,\"advance_ms\":1}",
                                      "{\"later\":1}",
                                      "{}",
                                      "[]"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        j = admin(sb, "POST", "/_sandbox/clock", bad[i], 400);
        sbt_assert_error(j, "InvalidInput");
        json_decref(j);
    }
    assert_clock(admin(sb, "GET", "/_sandbox/clock", NULL, 200), "2027-03-04T03:06:08.500Z", 1);

    j = admin(sb, "POST", "/_sandbox/clock", "{\"real\":true}", 200);
    long long now = (long long)json_integer_value(json_object_get(sbt_data(j), "now_ms"));
    long long wall = (long long)time(NULL) * 1000;
    assert_true(now > wall - 5000 && now < wall + 5000);
    assert_clock(j, NULL, 0);
    assert_int_equal(stop(), 0);

    /* a bad --clock is a usage error */
    const char *bad_args[] = {"--clock", "2026-01-01", NULL};
    char *err = NULL;
    assert_int_equal(sandbox_run(bad_args, &err), 2);
    assert_non_null(strstr(err, "--clock"));
    free(err);
}

static void test_advance_ends_a_running_sync(void **state)
{
    (void)state;
    const char *args[] = {"--seed", "demo", "--clock", "2026-01-01T00:00:00Z", "--sync-duration-ms",
                          "600000", NULL};
    sandbox_proc *sb = start(args);
    assert_non_null(sb);
    json_decref(sbt_call(sb, "POST", 200, "{}", "/connections/speak_inexpensive/sync"));
    char *tr = created_id(sbt_call(sb, "POST", 201, "{}", "/transformations"));
    json_decref(sbt_call(sb, "POST", 200, NULL, "/transformations/%s/run", tr));
    json_t *j = sbt_call(sb, "GET", 200, NULL, "/connections/speak_inexpensive");
    assert_string_equal(sbt_str(json_object_get(sbt_data(j), "status"), "sync_state"), "syncing");
    json_decref(j);

    /* not yet: one ms before the end */
    json_decref(admin(sb, "POST", "/_sandbox/clock", "{\"advance_ms\":599999}", 200));
    j = sbt_call(sb, "GET", 200, NULL, "/connections/speak_inexpensive");
    assert_string_equal(sbt_str(json_object_get(sbt_data(j), "status"), "sync_state"), "syncing");
    assert_string_equal(sbt_str(sbt_data(j), "succeeded_at"), "2026-06-01T03:05:12.441Z");
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/transformations/%s", tr);
    assert_string_equal(sbt_str(sbt_data(j), "status"), "RUNNING");
    json_decref(j);

    /* the end: at once, at the advanced time */
    json_decref(admin(sb, "POST", "/_sandbox/clock", "{\"advance_ms\":1}", 200));
    j = sbt_call(sb, "GET", 200, NULL, "/connections/speak_inexpensive");
    assert_string_equal(sbt_str(json_object_get(sbt_data(j), "status"), "sync_state"), "scheduled");
    assert_string_equal(sbt_str(sbt_data(j), "succeeded_at"), "2026-01-01T00:10:00.000Z");
    json_decref(j);
    j = sbt_call(sb, "GET", 200, NULL, "/transformations/%s", tr);
    assert_string_equal(sbt_str(sbt_data(j), "status"), "SUCCEEDED");
    assert_string_equal(sbt_str(sbt_data(j), "last_started_at"), "2026-01-01T00:00:00.000Z");
    assert_string_equal(sbt_str(sbt_data(j), "last_ended_at"), "2026-01-01T00:10:00.000Z");
    json_decref(j);
    free(tr);
    assert_int_equal(stop(), 0);
}

/* ---- auth, unknown paths, faults ---- */
static void test_admin_needs_auth(void **state)
{
    (void)state;
    const char *args[] = {"--seed", "demo", "--api-key", "k", "--api-secret", "s", NULL};
    sandbox_proc *sb = start(args);
    assert_non_null(sb);
    static const char *const paths[][2] = {{"GET", "/_sandbox/state"},
                                           {"POST", "/_sandbox/reset"},
                                           {"GET", "/_sandbox/clock"},
                                           {"POST", "/_sandbox/clock"},
                                           {"GET", "/_sandbox/nothing"}};
    for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
        for (int wrong = 0; wrong < 2; wrong++) {
            char *resp = admin_raw(sb, wrong ? "k:nope" : "", paths[i][0], paths[i][1],
                                   "{\"advance_ms\":1}", 401);
            json_t *j = json_loads(resp, 0, NULL);
            sbt_assert_error(j, "AuthFailed");
            json_decref(j);
            free(resp);
        }
    }
    char *resp = admin_raw(sb, "k:s", "GET", "/_sandbox/clock", NULL, 200);
    free(resp);
    assert_int_equal(stop(), 0);
}

static void test_unknown_admin_path_is_404(void **state)
{
    (void)state;
    sandbox_proc *sb = start(NULL);
    assert_non_null(sb);
    static const char *const paths[] = {"/_sandbox/x", "/_sandbox", "/_sandbox/state/more",
                                        "/_sandbox/clock/x"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
        json_t *j = admin(sb, "GET", paths[i], NULL, 404);
        sbt_assert_error(j, "NotFound_Route");
        json_decref(j);
    }
    /* under /v1 it is an ordinary (unknown) API path */
    json_t *j = sbt_call(sb, "GET", 404, NULL, "/_sandbox/state");
    sbt_assert_error(j, "NotFound_Route");
    json_decref(j);
    assert_int_equal(stop(), 0);
}

static void test_admin_skips_faults(void **state)
{
    (void)state;
    const char *args[] = {"--fault-rate-5xx", "1", NULL};
    sandbox_proc *sb = start(args);
    assert_non_null(sb);
    long status = 0;
    assert_int_equal(sandbox_request(sandbox_url(sb), "GET", "/groups", NULL, NULL, &status, NULL),
                     0);
    assert_true(status == 500 || status == 503);
    assert_clock(admin(sb, "GET", "/_sandbox/clock", NULL, 200), NULL, 0);
    assert_int_equal(stop(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_state_survives_restart, each_setup, each_teardown),
        cmocka_unit_test_setup_teardown(test_state_saved_atomically_after_each_change, each_setup,
                                        each_teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_state_is_an_error, each_setup, each_teardown),
        cmocka_unit_test_teardown(test_reset_goes_back_to_the_seed, each_teardown),
        cmocka_unit_test_teardown(test_state_endpoint, each_teardown),
        cmocka_unit_test_teardown(test_fixed_clock_gives_exact_timestamps, each_teardown),
        cmocka_unit_test_teardown(test_advance_ends_a_running_sync, each_teardown),
        cmocka_unit_test_teardown(test_admin_needs_auth, each_teardown),
        cmocka_unit_test_teardown(test_unknown_admin_path_is_404, each_teardown),
        cmocka_unit_test_teardown(test_admin_skips_faults, each_teardown),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
