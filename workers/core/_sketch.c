/* workers.core._sketch: the tokenise-and-hash step of workers/core/fingerprint.py in C, and the dedup index's
 * sketch packing and comparison (end of this file).
 *
 * Bit-identical to fingerprint._analyse_numpy (the reference, and the fallback when this module is not built):
 * for the text lower-cased and UTF-8 encoded (see below), characters that are not word characters (str.isalnum() or "_")
 * separate tokens; each token hashes to sum(BYTE_HASH[byte_j] * P**j) mod 2**64; each run of k consecutive token
 * hashes to sum(th[i+j] * MIX[j]) mod 2**64, top HASH_BITS bits (one value from all tokens when there are fewer than
 * k); the sketch is the `size` smallest distinct values, ascending. The byte-hash table and the constants are given
 * once by fingerprint.py (init()), so they live in one place.
 *
 * The text comes as an ASCII str (lower-cased here exactly like str.lower(): A-Z to a-z, which saves two copies) or
 * as bytes: text.lower().encode("utf-8") for any other text. Bytes must be valid UTF-8 (what str.encode gives);
 * invalid bytes do not crash but are not guaranteed to tokenise like the numpy path.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define MAX_K 8

static uint64_t byte_hash[256];
static uint64_t mix[MAX_K];
static int n_mix = 0;
static uint64_t base_p = 0;
static int drop = 0;
static int ready = 0;
static unsigned char ascii_word[128];
static unsigned char ascii_map[128]; /* the byte for a word character, else a space */
static unsigned char ascii_map_lower[128]; /* the same, lower-cased (A-Z: a-z, as str.lower() on ASCII) */
static int ascii_ranges = 0;         /* ASCII word characters are exactly [0-9A-Za-z_] (checked at import) */
static unsigned char bmp_word[0x10000 / 8]; /* bit set: code point is a word character */

static inline void store_le32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); p[2] = (unsigned char)(v >> 16); p[3] = (unsigned char)(v >> 24);
}

static inline int is_word_cp(uint32_t cp) {
    if (cp < 0x10000) return (bmp_word[cp >> 3] >> (cp & 7)) & 1;
    return Py_UNICODE_ISALNUM((Py_UCS4)cp) ? 1 : 0;
}

/* -- sorting and selecting uint64 -------------------------------------------------------------------------------- */

static void insertion_sort(uint64_t *a, Py_ssize_t n) {
    for (Py_ssize_t i = 1; i < n; i++) {
        uint64_t v = a[i];
        Py_ssize_t j = i;
        while (j > 0 && a[j - 1] > v) { a[j] = a[j - 1]; j--; }
        a[j] = v;
    }
}

static void sift_down(uint64_t *a, Py_ssize_t start, Py_ssize_t n) {
    Py_ssize_t root = start;
    for (;;) {
        Py_ssize_t child = 2 * root + 1;
        if (child >= n) return;
        if (child + 1 < n && a[child] < a[child + 1]) child++;
        if (a[root] >= a[child]) return;
        uint64_t t = a[root]; a[root] = a[child]; a[child] = t;
        root = child;
    }
}

static void heap_sort(uint64_t *a, Py_ssize_t n) {
    for (Py_ssize_t i = n / 2 - 1; i >= 0; i--) sift_down(a, i, n);
    for (Py_ssize_t end = n - 1; end > 0; end--) {
        uint64_t t = a[0]; a[0] = a[end]; a[end] = t;
        sift_down(a, 0, end);
    }
}

static inline uint64_t median3(uint64_t x, uint64_t y, uint64_t z) {
    if (x < y) { if (y < z) return y; return x < z ? z : x; }
    if (x < z) return x;
    return y < z ? z : y;
}

/* Hoare partition around a pivot value: returns j such that a[0..j] <= pivot <= a[j+1..n-1], 0 <= j < n-1. */
static Py_ssize_t partition(uint64_t *a, Py_ssize_t n) {
    uint64_t pivot = median3(a[0], a[n / 2], a[n - 1]);
    Py_ssize_t i = -1, j = n;
    for (;;) {
        do { i++; } while (a[i] < pivot);
        do { j--; } while (a[j] > pivot);
        if (i >= j) return j;
        uint64_t t = a[i]; a[i] = a[j]; a[j] = t;
    }
}

static void intro_sort(uint64_t *a, Py_ssize_t n, int depth) {
    while (n > 16) {
        if (depth-- <= 0) { heap_sort(a, n); return; }
        Py_ssize_t j = partition(a, n) + 1;
        if (j < n - j) { intro_sort(a, j, depth); a += j; n -= j; }
        else { intro_sort(a + j, n - j, depth); n = j; }
    }
    insertion_sort(a, n);
}

static int log2_depth(Py_ssize_t n) {
    int d = 0;
    while (n > 1) { n >>= 1; d++; }
    return 2 * d + 4;
}

static void sort_u64(uint64_t *a, Py_ssize_t n) { intro_sort(a, n, log2_depth(n)); }

static Py_ssize_t dedupe_sorted(uint64_t *a, Py_ssize_t n) {
    if (n == 0) return 0;
    Py_ssize_t w = 1;
    for (Py_ssize_t i = 1; i < n; i++)
        if (a[i] != a[w - 1]) a[w++] = a[i];
    return w;
}

/* -- the core ------------------------------------------------------------------------------------------------------ */

typedef struct {
    char *joined;       /* the tokens joined by single spaces */
    Py_ssize_t joined_len;
    uint64_t *sketch;   /* points into work */
    Py_ssize_t sketch_len;
    void *mem;          /* an allocation of its own (large inputs, or `kept` busy), else NULL */
    int uses_kept;
} result_t;

/* Working memory, kept between calls (a fresh allocation each time costs page faults). Only used with the GIL
 * held. Inputs that need more than KEEP_MAX get their own allocation, freed after the call, and so does a call made
 * while the kept memory is in use (building the results can run a finaliser that fingerprints again). */
#define KEEP_MAX ((size_t)1 << 20)
static char *kept = NULL;
static size_t kept_size = 0;
static int kept_busy = 0;

static char *work_memory(size_t bytes, result_t *r) {
    r->mem = NULL;
    r->uses_kept = 0;
    if (!kept_busy && bytes <= KEEP_MAX) {
        if (bytes > kept_size) {
            size_t want = KEEP_MAX < 2 * bytes ? KEEP_MAX : 2 * bytes;
            char *m = PyMem_Realloc(kept, want);
            if (!m) return NULL;
            kept = m;
            kept_size = want;
        }
        kept_busy = 1;
        r->uses_kept = 1;
        return kept;
    }
    r->mem = PyMem_Malloc(bytes);
    return r->mem;
}

static void result_free(result_t *r) {
    PyMem_Free(r->mem);
    r->mem = NULL;
    if (r->uses_kept) kept_busy = 0;
    r->uses_kept = 0;
}

/* The `size` smallest distinct values of a[0..m-1], ascending, in *out[0..return-1]. tmp: room for m + 1 values.
 * A counting sort on the top bits (the values are hashes: uniform) brings the smallest values to the front, almost
 * sorted; an insertion sort finishes them. Few unpredictable branches, unlike a quicksort/quickselect. */
static Py_ssize_t bottom_distinct(uint64_t *a, uint64_t *tmp, Py_ssize_t m, Py_ssize_t size, uint64_t **out) {
    uint32_t cnt[4096];
    if ((uint64_t)m >= UINT32_MAX) { /* counts would overflow: just sort */
        sort_u64(a, m);
        Py_ssize_t d = dedupe_sorted(a, m);
        *out = a;
        return d < size ? d : size;
    }
    int value_bits = 64 - drop, nbits = 4;
    while (nbits < 12 && ((Py_ssize_t)1 << nbits) < m) nbits++;
    if (nbits > value_bits) nbits = value_bits;
    int shift = value_bits - nbits;
    Py_ssize_t nb = (Py_ssize_t)1 << nbits;
    Py_ssize_t want = size + 16 < m ? size + 16 : m;
    memset(cnt, 0, (size_t)nb * sizeof(uint32_t));
    for (Py_ssize_t t = 0; t < m; t++) cnt[a[t] >> shift]++;
    Py_ssize_t cum = 0, last = 0;
    for (last = 0; last < nb; last++) {
        Py_ssize_t c = cnt[last];
        cnt[last] = (uint32_t)cum; /* now the bucket's first slot */
        cum += c;
        if (cum >= want) break;
    }
    if (last == nb) last = nb - 1;
    /* Values of buckets 0..last to tmp[0..cum-1] in bucket order; the others to the spare slot tmp[cum]. */
    for (Py_ssize_t t = 0; t < m; t++) {
        uint64_t v = a[t];
        uint64_t bk = v >> shift;
        uint32_t in = bk <= (uint64_t)last;
        uint32_t pos = in ? cnt[bk] : (uint32_t)cum;
        tmp[pos] = v;
        cnt[bk] += in;
    }
    if (cum > 8 * want + 256) sort_u64(tmp, cum); /* crowded buckets (not from uniform hashes): no insertion sort */
    else insertion_sort(tmp, cum);
    Py_ssize_t d = dedupe_sorted(tmp, cum);
    if (d >= size || cum == m) {
        *out = tmp;
        return d < size ? d : size;
    }
    /* Many repeated shingles: fewer than `size` distinct values among the smallest; the distinct values of all. */
    sort_u64(a, m);
    d = dedupe_sorted(a, m);
    *out = a;
    return d < size ? d : size;
}

static inline uint64_t pow_u64(uint64_t b, uint64_t e) {
    uint64_t r = 1;
    while (e) { if (e & 1) r *= b; b *= b; e >>= 1; }
    return r;
}

/* 0 on success, -1 with an exception set. */
static int analyse(const unsigned char *s, Py_ssize_t n, int lower, int k, Py_ssize_t size, result_t *r) {
    /* Tokens: at most (n + 1) / 2. Buffers: joined (n + 1 bytes), token hashes, shingle hashes, sorting space. */
    Py_ssize_t max_tok = n / 2 + 2;
    size_t head = ((size_t)n + 16) & ~(size_t)7;
    size_t bytes = 2 * head + sizeof(uint64_t) * (size_t)(3 * max_tok + 4);
    char *mem = work_memory(bytes, r);
    if (!mem) { PyErr_NoMemory(); return -1; }
    char *tmp_bytes = mem + head;
    uint64_t *th = (uint64_t *)(mem + 2 * head);
    uint64_t *sh = th + max_tok + 1;
    uint64_t *tmp = sh + max_tok + 1;
    unsigned char *out = (unsigned char *)mem;
    const uint64_t P = base_p;
    uint64_t lp[64];
    lp[0] = 1;
    for (int q = 1; q < 64; q++) lp[q] = lp[q - 1] * P;
    /* Pass 1: the text with every byte of a non-word character turned into a space (mb), then " x". */
    unsigned char *mb = (unsigned char *)tmp_bytes;
    const unsigned char *amap = lower ? ascii_map_lower : ascii_map;
    Py_ssize_t i = 0;
    while (i < n) {
#if defined(__SSE2__)
        /* 16 ASCII bytes at a time */
        if (ascii_ranges) {
            const __m128i space = _mm_set1_epi8(' ');
            const __m128i case_bit = _mm_set1_epi8(lower ? 0x20 : 0);
            while (i + 16 <= n) {
                __m128i v = _mm_loadu_si128((const __m128i *)(s + i));
                if (_mm_movemask_epi8(v)) break; /* a byte >= 0x80 */
                __m128i num = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
                __m128i small = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('a' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('z' + 1)));
                __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)), _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
                __m128i word = _mm_or_si128(_mm_or_si128(num, small), _mm_or_si128(upper, _mm_cmpeq_epi8(v, _mm_set1_epi8('_'))));
                v = _mm_or_si128(v, _mm_and_si128(upper, case_bit)); /* A-Z to a-z for an ASCII str */
                _mm_storeu_si128((__m128i *)(mb + i), _mm_or_si128(_mm_and_si128(word, v), _mm_andnot_si128(word, space)));
                i += 16;
            }
            if (i >= n) break;
        }
#endif
        unsigned char c = s[i];
        if (c < 0x80) {
            mb[i++] = amap[c];
            continue;
        }
        Py_ssize_t len = 1;
        int w = 1; /* stray continuation byte, 0xF8..0xFF or a cut sequence: invalid UTF-8, kept as it is */
        if (c >= 0xC0 && c < 0xF8) {
            Py_ssize_t l = c < 0xE0 ? 2 : (c < 0xF0 ? 3 : 4);
            if (i + l <= n) {
                uint32_t cp;
                if (l == 2) cp = ((uint32_t)(c & 0x1F) << 6) | (s[i + 1] & 0x3F);
                else if (l == 3) cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
                else cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[i + 1] & 0x3F) << 12)
                          | ((uint32_t)(s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
                w = is_word_cp(cp);
                len = l;
            }
        }
        for (Py_ssize_t q = 0; q < len; q++) mb[i + q] = w ? s[i + q] : ' ';
        i += len;
    }
    mb[n] = ' ';
    mb[n + 1] = 'x'; /* stops the skipping of spaces */
    /* Pass 2: tokens (runs of non-spaces), their hashes, and the tokens joined by single spaces. */
    Py_ssize_t jl = 0, nt = 0;
    i = 0;
    for (;;) {
        while (mb[i] == ' ') i++;
        if (i >= n) break;
        const unsigned char *p = mb + i;
        unsigned char *o = out + jl;
        uint64_t h = 0;
        Py_ssize_t j = 0;
        while (p[j] != ' ' && j < 64) {
            h += byte_hash[p[j]] * lp[j];
            o[j] = p[j];
            j++;
        }
        if (p[j] != ' ') { /* a token longer than 64 bytes */
            uint64_t pp = lp[63] * P;
            while (p[j] != ' ') {
                h += byte_hash[p[j]] * pp;
                pp *= P;
                o[j] = p[j];
                j++;
            }
        }
        o[j] = ' ';
        jl += j + 1;
        th[nt++] = h;
        i += j;
    }
    if (jl > 0) jl--; /* the space after the last token */
    r->joined = (char *)out;
    r->joined_len = jl;
    r->sketch = sh;
    if (nt == 0 || size <= 0) { r->sketch_len = 0; return 0; }
    Py_ssize_t m;
    if (nt >= k) {
        m = nt - k + 1;
        if (k == 3) {
            const uint64_t m0 = mix[0], m1 = mix[1], m2 = mix[2];
            for (Py_ssize_t t = 0; t < m; t++) sh[t] = (th[t] * m0 + th[t + 1] * m1 + th[t + 2] * m2) >> drop;
        } else {
            for (Py_ssize_t t = 0; t < m; t++) {
                uint64_t v = 0;
                for (int q = 0; q < k; q++) v += th[t + q] * mix[q];
                sh[t] = v >> drop;
            }
        }
    } else {
        uint64_t v = 0;
        for (Py_ssize_t q = 0; q < nt; q++) v += th[q] * mix[q];
        sh[0] = v >> drop;
        m = 1;
    }
    r->sketch_len = bottom_distinct(sh, tmp, m, size, &r->sketch);
    return 0;
}

/* The text argument: an ASCII str (lower-cased here, as str.lower() would), or bytes: text.lower().encode("utf-8"). */
typedef struct {
    Py_buffer buf;
    int has_buf;
    const unsigned char *data;
    Py_ssize_t len;
    int lower;
} input_t;

static void input_release(input_t *in) {
    if (in->has_buf) PyBuffer_Release(&in->buf);
    in->has_buf = 0;
}

static int parse(PyObject *args, const char *fmt, input_t *in, int *k, Py_ssize_t *size, Py_ssize_t *keys, int *shift) {
    PyObject *obj;
    in->has_buf = 0;
    if (!ready) { PyErr_SetString(PyExc_RuntimeError, "workers.core._sketch: init() not called"); return -1; }
    int ok = keys ? PyArg_ParseTuple(args, fmt, &obj, k, size, keys, shift) : PyArg_ParseTuple(args, fmt, &obj, k, size);
    if (!ok) return -1;
    if (*k < 1 || *k > n_mix) {
        PyErr_Format(PyExc_ValueError, "k must be 1..%d", n_mix);
        return -1;
    }
    if (PyUnicode_Check(obj)) {
        if (PyUnicode_READY(obj) < 0) return -1;
        if (!PyUnicode_IS_ASCII(obj)) {
            PyErr_SetString(PyExc_ValueError, "a str must be ASCII; pass text.lower().encode('utf-8') otherwise");
            return -1;
        }
        in->data = PyUnicode_1BYTE_DATA(obj);
        in->len = PyUnicode_GET_LENGTH(obj);
        in->lower = 1;
        return 0;
    }
    if (PyObject_GetBuffer(obj, &in->buf, PyBUF_SIMPLE) < 0) return -1;
    in->has_buf = 1;
    in->data = (const unsigned char *)in->buf.buf;
    in->len = in->buf.len;
    in->lower = 0;
    return 0;
}

/* sketch(text: ASCII str or bytes (see input_t), k: int, size: int) -> (joined: bytes, sketch: bytearray of native uint64) */
static PyObject *py_sketch(PyObject *self, PyObject *args) {
    input_t in;
    int k;
    Py_ssize_t size;
    if (parse(args, "Oin", &in, &k, &size, NULL, NULL) < 0) return NULL;
    result_t r = {0};
    int rc = analyse(in.data, in.len, in.lower, k, size, &r);
    input_release(&in);
    if (rc < 0) return NULL;
    PyObject *joined = PyBytes_FromStringAndSize(r.joined, r.joined_len);
    PyObject *sk = PyByteArray_FromStringAndSize((const char *)r.sketch, r.sketch_len * (Py_ssize_t)sizeof(uint64_t));
    result_free(&r);
    if (!joined || !sk) { Py_XDECREF(joined); Py_XDECREF(sk); return NULL; }
    PyObject *res = PyTuple_Pack(2, joined, sk);
    Py_DECREF(joined); Py_DECREF(sk);
    return res;
}

/* fingerprint(text: ASCII str or bytes, k: int, size: int, keys: int, shift: int)
 *   -> (joined: bytes, sketch: tuple[int], anchor keys: tuple[str], stored: bytes)
 * Anchor key of a value: the hex of its first 6 little-endian bytes (fingerprint.anchor_keys). Stored: each value
 * >> shift as little-endian uint32 (fingerprint.stored_bytes), made here because converting the tuple back costs more
 * than the rest of a lookup. */
static PyObject *py_fingerprint(PyObject *self, PyObject *args) {
    input_t in;
    int k, shift;
    Py_ssize_t size, nkeys;
    if (parse(args, "Oinni", &in, &k, &size, &nkeys, &shift) < 0) return NULL;
    if (shift < 0 || 64 - drop - shift > 32) {
        input_release(&in);
        PyErr_SetString(PyExc_ValueError, "fingerprint: values do not fit 32 bits after the shift");
        return NULL;
    }
    result_t r = {0};
    int rc = analyse(in.data, in.len, in.lower, k, size, &r);
    input_release(&in);
    if (rc < 0) return NULL;
    PyObject *joined = NULL, *sk = NULL, *keys = NULL, *st = NULL, *res = NULL;
    joined = PyBytes_FromStringAndSize(r.joined, r.joined_len);
    if (!joined) goto done;
    sk = PyTuple_New(r.sketch_len);
    if (!sk) goto done;
    for (Py_ssize_t i = 0; i < r.sketch_len; i++) {
        PyObject *v = PyLong_FromUnsignedLongLong((unsigned long long)r.sketch[i]);
        if (!v) goto done;
        PyTuple_SET_ITEM(sk, i, v);
    }
    if (nkeys < 0) nkeys = 0;
    Py_ssize_t nk = r.sketch_len < nkeys ? r.sketch_len : nkeys;
    keys = PyTuple_New(nk);
    if (!keys) goto done;
    static const char hexd[] = "0123456789abcdef";
    for (Py_ssize_t i = 0; i < nk; i++) {
        char hx[12];
        uint64_t v = r.sketch[i];
        for (int b = 0; b < 6; b++) {
            unsigned char byte = (unsigned char)(v >> (8 * b));
            hx[2 * b] = hexd[byte >> 4];
            hx[2 * b + 1] = hexd[byte & 15];
        }
        PyObject *s = PyUnicode_FromStringAndSize(hx, 12);
        if (!s) goto done;
        PyTuple_SET_ITEM(keys, i, s);
    }
    st = PyBytes_FromStringAndSize(NULL, 4 * r.sketch_len);
    if (!st) goto done;
    for (Py_ssize_t i = 0; i < r.sketch_len; i++) store_le32((unsigned char *)PyBytes_AS_STRING(st) + 4 * i, (uint32_t)(r.sketch[i] >> shift));
    res = PyTuple_Pack(4, joined, sk, keys, st);
done:
    result_free(&r);
    Py_XDECREF(joined); Py_XDECREF(sk); Py_XDECREF(keys); Py_XDECREF(st);
    return res;
}

/* init(byte_hash: bytes (256 native uint64), mix: bytes (native uint64 each), p: int, drop: int) */
static PyObject *py_init(PyObject *self, PyObject *args) {
    Py_buffer bh, mx;
    unsigned long long p;
    int d;
    if (!PyArg_ParseTuple(args, "y*y*Ki", &bh, &mx, &p, &d)) return NULL;
    if (bh.len != 256 * (Py_ssize_t)sizeof(uint64_t) || mx.len % (Py_ssize_t)sizeof(uint64_t) != 0
        || mx.len == 0 || mx.len > MAX_K * (Py_ssize_t)sizeof(uint64_t) || d < 0 || d > 63) {
        PyBuffer_Release(&bh); PyBuffer_Release(&mx);
        PyErr_SetString(PyExc_ValueError, "init: bad tables");
        return NULL;
    }
    memcpy(byte_hash, bh.buf, sizeof(byte_hash));
    n_mix = (int)(mx.len / (Py_ssize_t)sizeof(uint64_t));
    memcpy(mix, mx.buf, (size_t)mx.len);
    PyBuffer_Release(&bh); PyBuffer_Release(&mx);
    base_p = (uint64_t)p;
    drop = d;
    ready = 1;
    Py_RETURN_NONE;
}

/* -- the dedup index's stored sketches ----------------------------------------------------------------------------
 * The index keeps each sketch's values as little-endian uint32 (their top bits, fingerprint.stored_bytes) behind the
 * first anchor values in full (uint64), as raw bytes (fingerprint.pack; index layouts 3-4: no base64, no JSON).
 * Comparing a new article with a stored one is the hot loop of a lookup: done here, on the stored bytes in place. Each function mirrors Python code in fingerprint.py exactly (tests/test_sketch_accel.py). */


static inline uint32_t load_le32(const unsigned char *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}


/* -- Elias-Fano: a non-decreasing list of n values below 2**ubits in n * (2 + low) bits (low = ubits - bits of n-1)
 * (index layout 4: the sketch's 16-bit values in ~11 bits each, the facts' 32-bit values in ~27). Layout: n (uint16
 * LE), the n low parts (`low` bits each, LSB first), then the high parts in unary: bit (v >> low) + i set for value
 * i. Mirrored by fingerprint._ef_pack / _ef_unpack (the reference). */
static int bit_length32(uint32_t x) {
    int b = 0;
    while (x) { b++; x >>= 1; }
    return b;
}

static int ef_low(Py_ssize_t n, int ubits) {
    int l = ubits - bit_length32((uint32_t)(n - 1));
    return l < 0 ? 0 : l;
}

static Py_ssize_t ef_bytes(const uint32_t *v, Py_ssize_t n, int ubits) {
    if (!n) return 2;
    int L = ef_low(n, ubits);
    Py_ssize_t hibits = (Py_ssize_t)((uint64_t)v[n - 1] >> L) + n;
    return 2 + (n * L + 7) / 8 + (hibits + 7) / 8;
}

static void ef_write(const uint32_t *v, Py_ssize_t n, int ubits, unsigned char *out, Py_ssize_t size) {
    memset(out, 0, (size_t)size);
    out[0] = (unsigned char)n;
    out[1] = (unsigned char)(n >> 8);
    if (!n) return;
    int L = ef_low(n, ubits);
    uint64_t mask = L >= 64 ? UINT64_MAX : (((uint64_t)1 << L) - 1);
    unsigned char *lo = out + 2, *hi = lo + (n * L + 7) / 8;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (L) {
            Py_ssize_t bit = i * L;
            uint64_t w = ((uint64_t)v[i] & mask) << (bit & 7);
            for (int k = 0; k < ((bit & 7) + L + 7) / 8; k++) lo[(bit >> 3) + k] |= (unsigned char)(w >> (8 * k));
        }
        Py_ssize_t hp = (Py_ssize_t)((uint64_t)v[i] >> L) + i;
        hi[hp >> 3] |= (unsigned char)(1u << (hp & 7));
    }
}

/* the values of an Elias-Fano list into out (at most cap); returns n, or -1 when the bytes are not one */
static Py_ssize_t ef_read(const unsigned char *p, Py_ssize_t len, int ubits, uint32_t *out, Py_ssize_t cap) {
    if (len < 2) return -1;
    Py_ssize_t n = (Py_ssize_t)p[0] | ((Py_ssize_t)p[1] << 8);
    if (n > cap) return -1;
    if (!n) return 0;
    int L = ef_low(n, ubits);
    uint64_t mask = L >= 64 ? UINT64_MAX : (((uint64_t)1 << L) - 1);
    Py_ssize_t nlo = (n * L + 7) / 8;
    if (2 + nlo > len) return -1;
    const unsigned char *lo = p + 2, *hi = lo + nlo;
    Py_ssize_t nhi = len - 2 - nlo, i = 0;
    for (Py_ssize_t byte = 0; byte < nhi && i < n; byte++) {
        unsigned c = hi[byte];
        while (c && i < n) {
            int b = __builtin_ctz(c);
            c &= c - 1;
            uint64_t h = (uint64_t)(byte * 8 + b - i);
            uint64_t l = 0;
            if (L) {
                Py_ssize_t bit = i * L;
                uint64_t w = 0;
                for (int k = 0; k < ((bit & 7) + L + 7) / 8; k++) w |= (uint64_t)lo[(bit >> 3) + k] << (8 * k);
                l = (w >> (bit & 7)) & mask;
            }
            out[i++] = (uint32_t)((h << L) | l);
        }
    }
    return i == n ? n : -1;
}

static int cmp_u32(const void *x, const void *y) {
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/* ef_pack(values: uint32 LE bytes, ubits, keep=32, drop=0) -> bytes: each value cut first when drop > 0 (its `drop`
 * bits above the low `keep` removed: dedup.py's facts, a shorter context hash above the value hash), then sorted and
 * repeats removed when it is not sorted already */
static PyObject *py_ef_pack(PyObject *self, PyObject *args) {
    Py_buffer b;
    int ubits, keep = 32, drop = 0;
    if (!PyArg_ParseTuple(args, "y*i|ii", &b, &ubits, &keep, &drop)) return NULL;
    PyObject *res = NULL;
    Py_ssize_t n = b.len / 4;
    uint32_t stack[512], *v = stack;
    if (b.len % 4 || n > 0xFFFF || ubits < 1 || ubits > 32 || keep < 0 || drop < 0 || keep + drop > 32) {
        PyErr_SetString(PyExc_ValueError, "ef_pack: uint32 bytes (at most 65535 values), ubits 1..32, keep + drop <= 32");
        goto done;
    }
    if (n > 512 && !(v = PyMem_Malloc(sizeof(uint32_t) * (size_t)n))) { PyErr_NoMemory(); goto done; }
    int sorted = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        v[i] = load_le32((const unsigned char *)b.buf + 4 * i);
        if (drop) {
            uint64_t x = v[i], low = keep ? (x & ((((uint64_t)1) << keep) - 1)) : 0;
            v[i] = (uint32_t)(((x >> (keep + drop)) << keep) | low);
        }
        if (ubits < 32 && v[i] >> ubits) {
            PyErr_SetString(PyExc_ValueError, "ef_pack: a value does not fit in ubits");
            goto done;
        }
        if (i && v[i] < v[i - 1]) sorted = 0;
    }
    if (!sorted) {
        qsort(v, (size_t)n, sizeof(uint32_t), cmp_u32);
        Py_ssize_t m = 0;
        for (Py_ssize_t i = 0; i < n; i++)
            if (!m || v[m - 1] != v[i]) v[m++] = v[i];
        n = m;
    }
    Py_ssize_t size = ef_bytes(v, n, ubits);
    res = PyBytes_FromStringAndSize(NULL, size);
    if (res) ef_write(v, n, ubits, (unsigned char *)PyBytes_AS_STRING(res), size);
done:
    if (v != stack) PyMem_Free(v);
    PyBuffer_Release(&b);
    return res;
}

/* ef_unpack(raw, ubits) -> list of int */
static PyObject *py_ef_unpack(PyObject *self, PyObject *args) {
    Py_buffer b;
    int ubits;
    if (!PyArg_ParseTuple(args, "y*i", &b, &ubits)) return NULL;
    PyObject *res = NULL;
    uint32_t *v = PyMem_Malloc(sizeof(uint32_t) * 0x10000);
    if (!v) { PyErr_NoMemory(); goto done; }
    Py_ssize_t n = (ubits >= 1 && ubits <= 32) ? ef_read(b.buf, b.len, ubits, v, 0xFFFF) : -1;
    if (n < 0) {
        PyErr_SetString(PyExc_ValueError, "ef_unpack: not an Elias-Fano list (ef_pack)");
        goto done;
    }
    res = PyList_New(n);
    for (Py_ssize_t i = 0; res && i < n; i++) {
        PyObject *x = PyLong_FromUnsignedLong(v[i]);
        if (!x) { Py_CLEAR(res); break; }
        PyList_SET_ITEM(res, i, x);
    }
done:
    PyMem_Free(v);
    PyBuffer_Release(&b);
    return res;
}

/* -- the packed form (layout 4): 16-bit values behind a per-sketch shift, Elias-Fano coded -------------------------
 * A packed sketch is `anchors` uint64 values (the anchor keys' values in full), one byte `shift`, then the stored
 * uint32 values >> shift as an Elias-Fano list over 16 bits (ef_write: ~11 bits a value; layout 3 kept uint16), where
 * shift is the smallest that brings the sketch's largest value below 2**16 (fingerprint.pack). Two sketches are
 * compared at the coarser of their two shifts (q16_shift); values that become equal inside one sketch count once.
 * 128 values over 65,536 steps: a value of one sketch falls on a value of an unrelated one 1 time in ~500, ~0.25
 * values of 128 per comparison (containment +0.002): the verdicts of bench/dedup.py did not change (BENCHMARKS.md). */

static int q16_shift(uint32_t last) {
    int s = 0;
    while ((last >> s) >= 65536u) s++;
    return s;
}

/* fingerprint.overlap on two ascending, distinct uint32 arrays: (shared, na, nb). */
static void overlap_u32(const uint32_t *a, Py_ssize_t la, int fa, const uint32_t *b, Py_ssize_t lb, int fb,
                        Py_ssize_t *shared_out, Py_ssize_t *na_out, Py_ssize_t *nb_out) {
    *shared_out = 0; *na_out = la; *nb_out = lb;
    if (la == 0 || lb == 0) return;
    uint64_t cut = UINT64_MAX;
    if (fa) cut = a[la - 1];
    if (fb && b[lb - 1] < cut) cut = b[lb - 1];
    Py_ssize_t na = 0, nb = 0;
    while (na < la && a[na] <= cut) na++;
    while (nb < lb && b[nb] <= cut) nb++;
    const uint32_t *small = a, *big = b;
    Py_ssize_t ns = na, nbig = nb;
    if (na > nb) { small = b; big = a; ns = nb; nbig = na; }
    Py_ssize_t shared = 0, j = 0;
    for (Py_ssize_t i = 0; i < ns; i++) {
        uint32_t x = small[i];
        while (j < nbig && big[j] < x) j++;
        if (j < nbig && big[j] == x) shared++;
    }
    *shared_out = shared; *na_out = na; *nb_out = nb;
}

/* overlap_packed(mine: bytes-like, packed: bytes-like, anchors: int, full: int) -> (shared, na, nb): a sketch's
 * stored uint32 values (fingerprint.stored_bytes) against a packed one, both at the coarser shift. */
static PyObject *py_overlap_packed(PyObject *self, PyObject *args) {
    Py_buffer mine, packed;
    Py_ssize_t anchors, full;
    if (!PyArg_ParseTuple(args, "y*y*nn", &mine, &packed, &anchors, &full)) return NULL;
    PyObject *res = NULL;
    uint32_t stack[512], *a = stack, *b = NULL;
    Py_ssize_t la = mine.len / 4, len = packed.len - 8 * anchors;
    const unsigned char *m = mine.buf, *p = (const unsigned char *)packed.buf + 8 * anchors;
    if (mine.len % 4 || anchors < 0 || len < 3) {
        PyErr_SetString(PyExc_ValueError, "overlap_packed: not a packed sketch (fingerprint.pack) or not uint32 bytes");
        goto done;
    }
    Py_ssize_t lb = (Py_ssize_t)p[1] | ((Py_ssize_t)p[2] << 8);
    int st = p[0];
    if (st > 16) {
        PyErr_SetString(PyExc_ValueError, "overlap_packed: not a packed sketch (shift over 16)");
        goto done;
    }
    if (la + lb > (Py_ssize_t)(sizeof(stack) / sizeof(stack[0]))) {
        a = PyMem_Malloc(sizeof(uint32_t) * (size_t)(la + lb));
        if (!a) { PyErr_NoMemory(); goto done; }
    }
    b = a + la;
    int sm = la ? q16_shift(load_le32(m + 4 * (la - 1))) : 0;
    int sh = sm > st ? sm : st;
    Py_ssize_t na = 0, nb = 0;
    for (Py_ssize_t i = 0; i < la; i++) {
        uint32_t x = load_le32(m + 4 * i) >> sh;
        if (!na || a[na - 1] != x) a[na++] = x;
    }
    if (ef_read(p + 1, len - 1, 16, b, lb) != lb) {
        PyErr_SetString(PyExc_ValueError, "overlap_packed: not a packed sketch (its values)");
        goto done;
    }
    for (Py_ssize_t i = 0; i < lb; i++) {
        uint32_t x = b[i] >> (sh - st);
        if (!nb || b[nb - 1] != x) b[nb++] = x;
    }
    Py_ssize_t shared, ca, cb;
    overlap_u32(a, na, la >= full, b, nb, lb >= full, &shared, &ca, &cb);
    res = Py_BuildValue("nnn", shared, ca, cb);
done:
    if (a != stack) PyMem_Free(a);
    PyBuffer_Release(&packed);
    PyBuffer_Release(&mine);
    return res;
}

/* pack(head: sequence of int, stored: bytes-like uint32 LE) -> bytes: the head values as little-endian uint64, the
 * shift, the stored values >> shift, Elias-Fano coded (fingerprint.pack). */
static PyObject *py_pack(PyObject *self, PyObject *args) {
    PyObject *seq;
    Py_buffer st;
    if (!PyArg_ParseTuple(args, "Oy*", &seq, &st)) return NULL;
    PyObject *fast = NULL, *res = NULL;
    if (st.len % 4) {
        PyErr_SetString(PyExc_ValueError, "pack: stored values are uint32 bytes");
        goto done;
    }
    fast = PySequence_Fast(seq, "pack: a sequence of ints is needed");
    if (!fast) goto done;
    Py_ssize_t nh = PySequence_Fast_GET_SIZE(fast), nv = st.len / 4;
    if (nv > 0xFFFF) {
        PyErr_SetString(PyExc_ValueError, "pack: at most 65535 values");
        goto done;
    }
    const unsigned char *sv = st.buf;
    int sh = nv ? q16_shift(load_le32(sv + 4 * (nv - 1))) : 0;
    uint32_t vstack[512], *v = vstack;
    if (nv > 512 && !(v = PyMem_Malloc(sizeof(uint32_t) * (size_t)nv))) { PyErr_NoMemory(); goto done; }
    for (Py_ssize_t i = 0; i < nv; i++) v[i] = load_le32(sv + 4 * i) >> sh;
    Py_ssize_t ef = ef_bytes(v, nv, 16);
    res = PyBytes_FromStringAndSize(NULL, 8 * nh + 1 + ef);
    if (res) {
        unsigned char *raw = (unsigned char *)PyBytes_AS_STRING(res);
        for (Py_ssize_t i = 0; i < nh; i++) {
            unsigned long long x = PyLong_AsUnsignedLongLong(PySequence_Fast_GET_ITEM(fast, i));
            if (x == (unsigned long long)-1 && PyErr_Occurred()) { Py_CLEAR(res); break; }
            for (int b = 0; b < 8; b++) raw[8 * i + b] = (unsigned char)(x >> (8 * b));
        }
        if (res) {
            raw[8 * nh] = (unsigned char)sh;
            ef_write(v, nv, 16, raw + 8 * nh + 1, ef);
        }
    }
    if (v != vstack) PyMem_Free(v);
done:
    Py_XDECREF(fast);
    PyBuffer_Release(&st);
    return res;
}

/* -- the dedup index's anchor table ------------------------------------------------------------------------------
 * Anchor code (uint32: the low 32 bits of an anchor sketch value) -> article (a nonzero uint64: the article's key
 * digest), several articles per code. Kept in the worker's memory and rebuilt from the stored entries at start
 * (dedup.py, layout 4): ~12 bytes per filed anchor at a load of 0.57-0.85, where a Python dict key cost ~110.
 * Open addressing with linear probing and backward-shift deletion (no tombstones), grown by half when 85 % full;
 * a slot's home is a multiply-shift of the code over any capacity (not only powers of two). */
typedef struct {
    PyObject_HEAD
    uint32_t *codes;
    uint64_t *items; /* 0: an empty slot */
    Py_ssize_t cap, count;
} AnchorTable;

static inline Py_ssize_t at_home(uint32_t code, Py_ssize_t cap) {
    return (Py_ssize_t)(((uint64_t)(uint32_t)(code * 0x9E3779B1u) * (uint64_t)cap) >> 32);
}

static int at_alloc(AnchorTable *t, Py_ssize_t cap) {
    uint32_t *codes = PyMem_Calloc((size_t)cap, sizeof(uint32_t));
    uint64_t *items = PyMem_Calloc((size_t)cap, sizeof(uint64_t));
    if (!codes || !items) {
        PyMem_Free(codes);
        PyMem_Free(items);
        PyErr_NoMemory();
        return -1;
    }
    uint32_t *oc = t->codes;
    uint64_t *oi = t->items;
    Py_ssize_t ocap = t->cap;
    t->codes = codes;
    t->items = items;
    t->cap = cap;
    for (Py_ssize_t j = 0; j < ocap; j++) {
        if (!oi[j]) continue;
        Py_ssize_t i = at_home(oc[j], cap);
        while (items[i]) i = (i + 1 == cap) ? 0 : i + 1;
        codes[i] = oc[j];
        items[i] = oi[j];
    }
    PyMem_Free(oc);
    PyMem_Free(oi);
    return 0;
}

static PyObject *at_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    AnchorTable *t = (AnchorTable *)type->tp_alloc(type, 0);
    if (!t) return NULL;
    t->codes = NULL;
    t->items = NULL;
    t->cap = t->count = 0;
    if (at_alloc(t, 1024) < 0) {
        Py_DECREF(t);
        return NULL;
    }
    return (PyObject *)t;
}

static void at_dealloc(AnchorTable *t) {
    PyMem_Free(t->codes);
    PyMem_Free(t->items);
    Py_TYPE(t)->tp_free((PyObject *)t);
}

static Py_ssize_t at_count_code(AnchorTable *t, uint32_t code) {
    Py_ssize_t n = 0, i = at_home(code, t->cap);
    while (t->items[i]) {
        n += t->codes[i] == code;
        i = (i + 1 == t->cap) ? 0 : i + 1;
    }
    return n;
}

static int parse_codes(PyObject *args, const char *fmt, Py_buffer *b, unsigned long long *item, Py_ssize_t *cap) {
    if (!PyArg_ParseTuple(args, fmt, b, item, cap)) return -1;
    if (b->len % 4) {
        PyBuffer_Release(b);
        PyErr_SetString(PyExc_ValueError, "codes: a whole number of uint32");
        return -1;
    }
    return 0;
}

/* add(codes, item, cap): file item under each code (uint32 LE), unless the code already holds cap articles */
static PyObject *at_add(AnchorTable *t, PyObject *args) {
    Py_buffer b;
    unsigned long long item;
    Py_ssize_t cap;
    if (parse_codes(args, "y*Kn", &b, &item, &cap) < 0) return NULL;
    if (!item) {
        PyBuffer_Release(&b);
        PyErr_SetString(PyExc_ValueError, "item 0 marks an empty slot");
        return NULL;
    }
    const unsigned char *p = b.buf;
    for (Py_ssize_t k = 0; k < b.len / 4; k++) {
        uint32_t code = load_le32(p + 4 * k);
        if (at_count_code(t, code) >= cap) continue;
        if ((t->count + 1) * 20 > t->cap * 17 && at_alloc(t, t->cap + t->cap / 2) < 0) {
            PyBuffer_Release(&b);
            return NULL;
        }
        Py_ssize_t i = at_home(code, t->cap);
        while (t->items[i]) i = (i + 1 == t->cap) ? 0 : i + 1;
        t->codes[i] = code;
        t->items[i] = item;
        t->count++;
    }
    PyBuffer_Release(&b);
    Py_RETURN_NONE;
}

/* remove(codes, item): take item from under each code */
static PyObject *at_remove(AnchorTable *t, PyObject *args) {
    Py_buffer b;
    unsigned long long item;
    Py_ssize_t unused = 0;
    if (parse_codes(args, "y*K|n", &b, &item, &unused) < 0) return NULL;
    const unsigned char *p = b.buf;
    Py_ssize_t cap = t->cap;
    for (Py_ssize_t k = 0; k < b.len / 4; k++) {
        uint32_t code = load_le32(p + 4 * k);
        Py_ssize_t i = at_home(code, cap);
        while (t->items[i] && !(t->codes[i] == code && t->items[i] == item)) i = (i + 1 == cap) ? 0 : i + 1;
        if (!t->items[i]) continue;
        /* backward shift: later slots of the run move into the hole unless their home lies after it */
        Py_ssize_t j = i;
        for (;;) {
            j = (j + 1 == cap) ? 0 : j + 1;
            if (!t->items[j]) break;
            Py_ssize_t h = at_home(t->codes[j], cap);
            if ((j - h + cap) % cap >= (j - i + cap) % cap) {
                t->codes[i] = t->codes[j];
                t->items[i] = t->items[j];
                i = j;
            }
        }
        t->items[i] = 0;
        t->codes[i] = 0;
        t->count--;
    }
    PyBuffer_Release(&b);
    Py_RETURN_NONE;
}

/* get(codes, cap) -> list of the articles under each code (one per shared code), codes holding cap or more skipped */
static PyObject *at_get(AnchorTable *t, PyObject *args) {
    Py_buffer b;
    Py_ssize_t full;
    if (!PyArg_ParseTuple(args, "y*n", &b, &full)) return NULL;
    PyObject *out = PyList_New(0);
    const unsigned char *p = b.buf;
    uint64_t found[64];
    for (Py_ssize_t k = 0; out && k < b.len / 4; k++) {
        uint32_t code = load_le32(p + 4 * k);
        Py_ssize_t n = 0, i = at_home(code, t->cap);
        while (t->items[i]) {
            if (t->codes[i] == code) {
                if (n < 64) found[n] = t->items[i];
                n++;
            }
            i = (i + 1 == t->cap) ? 0 : i + 1;
        }
        if (n >= full || n > 64) continue;
        for (Py_ssize_t m = 0; m < n; m++) {
            PyObject *v = PyLong_FromUnsignedLongLong(found[m]);
            if (!v || PyList_Append(out, v) < 0) {
                Py_XDECREF(v);
                Py_CLEAR(out);
                break;
            }
            Py_DECREF(v);
        }
    }
    PyBuffer_Release(&b);
    return out;
}

static Py_ssize_t at_len(AnchorTable *t) { return t->count; }

static PyObject *at_nbytes(AnchorTable *t, PyObject *unused) {
    return PyLong_FromSsize_t(t->cap * (Py_ssize_t)(sizeof(uint32_t) + sizeof(uint64_t)));
}

static PyMethodDef at_methods[] = {
    {"add", (PyCFunction)at_add, METH_VARARGS, "add(codes, item, cap): file item under each uint32 LE code"},
    {"remove", (PyCFunction)at_remove, METH_VARARGS, "remove(codes, item): take item from under each code"},
    {"get", (PyCFunction)at_get, METH_VARARGS, "get(codes, full) -> [item, ...] under codes holding fewer than full"},
    {"nbytes", (PyCFunction)at_nbytes, METH_NOARGS, "bytes of the slot arrays"},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods at_seq = {.sq_length = (lenfunc)at_len};

static PyTypeObject AnchorTableType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "workers.core._sketch.AnchorTable",
    .tp_basicsize = sizeof(AnchorTable),
    .tp_dealloc = (destructor)at_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "AnchorTable(): anchor code (uint32) -> articles (nonzero uint64), in C (dedup index layout 4)",
    .tp_methods = at_methods,
    .tp_as_sequence = &at_seq,
    .tp_new = at_new,
};

static PyMethodDef methods[] = {
    {"init", py_init, METH_VARARGS, "init(byte_hash, mix, p, drop): the hashing tables (set once by fingerprint.py)"},
    {"sketch", py_sketch, METH_VARARGS, "sketch(raw, k, size) -> (joined tokens, sketch as a bytearray of uint64)"},
    {"fingerprint", py_fingerprint, METH_VARARGS,
     "fingerprint(raw, k, size, keys) -> (joined tokens, sketch tuple, anchor keys tuple)"},
    {"overlap_packed", py_overlap_packed, METH_VARARGS,
     "overlap_packed(mine, packed, anchors, full) -> (shared, na, nb) of uint32 bytes and a packed sketch"},
    {"pack", py_pack, METH_VARARGS,
     "pack(head, stored) -> bytes: head (uint64 LE), shift, stored >> shift (Elias-Fano, 16 bits)"},
    {"ef_pack", py_ef_pack, METH_VARARGS,
     "ef_pack(values uint32 LE, ubits, keep=32, drop=0) -> bytes: Elias-Fano (values cut, then sorted, first)"},
    {"ef_unpack", py_ef_unpack, METH_VARARGS, "ef_unpack(raw, ubits) -> list of int"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_sketch", "Fingerprint sketches in C (see fingerprint.py).",
                                    -1, methods};

PyMODINIT_FUNC PyInit__sketch(void) {
    for (int c = 0; c < 128; c++) {
        ascii_word[c] = (Py_UNICODE_ISALNUM((Py_UCS4)c) || c == '_') ? 1 : 0;
        ascii_map[c] = ascii_word[c] ? (unsigned char)c : ' ';
        ascii_map_lower[c] = ascii_word[c] ? (unsigned char)((c >= 'A' && c <= 'Z') ? c + 32 : c) : ' ';
    }
    ascii_ranges = 1;
    for (int c = 0; c < 128; c++) {
        int w = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        if (w != ascii_word[c]) ascii_ranges = 0;
    }
    memset(bmp_word, 0, sizeof(bmp_word));
    for (uint32_t cp = 0; cp < 0x10000; cp++)
        if (Py_UNICODE_ISALNUM((Py_UCS4)cp) || cp == '_') bmp_word[cp >> 3] |= (unsigned char)(1u << (cp & 7));
    if (PyType_Ready(&AnchorTableType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Py_INCREF(&AnchorTableType);
    if (PyModule_AddObject(m, "AnchorTable", (PyObject *)&AnchorTableType) < 0) {
        Py_DECREF(&AnchorTableType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
