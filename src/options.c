/*
 * Options structs and the ABI: the 1..CURRENT rule (docs/abi.md).
 *
 * Every public options struct starts with `unsigned int version` and grows only by
 * appending fields under a new FTX_<NAME>_VERSION. A program built against an older
 * header passes an older, smaller struct, so the library accepts every version from 1 to
 * its own and reads only the bytes the caller's version has (libgit2's rule): the
 * caller's struct is copied, that many bytes, over the defaults of the current layout,
 * and the code then reads the full-size copy.
 *
 * To add a field to an options struct: append it (never in the middle), raise its
 * FTX_<NAME>_VERSION, add it to its INIT macro, and here put the size of the old
 * version, `offsetof(T, new_field)`, before `sizeof(T)` in the list below (the
 * _Static_assert fails until the list has one entry per version). offsetof and not the
 * old sizeof: the new field may sit in the old struct's tail padding, which an old
 * caller never initialised.
 */
#include <stddef.h>
#include <string.h>

#include "internal.h"
#include "retry.h"

#define FTX__OPTIONS_ABI(T, CURRENT, INIT, ...)                                                    \
    static const T T##_defaults = INIT;                                                            \
    static const size_t T##_sizes[] = {__VA_ARGS__};                                               \
    _Static_assert(sizeof(T##_sizes) / sizeof(T##_sizes[0]) == (CURRENT),                          \
                   #T ": list the size of every version, 1.." #CURRENT);                           \
    _Static_assert(offsetof(T, version) == 0, #T ": `version` must be the first field");           \
    _Static_assert(sizeof(((T *)0)->version) == sizeof(unsigned int),                              \
                   #T ": `version` must be an unsigned int");                                      \
    const ftx__options_abi ftx__##T##_abi = {#T,        #INIT,     (CURRENT),                      \
                                             sizeof(T), T##_sizes, &T##_defaults}

/* One line per public options struct: type, current version, INIT, then the size of
 * each version 1..CURRENT (the last is sizeof(T), or offsetof(T, reserved) for a
 * frozen-size struct with reserved room). */
FTX__OPTIONS_ABI(ftx_client_options, FTX_CLIENT_OPTIONS_VERSION, FTX_CLIENT_OPTIONS_INIT,
                 offsetof(ftx_client_options, ca_file), sizeof(ftx_client_options));
FTX__OPTIONS_ABI(ftx_retry_policy, FTX_RETRY_POLICY_VERSION, FTX_RETRY_POLICY_INIT,
                 offsetof(ftx_retry_policy, reserved));
FTX__OPTIONS_ABI(ftx_list_options, FTX_LIST_OPTIONS_VERSION, FTX_LIST_OPTIONS_INIT,
                 offsetof(ftx_list_options, filters), sizeof(ftx_list_options));
FTX__OPTIONS_ABI(ftx_request_options, FTX_REQUEST_OPTIONS_VERSION, FTX_REQUEST_OPTIONS_INIT,
                 offsetof(ftx_request_options, flags), sizeof(ftx_request_options));
FTX__OPTIONS_ABI(ftx_batch_options, FTX_BATCH_OPTIONS_VERSION, FTX_BATCH_OPTIONS_INIT,
                 sizeof(ftx_batch_options));
FTX__OPTIONS_ABI(ftx_fanout_options, FTX_FANOUT_OPTIONS_VERSION, FTX_FANOUT_OPTIONS_INIT,
                 sizeof(ftx_fanout_options));
FTX__OPTIONS_ABI(ftx_sync_options, FTX_SYNC_OPTIONS_VERSION, FTX_SYNC_OPTIONS_INIT,
                 sizeof(ftx_sync_options));
FTX__OPTIONS_ABI(ftx_resync_options, FTX_RESYNC_OPTIONS_VERSION, FTX_RESYNC_OPTIONS_INIT,
                 sizeof(ftx_resync_options));
FTX__OPTIONS_ABI(ftx_sync_frequency_options, FTX_SYNC_FREQUENCY_OPTIONS_VERSION,
                 FTX_SYNC_FREQUENCY_OPTIONS_INIT, sizeof(ftx_sync_frequency_options));
FTX__OPTIONS_ABI(ftx_reload_options, FTX_RELOAD_OPTIONS_VERSION, FTX_RELOAD_OPTIONS_INIT,
                 sizeof(ftx_reload_options));
FTX__OPTIONS_ABI(ftx_sync_wait_options, FTX_SYNC_WAIT_OPTIONS_VERSION, FTX_SYNC_WAIT_OPTIONS_INIT,
                 sizeof(ftx_sync_wait_options));
FTX__OPTIONS_ABI(ftx_transformation_wait_options, FTX_TRANSFORMATION_WAIT_OPTIONS_VERSION,
                 FTX_TRANSFORMATION_WAIT_OPTIONS_INIT, sizeof(ftx_transformation_wait_options));
FTX__OPTIONS_ABI(ftx_destination_test_options, FTX_DESTINATION_TEST_OPTIONS_VERSION,
                 FTX_DESTINATION_TEST_OPTIONS_INIT, sizeof(ftx_destination_test_options));
FTX__OPTIONS_ABI(ftx_webhook_handle_options, FTX_WEBHOOK_HANDLE_OPTIONS_VERSION,
                 FTX_WEBHOOK_HANDLE_OPTIONS_INIT, sizeof(ftx_webhook_handle_options));
FTX__OPTIONS_ABI(ftx_webhook_server_options, FTX_WEBHOOK_SERVER_OPTIONS_VERSION,
                 FTX_WEBHOOK_SERVER_OPTIONS_INIT,
                 offsetof(ftx_webhook_server_options, request_timeout_ms),
                 sizeof(ftx_webhook_server_options));

/* Every descriptor, for the unit test that checks their tables. */
const ftx__options_abi *const ftx__options_abis[] = {
    &ftx__ftx_client_options_abi,
    &ftx__ftx_retry_policy_abi,
    &ftx__ftx_list_options_abi,
    &ftx__ftx_request_options_abi,
    &ftx__ftx_batch_options_abi,
    &ftx__ftx_fanout_options_abi,
    &ftx__ftx_sync_options_abi,
    &ftx__ftx_resync_options_abi,
    &ftx__ftx_sync_frequency_options_abi,
    &ftx__ftx_reload_options_abi,
    &ftx__ftx_sync_wait_options_abi,
    &ftx__ftx_transformation_wait_options_abi,
    &ftx__ftx_destination_test_options_abi,
    &ftx__ftx_webhook_handle_options_abi,
    &ftx__ftx_webhook_server_options_abi,
    NULL,
};

/*
 * The embedded structs of ftx_client_options have frozen sizes (client.h), so growing
 * them never moves the client options' later fields. ftx_clock is 8 pointers on every
 * platform; ftx_retry_policy's size is checked where the ABI baseline is kept (LP64).
 */
_Static_assert(sizeof(ftx_clock) == 8 * sizeof(void *),
               "ftx_clock must stay 8 pointers: carve new fields out of `reserved`");
#if defined(__LP64__)
_Static_assert(sizeof(ftx_retry_policy) == 128,
               "ftx_retry_policy must stay 128 bytes: carve new fields out of `reserved`");
_Static_assert(offsetof(ftx_client_options, retry) == 56 &&
                   offsetof(ftx_client_options, clock) == 184 &&
                   offsetof(ftx_client_options, observer) == 248,
               "the fields of ftx_client_options never move");
#endif
/* Caller-allocated structs that the library writes whole: frozen sizes, on every
 * platform (ftx_error's are in error.c). */
_Static_assert(sizeof(ftx_batch_stats) == 8 * sizeof(size_t),
               "ftx_batch_stats must stay 8 size_t: carve new fields out of `reserved`");
_Static_assert(sizeof(ftx_fanout_stats) == 8 * sizeof(size_t),
               "ftx_fanout_stats must stay 8 size_t: carve new fields out of `reserved`");
_Static_assert(sizeof(ftx_webhook_server_stats) == 64,
               "ftx_webhook_server_stats must stay 64 bytes: carve new fields out of `reserved`");

#if defined(__LP64__)
/* ftx_time is embedded by value in models, before later fields: it never grows. */
_Static_assert(sizeof(ftx_time) == 24, "ftx_time never grows");
#endif

int ftx__options_version_check(const ftx__options_abi *t, unsigned int version, ftx_error *err)
{
    if (version >= 1 && version <= t->current)
        return FTX_OK;
    return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                          "%s version %u is not one this library knows (1..%u); initialise "
                          "the struct with %s",
                          t->name, version, t->current, t->init);
}

int ftx__options_load(const ftx__options_abi *t, void *dst, const void *src, ftx_error *err)
{
    unsigned int version;
    int rc;

    memcpy(dst, t->defaults, t->size);
    if (src == NULL)
        return FTX_OK;
    memcpy(&version, src, sizeof(version));
    if ((rc = ftx__options_version_check(t, version, err)) != FTX_OK)
        return rc;
    /* Only the bytes of the caller's version: later fields keep their defaults. */
    memcpy(dst, src, t->version_sizes[version - 1]);
    return FTX_OK;
}

int ftx__options_init(const ftx__options_abi *t, void *dst, unsigned int version)
{
    if (dst == NULL || version < 1 || version > t->current)
        return FTX_ERR_INVALID_ARGUMENT;
    /* The caller's struct is as large as its version: write no more than that. */
    memcpy(dst, t->defaults, t->version_sizes[version - 1]);
    memcpy(dst, &version, sizeof(version));
    return FTX_OK;
}

int ftx__retry_policy_load(ftx_retry_policy *dst, const ftx_retry_policy *src, ftx_error *err)
{
    int rc;

    if ((rc = FTX__OPTIONS_LOAD(ftx_retry_policy, dst, src, err)) != FTX_OK)
        return rc;
    return ftx__retry_policy_check(dst, err);
}

int ftx__client_options_load(ftx_client_options *dst, const ftx_client_options *src, ftx_error *err)
{
    ftx_retry_policy retry;
    int rc;

    if ((rc = FTX__OPTIONS_LOAD(ftx_client_options, dst, src, err)) != FTX_OK)
        return rc;
    /* The embedded policy has its own version: keep only the fields it has. */
    if ((rc = ftx__retry_policy_load(&retry, &dst->retry, err)) != FTX_OK)
        return rc;
    dst->retry = retry;
    return FTX_OK;
}
