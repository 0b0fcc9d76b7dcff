/*
 * Any API operation: raw requests, path building, and the generic JSON pager (the
 * seed's Fivetrex.Stream.paginate).
 */
#include <errno.h>
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
    /* Only the fields of the caller's version; later ones keep their defaults. */
    return FTX__OPTIONS_LOAD(ftx_request_options, o, opts, err);
}

/* The version 2 transport options: consistent with each other and the method. */
static int transport_check(const char *method, const json_t *body, const ftx_request_options *o,
                           ftx_error *err)
{
    int sends_body =
        method != NULL && (strcmp(method, "POST") == 0 || strcmp(method, "PATCH") == 0);
    size_t i;

    if ((o->flags & ~(unsigned)(FTX_REQUEST_NO_BODY | FTX_REQUEST_HOST_ROOT)) != 0)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "unknown ftx_request_options flags 0x%x", o->flags);
    if ((o->flags & FTX_REQUEST_NO_BODY) != 0 && (body != NULL || o->form_count > 0))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "FTX_REQUEST_NO_BODY with a body or a form: pick one");
    if ((o->form == NULL) != (o->form_count == 0))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "form and form_count must be set together");
    if (o->form_count > 0 && (!sends_body || body != NULL))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "a form is sent by POST or PATCH only, and without a JSON body");
    for (i = 0; i < o->form_count; i++) {
        const ftx_form_part *p = &o->form[i];
        int sources = (p->value != NULL) + (p->file_path != NULL) + (p->data != NULL);
        FILE *f;

        if (p->name == NULL || p->name[0] == '\0' || sources != 1)
            return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                                  "form part %zu needs a name and exactly one of value, "
                                  "file_path or data",
                                  i);
        if (p->file_path != NULL) {
            /* Fail before sending anything, with the reason (libcurl would only say
             * "read error" mid-request). */
            if ((f = fopen(p->file_path, "rb")) == NULL)
                return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                                      "form part \"%.100s\": cannot read %.300s: %s", p->name,
                                      p->file_path, strerror(errno));
            (void)fclose(f);
        }
    }
    if (o->sink != NULL && ((o->sink->write == NULL) == (o->sink->path == NULL)))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "a response sink needs exactly one of write or path");
    return FTX_OK;
}

int ftx_request(ftx_client *client, const char *method, const char *path, const json_t *body,
                const ftx_request_options *opts, json_t **out, ftx_error *err)
{
    ftx_request_options o;
    ftx__request req = {0};
    ftx__transport t = {0};
    int rc;

    if (out != NULL)
        *out = NULL;
    if (client == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "client must not be NULL");
    if ((rc = check_path(path, err)) < 0)
        return rc;
    if ((rc = request_options(opts, &o, err)) < 0 ||
        (rc = transport_check(method, body, &o, err)) < 0)
        return rc;
    req.method = method;
    req.path = path;
    req.body = body;
    req.accept_v2 = o.accept_v2 != 0;
    req.creates = o.creates != 0;
    t.no_body = (o.flags & FTX_REQUEST_NO_BODY) != 0;
    t.host_root = (o.flags & FTX_REQUEST_HOST_ROOT) != 0;
    t.form = o.form;
    t.form_count = o.form_count;
    t.sink = o.sink;
    return ftx__call_transport(client, &req, &t, out, err);
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

/* ---- JSON streams: the one pager (stream.c) with JSON items ----
 * An ftx_json_stream * is an ftx__stream * (see internal.h); its items are the
 * page's JSON values, each holding a reference of its own. */

static int json_item(const json_t *item, void **out, ftx_error *err)
{
    (void)err;
    *out = json_incref((json_t *)(uintptr_t)item);
    return FTX_OK;
}

static void json_item_free(void *item)
{
    json_decref(item);
}

int ftx_paginate(ftx_page_fetch_fn fetch, void *userdata, ftx_json_stream **out, ftx_error *err)
{
    static const ftx__list_spec spec = {"ftx_paginate", NULL, 0, json_item, json_item_free,
                                        NULL,           0,    0, NULL};
    ftx__stream *s = NULL;
    int rc;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (fetch == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "fetch must not be NULL");
    rc = ftx__stream_new_fetch(fetch, userdata, &spec, NULL, &s, err);
    *out = (ftx_json_stream *)s;
    return rc;
}

int ftx_json_stream_next(ftx_json_stream *s, const json_t **out, ftx_error *err)
{
    const void *item = NULL;
    int rc;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (s == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "stream must not be NULL");
    rc = ftx__stream_next((ftx__stream *)s, &item, err);
    *out = item;
    return rc;
}

void ftx_json_stream_free(ftx_json_stream *s)
{
    ftx__stream_free((ftx__stream *)s);
}

int ftx_request_stream(ftx_client *client, const char *path, const ftx_request_options *ropts,
                       const ftx_list_options *opts, ftx_json_stream **out, ftx_error *err)
{
    ftx__list_spec spec = {NULL, NULL, 0, json_item, json_item_free, NULL, 0, 0, NULL};
    ftx_request_options ro;
    ftx__stream *s = NULL;
    int rc;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (client == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "client must not be NULL");
    if ((rc = check_path(path, err)) < 0 || (rc = request_options(ropts, &ro, err)) < 0)
        return rc;
    if (ro.flags != 0 || ro.form_count > 0 || ro.sink != NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "a stream pages with GET under the base URL: form, sink and "
                              "flags (FTX_REQUEST_NO_BODY, FTX_REQUEST_HOST_ROOT) do not apply");
    spec.path = path;
    spec.accept_v2 = ro.accept_v2 != 0;
    spec.filters_any = 1; /* the caller's path: its filters are its own business */
    rc = ftx__stream_new(client, &spec, opts, &s, err);
    *out = (ftx_json_stream *)s;
    return rc;
}
