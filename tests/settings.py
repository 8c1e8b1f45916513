"""Settings for the test suite: the production module with a throwaway secret and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-only-secret-key-not-for-production")

from povertyplan.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Nothing is collected for the tests (live_server serves static files from the finders): let
# WhiteNoise look up STATIC_ROOT per request instead of warning at start-up that it is missing.
WHITENOISE_AUTOREFRESH = True

# The test client and live_server speak plain HTTP on localhost, whatever DEBUG says.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
