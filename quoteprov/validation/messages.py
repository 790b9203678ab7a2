"""Schema messages: each `jsonschema` error explained by a function registered for its keyword
(as `jsonschema` registers its keyword validators), and the one-pass decoders of the happy path.

To change what a schema error says, change the explainer of its keyword here."""
from __future__ import annotations

from typing import Any, Callable

import orjson

from ..jsonl import Unsupported, schema_type
from ..schema import load_schema, validator
from .problems import quoted as _q

try:  # the happy path's fallback when msgspec cannot express the schema
    import jsonschema_rs
except ImportError:  # pragma: no cover - declared as a dependency
    jsonschema_rs = None  # type: ignore[assignment]


# ---------------------------------------------------------------------------------------------
# schema messages


TYPE_NAMES = {"object": "an object", "array": "a list", "string": "a string", "integer": "an integer",
               "number": "a number", "boolean": "true or false", "null": "null"}


def schema_type_name(value: Any) -> str:
    """The JSON type of a parsed value (`object`, `array`, ...)."""
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "integer" if isinstance(value, int) else "number")


Explainer = Callable[[Any, Any, Any], str]  # (error, what the keyword wants, the value) -> message
EXPLAINERS: dict[str, Explainer] = {}  # schema keyword -> its message


def explains(keyword: str) -> Callable[[Explainer], Explainer]:
    """Register the message of a schema keyword's errors."""
    def register(fn: Explainer) -> Explainer:
        EXPLAINERS[keyword] = fn
        return fn
    return register


def explain(error: Any) -> tuple[str, str]:
    """(field, message) for one `jsonschema` error, the field written as the instance path
    (`evidence.marker.number`) and the message saying what was expected and what was found
    (`jsonschema`'s own message for a keyword with no explainer)."""
    path = ".".join(str(p) for p in error.absolute_path)
    fn = EXPLAINERS.get(error.validator)
    return path, error.message if fn is None else fn(error, error.validator_value, error.instance)


@explains("type")
def _type(error: Any, want: Any, got: Any) -> str:
    kinds = [want] if isinstance(want, str) else list(want)
    return f"expected {' or '.join(kinds)}, got {_q(got)}"


@explains("required")
def _required(error: Any, want: Any, got: Any) -> str:
    missing = [k for k in want if isinstance(got, dict) and k not in got]
    return f"missing {', '.join(missing)}" if missing else error.message


@explains("additionalProperties")
def _additional(error: Any, want: Any, got: Any) -> str:
    if not isinstance(got, dict):
        return error.message
    allowed = set(error.schema.get("properties", {}))
    extra = sorted(k for k in got if k not in allowed)
    return f"unexpected field{'s' * (len(extra) > 1)} {', '.join(extra)}"


@explains("enum")
def _enum(error: Any, want: Any, got: Any) -> str:
    return f"expected one of {', '.join(_q(x) for x in want)}, got {_q(got)}"


@explains("const")
def _const(error: Any, want: Any, got: Any) -> str:
    return f"expected {_q(want)}, got {_q(got)}"


@explains("minimum")
def _minimum(error: Any, want: Any, got: Any) -> str:
    return f"expected a number >= {want}, got {_q(got)}"


@explains("maximum")
def _maximum(error: Any, want: Any, got: Any) -> str:
    return f"expected a number <= {want}, got {_q(got)}"


@explains("minItems")
def _min_items(error: Any, want: Any, got: Any) -> str:
    return f"expected at least {want} item{'s' * (want != 1)}, got {len(got) if isinstance(got, list) else _q(got)}"


@explains("maxItems")
def _max_items(error: Any, want: Any, got: Any) -> str:
    return f"expected at most {want} item{'s' * (want != 1)}, got {len(got) if isinstance(got, list) else _q(got)}"


@explains("minLength")
def _min_length(error: Any, want: Any, got: Any) -> str:
    return f"expected at least {want} character{'s' * (want != 1)}, got {_q(got)}"


@explains("pattern")
def _pattern(error: Any, want: Any, got: Any) -> str:
    return f"{_q(got)} does not match the pattern {want}"


def schema_problems(name: str, instance: Any) -> list[tuple[tuple[Any, ...], str, str]]:
    """(instance path, field, message) for every schema error of one instance, in a stable order."""
    errors = sorted(validator(name).iter_errors(instance),
                    key=lambda e: (list(map(str, e.absolute_path)), e.validator, e.message))
    return [(tuple(e.absolute_path), *explain(e)) for e in errors]


_FAST: dict[str, Any] = {}
DECODERS: dict[str, Callable[[bytes], Any]] = {}


def fast_valid(name: str) -> Callable[[Any], bool]:
    """jsonschema-rs `is_valid` for a schema (same schema file as the careful path)."""
    fn = _FAST.get(name)
    if fn is None:
        if jsonschema_rs is not None:
            fn = jsonschema_rs.validator_for(load_schema(name)).is_valid
        else:  # pragma: no cover
            fn = validator(name).is_valid
        _FAST[name] = fn
    return fn


class Rejected(Exception):
    """The happy path refused a line: the careful path will say why."""


def fast_decoder(name: str) -> Callable[[bytes], dict[str, Any]]:
    """The happy path for one line: parse and check against the schema in one pass.

    Measured per record (1.1 kB): msgspec decoding into types compiled from the schema
    (`jsonl.schema_type`) 3.6 µs; orjson + jsonschema-rs 6.0 µs; fastjsonschema over orjson
    ~13 µs; jsonschema `iter_errors` ~270 µs. The msgspec decoder drops unknown keys, which the
    caller's key count catches; a schema the compiler cannot express falls back to
    orjson + jsonschema-rs. Raises on any line it does not accept.
    """
    fn = DECODERS.get(name)
    if fn is not None:
        return fn
    try:
        import msgspec

        decode = msgspec.json.Decoder(schema_type(load_schema(name))).decode

        def fn(data: bytes) -> dict[str, Any]:
            try:
                return decode(data)
            except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, RecursionError) as exc:
                raise Rejected from exc
    except (ImportError, Unsupported):
        loads, valid = orjson.loads, fast_valid(name)

        def fn(data: bytes) -> dict[str, Any]:
            try:
                rec = loads(data)
            except (orjson.JSONDecodeError, RecursionError) as exc:
                raise Rejected from exc
            if type(rec) is not dict or not valid(rec):
                raise Rejected
            return rec
    DECODERS[name] = fn
    return fn


# ---------------------------------------------------------------------------------------------
# the dataset context a record is checked against
