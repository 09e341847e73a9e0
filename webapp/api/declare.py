"""Declaring an API operation once: its URL, method, JSON body, query, answers and errors.

`operation(...)` registers the route and records the declaration; the OpenAPI document is
generated from the records (webapp.api.openapi), so what the code accepts and answers cannot
be described differently. Bodies and queries are pydantic models; answers are pydantic models
too, and every answer is validated against its model before it is sent.

How a refused body answers (the same for every endpoint):
- not JSON, not an object, a value of the wrong JSON type, an unknown field: 400 `bad_request`
  naming the field as sent (`assign.lead_unit_id`, `findings[0].photos[0].uuid`);
- a required field missing or null, a value that is not one of the choices, a date that is not
  YYYY-MM-DD, an id out of range: 422 `invalid_input` with a Chinese message and the field;
- what the values mean (unit exists, date not in the past, text length): the services, 422.
An endpoint may declare `shape_status=422` to answer shape errors with 422 as well (the phone
app's inspection record treats every refusal of its record alike), or `value_status=400` to
answer every refusal with 400 (the token endpoint: a client sending no password is broken).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import wraps
from typing import Annotated, Any, ClassVar, get_args, get_origin

from flask import Blueprint, Response, jsonify, request
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError
from werkzeug.routing import IntegerConverter

from webapp.errors import DomainError, InvalidInput
from webapp.validation import LONG, MAX_ID, clean_text, day_problem


class IdConverter(IntegerConverter):
    """`<id:doc_id>` in a route: a record id, 1 to MAX_ID. A larger number cannot name a
    record: 404 (as any unknown id), never an overflow in the database."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, min=1, max=MAX_ID)


def parse_day(value: object) -> date:
    """A calendar date written YYYY-MM-DD (webapp.validation.day_problem)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("date_type", "must be a date string (YYYY-MM-DD)")
    day, problem = day_problem(value)
    if problem:
        raise PydanticCustomError("day_format", problem)
    return day


def Text(label: str, *, required: bool = False, max_len: int = LONG,
         single_line: bool = False):
    """Text checked as everywhere (webapp.validation.clean_text): trimmed, no control
    characters, within `max_len`; None when empty and optional. Its refusal names the field."""

    def check(value: object) -> str | None:
        try:
            return clean_text(value, field="", label=label, required=required,
                              max_len=max_len, single_line=single_line)
        except InvalidInput as err:
            raise PydanticCustomError("refused", err.message) from None

    kind = "string" if required else ["string", "null"]
    return Annotated[str | None, BeforeValidator(check), Field(title=label),
                     WithJsonSchema({"type": kind, "maxLength": max_len})]


Day = Annotated[date, PlainValidator(parse_day),
                WithJsonSchema({"type": "string", "format": "date"})]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# Answers carry times as the services format them (ISO 8601), unchanged.
DayText = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
TimeText = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]


class Body(BaseModel):
    """A JSON request body. `service_fields` renames a service's error field to the body's."""

    model_config = ConfigDict(extra="forbid", strict=True)
    service_fields: ClassVar[dict[str, str]] = {}


class Query(BaseModel):
    """Query-string parameters (strings converted: "3" is 3)."""

    model_config = ConfigDict(extra="ignore")


class Out(BaseModel):
    """An answer: exactly these fields (an extra one is a bug, caught before it is sent)."""

    model_config = ConfigDict(extra="forbid")


class Error(Out):
    class Detail(Out):
        code: str
        message: str
        field: str | None = None
        request_id: str | None = None
        missing: list[str] | None = Field(None, description="photos still to upload")

    error: Detail


@dataclass(frozen=True)
class File:
    """An answer that is a file (a document, a photo, an attachment)."""

    media_types: tuple[str, ...] = ("application/octet-stream",)


@dataclass(frozen=True)
class RawBody:
    """A request body that is a file, not JSON (uploads)."""

    media_types: tuple[str, ...]
    headers: dict[str, str] = field(default_factory=dict)  # name -> description


@dataclass
class Operation:
    rule: str
    method: str
    endpoint: str
    summary: str
    answers: dict[int, type[BaseModel] | File | None]
    errors: tuple[int, ...]
    body: type[Body] | None = None
    raw_body: RawBody | None = None
    query: type[Query] | None = None
    public: bool = False
    description: str = ""


OPERATIONS: list[Operation] = []


def operation(
    bp: Blueprint, rule: str, method: str = "GET", *, summary: str,
    answers: dict[int, type[BaseModel] | File | None], errors: tuple[int, ...] = (),
    body: type[Body] | None = None, raw_body: RawBody | None = None,
    query: type[Query] | None = None, public: bool = False, description: str = "",
    shape_status: int = 400, value_status: int = 422,
) -> Callable:
    """Register `fn` as `method rule` on `bp` (mounted under /api/v1) and describe it.

    `fn(**path_args, body=…, query=…)` returns an answer model, a dict for the first declared
    answer's model, `(answer, status)` or `(answer, status, headers)`, or a Response (files).
    """

    def decorator(fn: Callable) -> Callable:
        @wraps(fn)
        def view(**path_args):
            kwargs = dict(path_args)
            if body is not None:
                kwargs["body"] = parse_body(body, shape_status=shape_status,
                                            value_status=value_status)
            if query is not None:
                kwargs["query"] = parse_query(query)
            with body_fields(body):
                result = fn(**kwargs)
            return _answer(result, answers)

        bp.add_url_rule(rule, fn.__name__, view, methods=[method])
        OPERATIONS.append(Operation(
            rule=rule, method=method, endpoint=f"{bp.name}.{fn.__name__}", summary=summary,
            answers=answers, errors=errors, body=body, raw_body=raw_body, query=query,
            public=public, description=description or (fn.__doc__ or "").strip()))
        return view

    return decorator


def _answer(result: Any, answers: dict) -> Response | tuple:
    if isinstance(result, Response):
        return result
    status, headers = next(iter(answers)), {}
    if isinstance(result, tuple):
        result, status, *more = result
        headers = more[0] if more else {}
    model = answers[status]
    if model is None:
        return Response(status=status, headers=headers)
    if not isinstance(result, BaseModel):
        result = model.model_validate(result)
    return jsonify(result.model_dump(mode="json", exclude_unset=True)), status, headers


# --- bodies and queries --------------------------------------------------------------------


def parse_body(model: type[Body], *, shape_status: int = 400, value_status: int = 422) -> Body:
    """The request's JSON body as `model` (an empty body is {}); refusals as described above."""
    raw = request.get_data(cache=True) or b"{}"
    try:
        return model.model_validate_json(raw)
    except ValidationError as err:
        error = _lone_surrogate(raw, model) or refusal(err, model, shape_status=shape_status)
        if value_status == 400 and error.status == 422:
            error = DomainError(error.message, code="bad_request", field=error.field)
        raise error from None


def parse_query(model: type[Query]) -> Query:
    args = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key in request.args:
            many = get_origin(info.annotation) is list
            args[key] = request.args.getlist(key) if many else request.args[key]
    try:
        return model.model_validate(args)
    except ValidationError as err:
        raise refusal(err, model, shape_status=422) from None


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _lone_surrogate(raw: bytes, model: type[BaseModel]) -> InvalidInput | None:
    """JSON that escapes half of a UTF-16 pair ("\\ud800") is valid JSON but no text: name
    the field that holds it (422), as for any other character we cannot store."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None

    def walk(value, loc):
        if isinstance(value, str):
            return loc if _SURROGATE.search(value) else None
        items = value.items() if isinstance(value, dict) else (
            enumerate(value) if isinstance(value, list) else ())
        for key, inner in items:
            found = walk(inner, (*loc, key))
            if found is not None:
                return found
        return None

    loc = walk(data, ())
    if not loc:
        return None
    return InvalidInput(f"{_label(model, loc) or _path(loc)}含有无效字符", field=_path(loc))


_TYPE_WORDS = {"str": "a string", "int": "an integer", "bool": "true or false",
               "list": "an array", "dict": "an object", "model": "an object",
               "date": "a date string (YYYY-MM-DD)", "float": "a number"}


def refusal(err: ValidationError, model: type[BaseModel], *, shape_status: int = 400
            ) -> DomainError:
    """The first problem of a pydantic refusal as our DomainError (see the module's rules)."""
    problem = err.errors(include_url=False)[0]
    kind, loc, value = problem["type"], problem["loc"], problem.get("input")
    path = _path(loc)
    label = _label(model, loc) or path

    def shape(message: str) -> DomainError:
        if shape_status == 422:
            return InvalidInput(message if label == path else f"{label}格式不正确",
                                code="invalid_input", field=path or None)
        return DomainError(message, code="bad_request", field=path or None)

    if kind == "refused":  # a check that wrote its whole message (Text, custom validators)
        return InvalidInput(problem["msg"], field=path)
    if kind == "json_invalid":
        return shape("the body is not valid JSON")
    if not loc:
        return shape("the body must be a JSON object")
    if kind == "missing" or (value is None and kind.endswith("_type")):
        return InvalidInput(f"请填写{label}", field=path)
    if kind == "extra_forbidden":
        return shape(f"unknown field: {path}")
    if kind in ("enum", "literal_error") and isinstance(value, str):
        return InvalidInput(f"{label}的取值无效", field=path)
    if kind.endswith("_type") or kind in ("enum", "literal_error", "int_from_float"):
        word = _TYPE_WORDS.get(kind.removesuffix("_type"), "of another type")
        return shape(f"{path} must be {word}")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return InvalidInput(f"{label}不存在" if _is_id(model, loc) else f"{label}超出范围",
                            field=path)
    if kind in ("string_too_long", "too_long"):
        return InvalidInput(f"{label}过长", field=path)
    if kind in ("int_parsing", "bool_parsing", "float_parsing"):
        return InvalidInput(f"{label}应为数字" if kind != "bool_parsing" else f"{label}的取值无效",
                            field=path)
    return InvalidInput(f"{label}{problem['msg']}", field=path)


def _path(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _field(model: type[BaseModel], loc: tuple):
    """The FieldInfo at `loc` (descending into nested models and lists), or None."""
    info, current = None, model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        info = current.model_fields.get(part) or next(
            (f for f in current.model_fields.values() if f.alias == part), None)
        if info is None:
            return None
        current = _inner_model(info.annotation)
    return info


def _inner_model(annotation):
    """The pydantic model inside an annotation (Model, Model | None, list[Model]), or None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        inner = _inner_model(arg)
        if inner is not None:
            return inner
    return None


def _label(model: type[BaseModel], loc: tuple) -> str | None:
    info = _field(model, loc)
    return info.title if info is not None else None


def _is_id(model: type[BaseModel], loc: tuple) -> bool:
    info = _field(model, loc)
    return info is not None and any(
        getattr(m, "le", None) == MAX_ID for m in info.metadata)


@contextmanager
def body_fields(model: type[Body] | None, prefix: str = "") -> Iterator[None]:
    """A service's InvalidInput names its own argument (`lead_unit`): rename it to the body's
    field (`lead_unit_id`, under `prefix` for a nested body) so the client knows what to fix."""
    try:
        yield
    except InvalidInput as err:
        if model is not None and err.field and "." not in err.field:
            err.field = prefix + model.service_fields.get(err.field, err.field)
        raise
