/*
 * fivetrex-sandbox: what main.c needs around the server — where the credentials come from
 * (command line, a secret file, the environment), the TLS certificate and key, and the
 * --verbose request log. The API secret never reaches a log line or an error message.
 */
#include "sandbox.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

/* The first line of path without its line ending; NULL with a message in err. */
static char *read_secret_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot read --api-secret-file %s: %s", path, strerror(errno));
        return NULL;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, f);
    int read_err = ferror(f);
    fclose(f);
    if (n < 0 && read_err) {
        free(line);
        snprintf(err, errlen, "cannot read --api-secret-file %s", path);
        return NULL;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if (n <= 0) {
        free(line);
        snprintf(err, errlen, "--api-secret-file %s: the first line is empty", path);
        return NULL;
    }
    return line;
}

static const char *env_value(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

int sbx_access_credentials(sbx_config *cfg, char **owned_secret, char *err, size_t errlen)
{
    *owned_secret = NULL;
    if (!cfg->api_key)
        cfg->api_key = env_value("FIVETREX_SANDBOX_API_KEY");
    if (!cfg->api_secret && cfg->api_secret_file) {
        *owned_secret = read_secret_file(cfg->api_secret_file, err, errlen);
        if (!*owned_secret)
            return -1;
        cfg->api_secret = *owned_secret;
    }
    if (!cfg->api_secret)
        cfg->api_secret = env_value("FIVETREX_SANDBOX_API_SECRET");
    if (!cfg->api_key != !cfg->api_secret) {
        snprintf(err, errlen,
                 cfg->api_key ? "an API key needs an API secret (--api-secret, "
                                "--api-secret-file or FIVETREX_SANDBOX_API_SECRET)"
                              : "an API secret needs an API key (--api-key or "
                                "FIVETREX_SANDBOX_API_KEY)");
        return -1;
    }
    return 0;
}

static char *read_pem(const char *flag, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot read %s %s: %s", flag, path, strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            size_t nc = cap ? cap * 2 : 8192;
            char *nb = nc <= 4 * 1024 * 1024 ? realloc(buf, nc) : NULL;
            if (!nb) {
                free(buf);
                fclose(f);
                snprintf(err, errlen, "%s %s: too large", flag, path);
                return NULL;
            }
            buf = nb;
            cap = nc;
        }
        size_t got = fread(buf + len, 1, 4096, f);
        len += got;
        if (got < 4096)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        snprintf(err, errlen, "cannot read %s %s", flag, path);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

int sbx_access_tls_load(const sbx_config *cfg, char **cert_pem, char **key_pem, char *err,
                        size_t errlen)
{
    *cert_pem = *key_pem = NULL;
    char *cert = read_pem("--tls-cert", cfg->tls_cert, err, errlen);
    char *key = cert ? read_pem("--tls-key", cfg->tls_key, err, errlen) : NULL;
    if (!key) {
        free(cert);
        return -1;
    }
    /* check here, so that a bad file is named instead of a bare "cannot listen" */
    BIO *cb = BIO_new_mem_buf(cert, -1);
    BIO *kb = BIO_new_mem_buf(key, -1);
    X509 *x = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
    EVP_PKEY *pk = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, (void *)"") : NULL;
    int rc = 0;
    if (!x) {
        snprintf(err, errlen, "--tls-cert %s: no PEM certificate", cfg->tls_cert);
        rc = -1;
    } else if (!pk) {
        snprintf(err, errlen, "--tls-key %s: no unencrypted PEM private key", cfg->tls_key);
        rc = -1;
    } else if (X509_check_private_key(x, pk) != 1) {
        snprintf(err, errlen, "--tls-key %s does not match the certificate of --tls-cert %s",
                 cfg->tls_key, cfg->tls_cert);
        rc = -1;
    }
    X509_free(x);
    EVP_PKEY_free(pk);
    BIO_free(cb);
    BIO_free(kb);
    if (rc != 0) {
        free(cert);
        free(key);
        return -1;
    }
    *cert_pem = cert;
    *key_pem = key;
    return 0;
}

/* s with bytes outside printable ASCII shown as '?': a log line stays one line */
static void put_clean(FILE *f, const char *s)
{
    for (; s && *s; s++)
        fputc((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f ? *s : '?', f);
}

void sbx_access_log(unsigned long long n, const char *method, const char *path, const char *query,
                    int status, long long elapsed_ms, long latency_ms, const char *fault,
                    const char *note)
{
    flockfile(stderr);
    fprintf(stderr, "fivetrex-sandbox: #%llu ", n);
    put_clean(stderr, method);
    fputc(' ', stderr);
    put_clean(stderr, path);
    if (query && *query) {
        fputc('?', stderr);
        put_clean(stderr, query);
    }
    if (status > 0)
        fprintf(stderr, " -> %d (%lld ms", status, elapsed_ms);
    else
        fprintf(stderr, " -> no answer (%lld ms", elapsed_ms);
    if (latency_ms > 0 || fault) {
        fputs("; fault: ", stderr);
        if (latency_ms > 0)
            fprintf(stderr, "latency %ld ms%s", latency_ms, fault ? ", " : "");
        if (fault)
            fputs(fault, stderr);
    }
    if (note)
        fprintf(stderr, "; %s", note);
    fputs(")\n", stderr);
    funlockfile(stderr);
}

void sbx_access_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    flockfile(stderr);
    fputs("fivetrex-sandbox: libmicrohttpd: ", stderr);
    put_clean(stderr, msg);
    fputc('\n', stderr);
    funlockfile(stderr);
}
