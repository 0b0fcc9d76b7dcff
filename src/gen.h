/*
 * Private to libfivetrex: the tables the generator writes (the files in src/gen/) and the one
 * hand-written interpreter that reads them (src/model.c: decode, free, dup of every
 * generated model, and of the hand-kept models whose tables sit in their own file:
 * groups.c, webhooks.c, destinations.c; src/operation.c: send every generated operation).
 *
 * A generated model is a plain public struct (include/fivetrex/api/models.h) whose
 * layout the descriptor below describes field by field; a generated operation is a
 * thin public function that passes its arguments and its ftx__op to ftx__op_call or
 * ftx__op_list / ftx__op_stream.
 */
#ifndef FIVETREX_GEN_H
#define FIVETREX_GEN_H

#include <stddef.h>

#include <jansson.h>

#include "internal.h"

/* ---- models ---- */

typedef enum ftx__fkind {
    FTX__F_STRING = 1, /* char *: a JSON string (numbers become text); else NULL */
    FTX__F_TIME,       /* ftx_time: ISO-8601 string; iso NULL when absent/null */
    FTX__F_BOOL,       /* int: 1 true, 0 false or absent ("true"/"false" strings ok) */
    FTX__F_INT,        /* long long: a JSON integer ("42" ok); 0 when absent */
    FTX__F_NUMBER,     /* double: any JSON number; 0 when absent */
    FTX__F_JSON,       /* json_t *: borrowed from the model's raw (objects, maps,
                        * polymorphic config, anything untyped); NULL when absent/null */
    FTX__F_STRINGS,    /* char ** (NULL-terminated) + size_t count at count_offset */
    FTX__F_MODEL,      /* pointer to a model (descriptor `model`); NULL when absent or
                        * not an object */
    FTX__F_MODELS      /* pointer array (NULL-terminated) of models + size_t count at
                        * count_offset; entries that are not objects are skipped */
} ftx__fkind;

enum {
    FTX__FF_SECRET = 1 << 0,     /* STRING only: wiped before it is freed (ftx__free_secret);
                                  * the CLI prints "******" */
    FTX__FF_REQUIRED = 1 << 1,   /* absent or not of the kind's JSON type (STRING and TIME:
                                  * a string, BOOL: a boolean, INT: an integer, NUMBER: a
                                  * number, JSON: not null, MODEL: an object, STRINGS and
                                  * MODELS: an array): the decode fails with FTX_ERR_DECODE
                                  * "<model> has no <type> <name>" before anything is built */
    FTX__FF_TRISTATE = 1 << 2,   /* BOOL only: -1 (unknown) rather than 0 when absent, null or
                                  * unreadable */
    FTX__FF_OWNED = 1 << 3,      /* JSON only: the model holds its own reference (released by
                                  * free, taken again by dup), not one borrowed from raw */
    FTX__FF_EMPTY_NULL = 1 << 4, /* STRINGS and MODELS: an empty JSON array gives NULL (count
                                  * 0), and so does the dup of an empty one */
    FTX__FF_ALIAS = 1 << 5       /* another JSON name of the field before it (same offset and
                                  * kind, a pointer kind or TIME): read only when that one
                                  * left the field empty; free and dup skip it */
};

typedef struct ftx__model ftx__model;

typedef struct ftx__field {
    const char *name;        /* JSON key */
    unsigned char kind;      /* ftx__fkind */
    unsigned char flags;     /* FTX__FF_* */
    size_t offset;           /* offsetof(struct, field) */
    size_t count_offset;     /* STRINGS / MODELS: offsetof(struct, <field>_count) */
    const ftx__model *model; /* MODEL / MODELS */
} ftx__field;

/* A model described field by field, or (hand) one with its own hand-written
 * functions, which the interpreter calls instead (ftx_connector and friends). */
/* raw_offset of a model without a raw member (an element such as a setup test). */
#define FTX__NO_RAW ((size_t)-1)

struct ftx__model {
    const char *name;  /* for messages: "user", "team membership" */
    size_t size;       /* sizeof(struct) */
    size_t raw_offset; /* offsetof(struct, raw): json_t *, a reference it owns;
                        * FTX__NO_RAW when the struct has none */
    const ftx__field *fields;
    size_t nfields;
    int (*hand_from_json)(const json_t *json, void **out, ftx_error *err);
    void (*hand_free)(void *obj);
    void *(*hand_dup)(const void *obj);
};

/* Build a model from a JSON object: FTX_OK, FTX_ERR_DECODE ("<name> is not a JSON
 * object", or a FTX__FF_REQUIRED field missing) or FTX_ERR_NOMEM. Lenient per field
 * otherwise, as the hand-written decoders: a value of the wrong type leaves the field
 * empty (raw still has it). */
int ftx__model_decode(const ftx__model *m, const json_t *json, void **out, ftx_error *err);
/* Free a model and everything it owns (secrets wiped). NULL-safe. */
void ftx__model_free(const ftx__model *m, void *obj);
/* Deep copy (raw shared by reference); NULL when out of memory or obj NULL. */
void *ftx__model_dup(const ftx__model *m, const void *obj);
/* The MODELS array of `arr` alone (f->kind MODELS, its model and flags): every object
 * element decoded, others skipped; NULL with *count 0 when not an array (or empty with
 * FTX__FF_EMPTY_NULL). Out of memory sets ctx->oom. For hand models sharing an element
 * model (setup tests). Free with ftx__models_free. */
void **ftx__models_decode(ftx__jctx *ctx, const ftx__field *f, const json_t *arr, size_t *count);
void ftx__models_free(const ftx__model *m, void **items);
/* Every generated model, NULL-terminated (fuzz target, tests). Generated. */
extern const ftx__model *const ftx__models_all[];

/* ---- operations ---- */

typedef enum ftx__qkind {
    FTX__Q_STRING = 1,
    FTX__Q_BOOL, /* value must be "true" or "false" */
    FTX__Q_INT   /* value must be a decimal integer */
} ftx__qkind;

/* A declared query parameter (cursor and limit excluded: ftx_list_options has them). */
typedef struct ftx__qparam {
    const char *name;
    unsigned char kind; /* ftx__qkind */
    unsigned char required;
    const char *const *enum_values; /* closed set, NULL-terminated; NULL: any */
} ftx__qparam;

/* A top-level field of a JSON request body, as far as it is checked before sending. */
typedef enum ftx__bkind {
    FTX__B_ANY = 0,
    FTX__B_STRING,
    FTX__B_BOOL,
    FTX__B_INT,    /* JSON integer */
    FTX__B_NUMBER, /* JSON integer or real */
    FTX__B_OBJECT,
    FTX__B_ARRAY
} ftx__bkind;

typedef struct ftx__bfield {
    const char *name;
    unsigned char kind; /* ftx__bkind */
    unsigned char required;
    const char *const *enum_values; /* closed string enum, NULL-terminated; NULL: open */
    const long long *int_enum;      /* closed integer enum (sync_frequency) or NULL */
    size_t int_enum_count;
} ftx__bfield;

enum {
    FTX__OP_V2 = 1 << 0,            /* Accept: application/json;version=2 */
    FTX__OP_CREATE = 1 << 1,        /* never retried after an ambiguous failure */
    FTX__OP_HOST_ROOT = 1 << 2,     /* path is from the host root (/public/...), not /v1 */
    FTX__OP_NO_BODY = 1 << 3,       /* POST/PATCH sent without body or Content-Type */
    FTX__OP_BODY_REQUIRED = 1 << 4, /* params must be a JSON object (else NULL sends {}) */
    FTX__OP_PAGED = 1 << 5,         /* cursor/limit list: use ftx__op_list/_stream */
    FTX__OP_MESSAGE = 1 << 6        /* 2xx answers {code, message} only: nothing to decode */
};

typedef struct ftx__op {
    const char *id;           /* operationId, e.g. "list_all_users" */
    const char *method;       /* "GET", "POST", "PATCH", "DELETE", "PUT" */
    const char *path;         /* template after the base URL, e.g. "/users/{userId}";
                               * from the host root when FTX__OP_HOST_ROOT */
    unsigned char npath;      /* placeholders in `path` (= the function's id args) */
    unsigned int flags;       /* FTX__OP_* */
    const ftx__qparam *query; /* declared query parameters */
    size_t nquery;
    const ftx__bfield *body; /* checked body fields, NULL when no JSON body */
    size_t nbody;
    const ftx__model *result; /* data (or, when paged, each item); NULL: JSON result
                               * (json_t *) or, with FTX__OP_MESSAGE, none */
} ftx__op;

/*
 * Send `op`: ids[npath] fill the path (each checked and percent-encoded, NULL or empty is
 * FTX_ERR_INVALID_ARGUMENT naming the placeholder); query (n pairs) is checked against
 * op->query (unknown names, kinds, enums, missing required: FTX_ERR_INVALID_ARGUMENT
 * naming the parameter and listing what is valid) and encoded; `params` is checked
 * against op->body (must be an object when FTX__OP_BODY_REQUIRED; NULL sends {} for
 * POST/PATCH otherwise; required fields, kinds and closed enums checked: the error
 * names the field and the valid values; nothing is sent). On 2xx: with op->result,
 * `*out` is a new model (void *); without it and without FTX__OP_MESSAGE, `*out` is a
 * new reference to the data (json_t *); `out` may be NULL only when there is nothing
 * to return. `*out` is NULL on any error.
 */
int ftx__op_call(ftx_client *c, const ftx__op *op, const char *const *ids,
                 const ftx_query_param *query, size_t nquery, const json_t *params, void **out,
                 ftx_error *err);
/* One page of a FTX__OP_PAGED op; opts->filters are checked like `query` above.
 * `*out` is an ftx__page of op->result models (json_t * items when result is NULL). */
int ftx__op_list(ftx_client *c, const ftx__op *op, const char *const *ids,
                 const ftx_list_options *opts, ftx__page **out, ftx_error *err);
int ftx__op_stream(ftx_client *c, const ftx__op *op, const char *const *ids,
                   const ftx_list_options *opts, ftx__stream **out, ftx_error *err);
/* Free an item of op->result's kind (page/stream free_item). */
void ftx__op_free_item(const ftx__op *op, void *item);

/*
 * Query checks shared by ftx__op_call and the pager (list filters). `what` names the
 * operation or list in messages ("/users"), `noun` the kind of parameter ("query
 * parameter", "filter"). Each of q[0..n-1] must have a non-empty name declared in
 * decl[0..ndecl-1] (else the error lists the declared names, or says there are none),
 * given once, with a value of its kind (FTX__Q_BOOL: "true"/"false"; FTX__Q_INT: a
 * decimal integer) and, for a closed set, one of enum_values (listed in the error);
 * every required one must be given. FTX_OK or FTX_ERR_INVALID_ARGUMENT.
 */
int ftx__query_check(const char *what, const char *noun, const ftx__qparam *decl, size_t ndecl,
                     const ftx_query_param *q, size_t n, ftx_error *err);
/* Only the shape: names non-empty, values non-NULL, and not "cursor"/"limit" (the
 * pager's own). For raw lists (ftx_request_stream). */
int ftx__query_check_names(const char *what, const char *noun, const ftx_query_param *q, size_t n,
                           ftx_error *err);
/* Append q[0..n-1] as "name=value" pairs joined by '&' (after a '&' when `b` is not
 * empty and does not end with '?'), both percent-encoded. 0 or -1 (out of memory). */
int ftx__query_encode(ftx__buf *b, const ftx_query_param *q, size_t n);

/* ftx__call_data with a transport variant (http.c): the 2xx body's data unwrapped
 * (ftx__envelope_data; `*out_data` a new reference). */
int ftx__call_data_transport(ftx_client *c, const ftx__request *req, const ftx__transport *t,
                             json_t **out_data, ftx_error *err);

/* Every generated operation, NULL-terminated. Generated. */
extern const ftx__op *const ftx__ops_all[];

#endif
