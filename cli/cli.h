/*
 * The fivetrex command: declarations shared by the files of cli/.
 * Public API only: nothing here includes src/internal.h.
 */
#ifndef FIVETREX_CLI_H
#define FIVETREX_CLI_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include <fivetrex/fivetrex.h>

/* ---- exit statuses (documented in --help, fivetrex.1 and the README) ---- */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_GENERIC = 1,          /* anything not listed below */
    CLI_EXIT_USAGE = 2,            /* bad command line, invalid --data JSON */
    CLI_EXIT_INVALID = 3,          /* invalid argument/state, 400/422 from the API */
    CLI_EXIT_AUTH = 4,             /* 401, 403, missing credentials */
    CLI_EXIT_NOT_FOUND = 5,        /* 404 */
    CLI_EXIT_CONFLICT = 6,         /* 409 */
    CLI_EXIT_RATE_LIMITED = 7,     /* 429 after retries */
    CLI_EXIT_SERVER = 8,           /* 5xx after retries */
    CLI_EXIT_TRANSPORT = 9,        /* DNS, connect, TLS, timeout, reset */
    CLI_EXIT_DECODE = 10,          /* the response was not the JSON expected */
    CLI_EXIT_OUTCOME_UNKNOWN = 11, /* a create may or may not have happened */
    CLI_EXIT_SYNC_FAILED = 12,     /* sync --wait: the sync ended in failure */
    CLI_EXIT_DEADLINE = 13,        /* sync --wait: the deadline passed */
};

/* ---- command-line options ---- */
typedef enum cli_arg_kind { CLI_ARG_NONE, CLI_ARG_REQUIRED } cli_arg_kind;

typedef struct cli_opt {
    const char *name;  /* long name without "--" */
    char short_name;   /* 0 when none */
    cli_arg_kind kind; /* takes a value? */
    int id;            /* returned by cli_getopt */
} cli_opt;

/* Iterates over argv (after the verb), separating options from positionals. */
typedef struct cli_ctx cli_ctx;

typedef struct cli_parser {
    cli_ctx *ctx; /* global options met among the command's are applied to it */
    int argc;
    char **argv;
    int i;        /* next argv index */
    int only_pos; /* after "--" */
    const char *value;
    const char *arg; /* the option or positional as written, for messages */
} cli_parser;

#define CLI_GETOPT_END        (-1)
#define CLI_GETOPT_POSITIONAL (-2)
#define CLI_GETOPT_ERROR      (-3)
#define CLI_GETOPT_HELP       (-4)

void cli_parser_init(cli_parser *p, cli_ctx *ctx, int argc, char **argv);
/* Next option id, CLI_GETOPT_POSITIONAL (p->value = the word), CLI_GETOPT_END or
 * CLI_GETOPT_ERROR (message already printed, exit 2) or CLI_GETOPT_HELP (-h/--help).
 * Global options (-o, --limit, -v, ...) are accepted anywhere and applied to p->ctx.
 * `opts` ends with a {NULL} entry and may be NULL. */
int cli_getopt(cli_parser *p, const cli_opt *opts);

/* ---- global state of one run ---- */
typedef enum cli_format { CLI_FORMAT_TABLE, CLI_FORMAT_JSON } cli_format;

struct cli_ctx {
    const char *prog;
    const char *api_key;
    const char *api_secret_file;
    const char *base_url;
    const char *ca_file; /* --ca-file: CA bundle instead of the system's */
    char *api_secret;    /* read from a file, wiped on exit */
    cli_format format;
    int format_set;
    int wide;   /* -o wide: tables with every column */
    int color;  /* ANSI colour on stdout */
    int ecolor; /* ANSI colour on stderr */
    int verbose;
    int stdout_tty;
    int stderr_tty;
    long limit;               /* -1: unset */
    const char *page;         /* --page CURSOR */
    double timeout_s;         /* 0: library default */
    int retries;              /* -1: library default */
    int retry_delay_ms;       /* 0: library default */
    const char *profile;      /* --profile NAME */
    int profile_done;         /* cli_profile_apply ran */
    char profile_used[64];    /* the profile found in the config file, or "" */
    char secret_source[4400]; /* where the API secret came from (auth status) */
    char *owned_key;          /* api_key / base_url from the profile (freed at exit) */
    char *owned_url;
    int yes;            /* --yes: destructive verbs do not ask */
    int dry_run;        /* --dry-run: print the request, send nothing */
    int verb_kind;      /* cli_verb_kind of the verb being run */
    int verb_kind_set;  /* verb_kind is known (the verb was dispatched) */
    ftx_client *client; /* created on first use */
    const char *cmd;    /* "groups list", for messages */
    /* While set, called about every 100 ms during the client's sleeps (live progress). */
    void (*tick)(void *userdata);
    void *tick_userdata;
};

/* Create ctx->client from the global options (once). On failure prints the error and
 * returns the exit status; 0 on success. */
int cli_client(cli_ctx *ctx);

/* ---- errors and messages ---- */
/* A library message in the CLI's terms (flags, environment variables), URL userinfo
 * masked. */
void cli_lib_words(const char *msg, char *out, size_t size);
/* Map an ftx_error_type to an exit status. */
int cli_exit_for(int rc);
/* Print "fivetrex: <what>: <message>" plus a hint; returns cli_exit_for(rc). */
int cli_fail(cli_ctx *ctx, int rc, const ftx_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Print a usage error ("fivetrex: ...; try 'fivetrex <cmd> --help'") and return 2. */
int cli_usage_error(cli_ctx *ctx, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cli_warn(cli_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- argument helpers ---- */
/* Parse a verb's arguments when it takes only global options and exactly `npos`
 * positionals (stored in pos[]). Returns 0, -1 when --help was printed (exit 0), or an
 * exit status after printing a usage error. argv[0] is the verb. */
int cli_simple_args(cli_ctx *ctx, int argc, char **argv, const char *help, int npos,
                    const char **pos);
/* Parse a non-negative integer in [min, max]; 0 on success, -1 otherwise. */
int cli_parse_long(const char *s, long min, long max, long *out);
int cli_parse_double(const char *s, double *out);
int cli_parse_bool(const char *s, int *out);
/* --data: "@file", "-" (stdin) or inline JSON. Invalid JSON: prints the position and
 * returns CLI_EXIT_USAGE; *out must be an object. */
int cli_load_data(cli_ctx *ctx, const char *cmd, const char *spec, json_t **out);
/* Read a whole stream (stdin) into a NUL-terminated heap buffer; NULL on failure. */
char *cli_read_all(FILE *f, size_t *len);
/* A body object: the --data object (stolen) or a new empty one. */
json_t *cli_body(json_t *data);

/* ---- output (output.c) ---- */
typedef struct cli_column {
    const char *title;
    int width; /* fixed display width; the last column may overflow */
} cli_column;

typedef struct cli_table {
    cli_ctx *ctx;
    const cli_column *cols;
    size_t ncols;
    int header_done;
    size_t rows;
} cli_table;

void cli_table_init(cli_table *t, cli_ctx *ctx, const cli_column *cols, size_t ncols);
/* Print one row now (the header first if not yet printed). Cells may be NULL ("-"). */
void cli_table_row(cli_table *t, const char *const *cells);
/* Print the header if no row came, and flush. */
void cli_table_end(cli_table *t);

/* --jq (jq.c): compile the filter (errors on stderr; -1), whether one is active, run it
 * on a document (results on stdout, one a line), whether a run failed. */
int cli_jq_compile(const char *prog, const char *filter, int to_terminal);
int cli_jq_active(void);
void cli_jq_run(const json_t *j);
int cli_jq_failed(void);
void cli_jq_free(void);

/* JSON: one compact object per line (lists, streams, events). */
/* Escape non-ASCII in JSON output (set when stdout is a terminal). */
void cli_json_to_terminal(int yes);
void cli_json_line(const json_t *j);
/* JSON: one indented document (single objects). */
void cli_json_doc(const json_t *j);
/* A single object in table mode: "key: value" lines, in the order given. */
void cli_kv(cli_ctx *ctx, const char *key, const char *value);
/* Write `s` to `f` with control characters (C0, C1, DEL), bidi overrides and malformed
 * UTF-8 shown as '?': for text from the server or the command line on a terminal. */
void cli_put_safe(FILE *f, const char *s);
/* The same for the first `n` bytes of `s`. */
void cli_put_safe_n(FILE *f, const char *s, size_t n);
/* Print a message object {"ok":true,"message":...} in JSON, or the text in table mode. */
void cli_done(cli_ctx *ctx, const char *text, const char *id);

/* Text helpers for cells. `buf` receives the text; returns buf. */
const char *cli_bool_str(int v);
const char *cli_json_str(const json_t *obj, const char *key); /* string or NULL */
/* A JSON value as short text (strings unquoted, others compact). */
const char *cli_json_text(const json_t *v, char *buf, size_t size);
/* Colour helpers: return the escape or "" when colour is off. */
const char *cli_c(const cli_ctx *ctx, const char *code);
#define CLI_BOLD   "\033[1m"
#define CLI_DIM    "\033[2m"
#define CLI_RED    "\033[31m"
#define CLI_GREEN  "\033[32m"
#define CLI_YELLOW "\033[33m"
#define CLI_CYAN   "\033[36m"
#define CLI_RESET  "\033[0m"

/* ---- shared verbs (common.c) ---- */
/* cli_simple_args with one ID positional, then cli_client. Returns 0, -1 when --help
 * was printed (exit 0) or an exit status. */
int cli_one_id(cli_ctx *ctx, int argc, char **argv, const char *help, const char **id);
/* cli_getopt for a verb taking one ID and options: --help is printed, the first
 * positional goes to *id and a second one is a usage error (any one when `id` is NULL). Returns an
 * option id (> 0), 0 at the end, or -1 with *status the exit status (0 after --help). */
int cli_next_opt(cli_parser *p, const cli_opt *opts, const char *help, const char **id,
                 int *status);
/* The body of a create/update: the --data object `data` (or a new one) with `flags`
 * (stolen) set over it; a "config" object in both is merged key by key. */
json_t *cli_body_with_flags(json_t *data, json_t *flags);
/* Before a create/update call: an update with an empty `body` is a usage error, then
 * cli_client. On failure `body` is released and the exit status returned; 0 otherwise. */
int cli_body_ready(cli_ctx *ctx, int update, json_t *body);
/* What a delete takes with it, for the question and the final message. `describe` fills
 * `what` (one line: "group X (name)") and `details` (lines: "its destination ...") and
 * may set `extra` (JSON for the result, e.g. counts); returns FTX_OK or the error of
 * looking the object up. */
typedef int (*cli_describe_fn)(cli_ctx *ctx, const char *id, char *what, size_t wsize,
                               char *details, size_t dsize, json_t **extra, ftx_error *err);
/* The whole "<resource> delete ID" verb: --dry-run, the confirmation (see cli_confirm;
 * `describe` may be NULL), `del` on the ID, then "Deleted <noun> ID". `tmpl` is the
 * path with "{}" for the id. */
int cli_delete(cli_ctx *ctx, int argc, char **argv, const char *help, const char *resource,
               const char *noun, const char *tmpl, cli_describe_fn describe,
               int (*del)(ftx_client *client, const char *id, ftx_error *err));

/* A list verb. With --page, or --limit up to 1000, one page is printed (and its next
 * cursor on stderr); otherwise every page is streamed, up to --limit items. */
typedef struct cli_list {
    cli_ctx *ctx;
    cli_table table;
    void (*row)(cli_table *t, const void *item);
    const void *userdata; /* given to cli_list_run */
    long printed;
} cli_list;

typedef struct cli_list_spec {
    const char *what; /* "groups list", in error messages */
    const char *noun; /* "groups", in "(after N groups)" */
    const cli_column *cols;
    size_t ncols;
    void (*row)(cli_table *t, const void *item);
    /* Fetch one page, cli_list_emit its items, then cli_list_page_end. */
    int (*page)(cli_list *l, const ftx_list_options *lo, ftx_error *err);
    /* Stream: cli_list_emit items while cli_list_more. FTX_OK or the error. */
    int (*stream)(cli_list *l, const ftx_list_options *lo, ftx_error *err);
    /* -o wide: every column (NULL: the same as the table) */
    const cli_column *wide_cols;
    size_t nwide;
    void (*wide_row)(cli_table *t, const void *item);
} cli_list_spec;

/* Run a list verb after its arguments were parsed; returns the exit status. */
int cli_list_run(cli_ctx *ctx, const cli_list_spec *spec, const void *userdata);
/* Print one item: its raw JSON on a line, or a table row. */
void cli_list_emit(cli_list *l, const void *item, const json_t *raw);
/* Whether a stream should go on (under --limit, stdout still fine). */
int cli_list_more(const cli_list *l);
/* After the items of a page: end the table, flush, print the next cursor if any. */
void cli_list_page_end(cli_list *l, const char *next_cursor);

/* ---- commands ---- */
typedef enum cli_verb_kind {
    CLI_VERB_READ = 0,    /* only GETs */
    CLI_VERB_WRITE,       /* sends a change: takes --dry-run */
    CLI_VERB_DESTRUCTIVE, /* deletes or re-imports: --dry-run, and asks (or --yes) */
    CLI_VERB_LOCAL,       /* sends nothing to the API (listen, sign, verify) */
    CLI_VERB_NESTED,      /* a sub-resource: its own dispatch decides */
} cli_verb_kind;

typedef struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(cli_ctx *ctx, int argc, char **argv); /* argv[0] = verb */
    int kind;                                        /* cli_verb_kind; 0 = read */
} cli_command;

/* ---- safety catch (safety.c) ---- */
/* --dry-run or --yes on a verb they do not apply to: a usage error (returned), else 0. */
int cli_check_flags(cli_ctx *ctx);
/* With --dry-run: print METHOD, the path (`tmpl` with "{}" replaced by the encoded `id`)
 * and `body` with credential-like fields masked, and return 1 (send nothing). Else 0. */
int cli_dry_run(cli_ctx *ctx, const char *method, const char *tmpl, const char *id,
                const json_t *body);
/* Confirmation of a destructive verb: 0 to go on (--yes, or "y" at the prompt on a
 * terminal), CLI_EXIT_USAGE without a terminal, CLI_EXIT_GENERIC when declined.
 * `action` is one line ("Delete group X"), `details` more lines (may be NULL). */
int cli_confirm(cli_ctx *ctx, const char *action, const char *details);
/* Whether a question can be asked (stdin and stderr are terminals). */
int cli_can_ask(const cli_ctx *ctx);

int cli_dispatch(cli_ctx *ctx, const char *resource, const cli_command *cmds, int argc, char **argv,
                 const char *resource_help);

int cmd_groups(cli_ctx *ctx, int argc, char **argv);
int cmd_connectors(cli_ctx *ctx, int argc, char **argv);
int cmd_destinations(cli_ctx *ctx, int argc, char **argv);
int cmd_webhooks(cli_ctx *ctx, int argc, char **argv);
int cmd_api(cli_ctx *ctx, int argc, char **argv);
int cmd_config(cli_ctx *ctx, int argc, char **argv);
int cmd_auth(cli_ctx *ctx, int argc, char **argv);
/* Apply the profile (--profile, $FIVETRAN_PROFILE or "default") of the config file under
 * the flags and environment: key, base URL, output, and the secret from the credentials
 * file (mode 0600) or secret_command. Once; 0 or an exit status after a message. */
int cli_profile_apply(cli_ctx *ctx);

/* Signal handling for long-running commands (listen, sync --wait). */
void cli_signals_install(void);
int cli_interrupted(void);

#endif
