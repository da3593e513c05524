"""Results streams validate against reports/schema/results.schema.json: the committed
fixtures and a stream `monsim check` writes now (scenarios with program and script
kinds, on every interpreter found). Also checks what a line schema cannot: one header
first, one footer last, footer totals that add up, interpreters the header names; and
that the schema's verdicts, levels, divergence and error kinds are the tables of spec/vocab/
(names in order, meanings in the descriptions).
usage: results_schema_test.py MONSIM SOURCE_ROOT"""
import copy
import json
import os
import subprocess
import sys
import tempfile

try:
    import jsonschema
except ImportError:
    sys.exit("results_schema_test: python3-jsonschema is missing (./run setup installs it)")

failures = []


class Validator:
    """The schema's own draft (its `$schema`), formats checked; errors() as 'path: message'."""

    def __init__(self, schema):
        cls = jsonschema.validators.validator_for(schema, default=None)
        if cls is None:
            sys.exit("results_schema_test: the schema names no $schema draft")
        cls.check_schema(schema)
        self.v = cls(schema, format_checker=jsonschema.FormatChecker())

    def errors(self, instance):
        return [f"{e.json_path}: {e.message}" for e in self.v.iter_errors(instance)]


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def check_stream(path, validator):
    lines = [line for line in open(path, encoding="utf-8") if line.strip()]
    rows = []
    for n, line in enumerate(lines, 1):
        row = json.loads(line)
        rows.append(row)
        for e in validator.errors(row):
            fail(f"{path}:{n}: {e}")
    kinds = [r.get("kind") for r in rows]
    if not kinds or kinds[0] != "header" or kinds.count("header") != 1:
        fail(f"{path}: the first line, and only it, must be the header")
    if not kinds or kinds[-1] != "footer" or kinds.count("footer") != 1:
        fail(f"{path}: the last line, and only it, must be the footer")
    if not rows:
        return 0
    results = [r for r in rows if r.get("kind") == "result"]
    totals = {}
    for r in results:
        totals[r["verdict"]] = totals.get(r["verdict"], 0) + 1
    footer = rows[-1].get("totals", {})
    if {k: v for k, v in footer.items() if v} != totals:
        fail(f"{path}: footer totals {footer} but the results count {totals}")
    ids = {i["id"] for i in rows[0].get("interpreters", [])}
    for r in results:
        if r["interpreter"] not in ids and not r["interpreter"].startswith("model-"):
            fail(f"{path}: result on {r['interpreter']}, which the header does not name")
    keys = [(r["scenario"], r["interpreter"]) for r in results]
    if len(keys) != len(set(keys)):
        fail(f"{path}: a scenario × interpreter appears twice")
    return len(results)


def check_vocabularies(schema, root):
    """The schema's enums are spec/vocab/*.def's names, in order; where a table has
    meanings, the description lists them ("name: meaning; …")."""
    sys.path.insert(0, os.path.join(root, "spec/vocab"))
    import vocab_def
    defs = schema["$defs"]
    tables = [("verdicts.def", "MONSIM_VERDICT", defs["verdict"]),
              ("levels.def", "MONSIM_LEVEL", defs["level"]),
              ("divergences.def", "MONSIM_DIVERGENCE", defs["divergence"]["properties"]["kind"]),
              ("errors.def", "MONSIM_ERROR", defs["error"])]
    names = {}
    for path, macro, node in tables:
        before = len(failures)
        rows = vocab_def.table(os.path.join(root, "spec/vocab", path), macro)
        names[path] = [r["name"] for r in rows]
        if not rows:
            fail(f"spec/vocab/{path}: no {macro} rows")
        if node.get("enum") != names[path]:
            fail(f"schema enum {node.get('enum')} is not spec/vocab/{path}: {names[path]}")
        if rows and "doc" in rows[0]:
            want = "; ".join(f"{r['name']}: {r['doc']}" for r in rows) + f" (spec/vocab/{path})"
            if node.get("description") != want:
                fail(f"schema description for spec/vocab/{path}:\n  {node.get('description')}\n"
                     f"expected:\n  {want}")
        if len(failures) == before:
            print(f"vocabulary spec/vocab/{path}: {len(rows)} names, the schema agrees")
    known = defs["result"]["properties"]["known"]["properties"]["verdict"]["enum"]
    if not set(known) <= set(names["verdicts.def"]):
        fail(f"known.verdict {known} names verdicts not in spec/vocab/verdicts.def")


def check_validator_rejects(validator, sample):
    """The schema is not vacuous: broken records are refused."""
    header = sample[0]
    result = next(r for r in sample if r["kind"] == "result")
    cases = []
    r = copy.deepcopy(result); del r["verdict"]; cases.append(("no verdict", r))
    r = copy.deepcopy(result); r["verdict"] = "passed"; cases.append(("unknown verdict", r))
    r = copy.deepcopy(result); r["surprise"] = 1; cases.append(("unknown key", r))
    r = copy.deepcopy(result); r["seconds"] = "1"; cases.append(("seconds as text", r))
    r = copy.deepcopy(result); r["level"] = "may"; cases.append(("unknown level", r))
    r = copy.deepcopy(result)
    r["divergences"] = [{"kind": "odd", "record": 1, "tool": 2, "where": "", "model": "",
                         "interpreter": "", "rule": ""}]
    cases.append(("unknown divergence kind", r))
    h = copy.deepcopy(header); h["format"] = 2; cases.append(("format 2", h))
    h = copy.deepcopy(header); h["interpreters"] = [{"id": "x"}]; cases.append(("bare interpreter", h))
    cases.append(("footer with a bad total", {"kind": "footer", "totals": {"pass": -1},
                                              "seconds": 1, "load_errors": 0}))
    cases.append(("footer with an unknown verdict", {"kind": "footer", "totals": {"ok": 1},
                                                     "seconds": 1, "load_errors": 0}))
    cases.append(("unknown kind", {"kind": "summary"}))
    for name, bad in cases:
        if not validator.errors(bad):
            fail(f"the schema accepts a record with {name}")


def main():
    monsim, root = sys.argv[1], sys.argv[2]
    schema = json.load(open(os.path.join(root, "reports/schema/results.schema.json")))
    validator = Validator(schema)
    check_vocabularies(schema, root)
    fixtures = os.path.join(root, "tests/reports/fixtures")
    for name in sorted(os.listdir(fixtures)):
        if name.endswith(".jsonl"):
            n = check_stream(os.path.join(fixtures, name), validator)
            print(f"fixture {name}: {n} results checked")
    sample = [json.loads(line) for line in open(os.path.join(fixtures, "small.jsonl"))]
    check_validator_rejects(validator, sample)

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "results.jsonl")
        paths = [os.path.join(root, "spec/scenarios", d) for d in ("tools", "dispatch-order")]
        proc = subprocess.run([monsim, "check", *paths, "--python", "all", "--jobs", "2",
                               "--results", out], capture_output=True, text=True, timeout=600)
        if proc.returncode == 2 and "no interpreter with sys.monitoring" in proc.stderr:
            # Nothing can be checked without one, so check stops before writing.
            print("note: no interpreter found; the live stream was not checked")
        elif proc.returncode not in (0, 1) or not os.path.exists(out):
            fail(f"monsim check exited {proc.returncode}: {proc.stderr[-2000:]}")
        else:
            n = check_stream(out, validator)
            header = json.loads(open(out).readline())
            print(f"live stream: {n} results on {len(header['interpreters'])} interpreters checked")
    print(f"{'FAILED' if failures else 'ok'}: {len(failures)} problem(s)")
    sys.exit(1 if failures else 0)


main()
