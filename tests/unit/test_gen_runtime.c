/*
 * The runtime of the generated layer (src/gen.h) over small hand-written tables:
 * the model interpreter (decode of every field kind, nulls, unknown fields, wrong
 * types, free, dup, every allocation failure) and the operation executor against the
 * in-test server (the exact request, every check made before sending, paging with
 * filters, streams, the create rule).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gen.h"
#include "test_helpers.h"

/* ---- the tables ---- */

typedef struct t_inner {
    char *name;
    long long n;
    json_t *raw;
} t_inner;

typedef struct t_thing {
    char *id;
    ftx_time created_at;
    int active;
    long long count;
    double ratio;
    json_t *config;
    char **tags;
    size_t tags_count;
    t_inner *inner;
    t_inner **inners;
    size_t inners_count;
    char *secret;
    ftx_group *group;
    json_t *raw;
    char *later; /* a field appended after raw */
} t_thing;

static const ftx__field inner_fields[] = {
    {"name", FTX__F_STRING, 0, offsetof(t_inner, name), 0, NULL},
    {"n", FTX__F_INT, 0, offsetof(t_inner, n), 0, NULL},
};
static const ftx__model inner_model = {
    "inner", sizeof(t_inner), offsetof(t_inner, raw), inner_fields, 2, NULL, NULL, NULL};

static int group_from_json(const json_t *json, void **out, ftx_error *err)
{
    ftx_group *g = NULL;
    int rc = ftx_group_from_json(json, &g, err);

    *out = g;
    return rc;
}

static void group_free(void *obj)
{
    ftx_group_free(obj);
}

static void *group_dup(const void *obj)
{
    return ftx_group_dup(obj);
}

static const ftx__model group_model = {
    "group",    sizeof(ftx_group), offsetof(ftx_group, raw), NULL, 0, group_from_json,
    group_free, group_dup};

static const ftx__field thing_fields[] = {
    {"id", FTX__F_STRING, 0, offsetof(t_thing, id), 0, NULL},
    {"created_at", FTX__F_TIME, 0, offsetof(t_thing, created_at), 0, NULL},
    {"active", FTX__F_BOOL, 0, offsetof(t_thing, active), 0, NULL},
    {"count", FTX__F_INT, 0, offsetof(t_thing, count), 0, NULL},
    {"ratio", FTX__F_NUMBER, 0, offsetof(t_thing, ratio), 0, NULL},
    {"config", FTX__F_JSON, 0, offsetof(t_thing, config), 0, NULL},
    {"tags", FTX__F_STRINGS, 0, offsetof(t_thing, tags), offsetof(t_thing, tags_count), NULL},
    {"inner", FTX__F_MODEL, 0, offsetof(t_thing, inner), 0, &inner_model},
    {"inners", FTX__F_MODELS, 0, offsetof(t_thing, inners), offsetof(t_thing, inners_count),
     &inner_model},
    {"secret", FTX__F_STRING, FTX__FF_SECRET, offsetof(t_thing, secret), 0, NULL},
    {"group", FTX__F_MODEL, 0, offsetof(t_thing, group), 0, &group_model},
    {"later", FTX__F_STRING, 0, offsetof(t_thing, later), 0, NULL},
};
static const ftx__model thing_model = {"thing",
                                       sizeof(t_thing),
                                       offsetof(t_thing, raw),
                                       thing_fields,
                                       sizeof(thing_fields) / sizeof(thing_fields[0]),
                                       NULL,
                                       NULL,
                                       NULL};

/* A model using every descriptor flag, and an element model without raw. */
typedef struct t_elem {
    char *name;
    json_t *details;
} t_elem;

typedef struct t_flagged {
    char *id;
    long long n;
    int enabled;
    json_t *config;
    char **tags;
    size_t tag_count;
    t_elem **elems;
    size_t elem_count;
    char *agent_id;
    ftx_time seen_at;
    json_t *raw;
} t_flagged;

static const ftx__field elem_fields[] = {
    {"name", FTX__F_STRING, 0, offsetof(t_elem, name), 0, NULL},
    {"details", FTX__F_JSON, FTX__FF_OWNED, offsetof(t_elem, details), 0, NULL},
};
static const ftx__model elem_model = {"elem", sizeof(t_elem), FTX__NO_RAW, elem_fields,
                                      2,      NULL,           NULL,        NULL};

static const ftx__field flagged_fields[] = {
    {"id", FTX__F_STRING, FTX__FF_REQUIRED, offsetof(t_flagged, id), 0, NULL},
    {"n", FTX__F_INT, FTX__FF_REQUIRED, offsetof(t_flagged, n), 0, NULL},
    {"enabled", FTX__F_BOOL, FTX__FF_TRISTATE, offsetof(t_flagged, enabled), 0, NULL},
    {"config", FTX__F_JSON, FTX__FF_OWNED, offsetof(t_flagged, config), 0, NULL},
    {"tags", FTX__F_STRINGS, FTX__FF_EMPTY_NULL, offsetof(t_flagged, tags),
     offsetof(t_flagged, tag_count), NULL},
    {"elems", FTX__F_MODELS, FTX__FF_EMPTY_NULL, offsetof(t_flagged, elems),
     offsetof(t_flagged, elem_count), &elem_model},
    {"agent_id", FTX__F_STRING, 0, offsetof(t_flagged, agent_id), 0, NULL},
    {"old_agent_id", FTX__F_STRING, FTX__FF_ALIAS, offsetof(t_flagged, agent_id), 0, NULL},
    {"seen_at", FTX__F_TIME, 0, offsetof(t_flagged, seen_at), 0, NULL},
    {"seen", FTX__F_TIME, FTX__FF_ALIAS, offsetof(t_flagged, seen_at), 0, NULL},
};
static const ftx__model flagged_model = {"flagged",
                                         sizeof(t_flagged),
                                         offsetof(t_flagged, raw),
                                         flagged_fields,
                                         sizeof(flagged_fields) / sizeof(flagged_fields[0]),
                                         NULL,
                                         NULL,
                                         NULL};

#define FLAGGED_JSON                                                                               \
    "{\"id\":\"f1\",\"n\":3,\"enabled\":false,\"config\":{\"k\":1},\"tags\":[\"t\"],"              \
    "\"elems\":[{\"name\":\"e1\",\"details\":{\"d\":1}},7,{\"name\":\"e2\"}],"                     \
    "\"old_agent_id\":\"agent_old\",\"seen\":\"2024-01-02T03:04:05Z\"}"

#define THING_JSON                                                                                 \
    "{\"id\":\"thing_1\",\"created_at\":\"2024-01-02T03:04:05.678Z\",\"active\":true,"             \
    "\"count\":42,\"ratio\":0.25,\"config\":{\"host\":\"h\",\"port\":5432},"                       \
    "\"tags\":[\"a\",\"b\"],\"inner\":{\"name\":\"in\",\"n\":7},"                                  \
    "\"inners\":[{\"name\":\"x\",\"n\":1},{\"name\":\"y\",\"n\":2}],"                              \
    "\"secret\":\"s3cr3t\",\"group\":{\"id\":\"g1\",\"name\":\"G\","                               \
    "\"created_at\":\"2020-05-25T15:26:47.306509Z\"},\"later\":\"l\",\"unknown\":[1,2]}"
#define ENVELOPE(data) "{\"code\":\"Success\",\"data\":" data "}"

static void assert_thing(const t_thing *t)
{
    assert_non_null(t);
    assert_string_equal(t->id, "thing_1");
    assert_string_equal(t->created_at.iso, "2024-01-02T03:04:05.678Z");
    assert_int_equal(t->created_at.valid, 1);
    assert_int_equal(t->created_at.epoch_ms, 1704164645678LL);
    assert_int_equal(t->active, 1);
    assert_int_equal(t->count, 42);
    assert_true(t->ratio == 0.25);
    assert_non_null(t->config);
    assert_ptr_equal(t->config, json_object_get(t->raw, "config")); /* borrowed from raw */
    assert_int_equal(json_integer_value(json_object_get(t->config, "port")), 5432);
    assert_int_equal(t->tags_count, 2);
    assert_string_equal(t->tags[0], "a");
    assert_string_equal(t->tags[1], "b");
    assert_null(t->tags[2]);
    assert_non_null(t->inner);
    assert_string_equal(t->inner->name, "in");
    assert_int_equal(t->inner->n, 7);
    assert_ptr_equal(t->inner->raw, json_object_get(t->raw, "inner"));
    assert_int_equal(t->inners_count, 2);
    assert_string_equal(t->inners[0]->name, "x");
    assert_int_equal(t->inners[0]->n, 1);
    assert_string_equal(t->inners[1]->name, "y");
    assert_int_equal(t->inners[1]->n, 2);
    assert_null(t->inners[2]);
    assert_string_equal(t->secret, "s3cr3t");
    assert_non_null(t->group);
    assert_string_equal(t->group->id, "g1");
    assert_string_equal(t->group->name, "G");
    assert_int_equal(t->group->created_at.epoch_ms, 1590420407306LL);
    assert_string_equal(t->later, "l");
    assert_non_null(t->raw);
    assert_int_equal(json_array_size(json_object_get(t->raw, "unknown")), 2);
}

/* ---- models ---- */

static void test_decode_every_field(void **state)
{
    json_t *j = th_json(THING_JSON);
    void *out = NULL;
    ftx_error err = {0};

    (void)state;
    assert_int_equal(ftx__model_decode(&thing_model, j, &out, &err), FTX_OK);
    assert_thing(out);
    assert_ptr_equal(((t_thing *)out)->raw, j);
    assert_int_equal(j->refcount, 2);
    ftx__model_free(&thing_model, out);
    assert_int_equal(j->refcount, 1);
    json_decref(j);
}

static void test_decode_nulls_and_wrong_types(void **state)
{
    json_t *j;
    t_thing *t = NULL;
    ftx_error err = {0};

    (void)state;
    /* every field null */
    j = th_json("{\"id\":null,\"created_at\":null,\"active\":null,\"count\":null,\"ratio\":null,"
                "\"config\":null,\"tags\":null,\"inner\":null,\"inners\":null,\"secret\":null,"
                "\"group\":null}");
    assert_int_equal(ftx__model_decode(&thing_model, j, (void **)&t, &err), FTX_OK);
    assert_null(t->id);
    assert_null(t->created_at.iso);
    assert_int_equal(t->created_at.valid, 0);
    assert_int_equal(t->active, 0);
    assert_int_equal(t->count, 0);
    assert_true(t->ratio == 0.0);
    assert_null(t->config);
    assert_null(t->tags);
    assert_int_equal(t->tags_count, 0);
    assert_null(t->inner);
    assert_null(t->inners);
    assert_int_equal(t->inners_count, 0);
    assert_null(t->secret);
    assert_null(t->group);
    ftx__model_free(&thing_model, t);
    json_decref(j);

    /* absent: {} */
    j = th_json("{}");
    assert_int_equal(ftx__model_decode(&thing_model, j, (void **)&t, &err), FTX_OK);
    assert_null(t->id);
    assert_null(t->tags);
    assert_null(t->inner);
    assert_ptr_equal(t->raw, j);
    ftx__model_free(&thing_model, t);
    json_decref(j);

    /* wrong types: lenient per field */
    j = th_json("{\"id\":12,\"created_at\":\"not a time\",\"active\":\"true\",\"count\":\"17\","
                "\"ratio\":\"0.5\",\"config\":[1],\"tags\":[\"a\",3,null,\"b\"],\"inner\":\"x\","
                "\"inners\":[1,{\"name\":\"z\",\"n\":\"9\"},\"q\"],\"secret\":{},"
                "\"group\":[]}");
    assert_int_equal(ftx__model_decode(&thing_model, j, (void **)&t, &err), FTX_OK);
    assert_string_equal(t->id, "12"); /* numbers become text */
    assert_string_equal(t->created_at.iso, "not a time");
    assert_int_equal(t->created_at.valid, 0);
    assert_int_equal(t->active, 1);
    assert_int_equal(t->count, 17);
    assert_true(t->ratio == 0.0); /* a string is not a number */
    assert_non_null(t->config);   /* JSON: anything but null */
    assert_true(json_is_array(t->config));
    assert_int_equal(t->tags_count, 2);
    assert_string_equal(t->tags[0], "a");
    assert_string_equal(t->tags[1], "b");
    assert_null(t->inner);
    assert_int_equal(t->inners_count, 1);
    assert_string_equal(t->inners[0]->name, "z");
    assert_int_equal(t->inners[0]->n, 9);
    assert_null(t->inners[1]);
    assert_null(t->secret);
    assert_null(t->group);
    ftx__model_free(&thing_model, t);
    json_decref(j);

    /* a nested hand model that refuses its value (here: never) leaves it empty; a top
     * level that is not an object is a decode error */
    j = th_json("[1]");
    t = (t_thing *)&err; /* must be reset */
    assert_int_equal(ftx__model_decode(&thing_model, j, (void **)&t, &err), FTX_ERR_DECODE);
    assert_null(t);
    assert_int_equal(err.type, FTX_ERR_DECODE);
    assert_string_equal(err.message, "thing is not a JSON object");
    assert_int_equal(ftx__model_decode(&thing_model, NULL, (void **)&t, &err), FTX_ERR_DECODE);
    assert_int_equal(ftx__model_decode(&group_model, j, (void **)&t, &err), FTX_ERR_DECODE);
    assert_null(t);
    assert_int_equal(ftx__model_decode(&thing_model, j, NULL, &err), FTX_ERR_INVALID_ARGUMENT);
    json_decref(j);
    ftx__model_free(&thing_model, NULL);
    assert_null(ftx__model_dup(&thing_model, NULL));
}

static void test_dup_is_deep_and_shares_raw(void **state)
{
    json_t *j = th_json(THING_JSON);
    t_thing *t = NULL, *d;
    ftx_error err = {0};

    (void)state;
    assert_int_equal(ftx__model_decode(&thing_model, j, (void **)&t, &err), FTX_OK);
    d = ftx__model_dup(&thing_model, t);
    assert_non_null(d);
    assert_ptr_equal(d->raw, t->raw);
    assert_int_equal(j->refcount, 3);
    assert_ptr_equal(d->config, t->config);
    assert_ptr_not_equal(d->id, t->id);
    assert_ptr_not_equal(d->tags, t->tags);
    assert_ptr_not_equal(d->inner, t->inner);
    assert_ptr_not_equal(d->inners[0], t->inners[0]);
    assert_ptr_not_equal(d->group, t->group);
    assert_ptr_not_equal(d->secret, t->secret);
    ftx__model_free(&thing_model, t); /* the copy outlives the original */
    assert_thing(d);
    ftx__model_free(&thing_model, d);
    assert_int_equal(j->refcount, 1);
    json_decref(j);
}

static void test_decode_and_dup_survive_every_allocation_failure(void **state)
{
    json_t *j = th_json(THING_JSON);
    t_thing *t = NULL;
    ftx_error err = {0};
    int failed = 0;
    long n;

    (void)state;
    for (n = 1; n < 200; n++) {
        void *out = (void *)&err;
        int rc;

        ftx__alloc_fail_at(n);
        rc = ftx__model_decode(&thing_model, j, &out, &err);
        ftx__alloc_fail_at(0);
        if (rc == FTX_OK) {
            assert_thing(out);
            ftx__model_free(&thing_model, out);
            break;
        }
        assert_int_equal(rc, FTX_ERR_NOMEM);
        assert_null(out);
        failed++;
    }
    assert_true(failed > 15);
    assert_int_equal(j->refcount, 1); /* nothing leaked a reference */

    assert_int_equal(ftx__model_decode(&thing_model, j, (void **)&t, &err), FTX_OK);
    failed = 0;
    for (n = 1; n < 200; n++) {
        t_thing *d;

        ftx__alloc_fail_at(n);
        d = ftx__model_dup(&thing_model, t);
        ftx__alloc_fail_at(0);
        if (d != NULL) {
            assert_thing(d);
            ftx__model_free(&thing_model, d);
            break;
        }
        failed++;
    }
    assert_true(failed > 15);
    ftx__model_free(&thing_model, t);
    assert_int_equal(j->refcount, 1);
    json_decref(j);
}

static void test_decode_any_key_order(void **state)
{
    /* THING_JSON's keys reversed, with unknown keys (some sharing a first letter with a
     * field) between them: the one pass over the object finds every field. */
    json_t *j = th_json(
        "{\"zzz\":1,\"later\":\"l\",\"group\":{\"id\":\"g1\",\"name\":\"G\","
        "\"created_at\":\"2020-05-25T15:26:47.306509Z\"},\"secret\":\"s3cr3t\",\"idx\":2,"
        "\"inners\":[{\"n\":1,\"name\":\"x\"},{\"n\":2,\"name\":\"y\"}],\"inner\":{\"n\":7,"
        "\"name\":\"in\"},\"tags\":[\"a\",\"b\"],\"configs\":null,\"config\":{\"host\":\"h\","
        "\"port\":5432},\"ratio\":0.25,\"count\":42,\"active\":true,\"created_at\":"
        "\"2024-01-02T03:04:05.678Z\",\"unknown\":[1,2],\"i\":0,\"\":1,\"id\":\"thing_1\"}");
    void *out = NULL;

    (void)state;
    assert_int_equal(ftx__model_decode(&thing_model, j, &out, NULL), FTX_OK);
    assert_thing(out);
    ftx__model_free(&thing_model, out);
    json_decref(j);

#if JANSSON_VERSION_HEX >= 0x020e00
    /* A key with a NUL inside is not the field whose name is its start, before or after
     * the real one. */
    j = json_object();
    json_object_setn_new(j, "id\0x", 4, json_string("not me"));
    assert_int_equal(ftx__model_decode(&thing_model, j, &out, NULL), FTX_OK);
    assert_null(((t_thing *)out)->id);
    ftx__model_free(&thing_model, out);
    json_object_set_new(j, "id", json_string("me"));
    json_object_setn_new(j, "id\0y", 4, json_string("nor me"));
    assert_int_equal(ftx__model_decode(&thing_model, j, &out, NULL), FTX_OK);
    assert_string_equal(((t_thing *)out)->id, "me");
    ftx__model_free(&thing_model, out);
    json_decref(j);
#endif
}

/* A model with more fields than one pass is used for (model.c LOOKUP_MAX): each is looked
 * up by name instead, with the same result. */
typedef struct t_wide {
    long long v[40];
    char *last;
    json_t *raw;
} t_wide;

#define WIDE(i)                                                                                    \
    {                                                                                              \
        "v" #i, FTX__F_INT, 0, offsetof(t_wide, v) + (i) * sizeof(long long), 0, NULL              \
    }
static const ftx__field wide_fields[] = {
    WIDE(0),
    WIDE(1),
    WIDE(2),
    WIDE(3),
    WIDE(4),
    WIDE(5),
    WIDE(6),
    WIDE(7),
    WIDE(8),
    WIDE(9),
    WIDE(10),
    WIDE(11),
    WIDE(12),
    WIDE(13),
    WIDE(14),
    WIDE(15),
    WIDE(16),
    WIDE(17),
    WIDE(18),
    WIDE(19),
    WIDE(20),
    WIDE(21),
    WIDE(22),
    WIDE(23),
    WIDE(24),
    WIDE(25),
    WIDE(26),
    WIDE(27),
    WIDE(28),
    WIDE(29),
    WIDE(30),
    WIDE(31),
    WIDE(32),
    WIDE(33),
    WIDE(34),
    WIDE(35),
    WIDE(36),
    WIDE(37),
    WIDE(38),
    WIDE(39),
    {"last", FTX__F_STRING, FTX__FF_REQUIRED, offsetof(t_wide, last), 0, NULL},
};
static const ftx__model wide_model = {"wide",
                                      sizeof(t_wide),
                                      offsetof(t_wide, raw),
                                      wide_fields,
                                      sizeof(wide_fields) / sizeof(wide_fields[0]),
                                      NULL,
                                      NULL,
                                      NULL};

static void test_decode_wide_model(void **state)
{
    json_t *j = json_object();
    t_wide *w = NULL;
    ftx_error err = {0};
    char key[8];
    int i;

    (void)state;
    for (i = 39; i >= 0; i--) {
        (void)snprintf(key, sizeof(key), "v%d", i);
        json_object_set_new(j, key, json_integer(100 + i));
    }
    assert_int_equal(ftx__model_decode(&wide_model, j, (void **)&w, &err), FTX_ERR_DECODE);
    assert_string_equal(err.message, "wide has no string last");
    json_object_set_new(j, "last", json_string("end"));
    assert_int_equal(ftx__model_decode(&wide_model, j, (void **)&w, &err), FTX_OK);
    for (i = 0; i < 40; i++)
        assert_int_equal(w->v[i], 100 + i);
    assert_string_equal(w->last, "end");
    ftx__model_free(&wide_model, w);
    json_decref(j);
}

/* ---- descriptor flags ---- */

static void assert_string_or_null_equal(const char *got, const char *want)
{
    if (want == NULL)
        assert_null(got);
    else
        assert_string_equal(got, want);
}

static void assert_flagged(const t_flagged *f)
{
    assert_non_null(f);
    assert_string_equal(f->id, "f1");
    assert_int_equal(f->n, 3);
    assert_int_equal(f->enabled, 0);
    assert_non_null(f->config);
    assert_int_equal(json_integer_value(json_object_get(f->config, "k")), 1);
    assert_int_equal(f->tag_count, 1);
    assert_string_equal(f->tags[0], "t");
    assert_int_equal(f->elem_count, 2);
    assert_string_equal(f->elems[0]->name, "e1");
    assert_int_equal(json_integer_value(json_object_get(f->elems[0]->details, "d")), 1);
    assert_string_equal(f->elems[1]->name, "e2");
    assert_null(f->elems[1]->details);
    assert_null(f->elems[2]);
    assert_string_equal(f->agent_id, "agent_old"); /* from the alias */
    assert_string_equal(f->seen_at.iso, "2024-01-02T03:04:05Z");
    assert_int_equal(f->seen_at.valid, 1);
}

static void test_flag_required(void **state)
{
    static const struct {
        const char *json;
        const char *message;
    } cases[] = {
        {"{\"n\":1}", "flagged has no string id"},
        {"{\"id\":null,\"n\":1}", "flagged has no string id"},
        {"{\"id\":12,\"n\":1}", "flagged has no string id"}, /* text from a number: not here */
        {"{\"id\":\"f\"}", "flagged has no integer n"},
        {"{\"id\":\"f\",\"n\":\"1\"}", "flagged has no integer n"},
        {"{\"id\":\"f\",\"n\":1.5}", "flagged has no integer n"},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *j = th_json(cases[i].json);
        ftx_error err = {0};
        void *out = &err;

        /* Checked before anything is allocated: a failing allocator changes nothing. */
        ftx__alloc_fail_at(1);
        assert_int_equal(ftx__model_decode(&flagged_model, j, &out, &err), FTX_ERR_DECODE);
        ftx__alloc_fail_at(0);
        assert_null(out);
        assert_int_equal(err.type, FTX_ERR_DECODE);
        assert_string_equal(err.message, cases[i].message);
        assert_int_equal(j->refcount, 1);
        json_decref(j);
    }
}

static void test_flag_tristate_bool(void **state)
{
    static const struct {
        const char *json;
        int want;
    } cases[] = {
        {"{\"id\":\"f\",\"n\":1}", -1},
        {"{\"id\":\"f\",\"n\":1,\"enabled\":null}", -1},
        {"{\"id\":\"f\",\"n\":1,\"enabled\":\"maybe\"}", -1},
        {"{\"id\":\"f\",\"n\":1,\"enabled\":3}", -1},
        {"{\"id\":\"f\",\"n\":1,\"enabled\":false}", 0},
        {"{\"id\":\"f\",\"n\":1,\"enabled\":\"FALSE\"}", 0},
        {"{\"id\":\"f\",\"n\":1,\"enabled\":true}", 1},
        {"{\"id\":\"f\",\"n\":1,\"enabled\":\"true\"}", 1},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *j = th_json(cases[i].json);
        t_flagged *f = NULL, *d;

        assert_int_equal(ftx__model_decode(&flagged_model, j, (void **)&f, NULL), FTX_OK);
        assert_int_equal(f->enabled, cases[i].want);
        d = ftx__model_dup(&flagged_model, f);
        assert_non_null(d);
        assert_int_equal(d->enabled, cases[i].want);
        ftx__model_free(&flagged_model, d);
        ftx__model_free(&flagged_model, f);
        json_decref(j);
    }
}

static void test_flag_owned_json_and_no_raw(void **state)
{
    json_t *j = th_json(FLAGGED_JSON);
    json_t *config = json_object_get(j, "config");
    json_t *details = json_object_get(json_array_get(json_object_get(j, "elems"), 0), "details");
    t_flagged *f = NULL, *d;

    (void)state;
    assert_int_equal(ftx__model_decode(&flagged_model, j, (void **)&f, NULL), FTX_OK);
    assert_flagged(f);
    assert_ptr_equal(f->config, config);
    assert_int_equal(config->refcount, 2); /* the object's and the model's own */
    assert_int_equal(details->refcount, 2);
    assert_int_equal(j->refcount, 2); /* raw; the elements have none */
    d = ftx__model_dup(&flagged_model, f);
    assert_flagged(d);
    assert_ptr_equal(d->config, config);
    assert_ptr_not_equal(d->elems[0], f->elems[0]);
    assert_int_equal(config->refcount, 3);
    assert_int_equal(details->refcount, 3);
    ftx__model_free(&flagged_model, f);
    assert_int_equal(config->refcount, 2);
    assert_int_equal(details->refcount, 2);
    ftx__model_free(&flagged_model, d);
    assert_int_equal(config->refcount, 1);
    assert_int_equal(details->refcount, 1);
    assert_int_equal(j->refcount, 1);
    json_decref(j);
}

static void test_flag_empty_null(void **state)
{
    json_t *j;
    t_flagged *f = NULL, *d;

    (void)state;
    /* empty arrays: NULL */
    j = th_json("{\"id\":\"f\",\"n\":1,\"tags\":[],\"elems\":[]}");
    assert_int_equal(ftx__model_decode(&flagged_model, j, (void **)&f, NULL), FTX_OK);
    assert_null(f->tags);
    assert_int_equal(f->tag_count, 0);
    assert_null(f->elems);
    assert_int_equal(f->elem_count, 0);
    ftx__model_free(&flagged_model, f);
    json_decref(j);

    /* arrays of nothing usable: an empty array, and the copy of it NULL */
    j = th_json("{\"id\":\"f\",\"n\":1,\"tags\":[1,null],\"elems\":[\"x\",2]}");
    assert_int_equal(ftx__model_decode(&flagged_model, j, (void **)&f, NULL), FTX_OK);
    assert_non_null(f->tags);
    assert_null(f->tags[0]);
    assert_int_equal(f->tag_count, 0);
    assert_non_null(f->elems);
    assert_null(f->elems[0]);
    assert_int_equal(f->elem_count, 0);
    d = ftx__model_dup(&flagged_model, f);
    assert_non_null(d);
    assert_null(d->tags);
    assert_null(d->elems);
    assert_int_equal(d->elem_count, 0);
    ftx__model_free(&flagged_model, d);
    ftx__model_free(&flagged_model, f);
    json_decref(j);
}

static void test_flag_alias(void **state)
{
    static const struct {
        const char *json;
        const char *agent, *seen;
    } cases[] = {
        {"{\"id\":\"f\",\"n\":1,\"agent_id\":\"a\",\"old_agent_id\":\"b\","
         "\"seen_at\":\"2024-01-01T00:00:00Z\",\"seen\":\"2023-01-01T00:00:00Z\"}",
         "a", "2024-01-01T00:00:00Z"},
        {"{\"id\":\"f\",\"n\":1,\"old_agent_id\":\"b\",\"seen\":\"2023-01-01T00:00:00Z\"}", "b",
         "2023-01-01T00:00:00Z"},
        /* the first name null or unusable: the alias */
        {"{\"id\":\"f\",\"n\":1,\"agent_id\":null,\"old_agent_id\":\"b\",\"seen_at\":7,"
         "\"seen\":\"2023-01-01T00:00:00Z\"}",
         "b", "2023-01-01T00:00:00Z"},
        {"{\"id\":\"f\",\"n\":1,\"agent_id\":{},\"old_agent_id\":5}", "5", NULL},
        {"{\"id\":\"f\",\"n\":1,\"agent_id\":\"a\"}", "a", NULL},
        {"{\"id\":\"f\",\"n\":1}", NULL, NULL},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *j = th_json(cases[i].json);
        t_flagged *f = NULL, *d;

        assert_int_equal(ftx__model_decode(&flagged_model, j, (void **)&f, NULL), FTX_OK);
        assert_string_or_null_equal(f->agent_id, cases[i].agent);
        assert_string_or_null_equal(f->seen_at.iso, cases[i].seen);
        /* copied and freed once (ASan: no leak, no double free) */
        d = ftx__model_dup(&flagged_model, f);
        assert_non_null(d);
        assert_string_or_null_equal(d->agent_id, cases[i].agent);
        assert_string_or_null_equal(d->seen_at.iso, cases[i].seen);
        if (f->agent_id != NULL)
            assert_ptr_not_equal(d->agent_id, f->agent_id);
        ftx__model_free(&flagged_model, f);
        ftx__model_free(&flagged_model, d);
        json_decref(j);
    }
}

static void test_flags_survive_every_allocation_failure(void **state)
{
    json_t *j = th_json(FLAGGED_JSON);
    json_t *config = json_object_get(j, "config");
    t_flagged *f = NULL;
    int failed = 0;
    long n;

    (void)state;
    for (n = 1; n < 100; n++) {
        void *out = NULL;
        int rc;

        ftx__alloc_fail_at(n);
        rc = ftx__model_decode(&flagged_model, j, &out, NULL);
        ftx__alloc_fail_at(0);
        if (rc == FTX_OK) {
            assert_flagged(out);
            ftx__model_free(&flagged_model, out);
            break;
        }
        assert_int_equal(rc, FTX_ERR_NOMEM);
        assert_null(out);
        failed++;
    }
    assert_true(failed >= 8);
    assert_int_equal(j->refcount, 1);
    assert_int_equal(config->refcount, 1);

    assert_int_equal(ftx__model_decode(&flagged_model, j, (void **)&f, NULL), FTX_OK);
    failed = 0;
    for (n = 1; n < 100; n++) {
        t_flagged *d;

        ftx__alloc_fail_at(n);
        d = ftx__model_dup(&flagged_model, f);
        ftx__alloc_fail_at(0);
        if (d != NULL) {
            assert_flagged(d);
            ftx__model_free(&flagged_model, d);
            break;
        }
        failed++;
    }
    assert_true(failed >= 8);
    ftx__model_free(&flagged_model, f);
    assert_int_equal(j->refcount, 1);
    assert_int_equal(config->refcount, 1);
    json_decref(j);
}

/* ---- operations ---- */

static const char *const type_enum[] = {"DBT_CORE", "QUICKSTART", NULL};
static const char *const color_enum[] = {"red", "green", NULL};
static const long long freq_enum[] = {5, 15, 60};

static const ftx__qparam get_query[] = {
    {"q", FTX__Q_STRING, 0, NULL},    {"active", FTX__Q_BOOL, 0, NULL},
    {"n", FTX__Q_INT, 0, NULL},       {"type", FTX__Q_STRING, 0, type_enum},
    {"must", FTX__Q_STRING, 1, NULL},
};

static const ftx__bfield create_body[] = {
    {"name", FTX__B_STRING, 1, NULL, NULL, 0},
    {"color", FTX__B_STRING, 0, color_enum, NULL, 0},
    {"sync_frequency", FTX__B_INT, 0, NULL, freq_enum, 3},
    {"paused", FTX__B_BOOL, 0, NULL, NULL, 0},
    {"ratio", FTX__B_NUMBER, 0, NULL, NULL, 0},
    {"config", FTX__B_OBJECT, 0, NULL, NULL, 0},
    {"tags", FTX__B_ARRAY, 0, NULL, NULL, 0},
};

static const ftx__op op_get = {"thing_details", "GET", "/things/{thingId}", 1, 0, NULL, 0, NULL, 0,
                               &thing_model};
static const ftx__op op_get_v2 = {"thing_details_v2",
                                  "GET",
                                  "/groups/{groupId}/things/{thingId}",
                                  2,
                                  FTX__OP_V2,
                                  NULL,
                                  0,
                                  NULL,
                                  0,
                                  &thing_model};
static const ftx__op op_query = {
    "thing_search", "GET", "/things/{thingId}/search", 1, 0, get_query, 5, NULL, 0, NULL};
static const ftx__op op_create = {"create_thing",
                                  "POST",
                                  "/things",
                                  0,
                                  FTX__OP_CREATE | FTX__OP_BODY_REQUIRED,
                                  NULL,
                                  0,
                                  create_body,
                                  sizeof(create_body) / sizeof(create_body[0]),
                                  &thing_model};
static const ftx__op op_update = {"update_thing", "PATCH", "/things/{thingId}", 1, 0,
                                  NULL,           0,       create_body + 1,     2, &thing_model};
static const ftx__op op_run = {
    "run_thing", "POST", "/things/{thingId}/run", 1, FTX__OP_MESSAGE, NULL, 0, NULL, 0, NULL};
static const ftx__op op_cancel = {"cancel_thing",
                                  "POST",
                                  "/things/{thingId}/cancel",
                                  1,
                                  FTX__OP_NO_BODY | FTX__OP_MESSAGE,
                                  NULL,
                                  0,
                                  NULL,
                                  0,
                                  NULL};
static const ftx__op op_delete = {
    "delete_thing", "DELETE", "/things/{thingId}", 1, FTX__OP_MESSAGE, NULL, 0, NULL, 0, NULL};
static const ftx__op op_public = {
    "public_things", "GET", "/public/things", 0, FTX__OP_HOST_ROOT, NULL, 0, NULL, 0, NULL};

static const ftx__qparam list_filters[] = {
    {"group_id", FTX__Q_STRING, 0, NULL},
    {"type", FTX__Q_STRING, 0, type_enum},
    {"active", FTX__Q_BOOL, 0, NULL},
};
static const ftx__op op_list = {
    "list_things", "GET", "/teams/{teamId}/things", 1, FTX__OP_PAGED, list_filters, 3, NULL, 0,
    &thing_model};
static const ftx__op op_list_json = {
    "list_json", "GET", "/json-things", 0, FTX__OP_PAGED | FTX__OP_V2, NULL, 0, NULL, 0, NULL};

#define OK_MESSAGE "{\"code\":\"Success\",\"message\":\"done\"}"

static void test_get_exact_request_and_decode(void **state)
{
    th_fixture *f = *state;
    const char *ids[] = {"a/b c?"};
    void *out = NULL;
    ftx_error err = {0};

    mock_server_respond(f->ms, 200, ENVELOPE(THING_JSON));
    assert_int_equal(ftx__op_call(f->client, &op_get, ids, NULL, 0, NULL, &out, &err), FTX_OK);
    th_assert_call(f->ms, 0, "GET", "/v1/things/a%2Fb%20c%3F", NULL, "application/json", NULL);
    assert_thing(out);
    ftx__model_free(&thing_model, out);
}

static void test_get_v2_two_ids(void **state)
{
    th_fixture *f = *state;
    const char *ids[] = {"g 1", "t#2"};
    void *out = NULL;
    ftx_error err = {0};

    mock_server_respond(f->ms, 200, ENVELOPE("{\"id\":\"t\"}"));
    assert_int_equal(ftx__op_call(f->client, &op_get_v2, ids, NULL, 0, NULL, &out, &err), FTX_OK);
    th_assert_call(f->ms, 0, "GET", "/v1/groups/g%201/things/t%232", NULL,
                   "application/json;version=2", NULL);
    assert_string_equal(((t_thing *)out)->id, "t");
    ftx__model_free(&thing_model, out);
}

static void test_missing_ids_send_nothing(void **state)
{
    th_fixture *f = *state;
    const char *null_id[] = {NULL};
    const char *empty_id[] = {"g", ""};
    void *out = (void *)state;
    ftx_error err = {0};

    assert_int_equal(ftx__op_call(f->client, &op_get, null_id, NULL, 0, NULL, &out, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_null(out);
    assert_string_equal(err.message, "thingId must be a non-empty string");
    assert_int_equal(ftx__op_call(f->client, &op_get_v2, empty_id, NULL, 0, NULL, &out, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.message, "thingId must be a non-empty string");
    assert_int_equal(ftx__op_call(f->client, &op_get, NULL, NULL, 0, NULL, &out, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx__op_call(f->client, &op_get, null_id, NULL, 0, NULL, NULL, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.message, "out must not be NULL");
    assert_int_equal(ftx__op_call(NULL, &op_get, null_id, NULL, 0, NULL, &out, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(f->ms), 0);
}

static void test_query_encoded_and_json_result(void **state)
{
    th_fixture *f = *state;
    const char *ids[] = {"t1"};
    const ftx_query_param q[] = {
        {"must", "x&y=z"}, {"q", "a b"}, {"active", "false"}, {"n", "-12"}, {"type", "QUICKSTART"}};
    void *out = NULL;
    ftx_error err = {0};

    mock_server_respond(f->ms, 200, ENVELOPE("{\"items\":[{\"k\":1}]}"));
    assert_int_equal(ftx__op_call(f->client, &op_query, ids, q, 5, NULL, &out, &err), FTX_OK);
    th_assert_call(f->ms, 0, "GET", "/v1/things/t1/search",
                   "must=x%26y%3Dz&q=a%20b&active=false&n=-12&type=QUICKSTART", "application/json",
                   NULL);
    /* no result model: the data as JSON, a new reference */
    assert_non_null(out);
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(json_object_get(out, "items"), 0), "k")),
        1);
    json_decref(out);
}

static void expect_invalid(th_fixture *f, const ftx__op *op, const char *const *ids,
                           const ftx_query_param *q, size_t nq, const json_t *params,
                           const char *message)
{
    void *out = (void *)f;
    ftx_error err = {0};

    assert_int_equal(ftx__op_call(f->client, op, ids, q, nq, params, &out, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_null(out);
    assert_int_equal(err.type, FTX_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.message, message);
    assert_int_equal(mock_server_request_count(f->ms), 0);
}

static void test_query_errors_send_nothing(void **state)
{
    th_fixture *f = *state;
    const char *ids[] = {"t1"};
    const ftx_query_param unknown[] = {{"must", "1"}, {"colour", "x"}};
    const ftx_query_param bad_bool[] = {{"must", "1"}, {"active", "yes"}};
    const ftx_query_param bad_int[] = {{"must", "1"}, {"n", "1.5"}};
    const ftx_query_param bad_enum[] = {{"must", "1"}, {"type", "dbt_core"}};
    const ftx_query_param missing[] = {{"q", "x"}};
    const ftx_query_param twice[] = {{"must", "1"}, {"must", "2"}};
    const ftx_query_param no_value[] = {{"must", NULL}};
    const ftx_query_param no_name[] = {{"", "x"}};
    const ftx_query_param any[] = {{"x", "1"}};

    expect_invalid(f, &op_query, ids, unknown, 2, NULL,
                   "GET /things/{thingId}/search: unknown query parameter \"colour\"; valid: q, "
                   "active, n, type, must");
    expect_invalid(f, &op_query, ids, bad_bool, 2, NULL,
                   "GET /things/{thingId}/search: query parameter \"active\" must be true or "
                   "false, got \"yes\"");
    expect_invalid(f, &op_query, ids, bad_int, 2, NULL,
                   "GET /things/{thingId}/search: query parameter \"n\" must be a decimal "
                   "integer, got \"1.5\"");
    expect_invalid(f, &op_query, ids, bad_enum, 2, NULL,
                   "GET /things/{thingId}/search: query parameter \"type\" must be one of "
                   "DBT_CORE, QUICKSTART, got \"dbt_core\"");
    expect_invalid(f, &op_query, ids, missing, 1, NULL,
                   "GET /things/{thingId}/search: query parameter \"must\" is required");
    expect_invalid(f, &op_query, ids, NULL, 0, NULL,
                   "GET /things/{thingId}/search: query parameter \"must\" is required");
    expect_invalid(f, &op_query, ids, twice, 2, NULL,
                   "GET /things/{thingId}/search: query parameter \"must\" is given more than "
                   "once");
    expect_invalid(f, &op_query, ids, no_value, 1, NULL,
                   "GET /things/{thingId}/search: query parameter \"must\" has no value");
    expect_invalid(f, &op_query, ids, no_name, 1, NULL,
                   "GET /things/{thingId}/search: query parameter 0 has no name");
    expect_invalid(f, &op_get, ids, any, 1, NULL,
                   "GET /things/{thingId}: unknown query parameter \"x\": it takes no query "
                   "parameters");
}

static void test_body_checks_send_nothing(void **state)
{
    th_fixture *f = *state;
    const char *ids[] = {"t1"};
    json_t *p;

    expect_invalid(f, &op_create, NULL, NULL, 0, NULL,
                   "POST /things: params must be a JSON object (the request body is required)");
    p = json_array();
    expect_invalid(f, &op_create, NULL, NULL, 0, p,
                   "POST /things: params must be a JSON object, got an array");
    json_decref(p);
    p = th_json("{\"color\":\"red\"}");
    expect_invalid(f, &op_create, NULL, NULL, 0, p,
                   "POST /things: params field \"name\" is required");
    json_decref(p);
    p = th_json("{\"name\":null}");
    expect_invalid(f, &op_create, NULL, NULL, 0, p,
                   "POST /things: params field \"name\" is required");
    json_decref(p);
    p = th_json("{\"name\":5}");
    expect_invalid(f, &op_create, NULL, NULL, 0, p,
                   "POST /things: params field \"name\" must be a string, got an integer");
    json_decref(p);
    p = th_json("{\"name\":\"n\",\"color\":\"blue\"}");
    expect_invalid(f, &op_create, NULL, NULL, 0, p,
                   "POST /things: params field \"color\" must be one of red, green, got \"blue\"");
    json_decref(p);
    p = th_json("{\"name\":\"n\",\"sync_frequency\":7}");
    expect_invalid(f, &op_create, NULL, NULL, 0, p,
                   "POST /things: params field \"sync_frequency\" must be one of 5, 15, 60, got 7");
    json_decref(p);
    p = th_json("{\"name\":\"n\",\"sync_frequency\":\"5\"}");
    expect_invalid(f, &op_create, NULL, NULL, 0, p,
                   "POST /things: params field \"sync_frequency\" must be an integer, got a "
                   "string");
    json_decref(p);
    p = th_json("{\"name\":\"n\",\"paused\":1}");
    expect_invalid(f, &op_create, NULL, NULL, 0, p,
                   "POST /things: params field \"paused\" must be a boolean, got an integer");
    json_decref(p);
    p = th_json("{\"name\":\"n\",\"ratio\":\"1\"}");
    expect_invalid(f, &op_create, NULL, NULL, 0, p,
                   "POST /things: params field \"ratio\" must be a number, got a string");
    json_decref(p);
    p = th_json("{\"name\":\"n\",\"config\":[]}");
    expect_invalid(f, &op_create, NULL, NULL, 0, p,
                   "POST /things: params field \"config\" must be an object, got an array");
    json_decref(p);
    p = th_json("{\"name\":\"n\",\"tags\":{}}");
    expect_invalid(f, &op_create, NULL, NULL, 0, p,
                   "POST /things: params field \"tags\" must be an array, got an object");
    json_decref(p);
    p = th_json("{}");
    expect_invalid(f, &op_get, ids, NULL, 0, p,
                   "GET /things/{thingId} takes no request body: params must be NULL");
    expect_invalid(f, &op_cancel, ids, NULL, 0, p,
                   "POST /things/{thingId}/cancel takes no request body: params must be NULL");
    json_decref(p);
}

static void test_create_body_sent_and_never_retried(void **state)
{
    th_fixture *f = *state;
    json_t *p = th_json("{\"name\":\"n\",\"color\":\"green\",\"sync_frequency\":15,\"paused\":true,"
                        "\"ratio\":1,\"config\":{},\"tags\":[],\"extra\":\"kept\"}");
    void *out = NULL;
    ftx_error err = {0};

    mock_server_respond(f->ms, 201, ENVELOPE(THING_JSON));
    assert_int_equal(ftx__op_call(f->client, &op_create, NULL, NULL, 0, p, &out, &err), FTX_OK);
    th_assert_call(f->ms, 0, "POST", "/v1/things", NULL, "application/json",
                   "{\"name\":\"n\",\"color\":\"green\",\"sync_frequency\":15,\"paused\":true,"
                   "\"ratio\":1,\"config\":{},\"tags\":[],\"extra\":\"kept\"}");
    assert_thing(out);
    ftx__model_free(&thing_model, out);

    /* an ambiguous failure of a create is not retried */
    mock_server_reset(f->ms);
    mock_server_respond(f->ms, 500, "{\"code\":\"InternalError\",\"message\":\"oops\"}");
    mock_server_respond(f->ms, 201, ENVELOPE(THING_JSON));
    assert_int_equal(ftx__op_call(f->client, &op_create, NULL, NULL, 0, p, &out, &err),
                     FTX_ERR_OUTCOME_UNKNOWN);
    assert_null(out);
    assert_int_equal(mock_server_request_count(f->ms), 1);
    json_decref(p);

    /* ... whereas an update is */
    mock_server_reset(f->ms);
    mock_server_respond(f->ms, 500, "{\"code\":\"InternalError\",\"message\":\"oops\"}");
    mock_server_respond(f->ms, 200, ENVELOPE(THING_JSON));
    {
        const char *ids[] = {"t1"};

        assert_int_equal(ftx__op_call(f->client, &op_update, ids, NULL, 0, NULL, &out, &err),
                         FTX_OK);
        assert_int_equal(mock_server_request_count(f->ms), 2);
        th_assert_call(f->ms, 1, "PATCH", "/v1/things/t1", NULL, "application/json", "{}");
        ftx__model_free(&thing_model, out);
    }
}

static void test_message_no_body_delete_and_host_root(void **state)
{
    th_fixture *f = *state;
    const char *ids[] = {"t 1"};
    void *out = (void *)state;
    ftx_error err = {0};
    const mock_request *r;

    /* a message op with a JSON body: NULL params send {}, nothing returned */
    mock_server_respond(f->ms, 200, OK_MESSAGE);
    assert_int_equal(ftx__op_call(f->client, &op_run, ids, NULL, 0, NULL, NULL, &err), FTX_OK);
    th_assert_call(f->ms, 0, "POST", "/v1/things/t%201/run", NULL, "application/json", "{}");

    /* no body at all */
    mock_server_respond(f->ms, 200, OK_MESSAGE);
    assert_int_equal(ftx__op_call(f->client, &op_cancel, ids, NULL, 0, NULL, &out, &err), FTX_OK);
    assert_null(out);
    r = th_assert_call(f->ms, 1, "POST", "/v1/things/t%201/cancel", NULL, "application/json", NULL);
    assert_null(r->content_type);
    assert_non_null(r->content_length);
    assert_string_equal(r->content_length, "0");

    mock_server_respond(f->ms, 200, OK_MESSAGE);
    assert_int_equal(ftx__op_call(f->client, &op_delete, ids, NULL, 0, NULL, NULL, &err), FTX_OK);
    th_assert_call(f->ms, 2, "DELETE", "/v1/things/t%201", NULL, "application/json", NULL);

    /* from the host root, not under /v1 */
    mock_server_respond(f->ms, 200, ENVELOPE("{\"items\":[]}"));
    assert_int_equal(ftx__op_call(f->client, &op_public, NULL, NULL, 0, NULL, &out, &err), FTX_OK);
    th_assert_call(f->ms, 3, "GET", "/public/things", NULL, "application/json", NULL);
    assert_true(json_is_array(json_object_get(out, "items")));
    json_decref(out);

    /* errors are mapped as usual */
    mock_server_respond(f->ms, 404, "{\"code\":\"NotFound\",\"message\":\"no thing\"}");
    assert_int_equal(ftx__op_call(f->client, &op_get, ids, NULL, 0, NULL, &out, &err),
                     FTX_ERR_NOT_FOUND);
    assert_null(out);
    /* a data that is not an object is a decode error */
    mock_server_respond(f->ms, 200, "{\"code\":\"Success\",\"data\":[1]}");
    assert_int_equal(ftx__op_call(f->client, &op_get, ids, NULL, 0, NULL, &out, &err),
                     FTX_ERR_DECODE);
    assert_null(out);
}

#define PAGE1 ENVELOPE("{\"items\":[" THING_JSON ",{\"id\":\"thing_2\"}],\"next_cursor\":\"c/2\"}")
#define PAGE2 ENVELOPE("{\"items\":[{\"id\":\"thing_3\"}],\"next_cursor\":null}")

static void test_list_with_filters(void **state)
{
    th_fixture *f = *state;
    const char *ids[] = {"team 1"};
    const ftx_query_param filters[] = {{"type", "DBT_CORE"}, {"group_id", "g&1"}};
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx__page *page = NULL;
    ftx_error err = {0};

    lo.limit = 2;
    lo.filters = filters;
    lo.filter_count = 2;
    mock_server_respond(f->ms, 200, PAGE1);
    assert_int_equal(ftx__op_list(f->client, &op_list, ids, &lo, &page, &err), FTX_OK);
    th_assert_call(f->ms, 0, "GET", "/v1/teams/team%201/things",
                   "type=DBT_CORE&group_id=g%261&limit=2", "application/json", NULL);
    assert_int_equal(page->count, 2);
    assert_thing(page->items[0]);
    assert_string_equal(((t_thing *)page->items[1])->id, "thing_2");
    assert_string_equal(page->next_cursor, "c/2");
    lo.cursor = page->next_cursor;
    mock_server_respond(f->ms, 200, PAGE2);
    {
        ftx__page *p2 = NULL;

        assert_int_equal(ftx__op_list(f->client, &op_list, ids, &lo, &p2, &err), FTX_OK);
        th_assert_call(f->ms, 1, "GET", "/v1/teams/team%201/things",
                       "type=DBT_CORE&group_id=g%261&cursor=c%2F2&limit=2", "application/json",
                       NULL);
        assert_int_equal(p2->count, 1);
        assert_null(p2->next_cursor);
        assert_string_equal(((t_thing *)p2->items[0])->id, "thing_3");
        ftx__op_free_item(&op_list, p2->items[0]);
        ftx__op_free_item(&op_list, NULL); /* NULL-safe */
        ftx__page_free(p2, NULL);
    }
    {
        size_t i;

        for (i = 0; i < page->count; i++)
            ftx__op_free_item(&op_list, page->items[i]);
        ftx__page_free(page, NULL);
    }
}

static void test_list_filter_errors_send_nothing(void **state)
{
    th_fixture *f = *state;
    const char *ids[] = {"t"};
    const ftx_query_param bad_enum[] = {{"type", "x"}};
    const ftx_query_param bad_bool[] = {{"active", "1"}};
    const ftx_query_param unknown[] = {{"cursor", "x"}};
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx__page *page = (ftx__page *)state;
    ftx__stream *s = (ftx__stream *)state;
    ftx_error err = {0};

    lo.filters = bad_enum;
    lo.filter_count = 1;
    assert_int_equal(ftx__op_list(f->client, &op_list, ids, &lo, &page, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_null(page);
    assert_string_equal(err.message, "/teams/t/things: filter \"type\" must be one of DBT_CORE, "
                                     "QUICKSTART, got \"x\"");
    assert_int_equal(ftx__op_stream(f->client, &op_list, ids, &lo, &s, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_null(s);
    lo.filters = bad_bool;
    assert_int_equal(ftx__op_list(f->client, &op_list, ids, &lo, &page, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.message,
                        "/teams/t/things: filter \"active\" must be true or false, got \"1\"");
    lo.filters = unknown;
    assert_int_equal(ftx__op_list(f->client, &op_list, ids, &lo, &page, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_string_equal(
        err.message, "/teams/t/things: unknown filter \"cursor\"; valid: group_id, type, active");
    lo.filters = NULL;
    lo.filter_count = 1;
    assert_int_equal(ftx__op_list(f->client, &op_list, ids, &lo, &page, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    /* not a list, no id */
    assert_int_equal(ftx__op_list(f->client, &op_get, ids, NULL, &page, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.message,
                        "GET /things/{thingId} is not a paged list under the base URL");
    assert_int_equal(ftx__op_list(f->client, &op_list, NULL, NULL, &page, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx__op_stream(f->client, &op_list, NULL, NULL, &s, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(mock_server_request_count(f->ms), 0);
}

static void test_stream_copies_filters(void **state)
{
    th_fixture *f = *state;
    const char *ids[] = {"t1"};
    ftx_query_param filters[] = {{"active", "true"}};
    char team[] = "t1";
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    ftx__stream *s = NULL;
    const void *item = NULL;
    ftx_error err = {0};

    ids[0] = team;
    lo.filters = filters;
    lo.filter_count = 1;
    lo.prefetch = 0;
    assert_int_equal(ftx__op_stream(f->client, &op_list, ids, &lo, &s, &err), FTX_OK);
    /* the stream keeps its own copies of the path and the filters */
    filters[0].name = "gone";
    filters[0].value = "gone";
    team[0] = 'X';
    assert_int_equal(mock_server_request_count(f->ms), 0);
    mock_server_respond(f->ms, 200, PAGE1);
    mock_server_respond(f->ms, 200, PAGE2);
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_thing(item);
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_string_equal(((const t_thing *)item)->id, "thing_2");
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_string_equal(((const t_thing *)item)->id, "thing_3");
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_null(item);
    ftx__stream_free(s);
    th_assert_call(f->ms, 0, "GET", "/v1/teams/t1/things", "active=true", "application/json", NULL);
    th_assert_call(f->ms, 1, "GET", "/v1/teams/t1/things", "active=true&cursor=c%2F2",
                   "application/json", NULL);
    assert_int_equal(mock_server_request_count(f->ms), 2);
}

static void test_list_json_items_v2(void **state)
{
    th_fixture *f = *state;
    ftx__page *page = NULL;
    ftx__stream *s = NULL;
    const void *item = NULL;
    ftx_error err = {0};
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    const ftx_query_param any[] = {{"x", "1"}};

    mock_server_respond(f->ms, 200, ENVELOPE("{\"items\":[{\"a\":1},{\"a\":2}]}"));
    assert_int_equal(ftx__op_list(f->client, &op_list_json, NULL, NULL, &page, &err), FTX_OK);
    th_assert_call(f->ms, 0, "GET", "/v1/json-things", NULL, "application/json;version=2", NULL);
    assert_int_equal(page->count, 2);
    assert_int_equal(json_integer_value(json_object_get(page->items[1], "a")), 2);
    ftx__op_free_item(&op_list_json, page->items[0]);
    ftx__op_free_item(&op_list_json, page->items[1]);
    ftx__page_free(page, NULL);

    mock_server_respond(f->ms, 200, ENVELOPE("{\"items\":[{\"a\":3}]}"));
    assert_int_equal(ftx__op_stream(f->client, &op_list_json, NULL, NULL, &s, &err), FTX_OK);
    assert_int_equal(ftx__stream_next(s, &item, &err), FTX_OK);
    assert_int_equal(json_integer_value(json_object_get(item, "a")), 3);
    ftx__stream_free(s);

    /* a list that declares no filters refuses any */
    lo.filters = any;
    lo.filter_count = 1;
    assert_int_equal(ftx__op_list(f->client, &op_list_json, NULL, &lo, &page, &err),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_string_equal(err.message, "/json-things: unknown filter \"x\": it takes no filters");
    assert_int_equal(mock_server_request_count(f->ms), 2);

    /* a version 1 struct has no filters: whatever lies past its end is never read */
    lo.version = 1;
    mock_server_respond(f->ms, 200, ENVELOPE("{\"items\":[]}"));
    assert_int_equal(ftx__op_list(f->client, &op_list_json, NULL, &lo, &page, &err), FTX_OK);
    th_assert_call(f->ms, 2, "GET", "/v1/json-things", NULL, "application/json;version=2", NULL);
    assert_int_equal(page->count, 0);
    ftx__page_free(page, NULL);
}

static void test_list_survives_every_allocation_failure(void **state)
{
    th_fixture *f = *state;
    const char *ids[] = {"t1"};
    const ftx_query_param filters[] = {{"type", "DBT_CORE"}};
    ftx_list_options lo = FTX_LIST_OPTIONS_INIT;
    int failed = 0;
    long n;

    lo.filters = filters;
    lo.filter_count = 1;
    for (n = 1; n < 400; n++) {
        ftx__page *page = NULL;
        ftx_error err = {0};
        size_t i;
        int rc;

        mock_server_reset(f->ms);
        mock_server_respond(f->ms, 200, PAGE1);
        ftx__alloc_fail_at(n);
        rc = ftx__op_list(f->client, &op_list, ids, &lo, &page, &err);
        ftx__alloc_fail_at(0);
        if (rc == FTX_OK) {
            assert_int_equal(page->count, 2);
            assert_thing(page->items[0]);
            for (i = 0; i < page->count; i++)
                ftx__op_free_item(&op_list, page->items[i]);
            ftx__page_free(page, NULL);
            break;
        }
        assert_null(page);
        failed++;
    }
    assert_true(failed > 10);
    assert_true(n < 400);
}

static void test_call_survives_every_allocation_failure(void **state)
{
    th_fixture *f = *state;
    const char *ids[] = {"t 1"};
    const ftx_query_param q[] = {{"must", "a b"}, {"type", "DBT_CORE"}};
    int failed = 0;
    long n;

    for (n = 1; n < 400; n++) {
        void *out = (void *)state;
        ftx_error err = {0};
        int rc;

        mock_server_reset(f->ms);
        mock_server_respond(f->ms, 200, ENVELOPE(THING_JSON));
        ftx__alloc_fail_at(n);
        rc = ftx__op_call(f->client, &op_query, ids, q, 2, NULL, &out, &err);
        ftx__alloc_fail_at(0);
        if (rc == FTX_OK) {
            th_assert_call(f->ms, 0, "GET", "/v1/things/t%201/search", "must=a%20b&type=DBT_CORE",
                           "application/json", NULL);
            assert_string_equal(json_string_value(json_object_get(out, "id")), "thing_1");
            json_decref(out);
            break;
        }
        assert_int_equal(rc, FTX_ERR_NOMEM);
        assert_null(out);
        failed++;
    }
    assert_true(failed > 3);
    assert_true(n < 400);

    failed = 0;
    for (n = 1; n < 400; n++) {
        void *out = (void *)state;
        ftx_error err = {0};
        int rc;

        mock_server_reset(f->ms);
        mock_server_respond(f->ms, 200, ENVELOPE(THING_JSON));
        ftx__alloc_fail_at(n);
        rc = ftx__op_call(f->client, &op_get, ids, NULL, 0, NULL, &out, &err);
        ftx__alloc_fail_at(0);
        if (rc == FTX_OK) {
            assert_thing(out);
            ftx__model_free(&thing_model, out);
            break;
        }
        assert_int_equal(rc, FTX_ERR_NOMEM);
        assert_null(out);
        failed++;
    }
    assert_true(failed > 15);
    assert_true(n < 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_every_field),
        cmocka_unit_test(test_decode_nulls_and_wrong_types),
        cmocka_unit_test(test_dup_is_deep_and_shares_raw),
        cmocka_unit_test(test_decode_and_dup_survive_every_allocation_failure),
        cmocka_unit_test(test_decode_any_key_order),
        cmocka_unit_test(test_decode_wide_model),
        cmocka_unit_test(test_flag_required),
        cmocka_unit_test(test_flag_tristate_bool),
        cmocka_unit_test(test_flag_owned_json_and_no_raw),
        cmocka_unit_test(test_flag_empty_null),
        cmocka_unit_test(test_flag_alias),
        cmocka_unit_test(test_flags_survive_every_allocation_failure),
        cmocka_unit_test_setup_teardown(test_get_exact_request_and_decode, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_get_v2_two_ids, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_missing_ids_send_nothing, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_query_encoded_and_json_result, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_query_errors_send_nothing, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_body_checks_send_nothing, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_create_body_sent_and_never_retried, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_message_no_body_delete_and_host_root, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_list_with_filters, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_list_filter_errors_send_nothing, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_stream_copies_filters, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_list_json_items_v2, th_setup, th_teardown),
        cmocka_unit_test_setup_teardown(test_list_survives_every_allocation_failure, th_setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(test_call_survives_every_allocation_failure, th_setup,
                                        th_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
