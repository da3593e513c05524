"""junit.xml from `monsim report` has the shape CI systems read (the Jenkins JUnit
schema, which Ant's output also follows): testsuites > testsuite[name, tests,
failures, errors, skipped, time] > properties?, testcase[name, classname, time]* with
at most one failure[message, type] | error[message, type] | skipped[message] child,
then system-out?, system-err?; counts that add up; no attribute or element the
schema does not know. Checked with xml.etree on the fixture and on a crafted stream
with characters XML cannot carry.
usage: junit_shape_test.py MONSIM SOURCE_ROOT"""
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

# Attributes the Jenkins JUnit schema allows per element; * marks the required ones.
ALLOWED = {
    "testsuites": {"name", "time", "tests", "failures", "disabled", "errors"},
    "testsuite": {"name*", "tests*", "failures", "errors", "time", "disabled", "skipped",
                  "timestamp", "hostname", "id", "package", "file", "log", "url", "version"},
    "properties": set(),
    "property": {"name*", "value*"},
    "testcase": {"name*", "assertions", "time", "classname", "status", "class", "file", "line"},
    "failure": {"message", "type"},
    "error": {"message", "type"},
    "skipped": {"message"},
    "system-out": set(),
    "system-err": set(),
}
# What the brief for monsim requires on top of the schema.
REQUIRED = {"testsuite": {"name", "tests", "failures", "errors", "skipped", "time"},
            "testcase": {"name", "classname", "time"}}
NUMBER = re.compile(r"^\d+(\.\d+)?$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")

problems = []


def bad(msg):
    problems.append(msg)
    print("FAIL: " + msg)


def attrs(el, where):
    allowed = ALLOWED[el.tag]
    names = {a.rstrip("*") for a in allowed}
    for a in el.attrib:
        if a not in names:
            bad(f"{where}: <{el.tag}> has attribute '{a}', which the schema does not allow")
    for a in allowed | REQUIRED.get(el.tag, set()):
        name = a.rstrip("*")
        if (a.endswith("*") or a in REQUIRED.get(el.tag, set())) and name not in el.attrib:
            bad(f"{where}: <{el.tag}> lacks '{name}'")
    for a in ("tests", "failures", "errors", "skipped", "disabled", "time"):
        if a in el.attrib and not NUMBER.match(el.attrib[a]):
            bad(f"{where}: <{el.tag} {a}='{el.attrib[a]}'> is not a number")


def check(path):
    root = ET.parse(path).getroot()
    if root.tag != "testsuites":
        bad(f"{path}: root is <{root.tag}>")
        return {}
    attrs(root, path)
    total = {"tests": 0, "failures": 0, "errors": 0}
    seen = {}
    for suite in root:
        if suite.tag != "testsuite":
            bad(f"{path}: <testsuites> contains <{suite.tag}>")
            continue
        where = f"{path}: testsuite {suite.get('name')}"
        attrs(suite, where)
        if "timestamp" in suite.attrib and not TIMESTAMP.match(suite.get("timestamp")):
            bad(f"{where}: timestamp {suite.get('timestamp')} is not xs:dateTime without zone")
        order = [c.tag for c in suite]
        expected = sorted(order, key=lambda t: ["properties", "testcase", "system-out",
                                                "system-err"].index(t))
        if order != expected or order.count("properties") > 1:
            bad(f"{where}: children out of the schema's order")
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for child in suite:
            if child.tag == "properties":
                for p in child:
                    if p.tag != "property":
                        bad(f"{where}: <properties> contains <{p.tag}>")
                    attrs(p, where)
            if child.tag != "testcase":
                continue
            attrs(child, where)
            counts["tests"] += 1
            kids = [k.tag for k in child]
            if len(kids) > 1 or any(k not in ("failure", "error", "skipped") for k in kids):
                bad(f"{where}: testcase {child.get('name')} has children {kids}")
            for k in child:
                attrs(k, f"{where} {child.get('name')}")
                counts[{"failure": "failures", "error": "errors", "skipped": "skipped"}[k.tag]] += 1
                seen.setdefault(k.tag, 0)
                seen[k.tag] += 1
        for k, v in counts.items():
            if int(suite.get(k, -1)) != v:
                bad(f"{where}: {k}={suite.get(k)} but it holds {v}")
        for k in total:
            total[k] += counts[k]
    for k, v in total.items():
        if int(root.get(k, -1)) != v:
            bad(f"{path}: testsuites {k}={root.get(k)} but the suites hold {v}")
    return seen


def report(monsim, results, out):
    proc = subprocess.run([monsim, "report", *results, "-o", out, "--only", "junit"],
                          capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        bad(f"monsim report exited {proc.returncode}: {proc.stderr}")
    return os.path.join(out, "junit.xml")


def main():
    monsim, root = sys.argv[1], sys.argv[2]
    fixture = os.path.join(root, "tests/reports/fixtures/small.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        seen = check(report(monsim, [fixture], os.path.join(tmp, "a")))
        for tag in ("failure", "error", "skipped"):
            if not seen.get(tag):
                bad(f"the fixture's junit.xml has no <{tag}>: the check proved nothing for it")
        print(f"fixture: {seen}")
        # Control characters, markup and quotes in reasons and details stay well-formed.
        rows = [json.loads(line) for line in open(fixture)]
        for r in rows:
            if r["kind"] == "result" and r["verdict"] == "fail":
                r["reason"] = 'bell \x07 <tag> & "quotes" ]]>'
                r["detail"] = "nul-free \x1b[31mred\x1b[0m\n<pre>\n"
        nasty = os.path.join(tmp, "nasty.jsonl")
        with open(nasty, "w") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")
        check(report(monsim, [nasty], os.path.join(tmp, "b")))
    print(f"{'FAILED' if problems else 'ok'}: {len(problems)} problem(s)")
    sys.exit(1 if problems else 0)


main()
