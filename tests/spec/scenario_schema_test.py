"""spec/scenario.schema.json is the scenario format's structure, and it agrees with the C++
loader: (a) every *.yaml of the suite validates against it; (b) for every suite file and
every bad-*.yaml, the schema accepts exactly the files `monsim lint` loads, except the
DIFFERENCES below (each with why a schema cannot say it; a listed file that no longer
differs is an error, so the list stays true); (c) the schema's event, version and API
lists are those of spec/events.yaml and spec/api.yaml.
YAML is read as harness/scenario_yaml.cpp reads it: YAML 1.2 core-schema scalars, keys
as their text, no duplicate keys, one document, no tag but !!str.
usage: scenario_schema_test.py MONSIM SUITE_DIR BAD_DIR"""
import json
import os
import re
import subprocess
import sys

try:
    import jsonschema
    import yaml
except ImportError as e:
    sys.exit(f"scenario_schema_test: {e.name} is missing (./run setup installs "
             "python3-jsonschema and python3-yaml)")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA = os.path.join(ROOT, "spec", "scenario.schema.json")

# File name -> why the loader and the schema disagree on it. Keep it short and true.
DIFFERENCES = {
    "bad-capi-fire.yaml":
        "the loader checks each fire's arguments against its event, the state index "
        "against the code-like's `states`, and refuses trace functions beside the C "
        "API; the schema sees each value alone",
    "bad-capi-version.yaml":
        "the loader checks that a C-API scenario's python range starts at 3.13 and that "
        "each fired event has a fire function in every version of it; the schema knows "
        "neither versions nor events",
    "bad-event-version.yaml":
        "the loader checks every event name against each version of the file's python "
        "range (BRANCH_LEFT is 3.14+); the schema knows the names, not the versions",
    "bad-python-empty-range.yaml":
        "the loader checks that the python bounds leave a version (>=3.14,<3.13 does "
        "not); the schema checks each bound, not that they intersect (a pattern could "
        "only by listing every combination)",
    "bad-script-function.yaml":
        "the loader checks that a script scenario names only functions that are keys "
        "of its `functions`; a schema cannot refer from one value to another's keys",
    "bad-unknown-handler.yaml":
        "the loader checks that {$: handler, name: N} names a key of `handlers`; a "
        "schema cannot refer from one value to another's keys",
}

# kMaxDepth (scenario/checker_tools.cpp) and kMaxLiteralNodes (scenario/checker_impl.h).
# The loader counts depth from each literal, this from the document (a little stricter,
# on absurd files only).
MAX_DEPTH = 64
MAX_NODES = 100000
CORE = "tag:yaml.org,2002:"


class CoreLoader(yaml.SafeLoader):
    """PyYAML is YAML 1.1 (`yes` a boolean, `1_000` an integer, `010` octal); this
    loader types plain scalars by the YAML 1.2 core schema, as the C++ loader does,
    and collects what the loader reports instead of raising. A known gap: PyYAML
    refuses a tab as the space after `:` in a flow mapping, which yaml-cpp accepts."""

    yaml_implicit_resolvers = {}

    def __init__(self, stream):
        super().__init__(stream)
        self.problems = []  # (mark, message)

    def problem(self, node, message):
        self.problems.append((node.start_mark, message))

    def compose_scalar_node(self, anchor):
        tag = self.peek_event().tag
        node = super().compose_scalar_node(anchor)
        if tag not in (None, "!", CORE + "str"):
            node.bad_tag = "!!" + tag[len(CORE):] if tag.startswith(CORE) else tag
        if tag is not None:  # `! 5`, like "5", is a string
            node.tag = CORE + "str"
        return node

    def compose_sequence_node(self, anchor):
        node = super().compose_sequence_node(anchor)
        node.tag = CORE + "seq"  # the loader ignores collection tags
        return node

    def compose_mapping_node(self, anchor):
        node = super().compose_mapping_node(anchor)
        node.tag = CORE + "map"
        return node

    def construct_object(self, node, deep=False):
        if getattr(node, "bad_tag", None):
            self.problem(node, f"unsupported YAML tag '{node.bad_tag}'")
        return super().construct_object(node, deep)

    def construct_mapping(self, node, deep=False):
        out = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == CORE + "null":
                self.problem(key, "keys must be strings")
            elif key.value in out:
                self.problem(key, f"duplicate key '{key.value}'")
            else:  # a key is its text: `2:` and `"2":` are the same key
                out[key.value] = self.construct_object(value, deep=deep)
        return out

    def construct_core_int(self, node):
        # Any size, as literals take; every other integer has a bounded range in the
        # schema, so one beyond 64 bits fails there where the loader says "does not fit".
        t = node.value
        return int(t[2:], 8) if t.startswith("0o") else int(t[2:], 16) if t.startswith(
            "0x") else int(t, 10)

    def construct_core_float(self, node):
        if node.value.lstrip("+-").lower() in (".inf", ".nan"):
            self.problem(node, f"'{node.value}' has no JSON value")
            return None
        return float(node.value)


for _tag, _regexp, _first in [
        ("null", r"(?:~|null|Null|NULL|)", ["~", "n", "N", ""]),
        ("bool", r"(?:true|True|TRUE|false|False|FALSE)", list("tTfF")),
        ("int", r"(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)", list("-+0123456789")),
        ("float", r"(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                  r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))", list("-+.0123456789"))]:
    CoreLoader.add_implicit_resolver(CORE + _tag, re.compile(r"\A" + _regexp + r"\Z"), _first)
CoreLoader.add_constructor(CORE + "null", lambda loader, node: None)
CoreLoader.add_constructor(CORE + "bool", lambda loader, node: node.value.lower() == "true")
CoreLoader.add_constructor(CORE + "int", CoreLoader.construct_core_int)
CoreLoader.add_constructor(CORE + "float", CoreLoader.construct_core_float)


def too_deep(root):
    """The first node nested more than MAX_DEPTH deep (an alias that contains itself
    is), or beyond MAX_NODES nodes with aliases expanded: (node, message) or None."""
    stack, count = [(root, 0)], 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            return node, "too many values (aliases expanding?)"
        if isinstance(node, yaml.ScalarNode):
            continue
        if depth >= MAX_DEPTH:
            return node, "values nested too deeply"
        items = node.value if isinstance(node, yaml.SequenceNode) else [
            v for kv in node.value for v in kv]
        stack.extend((child, depth + 1) for child in reversed(items))
    return None


def load(path):
    """(document, root node, [(line, col, message)]) with 1-based positions; the
    document is None when there is a problem."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except UnicodeDecodeError as e:
        return None, None, [(1, 1, f"invalid YAML: not UTF-8 ({e.reason})")]
    loader = CoreLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None, [(1, 1, "the file holds no scenario (it is empty)")]
        deep = too_deep(root)
        if deep:
            loader.problem(*deep)
            doc = None
        else:
            doc = loader.construct_document(root)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        where = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        why = getattr(e, "problem", None) or getattr(e, "context", None) or str(e)
        return None, None, [(*where, f"invalid YAML: {why}")]
    finally:
        loader.dispose()
    problems = [(m.line + 1, m.column + 1, msg) for m, msg in loader.problems]
    return (None if problems else doc), root, sorted(problems)


def node_at(root, path):
    """(key, value) nodes at a JSON path (keys and indexes), or at the deepest part of
    it that exists; key is None for the root and sequence items."""
    key, node = None, root
    for part in path:
        if isinstance(node, yaml.MappingNode):
            nxt = [(k, v) for k, v in node.value if k.value == part]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            nxt = [(None, v) for v in node.value[part:part + 1]]
        else:
            nxt = []
        if not nxt:
            break
        key, node = nxt[0]
    return key, node


def key_node(mapping, name):
    for k, _ in getattr(mapping, "value", []):
        if isinstance(k, yaml.ScalarNode) and k.value == name:
            return k
    return mapping


def position(root, error):
    """Where to blame a schema error, as the loader does: the value (an empty value: its
    key); for a missing key the mapping that lacks it; for an unknown or bad key, the key."""
    key, node = node_at(root, error.absolute_path)
    if key is not None and isinstance(node, yaml.ScalarNode) and node.value == "" and \
            node.tag == CORE + "null":
        node = key
    if "propertyNames" in error.absolute_schema_path:
        node = key_node(node, error.instance)
    elif forbidden(error):
        node = key_node(node, forbidden(error)[-1])
    elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {})
        extra = [k for k in error.instance if k not in known]
        if extra:
            node = key_node(node, extra[0])
    return node.start_mark.line + 1, node.start_mark.column + 1


def reach(error):
    """How far into the value, then into the schema, validation got before `error`."""
    return max([(len(error.absolute_path), len(error.absolute_schema_path))]
               + [reach(e) for e in error.context])


def explain(error):
    """For a oneOf/anyOf failure, the error of the branch the value most likely meant."""
    def rank(errs):  # fewest complaints, fewest wrong discriminators ($: …), deepest
        deepest = max(map(reach, errs))
        return (len(errs), sum(e.validator in ("const", "enum") for e in errs),
                -deepest[0], -deepest[1])

    while error.context:
        branches = {}
        for e in error.context:
            branches.setdefault(e.relative_schema_path[0], []).append(e)
        error = max(min(branches.values(), key=rank), key=reach)
    return error


def forbidden(error):
    """The keys a `not: {required: [...]}` forbids together, else None."""
    value = error.validator_value if error.validator == "not" else None
    keys = value.get("required") if isinstance(value, dict) and len(value) == 1 else None
    return keys if isinstance(error.instance, dict) else None


def message(error):
    keys = forbidden(error)
    if keys:
        return (f"{keys[0]!r} is not allowed here" if len(keys) == 1 else
                " and ".join(map(repr, keys)) + " are exclusive")
    if error.validator == "not" and "description" in error.validator_value:
        return error.validator_value["description"]
    return short(error.message)


def short(text, limit=200):
    return text if len(text) <= limit else text[:limit - 1] + "…"


class SchemaCheck:
    def __init__(self):
        with open(SCHEMA, encoding="utf-8") as fh:
            self.schema = json.load(fh)
        cls = jsonschema.validators.validator_for(self.schema, default=None)
        if cls is None:
            sys.exit(f"{SCHEMA}: no $schema names the draft")
        cls.check_schema(self.schema)
        # YAML tells 1.0 (a float) from 1; JSON Schema's "integer" does not, the loader does.
        integer = cls.TYPE_CHECKER.redefine(
            "integer", lambda _, v: isinstance(v, int) and not isinstance(v, bool))
        cls = jsonschema.validators.extend(cls, type_checker=integer)
        self.validator = cls(self.schema, format_checker=jsonschema.FormatChecker())

    def problems(self, path):
        """[(line, col, 'yaml: …' or 'schema: …')]; empty when the file is valid."""
        doc, root, yaml_problems = load(path)
        if yaml_problems:
            return [(line, col, "yaml: " + msg) for line, col, msg in yaml_problems]
        out = []
        for error in self.validator.iter_errors(doc):
            best = explain(error)
            out.append((*position(root, best), "schema: " + message(best)))
        return sorted(out)


def lint(monsim, files):
    """{file: [diagnostic lines]} from `monsim lint --files`; every file has an entry."""
    proc = subprocess.run([monsim, "lint", "--files", *files], capture_output=True,
                          text=True, timeout=300)
    lines = proc.stdout.splitlines()
    summary = re.fullmatch(r"(\d+) of (\d+) scenario files load, \d+ problem\(s\)",
                           lines[-1] if lines else "")
    if proc.returncode not in (0, 1) or not summary or int(summary[2]) != len(files):
        sys.exit(f"monsim lint exited {proc.returncode}:\n{proc.stdout[-2000:]}"
                 f"{proc.stderr[-2000:]}")
    out, owner = {f: [] for f in files}, None
    for line in lines[:-1]:
        starts = next((f for f in files if line.startswith(f + ":")), None)
        if starts:
            owner = starts
            out[owner].append(line)
        elif owner:  # a message with a newline in it (a quoted value's)
            out[owner][-1] += "\n" + line
        else:
            sys.exit(f"monsim lint printed a line for no file given: {line}")
    if sum(1 for d in out.values() if not d) != int(summary[1]):
        sys.exit("monsim lint: its count of files that load does not match its diagnostics")
    return out


def yaml_files(folder, only_bad=False):
    out = []
    for dirpath, _, names in os.walk(folder):
        out += [os.path.join(dirpath, n) for n in names
                if n.endswith(".yaml") and (n.startswith("bad-") or not only_bad)]
    return sorted(out)


def table_problems(schema):
    """The schema's hand-written lists against spec/events.yaml and spec/api.yaml."""
    with open(os.path.join(ROOT, "spec", "events.yaml"), encoding="utf-8") as fh:
        events = yaml.safe_load(fh)
    with open(os.path.join(ROOT, "spec", "api.yaml"), encoding="utf-8") as fh:
        api = yaml.safe_load(fh)
    defs = schema["$defs"]
    with_arg = {arg: [e["name"] for e in events["events"] if arg in e["args"]]
                for arg in ("line", "destination", "exception", "callable")}
    expected = {
        "eventName": [e["name"] for e in events["events"]],
        "version": [str(v) for v in events["versions"]],
        "apiName": [f["name"] for f in api["functions"]],
        "lineEvent": with_arg["line"],
        "destinationEvent": with_arg["destination"],
        "exceptionEvent": with_arg["exception"],
        "callableEvent": with_arg["callable"],
    }
    out = []
    for name, names in expected.items():
        got = defs.get(name, {}).get("enum")
        if got != names:
            out.append(f"{SCHEMA}: $defs/{name} is {got}, spec/*.yaml say {names}")
    # The python pattern names the versions too: each spec version, none beside them.
    python = jsonschema.validators.validator_for(schema)(schema["properties"]["python"])
    minors = [int(v.split(".")[1]) for v in expected["version"]]
    first, last = minors[0], minors[-1]
    cases = [(op + v, True) for v in expected["version"] for op in ("", ">=", " >= ")]
    cases += [("< " + v, v != expected["version"][0]) for v in expected["version"]]
    cases += [(f">=3.{first - 1}", False), (f"3.{last + 1}", False),
              (f"<3.{last + 1}", True), (f">=3.{first}, <3.{last + 1}", True)]
    for text, ok in cases:
        if python.is_valid(text) != ok:
            out.append(f"{SCHEMA}: python {'refuses' if ok else 'accepts'} {text!r}")
    return out


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.rsplit("\n", 1)[-1])
    monsim, suite_dir, bad_dir = sys.argv[1:]
    check = SchemaCheck()
    failures = table_problems(check.schema)

    suite, bad = yaml_files(suite_dir), yaml_files(bad_dir, only_bad=True)
    if not suite or not bad:
        sys.exit(f"no scenarios found: {len(suite)} in {suite_dir}, {len(bad)} bad-*.yaml "
                 f"in {bad_dir}")
    schema_says = {path: check.problems(path) for path in suite + bad}
    valid = 0
    for path in suite:
        for line, col, msg in schema_says[path]:
            failures.append(f"{path}:{line}:{col}: {msg}")
        valid += not schema_says[path]

    loader_says = lint(monsim, suite + bad)
    suite_set = set(suite)
    listed = set()
    for path in suite + bad:
        name = os.path.basename(path)
        schema_ok, loader_ok = not schema_says[path], not loader_says[path]
        if path in suite_set and loader_ok and not schema_ok:
            continue  # reported above
        if schema_ok == loader_ok:
            if name in DIFFERENCES:
                failures.append(f"{path}: listed in DIFFERENCES, but the schema and the "
                                "loader now agree on it (remove it from the list)")
            continue
        if name in DIFFERENCES:
            listed.add(name)
            continue
        if loader_ok:
            line, col, msg = schema_says[path][0]
            failures.append(f"{path}:{line}:{col}: the loader loads it, but {msg}")
        else:
            failures.append(f"{path}: the schema accepts it, but the loader says "
                            f"{loader_says[path][0][len(path) + 1:]}")
    names = {os.path.basename(p) for p in suite + bad}
    for name in sorted(set(DIFFERENCES) - names):
        failures.append(f"DIFFERENCES lists {name}, which is not in {suite_dir} or {bad_dir}")

    for f in failures:
        print(f)
    if failures:
        print(f"scenario schema: FAILED, {len(failures)} problem(s)")
        return 1
    print(f"scenario schema: {valid} valid, {len(bad)} bad files agree "
          f"({len(listed)} listed difference{'s' if len(listed) != 1 else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
