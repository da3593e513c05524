"""A misbehaving oracle worker for driver tests. Its first argument says how
it misbehaves when asked to run a scenario whose id is "bad"; other scenarios
get a well-formed result echoing the scenario id."""
import json
import os
import sys
import time

mode = sys.argv[1]
if mode == "no-hello":
    time.sleep(60)
if mode == "noise-before-hello":
    print("some start-up chatter", flush=True)
hello = {"type": "hello", "protocol": 1, "implementation": {"name": "fake"}}
if mode == "bad-capabilities":  # a buggy implementation's hello
    hello["capabilities"] = {"monitoring": "yes"}
if mode == "hang-dump":  # offers its stacks on a signal, as the real worker does
    import faulthandler
    import signal
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    hello["stack_dump_signal"] = int(signal.SIGUSR1)
print(json.dumps(hello), flush=True)


def stuck_in_here():
    time.sleep(60)


def lines():
    held = []
    while True:
        line = held.pop() if held else sys.stdin.readline()
        if not line:
            return
        if mode == "answers-after-next" and json.loads(line)["scenario"].get("id") == "a":
            # Replies to "a" only once the next request has come: a driver that
            # writes a request only after reading the reply before it waits forever.
            held.append(sys.stdin.readline())
        yield line


requests = 0  # run requests read so far, echoed: a test counts what was written
for line in lines():
    msg = json.loads(line)
    requests += msg["type"] == "run"
    if msg["type"] == "stop":
        break
    sid = msg["scenario"].get("id")
    if sid == "bad":
        if mode == "hang":
            time.sleep(60)
        elif mode == "hang-dump":
            stuck_in_here()
        elif mode == "crash":
            sys.stderr.write("fake worker: segfault imminent\n")
            sys.stderr.flush()
            sys.exit(139)
        elif mode == "crash-bad-utf8":  # bytes that are not UTF-8, cut mid-character
            sys.stderr.buffer.write(b"fake worker: \xff\xfe \xc3( " + "\u00e9".encode() * 995)
            sys.stderr.flush()
            sys.exit(139)
        elif mode == "garbage-bad-utf8":
            sys.stdout.buffer.write(b"\xff\xfe not \xc3( json\n")
            sys.stdout.flush()
            continue
        elif mode == "garbage":
            print("this is not json", flush=True)
            continue
        elif mode == "unnumbered":  # a worker that could not read the request
            print(json.dumps({"type": "errored", "seq": None,
                              "context": {"phase": "protocol", "message": "input is not JSON"}}),
                  flush=True)
            continue
        elif mode == "not-an-object":
            print("[1, 2]", flush=True)
            continue
        elif mode == "grow":  # 32 MB blocks, touched, up to 512 MB
            kept = []
            for _ in range(16):
                kept.append(b"\x01" * (32 << 20))
                time.sleep(0.01)
        elif mode in ("fork", "exit-leaving-children"):  # children that sleep in its group
            pids = []
            for _ in range(6):
                pid = os.fork()
                if pid == 0:
                    time.sleep(60)
                    os._exit(0)
                pids.append(pid)
            with open(msg["scenario"]["pidfile"], "w") as f:
                f.write(" ".join(map(str, pids)))
            if mode == "exit-leaving-children":
                sys.exit(3)
            time.sleep(5)
        elif mode == "retire":  # cannot run another scenario cleanly (PROTOCOL §2)
            print(json.dumps({"type": "result", "seq": msg["seq"], "trace": [],
                              "retire": "a thread is still running"}), flush=True)
            sys.exit(0)
        elif mode == "stale-seq":
            print(json.dumps({"type": "result", "seq": -5, "trace": []}), flush=True)
    print(json.dumps({"type": "result", "seq": msg["seq"],
                      "trace": [{"kind": "echo", "id": sid, "request": requests}]}), flush=True)
