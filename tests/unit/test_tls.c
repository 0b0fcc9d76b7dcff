/*
 * HTTPS for real: the library against the mock server over TLS (libmicrohttpd with
 * GnuTLS), with a CA and server certificate generated for each run
 * (tests/support/tls_material.c). Verification is on by default; an unknown CA and a
 * host-name mismatch fail with "TLS verification failed"; ca_file and ca_path; one
 * TLS connection (one handshake) for many calls. And the refusal of plain http:// to
 * any host but loopback.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fivetrex/fivetrex.h"
#include "test_helpers.h"
#include "tls_material.h"

#define GROUP_OK "{\"code\":\"Success\",\"data\":{\"id\":\"g1\",\"name\":\"n\"}}"

typedef struct tls_env {
    th_tls good;  /* CA + server cert for localhost / 127.0.0.1 */
    th_tls other; /* an unrelated CA (and its server cert, unused) */
    th_tls wrong; /* CA + server cert for wrong.example only */
    char dir[64];
    char ca_file[128];       /* good.ca_pem */
    char other_ca_file[128]; /* other.ca_pem */
    char wrong_ca_file[128]; /* wrong.ca_pem */
    char ca_dir[128];        /* good CA by subject hash */
    mock_server *ms;         /* serves good's certificate */
} tls_env;

static tls_env *env;

static int group_setup(void **state)
{
    (void)state;
    env = calloc(1, sizeof(*env));
    if (env == NULL || th_tls_make(&env->good, "DNS:localhost,IP:127.0.0.1") != 0 ||
        th_tls_make(&env->other, "DNS:localhost,IP:127.0.0.1") != 0 ||
        th_tls_make(&env->wrong, "DNS:wrong.example") != 0)
        return -1;
    (void)snprintf(env->dir, sizeof(env->dir), "/tmp/ftx_tls_XXXXXX");
    if (mkdtemp(env->dir) == NULL)
        return -1;
    (void)snprintf(env->ca_file, sizeof(env->ca_file), "%s/ca.pem", env->dir);
    (void)snprintf(env->other_ca_file, sizeof(env->other_ca_file), "%s/other.pem", env->dir);
    (void)snprintf(env->wrong_ca_file, sizeof(env->wrong_ca_file), "%s/wrong.pem", env->dir);
    (void)snprintf(env->ca_dir, sizeof(env->ca_dir), "%s/cadir", env->dir);
    if (th_write_file(env->dir, "ca.pem", env->good.ca_pem) != 0 ||
        th_write_file(env->dir, "other.pem", env->other.ca_pem) != 0 ||
        th_write_file(env->dir, "wrong.pem", env->wrong.ca_pem) != 0 ||
        mkdir(env->ca_dir, 0700) != 0 ||
        th_write_file(env->ca_dir, env->good.ca_hash, env->good.ca_pem) != 0)
        return -1;
    env->ms = mock_server_start_tls(env->good.key_pem, env->good.cert_pem);
    return env->ms == NULL ? -1 : 0;
}

static int group_teardown(void **state)
{
    char path[256];

    (void)state;
    if (env == NULL)
        return 0;
    mock_server_stop(env->ms);
    (void)snprintf(path, sizeof(path), "%s/%s", env->ca_dir, env->good.ca_hash);
    (void)unlink(path);
    (void)rmdir(env->ca_dir);
    (void)unlink(env->ca_file);
    (void)unlink(env->other_ca_file);
    (void)unlink(env->wrong_ca_file);
    (void)rmdir(env->dir);
    th_tls_free(&env->good);
    th_tls_free(&env->other);
    th_tls_free(&env->wrong);
    free(env);
    env = NULL;
    return 0;
}

static int reset(void **state)
{
    (void)state;
    mock_server_reset(env->ms);
    unsetenv("FIVETRAN_ALLOW_INSECURE_HTTP");
    return 0;
}

static ftx_client_options tls_options(mock_server *ms)
{
    ftx_client_options o = th_options(ms, NULL);

    o.retry.max_attempts = 3; /* a verification failure must still go out once */
    return o;
}

static void assert_verification_failed(ftx_client *c, mock_server *ms, const char *detail)
{
    ftx_error err = {0};
    ftx_group *g = NULL;

    assert_int_equal(ftx_groups_get(c, "g1", &g, &err), FTX_ERR_TRANSPORT);
    assert_null(g);
    assert_non_null(strstr(err.message, "TLS verification failed"));
    assert_non_null(strstr(err.message, "ca_file"));
    if (detail != NULL && strstr(err.message, detail) == NULL)
        fail_msg("expected \"%s\" in: %s", detail, err.message);
    assert_int_equal(err.attempts, 1); /* never retried */
    th_assert_no_secret(err.message);
    assert_int_equal(mock_server_request_count(ms), 0); /* nothing reached the server */
}

static void test_ca_file_verifies_and_request_arrives(void **state)
{
    ftx_client_options o = tls_options(env->ms);
    ftx_client *c;
    ftx_error err = {0};
    ftx_group *g = NULL;

    (void)state;
    assert_true(strncmp(mock_server_url(env->ms), "https://127.0.0.1:", 18) == 0);
    o.ca_file = env->ca_file;
    c = th_client_opts(&o);
    mock_server_respond(env->ms, 200, GROUP_OK);
    assert_int_equal(ftx_groups_get(c, "g1", &g, &err), FTX_OK);
    assert_string_equal(g->name, "n");
    th_assert_request(mock_server_request(env->ms, 0), "GET", "/v1/groups/g1", NULL,
                      "application/json");
    ftx_group_free(g);
    ftx_client_free(c);
}

static void test_ca_path_verifies(void **state)
{
    ftx_client_options o = tls_options(env->ms);
    ftx_client *c;
    ftx_error err = {0};
    ftx_group *g = NULL;

    (void)state;
    o.ca_path = env->ca_dir;
    o.ca_file = env->other_ca_file; /* the right CA is found in the directory */
    c = th_client_opts(&o);
    mock_server_respond(env->ms, 200, GROUP_OK);
    if (ftx_groups_get(c, "g1", &g, &err) != FTX_OK)
        fail_msg("%s", err.message);
    ftx_group_free(g);
    ftx_client_free(c);
}

static void test_unknown_ca_fails_by_default(void **state)
{
    ftx_client_options o = tls_options(env->ms);
    ftx_client *c;

    (void)state;
    c = th_client_opts(&o); /* the system CA bundle: our throwaway CA is not in it */
    assert_verification_failed(c, env->ms, NULL);
    ftx_client_free(c);

    o.ca_file = env->other_ca_file; /* a CA, but not the one that signed the server */
    c = th_client_opts(&o);
    assert_verification_failed(c, env->ms, NULL);
    ftx_client_free(c);
}

static void test_host_name_mismatch_fails(void **state)
{
    mock_server *ms = mock_server_start_tls(env->wrong.key_pem, env->wrong.cert_pem);
    ftx_client_options o;
    ftx_client *c;

    (void)state;
    assert_non_null(ms);
    o = tls_options(ms);
    o.ca_file = env->wrong_ca_file; /* trusted CA, but the name is wrong.example */
    c = th_client_opts(&o);
    assert_verification_failed(c, ms, "127.0.0.1");
    ftx_client_free(c);
    mock_server_stop(ms);
}

static void test_calls_reuse_one_tls_connection(void **state)
{
    ftx_client_options o = tls_options(env->ms);
    ftx_client *c;
    ftx_error err = {0};
    int i;

    (void)state;
    o.ca_file = env->ca_file;
    c = th_client_opts(&o);
    for (i = 0; i < 20; i++) {
        ftx_group *g = NULL;

        mock_server_respond(env->ms, 200, GROUP_OK);
        assert_int_equal(ftx_groups_get(c, "g1", &g, &err), FTX_OK);
        ftx_group_free(g);
    }
    assert_int_equal(mock_server_request_count(env->ms), 20);
    assert_int_equal(mock_server_connection_count(env->ms), 1); /* one handshake */
    ftx_client_free(c);
}

static void test_bad_ca_options_refused(void **state)
{
    ftx_client_options o = tls_options(env->ms);
    ftx_client *c = NULL;
    ftx_error err = {0};

    (void)state;
    o.ca_file = "/nonexistent/ca.pem";
    assert_int_equal(ftx_client_new(&c, &o, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_null(c);
    assert_non_null(strstr(err.message, "ca_file"));
    assert_non_null(strstr(err.message, "/nonexistent/ca.pem"));
    o.ca_file = NULL;
    o.ca_path = env->ca_file; /* a file, not a directory */
    assert_int_equal(ftx_client_new(&c, &o, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "not a directory"));
    o.ca_path = NULL;
    o.ca_file = env->ca_dir; /* a directory, not a file */
    assert_int_equal(ftx_client_new(&c, &o, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "ca_path"));
    assert_null(c);
}

static int client_for(const char *url, int allow, unsigned version, ftx_error *err)
{
    ftx_client_options o = tls_options(env->ms);
    ftx_client *c = NULL;
    int rc;

    o.version = version;
    o.base_url = url;
    o.allow_insecure_http = allow;
    rc = ftx_client_new(&c, &o, err);
    ftx_client_free(c);
    return rc;
}

static void test_plain_http_only_to_loopback(void **state)
{
    static const char *const loopback[] = {
        "http://127.0.0.1:1/v1", "http://127.200.3.4/v1", "http://localhost:8080/v1",
        "http://LOCALHOST/v1",   "http://[::1]:9/v1",     "https://api.example.test/v1"};
    static const char *const remote[] = {"http://api.example.test/v1",
                                         "http://128.0.0.1/v1",
                                         "http://[::2]/v1",
                                         "http://10.0.0.1:80/v1",
                                         "http://localhost.evil.test/v1",
                                         "http://127.0.0.1.evil.test/v1"};
    ftx_error err = {0};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(loopback) / sizeof(loopback[0]); i++)
        if (client_for(loopback[i], 0, FTX_CLIENT_OPTIONS_VERSION, &err) != FTX_OK)
            fail_msg("%s refused: %s", loopback[i], err.message);
    for (i = 0; i < sizeof(remote) / sizeof(remote[0]); i++) {
        if (client_for(remote[i], 0, FTX_CLIENT_OPTIONS_VERSION, &err) != FTX_ERR_INVALID_ARGUMENT)
            fail_msg("%s accepted", remote[i]);
        assert_non_null(strstr(err.message, "unencrypted"));
        assert_non_null(strstr(err.message, "allow_insecure_http"));
        assert_non_null(strstr(err.message, "FIVETRAN_ALLOW_INSECURE_HTTP=1"));
        /* the explicit opt-in */
        assert_int_equal(client_for(remote[i], 1, FTX_CLIENT_OPTIONS_VERSION, &err), FTX_OK);
    }
    /* a version 1 struct has no allow_insecure_http: the field is not read */
    assert_int_equal(client_for("http://api.example.test/v1", 1, 1, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    /* the environment opt-in (for the CLI and other env-configured programs) */
    setenv("FIVETRAN_ALLOW_INSECURE_HTTP", "0", 1);
    assert_int_equal(client_for("http://api.example.test/v1", 0, 2, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    setenv("FIVETRAN_ALLOW_INSECURE_HTTP", "1", 1);
    assert_int_equal(client_for("http://api.example.test/v1", 0, 2, &err), FTX_OK);
    assert_int_equal(client_for("http://api.example.test/v1", 0, 1, &err), FTX_OK);
    unsetenv("FIVETRAN_ALLOW_INSECURE_HTTP");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_ca_file_verifies_and_request_arrives, reset),
        cmocka_unit_test_setup(test_ca_path_verifies, reset),
        cmocka_unit_test_setup(test_unknown_ca_fails_by_default, reset),
        cmocka_unit_test_setup(test_host_name_mismatch_fails, reset),
        cmocka_unit_test_setup(test_calls_reuse_one_tls_connection, reset),
        cmocka_unit_test_setup(test_bad_ca_options_refused, reset),
        cmocka_unit_test_setup(test_plain_http_only_to_loopback, reset),
    };

    unsetenv("FIVETRAN_ALLOW_INSECURE_HTTP");
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
