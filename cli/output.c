/*
 * Output: fixed-width tables printed row by row as items arrive, JSON lines for lists
 * and streams, indented JSON for single objects.
 */
#define _XOPEN_SOURCE 700 /* wcwidth */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "cli.h"

const char *cli_c(const cli_ctx *ctx, const char *code)
{
    return ctx->color ? code : "";
}

/* Length in bytes of the UTF-8 sequence starting with `c` (1 for invalid bytes). */
static size_t utf8_len(unsigned char c)
{
    if (c >= 0xf0 && c < 0xf8)
        return 4;
    if (c >= 0xe0)
        return c < 0xf0 ? 3 : 1;
    if (c >= 0xc0)
        return 2;
    return 1;
}

/* The length of the character at s[i] (of n bytes) and whether it may be shown as is:
 * not for C0/C1 controls, DEL, bidirectional overrides and isolates (they reorder what
 * follows), or bytes that are not well-formed UTF-8 (a lead byte followed by ESC must not
 * smuggle the ESC through). Unsafe characters are one '?' each. */
static size_t char_at(const char *s, size_t i, size_t n, int *safe)
{
    const unsigned char *u = (const unsigned char *)s + i;
    size_t l = utf8_len(u[0]), k;

    *safe = 0;
    if (i + l > n)
        return 1;
    for (k = 1; k < l; k++)
        if ((u[k] & 0xc0) != 0x80)
            return 1;
    if (l == 1) {
        *safe = u[0] >= 0x20 && u[0] < 0x7f;
        return 1;
    }
    if (u[0] == 0xc2 && u[1] < 0xa0) /* U+0080..U+009F: C1 controls (0x9b is CSI) */
        return l;
    if (u[0] == 0xe2 && u[1] == 0x80 && u[2] >= 0xaa && u[2] <= 0xae) /* U+202A..U+202E */
        return l;
    if (u[0] == 0xe2 && u[1] == 0x81 && u[2] >= 0xa6 && u[2] <= 0xa9) /* U+2066..U+2069 */
        return l;
    *safe = 1;
    return l;
}

/* Display width (terminal columns) of the well-formed character of `l` bytes at `u`:
 * 2 for CJK and most emoji, 0 for combining marks, else 1 (wcwidth, UTF-8 locale set by
 * main(); 1 when the C library does not know the character). */
static int char_width(const unsigned char *u, size_t l)
{
    unsigned int cp;
    int w;

    if (l == 1)
        return 1;
    if (l == 2)
        cp = ((u[0] & 0x1fu) << 6) | (u[1] & 0x3fu);
    else if (l == 3)
        cp = ((u[0] & 0x0fu) << 12) | ((u[1] & 0x3fu) << 6) | (u[2] & 0x3fu);
    else
        cp = ((u[0] & 0x07u) << 18) | ((u[1] & 0x3fu) << 12) | ((u[2] & 0x3fu) << 6) |
             (u[3] & 0x3fu);
    w = wcwidth((wchar_t)cp);
    return w < 0 ? 1 : w;
}

/* Print `s` in exactly `width` display columns (pad, or cut with an ellipsis); width <= 0
 * prints it whole. Unsafe characters (see char_at) are shown as '?' so a hostile name
 * cannot move the cursor, recolour the terminal or break the row. */
static void put_cell(const char *s, int width)
{
    size_t n = strlen(s), i = 0;
    int cols = 0, total = 0, safe;

    /* Measure first to decide whether to cut. */
    for (i = 0; i < n;) {
        size_t l = char_at(s, i, n, &safe);
        total += safe ? char_width((const unsigned char *)s + i, l) : 1;
        i += l;
    }
    for (i = 0; i < n;) {
        size_t l = char_at(s, i, n, &safe);
        int w = safe ? char_width((const unsigned char *)s + i, l) : 1;
        if (width > 0 && total > width && cols + w > width - 1) {
            while (cols < width - 1) { /* a wide character that does not fit */
                fputc(' ', stdout);
                cols++;
            }
            fputs("\xe2\x80\xa6", stdout); /* U+2026 */
            cols++;
            break;
        }
        if (safe)
            fwrite(s + i, 1, l, stdout);
        else
            fputc('?', stdout);
        cols += w;
        i += l;
    }
    while (width > 0 && cols < width) {
        fputc(' ', stdout);
        cols++;
    }
}

void cli_put_safe(FILE *f, const char *s)
{
    cli_put_safe_n(f, s, s ? strlen(s) : 0);
}

void cli_put_safe_n(FILE *f, const char *s, size_t n)
{
    size_t i, l;
    int safe;

    for (i = 0; i < n; i += l) {
        l = char_at(s, i, n, &safe);
        if (safe)
            fwrite(s + i, 1, l, f);
        else
            fputc('?', f);
    }
}

void cli_table_init(cli_table *t, cli_ctx *ctx, const cli_column *cols, size_t ncols)
{
    memset(t, 0, sizeof(*t));
    t->ctx = ctx;
    t->cols = cols;
    t->ncols = ncols;
}

static void header(cli_table *t)
{
    size_t i;

    if (t->header_done)
        return;
    t->header_done = 1;
    fputs(cli_c(t->ctx, CLI_BOLD), stdout);
    for (i = 0; i < t->ncols; i++) {
        int last = i + 1 == t->ncols;
        put_cell(t->cols[i].title, last ? 0 : t->cols[i].width);
        if (!last)
            fputs("  ", stdout);
    }
    fputs(cli_c(t->ctx, CLI_RESET), stdout);
    fputc('\n', stdout);
}

void cli_table_row(cli_table *t, const char *const *cells)
{
    size_t i;

    header(t);
    for (i = 0; i < t->ncols; i++) {
        int last = i + 1 == t->ncols;
        const char *c = cells[i] && *cells[i] ? cells[i] : "-";
        put_cell(c, last ? 0 : t->cols[i].width);
        if (!last)
            fputs("  ", stdout);
    }
    fputc('\n', stdout);
    t->rows++;
    /* Rows appear as they arrive, even through a pipe. */
    if (t->rows % 64 == 0 || t->ctx->stdout_tty)
        fflush(stdout);
}

void cli_table_end(cli_table *t)
{
    header(t);
    fflush(stdout);
}

/* JSON written to a terminal escapes every non-ASCII character (\uXXXX), so C1
 * controls and bidi overrides inside API strings cannot act on the terminal; JSON
 * for a pipe or file keeps UTF-8 as is. Set once by main(). */
static size_t json_flags;

void cli_json_to_terminal(int yes)
{
    json_flags = yes ? JSON_ENSURE_ASCII : 0;
}

void cli_json_line(const json_t *j)
{
    /* Dump into a stack buffer and write once: jansson's json_dumpf writes token by
     * token, which costs a locked fwrite per token on large streams. */
    char buf[16384];
    size_t n;

    if (cli_jq_active()) {
        cli_jq_run(j);
        return;
    }
    n = json_dumpb(j, buf, sizeof(buf) - 1, JSON_COMPACT | JSON_ENCODE_ANY | json_flags);

    if (n > 0 && n < sizeof(buf) - 1) {
        buf[n] = '\n';
        fwrite(buf, 1, n + 1, stdout);
        return;
    }
    json_dumpf(j, stdout, JSON_COMPACT | JSON_ENCODE_ANY | json_flags);
    fputc('\n', stdout);
}

void cli_json_doc(const json_t *j)
{
    if (cli_jq_active()) {
        cli_jq_run(j);
        return;
    }
    json_dumpf(j, stdout, JSON_INDENT(2) | JSON_ENCODE_ANY | json_flags);
    fputc('\n', stdout);
    fflush(stdout);
}

void cli_kv(cli_ctx *ctx, const char *key, const char *value)
{
    char k[64];

    snprintf(k, sizeof(k), "%s:", key);
    fputs(cli_c(ctx, CLI_BOLD), stdout);
    put_cell(k, 24);
    fputs(cli_c(ctx, CLI_RESET), stdout);
    put_cell(value && *value ? value : "-", 0);
    fputc('\n', stdout);
}

void cli_done(cli_ctx *ctx, const char *text, const char *id)
{
    if (ctx->format == CLI_FORMAT_JSON) {
        json_t *j = json_pack("{s:b, s:s}", "ok", 1, "message", text);
        if (j && id)
            json_object_set_new(j, "id", json_string(id));
        if (j)
            cli_json_line(j);
        json_decref(j);
    } else {
        fputs(text, stdout);
        fputc('\n', stdout);
    }
    fflush(stdout);
}

const char *cli_bool_str(int v)
{
    return v ? "true" : "false";
}

const char *cli_json_str(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *cli_json_text(const json_t *v, char *buf, size_t size)
{
    char *dump;

    if (!v || json_is_null(v))
        return NULL;
    if (json_is_string(v))
        return json_string_value(v);
    dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!dump)
        return NULL;
    snprintf(buf, size, "%s", dump);
    free(dump);
    return buf;
}
