/* monsim_capi: the monitoring C API (CPython 3.13+) for the monsim oracle.
 *
 * _testcapi's wrappers assert (abort the process) on anything outside their own
 * use: state index == offset, offsets in range, one version per code-like, 1 or 2
 * scope events. The oracle needs the API itself, so this module exposes it as is:
 *
 *   States(n)                 n zeroed PyMonitoringState (also usable as the code-like)
 *   active(states, i)         states[i].active
 *   Version()                 a uint64_t version cell, 0 at first (shareable)
 *   enter_scope(states, version, events)   PyMonitoring_EnterScope, events a tuple of ints
 *   exit_scope()              PyMonitoring_ExitScope
 *   fire(event, states, index, codelike, offset, *args)
 *                             PyMonitoring_Fire<Event>Event(&states[index], codelike, offset, ...)
 *                             -> states[index].active afterwards
 *   Probe(...)                the probe's compact callback for one event (probe.c)
 *
 * Built by build.sh; the oracle loads it from build/capi_ext/<version>/.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "probe.h"

#if PY_VERSION_HEX < 0x030D0000
#error "monsim_capi needs the monitoring C API (CPython 3.13+)"
#endif

typedef struct {
    PyObject_HEAD
    Py_ssize_t n;
    PyMonitoringState *arr;
} StatesObject;

typedef struct {
    PyObject_HEAD
    uint64_t v;
} VersionObject;

static PyObject *
States_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "n:States", &n)) {
        return NULL;
    }
    if (n < 0 || n > 4096) {
        PyErr_SetString(PyExc_ValueError, "States(n): n must be 0..4096");
        return NULL;
    }
    StatesObject *self = (StatesObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    /* One spare element, so that n == 0 still has a valid, never-used array. */
    self->arr = PyMem_Calloc((size_t)n + 1, sizeof(PyMonitoringState));
    if (self->arr == NULL) {
        Py_DECREF(self);
        return PyErr_NoMemory();
    }
    self->n = n;
    return (PyObject *)self;
}

static void
States_dealloc(StatesObject *self)
{
    PyMem_Free(self->arr);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyTypeObject States_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "monsim_capi.States",
    .tp_basicsize = sizeof(StatesObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = States_new,
    .tp_dealloc = (destructor)States_dealloc,
    .tp_doc = "States(n): n zeroed PyMonitoringState",
};

static PyObject *
Version_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    if (!PyArg_ParseTuple(args, ":Version")) {
        return NULL;
    }
    VersionObject *self = (VersionObject *)type->tp_alloc(type, 0);
    if (self != NULL) {
        self->v = 0;
    }
    return (PyObject *)self;
}

static PyObject *
Version_value(VersionObject *self, void *closure)
{
    return PyLong_FromUnsignedLongLong(self->v);
}

static PyGetSetDef Version_getset[] = {
    {"value", (getter)Version_value, NULL, "the version last stored by PyMonitoring_EnterScope", NULL},
    {NULL},
};

static PyTypeObject Version_Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "monsim_capi.Version",
    .tp_basicsize = sizeof(VersionObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = Version_new,
    .tp_getset = Version_getset,
    .tp_doc = "Version(): a uint64_t version cell for PyMonitoring_EnterScope, 0 at first",
};

/* &states[index], or NULL with IndexError/TypeError set. */
static PyMonitoringState *
state_at(PyObject *states, PyObject *index)
{
    if (!PyObject_TypeCheck(states, &States_Type)) {
        PyErr_Format(PyExc_TypeError, "expected States, got %s", Py_TYPE(states)->tp_name);
        return NULL;
    }
    StatesObject *s = (StatesObject *)states;
    Py_ssize_t i = PyLong_AsSsize_t(index);
    if (i == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (i < 0 || i >= s->n) {
        PyErr_Format(PyExc_IndexError, "state index %zd out of range (%zd states)", i, s->n);
        return NULL;
    }
    return &s->arr[i];
}

static PyObject *
active(PyObject *module, PyObject *args)
{
    PyObject *states, *index;
    if (!PyArg_ParseTuple(args, "OO:active", &states, &index)) {
        return NULL;
    }
    PyMonitoringState *st = state_at(states, index);
    return st == NULL ? NULL : PyLong_FromLong(st->active);
}

static PyObject *
enter_scope(PyObject *module, PyObject *args)
{
    PyObject *states, *events;
    VersionObject *version;
    if (!PyArg_ParseTuple(args, "O!O!O!:enter_scope", &States_Type, &states,
                          &Version_Type, &version, &PyTuple_Type, &events)) {
        return NULL;
    }
    StatesObject *s = (StatesObject *)states;
    Py_ssize_t len = PyTuple_GET_SIZE(events);
    /* EnterScope writes state_array[0..len-1]: never past our array. */
    if (len > s->n) {
        PyErr_Format(PyExc_ValueError, "%zd events for %zd states", len, s->n);
        return NULL;
    }
    uint8_t *types = PyMem_Malloc((size_t)len + 1);
    if (types == NULL) {
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < len; i++) {
        long e = PyLong_AsLong(PyTuple_GET_ITEM(events, i));
        if (e == -1 && PyErr_Occurred()) {
            PyMem_Free(types);
            return NULL;
        }
        /* Any uint8_t goes through, as the API takes it; the oracle passes only events
         * CPython keeps a scope state for (a higher number reads past its table). */
        if (e < 0 || e > 255) {
            PyMem_Free(types);
            PyErr_Format(PyExc_ValueError, "event number %ld is not a uint8_t", e);
            return NULL;
        }
        types[i] = (uint8_t)e;
    }
    int res = PyMonitoring_EnterScope(s->arr, &version->v, types, len);
    PyMem_Free(types);
    if (res < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *
exit_scope(PyObject *module, PyObject *unused)
{
    if (PyMonitoring_ExitScope() < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* Arguments after the offset: 0, 1, 2, or 'e' (one: the exception to set, or None);
 * -1 for an event without a Fire function (INSTRUCTION, unknown numbers). */
static int
arg_kind(int event)
{
    switch (event) {
    case PY_MONITORING_EVENT_PY_START: case PY_MONITORING_EVENT_PY_RESUME:
        return 0;
    case PY_MONITORING_EVENT_CALL:
        return 2;
    case PY_MONITORING_EVENT_PY_RETURN: case PY_MONITORING_EVENT_PY_YIELD:
    case PY_MONITORING_EVENT_C_RETURN: case PY_MONITORING_EVENT_LINE:
    case PY_MONITORING_EVENT_JUMP: case PY_MONITORING_EVENT_STOP_ITERATION:
#ifdef PY_MONITORING_EVENT_BRANCH_LEFT
    case PY_MONITORING_EVENT_BRANCH_LEFT: case PY_MONITORING_EVENT_BRANCH_RIGHT:
#else
    case PY_MONITORING_EVENT_BRANCH:
#endif
        return 1;
    case PY_MONITORING_EVENT_PY_THROW: case PY_MONITORING_EVENT_RAISE:
    case PY_MONITORING_EVENT_RERAISE: case PY_MONITORING_EVENT_EXCEPTION_HANDLED:
    case PY_MONITORING_EVENT_PY_UNWIND: case PY_MONITORING_EVENT_C_RAISE:
        return 'e';
    }
    return -1;
}

/* fire(event, states, index, codelike, offset, *args) */
static PyObject *
fire(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs < 5) {
        PyErr_SetString(PyExc_TypeError, "fire(event, states, index, codelike, offset, *args)");
        return NULL;
    }
    int event = PyLong_AsInt(args[0]);
    if (event == -1 && PyErr_Occurred()) {
        return NULL;
    }
    PyMonitoringState *st = state_at(args[1], args[2]);
    if (st == NULL) {
        return NULL;
    }
    PyObject *codelike = args[3];
    long long off = PyLong_AsLongLong(args[4]);
    if (off == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (off < INT32_MIN || off > INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "offset does not fit an int32_t");
        return NULL;
    }
    int32_t offset = (int32_t)off;  /* negative offsets go through: the API answers them */
    PyObject *const *a = args + 5;
    Py_ssize_t na = nargs - 5;
    int kind = arg_kind(event);
    if (kind < 0) {
        PyErr_Format(PyExc_ValueError, "no PyMonitoring_Fire*Event for event %d", event);
        return NULL;
    }
    Py_ssize_t want = kind == 'e' ? 1 : kind;
    if (na != want) {
        PyErr_Format(PyExc_TypeError, "event %d takes %zd argument(s) after the offset, got %zd",
                     event, want, na);
        return NULL;
    }
    if (kind == 'e' && a[0] != Py_None) {
        if (!PyExceptionInstance_Check(a[0])) {
            PyErr_SetString(PyExc_TypeError, "exc must be an exception instance or None");
            return NULL;
        }
        /* These events report the current exception: set it, as _testcapi does. */
        PyErr_SetRaisedException(Py_NewRef(a[0]));
    }
    int res;
    switch (event) {
    case PY_MONITORING_EVENT_PY_START:
        res = PyMonitoring_FirePyStartEvent(st, codelike, offset); break;
    case PY_MONITORING_EVENT_PY_RESUME:
        res = PyMonitoring_FirePyResumeEvent(st, codelike, offset); break;
    case PY_MONITORING_EVENT_PY_RETURN:
        res = PyMonitoring_FirePyReturnEvent(st, codelike, offset, a[0]); break;
    case PY_MONITORING_EVENT_PY_YIELD:
        res = PyMonitoring_FirePyYieldEvent(st, codelike, offset, a[0]); break;
    case PY_MONITORING_EVENT_C_RETURN:
        res = PyMonitoring_FireCReturnEvent(st, codelike, offset, a[0]); break;
    case PY_MONITORING_EVENT_CALL:
        res = PyMonitoring_FireCallEvent(st, codelike, offset, a[0], a[1]); break;
    case PY_MONITORING_EVENT_LINE: {
        int lineno = PyLong_AsInt(a[0]);
        if (lineno == -1 && PyErr_Occurred()) {
            return NULL;
        }
        res = PyMonitoring_FireLineEvent(st, codelike, offset, lineno);
        break;
    }
    case PY_MONITORING_EVENT_JUMP:
        res = PyMonitoring_FireJumpEvent(st, codelike, offset, a[0]); break;
#ifdef PY_MONITORING_EVENT_BRANCH_LEFT
    case PY_MONITORING_EVENT_BRANCH_LEFT:
        res = PyMonitoring_FireBranchLeftEvent(st, codelike, offset, a[0]); break;
    case PY_MONITORING_EVENT_BRANCH_RIGHT:
        res = PyMonitoring_FireBranchRightEvent(st, codelike, offset, a[0]); break;
#else
    case PY_MONITORING_EVENT_BRANCH:
        res = PyMonitoring_FireBranchEvent(st, codelike, offset, a[0]); break;
#endif
    case PY_MONITORING_EVENT_STOP_ITERATION:
        res = PyMonitoring_FireStopIterationEvent(st, codelike, offset, a[0]); break;
    case PY_MONITORING_EVENT_PY_THROW:
        res = PyMonitoring_FirePyThrowEvent(st, codelike, offset); break;
    case PY_MONITORING_EVENT_RAISE:
        res = PyMonitoring_FireRaiseEvent(st, codelike, offset); break;
    case PY_MONITORING_EVENT_RERAISE:
        res = PyMonitoring_FireReraiseEvent(st, codelike, offset); break;
    case PY_MONITORING_EVENT_EXCEPTION_HANDLED:
        res = PyMonitoring_FireExceptionHandledEvent(st, codelike, offset); break;
    case PY_MONITORING_EVENT_PY_UNWIND:
        res = PyMonitoring_FirePyUnwindEvent(st, codelike, offset); break;
    case PY_MONITORING_EVENT_C_RAISE:
        res = PyMonitoring_FireCRaiseEvent(st, codelike, offset); break;
    default:  /* unreachable: arg_kind() knows the same events */
        PyErr_Clear();
        PyErr_Format(PyExc_SystemError, "event %d", event);
        return NULL;
    }
    if (res < 0) {
        return NULL;  /* the API's own exception (or a callback's) */
    }
    /* A successful exception event leaves the exception set again: clear it. */
    PyErr_Clear();
    return PyLong_FromLong(st->active);
}

static PyMethodDef methods[] = {
    {"active", active, METH_VARARGS, "active(states, i) -> states[i].active"},
    {"enter_scope", enter_scope, METH_VARARGS,
     "enter_scope(states, version, events): PyMonitoring_EnterScope"},
    {"exit_scope", exit_scope, METH_NOARGS, "exit_scope(): PyMonitoring_ExitScope"},
    {"fire", (PyCFunction)(void (*)(void))fire, METH_FASTCALL,
     "fire(event, states, index, codelike, offset, *args) -> states[index].active"},
    {"join_texts", monsim_join_texts, METH_O,
     "join_texts(records): runs of records' JSON texts joined by ',', in place"},
    {NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "monsim_capi",
    "The monitoring C API, unrestricted, for the monsim oracle.", -1, methods,
};

PyMODINIT_FUNC
PyInit_monsim_capi(void)
{
    if (PyType_Ready(&States_Type) < 0 || PyType_Ready(&Version_Type) < 0) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) {
        return NULL;
    }
    if (PyModule_AddObjectRef(m, "States", (PyObject *)&States_Type) < 0
        || PyModule_AddObjectRef(m, "Version", (PyObject *)&Version_Type) < 0
        || monsim_add_probe(m) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
