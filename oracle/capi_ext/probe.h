/* The probe's compact callback in C (PROTOCOL §4.5), added to monsim_capi. */
#pragma once
#include <Python.h>

/* Adds the type Probe to the module; -1 with an exception set on failure. */
int monsim_add_probe(PyObject *module);
