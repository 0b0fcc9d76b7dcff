/*
 * Responses ({code, message, data} and errors) and request validation: body fields read with
 * their types, secrets masked, deep merge.
 */
#include "store_int.h"

/* ---- responses ---- */
static void set_body(sbx_response *r, int status, json_t *j)
{
    r->status = status;
    free(r->body);
    r->body = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!r->body) {
        r->status = 500;
        r->body = sbx_strdup("{\"code\":\"InternalError\",\"message\":\"Out of memory\"}");
    }
}

void sbx_reply_error(sbx_response *r, int status, const char *code, const char *message)
{
    set_body(r, status, json_pack("{s:s,s:s}", "code", code, "message", message));
}

void sbx_reply_err(sbx_response *r, int status, const char *code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sbx_reply_error(r, status, code, msg);
}

/* data is stolen; message may be NULL */
void sbx_reply_data(sbx_response *r, int status, const char *message, json_t *data)
{
    json_t *j = json_object();
    json_object_set_new(j, "code", json_string("Success"));
    if (message)
        json_object_set_new(j, "message", json_string(message));
    if (data)
        json_object_set_new(j, "data", data);
    set_body(r, status, j);
}

void sbx_reply_msg(sbx_response *r, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sbx_reply_data(r, 200, msg, NULL);
}

void sbx_reply_errf(sbx_response *r, int status, const char *code, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sbx_reply_error(r, status, code, msg);
}

void sbx_reply_verr(sbx_response *r, const verr *e)
{
    sbx_reply_error(r, e->status, e->code, e->msg);
}

int sbx_is_method(const req *q, const char *m)
{
    return strcmp(q->method, m) == 0;
}

/* 405 unless the method is one of allowed ("GET, PATCH") */
int sbx_allow(req *q, const char *allowed)
{
    const char *p = allowed;
    size_t ml = strlen(q->method);
    while (*p) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == ml && strncmp(p, q->method, l) == 0)
            return 1;
        if (!e)
            break;
        p = e + 1;
        while (*p == ' ')
            p++;
    }
    q->r->allow = allowed;
    sbx_reply_err(q->r, 405, "MethodNotAllowed", "HTTP 405 Method Not Allowed");
    return 0;
}

/* field readers: 1 present and valid, 0 absent (or null), -1 invalid (e filled) */
int sbx_f_str(json_t *o, const char *k, const char **out, int required, verr *e)
{
    json_t *v = o ? json_object_get(o, k) : NULL;
    if (!v || json_is_null(v)) {
        if (required)
            FAIL(e, 400, "InvalidInput", "Field '%s' is required", k);
        return 0;
    }
    if (!json_is_string(v))
        FAIL(e, 400, "InvalidInput", "Field '%s' must be a string", k);
    if (required && !*json_string_value(v))
        FAIL(e, 400, "InvalidInput", "Field '%s' is required", k);
    *out = json_string_value(v);
    return 1;
}

int sbx_f_bool(json_t *o, const char *k, int *out, verr *e)
{
    json_t *v = o ? json_object_get(o, k) : NULL;
    if (!v || json_is_null(v))
        return 0;
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 1;
    }
    if (json_is_string(v) &&
        (strcmp(json_string_value(v), "true") == 0 || strcmp(json_string_value(v), "false") == 0)) {
        *out = strcmp(json_string_value(v), "true") == 0;
        return 1;
    }
    FAIL(e, 400, "InvalidInput", "Field '%s' must be a boolean", k);
}

int sbx_f_int(json_t *o, const char *k, long *out, verr *e)
{
    json_t *v = o ? json_object_get(o, k) : NULL;
    if (!v || json_is_null(v))
        return 0;
    if (json_is_integer(v)) {
        *out = (long)json_integer_value(v);
        return 1;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        long x = strtol(s, &end, 10);
        if (*s && !*end) {
            *out = x;
            return 1;
        }
    }
    FAIL(e, 400, "InvalidInput", "Field '%s' must be an integer", k);
}

int sbx_f_obj(json_t *o, const char *k, json_t **out, verr *e)
{
    json_t *v = o ? json_object_get(o, k) : NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_object(v))
        FAIL(e, 400, "InvalidInput", "Field '%s' must be an object", k);
    *out = v;
    return 1;
}

int sbx_f_enum(json_t *o, const char *k, const char *const *vals, size_t n, const char **out,
               verr *e)
{
    const char *s = NULL;
    int rc = sbx_f_str(o, k, &s, 0, e);
    if (rc <= 0)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, vals[i]) == 0) {
            *out = s;
            return 1;
        }
    FAIL(e, 400, "InvalidInput", "Invalid value '%s' for field '%s'", s, k);
}

/* ---- secrets ---- */
static int secret_key(const char *k)
{
    static const char *const pats[] = {"password", "secret",     "token",     "private_key",
                                       "api_key",  "access_key", "passphrase"};
    char low[128];
    size_t i = 0;
    for (; k[i] && i < sizeof(low) - 1; i++)
        low[i] = (char)tolower((unsigned char)k[i]);
    low[i] = '\0';
    for (size_t p = 0; p < sizeof(pats) / sizeof(pats[0]); p++)
        if (strstr(low, pats[p]))
            return 1;
    return 0;
}

json_t *sbx_masked(json_t *v)
{
    if (json_is_object(v)) {
        json_t *o = json_object();
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            if (secret_key(k) && (json_is_string(x) || json_is_number(x)))
                json_object_set_new(o, k, json_string("******"));
            else
                json_object_set_new(o, k, sbx_masked(x));
        }
        return o;
    }
    if (json_is_array(v)) {
        json_t *a = json_array();
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) json_array_append_new(a, sbx_masked(x));
        return a;
    }
    return json_deep_copy(v);
}

/* deep merge src into dst (objects merge, everything else replaces) */
void sbx_merge(json_t *dst, json_t *src)
{
    const char *k;
    json_t *v;
    json_object_foreach(src, k, v)
    {
        json_t *d = json_object_get(dst, k);
        if (json_is_object(d) && json_is_object(v))
            sbx_merge(d, v);
        else
            json_object_set_new(dst, k, json_deep_copy(v));
    }
}
