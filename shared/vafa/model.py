"""Declared, validated records: what shops send and what merchants configure, checked field by field.

A small replacement for a validation library, written for cold starts: a `Model` subclass lists its
fields with `field(...)`; `Model.model_validate(data)` checks a decoded JSON value and returns the
record, or raises `ValidationError` listing every problem with the path of the field (`loc`). Values
are strict as JSON is: an integer field takes an integer, not `"5"`, `5.0` or `true`. The same
declarations give the JSON Schema of the OpenAPI document (`json_schema`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, TypeVar

M = TypeVar("M", bound="Model")
Loc = tuple[str | int, ...]
_MISSING: Any = object()


class Invalid(Exception):
    """One problem with one value; `loc` is filled in on the way out of nested values."""

    def __init__(self, message: str, kind: str = "value_error", loc: Loc = ()) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.loc = loc


class ValidationError(ValueError):
    """Every problem found in one value: dicts of `loc` (path), `msg` and `type`."""

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


class Spec:
    """The type of a value and its limits."""

    json_type: ClassVar[str] = ""

    def check(self, value: Any, loc: Loc) -> Any:
        raise NotImplementedError

    def coerce(self, text: str, loc: Loc) -> Any:
        """A query-string value: the text converted to this type, then checked."""
        return self.check(text, loc)

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": self.json_type} if self.json_type else {}


class Int(Spec):
    json_type = "integer"

    def __init__(self, ge: int | None = None, le: int | None = None) -> None:
        self.ge, self.le = ge, le

    def check(self, value: Any, loc: Loc) -> Any:
        if type(value) is not int:
            raise Invalid("must be an integer (no decimals, no quotes)", "int_type", loc)
        if self.ge is not None and value < self.ge:
            raise Invalid(f"must be at least {self.ge}", "greater_than_equal", loc)
        if self.le is not None and value > self.le:
            raise Invalid(f"must be at most {self.le}", "less_than_equal", loc)
        return value

    def coerce(self, text: str, loc: Loc) -> Any:
        stripped = text.strip()
        if not re.fullmatch(r"-?[0-9]{1,18}", stripped, re.ASCII):
            raise Invalid("must be an integer", "int_parsing", loc)
        return self.check(int(stripped), loc)

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "integer"}
        if self.ge is not None:
            out["minimum"] = self.ge
        if self.le is not None:
            out["maximum"] = self.le
        return out


class Num(Spec):
    """A JSON number, whole or not (rates and ratios; money is always `Int`)."""

    json_type = "number"

    def check(self, value: Any, loc: Loc) -> Any:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise Invalid("must be a number", "float_type", loc)
        return value


class Str(Spec):
    json_type = "string"

    def __init__(
        self, min_length: int = 0, max_length: int | None = None, pattern: str | None = None
    ) -> None:
        self.min_length, self.max_length = min_length, max_length
        self.pattern = re.compile(pattern) if pattern else None

    def check(self, value: Any, loc: Loc) -> Any:
        if not isinstance(value, str):
            raise Invalid("must be a string", "string_type", loc)
        if len(value) < self.min_length:
            raise Invalid(
                "must not be empty"
                if self.min_length == 1
                else f"must be at least {self.min_length} characters",
                "string_too_short",
                loc,
            )
        if self.max_length is not None and len(value) > self.max_length:
            raise Invalid(f"must be at most {self.max_length} characters", "string_too_long", loc)
        if self.pattern is not None and not self.pattern.fullmatch(value):
            raise Invalid(f"must match {self.pattern.pattern}", "string_pattern_mismatch", loc)
        return value

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "string"}
        if self.min_length:
            out["minLength"] = self.min_length
        if self.max_length is not None:
            out["maxLength"] = self.max_length
        if self.pattern is not None:
            out["pattern"] = f"^(?:{self.pattern.pattern})$"  # JSON Schema searches; the check matches whole
        return out


class Bool(Spec):
    json_type = "boolean"

    def check(self, value: Any, loc: Loc) -> Any:
        if not isinstance(value, bool):
            raise Invalid("must be true or false", "bool_type", loc)
        return value


class Choice(Spec):
    """One of a few strings."""

    def __init__(self, *values: str) -> None:
        self.values = values

    def check(self, value: Any, loc: Loc) -> Any:
        if value not in self.values or not isinstance(value, str):
            raise Invalid(f"must be one of {', '.join(self.values)}", "literal_error", loc)
        return value

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.values)}


class AnyJson(Spec):
    """Any JSON value; the code that uses it checks it."""

    def check(self, value: Any, loc: Loc) -> Any:
        return value


class Items(Spec):
    json_type = "array"

    def __init__(self, item: Spec, max_length: int | None = None) -> None:
        self.item, self.max_length = item, max_length

    def check(self, value: Any, loc: Loc) -> Any:
        if not isinstance(value, list):
            raise Invalid("must be a list", "list_type", loc)
        if self.max_length is not None and len(value) > self.max_length:
            raise Invalid(f"must hold at most {self.max_length} items", "too_long", loc)
        return [self.item.check(entry, (*loc, i)) for i, entry in enumerate(value)]

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "array", "items": self.item.schema(defs)}
        if self.max_length is not None:
            out["maxItems"] = self.max_length
        return out


class Mapping(Spec):
    """An object of free keys, each value of one type."""

    json_type = "object"

    def __init__(self, value: Spec) -> None:
        self.value = value

    def check(self, value: Any, loc: Loc) -> Any:
        if not isinstance(value, dict):
            raise Invalid("must be an object", "dict_type", loc)
        return {str(key): self.value.check(entry, (*loc, str(key))) for key, entry in value.items()}

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": self.value.schema(defs)}


class Nested(Spec):
    """A value that is itself a record."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model

    def check(self, value: Any, loc: Loc) -> Any:
        return self.model.build(value, loc)

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        return self.model.json_schema(defs)


class Field:
    """A field of a record: its type, whether it may be left out or null, and a last check."""

    def __init__(
        self,
        spec: Spec,
        default: Any,
        factory: Callable[[], Any] | None,
        nullable: bool,
        description: str | None,
        after: Callable[[Any], Any] | None,
        alias: str | None = None,
    ) -> None:
        self.spec, self.default, self.factory = spec, default, factory
        self.nullable, self.description, self.after = nullable, description, after
        self.alias = alias
        self.name = ""

    @property
    def key(self) -> str:
        """The field's name in JSON (an alias where the JSON name is not a Python name, like `from`)."""
        return self.alias or self.name

    @property
    def required(self) -> bool:
        return self.default is _MISSING and self.factory is None

    def make_default(self) -> Any:
        return self.factory() if self.factory is not None else self.default

    def check(self, value: Any, loc: Loc) -> Any:
        if value is None:
            if not self.nullable:
                raise Invalid("must not be null", "none_forbidden", loc)
            return None
        checked = self.spec.check(value, loc)
        if self.after is not None:
            try:
                checked = self.after(checked)
            except ValueError as exc:
                raise Invalid(str(exc), "value_error", loc) from None
        return checked

    def schema(self, defs: dict[str, Any]) -> dict[str, Any]:
        out = self.spec.schema(defs)
        if self.nullable:
            out = {"anyOf": [out, {"type": "null"}]}
        if self.description:
            out = {**out, "description": self.description}
        if not self.required and self.factory is None and _plain_default(self.default):
            out = {**out, "default": self.default}
        return out


def _plain_default(value: Any) -> bool:
    return value is not _MISSING and (value is None or isinstance(value, str | int | bool))


def field(
    spec: Spec | type[Model],
    default: Any = _MISSING,
    *,
    factory: Callable[[], Any] | None = None,
    nullable: bool = False,
    description: str | None = None,
    after: Callable[[Any], Any] | None = None,
    alias: str | None = None,
) -> Any:
    """Declare a field (typed `Any` so that the class annotation states the Python type)."""
    if isinstance(spec, type):
        spec = Nested(spec)
    return Field(spec, default, factory, nullable or default is None, description, after, alias)


class Model:
    """A record whose fields are declared with `field(...)`; subclasses pass `extra="forbid"` to refuse
    keys they do not know (the default ignores them)."""

    model_fields: ClassVar[dict[str, Field]] = {}
    model_extra: ClassVar[str] = "ignore"
    model_fields_set: set[str]

    def __init_subclass__(cls, extra: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields = dict(cls.model_fields)
        for name, value in list(vars(cls).items()):
            if isinstance(value, Field):
                value.name = name
                fields[name] = value
                delattr(cls, name)
        cls.model_fields = fields
        if extra is not None:
            cls.model_extra = extra

    def __init__(self, **values: Any) -> None:
        built = type(self).model_validate(values)
        self.__dict__.update(built.__dict__)

    @classmethod
    def nested(cls) -> Nested:
        """This record as the type of a list's items or a map's values."""
        return Nested(cls)

    def check_model(self) -> None:
        """Rules across fields; raise ValueError naming the field first (`"sender: …"`)."""

    @classmethod
    def build(cls: type[M], data: Any, loc: Loc = ()) -> M:
        """`data` checked; raises `Invalid` with the first problem (nested records use this)."""
        try:
            return cls.model_validate(data, loc)
        except ValidationError as exc:
            first = exc.problems[0]
            raise Invalid(first["msg"], first["type"], tuple(first["loc"])) from None

    @classmethod
    def model_validate(cls: type[M], data: Any, loc: Loc = ()) -> M:
        if isinstance(data, cls):
            return data
        if not isinstance(data, dict):
            raise ValidationError(
                [{"loc": loc, "msg": "must be a JSON object", "type": "model_attributes_type"}]
            )
        problems: list[dict[str, Any]] = []
        values: dict[str, Any] = {}
        for name, spec in cls.model_fields.items():
            if spec.key not in data:
                if spec.required:
                    problems.append({"loc": (*loc, spec.key), "msg": "is required", "type": "missing"})
                else:
                    values[name] = spec.make_default()
                continue
            try:
                values[name] = spec.check(data[spec.key], (*loc, spec.key))
            except Invalid as exc:
                problems.append({"loc": exc.loc, "msg": exc.message, "type": exc.kind})
        if cls.model_extra == "forbid":
            known = {spec.key for spec in cls.model_fields.values()}
            for key in data:
                if key not in known:
                    problems.append(
                        {"loc": (*loc, str(key)), "msg": "is not a known field", "type": "extra_forbidden"}
                    )
        if problems:
            raise ValidationError(problems)
        record = object.__new__(cls)
        record.__dict__.update(values)
        record.model_fields_set = {name for name, spec in cls.model_fields.items() if spec.key in data}
        try:
            record.check_model()
        except ValueError as exc:
            message = str(exc)
            head, sep, rest = message.partition(": ")
            if sep and head in cls.model_fields:
                loc, message = (*loc, head), rest
            raise ValidationError([{"loc": loc, "msg": message, "type": "value_error"}]) from None
        return record

    def model_dump(self, *, exclude_defaults: bool = False) -> dict[str, Any]:
        """The record as JSON-ready data, under the fields' JSON names."""
        out: dict[str, Any] = {}
        for name, spec in self.model_fields.items():
            value = self.__dict__[name]
            if exclude_defaults and not spec.required and value == spec.make_default():
                continue
            out[spec.key] = _plain(value, exclude_defaults)
        return out

    def model_dump_json(self) -> str:
        return json.dumps(self.model_dump(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def json_schema(cls, defs: dict[str, Any]) -> dict[str, Any]:
        """A `$ref` to this record's schema, which is added to `defs` (OpenAPI components) once."""
        name = cls.__name__
        if name not in defs:
            defs[name] = {}  # placeholder: records that refer to themselves stop here
            properties = {spec.key: spec.schema(defs) for spec in cls.model_fields.values()}
            schema: dict[str, Any] = {"type": "object", "properties": properties}
            required = [spec.key for spec in cls.model_fields.values() if spec.required]
            if required:
                schema["required"] = required
            if cls.model_extra == "forbid":
                schema["additionalProperties"] = False
            if cls.__doc__:
                schema["description"] = " ".join(cls.__doc__.split())
            defs[name] = schema
        return {"$ref": f"#/components/schemas/{name}"}

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Model) and type(other) is type(self) and self.model_dump() == other.model_dump()
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={self.__dict__[name]!r}" for name in self.model_fields)
        return f"{type(self).__name__}({shown})"


def _plain(value: Any, exclude_defaults: bool = False) -> Any:
    if isinstance(value, Model):
        return value.model_dump(exclude_defaults=exclude_defaults)
    if isinstance(value, list):
        return [_plain(entry, exclude_defaults) for entry in value]
    if isinstance(value, dict):
        return {key: _plain(entry, exclude_defaults) for key, entry in value.items()}
    return value
