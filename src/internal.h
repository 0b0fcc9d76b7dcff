/*
 * Private to libfivetrex: shared helpers of the resource modules.
 * Cross-file internals are named ftx__*; nothing here is exported.
 */
#ifndef FIVETREX_INTERNAL_H
#define FIVETREX_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "fivetrex/fivetrex.h"

/* ---- allocation (alloc.c): every allocation goes through these ---- */
void *ftx__malloc(size_t n);
void *ftx__calloc(size_t n, size_t size);
void *ftx__realloc(void *p, size_t n);
char *ftx__strdup(const char *s);
char *ftx__strndup(const char *s, size_t n);
void ftx__free(void *p);
/* Test hook: make the Nth allocation from now fail (0 disables). Not thread-safe. */
void ftx__alloc_fail_at(long n);

/* ---- errors (error.c) ----
 * Fill `err` (NULL allowed) and return `type`. The message is printf-formatted and
 * truncated to fit; status/code/retry_after are reset. */
int ftx__error_set(ftx_error *err, int type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int ftx__error_nomem(ftx_error *err);

/* ---- growable buffer (buf.c) ---- */
typedef struct ftx__buf {
    char *ptr; /* NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
} ftx__buf;
#define FTX__BUF_INIT                                                                              \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }
int ftx__buf_append(ftx__buf *b, const char *data, size_t n); /* 0 or -1 (OOM) */
int ftx__buf_puts(ftx__buf *b, const char *s);
int ftx__buf_printf(ftx__buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append `s` percent-encoded so it is one path segment or one query value. */
int ftx__buf_put_encoded(ftx__buf *b, const char *s);
void ftx__buf_dispose(ftx__buf *b);
/* Hand over the string (caller frees with ftx__free); the buffer is reset. */
char *ftx__buf_detach(ftx__buf *b);

/* ---- paths and queries (path.c) ----
 * Build a path from a template whose `{name}` placeholders are replaced, in order,
 * by the `const char *` arguments, each percent-encoded as one path segment:
 *   ftx__path(&p, err, "/connections/{connector_id}/schemas/{schema}", id, schema);
 * A NULL or empty argument is FTX_ERR_INVALID_ARGUMENT naming the placeholder.
 * `*out` is freed with ftx__free. */
int ftx__path(char **out, ftx_error *err, const char *tmpl, ...);
int ftx__vpath(char **out, ftx_error *err, const char *tmpl, va_list ap);
/* Append "?key=value" or "&key=value" (value percent-encoded) to a path/query buffer. */
int ftx__query_add(ftx__buf *b, const char *key, const char *value);

/* ---- HTTP calls (http.c) ---- */
typedef struct ftx__request {
    const char *method;   /* "GET", "POST", "PATCH", "DELETE" */
    const char *path;     /* after the base URL, starts with '/', may carry "?query" */
    const json_t *body;   /* JSON body or NULL (POST/PATCH with NULL send "{}") */
    int accept_v2;        /* 1: Accept: application/json;version=2 */
    int creates;          /* 1: a POST that creates (no retry after an ambiguous failure) */
    uint64_t deadline_ms; /* client clock (ftx__now_ms); 0: none. Attempts, their
                           * timeouts and retry waits all end by then. */
} ftx__request;

/* Perform `req` with the client's retry policy. On 2xx, `*out_body` (may be NULL)
 * receives a new reference to the parsed body (NULL for an empty body). Errors are
 * mapped per DESIGN.md, with Fivetran's code/message copied into `err`. */
int ftx__call(ftx_client *c, const ftx__request *req, json_t **out_body, ftx_error *err);
/* Like ftx__call, then unwrap the envelope: `*out_data` = new reference to
 * body.data (an object), or the body itself when it has no "data" but looks like the
 * object (no "code"). A missing or non-object data is FTX_ERR_DECODE. */
int ftx__call_data(ftx_client *c, const ftx__request *req, json_t **out_data, ftx_error *err);
/* The client's clock (never NULL functions). */
uint64_t ftx__now_ms(const ftx_client *c);
void ftx__sleep_ms(const ftx_client *c, uint64_t ms);
/* The client-wide rate-limit pause (client clock, ms; 0: none). A 429 that is retried
 * sets it to now + the retry delay, and every call on the client waits for it before
 * its next attempt, so concurrent workers slow down together. _pause_until only ever
 * moves it later. (http.c; used by batch.c) */
uint64_t ftx__client_paused_until(ftx_client *c);
void ftx__client_pause_until(ftx_client *c, uint64_t until_ms);

/* ---- JSON model helpers (json.c) ----
 * Tolerant readers: absent, null or wrongly typed values give the default.
 * Allocation failures set ctx->oom; check it once after building a model. */
typedef struct ftx__jctx {
    int oom;
} ftx__jctx;
char *ftx__jstr(ftx__jctx *ctx, const json_t *obj, const char *key);     /* numbers → text */
int ftx__jbool(const json_t *obj, const char *key, int dflt);            /* "true" string ok */
long long ftx__jint(const json_t *obj, const char *key, long long dflt); /* "42" ok */
void ftx__jtime(ftx__jctx *ctx, const json_t *obj, const char *key, ftx_time *out);
json_t *ftx__jref(const json_t *obj, const char *key); /* new reference or NULL */
char *ftx__strdup_ctx(ftx__jctx *ctx, const char *s);
void ftx__time_dup(ftx__jctx *ctx, ftx_time *dst, const ftx_time *src);
void ftx__time_dispose(ftx_time *t);
/* Copy an array of strings (JSON array of strings) into a NULL-terminated char **. */
char **ftx__jstrv(ftx__jctx *ctx, const json_t *obj, const char *key, size_t *count);
char **ftx__strv_dup(ftx__jctx *ctx, char *const *v, size_t count);
void ftx__strv_free(char **v);
/* Unwrap a response envelope (what ftx__call_data does after ftx__call):
 * `*out_data` = new reference to body.data when it is an object, or to the body
 * itself when it has neither "data" nor "code". Otherwise FTX_ERR_DECODE. */
int ftx__envelope_data(json_t *body, json_t **out_data, ftx_error *err);
/* `setup_tests` of obj, shared by the destination and connector models (destinations.c).
 * NULL with *count 0 when absent or empty; non-object entries are skipped. */
ftx_destination_setup_test **ftx__setup_tests_parse(ftx__jctx *ctx, const json_t *obj,
                                                    size_t *count);
void ftx__setup_tests_free(ftx_destination_setup_test **v, size_t n);

/* ---- pages and streams (stream.c) ---- */
typedef int (*ftx__parse_fn)(const json_t *item, void **out, ftx_error *err);
typedef void (*ftx__free_fn)(void *item);

typedef struct ftx__list_spec {
    const char *path;        /* e.g. "/groups" or "/groups/x/connections" (encoded) */
    const char *extra_query; /* already-encoded "k=v&k2=v2" or NULL */
    int accept_v2;
    ftx__parse_fn parse;
    ftx__free_fn free_item;
} ftx__list_spec;

/* One page; items/count/next_cursor are laid out like every typed page struct
 * (T **items; size_t count; char *next_cursor;), so a typed page is allocated as an
 * ftx__page and cast. Free with ftx__page_free(page, spec->free_item). */
typedef struct ftx__page {
    void **items;
    size_t count;
    char *next_cursor;
} ftx__page;
/* NULL, or a known version with limit 0..1000; else FTX_ERR_INVALID_ARGUMENT. */
int ftx__list_options_check(const ftx_list_options *opts, ftx_error *err);
int ftx__list(ftx_client *c, const ftx__list_spec *spec, const ftx_list_options *opts,
              ftx__page **out, ftx_error *err);
void ftx__page_free(ftx__page *page, ftx__free_fn free_item);
/* Build a page from a list response's `data` ({"items": [...], "next_cursor": ...})
 * without any I/O (used by ftx__list and the fuzz targets). A non-array `items` is
 * FTX_ERR_DECODE; an item that fails to parse fails the whole page. */
int ftx__page_parse(const json_t *data, const ftx__list_spec *spec, ftx__page **out,
                    ftx_error *err);

/* Streams: typed stream handles (ftx_group_stream, ...) are this struct, cast. */
typedef struct ftx__stream ftx__stream;
int ftx__stream_new(ftx_client *c, const ftx__list_spec *spec, const ftx_list_options *opts,
                    ftx__stream **out, ftx_error *err);
int ftx__stream_next(ftx__stream *s, const void **out, ftx_error *err);
void ftx__stream_free(ftx__stream *s);

/* ---- concurrent pages on one curl multi handle (multi.c) ----
 * Page every list of `specs[0..n-1]` to its end, at most opts->max_in_flight requests
 * at once, on the calling thread; `on_item(item, list_index, userdata)` gets each item
 * (borrowed; freed with the spec's free_item after the call). The behaviour of
 * ftx_connectors_stream_groups() (batch.h), for any resource. `opts` is checked. */
typedef int (*ftx__item_fn)(const void *item, size_t list_index, void *userdata);
int ftx__multi_list(ftx_client *c, const ftx__list_spec *specs, size_t n,
                    const ftx_fanout_options *opts, ftx__item_fn on_item, void *userdata,
                    ftx_fanout_stats *stats, ftx_error *err);

/* ---- argument checks shared by the resource modules (resource.c) ---- */
/* `out` then `client`: "out must not be NULL", "client must not be NULL". */
int ftx__check_out_client(const ftx_client *c, const void *out, ftx_error *err);
/* Public list/stream calls on a fixed spec: ftx__check_out_client (setting *out to
 * NULL once `out` is known), then ftx__list / ftx__stream_new. */
int ftx__list_checked(ftx_client *c, const ftx__list_spec *spec, const ftx_list_options *opts,
                      ftx__page **out, ftx_error *err);
int ftx__stream_checked(ftx_client *c, const ftx__list_spec *spec, const ftx_list_options *opts,
                        ftx__stream **out, ftx_error *err);
/* DELETE `tmpl` with its one placeholder filled by `id` ("client must not be NULL" first). */
int ftx__delete(ftx_client *c, const char *tmpl, const char *id, int accept_v2, ftx_error *err);
/* A typed stream's _next: "out must not be NULL", then *out = NULL, "stream must not be
 * NULL", then the next item (NULL at the end) in *out on FTX_OK. */
int ftx__stream_next_checked(ftx__stream *s, const void **out, ftx_error *err);

/* Wipe then free a secret string. */
void ftx__free_secret(char *s);

/* ftx_connectors_get, ending by `deadline_ms` on the client clock (0: none):
 * used by sync_and_wait so that no status read outlives its deadline. */
int ftx__connectors_get_until(ftx_client *client, const char *connector_id, uint64_t deadline_ms,
                              ftx_connector **out, ftx_error *err);

#endif
