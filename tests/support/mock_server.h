/*
 * An in-test HTTP server on 127.0.0.1 (libmicrohttpd, ephemeral port) that plays the
 * role Bypass plays for the Elixir library: a test queues the responses it wants,
 * makes library calls, then asserts the exact requests that arrived.
 *
 *   mock_server *ms = mock_server_start();
 *   mock_server_respond(ms, 200, "{\"code\":\"Success\",\"data\":{...}}");
 *   ... ftx_client with base_url = mock_server_url(ms) ...
 *   const mock_request *r = mock_server_request(ms, 0);
 *   assert_string_equal(r->method, "GET");
 *   assert_string_equal(r->path, "/v1/groups/abc");   raw, still percent-encoded
 *   mock_server_stop(ms);
 */
#ifndef FTX_TEST_MOCK_SERVER_H
#define FTX_TEST_MOCK_SERVER_H

#include <stddef.h>

typedef struct mock_server mock_server;

/* What happens to a request. */
typedef enum mock_action {
    MOCK_REPLY = 0,    /* send status, headers and body */
    MOCK_DROP = 1,     /* close the connection without any response */
    MOCK_TRUNCATE = 2, /* send headers announcing the full body, then only half of it */
} mock_action;

typedef struct mock_response {
    int status;
    const char *body;    /* copied; NULL: empty */
    const char *headers; /* copied; extra headers "Name: value\r\nName2: value2" or NULL */
    unsigned delay_ms;   /* wait before answering (for timeout tests; keep small) */
    mock_action action;
} mock_response;

typedef struct mock_request {
    char method[16];
    char *path;          /* raw path as sent, still percent-encoded, without the query */
    char *query;         /* raw query after '?', or NULL when none */
    char *authorization; /* header values, NULL when absent */
    char *accept;
    char *content_type;
    char *user_agent;
    char *body; /* NUL-terminated, NULL when empty */
    size_t body_len;
    char *content_length; /* header value, NULL when absent */
} mock_request;

/* Start on 127.0.0.1 with an ephemeral port; NULL on failure. */
mock_server *mock_server_start(void);
/* The same over HTTPS (libmicrohttpd with GnuTLS), serving the PEM server key and
 * certificate chain given (copied; see tls_material.h to make them). */
mock_server *mock_server_start_tls(const char *key_pem, const char *cert_pem);
/* The port it listens on (127.0.0.1). */
unsigned short mock_server_port(const mock_server *ms);
/* "http://127.0.0.1:<port>/v1" ("https://..." for a TLS server) */
const char *mock_server_url(const mock_server *ms);
/* "http://127.0.0.1:<port>" ("https://..." for a TLS server) */
const char *mock_server_origin(const mock_server *ms);
void mock_server_stop(mock_server *ms);

/* Queue responses, served in order, one per request. When the queue is empty the
 * server answers 599 {"code":"MockExhausted"} so a surplus request fails loudly. */
void mock_server_respond(mock_server *ms, int status, const char *body);
void mock_server_respond_full(mock_server *ms, const mock_response *r);

/* Optional responder, for tests whose requests arrive in no fixed order (e.g.
 * concurrent transfers): when set, it is asked for the response to every request
 * (already recorded, so `req` is the request as mock_server_request shows it) and
 * fills `*out` (zeroed before the call). `out->body` and `out->headers` are copied on
 * the same thread right after it returns, so a thread-local buffer is fine. Return 0 to send `*out`
 * (delay_ms and action apply as for queued responses), non-zero to fall back to the
 * queue. It runs on the server's connection threads, possibly several at once:
 * synchronise shared state. NULL removes it; mock_server_reset removes it too.
 * Setting a handler (or NULL) waits until calls of the previous one have returned,
 * so its userdata may be freed right after. */
typedef int (*mock_handler_fn)(const mock_request *req, mock_response *out, void *userdata);
void mock_server_set_handler(mock_server *ms, mock_handler_fn fn, void *userdata);

/* Requests received so far (thread-safe snapshot; pointer valid until reset/stop). */
size_t mock_server_request_count(mock_server *ms);
const mock_request *mock_server_request(mock_server *ms, size_t index);
/* TCP connections accepted so far (proves keep-alive reuse). Over TLS each
 * connection is one full handshake, so this also counts handshakes. */
unsigned mock_server_connection_count(mock_server *ms);
/* Forget queued responses, recorded requests, the connection count and the handler. */
void mock_server_reset(mock_server *ms);

#endif
