/* Webhook deliveries: a worker thread POSTs queued events, off the request threads. */
#include "sandbox.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

typedef struct job {
    struct job *next;
    char *url;
    char *secret;
    char *body;
} job;

static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_cond = PTHREAD_COND_INITIALIZER;
static job *q_head, *q_tail;
static int q_stop;
static int q_started;
static int q_verbose;
static pthread_t q_thread;
static int q_offline;

void sbx_deliver_set_offline(int offline)
{
    q_offline = offline;
}

static size_t sink(char *ptr, size_t size, size_t nmemb, void *ud)
{
    (void)ptr;
    (void)ud;
    return size * nmemb;
}

int sbx_deliver_now(const char *url, const char *secret, const char *body, long *status, char *msg,
                    size_t msglen)
{
    *status = 0;
    if (q_offline) {
        snprintf(msg, msglen, "deliveries are disabled");
        return 0;
    }
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(msg, msglen, "out of memory");
        return 0;
    }
    char sig[65];
    char sighdr[128];
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    hdrs = curl_slist_append(hdrs, "User-Agent: fivetrex-sandbox");
    if (secret && *secret) {
        sbx_hmac_hex(secret, body, strlen(body), sig);
        snprintf(sighdr, sizeof(sighdr), "X-Fivetran-Signature-256: %s", sig);
        hdrs = curl_slist_append(hdrs, sighdr);
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode rc = curl_easy_perform(h);
    int ok = 0;
    if (rc != CURLE_OK) {
        snprintf(msg, msglen, "%s", curl_easy_strerror(rc));
    } else {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
        ok = *status >= 200 && *status < 300;
        snprintf(msg, msglen, "%s", ok ? "Success" : "Endpoint answered with a non-2xx status");
    }
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    return ok;
}

static void *worker(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&q_lock);
        while (!q_head && !q_stop)
            pthread_cond_wait(&q_cond, &q_lock);
        job *j = q_head;
        if (!j) { /* stopping and drained */
            pthread_mutex_unlock(&q_lock);
            return NULL;
        }
        q_head = j->next;
        if (!q_head)
            q_tail = NULL;
        int stopping = q_stop;
        pthread_mutex_unlock(&q_lock);
        if (!stopping) {
            long status;
            char msg[256];
            sbx_deliver_now(j->url, j->secret, j->body, &status, msg, sizeof(msg));
            if (q_verbose)
                fprintf(stderr, "fivetrex-sandbox: delivery to %s: %ld %s\n", j->url, status, msg);
        }
        free(j->url);
        free(j->secret);
        free(j->body);
        free(j);
    }
}

int sbx_deliver_start(int verbose)
{
    q_verbose = verbose;
    q_stop = 0;
    if (pthread_create(&q_thread, NULL, worker, NULL) != 0)
        return -1;
    q_started = 1;
    return 0;
}

void sbx_deliver_stop(void)
{
    if (!q_started)
        return;
    pthread_mutex_lock(&q_lock);
    q_stop = 1;
    pthread_cond_broadcast(&q_cond);
    pthread_mutex_unlock(&q_lock);
    pthread_join(q_thread, NULL);
    q_started = 0;
}

void sbx_deliver_enqueue(const char *url, const char *secret, const char *body)
{
    if (q_offline)
        return;
    job *j = calloc(1, sizeof(*j));
    if (!j)
        return;
    j->url = sbx_strdup(url);
    j->secret = secret ? sbx_strdup(secret) : NULL;
    j->body = sbx_strdup(body);
    if (!j->url || !j->body || (secret && !j->secret)) {
        free(j->url);
        free(j->secret);
        free(j->body);
        free(j);
        return;
    }
    pthread_mutex_lock(&q_lock);
    if (q_tail)
        q_tail->next = j;
    else
        q_head = j;
    q_tail = j;
    pthread_cond_signal(&q_cond);
    pthread_mutex_unlock(&q_lock);
}
