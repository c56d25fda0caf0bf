/* pdfium's two per-character calls (origin, loose box) over many characters in one call from Python.
 *
 * pdfium has no call for many characters at once, and from ctypes the two calls a character were most of
 * the reading time (issue 13). This module calls them in a C loop through the function pointers Python
 * hands it (the functions of the pdfium library pypdfium2 loaded: no pdfium header or link needed) and
 * writes into arrays Python owns. It computes nothing: the values are exactly those of the ctypes loop in
 * pdf_columns.ctypes_geometry, which stays as the fallback where this module is not built. The same for
 * FPDFText_IsGenerated of the page's spaces (pdf_columns.ctypes_generated). */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef struct { float left, top, right, bottom; } rect_f;
typedef int (*origin_fn)(void *, int, double *, double *);
typedef int (*box_fn)(void *, int, rect_f *);
typedef int (*generated_fn)(void *, int);

/* geometry(origin, loose_box, textpage, count, indexes, lefts, rights, bases): all pointers as integer
 * addresses; indexes int64[count]; lefts/rights/bases float64[count] (right never left of left). */
static PyObject *geometry(PyObject *self, PyObject *args) {
    unsigned long long origin_at, box_at, textpage, indexes_at, lefts_at, rights_at, bases_at;
    Py_ssize_t count;
    if (!PyArg_ParseTuple(args, "KKKnKKKK", &origin_at, &box_at, &textpage, &count, &indexes_at, &lefts_at,
                          &rights_at, &bases_at))
        return NULL;
    if (!origin_at || !box_at || !textpage || count < 0) {
        PyErr_SetString(PyExc_ValueError, "null pdfium function or text page, or negative count");
        return NULL;
    }
    origin_fn origin = (origin_fn)(uintptr_t)origin_at;
    box_fn box = (box_fn)(uintptr_t)box_at;
    const long long *indexes = (const long long *)(uintptr_t)indexes_at;
    double *lefts = (double *)(uintptr_t)lefts_at, *rights = (double *)(uintptr_t)rights_at;
    double *bases = (double *)(uintptr_t)bases_at;
    void *page = (void *)(uintptr_t)textpage;
    /* one x, y and box for all characters, as the ctypes loop reuses its values; the GIL stays held, as
     * no other thread may call pdfium meanwhile */
    double x = 0.0, y = 0.0;
    rect_f r = {0.0f, 0.0f, 0.0f, 0.0f};
    for (Py_ssize_t k = 0; k < count; k++) {
        origin(page, (int)indexes[k], &x, &y);
        box(page, (int)indexes[k], &r);
        lefts[k] = (double)r.left;
        rights[k] = r.right > r.left ? (double)r.right : (double)r.left;
        bases[k] = y;
    }
    Py_RETURN_NONE;
}

/* generated(is_generated, textpage, count, indexes, flags): pdfium's FPDFText_IsGenerated of each character,
 * as flags uint8[count] (1 where it returned a positive value, as the ctypes loop's ``> 0``). */
static PyObject *generated(PyObject *self, PyObject *args) {
    unsigned long long generated_at, textpage, indexes_at, flags_at;
    Py_ssize_t count;
    if (!PyArg_ParseTuple(args, "KKnKK", &generated_at, &textpage, &count, &indexes_at, &flags_at))
        return NULL;
    if (!generated_at || !textpage || count < 0) {
        PyErr_SetString(PyExc_ValueError, "null pdfium function or text page, or negative count");
        return NULL;
    }
    generated_fn is_generated = (generated_fn)(uintptr_t)generated_at;
    const long long *indexes = (const long long *)(uintptr_t)indexes_at;
    unsigned char *flags = (unsigned char *)(uintptr_t)flags_at;
    void *page = (void *)(uintptr_t)textpage;
    for (Py_ssize_t k = 0; k < count; k++)
        flags[k] = is_generated(page, (int)indexes[k]) > 0;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"geometry", geometry, METH_VARARGS, "pdfium's origin and loose box of many characters (see pdf_columns)."},
    {"generated", generated, METH_VARARGS, "pdfium's IsGenerated of many characters (see pdf_columns)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pdfium_bulk", NULL, -1, methods};

PyMODINIT_FUNC PyInit__pdfium_bulk(void) { return PyModule_Create(&module); }
