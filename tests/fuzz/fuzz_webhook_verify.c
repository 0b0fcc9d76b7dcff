/*
 * Fuzz target: signature verification and ftx_webhook_handle.
 * Input layout: [k][secret: k % 48 bytes][s][signature: s % 80 bytes][body: rest].
 * Invariants checked: verify never crashes on any header/secret/body; a computed
 * signature always verifies (either case); a changed signature never does; handle's
 * status agrees with verify.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char secret[64], header[96], sig[FTX_WEBHOOK_SIGNATURE_BUFSIZE];
    ftx_webhook_handle_options ho = FTX_WEBHOOK_HANDLE_OPTIONS_INIT;
    ftx_webhook_sig_result r;
    const uint8_t *body;
    size_t k, s, blen;
    int status;

    if (size < 2)
        return 0;
    k = (size_t)(data[0] % 48);
    if (k > size - 1)
        k = size - 1;
    memcpy(secret, data + 1, k);
    secret[k] = '\0';
    data += 1 + k;
    size -= 1 + k;
    if (size == 0)
        return 0;
    s = (size_t)(data[0] % 80);
    if (s > size - 1)
        s = size - 1;
    memcpy(header, data + 1, s);
    header[s] = '\0';
    body = data + 1 + s;
    blen = size - 1 - s;

    /* arbitrary header: any result, no crash */
    r = ftx_webhook_signature_verify(body, blen, header, secret);
    if (r != FTX_WEBHOOK_SIG_OK && r != FTX_WEBHOOK_SIG_INVALID && r != FTX_WEBHOOK_SIG_MISSING)
        abort();
    if (secret[0] == '\0' && r == FTX_WEBHOOK_SIG_OK)
        abort();

    ho.secret = secret;
    ho.max_body = 4096;
    status = ftx_webhook_handle(body, blen, header, &ho, NULL, NULL);
    if (blen > 4096) {
        if (status != 413)
            abort();
    } else if (secret[0] == '\0') {
        if (status != 500)
            abort();
    } else if ((r == FTX_WEBHOOK_SIG_MISSING) != (status == 400) ||
               (r == FTX_WEBHOOK_SIG_INVALID) != (status == 401)) {
        abort();
    }

    if (secret[0] == '\0')
        return 0;
    /* the right signature verifies, in either case; one changed digit does not */
    if (ftx_webhook_signature_compute(body, blen, secret, sig, NULL) != FTX_OK)
        abort();
    if (ftx_webhook_signature_verify(body, blen, sig, secret) != FTX_WEBHOOK_SIG_OK)
        abort();
    for (char *p = sig; *p; p++)
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p + 32);
    if (ftx_webhook_signature_verify(body, blen, sig, secret) != FTX_WEBHOOK_SIG_OK)
        abort();
    sig[blen % 64] = sig[blen % 64] == '0' ? '1' : '0';
    if (ftx_webhook_signature_verify(body, blen, sig, secret) != FTX_WEBHOOK_SIG_INVALID)
        abort();
    return 0;
}
