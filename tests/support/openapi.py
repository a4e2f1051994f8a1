"""Check the JSON bodies of the bot's REST calls against Discord's OpenAPI spec.

The spec (``discord/discord-api-spec``, OpenAPI 3.1, JSON Schema 2020-12 dialect) is a public preview,
vendored unmodified in ``tests/data/discord-api-spec/``. In two known respects it is stricter than the
live API, and discord.py relies on both:

- Discord accepts a string of digits wherever an integer is expected (for example permission bit
  fields). The validator extends the 2020-12 type checker so that ``integer`` also accepts
  ``"-?[0-9]+"`` strings, and makes the numeric keywords (``minimum``, ``const``, ``enum``...) compare
  such strings as the integers they spell.
- Discord accepts a snowflake as a JSON integer as well as a string of digits (discord.py sends many
  ids as integers, such as a DM's ``recipient_id``). Where a schema is a snowflake (a string with
  ``format: snowflake``, the spec's ``SnowflakeType``, inline or through ``$ref``), the ``type`` keyword
  also accepts a non-negative integer; a negative one, a float, a bool or a non-digit string still fail.

The spec itself is never modified.

Usage from a test: ``assert check_requests(env.http_requests) == []``.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import extend
from referencing import Registry
from referencing.jsonschema import DRAFT202012

__all__ = ["SPEC_PATH", "RestValidator", "check_requests", "load_validator"]

_REPO_ROOT: Final = Path(__file__).resolve().parents[2]
_DEFAULT_SPEC_PATH: Final = _REPO_ROOT / "tests" / "data" / "discord-api-spec" / "openapi.json"
_SPEC_ENV: Final = "BALINT_OPENAPI_SPEC"

SPEC_PATH: Path = Path(os.environ[_SPEC_ENV]) if os.environ.get(_SPEC_ENV) else _DEFAULT_SPEC_PATH
"""Where the spec is read from: ``$BALINT_OPENAPI_SPEC`` if set, else the copy in ``tests/data``."""

# The spec document is registered under this URI; every local ``$ref`` ("#/components/...") is
# rewritten against it so that it resolves within the whole document.
_SPEC_URI: Final = "urn:discord-api-spec:openapi.json"
_HTTP_METHODS: Final = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
_API_PREFIX: Final = re.compile(r"^/api/v\d+(?=/|$)")
_DIGITS: Final = re.compile(r"-?[0-9]+")
_MAX_MESSAGE: Final = 200

_Schema = Mapping[str, Any]
_Keyword = Callable[[Validator, Any, Any, _Schema], Iterator[ValidationError]]


# --- the lenient validator class: digit strings for integers, integers for snowflakes ------------


def _is_digit_string(instance: object) -> bool:
    return isinstance(instance, str) and _DIGITS.fullmatch(instance) is not None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _allows(schema: _Schema, kind: str) -> bool:
    declared = schema.get("type")
    return declared == kind or (isinstance(declared, list) and kind in declared)


def _allows_integer(schema: _Schema) -> bool:
    return _allows(schema, "integer")


def _is_snowflake_schema(schema: _Schema) -> bool:
    """Whether a schema is a snowflake: the spec's SnowflakeType, a digit string of ``format: snowflake``."""
    return schema.get("format") == "snowflake" and _allows(schema, "string")


_BASE_TYPES: Final = Draft202012Validator.TYPE_CHECKER
_TYPE_CHECKER: Final = _BASE_TYPES.redefine(
    "integer",
    lambda checker, instance: _BASE_TYPES.is_type(instance, "integer") or _is_digit_string(instance),
)
_BASE_KEYWORDS: Final[Mapping[str, _Keyword]] = Draft202012Validator.VALIDATORS


def _numeric(keyword: str) -> _Keyword:
    """Apply a numeric keyword (minimum, maximum...) to a digit string where the schema allows integers."""
    original = _BASE_KEYWORDS[keyword]

    def check(validator: Validator, value: Any, instance: Any, schema: _Schema) -> Iterator[ValidationError]:
        if _is_digit_string(instance) and _allows_integer(schema):
            instance = int(instance)
        yield from original(validator, value, instance, schema)

    return check


def _type(validator: Validator, types: Any, instance: Any, schema: _Schema) -> Iterator[ValidationError]:
    # Discord takes a snowflake as a JSON integer as well as a digit string, and discord.py sends
    # many ids that way; ``pattern`` and ``format`` do not apply to integers, so only ``type`` needs this.
    # No oneOf in the spec offers both an integer and a snowflake, so an id cannot match two branches.
    if _is_snowflake_schema(schema) and _is_int(instance) and instance >= 0:
        return
    yield from _BASE_KEYWORDS["type"](validator, types, instance, schema)


def _const(validator: Validator, const: Any, instance: Any, schema: _Schema) -> Iterator[ValidationError]:
    if _is_int(const) and _is_digit_string(instance) and int(instance) == const:
        return
    yield from _BASE_KEYWORDS["const"](validator, const, instance, schema)


def _enum(validator: Validator, enums: Any, instance: Any, schema: _Schema) -> Iterator[ValidationError]:
    if _is_digit_string(instance) and any(_is_int(e) and e == int(instance) for e in enums):
        return
    yield from _BASE_KEYWORDS["enum"](validator, enums, instance, schema)


def _one_of(validator: Validator, one_of: Any, instance: Any, schema: _Schema) -> Iterator[ValidationError]:
    # A digit string can satisfy both an integer and a string alternative (message ``nonce``); the
    # ambiguity is of our making, so one match or more is a pass for digit strings.
    if _is_digit_string(instance) and any(validator.evolve(schema=s).is_valid(instance) for s in one_of):
        return
    yield from _BASE_KEYWORDS["oneOf"](validator, one_of, instance, schema)


_NUMERIC_KEYWORDS: Final = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_LenientValidator: Final = extend(
    Draft202012Validator,
    validators={
        **{keyword: _numeric(keyword) for keyword in _NUMERIC_KEYWORDS},
        "type": _type,
        "const": _const,
        "enum": _enum,
        "oneOf": _one_of,
    },
    type_checker=_TYPE_CHECKER,
)


# --- routes ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Route:
    template: str
    segments: tuple[str, ...]
    is_param: tuple[bool, ...]
    operations: Mapping[str, Mapping[str, Any]]  # lower-case method -> operation object

    @property
    def specificity(self) -> tuple[int, tuple[bool, ...]]:
        """Sort key: fewest templated segments first, then literals earlier in the path."""
        return sum(self.is_param), self.is_param

    def matches(self, segments: list[str]) -> bool:
        return all(
            (param and seg != "") or tpl == seg
            for tpl, param, seg in zip(self.segments, self.is_param, segments, strict=True)
        )


def _split(path: str) -> list[str]:
    path = _API_PREFIX.sub("", path.split("?", 1)[0])
    return path.strip("/").split("/")


def _absolutize(node: Any) -> Any:
    """Copy a schema fragment, pointing its local ``$ref``s at the registered spec document."""
    if isinstance(node, dict):
        return {
            k: (_SPEC_URI + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else _absolutize(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_absolutize(v) for v in node]
    return node


def _is_binary(schema: Any) -> bool:
    return isinstance(schema, dict) and (
        schema.get("contentEncoding") == "binary" or schema.get("format") == "binary"
    )


def _rules_out(branch_error: ValidationError) -> bool:
    """Whether a branch's error shows the branch was not meant: wrong JSON type, or wrong ``type`` tag."""
    where = list(branch_error.relative_path)
    if not where:
        return bool(branch_error.validator == "type")
    return where == ["type"] and branch_error.validator in ("const", "enum")


def _explain(error: ValidationError) -> list[ValidationError]:
    """Replace a oneOf/anyOf failure by the errors of the one alternative the value was plainly meant for."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        branches: dict[object, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        meant = [errs for errs in branches.values() if not any(_rules_out(e) for e in errs)]
        if len(meant) == 1:
            return [found for sub in meant[0] for found in _explain(sub)]
    return [error]


def _short(error: ValidationError) -> str:
    if error.validator in ("oneOf", "anyOf") and error.context:
        shown = repr(error.instance)
        shown = shown if len(shown) <= 60 else shown[:59] + "…"
        message = f"{shown} matches none of the {error.validator} alternatives"
    else:
        message = error.message
    text = f"{error.json_path}: {message}"
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


_NO_SCHEMA: Final = object()


class RestValidator:
    """Validates REST request bodies against one loaded OpenAPI document."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self._spec = spec
        self._registry: Registry[Any] = Registry().with_resource(_SPEC_URI, DRAFT202012.create_resource(spec))
        self._routes: dict[int, list[_Route]] = {}
        for template, item in spec.get("paths", {}).items():
            segments = tuple(template.strip("/").split("/"))
            is_param = tuple(s.startswith("{") and s.endswith("}") for s in segments)
            ops = {m: op for m, op in item.items() if m in _HTTP_METHODS and isinstance(op, dict)}
            self._routes.setdefault(len(segments), []).append(_Route(template, segments, is_param, ops))
        for routes in self._routes.values():
            routes.sort(key=lambda r: r.specificity)
        self._validators: dict[tuple[str, str], Validator | None] = {}

    @classmethod
    def from_file(cls, path: Path) -> RestValidator:
        """Load the spec at ``path`` (the parsed document is shared within the process)."""
        return cls(_read_document(Path(path).resolve()))

    def match(self, method: str, path: str) -> str | None:
        """The spec's path template for ``method path``, or None; the most literal template wins."""
        route = self._route(method.lower(), _split(path))
        return route.template if route else None

    def problems(self, method: str, path: str, body: object) -> list[str]:
        """Return human-readable violations ([] when fine).

        Unknown route (no matching path+method in the spec) is a violation. A body for an operation
        without requestBody is a violation unless body is None/empty.
        """
        verb = method.lower()
        route = self._route(verb, _split(path))
        if route is None:
            return ["unknown route: no operation in the spec for this method and path"]
        operation = route.operations[verb]
        if body is None:
            # Bodiless calls are not checked: the spec marks some bodies required that discord.py
            # legitimately omits (ban/unban), and SimCord does not record file-only uploads.
            return []
        try:
            wire = json.loads(json.dumps(body))
        except (TypeError, ValueError) as exc:
            return [f"body is not JSON-serialisable: {exc}"[:_MAX_MESSAGE]]
        validator = self._validator(route.template, verb, operation)
        if validator is None:
            if wire in ({}, [], ""):
                return []
            return [f"unexpected request body: {operation.get('operationId', verb)} takes none"]
        errors = [found for error in validator.iter_errors(wire) for found in _explain(error)]
        errors.sort(key=lambda e: (e.json_path, e.message))
        return list(dict.fromkeys(_short(e) for e in errors))

    # -- internals --

    def _route(self, verb: str, segments: list[str]) -> _Route | None:
        for route in self._routes.get(len(segments), ()):
            if verb in route.operations and route.matches(segments):
                return route
        return None

    def _validator(self, template: str, verb: str, operation: Mapping[str, Any]) -> Validator | None:
        key = (template, verb)
        if key not in self._validators:
            schema = self._body_schema(operation)
            self._validators[key] = (
                None
                if schema is _NO_SCHEMA
                else _LenientValidator(_absolutize(schema), registry=self._registry)
            )
        return self._validators[key]

    def _deref(self, node: Any) -> Any:
        """Follow OpenAPI-level local ``$ref``s (request bodies, media-type schemas)."""
        seen = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
            node = self._registry.resolver(_SPEC_URI).lookup(_SPEC_URI + node["$ref"]).contents
            seen += 1
            if seen > 32:
                raise ValueError("$ref cycle in the OpenAPI document")
        return node

    def _body_schema(self, operation: Mapping[str, Any]) -> Any:
        """The JSON schema a recorded body must satisfy, or ``_NO_SCHEMA`` when the call takes none."""
        request_body = self._deref(operation.get("requestBody"))
        if not isinstance(request_body, dict):
            return _NO_SCHEMA
        content: Mapping[str, Any] = request_body.get("content", {})
        if "application/json" in content:
            return content["application/json"].get("schema", {})
        if "multipart/form-data" in content:
            return self._multipart_schema(content["multipart/form-data"].get("schema", {}))
        for media_type in content.values():  # e.g. only application/x-www-form-urlencoded
            return media_type.get("schema", {})
        return {}

    def _multipart_schema(self, schema: Any) -> Any:
        """Schema for the dict SimCord records for a multipart call.

        SimCord records the ``payload_json`` part when discord.py sends one; otherwise the scalar
        form fields, without the uploaded files.
        """
        schema = self._deref(schema)
        if not isinstance(schema, dict):
            return {}
        for part in [schema, *(self._deref(s) for s in schema.get("allOf", ()))]:
            if not isinstance(part, dict):
                continue
            payload = self._deref(part.get("properties", {}).get("payload_json"))
            if isinstance(payload, dict):
                if "contentSchema" in payload:
                    return payload["contentSchema"]
                if payload.get("type") != "string":
                    return payload
        # Files are not recorded, so they cannot be required; strip them (on a copy).
        properties = schema.get("properties", {})
        binary = {name for name, prop in properties.items() if _is_binary(self._deref(prop))}
        stripped = dict(schema)
        stripped["properties"] = {k: v for k, v in properties.items() if k not in binary}
        if "required" in schema:
            stripped["required"] = [name for name in schema["required"] if name not in binary]
        return stripped


@functools.cache
def _read_document(path: Path) -> Mapping[str, Any]:
    with path.open("rb") as f:
        document: Mapping[str, Any] = json.load(f)
    return document


def _spec_path() -> Path:
    override = os.environ.get(_SPEC_ENV)
    return Path(override) if override else SPEC_PATH


@functools.cache
def load_validator() -> RestValidator:
    """Cached. A missing spec is an error: the copy lives in the repository, so no check is ever skipped."""
    path = _spec_path()
    if not path.is_file():
        raise RuntimeError(f"Discord OpenAPI spec not found at {path}; REST bodies cannot be validated")
    return RestValidator.from_file(path)


def check_requests(entries: Iterable[object]) -> list[str]:
    """Validate every entry (objects with .method .path .json); problems are prefixed 'METHOD path: '."""
    validator = load_validator()
    found: list[str] = []
    for entry in entries:
        record: Any = entry  # any object with .method, .path and .json, e.g. simcord's HttpLogEntry
        method, path = str(record.method), str(record.path)
        found.extend(f"{method.upper()} {path}: {p}" for p in validator.problems(method, path, record.json))
    return found
