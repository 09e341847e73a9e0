"""The OpenAPI document: valid OpenAPI 3, and every /api/v1 route is in it with its methods."""

import re

from openapi_spec_validator import validate

PREFIX = "/api/v1"
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _openapi_path(rule: str) -> str:
    """Flask's /items/<code>/x or /x/<int(max=9):id> -> OpenAPI's /items/{code}/x, /x/{id}."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>:]+)>", r"{\1}", rule.removeprefix(PREFIX))


def test_document_is_valid_openapi_3(client):
    resp = client.get(f"{PREFIX}/openapi.json")
    assert resp.status_code == 200
    doc = resp.json
    assert doc["openapi"].startswith("3.")
    validate(doc)  # raises with the first problem found


def test_every_api_route_is_documented_with_its_methods(app, client):
    doc = client.get(f"{PREFIX}/openapi.json").json
    missing = []
    routes = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/") or rule.endpoint.endswith("static"):
            continue
        routes += 1
        path = _openapi_path(rule.rule)
        documented = {m.upper() for m in doc["paths"].get(path, {})}
        missing += [f"{m} {path} ({rule.endpoint})"
                    for m in sorted(rule.methods - IGNORED_METHODS - documented)]
    assert routes > 20  # the supervision API alone has more than that
    assert not missing, "undocumented API routes:\n" + "\n".join(missing)


def test_documented_paths_exist(app, client):
    """The reverse: no path in the document that the server does not answer."""
    doc = client.get(f"{PREFIX}/openapi.json").json
    served = {_openapi_path(r.rule) for r in app.url_map.iter_rules()
              if r.rule.startswith(PREFIX + "/")}
    assert set(doc["paths"]) - served == set()


def test_supervision_bodies_and_errors_are_described(client):
    doc = client.get(f"{PREFIX}/openapi.json").json
    schemas = doc["components"]["schemas"]
    for name in ("Item", "ItemSummary", "ItemPage", "RegisterBody", "AssignBody",
                 "DecideHandBackBody", "SubmitFinalBody", "AttachmentRef", "Error"):
        assert name in schemas, name
    assign = doc["paths"]["/items/{code}/assign"]["post"]
    body = assign["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/AssignBody"}
    assert {"400", "403", "404", "409", "422"} <= set(assign["responses"])
    assert set(schemas["AssignBody"]["required"]) >= {"lead_unit_id", "due_date"}


def test_every_answer_the_code_gives_is_documented(client):
    """Answers that were missing from the hand-written document, now generated."""
    paths = client.get(f"{PREFIX}/openapi.json").json["paths"]
    expected = {
        ("/documents", "post"): {"404", "403", "409", "422"},
        ("/documents/{doc_id}/void", "post"): {"422", "404"},
        ("/inspections/{uuid}/submit", "post"): {"403", "404", "409"},
        ("/inspections/{uuid}/photos/{photo_uuid}", "put"): {"403", "409", "413", "415"},
        ("/auth/token", "post"): {"400", "401", "429"},
        ("/auth/token", "delete"): {"401"},
    }
    for (path, method), statuses in expected.items():
        assert statuses <= set(paths[path][method]["responses"]), (path, method)
