"""The ceiling an oracle can approach: this interpreter delivering every event of the
oracle benchmark's busy loop (the events the probe records: all but INSTRUCTION) to
a trivial Python callback that only counts. Prints "EVENTS EVENTS_PER_SECOND" (the
best of three runs). usage: python delivery_ceiling.py N"""
import sys
import time

M = sys.monitoring
E = M.events
TOOL = 5  # the probe's tool id


def work(n):  # the program of oracle_bench's loop scenario
    total = 0
    for i in range(n):
        if i % 3:
            total += len([i])
    return total


count = 0


def cb(*args):
    global count
    count += 1


def main():
    global count
    n = int(sys.argv[1])
    bits = {getattr(E, name) for name in dir(E)
            if name.isupper() and name not in ("NO_EVENTS", "INSTRUCTION")}
    bits = {b for b in bits if b and not b & (b - 1)}  # single events, no aliases
    M.use_tool_id(TOOL, "ceiling")
    for b in bits:
        M.register_callback(TOOL, b, cb)
    best, events = 0.0, 0
    for _ in range(3):
        count = 0
        t = time.perf_counter()
        M.set_events(TOOL, sum(bits))
        work(n)
        M.set_events(TOOL, 0)
        dt = time.perf_counter() - t
        events, best = count, max(best, count / dt)
    print(events, round(best))


main()
