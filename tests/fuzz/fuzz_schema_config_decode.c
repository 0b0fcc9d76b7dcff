/*
 * libFuzzer target: schema config and column list decoding, lookups included.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "fivetrex/fivetrex.h"
#include "fuzz_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const ftx_schema_config *cfg)
{
    for (size_t i = 0; i < cfg->schema_count; i++) {
        const ftx_schema *s = cfg->schemas[i];
        if (ftx_schema_config_find_schema(cfg, s->name) == NULL)
            __builtin_trap(); /* every listed schema is found by its name */
        for (size_t j = 0; j < s->table_count; j++) {
            const ftx_table *t = s->tables[j];
            if (ftx_schema_find_table(s, t->name) == NULL)
                __builtin_trap();
            for (size_t k = 0; k < t->column_count; k++)
                if (ftx_table_find_column(t, t->columns[k]->name) == NULL)
                    __builtin_trap();
        }
    }
    (void)ftx_schema_config_find_table(cfg, "public", "users");
}

static void decode(const json_t *target)
{
    ftx_schema_config *cfg = NULL, *copy;
    ftx_column_list *cols = NULL;
    ftx_error err;

    if (ftx_schema_config_from_json(target, &cfg, &err) == FTX_OK) {
        walk(cfg);
        copy = ftx_schema_config_dup(cfg);
        ftx_schema_config_free(cfg);
        if (copy != NULL)
            walk(copy);
        ftx_schema_config_free(copy);
    }
    if (ftx_column_list_from_json(target, &cols, &err) == FTX_OK) {
        for (size_t i = 0; i < cols->count; i++)
            if (ftx_column_list_find(cols, cols->items[i]->name) == NULL)
                __builtin_trap();
        ftx_column_list_free(cols);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_json_targets(data, size, decode);
    return 0;
}
