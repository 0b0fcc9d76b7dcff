/*
 * Tolerant JSON readers for the models, ISO-8601 timestamps and the response
 * envelope. Per fivetran-api.md's tolerance rule: unknown fields are ignored,
 * missing optional fields and `null` give the default, never an error.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

char *ftx__strdup_ctx(ftx__jctx *ctx, const char *s)
{
    char *copy;

    if (s == NULL)
        return NULL;
    copy = ftx__strdup(s);
    if (copy == NULL && ctx != NULL)
        ctx->oom = 1;
    return copy;
}

static const json_t *jget(const json_t *obj, const char *key)
{
    if (obj == NULL || key == NULL || !json_is_object(obj))
        return NULL;
    return json_object_get(obj, key);
}

char *ftx__jstr(ftx__jctx *ctx, const json_t *obj, const char *key)
{
    return ftx__vstr(ctx, jget(obj, key));
}

char *ftx__vstr(ftx__jctx *ctx, const json_t *v)
{
    char num[64];

    if (json_is_string(v))
        return ftx__strdup_ctx(ctx, json_string_value(v));
    if (json_is_integer(v)) {
        (void)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return ftx__strdup_ctx(ctx, num);
    }
    if (json_is_real(v)) {
        (void)snprintf(num, sizeof(num), "%.17g", json_real_value(v));
        return ftx__strdup_ctx(ctx, num);
    }
    return NULL;
}

int ftx__jbool(const json_t *obj, const char *key, int dflt)
{
    return ftx__vbool(jget(obj, key), dflt);
}

int ftx__vbool(const json_t *v, int dflt)
{
    if (json_is_boolean(v))
        return json_is_true(v);
    if (json_is_string(v)) {
        if (strcasecmp(json_string_value(v), "true") == 0)
            return 1;
        if (strcasecmp(json_string_value(v), "false") == 0)
            return 0;
    }
    return dflt;
}

long long ftx__jint(const json_t *obj, const char *key, long long dflt)
{
    return ftx__vint(jget(obj, key), dflt);
}

long long ftx__vint(const json_t *v, long long dflt)
{
    if (json_is_integer(v))
        return (long long)json_integer_value(v);
    if (json_is_real(v)) {
        double d = json_real_value(v);

        if (isfinite(d) && d >= -9.2e18 && d <= 9.2e18)
            return (long long)d;
        return dflt;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end = NULL;
        long long n;

        if (s[0] == '\0')
            return dflt;
        errno = 0;
        n = strtoll(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0')
            return dflt;
        return n;
    }
    return dflt;
}

void ftx__jtime(ftx__jctx *ctx, const json_t *obj, const char *key, ftx_time *out)
{
    ftx__vtime(ctx, jget(obj, key), out);
}

void ftx__vtime(ftx__jctx *ctx, const json_t *v, ftx_time *out)
{
    int64_t ms = 0;

    if (out == NULL)
        return;
    out->iso = NULL;
    out->epoch_ms = 0;
    out->valid = 0;
    if (!json_is_string(v))
        return;
    out->iso = ftx__strdup_ctx(ctx, json_string_value(v));
    if (out->iso != NULL && ftx_time_parse(out->iso, &ms) == 0) {
        out->epoch_ms = ms;
        out->valid = 1;
    }
}

json_t *ftx__jref(const json_t *obj, const char *key)
{
    const json_t *v = jget(obj, key);

    if (v == NULL || json_is_null(v))
        return NULL;
    /* json_incref takes a non-const pointer; the reference is shared, not written. */
    return json_incref((json_t *)(uintptr_t)v);
}

void ftx__time_dup(ftx__jctx *ctx, ftx_time *dst, const ftx_time *src)
{
    if (dst == NULL)
        return;
    if (src == NULL) {
        dst->iso = NULL;
        dst->epoch_ms = 0;
        dst->valid = 0;
        return;
    }
    dst->iso = ftx__strdup_ctx(ctx, src->iso);
    dst->epoch_ms = src->epoch_ms;
    dst->valid = src->valid;
}

void ftx__time_dispose(ftx_time *t)
{
    if (t == NULL)
        return;
    ftx__free(t->iso);
    t->iso = NULL;
    t->epoch_ms = 0;
    t->valid = 0;
}

char **ftx__jstrv(ftx__jctx *ctx, const json_t *obj, const char *key, size_t *count)
{
    return ftx__vstrv(ctx, jget(obj, key), count);
}

char **ftx__vstrv(ftx__jctx *ctx, const json_t *v, size_t *count)
{
    size_t i, n = 0;
    char **out;

    if (count != NULL)
        *count = 0;
    if (!json_is_array(v))
        return NULL;
    out = ftx__calloc(json_array_size(v) + 1, sizeof(char *));
    if (out == NULL) {
        if (ctx != NULL)
            ctx->oom = 1;
        return NULL;
    }
    for (i = 0; i < json_array_size(v); i++) {
        const json_t *el = json_array_get(v, i);

        /* Tolerant: elements that are not strings are skipped. */
        if (!json_is_string(el))
            continue;
        out[n] = ftx__strdup(json_string_value(el));
        if (out[n] == NULL) {
            if (ctx != NULL)
                ctx->oom = 1;
            ftx__strv_free(out);
            return NULL;
        }
        n++;
    }
    if (count != NULL)
        *count = n;
    return out;
}

char **ftx__strv_dup(ftx__jctx *ctx, char *const *v, size_t count)
{
    char **out;
    size_t i;

    if (v == NULL)
        return NULL;
    out = ftx__calloc(count + 1, sizeof(char *));
    if (out == NULL) {
        if (ctx != NULL)
            ctx->oom = 1;
        return NULL;
    }
    for (i = 0; i < count && v[i] != NULL; i++) {
        out[i] = ftx__strdup(v[i]);
        if (out[i] == NULL) {
            if (ctx != NULL)
                ctx->oom = 1;
            ftx__strv_free(out);
            return NULL;
        }
    }
    return out;
}

void ftx__strv_free(char **v)
{
    size_t i;

    if (v == NULL)
        return;
    for (i = 0; v[i] != NULL; i++)
        ftx__free(v[i]);
    ftx__free(v);
}

/* ---- ISO-8601 ---- */

static int digits(const char **p, int n, int *out)
{
    int i, v = 0;

    for (i = 0; i < n; i++) {
        char ch = (*p)[i];

        if (ch < '0' || ch > '9')
            return -1;
        v = v * 10 + (ch - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int y, int m, int d)
{
    int64_t yy = m <= 2 ? y - 1 : y;
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

int ftx_time_parse(const char *iso, int64_t *epoch_ms)
{
    const char *p = iso;
    int year, mon, day, hour = 0, min = 0, sec = 0, ms = 0, off_min = 0;

    if (iso == NULL)
        return -1;
    if (digits(&p, 4, &year) < 0 || *p++ != '-' || digits(&p, 2, &mon) < 0 || *p++ != '-' ||
        digits(&p, 2, &day) < 0)
        return -1;
    if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon))
        return -1;
    if (*p == 'T' || *p == 't' || (*p == ' ' && p[1] != '\0')) {
        p++;
        if (digits(&p, 2, &hour) < 0 || *p++ != ':' || digits(&p, 2, &min) < 0)
            return -1;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &sec) < 0)
                return -1;
            if (*p == '.' || *p == ',') {
                int n = 0, scale = 100;

                p++;
                while (*p >= '0' && *p <= '9') {
                    if (n < 3) {
                        ms += (*p - '0') * scale;
                        scale /= 10;
                    }
                    n++;
                    p++;
                }
                if (n < 1 || n > 9)
                    return -1;
            }
        }
        if (hour > 23 || min > 59 || sec > 60)
            return -1;
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p == '-' ? -1 : 1, oh, om = 0;

            p++;
            if (digits(&p, 2, &oh) < 0)
                return -1;
            if (*p == ':')
                p++;
            if (*p != '\0' && digits(&p, 2, &om) < 0)
                return -1;
            if (oh > 23 || om > 59)
                return -1;
            off_min = sign * (oh * 60 + om);
        }
        /* No zone at all: taken as UTC (tolerance). */
    }
    if (*p != '\0')
        return -1;
    if (epoch_ms != NULL) {
        int64_t secs = days_from_civil(year, mon, day) * 86400 + (int64_t)hour * 3600 +
                       (int64_t)min * 60 + sec - (int64_t)off_min * 60;

        *epoch_ms = secs * 1000 + ms;
    }
    return 0;
}

/* ---- envelope ---- */

int ftx__envelope_data(json_t *body, json_t **out_data, ftx_error *err)
{
    json_t *data;

    if (out_data == NULL)
        return ftx__error_set(err, FTX_ERR_INVALID_ARGUMENT, "out_data must not be NULL");
    *out_data = NULL;
    if (!json_is_object(body))
        return ftx__error_set(err, FTX_ERR_DECODE, "response body is not a JSON object");
    data = json_object_get(body, "data");
    if (data == NULL) {
        /* A few endpoints document the bare object; an envelope without data is not it. */
        if (json_object_get(body, "code") != NULL)
            return ftx__error_set(err, FTX_ERR_DECODE, "response has no \"data\" object");
        *out_data = json_incref(body);
        return FTX_OK;
    }
    if (!json_is_object(data))
        return ftx__error_set(err, FTX_ERR_DECODE, "response \"data\" is not a JSON object");
    *out_data = json_incref(data);
    return FTX_OK;
}
