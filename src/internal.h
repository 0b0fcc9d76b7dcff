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
/* After truncating UTF-8 text `s` to fit a buffer: drop a character cut in two at
 * its end, so that what remains is still valid UTF-8. */
void ftx__utf8_cut(char *s);

/* ---- options structs (options.c): the 1..CURRENT rule of docs/abi.md ----
 * Each public options struct T has a descriptor ftx__T_abi (e.g. ftx__ftx_list_options_abi)
 * with its name, INIT macro name, current version, the defaults and the size of each
 * version. Read a caller's options with FTX__OPTIONS_LOAD: it checks
 * 1 <= version <= CURRENT (the error names the struct and its INIT macro) and copies
 * only the bytes of the caller's version over the defaults, so the code reads a
 * full-size struct whatever header the caller was built with. Code that reads the
 * caller's struct directly must check the version with ftx__options_version_check and
 * guard every field added after version 1 with `opts->version >= N`. */
typedef struct ftx__options_abi {
    const char *name;            /* "ftx_list_options" */
    const char *init;            /* "FTX_LIST_OPTIONS_INIT" */
    unsigned int current;        /* FTX_LIST_OPTIONS_VERSION */
    size_t size;                 /* sizeof(T) */
    const size_t *version_sizes; /* [v - 1]: bytes that version v has */
    const void *defaults;        /* the INIT value */
} ftx__options_abi;
extern const ftx__options_abi ftx__ftx_client_options_abi, ftx__ftx_retry_policy_abi,
    ftx__ftx_list_options_abi, ftx__ftx_request_options_abi, ftx__ftx_batch_options_abi,
    ftx__ftx_fanout_options_abi, ftx__ftx_sync_options_abi, ftx__ftx_resync_options_abi,
    ftx__ftx_sync_frequency_options_abi, ftx__ftx_reload_options_abi,
    ftx__ftx_sync_wait_options_abi, ftx__ftx_transformation_wait_options_abi,
    ftx__ftx_destination_test_options_abi, ftx__ftx_webhook_handle_options_abi,
    ftx__ftx_webhook_server_options_abi;
/* Every descriptor above, NULL-terminated (for tests). */
extern const ftx__options_abi *const ftx__options_abis[];
/* FTX_OK when 1 <= version <= t->current, else FTX_ERR_INVALID_ARGUMENT saying so. */
int ftx__options_version_check(const ftx__options_abi *t, unsigned int version, ftx_error *err);
/* dst (t->size bytes) = defaults, then the first version_sizes[src->version - 1] bytes
 * of `src` (NULL: defaults only). FTX_ERR_INVALID_ARGUMENT for a version outside
 * 1..current. */
int ftx__options_load(const ftx__options_abi *t, void *dst, const void *src, ftx_error *err);
/* Write the defaults of `version` into a caller's struct of that version (its size). */
int ftx__options_init(const ftx__options_abi *t, void *dst, unsigned int version);
/* Typed form: FTX__OPTIONS_LOAD(ftx_list_options, &local, opts, err). */
#define FTX__OPTIONS_LOAD(T, dst, src, err)                                                        \
    ftx__options_load(&ftx__##T##_abi, 1 ? (dst) : (T *)0, 1 ? (src) : (const T *)0, (err))
#define FTX__OPTIONS_CHECK(T, opts, err)                                                           \
    ftx__options_version_check(&ftx__##T##_abi, (1 ? (opts) : (const T *)0)->version, (err))
/* Client options (and their embedded retry policy, which has its own version). */
int ftx__client_options_load(ftx_client_options *dst, const ftx_client_options *src,
                             ftx_error *err);
/* A retry policy of any known version into a full one, then checked
 * (ftx__retry_policy_check). */
int ftx__retry_policy_load(ftx_retry_policy *dst, const ftx_retry_policy *src, ftx_error *err);

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
 * ftx__path appends a terminator itself (FTX__PATH_END, a unique address, so that a
 * NULL id is told apart from the end of the list), and the number of arguments is
 * checked against the number of placeholders at run time (a mismatch is
 * FTX_ERR_INVALID_ARGUMENT naming it). A NULL or empty argument is
 * FTX_ERR_INVALID_ARGUMENT naming the placeholder ("group_id must be a non-empty
 * string"). `*out` is freed with ftx__free. */
extern const char ftx__path_end_marker[1];
#define FTX__PATH_END            (&ftx__path_end_marker[0])
#define ftx__path(out, err, ...) ftx__path_args((out), (err), __VA_ARGS__, FTX__PATH_END)
int ftx__path_args(char **out, ftx_error *err, const char *tmpl, ...);
/* The argument list of a path template, ended by `end` (NULL for ftx_path_build, whose
 * NULL also ends the list when an id is NULL; FTX__PATH_END for ftx__path). Reads at
 * most one argument per placeholder plus the terminator. */
int ftx__path_va(char **out, ftx_error *err, const char *tmpl, va_list ap, const char *end);
/* Array form: exactly `n` arguments, n == the number of placeholders. */
int ftx__path_array(char **out, ftx_error *err, const char *tmpl, const char *const *args,
                    size_t n);
/* How many `{name}` placeholders `tmpl` has. */
size_t ftx__path_placeholders(const char *tmpl);
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

/* How a request's body is sent and its 2xx body received, when not as JSON
 * (ftx_request_options version 2). Kept apart from ftx__request so its positional
 * initialisers stay complete. */
typedef struct ftx__transport {
    int no_body;               /* POST/PATCH without any body or Content-Type */
    int host_root;             /* path is relative to the host root, not base URL */
    const ftx_form_part *form; /* multipart/form-data body (form_count parts) */
    size_t form_count;
    const ftx_response_sink *sink; /* 2xx body goes here, not parsed */
} ftx__transport;

/* Perform `req` with the client's retry policy. On 2xx, `*out_body` (may be NULL)
 * receives a new reference to the parsed body (NULL for an empty body). Errors are
 * mapped per DESIGN.md, with Fivetran's code/message copied into `err`. */
int ftx__call(ftx_client *c, const ftx__request *req, json_t **out_body, ftx_error *err);
/* ftx__call with a transport variant (NULL: JSON both ways). With t->sink, `*out_body`
 * is NULL on success. */
int ftx__call_transport(ftx_client *c, const ftx__request *req, const ftx__transport *t,
                        json_t **out_body, ftx_error *err);
/* Like ftx__call, then unwrap the envelope: `*out_data` = new reference to
 * body.data (an object), or the body itself when it has no "data" but looks like the
 * object (no "code"). A missing or non-object data is FTX_ERR_DECODE. */
int ftx__call_data(ftx_client *c, const ftx__request *req, json_t **out_data, ftx_error *err);
/* ftx__call_data for a request of which `prior` attempts were already made elsewhere
 * (a stream's prefetch, whose retry delay has passed): attempts are numbered on from
 * there, so max_attempts bounds them all. */
int ftx__call_data_after(ftx_client *c, const ftx__request *req, int prior, json_t **out_data,
                         ftx_error *err);
/* The client's clock (never NULL functions). */
uint64_t ftx__now_ms(const ftx_client *c);
void ftx__sleep_ms(const ftx_client *c, uint64_t ms);
/* The client-wide rate-limit pause (client clock, ms; 0: none). A 429 that is retried
 * sets it to now + the retry delay, and every call on the client waits for it before
 * its next attempt, so concurrent workers slow down together. _pause_until only ever
 * moves it later, and never beyond now + the retry policy's max_delay_ms (the
 * server's longer end is kept for retry_after). (http.c; used by batch.c) */
uint64_t ftx__client_paused_until(ftx_client *c);
void ftx__client_pause_until(ftx_client *c, uint64_t until_ms);

/* A stream keeps its client alive (http.c): ftx_client_free only drops the caller's
 * reference, and the client is destroyed when the last ftx__client_unref comes. */
void ftx__client_ref(ftx_client *c);
void ftx__client_unref(ftx_client *c);

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
/* The same readers on a value already looked up (NULL when absent): the descriptor
 * interpreter (model.c) looks each key up once. */
char *ftx__vstr(ftx__jctx *ctx, const json_t *v);
int ftx__vbool(const json_t *v, int dflt);
long long ftx__vint(const json_t *v, long long dflt);
void ftx__vtime(ftx__jctx *ctx, const json_t *v, ftx_time *out);
char **ftx__vstrv(ftx__jctx *ctx, const json_t *v, size_t *count);
/* Unwrap a response envelope (what ftx__call_data does after ftx__call):
 * `*out_data` = new reference to body.data when it is an object, or to the body
 * itself when it has neither "data" nor "code". Otherwise FTX_ERR_DECODE. */
int ftx__envelope_data(json_t *body, json_t **out_data, ftx_error *err);
/* The data of a 2xx response to `req` (ftx__envelope_data), for blocking calls and
 * multi transfers alike: an empty body or a bad envelope is FTX_ERR_DECODE naming the
 * request and `status`, with `attempts` and `status` in err. (http.c) */
int ftx__response_data(const ftx__request *req, json_t *body, long status, int attempts,
                       json_t **out_data, ftx_error *err);
/* `setup_tests` of obj, shared by the destination and connector models (destinations.c).
 * NULL with *count 0 when absent or empty; non-object entries are skipped. */
ftx_destination_setup_test **ftx__setup_tests_parse(ftx__jctx *ctx, const json_t *obj,
                                                    size_t *count);
void ftx__setup_tests_free(ftx_destination_setup_test **v, size_t n);

/* ---- pages and streams (stream.c) ---- */
typedef int (*ftx__parse_fn)(const json_t *item, void **out, ftx_error *err);
typedef void (*ftx__free_fn)(void *item);

struct ftx__qparam; /* gen.h */
struct ftx__model;  /* gen.h */

typedef struct ftx__list_spec {
    const char *path;        /* e.g. "/groups" or "/groups/x/connections" (encoded) */
    const char *extra_query; /* already-encoded "k=v&k2=v2" or NULL */
    int accept_v2;
    ftx__parse_fn parse;    /* NULL: items are `model`s (ftx__model_decode) */
    ftx__free_fn free_item; /* NULL with parse NULL: ftx__model_free(model, item) */
    /* The filters the list declares (ftx_list_options.filters are checked against them
     * by ftx__query_check, then sent after extra_query); none: every filter is
     * FTX_ERR_INVALID_ARGUMENT, unless filters_any. */
    const struct ftx__qparam *filters;
    size_t nfilters;
    int filters_any;                /* raw lists (ftx_request_stream): any filter, sent as given */
    const struct ftx__model *model; /* items' model when parse is NULL */
} ftx__list_spec;

/* One page of the pager, untyped. The public typed pages (ftx_group_page, ...) are
 * distinct structs built from it by FTX__TYPED_PAGE_FNS below, never cast from it.
 * Free with ftx__page_free(page, spec->free_item). */
typedef struct ftx__page {
    void **items;
    size_t count;
    char *next_cursor;
} ftx__page;

/* An item of a spec's list: parse (spec->parse, else ftx__model_decode of spec->model)
 * and free (spec->free_item, else ftx__model_free). */
int ftx__spec_parse(const ftx__list_spec *spec, const json_t *item, void **out, ftx_error *err);
void ftx__spec_free_item(const ftx__list_spec *spec, void *item);
/* ftx__page_free with the spec's item free. */
void ftx__page_free_spec(ftx__page *page, const ftx__list_spec *spec);
/* The query of a list's first and following pages: spec->extra_query then the
 * filters of `opts` (version 2), checked against spec->filters (ftx__query_check) and
 * percent-encoded, as "k=v&k2=v2". `*out` NULL when there is none; free with ftx__free.
 * FTX_OK, FTX_ERR_INVALID_ARGUMENT (nothing may be sent) or FTX_ERR_NOMEM. */
int ftx__list_query(const ftx__list_spec *spec, const ftx_list_options *opts, char **out,
                    ftx_error *err);

/*
 * Typed pages without a cast: FTX__TYPED_PAGE_FNS(prefix, PageT, ItemT, free_item), with
 * `void free_item(void *item)`,
 * defines
 *   static int prefix_from(ftx__page *gp, PageT **out, ftx_error *err)
 *       moves the items of `gp` (consumed, also on failure) into a new PageT whose
 *       `ItemT **items` array is its own, converting each void * to ItemT *;
 *   static void prefix_free(PageT *page)  frees the items with free_item, then it.
 * PageT must have the members `ItemT **items; size_t count; char *next_cursor;`
 * (checked at compile time by the assignments themselves).
 */
#define FTX__TYPED_PAGE_FNS(prefix, PageT, ItemT, free_item_fn)                                    \
    static void prefix##_free(PageT *page)                                                         \
    {                                                                                              \
        size_t i_;                                                                                 \
        if (page == NULL)                                                                          \
            return;                                                                                \
        for (i_ = 0; page->items != NULL && i_ < page->count; i_++)                                \
            free_item_fn(page->items[i_]);                                                         \
        ftx__free(page->items);                                                                    \
        ftx__free(page->next_cursor);                                                              \
        ftx__free(page);                                                                           \
    }                                                                                              \
    static int prefix##_from(ftx__page *gp, PageT **out, ftx_error *err)                           \
    {                                                                                              \
        PageT *p_ = ftx__calloc(1, sizeof(*p_));                                                   \
        size_t i_;                                                                                 \
        *out = NULL;                                                                               \
        if (p_ != NULL)                                                                            \
            p_->items = ftx__calloc(gp->count ? gp->count : 1, sizeof(*p_->items));                \
        if (p_ == NULL || p_->items == NULL) {                                                     \
            ftx__free(p_);                                                                         \
            ftx__page_free(gp, free_item_fn);                                                      \
            return ftx__error_nomem(err);                                                          \
        }                                                                                          \
        for (i_ = 0; i_ < gp->count; i_++)                                                         \
            p_->items[i_] = (ItemT *)gp->items[i_];                                                \
        p_->count = gp->count;                                                                     \
        p_->next_cursor = gp->next_cursor;                                                         \
        gp->next_cursor = NULL;                                                                    \
        ftx__page_free(gp, NULL);                                                                  \
        *out = p_;                                                                                 \
        return FTX_OK;                                                                             \
    }

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

/* Streams: typed stream handles (ftx_group_stream *, ftx_json_stream *, ...) are
 * pointers to this struct converted to an incomplete public type and back; nothing
 * is ever read through the public type, so no object is accessed as another type. */
typedef struct ftx__stream ftx__stream;
int ftx__stream_new(ftx_client *c, const ftx__list_spec *spec, const ftx_list_options *opts,
                    ftx__stream **out, ftx_error *err);
/* A stream whose pages come from `fetch` (the `data` of a list response; see
 * ftx_page_fetch_fn) instead of the API, starting at `cursor` (NULL: the first page):
 * ftx_paginate, and the pager fuzz target. spec->path only names the list in
 * messages. Never prefetches. */
int ftx__stream_new_fetch(ftx_page_fetch_fn fetch, void *userdata, const ftx__list_spec *spec,
                          const char *cursor, ftx__stream **out, ftx_error *err);
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
