"""A small Django project for history tests, migrated for real with ``manage.py migrate``.

crm:     0001_initial -> 0002_customer_age -> 0003_customer_size
sales:   0001_initial (needs crm.0002) -> 0002_order_n
billing: 0001_initial -> 0002_invoice_total -> 0003_invoice_due -> 0004_invoice_paid
         0001_squashed_0003_invoice_due replaces 0001..0003

Its settings read ``SAMPLE_DB_ENGINE/NAME/HOST/PORT/USER/PASSWORD`` like sample_project's, so the same helpers
migrate either project to SQLite or PostgreSQL; ``SAMPLE_DB_SCHEMA`` puts it in a tenant schema.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from tests.projects import add_field, build, create, fk, migration

SETTINGS = """\
import os

SECRET_KEY = "x"
INSTALLED_APPS = ["crm", "sales", "billing"]
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASES = {
    "default": {
        "ENGINE": os.environ.get("SAMPLE_DB_ENGINE", "django.db.backends.sqlite3"),
        "NAME": os.environ.get("SAMPLE_DB_NAME", "db.sqlite3"),
        "HOST": os.environ.get("SAMPLE_DB_HOST", ""),
        "PORT": os.environ.get("SAMPLE_DB_PORT", ""),
        "USER": os.environ.get("SAMPLE_DB_USER", ""),
        "PASSWORD": os.environ.get("SAMPLE_DB_PASSWORD", ""),
    },
}
if os.environ.get("SAMPLE_DB_SCHEMA"):  # a tenant schema (PostgreSQL), the way django-tenants sets it
    DATABASES["default"]["OPTIONS"] = {"options": "-c search_path=" + os.environ["SAMPLE_DB_SCHEMA"]}
"""

MANAGE = """\
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopsite.settings")
from django.core.management import execute_from_command_line

execute_from_command_line(sys.argv)
"""

BILLING_SQUASH = "0001_squashed_0003_invoice_due"


def make_shop(root: Path) -> Path:
    build(
        root,
        {
            "crm": {
                "0001_initial": migration(ops=[create("Customer")], initial=True),
                "0002_customer_age": migration([("crm", "0001_initial")], ops=[add_field("Customer", "age")]),
                "0003_customer_size": migration([("crm", "0002_customer_age")], ops=[add_field("Customer", "size")]),
            },
            "sales": {
                "0001_initial": migration(
                    [("crm", "0002_customer_age")],
                    ops=[create("Order", f"('customer', {fk('crm', 'Customer')})")],
                    initial=True,
                ),
                "0002_order_n": migration([("sales", "0001_initial")], ops=[add_field("Order", "n")]),
            },
            "billing": {
                "0001_initial": migration(ops=[create("Invoice")], initial=True),
                "0002_invoice_total": migration([("billing", "0001_initial")], ops=[add_field("Invoice", "total")]),
                "0003_invoice_due": migration([("billing", "0002_invoice_total")], ops=[add_field("Invoice", "due")]),
                BILLING_SQUASH: migration(
                    ops=[
                        create(
                            "Invoice",
                            "('total', models.IntegerField(default=0))",
                            "('due', models.IntegerField(default=0))",
                        )
                    ],
                    replaces=[
                        ("billing", "0001_initial"),
                        ("billing", "0002_invoice_total"),
                        ("billing", "0003_invoice_due"),
                    ],
                    initial=True,
                ),
                "0004_invoice_paid": migration([("billing", "0003_invoice_due")], ops=[add_field("Invoice", "paid")]),
            },
        },
    )
    (root / "shopsite").mkdir(exist_ok=True)
    (root / "shopsite" / "__init__.py").write_text("")
    (root / "shopsite" / "settings.py").write_text(SETTINGS)
    (root / "manage.py").write_text(MANAGE)
    return root


def db_env(engine: str = "sqlite", **params: str) -> dict[str, str]:
    """``SAMPLE_DB_*`` variables: ``db_env(name="x.db")`` or ``db_env("postgresql", name=..., host=..., ...)``."""
    env = {"SAMPLE_DB_ENGINE": "django.db.backends.sqlite3" if engine == "sqlite" else "django.db.backends.postgresql"}
    env.update({f"SAMPLE_DB_{key.upper()}": str(value) for key, value in params.items()})
    return env


def manage(root: Path, *args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SAMPLE_DB_", "DJANGO_SETTINGS"))}
    environ.update(env or {})
    environ["PYTHONPATH"] = str(root)
    proc = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=root, env=environ, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def migrate(root: Path, targets: Iterable[tuple[str, str]] | None, env: Mapping[str, str] | None = None) -> None:
    """``manage.py migrate APP NAME`` for each target (``None``: migrate everything)."""
    if targets is None:
        manage(root, "migrate", "--noinput", env=env)
        return
    for app, name in targets:
        manage(root, "migrate", app, name, "--noinput", env=env)
