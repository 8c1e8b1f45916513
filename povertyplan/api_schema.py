"""What every operation of the OpenAPI schema shares, stated in one place (drf-spectacular
postprocessing hooks), so no view can forget it and schema-driven clients (schemathesis among
them) see what the server really does.

- Errors: any call may fail in the one error shape (povertyplan/api_errors.py) with 400 (a bad
  parameter, including a page number or size), 401 (no valid token), 404 (an unknown id, a page or
  cursor that does not exist, a unit outside the caller's scope) or 429 (throttled); views
  document their other answers (403, 412, 428, …) themselves.
- Query parameters: none may be sent empty (povertyplan.middleware), so every string parameter
  has a minLength of 1; free text may not hold a null character (Django's forms refuse it).
- Names, not labels: a generated client names its types after schema titles when they have one
  (openapi-python-client made `UnitsListCấp` of the units list's `level`), and titles are the
  models' Vietnamese verbose names. No schema keeps a title: the label moves into the description,
  so types are named after operation ids and parameter or property names, English and stable
  whatever language the schema is read in (SchemaView: English unless ?lang=vi).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.settings import patched_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.exceptions import ValidationError

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


def names_not_labels(result: dict, generator, request, public) -> dict:
    """Every schema's `title` (a field's verbose name) moves into its description."""
    _untitle(result.get("paths", {}))
    _untitle(result.get("components", {}).get("schemas", {}))
    return result


def _untitle(node) -> None:
    if isinstance(node, list):
        for item in node:
            _untitle(item)
        return
    if not isinstance(node, dict):
        return
    title = node.get("title")
    if isinstance(title, str):
        del node["title"]
        description = node.get("description", "")
        if title not in description:
            node["description"] = f"{title}. {description}" if description else title
    parameter = node.get("schema") if "in" in node else None
    if isinstance(parameter, dict) and isinstance(parameter.get("title"), str):
        # A parameter's label usually opens its own description already ("Cấp / level").
        title = parameter.pop("title")
        if title not in node.get("description", ""):
            node["description"] = f"{title}. {node.get('description', '')}".strip()
    for key, value in node.items():
        if key not in ("example", "examples"):  # examples are data, not schemas
            _untitle(value)


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, in English unless `?lang=vi` asks for the Vietnamese labels: choice
    labels and field names in descriptions follow the language, while every name a client is
    generated from (operation ids, parameters, properties, enums) is the same in both."""

    @extend_schema(exclude=True)  # the schema describes the API, not itself
    def get(self, request, *args, **kwargs):
        lang = request.GET.get("lang", "en")
        if lang not in dict(settings.LANGUAGES):
            message = _("«%(lang)s» không phải ngôn ngữ của tài liệu: vi hoặc en.") % {"lang": lang}
            raise ValidationError({"lang": [message]}, code="invalid_choice")
        with patched_settings(self.custom_settings), translation.override(lang):
            return self._get_schema_response(request)


def nullable_references_have_a_type(result: dict, generator, request, public) -> dict:
    """OpenAPI 3.0 wants a `type` beside `nullable`; drf-spectacular writes a nullable reference as
    `{allOf: [{$ref}], nullable: true}`: give it the referenced schema's type (Redocly's rule
    nullable-type-sibling, tests/api/test_schema_lint.py)."""
    components = result.get("components", {}).get("schemas", {})

    def visit(node) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
            return
        if not isinstance(node, dict):
            return
        if node.get("nullable") and "type" not in node and len(node.get("allOf", [])) == 1:
            referenced = node["allOf"][0].get("$ref", "").rsplit("/", 1)[-1]
            kind = components.get(referenced, {}).get("type")
            if kind:
                node["type"] = kind
        for key, value in node.items():
            if key not in ("example", "examples"):  # examples are data, not schemas
                visit(value)

    visit(result.get("paths", {}))
    visit(components)
    return result
