/*
 * The one executor of the generated operations (gen.h): path from the ids, query and
 * body checked against the operation's declaration before anything is sent, then the
 * call (ftx__call's retries, Accept, the create rule, the transport variants) and the
 * decode of its data into the operation's result model. Lists go through the one
 * pager (stream.c), with the operation's query parameters as its declared filters.
 */
#include <stdio.h>
#include <string.h>

#include "gen.h"

/* "a, b, c" into dst (truncated to fit, never cut in a name's middle silently: the
 * message says "..." then). */
static void join(char *dst, size_t cap, const char *const *names, size_t n)
{
    size_t len = 0, i;

    dst[0] = '\0';
    for (i = 0; i < n; i++) {
        int w = snprintf(dst + len, cap - len, "%s%s", i ? ", " : "", names[i]);

        if (w < 0 || (size_t)w >= cap - len) {
            if (cap > 4)
                memcpy(dst + (len < cap - 4 ? len : cap - 4), "...", 4);
            return;
        }
        len += (size_t)w;
    }
}

static size_t strv_len(const char *const *v)
{
    size_t n = 0;

    while (v != NULL && v[n] != NULL)
        n++;
    return n;
}

/* The declared names of decl, joined. */
static void decl_names(char *dst, size_t cap, const ftx__qparam *decl, size_t ndecl)
{
    const char *names[64];
    size_t i, n = ndecl < 64 ? ndecl : 64;

    for (i = 0; i < n; i++)
        names[i] = decl[i].name;
    join(dst, cap, names, n);
}

static int is_decimal(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    if (*s == '\0')
        return 0;
    for (; *s != '\0'; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static int in_strv(const char *const *v, const char *s)
{
    for (; v != NULL && *v != NULL; v++)
        if (strcmp(*v, s) == 0)
            return 1;
    return 0;
}

int ftx__query_check_names(const char *what, const char *noun, const ftx_query_param *q, size_t n,
                           ftx_error *err)
{
    size_t i;

    if (n > 0 && q == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "%s: %zu %ss given but the array is NULL", what, n, noun);
    for (i = 0; i < n; i++) {
        if (q[i].name == NULL || q[i].name[0] == '\0')
            return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "%s: %s %zu has no name", what,
                                  noun, i);
        if (q[i].value == NULL)
            return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "%s: %s \"%.100s\" has no value",
                                  what, noun, q[i].name);
        if (strcmp(q[i].name, "cursor") == 0 || strcmp(q[i].name, "limit") == 0)
            return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                                  "%s: \"%s\" is not a %s: set ftx_list_options.%s instead", what,
                                  q[i].name, noun, q[i].name);
    }
    return FTX_OK;
}

int ftx__query_check(const char *what, const char *noun, const ftx__qparam *decl, size_t ndecl,
                     const ftx_query_param *q, size_t n, ftx_error *err)
{
    char list[256];
    size_t i, j;

    if (n > 0 && q == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "%s: %zu %ss given but the array is NULL", what, n, noun);
    for (i = 0; i < n; i++) {
        const ftx__qparam *d = NULL;

        if (q[i].name == NULL || q[i].name[0] == '\0')
            return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "%s: %s %zu has no name", what,
                                  noun, i);
        for (j = 0; j < ndecl && d == NULL; j++)
            if (strcmp(decl[j].name, q[i].name) == 0)
                d = &decl[j];
        if (d == NULL) {
            if (ndecl == 0)
                return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                                      "%s: unknown %s \"%.100s\": it takes no %ss", what, noun,
                                      q[i].name, noun);
            decl_names(list, sizeof(list), decl, ndecl);
            return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                                  "%s: unknown %s \"%.100s\"; valid: %s", what, noun, q[i].name,
                                  list);
        }
        for (j = 0; j < i; j++)
            if (strcmp(q[j].name, q[i].name) == 0)
                return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                                      "%s: %s \"%s\" is given more than once", what, noun, d->name);
        if (q[i].value == NULL)
            return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "%s: %s \"%s\" has no value", what,
                                  noun, d->name);
        if (d->kind == FTX__Q_BOOL && strcmp(q[i].value, "true") != 0 &&
            strcmp(q[i].value, "false") != 0)
            return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                                  "%s: %s \"%s\" must be true or false, got \"%.100s\"", what, noun,
                                  d->name, q[i].value);
        if (d->kind == FTX__Q_INT && !is_decimal(q[i].value))
            return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                                  "%s: %s \"%s\" must be a decimal integer, got \"%.100s\"", what,
                                  noun, d->name, q[i].value);
        if (d->enum_values != NULL && !in_strv(d->enum_values, q[i].value)) {
            join(list, sizeof(list), d->enum_values, strv_len(d->enum_values));
            return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                                  "%s: %s \"%s\" must be one of %s, got \"%.100s\"", what, noun,
                                  d->name, list, q[i].value);
        }
    }
    for (j = 0; j < ndecl; j++) {
        int given = 0;

        if (!decl[j].required)
            continue;
        for (i = 0; i < n && !given; i++)
            given = strcmp(q[i].name, decl[j].name) == 0;
        if (!given)
            return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "%s: %s \"%s\" is required", what,
                                  noun, decl[j].name);
    }
    return FTX_OK;
}

int ftx__query_encode(ftx__buf *b, const ftx_query_param *q, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if ((b->len > 0 && b->ptr[b->len - 1] != '?' && ftx__buf_append(b, "&", 1) < 0) ||
            ftx__buf_put_encoded(b, q[i].name) < 0 || ftx__buf_append(b, "=", 1) < 0 ||
            ftx__buf_put_encoded(b, q[i].value) < 0)
            return -1;
    }
    return 0;
}

/* ---- body ---- */

static const char *json_kind_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

static int kind_ok(unsigned kind, const json_t *v)
{
    switch (kind) {
    case FTX__B_STRING:
        return json_is_string(v);
    case FTX__B_BOOL:
        return json_is_boolean(v);
    case FTX__B_INT:
        return json_is_integer(v);
    case FTX__B_NUMBER:
        return json_is_number(v);
    case FTX__B_OBJECT:
        return json_is_object(v);
    case FTX__B_ARRAY:
        return json_is_array(v);
    default:
        return 1;
    }
}

static const char *const bkind_names[] = {"anything", "a string",  "a boolean", "an integer",
                                          "a number", "an object", "an array"};

static int has_json_body(const ftx__op *op)
{
    return !(op->flags & FTX__OP_NO_BODY) &&
           (strcmp(op->method, "POST") == 0 || strcmp(op->method, "PATCH") == 0 ||
            strcmp(op->method, "PUT") == 0);
}

/* params against op->body; `what` names the operation. Nothing is sent on error. */
static int check_body(const char *what, const ftx__op *op, const json_t *params, ftx_error *err)
{
    char list[256];
    size_t i;

    if (!has_json_body(op)) {
        if (params != NULL)
            return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                                  "%s takes no request body: params must be NULL", what);
        return FTX_OK;
    }
    if (params != NULL && !json_is_object(params))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "%s: params must be a JSON object, got %s", what,
                              json_kind_name(params));
    if (params == NULL && (op->flags & FTX__OP_BODY_REQUIRED))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "%s: params must be a JSON object (the request body is required)",
                              what);
    for (i = 0; i < op->nbody; i++) {
        const ftx__bfield *f = &op->body[i];
        const json_t *v = params != NULL ? json_object_get(params, f->name) : NULL;

        if (v == NULL || json_is_null(v)) {
            if (f->required)
                return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                                      "%s: params field \"%s\" is required", what, f->name);
            continue;
        }
        if (!kind_ok(f->kind, v))
            return ftx__error_set(
                err, FTX_ERR_INVALID_ARGUMENT, "%s: params field \"%s\" must be %s, got %s", what,
                f->name,
                f->kind < sizeof(bkind_names) / sizeof(bkind_names[0]) ? bkind_names[f->kind] : "?",
                json_kind_name(v));
        if (f->enum_values != NULL && json_is_string(v) &&
            !in_strv(f->enum_values, json_string_value(v))) {
            join(list, sizeof(list), f->enum_values, strv_len(f->enum_values));
            return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                                  "%s: params field \"%s\" must be one of %s, got \"%.100s\"", what,
                                  f->name, list, json_string_value(v));
        }
        if (f->int_enum != NULL && json_is_integer(v)) {
            long long n = (long long)json_integer_value(v);
            size_t j, len = 0;
            int found = 0;

            for (j = 0; j < f->int_enum_count; j++)
                found |= f->int_enum[j] == n;
            if (!found) {
                list[0] = '\0';
                for (j = 0; j < f->int_enum_count && len < sizeof(list) - 24; j++) {
                    int w = snprintf(list + len, sizeof(list) - len, "%s%lld", j ? ", " : "",
                                     f->int_enum[j]);

                    if (w > 0)
                        len += (size_t)w;
                }
                return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                                      "%s: params field \"%s\" must be one of %s, got %lld", what,
                                      f->name, list, n);
            }
        }
    }
    return FTX_OK;
}

/* ---- calls ---- */

static void op_what(char *dst, size_t cap, const ftx__op *op)
{
    (void)snprintf(dst, cap, "%s %s", op->method, op->path);
}

int ftx__op_call(ftx_client *c, const ftx__op *op, const char *const *ids,
                 const ftx_query_param *query, size_t nquery, const json_t *params, void **out,
                 ftx_error *err)
{
    char what[160];
    ftx__buf full = FTX__BUF_INIT;
    ftx__request req;
    ftx__transport t;
    json_t *data = NULL;
    char *path = NULL;
    int rc, returns;

    if (out != NULL)
        *out = NULL;
    if (c == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "client must not be NULL");
    if (op == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "operation must not be NULL");
    returns = op->result != NULL || !(op->flags & FTX__OP_MESSAGE);
    if (returns && out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    op_what(what, sizeof(what), op);
    if ((rc = ftx__path_array(&path, err, op->path, ids, op->npath)) != FTX_OK)
        return rc;
    if ((rc = ftx__query_check(what, "query parameter", op->query, op->nquery, query, nquery,
                               err)) != FTX_OK ||
        (rc = check_body(what, op, params, err)) != FTX_OK) {
        ftx__free(path);
        return rc;
    }
    if (ftx__buf_puts(&full, path) < 0 || (nquery > 0 && ftx__buf_puts(&full, "?") < 0) ||
        ftx__query_encode(&full, query, nquery) < 0) {
        ftx__free(path);
        ftx__buf_dispose(&full);
        return ftx__error_nomem(err);
    }
    ftx__free(path);

    memset(&req, 0, sizeof(req));
    req.method = op->method;
    req.path = full.ptr;
    req.body = has_json_body(op) ? params : NULL;
    req.accept_v2 = (op->flags & FTX__OP_V2) != 0;
    req.creates = (op->flags & FTX__OP_CREATE) != 0;
    memset(&t, 0, sizeof(t));
    t.no_body = (op->flags & FTX__OP_NO_BODY) != 0;
    t.host_root = (op->flags & FTX__OP_HOST_ROOT) != 0;

    if (!returns) {
        rc = ftx__call_transport(c, &req, &t, NULL, err);
    } else {
        rc = ftx__call_data_transport(c, &req, &t, &data, err);
        if (rc == FTX_OK && op->result != NULL) {
            rc = ftx__model_decode(op->result, data, out, err);
            json_decref(data);
        } else if (rc == FTX_OK) {
            *out = data;
        }
    }
    ftx__buf_dispose(&full);
    return rc;
}

/* ---- lists ---- */

static int json_item(const json_t *item, void **out, ftx_error *err)
{
    (void)err;
    *out = json_incref((json_t *)(uintptr_t)item);
    return FTX_OK;
}

static void json_item_free(void *item)
{
    json_decref(item);
}

void ftx__op_free_item(const ftx__op *op, void *item)
{
    if (op != NULL && op->result != NULL)
        ftx__model_free(op->result, item);
    else
        json_decref(item);
}

/* The pager's spec of a paged op (`*path` to free). */
static int op_spec(const ftx__op *op, const char *const *ids, ftx__list_spec *spec, char **path,
                   ftx_error *err)
{
    int rc;

    memset(spec, 0, sizeof(*spec));
    *path = NULL;
    if (op == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "operation must not be NULL");
    if (!(op->flags & FTX__OP_PAGED) || (op->flags & FTX__OP_HOST_ROOT) ||
        strcmp(op->method, "GET") != 0)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "%s %s is not a paged list under the base URL", op->method, op->path);
    if ((rc = ftx__path_array(path, err, op->path, ids, op->npath)) != FTX_OK)
        return rc;
    spec->path = *path;
    spec->accept_v2 = (op->flags & FTX__OP_V2) != 0;
    if (op->result != NULL) {
        spec->model = op->result;
    } else {
        spec->parse = json_item;
        spec->free_item = json_item_free;
    }
    spec->filters = op->query;
    spec->nfilters = op->nquery;
    return FTX_OK;
}

int ftx__op_list(ftx_client *c, const ftx__op *op, const char *const *ids,
                 const ftx_list_options *opts, ftx__page **out, ftx_error *err)
{
    ftx__list_spec spec;
    char *path = NULL;
    int rc;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (c == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "client must not be NULL");
    if ((rc = op_spec(op, ids, &spec, &path, err)) != FTX_OK)
        return rc;
    rc = ftx__list(c, &spec, opts, out, err);
    ftx__free(path);
    return rc;
}

int ftx__op_stream(ftx_client *c, const ftx__op *op, const char *const *ids,
                   const ftx_list_options *opts, ftx__stream **out, ftx_error *err)
{
    ftx__list_spec spec;
    char *path = NULL;
    int rc;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (c == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "client must not be NULL");
    if ((rc = op_spec(op, ids, &spec, &path, err)) != FTX_OK)
        return rc;
    rc = ftx__stream_new(c, &spec, opts, out, err); /* copies the path */
    ftx__free(path);
    return rc;
}
