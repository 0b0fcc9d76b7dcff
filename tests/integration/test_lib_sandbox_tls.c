/*
 * libfivetrex against fivetrex-sandbox over HTTPS (--tls-cert/--tls-key): a self-signed
 * certificate for 127.0.0.1 is made for each run with the openssl command; the sandbox
 * announces an https:// URL; the library lists the demo's groups when told to trust the
 * certificate (ca_file) and fails with a transport error ("TLS verification failed")
 * when not; a plain http:// request to the HTTPS port gets no API answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <fivetrex/fivetrex.h>

#include "sandbox_harness.h"

static char dir[64];
static char cert[128], key[128];
static sandbox_proc *sb;

static int group_setup(void **state)
{
    (void)state;
    char cmd[1024];
    snprintf(dir, sizeof(dir), "/tmp/ftx_sbx_tls_XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
    snprintf(key, sizeof(key), "%s/key.pem", dir);
    snprintf(cmd, sizeof(cmd),
             "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
             "-addext subjectAltName=IP:127.0.0.1 -keyout %s -out %s >/dev/null 2>&1",
             key, cert);
    if (system(cmd) != 0) {
        fprintf(stderr, "test_lib_sandbox_tls: the openssl command failed (is the openssl "
                        "package installed? scripts/install-deps.sh)\n");
        return -1;
    }
    const char *args[] = {"--seed", "demo", "--tls-cert", cert, "--tls-key", key, NULL};
    sb = sandbox_start(args);
    return sb ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    int rc = sandbox_stop(sb);
    unlink(cert);
    unlink(key);
    rmdir(dir);
    return rc == 0 ? 0 : -1;
}

static ftx_client *client(const char *ca_file)
{
    ftx_client_options o = FTX_CLIENT_OPTIONS_INIT;
    o.api_key = "tls_key";
    o.api_secret = "tls_secret_never_printed";
    o.base_url = sandbox_url(sb);
    o.ca_file = ca_file;
    o.retry.max_attempts = 1;
    ftx_client *c = NULL;
    ftx_error err = {0};
    assert_int_equal(ftx_client_new(&c, &o, &err), FTX_OK);
    return c;
}

static void test_url_is_https(void **state)
{
    (void)state;
    assert_non_null(sb);
    assert_int_equal(strncmp(sandbox_url(sb), "https://127.0.0.1:", 18), 0);
    assert_non_null(strstr(sandbox_url(sb), "/v1"));
}

static void test_list_groups_with_ca(void **state)
{
    (void)state;
    ftx_client *c = client(cert);
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    lo.limit = 2;
    ftx_group_page *page = NULL;
    ftx_error err = {0};
    assert_int_equal(ftx_groups_list(c, &lo, &page, &err), FTX_OK);
    assert_int_equal(page->count, 2);
    assert_string_equal(page->items[0]->id, "decent_dropsy");
    assert_string_equal(page->items[0]->name, "Primary_Snowflake");
    assert_non_null(page->next_cursor);
    /* the next page over the same TLS connection */
    lo.cursor = page->next_cursor;
    ftx_group_page *page2 = NULL;
    assert_int_equal(ftx_groups_list(c, &lo, &page2, &err), FTX_OK);
    assert_int_equal(page2->count, 2);
    assert_string_not_equal(page2->items[0]->id, "decent_dropsy");
    ftx_group_page_free(page2);
    ftx_group_page_free(page);
    ftx_client_free(c);
}

static void test_without_ca_fails(void **state)
{
    (void)state;
    ftx_client *c = client(NULL); /* the system bundle: it does not know this certificate */
    ftx_group_page *page = NULL;
    ftx_error err = {0};
    int rc = ftx_groups_list(c, NULL, &page, &err);
    ftx_client_free(c);
    ftx_group_page_free(page);
    assert_int_equal(rc, FTX_ERR_TRANSPORT);
    assert_null(page);
    assert_int_equal(err.type, FTX_ERR_TRANSPORT);
    assert_int_equal(err.status, 0);
    assert_int_equal(err.attempts, 1);
    if (strstr(err.message, "TLS verification failed") == NULL)
        fail_msg("expected \"TLS verification failed\" in: %s", err.message);
    assert_null(strstr(err.message, "tls_secret_never_printed"));
}

static void test_plain_http_gets_no_answer(void **state)
{
    (void)state;
    char url[160];
    snprintf(url, sizeof(url), "http://%s", sandbox_url(sb) + strlen("https://"));
    long status = -1;
    char *resp = NULL;
    int rc = sandbox_request(url, "GET", "/groups", NULL, NULL, &status, &resp);
    /* no HTTP answer from an HTTPS port (a transport error, or a non-API status) */
    assert_true(rc != 0 || (status != 200 && (resp == NULL || !strstr(resp, "Success"))));
    free(resp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_is_https),
        cmocka_unit_test(test_list_groups_with_ca),
        cmocka_unit_test(test_without_ca_fails),
        cmocka_unit_test(test_plain_http_gets_no_answer),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
