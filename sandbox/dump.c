/*
 * The state document and its file (--state FILE): everything the sandbox holds (groups,
 * destinations, connections with their schema configs and sync state, webhooks, the synthetic
 * account's changes, the generic collections, the id / sequence generators) as one JSON
 * document, loaded from and saved to a file, and the start state POST /_sandbox/reset goes
 * back to. Loading a document and dumping it again gives the same document.
 *
 * Saving is atomic: FILE.tmp is written (mode 0600: the state holds configs and webhook
 * secrets in clear), fsync'd and renamed over FILE. The ticker saves a changed state (at most
 * every SAVE_EVERY_MS); main saves at start and on exit.
 */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_FORMAT  "fivetrex-sandbox-state"
#define STATE_VERSION 1
#define SAVE_EVERY_MS 20

static struct {
    pthread_mutex_t save_lock; /* one writer at a time; taken before the state lock */
    char *file, *tmp;
    int dirty;         /* under the state lock */
    int64_t last_save; /* wall ms */
    int failing;       /* the last save failed (logged once) */
    json_t *start;     /* the start state, for reset */
} P = {.save_lock = PTHREAD_MUTEX_INITIALIZER};

void sbx_persist_mark(void)
{
    P.dirty = 1;
}

/* ---- dump ---- */
static json_t *opt(json_t *v)
{
    return v ? json_deep_copy(v) : json_null();
}

static json_t *conn_dump(conn *c)
{
    json_t *o = json_pack("{s:s,s:I,s:O,s:O,s:o,s:o,s:O,s:o,s:o,s:b,s:o}", "id", c->e.id, "seq",
                          (json_int_t)c->e.seq, "obj", c->obj, "config", c->config, "schema",
                          opt(c->schema), "catalog", opt(c->catalog), "touched", c->touched,
                          "state", opt(c->state), "setup_tests", opt(c->tests), "fail", c->fail,
                          "daily_sync_time", c->daily[0] ? json_string(c->daily) : json_null());
    json_object_set_new(o, "sync",
                        json_pack("{s:b,s:I,s:s,s:b,s:b}", "running", c->syncing, "end_ms",
                                  (json_int_t)c->sync_end, "id", c->sync_id, "pending", c->pending,
                                  "rescheduled", c->resched));
    if (c->synth >= 0)
        json_object_set_new(o, "synthetic_index", json_integer(c->synth));
    return o;
}

static int cmp_synth(const void *a, const void *b)
{
    long x = (*(conn *const *)a)->synth, y = (*(conn *const *)b)->synth;
    return x < y ? -1 : x > y;
}

json_t *sbx_state_dump(void)
{
    char rng[17];
    snprintf(rng, sizeof(rng), "%016llx", (unsigned long long)sbx_st.rng);
    json_t *doc =
        json_pack("{s:s,s:i,s:I,s:s,s:I}", "format", STATE_FORMAT, "version", STATE_VERSION, "seq",
                  (json_int_t)sbx_st.seq, "rng", rng, "stamp_ms", (json_int_t)sbx_st.last_ms);
    json_t *a = json_array();
    for (size_t i = 0; i < sbx_st.groups.n; i++) {
        group *g = sbx_st.groups.v[i];
        json_t *o =
            json_pack("{s:s,s:I,s:O}", "id", g->e.id, "seq", (json_int_t)g->e.seq, "obj", g->obj);
        if (g->synth_slot >= 0)
            json_object_set_new(o, "synthetic_slot", json_integer(g->synth_slot));
        json_array_append_new(a, o);
    }
    json_object_set_new(doc, "groups", a);
    a = json_array();
    for (size_t i = 0; i < sbx_st.dests.n; i++) {
        dest *d = sbx_st.dests.v[i];
        json_array_append_new(a,
                              json_pack("{s:s,s:I,s:O,s:O}", "id", d->e.id, "seq",
                                        (json_int_t)d->e.seq, "obj", d->obj, "config", d->config));
    }
    json_object_set_new(doc, "destinations", a);
    a = json_array();
    for (size_t i = 0; i < sbx_st.conns.n; i++)
        json_array_append_new(a, conn_dump(sbx_st.conns.v[i]));
    json_object_set_new(doc, "connections", a);
    a = json_array();
    for (size_t i = 0; i < sbx_st.hooks.n; i++) {
        hook *h = sbx_st.hooks.v[i];
        json_array_append_new(a, json_pack("{s:s,s:I,s:O,s:o}", "id", h->e.id, "seq",
                                           (json_int_t)h->e.seq, "obj", h->obj, "secret",
                                           h->secret ? json_string(h->secret) : json_null()));
    }
    json_object_set_new(doc, "webhooks", a);
    /* the synthetic account: its size, group ids by slot, deleted and materialised ones */
    json_t *sg = json_array(), *dead = json_array(), *mat = json_array();
    for (long k = 0; k < sbx_st.nsynth_groups; k++)
        json_array_append_new(sg, json_string(sbx_st.synth_gid[k]));
    for (long i = 0; i < sbx_st.nsynth; i++)
        if (sbx_st.synth_dead[i / 8] & (1u << (i % 8)))
            json_array_append_new(dead, json_integer(i));
    vec m = {0};
    for (size_t i = 0; i < sbx_st.cmap.cap; i++) {
        sbx_map_slot *s = &sbx_st.cmap.slots[i];
        if (s->k && s->v && ((conn *)s->v)->synth >= 0)
            sbx_vec_push(&m, s->v);
    }
    if (m.n)
        qsort(m.v, m.n, sizeof(*m.v), cmp_synth);
    for (size_t i = 0; i < m.n; i++)
        json_array_append_new(mat, conn_dump(m.v[i]));
    free(m.v);
    json_object_set_new(doc, "synthetic",
                        json_pack("{s:I,s:o,s:o,s:o}", "count", (json_int_t)sbx_st.nsynth, "groups",
                                  sg, "deleted", dead, "connections", mat));
    json_object_set_new(doc, "collections", sbx_coll_dump());
    return doc;
}

/* ---- load ---- */
#define BAD(...)                                                                                   \
    do {                                                                                           \
        snprintf(errbuf, errlen, __VA_ARGS__);                                                     \
        return -1;                                                                                 \
    } while (0)

static int get_seq(json_t *o, uint64_t *out)
{
    json_t *v = json_object_get(o, "seq");
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return -1;
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

/* an optional member: absent or null → NULL; else it must be of the kind */
static int opt_member(json_t *o, const char *k, int (*is)(const json_t *), json_t **out)
{
    json_t *v = json_object_get(o, k);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!is(v))
        return -1;
    *out = json_deep_copy(v);
    return 0;
}

static int is_object(const json_t *v)
{
    return json_is_object(v);
}

static int is_array(const json_t *v)
{
    return json_is_array(v);
}

static int conn_load(json_t *x, const char *where, char *errbuf, size_t errlen)
{
    const char *id = json_string_value(json_object_get(x, "id"));
    json_t *obj = json_object_get(x, "obj"), *cfg = json_object_get(x, "config");
    json_t *touched = json_object_get(x, "touched"), *sync = json_object_get(x, "sync");
    json_t *si = json_object_get(x, "synthetic_index");
    uint64_t seq;
    if (!id || !*id || strlen(id) >= SBX_ID_MAX || get_seq(x, &seq) < 0 || !json_is_object(obj) ||
        !json_is_object(cfg) || !json_is_object(touched) || !json_is_object(sync) ||
        (si && !json_is_integer(si)))
        BAD("%s: needs \"id\", \"seq\", \"obj\", \"config\", \"touched\" and \"sync\"", where);
    const char *gid = json_string_value(json_object_get(obj, "group_id"));
    if (!gid || !json_is_string(json_object_get(obj, "service")) ||
        !json_is_string(json_object_get(obj, "schema")) ||
        !json_is_object(json_object_get(obj, "status")))
        BAD("%s (\"%s\"): \"obj\" needs \"group_id\", \"service\", \"schema\" and \"status\"",
            where, id);
    if (!sbx_group_find(gid))
        BAD("%s (\"%s\"): unknown group \"%s\"", where, id, gid);
    long synth = -1;
    if (si) {
        synth = (long)json_integer_value(si);
        if (synth < 0 || synth >= sbx_st.nsynth ||
            (sbx_st.synth_dead[synth / 8] & (1u << (synth % 8))))
            BAD("%s (\"%s\"): no live synthetic connection %ld", where, id, synth);
        if (sbx_map_get(&sbx_st.cmap, id))
            BAD("%s: the id \"%s\" appears twice", where, id);
    } else if (sbx_id_taken(id)) {
        BAD("%s: the id \"%s\" appears twice", where, id);
    }
    const char *daily = json_string_value(json_object_get(x, "daily_sync_time"));
    const char *sid = json_string_value(json_object_get(sync, "id"));
    json_t *end = json_object_get(sync, "end_ms");
    if ((daily && strlen(daily) >= 8) || !sid || strlen(sid) >= 37 || !json_is_integer(end))
        BAD("%s (\"%s\"): bad \"daily_sync_time\" or \"sync\"", where, id);
    conn *c = calloc(1, sizeof(*c));
    if (!c)
        BAD("out of memory");
    snprintf(c->e.id, SBX_ID_MAX, "%s", id);
    c->e.seq = seq;
    c->synth = synth;
    c->obj = json_deep_copy(obj);
    c->config = json_deep_copy(cfg);
    c->touched = json_deep_copy(touched);
    if (opt_member(x, "schema", is_object, &c->schema) < 0 ||
        opt_member(x, "catalog", is_object, &c->catalog) < 0 ||
        opt_member(x, "state", is_object, &c->state) < 0 ||
        opt_member(x, "setup_tests", is_array, &c->tests) < 0) {
        sbx_conn_free(c);
        BAD("%s (\"%s\"): \"schema\", \"catalog\" and \"state\" must be objects or null, "
            "\"setup_tests\" an array or null",
            where, id);
    }
    snprintf(c->daily, sizeof(c->daily), "%s", daily ? daily : "");
    c->fail = json_is_true(json_object_get(x, "fail"));
    c->syncing = json_is_true(json_object_get(sync, "running"));
    c->sync_end = (int64_t)json_integer_value(end);
    snprintf(c->sync_id, sizeof(c->sync_id), "%s", sid);
    c->pending = json_is_true(json_object_get(sync, "pending"));
    c->resched = json_is_true(json_object_get(sync, "rescheduled"));
    if (synth < 0)
        sbx_vec_push(&sbx_st.conns, c);
    sbx_map_put(&sbx_st.cmap, c->e.id, c);
    if (c->syncing)
        sbx_vec_push(&sbx_st.syncing, c);
    return 0;
}

static int in_seq_order(vec *v)
{
    for (size_t i = 1; i < v->n; i++)
        if (((ent *)v->v[i - 1])->seq >= ((ent *)v->v[i])->seq)
            return 0;
    return 1;
}

static int load_doc(json_t *doc, char *errbuf, size_t errlen)
{
    size_t i;
    json_t *x;
    if (!json_is_object(doc))
        BAD("the top level must be an object");
    const char *fmt = json_string_value(json_object_get(doc, "format"));
    if (!fmt || strcmp(fmt, STATE_FORMAT) != 0)
        BAD("not a sandbox state (\"format\" must be \"%s\")", STATE_FORMAT);
    if (json_integer_value(json_object_get(doc, "version")) != STATE_VERSION)
        BAD("unsupported \"version\" (this sandbox reads version %d)", STATE_VERSION);
    json_t *groups = json_object_get(doc, "groups"), *dests = json_object_get(doc, "destinations");
    json_t *conns = json_object_get(doc, "connections"), *hooks = json_object_get(doc, "webhooks");
    json_t *syn = json_object_get(doc, "synthetic"), *colls = json_object_get(doc, "collections");
    const char *rng = json_string_value(json_object_get(doc, "rng"));
    json_t *stamp = json_object_get(doc, "stamp_ms");
    uint64_t seq;
    if (!json_is_array(groups) || !json_is_array(dests) || !json_is_array(conns) ||
        !json_is_array(hooks) || !json_is_object(syn) || !json_is_object(colls) || !rng ||
        get_seq(doc, &seq) < 0 || !json_is_integer(stamp))
        BAD("needs \"seq\", \"rng\", \"stamp_ms\", \"groups\", \"destinations\", "
            "\"connections\", \"webhooks\", \"synthetic\" and \"collections\"");
    char *end;
    errno = 0;
    unsigned long long r = strtoull(rng, &end, 16);
    if (errno || !*rng || *end)
        BAD("\"rng\" must be a hex string");
    json_t *sg = json_object_get(syn, "groups"), *dead = json_object_get(syn, "deleted");
    json_t *scount = json_object_get(syn, "count"), *smat = json_object_get(syn, "connections");
    if (!json_is_integer(scount) || json_integer_value(scount) < 0 ||
        json_integer_value(scount) > SYNTH_MAX || !json_is_array(sg) || !json_is_array(dead) ||
        !json_is_array(smat) || (json_integer_value(scount) > 0) != (json_array_size(sg) > 0) ||
        json_array_size(sg) > 1000)
        BAD("synthetic: needs \"count\" (0..%ld), \"groups\" (1..1000 ids when count > 0), "
            "\"deleted\" and \"connections\"",
            SYNTH_MAX);

    json_array_foreach(groups, i, x)
    {
        const char *id = json_string_value(json_object_get(x, "id"));
        json_t *obj = json_object_get(x, "obj"), *slot = json_object_get(x, "synthetic_slot");
        uint64_t gs;
        if (!id || !*id || strlen(id) >= SBX_ID_MAX || get_seq(x, &gs) < 0 ||
            !json_is_object(obj) || (slot && !json_is_integer(slot)))
            BAD("groups[%zu]: needs \"id\", \"seq\" and an \"obj\" object", i);
        if (sbx_id_taken(id))
            BAD("groups[%zu]: the id \"%s\" appears twice", i, id);
        group *g = calloc(1, sizeof(*g));
        if (!g)
            BAD("out of memory");
        snprintf(g->e.id, SBX_ID_MAX, "%s", id);
        g->e.seq = gs;
        g->synth_slot = slot ? (long)json_integer_value(slot) : -1;
        g->obj = json_deep_copy(obj);
        sbx_vec_push(&sbx_st.groups, g);
        sbx_map_put(&sbx_st.gmap, g->e.id, g);
    }
    json_array_foreach(dests, i, x)
    {
        const char *id = json_string_value(json_object_get(x, "id"));
        json_t *obj = json_object_get(x, "obj"), *cfg = json_object_get(x, "config");
        uint64_t ds;
        if (!id || get_seq(x, &ds) < 0 || !json_is_object(obj) || !json_is_object(cfg))
            BAD("destinations[%zu]: needs \"id\", \"seq\", \"obj\" and \"config\"", i);
        if (!sbx_group_find(id))
            BAD("destinations[%zu]: unknown group \"%s\"", i, id);
        if (sbx_dest_find(id))
            BAD("destinations[%zu]: a second destination for group \"%s\"", i, id);
        dest *d = calloc(1, sizeof(*d));
        if (!d)
            BAD("out of memory");
        snprintf(d->e.id, SBX_ID_MAX, "%s", id);
        d->e.seq = ds;
        d->obj = json_deep_copy(obj);
        d->config = json_deep_copy(cfg);
        sbx_vec_push(&sbx_st.dests, d);
        sbx_map_put(&sbx_st.dmap, d->e.id, d);
    }
    /* the synthetic account, before connections (their ids are taken) */
    sbx_st.nsynth = (long)json_integer_value(scount);
    sbx_st.nsynth_groups = (long)json_array_size(sg);
    if (sbx_st.nsynth) {
        sbx_st.synth_gid = calloc((size_t)sbx_st.nsynth_groups, sizeof(*sbx_st.synth_gid));
        sbx_st.synth_dead = calloc((size_t)sbx_st.nsynth / 8 + 1, 1);
        if (!sbx_st.synth_gid || !sbx_st.synth_dead)
            BAD("out of memory");
    }
    json_array_foreach(sg, i, x)
    {
        const char *id = json_string_value(x);
        if (!id || strlen(id) >= SBX_ID_MAX)
            BAD("synthetic.groups[%zu]: must be a group id", i);
        snprintf(sbx_st.synth_gid[i], SBX_ID_MAX, "%s", id);
    }
    json_array_foreach(dead, i, x)
    {
        json_int_t k = json_integer_value(x);
        if (!json_is_integer(x) || k < 0 || k >= sbx_st.nsynth)
            BAD("synthetic.deleted[%zu]: must be an index below %ld", i, sbx_st.nsynth);
        sbx_st.synth_dead[k / 8] = (unsigned char)(sbx_st.synth_dead[k / 8] | (1u << (k % 8)));
    }
    char where[64];
    json_array_foreach(conns, i, x)
    {
        snprintf(where, sizeof(where), "connections[%zu]", i);
        if (json_object_get(x, "synthetic_index"))
            BAD("%s: a synthetic connection belongs in synthetic.connections", where);
        if (conn_load(x, where, errbuf, errlen) < 0)
            return -1;
    }
    json_array_foreach(smat, i, x)
    {
        snprintf(where, sizeof(where), "synthetic.connections[%zu]", i);
        if (!json_object_get(x, "synthetic_index"))
            BAD("%s: needs \"synthetic_index\"", where);
        if (conn_load(x, where, errbuf, errlen) < 0)
            return -1;
    }
    json_array_foreach(hooks, i, x)
    {
        const char *id = json_string_value(json_object_get(x, "id"));
        json_t *obj = json_object_get(x, "obj"), *sec = json_object_get(x, "secret");
        uint64_t hs;
        if (!id || !*id || strlen(id) >= SBX_ID_MAX || get_seq(x, &hs) < 0 ||
            !json_is_object(obj) || !json_is_string(json_object_get(obj, "url")) ||
            (sec && !json_is_null(sec) && !json_is_string(sec)))
            BAD("webhooks[%zu]: needs \"id\", \"seq\" and an \"obj\" with a \"url\"", i);
        json_t *hg = json_object_get(obj, "group_id");
        if (hg && !json_is_null(hg) &&
            (!json_is_string(hg) || !sbx_group_find(json_string_value(hg))))
            BAD("webhooks[%zu]: unknown group", i);
        if (sbx_id_taken(id))
            BAD("webhooks[%zu]: the id \"%s\" appears twice", i, id);
        hook *h = calloc(1, sizeof(*h));
        if (!h)
            BAD("out of memory");
        snprintf(h->e.id, SBX_ID_MAX, "%s", id);
        h->e.seq = hs;
        h->obj = json_deep_copy(obj);
        h->secret = json_is_string(sec) ? sbx_strdup(json_string_value(sec)) : NULL;
        sbx_vec_push(&sbx_st.hooks, h);
        sbx_map_put(&sbx_st.hmap, h->e.id, h);
    }
    if (!in_seq_order(&sbx_st.groups) || !in_seq_order(&sbx_st.dests) ||
        !in_seq_order(&sbx_st.conns) || !in_seq_order(&sbx_st.hooks))
        BAD("groups, destinations, connections and webhooks must each be in \"seq\" order");
    if (sbx_coll_load(colls, errbuf, errlen) < 0)
        return -1;
    sbx_st.seq = seq;
    sbx_st.rng = (uint64_t)r;
    sbx_st.last_ms = (int64_t)json_integer_value(stamp);
    return 0;
}

int sbx_state_load(json_t *doc, char *errbuf, size_t errlen)
{
    const sbx_config *cfg = sbx_st.cfg;
    sbx_store_clear();
    sbx_st.cfg = cfg;
    int rc = load_doc(doc, errbuf, errlen);
    if (rc < 0) {
        sbx_store_clear(); /* nothing half-loaded stays behind */
        sbx_st.cfg = cfg;
    }
    return rc;
}

/* ---- the file ---- */
static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* FILE.tmp, fsync, rename over FILE, fsync the directory */
static int save_atomic(json_t *doc, char *errbuf, size_t errlen)
{
    char *text = json_dumps(doc, JSON_INDENT(1));
    if (!text)
        BAD("state %s: out of memory", P.file);
    int fd = open(P.tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int rc = -1, e = 0;
    if (fd >= 0) {
        if (write_all(fd, text, strlen(text)) == 0 && write_all(fd, "\n", 1) == 0 && fsync(fd) == 0)
            rc = 0;
        e = errno;
        if (close(fd) != 0 && rc == 0) {
            rc = -1;
            e = errno;
        }
        if (rc == 0 && rename(P.tmp, P.file) != 0) {
            rc = -1;
            e = errno;
        }
        if (rc < 0)
            unlink(P.tmp);
    } else {
        e = errno;
    }
    free(text);
    if (rc < 0)
        BAD("cannot save the state to %s: %s", P.file, strerror(e));
    char *dir = sbx_strdup(P.file);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    if (dir) {
        if (slash)
            slash[slash == dir ? 1 : 0] = '\0';
        int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    free(dir);
    return 0;
}

int sbx_persist_flush(int force)
{
    if (!P.file)
        return 0;
    pthread_mutex_lock(&P.save_lock);
    sbx_lock();
    int64_t now = sbx_wall_ms();
    if (!force && (!P.dirty || now - P.last_save < SAVE_EVERY_MS)) {
        sbx_unlock();
        pthread_mutex_unlock(&P.save_lock);
        return 0;
    }
    json_t *doc = sbx_state_dump();
    P.dirty = 0;
    P.last_save = now;
    sbx_unlock();
    char err[512];
    int rc = save_atomic(doc, err, sizeof(err));
    json_decref(doc);
    if (rc < 0) {
        if (!P.failing || force)
            fprintf(stderr, "fivetrex-sandbox: %s\n", err);
        P.failing = 1;
        sbx_lock();
        P.dirty = 1; /* try again on a later tick */
        sbx_unlock();
    } else {
        P.failing = 0;
    }
    pthread_mutex_unlock(&P.save_lock);
    return rc;
}

int sbx_persist_init(const char *file, char *errbuf, size_t errlen)
{
    sbx_lock();
    P.start = sbx_state_dump();
    sbx_unlock();
    if (!P.start)
        BAD("out of memory");
    if (!file)
        return 0;
    P.file = sbx_strdup(file);
    P.tmp = sbx_printf("%s.tmp", file);
    if (!P.file || !P.tmp)
        BAD("out of memory");
    struct stat st;
    if (stat(file, &st) != 0) {
        if (errno != ENOENT)
            BAD("state %s: %s", file, strerror(errno));
        return sbx_persist_flush(1) < 0
                   ? (snprintf(errbuf, errlen, "state %s: not writable", file), -1)
                   : 0;
    }
    json_error_t je;
    json_t *doc = json_load_file(file, 0, &je);
    if (!doc)
        BAD("state %s: %s (line %d, column %d)", file, je.text, je.line, je.column);
    char err[400];
    sbx_lock();
    int rc = sbx_state_load(doc, err, sizeof(err));
    sbx_unlock();
    json_decref(doc);
    if (rc < 0)
        BAD("state %s: %s", file, err);
    return sbx_persist_flush(1) < 0 ? (snprintf(errbuf, errlen, "state %s: not writable", file), -1)
                                    : 0;
}

int sbx_persist_reset(char *errbuf, size_t errlen)
{
    if (!P.start)
        BAD("the sandbox has no start state to go back to");
    if (sbx_state_load(P.start, errbuf, errlen) < 0)
        return -1;
    P.dirty = 1;
    return 0;
}

void sbx_persist_free(void)
{
    json_decref(P.start);
    free(P.file);
    free(P.tmp);
    P.start = NULL;
    P.file = P.tmp = NULL;
    P.dirty = P.failing = 0;
    P.last_save = 0;
}
