"""A JSON Lines reader that never crashes: streaming line splitting and exact diagnosis.

Two speeds. `iter_lines` streams any file (or standard input) in blocks, so a line can never
take more than `max_line` bytes of memory however large the file or the line. `parse_line` is
the careful parser used when the fast path (orjson) refuses a line, or to explain a line: it
finds every lexical problem a contributor can make — invalid UTF-8, a byte-order mark, CRLF,
a blank line, `NaN`/`Infinity`, duplicate keys, numbers too large for a 64-bit integer,
nesting too deep — each with a 1-based line and column in code points.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, BinaryIO, Callable, Iterator, NamedTuple

BOM = b"\xef\xbb\xbf"
BLOCK = 1 << 20  # bytes read at a time
MAX_LINE = 16 << 20  # a record line longer than this is refused unread (memory bound)
INT_LIMIT = 2**63 - 1  # what Arrow/Parquet int64 columns and orjson hold


@dataclass(frozen=True)
class LineProblem:
    """One problem of one line: `column` is 1-based in code points of the decoded line."""

    column: int
    code: str
    message: str
    field: str = ""


class RawLine(NamedTuple):
    """A line as read: `data` excludes the newline; `dropped` is the length of a line too long
    to keep (then `data` is empty). A named tuple, not a dataclass: one is made per line, and a
    frozen dataclass costs several times more to build."""

    number: int
    data: bytes
    dropped: int = 0


def iter_batches(f: BinaryIO, limit: int | None = None, max_line: int = MAX_LINE) -> Iterator[list[bytes | int]]:
    """The lines of a binary stream, a block (BLOCK bytes) at a time, reading at most `limit`
    bytes: each item is a line without its newline, or, for a line longer than `max_line`, its
    length as an int (the line is skipped as it streams by, so memory stays bounded whatever
    the input). Lines are numbered by their position; batches keep per-line cost low."""
    carry = b""
    dropping = 0  # > 0 while skipping the rest of a too-long line
    left = limit
    while left is None or left > 0:
        block = f.read(BLOCK if left is None else min(BLOCK, left))
        if not block:
            break
        if left is not None:
            left -= len(block)
        parts: list[bytes | int] = block.split(b"\n")  # type: ignore[assignment]
        tail = parts.pop()  # the unfinished line after the last newline
        if parts:
            if dropping:
                parts[0] = dropping + len(parts[0])  # type: ignore[arg-type]
                dropping = 0
            elif carry:
                parts[0] = carry + parts[0]  # type: ignore[operator]
            for i, part in enumerate(parts):
                if type(part) is bytes and len(part) > max_line:
                    parts[i] = len(part)
            carry = tail  # type: ignore[assignment]
            yield parts
        elif dropping:
            dropping += len(tail)  # type: ignore[arg-type]
        else:
            carry += tail  # type: ignore[operator]
        if not dropping and len(carry) > max_line:
            dropping, carry = len(carry), b""
    if dropping:
        yield [dropping]
    elif carry:
        yield [len(carry) if len(carry) > max_line else carry]


def iter_lines(f: BinaryIO, limit: int | None = None, max_line: int = MAX_LINE,
               first_line: int = 1) -> Iterator[RawLine]:
    """`iter_batches`, one numbered `RawLine` at a time."""
    number = first_line
    for batch in iter_batches(f, limit, max_line):
        for item in batch:
            yield RawLine(number, b"", item) if type(item) is int else RawLine(number, item)  # type: ignore[arg-type]
            number += 1


def char_column(data: bytes, byte_offset: int) -> int:
    """1-based code-point column of a byte offset in a (possibly invalid) UTF-8 line."""
    return len(data[:byte_offset].decode("utf-8", "replace")) + 1


def key_column(data: bytes, path: tuple[Any, ...] | list[Any]) -> int:
    """Best-effort column of the value at `path` in a JSON line (the key of its last name), for
    pointing a contributor at the field; 1 when it cannot be found."""
    pos = 0
    found = 0
    for part in path:
        if isinstance(part, int):
            continue
        key = json.dumps(str(part), ensure_ascii=False).encode("utf-8")
        at = data.find(key, pos)
        if at < 0:
            break
        found = pos = at
    return char_column(data, found) if found else 1


class _Whole(float):
    """A whole number written with a fraction part (`12.0`), kept until its place is known."""

    text: str


class _Hooks:
    """The `json.loads` hooks of one line: each records the problem of a value it had to replace
    (NaN, an oversized number, a whole number written as a float, a duplicate key)."""

    def __init__(self, text: str, problems: list[LineProblem],
                 number_at: Callable[[tuple[Any, ...]], bool] | None) -> None:
        self.text, self.problems, self.number_at = text, problems, number_at
        self.wholes: list[_Whole] = []

    def locate(self, token: str) -> int:
        at = self.text.find(token)
        return at + 1 if at >= 0 else 1

    def on_constant(self, name: str) -> Any:
        self.problems.append(LineProblem(self.locate(name), "nan", f"{name} is not JSON; use null or a number"))
        return None

    def on_int(self, s: str) -> int:
        # compare by digit count first: int() of a 5000-digit string raises in Python 3.11+
        digits = s.lstrip("-")
        if len(digits) > 19 or int(s) > INT_LIMIT or int(s) < -INT_LIMIT - 1:
            short = s if len(s) <= 30 else s[:27] + "..."
            self.problems.append(LineProblem(self.locate(s), "number-too-large",
                                             f"number {short} is too large (more than 64 bits)"))
            return 0
        return int(s)

    def on_float(self, s: str) -> Any:
        value = float(s)
        if value in (float("inf"), float("-inf")):
            short = s if len(s) <= 30 else s[:27] + "..."
            self.problems.append(LineProblem(self.locate(s), "number-too-large", f"number {short} is too large"))
            return 0
        if value.is_integer():
            # 59.0 passes a JSON Schema `integer` but is not an offset Python (or Arrow) can use
            # as one; where the schema wants a number (a probability), 1.0 is right
            if self.number_at is not None:
                whole = _Whole(value)
                whole.text = s
                self.wholes.append(whole)
                return whole
            self.problems.append(self.number_format(s, value))
            return int(value)
        return value

    def number_format(self, s: str, value: float) -> LineProblem:
        return LineProblem(self.locate(s), "number-format", f"number {s} must be written as an integer ({int(value)})")

    def settle(self, node: Any, path: tuple[Any, ...]) -> Any:
        """Each _Whole under `node` made a float where a number is due, else an int (a problem)."""
        if type(node) is _Whole:
            if self.number_at(path):  # type: ignore[misc]
                return float(node)
            self.problems.append(self.number_format(node.text, node))
            return int(node)
        if type(node) is dict:
            for k, v in node.items():
                if type(v) in (_Whole, dict, list):
                    node[k] = self.settle(v, path + (k,))
        elif type(node) is list:
            for i, v in enumerate(node):
                if type(v) in (_Whole, dict, list):
                    node[i] = self.settle(v, path + (i,))
        return node

    def on_pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in pairs:
            if k in out:
                key = json.dumps(k, ensure_ascii=False)
                first = self.text.find(key)
                second = self.text.find(key, first + 1) if first >= 0 else -1
                self.problems.append(LineProblem(second + 1 if second >= 0 else 1, "duplicate-key",
                                                 f"duplicate key {key}; the later value would silently win",
                                                 field=k))
            out[k] = v
        return out


def _decode(data: bytes, number: int, problems: list[LineProblem]) -> str | None:
    """The line as text, its BOM and CR ending reported and dropped; None (reported) when it is
    not UTF-8 or blank."""
    if number == 1 and data.startswith(BOM):
        problems.append(LineProblem(1, "bom", "the file starts with a byte-order mark; save it as UTF-8 without BOM"))
        data = data[len(BOM):]
    if data.endswith(b"\r"):
        problems.append(LineProblem(char_column(data, len(data) - 1), "crlf",
                                    "line ends with CRLF; use LF (\\n) line endings"))
        data = data[:-1]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(LineProblem(char_column(data, exc.start), "invalid-utf8",
                                    f"invalid UTF-8: byte 0x{data[exc.start]:02x} ({exc.reason}); "
                                    "save the file as UTF-8"))
        return None
    if not text.strip():
        problems.append(LineProblem(1, "blank-line", "blank line; JSON Lines has one JSON value on every line"))
        return None
    return text


def parse_line(data: bytes, number: int = 1, whole_file: bool = False,
               number_at: Callable[[tuple[Any, ...]], bool] | None = None) -> tuple[Any, list[LineProblem]]:
    """Parse one line exactly, returning (value or None, problems). With `whole_file`, `data`
    is a whole JSON document (newlines and all) and every column is a 1-based code-point
    offset into it, for the caller to turn into a line and column.

    A whole number written as a float (`12.0`) is a `number-format` problem where an integer is
    due; `number_at(path)` says where a number that is not an integer is due (a probability: 1.0
    is fine there); without it, everywhere is taken for integers.

    Every problem of the line is reported where the parser can go on: a CRLF ending, NaN,
    duplicate keys and oversized numbers do not stop it; a syntax error does (a JSON parser
    cannot resynchronise inside a line).
    """
    problems: list[LineProblem] = []
    text = _decode(data, number, problems)
    if text is None:
        return None, problems
    hooks = _Hooks(text, problems, number_at)
    try:
        value = json.loads(text, object_pairs_hook=hooks.on_pairs, parse_constant=hooks.on_constant,
                           parse_int=hooks.on_int, parse_float=hooks.on_float)
    except json.JSONDecodeError as exc:
        problems.append(LineProblem(exc.pos + 1 if whole_file else exc.colno, "json-syntax",
                                    f"invalid JSON: {exc.msg}"))
        return None, problems
    except RecursionError:
        problems.append(LineProblem(1, "too-deep", "JSON nested too deeply"))
        return None, problems
    except (ValueError, OverflowError) as exc:  # defensive: a number the hooks could not read
        problems.append(LineProblem(1, "json-syntax", f"invalid JSON: {exc}"))
        return None, problems
    if hooks.wholes:
        try:
            value = hooks.settle(value, ())
        except RecursionError:
            problems.append(LineProblem(1, "too-deep", "JSON nested too deeply"))
            return None, problems
    if "\\u" in text:
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            # Python's json takes "\ud800" alone; no other reader (or UTF-8 file) can
            at = _LONE_SURROGATE.search(text)
            problems.append(LineProblem(at.start() + 1 if at else 1, "invalid-escape",
                                        f"{at.group() if at else 'an escape'} is half of a surrogate pair, not a "
                                        "character; write the character itself"))
            return None, problems
    return value, problems


_LONE_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


# ---------------------------------------------------------------------------------------------
# the happy path: decode and type-check a line in one pass, from the JSON Schema itself


class Unsupported(Exception):
    """The schema uses a keyword the typed decoder cannot express (use jsonschema-rs then)."""


_NOTES = {"description", "title", "$schema", "$id"}
_HANDLED = {"type", "properties", "required", "additionalProperties", "items", "enum", "const", "minimum",
            "maximum", "minLength", "pattern"}


def schema_type(node: dict[str, Any], name: str = "Record", struct: bool = False) -> Any:
    """A msgspec type that accepts what the JSON Schema `node` accepts, for the subset of JSON
    Schema the dataset's schemas use; raises Unsupported for anything else. Objects become
    TypedDicts, or with `struct` msgspec Structs (a third faster to decode, attributes instead
    of keys; they refuse unknown keys themselves, and need every property required).

    Two deliberate differences, both only sending a line to the careful path, never letting a bad
    one through: integers must be written as integers (59, not 59.0) and fit in 64 bits. A
    `number` is a float and takes integers (1 for 1.0), as the schema does. One
    difference is closed by the caller: a TypedDict drops unknown keys, so the caller proves
    by counting keys that there were none (`additionalProperties: false`).
    """
    from typing import Annotated, Literal, NotRequired, Optional, TypedDict, Union

    import msgspec

    unknown = set(node) - _NOTES - _HANDLED
    if unknown:
        raise Unsupported(f"{name}: {', '.join(sorted(unknown))}")
    if "const" in node:
        if not isinstance(node["const"], str):
            raise Unsupported(f"{name}: const")
        return Literal[node["const"]]
    if "enum" in node:
        values = [v for v in node["enum"] if v is not None]
        if not values or not all(isinstance(v, str) for v in values):
            raise Unsupported(f"{name}: enum")
        lit = Literal[tuple(values)]  # type: ignore[valid-type]
        return Optional[lit] if None in node["enum"] else lit
    kinds = node.get("type")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
    if not kinds:
        raise Unsupported(f"{name}: no type")
    members: list[Any] = []
    for kind in kinds:
        if kind == "null":
            members.append(type(None))
        elif kind == "boolean":
            members.append(bool)
        elif kind == "string":
            meta = {"pattern": node["pattern"]} if "pattern" in node else {}
            if "minLength" in node:
                meta["min_length"] = node["minLength"]
            members.append(Annotated[str, msgspec.Meta(**meta)] if meta else str)
        elif kind == "integer":
            low, high = node.get("minimum", -INT_LIMIT - 1), node.get("maximum", INT_LIMIT)
            if not isinstance(low, int) or not isinstance(high, int):
                raise Unsupported(f"{name}: minimum or maximum")
            members.append(Annotated[int, msgspec.Meta(ge=max(low, -INT_LIMIT - 1), le=min(high, INT_LIMIT))])
        elif kind == "number":
            # msgspec's float takes JSON integers too (1 is 1.0), as JSON Schema's number does,
            # and refuses true/false; NaN and Infinity are not JSON, and 1e400 is refused as out
            # of range, so only finite numbers arrive
            if "integer" in kinds:
                raise Unsupported(f"{name}: integer and number")
            bounds: dict[str, Any] = {}
            for key, bound in (("minimum", "ge"), ("maximum", "le")):
                if key in node:
                    if type(node[key]) not in (int, float):
                        raise Unsupported(f"{name}: {key}")
                    bounds[bound] = node[key]
            members.append(Annotated[float, msgspec.Meta(**bounds)] if bounds else float)
        elif kind == "array" and "items" in node:
            members.append(list[schema_type(node["items"], f"{name}Item", struct)])  # type: ignore[misc]
        elif kind == "object" and node.get("additionalProperties") is False:
            required = set(node.get("required", ()))
            props = node.get("properties", {})
            if required - set(props):
                raise Unsupported(f"{name}: required field without a property")
            fields = {}
            for key, sub in props.items():
                t = schema_type(sub, f"{name}_{key}", struct)
                fields[key] = t if key in required else NotRequired[t]
            if not struct:
                members.append(TypedDict(name, fields))  # type: ignore[operator]
            elif required != set(props) or not all(k.isidentifier() for k in props):
                raise Unsupported(f"{name}: optional or non-identifier property for a Struct")
            else:
                # gc=False: decoded records hold no cycles, and untracked objects keep the
                # collector from walking every record of a batch
                members.append(msgspec.defstruct(name, list(fields.items()), forbid_unknown_fields=True, gc=False))
        else:
            raise Unsupported(f"{name}: type {kind}")
    return members[0] if len(members) == 1 else Union[tuple(members)]
