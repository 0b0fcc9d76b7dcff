/*
 * Argument checks and list/stream wrappers shared by the resource modules
 * (groups.c, destinations.c, webhooks.c): one place for the order of the checks and their
 * messages.
 */
#include "internal.h"

int ftx__check_out_client(const ftx_client *c, const void *out, ftx_error *err)
{
    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    if (c == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "client must not be NULL");
    return FTX_OK;
}

int ftx__list_checked(ftx_client *c, const ftx__list_spec *spec, const ftx_list_options *opts,
                      ftx__page **out, ftx_error *err)
{
    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (c == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "client must not be NULL");
    return ftx__list(c, spec, opts, out, err);
}

int ftx__stream_checked(ftx_client *c, const ftx__list_spec *spec, const ftx_list_options *opts,
                        ftx__stream **out, ftx_error *err)
{
    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (c == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "client must not be NULL");
    return ftx__stream_new(c, spec, opts, out, err);
}

int ftx__stream_next_checked(ftx__stream *s, const void **out, ftx_error *err)
{
    const void *item = NULL;
    int rc;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (s == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "stream must not be NULL");
    rc = ftx__stream_next(s, &item, err);
    if (rc == FTX_OK)
        *out = item;
    return rc;
}

int ftx__delete(ftx_client *c, const char *tmpl, const char *id, int accept_v2, ftx_error *err)
{
    ftx__request req = {"DELETE", NULL, NULL, accept_v2, 0, 0};
    char *path = NULL;
    int rc;

    if (c == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "client must not be NULL");
    if ((rc = ftx__path(&path, err, tmpl, id)) != FTX_OK)
        return rc;
    req.path = path;
    rc = ftx__call(c, &req, NULL, err);
    ftx__free(path);
    return rc;
}
