"""The OpenAPI description, made true about errors.

FastAPI documents only the success answer and its own validation error (with `detail` as an
array, which is not what LiveOps sends). Every error here has one shape (http_errors.py):
`{"detail": str, "code": str}`, plus `errors` on a 422. This module adds, to every operation,
the refusals it can answer, derived from what the operation is rather than listed by hand:

- 401 everywhere (signing in refuses a bad token too), and 403 where the route resolves the
  caller (`current_principal`), with the bearer scheme as its security requirement;
- 404 where the path names something (a show, a SKU, an order);
- 413 where it takes a body (docs/api.md gives the limits);
- 422 where it takes a body or parameters;
- 503 everywhere under /api (the database did not answer, or the process is shutting down;
  `Retry-After` says when to retry).

Routes document their own business answers (409 and friends) with `responses=`, using
`CONFLICT` below or a body model of their own.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, Field

from liveops.auth.dependencies import current_principal


class Error(BaseModel):
    """Every refusal: a sentence for a person, and a stable code for a program."""

    detail: str = Field(description="what went wrong and what to do about it")
    code: str = Field(description="a stable machine-readable reason, e.g. `not_found`")


class Problem(BaseModel):
    type: str
    loc: list[str | int] = Field(description="where: `body`, a field path, or a parameter")
    msg: str
    input: Any = Field(
        default=None, description="a short excerpt (≤ 100 characters) of the value sent"
    )


class InvalidRequest(Error):
    """A 422: `detail` says, in one sentence per problem, what is wrong with the request."""

    errors: list[Problem] = Field(default=[], description="at most 20 problems, for programs")


def error(description: str) -> dict[str, Any]:
    """A `responses=` entry for a route's own refusal in the common error shape."""
    return {"model": Error, "description": description}


CONFLICT: dict[int | str, dict[str, Any]] = {
    409: error("the request conflicts with the current state (the detail says how)")
}

_RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before retrying",
        "schema": {"type": "string"},
    }
}


def _common(
    *, authenticated: bool, names_something: bool, has_body: bool, has_params: bool
) -> dict[str, dict[str, Any]]:
    ref = {"$ref": "#/components/schemas/Error"}
    answers: dict[str, dict[str, Any]] = {}

    def add(status: int, description: str, schema: dict[str, Any] = ref, **extra: Any) -> None:
        answers[str(status)] = {
            "description": description,
            "content": {"application/json": {"schema": schema}},
            **extra,
        }

    # Signing in answers 401 to a bad token too, so every operation may.
    add(401, "no credentials, or credentials that are unknown, expired or revoked")
    if authenticated:
        add(403, "the caller's role or show does not allow this")
    if names_something:
        add(404, "what the path names does not exist")
    if has_body:
        add(413, "the body is over the size limit (docs/api.md)")
    if has_body or has_params:
        add(
            422,
            "the body or a parameter is invalid; `detail` says which and why",
            {"$ref": "#/components/schemas/InvalidRequest"},
        )
    add(
        503,
        "the database did not answer, or this process is shutting down: nothing was kept; "
        "retry after `Retry-After` seconds",
        headers=_RETRY_AFTER,
    )
    return answers


def _calls(dependant: Dependant) -> set[Any]:
    found = {dependant.call}
    for sub in dependant.dependencies:
        found |= _calls(sub)
    return found


def describe(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document (cached on the app, as FastAPI's own is)."""
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for model in (Error, InvalidRequest):
        extra = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(extra.pop("$defs", {}))
        schemas[model.__name__] = extra
    document["components"]["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "description": "an API token"},
    }
    # Routes of included routers are reached through their contexts (prefix applied).
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        authenticated = current_principal in _calls(route.dependant)
        path_item = document["paths"].get(route.path_format or "", {})
        for method in route.methods or ():
            operation = path_item.get(method.lower())
            if operation is None:
                continue
            answers = _common(
                authenticated=authenticated,
                names_something=bool(route.dependant.path_params),
                has_body="requestBody" in operation,
                has_params=bool(operation.get("parameters")),
            )
            responses = operation.setdefault("responses", {})
            for status, answer in answers.items():
                # A route's own description of a status wins, except FastAPI's 422, whose
                # body is not what LiveOps sends.
                if status not in responses or status == "422":
                    responses[status] = answer
            if authenticated:
                operation["security"] = [{"bearer": []}]
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    app.openapi_schema = document
    return document
