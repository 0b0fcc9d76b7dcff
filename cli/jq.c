/*
 * --jq FILTER: every JSON the CLI prints goes through a jq filter (Debian's libjq);
 * string results are printed raw, others as compact JSON, one a line (gh's habit).
 */
#include <stdlib.h>
#include <string.h>

#include <jq.h>

#include "cli.h"

static jq_state *jqs;
static int jq_failed;
static int jq_ascii;
static const char *jq_prog = "fivetrex";

static void on_jq_error(void *data, jv msg)
{
    (void)data;
    if (jv_get_kind(msg) == JV_KIND_STRING) {
        fprintf(stderr, "%s: --jq: ", jq_prog);
        cli_put_safe(stderr, jv_string_value(msg));
        fputc('\n', stderr);
    } else {
        fprintf(stderr, "%s: --jq: error\n", jq_prog);
    }
    jv_free(msg);
}

int cli_jq_compile(const char *prog, const char *filter, int to_terminal)
{
    jq_prog = prog;
    jq_ascii = to_terminal;
    if (jqs)
        jq_teardown(&jqs);
    jqs = jq_init();
    if (!jqs)
        return -1;
    jq_set_error_cb(jqs, on_jq_error, NULL);
    if (!jq_compile(jqs, filter)) {
        jq_teardown(&jqs);
        return -1;
    }
    return 0;
}

int cli_jq_active(void)
{
    return jqs != NULL;
}

int cli_jq_failed(void)
{
    return jq_failed;
}

void cli_jq_free(void)
{
    if (jqs)
        jq_teardown(&jqs);
}

void cli_jq_run(const json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    jv in, r;

    if (!text) {
        jq_failed = 1;
        return;
    }
    in = jv_parse_sized(text, (int)strlen(text));
    free(text);
    if (!jv_is_valid(in)) {
        jv_free(in);
        jq_failed = 1;
        return;
    }
    jq_start(jqs, in, 0);
    while (jv_is_valid(r = jq_next(jqs))) {
        if (jv_get_kind(r) == JV_KIND_STRING) {
            if (jq_ascii)
                cli_put_safe(stdout, jv_string_value(r)); /* a terminal: no escapes */
            else
                fwrite(jv_string_value(r), 1, (size_t)jv_string_length_bytes(jv_copy(r)), stdout);
            jv_free(r);
        } else {
            jv s = jv_dump_string(r, jq_ascii ? JV_PRINT_ASCII : 0);
            fputs(jv_string_value(s), stdout);
            jv_free(s);
        }
        fputc('\n', stdout);
    }
    if (jv_invalid_has_msg(jv_copy(r))) {
        jv msg = jv_invalid_get_msg(r);
        jq_failed = 1;
        if (jv_get_kind(msg) == JV_KIND_STRING) {
            fprintf(stderr, "%s: --jq: ", jq_prog);
            cli_put_safe(stderr, jv_string_value(msg));
            fputc('\n', stderr);
            jv_free(msg);
        } else {
            jv s = jv_dump_string(msg, 0);
            fprintf(stderr, "%s: --jq: ", jq_prog);
            cli_put_safe(stderr, jv_string_value(s));
            fputc('\n', stderr);
            jv_free(s);
        }
    } else {
        jv_free(r);
    }
    fflush(stdout);
}
