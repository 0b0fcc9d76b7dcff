/* Start/stop fivetrex-sandbox as a child process; see sandbox_harness.h. */
#include "sandbox_harness.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#ifndef FTX_SANDBOX_BIN
#define FTX_SANDBOX_BIN "fivetrex-sandbox"
#endif

struct sandbox_proc {
    pid_t pid;
    char url[128];
    char origin[128];
};

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* fork and exec the sandbox with --port 0 and extra_args, its descriptor `to` (stdout or
 * stderr) on a pipe whose read end goes to *from; the child never sees the caller's sandbox
 * credentials (they come from the arguments only). The child's pid, or -1. */
static pid_t spawn(const char *const *extra_args, int to, int *from)
{
    const char *bin = getenv("FTX_SANDBOX_BIN");
    if (!bin || !*bin)
        bin = FTX_SANDBOX_BIN;
    size_t n = 0;
    while (extra_args && extra_args[n])
        n++;
    const char **argv = calloc(n + 4, sizeof(*argv));
    int fds[2];
    if (!argv || pipe(fds) != 0) {
        free(argv);
        return -1;
    }
    argv[0] = bin;
    argv[1] = "--port";
    argv[2] = "0";
    for (size_t i = 0; i < n; i++)
        argv[3 + i] = extra_args[i];
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], to);
        unsetenv("FIVETREX_SANDBOX_API_KEY");
        unsetenv("FIVETREX_SANDBOX_API_SECRET");
        close(fds[0]);
        close(fds[1]);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    free(argv);
    close(fds[1]);
    if (pid < 0)
        close(fds[0]);
    else
        *from = fds[0];
    return pid;
}

sandbox_proc *sandbox_start(const char *const *extra_args)
{
    int fds[2];
    pid_t pid = spawn(extra_args, STDOUT_FILENO, &fds[0]);
    if (pid < 0)
        return NULL;
    sandbox_proc *sb = calloc(1, sizeof(*sb));
    if (!sb) {
        close(fds[0]);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return NULL;
    }
    sb->pid = pid;
    /* read the first line (the base URL), waiting up to 15 s */
    char line[128];
    size_t len = 0;
    int ok = 0;
    for (int waited = 0; waited < 15000 && len < sizeof(line) - 1;) {
        struct pollfd p = {fds[0], POLLIN, 0};
        int r = poll(&p, 1, 100);
        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0) {
            waited += 100;
            continue;
        }
        ssize_t got = read(fds[0], line + len, 1);
        if (got <= 0)
            break;
        if (line[len] == '\n') {
            ok = 1;
            break;
        }
        len++;
    }
    close(fds[0]);
    line[len] = '\0';
    if (!ok || (strncmp(line, "http://", 7) != 0 && strncmp(line, "https://", 8) != 0)) {
        fprintf(stderr, "sandbox_start: the sandbox did not print its URL\n");
        sandbox_stop(sb);
        return NULL;
    }
    snprintf(sb->url, sizeof(sb->url), "%s", line);
    snprintf(sb->origin, sizeof(sb->origin), "%s", line);
    char *v1 = strstr(sb->origin, "/v1");
    if (v1)
        *v1 = '\0';
    return sb;
}

const char *sandbox_url(const sandbox_proc *sb)
{
    return sb ? sb->url : NULL;
}

const char *sandbox_origin(const sandbox_proc *sb)
{
    return sb ? sb->origin : NULL;
}

int sandbox_pid(const sandbox_proc *sb)
{
    return sb ? (int)sb->pid : -1;
}

int sandbox_stop(sandbox_proc *sb)
{
    if (!sb)
        return 0;
    int status = 0, rc = -1;
    kill(sb->pid, SIGTERM);
    for (int i = 0; i < 1000; i++) {
        pid_t w = waitpid(sb->pid, &status, WNOHANG);
        if (w == sb->pid) {
            rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
            free(sb);
            return rc;
        }
        if (w < 0)
            break;
        sleep_ms(10);
    }
    kill(sb->pid, SIGKILL);
    waitpid(sb->pid, &status, 0);
    free(sb);
    return -1;
}

int sandbox_run(const char *const *extra_args, char **err_out)
{
    if (err_out)
        *err_out = NULL;
    int fds[2];
    pid_t pid = spawn(extra_args, STDERR_FILENO, &fds[0]);
    if (pid < 0)
        return -1;
    char *err = calloc(1, 1);
    size_t len = 0;
    int status = 0, done = 0;
    for (int waited = 0; waited < 10000;) {
        struct pollfd p = {fds[0], POLLIN, 0};
        int r = poll(&p, 1, 50);
        if (r > 0) {
            char chunk[1024];
            ssize_t got = read(fds[0], chunk, sizeof(chunk));
            if (got > 0) {
                char *ne = err ? realloc(err, len + (size_t)got + 1) : NULL;
                if (ne) {
                    memcpy(ne + len, chunk, (size_t)got);
                    len += (size_t)got;
                    ne[len] = '\0';
                    err = ne;
                }
                continue;
            }
        } else if (r == 0) {
            waited += 50;
        }
        if (waitpid(pid, &status, WNOHANG) == pid) {
            done = 1;
            break;
        }
        if (r != 0) { /* end of file (the child closed stderr) or an error */
            sleep_ms(5);
            waited += 5;
        }
    }
    close(fds[0]);
    if (!done) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    if (err_out)
        *err_out = err;
    else
        free(err);
    return done && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

typedef struct buf {
    char *p;
    size_t len;
} buf;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
    buf *b = ud;
    size_t n = size * nmemb;
    char *np = realloc(b->p, b->len + n + 1);
    if (!np)
        return 0;
    memcpy(np + b->len, ptr, n);
    b->p = np;
    b->len += n;
    b->p[b->len] = '\0';
    return n;
}

int sandbox_request(const char *base_url, const char *method, const char *path, const char *body,
                    const char *userpwd, long *status, char **resp)
{
    *status = 0;
    if (resp)
        *resp = NULL;
    CURL *h = curl_easy_init();
    if (!h)
        return -1;
    size_t ul = strlen(base_url) + strlen(path) + 1;
    char *url = malloc(ul);
    if (!url) {
        curl_easy_cleanup(h);
        return -1;
    }
    snprintf(url, ul, "%s%s", base_url, path);
    buf b = {NULL, 0};
    struct curl_slist *hdrs = curl_slist_append(NULL, "Accept: application/json");
    if (body)
        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    if (!userpwd)
        userpwd = SANDBOX_DEFAULT_USERPWD;
    if (*userpwd) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERPWD, userpwd);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    free(url);
    if (rc != CURLE_OK) {
        free(b.p);
        return -1;
    }
    if (resp)
        *resp = b.p ? b.p : calloc(1, 1);
    else
        free(b.p);
    return 0;
}
