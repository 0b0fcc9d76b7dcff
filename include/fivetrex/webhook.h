/**
 * @file fivetrex/webhook.h
 * @brief Receiving Fivetran webhooks: signature verification, event parsing, a
 * framework-agnostic request handler and an embedded receiver.
 *
 * Fivetran POSTs one compact JSON object per event and, when the webhook has a secret,
 * signs the exact body bytes with HMAC-SHA256 in the `X-Fivetran-Signature-256` header
 * (64 hex characters, no prefix). Three layers, use the one that fits:
 *
 * - ftx_webhook_signature_verify() and ftx_webhook_event_parse(): the building blocks
 *   (Fivetrex.WebhookSignature, Fivetrex.Models.WebhookEvent).
 * - ftx_webhook_handle(): raw body + signature header + secret in, HTTP status and
 *   parsed event out; call it from any HTTP server (Fivetrex.WebhookPlug).
 * - ftx_webhook_server: an embedded receiver (libmicrohttpd) that calls your callback
 *   once per verified event, with duplicate suppression for Fivetran's re-deliveries.
 *
 * Secrets never appear in an ftx_error message.
 */
#ifndef FIVETREX_WEBHOOK_H
#define FIVETREX_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------ */
/* Signatures (Fivetrex.WebhookSignature)                                               */
/* ------------------------------------------------------------------------------------ */

/** @brief Length of a signature in hex characters (HMAC-SHA256 = 32 bytes). */
#define FTX_WEBHOOK_SIGNATURE_HEX_LEN 64
/** @brief Size of a buffer holding a signature and its terminating NUL. */
#define FTX_WEBHOOK_SIGNATURE_BUFSIZE 65

/** @brief Outcome of ftx_webhook_signature_verify(). */
typedef enum ftx_webhook_sig_result {
    /** The signature matches the body and the secret. */
    FTX_WEBHOOK_SIG_OK = 0,
    /** A signature was given but does not match (or the secret is empty/NULL). */
    FTX_WEBHOOK_SIG_INVALID = 1,
    /** No signature was given (NULL, empty or only blanks). */
    FTX_WEBHOOK_SIG_MISSING = 2,
} ftx_webhook_sig_result;

/**
 * @brief Name of the header Fivetran signs with: "X-Fivetran-Signature-256".
 *
 * HTTP header names are case-insensitive; compare them that way.
 * @return a static string.
 * @since 0.1
 */
FTX_EXTERN const char *ftx_webhook_signature_header(void);

/**
 * @brief Compute the signature Fivetran sends for `body`: HEX(HMAC-SHA256(secret, body)),
 * 64 uppercase hex characters.
 *
 * @param body the exact raw bytes (never a re-serialised JSON); NULL allowed when len is 0.
 * @param len number of bytes in `body`.
 * @param secret the webhook secret (UTF-8, NUL-terminated, not empty).
 * @param[out] out a caller buffer of at least FTX_WEBHOOK_SIGNATURE_BUFSIZE bytes; receives
 *   the NUL-terminated signature.
 * @param err optional error detail.
 * @return FTX_OK, or FTX_ERR_INVALID_ARGUMENT (NULL out/secret, empty secret, NULL body
 *   with len > 0).
 * @note Thread-safe.
 * @since 0.1
 */
FTX_EXTERN int ftx_webhook_signature_compute(const void *body, size_t len, const char *secret,
                                             char *out, ftx_error *err);

/**
 * @brief Like ftx_webhook_signature_compute() but returns an allocated string.
 * @param[out] out the signature; free with ftx_webhook_signature_free().
 * @return FTX_OK, FTX_ERR_INVALID_ARGUMENT or FTX_ERR_NOMEM.
 * @since 0.1
 */
FTX_EXTERN int ftx_webhook_signature_compute_alloc(const void *body, size_t len, const char *secret,
                                                   char **out, ftx_error *err);

/** @brief Free a string from ftx_webhook_signature_compute_alloc(). NULL-safe. @since 0.1 */
FTX_EXTERN void ftx_webhook_signature_free(char *signature);

/**
 * @brief Check a signature header value against the raw body.
 *
 * Either hex case is accepted; surrounding blanks are ignored; the comparison runs in
 * constant time (CRYPTO_memcmp) over the whole digest. An empty or NULL secret never
 * verifies. NULL-safe in every argument.
 *
 * @param body the exact raw bytes received; NULL allowed when len is 0.
 * @param len number of bytes in `body`.
 * @param signature the header value, or NULL when the header was absent.
 * @param secret the webhook secret.
 * @return FTX_WEBHOOK_SIG_OK, FTX_WEBHOOK_SIG_INVALID or FTX_WEBHOOK_SIG_MISSING.
 * @note Thread-safe.
 * @since 0.1
 */
FTX_EXTERN ftx_webhook_sig_result ftx_webhook_signature_verify(const void *body, size_t len,
                                                               const char *signature,
                                                               const char *secret);

/* ------------------------------------------------------------------------------------ */
/* Events (Fivetrex.Models.WebhookEvent)                                                */
/* ------------------------------------------------------------------------------------ */

/**
 * @brief A webhook payload. Library-allocated, read-only; every field may be NULL.
 *
 * The connector fields take the newer `connection_id` / `connection_name` /
 * `connection_type` when present and fall back to `connector_*`.
 */
typedef struct ftx_webhook_event {
    /** Event name, e.g. "sync_start", "sync_end"; unknown names are kept as sent. */
    char *event;
    /** When the event was generated (ms precision). */
    ftx_time created;
    char *connector_id;
    /** The source service, e.g. "postgres". */
    char *connector_type;
    /** The connection name (= its destination schema). */
    char *connector_name;
    char *sync_id;
    /** Legacy name of the destination group id, as sent (NULL when absent). */
    char *group_id;
    /** `destination_group_id`, falling back to `group_id`. */
    char *destination_group_id;
    /** Top-level `status`, else `data.status` (e.g. "SUCCESSFUL", "FAILURE_WITH_TASK"). */
    char *status;
    /** Event-specific object (borrowed; NULL when absent or null). */
    json_t *data;
    /** Every top-level field not named above (an object, never NULL; borrowed). */
    json_t *extra;
    /** The whole payload as received (borrowed; json_incref to keep). */
    json_t *raw;
} ftx_webhook_event;

/**
 * @brief Parse a raw webhook body (Fivetrex.Models.WebhookEvent.from_map).
 * @param body the bytes; need not be NUL-terminated.
 * @param len number of bytes.
 * @param[out] out the event; free with ftx_webhook_event_free().
 * @param err optional error detail.
 * @return FTX_OK, FTX_ERR_INVALID_ARGUMENT (NULL out, NULL body with len > 0),
 *   FTX_ERR_DECODE (empty, not JSON, trailing bytes, duplicate keys, or JSON that is
 *   not an object) or FTX_ERR_NOMEM.
 * @note Thread-safe.
 * @since 0.1
 */
FTX_EXTERN int ftx_webhook_event_parse(const void *body, size_t len, ftx_webhook_event **out,
                                       ftx_error *err);

/**
 * @brief Build an event from an already decoded JSON object (not stolen).
 * @return FTX_OK, FTX_ERR_INVALID_ARGUMENT, FTX_ERR_DECODE (not an object) or FTX_ERR_NOMEM.
 * @since 0.1
 */
FTX_EXTERN int ftx_webhook_event_from_json(const json_t *json, ftx_webhook_event **out,
                                           ftx_error *err);

/** @brief Free an event. NULL-safe. @since 0.1 */
FTX_EXTERN void ftx_webhook_event_free(ftx_webhook_event *event);
/** @brief Deep copy; NULL when out of memory. Free with ftx_webhook_event_free(). */
FTX_EXTERN ftx_webhook_event *ftx_webhook_event_dup(const ftx_webhook_event *event);

/** @brief 1 when the event is "sync_start", else 0 (NULL-safe). @since 0.1 */
FTX_EXTERN int ftx_webhook_event_sync_start(const ftx_webhook_event *event);
/** @brief 1 when the event is "sync_end", else 0 (NULL-safe). @since 0.1 */
FTX_EXTERN int ftx_webhook_event_sync_end(const ftx_webhook_event *event);
/**
 * @brief 1 when the status (top-level, else `data.status`) is "SUCCESSFUL".
 * @since 0.1
 */
FTX_EXTERN int ftx_webhook_event_successful(const ftx_webhook_event *event);
/**
 * @brief 1 when the event reports a failure: a "sync_end" whose status is anything other
 * than "SUCCESSFUL" or "RESCHEDULED" (FAILURE, FAILURE_WITH_TASK, FAILED, ...), or any
 * event whose status is "FAILED" / "FAILURE" / "FAILURE_WITH_TASK". A missing status is
 * not a failure.
 * @since 0.1
 */
FTX_EXTERN int ftx_webhook_event_failed(const ftx_webhook_event *event);

/* ------------------------------------------------------------------------------------ */
/* Framework-agnostic handling (Fivetrex.WebhookPlug)                                   */
/* ------------------------------------------------------------------------------------ */

/** @brief Default largest accepted body: 1 MiB. */
#define FTX_WEBHOOK_DEFAULT_MAX_BODY ((size_t)1024 * 1024)

/**
 * @brief Supplies the secret at request time (rotation, a secrets manager...).
 * @param buf where to write the NUL-terminated secret.
 * @param size size of `buf` in bytes (at least 256).
 * @param userdata as given in the options.
 * @return 0 on success; non-zero when no secret is available (the request gets 500).
 * The library wipes `buf` after use. May be called from several threads at once.
 */
typedef int (*ftx_webhook_secret_fn)(char *buf, size_t size, void *userdata);

/** @brief Options of ftx_webhook_handle(). Initialise with FTX_WEBHOOK_HANDLE_OPTIONS_INIT. */
typedef struct ftx_webhook_handle_options {
    unsigned int version;
    /** The webhook secret; used when `secret_provider` is NULL. */
    const char *secret;
    /** Optional: asked for the secret on every request (takes precedence). */
    ftx_webhook_secret_fn secret_provider;
    /** Passed to `secret_provider`. */
    void *secret_userdata;
    /** Largest accepted body in bytes; 0 means FTX_WEBHOOK_DEFAULT_MAX_BODY. */
    size_t max_body;
} ftx_webhook_handle_options;

#define FTX_WEBHOOK_HANDLE_OPTIONS_VERSION 1
#define FTX_WEBHOOK_HANDLE_OPTIONS_INIT                                                            \
    {                                                                                              \
        FTX_WEBHOOK_HANDLE_OPTIONS_VERSION, NULL, NULL, NULL, 0                                    \
    }

/**
 * @brief Verify and parse one webhook request, whatever the HTTP server.
 *
 * Checks, in this order: body size (413), signature present (400), signature valid
 * (401), then parses the body (422 when it is not a JSON object). The body is never
 * parsed before it is verified.
 *
 * @param body the raw request body; NULL allowed when len is 0.
 * @param len its length in bytes.
 * @param signature the value of the X-Fivetran-Signature-256 header, NULL when absent.
 * @param opts secret (or provider) and body limit; required.
 * @param[out] out optional: on 200, the parsed event (free with ftx_webhook_event_free());
 *   otherwise set to NULL.
 * @param err optional: on anything but 200, says why (never contains the secret).
 * @return the HTTP status to answer: 200, 400 (missing signature), 401 (invalid
 *   signature), 413 (body over the limit), 422 (not a JSON object) or 500 (no secret
 *   configured, bad options version, out of memory).
 * @note Thread-safe.
 * @since 0.1
 */
FTX_EXTERN int ftx_webhook_handle(const void *body, size_t len, const char *signature,
                                  const ftx_webhook_handle_options *opts, ftx_webhook_event **out,
                                  ftx_error *err);

/**
 * @brief The small JSON body to answer with for a status from ftx_webhook_handle():
 * `{"status":"ok"}` for 2xx, otherwise e.g. `{"error":"invalid signature"}`.
 * @return a static NUL-terminated string.
 * @since 0.1
 */
FTX_EXTERN const char *ftx_webhook_response_body(int status);

/* ------------------------------------------------------------------------------------ */
/* Embedded receiver                                                                    */
/* ------------------------------------------------------------------------------------ */

/** @brief An embedded webhook receiver. Opaque. */
typedef struct ftx_webhook_server ftx_webhook_server;

/**
 * @brief Called once for each verified, not yet seen event.
 *
 * Runs on one of the receiver's threads; with `threads` > 1 several calls may run at
 * once. The event is borrowed for the duration of the call (ftx_webhook_event_dup() to
 * keep it). Return quickly (Fivetran waits about 10 s): hand long work to a queue.
 * @return 0 to acknowledge (200); non-zero answers 500 and forgets the event, so
 *   Fivetran's re-delivery reaches the callback again.
 */
typedef int (*ftx_webhook_event_fn)(const ftx_webhook_event *event, void *userdata);

/**
 * @brief Options of ftx_webhook_server_start(). Initialise with FTX_WEBHOOK_SERVER_OPTIONS_INIT.
 *
 * Versions: 1 has the fields up to `free_userdata`; 2 adds the limits against slow and
 * greedy clients (`request_timeout_ms` to `max_body_memory`). A program built with
 * version 1 keeps working: the library reads only the fields of the version it is given
 * and uses the defaults for the rest.
 */
typedef struct ftx_webhook_server_options {
    unsigned int version;
    /** IPv4 or IPv6 literal to listen on; NULL means "127.0.0.1". */
    const char *bind_address;
    /** TCP port; 0 picks a free one (read it with ftx_webhook_server_port()). */
    uint16_t port;
    /** Request path served; NULL means "/webhook". Other paths get 404. */
    const char *path;
    /** The webhook secret (copied); used when `secret_provider` is NULL. */
    const char *secret;
    /** Optional secret provider, asked on every request. */
    ftx_webhook_secret_fn secret_provider;
    void *secret_userdata;
    /** Largest accepted body; 0 means 1 MiB. Larger requests get 413 without being buffered. */
    size_t max_body;
    /** Worker threads (a libmicrohttpd thread pool); 0 means 2. */
    unsigned int threads;
    /** Seconds of inactivity before a connection is closed; 0 means 10. A client that
     * sends a byte now and then is never idle: see `request_timeout_ms`. */
    unsigned int connection_timeout;
    /** How many recent event identities are remembered; 0 means 4096. */
    size_t dedup_capacity;
    /** Non-zero turns duplicate suppression off. */
    int dedup_disable;
    /** Called for each verified new event (required). */
    ftx_webhook_event_fn on_event;
    /** Passed to `on_event`. */
    void *userdata;
    /** Optional: called with `userdata` by ftx_webhook_server_free(). */
    void (*free_userdata)(void *userdata);

    /* ---- version 2 ---- */

    /**
     * Whole-request deadline in milliseconds; 0 means 10000. A request must arrive
     * complete (headers and body) within this time from the moment its connection was
     * accepted or the previous request on it was answered; otherwise the connection is
     * closed without an answer, however steadily it trickles bytes. Time spent in
     * `on_event` does not count.
     */
    unsigned int request_timeout_ms;
    /**
     * Most connections open at once; 0 means 1000. When a new connection would exceed
     * it, the connection whose request has waited longest (and is not in `on_event`) is
     * closed to make room, so slow connections cannot lock deliveries out.
     */
    unsigned int max_connections;
    /**
     * Most connections open at once from one client address; 0 means 64 (capped at
     * `max_connections`). Further connections from that address are closed at once.
     * A connection the client has closed counts until the server's thread has reaped
     * it, so leave headroom above the sender's concurrency. Behind a reverse proxy
     * every delivery comes from the proxy's address: raise it.
     */
    unsigned int max_connections_per_address;
    /**
     * Budget in bytes for request bodies held in memory at once, over all connections;
     * 0 means 32 MiB; raised to `max_body` when smaller. A body's buffer grows with the
     * bytes received (16 KiB, then doubling; never reserved from Content-Length alone).
     * When a request needs memory and the budget is spent, connections whose unfinished
     * requests hold body memory are closed, oldest first, to make room (until they are,
     * memory may exceed the budget by what they hold: at most twice the budget); when
     * none can be (all in `on_event`), the request gets 503 with `Retry-After: 1` and
     * its connection is closed.
     */
    size_t max_body_memory;
} ftx_webhook_server_options;

#define FTX_WEBHOOK_SERVER_OPTIONS_VERSION 2
#define FTX_WEBHOOK_SERVER_OPTIONS_INIT                                                            \
    {                                                                                              \
        FTX_WEBHOOK_SERVER_OPTIONS_VERSION, NULL, 0, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, NULL,  \
            NULL, NULL, 0, 0, 0, 0                                                                 \
    }

/**
 * @brief Counters of a running receiver (see ftx_webhook_server_stats()).
 *
 * ABI rule: caller-allocated and written by the library, so its size is frozen at
 * 64 bytes; counters added later are carved out of `reserved` (docs/abi.md).
 */
typedef struct ftx_webhook_server_stats {
    /** Events passed to the callback. */
    uint64_t delivered;
    /** Verified re-deliveries answered 200 without calling the callback. */
    uint64_t duplicates;
    /** Requests refused (4xx/5xx), including unverified ones. */
    uint64_t rejected;
    /** Room for counters added later (keeps the size frozen); not to be read. */
    uint64_t reserved[5];
} ftx_webhook_server_stats;

/**
 * @brief Start a receiver: its threads accept POSTs at `path` and answer with a small
 * JSON body: 200 `{"status":"ok"}` (or `{"status":"duplicate"}`), 400 missing
 * signature (or an HTTP/1.1 request without exactly one `Host` header), 401 invalid
 * signature, 404 other path, 405 not a POST, 413 too large, 422 not a JSON object,
 * 500 callback refused; 503 while a duplicate of it is being handled, or when the body
 * memory budget is spent by requests inside `on_event` (saturated; `Retry-After: 1`,
 * connection closed). The
 * callback is never called for an unverified request.
 *
 * Limits against slow and greedy clients: a whole-request deadline
 * (`request_timeout_ms`), a total and a per-address connection limit, and a memory
 * budget for bodies in flight (`max_body_memory`); see the options. Besides the body
 * buffers, libmicrohttpd keeps up to about 32 KiB per open connection.
 *
 * Duplicate suppression remembers the identities (event, connector_id, sync_id,
 * created; the body's signature when an event has neither sync_id nor created) of the
 * last `dedup_capacity` acknowledged events; a re-delivery is answered 200 and not
 * passed on again.
 *
 * @param opts the options; `on_event` and a secret (or provider) are required.
 * @param[out] out the running receiver; stop and free with ftx_webhook_server_free().
 * @return FTX_OK, FTX_ERR_INVALID_ARGUMENT (missing callback/secret, bad address, a
 *   version outside 1..FTX_WEBHOOK_SERVER_OPTIONS_VERSION), FTX_ERR_TRANSPORT (cannot listen, e.g.
 * port in use) or FTX_ERR_NOMEM. On failure `free_userdata` is not called.
 * @since 0.1
 */
FTX_EXTERN int ftx_webhook_server_start(const ftx_webhook_server_options *opts,
                                        ftx_webhook_server **out, ftx_error *err);

/** @brief The TCP port the receiver listens on (0 when stopped or NULL). @since 0.1 */
FTX_EXTERN uint16_t ftx_webhook_server_port(const ftx_webhook_server *server);

/** @brief Copy the receiver's counters into `out`. NULL-safe. @since 0.1 */
FTX_EXTERN void ftx_webhook_server_stats_get(const ftx_webhook_server *server,
                                             ftx_webhook_server_stats *out);

/**
 * @brief Stop listening and wait for running callbacks to return. Idempotent, NULL-safe.
 * Do not call it from inside the callback.
 * @since 0.1
 */
FTX_EXTERN void ftx_webhook_server_stop(ftx_webhook_server *server);

/**
 * @brief Stop (if running), call `free_userdata`, wipe the secret and free. NULL-safe.
 * @since 0.1
 */
FTX_EXTERN void ftx_webhook_server_free(ftx_webhook_server *server);

#ifdef __cplusplus
}
#endif
#endif
