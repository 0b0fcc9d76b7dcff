/*
 * fivetrex api [METHOD] PATH [--data ...] [--v2] [--create] [--paginate]
 *
 * Any operation of the API (users, teams, roles, metadata, ...) with the client's
 * credentials, retries and error handling; prints the JSON response.
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

static const char api_help[] =
    "Usage: fivetrex api [METHOD] PATH [options]\n"
    "\n"
    "Send any request to the Fivetran API and print the JSON response (envelope\n"
    "included). PATH is relative to the base URL, e.g. /account/info, account/info or\n"
    "/users?active=true; ids in it must be percent-encoded. METHOD is GET, POST, PATCH or\n"
    "DELETE, in either case (default: GET, or POST with --data, -f or -F).\n"
    "\n"
    "Options:\n"
    "  -d, --data JSON|@FILE|-   request body\n"
    "  -f, --raw-field KEY=VALUE a string field: in the body (POST/PATCH; over --data)\n"
    "                            or the query string (GET/DELETE); repeatable\n"
    "  -F, --field KEY=VALUE     the same, typed: true, false, null and numbers are JSON,\n"
    "                            @FILE is the file's content, anything else a string\n"
    "  -H, --header 'Accept: V'  only Accept is supported: application/json or\n"
    "                            application/json;version=2 (same as --v2)\n"
    "  --dry-run                 print the request (method, path, body) and send nothing\n"
    "  --v2                      Accept: application/json;version=2 (the Connection and\n"
    "                            Destination Management operations)\n"
    "  --create                  the POST creates an object: never retried after an\n"
    "                            ambiguous failure (exit 11)\n"
    "  --paginate                GET a list page by page, printing each item as a JSON\n"
    "                            line (--limit N stops after N items); without\n"
    "                            --paginate, --limit and --page are refused\n"
    "\n"
    "Examples:\n"
    "  fivetrex api /account/info\n"
    "  fivetrex api /users --paginate\n"
    "  fivetrex api patch users/USER_ID -f role='Account Reviewer'\n"
    "  fivetrex api POST /groups -f name=warehouse --dry-run\n";

enum { O_DATA = 1, O_V2, O_CREATE, O_PAGINATE, O_RAW_FIELD, O_FIELD, O_HEADER };

static const cli_opt api_opts[] = {
    {"data", 'd', CLI_ARG_REQUIRED, O_DATA},
    {"raw-field", 'f', CLI_ARG_REQUIRED, O_RAW_FIELD},
    {"field", 'F', CLI_ARG_REQUIRED, O_FIELD},
    {"header", 'H', CLI_ARG_REQUIRED, O_HEADER},
    {"v2", 0, CLI_ARG_NONE, O_V2},
    {"create", 0, CLI_ARG_NONE, O_CREATE},
    {"paginate", 0, CLI_ARG_NONE, O_PAGINATE},
    {NULL, 0, CLI_ARG_NONE, 0},
};

/* The method in upper case (GET, POST, PATCH, DELETE; any case accepted), or NULL. */
static const char *method_of(const char *s)
{
    static const char *const methods[] = {"GET", "POST", "PATCH", "DELETE"};
    size_t i;

    for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
        if (strcasecmp(s, methods[i]) == 0)
            return methods[i];
    return NULL;
}

/* One -f/-F field into `fields`. Returns 0 or a usage error. */
static int add_field(cli_ctx *ctx, json_t *fields, const char *spec, int typed)
{
    const char *eq = strchr(spec, '=');
    const char *v;
    char key[256];
    json_t *val = NULL;

    if (!eq || eq == spec || (size_t)(eq - spec) >= sizeof(key))
        return cli_usage_error(ctx, "api", "%s wants KEY=VALUE, got '%s'", typed ? "-F" : "-f",
                               spec);
    memcpy(key, spec, (size_t)(eq - spec));
    key[eq - spec] = '\0';
    v = eq + 1;
    if (typed) {
        if (strcmp(v, "true") == 0)
            val = json_true();
        else if (strcmp(v, "false") == 0)
            val = json_false();
        else if (strcmp(v, "null") == 0)
            val = json_null();
        else if (v[0] == '@') {
            FILE *f = fopen(v + 1, "r");
            size_t len = 0;
            char *text = f ? cli_read_all(f, &len) : NULL;
            if (f)
                fclose(f);
            if (!text)
                return cli_usage_error(ctx, "api", "-F %s: cannot read '%s'", key, v + 1);
            val = json_stringn(text, len);
            free(text);
            if (!val)
                return cli_usage_error(ctx, "api", "-F %s: '%s' is not UTF-8 text", key, v + 1);
        } else {
            long n;
            double d;
            if (cli_parse_long(v, LONG_MIN, LONG_MAX, &n) == 0)
                val = json_integer((json_int_t)n);
            else if (cli_parse_double(v, &d) == 0)
                val = json_real(d);
        }
    }
    if (!val)
        val = json_string(v);
    if (!val)
        return cli_usage_error(ctx, "api", "%s %s: the value is not UTF-8 text",
                               typed ? "-F" : "-f", key);
    json_object_set_new(fields, key, val);
    return 0;
}

/* Append the fields to the path as a query string (GET, DELETE). */
static char *path_with_query(const char *path, const json_t *fields)
{
    size_t cap = strlen(path) + 8, n;
    const char *k;
    json_t *v;
    char *out, sep = strchr(path, '?') ? '&' : '?';
    char tmp[64];

    json_object_foreach((json_t *)fields, k, v)
    {
        const char *s = json_is_string(v) ? json_string_value(v) : "";
        cap += 3 * (strlen(k) + strlen(s) + 24) + 2;
    }
    out = malloc(cap);
    if (!out)
        return NULL;
    n = (size_t)snprintf(out, cap, "%s", path);
    json_object_foreach((json_t *)fields, k, v)
    {
        const char *parts[2];
        int i;
        parts[0] = k;
        if (json_is_string(v)) {
            parts[1] = json_string_value(v);
        } else {
            char *d = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
            snprintf(tmp, sizeof(tmp), "%s", d ? d : "");
            free(d);
            parts[1] = tmp;
        }
        out[n++] = sep;
        sep = '&';
        for (i = 0; i < 2; i++) {
            const unsigned char *c;
            if (i == 1)
                out[n++] = '=';
            for (c = (const unsigned char *)parts[i]; *c; c++) {
                if (isalnum(*c) || *c == '-' || *c == '_' || *c == '.' || *c == '~')
                    out[n++] = (char)*c;
                else
                    n += (size_t)snprintf(out + n, cap - n, "%%%02X", *c);
            }
        }
    }
    out[n] = '\0';
    return out;
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
    while (rc == FTX_OK && !ferror(stdout) && (ctx->limit < 0 || printed < ctx->limit) &&
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
/* -H: only the Accept header can be chosen (the library sends the others). */
static int set_header(cli_ctx *ctx, ftx_request_options *ro, const char *h)
{
    const char *colon = strchr(h, ':');
    const char *v;

    if (!colon || (size_t)(colon - h) != 6 || strncasecmp(h, "Accept", 6) != 0)
        return cli_usage_error(ctx, "api",
                               "-H: only 'Accept: application/json[;version=2]' can be set; "
                               "the other headers are the client's");
    for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
        ;
    if (strcmp(v, "application/json;version=2") == 0)
        ro->accept_v2 = 1;
    else if (strcmp(v, "application/json") == 0)
        ro->accept_v2 = 0;
    else
        return cli_usage_error(ctx, "api",
                               "-H Accept: use application/json or application/json;version=2");
    return 0;
}

int cmd_api(cli_ctx *ctx, int argc, char **argv)
{
    ftx_request_options ro = FTX_REQUEST_OPTIONS_INIT;
    const char *pos[2] = {NULL, NULL}, *method, *data_spec = NULL;
    char *path = NULL;
    json_t *body = NULL, *out = NULL, *fields = json_object();
    ftx_error err = {0};
    cli_parser p;
    int id, npos = 0, paginate = 0, rc;

    ctx->cmd = "api";
    ctx->verb_kind = CLI_VERB_WRITE; /* --dry-run applies; --yes does not (api never asks) */
    ctx->verb_kind_set = 1;
    if ((rc = cli_check_flags(ctx)) != 0)
        goto done;
    cli_parser_init(&p, ctx, argc, argv);
    while ((id = cli_getopt(&p, api_opts)) != CLI_GETOPT_END) {
        rc = 0;
        switch (id) {
        case CLI_GETOPT_ERROR:
            rc = CLI_EXIT_USAGE;
            break;
        case CLI_GETOPT_HELP:
            fputs(api_help, stdout);
            rc = -1;
            break;
        case CLI_GETOPT_POSITIONAL:
            if (npos == 2)
                rc = cli_usage_error(ctx, "api", "unexpected argument '%s'", p.value);
            else
                pos[npos++] = p.value;
            break;
        case O_DATA:
            data_spec = p.value;
            break;
        case O_RAW_FIELD:
        case O_FIELD:
            rc = add_field(ctx, fields, p.value, id == O_FIELD);
            break;
        case O_HEADER:
            rc = set_header(ctx, &ro, p.value);
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
        if (rc)
            goto done;
    }
    rc = CLI_EXIT_USAGE;
    if (npos == 0) {
        rc = cli_usage_error(ctx, "api", "a PATH is required, e.g. /account/info");
        goto done;
    }
    method = npos == 2                                 ? method_of(pos[0])
             : (data_spec || json_object_size(fields)) ? "POST"
                                                       : "GET";
    if (!method) {
        rc = cli_usage_error(ctx, "api", "unknown method '%s': use GET, POST, PATCH or DELETE",
                             pos[0]);
        goto done;
    }
    if (paginate && strcmp(method, "GET") != 0) {
        rc = cli_usage_error(ctx, "api", "--paginate goes with GET only");
        goto done;
    }
    if (!paginate && (ctx->limit >= 0 || ctx->page)) {
        rc = cli_usage_error(ctx, "api",
                             "%s goes with --paginate (otherwise put limit= or cursor= in the "
                             "PATH, or use -f limit=N)",
                             ctx->page ? "--page" : "--limit");
        goto done;
    }
    if (data_spec && (strcmp(method, "GET") == 0 || strcmp(method, "DELETE") == 0)) {
        rc = cli_usage_error(ctx, "api", "--data is not sent with %s: use POST or PATCH", method);
        goto done;
    }
    {
        const char *raw = pos[npos - 1];
        size_t len = strlen(raw) + 2;
        path = malloc(len);
        if (!path) {
            rc = CLI_EXIT_GENERIC;
            goto done;
        }
        /* gh's habit: "account/info" is "/account/info". */
        snprintf(path, len, "%s%s", raw[0] == '/' ? "" : "/", raw);
    }
    if (json_object_size(fields) && (strcmp(method, "GET") == 0 || strcmp(method, "DELETE") == 0)) {
        char *q = path_with_query(path, fields);
        if (!q) {
            rc = CLI_EXIT_GENERIC;
            goto done;
        }
        free(path);
        path = q;
    }
    if (data_spec && (rc = cli_load_data(ctx, "api", data_spec, &body)) != 0)
        goto done;
    if (json_object_size(fields) && strcmp(method, "GET") != 0 && strcmp(method, "DELETE") != 0) {
        body = cli_body(body);
        json_object_update(body, fields);
    }
    if (ctx->dry_run) {
        int has_body = strcmp(method, "POST") == 0 || strcmp(method, "PATCH") == 0;
        if (has_body)
            body = cli_body(body); /* the client sends {} for none */
        cli_dry_run(ctx, method, path, NULL, has_body ? body : NULL);
        rc = 0;
        goto done;
    }
    if ((rc = cli_client(ctx)) != 0)
        goto done;
    if (paginate) {
        rc = api_paginate(ctx, path, &ro);
        goto done;
    }
    rc = ftx_request(ctx->client, method, path, body, &ro, &out, &err);
    if (rc != FTX_OK) {
        rc = cli_fail(ctx, rc, &err, "api %s %s", method, path);
        goto done;
    }
    if (out != NULL)
        cli_json_doc(out);
    rc = 0;
done:
    json_decref(out);
    json_decref(body);
    json_decref(fields);
    free(path);
    return rc < 0 ? 0 : rc;
}
