/*
 * The generated verbs: one row per operation without a hand-written verb
 * (cli/verbs_gen.c, written by tools/gen/cli.py), run by cli/cmd_gen.c.
 */
#ifndef FIVETREX_CLI_GEN_H
#define FIVETREX_CLI_GEN_H

#include "cli.h"

/* Kinds of query parameters and body fields. */
enum {
    CLI_GEN_STRING,  /* as given */
    CLI_GEN_INT,     /* a JSON integer */
    CLI_GEN_NUMBER,  /* a JSON number */
    CLI_GEN_BOOL,    /* true/false (yes/no, 1/0, on/off) */
    CLI_GEN_STRINGS, /* comma-separated: a JSON array of strings */
    CLI_GEN_JSON,    /* the option's value is JSON (objects, arrays of objects) */
    CLI_GEN_FILE,    /* multipart: a file part read from PATH */
};

/* Row flags. */
enum {
    CLI_GEN_V2 = 1 << 0,            /* Accept: application/json;version=2 */
    CLI_GEN_CREATE = 1 << 1,        /* creates: never retried after an ambiguous failure */
    CLI_GEN_HOST_ROOT = 1 << 2,     /* the path is under the host, not the base URL */
    CLI_GEN_NO_BODY = 1 << 3,       /* POST/PATCH without a body */
    CLI_GEN_BODY_REQUIRED = 1 << 4, /* an empty body is a usage error (updates) */
    CLI_GEN_PAGED = 1 << 5,         /* a paged list: --limit/--page, streamed */
    CLI_GEN_DESTRUCTIVE = 1 << 6,   /* asks first (--yes), takes --dry-run */
    CLI_GEN_MULTIPART = 1 << 7,     /* multipart/form-data body (--file PATH) */
    CLI_GEN_BINARY = 1 << 8,        /* binary response (--output PATH) */
    CLI_GEN_MESSAGE = 1 << 9,       /* no data in the response: a message */
    CLI_GEN_ITEMS = 1 << 10,        /* not paged, but the data is {items: [...]} */
    CLI_GEN_MAP = 1 << 11,          /* the body is a map (names chosen by the caller, no
                                       fields): --data only, required */
};

typedef struct cli_gen_param {
    const char *name;         /* as sent: query parameter or body field */
    const char *flag;         /* option name without "--"; NULL: through --data only */
    int kind;                 /* CLI_GEN_STRING... */
    int required;             /* must be given (body: of a create) */
    const char *const *enums; /* closed set (NULL-terminated), or NULL */
} cli_gen_param;

typedef struct cli_gen_verb {
    const char *words;      /* "teams users list": resource, sub-resources, verb */
    const char *op;         /* operation id */
    const char *method;     /* GET, POST, PATCH, PUT, DELETE */
    const char *path;       /* template after the base URL (or the host: HOST_ROOT) */
    const char *const *ids; /* id names in path order ("TEAM_ID") */
    size_t nids;
    unsigned flags; /* CLI_GEN_* */
    const cli_gen_param *query;
    size_t nquery;
    const cli_gen_param *body;
    size_t nbody;
    const char *const *secrets; /* result fields shown as ****** (NULL-terminated) */
    const cli_column *cols;     /* table columns of a list, and their fields */
    const char *const *colf;
    size_t ncols;
    const cli_column *wide; /* -o wide: every scalar field */
    const char *const *widef;
    size_t nwide;
} cli_gen_verb;

extern const cli_gen_verb cli_gen_verbs[];
extern const size_t cli_gen_nverbs;

/* Run the generated verb named by the words of argv under `prefix` ("users", or
 * "connectors" when the hand dispatch did not know the verb). argv[0] is the first word
 * after the prefix. Prints a usage error when no verb matches; returns the exit status. */
int cli_gen_run(cli_ctx *ctx, const char *prefix, int argc, char **argv);
/* Whether a generated verb starts with these words (space-separated). */
int cli_gen_known(const char *prefix);
/* The generated verbs under `prefix`, one a line, for a resource's --help. */
void cli_gen_help(FILE *f, const char *prefix);
/* The resources of generated verbs that have no hand-written command, for --help. */
void cli_gen_resources_help(FILE *f);
/* fivetrex __complete WORD...: the words that may follow (completion). */
int cli_gen_complete(int argc, char **argv);

#endif
