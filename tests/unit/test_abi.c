/*
 * The ABI rules of docs/abi.md that code can hold: options structs of every version
 * 1..CURRENT are accepted and only their own bytes are read; other versions are refused
 * with an error naming the struct; caller-allocated structs keep their frozen sizes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "internal.h"
#include "retry.h"

/*
 * A simulated options struct in its second version, as the library would see it, and
 * its first version, as a program built against the older header declares it. `c` was
 * added in version 2 and sits in version 1's tail padding: an old caller never wrote it.
 */
typedef struct fake_v1 {
    unsigned int version;
    const char *name;
    int a;
} fake_v1;

typedef struct fake_v2 {
    unsigned int version;
    const char *name;
    int a;
    int c; /* version 2 */
} fake_v2;

static const fake_v2 fake_defaults = {2, "default", 10, 77};
static const size_t fake_sizes[] = {offsetof(fake_v2, c), sizeof(fake_v2)};
static const ftx__options_abi fake_abi = {"fake_options",  "FAKE_OPTIONS_INIT", 2,
                                          sizeof(fake_v2), fake_sizes,          &fake_defaults};

/* A caller's v1 struct on the heap, exactly its size, so ASan sees any read past it;
 * the tail padding holds garbage, as an old caller's would. */
static fake_v1 *old_caller_struct(void)
{
    fake_v1 *v1 = malloc(sizeof(*v1));

    assert_non_null(v1);
    memset(v1, 0xA5, sizeof(*v1));
    v1->version = 1;
    v1->name = "mine";
    v1->a = 3;
    return v1;
}

static void test_older_version_is_read_up_to_its_own_fields(void **state)
{
    ftx_error err = {0};
    fake_v1 *v1 = old_caller_struct();
    fake_v2 got;

    (void)state;
    assert_true(sizeof(fake_v1) > offsetof(fake_v2, c)); /* c is in v1's padding */
    assert_int_equal(ftx__options_load(&fake_abi, &got, v1, &err), FTX_OK);
    assert_int_equal(got.version, 1);
    assert_string_equal(got.name, "mine");
    assert_int_equal(got.a, 3);
    assert_int_equal(got.c, 77); /* not the caller's padding: the default */
    free(v1);
}

static void test_current_version_is_read_whole(void **state)
{
    ftx_error err = {0};
    fake_v2 *v2 = malloc(sizeof(*v2));
    fake_v2 got;

    (void)state;
    assert_non_null(v2);
    *v2 = (fake_v2){2, "mine", 3, 4};
    assert_int_equal(ftx__options_load(&fake_abi, &got, v2, &err), FTX_OK);
    assert_string_equal(got.name, "mine");
    assert_int_equal(got.a, 3);
    assert_int_equal(got.c, 4);
    /* NULL options: the defaults */
    assert_int_equal(ftx__options_load(&fake_abi, &got, NULL, &err), FTX_OK);
    assert_memory_equal(&got, &fake_defaults, sizeof(got));
    free(v2);
}

static void test_unknown_versions_are_refused(void **state)
{
    static const unsigned int bad[] = {0, 3, 1000, 0xffffffffu};
    ftx_error err = {0};
    fake_v2 in = {0}, got;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        in.version = bad[i];
        ftx_error_clear(&err);
        assert_int_equal(ftx__options_load(&fake_abi, &got, &in, &err), FTX_ERR_INVALID_ARGUMENT);
        assert_int_equal(err.type, FTX_ERR_INVALID_ARGUMENT);
        assert_int_equal(ftx__options_version_check(&fake_abi, bad[i], NULL),
                         FTX_ERR_INVALID_ARGUMENT);
    }
    in.version = 3;
    (void)ftx__options_load(&fake_abi, &got, &in, &err);
    assert_string_equal(err.message, "fake_options version 3 is not one this library knows "
                                     "(1..2); initialise the struct with FAKE_OPTIONS_INIT");
    assert_int_equal(ftx__options_version_check(&fake_abi, 1, &err), FTX_OK);
    assert_int_equal(ftx__options_version_check(&fake_abi, 2, &err), FTX_OK);
}

static void test_init_writes_only_the_callers_version(void **state)
{
    fake_v1 *v1 = malloc(sizeof(*v1));
    fake_v2 v2;

    (void)state;
    assert_non_null(v1);
    /* ASan fails this if more than sizeof(fake_v1) bytes were written */
    assert_int_equal(ftx__options_init(&fake_abi, v1, 1), FTX_OK);
    assert_int_equal(v1->version, 1);
    assert_string_equal(v1->name, "default");
    assert_int_equal(v1->a, 10);
    assert_int_equal(ftx__options_init(&fake_abi, &v2, 2), FTX_OK);
    assert_int_equal(v2.version, 2);
    assert_int_equal(v2.c, 77);
    assert_int_equal(ftx__options_init(&fake_abi, v1, 0), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx__options_init(&fake_abi, v1, 3), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx__options_init(&fake_abi, NULL, 1), FTX_ERR_INVALID_ARGUMENT);
    free(v1);
}

/* Every real descriptor: one size per version, growing, within the struct, defaults of
 * the current version. */
static void test_every_options_table_is_consistent(void **state)
{
    const ftx__options_abi *const *t;
    unsigned int v;
    size_t n = 0;

    (void)state;
    for (t = ftx__options_abis; *t != NULL; t++, n++) {
        const ftx__options_abi *a = *t;
        unsigned int dflt_version;

        assert_true(a->current >= 1);
        assert_true(a->version_sizes[0] >= sizeof(unsigned int));
        for (v = 1; v < a->current; v++)
            assert_true(a->version_sizes[v] > a->version_sizes[v - 1]);
        assert_true(a->version_sizes[a->current - 1] <= a->size);
        memcpy(&dflt_version, a->defaults, sizeof(dflt_version));
        assert_int_equal(dflt_version, a->current);
        assert_int_equal(strncmp(a->name, "ftx_", 4), 0);
        assert_int_equal(strncmp(a->init, "FTX_", 4), 0);
    }
    assert_int_equal(n, 15);
}

/* Through the public API: the 1..CURRENT rule with the real structs. */
static void test_public_options_versions(void **state)
{
    ftx_client_options o;
    ftx_client *c = NULL;
    ftx_error err = {0};

    (void)state;
    assert_int_equal(ftx_client_options_init(&o, 0), FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_client_options_init(&o, FTX_CLIENT_OPTIONS_VERSION + 1),
                     FTX_ERR_INVALID_ARGUMENT);
    assert_int_equal(ftx_client_options_init(&o, FTX_CLIENT_OPTIONS_VERSION), FTX_OK);
    o.api_key = "k";
    o.api_secret = "s";
    o.base_url = "http://127.0.0.1:9/v1";

    o.version = FTX_CLIENT_OPTIONS_VERSION + 1;
    assert_int_equal(ftx_client_new(&c, &o, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_null(c);
    {
        char want[160];

        snprintf(want, sizeof(want),
                 "ftx_client_options version %u is not one this library knows (1..%u); "
                 "initialise the struct with FTX_CLIENT_OPTIONS_INIT",
                 FTX_CLIENT_OPTIONS_VERSION + 1, FTX_CLIENT_OPTIONS_VERSION);
        if (strstr(err.message, want) == NULL)
            fail_msg("got: %s", err.message);
    }
    o.version = 0;
    assert_int_equal(ftx_client_new(&c, &o, &err), FTX_ERR_INVALID_ARGUMENT);
    o.version = FTX_CLIENT_OPTIONS_VERSION;

    /* the embedded retry policy has its own version */
    o.retry.version = 0;
    assert_int_equal(ftx_client_new(&c, &o, &err), FTX_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err.message, "ftx_retry_policy version 0"));
    o.retry.version = FTX_RETRY_POLICY_VERSION;
    assert_int_equal(ftx_client_new(&c, &o, &err), FTX_OK);
    ftx_client_free(c);
}

static void test_retry_policy_reserved_room_is_ignored(void **state)
{
    ftx_retry_policy in = FTX_RETRY_POLICY_INIT, got;
    ftx_error err = {0};

    (void)state;
    memset(in.reserved, 0xA5, sizeof(in.reserved));
    in.max_attempts = 5;
    assert_int_equal(ftx__retry_policy_load(&got, &in, &err), FTX_OK);
    assert_int_equal(got.max_attempts, 5);
    assert_null(got.reserved[0]);
    in.version = FTX_RETRY_POLICY_VERSION + 1;
    assert_int_equal(ftx__retry_policy_load(&got, &in, &err), FTX_ERR_INVALID_ARGUMENT);
}

/* Caller-allocated structs the library writes whole: sizes frozen (error.h, client.h). */
static void test_frozen_sizes(void **state)
{
    (void)state;
    assert_int_equal(sizeof(ftx_error), FTX_ERROR_SIZE);
    assert_int_equal(sizeof(ftx_error), 1024);
    assert_int_equal(sizeof(ftx_clock), 8 * sizeof(void *));
    assert_int_equal(offsetof(ftx_error, reserved) + sizeof(((ftx_error *)0)->reserved), 1024);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_older_version_is_read_up_to_its_own_fields),
        cmocka_unit_test(test_current_version_is_read_whole),
        cmocka_unit_test(test_unknown_versions_are_refused),
        cmocka_unit_test(test_init_writes_only_the_callers_version),
        cmocka_unit_test(test_every_options_table_is_consistent),
        cmocka_unit_test(test_public_options_versions),
        cmocka_unit_test(test_retry_policy_reserved_room_is_ignored),
        cmocka_unit_test(test_frozen_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
