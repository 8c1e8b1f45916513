#!/usr/bin/env python
"""Django's command-line utility for the poverty-plan portal."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "povertyplan.settings")
    if "SECRET_KEY" not in os.environ and "--deploy" not in sys.argv:
        # A developer's checkout, where nothing is configured: commands run in development mode.
        # Where the portal is served (WSGI, Celery) the settings still refuse to start without
        # SECRET_KEY unless DEBUG is on (povertyplan/settings.py), and so does `check --deploy`,
        # which must check the production settings, never a debug site.
        os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
