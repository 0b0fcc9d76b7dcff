/*
 * Groups: GET/POST /groups, GET/PATCH/DELETE /groups/{group_id}.
 * Every operation's spec Accept is plain application/json.
 */
#include <stddef.h>
#include <string.h>

#include "gen.h"

static const ftx__field group_fields[] = {
    {"id", FTX__F_STRING, 0, offsetof(ftx_group, id), 0, NULL},
    {"name", FTX__F_STRING, 0, offsetof(ftx_group, name), 0, NULL},
    {"created_at", FTX__F_TIME, 0, offsetof(ftx_group, created_at), 0, NULL},
};

static const ftx__model group_model = {
    .name = "group",
    .size = sizeof(ftx_group),
    .raw_offset = offsetof(ftx_group, raw),
    .fields = group_fields,
    .nfields = sizeof(group_fields) / sizeof(group_fields[0]),
};

void ftx_group_free(ftx_group *group)
{
    ftx__model_free(&group_model, group);
}

/* The copy shares `raw` with the original (see fivetrex/common.h). */
ftx_group *ftx_group_dup(const ftx_group *group)
{
    return ftx__model_dup(&group_model, group);
}

int ftx_group_from_json(const json_t *json, ftx_group **out, ftx_error *err)
{
    void *obj = NULL;
    int rc;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    rc = ftx__model_decode(&group_model, json, &obj, err);
    *out = obj;
    return rc;
}

static void free_item(void *item)
{
    ftx_group_free(item);
}

FTX__TYPED_PAGE_FNS(group_page, ftx_group_page, ftx_group, free_item)

void ftx_group_page_free(ftx_group_page *page)
{
    group_page_free(page);
}

static int parse_item(const json_t *item, void **out, ftx_error *err)
{
    ftx_group *g = NULL;
    int rc = ftx_group_from_json(item, &g, err);

    *out = g;
    return rc;
}

static const ftx__list_spec groups_spec = {"/groups", NULL, 0, parse_item, free_item,
                                           NULL,      0,    0, NULL};

int ftx_groups_list(ftx_client *client, const ftx_list_options *opts, ftx_group_page **out,
                    ftx_error *err)
{
    ftx__page *gp = NULL;
    int rc = ftx__list(client, &groups_spec, opts, out != NULL ? &gp : NULL, err);

    if (out != NULL)
        *out = NULL;
    return rc != FTX_OK ? rc : group_page_from(gp, out, err);
}

int ftx_groups_stream(ftx_client *client, const ftx_list_options *opts, ftx_group_stream **out,
                      ftx_error *err)
{
    return ftx__stream_new(client, &groups_spec, opts, (ftx__stream **)out, err);
}

int ftx_group_stream_next(ftx_group_stream *stream, const ftx_group **out, ftx_error *err)
{
    const void *item = NULL;
    int rc;

    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    rc = ftx__stream_next((ftx__stream *)stream, &item, err);
    *out = item;
    return rc;
}

void ftx_group_stream_free(ftx_group_stream *stream)
{
    ftx__stream_free((ftx__stream *)stream);
}

/* Perform `req` and build a group from its data. */
static int call_group(ftx_client *client, const ftx__request *req, ftx_group **out, ftx_error *err)
{
    json_t *data = NULL;
    int rc;

    rc = ftx__call_data(client, req, &data, err);
    if (rc != FTX_OK)
        return rc;
    rc = ftx_group_from_json(data, out, err);
    json_decref(data);
    return rc;
}

static int check_args(ftx_client *client, const void *out, ftx_error *err)
{
    if (client == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "client must not be NULL");
    if (out == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out must not be NULL");
    return FTX_OK;
}

int ftx_groups_get(ftx_client *client, const char *group_id, ftx_group **out, ftx_error *err)
{
    ftx__request req = {"GET", NULL, NULL, 0, 0, 0};
    char *path = NULL;
    int rc;

    if ((rc = check_args(client, out, err)) != FTX_OK)
        return rc;
    *out = NULL;
    if ((rc = ftx__path(&path, err, "/groups/{group_id}", group_id)) != FTX_OK)
        return rc;
    req.path = path;
    rc = call_group(client, &req, out, err);
    ftx__free(path);
    return rc;
}

int ftx_groups_create(ftx_client *client, const json_t *params, ftx_group **out, ftx_error *err)
{
    ftx__request req = {"POST", "/groups", NULL, 0, 1, 0};
    int rc;

    if ((rc = check_args(client, out, err)) != FTX_OK)
        return rc;
    *out = NULL;
    if (!json_is_object(params))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "params must be a JSON object such as {\"name\": \"warehouse\"}");
    req.body = params;
    return call_group(client, &req, out, err);
}

int ftx_groups_update(ftx_client *client, const char *group_id, const json_t *params,
                      ftx_group **out, ftx_error *err)
{
    ftx__request req = {"PATCH", NULL, NULL, 0, 0, 0};
    char *path = NULL;
    int rc;

    if ((rc = check_args(client, out, err)) != FTX_OK)
        return rc;
    *out = NULL;
    if (!json_is_object(params))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "params must be a JSON object such as {\"name\": \"new_name\"}");
    if ((rc = ftx__path(&path, err, "/groups/{group_id}", group_id)) != FTX_OK)
        return rc;
    req.path = path;
    req.body = params;
    rc = call_group(client, &req, out, err);
    ftx__free(path);
    return rc;
}

int ftx_groups_delete(ftx_client *client, const char *group_id, ftx_error *err)
{
    return ftx__delete(client, "/groups/{group_id}", group_id, 0, err);
}
