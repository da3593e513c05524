/* The probe's compact callback in C (PROTOCOL §4.5), added to monsim_capi. */
#pragma once
#include <Python.h>

/* Adds the type Probe to the module; -1 with an exception set on failure. */
int monsim_add_probe(PyObject *module);

/* join_texts(records): runs of consecutive JSON texts joined into one, in place. */
PyObject *monsim_join_texts(PyObject *self, PyObject *records);
