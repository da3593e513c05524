"""Does recording cProfile's deliveries change what it measures? Its callbacks (bound
builtin methods on tool 2) are re-registered wrapped in a Python function that counts each
delivery and returns what the original returns; pstats call counts (primitive, total, per
caller; timings dropped) are compared with an unwrapped run and with a plain one.
Result: identical on 3.12.1, 3.13.0, 3.14.2, 3.15.0rc1 (spec/research/CLIENTS.md C2).
usage: python3 cprofile_recorded.py"""
import sys, cProfile, pstats, collections
M = sys.monitoring; E = M.events
EVENTS = [E.PY_START, E.PY_RESUME, E.PY_THROW, E.PY_RETURN, E.PY_YIELD,
          E.PY_UNWIND, E.CALL, E.C_RETURN, E.C_RAISE]
NAMES = {getattr(E, n): n for n in dir(E) if n.isupper()}

# ---- workload ----
def fib(n): return n if n < 2 else fib(n-1) + fib(n-2)
def gen(n):
    for i in range(n):
        try:
            yield i
        except KeyError:
            yield -1
class C:
    def __init__(self, x): self.x = x
    def m(self): return len([self.x])
def boom(): raise ValueError("x")
def workload():
    fib(10)
    g = gen(5); next(g); g.throw(KeyError); list(g)
    lst = []
    for i in range(20): lst.append(C(i).m())
    sorted(lst, key=lambda v: -v)
    for _ in range(3):
        try: boom()
        except ValueError: pass
    try: int("zz")            # C_RAISE
    except ValueError: pass
    sum(x*x for x in range(10))
    "a,b".split(",")

seen = collections.Counter()
def install(wrap):
    for ev in EVENTS:
        orig = M.register_callback(2, ev, None)
        if wrap:
            def w(*args, _orig=orig, _ev=ev):
                seen[NAMES[_ev]] += 1
                r = _orig(*args)
                if r is not None: seen['non-None:'+NAMES[_ev]] += 1
                return r
            M.register_callback(2, ev, w)
        else:
            M.register_callback(2, ev, orig)

def run(wrap):
    p = cProfile.Profile()
    p.enable()
    install(wrap)
    workload()
    p.disable()
    st = pstats.Stats(p).stats
    # key -> (primitive calls, ncalls, callers-with-counts), timings dropped
    return {k: (v[0], v[1], {c: cv[:2] for c, cv in v[4].items()}) for k, v in st.items()}

a = run(False); b = run(True)
print("python", sys.version.split()[0])
print("entries:", len(a), len(b), "identical (cc,nc,callers):", a == b)
for k in sorted(set(a) | set(b), key=str):
    if a.get(k) != b.get(k): print("DIFF", k, a.get(k), b.get(k))
wl = {k: v[:2] for k, v in a.items() if k[0] == __file__ or k[0] == '~'}
for k in sorted(wl, key=str): print(f"  {str(k[2]):45} cc={wl[k][0]:3} nc={wl[k][1]:3}")
print("wrapper saw:", dict(seen))

def run_plain():
    p = cProfile.Profile(); p.enable(); workload(); p.disable()
    st = pstats.Stats(p).stats
    return {k: (v[0], v[1], {c: cv[:2] for c, cv in v[4].items()}) for k, v in st.items()}
def only_workload(d):
    drop = lambda k: k[2] in ('install',) or 'register_callback' in k[2]
    return {k: (v[0], v[1], {c: x for c, x in v[2].items() if not drop(c)}) for k, v in d.items() if not drop(k)}
c = run_plain()
print("plain vs wrapped (workload entries incl. callers):", only_workload(c) == only_workload(b))
for k in sorted(set(only_workload(c)) | set(only_workload(b)), key=str):
    if only_workload(c).get(k) != only_workload(b).get(k): print("DIFF", k, only_workload(c).get(k), only_workload(b).get(k))
