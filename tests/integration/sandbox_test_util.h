/* Helpers for the sandbox's own integration tests (test_sandbox_*.c). */
#ifndef FTX_SANDBOX_TEST_UTIL_H
#define FTX_SANDBOX_TEST_UTIL_H

#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>

#include "sandbox_harness.h"

/* Request; assert the status; return the parsed body (caller json_decref). Asserts the
 * body is a JSON object with a string "code". path may contain printf formats. */
json_t *sbt_call(sandbox_proc *sb, const char *method, long expect, const char *body,
                 const char *path_fmt, ...);
/* Same, with Basic auth credentials "key:secret" (or NULL). */
json_t *sbt_call_auth(sandbox_proc *sb, const char *userpwd, const char *method, long expect,
                      const char *body, const char *path);
/* Assert an error envelope: exactly {code, message}, code equal to the given one. */
void sbt_assert_error(json_t *j, const char *code);
/* data member (borrowed) */
json_t *sbt_data(json_t *j);
const char *sbt_str(json_t *o, const char *key);
/* ISO-8601 UTC with milliseconds: 2024-01-01T00:00:00.000Z */
int sbt_is_ts(const char *s);
/* lowercase words joined by '_' */
int sbt_is_id(const char *s);
/* poll GET /connections/{id} until status.sync_state equals state or timeout (ms); returns
 * the last connection object (caller decref) */
json_t *sbt_wait_sync_state(sandbox_proc *sb, const char *id, const char *state, int timeout);

/* A webhook receiver on 127.0.0.1 (libmicrohttpd) recording each POST. */
typedef struct sbt_receiver sbt_receiver;
typedef struct sbt_delivery {
    char *body;
    char *signature; /* X-Fivetran-Signature-256 or NULL */
    char *content_type;
} sbt_delivery;
sbt_receiver *sbt_receiver_start(int status_to_answer);
const char *sbt_receiver_url(const sbt_receiver *r);
/* wait until at least n deliveries arrived (timeout ms); returns the count */
size_t sbt_receiver_wait(sbt_receiver *r, size_t n, int timeout);
size_t sbt_receiver_count(sbt_receiver *r);
/* copy of delivery i (free with sbt_delivery_free) */
sbt_delivery sbt_receiver_get(sbt_receiver *r, size_t i);
void sbt_delivery_free(sbt_delivery *d);
void sbt_receiver_stop(sbt_receiver *r);
/* uppercase hex HMAC-SHA256 */
void sbt_hmac_hex(const char *secret, const char *body, char out[65]);
void sbt_sleep_ms(long ms);

#endif
