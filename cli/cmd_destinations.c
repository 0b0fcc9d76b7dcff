/*
 * fivetrex destinations list|get|create|update|delete|test
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char destinations_help[] =
    "Usage: fivetrex destinations <verb> [arguments]\n"
    "\n"
    "A destination is the warehouse of a group; its id is the group id.\n"
    "\n"
    "Verbs:\n"
    "  list                        list destinations (streams all pages)\n"
    "  get ID                      show one destination\n"
    "  create --group ID --service S --time-zone-offset TZ [--region R] [--config K=V]\n"
    "                              create the destination of a group\n"
    "  update ID [flags]           change a destination\n"
    "  delete ID                   delete a destination\n"
    "  test ID                     run the setup tests\n"
    "\n"
    "Run 'fivetrex destinations <verb> --help' for a verb's options.\n";

static const cli_column dest_cols[] = {
    {"ID", 24}, {"SERVICE", 20}, {"REGION", 16}, {"TZ", 4}, {"SETUP_STATUS", 0}};

static void dest_row(cli_table *t, const void *item)
{
    const ftx_destination *d = item;
    const char *cells[5];
    cells[0] = d->id;
    cells[1] = d->service;
    cells[2] = d->region;
    cells[3] = d->time_zone_offset;
    cells[4] = d->setup_status;
    cli_table_row(t, cells);
}

static void tests_show(cli_ctx *ctx, ftx_destination_setup_test *const *tests, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        char line[700];
        const ftx_destination_setup_test *tst = tests[i];
        int ok = tst->status && (strcmp(tst->status, "PASSED") == 0);
        snprintf(line, sizeof(line), "%s%s%s %s%s%s", ok ? cli_c(ctx, CLI_GREEN) : "",
                 tst->status ? tst->status : "-", ok ? cli_c(ctx, CLI_RESET) : "",
                 tst->title ? tst->title : "-", tst->message && *tst->message ? ": " : "",
                 tst->message ? tst->message : "");
        cli_kv(ctx, "setup_test", line);
    }
}

static void dest_show(cli_ctx *ctx, const ftx_destination *d)
{
    if (ctx->format == CLI_FORMAT_JSON) {
        cli_json_doc(d->raw);
        return;
    }
    cli_kv(ctx, "id", d->id);
    cli_kv(ctx, "group_id", d->group_id);
    cli_kv(ctx, "service", d->service);
    cli_kv(ctx, "region", d->region);
    cli_kv(ctx, "time_zone_offset", d->time_zone_offset);
    cli_kv(ctx, "setup_status", d->setup_status);
    cli_kv(ctx, "daylight_saving_time",
           d->daylight_saving_time_enabled < 0 ? NULL
                                               : cli_bool_str(d->daylight_saving_time_enabled));
    cli_kv(ctx, "networking_method", d->networking_method);
    if (d->config) {
        const char *k;
        json_t *v;
        json_object_foreach(d->config, k, v)
        {
            char key[80], buf[256];
            snprintf(key, sizeof(key), "config.%s", k);
            cli_kv(ctx, key, cli_json_text(v, buf, sizeof(buf)));
        }
    }
    tests_show(ctx, d->setup_tests, d->setup_test_count);
    fflush(stdout);
}

static int dest_page(cli_list *l, const ftx_list_options *lo, ftx_error *err)
{
    ftx_destination_page *page = NULL;
    size_t i;
    int rc = ftx_destinations_list(l->ctx->client, lo, &page, err);

    if (rc != FTX_OK)
        return rc;
    for (i = 0; i < page->count; i++)
        cli_list_emit(l, page->items[i], page->items[i]->raw);
    cli_list_page_end(l, page->next_cursor);
    ftx_destination_page_free(page);
    return FTX_OK;
}

static int dest_stream(cli_list *l, const ftx_list_options *lo, ftx_error *err)
{
    ftx_destination_stream *s = NULL;
    const ftx_destination *d = NULL;
    int rc = ftx_destinations_stream(l->ctx->client, lo, &s, err);

    while (rc == FTX_OK && cli_list_more(l) &&
           (rc = ftx_destination_stream_next(s, &d, err)) == FTX_OK && d)
        cli_list_emit(l, d, d->raw);
    ftx_destination_stream_free(s);
    return rc;
}

static const cli_column dest_wide_cols[] = {{"ID", 24},         {"GROUP", 24}, {"SERVICE", 20},
                                            {"REGION", 16},     {"TZ", 4},     {"NETWORKING", 12},
                                            {"SETUP_STATUS", 0}};

static void dest_wide_row(cli_table *t, const void *item)
{
    const ftx_destination *d = item;
    const char *cells[7];
    cells[0] = d->id;
    cells[1] = d->group_id;
    cells[2] = d->service;
    cells[3] = d->region;
    cells[4] = d->time_zone_offset;
    cells[5] = d->networking_method;
    cells[6] = d->setup_status;
    cli_table_row(t, cells);
}

static const cli_list_spec dest_list_spec = {
    "destinations list", "destinations", dest_cols,      5, dest_row,
    dest_page,           dest_stream,    dest_wide_cols, 7, dest_wide_row};

static int dest_list(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] = "Usage: fivetrex destinations list [--limit N] [--page CURSOR]\n"
                               "\n"
                               "List destinations, streaming every page.\n";
    int rc = cli_simple_args(ctx, argc, argv, help, 0, NULL);

    if (rc)
        return rc < 0 ? 0 : rc;
    return cli_list_run(ctx, &dest_list_spec, NULL);
}

static int dest_get(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] = "Usage: fivetrex destinations get ID\n\nShow one destination.\n";
    const char *id = NULL;
    ftx_destination *d = NULL;
    ftx_error err = {0};
    int rc = cli_one_id(ctx, argc, argv, help, &id);

    if (rc)
        return rc < 0 ? 0 : rc;
    rc = ftx_destinations_get(ctx->client, id, &d, &err);
    if (rc != FTX_OK)
        return cli_fail(ctx, rc, &err, "destinations get %s", id);
    dest_show(ctx, d);
    ftx_destination_free(d);
    return 0;
}

static int dest_describe(cli_ctx *ctx, const char *id, char *what, size_t wsize, char *details,
                         size_t dsize, json_t **extra, ftx_error *err)
{
    ftx_destination *d = NULL;
    int rc = ftx_destinations_get(ctx->client, id, &d, err);

    (void)extra;
    (void)details;
    (void)dsize;
    if (rc != FTX_OK)
        return rc;
    snprintf(what, wsize, "destination %s (%s, group %s)", id, d->service ? d->service : "?",
             d->group_id ? d->group_id : "?");
    ftx_destination_free(d);
    return FTX_OK;
}

static int dest_delete(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] =
        "Usage: fivetrex destinations delete ID\n"
        "\n"
        "Delete a destination.\n"
        "On a terminal, asks first; --yes skips the question and is required without a\n"
        "terminal. --dry-run prints the request and sends nothing.\n";

    return cli_delete(ctx, argc, argv, help, "destinations", "destination", "/destinations/{}",
                      dest_describe, ftx_destinations_delete);
}

enum { W_GROUP = 1, W_SERVICE, W_TZ, W_REGION, W_CONFIG, W_NO_TESTS, W_DATA };

static const cli_opt write_opts[] = {
    {"group", 'g', CLI_ARG_REQUIRED, W_GROUP},
    {"service", 's', CLI_ARG_REQUIRED, W_SERVICE},
    {"time-zone-offset", 0, CLI_ARG_REQUIRED, W_TZ},
    {"region", 0, CLI_ARG_REQUIRED, W_REGION},
    {"config", 'c', CLI_ARG_REQUIRED, W_CONFIG},
    {"no-setup-tests", 0, CLI_ARG_NONE, W_NO_TESTS},
    {"data", 'd', CLI_ARG_REQUIRED, W_DATA},
    {NULL, 0, CLI_ARG_NONE, 0},
};

static int dest_write(cli_ctx *ctx, int argc, char **argv, int update)
{
    static const char create_help[] =
        "Usage: fivetrex destinations create --group ID --service SERVICE\n"
        "                                    --time-zone-offset TZ [options]\n"
        "\n"
        "Create the destination of a group (one per group).\n"
        "\n"
        "Options:\n"
        "  --group ID               the group (required)\n"
        "  --service SERVICE        e.g. snowflake, big_query, postgres_warehouse (required)\n"
        "  --time-zone-offset TZ    \"-11\" .. \"-1\", \"0\", \"+1\" .. \"+12\" (required)\n"
        "  --region REGION          e.g. GCP_US_EAST4\n"
        "  --config KEY=VALUE       a config field (repeatable; JSON values accepted)\n"
        "  --no-setup-tests         run_setup_tests: false\n"
        "  --data @FILE|-|JSON      the request body; flags override its fields\n";
    static const char update_help[] =
        "Usage: fivetrex destinations update ID --time-zone-offset TZ [options]\n"
        "\n"
        "Change a destination. The API requires time_zone_offset on every update.\n"
        "Options: --time-zone-offset TZ, --region R, --config KEY=VALUE, --no-setup-tests,\n"
        "  --data @FILE|-|JSON.\n";
    cli_parser p;
    const char *id = NULL, *data_spec = NULL;
    json_t *body = NULL, *flags = json_object(), *cfg = NULL;
    ftx_destination *d = NULL;
    ftx_error err = {0};
    int opt, rc;

    cli_parser_init(&p, ctx, argc - 1, argv + 1);
    while ((opt = cli_next_opt(&p, write_opts, update ? update_help : create_help,
                               update ? &id : NULL, &rc)) > 0) {
        switch (opt) {
        case W_GROUP:
            json_object_set_new(flags, "group_id", json_string(p.value));
            break;
        case W_SERVICE:
            json_object_set_new(flags, "service", json_string(p.value));
            break;
        case W_TZ:
            json_object_set_new(flags, "time_zone_offset", json_string(p.value));
            break;
        case W_REGION:
            json_object_set_new(flags, "region", json_string(p.value));
            break;
        case W_NO_TESTS:
            json_object_set_new(flags, "run_setup_tests", json_false());
            break;
        case W_CONFIG: {
            const char *eq = strchr(p.value, '=');
            char key[256];
            json_t *v;
            if (!eq || eq == p.value || (size_t)(eq - p.value) >= sizeof(key)) {
                json_decref(flags);
                json_decref(cfg);
                return cli_usage_error(ctx, ctx->cmd, "--config wants KEY=VALUE, got '%s'",
                                       p.value);
            }
            memcpy(key, p.value, (size_t)(eq - p.value));
            key[eq - p.value] = '\0';
            v = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
            if (!v)
                v = json_string(eq + 1);
            if (!cfg)
                cfg = json_object();
            json_object_set_new(cfg, key, v);
            break;
        }
        case W_DATA:
            data_spec = p.value;
            break;
        default:
            break;
        }
    }
    if (opt < 0) {
        json_decref(flags);
        json_decref(cfg);
        return rc;
    }
    if (update && !id) {
        json_decref(flags);
        json_decref(cfg);
        return cli_usage_error(ctx, ctx->cmd, "missing argument: destination ID");
    }
    if (data_spec && (rc = cli_load_data(ctx, ctx->cmd, data_spec, &body)) != 0) {
        json_decref(flags);
        json_decref(cfg);
        return rc;
    }
    if (cfg)
        json_object_set_new(flags, "config", cfg);
    body = cli_body_with_flags(body, flags); /* flags override --data */
    if (!update && (!json_is_string(json_object_get(body, "group_id")) ||
                    !json_is_string(json_object_get(body, "service")) ||
                    !json_object_get(body, "time_zone_offset"))) {
        json_decref(body);
        return cli_usage_error(ctx, ctx->cmd,
                               "--group, --service and --time-zone-offset are required (or "
                               "group_id, service and time_zone_offset in --data)");
    }
    if ((rc = cli_body_ready(ctx, update, body)) != 0)
        return rc;
    if (cli_dry_run(ctx, update ? "PATCH" : "POST", update ? "/destinations/{}" : "/destinations",
                    id, body)) {
        json_decref(body);
        return 0;
    }
    rc = update ? ftx_destinations_update(ctx->client, id, body, &d, &err)
                : ftx_destinations_create(ctx->client, body, &d, &err);
    json_decref(body);
    if (rc != FTX_OK)
        return update ? cli_fail(ctx, rc, &err, "destinations update %s", id)
                      : cli_fail(ctx, rc, &err, "destinations create");
    if (d)
        dest_show(ctx, d);
    else
        cli_done(ctx, "Updated", id);
    ftx_destination_free(d);
    return 0;
}

static int dest_create(cli_ctx *ctx, int argc, char **argv)
{
    return dest_write(ctx, argc, argv, 0);
}

static int dest_update(cli_ctx *ctx, int argc, char **argv)
{
    return dest_write(ctx, argc, argv, 1);
}

static int dest_test(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] =
        "Usage: fivetrex destinations test ID [--trust-certificates] [--trust-fingerprints]\n"
        "\n"
        "Run the destination's setup tests. Exit status 3 when a test failed.\n";
    static const cli_opt opts[] = {{"trust-certificates", 0, CLI_ARG_NONE, 1},
                                   {"trust-fingerprints", 0, CLI_ARG_NONE, 2},
                                   {NULL, 0, 0, 0}};
    cli_parser p;
    const char *id = NULL;
    ftx_destination_test_options to = FTX_DESTINATION_TEST_OPTIONS_INIT;
    ftx_destination_test_result *res = NULL;
    ftx_error err = {0};
    size_t i;
    int opt, rc, failed = 0;

    cli_parser_init(&p, ctx, argc - 1, argv + 1);
    while ((opt = cli_next_opt(&p, opts, help, &id, &rc)) > 0) {
        if (opt == 1) {
            to.trust_certificates = 1;
        } else if (opt == 2) {
            to.trust_fingerprints = 1;
        }
    }
    if (opt < 0)
        return rc;
    if (!id)
        return cli_usage_error(ctx, ctx->cmd, "missing argument: destination ID");
    if ((rc = cli_client(ctx)) != 0)
        return rc;
    if (ctx->dry_run) {
        json_t *b = json_object();
        if (to.trust_certificates)
            json_object_set_new(b, "trust_certificates", json_true());
        if (to.trust_fingerprints)
            json_object_set_new(b, "trust_fingerprints", json_true());
        cli_dry_run(ctx, "POST", "/destinations/{}/test", id, b);
        json_decref(b);
        return 0;
    }
    rc = ftx_destinations_test(ctx->client, id, &to, &res, &err);
    if (rc != FTX_OK)
        return cli_fail(ctx, rc, &err, "destinations test %s", id);
    for (i = 0; i < res->setup_test_count; i++) {
        const char *st = res->setup_tests[i]->status;
        if (st && (strcmp(st, "FAILED") == 0 || strcmp(st, "JOB_FAILED") == 0))
            failed = 1;
    }
    if (ctx->format == CLI_FORMAT_JSON) {
        cli_json_doc(res->raw);
    } else {
        cli_kv(ctx, "id", id);
        cli_kv(ctx, "setup_status", res->setup_status);
        tests_show(ctx, res->setup_tests, res->setup_test_count);
        fflush(stdout);
    }
    ftx_destination_test_result_free(res);
    if (failed) {
        fprintf(stderr, "%s: destinations test %s: a setup test failed\n", ctx->prog, id);
        return CLI_EXIT_INVALID;
    }
    return 0;
}

static const cli_command dest_cmds[] = {
    {"list", "list destinations", dest_list, CLI_VERB_READ},
    {"get", "show a destination", dest_get, CLI_VERB_READ},
    {"create", "create a destination", dest_create, CLI_VERB_WRITE},
    {"update", "change a destination", dest_update, CLI_VERB_WRITE},
    {"delete", "delete a destination", dest_delete, CLI_VERB_DESTRUCTIVE},
    {"test", "run setup tests", dest_test, CLI_VERB_WRITE},
    {NULL, NULL, NULL, 0},
};

int cmd_destinations(cli_ctx *ctx, int argc, char **argv)
{
    return cli_dispatch(ctx, "destinations", dest_cmds, argc, argv, destinations_help);
}
