/*
 * Throwaway TLS material for tests, generated in memory with OpenSSL's C API each time
 * a test runs (nothing is committed): a CA and a server key and certificate it signs.
 *
 *   th_tls t;
 *   th_tls_make(&t, "DNS:localhost,IP:127.0.0.1");
 *   mock_server *ms = mock_server_start_tls(t.key_pem, t.cert_pem);
 *   ... client with ca_file = a file holding t.ca_pem ...
 *   th_tls_free(&t);
 */
#ifndef FTX_TEST_TLS_MATERIAL_H
#define FTX_TEST_TLS_MATERIAL_H

typedef struct th_tls {
    char *ca_pem;     /* the CA certificate (PEM) */
    char *key_pem;    /* the server's private key (PEM, PKCS#8, P-256) */
    char *cert_pem;   /* the server certificate, signed by the CA, valid for a day */
    char ca_hash[16]; /* "<subject hash>.0": the CA's file name in a CApath directory */
} th_tls;

/* Make a fresh CA and server certificate whose subjectAltName is `san` (OpenSSL
 * syntax, e.g. "DNS:localhost,IP:127.0.0.1"). 0 on success, -1 on failure. */
int th_tls_make(th_tls *out, const char *san);
void th_tls_free(th_tls *t);

/* Write `text` to a new file `dir`/`name` (0 or -1). */
int th_write_file(const char *dir, const char *name, const char *text);

#endif
