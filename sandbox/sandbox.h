/*
 * fivetrex-sandbox: a stateful local simulator of the Fivetran REST API.
 * Private header shared by the sandbox's own files. Nothing here is public API and the
 * sandbox deliberately does not link libfivetrex, so that it stays an independent oracle.
 */
#ifndef FTX_SANDBOX_H
#define FTX_SANDBOX_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define SBX_MAX_BODY   (1024 * 1024) /* request bodies above this get 413 */
#define SBX_ID_MAX     64
#define SBX_USER_ID    "_airworthy"
#define SBX_ACCOUNT_ID "sandbox_account"

/* ---- configuration (command line) ---- */
typedef struct sbx_config {
    unsigned port;
    const char *api_key;
    const char *api_secret;
    /* --api-secret-file (read by sbx_access_credentials); --tls-cert/--tls-key: HTTPS */
    const char *api_secret_file;
    const char *tls_cert, *tls_key;
    const char *seed; /* NULL, "demo" or a file path */
    long synthetic;   /* --synthetic-connections */
    long sync_ms;     /* --sync-duration-ms */
    long latency_ms;
    double fault_429, fault_5xx, fault_drop, fault_truncate;
    uint64_t random_seed;
    unsigned threads;
    int paused_sync_status; /* 409 (default), 400, or 0 = accepted as a no-op */
    int verify_webhooks;    /* test POST on webhook create/activation (default 1) */
    int verbose;
    const char *state_file; /* --state: load at start when it exists, save on changes */
    int64_t clock_ms;       /* --clock: start with the clock fixed there (when clock_set) */
    int clock_set;
} sbx_config;

/* ---- a response produced by the router ---- */
typedef struct sbx_response {
    int status;
    char *body;        /* malloc'd, NUL-terminated */
    const char *allow; /* Allow header for 405, or NULL */
    int retry_after;   /* > 0: Retry-After header */
    /* A binary body (the SDK package download): body_len bytes, may hold NULs, sent with
     * content_type. 0 / NULL: a JSON text body. */
    size_t body_len;
    const char *content_type;
} sbx_response;

/* ---- util.c ---- */
int64_t sbx_wall_ms(void); /* the real wall clock (request timing only) */
/* The sandbox clock: every timestamp the sandbox writes and every sync / run end. Real time
 * (plus the advances) unless fixed (--clock, POST /_sandbox/clock). */
int64_t sbx_now_ms(void);
int sbx_clock_is_fixed(void);
void sbx_clock_fix(int64_t ms);
void sbx_clock_advance(int64_t ms);
void sbx_clock_real(void); /* back to real time, no offset */
void sbx_fmt_ts(int64_t ms, char out[32]);
/* RFC 3339 date-time (Z or ±hh:mm, fraction optional) → ms since the epoch; 0 or -1. */
int sbx_parse_ts(const char *s, int64_t *ms);
uint64_t sbx_rand_next(uint64_t *state);
double sbx_rand_unit(uint64_t *state);
void sbx_uuid(uint64_t *state, char out[37]);
size_t sbx_word_count(void);
const char *sbx_word(size_t i);
long sbx_word_index(const char *w, size_t len);
char *sbx_b64url_encode(const unsigned char *in, size_t len);
unsigned char *sbx_b64url_decode(const char *in, size_t *out_len);
char *sbx_b64_encode(const unsigned char *in, size_t len);
void sbx_hmac_hex(const char *secret, const char *body, size_t len, char out[65]);
char *sbx_pct_decode(const char *s, size_t len, int plus_is_space);
char *sbx_strdup(const char *s);
char *sbx_printf(const char *fmt, ...);

/* tiny string → pointer hash map (keys are borrowed from the values) */
typedef struct sbx_map_slot {
    const char *k;
    void *v;
} sbx_map_slot;
typedef struct sbx_map {
    sbx_map_slot *slots;
    size_t cap, used, len;
} sbx_map;
void *sbx_map_get(const sbx_map *m, const char *k);
int sbx_map_put(sbx_map *m, const char *k, void *v);
void sbx_map_del(sbx_map *m, const char *k);
void sbx_map_free(sbx_map *m);

/* ---- store.c (state + handlers) ---- */
int sbx_store_init(const sbx_config *cfg, char *errbuf, size_t errlen);
void sbx_store_free(void);
void sbx_store_clear(void); /* empty the state, keeping the configuration (load, reset) */
void sbx_handle(const char *method, const char *raw_path, const char *raw_query, const char *body,
                size_t body_len, sbx_response *out);
void sbx_reply_error(sbx_response *r, int status, const char *code, const char *message);
int sbx_ticker_start(void);
void sbx_ticker_stop(void);

/* ---- access.c (the server binary only: credentials, TLS files, --verbose log) ---- */
/* Fill cfg->api_key / api_secret: command line, then --api-secret-file, then the
 * environment (FIVETREX_SANDBOX_API_KEY / FIVETREX_SANDBOX_API_SECRET). *owned_secret is
 * the file's secret (free it at exit). -1 with a message in err (never the secret). */
int sbx_access_credentials(sbx_config *cfg, char **owned_secret, char *err, size_t errlen);
/* Read and check cfg->tls_cert / tls_key (PEM, matching); the buffers are malloc'd. */
int sbx_access_tls_load(const sbx_config *cfg, char **cert_pem, char **key_pem, char *err,
                        size_t errlen);
/* One --verbose line: "#n METHOD path?query -> status (elapsed ms; fault: ...; note)".
 * status 0: no answer (the connection was dropped). */
void sbx_access_log(unsigned long long n, const char *method, const char *path, const char *query,
                    int status, long long elapsed_ms, long latency_ms, const char *fault,
                    const char *note);
/* libmicrohttpd's own messages (--verbose), one line each, prefixed. */
void sbx_access_mhd_log(void *cls, const char *fmt, va_list ap);
/* ---- dump.c (the state document, --state FILE, reset) ---- */
/* The whole state as a JSON document (the lock is held). */
json_t *sbx_state_dump(void);
/* Replace the state by a document (the lock is held): 0, or -1 with errbuf set and the store
 * left empty. */
int sbx_state_load(json_t *doc, char *errbuf, size_t errlen);
/* After the seed: keep the start state (for reset); with a file, load it when it exists,
 * then save. 0, or -1 with errbuf naming the file and what is wrong. */
int sbx_persist_init(const char *file, char *errbuf, size_t errlen);
/* The state changed (the lock is held): the ticker saves it. */
void sbx_persist_mark(void);
/* Save when changed (and SAVE_EVERY_MS passed), or now when force; without the lock held.
 * 0, or -1 when the save failed (logged). */
int sbx_persist_flush(int force);
/* Back to the start state (the lock is held). */
int sbx_persist_reset(char *errbuf, size_t errlen);
void sbx_persist_free(void);

/* ---- seed.c ---- */
int sbx_seed_load(const char *seed, char *errbuf, size_t errlen);
extern const unsigned char sbx_demo_seed[];
extern const size_t sbx_demo_seed_len;

/* seed.c calls back into the store to insert objects with fixed ids */
int sbx_store_seed(json_t *seed, char *errbuf, size_t errlen);

/* ---- deliver.c (webhook deliveries) ---- */
int sbx_deliver_start(int verbose);
void sbx_deliver_stop(void);
/* Queue a POST of body (copied) to url, signed with secret when non-NULL. */
void sbx_deliver_enqueue(const char *url, const char *secret, const char *body);
/* Synchronous POST (webhook test / verification); fills the HTTP status (0 when no
 * response) and a message. Returns 1 when the endpoint answered 2xx. */
int sbx_deliver_now(const char *url, const char *secret, const char *body, long *status, char *msg,
                    size_t msglen);
/* In-process harnesses (the fuzzer): with offline set, nothing goes on the network —
 * sbx_deliver_now fails with status 0 and sbx_deliver_enqueue drops the event. */
void sbx_deliver_set_offline(int offline);

#endif
