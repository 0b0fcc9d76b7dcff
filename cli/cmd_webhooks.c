/*
 * fivetrex webhooks list|get|create|update|delete|test|listen|sign|verify
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const char webhooks_help[] =
    "Usage: fivetrex webhooks <verb> [arguments]\n"
    "\n"
    "Manage the webhooks Fivetran calls, receive them, and check their signatures.\n"
    "\n"
    "Verbs:\n"
    "  list                        list webhooks (streams all pages)\n"
    "  get ID                      show one webhook\n"
    "  create --url URL --events E1,E2 [--group ID] [--secret-env VAR]\n"
    "                              create an account (or group) webhook\n"
    "  update ID [flags]           change url, events, active, secret\n"
    "  delete ID                   delete a webhook\n"
    "  test ID [--event NAME]      make Fivetran send a test event\n"
    "  listen [--port N] --secret-env VAR\n"
    "                              run a receiver; print each verified event\n"
    "  sign --secret-env VAR       signature of the body on stdin\n"
    "  verify --signature HEX --secret-env VAR\n"
    "                              check a signature of the body on stdin\n"
    "\n"
    "Secrets are read from an environment variable (--secret-env VAR, default\n"
    "FIVETRAN_WEBHOOK_SECRET) or a file (--secret-file PATH), never from the command line.\n"
    "Run 'fivetrex webhooks <verb> --help' for a verb's options.\n";

static const cli_column hook_cols[] = {{"ID", 24},    {"TYPE", 7},    {"GROUP", 20},
                                       {"ACTIVE", 6}, {"EVENTS", 28}, {"URL", 0}};

static void events_text(const ftx_webhook *w, char *buf, size_t size)
{
    size_t i, n = 0;
    buf[0] = '\0';
    for (i = 0; i < w->event_count && n < size; i++) {
        int k = snprintf(buf + n, size - n, "%s%s", i ? "," : "", w->events[i]);
        if (k < 0)
            break;
        n += (size_t)k;
    }
}

static void hook_row(cli_table *t, const void *item)
{
    const ftx_webhook *w = item;
    char ev[256];
    const char *cells[6];
    events_text(w, ev, sizeof(ev));
    cells[0] = w->id;
    cells[1] = w->type;
    cells[2] = w->group_id;
    cells[3] = cli_bool_str(w->active);
    cells[4] = ev;
    cells[5] = w->url;
    cli_table_row(t, cells);
}

static void hook_show(cli_ctx *ctx, const ftx_webhook *w)
{
    char ev[512];
    if (ctx->format == CLI_FORMAT_JSON) {
        cli_json_doc(w->raw);
        return;
    }
    events_text(w, ev, sizeof(ev));
    cli_kv(ctx, "id", w->id);
    cli_kv(ctx, "type", w->type);
    cli_kv(ctx, "group_id", w->group_id);
    cli_kv(ctx, "url", w->url);
    cli_kv(ctx, "events", ev);
    cli_kv(ctx, "active", cli_bool_str(w->active));
    cli_kv(ctx, "secret", w->secret ? "******" : NULL);
    cli_kv(ctx, "created_at", w->created_at.iso);
    cli_kv(ctx, "created_by", w->created_by);
    fflush(stdout);
}

/* A secret from $VAR or a file (trailing newline removed). Returns a malloc'd string or
 * NULL after printing why; `*status` receives the exit status then. */
static char *load_secret(cli_ctx *ctx, const char *env, const char *file, int required, int *status)
{
    *status = 0;
    if (file) {
        FILE *f = fopen(file, "r");
        size_t len = 0;
        char *s;
        if (!f) {
            fprintf(stderr, "%s: %s: cannot read --secret-file '%s': %s\n", ctx->prog, ctx->cmd,
                    file, strerror(errno));
            *status = CLI_EXIT_USAGE;
            return NULL;
        }
        s = cli_read_all(f, &len);
        fclose(f);
        if (!s) {
            *status = CLI_EXIT_GENERIC;
            return NULL;
        }
        while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
            s[--len] = '\0';
        if (len == 0) {
            free(s);
            fprintf(stderr, "%s: %s: --secret-file '%s' is empty\n", ctx->prog, ctx->cmd, file);
            *status = CLI_EXIT_USAGE;
            return NULL;
        }
        return s;
    } else {
        const char *var = env ? env : "FIVETRAN_WEBHOOK_SECRET";
        const char *v = getenv(var);
        char *s;
        if (!v || !*v) {
            if (!required)
                return NULL;
            fprintf(stderr,
                    "%s: %s: no webhook secret: $%s is not set\n"
                    "  hint: export %s=... or use --secret-file PATH\n",
                    ctx->prog, ctx->cmd, var, var);
            *status = CLI_EXIT_USAGE;
            return NULL;
        }
        s = strdup(v);
        if (!s)
            *status = CLI_EXIT_GENERIC;
        return s;
    }
}

static void free_secret(char *s)
{
    if (s) {
        volatile char *p = s;
        while (*p)
            *p++ = 0;
        free(s);
    }
}

/* ---- list / get / delete ---- */

static int hook_page(cli_list *l, const ftx_list_options *lo, ftx_error *err)
{
    ftx_webhook_page *page = NULL;
    size_t i;
    int rc = ftx_webhooks_list(l->ctx->client, lo, &page, err);

    if (rc != FTX_OK)
        return rc;
    for (i = 0; i < page->count; i++)
        cli_list_emit(l, page->items[i], page->items[i]->raw);
    cli_list_page_end(l, page->next_cursor);
    ftx_webhook_page_free(page);
    return FTX_OK;
}

static int hook_stream(cli_list *l, const ftx_list_options *lo, ftx_error *err)
{
    ftx_webhook_stream *s = NULL;
    const ftx_webhook *w = NULL;
    int rc = ftx_webhooks_stream(l->ctx->client, lo, &s, err);

    while (rc == FTX_OK && cli_list_more(l) &&
           (rc = ftx_webhook_stream_next(s, &w, err)) == FTX_OK && w)
        cli_list_emit(l, w, w->raw);
    ftx_webhook_stream_free(s);
    return rc;
}

static const cli_column hook_wide_cols[] = {{"ID", 24},         {"TYPE", 7},    {"GROUP", 20},
                                            {"ACTIVE", 6},      {"EVENTS", 40}, {"CREATED_AT", 24},
                                            {"CREATED_BY", 20}, {"URL", 0}};

static void hook_wide_row(cli_table *t, const void *item)
{
    const ftx_webhook *w = item;
    char ev[1024];
    const char *cells[8];
    events_text(w, ev, sizeof(ev));
    cells[0] = w->id;
    cells[1] = w->type;
    cells[2] = w->group_id;
    cells[3] = cli_bool_str(w->active);
    cells[4] = ev;
    cells[5] = w->created_at.iso;
    cells[6] = w->created_by;
    cells[7] = w->url;
    cli_table_row(t, cells);
}

static const cli_list_spec hook_list_spec = {
    "webhooks list", "webhooks",  hook_cols,      6, hook_row,
    hook_page,       hook_stream, hook_wide_cols, 8, hook_wide_row};

static int hook_list(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] = "Usage: fivetrex webhooks list [--limit N] [--page CURSOR]\n"
                               "\n"
                               "List webhooks, streaming every page.\n";
    int rc = cli_simple_args(ctx, argc, argv, help, 0, NULL);

    if (rc)
        return rc < 0 ? 0 : rc;
    return cli_list_run(ctx, &hook_list_spec, NULL);
}

static int hook_get(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] = "Usage: fivetrex webhooks get ID\n\nShow one webhook.\n";
    const char *id = NULL;
    ftx_webhook *w = NULL;
    ftx_error err = {0};
    int rc = cli_one_id(ctx, argc, argv, help, &id);

    if (rc)
        return rc < 0 ? 0 : rc;
    rc = ftx_webhooks_get(ctx->client, id, &w, &err);
    if (rc != FTX_OK)
        return cli_fail(ctx, rc, &err, "webhooks get %s", id);
    hook_show(ctx, w);
    ftx_webhook_free(w);
    return 0;
}

static int hook_describe(cli_ctx *ctx, const char *id, char *what, size_t wsize, char *details,
                         size_t dsize, json_t **extra, ftx_error *err)
{
    ftx_webhook *w = NULL;
    int rc = ftx_webhooks_get(ctx->client, id, &w, err);

    (void)extra;
    (void)details;
    (void)dsize;
    if (rc != FTX_OK)
        return rc;
    snprintf(what, wsize, "webhook %s (%s, %s)", id, w->group_id ? w->group_id : "account",
             w->url ? w->url : "?");
    ftx_webhook_free(w);
    return FTX_OK;
}

static int hook_delete(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] =
        "Usage: fivetrex webhooks delete ID\n"
        "\n"
        "Delete a webhook.\n"
        "On a terminal, asks first; --yes skips the question and is required without a\n"
        "terminal. --dry-run prints the request and sends nothing.\n";

    return cli_delete(ctx, argc, argv, help, "webhooks", "webhook", "/webhooks/{}", hook_describe,
                      ftx_webhooks_delete);
}

/* ---- create / update ---- */

enum { W_URL = 1, W_EVENTS, W_GROUP, W_ACTIVE, W_INACTIVE, W_SECRET_ENV, W_SECRET_FILE, W_DATA };

static const cli_opt write_opts[] = {
    {"url", 0, CLI_ARG_REQUIRED, W_URL},
    {"events", 'e', CLI_ARG_REQUIRED, W_EVENTS},
    {"group", 'g', CLI_ARG_REQUIRED, W_GROUP},
    {"active", 0, CLI_ARG_REQUIRED, W_ACTIVE},
    {"inactive", 0, CLI_ARG_NONE, W_INACTIVE},
    {"secret-env", 0, CLI_ARG_REQUIRED, W_SECRET_ENV},
    {"secret-file", 0, CLI_ARG_REQUIRED, W_SECRET_FILE},
    {"data", 'd', CLI_ARG_REQUIRED, W_DATA},
    {NULL, 0, CLI_ARG_NONE, 0},
};

static json_t *split_events(const char *s)
{
    json_t *arr = json_array();
    const char *p = s;
    while (*p) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        if (n > 0)
            json_array_append_new(arr, json_stringn(p, n));
        if (!c)
            break;
        p = c + 1;
    }
    return arr;
}

static int hook_write(cli_ctx *ctx, int argc, char **argv, int update)
{
    static const char create_help[] =
        "Usage: fivetrex webhooks create --url URL --events E1,E2 [options]\n"
        "\n"
        "Create an account webhook, or a group webhook with --group. On creation Fivetran\n"
        "(and the sandbox) sends a test event to URL, so start the receiver first\n"
        "(fivetrex webhooks listen) or pass --inactive.\n"
        "\n"
        "Options:\n"
        "  --url URL              where events are POSTed (the API wants https)\n"
        "  --events E1,E2         e.g. sync_start,sync_end (required)\n"
        "  --group ID             a group webhook\n"
        "  --inactive             create it inactive (no test delivery); the same as\n"
        "                         --active false (--active true is the default)\n"
        "  --secret-env VAR       sign deliveries with the secret in $VAR\n"
        "  --secret-file PATH     ... or in a file\n"
        "  --data @FILE|-|JSON    the request body; flags override its fields\n";
    static const char update_help[] =
        "Usage: fivetrex webhooks update ID [--url URL] [--events E1,E2]\n"
        "                               [--active true|false] [--secret-env VAR]\n"
        "                               [--secret-file PATH] [--data @FILE|-|JSON]\n"
        "\n"
        "Change a webhook.\n";
    cli_parser p;
    const char *id = NULL, *group = NULL, *data_spec = NULL, *senv = NULL, *sfile = NULL;
    json_t *body = NULL, *flags = json_object();
    ftx_webhook *w = NULL;
    ftx_error err = {0};
    int opt, rc, want_secret = 0, b;

    cli_parser_init(&p, ctx, argc - 1, argv + 1);
    while ((opt = cli_next_opt(&p, write_opts, update ? update_help : create_help,
                               update ? &id : NULL, &rc)) > 0) {
        switch (opt) {
        case W_URL:
            json_object_set_new(flags, "url", json_string(p.value));
            break;
        case W_EVENTS:
            json_object_set_new(flags, "events", split_events(p.value));
            break;
        case W_GROUP:
            if (update) {
                json_decref(flags);
                return cli_usage_error(ctx, ctx->cmd, "--group applies to create only");
            }
            group = p.value;
            break;
        case W_ACTIVE:
            if (cli_parse_bool(p.value, &b) != 0) {
                json_decref(flags);
                return cli_usage_error(ctx, ctx->cmd, "--active wants true or false");
            }
            json_object_set_new(flags, "active", json_boolean(b));
            break;
        case W_INACTIVE:
            json_object_set_new(flags, "active", json_false());
            break;
        case W_SECRET_ENV:
            senv = p.value;
            want_secret = 1;
            break;
        case W_SECRET_FILE:
            sfile = p.value;
            want_secret = 1;
            break;
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
        return cli_usage_error(ctx, ctx->cmd, "missing argument: webhook ID");
    }
    if (want_secret) {
        int st;
        char *secret = load_secret(ctx, senv, sfile, 1, &st);
        if (!secret) {
            json_decref(flags);
            return st;
        }
        json_object_set_new(flags, "secret", json_string(secret));
        free_secret(secret);
    }
    if (data_spec && (rc = cli_load_data(ctx, ctx->cmd, data_spec, &body)) != 0) {
        json_decref(flags);
        return rc;
    }
    body = cli_body_with_flags(body, flags); /* flags override --data */
    if (!update && (!json_is_string(json_object_get(body, "url")) ||
                    !json_is_array(json_object_get(body, "events")))) {
        json_decref(body);
        return cli_usage_error(ctx, ctx->cmd,
                               "--url and --events are required (or url and events in --data)");
    }
    if ((rc = cli_body_ready(ctx, update, body)) != 0)
        return rc;
    if (cli_dry_run(ctx, update ? "PATCH" : "POST",
                    update  ? "/webhooks/{}"
                    : group ? "/webhooks/group/{}"
                            : "/webhooks/account",
                    update ? id : group, body)) {
        json_decref(body);
        return 0;
    }
    if (update)
        rc = ftx_webhooks_update(ctx->client, id, body, &w, &err);
    else if (group)
        rc = ftx_webhooks_create_group(ctx->client, group, body, &w, &err);
    else
        rc = ftx_webhooks_create_account(ctx->client, body, &w, &err);
    json_decref(body);
    if (rc != FTX_OK)
        return update ? cli_fail(ctx, rc, &err, "webhooks update %s", id)
                      : cli_fail(ctx, rc, &err, "webhooks create");
    if (w)
        hook_show(ctx, w);
    else
        cli_done(ctx, "Updated", id);
    ftx_webhook_free(w);
    return 0;
}

static int hook_create(cli_ctx *ctx, int argc, char **argv)
{
    return hook_write(ctx, argc, argv, 0);
}

static int hook_update(cli_ctx *ctx, int argc, char **argv)
{
    return hook_write(ctx, argc, argv, 1);
}

/* ---- test ---- */

static int hook_test(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] =
        "Usage: fivetrex webhooks test ID [--event NAME]\n"
        "\n"
        "Make Fivetran send a test event (default sync_start) to the webhook's URL.\n"
        "Exit status 3 when the endpoint did not accept it.\n";
    static const cli_opt opts[] = {{"event", 'e', CLI_ARG_REQUIRED, 1}, {NULL, 0, 0, 0}};
    cli_parser p;
    const char *id = NULL, *event = NULL;
    ftx_webhook_test_result *res = NULL;
    ftx_error err = {0};
    int opt, rc, ok;

    cli_parser_init(&p, ctx, argc - 1, argv + 1);
    while ((opt = cli_next_opt(&p, opts, help, &id, &rc)) > 0) {
        if (opt == 1) {
            event = p.value;
        }
    }
    if (opt < 0)
        return rc;
    if (!id)
        return cli_usage_error(ctx, ctx->cmd, "missing argument: webhook ID");
    if ((rc = cli_client(ctx)) != 0)
        return rc;
    if (ctx->dry_run) {
        json_t *b = json_pack("{s:s}", "event", event ? event : FTX_WEBHOOK_TEST_DEFAULT_EVENT);
        cli_dry_run(ctx, "POST", "/webhooks/{}/test", id, b);
        json_decref(b);
        return 0;
    }
    rc = ftx_webhooks_test(ctx->client, id, event, &res, &err);
    if (rc != FTX_OK)
        return cli_fail(ctx, rc, &err, "webhooks test %s", id);
    ok = res->succeed;
    if (ctx->format == CLI_FORMAT_JSON) {
        cli_json_doc(res->raw);
    } else {
        char st[16];
        snprintf(st, sizeof(st), "%d", res->status);
        cli_kv(ctx, "succeed", cli_bool_str(res->succeed));
        cli_kv(ctx, "status", res->status ? st : NULL);
        cli_kv(ctx, "message", res->message);
        fflush(stdout);
    }
    ftx_webhook_test_result_free(res);
    if (!ok) {
        fprintf(stderr, "%s: webhooks test %s: the endpoint did not accept the test event\n",
                ctx->prog, id);
        return CLI_EXIT_INVALID;
    }
    return 0;
}

/* ---- listen ---- */

typedef struct listen_state {
    cli_ctx *ctx;
    pthread_mutex_t lock;
    cli_table table;
    long printed;
    long count;            /* stop after this many printed events; -1: never */
    json_t *filter;        /* array of event names, or NULL */
    const char *connector; /* print only this connector's events, or NULL */
} listen_state;

static const cli_column event_cols[] = {{"CREATED", 24}, {"EVENT", 12},  {"CONNECTOR", 24},
                                        {"GROUP", 22},   {"STATUS", 18}, {"SYNC_ID", 0}};

static int on_event(const ftx_webhook_event *ev, void *userdata)
{
    listen_state *ls = userdata;

    pthread_mutex_lock(&ls->lock);
    if (ls->filter) {
        size_t i;
        json_t *v;
        int match = 0;
        json_array_foreach(ls->filter, i, v)
        {
            if (ev->event && strcmp(json_string_value(v), ev->event) == 0)
                match = 1;
        }
        if (!match) {
            pthread_mutex_unlock(&ls->lock);
            return 0;
        }
    }
    if (ls->connector && (!ev->connector_id || strcmp(ls->connector, ev->connector_id) != 0)) {
        pthread_mutex_unlock(&ls->lock);
        return 0;
    }
    if (ls->count < 0 || ls->printed < ls->count) {
        if (ls->ctx->format == CLI_FORMAT_JSON) {
            cli_json_line(ev->raw);
        } else {
            const char *cells[6];
            cells[0] = ev->created.iso;
            cells[1] = ev->event;
            cells[2] = ev->connector_id;
            cells[3] = ev->destination_group_id;
            cells[4] = ev->status;
            cells[5] = ev->sync_id;
            cli_table_row(&ls->table, cells);
        }
        fflush(stdout);
        ls->printed++;
    }
    pthread_mutex_unlock(&ls->lock);
    return 0;
}

static int hook_listen(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] =
        "Usage: fivetrex webhooks listen [--port N] [--bind ADDR] [--path PATH]\n"
        "                                [--secret-env VAR | --secret-file PATH]\n"
        "                                [--events E1,E2] [--connector ID] [--count N]\n"
        "\n"
        "Run a webhook receiver and print each verified event (a table row, or one JSON\n"
        "object a line) until interrupted (Ctrl-C, SIGTERM). Requests whose signature is\n"
        "missing or wrong are refused (400/401) and never printed; re-deliveries of an\n"
        "event already printed are acknowledged and not printed again.\n"
        "\n"
        "Options:\n"
        "  --port N            TCP port (default 0: a free one; the URL goes to stderr)\n"
        "  --bind ADDR         address to listen on (default 127.0.0.1)\n"
        "  --path PATH         request path (default /webhook)\n"
        "  --secret-env VAR    the webhook secret is in $VAR (default\n"
        "                      FIVETRAN_WEBHOOK_SECRET)\n"
        "  --secret-file PATH  ... or in a file\n"
        "  --events E1,E2      print only these events (others are still acknowledged)\n"
        "  --connector ID      print only events of this connector\n"
        "  --count N           exit 0 after printing N events\n"
        "  --timeout SECONDS   (global) with --count: exit 9 if they have not arrived in time\n"
        "\n"
        "The first line on stderr is 'Listening on http://ADDR:PORT/PATH'.\n";
    enum { L_PORT = 1, L_BIND, L_PATH, L_SENV, L_SFILE, L_EVENTS, L_COUNT, L_CONN };
    static const cli_opt opts[] = {
        {"port", 'p', CLI_ARG_REQUIRED, L_PORT},
        {"bind", 0, CLI_ARG_REQUIRED, L_BIND},
        {"path", 0, CLI_ARG_REQUIRED, L_PATH},
        {"secret-env", 0, CLI_ARG_REQUIRED, L_SENV},
        {"secret-file", 0, CLI_ARG_REQUIRED, L_SFILE},
        {"events", 'e', CLI_ARG_REQUIRED, L_EVENTS},
        {"count", 'n', CLI_ARG_REQUIRED, L_COUNT},
        {"connector", 0, CLI_ARG_REQUIRED, L_CONN},
        {NULL, 0, CLI_ARG_NONE, 0},
    };
    cli_parser p;
    const char *bind = NULL, *path = NULL, *senv = NULL, *sfile = NULL, *connector = NULL;
    long port = 0, count = -1;
    json_t *filter = NULL;
    char *secret;
    ftx_webhook_server_options so = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_webhook_server *srv = NULL;
    ftx_webhook_server_stats stats;
    ftx_error err = {0};
    listen_state ls;
    struct timespec t0, now;
    int opt, rc, st, timed_out = 0;

    cli_parser_init(&p, ctx, argc - 1, argv + 1);
    while ((opt = cli_getopt(&p, opts)) != CLI_GETOPT_END) {
        switch (opt) {
        case CLI_GETOPT_ERROR:
        case CLI_GETOPT_HELP:
            json_decref(filter);
            if (opt == CLI_GETOPT_HELP) {
                fputs(help, stdout);
                return 0;
            }
            return CLI_EXIT_USAGE;
        case CLI_GETOPT_POSITIONAL:
            json_decref(filter);
            return cli_usage_error(ctx, ctx->cmd, "unexpected argument '%s'", p.value);
        case L_PORT:
            if (cli_parse_long(p.value, 0, 65535, &port) != 0) {
                json_decref(filter);
                return cli_usage_error(ctx, ctx->cmd, "--port wants 0..65535, got '%s'", p.value);
            }
            break;
        case L_BIND:
            bind = p.value;
            break;
        case L_PATH:
            path = p.value;
            break;
        case L_SENV:
            senv = p.value;
            break;
        case L_SFILE:
            sfile = p.value;
            break;
        case L_EVENTS:
            json_decref(filter);
            filter = split_events(p.value);
            break;
        case L_CONN:
            connector = p.value;
            break;
        case L_COUNT:
            if (cli_parse_long(p.value, 1, 1000000000L, &count) != 0) {
                json_decref(filter);
                return cli_usage_error(ctx, ctx->cmd, "--count wants a positive integer");
            }
            break;
        default:
            break;
        }
    }
    secret = load_secret(ctx, senv, sfile, 1, &st);
    if (!secret) {
        json_decref(filter);
        return st;
    }
    memset(&ls, 0, sizeof(ls));
    ls.ctx = ctx;
    ls.count = count;
    ls.filter = filter;
    ls.connector = connector;
    pthread_mutex_init(&ls.lock, NULL);
    cli_table_init(&ls.table, ctx, event_cols, 6);

    so.bind_address = bind;
    so.port = (uint16_t)port;
    so.path = path;
    so.secret = secret;
    so.on_event = on_event;
    so.userdata = &ls;
    cli_signals_install();
    rc = ftx_webhook_server_start(&so, &srv, &err);
    free_secret(secret);
    if (rc != FTX_OK) {
        pthread_mutex_destroy(&ls.lock);
        json_decref(filter);
        fprintf(stderr, "%s: %s: cannot start the receiver: %s\n", ctx->prog, ctx->cmd,
                err.message[0] ? err.message : ftx_error_type_name(rc));
        if (rc == FTX_ERR_TRANSPORT)
            fprintf(stderr, "  hint: is the port in use? --port 0 picks a free one\n");
        return rc == FTX_ERR_INVALID_ARGUMENT ? CLI_EXIT_USAGE : cli_exit_for(rc);
    }
    fprintf(stderr, "Listening on http://%s:%u%s\n", bind ? bind : "127.0.0.1",
            (unsigned)ftx_webhook_server_port(srv), path ? path : "/webhook");
    fflush(stderr);
    if (ctx->format == CLI_FORMAT_TABLE) {
        pthread_mutex_lock(&ls.lock);
        cli_table_end(&ls.table);
        pthread_mutex_unlock(&ls.lock);
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        struct timespec ts = {0, 50 * 1000000L};
        long printed;
        if (cli_interrupted())
            break;
        pthread_mutex_lock(&ls.lock);
        printed = ls.printed;
        pthread_mutex_unlock(&ls.lock);
        if (count > 0 && printed >= count)
            break;
        if (count > 0 && ctx->timeout_s > 0) {
            double el;
            clock_gettime(CLOCK_MONOTONIC, &now);
            el = (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
            if (el > ctx->timeout_s) {
                timed_out = 1;
                break;
            }
        }
        nanosleep(&ts, NULL);
    }
    ftx_webhook_server_stats_get(srv, &stats);
    ftx_webhook_server_free(srv);
    pthread_mutex_destroy(&ls.lock);
    json_decref(filter);
    fflush(stdout);
    fprintf(stderr,
            "Receiver stopped: %llu delivered, %llu duplicates, %llu rejected, %ld printed\n",
            (unsigned long long)stats.delivered, (unsigned long long)stats.duplicates,
            (unsigned long long)stats.rejected, ls.printed);
    if (timed_out) {
        fprintf(stderr, "%s: %s: %ld of %ld events arrived before --timeout\n", ctx->prog, ctx->cmd,
                ls.printed, count);
        return CLI_EXIT_TRANSPORT;
    }
    return 0;
}

/* ---- sign / verify ---- */

static int sign_verify(cli_ctx *ctx, int argc, char **argv, int verify)
{
    static const char sign_help[] =
        "Usage: fivetrex webhooks sign [--secret-env VAR | --secret-file PATH] < BODY\n"
        "\n"
        "Print the X-Fivetran-Signature-256 value of the exact bytes on stdin (bare hex,\n"
        "on a terminal or a pipe; -o json prints {\"header\",\"signature\",\"body_bytes\"}):\n"
        "HEX(HMAC-SHA256(secret, body)), uppercase. Mind trailing newlines: use\n"
        "printf '%s' \"$body\", not echo.\n";
    static const char verify_help[] =
        "Usage: fivetrex webhooks verify --signature HEX [--secret-env VAR |\n"
        "                                --secret-file PATH] < BODY\n"
        "\n"
        "Check a signature against the exact bytes on stdin (either hex case).\n"
        "Exit status 0 when it matches, 1 when it does not or is missing.\n";
    enum { V_SIG = 1, V_SENV, V_SFILE };
    static const cli_opt opts[] = {
        {"signature", 0, CLI_ARG_REQUIRED, V_SIG},
        {"secret-env", 0, CLI_ARG_REQUIRED, V_SENV},
        {"secret-file", 0, CLI_ARG_REQUIRED, V_SFILE},
        {NULL, 0, CLI_ARG_NONE, 0},
    };
    cli_parser p;
    const char *sig = NULL, *senv = NULL, *sfile = NULL;
    char *secret, *body;
    size_t len = 0;
    int opt, st;

    cli_parser_init(&p, ctx, argc - 1, argv + 1);
    while ((opt = cli_getopt(&p, opts)) != CLI_GETOPT_END) {
        if (opt == CLI_GETOPT_ERROR)
            return CLI_EXIT_USAGE;
        if (opt == CLI_GETOPT_HELP) {
            fputs(verify ? verify_help : sign_help, stdout);
            return 0;
        }
        if (opt == CLI_GETOPT_POSITIONAL)
            return cli_usage_error(
                ctx, ctx->cmd, "unexpected argument '%s' (the body is read from stdin)", p.value);
        if (opt == V_SIG && verify)
            sig = p.value;
        else if (opt == V_SIG)
            return cli_usage_error(ctx, ctx->cmd, "--signature applies to verify");
        else if (opt == V_SENV)
            senv = p.value;
        else if (opt == V_SFILE)
            sfile = p.value;
    }
    if (verify && !sig)
        return cli_usage_error(ctx, ctx->cmd, "--signature HEX is required");
    secret = load_secret(ctx, senv, sfile, 1, &st);
    if (!secret)
        return st;
    body = cli_read_all(stdin, &len);
    if (!body) {
        free_secret(secret);
        fprintf(stderr, "%s: %s: cannot read the body from stdin\n", ctx->prog, ctx->cmd);
        return CLI_EXIT_GENERIC;
    }
    if (!verify) {
        char out[FTX_WEBHOOK_SIGNATURE_BUFSIZE];
        ftx_error err = {0};
        int rc = ftx_webhook_signature_compute(body, len, secret, out, &err);
        free_secret(secret);
        free(body);
        if (rc != FTX_OK)
            return cli_fail(ctx, rc, &err, "webhooks sign");
        /* The bare signature on a terminal and a pipe alike (sig=$(... sign ...) works);
         * a JSON object only when asked for with -o json. */
        if (ctx->format_set && ctx->format == CLI_FORMAT_JSON) {
            json_t *j = json_pack("{s:s, s:s, s:I}", "header", ftx_webhook_signature_header(),
                                  "signature", out, "body_bytes", (json_int_t)len);
            cli_json_line(j);
            json_decref(j);
        } else {
            printf("%s\n", out);
        }
        return 0;
    } else {
        ftx_webhook_sig_result r = ftx_webhook_signature_verify(body, len, sig, secret);
        const char *word = r == FTX_WEBHOOK_SIG_OK        ? "valid"
                           : r == FTX_WEBHOOK_SIG_MISSING ? "missing"
                                                          : "invalid";
        free_secret(secret);
        free(body);
        if (ctx->format == CLI_FORMAT_JSON) {
            json_t *j = json_pack("{s:b, s:s, s:I}", "valid", r == FTX_WEBHOOK_SIG_OK, "result",
                                  word, "body_bytes", (json_int_t)len);
            cli_json_line(j);
            json_decref(j);
        } else {
            printf("%s%s%s\n", cli_c(ctx, r == FTX_WEBHOOK_SIG_OK ? CLI_GREEN : CLI_RED), word,
                   cli_c(ctx, CLI_RESET));
        }
        if (r != FTX_WEBHOOK_SIG_OK) {
            fprintf(stderr,
                    "%s: %s: signature %s for %zu body bytes\n"
                    "  hint: the signature covers the exact bytes (a trailing newline "
                    "changes it) and the secret must be the webhook's\n",
                    ctx->prog, ctx->cmd, word, len);
            return CLI_EXIT_GENERIC;
        }
        return 0;
    }
}

static int hook_sign(cli_ctx *ctx, int argc, char **argv)
{
    return sign_verify(ctx, argc, argv, 0);
}

static int hook_verify(cli_ctx *ctx, int argc, char **argv)
{
    return sign_verify(ctx, argc, argv, 1);
}

static const cli_command hook_cmds[] = {
    {"list", "list webhooks", hook_list, CLI_VERB_READ},
    {"get", "show a webhook", hook_get, CLI_VERB_READ},
    {"create", "create a webhook", hook_create, CLI_VERB_WRITE},
    {"update", "change a webhook", hook_update, CLI_VERB_WRITE},
    {"delete", "delete a webhook", hook_delete, CLI_VERB_DESTRUCTIVE},
    {"test", "send a test event", hook_test, CLI_VERB_WRITE},
    {"listen", "run a receiver", hook_listen, CLI_VERB_LOCAL},
    {"sign", "compute a signature", hook_sign, CLI_VERB_LOCAL},
    {"verify", "check a signature", hook_verify, CLI_VERB_LOCAL},
    {NULL, NULL, NULL, 0},
};

int cmd_webhooks(cli_ctx *ctx, int argc, char **argv)
{
    return cli_dispatch(ctx, "webhooks", hook_cmds, argc, argv, webhooks_help);
}
