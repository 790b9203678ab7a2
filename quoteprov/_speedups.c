/* Optional C helpers for `quoteprov validate`'s fast lane.
 *
 * Each function here has a pure-Python twin in quoteprov/speedups.py that defines what it
 * does; the tests run both on the same inputs. The package works without this module (a
 * machine with no C compiler), only slower.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

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

static PyMethodDef methods[] = {
    {"delimiters", delimiters, METH_O,
     "delimiters(data) -> int: the `\"` bytes of a JSON text that are not escaped."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "quoteprov._speedups",
    "Optional C helpers for quoteprov validate (see quoteprov/speedups.py).", -1, methods,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    return PyModule_Create(&module);
}
