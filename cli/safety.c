/*
 * The safety catch of verbs that change things: --dry-run (print the request, send
 * nothing), and confirmation of destructive verbs (a question on a terminal, --yes, a
 * usage error otherwise).
 */
#include <ctype.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_check_flags(cli_ctx *ctx)
{
    if (!ctx->verb_kind_set)
        return 0;
    if (ctx->dry_run && (ctx->verb_kind == CLI_VERB_READ || ctx->verb_kind == CLI_VERB_LOCAL))
        return cli_usage_error(ctx, ctx->cmd,
                               "--dry-run applies to verbs that send a change to the API; "
                               "this one %s",
                               ctx->verb_kind == CLI_VERB_READ ? "only reads"
                                                               : "sends nothing to the API");
    if (ctx->yes && ctx->verb_kind != CLI_VERB_DESTRUCTIVE)
        return cli_usage_error(ctx, ctx->cmd,
                               "--yes applies to verbs that delete or re-sync (they ask for "
                               "confirmation); this one does not ask");
    return 0;
}

/* Percent-encode `id` (RFC 3986 unreserved characters kept) into the template's "{}". */
static void path_with_id(char *buf, size_t size, const char *tmpl, const char *id)
{
    const char *brace = strstr(tmpl, "{}");
    size_t n = 0;

    if (!brace || !id) {
        snprintf(buf, size, "%s", tmpl);
        return;
    }
    n = (size_t)(brace - tmpl) < size - 1 ? (size_t)(brace - tmpl) : size - 1;
    memcpy(buf, tmpl, n);
    for (; *id && n + 4 < size; id++) {
        unsigned char c = (unsigned char)*id;
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
            buf[n++] = (char)c;
        else
            n += (size_t)snprintf(buf + n, size - n, "%%%02X", c);
    }
    buf[n] = '\0';
    snprintf(buf + n, size - n, "%s", brace + 2);
}

/* Keys whose values are credentials: shown as "***" in a dry run. */
static int secret_key(const char *k)
{
    static const char *const words[] = {"secret", "password",   "passphrase", "private_key",
                                        "token",  "credential", "api_key"};
    size_t i;
    char low[128];
    size_t n;

    for (n = 0; k[n] && n + 1 < sizeof(low); n++)
        low[n] = (char)tolower((unsigned char)k[n]);
    low[n] = '\0';
    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strstr(low, words[i]))
            return 1;
    return 0;
}

static json_t *redacted(const json_t *v)
{
    json_t *out, *child;
    const char *k;
    size_t i;

    if (json_is_object(v)) {
        out = json_object();
        json_object_foreach((json_t *)v, k, child)
        {
            if (secret_key(k) && !json_is_null(child) && !json_is_object(child))
                json_object_set_new(out, k, json_string("***"));
            else
                json_object_set_new(out, k, redacted(child));
        }
        return out;
    }
    if (json_is_array(v)) {
        out = json_array();
        json_array_foreach(v, i, child) json_array_append_new(out, redacted(child));
        return out;
    }
    return json_deep_copy(v);
}

int cli_dry_run(cli_ctx *ctx, const char *method, const char *tmpl, const char *id,
                const json_t *body)
{
    char path[2048];
    json_t *shown;

    if (!ctx->dry_run)
        return 0;
    path_with_id(path, sizeof(path), tmpl, id);
    shown = body ? redacted(body) : NULL;
    if (ctx->format == CLI_FORMAT_JSON) {
        json_t *j = json_pack("{s:b, s:s, s:s, s:O?}", "dry_run", 1, "method", method, "path", path,
                              "body", shown);
        if (j)
            cli_json_line(j);
        json_decref(j);
    } else {
        printf("%s ", method);
        cli_put_safe(stdout, path);
        fputc('\n', stdout);
        if (shown)
            cli_json_doc(shown);
        fputs("(dry run: nothing was sent)\n", stdout);
    }
    fflush(stdout);
    json_decref(shown);
    return 1;
}

int cli_can_ask(const cli_ctx *ctx)
{
    (void)ctx;
    return isatty(STDIN_FILENO) == 1 && isatty(STDERR_FILENO) == 1;
}

int cli_confirm(cli_ctx *ctx, const char *action, const char *details)
{
    char line[64];
    size_t n;

    if (ctx->yes)
        return 0;
    if (!cli_can_ask(ctx)) {
        fprintf(stderr, "%s: %s: refused: ", ctx->prog, ctx->cmd);
        cli_put_safe(stderr, action);
        fputs(" needs confirmation, and there is no terminal to ask on\n"
              "  hint: add --yes if you mean it (--dry-run shows the request)\n",
              stderr);
        return CLI_EXIT_USAGE;
    }
    fputs(ctx->ecolor ? CLI_YELLOW : "", stderr);
    cli_put_safe(stderr, action);
    fputs(ctx->ecolor ? CLI_RESET : "", stderr);
    fputc('\n', stderr);
    if (details && *details) {
        const char *s = details, *nl;
        while (*s) {
            nl = strchr(s, '\n');
            n = nl ? (size_t)(nl - s) : strlen(s);
            fputs("  ", stderr);
            cli_put_safe_n(stderr, s, n);
            fputc('\n', stderr);
            s += n + (nl ? 1 : 0);
        }
    }
    fputs("Proceed? [y/N] ", stderr);
    fflush(stderr);
    if (!fgets(line, sizeof(line), stdin)) {
        fputc('\n', stderr);
        line[0] = '\0';
    }
    n = strcspn(line, "\r\n");
    line[n] = '\0';
    if (strcmp(line, "y") == 0 || strcmp(line, "Y") == 0 || strcmp(line, "yes") == 0 ||
        strcmp(line, "YES") == 0 || strcmp(line, "Yes") == 0)
        return 0;
    fprintf(stderr, "%s: %s: cancelled, nothing was changed\n", ctx->prog, ctx->cmd);
    return CLI_EXIT_GENERIC;
}
