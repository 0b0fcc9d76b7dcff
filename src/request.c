/*
 * Any API operation: raw requests, path building, and the generic JSON pager (the
 * seed's Fivetrex.Stream.paginate).
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* A caller path: starts with '/', no control characters, spaces or fragment. */
static int check_path(const char *path, ftx_error *err)
{
    const unsigned char *p = (const unsigned char *)path;

    if (p != NULL && p[0] == '/')
        while (*p > 0x20 && *p != 0x7f && *p != '#')
            p++;
    if (p == NULL || *p != '\0' || path[0] != '/')
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "path must start with '/' and contain no spaces, control "
                              "characters or '#'; build it with ftx_path_build()");
    return FTX_OK;
}

static int request_options(const ftx_request_options *opts, ftx_request_options *o, ftx_error *err)
{
    return FTX__OPTIONS_LOAD(ftx_request_options, o, opts, err);
}

int ftx_request(ftx_client *client, const char *method, const char *path, const json_t *body,
                const ftx_request_options *opts, json_t **out, ftx_error *err)
{
    ftx_request_options o;
    ftx__request req = {0};
    int rc;

    if (out != NULL)
        *out = NULL;
    if (client == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "client must not be NULL");
    if ((rc = check_path(path, err)) < 0)
        return rc;
    if ((rc = request_options(opts, &o, err)) < 0)
        return rc;
    req.method = method;
    req.path = path;
    req.body = body;
    req.accept_v2 = o.accept_v2 != 0;
    req.creates = o.creates != 0;
    return ftx__call(client, &req, out, err);
}

int ftx_path_build(char **out, ftx_error *err, const char *tmpl, ...)
{
    va_list ap;
    int rc;

    va_start(ap, tmpl);
    rc = ftx__path_va(out, err, tmpl, ap, NULL);
    va_end(ap);
    return rc;
}

int ftx_path_buildv(char **out, ftx_error *err, const char *tmpl, const char *const *args, size_t n)
{
    return ftx__path_array(out, err, tmpl, args, n);
}

void ftx_string_free(char *s)
{
    ftx__free(s);
}

/* ---- the generic pager ---- */

struct ftx_json_stream {
    ftx_page_fetch_fn fetch;
    void *userdata;
    json_t *page; /* the current page; owns the items handed out */
    size_t index; /* next item of page.items */
    char *next;   /* cursor of the next page; NULL: none */
    int started;  /* a page was fetched */
    /* ftx_request_stream's own fetch state */
    ftx_client *client;
    char *path;
    ftx_request_options ropts;
    int limit;
};

int ftx_paginate(ftx_page_fetch_fn fetch, void *userdata, ftx_json_stream **out, ftx_error *err)
{
    ftx_json_stream *s;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (fetch == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "fetch must not be NULL");
    s = ftx__calloc(1, sizeof(*s));
    if (s == NULL)
        return ftx__error_nomem(err);
    s->fetch = fetch;
    s->userdata = userdata;
    *out = s;
    return FTX_OK;
}

/* Fetch the page after the current one and make it current; on failure nothing
 * changes. */
static int advance(ftx_json_stream *s, ftx_error *err)
{
    const char *used = s->started ? s->next : NULL;
    json_t *page = NULL, *nc;
    char *next = NULL;
    int rc;

    if ((rc = s->fetch(used, &page, s->userdata, err)) < 0) {
        json_decref(page);
        return rc;
    }
    if (!json_is_object(page) || !json_is_array(json_object_get(page, "items"))) {
        json_decref(page);
        return ftx__error_set(err, FTX_ERR_DECODE, "page is not an object with an \"items\" array");
    }
    nc = json_object_get(page, "next_cursor");
    if (json_is_string(nc) && json_string_length(nc) > 0) {
        if (used != NULL && strcmp(used, json_string_value(nc)) == 0) {
            json_decref(page);
            return ftx__error_set(err, FTX_ERR_DECODE,
                                  "page repeats the cursor that fetched it; stopping to avoid "
                                  "an endless loop");
        }
        if ((next = ftx__strdup(json_string_value(nc))) == NULL) {
            json_decref(page);
            return ftx__error_nomem(err);
        }
    }
    json_decref(s->page);
    ftx__free(s->next);
    s->page = page;
    s->index = 0;
    s->next = next;
    s->started = 1;
    return FTX_OK;
}

int ftx_json_stream_next(ftx_json_stream *s, const json_t **out, ftx_error *err)
{
    int rc;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (s == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "stream must not be NULL");
    for (;;) {
        const json_t *items = s->page != NULL ? json_object_get(s->page, "items") : NULL;

        if (s->index < json_array_size(items)) {
            *out = json_array_get(items, s->index++);
            return FTX_OK;
        }
        if (s->started && s->next == NULL)
            return FTX_OK; /* the end */
        if ((rc = advance(s, err)) < 0)
            return rc;
    }
}

void ftx_json_stream_free(ftx_json_stream *s)
{
    if (s == NULL)
        return;
    json_decref(s->page);
    ftx__free(s->next);
    ftx__free(s->path);
    ftx__free(s);
}

/* ---- a stream over a list endpoint ---- */

static int fetch_endpoint(const char *cursor, json_t **out_page, void *userdata, ftx_error *err)
{
    ftx_json_stream *s = userdata;
    ftx__buf path = FTX__BUF_INIT;
    char limit[16];
    json_t *body = NULL;
    int rc;

    (void)snprintf(limit, sizeof(limit), "%d", s->limit);
    if (ftx__buf_puts(&path, s->path) < 0 || ftx__query_add(&path, "cursor", cursor) < 0 ||
        (s->limit > 0 && ftx__query_add(&path, "limit", limit) < 0)) {
        ftx__buf_dispose(&path);
        return ftx__error_nomem(err);
    }
    rc = ftx_request(s->client, "GET", path.ptr, NULL, &s->ropts, &body, err);
    ftx__buf_dispose(&path);
    if (rc == FTX_OK)
        rc = ftx__envelope_data(body, out_page, err);
    json_decref(body);
    return rc;
}

int ftx_request_stream(ftx_client *client, const char *path, const ftx_request_options *ropts,
                       const ftx_list_options *opts, ftx_json_stream **out, ftx_error *err)
{
    ftx_json_stream *s = NULL;
    int rc;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (client == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "client must not be NULL");
    if ((rc = check_path(path, err)) < 0 || (rc = ftx__list_options_check(opts, err)) < 0 ||
        (rc = ftx_paginate(fetch_endpoint, NULL, &s, err)) < 0)
        return rc;
    s->userdata = s;
    s->client = client;
    s->limit = opts != NULL ? opts->limit : 0;
    if ((rc = request_options(ropts, &s->ropts, err)) < 0) {
        ftx_json_stream_free(s);
        return rc;
    }
    s->path = ftx__strdup(path);
    if (s->path == NULL || (opts != NULL && opts->cursor != NULL && opts->cursor[0] != '\0' &&
                            (s->next = ftx__strdup(opts->cursor)) == NULL)) {
        ftx_json_stream_free(s);
        return ftx__error_nomem(err);
    }
    s->started = s->next != NULL; /* start at the caller's cursor */
    *out = s;
    return FTX_OK;
}
