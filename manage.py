#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        sys.exit(
            f"Django is not installed for {sys.executable}.\n"
            "Use the project's virtual environment: run `make setup` once (it creates .venv), then\n"
            "  .venv/bin/python manage.py " + " ".join(sys.argv[1:]) + "\n"
            "or activate it with `source .venv/bin/activate`.\n"
            f"({exc})"
        )
    from django.core.exceptions import ImproperlyConfigured

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A bad environment value: its message names the variable; a traceback would bury it.
        sys.exit(f"Configuration error: {exc}")


if __name__ == "__main__":
    main()
