/*
 * Smoke test of the generated layer (tools/gen/cgen.py) end to end through the runtime:
 * a create with a closed enum and secrets in its result (ftx_system_keys_create), a
 * paged list with a filter and its stream (ftx_users_list / ftx_users_stream), a get
 * with two ids that need percent-encoding (ftx_teams_users_get), a message-only delete,
 * and the generated tables (every op's placeholders match its id count). The
 * per-operation tests are generated separately (tests/unit/gen/).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gen.h"
#include "test_helpers.h"

#define ENVELOPE(data) "{\"code\":\"Success\",\"data\":" data "}"

static void test_system_key_create(void **state)
{
    th_fixture *f = *state;
    ftx_error err;
    ftx_system_key *key = NULL;
    json_t *params = th_json("{\"name\":\"ci\",\"expiration_period\":\"ONE_WEEK\"}");
    json_t *bad = th_json("{\"name\":\"ci\",\"expiration_period\":\"FOREVER\"}");

    /* a value outside the closed set: nothing is sent */
    assert_int_equal(ftx_system_keys_create(f->client, bad, &key, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_null(key);
    assert_non_null(strstr(err.message, "expiration_period"));
    assert_non_null(strstr(err.message, "ONE_MONTH"));
    assert_int_equal(mock_server_request_count(f->ms), 0);

    mock_server_respond(f->ms, 201,
                        ENVELOPE("{\"id\":\"key_1\",\"name\":\"ci\",\"key\":\"ft_abc\","
                                 "\"secret\":\"s3cr3t\",\"created_at\":\"2023-08-20T10:15:20Z\","
                                 "\"expired_at\":null,\"permissions\":[{\"access_level\":"
                                 "\"READ\",\"resource_type\":\"USER\",\"resource_filter\":{"
                                 "\"ids\":[\"u1\",\"u2\"]}}],\"extra\":1}"));
    assert_int_equal(ftx_system_keys_create(f->client, params, &key, &err), FTX_OK);
    th_assert_call(f->ms, 0, "POST", "/v1/system-keys", NULL, "application/json",
                   "{\"name\":\"ci\",\"expiration_period\":\"ONE_WEEK\"}");
    assert_non_null(key);
    assert_string_equal(key->id, "key_1");
    assert_string_equal(key->name, "ci");
    assert_string_equal(key->key, "ft_abc");
    assert_string_equal(key->secret, "s3cr3t");
    assert_int_equal(key->created_at.valid, 1);
    assert_null(key->expired_at.iso);
    assert_null(key->last_used_at.iso);
    assert_int_equal(key->permissions_count, 1);
    assert_string_equal(key->permissions[0]->access_level, "READ");
    assert_string_equal(key->permissions[0]->resource_type, "USER");
    assert_non_null(key->permissions[0]->resource_filter);
    assert_int_equal(key->permissions[0]->resource_filter->ids_count, 2);
    assert_string_equal(key->permissions[0]->resource_filter->ids[1], "u2");
    assert_null(key->permissions[0]->resource_filter->group_ids);
    assert_int_equal(json_integer_value(json_object_get(key->raw, "extra")), 1);

    ftx_system_key *copy = ftx_system_key_dup(key);
    assert_non_null(copy);
    assert_string_equal(copy->secret, "s3cr3t");
    assert_ptr_not_equal(copy->secret, key->secret);
    assert_ptr_equal(copy->raw, key->raw);
    ftx_system_key_free(key);
    ftx_system_key_free(copy);
    ftx_system_key_free(NULL);
    json_decref(params);
    json_decref(bad);
}

static void test_users_list_and_stream(void **state)
{
    th_fixture *f = *state;
    ftx_error err;
    ftx_user_page *page = NULL;
    ftx_user_stream *stream = NULL;
    const ftx_user *u = NULL;
    ftx_query_param filters[] = {{"active", "true"}};
    ftx_query_param bad[] = {{"active", "yes"}};
    ftx_list_options opts = FTX_LIST_OPTIONS_INIT;

    opts.limit = 1;
    opts.filters = bad;
    opts.filter_count = 1;
    assert_int_equal(ftx_users_list(f->client, &opts, &page, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_null(page);
    assert_int_equal(mock_server_request_count(f->ms), 0);

    opts.filters = filters;
    mock_server_respond(f->ms, 200,
                        ENVELOPE("{\"items\":[{\"id\":\"u1\",\"email\":\"a@b.c\",\"active\":true,"
                                 "\"role\":\"Account Reviewer\",\"logged_in_at\":null}],"
                                 "\"next_cursor\":\"c2\"}"));
    assert_int_equal(ftx_users_list(f->client, &opts, &page, &err), FTX_OK);
    th_assert_call(f->ms, 0, "GET", "/v1/users", "active=true&limit=1", "application/json", NULL);
    assert_int_equal(page->count, 1);
    assert_string_equal(page->items[0]->id, "u1");
    assert_string_equal(page->items[0]->email, "a@b.c");
    assert_int_equal(page->items[0]->active, 1);
    assert_int_equal(page->items[0]->verified, 0);
    assert_null(page->items[0]->logged_in_at.iso);
    assert_string_equal(page->next_cursor, "c2");
    ftx_user_page_free(page);

    mock_server_reset(f->ms);
    opts.prefetch = 0;
    mock_server_respond(f->ms, 200,
                        ENVELOPE("{\"items\":[{\"id\":\"u1\"}],\"next_cursor\":\"c2\"}"));
    mock_server_respond(f->ms, 200, ENVELOPE("{\"items\":[{\"id\":\"u2\"}],\"next_cursor\":null}"));
    assert_int_equal(ftx_users_stream(f->client, &opts, &stream, &err), FTX_OK);
    assert_int_equal(mock_server_request_count(f->ms), 0);
    assert_int_equal(ftx_user_stream_next(stream, &u, &err), FTX_OK);
    assert_string_equal(u->id, "u1");
    assert_int_equal(ftx_user_stream_next(stream, &u, &err), FTX_OK);
    assert_string_equal(u->id, "u2");
    assert_int_equal(ftx_user_stream_next(stream, &u, &err), FTX_OK);
    assert_null(u);
    th_assert_call(f->ms, 1, "GET", "/v1/users", "active=true&cursor=c2&limit=1",
                   "application/json", NULL);
    ftx_user_stream_free(stream);
}

static void test_two_ids_encoded_and_message_delete(void **state)
{
    th_fixture *f = *state;
    ftx_error err;
    ftx_team_membership *m = NULL;

    mock_server_respond(f->ms, 200,
                        ENVELOPE("{\"user_id\":\"u/1\",\"role\":\"Team Member\","
                                 "\"created_at\":\"2024-01-01T00:00:00Z\"}"));
    assert_int_equal(ftx_teams_users_get(f->client, "team 1", "u/1", &m, &err), FTX_OK);
    th_assert_call(f->ms, 0, "GET", "/v1/teams/team%201/users/u%2F1", NULL, "application/json",
                   NULL);
    assert_string_equal(m->user_id, "u/1");
    assert_string_equal(m->role, "Team Member");
    assert_int_equal(m->created_at.valid, 1);
    ftx_team_membership_free(m);

    assert_int_equal(ftx_teams_users_get(f->client, "team", NULL, &m, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_null(m);
    assert_int_equal(ftx_teams_users_get(f->client, "team", "u", NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(f->ms), 1);

    mock_server_respond(f->ms, 200, "{\"code\":\"Success\",\"message\":\"deleted\"}");
    assert_int_equal(ftx_teams_users_delete(f->client, "t", "u", &err), FTX_OK);
    th_assert_call(f->ms, 1, "DELETE", "/v1/teams/t/users/u", NULL, "application/json", NULL);

    mock_server_respond(f->ms, 404, "{\"code\":\"NotFound\",\"message\":\"no team\"}");
    assert_int_equal(ftx_teams_users_delete(f->client, "t", "u", &err), FTX_ERR_NOT_FOUND);
}

static size_t placeholders(const char *path)
{
    size_t n = 0;

    for (; *path; path++)
        n += *path == '{';
    return n;
}

static void test_tables(void **state)
{
    size_t n = 0;

    (void)state;
    for (n = 0; ftx__ops_all[n] != NULL; n++) {
        const ftx__op *op = ftx__ops_all[n];

        assert_int_equal(placeholders(op->path), op->npath);
        assert_true(op->path[0] == '/');
        assert_true(((op->flags & FTX__OP_HOST_ROOT) != 0) ==
                    (strncmp(op->path, "/public/", 8) == 0));
        if (op->flags & FTX__OP_MESSAGE)
            assert_null(op->result);
        if (op->flags & FTX__OP_PAGED)
            assert_non_null(op->result);
    }
    assert_int_equal(n, 132);
    for (n = 0; ftx__models_all[n] != NULL; n++)
        assert_true(ftx__models_all[n]->nfields > 0);
    assert_int_equal(n, 39);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_system_key_create, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_users_list_and_stream, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_two_ids_encoded_and_message_delete, th_setup,
                                        th_teardown),
        cmocka_unit_test(test_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
