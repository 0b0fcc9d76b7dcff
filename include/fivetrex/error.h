/**
 * @file fivetrex/error.h
 * @brief Error codes and the caller-owned error struct.
 *
 * Every fallible call returns FTX_OK (0) or a negative ftx_error_type and, when the
 * caller passes a non-NULL `ftx_error *`, fills it. The struct holds no heap memory:
 * declare it on the stack (`ftx_error err = {0};`) and never free it.
 * Messages never contain the API secret, a webhook secret or an Authorization header.
 */
#ifndef FIVETREX_ERROR_H
#define FIVETREX_ERROR_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Error classes. Values are stable and never renumbered. */
typedef enum ftx_error_type {
    FTX_OK = 0,
    /** A caller argument is wrong; no request was sent. */
    FTX_ERR_INVALID_ARGUMENT = -1,
    /** 401: bad or missing API key/secret. */
    FTX_ERR_UNAUTHORIZED = -2,
    /** 403: the key has no permission for this resource. */
    FTX_ERR_FORBIDDEN = -3,
    /** 404: the object does not exist. */
    FTX_ERR_NOT_FOUND = -4,
    /** 409: the request conflicts with the object's state. */
    FTX_ERR_CONFLICT = -5,
    /** 400 or 422: the API rejected the request's content. */
    FTX_ERR_BAD_REQUEST = -6,
    /** 429: too many requests; `retry_after` says how long to wait. */
    FTX_ERR_RATE_LIMITED = -7,
    /** 5xx from the API. */
    FTX_ERR_SERVER = -8,
    /** DNS, connect, TLS, timeout or reset: no usable response arrived. */
    FTX_ERR_TRANSPORT = -9,
    /** A create may or may not have happened (ambiguous failure after sending). */
    FTX_ERR_OUTCOME_UNKNOWN = -10,
    /** The response was not the JSON expected (truncated, invalid, no `data`). */
    FTX_ERR_DECODE = -11,
    /** Memory allocation failed. */
    FTX_ERR_NOMEM = -12,
    /** Any other HTTP status (405, 406, 415, ...). */
    FTX_ERR_UNKNOWN = -13,
    /** A callback asked to stop. */
    FTX_ERR_CANCELLED = -14,
    /** A wait ended at its deadline (e.g. ftx_connectors_sync_and_wait). */
    FTX_ERR_TIMEOUT = -15,
    /** The object is in a state that forbids the call (e.g. syncing a paused connector). */
    FTX_ERR_INVALID_STATE = -16,
} ftx_error_type;

/**
 * @brief The size of ftx_error in bytes, on every platform. It never changes within
 * a soname (libfivetrex.so.0): see the ABI rule on ftx_error.
 */
#define FTX_ERROR_SIZE 1024

/**
 * @brief Details of a failure. Caller-owned, fixed size, zero-initialisable.
 *
 * ABI rule: the caller allocates this struct (usually on the stack) and the library
 * writes whole structs into it, so its size is frozen at FTX_ERROR_SIZE bytes for the
 * life of the soname. New fields are carved out of the front of `reserved` (which
 * shrinks by as much), never added after it, and existing fields never move or change
 * type. A program built against an older header therefore always passes a struct as
 * large as the one the library writes. The library checks the size and every offset
 * at compile time (src/error.c), and the ABI baseline (abi/libfivetrex.abi) holds it.
 */
struct ftx_error {
    /** An ftx_error_type value (FTX_OK when no error). */
    int type;
    /** HTTP status of the last response, 0 when there was none. */
    int status;
    /** Fivetran's error `code` string (e.g. "NotFound_Connector"), or empty. */
    char code[64];
    /** One line saying what went wrong and what to do. */
    char message[512];
    /** Seconds the server asked to wait (Retry-After), -1 when none. */
    long retry_after;
    /** Number of HTTP attempts made (0 when none was sent). */
    int attempts;
    /**
     * Room for fields added later; makes the struct FTX_ERROR_SIZE bytes (the fields
     * above end at byte 588 + sizeof(long) on every platform). Not to be read.
     */
    unsigned char reserved[FTX_ERROR_SIZE - 588 - sizeof(long)];
};

/**
 * @brief A stable lower-case name for an error type, e.g. "not_found".
 * @return a static string; "unknown" for values outside the enum.
 * @since 0.1
 */
FTX_EXTERN const char *ftx_error_type_name(int type);

/** @brief Reset `err` to "no error" (`retry_after` = -1). NULL-safe. @since 0.1 */
FTX_EXTERN void ftx_error_clear(ftx_error *err);

#ifdef __cplusplus
}
#endif
#endif
