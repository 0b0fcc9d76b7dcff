/*
 * fivetrex: the command-line tool.
 *
 *   fivetrex [global options] <resource> <verb> [arguments]
 *
 * Global options are accepted anywhere on the line (before or after the verb).
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "cli_gen.h"

/* ---- global options ---- */

enum {
    G_API_KEY = 1000,
    G_API_SECRET,
    G_API_SECRET_FILE,
    G_BASE_URL,
    G_CA_FILE,
    G_OUTPUT,
    G_LIMIT,
    G_PAGE,
    G_TIMEOUT,
    G_RETRIES,
    G_RETRY_DELAY,
    G_VERBOSE,
    G_NO_COLOR,
    G_VERSION,
    G_YES,
    G_DRY_RUN,
    G_PROFILE,
    G_JQ,
    G_HELP,
};

static const cli_opt global_opts[] = {
    {"api-key", 0, CLI_ARG_REQUIRED, G_API_KEY},
    {"api-secret", 0, CLI_ARG_REQUIRED, G_API_SECRET},
    {"api-secret-file", 0, CLI_ARG_REQUIRED, G_API_SECRET_FILE},
    {"base-url", 0, CLI_ARG_REQUIRED, G_BASE_URL},
    {"ca-file", 0, CLI_ARG_REQUIRED, G_CA_FILE},
    {"output", 'o', CLI_ARG_REQUIRED, G_OUTPUT},
    {"limit", 0, CLI_ARG_REQUIRED, G_LIMIT},
    {"page", 0, CLI_ARG_REQUIRED, G_PAGE},
    {"timeout", 0, CLI_ARG_REQUIRED, G_TIMEOUT},
    {"retries", 0, CLI_ARG_REQUIRED, G_RETRIES},
    {"retry-delay", 0, CLI_ARG_REQUIRED, G_RETRY_DELAY},
    {"verbose", 'v', CLI_ARG_NONE, G_VERBOSE},
    {"no-color", 0, CLI_ARG_NONE, G_NO_COLOR},
    {"version", 0, CLI_ARG_NONE, G_VERSION},
    {"yes", 'y', CLI_ARG_NONE, G_YES},
    {"dry-run", 0, CLI_ARG_NONE, G_DRY_RUN},
    {"profile", 0, CLI_ARG_REQUIRED, G_PROFILE},
    {"jq", 'q', CLI_ARG_REQUIRED, G_JQ},
    {"help", 'h', CLI_ARG_NONE, G_HELP},
    {NULL, 0, CLI_ARG_NONE, 0},
};

static const char top_help[] =
    "Usage: fivetrex [global options] <resource> <verb> [arguments]\n"
    "\n"
    "Manage Fivetran groups, connectors, destinations and webhooks from the shell.\n"
    "\n"
    "Resources:\n"
    "  groups         list, get, create, update, delete, connectors\n"
    "  connectors     list, get, create, update, delete, sync [--wait], resync, pause,\n"
    "                 resume, state, status, frequency, schema show|update|reload,\n"
    "                 columns, test, connect-card, logs (sync logs: SQL, rows)\n"
    "  destinations   list, get, create, update, delete, test\n"
    "  webhooks       list, get, create, update, delete, test, listen, sign, verify\n"
    "  api            any other API operation: fivetrex api [METHOD] PATH (see --help)\n"
    "  config         list, get KEY, set KEY VALUE: profiles (see 'fivetrex config --help')\n"
    "  auth           status: check the credentials (GET /account/info)\n";

/* After the generated resources (cli_gen_resources_help). */
static const char top_help_tail[] =
    "\n"
    "Global options (accepted anywhere on the line):\n"
    "  --api-key KEY          API key (default: $FIVETRAN_API_KEY)\n"
    "  --api-secret-file PATH read the API secret from PATH ('-' for stdin)\n"
    "                         (default: $FIVETRAN_API_SECRET). --api-secret VALUE is\n"
    "                         refused: argv is visible in ps and shell history.\n"
    "  --base-url URL         API base including /v1 (default: $FIVETRAN_BASE_URL,\n"
    "                         the profile's, then https://api.fivetran.com/v1)\n"
    "  --ca-file PATH         trust the CA certificates in PATH (PEM) instead of the\n"
    "                         system's, e.g. for a fivetrex-sandbox run with --tls-cert\n"
    "  --profile NAME         profile of ~/.config/fivetrex/config (default:\n"
    "                         $FIVETRAN_PROFILE, then 'default'); flags and FIVETRAN_*\n"
    "                         variables override it\n"
    "  -o, --output FORMAT    table, wide (a table with every column) or json\n"
    "                         (default: table on a terminal, else json; lists and\n"
    "                         streams print JSON lines, one object a line)\n"
    "  -q, --jq FILTER        filter JSON output with jq (strings printed raw)\n"
    "  --limit N              list at most N items: up to 1000, one page of N (the next\n"
    "                         page's cursor on stderr); default: every page, streamed\n"
    "  --page CURSOR          list the page starting at CURSOR (next cursor on stderr)\n"
    "  --timeout SECONDS      per-request timeout (default 60)\n"
    "  --retries N            retries after a failed attempt (default 2)\n"
    "  --retry-delay MS       first retry's backoff, doubling after (default 1000);\n"
    "                         a server's Retry-After is always honoured\n"
    "  -v, --verbose          log each request on stderr (method, path, status, ms,\n"
    "                         attempt); credentials are never printed\n"
    "  -y, --yes              do not ask before a delete or resync; without a terminal\n"
    "                         they refuse to run without --yes\n"
    "  --dry-run              print the request of a verb that changes something\n"
    "                         (method, path, body; no credentials) and send nothing\n"
    "  --no-color             no ANSI colours (also $NO_COLOR)\n"
    "  --version              print the version and exit\n"
    "  -h, --help             help; 'fivetrex <resource> --help' and\n"
    "                         'fivetrex <resource> <verb> --help' give more\n"
    "\n"
    "Exit status:\n"
    "   0  success                        7  rate limited (429) after retries\n"
    "   1  other error, declined prompt   8  server error (5xx) after retries\n"
    "   2  usage error, invalid --data,   9  transport error or timeout\n"
    "      no terminal and no --yes      10  response was not the JSON expected\n"
    "   3  invalid argument or state,    11  outcome unknown (a create may exist)\n"
    "      failed setup test, request    12  sync --wait: the sync failed\n"
    "      rejected (400/405/413/414/    13  sync --wait: the deadline passed\n"
    "      422)                         130  interrupted (Ctrl-C)\n"
    "   4  authentication (401/403) or\n"
    "      missing credentials\n"
    "   5  not found (404)\n"
    "   6  conflict (409)\n"
    "\n"
    "Examples:\n"
    "  export FIVETRAN_API_KEY=... FIVETRAN_API_SECRET=...\n"
    "  fivetrex groups list\n"
    "  fivetrex connectors list --group decent_dropsy -o json | jq .id\n"
    "  fivetrex connectors sync my_connector --wait\n"
    "  fivetrex webhooks listen --port 8080 --secret-env WEBHOOK_SECRET\n"
    "\n"
    "See fivetrex(1) for the full reference.\n";

static void top_help_print(FILE *f)
{
    fputs(top_help, f);
    fputs("\nMore resources and verbs, one per API operation (generated; 'fivetrex RESOURCE "
          "--help'):\n",
          f);
    cli_gen_resources_help(f);
    fputs(top_help_tail, f);
}

static int set_global(cli_ctx *ctx, int id, const char *value, const char *as_written)
{
    long n;
    double d;

    switch (id) {
    case G_API_KEY:
        ctx->api_key = value;
        return 0;
    case G_API_SECRET:
        (void)as_written;
        fprintf(stderr,
                "%s: --api-secret is refused: a secret on the command line is visible to "
                "other users (ps) and saved in shell history.\n"
                "  Set FIVETRAN_API_SECRET in the environment, or use --api-secret-file PATH "
                "('-' reads stdin).\n",
                ctx->prog);
        return -1;
    case G_API_SECRET_FILE:
        ctx->api_secret_file = value;
        return 0;
    case G_BASE_URL:
        ctx->base_url = value;
        return 0;
    case G_CA_FILE:
        if (!*value) {
            fprintf(stderr, "%s: --ca-file wants the path of a PEM file\n", ctx->prog);
            return -1;
        }
        ctx->ca_file = value;
        return 0;
    case G_OUTPUT:
        ctx->wide = 0;
        if (strcmp(value, "table") == 0 || strcmp(value, "wide") == 0) {
            ctx->wide = value[0] == 'w';
            if (cli_jq_active()) {
                fprintf(stderr, "%s: --jq filters JSON: it does not go with -o table\n", ctx->prog);
                return -1;
            }
            ctx->format = CLI_FORMAT_TABLE;
        } else if (strcmp(value, "json") == 0) {
            ctx->format = CLI_FORMAT_JSON;
        } else {
            fprintf(stderr, "%s: unknown output format '%s'; use 'table', 'wide' or 'json'\n",
                    ctx->prog, value);
            return -1;
        }
        ctx->format_set = 1;
        return 0;
    case G_LIMIT:
        if (cli_parse_long(value, 1, 100000000L, &n) != 0) {
            fprintf(stderr, "%s: --limit wants a positive integer, got '%s'\n", ctx->prog, value);
            return -1;
        }
        ctx->limit = n;
        return 0;
    case G_PAGE:
        if (!*value) {
            fprintf(stderr, "%s: --page wants a cursor from a previous page\n", ctx->prog);
            return -1;
        }
        ctx->page = value;
        return 0;
    case G_TIMEOUT:
        if (cli_parse_double(value, &d) != 0 || d <= 0 || d > 86400) {
            fprintf(stderr, "%s: --timeout wants seconds between 0 and 86400, got '%s'\n",
                    ctx->prog, value);
            return -1;
        }
        ctx->timeout_s = d;
        return 0;
    case G_RETRIES:
        if (cli_parse_long(value, 0, 100, &n) != 0) {
            fprintf(stderr, "%s: --retries wants an integer 0..100, got '%s'\n", ctx->prog, value);
            return -1;
        }
        ctx->retries = (int)n;
        return 0;
    case G_RETRY_DELAY:
        if (cli_parse_long(value, 1, 60000, &n) != 0) {
            fprintf(stderr, "%s: --retry-delay wants milliseconds 1..60000, got '%s'\n", ctx->prog,
                    value);
            return -1;
        }
        ctx->retry_delay_ms = (int)n;
        return 0;
    case G_VERBOSE:
        ctx->verbose++;
        return 0;
    case G_NO_COLOR:
        ctx->color = 0;
        ctx->ecolor = 0;
        return 0;
    case G_YES:
        ctx->yes = 1;
        return cli_check_flags(ctx) ? -1 : 0;
    case G_DRY_RUN:
        ctx->dry_run = 1;
        return cli_check_flags(ctx) ? -1 : 0;
    case G_JQ:
        if (ctx->format_set && ctx->format == CLI_FORMAT_TABLE) {
            fprintf(stderr, "%s: --jq filters JSON: it does not go with -o table\n", ctx->prog);
            return -1;
        }
        if (cli_jq_compile(ctx->prog, value, ctx->stdout_tty) != 0) {
            fprintf(stderr, "%s: --jq: the filter does not compile\n", ctx->prog);
            return -1;
        }
        ctx->format = CLI_FORMAT_JSON;
        ctx->format_set = 1;
        return 0;
    case G_PROFILE:
        if (!*value || ctx->profile_done) {
            fprintf(stderr, "%s: --profile wants a profile name%s\n", ctx->prog,
                    ctx->profile_done ? ", before the command's arguments are used" : "");
            return -1;
        }
        ctx->profile = value;
        return 0;
    case G_VERSION:
        printf("fivetrex %s (libfivetrex %s)\n", FTX_VERSION, ftx_version());
        exit(0);
    default:
        return -1;
    }
}

/* ---- the option parser ---- */

void cli_parser_init(cli_parser *p, cli_ctx *ctx, int argc, char **argv)
{
    memset(p, 0, sizeof(*p));
    p->ctx = ctx;
    p->argc = argc;
    p->argv = argv;
    p->i = 0;
}

static const cli_opt *find_long(const cli_opt *opts, const char *name, size_t len)
{
    for (; opts && opts->name; opts++) {
        if (strlen(opts->name) == len && strncmp(opts->name, name, len) == 0)
            return opts;
    }
    return NULL;
}

static const cli_opt *find_short(const cli_opt *opts, char c)
{
    for (; opts && opts->name; opts++) {
        if (opts->short_name && opts->short_name == c)
            return opts;
    }
    return NULL;
}

int cli_getopt(cli_parser *p, const cli_opt *opts)
{
    for (;;) {
        const char *a;
        const cli_opt *o = NULL;
        int global = 0;
        const char *inline_val = NULL;

        if (p->i >= p->argc)
            return CLI_GETOPT_END;
        a = p->argv[p->i++];
        p->arg = a;
        p->value = NULL;
        if (p->only_pos || a[0] != '-' || a[1] == '\0') {
            p->value = a;
            return CLI_GETOPT_POSITIONAL;
        }
        if (strcmp(a, "--") == 0) {
            p->only_pos = 1;
            continue;
        }
        if (a[1] == '-') {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            o = find_long(opts, name, len);
            if (!o) {
                o = find_long(global_opts, name, len);
                global = o != NULL;
            }
            if (eq)
                inline_val = eq + 1;
        } else {
            o = find_short(opts, a[1]);
            if (!o) {
                o = find_short(global_opts, a[1]);
                global = o != NULL;
            }
            if (o && a[2] != '\0') {
                if (o->kind == CLI_ARG_NONE) {
                    fprintf(stderr, "%s: -%c...: combined short options are not supported\n",
                            p->ctx->prog, a[1]);
                    return CLI_GETOPT_ERROR;
                }
                inline_val = a + 2;
            }
        }
        if (!o) {
            /* Only the option's name: a mistyped --api-secrets=VALUE must not print the
             * value (a secret, perhaps), nor -XVALUE its attached value. */
            int namelen = a[1] == '-' ? (int)strcspn(a, "=") : 2;
            fprintf(stderr, "%s: %s%sunknown option '", p->ctx->prog,
                    p->ctx->cmd ? p->ctx->cmd : "", p->ctx->cmd ? ": " : "");
            cli_put_safe_n(stderr, a, (size_t)namelen);
            fprintf(stderr, "'%s; try '%s%s%s --help'\n",
                    a[namelen] ? " (its value is not shown)" : "", p->ctx->prog,
                    p->ctx->cmd ? " " : "", p->ctx->cmd ? p->ctx->cmd : "");
            return CLI_GETOPT_ERROR;
        }
        if (o->kind == CLI_ARG_REQUIRED) {
            if (inline_val) {
                p->value = inline_val;
            } else if (p->i < p->argc) {
                p->value = p->argv[p->i++];
            } else {
                fprintf(stderr, "%s: option '%s' needs a value\n", p->ctx->prog, a);
                return CLI_GETOPT_ERROR;
            }
        } else if (inline_val && a[1] == '-') {
            fprintf(stderr, "%s: option '--%s' takes no value\n", p->ctx->prog, o->name);
            return CLI_GETOPT_ERROR;
        }
        if (global) {
            if (o->id == G_HELP)
                return CLI_GETOPT_HELP;
            if (set_global(p->ctx, o->id, p->value, a) != 0)
                return CLI_GETOPT_ERROR;
            continue;
        }
        return o->id;
    }
}

/* ---- messages and exit statuses ---- */

int cli_exit_for(int rc)
{
    switch (rc) {
    case FTX_OK:
        return CLI_EXIT_OK;
    case FTX_ERR_INVALID_ARGUMENT:
    case FTX_ERR_INVALID_STATE:
    case FTX_ERR_BAD_REQUEST:
        return CLI_EXIT_INVALID;
    case FTX_ERR_UNAUTHORIZED:
    case FTX_ERR_FORBIDDEN:
        return CLI_EXIT_AUTH;
    case FTX_ERR_NOT_FOUND:
        return CLI_EXIT_NOT_FOUND;
    case FTX_ERR_CONFLICT:
        return CLI_EXIT_CONFLICT;
    case FTX_ERR_RATE_LIMITED:
        return CLI_EXIT_RATE_LIMITED;
    case FTX_ERR_SERVER:
        return CLI_EXIT_SERVER;
    case FTX_ERR_TRANSPORT:
        return CLI_EXIT_TRANSPORT;
    case FTX_ERR_DECODE:
        return CLI_EXIT_DECODE;
    case FTX_ERR_OUTCOME_UNKNOWN:
        return CLI_EXIT_OUTCOME_UNKNOWN;
    case FTX_ERR_TIMEOUT:
        return CLI_EXIT_DEADLINE;
    default:
        return CLI_EXIT_GENERIC;
    }
}

static const char *hint_for(const cli_ctx *ctx, int rc, const ftx_error *err, char *buf,
                            size_t size)
{
    (void)ctx;
    switch (rc) {
    case FTX_ERR_UNAUTHORIZED:
        return "check the API key and secret ($FIVETRAN_API_KEY, $FIVETRAN_API_SECRET, "
               "--api-key, --api-secret-file)";
    case FTX_ERR_FORBIDDEN:
        return "the key has no permission for this object; use a key with access to it";
    case FTX_ERR_NOT_FOUND:
        if (err && strcmp(err->code, "NotFound_SchemaConfig") == 0)
            return "the schema has not been captured yet: run 'fivetrex connectors schema "
                   "reload ID' first";
        if (err && strcmp(err->code, "NotFound_Route") == 0)
            return "the URL is not an API route the server knows: check the path and the "
                   "base URL (--base-url, $FIVETRAN_BASE_URL, ending in /v1)";
        return "check the id; the list command shows existing ones";
    case FTX_ERR_CONFLICT:
        return "the object's current state forbids this; check its status and try again";
    case FTX_ERR_RATE_LIMITED:
        if (err && err->retry_after >= 0) {
            snprintf(buf, size, "the API asked to wait %ld s before the next request",
                     err->retry_after);
            return buf;
        }
        return "wait a while and try again";
    case FTX_ERR_SERVER:
        return "the API failed; try again later (--retries N allows more attempts)";
    case FTX_ERR_TRANSPORT:
        return "check --base-url / $FIVETRAN_BASE_URL and the network; --timeout raises the "
               "limit";
    case FTX_ERR_DECODE:
        return "the response was not the API's JSON; is the base URL the API's (ending in "
               "/v1)?";
    case FTX_ERR_OUTCOME_UNKNOWN:
        return "the object may have been created: list before creating again to avoid a "
               "duplicate";
    case FTX_ERR_BAD_REQUEST:
        return "the API rejected the request's content; check the fields (--help lists them)";
    default:
        return NULL;
    }
}

/* The library's messages speak of its options (api_key in ftx_client_options,
 * timeout_ms, ftx_path_build()); say it in the CLI's terms, and never echo the userinfo
 * of a URL (https://KEY:SECRET@host). */
void cli_lib_words(const char *msg, char *out, size_t size)
{
    static const char *const words[][2] = {
        {"missing API key: set api_key in ftx_client_options or the FIVETRAN_API_KEY "
         "environment variable",
         "missing API key: set FIVETRAN_API_KEY or use --api-key"},
        {"missing API secret: set api_secret in ftx_client_options or the FIVETRAN_API_SECRET "
         "environment variable",
         "missing API secret: set FIVETRAN_API_SECRET or use --api-secret-file PATH"},
        {"pass base_url or set FIVETRAN_BASE_URL", "use --base-url or $FIVETRAN_BASE_URL"},
        {"raise connect_timeout_ms or check the network", "check the network"},
        {"raise timeout_ms", "raise --timeout"},
        {"build it with ftx_path_build()", "percent-encode the ids in it"},
        {"in ftx_client_options", "in the options"},
        {"ftx_client_options", "the client options"},
    };
    size_t n = 0, i;
    const char *s = msg;

    while (*s && n + 1 < size) {
        int done = 0;
        for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
            size_t l = strlen(words[i][0]);
            if (strncmp(s, words[i][0], l) == 0) {
                n += (size_t)snprintf(out + n, size - n, "%s", words[i][1]);
                if (n >= size)
                    n = size - 1;
                s += l;
                done = 1;
                break;
            }
        }
        if (done)
            continue;
        if (strncmp(s, "://", 3) == 0) {
            /* userinfo: everything up to an '@' before the end of the authority */
            size_t a = strcspn(s + 3, "/?#\" ");
            const char *at = memchr(s + 3, '@', a);
            n += (size_t)snprintf(out + n, size - n, "://%s", at ? "***@" : "");
            if (n >= size)
                n = size - 1;
            s += 3 + (at ? (size_t)(at - (s + 3)) + 1 : 0);
            continue;
        }
        out[n++] = *s++;
    }
    out[n] = '\0';
}

/* HTTP statuses the library leaves as "unknown": a name, a hint and exit status 3. */
static const char *status_label(const ftx_error *err, const char **hint)
{
    if (!err)
        return NULL;
    switch (err->status) {
    case 405:
        *hint = "this operation is not available for this object (for a connector: not for "
                "its type)";
        return "method_not_allowed";
    case 413:
        *hint = "the request is too large: send a smaller body (split the change)";
        return "request_too_large";
    case 414:
        *hint = "the URL is too long: an id or a query value is too long";
        return "uri_too_long";
    default:
        return NULL;
    }
}

int cli_fail(cli_ctx *ctx, int rc, const ftx_error *err, const char *fmt, ...)
{
    char what[256];
    char hb[160];
    const char *hint, *label = NULL, *shint = NULL;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (rc == FTX_ERR_UNKNOWN || rc == FTX_ERR_BAD_REQUEST)
        label = status_label(err, &shint);
    /* `what` may hold ids from the command line: no raw control characters on stderr */
    fprintf(stderr, "%s: ", ctx->prog);
    cli_put_safe(stderr, what);
    fprintf(stderr, ": %s%s%s", ctx->ecolor ? CLI_RED : "", label ? label : ftx_error_type_name(rc),
            ctx->ecolor ? CLI_RESET : "");
    if (err && !err->message[0] && (err->status || err->code[0])) {
        fputs(" (", stderr);
        if (err->status)
            fprintf(stderr, "HTTP %d", err->status);
        if (err->code[0])
            fprintf(stderr, "%s%s", err->status ? ", " : "", err->code);
        fputc(')', stderr);
    }
    if (err && err->message[0]) {
        char msg[sizeof(err->message) + 128];
        cli_lib_words(err->message, msg, sizeof(msg));
        fputs(": ", stderr);
        cli_put_safe(stderr, msg); /* the server's text (C1 controls too) */
    }
    fputc('\n', stderr);
    hint = label ? shint : hint_for(ctx, rc, err, hb, sizeof(hb));
    if (hint)
        fprintf(stderr, "  hint: %s\n", hint);
    return label ? CLI_EXIT_INVALID : cli_exit_for(rc);
}

int cli_usage_error(cli_ctx *ctx, const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: %s%s", ctx->prog, cmd ? cmd : "", cmd ? ": " : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n  try '%s%s%s --help'\n", ctx->prog, cmd ? " " : "", cmd ? cmd : "");
    return CLI_EXIT_USAGE;
}

void cli_warn(cli_ctx *ctx, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: warning: ", ctx->prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ---- argument helpers ---- */

int cli_parse_long(const char *s, long min, long max, long *out)
{
    char *end = NULL;
    long v;

    if (!s || !*s)
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || !end || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_double(const char *s, double *out)
{
    char *end = NULL;
    double v;

    if (!s || !*s)
        return -1;
    errno = 0;
    v = strtod(s, &end);
    if (errno || !end || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int cli_parse_bool(const char *s, int *out)
{
    if (!s)
        return -1;
    if (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "1") || !strcmp(s, "on")) {
        *out = 1;
        return 0;
    }
    if (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "0") || !strcmp(s, "off")) {
        *out = 0;
        return 0;
    }
    return -1;
}

char *cli_read_all(FILE *f, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);

    if (!buf)
        return NULL;
    for (;;) {
        size_t got;
        if (n + 1 >= cap) {
            char *nb;
            if (cap > ((size_t)1 << 30)) {
                free(buf);
                return NULL;
            }
            nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

int cli_load_data(cli_ctx *ctx, const char *cmd, const char *spec, json_t **out)
{
    json_error_t jerr;
    json_t *j = NULL;
    const char *source;

    *out = NULL;
    if (strcmp(spec, "-") == 0 && ctx->api_secret_file && strcmp(ctx->api_secret_file, "-") == 0)
        return cli_usage_error(ctx, cmd,
                               "--data - and --api-secret-file - both read stdin: give one of "
                               "them a file (--data @FILE or --api-secret-file PATH)");
    if (spec[0] == '@') {
        source = spec + 1;
        j = json_load_file(source, JSON_REJECT_DUPLICATES, &jerr);
        if (!j && jerr.line < 0) {
            return cli_usage_error(ctx, cmd, "cannot read --data file '%s': %s", source, jerr.text);
        }
    } else if (strcmp(spec, "-") == 0) {
        size_t len = 0;
        char *text = cli_read_all(stdin, &len);
        source = "stdin";
        if (!text)
            return cli_usage_error(ctx, cmd, "cannot read --data from stdin");
        j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
        free(text);
    } else {
        source = "--data";
        j = json_loads(spec, JSON_REJECT_DUPLICATES, &jerr);
    }
    if (!j) {
        return cli_usage_error(ctx, cmd, "invalid JSON in %s at line %d, column %d: %s", source,
                               jerr.line, jerr.column, jerr.text);
    }
    if (!json_is_object(j)) {
        json_decref(j);
        return cli_usage_error(ctx, cmd, "--data must be a JSON object ({...}), in %s", source);
    }
    *out = j;
    return 0;
}

json_t *cli_body(json_t *data)
{
    return data ? data : json_object();
}

/* Parse a verb that takes no options beyond the global ones and `npos` positionals. */
int cli_simple_args(cli_ctx *ctx, int argc, char **argv, const char *help, int npos,
                    const char **pos)
{
    cli_parser p;
    int id, n = 0;

    cli_parser_init(&p, ctx, argc - 1, argv + 1);
    while ((id = cli_getopt(&p, NULL)) != CLI_GETOPT_END) {
        if (id == CLI_GETOPT_ERROR)
            return CLI_EXIT_USAGE;
        if (id == CLI_GETOPT_HELP) {
            fputs(help, stdout);
            return -1;
        }
        if (n >= npos)
            return cli_usage_error(ctx, ctx->cmd, "unexpected argument '%s'", p.value);
        pos[n++] = p.value;
    }
    if (n < npos)
        return cli_usage_error(ctx, ctx->cmd, "missing argument: %s", "ID");
    return 0;
}

/* ---- the client ---- */

static void observer(const ftx_request_info *info, void *userdata)
{
    cli_ctx *ctx = userdata;
    const char *dim = ctx->ecolor ? CLI_DIM : "";
    const char *reset = ctx->ecolor ? CLI_RESET : "";

    /* info->path is the path and query only: credentials travel in a header that is
     * never handed to the observer. */
    if (info->status)
        fprintf(stderr, "%s* %s %s -> %d in %.1f ms (attempt %d)%s\n", dim, info->method,
                info->path, info->status, info->elapsed_ms, info->attempt, reset);
    else
        fprintf(stderr, "%s* %s %s -> no response (%s) after %.1f ms (attempt %d)%s\n", dim,
                info->method, info->path, ftx_error_type_name(info->error_type), info->elapsed_ms,
                info->attempt, reset);
}

/* The client's sleep: in slices, so a live progress line keeps moving and Ctrl-C is
 * noticed between polls. */
static void cli_sleep(uint64_t ms, void *userdata)
{
    cli_ctx *ctx = userdata;

    while (ms > 0 && !cli_interrupted()) {
        uint64_t step = ms < 100 ? ms : 100;
        struct timespec ts;
        ts.tv_sec = 0;
        ts.tv_nsec = (long)(step * 1000000);
        nanosleep(&ts, NULL);
        ms -= step;
        if (ctx->tick)
            ctx->tick(ctx->tick_userdata);
    }
}

static void wipe(char *s)
{
    if (s) {
        volatile char *p = s;
        while (*p)
            *p++ = 0;
    }
}

static int read_secret_file(cli_ctx *ctx)
{
    FILE *f;
    char *text;
    size_t len = 0;

    if (strcmp(ctx->api_secret_file, "-") == 0) {
        f = stdin;
    } else {
        f = fopen(ctx->api_secret_file, "r");
        if (!f) {
            fprintf(stderr, "%s: cannot read --api-secret-file '%s': %s\n", ctx->prog,
                    ctx->api_secret_file, strerror(errno));
            return CLI_EXIT_AUTH;
        }
    }
    text = cli_read_all(f, &len);
    if (f != stdin)
        fclose(f);
    if (!text) {
        fprintf(stderr, "%s: cannot read --api-secret-file '%s'\n", ctx->prog,
                ctx->api_secret_file);
        return CLI_EXIT_AUTH;
    }
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
        text[--len] = '\0';
    if (len == 0) {
        free(text);
        fprintf(stderr, "%s: --api-secret-file '%s' is empty\n", ctx->prog, ctx->api_secret_file);
        return CLI_EXIT_AUTH;
    }
    ctx->api_secret = text;
    return 0;
}

/* A malformed base URL is a usage error that names it (not an authentication error). */
static int check_base_url(cli_ctx *ctx)
{
    const char *url = ctx->base_url;
    const char *from = "--base-url";
    const char *host;
    char shown[600];

    if (!url || !*url) {
        url = getenv("FIVETRAN_BASE_URL");
        from = "$FIVETRAN_BASE_URL";
    }
    if (!url || !*url)
        return 0;
    if (strncmp(url, "https://", 8) == 0)
        host = url + 8;
    else if (strncmp(url, "http://", 7) == 0)
        host = url + 7;
    else
        host = NULL;
    if (host && *host && *host != '/' && !strpbrk(url, " \t\r\n#") &&
        !memchr(host, '@', strcspn(host, "/?")))
        return 0;
    cli_lib_words(url, shown, sizeof(shown));
    fprintf(stderr, "%s: %s: '", ctx->prog, from);
    cli_put_safe(stderr, shown);
    fprintf(stderr, "' is not a base URL: it must be http:// or https://, a host, and no "
                    "credentials in it\n"
                    "  hint: e.g. --base-url https://api.fivetran.com/v1\n");
    return CLI_EXIT_USAGE;
}

int cli_client(cli_ctx *ctx)
{
    ftx_client_options o = FTX_CLIENT_OPTIONS_INIT;
    ftx_error err = {0};
    int rc;

    if (ctx->client)
        return 0;
    if ((rc = cli_profile_apply(ctx)) != 0)
        return rc;
    if (ctx->api_secret_file && !ctx->api_secret) {
        rc = read_secret_file(ctx);
        if (rc)
            return rc;
    }
    o.api_key = ctx->api_key;
    o.api_secret = ctx->api_secret;
    o.base_url = ctx->base_url;
    o.ca_file = ctx->ca_file;
    o.user_agent_suffix = "fivetrex-cli";
    if (ctx->timeout_s > 0)
        o.timeout_ms = (long)(ctx->timeout_s * 1000.0);
    if (ctx->retries >= 0)
        o.retry.max_attempts = ctx->retries + 1;
    if (ctx->retry_delay_ms > 0)
        o.retry.base_delay_ms = (uint32_t)ctx->retry_delay_ms;
    o.clock.sleep_ms = cli_sleep;
    o.clock.userdata = ctx;
    if (ctx->verbose) {
        o.observer = observer;
        o.observer_userdata = ctx;
    }
    if ((rc = check_base_url(ctx)) != 0)
        return rc;
    rc = ftx_client_new(&ctx->client, &o, &err);
    if (rc != FTX_OK) {
        char msg[sizeof(err.message) + 128];
        cli_lib_words(err.message[0] ? err.message : ftx_error_type_name(rc), msg, sizeof(msg));
        fprintf(stderr, "%s: cannot create the API client: ", ctx->prog);
        cli_put_safe(stderr, msg);
        fputc('\n', stderr);
        if (rc == FTX_ERR_INVALID_ARGUMENT && strstr(err.message, "URL")) {
            fprintf(stderr, "  hint: --base-url (or $FIVETRAN_BASE_URL) is the API's base, e.g. "
                            "https://api.fivetran.com/v1\n");
            return CLI_EXIT_USAGE;
        }
        if (rc == FTX_ERR_INVALID_ARGUMENT) {
            fprintf(stderr, "  hint: set FIVETRAN_API_KEY and FIVETRAN_API_SECRET, use "
                            "--api-key and --api-secret-file, or a profile ('fivetrex config "
                            "--help')\n");
            return CLI_EXIT_AUTH;
        }
        return cli_exit_for(rc);
    }
    return 0;
}

/* ---- signals ---- */

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

void cli_signals_install(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int cli_interrupted(void)
{
    return interrupted != 0;
}

/* ---- dispatch ---- */

int cli_dispatch(cli_ctx *ctx, const char *resource, const cli_command *cmds, int argc, char **argv,
                 const char *resource_help)
{
    cli_parser p;
    const char *verb = NULL;
    int id, i;
    char cmdname[128];

    /* Find the verb: the first positional; global options may come before it. */
    cli_parser_init(&p, ctx, argc, argv);
    ctx->cmd = resource;
    while ((id = cli_getopt(&p, NULL)) != CLI_GETOPT_END) {
        if (id == CLI_GETOPT_ERROR)
            return CLI_EXIT_USAGE;
        if (id == CLI_GETOPT_HELP) {
            fputs(resource_help, stdout);
            cli_gen_help(stdout, resource);
            return 0;
        }
        if (id == CLI_GETOPT_POSITIONAL) {
            verb = p.value;
            break;
        }
    }
    if (!verb) {
        fputs(resource_help, stderr);
        cli_gen_help(stderr, resource);
        return CLI_EXIT_USAGE;
    }
    for (i = 0; cmds[i].name; i++) {
        if (strcmp(cmds[i].name, verb) == 0) {
            snprintf(cmdname, sizeof(cmdname), "%s %s", resource, verb);
            ctx->cmd = cmdname;
            ctx->verb_kind = cmds[i].kind;
            ctx->verb_kind_set = cmds[i].kind != CLI_VERB_NESTED;
            if (cli_check_flags(ctx))
                return CLI_EXIT_USAGE;
            /* The command sees argv from the verb on. */
            return cmds[i].run(ctx, argc - (p.i - 1), argv + (p.i - 1));
        }
    }
    /* Not a hand-written verb: perhaps a generated one ("connectors certificates"). */
    snprintf(cmdname, sizeof(cmdname), "%s %s", resource, verb);
    if (cli_gen_known(cmdname))
        return cli_gen_run(ctx, resource, argc - (p.i - 1), argv + (p.i - 1));
    return cli_usage_error(ctx, resource, "unknown command '%s'", verb);
}

static int ctx_is_tty(int fd)
{
    return isatty(fd) == 1;
}

/* Run a resource's command; argv: the words after the resource. */
static int main_resource(cli_ctx *ctx, const char *resource, int argc, char **argv)
{
    if (strcmp(resource, "groups") == 0 || strcmp(resource, "group") == 0)
        return cmd_groups(ctx, argc, argv);
    if (strcmp(resource, "connectors") == 0 || strcmp(resource, "connector") == 0 ||
        strcmp(resource, "connections") == 0)
        return cmd_connectors(ctx, argc, argv);
    if (strcmp(resource, "destinations") == 0 || strcmp(resource, "destination") == 0)
        return cmd_destinations(ctx, argc, argv);
    if (strcmp(resource, "webhooks") == 0 || strcmp(resource, "webhook") == 0)
        return cmd_webhooks(ctx, argc, argv);
    if (strcmp(resource, "api") == 0)
        return cmd_api(ctx, argc, argv);
    if (strcmp(resource, "config") == 0)
        return cmd_config(ctx, argc, argv);
    if (strcmp(resource, "auth") == 0)
        return cmd_auth(ctx, argc, argv);
    if (cli_gen_known(resource))
        return cli_gen_run(ctx, resource, argc, argv);
    return cli_usage_error(ctx, NULL,
                           "unknown resource '%s'; 'fivetrex --help' lists them (any operation: "
                           "fivetrex api)",
                           resource);
}

int main(int argc, char **argv)
{
    cli_ctx ctx;
    cli_parser p;
    const char *resource = NULL;
    const char *nc = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    int id, rc;

#if defined(__linux__) && defined(PR_SET_DUMPABLE)
    /* The API secret and webhook secrets live in this process's memory: keep them out of
     * core dumps (and /proc/PID/mem of other processes of the user). Best effort. */
    (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
    memset(&ctx, 0, sizeof(ctx));
    ctx.prog = "fivetrex";
    /* Character classes only (display widths of table cells); numbers stay "C". Output
     * is UTF-8 whatever the locale. */
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        (void)setlocale(LC_CTYPE, "");
    ctx.limit = -1;
    ctx.retries = -1;
    ctx.stdout_tty = ctx_is_tty(STDOUT_FILENO);
    ctx.stderr_tty = ctx_is_tty(STDERR_FILENO);
    cli_json_to_terminal(ctx.stdout_tty);
    ctx.format = ctx.stdout_tty ? CLI_FORMAT_TABLE : CLI_FORMAT_JSON;
    {
        int colour_ok = !(nc && *nc) && !(term && strcmp(term, "dumb") == 0);
        ctx.color = colour_ok && ctx.stdout_tty;
        ctx.ecolor = colour_ok && ctx.stderr_tty;
    }
    signal(SIGPIPE, SIG_IGN);
    /* Line-buffered even into a pipe: lists and streams are consumed as they arrive
     * (one JSON object or table row a line), not when the last page has come. */
    setvbuf(stdout, NULL, _IOLBF, 0);

    cli_parser_init(&p, &ctx, argc - 1, argv + 1);
    while ((id = cli_getopt(&p, NULL)) != CLI_GETOPT_END) {
        if (id == CLI_GETOPT_ERROR)
            return CLI_EXIT_USAGE;
        if (id == CLI_GETOPT_HELP) {
            top_help_print(stdout);
            return 0;
        }
        if (id == CLI_GETOPT_POSITIONAL) {
            resource = p.value;
            break;
        }
    }
    if (!resource) {
        top_help_print(stderr);
        return CLI_EXIT_USAGE;
    }
    {
        int sub_argc = argc - 1 - p.i;
        char **sub_argv = argv + 1 + p.i;
        if (strcmp(resource, "__complete") == 0) {
            /* bash completion: the words that may follow (cli/completion.bash) */
            rc = cli_gen_complete(sub_argc, sub_argv);
        } else if (strcmp(resource, "help") == 0) {
            /* "fivetrex help connectors [verb]" is "fivetrex connectors [verb] --help" */
            static char help_flag[] = "--help";
            char *hargv[8];
            int n = 0;
            while (n < sub_argc && n < 6 && sub_argv[n][0] != '-') {
                hargv[n] = sub_argv[n];
                n++;
            }
            if (n == 0) {
                top_help_print(stdout);
                rc = 0;
            } else {
                hargv[n] = help_flag;
                hargv[n + 1] = NULL;
                if (strcmp(hargv[0], "help") == 0) {
                    top_help_print(stdout);
                    rc = 0;
                } else {
                    rc = main_resource(&ctx, hargv[0], n, hargv + 1);
                }
            }
        } else {
            rc = main_resource(&ctx, resource, sub_argc, sub_argv);
        }
    }
    fflush(stdout);
    if (ferror(stdout) && rc == 0 && errno != EPIPE)
        rc = CLI_EXIT_GENERIC;
    if (rc == 0 && cli_jq_failed())
        rc = CLI_EXIT_GENERIC;
    cli_jq_free();
    ftx_client_free(ctx.client);
    free(ctx.owned_key);
    free(ctx.owned_url);
    if (ctx.api_secret) {
        wipe(ctx.api_secret);
        free(ctx.api_secret);
    }
    return rc;
}
