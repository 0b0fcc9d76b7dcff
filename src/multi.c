/*
 * One page request on a curl multi handle (ftx__xfer, pager.h), and concurrent
 * pagers on one multi handle, on the calling thread.
 *
 * An ftx__xfer attempt is the blocking path's pieces (http.h): ftx__attempt_prepare,
 * the transfer, then ftx__attempt_finish / ftx__attempt_report / ftx__retry_decide,
 * so retries, errors and the observer behave exactly as for ftx__call. Streams use
 * it for their one-page-ahead prefetch (stream.c); the fan-out below for every page.
 *
 * Fan-out: K slots, each walking one list at a time (ftx__walk: the same cursor
 * walk and loop guards as a stream): a slot is FREE, WAIT (its next request may
 * start at `due`, client clock) or RUN (its transfer is on the multi handle). Lists
 * are bound to free slots in index order. Retry delays are due times, not sleeps;
 * the client-wide 429 pause holds back every WAIT slot. When nothing is in flight
 * and every waiting slot is due in the future, the loop sleeps on the client's clock
 * until the earliest due time (a fake clock completes that at once, so tests still
 * make progress).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "pager.h"
#include "retry.h"

#define DEFAULT_IN_FLIGHT 8
#define MAX_IN_FLIGHT     256
/* Longest single curl_multi_poll wait (real ms): due times are re-checked after it. */
#define MAX_POLL_MS 1000

/* ---- one page request ---- */

static void xfer_request(const ftx__xfer *x, ftx__request *req)
{
    memset(req, 0, sizeof(*req));
    req->method = "GET";
    req->path = x->path.ptr;
    req->accept_v2 = x->accept_v2;
}

int ftx__xfer_page(ftx__xfer *x, const ftx__list_spec *spec, const char *cursor, int limit)
{
    x->accept_v2 = spec->accept_v2;
    x->attempt = 1;
    x->waited_until = 0;
    return ftx__page_path(spec, cursor, limit, &x->path);
}

int ftx__xfer_start(ftx_client *c, CURLM *multi, ftx__xfer *x, void *priv, uint64_t *paused_until,
                    ftx_error *err)
{
    ftx__request req;
    uint64_t until = 0, left = 0;
    CURL *easy;
    int rc;

    *paused_until = 0;
    xfer_request(x, &req);
    if ((rc = ftx__pause_check(c, &req, x->waited_until, &until, &left, err)) != FTX_OK) {
        if (err != NULL)
            err->attempts = x->attempt - 1;
        return rc;
    }
    if (until != 0 && left > 0) {
        *paused_until = until;
        return FTX_OK;
    }
    if (until != 0)
        x->waited_until = until;
    if (x->h == NULL && (x->h = ftx__handle_get(c)) == NULL)
        return ftx__error_nomem(err);
    if ((rc = ftx__attempt_prepare(c, x->h, &req, 0, err)) != FTX_OK) {
        if (err != NULL)
            err->attempts = x->attempt - 1;
        return rc;
    }
    easy = ftx__handle_easy(x->h);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, priv);
    if (curl_multi_add_handle(multi, easy) != CURLM_OK)
        return ftx__error_nomem(err);
    x->t0 = ftx__monotonic_ms();
    x->running = 1;
    return FTX_OK;
}

int ftx__xfer_done(ftx_client *c, CURLM *multi, ftx__xfer *x, const ftx__list_spec *spec,
                   CURLcode cc, ftx__page **page, int *retry, uint64_t *due, ftx_error *err)
{
    ftx__request req;
    ftx_request_info info;
    ftx_error e;
    json_t *body = NULL;
    uint64_t delay = 0;
    long status = 0;
    int rc, klass;

    *page = NULL;
    *retry = 0;
    *due = 0;
    (void)curl_multi_remove_handle(multi, ftx__handle_easy(x->h));
    x->running = 0;
    xfer_request(x, &req);
    ftx_error_clear(&e);
    rc = ftx__attempt_finish(c, x->h, &req, 0, cc, &body, &klass, &status, &e);
    ftx__attempt_report(c, &req, status, x->t0, x->attempt, rc, &info);
    if (rc == FTX_OK) {
        rc = ftx__page_from_body(spec, &req, body, status, x->attempt, page, err);
        json_decref(body);
        return rc;
    }
    if (rc != FTX_ERR_NOMEM &&
        ftx__retry_decide(c, 0, x->attempt, status, klass, &e, &info, &delay)) {
        *retry = 1;
        *due = ftx__now_ms(c) + delay;
        if (status == 429) {
            x->waited_until = *due;
            ftx__client_pause_until(c, *due);
        }
    }
    e.attempts = x->attempt;
    if (*retry)
        x->attempt++;
    if (err != NULL)
        *err = e;
    return rc;
}

void ftx__xfer_dispose(ftx_client *c, CURLM *multi, ftx__xfer *x)
{
    if (x->h != NULL) {
        CURL *easy = ftx__handle_easy(x->h);

        if (x->running)
            (void)curl_multi_remove_handle(multi, easy);
        curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
        ftx__handle_put(c, x->h);
    }
    x->h = NULL;
    x->running = 0;
    ftx__buf_dispose(&x->path);
}

/* ---- fan-out ---- */

enum { SLOT_FREE = 0, SLOT_WAIT, SLOT_RUN };

typedef struct slot {
    int state;
    size_t list;    /* index into specs (WAIT, RUN) */
    ftx__xfer xfer; /* the request of the current page */
    ftx__walk walk; /* the list's cursor walk */
    uint64_t due;
} slot;

typedef struct fanout {
    ftx_client *c;
    const ftx__list_spec *specs;
    size_t n;
    int limit;
    ftx__item_fn on_item;
    void *userdata;

    CURLM *multi;
    slot *slots;
    int nslots;
    size_t next_list;
    int running;
    ftx_fanout_stats st;

    int stop;
    int rc;
    ftx_error err;
} fanout;

static void fail(fanout *f, int rc, const ftx_error *e)
{
    if (f->stop)
        return;
    f->stop = 1;
    f->rc = rc;
    if (e != NULL)
        f->err = *e;
    else
        ftx_error_clear(&f->err);
    if (f->err.type == FTX_OK)
        f->err.type = rc;
}

static void fail_nomem(fanout *f)
{
    ftx_error e;

    ftx_error_clear(&e);
    fail(f, ftx__error_nomem(&e), &e);
}

/* Make `s` wait for the page at its walk's cursor. */
static int page_wait(fanout *f, slot *s)
{
    s->due = 0;
    s->state = SLOT_WAIT;
    if (ftx__xfer_page(&s->xfer, &f->specs[s->list], s->walk.cursor, f->limit) < 0) {
        fail_nomem(f);
        return -1;
    }
    return 0;
}

/* Bind `s` to the next list. */
static int bind_list(fanout *f, slot *s)
{
    ftx_error e;

    s->list = f->next_list++;
    ftx__walk_dispose(&s->walk);
    ftx_error_clear(&e);
    if (ftx__walk_init(&s->walk, NULL, &e) != FTX_OK) {
        fail(f, FTX_ERR_NOMEM, &e);
        return -1;
    }
    return page_wait(f, s);
}

/* Hand a page's items over, then move `s` to the next page or free it. */
static void deliver(fanout *f, slot *s, ftx__page *page)
{
    const ftx__list_spec *spec = &f->specs[s->list];
    ftx_error e;
    size_t i;
    int r;

    ftx_error_clear(&e);
    if ((r = ftx__walk_accept(&s->walk, spec->path, page->next_cursor, page->count, &e)) !=
        FTX_OK) {
        fail(f, r, &e);
        return;
    }
    for (i = 0; i < page->count; i++) {
        f->st.items++;
        r = f->on_item(page->items[i], s->list, f->userdata);
        if (r != 0) {
            ftx__error_set(&e, FTX_ERR_CANCELLED,
                           "stopped by the item callback (it returned %d) in list %zu (%s)", r,
                           s->list, spec->path);
            fail(f, FTX_ERR_CANCELLED, &e);
            return;
        }
    }
    if (s->walk.done) {
        f->st.lists_completed++;
        s->state = SLOT_FREE;
        return;
    }
    (void)page_wait(f, s);
}

/* The transfer of `s` ended with `cc`. */
static void finished(fanout *f, slot *s, CURLcode cc)
{
    const ftx__list_spec *spec = &f->specs[s->list];
    ftx__page *page = NULL;
    ftx_error e;
    uint64_t due;
    int rc, retry;

    f->running--;
    s->state = SLOT_WAIT;
    ftx_error_clear(&e);
    rc = ftx__xfer_done(f->c, f->multi, &s->xfer, spec, cc, &page, &retry, &due, &e);
    if (rc == FTX_OK) {
        deliver(f, s, page);
        ftx__page_free_spec(page, spec);
        return;
    }
    if (!retry) {
        fail(f, rc, &e);
        return;
    }
    s->due = due;
}

/* Bind free slots to the next lists; start every due slot the pause lets go.
 * Returns the earliest future due time (UINT64_MAX: none waiting). */
static uint64_t schedule(fanout *f)
{
    uint64_t now = ftx__now_ms(f->c), min_due = UINT64_MAX, paused;
    ftx_error e;
    int i, rc;

    for (i = 0; i < f->nslots && !f->stop; i++) {
        slot *s = &f->slots[i];

        if (s->state == SLOT_FREE && f->next_list < f->n && bind_list(f, s) < 0)
            break;
        if (s->state != SLOT_WAIT)
            continue;
        if (s->due > now) {
            if (s->due < min_due)
                min_due = s->due;
            continue;
        }
        ftx_error_clear(&e);
        rc = ftx__xfer_start(f->c, f->multi, &s->xfer, s, &paused, &e);
        if (rc != FTX_OK) {
            fail(f, rc, &e);
            break;
        }
        if (paused != 0) {
            s->due = paused;
            if (s->due < min_due)
                min_due = s->due;
            continue;
        }
        s->state = SLOT_RUN;
        f->running++;
        f->st.requests++;
        if (s->xfer.attempt > 1)
            f->st.retries++;
        if (f->running > f->st.peak_in_flight)
            f->st.peak_in_flight = f->running;
    }
    return min_due;
}

static void run(fanout *f)
{
    for (;;) {
        uint64_t min_due = schedule(f), now;
        CURLMsg *msg;
        int still = 0, left = 0, got = 0, timeout = MAX_POLL_MS;

        if (f->stop)
            return;
        if (f->running == 0) {
            if (min_due == UINT64_MAX)
                return; /* every list done */
            now = ftx__now_ms(f->c);
            if (min_due > now)
                ftx__sleep_ms(f->c, min_due - now);
            continue;
        }
        if (curl_multi_perform(f->multi, &still) != CURLM_OK) {
            fail_nomem(f);
            return;
        }
        while (!f->stop && (msg = curl_multi_info_read(f->multi, &left)) != NULL) {
            void *p = NULL;

            if (msg->msg != CURLMSG_DONE)
                continue;
            (void)curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &p);
            if (p == NULL)
                continue;
            got = 1;
            finished(f, p, msg->data.result);
        }
        if (f->stop)
            return;
        if (got)
            continue; /* schedule the freed slots before waiting */
        if (min_due != UINT64_MAX) {
            now = ftx__now_ms(f->c);
            timeout = min_due <= now                ? 0
                      : min_due - now < MAX_POLL_MS ? (int)(min_due - now)
                                                    : MAX_POLL_MS;
        }
        if (curl_multi_poll(f->multi, NULL, 0, timeout, NULL) != CURLM_OK) {
            fail_nomem(f);
            return;
        }
    }
}

static int check_opts(const ftx_fanout_options *o, ftx_error *err)
{
    if (FTX__OPTIONS_CHECK(ftx_fanout_options, o, err) != FTX_OK)
        return FTX_ERR_INVALID_ARGUMENT;
    if (o->max_in_flight < 0 || o->max_in_flight > MAX_IN_FLIGHT)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "ftx_fanout_options.max_in_flight %d is outside 0..%d (0: %d)",
                              o->max_in_flight, MAX_IN_FLIGHT, DEFAULT_IN_FLIGHT);
    if (o->limit < 0 || o->limit > 1000)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "ftx_fanout_options.limit must be 0 (API default) or 1..1000, got %d",
                              o->limit);
    return FTX_OK;
}

int ftx__multi_list(ftx_client *c, const ftx__list_spec *specs, size_t n,
                    const ftx_fanout_options *opts, ftx__item_fn on_item, void *userdata,
                    ftx_fanout_stats *stats, ftx_error *err)
{
    static const ftx_fanout_options dflt = FTX_FANOUT_OPTIONS_INIT;
    fanout f;
    size_t i;
    int k, rc;

    if (c == NULL || on_item == NULL || (n > 0 && specs == NULL))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "client, item callback and lists are required");
    if (opts == NULL)
        opts = &dflt;
    if ((rc = check_opts(opts, err)) != FTX_OK)
        return rc;
    for (i = 0; i < n; i++)
        if (specs[i].path == NULL || specs[i].path[0] != '/' ||
            (specs[i].parse == NULL ? specs[i].model == NULL : specs[i].free_item == NULL))
            return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "list spec %zu is incomplete", i);
    if (stats != NULL)
        memset(stats, 0, sizeof(*stats));
    if (n == 0)
        return FTX_OK;

    memset(&f, 0, sizeof(f));
    f.c = c;
    f.specs = specs;
    f.n = n;
    f.limit = opts->limit;
    f.on_item = on_item;
    f.userdata = userdata;
    k = opts->max_in_flight > 0 ? opts->max_in_flight : DEFAULT_IN_FLIGHT;
    f.nslots = (size_t)k < n ? k : (int)n;
    f.slots = ftx__calloc((size_t)f.nslots, sizeof(*f.slots));
    f.multi = curl_multi_init();
    if (f.slots == NULL || f.multi == NULL) {
        rc = ftx__error_nomem(err);
        goto done;
    }
    /* Keep every slot's connection between requests. */
    (void)curl_multi_setopt(f.multi, CURLMOPT_MAXCONNECTS, (long)f.nslots);

    run(&f);
    rc = f.stop ? f.rc : FTX_OK;
    if (rc != FTX_OK && err != NULL)
        *err = f.err;

done:
    if (stats != NULL)
        *stats = f.st;
    for (i = 0; f.slots != NULL && i < (size_t)f.nslots; i++) {
        ftx__xfer_dispose(c, f.multi, &f.slots[i].xfer);
        ftx__walk_dispose(&f.slots[i].walk);
    }
    ftx__free(f.slots);
    if (f.multi != NULL)
        curl_multi_cleanup(f.multi);
    return rc;
}

/* ---- connectors of many groups ---- */

typedef struct conn_fan {
    ftx_connector_item_fn on_item;
    void *userdata;
} conn_fan;

static int conn_parse(const json_t *item, void **out, ftx_error *err)
{
    ftx_connector *k = NULL;
    int rc = ftx_connector_from_json(item, &k, err);

    *out = k;
    return rc;
}

static void conn_free(void *item)
{
    ftx_connector_free(item);
}

static int conn_item(const void *item, size_t index, void *userdata)
{
    conn_fan *cf = userdata;

    return cf->on_item(item, index, cf->userdata);
}

int ftx_connectors_stream_groups(ftx_client *client, const char *const *group_ids, size_t n,
                                 const ftx_fanout_options *opts, ftx_connector_item_fn on_item,
                                 void *userdata, ftx_fanout_stats *stats, ftx_error *err)
{
    ftx__list_spec *specs = NULL;
    conn_fan cf;
    ftx_error e;
    size_t i, built = 0;
    int rc = FTX_OK;

    if (client == NULL || on_item == NULL || (n > 0 && group_ids == NULL))
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT,
                              "ftx_connectors_stream_groups: client, group_ids and on_item are "
                              "required");
    if (n > 0) {
        specs = ftx__calloc(n, sizeof(*specs));
        if (specs == NULL)
            return ftx__error_nomem(err);
    }
    for (i = 0; i < n; i++, built++) {
        char *path = NULL;

        ftx_error_clear(&e);
        rc = ftx__path(&path, &e, "/groups/{group_id}/connections", group_ids[i]);
        if (rc != FTX_OK) {
            if (rc == FTX_ERR_NOMEM)
                ftx__error_nomem(err);
            else
                ftx__error_set(err, rc, "group_ids[%zu]: %s", i, e.message);
            goto done;
        }
        specs[i].path = path;
        specs[i].accept_v2 = 0; /* as ftx_connectors_stream */
        specs[i].parse = conn_parse;
        specs[i].free_item = conn_free;
    }
    cf.on_item = on_item;
    cf.userdata = userdata;
    rc = ftx__multi_list(client, specs, n, opts, conn_item, &cf, stats, err);

done:
    for (i = 0; i < built; i++)
        ftx__free((char *)(uintptr_t)specs[i].path);
    ftx__free(specs);
    return rc;
}
