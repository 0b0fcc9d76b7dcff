/*
 * Replay driver for the fuzz targets when libFuzzer is not available: runs
 * LLVMFuzzerTestOneInput over every regular file in the directories (or files)
 * given on the command line, then over a few hundred deterministic mutations of
 * them, so ctest exercises every target under the sanitizers on any compiler.
 */
#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT  (1u << 20)
#define MUTATIONS  400
#define MAX_INPUTS 4096

typedef struct input {
    uint8_t *data;
    size_t len;
} input;

static input inputs[MAX_INPUTS];
static size_t ninputs;

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
    /* xorshift64*: deterministic across runs and platforms */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static void run_one(const uint8_t *data, size_t len)
{
    /* Copy into an exact-size heap buffer so ASan catches any over-read. */
    uint8_t *copy = malloc(len ? len : 1);

    if (copy == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    if (len)
        memcpy(copy, data, len);
    LLVMFuzzerTestOneInput(copy, len);
    free(copy);
}

static int load_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    size_t n;

    if (f == NULL) {
        fprintf(stderr, "cannot open %s\n", path);
        return -1;
    }
    buf = malloc(MAX_INPUT);
    if (buf == NULL) {
        fclose(f);
        return -1;
    }
    n = fread(buf, 1, MAX_INPUT, f);
    fclose(f);
    run_one(buf, n);
    if (ninputs < MAX_INPUTS) {
        inputs[ninputs].data = buf;
        inputs[ninputs].len = n;
        ninputs++;
    } else {
        free(buf);
    }
    return 0;
}

static int load_path(const char *path)
{
    struct stat st;
    DIR *dir;
    struct dirent *de;
    int rc = 0;

    if (stat(path, &st) != 0) {
        fprintf(stderr, "cannot stat %s\n", path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return load_file(path);
    dir = opendir(path);
    if (dir == NULL) {
        fprintf(stderr, "cannot open directory %s\n", path);
        return -1;
    }
    while ((de = readdir(dir)) != NULL) {
        char full[4096];
        struct stat fst;
        if (de->d_name[0] == '.')
            continue;
        if ((size_t)snprintf(full, sizeof(full), "%s/%s", path, de->d_name) >= sizeof(full))
            continue;
        if (stat(full, &fst) == 0 && S_ISREG(fst.st_mode) && load_file(full) != 0)
            rc = -1;
    }
    closedir(dir);
    return rc;
}

static void mutate_and_run(void)
{
    static const char *tokens[] = {
        "{",        "}",       "[",   "]",  "\"",    ":",        ",",         "null",
        "true",     "false",   "0",   "-1", "1e999", "\"data\"", "\"items\"", "\"next_cursor\"",
        "\"code\"", "\\u0000", "\xff"};
    uint8_t *buf = malloc(MAX_INPUT + 64);
    size_t i;

    if (buf == NULL)
        return;
    for (i = 0; i < MUTATIONS; i++) {
        size_t len = 0, k, edits;
        if (ninputs > 0) {
            const input *in = &inputs[rng() % ninputs];
            len = in->len;
            memcpy(buf, in->data, len);
        }
        edits = 1 + (size_t)(rng() % 8);
        for (k = 0; k < edits; k++) {
            size_t pos = len ? (size_t)(rng() % len) : 0;
            switch (rng() % 5) {
            case 0: /* flip a byte */
                if (len)
                    buf[pos] = (uint8_t)rng();
                break;
            case 1: /* truncate */
                len = pos;
                break;
            case 2: /* delete a span */
                if (len) {
                    size_t span = (size_t)(rng() % (len - pos)) + 1;
                    memmove(buf + pos, buf + pos + span, len - pos - span);
                    len -= span;
                }
                break;
            case 3: { /* insert a token */
                const char *t = tokens[rng() % (sizeof(tokens) / sizeof(tokens[0]))];
                size_t tl = strlen(t);
                if (len + tl <= MAX_INPUT) {
                    memmove(buf + pos + tl, buf + pos, len - pos);
                    memcpy(buf + pos, t, tl);
                    len += tl;
                }
                break;
            }
            default: /* duplicate a span */
                if (len && len * 2 <= MAX_INPUT) {
                    size_t span = (size_t)(rng() % (len - pos)) + 1;
                    memmove(buf + pos + span, buf + pos, len - pos);
                    len += span;
                }
                break;
            }
        }
        run_one(buf, len);
    }
    free(buf);
}

int main(int argc, char **argv)
{
    int i, rc = 0;
    size_t k;

    run_one((const uint8_t *)"", 0);
    for (i = 1; i < argc; i++) {
        if (argv[i][0] == '-')
            continue; /* tolerate libFuzzer-style flags */
        if (load_path(argv[i]) != 0)
            rc = 1;
    }
    mutate_and_run();
    printf("replayed %zu inputs and %d mutations\n", ninputs, MUTATIONS);
    for (k = 0; k < ninputs; k++)
        free(inputs[k].data);
    return rc;
}
