/*
 * Connector SDK packages: the multipart upload (POST, PATCH) and the binary download,
 * which the generator leaves to hand code (tools/gen overrides: hooks). The other
 * package operations (list, get, delete) are generated.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gen.h"
#include "internal.h"

/* The ZIP must be readable now: libcurl would only report "read error" mid-request. */
static int check_zip(const char *zip_path, ftx_error *err)
{
    FILE *f;

    if (zip_path == NULL || zip_path[0] == '\0')
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "zip_path must be a non-empty path to the package ZIP");
    if ((f = fopen(zip_path, "rb")) == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "cannot read %.300s: %s", zip_path,
                              strerror(errno));
    (void)fclose(f);
    return FTX_OK;
}

static int upload(ftx_client *client, const char *method, const char *package_id,
                  const char *zip_path, json_t **out, ftx_error *err)
{
    ftx_form_part part;
    ftx__request req;
    ftx__transport t;
    char *path = NULL;
    int rc;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    *out = NULL;
    if (client == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "client must not be NULL");
    if (package_id != NULL)
        rc = ftx__path(&path, err, "/connector-sdk/packages/{package_id}", package_id);
    else
        rc = (path = ftx__strdup("/connector-sdk/packages")) != NULL ? FTX_OK
                                                                     : ftx__error_nomem(err);
    if (rc != FTX_OK)
        return rc;
    if ((rc = check_zip(zip_path, err)) != FTX_OK) {
        ftx__free(path);
        return rc;
    }
    memset(&part, 0, sizeof(part));
    part.name = "file";
    part.file_path = zip_path; /* the filename sent is its last component */
    part.content_type = "application/zip";
    memset(&req, 0, sizeof(req));
    req.method = method;
    req.path = path;
    req.creates = strcmp(method, "POST") == 0;
    memset(&t, 0, sizeof(t));
    t.form = &part;
    t.form_count = 1;
    rc = ftx__call_data_transport(client, &req, &t, out, err);
    ftx__free(path);
    return rc;
}

int ftx_connector_sdk_packages_create(ftx_client *client, const char *zip_path, json_t **out,
                                      ftx_error *err)
{
    return upload(client, "POST", NULL, zip_path, out, err);
}

int ftx_connector_sdk_packages_update(ftx_client *client, const char *package_id,
                                      const char *zip_path, json_t **out, ftx_error *err)
{
    if (out != NULL)
        *out = NULL;
    if (package_id == NULL || package_id[0] == '\0')
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "package_id must be a non-empty string");
    return upload(client, "PATCH", package_id, zip_path, out, err);
}

int ftx_connector_sdk_packages_download(ftx_client *client, const char *package_id,
                                        const ftx_response_sink *sink, ftx_error *err)
{
    ftx__request req;
    ftx__transport t;
    char *path = NULL;
    int rc;

    if (client == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "client must not be NULL");
    if (sink == NULL || (sink->write == NULL) == (sink->path == NULL))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "the sink needs exactly one of write or path");
    if ((rc = ftx__path(&path, err, "/connector-sdk/packages/{package_id}/download", package_id)) !=
        FTX_OK)
        return rc;
    memset(&req, 0, sizeof(req));
    req.method = "GET";
    req.path = path;
    memset(&t, 0, sizeof(t));
    t.sink = sink;
    rc = ftx__call_transport(client, &req, &t, NULL, err);
    ftx__free(path);
    return rc;
}
