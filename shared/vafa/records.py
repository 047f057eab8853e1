"""Records declared once: what shops send, what the API answers, and the merchant's program.

A record is a `msgspec.Struct`; each field's annotation states its type and limits
(`Annotated[int, Meta(ge=1, le=200)]`). msgspec checks decoded JSON against them strictly, as JSON has
it (an integer field takes `5`, not `"5"`, `5.0` or `true`), and writes their JSON Schema for
`/openapi.json` (`schema_components`), so the check and the document cannot drift.

Kept by hand here, because msgspec has no place for them:

- `Check(...)`, put in a field's `Annotated[...]` beside the type it belongs to: a function run on the
  decoded value that may also normalise it (phones to E.164, URLs through `vafa.urls`, dates typed with
  Persian digits, time zones, template placeholders). msgspec ignores annotations it does not know;
  `Record.__post_init__` runs them, which msgspec calls after decoding a record and after building one
  in code alike.
- `Record.check_model()`: rules across fields (an SMS sender that fits the chosen gateway).
- The API's wording of a problem. msgspec stops at the first problem and says it its own way
  (``Expected `int`, got `str` - at `$.items[0].price` ``); `convert` turns that into the
  `ValidationError` the API has always answered from: the path as `loc` (`("items", 0, "price")`) and a
  message in the API's words ("must be an integer (no decimals, no quotes)"). msgspec names a map's key
  `[...]`; the key is found again in the data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from types import NoneType, UnionType
from typing import (
    Annotated,
    Any,
    Literal,
    Self,
    TypeVar,
    Union,
    dataclass_transform,
    get_args,
    get_origin,
)

import msgspec
from msgspec import NODEFAULT, UNSET, Meta, Struct, StructMeta, UnsetType

__all__ = [
    "UNSET",
    "Check",
    "Meta",
    "Record",
    "UnsetType",
    "ValidationError",
    "base_type",
    "convert",
    "dotted",
    "schema_components",
    "whole",
]

T = TypeVar("T")
Loc = tuple[str | int, ...]
REF_TEMPLATE = "#/components/schemas/{name}"


class ValidationError(ValueError):
    """The problems found in one value: dicts of `loc` (path), `msg` and `type`; the API answers the first."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(f"{dotted(p['loc']) or 'value'}: {p['msg']}" for p in problems))
        self.problems = problems

    def errors(self) -> list[dict[str, Any]]:
        return list(self.problems)


def dotted(loc: Iterable[str | int]) -> str:
    """`("customer", "phone")` → `customer.phone`; list indexes become `[i]`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _problem(loc: Loc, message: str, kind: str = "value_error") -> ValidationError:
    return ValidationError([{"loc": loc, "msg": message, "type": kind}])


class Check:
    """A rule msgspec cannot state, for `Annotated[...]`: `func` gets the decoded value (never `None`
    or `UNSET`) and returns the value to keep, or raises ValueError saying what is wrong.

    `message`, when given, is the one wording for the whole rule: it is also what the API says when
    the declared type or limits refuse the value (an id is "1-128 printable characters", whichever
    part of that it broke)."""

    __slots__ = ("func", "message")

    def __init__(self, func: Callable[[Any], Any], message: str | None = None) -> None:
        self.func, self.message = func, message

    def __repr__(self) -> str:
        return f"Check({getattr(self.func, '__name__', self.func)!r})"


def whole(pattern: str) -> str:
    """A `Meta(pattern=...)` that must match the whole text: msgspec and JSON Schema search for a
    pattern, so it is anchored. Python's `$` also matches before a final newline, which `(?!\\n)`
    refuses; a JSON Schema reader (ECMA-262) sees a plain end of text."""
    return f"^(?:{pattern})$(?!\\n)"


_WHOLE = re.compile(r"\^\(\?:(.*)\)\$\(\?!\\n\)", re.S)


class RecordMeta(StructMeta):
    """Every record's fields are keyword-only (`kw_only` is not inherited by msgspec), so a required
    field may follow one with a default, in the order that reads best."""

    def __new__(mcls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any) -> Any:
        kwargs.setdefault("kw_only", True)
        return super().__new__(mcls, name, bases, namespace, **kwargs)


# The fields of each record class that carry `Check`s, worked out on first use. Not a class attribute:
# msgspec reads the annotations of every class a record derives from, and in this module (postponed
# annotations) one would be a string to compile on the first request.
_PLANS: dict[type, tuple[tuple[str, str, tuple[Check, ...]], ...]] = {}


# For type checkers: records take keyword arguments only, as RecordMeta makes them at run time.
@dataclass_transform(kw_only_default=True, field_specifiers=(msgspec.field,))
class Record(Struct, metaclass=RecordMeta):
    """A declared record. Subclasses pass `forbid_unknown_fields=True` to refuse keys they do not know
    (by default they are ignored: shops send what their platform has)."""

    def __post_init__(self) -> None:
        # Raises ValidationError naming the field. While decoding, msgspec wraps it in its own error,
        # keeping it as `__cause__`, and `convert` puts the record's path in front.
        cls = type(self)
        plan = _PLANS.get(cls)
        if plan is None:
            plan = _PLANS[cls] = tuple(
                (info.name, info.encode_name, checks)
                for info in msgspec.structs.fields(cls)
                if (checks := tuple(m for m in _metadata(info.type) if isinstance(m, Check)))
            )
        for name, key, checks in plan:
            value = getattr(self, name)
            if value is None or value is UNSET:
                continue
            for check in checks:
                try:
                    value = check.func(value)
                except ValueError as exc:
                    raise _problem((key,), str(exc)) from None
            setattr(self, name, value)
        try:
            self.check_model()
        except ValidationError:
            raise
        except ValueError as exc:
            message = str(exc)
            head, sep, rest = message.partition(": ")
            known = {info.encode_name for info in msgspec.structs.fields(cls)}
            raise (_problem((head,), rest) if sep and head in known else _problem((), message)) from None

    def check_model(self) -> None:
        """Rules across fields; raise ValueError naming the field first (`"sender: …"`)."""

    @classmethod
    def model_validate(cls, data: Any) -> Self:
        """`data` (decoded JSON) as this record; ValidationError names the first problem."""
        if isinstance(data, cls):
            return data
        if not isinstance(data, dict):  # the whole body: "must not be null" would not say what it is
            raise _problem((), "must be a JSON object", "model_attributes_type")
        return convert(data, cls)

    def model_dump(self, *, exclude_defaults: bool = False) -> dict[str, Any]:
        """The record as JSON-ready data under the fields' JSON names; fields left `UNSET` are left out."""
        if not exclude_defaults:
            dumped: dict[str, Any] = msgspec.to_builtins(self)
            return dumped
        out: dict[str, Any] = {}
        for info in msgspec.structs.fields(self):
            value = getattr(self, info.name)
            if value is UNSET or _is_default(info, value):
                continue
            out[info.encode_name] = (
                value.model_dump(exclude_defaults=True)
                if isinstance(value, Record)
                else msgspec.to_builtins(value)
            )
        return out

    def model_dump_json(self) -> str:
        return msgspec.json.encode(self).decode("utf-8")


def _is_default(info: msgspec.structs.FieldInfo, value: Any) -> bool:
    if info.default is not NODEFAULT:
        return bool(value == info.default)
    if info.default_factory is not NODEFAULT:
        return bool(value == info.default_factory())
    return False


def schema_components(types: Iterable[Any]) -> tuple[tuple[dict[str, Any], ...], dict[str, Any]]:
    """The JSON Schema of each type (records as `$ref`s) and the records' schemas, for OpenAPI."""
    return msgspec.json.schema_components(types, ref_template=REF_TEMPLATE)


# --- decoding, and msgspec's problems in the API's words --------------------------------------------


def convert(data: Any, type_: type[T] | Any, loc: Loc = ()) -> Any:
    """`data` (decoded JSON) as `type_`, strictly; ValidationError with the path under `loc`."""
    try:
        return msgspec.convert(data, type_)
    except msgspec.ValidationError as exc:
        raise _translate(exc, data, type_, loc) from None


_AT = re.compile(r"(?P<text>.*?)(?: - at `\$(?P<path>[^`]*)`)?", re.S)
_PART = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")
_FIELD = re.compile(r"Object (missing required|contains unknown) field `(?P<name>.*)`", re.S)
_LIMIT = re.compile(r"Expected `(?P<kind>\w+)` (?P<what>of length )?(?P<op>>=|<=) (?P<n>\S+)")
_REGEX = re.compile(r"Expected `str` matching regex '.*'", re.S)
_TYPE_WORDS: dict[Any, tuple[str, str]] = {
    int: ("must be an integer (no decimals, no quotes)", "int_type"),
    float: ("must be a number", "float_type"),
    str: ("must be a string", "string_type"),
    bool: ("must be true or false", "bool_type"),
    list: ("must be a list", "list_type"),
    dict: ("must be an object", "dict_type"),
}


def _translate(exc: msgspec.ValidationError, data: Any, type_: Any, loc: Loc) -> ValidationError:
    found = _AT.fullmatch(str(exc))
    text = found["text"] if found else str(exc)
    parts = _PART.findall(found["path"] or "") if found else []
    path, declared = _follow(type_, data, parts)
    where = (*loc, *path)
    cause = exc.__cause__
    if isinstance(cause, ValidationError):  # raised by a record's Check or check_model
        return ValidationError([{**p, "loc": (*where, *p["loc"])} for p in cause.problems])
    named = _FIELD.fullmatch(text)
    if named:
        if named[1] == "missing required":
            return _problem((*where, named["name"]), "is required", "missing")
        return _problem((*where, named["name"]), "is not a known field", "extra_forbidden")
    message, kind = _words(text, declared)
    return _problem(where, message, kind)


def _follow(type_: Any, data: Any, parts: list[tuple[str, str]]) -> tuple[Loc, Any]:
    """msgspec's path walked through the declared types and the data: the path with the keys of maps
    filled in, and the type declared there."""
    path: list[str | int] = []
    for name, index in parts:
        base = base_type(type_)
        if name:
            fields = (
                msgspec.structs.fields(base) if isinstance(base, type) and issubclass(base, Struct) else ()
            )
            type_ = next((i.type for i in fields if i.encode_name == name), Any)
            data = data.get(name) if isinstance(data, dict) else None
            path.append(name)
        elif index != "...":
            type_ = get_args(base)[0] if get_args(base) else Any
            data = data[int(index)] if isinstance(data, list) else None
            path.append(int(index))
        else:
            # `[...]`: a map's value; msgspec checks them in order, so the first one it refuses is it.
            type_ = get_args(base)[1] if get_args(base) else Any
            key = next(
                (k for k, v in (data.items() if isinstance(data, dict) else ()) if _refused(v, type_)),
                None,
            )
            if key is not None:
                path.append(key)
            data = data.get(key) if isinstance(data, dict) and key is not None else None
    return tuple(path), type_


def _refused(value: Any, type_: Any) -> bool:
    try:
        msgspec.convert(value, type_)
    except msgspec.ValidationError:
        return True
    return False


def _words(text: str, declared: Any) -> tuple[str, str]:
    """msgspec's problem with the value at one place, said as the API says it."""
    base = base_type(declared)
    checks = [m for m in _metadata(declared) if isinstance(m, Check) and m.message]
    if text.startswith("Expected") and text.endswith("got `null`"):
        return "must not be null", "none_forbidden"
    if checks:
        return str(checks[0].message), "value_error"
    if get_origin(base) is Literal:
        return f"must be one of {', '.join(str(v) for v in get_args(base))}", "literal_error"
    limit = _LIMIT.match(text)
    if limit:
        return _limit_words(limit["kind"], bool(limit["what"]), limit["op"], limit["n"])
    if _REGEX.fullmatch(text):
        # msgspec quotes the pattern escaped; the declaration has it as written, without `whole`'s anchors.
        pattern = next((m.pattern for m in _metadata(declared) if isinstance(m, Meta) and m.pattern), "")
        inner = _WHOLE.fullmatch(pattern)
        return f"must match {inner[1] if inner else pattern}", "string_pattern_mismatch"
    if isinstance(base, type) and issubclass(base, Struct):
        return "must be a JSON object", "model_attributes_type"
    origin = get_origin(base) or base
    if origin in _TYPE_WORDS and text.startswith("Expected"):
        return _TYPE_WORDS[origin]
    return text, "value_error"


def _limit_words(kind: str, length: bool, op: str, n: str) -> tuple[str, str]:
    at_least = op == ">="
    if not length:
        if at_least:
            return f"must be at least {n}", "greater_than_equal"
        return f"must be at most {n}", "less_than_equal"
    if kind == "str":
        if at_least:
            return ("must not be empty" if n == "1" else f"must be at least {n} characters"), (
                "string_too_short"
            )
        return f"must be at most {n} characters", "string_too_long"
    if at_least:
        return f"must hold at least {n} items", "too_short"
    return f"must hold at most {n} items", "too_long"


def _metadata(type_: Any) -> Iterator[Any]:
    """The `Annotated` extras of a type, and of the members of `X | None` (or `| UnsetType`)."""
    if get_origin(type_) is Annotated:
        yield from type_.__metadata__
        type_ = get_args(type_)[0]
    if get_origin(type_) in (Union, UnionType):
        for member in get_args(type_):
            if get_origin(member) is Annotated:
                yield from member.__metadata__


def base_type(type_: Any) -> Any:
    """The type without `Annotated` extras, `None` or `UNSET`: `Annotated[int, …] | None` → `int`."""
    if get_origin(type_) is Annotated:
        type_ = get_args(type_)[0]
    if get_origin(type_) in (Union, UnionType):
        members = [m for m in get_args(type_) if m not in (NoneType, UnsetType)]
        if len(members) == 1:
            return base_type(members[0])
    return type_
