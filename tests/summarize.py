"""Prints the closing line of `./run test`: "N passed, N failed, N skipped".

Counts GoogleTest cases from the JSON files the test binaries wrote (Python tests
built on tests/pycases.py write the same JSON, named after their script), and every
other meson test (one that wrote no GoogleTest JSON) as one test by its result.
A test that crashed before writing its JSON counts as one failure. Several build
folders (the ordinary, sanitizer and fuzzer builds) add up to one line. Before it, every
exemption a test reported (its output lines with "[ exempt ]": what it left out, how
many, and why) is listed, so no test narrows what it checks without saying so here.
usage: summarize.py BUILD [BUILD…]"""
import json
import os
import sys

def exemptions(build):
    """The "[ exempt ]" lines of one build folder's last `meson test`, per test."""
    out = []
    with open(os.path.join(build, "meson-logs", "testlog.json")) as f:
        for line in f:
            t = json.loads(line)
            for text in (t.get("stdout") or "").splitlines():
                if "[ exempt ]" in text:
                    out.append(f"{t['name']}: {text.strip()}")
    return out


def count(build):
    """(passed, failed, skipped) of one build folder's last `meson test`."""
    results = os.path.join(build, "test-results")
    passed = failed = skipped = 0
    seen = set()
    if os.path.isdir(results):
        for name in sorted(os.listdir(results)):
            if not name.endswith(".json"):
                continue
            seen.add(name[:-5])
            with open(os.path.join(results, name)) as f:
                data = json.load(f)
            for suite in data.get("testsuites", []):
                for case in suite.get("testsuite", []):
                    if case.get("failures"):
                        failed += 1
                    elif case.get("result") == "SKIPPED" or case.get("status") == "NOTRUN":
                        skipped += 1
                    else:
                        passed += 1
    with open(os.path.join(build, "meson-logs", "testlog.json")) as f:
        for line in f:
            t = json.loads(line)
            # The test's argv: meson's log calls it "command" (reading only "cmd" matched
            # nothing, so every GoogleTest binary was counted once more as a whole).
            cmd = t.get("command") or t.get("cmd") or [t["name"]]
            exe = os.path.basename(cmd[0])
            # `python3 script.py …`: the script is what wrote (or did not write) the JSON.
            if len(cmd) > 1 and cmd[1].endswith(".py"):
                exe = os.path.splitext(os.path.basename(cmd[1]))[0]
            result = t["result"]
            if exe in seen and result in ("OK", "FAIL", "SKIP"):
                continue  # counted case by case above
            if result == "OK":
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
                print(f"summarize: {t['name']}: {result}", file=sys.stderr)
    return passed, failed, skipped

totals = [0, 0, 0]
exempt = []
for build in sys.argv[1:]:
    for i, n in enumerate(count(build)):
        totals[i] += n
    exempt += exemptions(build)
if exempt:
    print(f"exemptions ({len(exempt)} lines: what tests left out, counted, with why):")
    for e in exempt:
        print("  " + e)
passed, failed, skipped = totals
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
