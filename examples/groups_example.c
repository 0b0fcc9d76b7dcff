/*
 * List every group of a Fivetran account.
 *
 *   FIVETRAN_API_KEY=... FIVETRAN_API_SECRET=... ./groups_example
 *
 * Credentials (and FIVETRAN_BASE_URL, if set) come from the environment: the client
 * options leave them NULL.
 */
#include <fivetrex/fivetrex.h>

#include <stdio.h>

int main(void)
{
    ftx_client_options opts = FTX_CLIENT_OPTIONS_INIT;
    ftx_client *client = NULL;
    ftx_group_stream *groups = NULL;
    const ftx_group *group;
    ftx_error err;
    int rc;

    if ((rc = ftx_client_new(&client, &opts, &err)) != FTX_OK) {
        fprintf(stderr, "fivetrex: %s\n", err.message);
        return 1;
    }
    rc = ftx_groups_stream(client, NULL, &groups, &err);
    while (rc == FTX_OK && (rc = ftx_group_stream_next(groups, &group, &err)) == FTX_OK &&
           group != NULL)
        printf("%-30s %-40s %s\n", group->id, group->name ? group->name : "-",
               group->created_at.iso ? group->created_at.iso : "-");
    if (rc != FTX_OK)
        fprintf(stderr, "fivetrex: %s (%s)\n", err.message, ftx_error_type_name(err.type));
    ftx_group_stream_free(groups);
    ftx_client_free(client);
    return rc == FTX_OK ? 0 : 1;
}
