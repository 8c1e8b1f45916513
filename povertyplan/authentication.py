"""API token authentication: django-rest-knox's, without its per-request sweep of expired tokens.

Knox looks at every other token of the user on each request to delete expired ones; the portal's
tokens never expire (REST_KNOX TOKEN_TTL None, rotated by create_api_token), so that sweep would
only cost a query on every API call.
"""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication


class ApiTokenAuthentication(TokenAuthentication):
    def _cleanup_token(self, auth_token) -> bool:
        return False  # no token expires (settings.REST_KNOX)


class ApiTokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme (`Authorization: Token <key>`), under the name it always had."""

    target_class = "povertyplan.authentication.ApiTokenAuthentication"
    name = "tokenAuth"
