"""A throwaway Django project (settings, manage.py, two apps) with over-specified dependencies.

crm: 0001 creates Customer -> 0002 adds age -> 0003 adds size.
sales: 0001 (FK to crm.customer) depends on crm.0003 (over-specified: crm.0001 is enough);
0002 depends on crm.0002 and references nothing of crm.
"""

from __future__ import annotations

from pathlib import Path

from tests.projects import add_field, build, create, fk, migration


def make_project(root: Path) -> Path:
    build(
        root,
        {
            "crm": {
                "0001_initial": migration(ops=[create("Customer")], initial=True),
                "0002_age": migration([("crm", "0001_initial")], ops=[add_field("Customer", "age")]),
                "0003_size": migration([("crm", "0002_age")], ops=[add_field("Customer", "size")]),
            },
            "sales": {
                "0001_initial": migration(
                    [("crm", "0003_size")], ops=[create("Order", f"('customer', {fk('crm', 'Customer')})")]
                ),
                "0002_n": migration([("sales", "0001_initial"), ("crm", "0002_age")], ops=[add_field("Order", "n")]),
            },
        },
    )
    (root / "mysite").mkdir()
    (root / "mysite" / "__init__.py").write_text("")
    (root / "mysite" / "settings.py").write_text(
        "SECRET_KEY = 'x'\nINSTALLED_APPS = ['crm', 'sales']\nUSE_TZ = True\n"
        "DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'\n"
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': 'db.sqlite3'}}\n"
    )
    (root / "manage.py").write_text("import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n")
    return root
