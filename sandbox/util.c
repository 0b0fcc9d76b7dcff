/* Small helpers of the sandbox: time, randomness, ids, base64, HMAC, a hash map. */
#include "sandbox.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

int64_t sbx_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The sandbox clock: the wall clock plus an offset (moved by advances), or a fixed instant.
 * Guarded by its own mutex: HTTP threads, the ticker and the admin endpoints read it. */
static pthread_mutex_t clock_lock = PTHREAD_MUTEX_INITIALIZER;
static int clock_fixed;
static int64_t clock_at;     /* fixed: the instant */
static int64_t clock_offset; /* real: added to the wall clock */

int64_t sbx_now_ms(void)
{
    pthread_mutex_lock(&clock_lock);
    int64_t t = clock_fixed ? clock_at : sbx_wall_ms() + clock_offset;
    pthread_mutex_unlock(&clock_lock);
    return t;
}

int sbx_clock_is_fixed(void)
{
    pthread_mutex_lock(&clock_lock);
    int f = clock_fixed;
    pthread_mutex_unlock(&clock_lock);
    return f;
}

void sbx_clock_fix(int64_t ms)
{
    pthread_mutex_lock(&clock_lock);
    clock_fixed = 1;
    clock_at = ms;
    clock_offset = 0;
    pthread_mutex_unlock(&clock_lock);
}

void sbx_clock_advance(int64_t ms)
{
    pthread_mutex_lock(&clock_lock);
    if (clock_fixed)
        clock_at += ms;
    else
        clock_offset += ms;
    pthread_mutex_unlock(&clock_lock);
}

void sbx_clock_real(void)
{
    pthread_mutex_lock(&clock_lock);
    clock_fixed = 0;
    clock_at = clock_offset = 0;
    pthread_mutex_unlock(&clock_lock);
}

void sbx_fmt_ts(int64_t ms, char out[32])
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ms % 1000));
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

int sbx_parse_ts(const char *s, int64_t *ms)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    if (!s || strlen(s) < sizeof(shape) - 1)
        return -1;
    for (size_t i = 0; i < sizeof(shape) - 1; i++)
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
            return -1;
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2), h = digits(s + 11, 2),
        mi = digits(s + 14, 2), se = digits(s + 17, 2);
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || se > 60)
        return -1;
    const char *p = s + sizeof(shape) - 1;
    int frac = 0;
    if (*p == '.') {
        int nd = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, nd++)
            if (nd < 3)
                frac = frac * 10 + (*p - '0');
        if (!nd)
            return -1;
        for (; nd < 3; nd++)
            frac *= 10;
    }
    int64_t off = 0;
    if ((*p == 'Z' || *p == 'z') && !p[1]) {
        off = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' && p[1] >= '0' &&
               p[1] <= '9' && p[2] >= '0' && p[2] <= '9' && p[4] >= '0' && p[4] <= '5' &&
               p[5] >= '0' && p[5] <= '9') {
        off = ((p[1] - '0') * 10 + (p[2] - '0')) * 60 + (p[4] - '0') * 10 + (p[5] - '0');
        if (off > 23 * 60 + 59)
            return -1;
        off *= (*p == '+' ? 1 : -1) * 60000;
    } else {
        return -1;
    }
    int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    *ms = ((days * 24 + h) * 60 + mi) * 60000 + (int64_t)(se > 59 ? 59 : se) * 1000 + frac - off;
    return 0;
}

uint64_t sbx_rand_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

double sbx_rand_unit(uint64_t *state)
{
    return (double)(sbx_rand_next(state) >> 11) / 9007199254740992.0;
}

void sbx_uuid(uint64_t *state, char out[37])
{
    uint64_t a = sbx_rand_next(state), b = sbx_rand_next(state);
    a = (a & 0xFFFFFFFFFFFF0FFFULL) | 0x4000ULL;
    b = (b & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
    snprintf(out, 37, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(a >> 32),
             (unsigned)((a >> 16) & 0xFFFF), (unsigned)(a & 0xFFFF), (unsigned)(b >> 48),
             (unsigned long long)(b & 0xFFFFFFFFFFFFULL));
}

/* 128 lowercase words: ids are two of them joined by '_' (three for synthetic ones). */
static const char *const words[128] = {
    "decent",    "dropsy",    "speak",     "inexpensive", "program", "quoth",   "lumber",
    "tomato",    "projected", "sickle",    "assimilate",  "seem",    "deck",    "enjoy",
    "mystified", "presiding", "nostalgic", "cumin",       "upriver", "avoid",   "amber",
    "anchor",    "apricot",   "arbor",     "aspen",       "autumn",  "badger",  "bamboo",
    "barley",    "basil",     "beacon",    "birch",       "bison",   "blossom", "bramble",
    "breezy",    "brisk",     "bronze",    "cabin",       "cactus",  "canyon",  "cedar",
    "chalk",     "cherry",    "cinder",    "clover",      "cobalt",  "comet",   "copper",
    "coral",     "cosmic",    "cotton",    "crimson",     "crystal", "dapper",  "dawn",
    "delta",     "dune",      "eager",     "ember",       "emerald", "fable",   "falcon",
    "fennel",    "fern",      "fjord",     "flint",       "frost",   "gentle",  "glacier",
    "granite",   "gravel",    "harbor",    "hazel",       "heron",   "hollow",  "humble",
    "indigo",    "iris",      "ivory",     "jade",        "jasper",  "jolly",   "juniper",
    "kettle",    "lagoon",    "lantern",   "lavender",    "lemon",   "linen",   "lively",
    "lotus",     "lunar",     "maple",     "marble",      "meadow",  "mellow",  "mint",
    "misty",     "mossy",     "nimble",    "nutmeg",      "oasis",   "olive",   "onyx",
    "orchid",    "pebble",    "pepper",    "pine",        "plum",    "polar",   "quartz",
    "quiet",     "raven",     "ripple",    "rustic",      "saffron", "sage",    "sapphire",
    "shadow",    "silver",    "sparrow",   "spruce",      "summit",  "thistle", "timber",
    "velvet",    "willow",
};

size_t sbx_word_count(void)
{
    return sizeof(words) / sizeof(words[0]);
}

const char *sbx_word(size_t i)
{
    return words[i % sbx_word_count()];
}

long sbx_word_index(const char *w, size_t len)
{
    for (size_t i = 0; i < sbx_word_count(); i++)
        if (strlen(words[i]) == len && memcmp(words[i], w, len) == 0)
            return (long)i;
    return -1;
}

static const char b64std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *b64_encode(const unsigned char *in, size_t len, const char *alpha, int pad)
{
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    if (!out)
        return NULL;
    size_t o = 0, i = 0;
    for (; i + 2 < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = alpha[v >> 18];
        out[o++] = alpha[(v >> 12) & 63];
        out[o++] = alpha[(v >> 6) & 63];
        out[o++] = alpha[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0);
        out[o++] = alpha[v >> 18];
        out[o++] = alpha[(v >> 12) & 63];
        if (i + 1 < len)
            out[o++] = alpha[(v >> 6) & 63];
        else if (pad)
            out[o++] = '=';
        if (pad)
            out[o++] = '=';
    }
    out[o] = '\0';
    return out;
}

char *sbx_b64url_encode(const unsigned char *in, size_t len)
{
    return b64_encode(in, len, b64url, 0);
}

char *sbx_b64_encode(const unsigned char *in, size_t len)
{
    return b64_encode(in, len, b64std, 1);
}

unsigned char *sbx_b64url_decode(const char *in, size_t *out_len)
{
    size_t len = strlen(in);
    while (len && in[len - 1] == '=')
        len--;
    if (len % 4 == 1)
        return NULL;
    unsigned char *out = malloc(len * 3 / 4 + 1);
    if (!out)
        return NULL;
    uint32_t acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        const char *p = strchr(b64url, in[i]);
        if (!p || !in[i]) {
            p = strchr(b64std, in[i]);
            if (!p || !in[i]) {
                free(out);
                return NULL;
            }
            p = b64url + (p - b64std);
        }
        acc = (acc << 6) | (uint32_t)(p - b64url);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)((acc >> bits) & 0xFF);
        }
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

void sbx_hmac_hex(const char *secret, const char *body, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)body, len, md, &mdlen);
    static const char hex[] = "0123456789ABCDEF";
    for (unsigned i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *sbx_pct_decode(const char *s, size_t len, int plus_is_space)
{
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            out[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else if (plus_is_space && s[i] == '+') {
            out[o++] = ' ';
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

char *sbx_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

char *sbx_printf(const char *fmt, ...)
{
    va_list ap, aq;
    va_start(ap, fmt);
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, aq);
    va_end(aq);
    return s;
}

/* ---- hash map ---- */
static const char tomb[] = "";

static size_t hash_str(const char *k)
{
    size_t h = 1469598103934665603ULL;
    for (; *k; k++)
        h = (h ^ (unsigned char)*k) * 1099511628211ULL;
    return h;
}

void *sbx_map_get(const sbx_map *m, const char *k)
{
    if (!m->cap || !k)
        return NULL;
    size_t i = hash_str(k) & (m->cap - 1);
    for (;;) {
        const sbx_map_slot *s = &m->slots[i];
        if (!s->k)
            return NULL;
        if (s->k != tomb && strcmp(s->k, k) == 0)
            return s->v;
        i = (i + 1) & (m->cap - 1);
    }
}

static int map_grow(sbx_map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 64;
    while (m->len * 2 >= ncap)
        ncap *= 2;
    sbx_map_slot *ns = calloc(ncap, sizeof(*ns));
    if (!ns)
        return -1;
    for (size_t j = 0; j < m->cap; j++) {
        sbx_map_slot *s = &m->slots[j];
        if (!s->k || s->k == tomb)
            continue;
        size_t i = hash_str(s->k) & (ncap - 1);
        while (ns[i].k)
            i = (i + 1) & (ncap - 1);
        ns[i] = *s;
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    m->used = m->len;
    return 0;
}

int sbx_map_put(sbx_map *m, const char *k, void *v)
{
    sbx_map_slot *found = NULL;
    if (m->cap) {
        size_t j = hash_str(k) & (m->cap - 1);
        for (; m->slots[j].k; j = (j + 1) & (m->cap - 1))
            if (m->slots[j].k != tomb && strcmp(m->slots[j].k, k) == 0) {
                found = &m->slots[j];
                break;
            }
    }
    if (found) {
        found->k = k;
        found->v = v;
        return 0;
    }
    if ((m->used + 1) * 2 >= m->cap && map_grow(m) != 0)
        return -1;
    size_t i = hash_str(k) & (m->cap - 1);
    for (;;) {
        sbx_map_slot *s = &m->slots[i];
        if (!s->k || s->k == tomb) {
            if (!s->k)
                m->used++;
            s->k = k;
            s->v = v;
            m->len++;
            return 0;
        }
        if (strcmp(s->k, k) == 0) {
            s->k = k;
            s->v = v;
            return 0;
        }
        i = (i + 1) & (m->cap - 1);
    }
}

void sbx_map_del(sbx_map *m, const char *k)
{
    if (!m->cap)
        return;
    size_t i = hash_str(k) & (m->cap - 1);
    for (;;) {
        sbx_map_slot *s = &m->slots[i];
        if (!s->k)
            return;
        if (s->k != tomb && strcmp(s->k, k) == 0) {
            s->k = tomb;
            s->v = NULL;
            m->len--;
            return;
        }
        i = (i + 1) & (m->cap - 1);
    }
}

void sbx_map_free(sbx_map *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->used = m->len = 0;
}
