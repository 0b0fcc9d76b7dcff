/* Throwaway TLS material: see tls_material.h. */
#include "tls_material.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static int add_ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    int ok;

    if (ext == NULL)
        return 0;
    ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

/* A certificate for `key` named `cn`, signed by `issuer`/`issuer_key` (self-signed
 * when NULL). */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
                       const char *san)
{
    X509 *x = X509_new();
    X509V3_CTX ctx;
    unsigned char serial[8];
    BIGNUM *bn = NULL;
    int ok;

    if (x == NULL)
        return NULL;
    ok = RAND_bytes(serial, (int)sizeof(serial)) == 1;
    serial[0] &= 0x7f;
    ok = ok && (bn = BN_bin2bn(serial, (int)sizeof(serial), NULL)) != NULL &&
         BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    BN_free(bn);
    ok = ok && X509_set_version(x, 2) == 1 &&
         X509_gmtime_adj(X509_getm_notBefore(x), -3600) != NULL &&
         X509_gmtime_adj(X509_getm_notAfter(x), 86400) != NULL && X509_set_pubkey(x, key) == 1 &&
         X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                                    (const unsigned char *)cn, -1, -1, 0) == 1 &&
         X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer)
                                                : X509_get_subject_name(x)) == 1;
    if (ok) {
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
        ok = add_ext(x, &ctx, NID_subject_key_identifier, "hash");
        if (issuer == NULL)
            ok = ok && add_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE") &&
                 add_ext(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
        else
            ok = ok && add_ext(x, &ctx, NID_basic_constraints, "CA:FALSE") &&
                 add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always") &&
                 add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature") &&
                 add_ext(x, &ctx, NID_ext_key_usage, "serverAuth") &&
                 add_ext(x, &ctx, NID_subject_alt_name, san);
        ok = ok && X509_sign(x, issuer_key != NULL ? issuer_key : key, EVP_sha256()) > 0;
    }
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static char *bio_text(BIO *b)
{
    char *data = NULL, *copy;
    long n = BIO_get_mem_data(b, &data);

    if (n <= 0 || (copy = malloc((size_t)n + 1)) == NULL)
        return NULL;
    memcpy(copy, data, (size_t)n);
    copy[n] = '\0';
    return copy;
}

static char *cert_pem(X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *s = NULL;

    if (b != NULL && PEM_write_bio_X509(b, x) == 1)
        s = bio_text(b);
    BIO_free(b);
    return s;
}

static char *key_pem(EVP_PKEY *k)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *s = NULL;

    if (b != NULL && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) == 1)
        s = bio_text(b);
    BIO_free(b);
    return s;
}

int th_tls_make(th_tls *out, const char *san)
{
    EVP_PKEY *ca_key = EVP_EC_gen("P-256"), *srv_key = EVP_EC_gen("P-256");
    X509 *ca = NULL, *srv = NULL;
    unsigned char id[4];
    char ca_name[64];
    int ok;

    memset(out, 0, sizeof(*out));
    /* A distinct name per CA: OpenSSL looks issuers up by name, so two test CAs with
     * one name would shadow each other. */
    ok = RAND_bytes(id, (int)sizeof(id)) == 1;
    (void)snprintf(ca_name, sizeof(ca_name), "fivetrex test CA %02x%02x%02x%02x", id[0], id[1],
                   id[2], id[3]);
    ok = ok && ca_key != NULL && srv_key != NULL &&
         (ca = make_cert(ca_key, ca_name, NULL, NULL, NULL)) != NULL &&
         (srv = make_cert(srv_key, "localhost", ca, ca_key, san)) != NULL;
    if (ok) {
        out->ca_pem = cert_pem(ca);
        out->cert_pem = cert_pem(srv);
        out->key_pem = key_pem(srv_key);
        (void)snprintf(out->ca_hash, sizeof(out->ca_hash), "%08lx.0", X509_subject_name_hash(ca));
        ok = out->ca_pem != NULL && out->cert_pem != NULL && out->key_pem != NULL;
    }
    X509_free(ca);
    X509_free(srv);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(srv_key);
    if (!ok)
        th_tls_free(out);
    return ok ? 0 : -1;
}

void th_tls_free(th_tls *t)
{
    if (t == NULL)
        return;
    free(t->ca_pem);
    free(t->cert_pem);
    free(t->key_pem);
    memset(t, 0, sizeof(*t));
}

int th_write_file(const char *dir, const char *name, const char *text)
{
    char path[4096];
    FILE *f;
    int ok;

    (void)snprintf(path, sizeof(path), "%s/%s", dir, name);
    if ((f = fopen(path, "w")) == NULL)
        return -1;
    ok = fputs(text, f) >= 0;
    ok = fclose(f) == 0 && ok;
    return ok ? 0 : -1;
}
