"""The families: per version, then consecutive identical versions merged into one
file with a `python:` range; and the folder's README."""
import os

from .prediction import DISABLE_FAMILY, VARIANTS, may_be_local
from .programs import EVENT_ORDER, slug
from .rendering import GENERATOR_NOTE
from .scenarios import build, build_refused


def python_range(spec, band):
    vs = spec.versions
    lo, hi = band[0], band[-1]
    nxt = vs.index(hi) + 1
    if nxt == len(vs):
        return ">=" + lo
    return ">=%s,<%s" % (lo, vs[nxt])


def band_suffix(spec, band, event):
    exists = [v for v in spec.versions if spec.exists(event, v)]
    if band == exists:
        return ""
    return "-" + band[0] + ("-" + band[-1] if len(band) > 1 else "")


def generate(spec):
    """{relative path: text}"""
    files = {}

    def emit(family, base, event, per_version):
        # family: a folder name, or a function of the version band's first version.
        # per_version: [(version, Scenario)] in version order; merge identical runs.
        groups = []
        for v, sc in per_version:
            body = sc.text("ID", "PY", GENERATOR_NOTE)
            if groups and groups[-1][2] == body and \
                    spec.versions.index(groups[-1][0][-1]) + 1 == spec.versions.index(v):
                groups[-1][0].append(v)
            else:
                groups.append(([v], sc, body))
        for band, sc, _ in groups:
            sid = base + band_suffix(spec, band, event)
            path = os.path.join(family(band[0]) if callable(family) else family, sid + ".yaml")
            assert path not in files, path
            files[path] = sc.text(sid, python_range(spec, band), GENERATOR_NOTE)

    for event in EVENT_ORDER:
        for family, variant, tools, needs in VARIANTS:
            per_version = []
            for v in spec.versions:
                if not spec.exists(event, v):
                    continue
                local_ok = may_be_local(spec, event, v)
                if needs == "local" and not local_ok:
                    continue
                if needs == "nonlocal" and local_ok:
                    continue
                if family == "disable" and spec.alias(event, v):
                    # 3.14+ BRANCH is the legacy BRANCH_LEFT|BRANCH_RIGHT handler, whose
                    # DISABLE depends on whether another tool (the oracle's probe)
                    # instruments the branch source (behaviour §10.3, FINDINGS F6).
                    continue
                per_version.append((v, build(spec, event, variant, tools, v)))
            fam = family
            if family == "disable":
                fam = lambda v, e=event: DISABLE_FAMILY[spec.disable(e, v)]
            emit(fam, "gen-%s-%s-%s" % (slug(event), family, variant), event, per_version)
        refused = [(v, build_refused(spec, event, v)) for v in spec.versions
                   if spec.exists(event, v) and not spec.local(event, v)]
        if refused:
            emit("local-refused", "gen-%s-local-refused" % slug(event), event, refused)
    return files


FAMILY_TEXT = [
    ("deliver", "no DISABLE: the event set globally (tool 2), locally on f (tool 2), and by three tools "
                "at once (2 global, 3 local on f, 4 global and local on f): every occurrence reaches every "
                "tool that has the event there, once, highest id first"),
    ("disable-site", "DISABLE from the first callback of tool 2 (global, or global and local) or of tool 3 "
                     "(local, with tools 2 and 4 beside it) for the events DISABLE turns off per site: that "
                     "site only, that tool only"),
    ("disable-refused", "the same for the events that cannot be disabled (exception events before 3.15, "
                        "C_RETURN and C_RAISE): ValueError, the callback is unregistered, the dispatch of that "
                        "occurrence stops (with two tools, the lower one misses it)"),
    ("disable-local-3.15", "3.15 exception events: DISABLE clears the event from the tool's local set of "
                           "that code object, without error; a global set keeps delivering"),
    ("local-refused", "set_local_events with an event that may not be set locally on that version: the "
                      "exact ValueError of spec/errors.yaml"),
]


def readme(files):
    counts = {}
    for rel in files:
        counts[rel.split(os.sep)[0]] = counts.get(rel.split(os.sep)[0], 0) + 1
    out = ["# Generated scenario families", "",
           "Written by `spec/gen/families.py` (do not edit: re-run `python3 spec/gen/families.py`;",
           "`python3 spec/gen/families.py --check`, also the meson test `spec_gen_families`, checks that",
           "the committed files are reproduced byte for byte). Every file is an ordinary scenario",
           "(`spec/SCENARIO-FORMAT.md`): run one with `build/monsim check FILE --python all`.",
           "",
           "Each event has a small program in which it occurs at known sites a known number of times",
           "in `f` (the target of local events) and once more in `g`; the expectations are computed by",
           "the generator from the rules of spec/events.yaml, spec/errors.yaml and spec/BEHAVIOUR.md, not",
           "recorded. A scenario is generated per Python version and consecutive versions with the",
           "same text share one file (the `python:` range and an id suffix such as `-3.12-3.14`).",
           "",
           "| folder | files | what |", "|---|---|---|"]
    for fam, text in FAMILY_TEXT:
        out.append("| `%s/` | %d | %s |" % (fam, counts.get(fam, 0), text))
    out += ["", "Ids: `gen-<event>-deliver-<variant>`, `gen-<event>-disable-<variant>` and",
            "`gen-<event>-local-refused`, with a `-<versions>` suffix when the file covers only some",
            "of the versions that have the event. Variants: `global`, `local`, `both` (global and",
            "local, one tool), `2tools-global`, `3tools-mixed` (2 global, 3 local on f, 4 both).", "",
            "Not generated, on purpose:",
            "* DISABLE of the 3.14+ `BRANCH` alias: its legacy handler returns DISABLE without calling",
            "  the callback when no tool instruments the branch source, so the result depends on the",
            "  oracle's probe (behaviour §10.3, FINDINGS F6); see `spec/scenarios/branches/`.",
            "* Exact INSTRUCTION and RERAISE counts: how many instructions a line has, and how often",
            "  an exception leaving a `finally` block is re-raised (CPython re-raises it again from the",
            "  handler's cleanup), are compiler-specific, so those files use `match: contains` with",
            "  the first event of each line / call, and `absent` for what must not come.",
            ""]
    return "\n".join(out)
