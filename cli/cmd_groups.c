/*
 * fivetrex groups list|get|create|update|delete|connectors
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char groups_help[] =
    "Usage: fivetrex groups <verb> [arguments]\n"
    "\n"
    "A group holds one destination and its connectors.\n"
    "\n"
    "Verbs:\n"
    "  list                      list every group (streams all pages)\n"
    "  get ID                    show one group\n"
    "  create --name NAME        create a group\n"
    "  update ID --name NAME     rename a group\n"
    "  delete ID                 delete a group with its destination and connectors\n"
    "  connectors ID             list the connectors of a group\n"
    "\n"
    "create and update also take --data @FILE.json, --data - (stdin) or --data '{...}';\n"
    "flags override fields of --data. Global options: see 'fivetrex --help'.\n";

static const cli_column group_cols[] = {{"ID", 24}, {"NAME", 32}, {"CREATED_AT", 0}};

enum { O_NAME = 1, O_DATA };

static const cli_opt body_opts[] = {
    {"name", 0, CLI_ARG_REQUIRED, O_NAME},
    {"data", 'd', CLI_ARG_REQUIRED, O_DATA},
    {NULL, 0, CLI_ARG_NONE, 0},
};

static void group_row(cli_table *t, const void *item)
{
    const ftx_group *g = item;
    const char *cells[3];
    cells[0] = g->id;
    cells[1] = g->name;
    cells[2] = g->created_at.iso;
    cli_table_row(t, cells);
}

static void group_show(cli_ctx *ctx, const ftx_group *g)
{
    if (ctx->format == CLI_FORMAT_JSON) {
        cli_json_doc(g->raw);
        return;
    }
    cli_kv(ctx, "id", g->id);
    cli_kv(ctx, "name", g->name);
    cli_kv(ctx, "created_at", g->created_at.iso);
    fflush(stdout);
}

static int groups_page(cli_list *l, const ftx_list_options *lo, ftx_error *err)
{
    ftx_group_page *page = NULL;
    size_t i;
    int rc = ftx_groups_list(l->ctx->client, lo, &page, err);

    if (rc != FTX_OK)
        return rc;
    for (i = 0; i < page->count; i++)
        cli_list_emit(l, page->items[i], page->items[i]->raw);
    cli_list_page_end(l, page->next_cursor);
    ftx_group_page_free(page);
    return FTX_OK;
}

static int groups_stream(cli_list *l, const ftx_list_options *lo, ftx_error *err)
{
    ftx_group_stream *s = NULL;
    const ftx_group *g = NULL;
    int rc = ftx_groups_stream(l->ctx->client, lo, &s, err);

    while (rc == FTX_OK && cli_list_more(l) && (rc = ftx_group_stream_next(s, &g, err)) == FTX_OK &&
           g)
        cli_list_emit(l, g, g->raw);
    ftx_group_stream_free(s);
    return rc;
}

/* Groups have three fields: -o wide is the table. */
static const cli_list_spec groups_list_spec = {
    "groups list", "groups", group_cols, 3, group_row, groups_page, groups_stream, NULL, 0, NULL};

static int groups_list(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] = "Usage: fivetrex groups list [--limit N] [--page CURSOR]\n"
                               "\n"
                               "List groups, streaming every page (JSON: one group a line).\n";
    int rc = cli_simple_args(ctx, argc, argv, help, 0, NULL);

    if (rc)
        return rc < 0 ? 0 : rc;
    return cli_list_run(ctx, &groups_list_spec, NULL);
}

static int groups_get(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] = "Usage: fivetrex groups get ID\n\nShow one group.\n";
    const char *id = NULL;
    ftx_group *g = NULL;
    ftx_error err = {0};
    int rc = cli_one_id(ctx, argc, argv, help, &id);

    if (rc)
        return rc < 0 ? 0 : rc;
    rc = ftx_groups_get(ctx->client, id, &g, &err);
    if (rc != FTX_OK)
        return cli_fail(ctx, rc, &err, "groups get %s", id);
    group_show(ctx, g);
    ftx_group_free(g);
    return 0;
}

/* create/update: [ID] --name NAME --data ... */
static int groups_write(cli_ctx *ctx, int argc, char **argv, int update)
{
    static const char create_help[] =
        "Usage: fivetrex groups create --name NAME [--data @FILE|-|JSON]\n"
        "\n"
        "Create a group. Example: fivetrex groups create --name warehouse\n";
    static const char update_help[] =
        "Usage: fivetrex groups update ID --name NAME [--data @FILE|-|JSON]\n"
        "\n"
        "Rename a group.\n";
    cli_parser p;
    const char *id = NULL, *name = NULL, *data_spec = NULL;
    json_t *body = NULL;
    ftx_group *g = NULL;
    ftx_error err = {0};
    int opt, rc;

    cli_parser_init(&p, ctx, argc - 1, argv + 1);
    while ((opt = cli_next_opt(&p, body_opts, update ? update_help : create_help,
                               update ? &id : NULL, &rc)) > 0) {
        switch (opt) {
        case O_NAME:
            name = p.value;
            break;
        case O_DATA:
            data_spec = p.value;
            break;
        default:
            break;
        }
    }
    if (opt < 0)
        return rc;
    if (update && !id)
        return cli_usage_error(ctx, ctx->cmd, "missing argument: group ID");
    if (data_spec && (rc = cli_load_data(ctx, ctx->cmd, data_spec, &body)) != 0)
        return rc;
    body = cli_body(body);
    if (name)
        json_object_set_new(body, "name", json_string(name));
    if (!json_object_get(body, "name")) {
        json_decref(body);
        return cli_usage_error(ctx, ctx->cmd, "--name is required (or \"name\" in --data)");
    }
    if ((rc = cli_client(ctx)) != 0) {
        json_decref(body);
        return rc;
    }
    if (cli_dry_run(ctx, update ? "PATCH" : "POST", update ? "/groups/{}" : "/groups", id, body)) {
        json_decref(body);
        return 0;
    }
    if (update)
        rc = ftx_groups_update(ctx->client, id, body, &g, &err);
    else
        rc = ftx_groups_create(ctx->client, body, &g, &err);
    json_decref(body);
    if (rc != FTX_OK)
        return update ? cli_fail(ctx, rc, &err, "groups update %s", id)
                      : cli_fail(ctx, rc, &err, "groups create");
    group_show(ctx, g);
    ftx_group_free(g);
    return 0;
}

static int groups_create(cli_ctx *ctx, int argc, char **argv)
{
    return groups_write(ctx, argc, argv, 0);
}

static int groups_update(cli_ctx *ctx, int argc, char **argv)
{
    return groups_write(ctx, argc, argv, 1);
}

/* What deleting a group takes with it: its destination, connectors and webhooks. */
static int group_describe(cli_ctx *ctx, const char *id, char *what, size_t wsize, char *details,
                          size_t dsize, json_t **extra, ftx_error *err)
{
    ftx_group *g = NULL;
    ftx_destination *d = NULL;
    ftx_connector_stream *cs = NULL;
    ftx_webhook_stream *ws = NULL;
    const ftx_connector *c = NULL;
    const ftx_webhook *w = NULL;
    ftx_error e2 = {0};
    long nconn = 0, nhook = 0;
    int rc, crc, wrc;
    size_t n;

    rc = ftx_groups_get(ctx->client, id, &g, err);
    if (rc != FTX_OK)
        return rc;
    snprintf(what, wsize, "group %s (\"%s\")", id, g->name ? g->name : "");
    ftx_group_free(g);
    *extra = json_object();
    /* A group's destination has the group's id. */
    rc = ftx_destinations_get(ctx->client, id, &d, &e2);
    if (rc == FTX_OK) {
        n = (size_t)snprintf(details, dsize, "its destination (%s)\n",
                             d->service ? d->service : "?");
        json_object_set_new(*extra, "destination", json_string(d->service ? d->service : ""));
        ftx_destination_free(d);
    } else if (rc == FTX_ERR_NOT_FOUND) {
        n = (size_t)snprintf(details, dsize, "no destination\n");
    } else {
        n = (size_t)snprintf(details, dsize, "its destination, if any\n");
    }
    if (n >= dsize)
        n = dsize - 1;
    crc = ftx_connectors_stream(ctx->client, id, NULL, &cs, &e2);
    while (crc == FTX_OK && (crc = ftx_connector_stream_next(cs, &c, &e2)) == FTX_OK && c)
        nconn++;
    ftx_connector_stream_free(cs);
    wrc = ftx_webhooks_stream(ctx->client, NULL, &ws, &e2);
    while (wrc == FTX_OK && (wrc = ftx_webhook_stream_next(ws, &w, &e2)) == FTX_OK && w)
        if (w->group_id && strcmp(w->group_id, id) == 0)
            nhook++;
    ftx_webhook_stream_free(ws);
    if (crc == FTX_OK) {
        n += (size_t)snprintf(details + n, dsize - n, "%ld connector%s\n", nconn,
                              nconn == 1 ? "" : "s");
        json_object_set_new(*extra, "connectors", json_integer(nconn));
    } else {
        n += (size_t)snprintf(details + n, dsize - n, "its connectors (could not count them)\n");
    }
    if (n >= dsize)
        n = dsize - 1;
    if (wrc == FTX_OK) {
        snprintf(details + n, dsize - n, "%ld webhook%s\n", nhook, nhook == 1 ? "" : "s");
        json_object_set_new(*extra, "webhooks", json_integer(nhook));
    } else {
        snprintf(details + n, dsize - n, "its webhooks (could not count them)\n");
    }
    return FTX_OK;
}

static int groups_delete(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] =
        "Usage: fivetrex groups delete ID\n"
        "\n"
        "Delete a group; its destination, connectors and webhooks are deleted with it.\n"
        "On a terminal, asks first (showing what goes with it); --yes skips the question,\n"
        "and is required without a terminal. --dry-run prints the request and sends nothing.\n";

    return cli_delete(ctx, argc, argv, help, "groups", "group", "/groups/{}", group_describe,
                      ftx_groups_delete);
}

static int groups_connectors(cli_ctx *ctx, int argc, char **argv)
{
    static const char help[] = "Usage: fivetrex groups connectors ID\n"
                               "\n"
                               "List the connectors of a group (same as 'fivetrex connectors "
                               "list --group ID').\n";
    const char *id = NULL;
    char *args[4];
    int rc = cli_simple_args(ctx, argc, argv, help, 1, &id);

    if (rc)
        return rc < 0 ? 0 : rc;
    args[0] = (char *)"list";
    args[1] = (char *)"--group";
    args[2] = (char *)id;
    args[3] = NULL;
    return cmd_connectors(ctx, 3, args);
}

static const cli_command groups_cmds[] = {
    {"list", "list groups", groups_list, CLI_VERB_READ},
    {"get", "show a group", groups_get, CLI_VERB_READ},
    {"create", "create a group", groups_create, CLI_VERB_WRITE},
    {"update", "rename a group", groups_update, CLI_VERB_WRITE},
    {"delete", "delete a group", groups_delete, CLI_VERB_DESTRUCTIVE},
    {"connectors", "list a group's connectors", groups_connectors, CLI_VERB_READ},
    {NULL, NULL, NULL, 0},
};

int cmd_groups(cli_ctx *ctx, int argc, char **argv)
{
    return cli_dispatch(ctx, "groups", groups_cmds, argc, argv, groups_help);
}
