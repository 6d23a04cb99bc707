"""``manage.py squashkit ...``: the squashkit CLI inside a project that lists ``"squashkit"`` in INSTALLED_APPS.

The project's settings module is used by default (as if ``--settings`` were given) and the project directory
is the current directory, so ``manage.py squashkit analyze`` loads through Django's MigrationLoader.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run squashkit with this project's settings, e.g. `manage.py squashkit analyze --format json`."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument("squashkit_args", nargs=argparse.REMAINDER, help="squashkit arguments")
        return parser

    def run_from_argv(self, argv: list[str]) -> None:
        # Everything after `squashkit` belongs to squashkit's own parser (including --help).
        os.environ.setdefault("SQUASHKIT_SETTINGS", os.environ.get("DJANGO_SETTINGS_MODULE", ""))
        from squashkit.cli import main

        main(argv[2:])

    def handle(self, *args: Any, **options: Any) -> None:  # pragma: no cover - run_from_argv handles it
        from squashkit.cli import main

        main(list(options["squashkit_args"]), standalone_mode=False)
