/*
 * Concurrent pagers on one curl multi handle, on the calling thread.
 *
 * K slots, each paging one list at a time: a slot is FREE, WAIT (its next request
 * may start at `due`, client clock) or RUN (its easy handle is on the multi handle).
 * Lists are bound to free slots in index order. Each request is one attempt of the
 * blocking path's pieces (http.h): ftx__attempt_prepare, the transfer, then
 * ftx__attempt_finish / ftx__attempt_report / ftx__retry_decide, so retries, errors
 * and the observer behave exactly as for ftx__call. Retry delays are due times, not
 * sleeps; the client-wide 429 pause (ftx__pause_check) holds back every WAIT slot.
 * When nothing is in flight and every waiting slot is due in the future, the loop
 * sleeps on the client's clock until the earliest due time (a fake clock completes
 * that at once, so tests still make progress).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "http.h"
#include "internal.h"
#include "retry.h"

#define DEFAULT_IN_FLIGHT 8
#define MAX_IN_FLIGHT     256
/* Longest single curl_multi_poll wait (real ms): due times are re-checked after it. */
#define MAX_POLL_MS 1000

enum { SLOT_FREE = 0, SLOT_WAIT, SLOT_RUN };

typedef struct slot {
    int state;
    size_t list;    /* index into specs (WAIT, RUN) */
    ftx__handle *h; /* checked out on first use, given back at the end */
    ftx__buf path;  /* request path of the current page */
    char *cursor;   /* cursor of the current page (NULL: first page) */
    int attempt;    /* attempt number of the next (WAIT) or running (RUN) request */
    uint64_t waited_until;
    uint64_t due;
    double t0;
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

/* The request path of a page: the same as ftx__list builds. */
static int build_path(fanout *f, slot *s)
{
    const ftx__list_spec *spec = &f->specs[s->list];
    char num[16];

    s->path.len = 0;
    if (s->path.ptr != NULL)
        s->path.ptr[0] = '\0';
    if (ftx__buf_puts(&s->path, spec->path) < 0)
        return -1;
    if (spec->extra_query != NULL && spec->extra_query[0] != '\0') {
        if (ftx__buf_puts(&s->path, strchr(spec->path, '?') ? "&" : "?") < 0 ||
            ftx__buf_puts(&s->path, spec->extra_query) < 0)
            return -1;
    }
    if (s->cursor != NULL && s->cursor[0] != '\0' &&
        ftx__query_add(&s->path, "cursor", s->cursor) < 0)
        return -1;
    if (f->limit > 0) {
        (void)snprintf(num, sizeof(num), "%d", f->limit);
        if (ftx__query_add(&s->path, "limit", num) < 0)
            return -1;
    }
    return 0;
}

static void request_of(const fanout *f, const slot *s, ftx__request *req)
{
    memset(req, 0, sizeof(*req));
    req->method = "GET";
    req->path = s->path.ptr;
    req->accept_v2 = f->specs[s->list].accept_v2;
}

/* Make `s` wait for the first (cursor NULL) or next page of its list. */
static int page_wait(fanout *f, slot *s, char *cursor)
{
    ftx__free(s->cursor);
    s->cursor = cursor;
    s->attempt = 1;
    s->waited_until = 0;
    s->due = 0;
    s->state = SLOT_WAIT;
    if (build_path(f, s) < 0) {
        fail_nomem(f);
        return -1;
    }
    return 0;
}

static void start(fanout *f, slot *s)
{
    ftx__request req;
    ftx_error e;
    CURL *easy;
    int rc;

    if (s->h == NULL && (s->h = ftx__handle_get(f->c)) == NULL) {
        fail_nomem(f);
        return;
    }
    request_of(f, s, &req);
    ftx_error_clear(&e);
    if ((rc = ftx__attempt_prepare(f->c, s->h, &req, 0, &e)) != FTX_OK) {
        e.attempts = s->attempt - 1;
        fail(f, rc, &e);
        return;
    }
    easy = ftx__handle_easy(s->h);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, (void *)s);
    if (curl_multi_add_handle(f->multi, easy) != CURLM_OK) {
        fail_nomem(f);
        return;
    }
    s->t0 = ftx__monotonic_ms();
    s->state = SLOT_RUN;
    f->running++;
    f->st.requests++;
    if (s->attempt > 1)
        f->st.retries++;
    if (f->running > f->st.peak_in_flight)
        f->st.peak_in_flight = f->running;
}

/* A 2xx body to a page: the envelope's data, then the items (as ftx__call_data and
 * ftx__list do). */
static int body_page(const ftx__list_spec *spec, const ftx__request *req, json_t *body, long status,
                     int attempt, ftx__page **out, ftx_error *err)
{
    json_t *data = NULL;
    ftx_error e2;
    int rc;

    *out = NULL;
    ftx_error_clear(&e2);
    if (body == NULL) {
        rc = ftx__error_set(err, FTX_ERR_DECODE,
                            "%s %s: %ld with an empty body; expected a JSON object with \"data\"",
                            req->method, req->path, status);
    } else {
        rc = ftx__envelope_data(body, &data, &e2);
        if (rc != FTX_OK)
            ftx__error_set(err, rc, "%s %s: %ld %s", req->method, req->path, status, e2.message);
    }
    if (rc != FTX_OK) {
        err->attempts = attempt;
        err->status = (int)status;
        return rc;
    }
    rc = ftx__page_parse(data, spec, out, err);
    json_decref(data);
    return rc;
}

/* Hand a page's items over, then move `s` to the next page or free it. */
static void deliver(fanout *f, slot *s, ftx__page *page)
{
    const ftx__list_spec *spec = &f->specs[s->list];
    char *next = NULL;
    ftx_error e;
    size_t i;
    int r;

    ftx_error_clear(&e);
    /* As a stream: a page answering its own cursor would loop forever. */
    if (page->next_cursor != NULL && s->cursor != NULL &&
        strcmp(page->next_cursor, s->cursor) == 0) {
        ftx__error_set(&e, FTX_ERR_DECODE,
                       "%s: the server answered cursor \"%.100s\" with the same next_cursor; "
                       "stopping instead of asking for the same page forever",
                       spec->path, s->cursor);
        fail(f, FTX_ERR_DECODE, &e);
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
    if (page->next_cursor == NULL) {
        f->st.lists_completed++;
        ftx__free(s->cursor);
        s->cursor = NULL;
        s->state = SLOT_FREE;
        return;
    }
    if ((next = ftx__strdup(page->next_cursor)) == NULL) {
        fail_nomem(f);
        return;
    }
    (void)page_wait(f, s, next);
}

/* A transfer of `s` ended with `cc`. */
static void finished(fanout *f, slot *s, CURLcode cc)
{
    const ftx__list_spec *spec = &f->specs[s->list];
    ftx__request req;
    ftx_request_info info;
    ftx_error e;
    ftx__page *page = NULL;
    json_t *body = NULL;
    uint64_t delay;
    long status = 0;
    int rc, klass;

    (void)curl_multi_remove_handle(f->multi, ftx__handle_easy(s->h));
    f->running--;
    s->state = SLOT_WAIT;
    request_of(f, s, &req);
    ftx_error_clear(&e);
    rc = ftx__attempt_finish(f->c, s->h, &req, 0, cc, &body, &klass, &status, &e);
    ftx__attempt_report(f->c, &req, status, s->t0, s->attempt, rc, &info);
    if (rc == FTX_OK) {
        rc = body_page(spec, &req, body, status, s->attempt, &page, &e);
        json_decref(body);
        if (rc != FTX_OK) {
            fail(f, rc, &e);
            return;
        }
        deliver(f, s, page);
        ftx__page_free(page, spec->free_item);
        return;
    }
    if (rc == FTX_ERR_NOMEM ||
        !ftx__retry_decide(f->c, 0, s->attempt, status, klass, &e, &info, &delay)) {
        e.attempts = s->attempt;
        fail(f, rc, &e);
        return;
    }
    s->due = ftx__now_ms(f->c) + delay;
    if (status == 429) {
        s->waited_until = s->due;
        ftx__client_pause_until(f->c, s->waited_until);
    }
    s->attempt++;
}

/* Bind free slots to the next lists; start every due slot the pause lets go.
 * Returns the earliest future due time (UINT64_MAX: none waiting). */
static uint64_t schedule(fanout *f)
{
    uint64_t now = ftx__now_ms(f->c), min_due = UINT64_MAX, until, left;
    ftx__request req;
    ftx_error e;
    int i, rc;

    for (i = 0; i < f->nslots && !f->stop; i++) {
        slot *s = &f->slots[i];

        if (s->state == SLOT_FREE && f->next_list < f->n) {
            s->list = f->next_list++;
            if (page_wait(f, s, NULL) < 0)
                break;
        }
        if (s->state != SLOT_WAIT)
            continue;
        if (s->due > now) {
            if (s->due < min_due)
                min_due = s->due;
            continue;
        }
        request_of(f, s, &req);
        ftx_error_clear(&e);
        rc = ftx__pause_check(f->c, &req, s->waited_until, &until, &left, &e);
        if (rc != FTX_OK) {
            e.attempts = s->attempt - 1;
            fail(f, rc, &e);
            break;
        }
        if (until != 0 && left > 0) {
            s->due = until;
            if (s->due < min_due)
                min_due = s->due;
            continue;
        }
        if (until != 0)
            s->waited_until = until;
        start(f, s);
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
        if (specs[i].path == NULL || specs[i].path[0] != '/' || specs[i].parse == NULL ||
            specs[i].free_item == NULL)
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
        slot *s = &f.slots[i];

        if (s->h != NULL) {
            CURL *easy = ftx__handle_easy(s->h);

            if (s->state == SLOT_RUN)
                (void)curl_multi_remove_handle(f.multi, easy);
            curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
            ftx__handle_put(c, s->h);
        }
        ftx__buf_dispose(&s->path);
        ftx__free(s->cursor);
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
