/*
 * fivetrex api [METHOD] PATH [--data ...] [--v2] [--create] [--paginate]
 *
 * Any operation of the API (users, teams, roles, metadata, ...) with the client's
 * credentials, retries and error handling; prints the JSON response.
 */
#include <string.h>

#include "cli.h"

static const char api_help[] =
    "Usage: fivetrex api [METHOD] PATH [options]\n"
    "\n"
    "Send any request to the Fivetran API and print the JSON response (envelope\n"
    "included). PATH is relative to the base URL, e.g. /account/info or\n"
    "/users?active=true; ids in it must be percent-encoded. METHOD is GET, POST, PATCH or\n"
    "DELETE (default: GET, or POST with --data).\n"
    "\n"
    "Options:\n"
    "  -d, --data JSON|@FILE|-   request body\n"
    "  --v2                      Accept: application/json;version=2 (the Connection and\n"
    "                            Destination Management operations)\n"
    "  --create                  the POST creates an object: never retried after an\n"
    "                            ambiguous failure (exit 11)\n"
    "  --paginate                GET a list page by page, printing each item as a JSON\n"
    "                            line (--limit sets the page size)\n"
    "\n"
    "Examples:\n"
    "  fivetrex api /account/info\n"
    "  fivetrex api /users --paginate\n"
    "  fivetrex api PATCH /users/nostalgic_cumin --data '{\"role\":\"Account Reviewer\"}'\n";

enum { O_DATA = 1, O_V2, O_CREATE, O_PAGINATE };

static const cli_opt api_opts[] = {
    {"data", 'd', CLI_ARG_REQUIRED, O_DATA},
    {"v2", 0, CLI_ARG_NONE, O_V2},
    {"create", 0, CLI_ARG_NONE, O_CREATE},
    {"paginate", 0, CLI_ARG_NONE, O_PAGINATE},
    {NULL, 0, CLI_ARG_NONE, 0},
};

static int is_method(const char *s)
{
    return strcmp(s, "GET") == 0 || strcmp(s, "POST") == 0 || strcmp(s, "PATCH") == 0 ||
           strcmp(s, "DELETE") == 0;
}

static int api_paginate(cli_ctx *ctx, const char *path, const ftx_request_options *ro)
{
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx_json_stream *s = NULL;
    const json_t *item = NULL;
    ftx_error err = {0};
    long printed = 0;
    int rc;

    if (ctx->limit > 0)
        lo.limit = ctx->limit > 1000 ? 1000 : (int)ctx->limit;
    lo.cursor = ctx->page;
    rc = ftx_request_stream(ctx->client, path, ro, &lo, &s, &err);
    while (rc == FTX_OK && !ferror(stdout) &&
           (rc = ftx_json_stream_next(s, &item, &err)) == FTX_OK && item != NULL) {
        cli_json_line(item);
        printed++;
    }
    ftx_json_stream_free(s);
    fflush(stdout);
    if (rc != FTX_OK)
        return cli_fail(ctx, rc, &err, "api GET %s (after %ld items)", path, printed);
    return 0;
}

/* argv: the words after "api". */
int cmd_api(cli_ctx *ctx, int argc, char **argv)
{
    ftx_request_options ro = FTX_REQUEST_OPTIONS_INIT;
    const char *pos[2] = {NULL, NULL}, *method, *path, *data_spec = NULL;
    json_t *body = NULL, *out = NULL;
    ftx_error err = {0};
    cli_parser p;
    int id, npos = 0, paginate = 0, rc;

    ctx->cmd = "api";
    cli_parser_init(&p, ctx, argc, argv);
    while ((id = cli_getopt(&p, api_opts)) != CLI_GETOPT_END) {
        switch (id) {
        case CLI_GETOPT_ERROR:
            return CLI_EXIT_USAGE;
        case CLI_GETOPT_HELP:
            fputs(api_help, stdout);
            return 0;
        case CLI_GETOPT_POSITIONAL:
            if (npos == 2)
                return cli_usage_error(ctx, "api", "unexpected argument '%s'", p.value);
            pos[npos++] = p.value;
            break;
        case O_DATA:
            data_spec = p.value;
            break;
        case O_V2:
            ro.accept_v2 = 1;
            break;
        case O_CREATE:
            ro.creates = 1;
            break;
        case O_PAGINATE:
            paginate = 1;
            break;
        default:
            break;
        }
    }
    if (npos == 0)
        return cli_usage_error(ctx, "api", "a PATH is required, e.g. /account/info");
    if (npos == 2 && !is_method(pos[0]))
        return cli_usage_error(ctx, "api", "unknown method '%s': use GET, POST, PATCH or DELETE",
                               pos[0]);
    method = npos == 2 ? pos[0] : data_spec != NULL ? "POST" : "GET";
    path = pos[npos - 1];
    if (paginate && strcmp(method, "GET") != 0)
        return cli_usage_error(ctx, "api", "--paginate goes with GET only");
    if (data_spec != NULL && (rc = cli_load_data(ctx, "api", data_spec, &body)) != 0)
        return rc;
    if ((rc = cli_client(ctx)) != 0) {
        json_decref(body);
        return rc;
    }
    if (paginate)
        return api_paginate(ctx, path, &ro);
    rc = ftx_request(ctx->client, method, path, body, &ro, &out, &err);
    json_decref(body);
    if (rc != FTX_OK)
        return cli_fail(ctx, rc, &err, "api %s %s", method, path);
    if (out != NULL)
        cli_json_doc(out);
    json_decref(out);
    return 0;
}
