/* Optional C helpers for `quoteprov validate`'s fast lane and the attribution ranker.
 *
 * Each function here has a pure-Python twin in quoteprov/speedups.py that defines what it
 * does; the tests run both on the same inputs. The package works without this module (a
 * machine with no C compiler), only slower.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#include <structmember.h>

/* delimiters(data: bytes) -> int
 *
 * The number of `"` bytes in a JSON text that are not escaped, i.e. that open or close a
 * string. A backslash escapes the byte after it (`\\` is one escape, so in `\\"` the quote
 * is a delimiter). Valid JSON has backslashes only inside strings, which is all the caller
 * relies on: it compares the result with the count the decoded record implies.
 */
static PyObject *
delimiters(PyObject *self, PyObject *arg)
{
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0)
        return NULL;
    const unsigned char *buf = (const unsigned char *)view.buf;
    const unsigned char *end = buf + view.len;
    Py_ssize_t n = 0;
    /* every quote first, in a loop without branches the compiler can vectorise ... */
    for (Py_ssize_t i = 0; i < view.len; i++)
        n += buf[i] == '"';
    /* ... then the escaped ones, jumping from backslash to backslash (they are few) */
    const unsigned char *p = memchr(buf, '\\', (size_t)view.len);
    while (p != NULL && p + 1 < end) {
        if (p[1] == '"')
            n--;
        p += 2; /* the escaped byte is never the start of an escape */
        p = p < end ? memchr(p, '\\', (size_t)(end - p)) : NULL;
    }
    PyBuffer_Release(&view);
    return PyLong_FromSsize_t(n);
}

/* ---- clean(): validate.clean in C ----------------------------------------------------------
 *
 * Fields of the decoded msgspec Structs are read straight from their slots: each call site
 * caches the offset of its field for the one Struct type it sees (looked up once through the
 * type's member descriptor), so a read costs a compare and a load instead of an attribute
 * lookup. Anything unexpected (another type, a missing slot) sends the whole record to the
 * Python predicate by returning None.
 */

typedef struct {
    PyTypeObject *type;
    Py_ssize_t offset;
} slot_cache;

static int
slot_lookup(PyObject *obj, const char *name, slot_cache *cache)
{
    PyObject *key = PyUnicode_InternFromString(name);
    if (key == NULL)
        return -1;
    PyObject *descr = _PyType_Lookup(Py_TYPE(obj), key);
    Py_DECREF(key);
    if (descr == NULL || !Py_IS_TYPE(descr, &PyMemberDescr_Type))
        return -1;
    PyMemberDef *def = ((PyMemberDescrObject *)descr)->d_member;
    if (def->type != T_OBJECT_EX && def->type != T_OBJECT)
        return -1;
    Py_INCREF(Py_TYPE(obj)); /* the cache holds its type */
    Py_XDECREF(cache->type);
    cache->type = Py_TYPE(obj);
    cache->offset = def->offset;
    return 0;
}

/* a borrowed reference to obj.name, or NULL (no exception set) when it cannot be read so */
#define FIELD(obj, name)                                                                          \
    ({                                                                                            \
        static slot_cache cache_ = {NULL, 0};                                                     \
        PyObject *o_ = (obj);                                                                     \
        (Py_TYPE(o_) == cache_.type || slot_lookup(o_, name, &cache_) == 0)                       \
            ? *(PyObject **)((char *)o_ + cache_.offset)                                          \
            : NULL;                                                                               \
    })

#define NEED(x)                                                                                   \
    do {                                                                                          \
        if ((x) == NULL)                                                                          \
            goto unsure;                                                                          \
    } while (0)

/* an int object as a Py_ssize_t; -1 with `ok` cleared when it is not one that fits */
static Py_ssize_t
as_index(PyObject *v, int *ok)
{
    if (v == NULL || !PyLong_CheckExact(v)) {
        *ok = 0;
        return -1;
    }
    Py_ssize_t x = PyLong_AsSsize_t(v);
    if (x == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        *ok = 0;
    }
    return x;
}

static Py_ssize_t
list_index(PyObject *list, Py_ssize_t i, int *ok)
{
    return as_index(PyList_GET_ITEM(list, i), ok);
}

/* bisect.bisect_right / bisect_left over a list of ints */
static Py_ssize_t
bisect(PyObject *list, Py_ssize_t x, int right, int *ok)
{
    Py_ssize_t lo = 0, hi = PyList_GET_SIZE(list);
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        Py_ssize_t v = list_index(list, mid, ok);
        if (right ? x < v : x <= v)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* src[start:end] == text, for 0 <= start <= end <= len(src), without making the slice */
static int
span_equals(PyObject *src, Py_ssize_t start, Py_ssize_t end, PyObject *text)
{
    if (!PyUnicode_CheckExact(text) || PyUnicode_READY(text) < 0)
        return -1;
    if (PyUnicode_GET_LENGTH(text) != end - start)
        return 0;
    int ks = PyUnicode_KIND(src), kt = PyUnicode_KIND(text);
    const void *ds = PyUnicode_DATA(src), *dt = PyUnicode_DATA(text);
    if (ks == kt)
        return memcmp((const char *)ds + start * ks, dt, (size_t)((end - start) * ks)) == 0;
    for (Py_ssize_t i = 0; i < end - start; i++)
        if (PyUnicode_READ(ks, ds, start + i) != PyUnicode_READ(kt, dt, i))
            return 0;
    return 1;
}

/* clean(rec, data, lane) -> bool | None, lane = (text, paragraph_starts, paragraph_ends,
 * marker_starts, marker_ends, marker_printed, marker_number, names or None, width).
 * None: the record has a shape this code does not expect; ask validate.clean. */
static PyObject *
clean(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PyTuple_Check(args[2]) || PyTuple_GET_SIZE(args[2]) != 9) {
        PyErr_SetString(PyExc_TypeError, "clean(rec, data, lane)");
        return NULL;
    }
    PyObject *rec = args[0], *data = args[1], *lane = args[2];
    PyObject *src = PyTuple_GET_ITEM(lane, 0), *pstarts = PyTuple_GET_ITEM(lane, 1);
    PyObject *pends = PyTuple_GET_ITEM(lane, 2), *mstarts = PyTuple_GET_ITEM(lane, 3);
    PyObject *mends = PyTuple_GET_ITEM(lane, 4), *mprinted = PyTuple_GET_ITEM(lane, 5);
    PyObject *mnumber = PyTuple_GET_ITEM(lane, 6), *names = PyTuple_GET_ITEM(lane, 7);
    int ok = 1;
    Py_ssize_t width = as_index(PyTuple_GET_ITEM(lane, 8), &ok);
    if (!PyUnicode_CheckExact(src) || PyUnicode_READY(src) < 0 || !PyList_CheckExact(pstarts)
        || !PyList_CheckExact(pends) || !PyList_CheckExact(mstarts) || !PyList_CheckExact(mends)
        || !PyList_CheckExact(mprinted) || !PyList_CheckExact(mnumber) || !ok || width < 0
        || (names != Py_None && !PyAnySet_Check(names)))
        goto unsure;
    Py_ssize_t length = PyUnicode_GET_LENGTH(src);

    PyObject *corrections = FIELD(rec, "corrections");
    NEED(corrections);
    if (!PyList_CheckExact(corrections))
        goto unsure;
    if (PyList_GET_SIZE(corrections))
        Py_RETURN_FALSE;

    PyObject *ev = FIELD(rec, "evidence"), *me = FIELD(rec, "method"), *ba = FIELD(rec, "basis");
    NEED(ev); NEED(me); NEED(ba);
    PyObject *sp = FIELD(ev, "speaker"), *cue = FIELD(ev, "cue"), *rp = FIELD(ev, "recipient");
    PyObject *m = FIELD(ev, "marker");
    NEED(sp); NEED(cue); NEED(rp); NEED(m);
    PyObject *nested = FIELD(rec, "nested_in"), *speaker = FIELD(rec, "speaker");
    PyObject *recipient = FIELD(rec, "recipient"), *footnote = FIELD(rec, "footnote");
    NEED(nested); NEED(speaker); NEED(recipient); NEED(footnote);
    PyObject *optional[] = {FIELD(me, "span"), FIELD(me, "kind"), FIELD(me, "speaker"), FIELD(me, "recipient"),
                            FIELD(me, "footnote"), FIELD(ba, "speaker"), FIELD(ba, "recipient"),
                            FIELD(ba, "footnote"), nested, speaker, recipient};

    /* quotes_expected */
    Py_ssize_t keys = 41, strings = 9;
    PyObject *spans[] = {sp, cue, rp};
    for (int i = 0; i < 3; i++)
        if (spans[i] != Py_None) {
            keys += 3;
            strings += 1;
        }
    if (m != Py_None) {
        keys += 6;
        strings += 1;
    }
    for (int i = 0; i < 11; i++) {
        NEED(optional[i]);
        strings += optional[i] != Py_None;
    }
    PyObject *count = delimiters(NULL, data);
    if (count == NULL)
        goto unsure;
    Py_ssize_t quotes = PyLong_AsSsize_t(count);
    Py_DECREF(count);
    if (quotes != 2 * (keys + strings))
        Py_RETURN_FALSE;

    if (names != Py_None) {
        PyObject *who[] = {speaker, recipient};
        for (int i = 0; i < 2; i++)
            if (who[i] != Py_None) {
                int in = PySet_Contains(names, who[i]);
                if (in < 0)
                    goto unsure;
                if (!in)
                    Py_RETURN_FALSE;
            }
    }

    /* a confidence without its value is a `confidence` error */
    PyObject *conf = FIELD(rec, "confidence");
    NEED(conf);
    PyObject *conf_speaker = FIELD(conf, "speaker"), *conf_recipient = FIELD(conf, "recipient");
    NEED(conf_speaker); NEED(conf_recipient);
    if ((speaker == Py_None && conf_speaker != Py_None) || (recipient == Py_None && conf_recipient != Py_None))
        Py_RETURN_FALSE;

    PyObject *text = FIELD(rec, "text"), *sel = FIELD(rec, "selectors");
    NEED(text); NEED(sel);
    PyObject *q = FIELD(sel, "quote"), *pos = FIELD(sel, "position");
    NEED(q); NEED(pos);
    PyObject *exact = FIELD(q, "exact"), *prefix = FIELD(q, "prefix"), *suffix = FIELD(q, "suffix");
    NEED(exact); NEED(prefix); NEED(suffix);
    Py_ssize_t start = as_index(FIELD(rec, "start"), &ok), end = as_index(FIELD(rec, "end"), &ok);
    Py_ssize_t paragraph = as_index(FIELD(rec, "paragraph"), &ok);
    Py_ssize_t pos_start = as_index(FIELD(pos, "start"), &ok), pos_end = as_index(FIELD(pos, "end"), &ok);
    if (!ok || start < 0 || PyList_GET_SIZE(pstarts) != PyList_GET_SIZE(pends))
        goto unsure;
    Py_ssize_t par = bisect(pstarts, start, 1, &ok) - 1;
    if (!ok || par < 0)
        goto unsure;
    Py_ssize_t pend = list_index(pends, par, &ok);
    if (!ok || pend > length)
        goto unsure;
    if (!(start <= end && end <= pend && paragraph == par && pos_start == start && pos_end == end))
        Py_RETURN_FALSE;
    int eq = PyUnicode_CheckExact(exact) && PyUnicode_CheckExact(text) ? PyUnicode_Compare(exact, text) == 0 : -1;
    if (eq < 0)
        goto unsure;
    Py_ssize_t lo = start - width > 0 ? start - width : 0, hi = end + width < length ? end + width : length;
    int e1 = eq ? span_equals(src, start, end, text) : 0;
    int e2 = e1 == 1 ? span_equals(src, lo, start, prefix) : e1;
    int e3 = e2 == 1 ? span_equals(src, end, hi, suffix) : e2;
    if (e3 < 0)
        goto unsure;
    if (!e3)
        Py_RETURN_FALSE;

    /* each evidence role has a Struct type of its own: one expansion (one slot cache) each */
#define CHECK_SPAN(span)                                                                          \
    if (span != Py_None) {                                                                        \
        Py_ssize_t s_ = as_index(FIELD(span, "start"), &ok), e_ = as_index(FIELD(span, "end"), &ok); \
        PyObject *t_ = FIELD(span, "text");                                                       \
        if (!ok || s_ < 0 || t_ == NULL)                                                          \
            goto unsure;                                                                          \
        if (!(s_ <= e_ && e_ <= length))                                                          \
            Py_RETURN_FALSE;                                                                      \
        int r_ = span_equals(src, s_, e_, t_);                                                    \
        if (r_ < 0)                                                                               \
            goto unsure;                                                                          \
        if (!r_)                                                                                  \
            Py_RETURN_FALSE;                                                                      \
    }
    CHECK_SPAN(sp)
    CHECK_SPAN(cue)
    CHECK_SPAN(rp)
#undef CHECK_SPAN

    /* the first marker after the quotation in its paragraph */
    Py_ssize_t nm = PyList_GET_SIZE(mstarts);
    if (PyList_GET_SIZE(mends) != nm || PyList_GET_SIZE(mprinted) != nm || PyList_GET_SIZE(mnumber) != nm)
        goto unsure;
    Py_ssize_t i = bisect(mstarts, end, 0, &ok);
    if (!ok)
        goto unsure;
    if (i == nm || list_index(mstarts, i, &ok) >= pend) {
        if (!ok)
            goto unsure;
        if (m == Py_None && footnote == Py_None)
            Py_RETURN_TRUE;
        Py_RETURN_FALSE;
    }
    if (m == Py_None || footnote == Py_None)
        Py_RETURN_FALSE;
    Py_ssize_t ms = as_index(FIELD(m, "start"), &ok), mend = as_index(FIELD(m, "end"), &ok);
    Py_ssize_t printed = as_index(FIELD(m, "printed"), &ok), number = as_index(FIELD(m, "number"), &ok);
    Py_ssize_t note = as_index(footnote, &ok);
    PyObject *repaired = FIELD(m, "repaired"), *mtext = FIELD(m, "text");
    Py_ssize_t xs = list_index(mstarts, i, &ok), xe = list_index(mends, i, &ok);
    Py_ssize_t xp = list_index(mprinted, i, &ok), xn = list_index(mnumber, i, &ok);
    if (!ok || repaired == NULL || mtext == NULL || !PyBool_Check(repaired) || xs < 0 || xe > length || xs > xe)
        goto unsure;
    if (!(ms == xs && mend == xe && printed == xp && number == xn && note == number
          && (repaired == Py_True) == (printed != number)))
        Py_RETURN_FALSE;
    int r = span_equals(src, ms, mend, mtext);
    if (r < 0)
        goto unsure;
    return PyBool_FromLong(r);

unsure:
    if (PyErr_Occurred())
        PyErr_Clear();
    Py_RETURN_NONE;
}

/* ascii_words(text: str) -> bytes | None
 *
 * records.normalize_words(text).encode() for an ASCII text, None for any other (the caller
 * then uses normalize_words): lower case, each run of whitespace (as str.isspace sees ASCII)
 * one space, none at the ends, then the characters ` "'.,;:!?()[]-` stripped from both ends.
 */
static int
is_space(unsigned char c)
{
    return c == ' ' || (c >= 9 && c <= 13) || (c >= 28 && c <= 31);
}

static int
is_edge(unsigned char c)
{
    return c != 0 && strchr(" \"'.,;:!?()[]-", c) != NULL;
}

static PyObject *
ascii_words(PyObject *self, PyObject *arg)
{
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "ascii_words() takes a str");
        return NULL;
    }
    if (PyUnicode_READY(arg) < 0)
        return NULL;
    if (!PyUnicode_IS_ASCII(arg))
        Py_RETURN_NONE;
    const unsigned char *s = PyUnicode_1BYTE_DATA(arg);
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    PyObject *out = PyBytes_FromStringAndSize(NULL, n);
    if (out == NULL)
        return NULL;
    unsigned char *buf = (unsigned char *)PyBytes_AS_STRING(out);
    Py_ssize_t m = 0;
    int pending = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (is_space(c)) {
            pending = m > 0;
            continue;
        }
        if (pending) {
            buf[m++] = ' ';
            pending = 0;
        }
        buf[m++] = (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
    }
    Py_ssize_t lo = 0, hi = m;
    while (lo < hi && is_edge(buf[lo]))
        lo++;
    while (hi > lo && is_edge(buf[hi - 1]))
        hi--;
    if (lo > 0)
        memmove(buf, buf + lo, (size_t)(hi - lo));
    if (_PyBytes_Resize(&out, hi - lo) < 0)
        return NULL;
    return out;
}

/* tree_raw(X, feat, thr, left, right, leaf, out, bias) -> None
 *
 * The ranker's trees (quoteprov/attribution/model.py, whose `py_tree_raw` is the twin that
 * defines it): for each row r of X (rows x features, float64), bias plus the leaf value each
 * tree t reaches, added tree after tree in order (the same floating-point sum as the twin's),
 * into out[r]. The trees are padded tables (tree x node: feature, threshold, left, right, int64
 * and float64; tree x leaf: leaf values); a child below 0 is the leaf ~child. The ranker runs
 * once or twice per quotation on a handful of rows: the twin's array operations per level
 * cost ~4 ms a call where this walk costs a few microseconds. Every index is checked.
 */
static int
get_table(PyObject *obj, Py_buffer *view, const char *fmt, Py_ssize_t itemsize, int ndim, int writable)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0)) < 0)
        return -1;
    if (view->ndim != ndim || view->itemsize != itemsize || view->format == NULL
        || strchr(fmt, view->format[strlen(view->format) - 1]) == NULL) {
        PyErr_SetString(PyExc_TypeError, "tree_raw: an array of the wrong type or shape");
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

static PyObject *
tree_raw(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 8) {
        PyErr_SetString(PyExc_TypeError, "tree_raw(X, feat, thr, left, right, leaf, out, bias)");
        return NULL;
    }
    double bias = PyFloat_AsDouble(args[7]);
    if (bias == -1.0 && PyErr_Occurred())
        return NULL;
    Py_buffer v[7];
    /* float64 is 'd'; int64 is 'l' or 'q' by platform */
    static const char *fmts[7] = {"d", "lq", "d", "lq", "lq", "d", "d"};
    static const int dims[7] = {2, 2, 2, 2, 2, 2, 1};
    int got = 0;
    PyObject *result = NULL;
    for (; got < 7; got++)
        if (get_table(args[got], &v[got], fmts[got], 8, dims[got], got == 6) < 0)
            goto done;
    const Py_ssize_t rows = v[0].shape[0], nfeat = v[0].shape[1];
    const Py_ssize_t trees = v[1].shape[0], nodes = v[1].shape[1], leaves = v[5].shape[1];
    for (int k = 2; k < 5; k++)
        if (v[k].shape[0] != trees || v[k].shape[1] != nodes)
            goto shape;
    if (v[5].shape[0] != trees || v[6].shape[0] != rows)
        goto shape;
    const double *X = v[0].buf, *thr = v[2].buf, *leaf = v[5].buf;
    const long long *feat = v[1].buf, *left = v[3].buf, *right = v[4].buf;
    double *out = v[6].buf;
    for (Py_ssize_t r = 0; r < rows; r++) {
        const double *x = X + r * nfeat;
        double sum = bias;
        for (Py_ssize_t t = 0; t < trees; t++) {
            long long node = 0;
            Py_ssize_t steps = 0;
            while (node >= 0) {
                if (node >= nodes || steps++ > nodes)
                    goto bad;
                const Py_ssize_t at = t * nodes + (Py_ssize_t)node;
                const long long f = feat[at];
                if (f < 0 || f >= nfeat)
                    goto bad;
                node = x[f] <= thr[at] ? left[at] : right[at];
            }
            if (~node >= leaves)
                goto bad;
            sum += leaf[t * leaves + (Py_ssize_t)(~node)];
        }
        out[r] = sum;
    }
    result = Py_None;
    Py_INCREF(result);
    goto done;
shape:
    PyErr_SetString(PyExc_ValueError, "tree_raw: the tables disagree in shape");
    goto done;
bad:
    PyErr_SetString(PyExc_ValueError, "tree_raw: a tree points outside its table");
done:
    for (int k = 0; k < got; k++)
        PyBuffer_Release(&v[k]);
    return result;
}

static PyMethodDef methods[] = {
    {"delimiters", delimiters, METH_O,
     "delimiters(data) -> int: the `\"` bytes of a JSON text that are not escaped."},
    {"clean", (PyCFunction)(void (*)(void))clean, METH_FASTCALL,
     "clean(rec, data, lane) -> bool | None: validate.clean in C (None: ask validate.clean)."},
    {"ascii_words", ascii_words, METH_O,
     "ascii_words(text) -> bytes | None: records.normalize_words(text).encode() of an ASCII text, else None."},
    {"tree_raw", (PyCFunction)(void (*)(void))tree_raw, METH_FASTCALL,
     "tree_raw(X, feat, thr, left, right, leaf, out, bias): the ranker's summed tree outputs into out."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "quoteprov._speedups",
    "Optional C helpers for quoteprov validate and the ranker (see quoteprov/speedups.py).", -1, methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    return PyModule_Create(&module);
}
