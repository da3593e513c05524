/* Probe: the oracle probe's callback for one event with compact records (PROTOCOL §4.5),
 * the fast path of recorder.py's _compact_probe_callback done without a Python frame:
 *
 *   Probe(fallback, ev, shape, keyed, throw, records, active, harness, limit,
 *         entry_of, value, repr_limit, failed, method_type, as_text, values, quiet)
 *
 * A call whose record would be a tuple appends (ev, code index, offset, line, depth,
 * field...) to `records` exactly as the Python callback would (with as_text, as its
 * JSON text where render() writes everything in it); any other call (a
 * code-like, a callback running, a generator's entry or exit, a bound method's CALL, a
 * GeneratorExit thrown into an async generator, max_records reached, an argument of
 * another type) is passed whole to `fallback`, that Python callback, which sees the
 * same caller frame since a C call makes none. shape: 0 offset, 1 LINE, 2 dest,
 * 3 value/exc, 4 call. Values are value(v), made here for plain ints and lists of
 * them (plain_value) and remembered for a module's builtin functions. An exception in the fast path goes to failed(exc), as the
 * Python callback's `except BaseException` does. An event in the harness's own code
 * returns `quiet` (DISABLE where the event allows it: the site stops calling).
 */
#include "probe.h"

#include <frameobject.h>
#include <stddef.h>

#define CACHE 64 /* code object -> (cid, lines, index), direct-mapped by address */
#define MEMO 8    /* a module's builtin function -> its normalised value */

enum { OFF, LINE, DEST, VALUE, CALL };

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *fallback, *ev, *records, *active, *harness, *entry_of, *value, *failed;
    PyObject *values; /* trace.compact.values: what a remembered value's index stands for */
    PyObject *method_type;
    PyObject *quiet; /* what an event in the harness's code returns */
    int shape, throw_;
    long keyed;
    Py_ssize_t limit;
    PyObject *code[CACHE], *entry[CACHE]; /* both held: an address is never reused */
    PyObject *memo_ref[MEMO], *memo_value[MEMO]; /* a weak reference: nothing lives longer */
    Py_ssize_t repr_limit;                       /* options.repr_limit */
    int as_text;                                 /* records as their JSON text */
} ProbeObject;

static PyObject *s_type, *s_repr, *s_int, *s_list; /* "type", "repr", "int", "list" */

/* The code's (cid, lines, index) entry, borrowed from the cache; NULL on error. */
static PyObject *
entry_of(ProbeObject *p, PyObject *code)
{
    size_t k = ((uintptr_t)code >> 4) % CACHE;
    if (p->code[k] == code) {
        return p->entry[k];
    }
    PyObject *e = PyObject_CallOneArg(p->entry_of, code);
    if (e == NULL) {
        return NULL;
    }
    if (!PyTuple_CheckExact(e) || PyTuple_GET_SIZE(e) != 3
        || !PyTuple_CheckExact(PyTuple_GET_ITEM(e, 1))) {
        Py_DECREF(e);
        PyErr_SetString(PyExc_TypeError, "Probe: entry_of must give (cid, lines, index)");
        return NULL;
    }
    Py_XSETREF(p->entry[k], e);
    Py_XSETREF(p->code[k], Py_NewRef(code));
    return e;
}

/* Appends the decimal digits of an exact int that fits a long long; 0 for any other. */
static int
put_int(PyObject *v, char *buf, size_t *len)
{
    if (!PyLong_CheckExact(v)) {
        return 0;
    }
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
    if (overflow != 0 || (x == -1 && PyErr_Occurred())) {
        PyErr_Clear();
        return 0;
    }
    *len += (size_t)sprintf(buf + *len, "%lld", x);
    return 1;
}

/* The repr normalise.py gives an exact int that fits a long long (so well inside its
 * ±10**30) or an exact list of at most _ITEMS (8) of them, when it is not cut at
 * repr_limit, written to buf (8 * 22 + 8 bytes): "int" or "list"; NULL for any other. */
static const char *
plain_repr(ProbeObject *p, PyObject *v, char *buf, size_t *len)
{
    const char *kind;
    *len = 0;
    if (PyLong_CheckExact(v)) {
        put_int(v, buf, len);
        kind = "int";
    }
    else if (PyList_CheckExact(v) && PyList_GET_SIZE(v) <= 8) {
        buf[(*len)++] = '[';
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(v); i++) {
            if (i > 0) {
                buf[(*len)++] = ',';
                buf[(*len)++] = ' ';
            }
            if (!put_int(PyList_GET_ITEM(v, i), buf, len)) {
                return NULL;
            }
        }
        buf[(*len)++] = ']';
        kind = "list";
    }
    else {
        return NULL;
    }
    return *len == 0 || (Py_ssize_t)*len > p->repr_limit ? NULL : kind;
}

/* normalise.py's {"type", "repr"} of a plain value (plain_repr); NULL (no exception)
 * for anything else, which value() then makes. */
static PyObject *
plain_value(ProbeObject *p, PyObject *v)
{
    char buf[8 * 22 + 8];
    size_t len;
    const char *kind = plain_repr(p, v, buf, &len);
    if (kind == NULL) {
        return NULL;
    }
    PyObject *repr = PyUnicode_FromStringAndSize(buf, (Py_ssize_t)len);
    PyObject *d = repr != NULL ? PyDict_New() : NULL;
    if (d == NULL || PyDict_SetItem(d, s_type, kind[0] == 'i' ? s_int : s_list) < 0
        || PyDict_SetItem(d, s_repr, repr) < 0) {
        Py_XDECREF(repr);
        Py_XDECREF(d);
        return NULL; /* with the exception: the caller's failure */
    }
    Py_DECREF(repr);
    return d;
}

/* value(v). A builtin function of a module (CALL's `len`) normalises to its name only,
 * which nothing can change, so its value is remembered while it lives, and written once,
 * in trace.compact.values: records hold its index there (PROTOCOL §4.5). */
static PyObject *
normalised(ProbeObject *p, PyObject *v)
{
    PyObject *plain = plain_value(p, v);
    if (plain != NULL || PyErr_Occurred()) {
        return plain;
    }
    if (!PyCFunction_CheckExact(v)
        || (PyCFunction_GET_SELF(v) != NULL && !PyModule_CheckExact(PyCFunction_GET_SELF(v)))) {
        return PyObject_CallOneArg(p->value, v);
    }
    size_t k = ((uintptr_t)v >> 4) % MEMO;
    if (p->memo_ref[k] != NULL) {
        PyObject *o;
        if (PyWeakref_GetRef(p->memo_ref[k], &o) < 0) {
            return NULL;
        }
        int same = o == v;
        Py_XDECREF(o);
        if (same) {
            return Py_NewRef(p->memo_value[k]);
        }
    }
    PyObject *r = PyObject_CallOneArg(p->value, v);
    if (r == NULL) {
        return NULL;
    }
    PyObject *ref = PyWeakref_NewRef(v, NULL);
    if (ref == NULL) {
        PyErr_Clear(); /* not remembered, still right */
        return r;
    }
    /* Remembered as its index in trace.compact.values, which the record then holds. */
    PyObject *index = PyLong_FromSsize_t(PyList_GET_SIZE(p->values));
    if (index == NULL || PyList_Append(p->values, r) < 0) {
        Py_XDECREF(index);
        Py_DECREF(ref);
        Py_DECREF(r);
        return NULL;
    }
    Py_DECREF(r);
    Py_XSETREF(p->memo_ref[k], ref);
    Py_XSETREF(p->memo_value[k], Py_NewRef(index));
    return index;
}

/* Frames from f down to the first harness frame (recorder.py's frame_depth); -1 on
 * error. */
static long
depth_of(ProbeObject *p, PyFrameObject *f)
{
    long d = 0;
    Py_XINCREF(f);
    while (f != NULL) {
        PyCodeObject *c = PyFrame_GetCode(f);
        int in = PySet_Contains(p->harness, c->co_filename);
        Py_DECREF(c);
        if (in != 0) {
            Py_DECREF(f);
            return in < 0 ? -1 : d;
        }
        d++;
        PyFrameObject *back = PyFrame_GetBack(f);
        Py_DECREF(f);
        f = back;
    }
    return d;
}

/* JSON text as json.dumps(separators=(",", ":")) writes it, for what a compact record
 * holds almost always: ints that fit a long long, None, strings of printable ASCII
 * without '"' or '\\', and flat dicts of such strings (values). 0 for anything else
 * (the record then stays a tuple, which json.dumps writes). */
typedef struct {
    char buf[1024];
    size_t len;
} Text;

static int
put(Text *t, const char *s, size_t n)
{
    if (t->len + n > sizeof t->buf) {
        return 0;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    return 1;
}

static int
render_str(Text *t, PyObject *s)
{
    if (!PyUnicode_CheckExact(s) || PyUnicode_KIND(s) != PyUnicode_1BYTE_KIND) {
        return 0;
    }
    const Py_UCS1 *c = PyUnicode_1BYTE_DATA(s);
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (c[i] < 0x20 || c[i] > 0x7e || c[i] == '"' || c[i] == '\\') {
            return 0;
        }
    }
    return put(t, "\"", 1) && put(t, (const char *)c, (size_t)n) && put(t, "\"", 1);
}

static int
render(Text *t, PyObject *v)
{
    if (v == Py_None) {
        return put(t, "null", 4);
    }
    if (PyLong_CheckExact(v)) {
        int overflow = 0;
        long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (overflow != 0 || (x == -1 && PyErr_Occurred())) {
            PyErr_Clear();
            return 0;
        }
        char digits[24], *end = digits + sizeof digits, *d = end;
        unsigned long long u = x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x;
        do {
            *--d = (char)('0' + u % 10);
            u /= 10;
        } while (u != 0);
        if (x < 0) {
            *--d = '-';
        }
        return put(t, d, (size_t)(end - d));
    }
    if (PyUnicode_CheckExact(v)) {
        return render_str(t, v);
    }
    if (PyDict_CheckExact(v)) {
        Py_ssize_t pos = 0, i = 0;
        PyObject *key, *item;
        if (!put(t, "{", 1)) {
            return 0;
        }
        while (PyDict_Next(v, &pos, &key, &item)) {
            if ((i++ > 0 && !put(t, ",", 1)) || !render_str(t, key) || !put(t, ":", 1)
                || !render_str(t, item)) {
                return 0;
            }
        }
        return put(t, "}", 1);
    }
    return 0;
}

/* The record's JSON text as a str, or the record itself when it has something render()
 * does not write: the worker joins the texts into its reply (protocol.py). */
static PyObject *
as_text(PyObject *rec)
{
    Text t = {.len = 0};
    int ok = put(&t, "[", 1);
    for (Py_ssize_t i = 0; ok && i < PyTuple_GET_SIZE(rec); i++) {
        ok = (i == 0 || put(&t, ",", 1)) && render(&t, PyTuple_GET_ITEM(rec, i));
    }
    if (!ok || !put(&t, "]", 1)) {
        return Py_NewRef(rec);
    }
    return PyUnicode_FromStringAndSize(t.buf, (Py_ssize_t)t.len);
}

/* A plain value's normalised dict as its JSON text, {"type":"int","repr":"5"}, without
 * making the dict: what plain_value() would give, rendered. 0 if v is not plain; t is
 * then left as it was. */
static int
render_plain(ProbeObject *p, Text *t, PyObject *v)
{
    char buf[8 * 22 + 8];
    size_t len;
    const char *kind = plain_repr(p, v, buf, &len);
    if (kind == NULL) {
        return 0;
    }
    const char *head = kind[0] == 'i' ? "{\"type\":\"int\",\"repr\":\""
                                      : "{\"type\":\"list\",\"repr\":\"";
    size_t before = t->len;
    if (!put(t, head, strlen(head)) || !put(t, buf, len) || !put(t, "\"}", 2)) {
        t->len = before;
        return 0;
    }
    return 1;
}

/* The record [ev, code, offset, line, depth, field...] as JSON text, made from its
 * parts without the tuple (nor a dict for a plain value). A value field that is not
 * plain is normalised into norm[i] (which the caller then owns, for the tuple too, so
 * nothing is normalised twice). NULL without an exception where render() does not
 * write something (the caller then makes the tuple), with one on failure. */
static PyObject *
direct_text(ProbeObject *p, PyObject *cid, PyObject *offset, PyObject *line, long depth,
            PyObject *const *fields, Py_ssize_t nfields, PyObject **norm)
{
    Text t = {.len = 0};
    char digits[24];
    int ok = put(&t, "[", 1) && render(&t, p->ev) && put(&t, ",", 1) && render(&t, cid)
        && put(&t, ",", 1) && render(&t, offset) && put(&t, ",", 1) && render(&t, line)
        && put(&t, ",", 1)
        && put(&t, digits, (size_t)snprintf(digits, sizeof digits, "%ld", depth));
    for (Py_ssize_t i = 0; ok && i < nfields; i++) {
        ok = put(&t, ",", 1);
        if (!ok || p->shape == DEST) {
            ok = ok && render(&t, fields[i]);
            continue;
        }
        if (render_plain(p, &t, fields[i])) {
            continue;
        }
        norm[i] = normalised(p, fields[i]);
        if (norm[i] == NULL) {
            return NULL;
        }
        ok = render(&t, norm[i]);
    }
    if (!ok || !put(&t, "]", 1)) {
        return NULL;
    }
    return PyUnicode_FromStringAndSize(t.buf, (Py_ssize_t)t.len);
}

static PyObject *
fall_back(ProbeObject *p, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    return PyObject_Vectorcall(p->fallback, args, nargsf, kwnames);
}

static PyObject *
Probe_vectorcall(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    ProbeObject *p = (ProbeObject *)self;
    Py_ssize_t n = PyVectorcall_NARGS(nargsf);
    static const Py_ssize_t arity[] = {2, 2, 3, 3, 4};
    if (kwnames != NULL || n != arity[p->shape] || !PyCode_Check(args[0])
        || PyList_GET_SIZE(p->active) != 0 || PyList_GET_SIZE(p->records) >= p->limit) {
        return fall_back(p, args, nargsf, kwnames);
    }
    PyCodeObject *code = (PyCodeObject *)args[0];
    if ((code->co_flags & p->keyed)
        || (p->shape != LINE && !PyLong_CheckExact(args[1]))
        || (p->throw_ && (code->co_flags & 0x200)
            && Py_IS_TYPE(args[2], (PyTypeObject *)PyExc_GeneratorExit))
        || (p->shape == CALL && Py_IS_TYPE(args[2], (PyTypeObject *)p->method_type))) {
        return fall_back(p, args, nargsf, kwnames);
    }
    PyFrameObject *f = PyEval_GetFrame(); /* the monitored frame: _getframe(1) there */
    if (f == NULL) {
        return fall_back(p, args, nargsf, kwnames);
    }
    PyObject *rec = NULL, *offset = NULL, *line = NULL, *norm[2] = {NULL, NULL};
    int in = PySet_Contains(p->harness, code->co_filename);
    if (in != 0) {
        if (in < 0) {
            goto failed;
        }
        return Py_NewRef(p->quiet);
    }
    PyObject *e = entry_of(p, (PyObject *)code);
    if (e == NULL) {
        goto failed;
    }
    PyObject *lines = PyTuple_GET_ITEM(e, 1);
    if (p->shape == LINE) {
        offset = PyLong_FromLong(PyFrame_GetLasti(f));
        if (offset == NULL) {
            goto failed;
        }
        line = Py_NewRef(args[1]);
    }
    else {
        int overflow = 0;
        long off = PyLong_AsLongAndOverflow(args[1], &overflow);
        offset = Py_NewRef(args[1]);
        line = (overflow == 0 && off >= 0 && (off >> 1) < PyTuple_GET_SIZE(lines))
            ? Py_NewRef(PyTuple_GET_ITEM(lines, off >> 1)) : Py_NewRef(Py_None);
    }
    long d = depth_of(p, f);
    if (d < 0) {
        goto failed;
    }
    if (p->as_text) {
        /* Most records hold only plain fields: their text straight away. */
        rec = direct_text(p, PyTuple_GET_ITEM(e, 2), offset, line, d, args + 2,
                          p->shape == OFF || p->shape == LINE ? 0 : n - 2, norm);
        if (rec != NULL) {
            Py_CLEAR(offset);
            Py_CLEAR(line);
            Py_CLEAR(norm[0]);
            Py_CLEAR(norm[1]);
            goto append;
        }
        if (PyErr_Occurred()) {
            goto failed;
        }
    }
    rec = PyTuple_New(p->shape == CALL ? 7 : p->shape == OFF || p->shape == LINE ? 5 : 6);
    if (rec == NULL) {
        goto failed;
    }
    PyTuple_SET_ITEM(rec, 0, Py_NewRef(p->ev));
    PyTuple_SET_ITEM(rec, 1, Py_NewRef(PyTuple_GET_ITEM(e, 2)));
    PyTuple_SET_ITEM(rec, 2, offset);
    PyTuple_SET_ITEM(rec, 3, line);
    offset = line = NULL;
    PyObject *depth = PyLong_FromLong(d);
    if (depth == NULL) {
        goto failed;
    }
    PyTuple_SET_ITEM(rec, 4, depth);
    if (p->shape == DEST) {
        PyTuple_SET_ITEM(rec, 5, Py_NewRef(args[2]));
    }
    else if (p->shape == VALUE || p->shape == CALL) {
        for (Py_ssize_t i = 2; i < n; i++) {
            PyObject *v = norm[i - 2] != NULL ? norm[i - 2] : normalised(p, args[i]);
            norm[i - 2] = NULL; /* the tuple holds it now */
            if (v == NULL) {
                goto failed;
            }
            PyTuple_SET_ITEM(rec, 3 + i, v);
        }
    }
    if (p->as_text) {
        Py_SETREF(rec, as_text(rec));
        if (rec == NULL) {
            goto failed;
        }
    }
    /* What a tuple holds is atomic (ints, None, value dicts of strings) almost always:
     * then the run's full collections need not walk it, as they would to find out. */
    int atomic = PyTuple_CheckExact(rec);
    for (Py_ssize_t i = 0; atomic && i < PyTuple_GET_SIZE(rec); i++) {
        atomic &= !PyObject_GC_IsTracked(PyTuple_GET_ITEM(rec, i));
    }
    if (atomic) {
        PyObject_GC_UnTrack(rec);
    }
append:
    if (PyList_Append(p->records, rec) < 0) {
        goto failed;
    }
    Py_DECREF(rec);
    Py_RETURN_NONE;
failed:
    Py_XDECREF(rec);
    Py_XDECREF(offset);
    Py_XDECREF(line);
    Py_XDECREF(norm[0]);
    Py_XDECREF(norm[1]);
    {
        PyObject *x = PyErr_GetRaisedException();
        PyObject *r = PyObject_CallOneArg(p->failed, x);
        Py_DECREF(x);
        if (r == NULL) {
            return NULL;
        }
        Py_DECREF(r);
    }
    Py_RETURN_NONE;
}

static PyObject *
Probe_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *fallback, *ev, *records, *active, *harness, *entry, *value, *failed, *method;
    PyObject *values, *quiet;
    int shape, throw_;
    long keyed;
    Py_ssize_t limit, repr_limit;
    int as_text;
    if (!PyArg_ParseTuple(args, "OO!ilpO!O!O!nOOnOOpO!O:Probe", &fallback, &PyLong_Type, &ev,
                          &shape, &keyed, &throw_, &PyList_Type, &records, &PyList_Type,
                          &active, &PySet_Type, &harness, &limit, &entry, &value,
                          &repr_limit, &failed, &method, &as_text, &PyList_Type, &values,
                          &quiet)) {
        return NULL;
    }
    if (shape < OFF || shape > CALL) {
        PyErr_SetString(PyExc_ValueError, "Probe: shape must be 0..4");
        return NULL;
    }
    ProbeObject *p = (ProbeObject *)type->tp_alloc(type, 0);
    if (p == NULL) {
        return NULL;
    }
    p->vectorcall = Probe_vectorcall;
    p->fallback = Py_NewRef(fallback);
    p->ev = Py_NewRef(ev);
    p->records = Py_NewRef(records);
    p->active = Py_NewRef(active);
    p->harness = Py_NewRef(harness);
    p->entry_of = Py_NewRef(entry);
    p->value = Py_NewRef(value);
    p->values = Py_NewRef(values);
    p->failed = Py_NewRef(failed);
    p->method_type = Py_NewRef(method);
    p->quiet = Py_NewRef(quiet);
    p->shape = shape;
    p->throw_ = throw_;
    p->keyed = keyed;
    p->limit = limit;
    p->repr_limit = repr_limit;
    p->as_text = as_text;
    return (PyObject *)p;
}

static int
Probe_traverse(ProbeObject *p, visitproc visit, void *arg)
{
    Py_VISIT(p->fallback);
    Py_VISIT(p->records);
    Py_VISIT(p->active);
    Py_VISIT(p->harness);
    Py_VISIT(p->entry_of);
    Py_VISIT(p->value);
    Py_VISIT(p->values);
    Py_VISIT(p->failed);
    Py_VISIT(p->method_type);
    Py_VISIT(p->quiet);
    for (int i = 0; i < CACHE; i++) {
        Py_VISIT(p->code[i]);
        Py_VISIT(p->entry[i]);
    }
    for (int i = 0; i < MEMO; i++) {
        Py_VISIT(p->memo_ref[i]);
        Py_VISIT(p->memo_value[i]);
    }
    return 0;
}

static int
Probe_clear(ProbeObject *p)
{
    Py_CLEAR(p->fallback);
    Py_CLEAR(p->records);
    Py_CLEAR(p->active);
    Py_CLEAR(p->harness);
    Py_CLEAR(p->entry_of);
    Py_CLEAR(p->value);
    Py_CLEAR(p->values);
    Py_CLEAR(p->failed);
    Py_CLEAR(p->method_type);
    Py_CLEAR(p->quiet);
    for (int i = 0; i < CACHE; i++) {
        Py_CLEAR(p->code[i]);
        Py_CLEAR(p->entry[i]);
    }
    for (int i = 0; i < MEMO; i++) {
        Py_CLEAR(p->memo_ref[i]);
        Py_CLEAR(p->memo_value[i]);
    }
    return 0;
}

static void
Probe_dealloc(ProbeObject *p)
{
    PyObject_GC_UnTrack(p);
    Probe_clear(p);
    Py_CLEAR(p->ev);
    Py_TYPE(p)->tp_free((PyObject *)p);
}

static PyTypeObject Probe_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "monsim_capi.Probe",
    .tp_basicsize = sizeof(ProbeObject),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_new = Probe_new,
    .tp_dealloc = (destructor)Probe_dealloc,
    .tp_traverse = (traverseproc)Probe_traverse,
    .tp_clear = (inquiry)Probe_clear,
    .tp_call = PyVectorcall_Call,
    .tp_vectorcall_offset = offsetof(ProbeObject, vectorcall),
    .tp_doc = "The probe's compact callback for one event (oracle/capi_ext/probe.c)",
};

int
monsim_add_probe(PyObject *module)
{
    if (PyType_Ready(&Probe_Type) < 0) {
        return -1;
    }
    s_type = PyUnicode_InternFromString("type");
    s_repr = PyUnicode_InternFromString("repr");
    s_int = PyUnicode_InternFromString("int");
    s_list = PyUnicode_InternFromString("list");
    if (s_type == NULL || s_repr == NULL || s_int == NULL || s_list == NULL) {
        return -1;
    }
    return PyModule_AddObjectRef(module, "Probe", (PyObject *)&Probe_Type);
}

/* join_texts(records): every run of consecutive str items (records' JSON texts, which
 * only the probe makes) becomes one str, their texts joined by ",", in place. After a
 * run: the reply joins them the same way (protocol.py's encode), and the teardown's
 * collections then walk a few items instead of one per event. */
PyObject *
monsim_join_texts(PyObject *self, PyObject *records)
{
    (void)self;
    if (!PyList_CheckExact(records)) {
        PyErr_SetString(PyExc_TypeError, "join_texts: a list");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(records);
    PyObject *out = PyList_New(0);
    if (out == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n;) {
        Py_ssize_t j = i, size = 0;
        while (j < n && PyUnicode_CheckExact(PyList_GET_ITEM(records, j))
               && PyUnicode_IS_ASCII(PyList_GET_ITEM(records, j))) {
            size += PyUnicode_GET_LENGTH(PyList_GET_ITEM(records, j)) + 1;
            j++;
        }
        PyObject *item;
        if (j - i > 1) {
            item = PyUnicode_New(size - 1, 127);
            if (item == NULL) {
                Py_DECREF(out);
                return NULL;
            }
            char *to = (char *)PyUnicode_1BYTE_DATA(item);
            for (Py_ssize_t k = i; k < j; k++) {
                PyObject *t = PyList_GET_ITEM(records, k);
                if (k > i) {
                    *to++ = ',';
                }
                memcpy(to, PyUnicode_1BYTE_DATA(t), (size_t)PyUnicode_GET_LENGTH(t));
                to += PyUnicode_GET_LENGTH(t);
            }
        }
        else {
            j = i + 1;
            item = Py_NewRef(PyList_GET_ITEM(records, i));
        }
        int r = PyList_Append(out, item);
        Py_DECREF(item);
        if (r < 0) {
            Py_DECREF(out);
            return NULL;
        }
        i = j;
    }
    int r = PyList_SetSlice(records, 0, n, out);
    Py_DECREF(out);
    if (r < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

