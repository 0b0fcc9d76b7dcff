/*
 * Fuzz the one model interpreter (src/model.c) over every generated model: any bytes →
 * JSON → ftx__model_decode of each model in ftx__models_all (the value itself, its
 * "data" member and, for a list page, each of data.items), then ftx__model_dup and
 * ftx__model_free of both. Nothing may crash, leak or read out of bounds; an object
 * always decodes (a non-object never does, with FTX_ERR_DECODE and no result); the
 * model keeps the object as raw; every list field's count matches its NULL-terminated
 * array, and a copy has the same strings, counts and raw.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "gen.h"
#include "fuzz_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define AT(obj, off) ((const char *)(obj) + (off))

static const void *ptr_at(const void *obj, size_t off)
{
    const void *p;

    memcpy(&p, AT(obj, off), sizeof(p));
    return p;
}

static size_t size_at(const void *obj, size_t off)
{
    size_t n;

    memcpy(&n, AT(obj, off), sizeof(n));
    return n;
}

static int same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The NULL-terminated array at `off` has exactly the count at `count_off`. */
static size_t check_list(const void *obj, const ftx__field *f)
{
    const void *const *v = ptr_at(obj, f->offset);
    size_t n = size_at(obj, f->count_offset), i;

    if (v == NULL) {
        if (n != 0)
            abort();
        return 0;
    }
    for (i = 0; i < n; i++)
        if (v[i] == NULL)
            abort();
    if (v[n] != NULL)
        abort();
    return n;
}

/* `copy` is a deep copy of `obj` (model `m`), checked field by field. */
static void check_model(const ftx__model *m, const void *obj, const void *copy, int depth)
{
    size_t i, k;

    if (ptr_at(obj, m->raw_offset) != ptr_at(copy, m->raw_offset))
        abort();
    if (m->hand_from_json != NULL || depth > 8)
        return;
    for (i = 0; i < m->nfields; i++) {
        const ftx__field *f = &m->fields[i];

        switch (f->kind) {
        case FTX__F_STRING:
            if (!same_str(ptr_at(obj, f->offset), ptr_at(copy, f->offset)))
                abort();
            if (ptr_at(obj, f->offset) != NULL && ptr_at(obj, f->offset) == ptr_at(copy, f->offset))
                abort(); /* a deep copy */
            break;
        case FTX__F_STRINGS: {
            const char *const *a = ptr_at(obj, f->offset), *const *b = ptr_at(copy, f->offset);
            size_t n = check_list(obj, f);

            if (check_list(copy, f) != n)
                abort();
            for (k = 0; k < n; k++)
                if (strcmp(a[k], b[k]) != 0)
                    abort();
            break;
        }
        case FTX__F_MODEL: {
            const void *a = ptr_at(obj, f->offset), *b = ptr_at(copy, f->offset);

            if ((a == NULL) != (b == NULL))
                abort();
            if (a != NULL)
                check_model(f->model, a, b, depth + 1);
            break;
        }
        case FTX__F_MODELS: {
            const void *const *a = ptr_at(obj, f->offset), *const *b = ptr_at(copy, f->offset);
            size_t n = check_list(obj, f);

            if (check_list(copy, f) != n)
                abort();
            for (k = 0; k < n; k++)
                check_model(f->model, a[k], b[k], depth + 1);
            break;
        }
        default:
            break;
        }
    }
}

static void decode_one(const ftx__model *m, const json_t *j)
{
    void *obj = NULL, *copy;
    ftx_error err = {0};
    int rc = ftx__model_decode(m, j, &obj, &err);

    if (rc != FTX_OK) {
        if (obj != NULL || rc != err.type || (rc != FTX_ERR_DECODE && rc != FTX_ERR_NOMEM))
            abort();
        if (rc == FTX_ERR_DECODE && json_is_object(j))
            abort();
        return;
    }
    if (obj == NULL || !json_is_object(j))
        abort();
    if (m->hand_from_json == NULL && ptr_at(obj, m->raw_offset) != (const void *)j)
        abort();
    copy = ftx__model_dup(m, obj);
    if (copy != NULL) {
        check_model(m, obj, copy, 0);
        ftx__model_free(m, copy);
    }
    ftx__model_free(m, obj);
}

static void decode_all(const json_t *j)
{
    const json_t *items = json_object_get(j, "items");
    size_t i, k;

    for (i = 0; ftx__models_all[i] != NULL; i++) {
        decode_one(ftx__models_all[i], j);
        for (k = 0; k < json_array_size(items) && k < 4; k++)
            decode_one(ftx__models_all[i], json_array_get(items, k));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_json_targets(data, size, decode_all);
    return 0;
}
