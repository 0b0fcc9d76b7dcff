/*
 * Verbs shared by several resources: list (one page or a stream), one-ID arguments
 * and delete.
 */
#include <string.h>

#include "cli.h"

int cli_one_id(cli_ctx *ctx, int argc, char **argv, const char *help, const char **id)
{
    int rc = cli_simple_args(ctx, argc, argv, help, 1, id);

    if (rc)
        return rc < 0 ? -1 : rc;
    return cli_client(ctx);
}

int cli_next_opt(cli_parser *p, const cli_opt *opts, const char *help, const char **id, int *status)
{
    for (;;) {
        int opt = cli_getopt(p, opts);

        switch (opt) {
        case CLI_GETOPT_END:
            return 0;
        case CLI_GETOPT_ERROR:
            *status = CLI_EXIT_USAGE;
            return -1;
        case CLI_GETOPT_HELP:
            fputs(help, stdout);
            *status = 0;
            return -1;
        case CLI_GETOPT_POSITIONAL:
            if (id == NULL || *id) {
                *status =
                    cli_usage_error(p->ctx, p->ctx->cmd, "unexpected argument '%s'", p->value);
                return -1;
            }
            *id = p->value;
            break;
        default:
            return opt;
        }
    }
}

json_t *cli_body_with_flags(json_t *data, json_t *flags)
{
    json_t *body = cli_body(data), *v;
    const char *k;

    json_object_foreach(flags, k, v)
    {
        json_t *cur = json_object_get(body, k);

        if (strcmp(k, "config") == 0 && json_is_object(cur))
            json_object_update(cur, v);
        else
            json_object_set(body, k, v);
    }
    json_decref(flags);
    return body;
}

int cli_body_ready(cli_ctx *ctx, int update, json_t *body)
{
    int rc;

    if (update && json_object_size(body) == 0) {
        json_decref(body);
        return cli_usage_error(ctx, ctx->cmd, "nothing to change: give a flag or --data");
    }
    if ((rc = cli_client(ctx)) != 0) {
        json_decref(body);
        return rc;
    }
    return 0;
}

int cli_delete(cli_ctx *ctx, int argc, char **argv, const char *help, const char *resource,
               const char *noun, const char *tmpl, cli_describe_fn describe,
               int (*del)(ftx_client *client, const char *id, ftx_error *err))
{
    const char *id = NULL;
    ftx_error err = {0};
    char msg[1400], what[300], details[1024], action[400];
    json_t *extra = NULL;
    int rc = cli_one_id(ctx, argc, argv, help, &id);

    if (rc)
        return rc < 0 ? 0 : rc;
    if (cli_dry_run(ctx, "DELETE", tmpl, id, NULL))
        return 0;
    snprintf(what, sizeof(what), "%s %s", noun, id);
    details[0] = '\0';
    if (!ctx->yes && !cli_can_ask(ctx)) {
        snprintf(action, sizeof(action), "deleting %s", what);
        return cli_confirm(ctx, action, NULL);
    }
    if (describe) {
        rc = describe(ctx, id, what, sizeof(what), details, sizeof(details), &extra, &err);
        if (rc != FTX_OK) {
            json_decref(extra);
            return cli_fail(ctx, rc, &err, "%s delete %s", resource, id);
        }
    }
    snprintf(action, sizeof(action), "Delete %s?", what);
    if ((rc = cli_confirm(ctx, action, details)) != 0) {
        json_decref(extra);
        return rc;
    }
    rc = del(ctx->client, id, &err);
    if (rc != FTX_OK) {
        json_decref(extra);
        return cli_fail(ctx, rc, &err, "%s delete %s", resource, id);
    }
    if (details[0]) {
        size_t n = (size_t)snprintf(msg, sizeof(msg), "Deleted %s, with ", what);
        const char *s;
        for (s = details; *s && n + 3 < sizeof(msg); s++) {
            if (*s == '\n') {
                if (s[1]) {
                    msg[n++] = ',';
                    msg[n++] = ' ';
                }
            } else {
                msg[n++] = *s;
            }
        }
        msg[n] = '\0';
    } else {
        snprintf(msg, sizeof(msg), "Deleted %s", what);
    }
    if (ctx->format == CLI_FORMAT_JSON) {
        json_t *j = json_pack("{s:b, s:s, s:s}", "ok", 1, "message", msg, "id", id);
        if (j && extra)
            json_object_set(j, "deleted_with", extra);
        if (j)
            cli_json_line(j);
        json_decref(j);
        fflush(stdout);
    } else {
        cli_put_safe(stdout, msg);
        fputc('\n', stdout);
        fflush(stdout);
    }
    json_decref(extra);
    return 0;
}

void cli_list_emit(cli_list *l, const void *item, const json_t *raw)
{
    if (l->ctx->format == CLI_FORMAT_JSON)
        cli_json_line(raw);
    else
        l->row(&l->table, item);
    l->printed++;
}

int cli_list_more(const cli_list *l)
{
    return (l->ctx->limit < 0 || l->printed < l->ctx->limit) && !ferror(stdout);
}

void cli_list_page_end(cli_list *l, const char *next_cursor)
{
    if (l->ctx->format == CLI_FORMAT_TABLE)
        cli_table_end(&l->table);
    fflush(stdout);
    if (next_cursor)
        fprintf(stderr, "next page: --page %s\n", next_cursor);
}

int cli_list_run(cli_ctx *ctx, const cli_list_spec *spec, const void *userdata)
{
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx_error err = {0};
    cli_list l;
    int rc;

    if ((rc = cli_client(ctx)) != 0)
        return rc;
    memset(&l, 0, sizeof(l));
    l.ctx = ctx;
    l.row = spec->row;
    l.userdata = userdata;
    if (ctx->wide && spec->wide_cols) {
        l.row = spec->wide_row;
        cli_table_init(&l.table, ctx, spec->wide_cols, spec->nwide);
    } else {
        cli_table_init(&l.table, ctx, spec->cols, spec->ncols);
    }
    if (ctx->page || (ctx->limit > 0 && ctx->limit <= 1000)) {
        lo.cursor = ctx->page;
        lo.limit = ctx->limit > 0 ? (int)(ctx->limit > 1000 ? 1000 : ctx->limit) : 0;
        rc = spec->page(&l, &lo, &err);
        return rc != FTX_OK ? cli_fail(ctx, rc, &err, "%s", spec->what) : 0;
    }
    lo.limit = ctx->limit > 0 && ctx->limit < 1000 ? (int)ctx->limit : 1000;
    rc = spec->stream(&l, &lo, &err);
    if (ctx->format == CLI_FORMAT_TABLE)
        cli_table_end(&l.table);
    fflush(stdout);
    if (rc != FTX_OK)
        return l.printed
                   ? cli_fail(ctx, rc, &err, "%s (after %ld %s)", spec->what, l.printed, spec->noun)
                   : cli_fail(ctx, rc, &err, "%s", spec->what);
    return 0;
}
