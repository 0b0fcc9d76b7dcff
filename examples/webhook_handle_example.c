/*
 * ftx_webhook_handle() from any HTTP server: here a minimal plain-socket one that
 * answers ONE request on 127.0.0.1:PORT and exits.
 *
 *   FIVETRAN_WEBHOOK_SECRET=... ./webhook_handle_example 8080
 *
 * The part that matters is handle_request(): raw body + signature header + secret in,
 * status + JSON answer + parsed event out. (For a ready-made receiver with threads,
 * limits and duplicate suppression, use ftx_webhook_server_start() instead.)
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fivetrex/fivetrex.h>

/* The whole integration: verify, parse, act, answer. */
static int handle_request(const char *body, size_t len, const char *signature, const char *secret,
                          const char **answer)
{
    ftx_webhook_handle_options opts = FTX_WEBHOOK_HANDLE_OPTIONS_INIT;
    ftx_webhook_event *event = NULL;
    ftx_error err = {0};
    int status;

    opts.secret = secret;
    status = ftx_webhook_handle(body, len, signature, &opts, &event, &err);
    if (status == 200) {
        printf("%s for connector %s (sync %s)%s\n", event->event ? event->event : "?",
               event->connector_id ? event->connector_id : "-",
               event->sync_id ? event->sync_id : "-",
               ftx_webhook_event_failed(event) ? ": FAILED" : "");
        ftx_webhook_event_free(event);
    } else {
        fprintf(stderr, "refused with %d: %s\n", status, err.message);
    }
    *answer = ftx_webhook_response_body(status);
    return status;
}

/* Find "Name: value" in the header block (case-insensitive name); copy the value. */
static int header_value(const char *headers, const char *name, char *out, size_t size)
{
    size_t n = strlen(name);
    const char *p = headers;

    while ((p = strstr(p, "\r\n")) != NULL) {
        p += 2;
        if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *v = p + n + 1, *end = strstr(v, "\r\n");
            size_t k;
            while (*v == ' ')
                v++;
            k = end ? (size_t)(end - v) : strlen(v);
            if (k >= size)
                k = size - 1;
            memcpy(out, v, k);
            out[k] = '\0';
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *secret = getenv("FIVETRAN_WEBHOOK_SECRET");
    static char req[65536];
    char sig[128], clen[32], reply[512];
    const char *answer, *body;
    struct sockaddr_in addr;
    size_t got = 0, want;
    int one = 1, lfd, fd = -1, status;
    ssize_t n;
    long port;

    if (argc < 2 || secret == NULL) {
        fprintf(stderr, "usage: FIVETRAN_WEBHOOK_SECRET=... %s PORT\n", argv[0]);
        return 2;
    }
    port = strtol(argv[1], NULL, 10);
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    (void)setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(lfd, 1) != 0 ||
        (fd = accept(lfd, NULL, NULL)) < 0) {
        perror("listen");
        return 1;
    }

    /* Read the headers, then Content-Length bytes of body (bounded by the buffer). */
    while (got < sizeof(req) - 1 && (n = recv(fd, req + got, sizeof(req) - 1 - got, 0)) > 0) {
        got += (size_t)n;
        req[got] = '\0';
        if ((body = strstr(req, "\r\n\r\n")) != NULL) {
            want = header_value(req, "Content-Length", clen, sizeof(clen))
                       ? (size_t)strtoul(clen, NULL, 10)
                       : 0;
            if (got - (size_t)(body + 4 - req) >= want)
                break;
        }
    }
    req[got] = '\0';
    body = strstr(req, "\r\n\r\n");
    if (body == NULL) {
        close(fd);
        close(lfd);
        return 1;
    }
    body += 4;
    status = handle_request(
        body, got - (size_t)(body - req),
        header_value(req, ftx_webhook_signature_header(), sig, sizeof(sig)) ? sig : NULL, secret,
        &answer);

    (void)snprintf(reply, sizeof(reply),
                   "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                   "Connection: close\r\n\r\n%s",
                   status, status == 200 ? "OK" : "Refused", strlen(answer), answer);
    (void)send(fd, reply, strlen(reply), 0);
    close(fd);
    close(lfd);
    return status == 200 ? 0 : 1;
}
