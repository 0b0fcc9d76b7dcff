/*
 * libFuzzer target: the embedded webhook receiver's request handling, end to end over a
 * real socket on 127.0.0.1 (libmicrohttpd parses, receiver.c decides).
 *
 * Input: the raw bytes a client sends on one connection (one request, several pipelined,
 * or garbage). So that valid deliveries are reachable, every "@SIG@" before the first
 * blank line is replaced with the signature of the bytes after it (the body).
 *
 * One receiver serves every input (one thread, small limits: 4 KiB bodies, an 8 KiB
 * body budget, 8 remembered events, a 4 ms whole-request deadline), so the 413, 503,
 * duplicate and deadline paths are reached. The harness reads until the first complete
 * answer (interim 1xx skipped) or until the receiver closes; an input that leaves a
 * request unfinished is closed by the deadline. (It does not half-close: libmicrohttpd
 * 0.9.75 drops a buffered request when it reads the end of stream.) Checked: the
 * answer starts with a well-formed status line; the receiver answers or closes within
 * 5 s; the callback never runs for an input without "@SIG@" (no signature bypass); no
 * crash or leak.
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <stdatomic.h>

#include "fivetrex/fivetrex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SECRET       "fuzz_receiver_secret"
#define PLACEHOLD    "@SIG@"
#define WAIT_MS      5000
#define RESPONSE_MAX 65536

static ftx_webhook_server *server;
static atomic_ulong callbacks;

static int on_event(const ftx_webhook_event *ev, void *userdata)
{
    (void)userdata;
    atomic_fetch_add(&callbacks, 1);
    /* "refuse" in the sync id answers 500, so the forget path is reached too */
    return ev->sync_id != NULL && strstr(ev->sync_id, "refuse") != NULL;
}

static void stop_server(void)
{
    ftx_webhook_server_free(server);
    server = NULL;
}

static void start_server(void)
{
    ftx_webhook_server_options o = FTX_WEBHOOK_SERVER_OPTIONS_INIT;
    ftx_error err = {0};
    char sig[FTX_WEBHOOK_SIGNATURE_BUFSIZE];

    /* OpenSSL first: its exit handler must run after stop_server (registered later) */
    if (ftx_webhook_signature_compute("", 0, SECRET, sig, &err) != FTX_OK)
        abort();
    o.secret = SECRET;
    o.on_event = on_event;
    o.threads = 1;
    o.max_body = 4096;
    o.max_body_memory = 8192;
    o.dedup_capacity = 8;
    o.request_timeout_ms = 4;
    if (ftx_webhook_server_start(&o, &server, &err) != FTX_OK) {
        fprintf(stderr, "fuzz_webhook_receiver: cannot start: %s\n", err.message);
        abort();
    }
    atexit(stop_server);
}

static const uint8_t *find(const uint8_t *p, size_t n, const char *needle)
{
    size_t k = strlen(needle);

    for (size_t i = 0; k <= n && i <= n - k; i++)
        if (memcmp(p + i, needle, k) == 0)
            return p + i;
    return NULL;
}

/* The input with each "@SIG@" in the head replaced by the body's signature. */
static uint8_t *with_signatures(const uint8_t *data, size_t size, size_t *out_len, int *signed_)
{
    const uint8_t *blank = find(data, size, "\r\n\r\n");
    size_t head = blank ? (size_t)(blank - data) : size;
    const uint8_t *body = blank ? blank + 4 : data + size;
    size_t blen = (size_t)(data + size - body), n = 0;
    char sig[FTX_WEBHOOK_SIGNATURE_BUFSIZE];
    uint8_t *out = malloc(size + 64 * (size / 5 + 1) + 1);
    ftx_error err = {0};

    if (out == NULL)
        abort();
    *signed_ = 0;
    if (ftx_webhook_signature_compute(body, blen, SECRET, sig, &err) != FTX_OK)
        abort();
    for (size_t i = 0; i < size;) {
        if (i + 5 <= head && memcmp(data + i, PLACEHOLD, 5) == 0) {
            memcpy(out + n, sig, FTX_WEBHOOK_SIGNATURE_HEX_LEN);
            n += FTX_WEBHOOK_SIGNATURE_HEX_LEN;
            i += 5;
            *signed_ = 1;
        } else {
            out[n++] = data[i++];
        }
    }
    *out_len = n;
    return out;
}

/* Length of the first complete final answer in buf[0..len), 0 when not complete yet. */
static size_t answer_complete(const char *buf, size_t len)
{
    size_t off = 0;

    for (;;) {
        const uint8_t *end = find((const uint8_t *)buf + off, len - off, "\r\n\r\n");
        size_t head, cl = 0;
        const char *h;

        if (end == NULL)
            return 0;
        head = (size_t)((const char *)end - buf) + 4;
        if (len - off >= 10 && buf[off + 9] == '1') { /* 1xx: interim, look further */
            off = head;
            continue;
        }
        for (h = buf + off; h < buf + head; h++) {
            if ((*h == 'C' || *h == 'c') && (size_t)(buf + head - h) > 16 &&
                strncasecmp(h, "Content-Length:", 15) == 0) {
                cl = (size_t)strtoul(h + 15, NULL, 10);
                break;
            }
        }
        return len >= head + cl ? head + cl : 0;
    }
}

static long elapsed_ms(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* The first response in `buf` starts "HTTP/1.x NNN " with NNN in 100..599. */
static void check_status_lines(const char *buf, size_t len)
{
    if (len == 0)
        return; /* closed without an answer (e.g. garbage before any request line) */
    if (len < 13 || strncmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ' || buf[12] != ' ') {
        fprintf(stderr, "fuzz_webhook_receiver: malformed answer: %.60s\n", buf);
        abort();
    }
    {
        int code = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
        if (code < 100 || code > 599)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char resp[RESPONSE_MAX + 1], scratch[4096];
    struct sockaddr_in a;
    struct timeval tv = {WAIT_MS / 1000, 0};
    struct timespec t0;
    unsigned long before;
    size_t len, sent = 0, got = 0;
    int fd, signed_;
    uint8_t *req;

    if (server == NULL)
        start_server();
    req = with_signatures(data, size, &len, &signed_);
    before = atomic_load(&callbacks);

    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        abort();
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons(ftx_webhook_server_port(server));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    /* libFuzzer's timeout alarm (SIGALRM) interrupts system calls: EINTR is retried */
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        struct pollfd p = {fd, POLLOUT, 0};
        int e = 0;
        socklen_t el = sizeof(e);

        if (errno != EINTR)
            abort();
        while (poll(&p, 1, WAIT_MS) < 0 && errno == EINTR)
            ;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0 || e != 0)
            abort();
    }
    while (sent < len) {
        ssize_t k = send(fd, req + sent, len - sent, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break; /* the receiver closed early (413, garbage): read what it said */
        sent += (size_t)k;
    }

    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        long left = WAIT_MS - elapsed_ms(&t0);
        ssize_t k;
        int ready = left > 0 ? poll(&p, 1, (int)left) : 0;

        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0) {
            fprintf(stderr, "fuzz_webhook_receiver: no close within %d ms\n", WAIT_MS);
            abort();
        }
        if (got < RESPONSE_MAX)
            k = recv(fd, resp + got, RESPONSE_MAX - got, 0);
        else
            k = recv(fd, scratch, sizeof(scratch), 0); /* keep the start, drain the rest */
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break; /* closed (or reset after an early answer) */
        if (got < RESPONSE_MAX)
            got += (size_t)k;
        if (answer_complete(resp, got) > 0)
            break;
    }
    resp[got] = '\0';
    close(fd);
    check_status_lines(resp, got);
    if (!signed_ && atomic_load(&callbacks) != before) {
        fprintf(stderr, "fuzz_webhook_receiver: callback ran for an unsigned input\n");
        abort();
    }
    free(req);
    return 0;
}
