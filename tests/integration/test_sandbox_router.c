/*
 * fivetrex-sandbox's router, in process: every row of the generated route table is reached
 * by its own method and path (literal segments win over {param}), and every one of the
 * operations is served by a handler (never NotFound_Route, 405 or a 5xx), with the sandbox's
 * own sources compiled in (no sockets).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "router.h"

/* the concrete path of a row: each {param} replaced by value */
static void concrete(const sbx_route *rt, const char *value, char *out, size_t len)
{
    size_t o = (size_t)snprintf(out, len, "%s", (rt->flags & SBX_RF_ROOT) ? "" : "/v1");
    for (int i = 0; i < rt->nseg && o < len; i++)
        o += (size_t)snprintf(out + o, len - o, "/%s", rt->seg[i][0] == '{' ? value : rt->seg[i]);
}

static void test_every_row_is_its_own_route(void **state)
{
    (void)state;
    assert_int_equal(sbx_nroutes, 168);
    for (size_t i = 0; i < sbx_nroutes; i++) {
        const sbx_route *rt = &sbx_routes[i];
        sbx_req q;
        memset(&q, 0, sizeof(q));
        q.nseg = rt->nseg;
        q.root = (rt->flags & SBX_RF_ROOT) != 0;
        for (int s = 0; s < rt->nseg; s++)
            q.seg[s] = (char *)(rt->seg[s][0] == '{' ? "some_id" : rt->seg[s]);
        const sbx_route *any = NULL;
        const sbx_route *found = sbx_route_find(rt->method, &q, &any);
        if (found != rt)
            fprintf(stderr, "%s %s -> %s\n", rt->method, rt->path,
                    found ? found->operation_id : "(none)");
        assert_ptr_equal(found, rt);
    }
}

static const sbx_route *row(const char *op)
{
    for (size_t i = 0; i < sbx_nroutes; i++)
        if (strcmp(sbx_routes[i].operation_id, op) == 0)
            return &sbx_routes[i];
    fail_msg("no row %s", op);
    return NULL;
}

static void test_literals_win(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"POST", "/v1/connections/c1/schemas/drop-columns",
         "delete_multiple_columns_connection_config"},
        {"POST", "/v1/connections/c1/schemas/tables/resync", "resync_tables"},
        {"PATCH", "/v1/connections/c1/schemas/drop-columns",
         "modify_connection_database_schema_config"},
        {"GET", "/v1/external-logging/account", "get_account_log_service_details"},
        {"GET", "/v1/external-logging/log_1", "get_log_service_details"},
        {"GET", "/v1/transformations/package-metadata", "transformation_package_metadata_list"},
        {"GET", "/v1/transformations/t1", "transformation_details"},
        {"POST", "/v1/webhooks/account", "create_account_webhook"},
        {"GET", "/v1/webhooks/account", "webhook_details"},
        {"GET", "/public/connector-types", "metadata_public_connectors"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        sbx_response r = {0};
        sbx_req q;
        memset(&q, 0, sizeof(q));
        char path[256];
        snprintf(path, sizeof(path), "%s", cases[i][1]);
        char *p = path;
        if (strncmp(p, "/v1/", 4) == 0)
            p += 3;
        else
            q.root = 1;
        for (char *tok = strtok(p, "/"); tok; tok = strtok(NULL, "/"))
            q.seg[q.nseg++] = tok;
        const sbx_route *found = sbx_route_find(cases[i][0], &q, NULL);
        assert_non_null(found);
        assert_string_equal(found->operation_id, cases[i][2]);
        assert_ptr_equal(found, row(cases[i][2]));
        free(r.body);
    }
}

static void test_every_operation_is_served(void **state)
{
    (void)state;
    sbx_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.sync_ms = 50;
    cfg.random_seed = 1;
    cfg.threads = 1;
    cfg.paused_sync_status = 409;
    char err[256];
    assert_int_equal(sbx_store_init(&cfg, err, sizeof(err)), 0);
    sbx_deliver_set_offline(1);
    for (size_t i = 0; i < sbx_nroutes; i++) {
        const sbx_route *rt = &sbx_routes[i];
        char path[512];
        concrete(rt, "some_id", path, sizeof(path));
        sbx_response r = {0};
        const char *body = strcmp(rt->method, "GET") && strcmp(rt->method, "DELETE") ? "{}" : "";
        sbx_handle(rt->method, path, NULL, body, strlen(body), &r);
        json_t *j = json_loads(r.body ? r.body : "", 0, NULL);
        const char *code = json_string_value(json_object_get(j, "code"));
        if (!code || r.status == 405 || r.status >= 500 || strcmp(code, "NotFound_Route") == 0)
            fprintf(stderr, "%s %s -> %d %s\n", rt->method, path, r.status, r.body);
        assert_non_null(code);
        assert_true(r.status >= 200 && r.status < 500 && r.status != 405);
        assert_string_not_equal(code, "NotFound_Route");
        json_decref(j);
        free(r.body);
    }
    /* and an unknown one */
    sbx_response r = {0};
    sbx_handle("GET", "/v1/nowhere/at/all", NULL, "", 0, &r);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "\"NotFound_Route\""));
    free(r.body);
    sbx_store_free();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_row_is_its_own_route),
        cmocka_unit_test(test_literals_win),
        cmocka_unit_test(test_every_operation_is_served),
    };
    return cmocka_run_group_tests_name("sandbox_router", tests, NULL, NULL);
}
