"""What every operation of the OpenAPI schema says about errors and blank parameters, in one place.

Any call may fail in the one error shape (povertyplan/api_errors.py) with 400 (a bad parameter,
including a page number or size), 401 (no valid token), 404 (an unknown id, a page or cursor
that does not exist, a unit outside the caller's scope) or 429 (throttled); views document their
other answers (403, 412, 428, …) themselves. No query parameter may be sent empty
(povertyplan.middleware), so every string parameter has a minLength of 1. A drf-spectacular postprocessing hook, so no view
can forget them and schema-driven clients (schemathesis among them) see every answer documented.
"""

from __future__ import annotations

from povertyplan.api_errors import ERROR_DESCRIPTIONS

COMMON_ERRORS = (400, 401, 404, 429)
ERROR_REF = {"$ref": "#/components/schemas/Error"}
NO_NULL_CHARACTER = "^[^\\u0000]+$"
METHODS = {"get", "put", "patch", "post", "delete", "head", "options"}


def document_common_errors(result: dict, generator, request, public) -> dict:
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter["in"] == "query" and schema.get("type") == "string":
                    schema["minLength"] = 1  # povertyplan.middleware.RejectBlankApiParameters
                    if "enum" not in schema:
                        schema.setdefault("pattern", NO_NULL_CHARACTER)  # Django's forms refuse them
            responses = operation.setdefault("responses", {})
            for code in COMMON_ERRORS:
                responses.setdefault(
                    str(code),
                    {"content": {"application/json": {"schema": ERROR_REF}}, "description": ERROR_DESCRIPTIONS[code]},
                )
    return result
