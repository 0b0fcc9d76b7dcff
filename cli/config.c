/*
 * Profiles: $XDG_CONFIG_HOME/fivetrex/config (INI, read with libinih) holds named
 * profiles (base_url, api_key, output, secret_command); the API secret lives in a
 * separate credentials file that must not be readable by others (mode 0600), or comes
 * from a profile's secret_command. `fivetrex config list|get|set` and
 * `fivetrex auth status`.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ini.h>

#include "cli.h"

#define MAX_ENTRIES 256

typedef struct entry {
    char section[64];
    char key[64];
    char *value;
} entry;

typedef struct ini_doc {
    entry e[MAX_ENTRIES];
    size_t n;
    int overflow;
} ini_doc;

static const char *const config_keys[] = {"base_url", "api_key", "output", "secret_command", NULL};

static int known_key(const char *k)
{
    size_t i;
    for (i = 0; config_keys[i]; i++)
        if (strcmp(config_keys[i], k) == 0)
            return 1;
    return 0;
}

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
    ini_doc *d = user;
    entry *e;

    if (d->n >= MAX_ENTRIES || strlen(section) >= sizeof(e->section) ||
        strlen(name) >= sizeof(e->key)) {
        d->overflow = 1;
        return 1;
    }
    e = &d->e[d->n];
    snprintf(e->section, sizeof(e->section), "%s", section);
    snprintf(e->key, sizeof(e->key), "%s", name);
    e->value = strdup(value);
    if (!e->value)
        return 0;
    d->n++;
    return 1;
}

static void doc_free(ini_doc *d)
{
    size_t i;
    for (i = 0; i < d->n; i++) {
        if (d->e[i].value) {
            volatile char *p = d->e[i].value;
            while (*p)
                *p++ = 0;
        }
        free(d->e[i].value);
    }
    d->n = 0;
}

static const char *doc_get(const ini_doc *d, const char *section, const char *key)
{
    size_t i;
    for (i = d->n; i > 0; i--)
        if (strcmp(d->e[i - 1].section, section) == 0 && strcmp(d->e[i - 1].key, key) == 0)
            return d->e[i - 1].value;
    return NULL;
}

static int doc_has_section(const ini_doc *d, const char *section)
{
    size_t i;
    for (i = 0; i < d->n; i++)
        if (strcmp(d->e[i].section, section) == 0)
            return 1;
    return 0;
}

/* The directory of the configuration: $XDG_CONFIG_HOME/fivetrex or ~/.config/fivetrex. */
static int config_dir(char *buf, size_t size)
{
    const char *x = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");

    if (x && *x)
        return snprintf(buf, size, "%s/fivetrex", x) < (int)size ? 0 : -1;
    if (home && *home)
        return snprintf(buf, size, "%s/.config/fivetrex", home) < (int)size ? 0 : -1;
    return -1;
}

static int config_path(char *buf, size_t size, const char *file)
{
    char dir[3072];
    if (config_dir(dir, sizeof(dir)) != 0)
        return -1;
    return snprintf(buf, size, "%s/%s", dir, file) < (int)size ? 0 : -1;
}

/* Parse `path` into `d`: 0 (a missing file is empty), or an exit status after a message. */
static int load(cli_ctx *ctx, const char *path, ini_doc *d)
{
    FILE *f = fopen(path, "r");
    int line;

    d->n = 0;
    d->overflow = 0;
    if (!f) {
        if (errno == ENOENT)
            return 0;
        fprintf(stderr, "%s: cannot read %s: %s\n", ctx->prog, path, strerror(errno));
        return CLI_EXIT_USAGE;
    }
    line = ini_parse_file(f, on_entry, d);
    fclose(f);
    if (line != 0 || d->overflow) {
        doc_free(d);
        if (line > 0)
            fprintf(stderr, "%s: %s: line %d is not 'key = value' or '[profile]'\n", ctx->prog,
                    path, line);
        else
            fprintf(stderr, "%s: %s: cannot be read (too many or too long entries)\n", ctx->prog,
                    path);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

static const char *profile_name(const cli_ctx *ctx, int *explicit_)
{
    const char *env = getenv("FIVETRAN_PROFILE");

    *explicit_ = 1;
    if (ctx->profile)
        return ctx->profile;
    if (env && *env)
        return env;
    *explicit_ = 0;
    return "default";
}

/* Run a profile's secret_command: its standard output, trailing newlines removed, is the
 * secret. Returns 0 with *out set, or an exit status. */
static int run_secret_command(cli_ctx *ctx, const char *cmd, char **out)
{
    FILE *p;
    char *text;
    size_t len = 0;
    int st;

    fflush(stdout);
    p = popen(cmd, "r");
    if (!p) {
        fprintf(stderr, "%s: cannot run the profile's secret_command: %s\n", ctx->prog,
                strerror(errno));
        return CLI_EXIT_AUTH;
    }
    text = cli_read_all(p, &len);
    st = pclose(p);
    if (!text || st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        if (text) {
            memset(text, 0, len);
            free(text);
        }
        fprintf(stderr,
                "%s: the profile's secret_command failed (exit status %d); its output "
                "is not used\n",
                ctx->prog, st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        return CLI_EXIT_AUTH;
    }
    while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        text[--len] = '\0';
    if (len == 0) {
        free(text);
        fprintf(stderr, "%s: the profile's secret_command printed nothing\n", ctx->prog);
        return CLI_EXIT_AUTH;
    }
    *out = text;
    return 0;
}

int cli_profile_apply(cli_ctx *ctx)
{
    char path[4096], cpath[4096];
    ini_doc *d, *cd;
    const char *name, *v;
    int explicit_, rc = 0;
    const char *env_key = getenv("FIVETRAN_API_KEY");
    const char *env_secret = getenv("FIVETRAN_API_SECRET");
    const char *env_url = getenv("FIVETRAN_BASE_URL");

    if (ctx->profile_done)
        return 0;
    ctx->profile_done = 1;
    if (ctx->api_secret_file)
        snprintf(ctx->secret_source, sizeof(ctx->secret_source), "--api-secret-file %s",
                 ctx->api_secret_file);
    else if (env_secret && *env_secret)
        snprintf(ctx->secret_source, sizeof(ctx->secret_source), "$FIVETRAN_API_SECRET");
    name = profile_name(ctx, &explicit_);
    if (config_path(path, sizeof(path), "config") != 0 ||
        config_path(cpath, sizeof(cpath), "credentials") != 0) {
        if (explicit_) {
            fprintf(stderr, "%s: profile '%s': neither $XDG_CONFIG_HOME nor $HOME is set\n",
                    ctx->prog, name);
            return CLI_EXIT_USAGE;
        }
        return 0;
    }
    d = calloc(1, sizeof(*d));
    cd = calloc(1, sizeof(*cd));
    if (!d || !cd) {
        free(d);
        free(cd);
        return CLI_EXIT_GENERIC;
    }
    if ((rc = load(ctx, path, d)) != 0)
        goto done;
    if (explicit_ && !doc_has_section(d, name)) {
        fprintf(stderr,
                "%s: no profile '%s' in %s\n  hint: 'fivetrex config list' shows the "
                "profiles; 'fivetrex config set --profile %s KEY VALUE' makes one\n",
                ctx->prog, name, path, name);
        rc = CLI_EXIT_USAGE;
        goto done;
    }
    snprintf(ctx->profile_used, sizeof(ctx->profile_used), "%s",
             doc_has_section(d, name) ? name : "");
    if (!ctx->api_key && !(env_key && *env_key) && (v = doc_get(d, name, "api_key")) && *v)
        ctx->api_key = ctx->owned_key = strdup(v);
    if (!ctx->base_url && !(env_url && *env_url) && (v = doc_get(d, name, "base_url")) && *v)
        ctx->base_url = ctx->owned_url = strdup(v);
    if (!ctx->format_set && (v = doc_get(d, name, "output"))) {
        if (strcmp(v, "json") == 0)
            ctx->format = CLI_FORMAT_JSON;
        else if (strcmp(v, "table") == 0)
            ctx->format = CLI_FORMAT_TABLE;
        else {
            fprintf(stderr, "%s: %s: profile '%s': output must be table or json\n", ctx->prog, path,
                    name);
            rc = CLI_EXIT_USAGE;
            goto done;
        }
    }
    if (ctx->api_secret_file || (env_secret && *env_secret))
        goto done;
    /* The secret: the credentials file (mode 0600 only), then secret_command. */
    {
        struct stat st;
        if (stat(cpath, &st) == 0) {
            if (st.st_mode & 077) {
                fprintf(stderr,
                        "%s: %s is readable by others (mode %03o): refused, as ssh does\n"
                        "  hint: chmod 600 %s\n",
                        ctx->prog, cpath, (unsigned)(st.st_mode & 0777), cpath);
                rc = CLI_EXIT_AUTH;
                goto done;
            }
            if ((rc = load(ctx, cpath, cd)) != 0)
                goto done;
            if ((v = doc_get(cd, name, "api_secret")) && *v) {
                ctx->api_secret = strdup(v);
                snprintf(ctx->secret_source, sizeof(ctx->secret_source), "%s [%s]", cpath, name);
                goto done;
            }
        }
    }
    if ((v = doc_get(d, name, "secret_command")) && *v) {
        if ((rc = run_secret_command(ctx, v, &ctx->api_secret)) != 0)
            goto done;
        snprintf(ctx->secret_source, sizeof(ctx->secret_source), "secret_command of profile '%s'",
                 name);
    }
done:
    doc_free(d);
    doc_free(cd);
    free(d);
    free(cd);
    return rc;
}

/* ---- fivetrex config list|get|set ---- */

static const char config_help[] =
    "Usage: fivetrex config list|get|set [--profile NAME] ...\n"
    "\n"
    "Profiles in $XDG_CONFIG_HOME/fivetrex/config (default ~/.config/fivetrex/config),\n"
    "an INI file: one [NAME] section a profile, keys base_url, api_key, output\n"
    "(table|json) and secret_command (a shell command printing the API secret).\n"
    "The secret itself never goes there: put 'api_secret = ...' under [NAME] in\n"
    "credentials next to it, mode 0600 (a file others can read is refused).\n"
    "--profile NAME or $FIVETRAN_PROFILE chooses the profile (default: 'default');\n"
    "flags and FIVETRAN_* variables override it.\n"
    "\n"
    "Verbs:\n"
    "  list                 every profile and its keys\n"
    "  get KEY              one key of the profile\n"
    "  set KEY VALUE        set a key of the profile (the file is rewritten; comments\n"
    "                       are not kept)\n";

static int write_doc(cli_ctx *ctx, const char *path, const ini_doc *d)
{
    char dir[4096], tmp[4200];
    const char *sections[MAX_ENTRIES];
    size_t ns = 0, i, j;
    FILE *f;
    int fd;

    if (config_dir(dir, sizeof(dir)) != 0)
        return CLI_EXIT_USAGE;
    {
        /* mkdir -p of the config directory (its parent, then itself) */
        char parent[4096];
        char *slash;
        snprintf(parent, sizeof(parent), "%s", dir);
        slash = strrchr(parent, '/');
        if (slash && slash != parent) {
            *slash = '\0';
            (void)mkdir(parent, 0700);
        }
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            fprintf(stderr, "%s: cannot create %s: %s\n", ctx->prog, dir, strerror(errno));
            return CLI_EXIT_GENERIC;
        }
    }
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        fprintf(stderr, "%s: cannot write %s: %s\n", ctx->prog, tmp, strerror(errno));
        return CLI_EXIT_GENERIC;
    }
    for (i = 0; i < d->n; i++) {
        for (j = 0; j < ns; j++)
            if (strcmp(sections[j], d->e[i].section) == 0)
                break;
        if (j == ns)
            sections[ns++] = d->e[i].section;
    }
    fputs("# fivetrex profiles (see 'fivetrex config --help'); secrets go in 'credentials'\n", f);
    for (j = 0; j < ns; j++) {
        fprintf(f, "\n[%s]\n", sections[j]);
        for (i = 0; i < d->n; i++)
            if (strcmp(d->e[i].section, sections[j]) == 0 && d->e[i].value)
                fprintf(f, "%s = %s\n", d->e[i].key, d->e[i].value);
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "%s: cannot write %s: %s\n", ctx->prog, path, strerror(errno));
        unlink(tmp);
        return CLI_EXIT_GENERIC;
    }
    return 0;
}

int cmd_config(cli_ctx *ctx, int argc, char **argv)
{
    cli_parser p;
    const char *pos[3] = {NULL, NULL, NULL};
    char path[4096];
    ini_doc *d;
    int id, npos = 0, rc, explicit_;
    const char *name;

    ctx->cmd = "config";
    ctx->verb_kind = CLI_VERB_LOCAL;
    ctx->verb_kind_set = 1;
    if ((rc = cli_check_flags(ctx)) != 0)
        return rc;
    cli_parser_init(&p, ctx, argc, argv);
    while ((id = cli_getopt(&p, NULL)) != CLI_GETOPT_END) {
        if (id == CLI_GETOPT_ERROR)
            return CLI_EXIT_USAGE;
        if (id == CLI_GETOPT_HELP) {
            fputs(config_help, stdout);
            return 0;
        }
        if (npos == 3)
            return cli_usage_error(ctx, "config", "unexpected argument '%s'", p.value);
        pos[npos++] = p.value;
    }
    if (npos == 0) {
        fputs(config_help, stderr);
        return CLI_EXIT_USAGE;
    }
    if (config_path(path, sizeof(path), "config") != 0)
        return cli_usage_error(ctx, "config", "neither $XDG_CONFIG_HOME nor $HOME is set");
    name = profile_name(ctx, &explicit_);
    d = calloc(1, sizeof(*d));
    if (!d)
        return CLI_EXIT_GENERIC;
    if ((rc = load(ctx, path, d)) != 0) {
        free(d);
        return rc;
    }
    if (strcmp(pos[0], "list") == 0 && npos == 1) {
        size_t i, j;
        json_t *all = json_object();
        for (i = 0; i < d->n; i++) {
            json_t *sec = json_object_get(all, d->e[i].section);
            if (!sec) {
                sec = json_object();
                json_object_set_new(all, d->e[i].section, sec);
            }
            json_object_set_new(sec, d->e[i].key, json_string(d->e[i].value));
        }
        if (ctx->format == CLI_FORMAT_JSON) {
            cli_json_doc(all);
        } else {
            const char *sname;
            json_t *sec, *v;
            (void)j;
            json_object_foreach(all, sname, sec)
            {
                printf("[");
                cli_put_safe(stdout, sname);
                printf("]\n");
                json_object_foreach(sec, pos[1], v)
                {
                    printf("  ");
                    cli_put_safe(stdout, pos[1]);
                    printf(" = ");
                    cli_put_safe(stdout, json_string_value(v));
                    printf("\n");
                }
            }
            if (d->n == 0)
                printf("no profiles in %s\n", path);
        }
        json_decref(all);
        rc = 0;
    } else if (strcmp(pos[0], "get") == 0 && npos == 2) {
        const char *v = doc_get(d, name, pos[1]);
        if (!known_key(pos[1]))
            rc = cli_usage_error(ctx, "config",
                                 "unknown key '%s': use base_url, api_key, output "
                                 "or secret_command",
                                 pos[1]);
        else if (!v)
            rc = (fprintf(stderr, "%s: config get: profile '%s' has no %s\n", ctx->prog, name,
                          pos[1]),
                  CLI_EXIT_NOT_FOUND);
        else {
            cli_put_safe(stdout, v);
            fputc('\n', stdout);
            rc = 0;
        }
    } else if (strcmp(pos[0], "set") == 0 && npos == 3) {
        if (strcmp(pos[1], "api_secret") == 0) {
            rc = cli_usage_error(ctx, "config",
                                 "the secret is never set from the command line (ps, shell "
                                 "history): put 'api_secret = ...' under [%s] in %s/credentials "
                                 "(mode 0600), or set secret_command",
                                 name, "$XDG_CONFIG_HOME/fivetrex");
        } else if (!known_key(pos[1])) {
            rc = cli_usage_error(ctx, "config",
                                 "unknown key '%s': use base_url, api_key, output "
                                 "or secret_command",
                                 pos[1]);
        } else if (strcmp(pos[1], "output") == 0 && strcmp(pos[2], "json") != 0 &&
                   strcmp(pos[2], "table") != 0) {
            rc = cli_usage_error(ctx, "config", "output is table or json");
        } else if (strlen(name) >= sizeof(d->e[0].section) || strpbrk(name, "[]\n\r") ||
                   strpbrk(pos[2], "\n\r")) {
            rc = cli_usage_error(ctx, "config",
                                 "a profile name or value cannot hold newlines "
                                 "or brackets");
        } else {
            size_t i;
            int found = 0;
            for (i = 0; i < d->n; i++) {
                if (strcmp(d->e[i].section, name) == 0 && strcmp(d->e[i].key, pos[1]) == 0) {
                    free(d->e[i].value);
                    d->e[i].value = found ? NULL : strdup(pos[2]);
                    found = 1;
                }
            }
            if (!found)
                on_entry(d, name, pos[1], pos[2]);
            rc = write_doc(ctx, path, d);
            if (rc == 0 && ctx->stderr_tty)
                fprintf(stderr, "Set %s of profile '%s' in %s\n", pos[1], name, path);
        }
    } else {
        rc = cli_usage_error(ctx, "config",
                             "use: config list | config get KEY | config set KEY "
                             "VALUE");
    }
    doc_free(d);
    free(d);
    return rc;
}

/* ---- fivetrex auth status ---- */

static const char auth_help[] =
    "Usage: fivetrex auth status [--profile NAME]\n"
    "\n"
    "Check the credentials against GET /account/info and print the account, the API\n"
    "key (masked), the profile and where the secret came from; never the secret.\n"
    "Exit status 4 when the API refuses them.\n";

int cmd_auth(cli_ctx *ctx, int argc, char **argv)
{
    const char *verb = NULL;
    json_t *out = NULL;
    ftx_error err = {0};
    char masked[64];
    const char *key;
    const json_t *data;
    int rc;

    ctx->cmd = "auth";
    ctx->verb_kind = CLI_VERB_READ;
    ctx->verb_kind_set = 1;
    if ((rc = cli_check_flags(ctx)) != 0)
        return rc;
    rc = cli_simple_args(ctx, argc + 1, argv - 1, auth_help, 1, &verb);
    if (rc)
        return rc < 0 ? 0 : rc;
    if (strcmp(verb, "status") != 0)
        return cli_usage_error(ctx, "auth", "unknown command '%s'; use 'auth status'", verb);
    ctx->cmd = "auth status";
    if ((rc = cli_client(ctx)) != 0)
        return rc;
    rc = ftx_request(ctx->client, "GET", "/account/info", NULL, NULL, &out, &err);
    if (rc != FTX_OK)
        return cli_fail(ctx, rc, &err, "auth status");
    data = json_object_get(out, "data");
    key = ctx->api_key ? ctx->api_key : getenv("FIVETRAN_API_KEY");
    if (key && strlen(key) > 4)
        snprintf(masked, sizeof(masked), "%.4s%s", key, "****");
    else
        snprintf(masked, sizeof(masked), "****");
    if (ctx->format == CLI_FORMAT_JSON) {
        json_t *j = json_pack("{s:b, s:O?, s:O?, s:s, s:s?, s:s}", "ok", 1, "account_id",
                              json_object_get(data, "account_id"), "account_name",
                              json_object_get(data, "account_name"), "api_key", masked, "profile",
                              ctx->profile_used[0] ? ctx->profile_used : NULL, "secret_source",
                              ctx->secret_source[0] ? ctx->secret_source : "unknown");
        cli_json_doc(j);
        json_decref(j);
    } else {
        cli_kv(ctx, "account_id", cli_json_str(data, "account_id"));
        cli_kv(ctx, "account_name", cli_json_str(data, "account_name"));
        cli_kv(ctx, "api_key", masked);
        cli_kv(ctx, "profile", ctx->profile_used[0] ? ctx->profile_used : NULL);
        cli_kv(ctx, "secret_source", ctx->secret_source[0] ? ctx->secret_source : "unknown");
        fflush(stdout);
    }
    json_decref(out);
    return 0;
}
