"""What every operation of the OpenAPI schema shares, stated in one place (drf-spectacular
postprocessing hooks), so no view can forget it and schema-driven clients (schemathesis among
them) see what the server really does.

- Errors: any call may fail in the one error shape (povertyplan/api_errors.py) with 400 (a bad
  parameter, including a page number or size), 401 (no valid token), 404 (an unknown id, a page or
  cursor that does not exist, a unit outside the caller's scope) or 429 (throttled); views
  document their other answers (403, 412, 428, …) themselves.
- Query parameters: none may be sent empty (povertyplan.middleware), so every string parameter
  has a minLength of 1; free text may not hold a null character (Django's forms refuse it).
"""

from __future__ import annotations

from povertyplan.api_errors import ERROR_DESCRIPTIONS

COMMON_ERRORS = (400, 401, 404, 429)
ERROR_REF = {"$ref": "#/components/schemas/Error"}
NO_NULL_CHARACTER = "^[^\\u0000]+$"
METHODS = {"get", "put", "patch", "post", "delete", "head", "options"}


def _operations(result: dict):
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method in METHODS:
                yield operation


def document_common_errors(result: dict, generator, request, public) -> dict:
    for operation in _operations(result):
        responses = operation.setdefault("responses", {})
        # An error comes in the media types the operation answers in (indicators/ can answer CSV).
        success = next((answer for code, answer in sorted(responses.items()) if code.startswith("2")), {})
        media_types = list(success.get("content", {})) or ["application/json"]
        for code in COMMON_ERRORS:
            responses.setdefault(
                str(code),
                {
                    "content": {media_type: {"schema": ERROR_REF} for media_type in media_types},
                    "description": ERROR_DESCRIPTIONS[code],
                },
            )
    return result


def document_query_parameters(result: dict, generator, request, public) -> dict:
    for operation in _operations(result):
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            if parameter["in"] == "query" and schema.get("type") == "string":
                schema["minLength"] = 1
                if "enum" not in schema:
                    schema.setdefault("pattern", NO_NULL_CHARACTER)
    return result
