/*
 * Shared by the decode fuzz targets: the fuzz input parsed as any JSON, handed to a
 * decoder twice, as the whole value (an envelope or anything else) and as its "data"
 * member (NULL when absent), so both shapes reach the model parsers.
 */
#ifndef FTX_FUZZ_JSON_H
#define FTX_FUZZ_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

static inline void fuzz_json_targets(const uint8_t *data, size_t size,
                                     void (*decode)(const json_t *target))
{
    json_error_t jerr;
    json_t *root = json_loadb((const char *)data, size, JSON_DECODE_ANY, &jerr);

    if (root == NULL)
        return;
    decode(root);
    decode(json_object_get(root, "data"));
    json_decref(root);
}

#endif
