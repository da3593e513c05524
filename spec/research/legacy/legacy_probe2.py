# Legacy tracing probe 2 (issue 15): f_trace_opcodes mechanics, raising trace functions
# (gettrace observed inside), settrace(None) inside a trace fn, one-line while loop, f_back.f_trace.
# stdlib only, Python 3.9 syntax. Each scenario uses a FRESH function (own code object), because in
# 3.13+ tool 7's INSTRUCTION events are *local* to a code object and persist between runs.
import sys, json

OUT = {'version': '%d.%d.%d' % sys.version_info[:3], 'impl': sys.implementation.name}
LOG = []
TARGETS = set()


def target(f):
    TARGETS.add(f.__code__)
    return f


def summ(a):
    if a is None:
        return 'None'
    if isinstance(a, tuple) and len(a) == 3 and isinstance(a[0], type):
        return 'exc(%s)' % a[0].__name__
    if isinstance(a, (int, str)):
        return repr(a)
    return type(a).__name__


def rel(frame):
    return frame.f_lineno - frame.f_code.co_firstlineno if frame.f_lineno is not None else 'None'


def tracer(tag='T', hook=None):
    def tr(frame, event, arg):
        if frame.f_code not in TARGETS:
            return None
        LOG.append('%s:%s:%s:%s:%s' % (tag, event, frame.f_code.co_name, rel(frame), summ(arg)))
        if hook is not None:
            r = hook(frame, event, arg)
            if r == 'none':
                return None
        return tr
    return tr


def run(name, fn):
    del LOG[:]
    try:
        r = fn()
        if r is not None:
            LOG.append('=> ' + repr(r))
    except BaseException as e:
        LOG.append('!raised %s: %s' % (type(e).__name__, e))
    sys.settrace(None)
    OUT[name] = list(LOG)


def make(n):
    # a fresh 3-line function per scenario (distinct code objects)
    ns = {}
    exec('def f%d(a):\n    b = a + 1\n    c = b * 2\n    return c\n' % n, ns)
    f = ns['f%d' % n]
    TARGETS.add(f.__code__)
    return f


# --- f_trace_opcodes variants
def opc(name, n, hook, runs=1, between=None):
    f = make(n)

    def go():
        sys.settrace(tracer(hook=hook))
        for i in range(runs):
            if i and between is not None:
                between_hook = between
                sys.settrace(tracer(hook=between_hook))
            LOG.append('-- run %d' % i)
            f(1)
        sys.settrace(None)
    run(name, go)


def on_call_opcodes_only(fr, e, a):
    if e == 'call':
        fr.f_trace_opcodes = True


def on_call_ftrace_then_opcodes(fr, e, a):
    if e == 'call':
        fr.f_trace = tracer()
        fr.f_trace_opcodes = True


def on_first_line_opcodes(fr, e, a):
    if e == 'line' and rel(fr) == 1:
        fr.f_trace_opcodes = True


def on_call_opcodes_lines_off(fr, e, a):
    if e == 'call':
        fr.f_trace = tracer()
        fr.f_trace_opcodes = True
        fr.f_trace_lines = False


def plain(fr, e, a):
    return None


opc('opcodes/on_call_only', 1, on_call_opcodes_only)
opc('opcodes/on_call_only_twice', 2, on_call_opcodes_only, runs=2)
opc('opcodes/on_call_only_then_plain', 3, on_call_opcodes_only, runs=3, between=plain)
opc('opcodes/on_call_set_f_trace_first', 4, on_call_ftrace_then_opcodes)
opc('opcodes/on_first_line', 5, on_first_line_opcodes)
opc('opcodes/lines_off_opcodes_on', 6, on_call_opcodes_lines_off)


# --- raising trace functions: does the traced frame see the exception? is the hook removed?
@target
def catch_own():
    try:
        x = 1
        y = 2
    except RuntimeError as e:
        return 'caught %s gettrace=%s' % (e, sys.gettrace() is not None)
    return 'not caught'


def raise_on_line(line):
    def h(fr, e, a):
        if e == 'line' and rel(fr) == line:
            raise RuntimeError('tf')
    return h


run('raise/on_line_in_try', lambda: (sys.settrace(tracer(hook=raise_on_line(3))), catch_own())[1])


@target
def outer_catch():
    try:
        return inner_plain()
    except RuntimeError as e:
        return 'outer caught %s gettrace=%s' % (e, sys.gettrace() is not None)


@target
def inner_plain():
    x = 1
    return x


def raise_on_call_inner(fr, e, a):
    if e == 'call' and fr.f_code.co_name == 'inner_plain':
        raise RuntimeError('tf-call')


run('raise/on_call_inner', lambda: (sys.settrace(tracer(hook=raise_on_call_inner)), outer_catch())[1])


def praise(fr, e, a):
    if e == 'call' and fr.f_code is inner_plain.__code__:
        raise RuntimeError('pf-call')


def prof_go():
    sys.setprofile(praise)
    try:
        return outer_catch()
    finally:
        LOG.append('getprofile after: %s' % (sys.getprofile() is not None))
        sys.setprofile(None)


run('raise/profile_on_call_inner', prof_go)


# --- settrace(None) inside trace fn on a line event; does the frame keep its f_trace events?
@target
def two_calls():
    a = inner_plain()
    b = inner_plain()
    return a + b


def none_on_line(fr, e, a):
    if e == 'line' and fr.f_code.co_name == 'two_calls' and rel(fr) == 2:
        sys.settrace(None)


run('settrace_none/on_line', lambda: (sys.settrace(tracer(hook=none_on_line)), two_calls())[1])


def none_on_call_inner(fr, e, a):
    if e == 'call' and fr.f_code.co_name == 'inner_plain':
        sys.settrace(None)


run('settrace_none/on_call_inner', lambda: (sys.settrace(tracer(hook=none_on_call_inner)), two_calls())[1])


# --- one-line while loop (backward jump to the same line)
@target
def while1():
    x = 0
    while x < 3: x += 1
    return x


run('jump/while_one_line', lambda: (sys.settrace(tracer()), while1())[1])


# --- debugger set_trace pattern: set f_back.f_trace on callers, then settrace
@target
def dbg_caller():
    v = dbg_set_trace()
    w = 5
    return w


@target
def dbg_set_trace():
    fr = sys._getframe().f_back
    while fr is not None:
        if fr.f_code in TARGETS:
            fr.f_trace = tracer('B')
        fr = fr.f_back
    sys.settrace(tracer('G'))
    return 1


run('set_trace_pattern', dbg_caller)


# --- f_trace_lines False set later (on line 1) then back to True
@target
def lines_toggle():
    a = 1
    sys._getframe().f_trace_lines = False
    b = 2
    sys._getframe().f_trace_lines = True
    c = 3
    return c


run('lines_toggle', lambda: (sys.settrace(tracer()), lines_toggle())[1])


# --- 'return' handler returning a different function / None (ignored?)
@target
def gen2():
    yield 1
    yield 2


def swap_on_return(fr, e, a):
    if e == 'return' and fr.f_code.co_name == 'gen2':
        return 'none'


def gen_go():
    sys.settrace(tracer(hook=swap_on_return))
    g = gen2()
    return [next(g), next(g)]


run('gen_local_after_return_none', gen_go)

print(json.dumps(OUT, indent=1, sort_keys=True))
