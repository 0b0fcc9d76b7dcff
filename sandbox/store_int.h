/*
 * Internal to the sandbox's state and hand-written handlers (store.c, validate.c, paging.c,
 * emit.c, sync.c, h_*.c): the entity types, the global state and the functions they share.
 * Not used by main.c, router.c or collections.c (they use sandbox.h and router.h).
 */
#ifndef FTX_SANDBOX_STORE_INT_H
#define FTX_SANDBOX_STORE_INT_H

#include "router.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct ent {
    char id[SBX_ID_MAX];
    uint64_t seq; /* creation order: the stable list order, and what cursors point at */
} ent;

typedef struct group {
    ent e;
    json_t *obj;
    long synth_slot; /* index among synthetic groups, or -1 */
} group;

typedef struct dest {
    ent e;
    json_t *obj; /* public fields without config */
    json_t *config;
} dest;

typedef struct hook {
    ent e;
    json_t *obj; /* public fields, secret masked */
    char *secret;
} hook;

typedef struct conn {
    ent e;
    long synth;      /* synthetic index, or -1 */
    json_t *obj;     /* public fields without config */
    json_t *config;  /* unmasked */
    json_t *schema;  /* schema config, NULL until captured */
    json_t *catalog; /* what the "source" offers, in schema-config shape */
    json_t *touched; /* keys "s" and "s\037t" the user changed */
    json_t *state;   /* connector state (function connectors) */
    char daily[8];
    int fail;
    int syncing;
    int64_t sync_end;
    char sync_id[37];
    int pending;   /* a sync waits for resume */
    int resched;   /* the sync is "rescheduled" until sync_end, then it starts */
    json_t *tests; /* the last setup test results, NULL until tests ran */
} conn;

typedef struct vec {
    void **v;
    size_t n, cap;
} vec;

struct sbx_state {
    pthread_mutex_t lock;
    const sbx_config *cfg;
    uint64_t rng;
    uint64_t seq;
    int64_t last_ms;
    vec groups, dests, hooks, conns; /* real (non-synthetic) entities in seq order */
    sbx_map gmap, dmap, hmap, cmap;  /* cmap also holds materialised synthetic connections */
    long nsynth, nsynth_groups;
    char (*synth_gid)[SBX_ID_MAX];
    unsigned char *synth_dead;
    vec syncing;
    pthread_t ticker;
    int ticker_stop, ticker_started;
};
extern struct sbx_state sbx_st;

#define SYNTH_BASE_MS 1735689600000LL /* 2025-01-01T00:00:00Z */
#define SYNTH_MAX     2000000L

/* ---- validation errors ---- */
typedef struct verr {
    int status;
    const char *code;
    char msg[1024];
} verr;

#define FAIL(e, st, cd, ...)                                                                       \
    do {                                                                                           \
        (e)->status = (st);                                                                        \
        (e)->code = (cd);                                                                          \
        snprintf((e)->msg, sizeof((e)->msg), __VA_ARGS__);                                         \
        return -1;                                                                                 \
    } while (0)

/* ---- request ---- */
typedef sbx_req req;

typedef struct page {
    long limit;
    uint64_t after;
} page;

typedef json_t *(*render_fn)(void *ent, void *ud); /* NULL: filtered out */

/* growable text buffer for the list fast path */
typedef struct tbuf {
    char *p;
    size_t len, cap;
    int oom;
} tbuf;

/* ---- connection field validation shared by create and PATCH ---- */
typedef struct conn_fields {
    int has_paused, paused, has_pat, pat, has_hist, hist;
    long freq;
    int has_freq;
    const char *daily, *sched, *dds, *nm, *dsn, *schema_status;
    long ddt;
    int has_ddt;
    json_t *config, *auth;
    int has_rst, rst;
    json_t *body; /* borrowed: the link/agent ids are applied from it */
} conn_fields;

typedef struct conn_filter {
    const char *gid;
    const char *schema;
} conn_filter;

int sbx_allow(req *q, const char *allowed);
void sbx_apply_link_ids(json_t *obj, json_t *b, size_t n);
json_t *sbx_catalog_of(conn *c);
int sbx_check_connect_card_config(json_t *cfg, verr *e);
int sbx_check_link_ids(json_t *b, size_t n, verr *e);
int sbx_check_tz(json_t *b, const char **tz, int required, verr *e);
int sbx_conn_build(json_t *b, int seed, conn **out, json_t **tests, json_t **card, verr *e);
void sbx_conn_delete(conn *c);
void sbx_conn_fields_apply(conn *c, const conn_fields *f);
int sbx_conn_fields_read(json_t *b, conn_fields *f, verr *e);
conn *sbx_conn_find(const char *id, int keep, int *temp);
void sbx_conn_free(conn *c);
const char *sbx_conn_group(conn *c);
json_t *sbx_conn_render(conn *c);
json_t *sbx_conn_tests(conn *c);
json_t *sbx_connect_card(conn *c, json_t *cfg);
json_t *sbx_cursor_json(uint64_t seq);
int sbx_dest_build(json_t *b, int seed, dest **out, json_t **tests, verr *e);
dest *sbx_dest_find(const char *id);
json_t *sbx_dest_render(dest *d, int with_config);
json_t *sbx_dest_render_list(void *p, void *ud);
json_t *sbx_dest_tests(dest *d);
void sbx_emit(conn *c, const char *event, const char *sync_id, json_t *data);
int sbx_f_bool(json_t *o, const char *k, int *out, verr *e);
int sbx_f_enum(json_t *o, const char *k, const char *const *vals, size_t n, const char **out,
               verr *e);
int sbx_f_int(json_t *o, const char *k, long *out, verr *e);
int sbx_f_obj(json_t *o, const char *k, json_t **out, verr *e);
int sbx_f_str(json_t *o, const char *k, const char **out, int required, verr *e);
void sbx_gen_id(char out[SBX_ID_MAX]);
group *sbx_group_add(const char *id, const char *name, int64_t created);
void sbx_group_delete(group *g);
group *sbx_group_find(const char *id);
json_t *sbx_group_render(void *p, void *ud);
int sbx_hook_build(json_t *b, const char *gid, int seed, hook **out, verr *e);
int sbx_id_taken(const char *id);
int sbx_is_function_service(const char *svc);
int sbx_is_method(const req *q, const char *m);
void sbx_list_connections(req *q, const char *gid, const char *schema);
json_t *sbx_masked(json_t *v);
void sbx_merge(json_t *dst, json_t *src);
void sbx_not_found_conn(req *q, const char *id);
int sbx_page_read(req *q, page *p);
void sbx_reply_data(sbx_response *r, int status, const char *message, json_t *data);
void sbx_reply_err(sbx_response *r, int status, const char *code, const char *fmt, ...);
void sbx_reply_msg(sbx_response *r, const char *fmt, ...);
void sbx_reply_page(req *q, const page *p, vec *v, render_fn fn, void *ud);
void sbx_reply_verr(sbx_response *r, const verr *e);
void sbx_route_schemas(req *q, conn *c);
void sbx_schema_discover(conn *c, int exclude);
void sbx_set_status(conn *c, const char *k, const char *v);
json_t *sbx_setup_tests(const char *const *titles, size_t n, int fail, json_t *details);
int64_t sbx_stamp(void);
json_t *sbx_status_of(conn *c);
void sbx_sync_begin(conn *c, int historical);
int sbx_tick(int64_t now); /* end the syncs and runs due at now; how many changed */
json_t *sbx_ts_json(int64_t ms);
size_t sbx_vec_after(const vec *v, uint64_t after);
int sbx_vec_push(vec *v, void *p);
void sbx_vec_remove(vec *v, void *p);

#endif
