/* A user program built against an installed fivetrex (pkg-config or find_package). */
#include <fivetrex/fivetrex.h>

#include <stdio.h>
#include <string.h>

int main(void)
{
    ftx_client_options opts = FTX_CLIENT_OPTIONS_INIT;
    ftx_client *client = NULL;
    ftx_error err;

    if (strcmp(ftx_version(), FTX_VERSION) != 0) {
        fprintf(stderr, "version mismatch: %s vs %s\n", ftx_version(), FTX_VERSION);
        return 1;
    }
    opts.api_key = "fake-key";
    opts.api_secret = "fake-secret";
    opts.base_url = "http://127.0.0.1:9/v1";
    if (ftx_client_new(&client, &opts, &err) != FTX_OK) {
        fprintf(stderr, "ftx_client_new: %s\n", err.message);
        return 1;
    }
    printf("fivetrex %s: client for %s\n", ftx_version(), ftx_client_base_url(client));
    ftx_client_free(client);
    ftx_global_cleanup();
    return 0;
}
