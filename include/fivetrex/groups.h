/**
 * @file fivetrex/groups.h
 * @brief Groups: list, stream, get, create, update, delete.
 *
 * A group holds one destination and its connectors. Thread note: every call may be
 * made concurrently on a shared client.
 */
#ifndef FIVETREX_GROUPS_H
#define FIVETREX_GROUPS_H

#include <jansson.h>

#include "client.h"
#include "stream.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief A group (Fivetrex.Models.Group). Library-allocated, read-only. */
typedef struct ftx_group {
    char *id;
    char *name;
    ftx_time created_at;
    /** The whole object as received (borrowed; json_incref to keep). */
    json_t *raw;
} ftx_group;

/** @brief One page of groups. */
typedef struct ftx_group_page {
    ftx_group **items;
    size_t count;
    /** Cursor of the next page, NULL on the last page. */
    char *next_cursor;
} ftx_group_page;

/** @brief A lazy stream over every group. Opaque. */
typedef struct ftx_group_stream ftx_group_stream;

/** @brief Free a group. NULL-safe. */
FTX_EXTERN void ftx_group_free(ftx_group *group);
/** @brief Deep copy of a group; NULL when out of memory. Free with ftx_group_free(). */
FTX_EXTERN ftx_group *ftx_group_dup(const ftx_group *group);
/**
 * @brief Build a group from a JSON object (the `data` of a response).
 * @return FTX_OK or FTX_ERR_DECODE when `json` is not an object.
 */
FTX_EXTERN int ftx_group_from_json(const json_t *json, ftx_group **out, ftx_error *err);
/** @brief Free a page and its items. NULL-safe. */
FTX_EXTERN void ftx_group_page_free(ftx_group_page *page);

/**
 * @brief List one page of groups: GET /groups.
 * @param opts cursor and limit; NULL for the first page with the API's default size.
 *        The list declares no filters: any filter is FTX_ERR_INVALID_ARGUMENT.
 * @param[out] out the page; free with ftx_group_page_free().
 */
FTX_EXTERN int ftx_groups_list(ftx_client *client, const ftx_list_options *opts,
                               ftx_group_page **out, ftx_error *err);

/**
 * @brief Stream every group, page by page. No request is made until the first _next.
 * @param[out] out the stream; free with ftx_group_stream_free().
 */
FTX_EXTERN int ftx_groups_stream(ftx_client *client, const ftx_list_options *opts,
                                 ftx_group_stream **out, ftx_error *err);
/**
 * @brief Next group. `*out` is NULL at the end; it is borrowed until the next call.
 * @return FTX_OK or the error of the page request (the stream stays where it was).
 */
FTX_EXTERN int ftx_group_stream_next(ftx_group_stream *stream, const ftx_group **out,
                                     ftx_error *err);
/** @brief Free a stream; no further request is made. NULL-safe. */
FTX_EXTERN void ftx_group_stream_free(ftx_group_stream *stream);

/** @brief GET /groups/{id}. @param[out] out free with ftx_group_free(). */
FTX_EXTERN int ftx_groups_get(ftx_client *client, const char *group_id, ftx_group **out,
                              ftx_error *err);
/**
 * @brief POST /groups with `params` (e.g. {"name": "warehouse"}; `name` is required).
 * A create: never retried after an ambiguous failure, which returns
 * FTX_ERR_OUTCOME_UNKNOWN (the group may exist).
 */
FTX_EXTERN int ftx_groups_create(ftx_client *client, const json_t *params, ftx_group **out,
                                 ftx_error *err);
/** @brief PATCH /groups/{id} with `params` (e.g. {"name": "new"}). */
FTX_EXTERN int ftx_groups_update(ftx_client *client, const char *group_id, const json_t *params,
                                 ftx_group **out, ftx_error *err);
/** @brief DELETE /groups/{id} (its destination and connectors go with it). */
FTX_EXTERN int ftx_groups_delete(ftx_client *client, const char *group_id, ftx_error *err);

#ifdef __cplusplus
}
#endif
#endif
