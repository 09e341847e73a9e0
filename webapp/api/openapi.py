"""The OpenAPI 3.1 document, generated from the declared operations (webapp.api.declare).

Every operation documents what it can answer: its declared answers; 401 unless public; 400
and 422 when it takes a body, a query or a path parameter; 404 when it has a path parameter;
413 when it takes a body; and the errors it declares (403, 409, 415, 429).
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from webapp.api.declare import MAX_ID, OPERATIONS, Error, File, Operation

PREFIX = "/api/v1"
_PARAM = re.compile(r"<(?:([a-z_]+)(?:\([^)]*\))?:)?([^<>:]+)>")
_REF = "#/components/schemas/{model}"


def _path(rule: str) -> tuple[str, list[dict]]:
    """Flask's /items/<code>/x or /x/<id:doc_id> -> /items/{code}/x and its parameters."""
    params = []
    for converter, name in _PARAM.findall(rule):
        schema = ({"type": "integer", "minimum": 1, "maximum": MAX_ID} if converter == "id"
                  else {"type": "string"})
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return _PARAM.sub(r"{\2}", rule), params


def _statuses(op: Operation) -> list[int]:
    has_path = "<" in op.rule
    statuses = {*op.answers, *op.errors}
    if not op.public:
        statuses.add(401)
    if op.body or op.raw_body or op.query or has_path:
        statuses |= {400, 422}
    if has_path:
        statuses.add(404)
    if op.body or op.raw_body:
        statuses.add(413)
    return sorted(statuses)


def _query_params(op: Operation, defs: dict) -> list[dict]:
    if op.query is None:
        return []
    schema = defs[op.query.__name__]
    props, required = schema.get("properties", {}), set(schema.get("required", []))
    params = []
    for name, prop in props.items():
        schema = {k: v for k, v in prop.items() if k not in ("title", "description")}
        if schema.get("default", "") is None:  # absent means "no filter"
            del schema["default"]
        param = {"name": name, "in": "query", "required": name in required, "schema": schema}
        if prop.get("type") == "array":
            param.update(style="form", explode=True)
        if prop.get("description") or prop.get("title"):
            param["description"] = prop.get("description") or prop["title"]
        params.append(param)
    return params


def _answer(status: int, model, op: Operation) -> dict:
    if model is None:
        return {"description": "done, no content"}
    if isinstance(model, File):
        return {"description": "the file", "content": {
            t: {"schema": {"type": "string", "format": "binary"}} for t in model.media_types}}
    ref = {"$ref": _REF.format(model=model.__name__)}
    return {"description": (model.__doc__ or model.__name__).strip().splitlines()[0],
            "content": {"application/json": {"schema": ref}}}


def _operation(op: Operation, defs: dict) -> dict:
    _, path_params = _path(op.rule)
    out: dict[str, Any] = {"operationId": op.endpoint.replace(".", "_"),
                           "summary": op.summary}
    if op.description:
        out["description"] = op.description
    params = path_params + _query_params(op, defs)
    if op.raw_body:
        params += [{"name": name, "in": "header", "required": False, "schema": {"type": "string"},
                    "description": text} for name, text in op.raw_body.headers.items()]
    if params:
        out["parameters"] = params
    if op.body is not None:
        out["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": _REF.format(model=op.body.__name__)}}}}
    elif op.raw_body is not None:
        out["requestBody"] = {"required": True, "content": {
            t: {"schema": {"type": "string", "format": "binary"}}
            for t in op.raw_body.media_types}}
    responses = {}
    for status in _statuses(op):
        if status in op.answers:
            responses[str(status)] = _answer(status, op.answers[status], op)
        else:
            responses[str(status)] = {"$ref": "#/components/responses/Error"}
    out["responses"] = responses
    if op.public:
        out["security"] = []
    return out


def _models() -> list[type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {"Error": Error}
    for op in OPERATIONS:
        for model in (op.body, op.query, *op.answers.values()):
            if isinstance(model, type) and issubclass(model, BaseModel):
                other = found.setdefault(model.__name__, model)
                if other is not model:
                    raise RuntimeError(f"two API models named {model.__name__}")
    return list(found.values())


def document() -> dict:
    models = _models()
    _, top = models_json_schema([(m, "validation") for m in models], ref_template=_REF)
    defs = top.get("$defs", {})
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        path, _ = _path(op.rule)
        paths.setdefault(path, {})[op.method.lower()] = _operation(op, defs)
    for op in OPERATIONS:  # a query's model became its parameters
        if op.query is not None:
            defs.pop(op.query.__name__, None)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Duban API", "version": "1",
                 "description": "督办系统 JSON API. Every error is "
                                "{\"error\": {\"code\", \"message\", \"field\"?}}."},
        "servers": [{"url": PREFIX}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "browser session; unsafe methods need X-CSRFToken"},
            },
            "schemas": defs,
            "responses": {"Error": {"description": "error", "content": {"application/json": {
                "schema": {"$ref": _REF.format(model="Error")}}}}},
        },
    }
