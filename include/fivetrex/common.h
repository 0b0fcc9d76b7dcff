/**
 * @file fivetrex/common.h
 * @brief Export macro, timestamps and process-wide initialisation.
 */
#ifndef FIVETREX_COMMON_H
#define FIVETREX_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(FTX_BUILDING_LIBRARY) && defined(__GNUC__)
#define FTX_EXTERN __attribute__((visibility("default")))
#else
#define FTX_EXTERN
#endif

/** Marks a variadic function whose argument list ends with NULL: GCC and Clang warn
 *  (-Wformat) about a call without it. */
#if defined(__GNUC__)
#define FTX_SENTINEL __attribute__((sentinel))
#else
#define FTX_SENTINEL
#endif

typedef struct ftx_error ftx_error;

/*
 * Models (ftx_group, ftx_connector, ftx_destination, ...) are read-only structs that
 * own their strings and hold `raw`, a reference to the whole JSON object they were
 * built from. Their `_dup` functions copy the struct and share `raw` by reference
 * (json_incref; jansson 2.11+ counts references atomically): a model and its copy may
 * be freed in any order and used from different threads. Never modify `raw`.
 */

/**
 * @brief A timestamp as Fivetran sent it, plus its parsed value.
 *
 * `iso` is the string as received (NULL when absent or null). `valid` is 1 when
 * `iso` parsed as ISO-8601 (`YYYY-MM-DD[THH:MM:SS[.fff...]][Z|+hh:mm]`), and then
 * `epoch_ms` holds milliseconds since 1970-01-01T00:00:00Z.
 */
typedef struct ftx_time {
    char *iso;
    int64_t epoch_ms;
    int valid;
} ftx_time;

/**
 * @brief Parse an ISO-8601 timestamp into milliseconds since the epoch.
 * @param iso the text, e.g. "2022-04-29T09:41:08.583Z"; a date alone is midnight UTC.
 * @param[out] epoch_ms the parsed value.
 * @return 0 on success, -1 when the text is not a timestamp.
 * @since 0.1
 */
FTX_EXTERN int ftx_time_parse(const char *iso, int64_t *epoch_ms);

/**
 * @brief Initialise libcurl and jansson once per process.
 *
 * Call it before starting threads; ftx_client_new() calls it too, so single-threaded
 * programs need not. Thread note: not thread-safe (libcurl's rule).
 * @return 0 (FTX_OK) or FTX_ERR_TRANSPORT when libcurl cannot initialise.
 * @since 0.1
 */
FTX_EXTERN int ftx_global_init(void);

/** @brief Release what ftx_global_init() set up. Not thread-safe. @since 0.1 */
FTX_EXTERN void ftx_global_cleanup(void);

/** @brief The library's version string at run time, e.g. "0.2.0". @since 0.1 */
FTX_EXTERN const char *ftx_version(void);

#ifdef __cplusplus
}
#endif
#endif
