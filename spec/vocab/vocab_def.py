"""Reads the rows of spec/vocab/*.def for the Python side: reports/render/embed.py
(the HTML page's script) and tests/reports/results_schema_test.py (the results
schema). The C++ side expands the same files as X-macros (spec/vocab.h).

    rows(path) -> (macro, {field: value}) per row, e.g.
    ("MONSIM_VERDICT", {"enum": "Pass", "name": "pass", "tally": "pass",
                        "bad": False, "doc": "..."})

Anything but a comment, a blank line or a well-formed row is an error naming the
file and line, so a malformed table fails the build rather than dropping a row."""
import re

FIELDS = {
    "MONSIM_VERDICT": ("enum", "name", "tally", "bad", "doc"),
    "MONSIM_LEVEL": ("enum", "name", "short"),
    "MONSIM_DIVERGENCE": ("enum", "name", "doc"),
    "MONSIM_ERROR": ("enum", "name", "doc"),
}

ROW = re.compile(r"^(MONSIM_[A-Z]+)\((.*)\)\s*$")
# One argument: a C string literal or a bare word (identifier, true, false).
ARG = re.compile(r'\s*("(?:[^"\\]|\\.)*"|\w+)\s*(?:,|$)')


def _value(token):
    if token.startswith('"'):
        return re.sub(r"\\(.)", r"\1", token[1:-1])
    return {"true": True, "false": False}.get(token, token)


def rows(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            text = line.strip()
            if not text or text.startswith("//"):
                continue
            m = ROW.match(text)
            fields = FIELDS.get(m.group(1)) if m else None
            args, at = [], 0
            while m and fields and at < len(m.group(2)):
                a = ARG.match(m.group(2), at)
                if not a:
                    break
                args.append(_value(a.group(1)))
                at = a.end()
            if not fields or at != len(m.group(2)) or len(args) != len(fields):
                raise ValueError(f"{path}:{n}: not a vocabulary row: {text}")
            out.append((m.group(1), dict(zip(fields, args))))
    return out


def table(path, macro):
    """The rows of one macro, as dicts, in file order."""
    return [r for mac, r in rows(path) if mac == macro]
