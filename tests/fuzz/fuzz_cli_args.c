/*
 * Fuzz target: the fivetrex command line -- global and per-verb option parsing, flag
 * values, and --data (inline JSON, @FILE and '-' for stdin) -- by running the CLI's own
 * main() (cli/main.c compiled in with main renamed to fivetrex_cli_main) on fuzzed argv.
 *
 * Input (text, so the seed corpus stays readable):
 *   one argv word per line (after the implied "fivetrex"), up to a line "%%";
 *   the rest is the content of the data file, which is also the process's stdin.
 *
 * Kept offline and side-effect free: FIVETRAN_API_KEY/SECRET/BASE_URL are unset and any
 * --api-key or --base-url word is dropped, so no client can be made and nothing is sent;
 * every @FILE and every --*-file value names the target's own data file (or, for an
 * option with "secret" in its name, its secret file); "listen" (a server) and
 * "--version" (exit) are dropped. stdout and stderr go to a capture file
 * (FTX_FUZZ_CLI_SHOW=1 shows them instead, to debug an input).
 *
 * Invariants: main returns a documented exit status (0..13) and leaks nothing; the
 * secret file's content never appears in stdout or stderr.
 */
#define _GNU_SOURCE /* memmem */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int fivetrex_cli_main(int argc, char **argv);

#define MAX_WORDS 48
#define SECRET    "FtxFuzzSecretValue-7Qz"

static char data_path[64], secret_path[64], capture_path[64];
static int data_fd = -1, capture_fd = -1, saved_out = -1, saved_err = -1, show;

static void cleanup(void)
{
    unlink(data_path);
    unlink(secret_path);
    unlink(capture_path);
}

static void make_file(char *path, size_t size, const char *what, int *fd_out)
{
    int fd;

    snprintf(path, size, "/tmp/ftx-fuzz-cli-%s-XXXXXX", what);
    fd = mkstemp(path);
    if (fd < 0)
        abort();
    if (fd_out)
        *fd_out = fd;
    else
        close(fd);
}

static void init(void)
{
    FILE *f;

    unsetenv("FIVETRAN_API_KEY");
    unsetenv("FIVETRAN_API_SECRET");
    unsetenv("FIVETRAN_WEBHOOK_SECRET");
    /* belt and braces: were a client ever made, it would only meet a closed port */
    setenv("FIVETRAN_BASE_URL", "http://127.0.0.1:9/v1", 1);
    setenv("NO_COLOR", "1", 1);
    show = getenv("FTX_FUZZ_CLI_SHOW") != NULL;
    make_file(data_path, sizeof(data_path), "data", &data_fd);
    make_file(secret_path, sizeof(secret_path), "secret", NULL);
    make_file(capture_path, sizeof(capture_path), "out", &capture_fd);
    atexit(cleanup);
    f = fopen(secret_path, "w");
    if (f == NULL || fputs(SECRET "\n", f) < 0 || fclose(f) != 0)
        abort();
    saved_out = dup(1);
    saved_err = dup(2);
    if (saved_out < 0 || saved_err < 0)
        abort();
}

/* The word as it may be run here (malloc'd), or NULL to drop it. `*file_next` is set
 * when the word is an option whose value (the next word) names a file. */
static char *sanitise(const char *w, int *file_next)
{
    const char *eq = strchr(w, '=');
    size_t name_len = eq ? (size_t)(eq - w) : strlen(w);
    int is_long = w[0] == '-' && w[1] == '-' && w[2] != '\0';
    char *out;

    if (*file_next) {
        int secret = *file_next == 2;
        *file_next = 0;
        return strdup(secret ? secret_path : data_path);
    }
    if (strcmp(w, "listen") == 0 || strcmp(w, "--version") == 0)
        return NULL;
    if (is_long && (strncmp(w, "--api-key", 9) == 0 || strncmp(w, "--base-url", 10) == 0))
        return NULL;
    if (w[0] == '@') {
        size_t n = strlen(data_path) + 2;
        out = malloc(n);
        if (out)
            snprintf(out, n, "@%s", data_path);
        return out;
    }
    if (is_long && name_len > 5 && strncmp(w + name_len - 5, "-file", 5) == 0) {
        int secret = memmem(w, name_len, "secret", 6) != NULL;
        const char *path = secret ? secret_path : data_path;
        if (!eq) {
            *file_next = secret ? 2 : 1;
            return strdup(w);
        }
        size_t n = name_len + strlen(path) + 2;
        out = malloc(n);
        if (out)
            snprintf(out, n, "%.*s=%s", (int)name_len, w, path);
        return out;
    }
    if (is_long && eq && eq[1] == '@') { /* --data=@FILE */
        size_t n = name_len + strlen(data_path) + 3;
        out = malloc(n);
        if (out)
            snprintf(out, n, "%.*s=@%s", (int)name_len, w, data_path);
        return out;
    }
    return strdup(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int once;
    char *argv[MAX_WORDS + 2];
    int argc = 0, file_next = 0, rc, mentions_secret = 0;
    const uint8_t *p = data, *end = data + size, *body = end;
    if (!once) {
        once = 1;
        init();
    }
    argv[argc++] = strdup("fivetrex");
    while (p < end && argc < MAX_WORDS) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        const uint8_t *we = nl ? nl : end;
        char *w = strndup((const char *)p, (size_t)(we - p)), *s;
        p = nl ? nl + 1 : end;
        if (w == NULL)
            abort();
        if (strcmp(w, "%%") == 0) {
            free(w);
            body = p;
            break;
        }
        if (strstr(w, "FtxFuzzSecret"))
            mentions_secret = 1; /* the input typed it itself */
        s = sanitise(w, &file_next);
        free(w);
        if (s != NULL)
            argv[argc++] = s;
    }
    argv[argc] = NULL;
    if (memmem(body, (size_t)(end - body), "FtxFuzzSecret", 13))
        mentions_secret = 1;

    /* rewritten in place: open+truncate+close of a file costs milliseconds on ext4 */
    if ((end > body && pwrite(data_fd, body, (size_t)(end - body), 0) != end - body) ||
        ftruncate(data_fd, (off_t)(end - body)) != 0)
        abort();
    if (freopen(data_path, "rb", stdin) == NULL)
        abort();

    fflush(stdout);
    fflush(stderr);
    if (!show) {
        if (ftruncate(capture_fd, 0) != 0 || lseek(capture_fd, 0, SEEK_SET) != 0 ||
            dup2(capture_fd, 1) < 0 || dup2(capture_fd, 2) < 0)
            abort();
    }
    {
        char *args[MAX_WORDS + 2];
        memcpy(args, argv, sizeof(args)); /* main may permute or keep pointers */
        rc = fivetrex_cli_main(argc, args);
    }
#ifdef __linux__
    /* The CLI may make its process non-dumpable (secrets out of core dumps); that also
     * stops LeakSanitizer from inspecting this one, so undo it for the next input. */
    (void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
#endif
    fflush(stdout);
    fflush(stderr);
    if (!show) {
        char buf[65536];
        ssize_t n;
        off_t off = 0;
        if (dup2(saved_out, 1) < 0 || dup2(saved_err, 2) < 0)
            abort();
        while (!mentions_secret && (n = pread(capture_fd, buf, sizeof(buf), off)) > 0) {
            if (memmem(buf, (size_t)n, "FtxFuzzSecret", 13)) {
                fprintf(stderr, "fuzz_cli_args: the secret file's content reached the output\n");
                abort();
            }
            off += n > 64 ? n - 64 : n; /* overlap: a match across two reads */
            if (n < (ssize_t)sizeof(buf))
                break;
        }
    }
    if (rc < 0 || rc > 13) {
        fprintf(stderr, "fuzz_cli_args: exit status %d is not documented\n", rc);
        abort();
    }
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    return 0;
}
