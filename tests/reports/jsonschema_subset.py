"""A JSON Schema 2020-12 validator for the subset monsim's schemas use (stdlib only;
no PyPI here). An unsupported keyword is an error, so a schema cannot silently rely
on something this validator ignores."""
import re

ANNOTATIONS = {"$schema", "$id", "$comment", "title", "description", "$defs", "default",
               "examples"}
SUPPORTED = ANNOTATIONS | {
    "type", "properties", "required", "additionalProperties", "propertyNames", "items",
    "enum", "const", "$ref", "oneOf", "anyOf", "minimum", "maximum", "minLength", "pattern"}

TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


class SchemaError(Exception):
    """The schema uses something this validator does not implement."""


class Validator:
    def __init__(self, schema):
        self.root = schema

    def errors(self, instance):
        """Every violation as 'path: message'; empty when valid."""
        out = []
        self._check(self.root, instance, "$", out)
        return out

    def _resolve(self, ref):
        if not ref.startswith("#/"):
            raise SchemaError(f"only local $ref is supported: {ref}")
        node = self.root
        for part in ref[2:].split("/"):
            node = node[part]
        return node

    def _check(self, schema, v, path, out):
        if schema is True:
            return
        if schema is False:
            out.append(f"{path}: no value is allowed here")
            return
        unknown = set(schema) - SUPPORTED
        if unknown:
            raise SchemaError(f"unsupported keywords {sorted(unknown)}")
        if "$ref" in schema:
            self._check(self._resolve(schema["$ref"]), v, path, out)
        if "type" in schema:
            types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            if not any(TYPES[t](v) for t in types):
                out.append(f"{path}: expected {'/'.join(types)}, got {type(v).__name__}")
                return
        if "const" in schema and v != schema["const"]:
            out.append(f"{path}: expected {schema['const']!r}, got {v!r}")
        if "enum" in schema and v not in schema["enum"]:
            out.append(f"{path}: {v!r} is not one of {schema['enum']}")
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            if "minimum" in schema and v < schema["minimum"]:
                out.append(f"{path}: {v} < minimum {schema['minimum']}")
            if "maximum" in schema and v > schema["maximum"]:
                out.append(f"{path}: {v} > maximum {schema['maximum']}")
        if isinstance(v, str):
            if "minLength" in schema and len(v) < schema["minLength"]:
                out.append(f"{path}: shorter than {schema['minLength']}")
            if "pattern" in schema and not re.search(schema["pattern"], v):
                out.append(f"{path}: {v!r} does not match {schema['pattern']}")
        if isinstance(v, dict):
            props = schema.get("properties", {})
            for name in schema.get("required", []):
                if name not in v:
                    out.append(f"{path}: missing required '{name}'")
            for name, value in v.items():
                if "propertyNames" in schema:
                    self._check(schema["propertyNames"], name, f"{path}.<{name}>", out)
                if name in props:
                    self._check(props[name], value, f"{path}.{name}", out)
                elif "additionalProperties" in schema:
                    extra = schema["additionalProperties"]
                    if extra is False:
                        out.append(f"{path}: unexpected property '{name}'")
                    else:
                        self._check(extra, value, f"{path}.{name}", out)
        if isinstance(v, list) and "items" in schema:
            for i, item in enumerate(v):
                self._check(schema["items"], item, f"{path}[{i}]", out)
        for key in ("oneOf", "anyOf"):
            if key not in schema:
                continue
            results = []
            for sub in schema[key]:
                errs = []
                self._check(sub, v, path, errs)
                results.append(errs)
            matched = sum(1 for e in results if not e)
            if key == "oneOf" and matched != 1 or key == "anyOf" and matched == 0:
                if matched > 1:
                    out.append(f"{path}: matches {matched} of oneOf")
                else:
                    # The branch with the fewest errors is the one the value meant.
                    out.extend(min(results, key=len))
