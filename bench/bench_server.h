/*
 * A fixed-response HTTP server for the benchmarks (libmicrohttpd, 127.0.0.1, ephemeral
 * port, one thread per connection). Header-only so every bench_*.c can include it.
 *
 * Unlike tests/support/mock_server it neither queues nor records requests: every
 * request gets the same prepared answer (chosen by path prefix), so a million calls cost
 * the server no memory. It counts requests, TCP connections accepted and the peak
 * number of requests in progress at once.
 */
#ifndef FTX_BENCH_SERVER_H
#define FTX_BENCH_SERVER_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* A realistic GET /connections/{id} response (the connector fixture of the unit tests). */
static const char BS_CONNECTOR_BODY[] =
    "{\"code\":\"Success\",\"data\":{"
    "\"id\":\"speak_inexpensive\",\"group_id\":\"projected_sickle\",\"service\":\"criteo\","
    "\"service_version\":3,\"schema\":\"criteo\",\"connected_by\":\"interment_burdensome\","
    "\"created_at\":\"2018-12-01T15:43:29.013729Z\",\"succeeded_at\":\"2024-12-01T15:43:29."
    "013729Z\",\"failed_at\":\"2024-11-30T08:00:00Z\",\"paused\":false,\"pause_after_trial\":"
    "true,\"sync_frequency\":1440,\"daily_sync_time\":\"03:00\",\"schedule_type\":\"auto\","
    "\"networking_method\":\"Directly\",\"private_link_id\":null,\"proxy_agent_id\":null,"
    "\"hybrid_deployment_agent_id\":null,\"data_delay_sensitivity\":\"NORMAL\","
    "\"data_delay_threshold\":0,\"status\":{\"setup_state\":\"broken\",\"sync_state\":"
    "\"rescheduled\",\"update_state\":\"delayed\",\"is_historical_sync\":true,"
    "\"schema_status\":\"ready\",\"rescheduled_for\":\"2024-12-02T00:00:00Z\",\"tasks\":[{"
    "\"code\":\"reconnect\",\"message\":\"Reconnect\",\"details\":\"OAuth token expired\"}],"
    "\"warnings\":[{\"code\":\"resync_table_warning\",\"message\":\"Resync Table Warning\","
    "\"details\":\"Table users needs a resync\"},{\"code\":"
    "\"snowflake_discontinuing_password_auth\",\"message\":\"Snowflake is discontinuing "
    "password authentication\"}]},\"source_sync_details\":{},\"config\":{\"username\":"
    "\"myuser\",\"password\":\"******\",\"api_token\":\"******\"},\"connect_card\":{\"token\":"
    "\"eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.e30.sig\",\"uri\":\"https://fivetran.com/"
    "connect-card/setup?auth=eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.e30.sig\"}}}";

/* A realistic GET /groups/{id} response. */
static const char BS_GROUP_BODY[] =
    "{\"code\":\"Success\",\"data\":{\"id\":\"decent_dropsy\",\"name\":\"Primary_Snowflake\","
    "\"created_at\":\"2020-05-25T15:26:47.306509Z\"}}";

/* A realistic GET /users/{id} response (a generated model, decoded by the descriptor
 * interpreter; the fields of the definition's user). */
static const char BS_USER_BODY[] =
    "{\"code\":\"Success\",\"data\":{\"id\":\"nostalgia_borrow\",\"email\":"
    "\"john@mycompany.com\",\"given_name\":\"John\",\"family_name\":\"White\","
    "\"verified\":true,\"invited\":false,\"picture\":null,\"phone\":\"+1 555 0100\","
    "\"role\":\"Account Administrator\",\"active\":true,\"logged_in_at\":"
    "\"2024-01-09T13:23:08.930Z\",\"created_at\":\"2023-01-09T13:23:08.930Z\"}}";

typedef struct bench_server {
    struct MHD_Daemon *daemon;
    struct MHD_Response *connector;
    struct MHD_Response *group;
    struct MHD_Response *user;
    char url[64];
    unsigned delay_ms; /* added to every answer */
    int close_each;    /* answer with "Connection: close" */
    pthread_mutex_t lock;
    unsigned long requests;
    unsigned long connections;
    int in_flight;
    int peak_in_flight;
} bench_server;

static inline void bs_sleep_ms(unsigned ms)
{
    struct timespec ts;

    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static inline void bs_on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                                    enum MHD_ConnectionNotificationCode toe)
{
    bench_server *s = cls;

    (void)conn;
    (void)socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        pthread_mutex_lock(&s->lock);
        s->connections++;
        pthread_mutex_unlock(&s->lock);
    }
}

static inline enum MHD_Result bs_on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                            const char *method, const char *version,
                                            const char *upload_data, size_t *upload_data_size,
                                            void **con_cls)
{
    static int marker;
    bench_server *s = cls;
    struct MHD_Response *r;
    enum MHD_Result ret;

    (void)method;
    (void)version;
    (void)upload_data;
    if (*con_cls == NULL) {
        *con_cls = &marker;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&s->lock);
    s->requests++;
    s->in_flight++;
    if (s->in_flight > s->peak_in_flight)
        s->peak_in_flight = s->in_flight;
    pthread_mutex_unlock(&s->lock);
    if (s->delay_ms > 0)
        bs_sleep_ms(s->delay_ms);
    r = strncmp(url, "/v1/groups", 10) == 0 ? s->group
        : strncmp(url, "/v1/users", 9) == 0 ? s->user
                                            : s->connector;
    ret = MHD_queue_response(conn, 200, r);
    pthread_mutex_lock(&s->lock);
    s->in_flight--;
    pthread_mutex_unlock(&s->lock);
    return ret;
}

static inline struct MHD_Response *bs_response(const char *body, int close_each)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)(uintptr_t)body,
                                                             MHD_RESPMEM_PERSISTENT);

    if (r == NULL)
        return NULL;
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "X-Rate-Limit", "1000");
    MHD_add_response_header(r, "X-Rate-Limit-Remaining", "999");
    if (close_each)
        MHD_add_response_header(r, "Connection", "close");
    return r;
}

static inline void bench_server_stop(bench_server *s)
{
    if (s == NULL)
        return;
    if (s->daemon != NULL)
        MHD_stop_daemon(s->daemon);
    if (s->connector != NULL)
        MHD_destroy_response(s->connector);
    if (s->group != NULL)
        MHD_destroy_response(s->group);
    if (s->user != NULL)
        MHD_destroy_response(s->user);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* Start; NULL on failure. */
static inline bench_server *bench_server_start(unsigned delay_ms, int close_each)
{
    bench_server *s = calloc(1, sizeof(*s));
    struct sockaddr_in addr;
    const union MHD_DaemonInfo *info;

    if (s == NULL)
        return NULL;
    pthread_mutex_init(&s->lock, NULL);
    s->delay_ms = delay_ms;
    s->close_each = close_each;
    s->connector = bs_response(BS_CONNECTOR_BODY, close_each);
    s->group = bs_response(BS_GROUP_BODY, close_each);
    s->user = bs_response(BS_USER_BODY, close_each);
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s->connector != NULL && s->group != NULL && s->user != NULL)
        s->daemon = MHD_start_daemon(
            MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL, NULL,
            bs_on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
            MHD_OPTION_NOTIFY_CONNECTION, bs_on_connection, s, MHD_OPTION_CONNECTION_TIMEOUT,
            (unsigned int)120, MHD_OPTION_END);
    if (s->daemon == NULL) {
        bench_server_stop(s);
        return NULL;
    }
    info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    (void)snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%u/v1",
                   info != NULL ? (unsigned)info->port : 0u);
    return s;
}

static inline void bench_server_counts(bench_server *s, unsigned long *requests,
                                       unsigned long *connections, int *peak)
{
    pthread_mutex_lock(&s->lock);
    if (requests != NULL)
        *requests = s->requests;
    if (connections != NULL)
        *connections = s->connections;
    if (peak != NULL)
        *peak = s->peak_in_flight;
    pthread_mutex_unlock(&s->lock);
}

static inline void bench_server_reset(bench_server *s)
{
    pthread_mutex_lock(&s->lock);
    s->requests = 0;
    s->connections = 0;
    s->peak_in_flight = 0;
    pthread_mutex_unlock(&s->lock);
}

/* Wall clock in seconds (CLOCK_MONOTONIC). */
static inline double bs_now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
