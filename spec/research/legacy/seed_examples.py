# seed_examples.py: the four examples of the project's seed tutorial on sys.settrace (Doug Hellmann's sys.settrace tutorial,
# Russian translation; its code lost '==' / '!=' in extraction and is reconstructed here), with
# print() replaced by appends to OUT[scenario] and the "file name ends with" filter replaced by a
# set of the example's functions.  Plus the profile C-call shapes of test_sys_setprofile
# (unbound method, classmethod(repr) = gh-122029) and the seed table's claim that settrace gets
# c_call/c_return/c_exception.  stdlib only, Python 3.9 syntax.
import sys, json, functools

OUT = {'version': '%d.%d.%d' % sys.version_info[:3], 'impl': sys.implementation.name}
L = []


def rel(code, line):
    return line - code.co_firstlineno


# ---- S1 sys_settrace_call.py: 'call' events only, caller's line
def s1_b():
    L.append('inside b()')


def s1_a():
    L.append('inside a()')
    s1_b()


S1 = {s1_a.__code__, s1_b.__code__}


def trace_calls(frame, event, arg):
    if event != 'call':
        return
    co = frame.f_code
    if co not in S1:
        return
    caller = frame.f_back
    L.append('* Call to %s on line +%d from %s line +%d' % (
        co.co_name, rel(co, frame.f_lineno), caller.f_code.co_name,
        rel(caller.f_code, caller.f_lineno) if caller.f_code in S1 else -1))
    return


def run(name, fn, hook, setter=sys.settrace):
    del L[:]
    setter(hook)
    try:
        fn()
    except Exception as e:
        L.append('Exception handler: %s' % e)
    finally:
        setter(None)
    OUT[name] = list(L)


run('S1_call', s1_a, trace_calls)


# ---- S2 sys_settrace_line.py: trace into chosen functions; local fn returns None on every event
def s2_c(input):
    L.append('input = %r' % input)
    L.append('Leaving c()')


def s2_b(arg):
    val = arg * 5
    s2_c(val)
    L.append('Leaving b()')


def s2_a():
    s2_b(2)
    L.append('Leaving a()')


S2 = {s2_a.__code__, s2_b.__code__, s2_c.__code__}


def trace_lines(frame, event, arg):
    if event != 'line':
        return
    co = frame.f_code
    L.append('* %s line +%d' % (co.co_name, rel(co, frame.f_lineno)))


def trace_calls2(frame, event, arg, to_be_traced):
    if event != 'call':
        return
    co = frame.f_code
    if co not in S2:
        return
    L.append('* Call to %s on line +%d' % (co.co_name, rel(co, frame.f_lineno)))
    if co.co_name in to_be_traced:
        return trace_lines
    return


run('S2_line', s2_a, functools.partial(trace_calls2, to_be_traced=['s2_b']))


# ---- S3 sys_settrace_return.py: watching the stack (call + return values)
def s3_b():
    L.append('inside b()')
    return 'response_from_b '


def s3_a():
    L.append('inside a()')
    val = s3_b()
    return val * 2


S3 = {s3_a.__code__, s3_b.__code__}


def trace_calls_and_returns(frame, event, arg):
    co = frame.f_code
    if co not in S3:
        return
    if event == 'call':
        L.append('* Call to %s on line +%d' % (co.co_name, rel(co, frame.f_lineno)))
        return trace_calls_and_returns
    elif event == 'return':
        L.append('* %s => %r' % (co.co_name, arg))
    return


run('S3_return', s3_a, trace_calls_and_returns)


# ---- S4 sys_settrace_exception.py: exception propagation, local fn returns None
def s4_c():
    raise RuntimeError('generating exception in c()')


def s4_b():
    s4_c()
    L.append('Leaving b()')


def s4_a():
    s4_b()
    L.append('Leaving a()')


TRACE_INTO = ['s4_a', 's4_b', 's4_c']


def trace_exceptions(frame, event, arg):
    if event != 'exception':
        return
    co = frame.f_code
    exc_type, exc_value, exc_traceback = arg
    L.append('* Tracing exception: %s "%s" on line +%d of %s' % (
        exc_type.__name__, exc_value, rel(co, frame.f_lineno), co.co_name))


def trace_calls4(frame, event, arg):
    if event != 'call':
        return
    if frame.f_code.co_name in TRACE_INTO:
        return trace_exceptions


run('S4_exception', s4_a, trace_calls4)


# ---- seed table: settrace never receives c_* events (CPython); setprofile does
def s5():
    x = len('ab')
    y = abs(-1)
    try:
        divmod(1, 0)
    except ZeroDivisionError:
        pass
    return x + y


def all_events(frame, event, arg):
    if frame.f_code is s5.__code__:
        L.append('%s +%d %s' % (event, rel(frame.f_code, frame.f_lineno),
                                getattr(arg, '__name__', type(arg).__name__)))
    return all_events


run('S5_settrace_c_events', s5, all_events)
run('S5_setprofile_c_events', s5, all_events, sys.setprofile)


# ---- profile shapes of C callables (test_sys_setprofile ProfileSimulatorTestCase / TestEdgeCases)
class A:
    f = classmethod(repr)


def s6():
    A().f()                        # PyMethodObject wrapping a C function (gh-122029)
    str.upper('a')                 # method descriptor, self passed explicitly
    try:
        str.upper()                # method descriptor, no self -> MISSING
    except TypeError:
        pass
    'a'.upper()                    # bound builtin method
    int('5')                       # a type: not a PyCFunction
    m = [].append
    m(1)                           # bound builtin held in a variable
    sorted([1])                    # plain builtin
    return 0


def prof(frame, event, arg):
    if frame.f_code is s6.__code__:
        s = getattr(arg, '__self__', None)
        L.append('%s +%d %s:%s%s' % (event, rel(frame.f_code, frame.f_lineno), type(arg).__name__,
                                      getattr(arg, '__name__', ''),
                                      '' if s is None or isinstance(s, type(sys)) else '@' + type(s).__name__))


run('S6_profile_c_callables', s6, prof, sys.setprofile)

print(json.dumps(OUT, indent=1, sort_keys=True))
