/* Loading a seed: the built-in demo account or a JSON file. */
#include "sandbox.h"

#include <stdio.h>
#include <string.h>

int sbx_seed_load(const char *seed, char *errbuf, size_t errlen)
{
    json_error_t je;
    json_t *j;
    if (strcmp(seed, "demo") == 0)
        j = json_loadb((const char *)sbx_demo_seed, sbx_demo_seed_len, 0, &je);
    else
        j = json_load_file(seed, 0, &je);
    if (!j) {
        snprintf(errbuf, errlen, "seed %s: %s (line %d)", seed, je.text, je.line);
        return -1;
    }
    int rc = sbx_store_seed(j, errbuf, errlen);
    json_decref(j);
    return rc;
}
