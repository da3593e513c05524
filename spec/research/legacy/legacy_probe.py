# Legacy tracing probe (issue 15). stdlib only; runs on CPython 3.12+ (native/pyodide) and PyPy 3.9.
# Prints one JSON object: {"version":..., "<scenario>": [stream...] | {...}}.
# Stream items: "T:event:func:+line:arg" (global/local trace fn), "L:..." (a second local fn),
# "P:event:func:+line:arg" (profile fn), "M<tool>:EVENT:func:detail" (sys.monitoring callback).
# +line is relative to the function's co_firstlineno.
import sys, json

HAS_MON = hasattr(sys, 'monitoring')
TARGETS = set()
LOG = []
OUT = {'version': '%d.%d.%d' % sys.version_info[:3], 'impl': sys.implementation.name}


def target(f):
    TARGETS.add(f.__code__)
    return f


def summ(a):
    if a is None:
        return 'None'
    if isinstance(a, tuple) and len(a) == 3 and isinstance(a[0], type) and issubclass(a[0], BaseException):
        return 'exc(%s,%s,%s)' % (a[0].__name__, type(a[1]).__name__, 'tb' if a[2] is not None else 'None')
    if isinstance(a, BaseException):
        return 'excobj:' + type(a).__name__
    if isinstance(a, (int, str)):
        return repr(a)
    if hasattr(a, '__name__') and callable(a):
        s = getattr(a, '__self__', None)
        own = '' if s is None or isinstance(s, type(sys)) else '@' + type(s).__name__
        return '%s:%s%s' % (type(a).__name__, a.__name__, own)
    return type(a).__name__


def rel(frame):
    return frame.f_lineno - frame.f_code.co_firstlineno if frame.f_lineno is not None else 'None'


def tracer(tag='T', on_call=None, on_event=None):
    """Generic trace function; on_call(frame) may return a value used as the result of 'call'."""
    def tr(frame, event, arg):
        if frame.f_code not in TARGETS:
            return None
        extra = ''
        if event == 'opcode':
            extra = '@%d' % frame.f_lasti
        LOG.append('%s:%s:%s:%s:%s%s' % (tag, event, frame.f_code.co_name, rel(frame), summ(arg), extra))
        if on_event is not None:
            r = on_event(frame, event, arg)
            if r is not None:
                return r
        if event == 'call' and on_call is not None:
            return on_call(frame)
        return tr
    return tr


def profiler(tag='P', hook=None):
    def pr(frame, event, arg):
        if frame.f_code not in TARGETS:
            return None
        LOG.append('%s:%s:%s:%s:%s' % (tag, event, frame.f_code.co_name, rel(frame), summ(arg)))
        if hook is not None:
            hook(frame, event, arg)
    return pr


# ---------------------------------------------------------------- programs
@target
def simple(a):
    b = a + 1
    return b


@target
def loop1():
    for i in range(2): pass
    return i


@target
def loop2():
    x = 0
    while x < 2:
        x += 1
    return x


@target
def raises():
    raise ValueError('v')


@target
def catches():
    try:
        raises()
    except ValueError:
        pass
    return 1


@target
def reraise():
    try:
        raise KeyError('k')
    finally:
        pass


@target
def propagate():
    try:
        reraise()
    except KeyError:
        return 2


@target
def gen():
    yield 1
    yield 2


@target
def use_gen():
    s = 0
    for v in gen():
        s += v
    return s


@target
def gen_throw():
    g = gen()
    next(g)
    try:
        g.throw(ValueError('t'))
    except ValueError:
        return 3


@target
def keyf(x):
    return -x


@target
def builtins_calls():
    l = []
    l.append(1)
    list.append(l, 2)
    n = len(l)
    try:
        int('x')
    except ValueError:
        pass
    try:
        divmod(1, 0)
    except ZeroDivisionError:
        pass
    sorted(l, key=keyf)
    return n


@target
async def coro_inner():
    return 7


@target
async def coro():
    x = await coro_inner()
    return x


@target
def drive_coro():
    c = coro()
    try:
        c.send(None)
    except StopIteration as e:
        return e.value


@target
def compr():
    return [y for y in range(2)]


@target
def main_prog():
    r = simple(1)
    r += loop1() + loop2()
    r += catches() + propagate() + use_gen() + gen_throw()
    r += builtins_calls() + drive_coro() + len(compr())
    return r


for _c in list(TARGETS):
    for _k in _c.co_consts:
        if hasattr(_k, 'co_name'):
            TARGETS.add(_k)

PROGRAMS = [simple.__name__, 'loop1', 'loop2', 'catches', 'propagate', 'use_gen', 'gen_throw',
            'builtins_calls', 'drive_coro', 'compr']
PROGS = {'simple': lambda: simple(1), 'loop1': loop1, 'loop2': loop2, 'catches': catches,
         'propagate': propagate, 'use_gen': use_gen, 'gen_throw': gen_throw,
         'builtins_calls': builtins_calls, 'drive_coro': drive_coro, 'compr': compr}


def cleanup():
    sys.settrace(None)
    sys.setprofile(None)
    if HAS_MON:
        for t in range(6):
            try:
                sys.monitoring.set_events(t, 0)
            except Exception:
                pass
            try:
                sys.monitoring.free_tool_id(t)
            except Exception:
                pass


def run(name, fn):
    del LOG[:]
    err = None
    try:
        fn()
    except BaseException as e:  # noqa
        err = 'raised ' + type(e).__name__ + ': ' + str(e)
    finally:
        tr, pr = sys.gettrace(), sys.getprofile()
        cleanup()
    res = list(LOG)
    if err:
        res.append('!' + err)
    if tr is not None or pr is not None:
        res.append('!after: gettrace=%s getprofile=%s' % (tr is not None, pr is not None))
    OUT[name] = res
    return res


def with_trace(t, prog):
    def f():
        sys.settrace(t)
        try:
            PROGS[prog]()
        finally:
            sys.settrace(None)
    return f


def with_profile(p, prog):
    def f():
        sys.setprofile(p)
        try:
            PROGS[prog]()
        finally:
            sys.setprofile(None)
    return f


# ---------------------------------------------------------------- 2. plain streams
for p in PROGRAMS:
    run('trace/' + p, with_trace(tracer(), p))
for p in PROGRAMS:
    run('profile/' + p, with_profile(profiler(), p))


def both(prog):
    def f():
        sys.setprofile(profiler())
        sys.settrace(tracer())
        try:
            PROGS[prog]()
        finally:
            sys.settrace(None)
            sys.setprofile(None)
    return f


for p in ['simple', 'catches', 'builtins_calls', 'use_gen']:
    run('trace+profile/' + p, both(p))

# ---------------------------------------------------------------- 3. local trace function
for p in ['simple', 'catches', 'use_gen', 'loop1']:
    run('local_none/' + p, with_trace(tracer(on_call=lambda f: None), p))
    run('local_other/' + p, with_trace(tracer(on_call=lambda f: tracer('L')), p))


def set_lines_off(f):
    f.f_trace_lines = False
    return None


def set_opcodes(f):
    f.f_trace_opcodes = True
    return None


for p in ['simple', 'catches', 'loop1']:
    run('lines_off/' + p, with_trace(tracer(on_event=lambda f, e, a: set_lines_off(f) if e == 'call' else None), p))
    run('opcodes_on/' + p, with_trace(tracer(on_event=lambda f, e, a: set_opcodes(f) if e == 'call' else None), p))


@target
def self_f_trace():
    sys._getframe().f_trace = tracer('L')
    x = 1
    return x


run('f_trace_set_later/global_returns_none', with_trace(tracer(on_call=lambda f: None), 'simple') and (lambda: (sys.settrace(tracer(on_call=lambda f: None)), self_f_trace(), sys.settrace(None))))
run('f_trace_set_later/no_settrace', lambda: self_f_trace())


@target
def pdb_like():
    sys._getframe().f_trace = tracer('L')
    sys.settrace(tracer())
    x = 1
    simple(x)
    sys.settrace(None)
    return x


run('f_trace_set_then_settrace_same_frame', pdb_like)


@target
def main2():
    simple(1)
    simple(2)
    return 0


# raising trace functions
def raiser_on(ev, line=None):
    def h(f, e, a):
        if e == ev and (line is None or rel(f) == line):
            raise RuntimeError('tracefn-' + e)
        return None
    return h


run('trace_raises/on_call', with_trace(tracer(on_event=raiser_on('call')), 'simple'))
run('trace_raises/on_line2', with_trace(tracer(on_event=raiser_on('line', 2)), 'simple'))
run('trace_raises/on_return', with_trace(tracer(on_event=raiser_on('return')), 'simple'))
run('trace_raises/on_exception', with_trace(tracer(on_event=raiser_on('exception')), 'catches'))


def praiser(ev):
    def h(f, e, a):
        if e == ev:
            raise RuntimeError('proffn-' + e)
    return h


run('profile_raises/on_call', with_profile(profiler(hook=praiser('call')), 'simple'))
run('profile_raises/on_c_call', with_profile(profiler(hook=praiser('c_call')), 'builtins_calls'))
run('profile_raises/on_return', with_profile(profiler(hook=praiser('return')), 'simple'))


# settrace / setprofile from inside
def swap_on_call(f, e, a):
    if e == 'call' and f.f_code.co_name == 'simple':
        sys.settrace(tracer('L'))
    return None


run('settrace_inside_trace/on_call_simple', with_trace(tracer(on_event=swap_on_call), 'catches') and (lambda: (sys.settrace(tracer(on_event=swap_on_call)), simple(1), catches(), sys.settrace(None))))


def none_on_line(f, e, a):
    if e == 'line' and rel(f) == 2:
        sys.settrace(None)
    return None


run('settrace_none_inside_trace/on_line2', lambda: (sys.settrace(tracer(on_event=none_on_line)), main2(), sys.settrace(None)))


def psw(f, e, a):
    if e == 'call' and f.f_code.co_name == 'simple':
        sys.setprofile(profiler('Q'))


run('setprofile_inside_profile', lambda: (sys.setprofile(profiler(hook=psw)), main2(), sys.setprofile(None)))


def call_target_in_trace(f, e, a):
    if e == 'call' and f.f_code.co_name == 'simple':
        keyf(5)
    return None


run('trace_fn_calls_target', lambda: (sys.settrace(tracer(on_event=call_target_in_trace)), simple(1), sys.settrace(None)))

# ---------------------------------------------------------------- monitoring interplay
if HAS_MON:
    M = sys.monitoring
    E = M.events
    OUT['tool_ids'] = {'DEBUGGER_ID': M.DEBUGGER_ID, 'PROFILER_ID': M.PROFILER_ID}
    # API errors for tools 6/7
    api = {}
    calls = [
        ('use_tool_id', lambda t: M.use_tool_id(t, 'x')),
        ('get_tool', lambda t: M.get_tool(t)),
        ('free_tool_id', lambda t: M.free_tool_id(t)),
        ('register_callback', lambda t: M.register_callback(t, E.LINE, None)),
        ('set_events', lambda t: M.set_events(t, E.LINE)),
        ('set_events_0', lambda t: M.set_events(t, 0)),
        ('get_events', lambda t: M.get_events(t)),
        ('set_local_events', lambda t: M.set_local_events(t, simple.__code__, E.LINE)),
        ('get_local_events', lambda t: M.get_local_events(t, simple.__code__)),
        ('clear_tool_id', lambda t: M.clear_tool_id(t)),
    ]
    for t in (6, 7, 8, -1):
        for nm, c in calls:
            try:
                r = c(t)
                api['%d/%s' % (t, nm)] = 'ok ' + repr(r)
            except Exception as e:
                api['%d/%s' % (t, nm)] = type(e).__name__ + ': ' + str(e)
    # while tracing
    sys.settrace(tracer())
    for nm, c in calls:
        if nm in ('get_tool', 'get_events', 'get_local_events'):
            try:
                api['7-while-tracing/%s' % nm] = 'ok ' + repr(c(7))
            except Exception as e:
                api['7-while-tracing/%s' % nm] = type(e).__name__ + ': ' + str(e)
    sys.settrace(None)
    OUT['api_errors'] = api

    def allev():
        try:
            d = M._all_events()
        except Exception as e:
            return 'ERR ' + repr(e)
        return {k: v for k, v in sorted(d.items())}

    snap = {'none': allev()}
    sys.settrace(tracer())
    snap['settrace'] = allev()
    sys.settrace(None)
    snap['after_settrace_none'] = allev()
    sys.setprofile(profiler())
    snap['setprofile'] = allev()
    sys.settrace(tracer())
    snap['both'] = allev()
    sys.settrace(None)
    sys.setprofile(None)

    @target
    def opc_snap():
        sys._getframe().f_trace_opcodes = True
        sys.settrace(tracer())
        s = allev()
        sys.settrace(None)
        return s

    snap['settrace_with_f_trace_opcodes_frame'] = opc_snap()
    snap['end'] = allev()
    OUT['_all_events'] = snap

    ALL = 0
    for nm in dir(E):
        if nm.isupper() and nm not in ('NO_EVENTS',):
            v = getattr(E, nm)
            if isinstance(v, int) and v and (v & (v - 1)) == 0:
                ALL |= v
    EVNAMES = {getattr(E, n): n for n in dir(E) if n.isupper() and isinstance(getattr(E, n), int)}

    NODISABLE = ('RAISE', 'RERAISE', 'EXCEPTION_HANDLED', 'PY_UNWIND', 'PY_THROW', 'C_RETURN', 'C_RAISE')

    def mon(tool, mask, ret=None, hook=None):
        M.use_tool_id(tool, 'probe%d' % tool)
        for bit in range(32):
            ev = 1 << bit
            if mask & ev and ev in EVNAMES:
                nm = EVNAMES[ev]

                def cb(*args, _nm=nm):
                    code = args[0]
                    if code not in TARGETS:
                        return None
                    if _nm == 'LINE':
                        d = '+%d' % (args[1] - code.co_firstlineno)
                    elif _nm in ('CALL', 'C_RETURN', 'C_RAISE'):
                        d = summ(args[2])
                    else:
                        d = '@%s' % (args[1],)
                    LOG.append('M%d:%s:%s:%s' % (tool, _nm, code.co_name, d))
                    if hook is not None:
                        hook(tool, _nm, args)
                    if _nm in NODISABLE:
                        return None
                    return ret
                M.register_callback(tool, ev, cb)
        M.set_events(tool, mask)

    BASIC = E.PY_START | E.PY_RESUME | E.PY_RETURN | E.PY_YIELD | E.LINE | E.CALL | E.C_RETURN | E.C_RAISE | E.RAISE | E.PY_UNWIND | E.PY_THROW | E.EXCEPTION_HANDLED | E.JUMP | E.STOP_ITERATION

    # dispatch order: all six tools + trace + profile
    def order(prog):
        def f():
            for t in range(6):
                mon(t, BASIC)
            sys.setprofile(profiler())
            sys.settrace(tracer())
            try:
                PROGS[prog]()
            finally:
                sys.settrace(None)
                sys.setprofile(None)
        return f

    for p in ['simple', 'catches', 'builtins_calls', 'use_gen', 'loop1']:
        run('order/' + p, order(p))

    # tools 2 and 5 only, profile set before monitoring
    def order2():
        sys.settrace(tracer())
        mon(5, BASIC)
        mon(2, BASIC)
        try:
            simple(1)
        finally:
            sys.settrace(None)
    run('order/tools2_5_settrace_first', order2)

    # observer effects: trace / profile streams alone vs with passive tool 0 (ALL events), vs DISABLE-returning tool 0
    obs = {}
    for p in PROGRAMS:
        for kind in ('trace', 'profile'):
            base = OUT[kind + '/' + p]
            for variant, ret in (('passive', None), ('disable', M.DISABLE)):
                def f(kind=kind, ret=ret, p=p):
                    mon(0, ALL, ret=ret)
                    if kind == 'trace':
                        with_trace(tracer(), p)()
                    else:
                        with_profile(profiler(), p)()
                res = run('observer/%s/%s/%s' % (kind, variant, p), f)
                legacy = [x for x in res if not x.startswith('M')]
                obs['%s/%s/%s' % (kind, variant, p)] = 'same' if legacy == base else {'alone': base, 'with_tool0': legacy}
                # run twice (after DISABLE took effect)
                if ret is not None:
                    def g(kind=kind, p=p):
                        mon(0, ALL, ret=M.DISABLE)
                        PROGS[p]()
                        if kind == 'trace':
                            with_trace(tracer(), p)()
                        else:
                            with_profile(profiler(), p)()
                    res = run('observer/%s/disable_then/%s' % (kind, p), g)
                    legacy = [x for x in res if not x.startswith('M')]
                    obs['%s/disable_then/%s' % (kind, p)] = 'same' if legacy == base else {'alone': base, 'with_tool0': legacy}
    OUT['observer_summary'] = obs

    # trace fn DISABLE-like: restart_events while tracing
    def restart():
        sys.settrace(tracer())
        loop1()
        M.restart_events()
        loop1()
        sys.settrace(None)
    run('restart_events_while_tracing', restart)

    # monitoring callback calls settrace / setprofile
    def hook_settrace(tool, nm, args):
        if nm == 'PY_START' and args[0].co_name == 'simple':
            sys.settrace(tracer())
            sys.setprofile(profiler())

    def mcb():
        mon(0, E.PY_START | E.LINE | E.PY_RETURN, hook=hook_settrace)
        try:
            main2()
        finally:
            sys.settrace(None)
            sys.setprofile(None)
    run('monitoring_cb_calls_settrace', mcb)

    def hook_unset(tool, nm, args):
        if nm == 'LINE' and args[0].co_name == 'simple':
            sys.settrace(None)
            sys.setprofile(None)

    def mcb2():
        mon(0, E.LINE, hook=hook_unset)
        sys.settrace(tracer())
        sys.setprofile(profiler())
        try:
            main2()
        finally:
            sys.settrace(None)
            sys.setprofile(None)
    run('monitoring_cb_unsets_trace', mcb2)

    # trace fn calls set_events / free_tool_id of tool 0
    def tr_hook(f, e, a):
        if e == 'call' and f.f_code.co_name == 'simple':
            M.set_events(0, 0)
        return None

    def t_set():
        mon(0, E.PY_START | E.LINE)
        sys.settrace(tracer(on_event=tr_hook))
        try:
            main2()
        finally:
            sys.settrace(None)
    run('trace_fn_calls_set_events0', t_set)

    # trace fn calls a target: monitoring tool sees it?
    def t_calls():
        mon(0, E.PY_START | E.LINE | E.PY_RETURN)
        sys.settrace(tracer(on_event=call_target_in_trace))
        try:
            simple(1)
        finally:
            sys.settrace(None)
    run('trace_fn_calls_target_with_tool0', t_calls)

    # monitoring callback calls a target: trace fn sees it?
    def mhook(tool, nm, args):
        if nm == 'PY_START' and args[0].co_name == 'simple':
            keyf(3)

    def m_calls():
        mon(0, E.PY_START, hook=mhook)
        sys.settrace(tracer())
        try:
            simple(1)
        finally:
            sys.settrace(None)
    run('monitoring_cb_calls_target_with_trace', m_calls)

    # tool 0 INSTRUCTION vs f_trace_opcodes
    def ins():
        mon(0, E.INSTRUCTION)
        with_trace(tracer(on_event=lambda f, e, a: set_opcodes(f) if e == 'call' else None), 'simple')()
    run('tool0_instruction_with_opcodes', ins)

    # opcodes: local events of tool 7 persist after trace off?
    def opc_persist():
        with_trace(tracer(on_event=lambda f, e, a: set_opcodes(f) if e == 'call' else None), 'simple')()
        LOG.append('--- second run, no f_trace_opcodes')
        with_trace(tracer(), 'simple')()
        LOG.append('--- tool0 INSTRUCTION only')
        mon(0, E.INSTRUCTION)
        simple(1)
    run('opcodes_persist', opc_persist)

cleanup()
print(json.dumps(OUT, indent=1, sort_keys=True))
