/*
 * Schema configuration: nested models (several schemas, tables, columns), order and
 * lookup, and the four schema calls with their exact requests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "test_helpers.h"

#define PLAIN "application/json"

static const char *patch_allowed_reason(const json_t *eps)
{
    return json_string_value(json_object_get(eps, "reason_code"));
}

/* Every field of the fixture, in order. */
static void check_fixture_config(const ftx_schema_config *cfg)
{
    const ftx_schema *pub, *sales, *empty;
    const ftx_table *users, *audit, *orders;
    const ftx_column *col;

    assert_int_equal(cfg->enable_new_by_default, 1);
    assert_string_equal(cfg->schema_change_handling, "ALLOW_ALL");
    assert_int_equal(cfg->schema_count, 3);
    /* order of the response */
    assert_string_equal(cfg->schemas[0]->name, "public");
    assert_string_equal(cfg->schemas[1]->name, "sales");
    assert_string_equal(cfg->schemas[2]->name, "empty_schema");

    pub = ftx_schema_config_find_schema(cfg, "public");
    assert_ptr_equal(pub, cfg->schemas[0]);
    assert_string_equal(pub->name_in_destination, "public");
    assert_int_equal(pub->enabled, 1);
    assert_int_equal(pub->table_count, 2);
    assert_string_equal(pub->tables[0]->name, "users");
    assert_string_equal(pub->tables[1]->name, "audit_log");

    users = ftx_schema_find_table(pub, "users");
    assert_non_null(users);
    assert_string_equal(users->name_in_destination, "users");
    assert_int_equal(users->enabled, 1);
    assert_string_equal(users->sync_mode, "SOFT_DELETE");
    assert_int_equal(users->supports_columns_config, 1);
    assert_int_equal(users->supports_history_mode, 1);
    assert_true(json_is_true(json_object_get(users->enabled_patch_settings, "allowed")));
    assert_int_equal(users->column_count, 3);
    assert_string_equal(users->columns[0]->name, "id");
    assert_string_equal(users->columns[1]->name, "email");
    assert_string_equal(users->columns[2]->name, "Legacy Name");

    col = ftx_table_find_column(users, "id");
    assert_string_equal(col->name_in_destination, "id");
    assert_int_equal(col->enabled, 1);
    assert_int_equal(col->hashed, 0);
    assert_int_equal(col->is_primary_key, 1);
    assert_null(col->type);
    assert_string_equal(patch_allowed_reason(col->enabled_patch_settings), "SYSTEM_COLUMN");
    assert_true(json_is_false(json_object_get(col->enabled_patch_settings, "allowed")));
    assert_string_equal(json_string_value(json_object_get(col->enabled_patch_settings, "reason")),
                        "The column does not support exclusion as it is a Primary Key");
    col = ftx_table_find_column(users, "email");
    assert_int_equal(col->hashed, 1);
    assert_int_equal(col->is_primary_key, 0);
    col = ftx_table_find_column(users, "Legacy Name");
    assert_string_equal(col->name_in_destination, "legacy_name");
    assert_int_equal(col->enabled, 0);
    assert_null(ftx_table_find_column(users, "legacy name")); /* case-sensitive */

    audit = ftx_schema_find_table(pub, "audit_log");
    assert_int_equal(audit->enabled, 0);
    assert_string_equal(audit->sync_mode, "HISTORY");
    assert_int_equal(audit->supports_columns_config, 0);
    assert_int_equal(audit->supports_history_mode, 1);
    assert_int_equal(audit->column_count, 0);
    assert_string_equal(patch_allowed_reason(audit->enabled_patch_settings), "SYSTEM_TABLE");

    sales = ftx_schema_config_find_schema(cfg, "sales");
    assert_string_equal(sales->name_in_destination, "sales_eu");
    assert_int_equal(sales->enabled, 0);
    orders = ftx_schema_config_find_table(cfg, "sales", "orders");
    assert_non_null(orders);
    assert_string_equal(orders->sync_mode, "LIVE");
    assert_int_equal(orders->supports_history_mode, 0);
    assert_int_equal(orders->column_count, 2);
    assert_int_equal(ftx_table_find_column(orders, "order_id")->is_primary_key, 1);
    assert_int_equal(ftx_table_find_column(orders, "amount")->enabled, 1);

    empty = ftx_schema_config_find_schema(cfg, "empty_schema");
    assert_int_equal(empty->table_count, 0);
    assert_null(ftx_schema_config_find_schema(cfg, "Public"));
    assert_null(ftx_schema_config_find_table(cfg, "public", "nope"));
    assert_null(ftx_schema_config_find_table(cfg, "nope", "users"));
}

static void test_get_schema_config_nested(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_schema_config *cfg = NULL, *copy;
    ftx_error err = {0};

    (void)state;
    th_respond_fixture(th_ms, 200, "connectors/schema_config.json");
    assert_int_equal(ftx_connectors_get_schema_config(c, "speak_inexpensive", &cfg, &err), FTX_OK);
    th_assert_request(mock_server_request(th_ms, 0), "GET",
                      "/v1/connections/speak_inexpensive/schemas", NULL, PLAIN);
    check_fixture_config(cfg);

    copy = ftx_schema_config_dup(cfg);
    assert_non_null(copy);
    ftx_schema_config_free(cfg);
    check_fixture_config(copy);
    ftx_schema_config_free(copy);
    ftx_client_free(c);
}

static void test_get_schema_config_not_found(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_schema_config *cfg = NULL;
    ftx_error err = {0};

    (void)state;
    mock_server_respond(th_ms, 404,
                        "{\"code\":\"NotFound_SchemaConfig\",\"message\":\"Connection with id "
                        "'x' doesn't have schema config\"}");
    assert_int_equal(ftx_connectors_get_schema_config(c, "x", &cfg, &err), FTX_ERR_NOT_FOUND);
    assert_null(cfg);
    assert_string_equal(err.code, "NotFound_SchemaConfig");
    assert_int_equal(ftx_connectors_get_schema_config(c, NULL, &cfg, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_connectors_get_schema_config(c, "x", NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(th_ms), 1);
    ftx_client_free(c);
}

static void test_update_schema_config(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_schema_config *cfg = NULL;
    ftx_error err = {0};
    const char *body = "{\"schema_change_handling\":\"BLOCK_ALL\",\"schemas\":{\"public\":{"
                       "\"enabled\":true,\"tables\":{\"users\":{\"enabled\":true,\"sync_mode\":"
                       "\"HISTORY\",\"columns\":{\"email\":{\"enabled\":true,\"hashed\":true}}},"
                       "\"sensitive_data\":{\"enabled\":false}}}}}";
    json_t *params = th_json(body);

    (void)state;
    th_respond_fixture(th_ms, 200, "connectors/schema_config.json");
    assert_int_equal(ftx_connectors_update_schema_config(c, "c1", params, &cfg, &err), FTX_OK);
    th_assert_request(mock_server_request(th_ms, 0), "PATCH", "/v1/connections/c1/schemas", NULL,
                      PLAIN);
    th_assert_json_eq(mock_server_request(th_ms, 0)->body, body);
    check_fixture_config(cfg);
    ftx_schema_config_free(cfg);

    th_respond_fixture(th_ms, 200, "connectors/schema_config.json");
    assert_int_equal(ftx_connectors_update_schema_config(c, "c1", params, NULL, &err), FTX_OK);
    json_decref(params);
    ftx_client_free(c);
}

static void test_update_schema_config_rejects_before_sending(void **state)
{
    const char *bad[] = {
        "{\"schema_change_handling\":\"ALLOW\"}",
        "{\"schema_change_handling\":\"allow_all\"}",
        "{\"schema_change_handling\":5}",
        "{\"schemas\":{\"public\":{\"tables\":{\"users\":{\"sync_mode\":\"SOFT\"}}}}}",
        "{\"schemas\":{\"public\":{\"tables\":{\"users\":{\"sync_mode\":\"live\"}}}}}",
        "[]",
    };
    ftx_client *c = th_client(th_ms);
    ftx_schema_config *cfg = NULL;
    ftx_error err = {0};

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *p = th_json(bad[i]);
        assert_int_equal(ftx_connectors_update_schema_config(c, "c1", p, &cfg, &err),
                         FTX_ERR_INVALID_ARGUMENT);
        assert_null(cfg);
        json_decref(p);
    }
    assert_int_equal(ftx_connectors_update_schema_config(c, "c1", NULL, &cfg, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(th_ms), 0);
    ftx_client_free(c);
}

/* A closed value with an embedded NUL ("BLOCK_ALL\0x") is not the closed value: strcmp
 * on the C string alone would let it through. */
static void test_update_schema_config_rejects_embedded_nul(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_schema_config *cfg = NULL;
    ftx_error err = {0};
    json_t *p;

    (void)state;
    p = json_pack("{s:o}", "schema_change_handling", json_stringn("BLOCK_ALL\0x", 11));
    assert_int_equal(ftx_connectors_update_schema_config(c, "c1", p, &cfg, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    json_decref(p);
    p = json_pack("{s:{s:{s:{s:{s:o}}}}}", "schemas", "public", "tables", "users", "sync_mode",
                  json_stringn("LIVE\0", 5));
    assert_int_equal(ftx_connectors_update_schema_config(c, "c1", p, &cfg, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    json_decref(p);
    assert_null(cfg);
    assert_int_equal(mock_server_request_count(th_ms), 0);
    ftx_client_free(c);
}

static void test_reload_modes(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_reload_options ro = FTX_RELOAD_OPTIONS_INIT;
    ftx_schema_config *cfg = NULL;
    ftx_error err = {0};

    (void)state;
    th_respond_fixture(th_ms, 200, "connectors/schema_config.json");
    assert_int_equal(ftx_connectors_reload_schema_config(c, "c1", NULL, &cfg, &err), FTX_OK);
    th_assert_request(mock_server_request(th_ms, 0), "POST", "/v1/connections/c1/schemas/reload",
                      NULL, PLAIN);
    th_assert_json_eq(mock_server_request(th_ms, 0)->body, "{\"exclude_mode\":\"PRESERVE\"}");
    check_fixture_config(cfg);
    ftx_schema_config_free(cfg);

    ro.exclude_mode = "EXCLUDE";
    th_respond_fixture(th_ms, 200, "connectors/schema_config.json");
    assert_int_equal(ftx_connectors_reload_schema_config(c, "c1", &ro, NULL, &err), FTX_OK);
    th_assert_json_eq(mock_server_request(th_ms, 1)->body, "{\"exclude_mode\":\"EXCLUDE\"}");

    ro.exclude_mode = "PRESERVE";
    th_respond_fixture(th_ms, 200, "connectors/schema_config.json");
    assert_int_equal(ftx_connectors_reload_schema_config(c, "c1", &ro, NULL, &err), FTX_OK);
    th_assert_json_eq(mock_server_request(th_ms, 2)->body, "{\"exclude_mode\":\"PRESERVE\"}");
    ftx_client_free(c);
}

static void test_reload_rejects_include_and_unknown_modes(void **state)
{
    const char *bad[] = {"INCLUDE", "preserve", "Exclude", "", "PRESERVE "};
    ftx_client *c = th_client(th_ms);
    ftx_reload_options ro = FTX_RELOAD_OPTIONS_INIT;
    ftx_schema_config *cfg = NULL;
    ftx_error err = {0};

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ro.exclude_mode = bad[i];
        assert_int_equal(ftx_connectors_reload_schema_config(c, "c1", &ro, &cfg, &err),
                         FTX_ERR_INVALID_ARGUMENT);
        assert_null(cfg);
        /* the message says which values exist */
        assert_non_null(strstr(err.message, "PRESERVE"));
        assert_non_null(strstr(err.message, "EXCLUDE"));
    }
    ro.exclude_mode = NULL;
    ro.version = 7;
    assert_int_equal(ftx_connectors_reload_schema_config(c, "c1", &ro, &cfg, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(th_ms), 0);
    ftx_client_free(c);
}

static void test_get_table_columns(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_column_list *cols = NULL;
    const ftx_column *col;
    ftx_error err = {0};

    (void)state;
    th_respond_fixture(th_ms, 200, "connectors/table_columns.json");
    assert_int_equal(ftx_connectors_get_table_columns(c, "c1", "public", "users", &cols, &err),
                     FTX_OK);
    th_assert_request(mock_server_request(th_ms, 0), "GET",
                      "/v1/connections/c1/schemas/public/tables/users/columns", NULL, PLAIN);
    assert_int_equal(cols->count, 3);
    assert_string_equal(cols->items[0]->name, "id");
    assert_string_equal(cols->items[1]->name, "email");
    assert_string_equal(cols->items[2]->name, "created_at");
    col = ftx_column_list_find(cols, "id");
    assert_string_equal(col->type, "INTEGER");
    assert_int_equal(col->is_primary_key, 1);
    assert_string_equal(patch_allowed_reason(col->enabled_patch_settings), "SYSTEM_COLUMN");
    col = ftx_column_list_find(cols, "email");
    assert_string_equal(col->type, "STRING");
    assert_int_equal(col->hashed, 1);
    assert_int_equal(col->enabled, 1);
    col = ftx_column_list_find(cols, "created_at");
    assert_null(col->type);
    assert_string_equal(col->name_in_destination, "created_at");
    assert_null(ftx_column_list_find(cols, "missing"));
    assert_non_null(json_object_get(cols->raw, "columns"));
    ftx_column_list_free(cols);

    /* names with any characters are one encoded path segment each */
    th_respond_fixture(th_ms, 200, "connectors/table_columns.json");
    assert_int_equal(ftx_connectors_get_table_columns(c, "c1", "my schema", "a/b?c", &cols, &err),
                     FTX_OK);
    th_assert_request(mock_server_request(th_ms, 1), "GET",
                      "/v1/connections/c1/schemas/my%20schema/tables/a%2Fb%3Fc/columns", NULL,
                      PLAIN);
    ftx_column_list_free(cols);

    assert_int_equal(ftx_connectors_get_table_columns(c, "c1", "public", NULL, &cols, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_connectors_get_table_columns(c, "c1", "", "t", &cols, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(th_ms), 2);
    ftx_column_list_free(NULL);
    ftx_client_free(c);
}

static void test_decoders_are_tolerant(void **state)
{
    const char *ok[] = {
        "{}",
        "{\"schemas\":null}",
        "{\"schemas\":[1,2]}",
        "{\"schemas\":{\"a\":5,\"b\":{\"tables\":[]},\"c\":{\"tables\":{\"t\":null,\"u\":{"
        "\"columns\":{\"x\":\"y\",\"z\":{}}}}}}}",
        "{\"enable_new_by_default\":\"true\",\"schema_change_handling\":7}",
    };
    ftx_schema_config *cfg = NULL;
    ftx_column_list *cols = NULL;
    ftx_error err = {0};
    json_t *j;

    (void)state;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        j = th_json(ok[i]);
        assert_int_equal(ftx_schema_config_from_json(j, &cfg, &err), FTX_OK);
        if (i == 3) {
            assert_int_equal(cfg->schema_count, 2);
            assert_int_equal(cfg->schemas[0]->table_count, 0);
            assert_int_equal(cfg->schemas[1]->table_count, 1);
            assert_int_equal(cfg->schemas[1]->tables[0]->column_count, 1);
            assert_string_equal(cfg->schemas[1]->tables[0]->columns[0]->name, "z");
            assert_null(cfg->schemas[1]->tables[0]->columns[0]->name_in_destination);
        }
        if (i == 4) {
            assert_int_equal(cfg->enable_new_by_default, 1);
            assert_string_equal(cfg->schema_change_handling, "7");
        }
        ftx_schema_config_free(cfg);
        json_decref(j);
    }
    j = th_json("\"text\"");
    assert_int_equal(ftx_schema_config_from_json(j, &cfg, &err), FTX_ERR_DECODE);
    assert_null(cfg);
    assert_int_equal(ftx_column_list_from_json(j, &cols, &err), FTX_ERR_DECODE);
    assert_null(cols);
    json_decref(j);
    j = th_json("{\"columns\":[]}");
    assert_int_equal(ftx_column_list_from_json(j, &cols, &err), FTX_OK);
    assert_int_equal(cols->count, 0);
    ftx_column_list_free(cols);
    json_decref(j);

    /* lookups are NULL-safe */
    assert_null(ftx_schema_config_find_schema(NULL, "a"));
    assert_null(ftx_schema_find_table(NULL, "a"));
    assert_null(ftx_table_find_column(NULL, "a"));
    assert_null(ftx_schema_config_find_table(NULL, "a", "b"));
    assert_null(ftx_column_list_find(NULL, "a"));
    assert_null(ftx_schema_config_dup(NULL));
    ftx_schema_config_free(NULL);
}

/* Current responses carry only schema_change_handling; the legacy flag follows it,
 * and wins over a contradicting legacy field. Without it the legacy field is read. */
static void test_enable_new_by_default_follows_schema_change_handling(void **state)
{
    static const struct {
        const char *json;
        int want;
    } cases[] = {
        {"{\"schema_change_handling\":\"ALLOW_ALL\",\"schemas\":{}}", 1},
        {"{\"schema_change_handling\":\"ALLOW_COLUMNS\",\"schemas\":{}}", 0},
        {"{\"schema_change_handling\":\"BLOCK_ALL\",\"schemas\":{}}", 0},
        {"{\"schema_change_handling\":\"ALLOW_ALL\",\"enable_new_by_default\":false}", 1},
        {"{\"schema_change_handling\":\"BLOCK_ALL\",\"enable_new_by_default\":true}", 0},
        {"{\"enable_new_by_default\":true}", 1},
        {"{\"enable_new_by_default\":false}", 0},
        {"{}", 0},
    };
    ftx_schema_config *cfg = NULL;
    ftx_error err = {0};

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *j = th_json(cases[i].json);

        assert_int_equal(ftx_schema_config_from_json(j, &cfg, &err), FTX_OK);
        if (cfg->enable_new_by_default != cases[i].want)
            fail_msg("%s: enable_new_by_default %d, want %d", cases[i].json,
                     cfg->enable_new_by_default, cases[i].want);
        ftx_schema_config_free(cfg);
        json_decref(j);
    }
}

static void test_decode_survives_every_allocation_failure(void **state)
{
    char *body = th_read_fixture("connectors/schema_config.json");
    json_t *env = th_json(body);
    const json_t *data = json_object_get(env, "data");
    int failed = 0;

    (void)state;
    for (long n = 1; n < 1000; n++) {
        ftx_schema_config *cfg = NULL;
        ftx_error err = {0};
        int rc;

        ftx__alloc_fail_at(n);
        rc = ftx_schema_config_from_json(data, &cfg, &err);
        if (rc == FTX_OK) {
            ftx__alloc_fail_at(0);
            check_fixture_config(cfg);
            ftx_schema_config_free(cfg);
            break;
        }
        assert_int_equal(rc, FTX_ERR_NOMEM);
        assert_null(cfg);
        failed++;
    }
    ftx__alloc_fail_at(0);
    assert_true(failed > 30);
    json_decref(env);
    free(body);
}

static void test_malformed_response_is_decode_error(void **state)
{
    ftx_client *c = th_client(th_ms);
    ftx_schema_config *cfg = NULL;
    ftx_column_list *cols = NULL;
    ftx_error err = {0};

    (void)state;
    mock_server_respond(th_ms, 200, "{\"code\":\"Success\",\"data\":{\"schemas\":{\"a\"");
    assert_int_equal(ftx_connectors_get_schema_config(c, "c1", &cfg, &err), FTX_ERR_DECODE);
    assert_null(cfg);
    mock_server_respond(th_ms, 200, "<html>bad gateway</html>");
    assert_int_equal(ftx_connectors_get_table_columns(c, "c1", "s", "t", &cols, &err),
                     FTX_ERR_DECODE);
    assert_null(cols);
    ftx_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_get_schema_config_nested, th_reset),
        cmocka_unit_test_setup(test_get_schema_config_not_found, th_reset),
        cmocka_unit_test_setup(test_update_schema_config, th_reset),
        cmocka_unit_test_setup(test_update_schema_config_rejects_embedded_nul, th_reset),
        cmocka_unit_test_setup(test_update_schema_config_rejects_before_sending, th_reset),
        cmocka_unit_test_setup(test_reload_modes, th_reset),
        cmocka_unit_test_setup(test_reload_rejects_include_and_unknown_modes, th_reset),
        cmocka_unit_test_setup(test_get_table_columns, th_reset),
        cmocka_unit_test_setup(test_decoders_are_tolerant, th_reset),
        cmocka_unit_test_setup(test_enable_new_by_default_follows_schema_change_handling, th_reset),
        cmocka_unit_test_setup(test_malformed_response_is_decode_error, th_reset),
        cmocka_unit_test_setup(test_decode_survives_every_allocation_failure, th_reset),
    };
    return cmocka_run_group_tests(tests, th_group_setup, th_group_teardown);
}
