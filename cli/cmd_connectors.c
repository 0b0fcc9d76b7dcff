/*
 * fivetrex connectors list|get|create|update|delete|sync|resync|pause|resume|state|
 *                    status|frequency|schema|columns|test|connect-card|logs
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char connectors_help[] =
    "Usage: fivetrex connectors <verb> [arguments]\n"
    "\n"
    "Connectors (the API's \"connections\") move data from a source into a group's\n"
    "destination.\n"
    "\n"
    "Verbs:\n"
    "  list [--group ID]              list connectors (of one group, or of the account)\n"
    "  get ID                         show one connector\n"
    "  create --group ID --service S  create a connector (--schema, --paused, ...)\n"
    "  update ID [flags]              change a connector\n"
    "  delete ID                      delete a connector (destination data stays)\n"
    "  sync ID [--wait] [--force]     start a sync; --wait follows it to its end\n"
    "  resync ID --confirm            historical re-sync: re-imports all data\n"
    "  pause ID | resume ID           stop or restart scheduled syncs\n"
    "  state ID                       connector state (Function/SDK connectors)\n"
    "  status ID                      sync state and last success/failure\n"
    "  frequency ID MINUTES           set the sync frequency\n"
    "  schema show ID                 schema/table/column tree with enabled, sync mode\n"
    "  schema update ID [flags]       enable/disable a schema, table or column\n"
    "  schema reload ID               detect new schemas/tables/columns at the source\n"
    "  columns ID SCHEMA TABLE        every column of a table\n"
    "  test ID                        run the setup tests\n"
    "  connect-card ID --redirect-uri URI   a new Connect Card link\n"
    "  logs [ID] [--query KIND]       SQL for the sync logs in your destination;\n"
    "  logs --parse FILE|-            its result rows as a table (no API call)\n"
    "\n"
    "Run 'fivetrex connectors <verb> --help' for a verb's options.\n";

static const cli_column conn_cols[] = {{"ID", 26},         {"GROUP", 22}, {"SERVICE", 20},
                                       {"SCHEMA", 20},     {"STATE", 11}, {"PAUSED", 6},
                                       {"SUCCEEDED_AT", 0}};

static void conn_row(cli_table *t, const void *item)
{
    const ftx_connector *c = item;
    const char *cells[7];
    cells[0] = c->id;
    cells[1] = c->group_id;
    cells[2] = c->service;
    cells[3] = c->schema;
    cells[4] = ftx_connector_sync_state(c);
    cells[5] = cli_bool_str(c->paused);
    cells[6] = c->succeeded_at.iso;
    cli_table_row(t, cells);
}

static void conn_show(cli_ctx *ctx, const ftx_connector *c)
{
    char buf[64];
    size_t i;

    if (ctx->format == CLI_FORMAT_JSON) {
        cli_json_doc(c->raw);
        return;
    }
    cli_kv(ctx, "id", c->id);
    cli_kv(ctx, "group_id", c->group_id);
    cli_kv(ctx, "service", c->service);
    cli_kv(ctx, "schema", c->schema);
    cli_kv(ctx, "paused", cli_bool_str(c->paused));
    snprintf(buf, sizeof(buf), "%d min", c->sync_frequency);
    cli_kv(ctx, "sync_frequency", c->sync_frequency ? buf : NULL);
    cli_kv(ctx, "schedule_type", c->schedule_type);
    cli_kv(ctx, "daily_sync_time", c->daily_sync_time);
    cli_kv(ctx, "setup_state", c->setup_state);
    cli_kv(ctx, "sync_state", c->status ? c->status->sync_state : NULL);
    cli_kv(ctx, "update_state", c->status ? c->status->update_state : NULL);
    cli_kv(ctx, "is_historical_sync",
           c->status ? cli_bool_str(c->status->is_historical_sync) : NULL);
    cli_kv(ctx, "created_at", c->created_at.iso);
    cli_kv(ctx, "succeeded_at", c->succeeded_at.iso);
    cli_kv(ctx, "failed_at", c->failed_at.iso);
    if (c->connect_card_uri)
        cli_kv(ctx, "connect_card_uri", c->connect_card_uri);
    if (c->status) {
        for (i = 0; i < c->status->task_count; i++) {
            const ftx_connector_notice *n = c->status->tasks[i];
            char line[600];
            snprintf(line, sizeof(line), "%s: %s", n->code ? n->code : "-",
                     n->message ? n->message : "");
            cli_kv(ctx, "task", line);
        }
        for (i = 0; i < c->status->warning_count; i++) {
            const ftx_connector_notice *n = c->status->warnings[i];
            char line[600];
            snprintf(line, sizeof(line), "%s: %s", n->code ? n->code : "-",
                     n->message ? n->message : "");
            cli_kv(ctx, "warning", line);
        }
    }
    {
        const json_t *tests = json_object_get(c->raw, "setup_tests");
        size_t k;
        const json_t *tst;
        json_array_foreach(tests, k, tst)
        {
            char line[600];
            snprintf(line, sizeof(line), "%s: %s%s%s", cli_json_str(tst, "title"),
                     cli_json_str(tst, "status") ? cli_json_str(tst, "status") : "-",
                     cli_json_str(tst, "message") && *cli_json_str(tst, "message") ? " - " : "",
                     cli_json_str(tst, "message") ? cli_json_str(tst, "message") : "");
            cli_kv(ctx, "setup_test", line);
        }
    }
    fflush(stdout);
}

/* ---- list ---- */

static int conn_page(cli_list *l, const ftx_list_options *lo, ftx_error *err)
{
    const char *group = l->userdata;
    ftx_connector_page *page = NULL;
    size_t i;
    int rc = group ? ftx_connectors_list(l->ctx->client, group, lo, &page, err)
                   : ftx_connectors_list_all(l->ctx->client, lo, &page, err);

    if (rc != FTX_OK)
        return rc;
    for (i = 0; i < page->count; i++)
        cli_list_emit(l, page->items[i], page->items[i]->raw);
    cli_list_page_end(l, page->next_cursor);
    ftx_connector_page_free(page);
    return FTX_OK;
}

static int conn_stream(cli_list *l, const ftx_list_options *lo, ftx_error *err)
{
    const char *group = l->userdata;
    ftx_connector_stream *s = NULL;
    const ftx_connector *c = NULL;
    int rc = group ? ftx_connectors_stream(l->ctx->client, group, lo, &s, err)
                   : ftx_connectors_stream_all(l->ctx->client, lo, &s, err);

    while (rc == FTX_OK && cli_list_more(l) &&
           (rc = ftx_connector_stream_next(s, &c, err)) == FTX_OK && c)
        cli_list_emit(l, c, c->raw);
    ftx_connector_stream_free(s);
    return rc;
}

static const cli_column conn_wide_cols[] = {
    {"ID", 26},      {"GROUP", 22},      {"SERVICE", 20},   {"SCHEMA", 20},
    {"STATE", 11},   {"SETUP", 10},      {"PAUSED", 6},     {"FREQ", 5},
    {"SCHEDULE", 8}, {"CREATED_AT", 24}, {"FAILED_AT", 24}, {"SUCCEEDED_AT", 0}};

static void conn_wide_row(cli_table *t, const void *item)
{
    const ftx_connector *c = item;
    const char *cells[12];
    char freq[16];
    snprintf(freq, sizeof(freq), "%d", c->sync_frequency);
    cells[0] = c->id;
    cells[1] = c->group_id;
    cells[2] = c->service;
    cells[3] = c->schema;
    cells[4] = ftx_connector_sync_state(c);
    cells[5] = c->setup_state;
    cells[6] = cli_bool_str(c->paused);
    cells[7] = c->sync_frequency ? freq : NULL;
    cells[8] = c->schedule_type;
    cells[9] = c->created_at.iso;
    cells[10] = c->failed_at.iso;
    cells[11] = c->succeeded_at.iso;
    cli_table_row(t, cells);
}

static const cli_list_spec conn_list_spec = {
    "connectors list", "connectors", conn_cols,      7,  conn_row,
    conn_page,         conn_stream,  conn_wide_cols, 12, conn_wide_row};

static int conn_list(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] =
        "Usage: fivetrex connectors list [--group ID] [--limit N] [--page CURSOR]\n"
        "\n"
        "List connectors, streaming every page: those of one group with --group, else\n"
        "every connector of the account. JSON output: one connector a line.\n";
    static const cli_opt opts[] = {{"group", 'g', CLI_ARG_REQUIRED, 1}, {NULL, 0, 0, 0}};
    cli_parser p;
    const char *group = NULL;
    int id;

    cli_parser_init(&p, ctx, argc - 1, argv + 1);
    while ((id = cli_getopt(&p, opts)) != CLI_GETOPT_END) {
        if (id == CLI_GETOPT_ERROR)
            return CLI_EXIT_USAGE;
        if (id == CLI_GETOPT_HELP) {
            fputs(help, stdout);
            return 0;
        }
        if (id == CLI_GETOPT_POSITIONAL)
            return cli_usage_error(ctx, ctx->cmd, "unexpected argument '%s' (use --group ID)",
                                   p.value);
        if (id == 1)
            group = p.value;
    }
    return cli_list_run(ctx, &conn_list_spec, group);
}

/* ---- get / delete / pause / resume ---- */

static int conn_get(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] = "Usage: fivetrex connectors get ID\n\nShow one connector.\n";
    const char *id = NULL;
    ftx_connector *c = NULL;
    ftx_error err = {0};
    int rc = cli_one_id(ctx, argc, argv, help, &id);

    if (rc)
        return rc < 0 ? 0 : rc;
    rc = ftx_connectors_get(ctx->client, id, &c, &err);
    if (rc != FTX_OK)
        return cli_fail(ctx, rc, &err, "connectors get %s", id);
    conn_show(ctx, c);
    ftx_connector_free(c);
    return 0;
}

static int conn_describe(cli_ctx *ctx, const char *id, char *what, size_t wsize, char *details,
                         size_t dsize, json_t **extra, ftx_error *err)
{
    ftx_connector *c = NULL;
    int rc = ftx_connectors_get(ctx->client, id, &c, err);

    (void)extra;
    if (rc != FTX_OK)
        return rc;
    snprintf(what, wsize, "connector %s (%s, schema %s, group %s)", id,
             c->service ? c->service : "?", c->schema ? c->schema : "?",
             c->group_id ? c->group_id : "?");
    (void)details;
    (void)dsize;
    ftx_connector_free(c);
    return FTX_OK;
}

static int conn_delete(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] =
        "Usage: fivetrex connectors delete ID\n"
        "\n"
        "Delete a connector. Data already in the destination is not touched.\n"
        "On a terminal, asks first; --yes skips the question and is required without a\n"
        "terminal. --dry-run prints the request and sends nothing.\n";

    return cli_delete(ctx, argc, argv, help, "connectors", "connector", "/connections/{}",
                      conn_describe, ftx_connectors_delete);
}

static int conn_pause_resume(cli_ctx *ctx, int argc, char **argv, int pause)
{
    static const char pause_help[] =
        "Usage: fivetrex connectors pause ID\n\nPause a connector: no more scheduled syncs.\n";
    static const char resume_help[] =
        "Usage: fivetrex connectors resume ID\n\nResume a paused connector.\n";
    const char *id = NULL;
    ftx_connector *c = NULL;
    ftx_error err = {0};
    int rc = cli_one_id(ctx, argc, argv, pause ? pause_help : resume_help, &id);

    if (rc)
        return rc < 0 ? 0 : rc;
    if (ctx->dry_run) {
        json_t *b = json_pack("{s:b}", "paused", pause);
        cli_dry_run(ctx, "PATCH", "/connections/{}", id, b);
        json_decref(b);
        return 0;
    }
    rc = pause ? ftx_connectors_pause(ctx->client, id, &c, &err)
               : ftx_connectors_resume(ctx->client, id, &c, &err);
    if (rc != FTX_OK)
        return cli_fail(ctx, rc, &err, "connectors %s %s", pause ? "pause" : "resume", id);
    if (c)
        conn_show(ctx, c);
    else
        cli_done(ctx, pause ? "Paused" : "Resumed", id);
    ftx_connector_free(c);
    return 0;
}

static int conn_pause(cli_ctx *ctx, int argc, char **argv)
{
    return conn_pause_resume(ctx, argc, argv, 1);
}

static int conn_resume(cli_ctx *ctx, int argc, char **argv)
{
    return conn_pause_resume(ctx, argc, argv, 0);
}

/* ---- create / update ---- */

enum {
    W_GROUP = 1,
    W_SERVICE,
    W_SCHEMA,
    W_TABLE,
    W_PAUSED,
    W_FREQ,
    W_SCHEDULE,
    W_DAILY,
    W_CONFIG,
    W_NO_TESTS,
    W_DATA,
};

static const cli_opt write_opts[] = {
    {"group", 'g', CLI_ARG_REQUIRED, W_GROUP},
    {"service", 's', CLI_ARG_REQUIRED, W_SERVICE},
    {"schema", 0, CLI_ARG_REQUIRED, W_SCHEMA},
    {"table", 0, CLI_ARG_REQUIRED, W_TABLE},
    {"paused", 0, CLI_ARG_REQUIRED, W_PAUSED},
    {"sync-frequency", 0, CLI_ARG_REQUIRED, W_FREQ},
    {"schedule-type", 0, CLI_ARG_REQUIRED, W_SCHEDULE},
    {"daily-sync-time", 0, CLI_ARG_REQUIRED, W_DAILY},
    {"config", 'c', CLI_ARG_REQUIRED, W_CONFIG},
    {"no-setup-tests", 0, CLI_ARG_NONE, W_NO_TESTS},
    {"data", 'd', CLI_ARG_REQUIRED, W_DATA},
    {NULL, 0, CLI_ARG_NONE, 0},
};

/* Set body.config.<key> = value (creating config). */
static void set_config(json_t *body, const char *key, json_t *value)
{
    json_t *cfg = json_object_get(body, "config");
    if (!json_is_object(cfg)) {
        cfg = json_object();
        json_object_set_new(body, "config", cfg);
    }
    json_object_set_new(cfg, key, value);
}

static int conn_write(cli_ctx *ctx, int argc, char **argv, int update)
{
    static const char create_help[] =
        "Usage: fivetrex connectors create --group ID --service SERVICE [options]\n"
        "\n"
        "Create a connector in a group.\n"
        "\n"
        "Options:\n"
        "  --group ID               the destination group (required)\n"
        "  --service SERVICE        connector type, e.g. postgres (required)\n"
        "  --schema NAME            destination schema (config.schema)\n"
        "  --table NAME             destination table (config.table, single-table types)\n"
        "  --config KEY=VALUE       set a config field (repeatable; VALUE is JSON when it\n"
        "                           parses as JSON, else a string)\n"
        "  --paused true|false      create paused\n"
        "  --sync-frequency MIN     1, 5, 15, 30, 60, 120, 180, 360, 480, 720 or 1440\n"
        "  --schedule-type auto|manual\n"
        "  --daily-sync-time HH:00  with --sync-frequency 1440\n"
        "  --no-setup-tests         run_setup_tests: false\n"
        "  --data @FILE|-|JSON      the request body; flags override its fields\n"
        "\n"
        "Example:\n"
        "  fivetrex connectors create --group decent_dropsy --service postgres \\\n"
        "      --schema app --config host=db.internal --config port=5432\n";
    static const char update_help[] =
        "Usage: fivetrex connectors update ID [options]\n"
        "\n"
        "Change a connector (PATCH; config fields are merged).\n"
        "\n"
        "Options: --paused true|false, --sync-frequency MIN, --schedule-type auto|manual,\n"
        "  --daily-sync-time HH:00, --config KEY=VALUE (repeatable), --data @FILE|-|JSON.\n";
    cli_parser p;
    const char *id = NULL, *data_spec = NULL;
    json_t *body = NULL, *flags = json_object();
    ftx_connector *c = NULL;
    ftx_error err = {0};
    int opt, rc;

    cli_parser_init(&p, ctx, argc - 1, argv + 1);
    while ((opt = cli_next_opt(&p, write_opts, update ? update_help : create_help,
                               update ? &id : NULL, &rc)) > 0) {
        long n;
        int b;
        switch (opt) {
        case W_GROUP:
            json_object_set_new(flags, "group_id", json_string(p.value));
            break;
        case W_SERVICE:
            json_object_set_new(flags, "service", json_string(p.value));
            break;
        case W_SCHEMA:
            set_config(flags, "schema", json_string(p.value));
            break;
        case W_TABLE:
            set_config(flags, "table", json_string(p.value));
            break;
        case W_PAUSED:
            if (cli_parse_bool(p.value, &b) != 0) {
                json_decref(flags);
                return cli_usage_error(ctx, ctx->cmd, "--paused wants true or false, got '%s'",
                                       p.value);
            }
            json_object_set_new(flags, "paused", json_boolean(b));
            break;
        case W_FREQ:
            if (cli_parse_long(p.value, 1, 1440, &n) != 0) {
                json_decref(flags);
                return cli_usage_error(ctx, ctx->cmd,
                                       "--sync-frequency wants minutes (1, 5, 15, 30, 60, 120, "
                                       "180, 360, 480, 720 or 1440), got '%s'",
                                       p.value);
            }
            json_object_set_new(flags, "sync_frequency", json_integer(n));
            break;
        case W_SCHEDULE:
            json_object_set_new(flags, "schedule_type", json_string(p.value));
            break;
        case W_DAILY:
            json_object_set_new(flags, "daily_sync_time", json_string(p.value));
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
                return cli_usage_error(ctx, ctx->cmd, "--config wants KEY=VALUE, got '%s'",
                                       p.value);
            }
            memcpy(key, p.value, (size_t)(eq - p.value));
            key[eq - p.value] = '\0';
            v = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
            if (!v)
                v = json_string(eq + 1);
            set_config(flags, key, v);
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
        return rc;
    }
    if (update && !id) {
        json_decref(flags);
        return cli_usage_error(ctx, ctx->cmd, "missing argument: connector ID");
    }
    if (data_spec && (rc = cli_load_data(ctx, ctx->cmd, data_spec, &body)) != 0) {
        json_decref(flags);
        return rc;
    }
    body = cli_body_with_flags(body, flags); /* flags override --data */
    if (!update && (!json_is_string(json_object_get(body, "group_id")) ||
                    !json_is_string(json_object_get(body, "service")))) {
        json_decref(body);
        return cli_usage_error(ctx, ctx->cmd,
                               "--group and --service are required (or group_id and service "
                               "in --data)");
    }
    if ((rc = cli_body_ready(ctx, update, body)) != 0)
        return rc;
    if (cli_dry_run(ctx, update ? "PATCH" : "POST", update ? "/connections/{}" : "/connections", id,
                    body)) {
        json_decref(body);
        return 0;
    }
    rc = update ? ftx_connectors_update(ctx->client, id, body, &c, &err)
                : ftx_connectors_create(ctx->client, body, &c, &err);
    json_decref(body);
    if (rc != FTX_OK)
        return update ? cli_fail(ctx, rc, &err, "connectors update %s", id)
                      : cli_fail(ctx, rc, &err, "connectors create");
    if (c)
        conn_show(ctx, c);
    else
        cli_done(ctx, "Updated", id);
    ftx_connector_free(c);
    return 0;
}

static int conn_create(cli_ctx *ctx, int argc, char **argv)
{
    return conn_write(ctx, argc, argv, 0);
}

static int conn_update(cli_ctx *ctx, int argc, char **argv)
{
    return conn_write(ctx, argc, argv, 1);
}

/* ---- sync ---- */

typedef struct wait_state {
    cli_ctx *ctx;
    int live; /* a live line on stderr */
    int spin;
    char state[32];
    uint64_t elapsed_ms;
    int polls;
    const char *id;
    uint64_t tick_ms;      /* advanced by on_tick during sleeps */
    uint64_t poll_tick_ms; /* tick_ms at the last poll */
} wait_state;

static const char *const spinner[] = {"|", "/", "-", "\\"};

static void fmt_elapsed(uint64_t ms, char *buf, size_t size)
{
    uint64_t s = ms / 1000;
    snprintf(buf, size, "%02u:%02u.%u", (unsigned)(s / 60), (unsigned)(s % 60),
             (unsigned)((ms % 1000) / 100));
}

static void draw_live(wait_state *w, uint64_t elapsed_ms)
{
    char el[32];
    const cli_ctx *ctx = w->ctx;

    fmt_elapsed(elapsed_ms, el, sizeof(el));
    fprintf(stderr, "\r\033[K%s%s%s %s  %s%s%s  connector %s  (poll %d)",
            ctx->ecolor ? CLI_CYAN : "", spinner[w->spin++ % 4], ctx->ecolor ? CLI_RESET : "", el,
            ctx->ecolor ? CLI_BOLD : "", w->state[0] ? w->state : "starting",
            ctx->ecolor ? CLI_RESET : "", w->id, w->polls);
    fflush(stderr);
}

static void on_tick(void *userdata)
{
    wait_state *w = userdata;
    w->tick_ms += 100;
    if (w->tick_ms % 200 == 0)
        draw_live(w, w->elapsed_ms + (w->tick_ms - w->poll_tick_ms));
}

static int on_progress(const ftx_sync_progress *pr, void *userdata)
{
    wait_state *w = userdata;
    const char *st = pr->connector ? ftx_connector_sync_state(pr->connector) : NULL;

    w->polls = pr->poll;
    w->elapsed_ms = pr->elapsed_ms;
    w->poll_tick_ms = w->tick_ms;
    snprintf(w->state, sizeof(w->state), "%s", st ? st : (pr->error ? "read failed" : "?"));
    if (w->live) {
        draw_live(w, pr->elapsed_ms);
    } else {
        char el[32];
        fmt_elapsed(pr->elapsed_ms, el, sizeof(el));
        if (pr->error)
            fprintf(stderr, "%s  poll %d  status read failed (%s), retrying\n", el, pr->poll,
                    ftx_error_type_name(pr->error->type));
        else
            fprintf(stderr, "%s  poll %d  %s\n", el, pr->poll, w->state);
        fflush(stderr);
    }
    return cli_interrupted() ? 1 : 0;
}

static int cli_dry_run_sync(cli_ctx *ctx, const char *id, int force)
{
    json_t *b;
    int dry;

    if (!ctx->dry_run)
        return 0;
    b = force ? json_pack("{s:b}", "force", 1) : json_object();
    dry = cli_dry_run(ctx, "POST", "/connections/{}/sync", id, b);
    json_decref(b);
    return dry;
}

static int conn_sync(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] =
        "Usage: fivetrex connectors sync ID [--force] [--wait [--poll-interval SEC]\n"
        "                                   [--deadline SEC]]\n"
        "\n"
        "Start a sync. With --wait, follow it until the sync this command started has\n"
        "ended: a live line (elapsed time, state, spinner) on a terminal, one line per\n"
        "poll otherwise, all on stderr; the result goes to stdout.\n"
        "\n"
        "Options:\n"
        "  --force             restart a running sync\n"
        "  --wait              wait for the end of the sync\n"
        "  --poll-interval SEC time between status reads (default 5)\n"
        "  --deadline SEC      give up after SEC seconds (default 3600)\n"
        "\n"
        "The end is decided the way careful integrations do: the sync has ended when\n"
        "succeeded_at or failed_at moves past its value from before the trigger.\n"
        "\n"
        "Exit status: 0 succeeded, 12 failed (or rescheduled and will not resume by\n"
        "itself), 13 deadline passed, 3 paused or not connected; see 'fivetrex --help'.\n";
    enum { S_FORCE = 1, S_WAIT, S_POLL, S_DEADLINE };
    static const cli_opt opts[] = {
        {"force", 'f', CLI_ARG_NONE, S_FORCE},
        {"wait", 'w', CLI_ARG_NONE, S_WAIT},
        {"poll-interval", 0, CLI_ARG_REQUIRED, S_POLL},
        {"deadline", 0, CLI_ARG_REQUIRED, S_DEADLINE},
        {NULL, 0, CLI_ARG_NONE, 0},
    };
    cli_parser p;
    const char *id = NULL;
    int force = 0, wait = 0, poll_set = 0, deadline_set = 0, opt, rc;
    double poll_s = 5, deadline_s = 3600;
    ftx_error err = {0};

    cli_parser_init(&p, ctx, argc - 1, argv + 1);
    while ((opt = cli_next_opt(&p, opts, help, &id, &rc)) > 0) {
        switch (opt) {
        case S_FORCE:
            force = 1;
            break;
        case S_WAIT:
            wait = 1;
            break;
        case S_POLL:
            poll_set = 1;
            if (cli_parse_double(p.value, &poll_s) != 0 || poll_s < 0.05 || poll_s > 3600)
                return cli_usage_error(
                    ctx, ctx->cmd, "--poll-interval wants seconds (0.05..3600), got '%s'", p.value);
            break;
        case S_DEADLINE:
            deadline_set = 1;
            if (cli_parse_double(p.value, &deadline_s) != 0 || deadline_s <= 0 ||
                deadline_s > 7 * 86400)
                return cli_usage_error(
                    ctx, ctx->cmd, "--deadline wants seconds (up to a week), got '%s'", p.value);
            break;
        default:
            break;
        }
    }
    if (opt < 0)
        return rc;
    if (!id)
        return cli_usage_error(ctx, ctx->cmd, "missing argument: connector ID");
    if (!wait && (poll_set || deadline_set))
        return cli_usage_error(ctx, ctx->cmd, "%s applies with --wait only",
                               poll_set ? "--poll-interval" : "--deadline");
    if ((rc = cli_client(ctx)) != 0)
        return rc;

    if (!wait) {
        ftx_sync_options so = FTX_SYNC_OPTIONS_INIT;
        ftx_sync_result *res = NULL;
        so.force = force;
        if (cli_dry_run_sync(ctx, id, force))
            return 0;
        rc = ftx_connectors_sync(ctx->client, id, &so, &res, &err);
        if (rc == FTX_ERR_CONFLICT) {
            /* One answer with sync --wait: a paused connector is an invalid state (3). */
            ftx_connector *c = NULL;
            ftx_error e2 = {0};
            int paused = ftx_connectors_get(ctx->client, id, &c, &e2) == FTX_OK && c->paused;
            ftx_connector_free(c);
            if (paused) {
                snprintf(err.message, sizeof(err.message),
                         "connector is paused: resume it before syncing");
                cli_fail(ctx, FTX_ERR_INVALID_STATE, &err, "connectors sync %s", id);
                return CLI_EXIT_INVALID;
            }
        }
        if (rc != FTX_OK)
            return cli_fail(ctx, rc, &err, "connectors sync %s", id);
        if (ctx->format == CLI_FORMAT_JSON) {
            json_t *j = json_pack("{s:s, s:b, s:s?}", "id", id, "success", res->success, "message",
                                  res->message);
            cli_json_doc(j);
            json_decref(j);
        } else {
            printf("%s\n", res->message ? res->message : "Sync triggered");
        }
        ftx_sync_result_free(res);
        return 0;
    } else {
        ftx_sync_wait_options wo = FTX_SYNC_WAIT_OPTIONS_INIT;
        ftx_sync_wait_result *res = NULL;
        wait_state w;
        const char *outcome;
        char el[32];
        int code;

        memset(&w, 0, sizeof(w));
        w.ctx = ctx;
        w.id = id;
        w.live = ctx->stderr_tty;
        wo.force = force;
        if (cli_dry_run_sync(ctx, id, force))
            return 0;
        wo.poll_interval_ms = (uint64_t)(poll_s * 1000.0);
        wo.timeout_ms = (uint64_t)(deadline_s * 1000.0);
        wo.progress = on_progress;
        wo.progress_userdata = &w;
        cli_signals_install();
        if (w.live) {
            ctx->tick = on_tick;
            ctx->tick_userdata = &w;
        }
        if (!w.live)
            fprintf(stderr, "Syncing connector %s (polling every %g s, deadline %g s)\n", id,
                    poll_s, deadline_s);
        rc = ftx_connectors_sync_and_wait(ctx->client, id, &wo, &res, &err);
        ctx->tick = NULL;
        if (w.live)
            fputs("\r\033[K", stderr);
        if (rc != FTX_OK) {
            if (rc == FTX_ERR_CANCELLED) {
                fprintf(stderr, "%s: interrupted; the sync goes on at Fivetran\n", ctx->prog);
                return 130;
            }
            if (rc == FTX_ERR_TIMEOUT)
                fprintf(stderr,
                        "%s: connectors sync %s: the deadline passed before the sync ended "
                        "(last state: %s); it may still be running\n"
                        "  hint: raise --deadline, or check later with 'fivetrex connectors "
                        "status %s'\n",
                        ctx->prog, id, w.state[0] ? w.state : "unknown", id);
            else
                cli_fail(ctx, rc, &err, "connectors sync %s --wait", id);
            return rc == FTX_ERR_TIMEOUT ? CLI_EXIT_DEADLINE : cli_exit_for(rc);
        }
        switch (res->outcome) {
        case FTX_SYNC_SUCCEEDED:
            outcome = "succeeded";
            code = 0;
            break;
        case FTX_SYNC_FAILED:
            outcome = "failed";
            code = CLI_EXIT_SYNC_FAILED;
            break;
        case FTX_SYNC_RESCHEDULED:
            outcome = "rescheduled";
            code = CLI_EXIT_SYNC_FAILED;
            break;
        default:
            outcome = "unknown";
            code = CLI_EXIT_GENERIC;
            break;
        }
        fmt_elapsed(res->elapsed_ms, el, sizeof(el));
        if (ctx->format == CLI_FORMAT_JSON) {
            json_t *j = json_pack(
                "{s:s, s:s, s:I, s:i, s:s?, s:s?, s:s?}", "id", id, "outcome", outcome,
                "elapsed_ms", (json_int_t)res->elapsed_ms, "polls", res->polls, "sync_state",
                res->connector ? ftx_connector_sync_state(res->connector) : NULL, "succeeded_at",
                res->connector ? res->connector->succeeded_at.iso : NULL, "failed_at",
                res->connector ? res->connector->failed_at.iso : NULL);
            cli_json_doc(j);
            json_decref(j);
        } else {
            const char *col = code == 0 ? CLI_GREEN : CLI_RED;
            printf("%s%s%s sync of %s %s in %s (%d polls)\n", cli_c(ctx, col),
                   code == 0 ? "OK" : "FAILED", cli_c(ctx, CLI_RESET), id, outcome, el, res->polls);
            if (res->connector && code != 0 && res->connector->status) {
                size_t i;
                for (i = 0; i < res->connector->status->task_count; i++) {
                    const ftx_connector_notice *n = res->connector->status->tasks[i];
                    printf("  task: %s: %s\n", n->code ? n->code : "-",
                           n->message ? n->message : "");
                }
            }
            fflush(stdout);
        }
        if (code == CLI_EXIT_SYNC_FAILED)
            fprintf(stderr,
                    "%s: the sync of %s %s\n  hint: 'fivetrex connectors get %s' shows its "
                    "tasks and warnings\n",
                    ctx->prog, id, outcome, id);
        ftx_sync_wait_result_free(res);
        return code;
    }
}

/* ---- resync ---- */

/* Ask before a historical re-sync (what it re-imports), unless --yes. */
static int confirm_resync(cli_ctx *ctx, const char *id, const json_t *scope)
{
    char action[300], details[1024];
    ftx_connector *c = NULL;
    ftx_error err = {0};
    int rc;

    if (ctx->yes)
        return 0;
    if (!cli_can_ask(ctx))
        return cli_confirm(ctx, "a historical re-sync", NULL);
    rc = ftx_connectors_get(ctx->client, id, &c, &err);
    if (rc != FTX_OK)
        return cli_fail(ctx, rc, &err, "connectors resync %s", id);
    snprintf(action, sizeof(action), "Re-sync connector %s (%s, schema %s) from scratch?", id,
             c->service ? c->service : "?", c->schema ? c->schema : "?");
    if (scope) {
        char *s = json_dumps(scope, JSON_COMPACT);
        snprintf(details, sizeof(details), "these tables are re-imported: %s", s ? s : "?");
        free(s);
    } else {
        snprintf(details, sizeof(details), "every table is re-imported from the source");
    }
    ftx_connector_free(c);
    return cli_confirm(ctx, action, details);
}

static int conn_resync(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] =
        "Usage: fivetrex connectors resync ID --confirm [--table SCHEMA.TABLE ...]\n"
        "\n"
        "Historical re-sync: DESTRUCTIVE, re-imports all data (or only the tables given)\n"
        "from scratch. Refused without --confirm.\n"
        "\n"
        "Options:\n"
        "  --confirm              required: you mean it\n"
        "  --table SCHEMA.TABLE   re-sync only this table (repeatable)\n";
    enum { R_CONFIRM = 1, R_TABLE };
    static const cli_opt opts[] = {
        {"confirm", 0, CLI_ARG_NONE, R_CONFIRM},
        {"table", 't', CLI_ARG_REQUIRED, R_TABLE},
        {NULL, 0, CLI_ARG_NONE, 0},
    };
    cli_parser p;
    const char *id = NULL;
    int confirm = 0, opt, rc;
    json_t *scope = NULL;
    ftx_resync_options ro = FTX_RESYNC_OPTIONS_INIT;
    ftx_sync_result *res = NULL;
    ftx_error err = {0};

    cli_parser_init(&p, ctx, argc - 1, argv + 1);
    while ((opt = cli_next_opt(&p, opts, help, &id, &rc)) > 0) {
        if (opt == R_CONFIRM) {
            confirm = 1;
        } else if (opt == R_TABLE) {
            const char *dot = strchr(p.value, '.');
            char schema[256];
            json_t *arr;
            if (!dot || dot == p.value || !dot[1] || (size_t)(dot - p.value) >= sizeof(schema)) {
                json_decref(scope);
                return cli_usage_error(ctx, ctx->cmd, "--table wants SCHEMA.TABLE, got '%s'",
                                       p.value);
            }
            memcpy(schema, p.value, (size_t)(dot - p.value));
            schema[dot - p.value] = '\0';
            if (!scope)
                scope = json_object();
            arr = json_object_get(scope, schema);
            if (!arr) {
                arr = json_array();
                json_object_set_new(scope, schema, arr);
            }
            json_array_append_new(arr, json_string(dot + 1));
        }
    }
    if (opt < 0) {
        json_decref(scope);
        return rc;
    }
    if (!id) {
        json_decref(scope);
        return cli_usage_error(ctx, ctx->cmd, "missing argument: connector ID");
    }
    if (confirm)
        ctx->yes = 1; /* --confirm: the older spelling of --yes */
    if ((rc = cli_client(ctx)) != 0) {
        json_decref(scope);
        return rc;
    }
    {
        json_t *b = json_pack("{s:O*}", "scope", scope);
        int dry = cli_dry_run(ctx, "POST", "/connections/{}/resync", id, b);
        json_decref(b);
        if (dry) {
            json_decref(scope);
            return 0;
        }
    }
    if ((rc = confirm_resync(ctx, id, scope)) != 0) {
        json_decref(scope);
        return rc;
    }
    ro.confirm = FTX_RESYNC_CONFIRM;
    ro.scope = scope;
    rc = ftx_connectors_resync(ctx->client, id, &ro, &res, &err);
    json_decref(scope);
    if (rc != FTX_OK)
        return cli_fail(ctx, rc, &err, "connectors resync %s", id);
    cli_done(ctx, res && res->message ? res->message : "Historical re-sync triggered", id);
    ftx_sync_result_free(res);
    return 0;
}

/* ---- state / status ---- */

static int conn_state(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] = "Usage: fivetrex connectors state ID\n"
                               "\n"
                               "Show the connector state (Function and Connector SDK "
                               "connectors only), as JSON.\n";
    const char *id = NULL;
    json_t *state = NULL;
    ftx_error err = {0};
    int rc = cli_one_id(ctx, argc, argv, help, &id);

    if (rc)
        return rc < 0 ? 0 : rc;
    rc = ftx_connectors_get_state(ctx->client, id, &state, &err);
    if (rc != FTX_OK)
        return cli_fail(ctx, rc, &err, "connectors state %s", id);
    cli_json_doc(state);
    json_decref(state);
    return 0;
}

static int conn_status(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] =
        "Usage: fivetrex connectors status ID\n\nShow sync state and last success/failure.\n";
    const char *id = NULL;
    ftx_sync_status *st = NULL;
    ftx_error err = {0};
    int rc = cli_one_id(ctx, argc, argv, help, &id);

    if (rc)
        return rc < 0 ? 0 : rc;
    rc = ftx_connectors_get_sync_status(ctx->client, id, &st, &err);
    if (rc != FTX_OK)
        return cli_fail(ctx, rc, &err, "connectors status %s", id);
    if (ctx->format == CLI_FORMAT_JSON) {
        json_t *j = json_pack("{s:s, s:s?, s:s?, s:s?, s:b, s:s?}", "id", id, "sync_state",
                              st->sync_state, "succeeded_at", st->succeeded_at.iso, "failed_at",
                              st->failed_at.iso, "is_historical_sync", st->is_historical_sync,
                              "update_state", st->update_state);
        cli_json_doc(j);
        json_decref(j);
    } else {
        cli_kv(ctx, "id", id);
        cli_kv(ctx, "sync_state", st->sync_state);
        cli_kv(ctx, "update_state", st->update_state);
        cli_kv(ctx, "succeeded_at", st->succeeded_at.iso);
        cli_kv(ctx, "failed_at", st->failed_at.iso);
        cli_kv(ctx, "is_historical_sync", cli_bool_str(st->is_historical_sync));
        fflush(stdout);
    }
    ftx_sync_status_free(st);
    return 0;
}

/* ---- frequency ---- */

static int conn_frequency(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] =
        "Usage: fivetrex connectors frequency ID MINUTES [--schedule-type auto|manual]\n"
        "                                        [--daily-sync-time HH:00]\n"
        "\n"
        "Set how often the connector syncs. MINUTES: 1, 5, 15, 30, 60, 120, 180, 360,\n"
        "480, 720 or 1440; --daily-sync-time only with 1440.\n";
    enum { F_SCHED = 1, F_DAILY };
    static const cli_opt opts[] = {
        {"schedule-type", 0, CLI_ARG_REQUIRED, F_SCHED},
        {"daily-sync-time", 0, CLI_ARG_REQUIRED, F_DAILY},
        {NULL, 0, CLI_ARG_NONE, 0},
    };
    cli_parser p;
    const char *id = NULL, *min_s = NULL;
    ftx_sync_frequency_options fo = FTX_SYNC_FREQUENCY_OPTIONS_INIT;
    ftx_connector *c = NULL;
    ftx_error err = {0};
    long minutes;
    int opt, rc;

    cli_parser_init(&p, ctx, argc - 1, argv + 1);
    while ((opt = cli_getopt(&p, opts)) != CLI_GETOPT_END) {
        if (opt == CLI_GETOPT_ERROR)
            return CLI_EXIT_USAGE;
        if (opt == CLI_GETOPT_HELP) {
            fputs(help, stdout);
            return 0;
        }
        if (opt == CLI_GETOPT_POSITIONAL) {
            if (!id)
                id = p.value;
            else if (!min_s)
                min_s = p.value;
            else
                return cli_usage_error(ctx, ctx->cmd, "unexpected argument '%s'", p.value);
        } else if (opt == F_SCHED) {
            fo.schedule_type = p.value;
        } else if (opt == F_DAILY) {
            fo.daily_sync_time = p.value;
        }
    }
    if (!id || !min_s)
        return cli_usage_error(ctx, ctx->cmd, "usage: connectors frequency ID MINUTES");
    if (cli_parse_long(min_s, 1, 100000, &minutes) != 0)
        return cli_usage_error(ctx, ctx->cmd, "MINUTES must be a number, got '%s'", min_s);
    if ((rc = cli_client(ctx)) != 0)
        return rc;
    if (ctx->dry_run) {
        json_t *b =
            json_pack("{s:I, s:s*, s:s*}", "sync_frequency", (json_int_t)minutes, "schedule_type",
                      fo.schedule_type, "daily_sync_time", fo.daily_sync_time);
        cli_dry_run(ctx, "PATCH", "/connections/{}", id, b);
        json_decref(b);
        return 0;
    }
    rc = ftx_connectors_set_sync_frequency(ctx->client, id, (int)minutes, &fo, &c, &err);
    if (rc != FTX_OK)
        return cli_fail(ctx, rc, &err, "connectors frequency %s", id);
    if (c)
        conn_show(ctx, c);
    else
        cli_done(ctx, "Sync frequency updated", id);
    ftx_connector_free(c);
    return 0;
}

/* ---- schema ---- */

static void enabled_tag(cli_ctx *ctx, int enabled)
{
    if (enabled)
        printf("%s[enabled]%s", cli_c(ctx, CLI_GREEN), cli_c(ctx, CLI_RESET));
    else
        printf("%s[disabled]%s", cli_c(ctx, CLI_DIM), cli_c(ctx, CLI_RESET));
}

/* Print a source name safely (no control characters). */
static void put_name(const char *s)
{
    for (; s && *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, stdout);
}

static void schema_tree(cli_ctx *ctx, const ftx_schema_config *cfg, const char *only)
{
    size_t i, j, k;

    printf("schema_change_handling: %s\n",
           cfg->schema_change_handling ? cfg->schema_change_handling : "-");
    for (i = 0; i < cfg->schema_count; i++) {
        const ftx_schema *s = cfg->schemas[i];
        if (only && strcmp(only, s->name) != 0)
            continue;
        printf("%s", cli_c(ctx, CLI_BOLD));
        put_name(s->name);
        printf("%s ", cli_c(ctx, CLI_RESET));
        enabled_tag(ctx, s->enabled);
        if (s->name_in_destination && strcmp(s->name_in_destination, s->name) != 0) {
            printf("  -> ");
            put_name(s->name_in_destination);
        }
        putchar('\n');
        for (j = 0; j < s->table_count; j++) {
            const ftx_table *t = s->tables[j];
            int last_t = j + 1 == s->table_count;
            printf("%s ", last_t ? "\xe2\x94\x94\xe2\x94\x80" : "\xe2\x94\x9c\xe2\x94\x80");
            put_name(t->name);
            putchar(' ');
            enabled_tag(ctx, t->enabled);
            if (t->sync_mode)
                printf("  sync_mode=%s", t->sync_mode);
            if (t->name_in_destination && strcmp(t->name_in_destination, t->name) != 0) {
                printf("  -> ");
                put_name(t->name_in_destination);
            }
            putchar('\n');
            for (k = 0; k < t->column_count; k++) {
                const ftx_column *c = t->columns[k];
                int last_c = k + 1 == t->column_count;
                printf("%s  %s ", last_t ? " " : "\xe2\x94\x82",
                       last_c ? "\xe2\x94\x94\xe2\x94\x80" : "\xe2\x94\x9c\xe2\x94\x80");
                put_name(c->name);
                putchar(' ');
                enabled_tag(ctx, c->enabled);
                if (c->is_primary_key)
                    printf("  primary_key");
                if (c->hashed)
                    printf("  hashed");
                putchar('\n');
            }
        }
    }
    fflush(stdout);
}

static int schema_show(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] =
        "Usage: fivetrex connectors schema show ID [--schema NAME]\n"
        "\n"
        "Print the schema/table/column tree with enabled and sync mode (JSON: the schema\n"
        "config). Columns that follow table defaults are not in the schema config; use\n"
        "'fivetrex connectors columns ID SCHEMA TABLE' for all of them.\n";
    static const cli_opt opts[] = {{"schema", 0, CLI_ARG_REQUIRED, 1}, {NULL, 0, 0, 0}};
    cli_parser p;
    const char *id = NULL, *only = NULL;
    ftx_schema_config *cfg = NULL;
    ftx_error err = {0};
    int opt, rc;

    cli_parser_init(&p, ctx, argc - 1, argv + 1);
    while ((opt = cli_next_opt(&p, opts, help, &id, &rc)) > 0) {
        if (opt == 1) {
            only = p.value;
        }
    }
    if (opt < 0)
        return rc;
    if (!id)
        return cli_usage_error(ctx, ctx->cmd, "missing argument: connector ID");
    if ((rc = cli_client(ctx)) != 0)
        return rc;
    rc = ftx_connectors_get_schema_config(ctx->client, id, &cfg, &err);
    if (rc != FTX_OK)
        return cli_fail(ctx, rc, &err, "connectors schema show %s", id);
    if (ctx->format == CLI_FORMAT_JSON)
        cli_json_doc(cfg->raw);
    else
        schema_tree(ctx, cfg, only);
    ftx_schema_config_free(cfg);
    return 0;
}

static int schema_update(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] =
        "Usage: fivetrex connectors schema update ID [options]\n"
        "\n"
        "Change the schema config (a deep merge: only what is given changes).\n"
        "\n"
        "Options:\n"
        "  --schema NAME           the schema to change\n"
        "  --table NAME            a table of --schema\n"
        "  --column NAME           a column of --table\n"
        "  --enable | --disable    enable or disable the innermost one given\n"
        "  --sync-mode MODE        table sync mode: SOFT_DELETE, HISTORY or LIVE\n"
        "  --hashed true|false     hash a column's values\n"
        "  --change-handling MODE  ALLOW_ALL, ALLOW_COLUMNS or BLOCK_ALL\n"
        "  --data @FILE|-|JSON     the whole PATCH body, e.g.\n"
        "                          "
        "{\"schemas\":{\"public\":{\"tables\":{\"users\":{\"enabled\":false}}}}}\n"
        "\n"
        "Example: fivetrex connectors schema update ID --schema public --table audit_log "
        "--disable\n";
    enum {
        U_SCHEMA = 1,
        U_TABLE,
        U_COLUMN,
        U_ENABLE,
        U_DISABLE,
        U_MODE,
        U_HASHED,
        U_HANDLING,
        U_DATA
    };
    static const cli_opt opts[] = {
        {"schema", 0, CLI_ARG_REQUIRED, U_SCHEMA},
        {"table", 0, CLI_ARG_REQUIRED, U_TABLE},
        {"column", 0, CLI_ARG_REQUIRED, U_COLUMN},
        {"enable", 0, CLI_ARG_NONE, U_ENABLE},
        {"disable", 0, CLI_ARG_NONE, U_DISABLE},
        {"sync-mode", 0, CLI_ARG_REQUIRED, U_MODE},
        {"hashed", 0, CLI_ARG_REQUIRED, U_HASHED},
        {"change-handling", 0, CLI_ARG_REQUIRED, U_HANDLING},
        {"data", 'd', CLI_ARG_REQUIRED, U_DATA},
        {NULL, 0, CLI_ARG_NONE, 0},
    };
    cli_parser p;
    const char *id = NULL, *schema = NULL, *table = NULL, *column = NULL, *mode = NULL,
               *handling = NULL, *data_spec = NULL;
    int enabled = -1, hashed = -1, opt, rc;
    json_t *body = NULL;
    ftx_schema_config *cfg = NULL;
    ftx_error err = {0};

    cli_parser_init(&p, ctx, argc - 1, argv + 1);
    while ((opt = cli_next_opt(&p, opts, help, &id, &rc)) > 0) {
        switch (opt) {
        case U_SCHEMA:
            schema = p.value;
            break;
        case U_TABLE:
            table = p.value;
            break;
        case U_COLUMN:
            column = p.value;
            break;
        case U_ENABLE:
            enabled = 1;
            break;
        case U_DISABLE:
            enabled = 0;
            break;
        case U_MODE:
            mode = p.value;
            break;
        case U_HASHED:
            if (cli_parse_bool(p.value, &hashed) != 0)
                return cli_usage_error(ctx, ctx->cmd, "--hashed wants true or false");
            break;
        case U_HANDLING:
            handling = p.value;
            break;
        case U_DATA:
            data_spec = p.value;
            break;
        default:
            break;
        }
    }
    if (opt < 0)
        return rc;
    if (!id)
        return cli_usage_error(ctx, ctx->cmd, "missing argument: connector ID");
    if ((table && !schema) || (column && !table))
        return cli_usage_error(ctx, ctx->cmd, "--table needs --schema, and --column needs --table");
    if (mode && (!table || column))
        return cli_usage_error(ctx, ctx->cmd, "--sync-mode applies to a table (--table)");
    if (hashed >= 0 && !column)
        return cli_usage_error(ctx, ctx->cmd, "--hashed applies to a column (--column)");
    if (schema && enabled < 0 && !mode && hashed < 0)
        return cli_usage_error(ctx, ctx->cmd,
                               "say what to change: --enable, --disable, "
                               "--sync-mode or --hashed");
    if (data_spec && (rc = cli_load_data(ctx, ctx->cmd, data_spec, &body)) != 0)
        return rc;
    body = cli_body(body);
    if (handling)
        json_object_set_new(body, "schema_change_handling", json_string(handling));
    if (schema) {
        json_t *schemas = json_object_get(body, "schemas");
        json_t *target, *s, *t = NULL;
        if (!json_is_object(schemas)) {
            schemas = json_object();
            json_object_set_new(body, "schemas", schemas);
        }
        s = json_object_get(schemas, schema);
        if (!json_is_object(s)) {
            s = json_object();
            json_object_set_new(schemas, schema, s);
        }
        target = s;
        if (table) {
            json_t *tables = json_object_get(s, "tables");
            if (!json_is_object(tables)) {
                tables = json_object();
                json_object_set_new(s, "tables", tables);
            }
            t = json_object_get(tables, table);
            if (!json_is_object(t)) {
                t = json_object();
                json_object_set_new(tables, table, t);
            }
            target = t;
            if (mode)
                json_object_set_new(t, "sync_mode", json_string(mode));
        }
        if (column) {
            json_t *cols = json_object_get(t, "columns");
            json_t *c;
            if (!json_is_object(cols)) {
                cols = json_object();
                json_object_set_new(t, "columns", cols);
            }
            c = json_object_get(cols, column);
            if (!json_is_object(c)) {
                c = json_object();
                json_object_set_new(cols, column, c);
            }
            target = c;
            if (hashed >= 0)
                json_object_set_new(c, "hashed", json_boolean(hashed));
        }
        if (enabled >= 0)
            json_object_set_new(target, "enabled", json_boolean(enabled));
    }
    if (json_object_size(body) == 0) {
        json_decref(body);
        return cli_usage_error(ctx, ctx->cmd,
                               "nothing to change: give --schema ... --enable/--disable, "
                               "--change-handling or --data");
    }
    if ((rc = cli_client(ctx)) != 0) {
        json_decref(body);
        return rc;
    }
    if (cli_dry_run(ctx, "PATCH", "/connections/{}/schemas", id, body)) {
        json_decref(body);
        return 0;
    }
    rc = ftx_connectors_update_schema_config(ctx->client, id, body, &cfg, &err);
    json_decref(body);
    if (rc != FTX_OK)
        return cli_fail(ctx, rc, &err, "connectors schema update %s", id);
    if (!cfg) {
        cli_done(ctx, "Schema config updated", id);
    } else if (ctx->format == CLI_FORMAT_JSON) {
        cli_json_doc(cfg->raw);
    } else {
        schema_tree(ctx, cfg, schema);
    }
    ftx_schema_config_free(cfg);
    return 0;
}

static int schema_reload(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] =
        "Usage: fivetrex connectors schema reload ID [--exclude-mode PRESERVE|EXCLUDE]\n"
        "\n"
        "Detect new schemas, tables and columns at the source (slow). PRESERVE (default)\n"
        "keeps current settings; EXCLUDE disables what was never touched.\n";
    static const cli_opt opts[] = {{"exclude-mode", 0, CLI_ARG_REQUIRED, 1}, {NULL, 0, 0, 0}};
    cli_parser p;
    const char *id = NULL;
    ftx_reload_options ro = FTX_RELOAD_OPTIONS_INIT;
    ftx_schema_config *cfg = NULL;
    ftx_error err = {0};
    int opt, rc;

    cli_parser_init(&p, ctx, argc - 1, argv + 1);
    while ((opt = cli_next_opt(&p, opts, help, &id, &rc)) > 0) {
        if (opt == 1) {
            ro.exclude_mode = p.value;
        }
    }
    if (opt < 0)
        return rc;
    if (!id)
        return cli_usage_error(ctx, ctx->cmd, "missing argument: connector ID");
    if ((rc = cli_client(ctx)) != 0)
        return rc;
    if (ctx->dry_run) {
        json_t *b =
            json_pack("{s:s}", "exclude_mode", ro.exclude_mode ? ro.exclude_mode : "PRESERVE");
        cli_dry_run(ctx, "POST", "/connections/{}/schemas/reload", id, b);
        json_decref(b);
        return 0;
    }
    rc = ftx_connectors_reload_schema_config(ctx->client, id, &ro, &cfg, &err);
    if (rc != FTX_OK)
        return cli_fail(ctx, rc, &err, "connectors schema reload %s", id);
    if (!cfg)
        cli_done(ctx, "Schema reloaded", id);
    else if (ctx->format == CLI_FORMAT_JSON)
        cli_json_doc(cfg->raw);
    else
        schema_tree(ctx, cfg, NULL);
    ftx_schema_config_free(cfg);
    return 0;
}

static const char schema_help[] = "Usage: fivetrex connectors schema <show|update|reload> ID "
                                  "[options]\n"
                                  "\n"
                                  "  show ID     the schema/table/column tree\n"
                                  "  update ID   enable/disable schemas, tables, columns\n"
                                  "  reload ID   detect new objects at the source\n";

static const cli_command schema_cmds[] = {
    {"show", "show the schema config", schema_show, CLI_VERB_READ},
    {"update", "change the schema config", schema_update, CLI_VERB_WRITE},
    {"reload", "reload the schema config", schema_reload, CLI_VERB_WRITE},
    {NULL, NULL, NULL, 0},
};

static int conn_schema(cli_ctx *ctx, int argc, char **argv)
{
    return cli_dispatch(ctx, "connectors schema", schema_cmds, argc - 1, argv + 1, schema_help);
}

/* ---- columns ---- */

static int conn_columns(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] =
        "Usage: fivetrex connectors columns ID SCHEMA TABLE\n"
        "\n"
        "List every column of a table, including those with default settings.\n";
    static const cli_column cols[] = {{"COLUMN", 28},
                                      {"ENABLED", 7},
                                      {"PRIMARY_KEY", 11},
                                      {"HASHED", 6},
                                      {"NAME_IN_DESTINATION", 0}};
    const char *pos[3] = {NULL, NULL, NULL};
    ftx_column_list *list = NULL;
    ftx_error err = {0};
    cli_table t;
    size_t i;
    int rc = cli_simple_args(ctx, argc, argv, help, 3, pos);

    if (rc)
        return rc < 0 ? 0 : rc;
    if ((rc = cli_client(ctx)) != 0)
        return rc;
    rc = ftx_connectors_get_table_columns(ctx->client, pos[0], pos[1], pos[2], &list, &err);
    if (rc != FTX_OK)
        return cli_fail(ctx, rc, &err, "connectors columns %s %s %s", pos[0], pos[1], pos[2]);
    cli_table_init(&t, ctx, cols, 5);
    for (i = 0; i < list->count; i++) {
        const ftx_column *c = list->items[i];
        if (ctx->format == CLI_FORMAT_JSON) {
            json_t *j = json_deep_copy(c->raw);
            if (json_is_object(j))
                json_object_set_new(j, "name", json_string(c->name));
            cli_json_line(j);
            json_decref(j);
        } else {
            const char *cells[5];
            cells[0] = c->name;
            cells[1] = cli_bool_str(c->enabled);
            cells[2] = cli_bool_str(c->is_primary_key);
            cells[3] = cli_bool_str(c->hashed);
            cells[4] = c->name_in_destination;
            cli_table_row(&t, cells);
        }
    }
    if (ctx->format == CLI_FORMAT_TABLE)
        cli_table_end(&t);
    fflush(stdout);
    ftx_column_list_free(list);
    return 0;
}

/* ---- test / connect-card ---- */

static int conn_test(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] =
        "Usage: fivetrex connectors test ID [--trust-certificates] [--trust-fingerprints]\n"
        "\n"
        "Run the connector's setup tests and show their results.\n";
    static const cli_opt opts[] = {{"trust-certificates", 0, CLI_ARG_NONE, 1},
                                   {"trust-fingerprints", 0, CLI_ARG_NONE, 2},
                                   {NULL, 0, 0, 0}};
    cli_parser p;
    const char *id = NULL;
    json_t *body = json_object();
    ftx_connector *c = NULL;
    ftx_error err = {0};
    int opt, rc;

    cli_parser_init(&p, ctx, argc - 1, argv + 1);
    while ((opt = cli_next_opt(&p, opts, help, &id, &rc)) > 0) {
        if (opt == 1)
            json_object_set_new(body, "trust_certificates", json_true());
        else if (opt == 2)
            json_object_set_new(body, "trust_fingerprints", json_true());
    }
    if (opt < 0) {
        json_decref(body);
        return rc;
    }
    if (!id) {
        json_decref(body);
        return cli_usage_error(ctx, ctx->cmd, "missing argument: connector ID");
    }
    if ((rc = cli_client(ctx)) != 0) {
        json_decref(body);
        return rc;
    }
    if (cli_dry_run(ctx, "POST", "/connections/{}/test", id, body)) {
        json_decref(body);
        return 0;
    }
    rc = ftx_connectors_test(ctx->client, id, body, &c, &err);
    json_decref(body);
    if (rc != FTX_OK)
        return cli_fail(ctx, rc, &err, "connectors test %s", id);
    if (c)
        conn_show(ctx, c);
    else
        cli_done(ctx, "Setup tests ran", id);
    {
        /* Like destinations test: exit 3 when a setup test failed. */
        const json_t *tests = c ? json_object_get(c->raw, "setup_tests") : NULL;
        const json_t *t;
        size_t i;
        int failed = 0;
        json_array_foreach(tests, i, t)
        {
            const char *st = cli_json_str(t, "status");
            if (st && (strcmp(st, "FAILED") == 0 || strcmp(st, "JOB_FAILED") == 0)) {
                const char *title = cli_json_str(t, "title");
                fprintf(stderr, "%s: connectors test %s: setup test failed: ", ctx->prog, id);
                cli_put_safe(stderr, title ? title : "?");
                fputc('\n', stderr);
                failed = 1;
            }
        }
        ftx_connector_free(c);
        return failed ? CLI_EXIT_INVALID : 0;
    }
}

static int conn_connect_card(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] =
        "Usage: fivetrex connectors connect-card ID --redirect-uri URI [--hide-setup-guide]\n"
        "\n"
        "Create a Connect Card link where an end user finishes the connector's setup.\n";
    static const cli_opt opts[] = {{"redirect-uri", 0, CLI_ARG_REQUIRED, 1},
                                   {"hide-setup-guide", 0, CLI_ARG_NONE, 2},
                                   {NULL, 0, 0, 0}};
    cli_parser p;
    const char *id = NULL, *uri = NULL;
    int hide = 0, opt, rc;
    json_t *cfg, *out = NULL;
    ftx_error err = {0};

    cli_parser_init(&p, ctx, argc - 1, argv + 1);
    while ((opt = cli_next_opt(&p, opts, help, &id, &rc)) > 0) {
        if (opt == 1) {
            uri = p.value;
        } else if (opt == 2) {
            hide = 1;
        }
    }
    if (opt < 0)
        return rc;
    if (!id || !uri)
        return cli_usage_error(ctx, ctx->cmd, "ID and --redirect-uri are required");
    if ((rc = cli_client(ctx)) != 0)
        return rc;
    cfg = json_pack("{s:s, s:b}", "redirect_uri", uri, "hide_setup_guide", hide);
    if (ctx->dry_run) {
        json_t *b = json_pack("{s:O}", "connect_card_config", cfg);
        cli_dry_run(ctx, "POST", "/connections/{}/connect-card", id, b);
        json_decref(b);
        json_decref(cfg);
        return 0;
    }
    rc = ftx_connectors_connect_card(ctx->client, id, cfg, &out, &err);
    json_decref(cfg);
    if (rc != FTX_OK)
        return cli_fail(ctx, rc, &err, "connectors connect-card %s", id);
    if (ctx->format == CLI_FORMAT_JSON) {
        cli_json_doc(out);
    } else {
        const json_t *card = json_object_get(out, "connect_card");
        cli_kv(ctx, "connector_id", cli_json_str(out, "connector_id"));
        cli_kv(ctx, "uri", cli_json_str(card, "uri"));
        cli_kv(ctx, "token", cli_json_str(card, "token"));
        fflush(stdout);
    }
    json_decref(out);
    return 0;
}

/* ---- logs: SQL for the Platform Connector's LOG table, and its rows as a table ---- */

static const char *const log_query_about[] = {
    "the connector's last 10 log events (needs ID)",
    "recent failures of every connector (SEVERE, error, fail)",
    "sync start to end, in minutes (needs ID)",
    "schema, table and column changes of every connector",
};

#define LOG_QUERY_KINDS (sizeof(log_query_about) / sizeof(log_query_about[0]))

static void log_kinds(char *buf, size_t size)
{
    size_t i, n = 0;

    buf[0] = '\0';
    for (i = 0; i < LOG_QUERY_KINDS && n < size; i++) {
        const char *name = ftx_sync_logs_query_name((ftx_sync_logs_query)i);
        int w = snprintf(buf + n, size - n, "%s%s", i ? ", " : "", name ? name : "?");
        if (w < 0)
            break;
        n += (size_t)w;
    }
}

static int log_list_queries(cli_ctx *ctx)
{
    static const cli_column cols[] = {{"QUERY", 16}, {"NEEDS_ID", 8}, {"DESCRIPTION", 0}};
    cli_table t;
    size_t i;

    cli_table_init(&t, ctx, cols, 3);
    for (i = 0; i < LOG_QUERY_KINDS; i++) {
        ftx_sync_logs_query kind = (ftx_sync_logs_query)i;
        const char *tmpl = ftx_sync_logs_query_template(kind);
        int needs_id = tmpl && strstr(tmpl, FTX_SYNC_LOGS_CONNECTOR_PLACEHOLDER) != NULL;
        if (ctx->format == CLI_FORMAT_JSON) {
            json_t *j = json_pack("{s:s, s:b, s:s}", "query", ftx_sync_logs_query_name(kind),
                                  "needs_id", needs_id, "description", log_query_about[i]);
            cli_json_line(j);
            json_decref(j);
        } else {
            const char *cells[3];
            cells[0] = ftx_sync_logs_query_name(kind);
            cells[1] = cli_bool_str(needs_id);
            cells[2] = log_query_about[i];
            cli_table_row(&t, cells);
        }
    }
    if (ctx->format == CLI_FORMAT_TABLE)
        cli_table_end(&t);
    fflush(stdout);
    return 0;
}

static int log_query(cli_ctx *ctx, const char *id, const char *kind_name, const char *schema)
{
    ftx_sync_logs_query kind;
    ftx_error err = {0};
    const char *tmpl;
    char *sql = NULL;
    char kinds[160];
    int rc;

    log_kinds(kinds, sizeof(kinds));
    if (ftx_sync_logs_query_from_name(kind_name, &kind, &err) != FTX_OK)
        return cli_usage_error(ctx, ctx->cmd, "unknown --query '%s'; use one of: %s", kind_name,
                               kinds);
    tmpl = ftx_sync_logs_query_template(kind);
    if (tmpl && strstr(tmpl, FTX_SYNC_LOGS_CONNECTOR_PLACEHOLDER)) {
        if (!id)
            return cli_usage_error(ctx, ctx->cmd,
                                   "--query %s needs a connector ID: connectors logs ID",
                                   ftx_sync_logs_query_name(kind));
    } else if (id) {
        return cli_usage_error(ctx, ctx->cmd,
                               "--query %s covers every connector: it takes no connector ID",
                               ftx_sync_logs_query_name(kind));
    }
    if (id && (!*id || strchr(id, '\\') || strpbrk(id, "\t\n\r\v\f")))
        return cli_usage_error(ctx, ctx->cmd, "invalid connector ID: %s",
                               !*id ? "it is empty"
                                    : "backslashes and control characters are refused");
    rc = ftx_sync_logs_query_example(kind, schema, id, &sql, &err);
    if (rc == FTX_ERR_INVALID_ARGUMENT) {
        char msg[512];
        cli_lib_words(err.message, msg, sizeof(msg));
        return cli_usage_error(ctx, ctx->cmd, "--schema: %s", msg);
    }
    if (rc != FTX_OK)
        return cli_fail(ctx, rc, &err, "connectors logs");
    if (ctx->format_set && ctx->format == CLI_FORMAT_JSON) {
        json_t *j = json_pack("{s:s, s:s, s:s?, s:s}", "query", ftx_sync_logs_query_name(kind),
                              "schema", schema ? schema : FTX_SYNC_LOGS_DEFAULT_SCHEMA,
                              "connector_id", id, "sql", sql);
        cli_json_doc(j);
        json_decref(j);
    } else {
        fputs(sql, stdout);
    }
    fflush(stdout);
    ftx_sync_logs_query_free(sql);
    return 0;
}

/* One parsed row as JSON: the typed fields under their lower-case names. */
static json_t *log_entry_json(const ftx_log_entry *e)
{
    json_t *j = json_object(), *data = NULL;

    json_object_set_new(j, "id", e->id ? json_string(e->id) : json_null());
    json_object_set_new(j, "time_stamp",
                        e->time_stamp.iso ? json_string(e->time_stamp.iso) : json_null());
    json_object_set_new(j, "connector_id",
                        e->connector_id ? json_string(e->connector_id) : json_null());
    json_object_set_new(j, "event", e->event ? json_string(e->event) : json_null());
    json_object_set_new(j, "message_event",
                        e->message_event ? json_string(e->message_event) : json_null());
    if (e->message_data) {
        data = json_loads(e->message_data, JSON_DECODE_ANY, NULL);
        if (!json_is_object(data) && !json_is_array(data)) {
            json_decref(data);
            data = json_string(e->message_data);
        }
    }
    json_object_set_new(j, "message_data", data ? data : json_null());
    return j;
}

/* The rows: a JSON array of objects, or JSON lines (one object a line). */
static int log_load_rows(cli_ctx *ctx, const char *buf, size_t len, json_t **out)
{
    json_error_t jerr;
    json_t *rows = json_loadb(buf, len, JSON_DECODE_ANY, &jerr);
    const char *p = buf, *end = buf + len;
    size_t line = 0;

    if (rows) {
        if (json_is_object(rows)) {
            json_t *a = json_array();
            json_array_append_new(a, rows);
            rows = a;
        }
        if (!json_is_array(rows)) {
            json_decref(rows);
            return cli_usage_error(ctx, ctx->cmd,
                                   "--parse wants a JSON array of LOG rows (objects)");
        }
        *out = rows;
        return 0;
    }
    rows = json_array();
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        json_t *row;
        line++;
        if (strspn(p, " \t\r") < n) {
            row = json_loadb(p, n, 0, &jerr);
            if (!json_is_object(row)) {
                json_decref(row);
                json_decref(rows);
                return cli_usage_error(ctx, ctx->cmd,
                                       "--parse: line %zu is not a JSON object%s%s "
                                       "(want a JSON array of LOG rows, or one row a line)",
                                       line, row ? "" : ": ", row ? "" : jerr.text);
            }
            json_array_append_new(rows, row);
        }
        p += n + (nl ? 1 : 0);
    }
    *out = rows;
    return 0;
}

static int log_parse(cli_ctx *ctx, const char *path)
{
    static const cli_column cols[] = {{"TIME_STAMP", 24},
                                      {"CONNECTOR_ID", 22},
                                      {"EVENT", 8},
                                      {"MESSAGE_EVENT", 18},
                                      {"MESSAGE_DATA", 0}};
    static const cli_column wide_cols[] = {
        {"ID", 36},   {"TIME_STAMP", 24},    {"CONNECTOR_ID", 22},
        {"EVENT", 8}, {"MESSAGE_EVENT", 18}, {"MESSAGE_DATA", 0}};
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    ftx_log_entry **entries = NULL;
    size_t count = 0, len = 0, i;
    ftx_error err = {0};
    json_t *rows = NULL;
    cli_table t;
    char *buf;
    int rc;

    if (!f) {
        fprintf(stderr, "%s: connectors logs: cannot read ", ctx->prog);
        cli_put_safe(stderr, path);
        fprintf(stderr, ": %s\n", strerror(errno));
        return CLI_EXIT_USAGE;
    }
    buf = cli_read_all(f, &len);
    if (f != stdin)
        fclose(f);
    if (!buf) {
        fprintf(stderr, "%s: connectors logs: cannot read the rows\n", ctx->prog);
        return CLI_EXIT_GENERIC;
    }
    rc = log_load_rows(ctx, buf, len, &rows);
    free(buf);
    if (rc)
        return rc;
    rc = ftx_log_entries_from_json(rows, &entries, &count, &err);
    json_decref(rows);
    if (rc == FTX_ERR_DECODE)
        return cli_usage_error(ctx, ctx->cmd, "--parse: %s (want LOG rows as JSON objects)",
                               err.message);
    if (rc != FTX_OK)
        return cli_fail(ctx, rc, &err, "connectors logs --parse");
    if (ctx->wide)
        cli_table_init(&t, ctx, wide_cols, 6);
    else
        cli_table_init(&t, ctx, cols, 5);
    for (i = 0; i < count; i++) {
        const ftx_log_entry *e = entries[i];
        if (ctx->format == CLI_FORMAT_JSON) {
            json_t *j = log_entry_json(e);
            cli_json_line(j);
            json_decref(j);
        } else {
            const char *cells[6];
            size_t k = 0;
            if (ctx->wide)
                cells[k++] = e->id;
            cells[k++] = e->time_stamp.iso;
            cells[k++] = e->connector_id;
            cells[k++] = e->event;
            cells[k++] = e->message_event;
            cells[k++] = e->message_data;
            cli_table_row(&t, cells);
        }
    }
    if (ctx->format == CLI_FORMAT_TABLE)
        cli_table_end(&t);
    fflush(stdout);
    ftx_log_entries_free(entries, count);
    return 0;
}

static int conn_logs(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] =
        "Usage: fivetrex connectors logs [ID] [--query KIND] [--schema SCHEMA]\n"
        "       fivetrex connectors logs --list-queries\n"
        "       fivetrex connectors logs --parse FILE|-\n"
        "\n"
        "Sync logs. Fivetran has no API for them: the Fivetran Platform Connector writes\n"
        "them to the LOG table of your destination. This verb prints the SQL to run\n"
        "there, and shows the rows it returns. It sends nothing to the API and needs no\n"
        "credentials.\n"
        "\n"
        "Options:\n"
        "  --query KIND       which query (default: recent_syncs):\n"
        "                       recent_syncs    the connector's last 10 events (needs ID)\n"
        "                       failed_syncs    recent failures of every connector\n"
        "                       sync_duration   sync durations in minutes (needs ID)\n"
        "                       schema_changes  schema/table/column changes, every connector\n"
        "  --schema SCHEMA    the Platform Connector's schema (default: fivetran_metadata;\n"
        "                     older ones: fivetran_log), e.g. analytics.fivetran_metadata\n"
        "  --list-queries     list the kinds (table, or JSON lines on a pipe)\n"
        "  --parse FILE|-     read the rows the query returned, as a JSON array of objects\n"
        "                     or one object a line (column names in any case), and print\n"
        "                     them: a table on a terminal, else one JSON object a line\n"
        "                     (id, time_stamp, connector_id, event, message_event,\n"
        "                     message_data)\n"
        "\n"
        "The SQL is printed as text; with -o json or --jq, as {\"query\", \"schema\",\n"
        "\"connector_id\", \"sql\"}.\n"
        "\n"
        "Example:\n"
        "  fivetrex connectors logs speak_inexpensive > recent.sql\n"
        "  fivetrex connectors logs --parse rows.json -o table\n";
    static const cli_opt opts[] = {{"query", 0, CLI_ARG_REQUIRED, 1},
                                   {"schema", 0, CLI_ARG_REQUIRED, 2},
                                   {"list-queries", 0, CLI_ARG_NONE, 3},
                                   {"parse", 0, CLI_ARG_REQUIRED, 4},
                                   {NULL, 0, 0, 0}};
    cli_parser p;
    const char *id = NULL, *kind = NULL, *schema = NULL, *parse = NULL;
    int list = 0, opt, rc;

    cli_parser_init(&p, ctx, argc - 1, argv + 1);
    while ((opt = cli_next_opt(&p, opts, help, &id, &rc)) > 0) {
        if (opt == 1)
            kind = p.value;
        else if (opt == 2)
            schema = p.value;
        else if (opt == 3)
            list = 1;
        else if (opt == 4)
            parse = p.value;
    }
    if (opt < 0)
        return rc;
    if (list + (parse != NULL) > 1 || ((list || parse) && (id || kind || schema)))
        return cli_usage_error(ctx, ctx->cmd,
                               "--list-queries and --parse go alone (no ID, --query or "
                               "--schema)");
    if (list)
        return log_list_queries(ctx);
    if (parse)
        return log_parse(ctx, parse);
    return log_query(ctx, id, kind ? kind : "recent_syncs", schema);
}

static const cli_command conn_cmds[] = {
    {"list", "list connectors", conn_list, CLI_VERB_READ},
    {"get", "show a connector", conn_get, CLI_VERB_READ},
    {"create", "create a connector", conn_create, CLI_VERB_WRITE},
    {"update", "change a connector", conn_update, CLI_VERB_WRITE},
    {"delete", "delete a connector", conn_delete, CLI_VERB_DESTRUCTIVE},
    {"sync", "start a sync", conn_sync, CLI_VERB_WRITE},
    {"resync", "historical re-sync", conn_resync, CLI_VERB_DESTRUCTIVE},
    {"pause", "pause", conn_pause, CLI_VERB_WRITE},
    {"resume", "resume", conn_resume, CLI_VERB_WRITE},
    {"state", "connector state", conn_state, CLI_VERB_READ},
    {"status", "sync status", conn_status, CLI_VERB_READ},
    {"frequency", "set the sync frequency", conn_frequency, CLI_VERB_WRITE},
    {"schema", "schema config", conn_schema, CLI_VERB_NESTED},
    {"columns", "table columns", conn_columns, CLI_VERB_READ},
    {"test", "setup tests", conn_test, CLI_VERB_WRITE},
    {"connect-card", "connect card", conn_connect_card, CLI_VERB_WRITE},
    {"logs", "sync logs: SQL and rows", conn_logs, CLI_VERB_LOCAL},
    {NULL, NULL, NULL, 0},
};

int cmd_connectors(cli_ctx *ctx, int argc, char **argv)
{
    return cli_dispatch(ctx, "connectors", conn_cmds, argc, argv, connectors_help);
}
