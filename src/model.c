/*
 * The one interpreter of the model tables (gen.h): decode, free and deep copy of any
 * model described field by field (the generated ones in src/gen/, and the tables of
 * ftx_group, ftx_webhook and ftx_destination beside their hand-written calls), or a
 * hand model's own functions.
 *
 * Decoding is tolerant (json.c readers): a field that is absent, null or of the wrong
 * type stays empty (or -1, FTX__FF_TRISTATE), and the whole object is kept as `raw`.
 * Only a top level that is not an object, or a FTX__FF_REQUIRED field missing, is an
 * error.
 */
#include <string.h>

#include "gen.h"

/* The address of field `f` in `obj`. */
#define FIELD_AT(obj, off)  ((void *)((char *)(obj) + (off)))
#define CFIELD_AT(obj, off) ((const void *)((const char *)(obj) + (off)))

static void set_count(void *obj, const ftx__field *f, size_t n)
{
    memcpy(FIELD_AT(obj, f->count_offset), &n, sizeof(n));
}

static size_t get_count(const void *obj, const ftx__field *f)
{
    size_t n;

    memcpy(&n, CFIELD_AT(obj, f->count_offset), sizeof(n));
    return n;
}

void **ftx__models_decode(ftx__jctx *ctx, const ftx__field *f, const json_t *arr, size_t *count)
{
    void **v;
    size_t i, n = 0, size;

    *count = 0;
    if (!json_is_array(arr) || f->model == NULL)
        return NULL;
    size = json_array_size(arr);
    if (size == 0 && (f->flags & FTX__FF_EMPTY_NULL))
        return NULL;
    v = ftx__calloc(size + 1, sizeof(void *));
    if (v == NULL) {
        ctx->oom = 1;
        return NULL;
    }
    for (i = 0; i < size; i++) {
        const json_t *el = json_array_get(arr, i);
        void *item = NULL;

        if (!json_is_object(el))
            continue;
        if (ftx__model_decode(f->model, el, &item, NULL) == FTX_ERR_NOMEM) {
            ctx->oom = 1;
            break;
        }
        if (item != NULL)
            v[n++] = item;
    }
    *count = n;
    return v;
}

void ftx__models_free(const ftx__model *m, void **items)
{
    size_t i;

    for (i = 0; items != NULL && items[i] != NULL; i++)
        ftx__model_free(m, items[i]);
    ftx__free(items);
}

/* Whether `v` is what a FTX__FF_REQUIRED field of kind `kind` needs, and its name. */
static int has_type(unsigned char kind, const json_t *v, const char **type)
{
    switch (kind) {
    case FTX__F_STRING:
    case FTX__F_TIME:
        *type = "string";
        return json_is_string(v);
    case FTX__F_BOOL:
        *type = "boolean";
        return json_is_boolean(v);
    case FTX__F_INT:
        *type = "integer";
        return json_is_integer(v);
    case FTX__F_NUMBER:
        *type = "number";
        return json_is_number(v);
    case FTX__F_MODEL:
        *type = "object";
        return json_is_object(v);
    case FTX__F_STRINGS:
    case FTX__F_MODELS:
        *type = "array";
        return json_is_array(v);
    default:
        *type = "value";
        return v != NULL && !json_is_null(v);
    }
}

/* Whether a pointer field (or a TIME) at `at` is still empty (FTX__FF_ALIAS). */
static int field_empty(const ftx__field *f, const void *at)
{
    const void *p;

    if (f->kind == FTX__F_TIME)
        return ((const ftx_time *)at)->iso == NULL;
    if (f->kind == FTX__F_BOOL || f->kind == FTX__F_INT || f->kind == FTX__F_NUMBER)
        return 0; /* no empty value: aliases are for pointer kinds */
    memcpy(&p, at, sizeof(p));
    return p == NULL;
}

/* Decode field `f` from `v`, the value of its key in the object (NULL when absent). */
static void decode_field(ftx__jctx *ctx, const ftx__field *f, const json_t *v, void *obj)
{
    void *at = FIELD_AT(obj, f->offset);

    switch (f->kind) {
    case FTX__F_STRING: {
        char *s = ftx__vstr(ctx, v);

        memcpy(at, &s, sizeof(s));
        break;
    }
    case FTX__F_TIME:
        ftx__vtime(ctx, v, (ftx_time *)at);
        break;
    case FTX__F_BOOL: {
        int b = ftx__vbool(v, (f->flags & FTX__FF_TRISTATE) ? -1 : 0);

        memcpy(at, &b, sizeof(b));
        break;
    }
    case FTX__F_INT: {
        long long n = ftx__vint(v, 0);

        memcpy(at, &n, sizeof(n));
        break;
    }
    case FTX__F_NUMBER: {
        double d = json_is_number(v) ? json_number_value(v) : 0.0;

        memcpy(at, &d, sizeof(d));
        break;
    }
    case FTX__F_JSON: {
        /* Borrowed from raw, which holds the whole object, unless OWNED. */
        json_t *j = json_is_null(v) ? NULL : (json_t *)(uintptr_t)v;

        if (j != NULL && (f->flags & FTX__FF_OWNED))
            json_incref(j);
        memcpy(at, &j, sizeof(j));
        break;
    }
    case FTX__F_STRINGS: {
        size_t n = 0;
        char **sv = NULL;

        if (!(f->flags & FTX__FF_EMPTY_NULL) || json_array_size(v) > 0)
            sv = ftx__vstrv(ctx, v, &n);
        memcpy(at, &sv, sizeof(sv));
        set_count(obj, f, n);
        break;
    }
    case FTX__F_MODEL: {
        void *item = NULL;

        /* A hand model may refuse what the tables would not: only memory counts. */
        if (json_is_object(v) && f->model != NULL &&
            ftx__model_decode(f->model, v, &item, NULL) == FTX_ERR_NOMEM)
            ctx->oom = 1;
        memcpy(at, &item, sizeof(item));
        break;
    }
    case FTX__F_MODELS: {
        size_t n = 0;
        void **items = ftx__models_decode(ctx, f, v, &n);

        memcpy(at, &items, sizeof(items));
        set_count(obj, f, n);
        break;
    }
    default:
        break;
    }
}

/* Fields looked up in one pass over the object (below); larger models look each up. */
#define LOOKUP_MAX 32

/* Whether the key at `it`, equal to `name` as a C string, has no NUL inside (jansson
 * 2.14 lets json_object_setn make one; json_loads refuses them). */
static int key_is_c_string(void *it, const char *name)
{
#if JANSSON_VERSION_HEX >= 0x020e00
    return json_object_iter_key_len(it) == strlen(name);
#else
    (void)it;
    (void)name;
    return 1;
#endif
}

/*
 * vals[i] = the value of fields[i].name in `json` (NULL when absent), walking the object
 * once instead of hashing every name: each key is matched against the table starting
 * after the last field found, so an object whose keys come in table order costs one
 * comparison per key. Field names are unique within a table.
 */
static void lookup_fields(const ftx__model *m, const json_t *json, const json_t **vals)
{
    size_t n = m->nfields, next = 0, i, k;
    void *it;

    memset(vals, 0, n * sizeof(*vals));
    for (it = json_object_iter((json_t *)(uintptr_t)json); it != NULL;
         it = json_object_iter_next((json_t *)(uintptr_t)json, it)) {
        const char *key = json_object_iter_key(it);

        for (k = 0, i = next; k < n; k++, i = i + 1 < n ? i + 1 : 0) {
            const char *name = m->fields[i].name;

            if (name[0] == key[0] && strcmp(name, key) == 0) {
                if (!key_is_c_string(it, name))
                    break; /* "id\0x" is not "id" (json_object_get tells them apart) */
                vals[i] = json_object_iter_value(it);
                next = i + 1 < n ? i + 1 : 0;
                break;
            }
        }
    }
}

int ftx__model_decode(const ftx__model *m, const json_t *json, void **out, ftx_error *err)
{
    ftx__jctx ctx = {0};
    const json_t *vals[LOOKUP_MAX];
    const char *type;
    void *obj;
    size_t i;

    if (out == NULL || m == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "model and out must not be NULL");
    *out = NULL;
    if (m->hand_from_json != NULL)
        return m->hand_from_json(json, out, err);
    if (!json_is_object(json))
        return ftx__error_set(err, FTX_ERR_DECODE, "%s is not a JSON object", m->name);
    if (m->nfields <= LOOKUP_MAX)
        lookup_fields(m, json, vals);
    for (i = 0; i < m->nfields; i++) {
        const ftx__field *f = &m->fields[i];
        const json_t *v;

        if (!(f->flags & FTX__FF_REQUIRED))
            continue;
        v = m->nfields <= LOOKUP_MAX ? vals[i] : json_object_get(json, f->name);
        if (!has_type(f->kind, v, &type))
            return ftx__error_set(err, FTX_ERR_DECODE, "%s has no %s %s", m->name, type, f->name);
    }
    obj = ftx__calloc(1, m->size);
    if (obj == NULL)
        return ftx__error_nomem(err);
    for (i = 0; i < m->nfields && !ctx.oom; i++) {
        const ftx__field *f = &m->fields[i];

        if ((f->flags & FTX__FF_ALIAS) && !field_empty(f, FIELD_AT(obj, f->offset)))
            continue;
        decode_field(&ctx, f, m->nfields <= LOOKUP_MAX ? vals[i] : json_object_get(json, f->name),
                     obj);
    }
    if (m->raw_offset != FTX__NO_RAW) {
        /* The model keeps a reference; nobody writes through it. */
        json_t *raw = json_incref((json_t *)(uintptr_t)json);

        memcpy(FIELD_AT(obj, m->raw_offset), &raw, sizeof(raw));
    }
    if (ctx.oom) {
        ftx__model_free(m, obj);
        return ftx__error_nomem(err);
    }
    *out = obj;
    return FTX_OK;
}

static void free_field(const ftx__field *f, void *obj)
{
    void *at = FIELD_AT(obj, f->offset);

    if (f->flags & FTX__FF_ALIAS)
        return;
    switch (f->kind) {
    case FTX__F_STRING: {
        char *s;

        memcpy(&s, at, sizeof(s));
        if (f->flags & FTX__FF_SECRET)
            ftx__free_secret(s);
        else
            ftx__free(s);
        break;
    }
    case FTX__F_TIME:
        ftx__time_dispose((ftx_time *)at);
        break;
    case FTX__F_STRINGS: {
        char **sv;

        memcpy(&sv, at, sizeof(sv));
        ftx__strv_free(sv);
        break;
    }
    case FTX__F_MODEL: {
        void *item;

        memcpy(&item, at, sizeof(item));
        ftx__model_free(f->model, item);
        break;
    }
    case FTX__F_JSON:
        if (f->flags & FTX__FF_OWNED) {
            json_t *j;

            memcpy(&j, at, sizeof(j));
            json_decref(j);
        }
        break;
    case FTX__F_MODELS: {
        void **items;

        memcpy(&items, at, sizeof(items));
        ftx__models_free(f->model, items);
        break;
    }
    default: /* BOOL, INT, NUMBER */
        break;
    }
}

void ftx__model_free(const ftx__model *m, void *obj)
{
    json_t *raw;
    size_t i;

    if (obj == NULL || m == NULL)
        return;
    if (m->hand_free != NULL) {
        m->hand_free(obj);
        return;
    }
    for (i = 0; i < m->nfields; i++)
        free_field(&m->fields[i], obj);
    if (m->raw_offset != FTX__NO_RAW) {
        memcpy(&raw, FIELD_AT(obj, m->raw_offset), sizeof(raw));
        json_decref(raw);
    }
    ftx__free(obj);
}

static void dup_field(ftx__jctx *ctx, const ftx__field *f, const void *src, void *dst)
{
    const void *from = CFIELD_AT(src, f->offset);
    void *to = FIELD_AT(dst, f->offset);

    if (f->flags & FTX__FF_ALIAS)
        return;
    switch (f->kind) {
    case FTX__F_STRING: {
        char *s, *copy;

        memcpy(&s, from, sizeof(s));
        copy = ftx__strdup_ctx(ctx, s);
        memcpy(to, &copy, sizeof(copy));
        break;
    }
    case FTX__F_TIME:
        ftx__time_dup(ctx, (ftx_time *)to, (const ftx_time *)from);
        break;
    case FTX__F_BOOL:
        memcpy(to, from, sizeof(int));
        break;
    case FTX__F_INT:
        memcpy(to, from, sizeof(long long));
        break;
    case FTX__F_NUMBER:
        memcpy(to, from, sizeof(double));
        break;
    case FTX__F_JSON: { /* borrowed from raw, which the copy shares, unless OWNED */
        json_t *j;

        memcpy(&j, from, sizeof(j));
        if (j != NULL && (f->flags & FTX__FF_OWNED))
            json_incref(j);
        memcpy(to, &j, sizeof(j));
        break;
    }
    case FTX__F_STRINGS: {
        char **sv, **copy;
        size_t n = get_count(src, f);

        memcpy(&sv, from, sizeof(sv));
        copy = n == 0 && (f->flags & FTX__FF_EMPTY_NULL) ? NULL : ftx__strv_dup(ctx, sv, n);
        memcpy(to, &copy, sizeof(copy));
        set_count(dst, f, copy != NULL ? n : 0);
        break;
    }
    case FTX__F_MODEL: {
        void *item, *copy = NULL;

        memcpy(&item, from, sizeof(item));
        if (item != NULL && (copy = ftx__model_dup(f->model, item)) == NULL)
            ctx->oom = 1;
        memcpy(to, &copy, sizeof(copy));
        break;
    }
    case FTX__F_MODELS: {
        void **items, **copy = NULL;
        size_t i, n = get_count(src, f);

        memcpy(&items, from, sizeof(items));
        if (items != NULL && !(n == 0 && (f->flags & FTX__FF_EMPTY_NULL))) {
            copy = ftx__calloc(n + 1, sizeof(void *));
            if (copy == NULL)
                ctx->oom = 1;
            for (i = 0; copy != NULL && i < n && items[i] != NULL; i++) {
                if ((copy[i] = ftx__model_dup(f->model, items[i])) == NULL) {
                    ctx->oom = 1;
                    break;
                }
            }
        }
        memcpy(to, &copy, sizeof(copy));
        set_count(dst, f, copy != NULL ? n : 0);
        break;
    }
    default:
        break;
    }
}

void *ftx__model_dup(const ftx__model *m, const void *obj)
{
    ftx__jctx ctx = {0};
    json_t *raw;
    void *copy;
    size_t i;

    if (obj == NULL || m == NULL)
        return NULL;
    if (m->hand_dup != NULL)
        return m->hand_dup(obj);
    copy = ftx__calloc(1, m->size);
    if (copy == NULL)
        return NULL;
    for (i = 0; i < m->nfields && !ctx.oom; i++)
        dup_field(&ctx, &m->fields[i], obj, copy);
    if (m->raw_offset != FTX__NO_RAW) {
        memcpy(&raw, CFIELD_AT(obj, m->raw_offset), sizeof(raw));
        if (raw != NULL)
            json_incref(raw);
        memcpy(FIELD_AT(copy, m->raw_offset), &raw, sizeof(raw));
    }
    if (ctx.oom) {
        ftx__model_free(m, copy);
        return NULL;
    }
    return copy;
}
