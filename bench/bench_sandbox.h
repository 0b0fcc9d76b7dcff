/*
 * Start fivetrex-sandbox as a child process for a benchmark and read its base URL (the
 * first line of its standard output). Header-only, shared by the benchmarks.
 *
 * The binary is the one given, else $FTX_SANDBOX, else ../sandbox/fivetrex-sandbox
 * next to this executable's directory (the build tree layout).
 */
#ifndef FTX_BENCH_SANDBOX_H
#define FTX_BENCH_SANDBOX_H

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

typedef struct bench_sandbox {
    pid_t pid;
    char url[128];
} bench_sandbox;

/* The sandbox binary path into `out`. */
static void bsb_default_path(char *out, size_t cap, const char *given)
{
    const char *env = getenv("FTX_SANDBOX");
    char self[4096];
    ssize_t n;
    char *slash;

    if (given != NULL && *given != '\0') {
        (void)snprintf(out, cap, "%s", given);
        return;
    }
    if (env != NULL && *env != '\0') {
        (void)snprintf(out, cap, "%s", env);
        return;
    }
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) {
        (void)snprintf(out, cap, "fivetrex-sandbox");
        return;
    }
    self[n] = '\0';
    slash = strrchr(self, '/');
    if (slash != NULL)
        *slash = '\0';
    (void)snprintf(out, cap, "%s/../sandbox/fivetrex-sandbox", self);
}

/*
 * Start `path` with `args` (NULL-terminated, without argv[0] and --port). Returns 0 and
 * fills `sb`, or -1 (message on stderr).
 */
static int bench_sandbox_start(bench_sandbox *sb, const char *path, const char *const *args)
{
    const char *argv[32];
    int fds[2], i = 0, k;
    posix_spawn_file_actions_t fa;
    FILE *f;

    memset(sb, 0, sizeof(*sb));
    argv[i++] = path;
    argv[i++] = "--port";
    argv[i++] = "0";
    for (k = 0; args != NULL && args[k] != NULL && i < 31; k++)
        argv[i++] = args[k];
    argv[i] = NULL;
    if (pipe(fds) != 0)
        return -1;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    k = posix_spawn(&sb->pid, path, &fa, NULL, (char *const *)(uintptr_t)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    if (k != 0) {
        fprintf(stderr, "cannot start %s: %s (pass --sandbox PATH or set FTX_SANDBOX)\n", path,
                strerror(k));
        close(fds[0]);
        return -1;
    }
    f = fdopen(fds[0], "r");
    if (f == NULL || fgets(sb->url, sizeof(sb->url), f) == NULL) {
        fprintf(stderr, "%s printed no base URL\n", path);
        if (f != NULL)
            fclose(f);
        else
            close(fds[0]);
        kill(sb->pid, SIGTERM);
        waitpid(sb->pid, NULL, 0);
        return -1;
    }
    fclose(f);
    sb->url[strcspn(sb->url, "\r\n")] = '\0';
    return 0;
}

static void bench_sandbox_stop(bench_sandbox *sb)
{
    if (sb->pid > 0) {
        kill(sb->pid, SIGTERM);
        while (waitpid(sb->pid, NULL, 0) < 0 && errno == EINTR)
            ;
        sb->pid = 0;
    }
}

#endif
