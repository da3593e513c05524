# allevents_fresh.py: sys.monitoring._all_events() in a fresh process, before/after any frame sets f_trace_opcodes
import sys, json
M = sys.monitoring
def tr(frame, event, arg):
    return tr
out = {}
def snap(k):
    out[k] = dict(sorted(M._all_events().items()))
snap('0_none')
sys.settrace(tr); snap('1_settrace'); sys.settrace(None); snap('2_settrace_none')
sys.setprofile(tr); snap('3_setprofile'); sys.setprofile(None)
def f():
    sys._getframe().f_trace_opcodes = True
    snap('4_f_trace_opcodes_set_no_trace')
    sys.settrace(tr)
    snap('5_settrace_in_frame_with_opcodes')
    sys.settrace(None)
f()
snap('6_after_off')
sys.settrace(tr); snap('7_settrace_again_fresh_frame'); sys.settrace(None)
def g():
    sys.settrace(tr)
    sys._getframe().f_trace_opcodes = True   # set while tracing
    snap('8_opcodes_set_while_tracing')
    sys._getframe().f_trace_opcodes = False
    snap('9_opcodes_cleared_while_tracing')
    sys.settrace(None)
g()
# local events visible? tool 7 local events cannot be read via API; check via a monitoring tool's view
out['get_local_events_0_f'] = M.get_local_events(0, f.__code__)
print(json.dumps(out, indent=1))
