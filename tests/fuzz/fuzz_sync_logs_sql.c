/*
 * Fuzz target: the sync-logs SQL builder (ftx_sync_logs_query_example) and the LOG row
 * parser (ftx_log_entries_from_json).
 *
 * Input: [k][schema bytes]\0[connector id bytes]\0[LOG rows as JSON: the rest]
 *   k  bits 0-2: the query kind (values past the last kind must be refused);
 *      bit 3: schema NULL (the default); bit 4: connector id NULL (placeholder kept)
 *
 * Invariants, on success: the SQL lexes with every quote balanced; outside its
 * string literals it is the template's text with only "fivetran_metadata.log"
 * replaced by "<schema>.log" (so no input byte escapes a literal, and the schema is
 * identifiers joined by dots); its literals are the template's, with the placeholder
 * literal now the connector id exactly (after undoing quote doubling). The id is
 * refused iff it is empty, longer than 255 bytes or holds a control character or a
 * backslash. The rows parse without crash or leak; a parsed entry's fields survive
 * ftx_log_entry_dup.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <fivetrex/fivetrex.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PLACEHOLDER "your_connector_id"

typedef struct lexed {
    char *code;  /* text outside literals, each literal replaced by '\x01' */
    char **lits; /* literal contents, quote doubling undone */
    size_t nlits;
} lexed;

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        abort();
    return p;
}

/* Lex SQL with '...' literals ('' inside is one quote). 0, or -1 when a literal never
 * ends. */
static int lex(const char *sql, lexed *out)
{
    size_t n = strlen(sql), c = 0;

    out->code = xmalloc(n + 1);
    out->lits = xmalloc((n / 2 + 1) * sizeof(char *));
    out->nlits = 0;
    for (const char *p = sql; *p;) {
        if (*p != '\'') {
            out->code[c++] = *p++;
            continue;
        }
        char *lit = xmalloc(n + 1);
        size_t l = 0;
        p++;
        for (;;) {
            if (*p == '\0') {
                free(lit);
                out->code[c] = '\0';
                return -1;
            }
            if (*p == '\'') {
                if (p[1] == '\'') {
                    lit[l++] = '\'';
                    p += 2;
                    continue;
                }
                p++;
                break;
            }
            lit[l++] = *p++;
        }
        lit[l] = '\0';
        out->lits[out->nlits++] = lit;
        out->code[c++] = '\x01';
    }
    out->code[c] = '\0';
    return 0;
}

static void lexed_free(lexed *x)
{
    for (size_t i = 0; i < x->nlits; i++)
        free(x->lits[i]);
    free(x->lits);
    free(x->code);
}

/* `s` with every `from` replaced by `to` (malloc'd). */
static char *replace_all(const char *s, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to), n = 0;
    const char *p;
    char *out, *o;

    for (p = s; (p = strstr(p, from)) != NULL; p += fl)
        n++;
    out = o = xmalloc(strlen(s) + n * tl + 1);
    for (p = s; *p;) {
        if (strncmp(p, from, fl) == 0) {
            memcpy(o, to, tl);
            o += tl;
            p += fl;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    return out;
}

static int id_acceptable(const char *id)
{
    if (id[0] == '\0' || strlen(id) > 255)
        return 0;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '\\')
            return 0;
    return 1;
}

static void check_sql(ftx_sync_logs_query kind, const char *schema, const char *id)
{
    ftx_error err = {0};
    char *sql = (char *)0x1;
    const char *tmpl = ftx_sync_logs_query_template(kind);
    int rc = ftx_sync_logs_query_example(kind, schema, id, &sql, &err);
    lexed got, want;

    if (rc != FTX_OK) {
        if (sql != NULL || rc != FTX_ERR_INVALID_ARGUMENT || err.type != rc || !err.message[0])
            abort();
        /* a valid id on the default schema and a known kind is never refused */
        if (tmpl != NULL && schema == NULL && (id == NULL || id_acceptable(id)))
            abort();
        return;
    }
    if (tmpl == NULL || sql == NULL)
        abort();
    if (id != NULL && !id_acceptable(id))
        abort();
    if (lex(sql, &got) != 0 || lex(tmpl, &want) != 0)
        abort(); /* an unbalanced quote: input escaped its literal */

    /* outside literals: the template, with only the schema swapped in */
    {
        char table[300];
        char *expect;
        snprintf(table, sizeof(table), "%s.log", schema ? schema : "fivetran_metadata");
        expect = replace_all(want.code, "fivetran_metadata.log", table);
        if (strcmp(got.code, expect) != 0)
            abort();
        free(expect);
        if (schema != NULL) {
            /* the schema is identifiers joined by single dots */
            const char *s = schema;
            for (;;) {
                if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
                    abort();
                while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_' ||
                       (*s >= '0' && *s <= '9') || *s == '$')
                    s++;
                if (*s == '\0')
                    break;
                if (*s++ != '.')
                    abort();
            }
        }
    }
    /* literals: the template's, the placeholder now the id */
    if (got.nlits != want.nlits)
        abort();
    for (size_t i = 0; i < got.nlits; i++) {
        const char *w = want.lits[i];
        if (id != NULL && strcmp(w, PLACEHOLDER) == 0)
            w = id;
        if (strcmp(got.lits[i], w) != 0)
            abort();
    }
    lexed_free(&got);
    lexed_free(&want);
    ftx_sync_logs_query_free(sql);
}

static void same_str(const char *a, const char *b)
{
    if ((a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0))
        abort();
}

static void check_rows(const uint8_t *data, size_t size)
{
    json_t *rows = json_loadb((const char *)data, size, 0, NULL);
    ftx_log_entry **entries = NULL;
    size_t count = 0;
    ftx_error err = {0};

    if (rows == NULL)
        return;
    if (ftx_log_entries_from_json(rows, &entries, &count, &err) == FTX_OK) {
        for (size_t i = 0; i < count; i++) {
            ftx_log_entry *d = ftx_log_entry_dup(entries[i]);
            if (d == NULL)
                abort();
            same_str(d->id, entries[i]->id);
            same_str(d->connector_id, entries[i]->connector_id);
            same_str(d->event, entries[i]->event);
            same_str(d->message_event, entries[i]->message_event);
            same_str(d->message_data, entries[i]->message_data);
            same_str(d->time_stamp.iso, entries[i]->time_stamp.iso);
            if (d->time_stamp.valid != entries[i]->time_stamp.valid ||
                d->time_stamp.epoch_ms != entries[i]->time_stamp.epoch_ms)
                abort();
            (void)ftx_log_entry_sync_start(d);
            (void)ftx_log_entry_sync_end(d);
            (void)ftx_log_entry_schema_change(d);
            ftx_log_entry_free(d);
        }
        ftx_log_entries_free(entries, count);
    }
    json_decref(rows);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *end = data + size, *z1, *z2;
    char *schema, *id;
    ftx_sync_logs_query kind;
    int flags;

    if (size < 1)
        return 0;
    flags = data[0];
    kind = (ftx_sync_logs_query)(flags & 7);
    data++;
    z1 = memchr(data, '\0', (size_t)(end - data));
    if (z1 == NULL)
        z1 = end;
    schema = xmalloc((size_t)(z1 - data) + 1);
    memcpy(schema, data, (size_t)(z1 - data));
    schema[z1 - data] = '\0';
    data = z1 < end ? z1 + 1 : end;
    z2 = memchr(data, '\0', (size_t)(end - data));
    if (z2 == NULL)
        z2 = end;
    id = xmalloc((size_t)(z2 - data) + 1);
    memcpy(id, data, (size_t)(z2 - data));
    id[z2 - data] = '\0';
    data = z2 < end ? z2 + 1 : end;

    check_sql(kind, (flags & 8) ? NULL : schema, (flags & 16) ? NULL : id);
    check_rows(data, (size_t)(end - data));
    free(schema);
    free(id);
    return 0;
}
