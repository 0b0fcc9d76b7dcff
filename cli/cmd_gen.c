/*
 * The generated verbs (cli/verbs_gen.c): one runner for every operation without a
 * hand-written verb, through the public ftx_request()/ftx_request_stream() API.
 *
 *   fivetrex <resource> [<sub>...] <verb> [IDS...] [--<filter> V] [--<field> V]
 *            [--data JSON|@FILE|-] [--file PATH] [--output PATH] [--secret-file PATH]
 *
 * Filters and body fields are checked against the row before anything is sent: kinds,
 * closed value sets and required fields are usage errors (exit 2). Secret fields of a
 * result are printed as ******, in JSON and tables alike; --secret-file saves them.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_gen.h"

#define MASK "******"

/* Option ids of a verb: fixed ones, then one per filter and body field. */
enum { G_DATA = 1, G_FILE, G_OUTPUT, G_SECRET_FILE, G_QUERY = 100, G_BODY = 400 };

/* ---- words ---- */

/* Whether the words of `row` start with `prefix` (whole words); sets *exact. */
static int row_under(const cli_gen_verb *row, const char *prefix, int *exact)
{
    size_t n = strlen(prefix);

    *exact = 0;
    if (strncmp(row->words, prefix, n) != 0)
        return 0;
    if (row->words[n] == '\0') {
        *exact = 1;
        return 1;
    }
    return row->words[n] == ' ';
}

int cli_gen_known(const char *prefix)
{
    size_t i;
    int exact;

    for (i = 0; i < cli_gen_nverbs; i++)
        if (row_under(&cli_gen_verbs[i], prefix, &exact))
            return 1;
    return 0;
}

static const char *hand_resources[] = {"groups", "connectors", "destinations", "webhooks", NULL};

static int is_hand_resource(const char *w, size_t n)
{
    size_t i;

    for (i = 0; hand_resources[i]; i++)
        if (strlen(hand_resources[i]) == n && strncmp(hand_resources[i], w, n) == 0)
            return 1;
    return 0;
}

static void print_ids(FILE *f, const cli_gen_verb *row, int *col)
{
    size_t i;

    for (i = 0; i < row->nids; i++)
        *col += fprintf(f, " %s", row->ids[i]);
}

void cli_gen_help(FILE *f, const char *prefix)
{
    size_t i, n = strlen(prefix);
    int exact, any = 0;

    for (i = 0; i < cli_gen_nverbs; i++) {
        const cli_gen_verb *row = &cli_gen_verbs[i];
        int col;
        if (!row_under(row, prefix, &exact) || exact)
            continue;
        if (!any)
            fprintf(f, "\nGenerated verbs (from the API description; '<verb> --help' for each):\n");
        any = 1;
        col = fprintf(f, "  %s", row->words + n + 1);
        print_ids(f, row, &col);
        if (col >= 40) {
            fputc('\n', f);
            col = 0;
        }
        fprintf(f, "%*s %s %s\n", 40 - col, "", row->method, row->path);
    }
}

void cli_gen_resources_help(FILE *f)
{
    size_t i, j;

    for (i = 0; i < cli_gen_nverbs; i++) {
        const char *w = cli_gen_verbs[i].words;
        size_t rl = strcspn(w, " ");
        int col, first = 1;
        char last[64] = "";

        if (i > 0 && strncmp(cli_gen_verbs[i - 1].words, w, rl) == 0 &&
            cli_gen_verbs[i - 1].words[rl] == ' ')
            continue; /* resource already printed */
        col = fprintf(f, "  %-.*s", (int)rl, w);
        if (is_hand_resource(w, rl))
            col += fprintf(f, "%*salso:", col < 17 ? 17 - col : 1, "");
        for (j = i; j < cli_gen_nverbs; j++) {
            const char *v = cli_gen_verbs[j].words;
            size_t sl;
            if (strncmp(v, w, rl) != 0 || v[rl] != ' ')
                break;
            v += rl + 1;
            sl = strcspn(v, " ");
            if (strlen(last) == sl && strncmp(last, v, sl) == 0)
                continue;
            snprintf(last, sizeof(last), "%.*s", (int)sl, v);
            if (first && is_hand_resource(w, rl)) {
                col += fprintf(f, " ");
            } else if (first && col >= 16) {
                fprintf(f, "\n%17s", "");
                col = 17;
            } else if (first) {
                col += fprintf(f, "%*s", 17 - col, "");
            } else if (col + (int)sl + 2 > 88) {
                fprintf(f, ",\n%17s", "");
                col = 17;
            } else {
                col += fprintf(f, ", ");
            }
            col += fprintf(f, "%s", last);
            first = 0;
        }
        fputc('\n', f);
    }
}

int cli_gen_complete(int argc, char **argv)
{
    char prefix[512] = "";
    size_t i, n = 0, k;
    int exact;
    const char *lastw = NULL;
    size_t lastl = 0;

    for (i = 0; i < (size_t)argc; i++) {
        int w = snprintf(prefix + n, sizeof(prefix) - n, "%s%s", n ? " " : "", argv[i]);
        if (w < 0 || (size_t)w >= sizeof(prefix) - n)
            return 0;
        n += (size_t)w;
    }
    for (i = 0; i < cli_gen_nverbs; i++) {
        const cli_gen_verb *row = &cli_gen_verbs[i];
        const char *next;
        size_t l;
        if (n && !row_under(row, prefix, &exact))
            continue;
        if (n && exact) {
            for (k = 0; k < row->nquery; k++)
                printf("--%s\n", row->query[k].flag);
            for (k = 0; k < row->nbody; k++)
                if (row->body[k].flag)
                    printf("--%s\n", row->body[k].flag);
            if ((row->nbody && !(row->flags & CLI_GEN_MULTIPART)) || (row->flags & CLI_GEN_MAP))
                printf("--data\n");
            if (row->flags & CLI_GEN_BINARY)
                printf("--output\n");
            if (row->secrets && !(row->flags & (CLI_GEN_PAGED | CLI_GEN_ITEMS)))
                printf("--secret-file\n");
            return 0;
        }
        next = n ? row->words + n + 1 : row->words;
        l = strcspn(next, " ");
        if (lastw && l == lastl && strncmp(lastw, next, l) == 0)
            continue;
        printf("%.*s\n", (int)l, next);
        lastw = next;
        lastl = l;
    }
    return 0;
}

/* ---- masking ---- */

static int is_secret(const cli_gen_verb *row, const char *key)
{
    const char *const *s;

    for (s = row->secrets; s && *s; s++)
        if (strcmp(*s, key) == 0)
            return 1;
    return 0;
}

/* A copy of `v` with every secret field (at any depth) replaced by "******". */
static json_t *masked(const cli_gen_verb *row, const json_t *v)
{
    json_t *out, *child;
    const char *k;
    size_t i;

    if (!row->secrets)
        return json_incref((json_t *)v);
    if (json_is_object(v)) {
        out = json_object();
        json_object_foreach((json_t *)v, k, child)
        {
            if (is_secret(row, k) && !json_is_null(child))
                json_object_set_new(out, k, json_string(MASK));
            else
                json_object_set_new(out, k, masked(row, child));
        }
        return out;
    }
    if (json_is_array(v)) {
        out = json_array();
        json_array_foreach(v, i, child) json_array_append_new(out, masked(row, child));
        return out;
    }
    return json_incref((json_t *)v);
}

/* Collect the secret fields of `v` (any depth) into `into`. */
static void collect_secrets(const cli_gen_verb *row, const json_t *v, json_t *into)
{
    json_t *child;
    const char *k;
    size_t i;

    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, child)
        {
            if (is_secret(row, k) && !json_is_null(child))
                json_object_set(into, k, child);
            else
                collect_secrets(row, child, into);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, child) collect_secrets(row, child, into);
    }
}

/* ---- help ---- */

static const char *kind_word(int kind)
{
    switch (kind) {
    case CLI_GEN_INT:
        return "N";
    case CLI_GEN_NUMBER:
        return "NUMBER";
    case CLI_GEN_BOOL:
        return "true|false";
    case CLI_GEN_STRINGS:
        return "A,B,...";
    case CLI_GEN_JSON:
        return "JSON";
    case CLI_GEN_FILE:
        return "PATH";
    default:
        return "VALUE";
    }
}

static void help_param(const cli_gen_param *p, int body)
{
    const char *const *e;
    const char *sep = "";
    int col, described = (body && p->flag && strcmp(p->flag, p->name) != 0) || p->required ||
                         p->enums || p->kind == CLI_GEN_JSON || p->kind == CLI_GEN_STRINGS;

    if (p->flag)
        col = printf("  --%s %s", p->flag, kind_word(p->kind));
    else
        col = printf("  \"%s\" (in --data only)", p->name);
    if (!described) {
        putchar('\n');
        return;
    }
    col += printf("%*s", col < 36 ? 36 - col : 1, "");
    if (body && p->flag && strcmp(p->flag, p->name) != 0) {
        col += printf("\"%s\"", p->name);
        sep = "; ";
    }
    if (p->required) {
        col += printf("%srequired", sep);
        sep = "; ";
    }
    if (p->enums) {
        col += printf("%sone of:", sep);
        for (e = p->enums; *e; e++) {
            if (col + (int)strlen(*e) + 1 > 88) {
                col = printf("\n%36s", "") - 1;
            }
            col += printf(" %s", *e);
        }
    } else if (p->kind == CLI_GEN_JSON) {
        printf("%sa JSON value", sep);
    } else if (p->kind == CLI_GEN_STRINGS) {
        printf("%sa comma-separated list", sep);
    }
    putchar('\n');
}

static void verb_help(const cli_gen_verb *row)
{
    size_t i;
    int col;

    col = printf("Usage: %s %s", "fivetrex", row->words);
    print_ids(stdout, row, &col);
    printf("%s\n\n", row->nquery || row->nbody || (row->flags & (CLI_GEN_BINARY | CLI_GEN_MAP))
                         ? " [options]"
                         : "");
    printf("%s %s%s  (operation %s)\n", row->method, row->path,
           row->flags & CLI_GEN_HOST_ROOT ? " (under the API host, not /v1)" : "", row->op);
    if (row->flags & CLI_GEN_PAGED)
        printf("A list: every page is streamed (JSON: one item a line); --limit N and --page\n"
               "CURSOR print one page, its next cursor on stderr.\n");
    if (row->flags & CLI_GEN_DESTRUCTIVE)
        printf("Asks for confirmation on a terminal; --yes skips the question and is required\n"
               "without one. --dry-run prints the request and sends nothing.\n");
    else if (strcmp(row->method, "GET") != 0)
        printf("--dry-run prints the request and sends nothing.\n");
    if (row->flags & CLI_GEN_CREATE)
        printf("Creates an object: never retried after an ambiguous failure (exit 11).\n");
    if (row->nquery) {
        printf("\nFilters:\n");
        for (i = 0; i < row->nquery; i++)
            help_param(&row->query[i], 0);
    }
    if (row->nbody && (row->flags & CLI_GEN_MULTIPART)) {
        printf("\nOptions:\n  --file PATH                       the file to upload "
               "(multipart/form-data)\n");
    } else if (row->nbody) {
        printf("\nBody fields (options override the fields of --data):\n");
        for (i = 0; i < row->nbody; i++)
            help_param(&row->body[i], 1);
        printf("  -d, --data JSON|@FILE|-           the request body, a JSON object\n");
    } else if (row->flags & CLI_GEN_MAP) {
        printf("\nOptions:\n  -d, --data JSON|@FILE|-           the request body (required), a "
               "JSON object\n                                    whose names you choose (see "
               "the API reference)\n");
    }
    if (row->flags & CLI_GEN_BINARY)
        printf("\nOptions:\n  --output PATH                     write the file to PATH ('-': "
               "stdout); for\n                                    this verb --output names the "
               "file, -o the format\n");
    if (row->secrets) {
        printf("\nSecret fields of the result, printed as " MASK ":");
        for (i = 0; row->secrets[i]; i++)
            printf(" %s", row->secrets[i]);
        if (!(row->flags & (CLI_GEN_PAGED | CLI_GEN_ITEMS)))
            printf("\n  --secret-file PATH                save them (JSON) to a new file PATH, "
                   "mode 0600");
        putchar('\n');
    }
    printf("\nGlobal options: see 'fivetrex --help'.\n");
}

/* ---- values ---- */

static int in_enum(const char *const *e, const char *v)
{
    for (; *e; e++)
        if (strcmp(*e, v) == 0)
            return 1;
    return 0;
}

static int enum_error(cli_ctx *ctx, const cli_gen_param *p, const char *v)
{
    char list[1024];
    size_t n = 0;
    const char *const *e;

    list[0] = '\0';
    for (e = p->enums; *e && n + 2 < sizeof(list); e++) {
        int w = snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "", *e);
        if (w < 0)
            break;
        n += (size_t)w;
    }
    if (n >= sizeof(list))
        n = sizeof(list) - 1;
    fprintf(stderr, "%s: %s: %s%s: '", ctx->prog, ctx->cmd, p->flag ? "--" : "",
            p->flag ? p->flag : p->name);
    cli_put_safe(stderr, v);
    fprintf(stderr, "' is not one of: %s\n  try 'fivetrex %s --help'\n", list, ctx->cmd);
    return CLI_EXIT_USAGE;
}

/* The option's text as JSON of the parameter's kind; NULL after a usage error. */
static json_t *value_of(cli_ctx *ctx, const cli_gen_param *p, const char *s, int *rc)
{
    json_t *v = NULL;
    long n;
    double d;
    int b;

    *rc = 0;
    switch (p->kind) {
    case CLI_GEN_INT:
        if (cli_parse_long(s, LONG_MIN, LONG_MAX, &n) == 0)
            v = json_integer((json_int_t)n);
        break;
    case CLI_GEN_NUMBER:
        if (cli_parse_double(s, &d) == 0)
            v = json_real(d);
        break;
    case CLI_GEN_BOOL:
        if (cli_parse_bool(s, &b) == 0)
            v = json_boolean(b);
        break;
    case CLI_GEN_STRINGS: {
        const char *c = s;
        v = json_array();
        while (v && *c) {
            size_t l = strcspn(c, ",");
            json_t *item = l ? json_stringn(c, l) : NULL;
            if (l && !item) {
                json_decref(v);
                v = NULL;
                break;
            }
            if (item)
                json_array_append_new(v, item);
            c += l + (c[l] == ',');
        }
        break;
    }
    case CLI_GEN_JSON: {
        json_error_t jerr;
        v = json_loads(s, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
        if (!v) {
            *rc = cli_usage_error(ctx, ctx->cmd, "--%s: invalid JSON at column %d: %s", p->flag,
                                  jerr.column, jerr.text);
            return NULL;
        }
        break;
    }
    default:
        v = json_string(s);
        break;
    }
    if (!v)
        *rc = cli_usage_error(ctx, ctx->cmd, "--%s wants %s%s", p->flag,
                              p->kind == CLI_GEN_STRING ? "UTF-8 text" : kind_word(p->kind),
                              p->kind == CLI_GEN_INT ? " (an integer)" : "");
    return v;
}

/* Closed sets and required fields of the final body. */
static int check_body(cli_ctx *ctx, const cli_gen_verb *row, const json_t *body)
{
    size_t i, j;

    for (i = 0; i < row->nbody; i++) {
        const cli_gen_param *p = &row->body[i];
        const json_t *v = json_object_get(body, p->name);
        if (p->kind == CLI_GEN_FILE)
            continue;
        if (p->required && (!v || json_is_null(v))) {
            if (p->flag)
                return cli_usage_error(ctx, ctx->cmd,
                                       "missing required field %s: give --%s or \"%s\" in --data",
                                       p->name, p->flag, p->name);
            return cli_usage_error(ctx, ctx->cmd,
                                   "missing required field %s: give \"%s\" in --data", p->name,
                                   p->name);
        }
        if (!p->enums || !v)
            continue;
        if (json_is_string(v) && !in_enum(p->enums, json_string_value(v)))
            return enum_error(ctx, p, json_string_value(v));
        if (json_is_array(v)) {
            for (j = 0; j < json_array_size(v); j++) {
                const json_t *e = json_array_get(v, j);
                if (json_is_string(e) && !in_enum(p->enums, json_string_value(e)))
                    return enum_error(ctx, p, json_string_value(e));
            }
        }
    }
    return 0;
}

/* Append "name=value" (percent-encoded) to the query in `q`. */
static int query_add(char **q, size_t *len, const char *name, const char *value)
{
    size_t need = *len + 3 * (strlen(name) + strlen(value)) + 3, n = *len;
    char *nq = realloc(*q, need);
    const char *parts[2];
    int i;

    if (!nq)
        return -1;
    *q = nq;
    parts[0] = name;
    parts[1] = value;
    nq[n] = n == 0 ? '?' : '&';
    n++;
    for (i = 0; i < 2; i++) {
        const unsigned char *c;
        if (i == 1)
            nq[n++] = '=';
        for (c = (const unsigned char *)parts[i]; *c; c++) {
            if (isalnum(*c) || *c == '-' || *c == '_' || *c == '.' || *c == '~')
                nq[n++] = (char)*c;
            else
                n += (size_t)snprintf(nq + n, need - n, "%%%02X", *c);
        }
    }
    nq[n] = '\0';
    *len = n;
    return 0;
}

/* ---- output ---- */

static const cli_gen_verb *list_row; /* the row a list callback prints (one list a run) */

static void cells_of(const cli_gen_verb *row, const json_t *item, const char *const *fields,
                     size_t n, const char **cells, char (*bufs)[256])
{
    size_t i;

    for (i = 0; i < n; i++) {
        const json_t *v = json_object_get(item, fields[i]);
        if (is_secret(row, fields[i]) && v && !json_is_null(v))
            cells[i] = MASK;
        else if (json_is_boolean(v))
            cells[i] = cli_bool_str(json_is_true(v));
        else
            cells[i] = cli_json_text(v, bufs[i], sizeof(bufs[i]));
    }
}

static void gen_row(cli_table *t, const void *item)
{
    const char *cells[64];
    char bufs[64][256];
    const cli_gen_verb *row = list_row;
    int wide = t->cols == row->wide;
    size_t n = wide ? row->nwide : row->ncols;

    if (n > 64)
        n = 64;
    cells_of(row, item, wide ? row->widef : row->colf, n, cells, bufs);
    cli_table_row(t, cells);
}

static void emit(cli_list *l, const json_t *item)
{
    json_t *m = masked(list_row, item);
    cli_list_emit(l, item, m);
    json_decref(m);
}

/* The path of the page at the list's cursor and limit. */
static char *page_path(const char *path, const ftx_list_options *lo)
{
    char *q = NULL;
    size_t len = 0, pl = strlen(path);
    char num[32], *out;
    int has_q = strchr(path, '?') != NULL;

    if (lo->cursor && query_add(&q, &len, "cursor", lo->cursor) != 0)
        goto oom;
    if (lo->limit > 0) {
        snprintf(num, sizeof(num), "%d", lo->limit);
        if (query_add(&q, &len, "limit", num) != 0)
            goto oom;
    }
    out = malloc(pl + len + 1);
    if (!out)
        goto oom;
    memcpy(out, path, pl);
    if (q) {
        if (has_q)
            q[0] = '&';
        memcpy(out + pl, q, len + 1);
    } else {
        out[pl] = '\0';
    }
    free(q);
    return out;
oom:
    free(q);
    return NULL;
}

static int gen_page(cli_list *l, const ftx_list_options *lo, ftx_error *err)
{
    ftx_request_options ro = FTX_REQUEST_OPTIONS_INIT;
    const char *path = l->userdata;
    char *pp = page_path(path, lo);
    json_t *out = NULL, *data, *items, *item;
    const char *next;
    size_t i;
    int rc;

    if (!pp) {
        snprintf(err->message, sizeof(err->message), "out of memory");
        return FTX_ERR_NOMEM;
    }
    ro.accept_v2 = (list_row->flags & CLI_GEN_V2) != 0;
    rc = ftx_request(l->ctx->client, "GET", pp, NULL, &ro, &out, err);
    free(pp);
    if (rc != FTX_OK)
        return rc;
    data = json_object_get(out, "data");
    items = json_object_get(data, "items");
    json_array_foreach(items, i, item) emit(l, item);
    next = cli_json_str(data, "next_cursor");
    cli_list_page_end(l, next && *next ? next : NULL);
    json_decref(out);
    return FTX_OK;
}

static int gen_stream(cli_list *l, const ftx_list_options *lo, ftx_error *err)
{
    ftx_request_options ro = FTX_REQUEST_OPTIONS_INIT;
    ftx_json_stream *s = NULL;
    const json_t *item = NULL;
    int rc;

    ro.accept_v2 = (list_row->flags & CLI_GEN_V2) != 0;
    rc = ftx_request_stream(l->ctx->client, l->userdata, &ro, lo, &s, err);
    while (rc == FTX_OK && cli_list_more(l) &&
           (rc = ftx_json_stream_next(s, &item, err)) == FTX_OK && item)
        emit(l, item);
    ftx_json_stream_free(s);
    return rc;
}

static void show_object(cli_ctx *ctx, const cli_gen_verb *row, const json_t *data)
{
    json_t *m, *v;
    const char *k;
    char buf[4096];

    if (ctx->format == CLI_FORMAT_JSON || !json_is_object(data)) {
        m = masked(row, data);
        cli_json_doc(m);
        json_decref(m);
        return;
    }
    json_object_foreach((json_t *)data, k, v)
    {
        if (is_secret(row, k) && !json_is_null(v))
            cli_kv(ctx, k, MASK);
        else if (json_is_boolean(v))
            cli_kv(ctx, k, cli_bool_str(json_is_true(v)));
        else {
            m = masked(row, v);
            cli_kv(ctx, k, cli_json_text(m, buf, sizeof(buf)));
            json_decref(m);
        }
    }
    fflush(stdout);
}

static void show_items(cli_ctx *ctx, const cli_gen_verb *row, const json_t *items)
{
    cli_list l;
    const json_t *item;
    size_t i;

    memset(&l, 0, sizeof(l));
    l.ctx = ctx;
    l.row = gen_row;
    list_row = row;
    if (ctx->wide && row->wide)
        cli_table_init(&l.table, ctx, row->wide, row->nwide);
    else
        cli_table_init(&l.table, ctx, row->cols, row->ncols);
    json_array_foreach(items, i, item) emit(&l, item);
    if (ctx->format == CLI_FORMAT_TABLE)
        cli_table_end(&l.table);
    fflush(stdout);
}

static void show_message(cli_ctx *ctx, const json_t *out, const char *fallback)
{
    const char *msg = cli_json_str(out, "message");

    if (!msg || !*msg)
        msg = fallback;
    if (ctx->format == CLI_FORMAT_JSON) {
        json_t *j = json_pack("{s:b, s:s}", "ok", 1, "message", msg);
        if (j)
            cli_json_line(j);
        json_decref(j);
    } else {
        cli_put_safe(stdout, msg);
        fputc('\n', stdout);
    }
    fflush(stdout);
}

static int sink_stdout(const void *data, size_t len, void *userdata)
{
    (void)userdata;
    return fwrite(data, 1, len, stdout) == len ? 0 : -1;
}

/* ---- the runner ---- */

typedef struct gen_args {
    const char *ids[8];
    size_t nids;
    const char *data;
    const char *file;
    const char *output;
    const char *secret_file;
    const char **query; /* value per row->query, or NULL */
    const char **body;  /* value per row->body, or NULL */
} gen_args;

static int parse_args(cli_ctx *ctx, const cli_gen_verb *row, int argc, char **argv, gen_args *a)
{
    cli_opt opts[64];
    size_t n = 0, i;
    cli_parser p;
    int id;

    for (i = 0; i < row->nquery && n < 58; i++)
        opts[n++] = (cli_opt){row->query[i].flag, 0, CLI_ARG_REQUIRED, G_QUERY + (int)i};
    if (row->flags & CLI_GEN_MULTIPART) {
        opts[n++] = (cli_opt){"file", 0, CLI_ARG_REQUIRED, G_FILE};
    } else if (row->nbody) {
        for (i = 0; i < row->nbody && n < 58; i++)
            if (row->body[i].flag)
                opts[n++] = (cli_opt){row->body[i].flag, 0, CLI_ARG_REQUIRED, G_BODY + (int)i};
        opts[n++] = (cli_opt){"data", 'd', CLI_ARG_REQUIRED, G_DATA};
    } else if (row->flags & CLI_GEN_MAP) {
        opts[n++] = (cli_opt){"data", 'd', CLI_ARG_REQUIRED, G_DATA};
    }
    if (row->flags & CLI_GEN_BINARY)
        opts[n++] = (cli_opt){"output", 0, CLI_ARG_REQUIRED, G_OUTPUT};
    if (row->secrets && !(row->flags & (CLI_GEN_PAGED | CLI_GEN_ITEMS)))
        opts[n++] = (cli_opt){"secret-file", 0, CLI_ARG_REQUIRED, G_SECRET_FILE};
    opts[n] = (cli_opt){NULL, 0, CLI_ARG_NONE, 0};

    cli_parser_init(&p, ctx, argc, argv);
    while ((id = cli_getopt(&p, opts)) != CLI_GETOPT_END) {
        switch (id) {
        case CLI_GETOPT_ERROR:
            return CLI_EXIT_USAGE;
        case CLI_GETOPT_HELP:
            verb_help(row);
            return -1;
        case CLI_GETOPT_POSITIONAL:
            if (a->nids >= row->nids || a->nids >= sizeof(a->ids) / sizeof(a->ids[0]))
                return cli_usage_error(ctx, ctx->cmd, "unexpected argument '%s'", p.value);
            a->ids[a->nids++] = p.value;
            break;
        case G_DATA:
            a->data = p.value;
            break;
        case G_FILE:
            a->file = p.value;
            break;
        case G_OUTPUT:
            a->output = p.value;
            break;
        case G_SECRET_FILE:
            if (strcmp(p.value, "-") == 0 || p.value[0] == '\0')
                return cli_usage_error(ctx, ctx->cmd,
                                       "--secret-file wants the path of a new file ('%s' would "
                                       "not be standard output: secrets are never printed)",
                                       p.value);
            a->secret_file = p.value;
            break;
        default:
            if (id >= G_BODY)
                a->body[id - G_BODY] = p.value;
            else if (id >= G_QUERY)
                a->query[id - G_QUERY] = p.value;
            break;
        }
    }
    if (a->nids < row->nids)
        return cli_usage_error(ctx, ctx->cmd, "missing argument: %s", row->ids[a->nids]);
    return 0;
}

/* The query string of the filters and parameters, checked; *rc a usage error. */
static char *build_query(cli_ctx *ctx, const cli_gen_verb *row, const gen_args *a, int *rc)
{
    char *q = NULL;
    size_t len = 0, i;

    *rc = 0;
    for (i = 0; i < row->nquery; i++) {
        const cli_gen_param *p = &row->query[i];
        const char *v = a->query[i];
        long n;
        int b;
        if (!v) {
            if (p->required) {
                *rc = cli_usage_error(ctx, ctx->cmd, "--%s is required", p->flag);
                break;
            }
            continue;
        }
        if (p->kind == CLI_GEN_BOOL) {
            if (cli_parse_bool(v, &b) != 0) {
                *rc = cli_usage_error(ctx, ctx->cmd, "--%s wants true or false", p->flag);
                break;
            }
            v = b ? "true" : "false";
        } else if (p->kind == CLI_GEN_INT && cli_parse_long(v, LONG_MIN, LONG_MAX, &n) != 0) {
            *rc = cli_usage_error(ctx, ctx->cmd, "--%s wants an integer", p->flag);
            break;
        } else if (p->enums && !in_enum(p->enums, v)) {
            *rc = enum_error(ctx, p, v);
            break;
        }
        if (query_add(&q, &len, p->name, v) != 0) {
            *rc = CLI_EXIT_GENERIC;
            break;
        }
    }
    if (*rc) {
        free(q);
        return NULL;
    }
    return q ? q : strdup("");
}

/* The JSON body: --data with the field options over it, checked. */
static int build_body(cli_ctx *ctx, const cli_gen_verb *row, const gen_args *a, json_t **out)
{
    json_t *body = NULL;
    size_t i;
    int rc;

    *out = NULL;
    if (a->data && (rc = cli_load_data(ctx, ctx->cmd, a->data, &body)) != 0)
        return rc;
    body = cli_body(body);
    for (i = 0; i < row->nbody; i++) {
        json_t *v;
        if (!a->body[i])
            continue;
        v = value_of(ctx, &row->body[i], a->body[i], &rc);
        if (!v) {
            json_decref(body);
            return rc;
        }
        json_object_set_new(body, row->body[i].name, v);
    }
    if ((rc = check_body(ctx, row, body)) != 0) {
        json_decref(body);
        return rc;
    }
    if ((row->flags & CLI_GEN_BODY_REQUIRED) && json_object_size(body) == 0) {
        json_decref(body);
        if (row->flags & CLI_GEN_MAP)
            return cli_usage_error(ctx, ctx->cmd, "the body is required: give --data");
        return cli_usage_error(ctx, ctx->cmd, "nothing to change: give a field option or --data");
    }
    *out = body;
    return 0;
}

/* A new file for the secrets, refused when it exists. -1 after a message. */
static int open_secret_file(cli_ctx *ctx, const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

    if (fd < 0)
        fprintf(stderr, "%s: %s: cannot create --secret-file '%s': %s%s\n", ctx->prog, ctx->cmd,
                path, strerror(errno), errno == EEXIST ? " (it is never overwritten)" : "");
    return fd;
}

static int save_secrets(cli_ctx *ctx, const cli_gen_verb *row, int fd, const char *path,
                        const json_t *data)
{
    json_t *s = json_object();
    char *text;
    size_t len;
    int ok;

    collect_secrets(row, data, s);
    text = json_dumps(s, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(s);
    len = text ? strlen(text) : 0;
    ok = text && write(fd, text, len) == (ssize_t)len && write(fd, "\n", 1) == 1;
    if (text) {
        volatile char *p = text;
        while (*p)
            *p++ = 0;
    }
    free(text);
    if (close(fd) != 0)
        ok = 0;
    if (!ok) {
        fprintf(stderr, "%s: %s: writing --secret-file '%s' failed: the secrets are lost\n",
                ctx->prog, ctx->cmd, path);
        return CLI_EXIT_GENERIC;
    }
    return 0;
}

/* The question before a destructive verb: the verb, its ids and the request. */
static int confirm_row(cli_ctx *ctx, const cli_gen_verb *row, const gen_args *a, const char *path)
{
    char action[512], details[2200];
    size_t i, n = (size_t)snprintf(action, sizeof(action), "%s", row->words);

    for (i = 0; i < a->nids && n < sizeof(action); i++)
        n += (size_t)snprintf(action + n, sizeof(action) - n, " %s", a->ids[i]);
    snprintf(details, sizeof(details), "%s %s: it cannot be undone.", row->method, path);
    return cli_confirm(ctx, action, details);
}

/* A paged list: one page (--page, --limit up to 1000) or every page, streamed. */
static int list_run(cli_ctx *ctx, const cli_gen_verb *row, const char *path)
{
    cli_list_spec spec;

    memset(&spec, 0, sizeof(spec));
    spec.what = ctx->cmd;
    spec.noun = "items";
    spec.cols = row->cols;
    spec.ncols = row->ncols;
    spec.row = gen_row;
    spec.page = gen_page;
    spec.stream = gen_stream;
    spec.wide_cols = row->wide;
    spec.nwide = row->nwide;
    spec.wide_row = gen_row;
    list_row = row;
    return cli_list_run(ctx, &spec, path);
}

/* Print the response `out` of a blocking call (secrets masked) and save the secrets to
 * the open --secret-file `sfd` (closed here), if any. Returns the exit status. */
static int show_result(cli_ctx *ctx, const cli_gen_verb *row, const gen_args *a, const json_t *out,
                       int sfd)
{
    const json_t *data = json_object_get(out, "data");
    int rc = 0;

    if (row->flags & CLI_GEN_BINARY) {
        fflush(stdout);
        if (strcmp(a->output, "-") != 0) {
            char msg[600];
            snprintf(msg, sizeof(msg), "Saved %s", a->output);
            show_message(ctx, NULL, msg);
        }
    } else if ((row->flags & CLI_GEN_MESSAGE) || !data) {
        show_message(ctx, out, "Done");
    } else if (row->flags & CLI_GEN_ITEMS) {
        show_items(ctx, row, json_object_get(data, "items"));
    } else {
        show_object(ctx, row, data);
    }
    if (sfd >= 0) {
        rc = save_secrets(ctx, row, sfd, a->secret_file, data);
        if (rc == 0 && ctx->stderr_tty)
            fprintf(stderr, "%s: secrets saved to %s\n", ctx->prog, a->secret_file);
    } else if (row->secrets && !(row->flags & CLI_GEN_ITEMS)) {
        json_t *s = json_object();
        collect_secrets(row, data, s);
        if (json_object_size(s))
            fprintf(stderr,
                    "%s: note: secret fields are shown as " MASK "; --secret-file PATH saves "
                    "them\n",
                    ctx->prog);
        json_decref(s);
    }
    return rc;
}

static int run_row(cli_ctx *ctx, const cli_gen_verb *row, int argc, char **argv)
{
    ftx_request_options ro = FTX_REQUEST_OPTIONS_INIT;
    const char *qv[32] = {NULL}, *bv[64] = {NULL};
    gen_args a;
    ftx_error err = {0};
    ftx_form_part part;
    ftx_response_sink sink;
    json_t *body = NULL, *out = NULL, *shown = NULL;
    char *tmpl_path = NULL, *query = NULL, *path = NULL;
    int rc, sfd = -1, writes = strcmp(row->method, "GET") != 0;

    memset(&a, 0, sizeof(a));
    a.query = qv;
    a.body = bv;
    if (row->nquery > 32 || row->nbody > 64 || row->nids > 8)
        return CLI_EXIT_GENERIC;
    if ((rc = parse_args(ctx, row, argc, argv, &a)) != 0)
        return rc < 0 ? 0 : rc;
    if ((row->flags & CLI_GEN_PAGED) == 0 && (ctx->limit >= 0 || ctx->page))
        return cli_usage_error(ctx, ctx->cmd, "%s applies to lists only",
                               ctx->page ? "--page" : "--limit");
    if ((query = build_query(ctx, row, &a, &rc)) == NULL)
        return rc ? rc : CLI_EXIT_GENERIC;
    if (ftx_path_buildv(&tmpl_path, &err, row->path, a.ids, a.nids) != FTX_OK) {
        free(query);
        return cli_usage_error(ctx, ctx->cmd, "%s", err.message);
    }
    {
        size_t tl = strlen(tmpl_path), ql = strlen(query);
        path = malloc(tl + ql + 1);
        if (!path) {
            rc = CLI_EXIT_GENERIC;
            goto done;
        }
        memcpy(path, tmpl_path, tl);
        memcpy(path + tl, query, ql + 1);
    }

    if (row->flags & CLI_GEN_MULTIPART) {
        if (!a.file) {
            rc = cli_usage_error(ctx, ctx->cmd, "--file PATH is required (the file to upload)");
            goto done;
        }
        if (access(a.file, R_OK) != 0) {
            rc = cli_usage_error(ctx, ctx->cmd, "--file '%s': %s", a.file, strerror(errno));
            goto done;
        }
        memset(&part, 0, sizeof(part));
        part.name = row->nbody ? row->body[0].name : "file";
        part.file_path = a.file;
        ro.form = &part;
        ro.form_count = 1;
        shown = json_pack("{s:s+}", part.name, "@", a.file);
    } else if (row->nbody || (row->flags & CLI_GEN_MAP)) {
        if ((rc = build_body(ctx, row, &a, &body)) != 0)
            goto done;
        shown = json_incref(body);
    } else if (writes && !(row->flags & CLI_GEN_NO_BODY) && strcmp(row->method, "DELETE") != 0) {
        shown = json_object(); /* the client sends {} */
    }
    if ((row->flags & CLI_GEN_BINARY) && !a.output) {
        rc = cli_usage_error(ctx, ctx->cmd, "--output PATH is required ('-' for stdout)");
        goto done;
    }
    ro.accept_v2 = (row->flags & CLI_GEN_V2) != 0;
    ro.creates = (row->flags & CLI_GEN_CREATE) != 0;
    if (row->flags & CLI_GEN_NO_BODY)
        ro.flags |= FTX_REQUEST_NO_BODY;
    if (row->flags & CLI_GEN_HOST_ROOT)
        ro.flags |= FTX_REQUEST_HOST_ROOT;

    if (writes && cli_dry_run(ctx, row->method, path, NULL, shown)) {
        rc = 0;
        goto done;
    }
    if ((row->flags & CLI_GEN_DESTRUCTIVE) && (rc = confirm_row(ctx, row, &a, path)) != 0)
        goto done;
    if ((rc = cli_client(ctx)) != 0)
        goto done;
    if (row->flags & CLI_GEN_PAGED) {
        rc = list_run(ctx, row, path);
        goto done;
    }
    if (a.secret_file && (sfd = open_secret_file(ctx, a.secret_file)) < 0) {
        rc = CLI_EXIT_USAGE;
        goto done;
    }
    if (row->flags & CLI_GEN_BINARY) {
        memset(&sink, 0, sizeof(sink));
        if (strcmp(a.output, "-") == 0)
            sink.write = sink_stdout;
        else
            sink.path = a.output;
        ro.sink = &sink;
    }
    rc = ftx_request(ctx->client, row->method, path, body, &ro, &out, &err);
    if (rc != FTX_OK) {
        rc = cli_fail(ctx, rc, &err, "%s", ctx->cmd);
        goto done;
    }
    rc = show_result(ctx, row, &a, out, sfd);
    sfd = -1;
done:
    if (sfd >= 0) {
        close(sfd);
        unlink(a.secret_file); /* nothing was received: no empty file left behind */
    }
    json_decref(out);
    json_decref(body);
    json_decref(shown);
    ftx_string_free(tmpl_path);
    free(query);
    free(path);
    return rc;
}

static const cli_gen_verb *find_row(const char *words)
{
    size_t i;

    for (i = 0; i < cli_gen_nverbs; i++)
        if (strcmp(cli_gen_verbs[i].words, words) == 0)
            return &cli_gen_verbs[i];
    return NULL;
}

int cli_gen_run(cli_ctx *ctx, const char *prefix, int argc, char **argv)
{
    static char cmd[256];
    cli_parser p;
    int id;

    snprintf(cmd, sizeof(cmd), "%s", prefix);
    ctx->cmd = cmd;
    cli_parser_init(&p, ctx, argc, argv);
    while ((id = cli_getopt(&p, NULL)) != CLI_GETOPT_END) {
        const cli_gen_verb *row;
        char next[256];

        if (id == CLI_GETOPT_ERROR)
            return CLI_EXIT_USAGE;
        if (id == CLI_GETOPT_HELP) {
            printf("Usage: fivetrex %s <verb> [arguments]\n", cmd);
            cli_gen_help(stdout, cmd);
            printf("\nGlobal options: see 'fivetrex --help'.\n");
            return 0;
        }
        if (id != CLI_GETOPT_POSITIONAL)
            continue;
        if ((size_t)snprintf(next, sizeof(next), "%s %s", cmd, p.value) >= sizeof(next) ||
            !cli_gen_known(next))
            return cli_usage_error(ctx, cmd, "unknown command '%s'", p.value);
        snprintf(cmd, sizeof(cmd), "%s", next);
        if ((row = find_row(cmd)) != NULL) {
            ctx->verb_kind = (row->flags & CLI_GEN_DESTRUCTIVE) ? CLI_VERB_DESTRUCTIVE
                             : strcmp(row->method, "GET") == 0  ? CLI_VERB_READ
                                                                : CLI_VERB_WRITE;
            ctx->verb_kind_set = 1;
            if (cli_check_flags(ctx))
                return CLI_EXIT_USAGE;
            return run_row(ctx, row, argc - p.i, argv + p.i);
        }
    }
    fprintf(stderr, "Usage: fivetrex %s <verb> [arguments]\n", cmd);
    cli_gen_help(stderr, cmd);
    return CLI_EXIT_USAGE;
}
