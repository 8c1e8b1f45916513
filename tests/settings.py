"""Settings for the test suite: the production module with a throwaway secret and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-only-secret-key-not-for-production")

from povertyplan.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
