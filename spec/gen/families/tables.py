"""The spec tables the generator reads: spec/events.yaml (bits, which events may be
set locally, what DISABLE does, per version) and spec/errors.yaml (exact messages)."""
import os
import sys

try:
    import yaml
except ImportError:
    sys.exit("families: python3-yaml is missing (./run setup installs it)")


def vtuple(v):
    return tuple(int(x) for x in str(v).split("."))


def at_version(value, version):
    """A version-keyed map {"3.12": a, "3.14": b} read at `version` (None: absent)."""
    if not isinstance(value, dict):
        return value
    best = None
    for key in sorted(value, key=vtuple):
        if vtuple(key) <= vtuple(version):
            best = value[key]
    return best


def read_yaml(path):
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


class Spec:
    def __init__(self, root):
        ev = read_yaml(os.path.join(root, "spec", "events.yaml"))
        er = read_yaml(os.path.join(root, "spec", "errors.yaml"))
        self.versions = [str(v) for v in ev["versions"]]
        self.events = {e["name"]: e for e in ev["events"]}
        self.errors = er["errors"]

    def exists(self, name, v):
        return at_version(self.events[name]["bit"], v) is not None

    def bit(self, name, v):
        return at_version(self.events[name]["bit"], v)

    def local(self, name, v):
        return bool(at_version(self.events[name]["local"], v))

    def disable(self, name, v):
        return at_version(self.events[name]["disable"], v)

    def alias(self, name, v):
        return at_version(self.events[name].get("alias"), v)

    def group(self, name):
        return self.events[name]["group"]

    def message(self, error, v, **fields):
        text = at_version(self.errors[error]["message"], v)
        for k, val in fields.items():
            text = text.replace("{%s}" % k, str(val))
        return text

    def error_type(self, error):
        return self.errors[error]["type"]
