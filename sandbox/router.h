/*
 * The sandbox's router: the route table generated from api/fivetran-api.json
 * (sandbox/routes_gen.c, by tools/gen/sandbox.py), the parsed request and the handlers the
 * rows name. Private to the sandbox.
 */
#ifndef FTX_SANDBOX_ROUTER_H
#define FTX_SANDBOX_ROUTER_H

#include "sandbox.h"

#define SBX_MAX_SEG 12
#define SBX_MAX_Q   16

/* kinds of a body or response field */
enum {
    SBX_K_ANY,
    SBX_K_STRING,
    SBX_K_INTEGER,
    SBX_K_NUMBER,
    SBX_K_BOOLEAN,
    SBX_K_OBJECT,
    SBX_K_ARRAY
};

/* field flags */
#define SBX_F_REQUIRED 1u
#define SBX_F_DATETIME 2u
#define SBX_F_NULLABLE 4u

typedef struct sbx_field {
    const char *name;
    int kind;
    unsigned flags;
    const char *const *enums; /* closed enum (NULL-terminated), or NULL */
} sbx_field;

/* row flags: the generic kind of the operation in the low bits, then properties */
#define SBX_OP_LIST      1u
#define SBX_OP_CREATE    2u
#define SBX_OP_GET       3u
#define SBX_OP_UPDATE    4u
#define SBX_OP_DELETE    5u
#define SBX_OP_ACTION    6u
#define SBX_OP_MASK      7u
#define SBX_RF_ROOT      (1u << 4) /* path outside /v1 */
#define SBX_RF_VALIDATE  (1u << 5) /* validate the JSON body from the row's fields */
#define SBX_RF_MULTIPART (1u << 6)
#define SBX_RF_PAGED     (1u << 7)

enum { SBX_ENV_NONE, SBX_ENV_DATA, SBX_ENV_MESSAGE, SBX_ENV_BINARY };

typedef struct sbx_req {
    const char *method;
    char *seg[SBX_MAX_SEG]; /* path segments after /v1, percent-decoded */
    int nseg;
    int root; /* the path is not under /v1 */
    char *qk[SBX_MAX_Q], *qv[SBX_MAX_Q];
    int nq;
    const char *body;
    size_t len;
    sbx_response *r;
} sbx_req;

struct sbx_route;
typedef void (*sbx_handler)(sbx_req *q, const struct sbx_route *rt);

typedef struct sbx_route {
    const char *method;
    const char *path; /* the template, e.g. /v1/users/{userId} */
    const char *seg[SBX_MAX_SEG];
    int nseg;
    const char *operation_id;
    unsigned flags;
    const sbx_field *fields; /* request body fields */
    int nfields;
    const char *key_field; /* create: the body field that names the new item, or NULL */
    int envelope;
    int status;
    const sbx_field *resp; /* response object (or list item) fields */
    int nresp;
    const char *entity; /* e.g. "User", for NotFound_User */
    const char *allow;  /* every method of this path template, for 405 */
    sbx_handler handler;
} sbx_route;

extern const sbx_route sbx_routes[];
extern const size_t sbx_nroutes;

/* router.c */
/* the row for method + path (literal segments win over {param}); *any: the most specific row
 * of the path whatever the method (NULL: no route) */
const sbx_route *sbx_route_find(const char *method, sbx_req *q, const sbx_route **any);
const char *sbx_qget(const sbx_req *q, const char *k);
/* Validate a JSON body against the row: 0, or -1 with the 400 InvalidInput reply set. */
int sbx_validate(sbx_req *q, const sbx_route *rt, json_t *body);
/* Parse the JSON body: 0 with *out an object (NULL when empty and not required), or -1 with
 * the 400 reply set. */
int sbx_body_json(sbx_req *q, json_t **out, int required);

/* responses (store.c) */
void sbx_reply_errf(sbx_response *r, int status, const char *code, const char *fmt, ...);
void sbx_reply_data(sbx_response *r, int status, const char *message, json_t *data);
void sbx_reply_msg(sbx_response *r, const char *fmt, ...);

/* store.c: what the generic handlers need from the hand-written entities */
void sbx_lock(void);
void sbx_unlock(void);
int64_t sbx_stamp(void); /* the clock's ms: strictly later than every earlier stamp, or
                          * exactly the fixed time when the clock is fixed */
void sbx_gen_id(char out[SBX_ID_MAX]);
uint64_t sbx_next_seq(void);
uint64_t *sbx_rng(void);
long sbx_sync_ms(void); /* --sync-duration-ms */
/* paging: limit and cursor of the query (0, or -1 with the 400 reply set); a cursor */
int sbx_page_parse(sbx_req *q, long *limit, uint64_t *after);
json_t *sbx_cursor(uint64_t seq);
/* 1 when the hand-written entity exists; kind is "groups", "connections" or "destinations" */
int sbx_entity_exists(const char *kind, const char *id);
/* connections whose field (e.g. proxy_agent_id) equals value: a JSON array of their ids */
json_t *sbx_connections_where(const char *field, const char *value);

/* hand-written handlers (store.c) */
void sbx_h_groups(sbx_req *q, const sbx_route *rt);
void sbx_h_connections(sbx_req *q, const sbx_route *rt);
void sbx_h_destinations(sbx_req *q, const sbx_route *rt);
void sbx_h_webhooks(sbx_req *q, const sbx_route *rt);
void sbx_h_account_info(sbx_req *q, const sbx_route *rt);
void sbx_h_drop_columns(sbx_req *q, const sbx_route *rt);
void sbx_h_tables_resync(sbx_req *q, const sbx_route *rt);

/* collections.c: the generic stateful handler */
void sbx_h_collection(sbx_req *q, const sbx_route *rt);
/* an entity (kind "groups"/"connections"/"destinations"/"users"...) was deleted: drop its
 * sub-collections and the memberships that name it */
void sbx_coll_forget(const char *kind, const char *id);
/* called by the ticker under the lock: runs that end (returns how many ended) */
int sbx_coll_tick(int64_t now);
void sbx_coll_free(void);
/* the collections in the state document (dump.c); load into empty collections (0 or -1 with
 * errbuf set) */
json_t *sbx_coll_dump(void);
int sbx_coll_load(json_t *doc, char *errbuf, size_t errlen);

/* admin.c: /_sandbox/... (reset, state, clock), under the lock */
void sbx_admin(sbx_req *q);

#endif
