"""Seeds for the reply fuzzer from the offline corpus (tests/traces/): per recorded
case, the byte that picks its scenario (reply_fuzzer.cpp numbers the cases in the
same order: files by name) and the worker's two replies. usage: seeds.py TRACES_DIR OUT_DIR"""
import json
import os
import sys

traces, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
n = 0
for name in sorted(n for n in os.listdir(traces) if n.endswith(".jsonl")):
    with open(os.path.join(traces, name)) as f:
        for line in f:
            case = json.loads(line)
            replies = [json.dumps({"type": "result", "seq": seq, "trace": case[k]},
                                  separators=(",", ":"))
                       for seq, k in ((1, "on"), (2, "off")) if case.get(k) is not None]
            with open(os.path.join(out, "case-%03d" % n), "wb") as g:
                g.write(bytes([n % 256]) + "\n".join(replies).encode() + b"\n")
            n += 1
print("%d seeds in %s" % (n, out))
