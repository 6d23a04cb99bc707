"""Fixtures of the history tests (tests/history, tests/cli/test_history.py): the ``shop`` project migrated
to different points in real SQLite files.

``history_shop_template`` (session) builds the project once and migrates four databases with ``manage.py migrate``:

* ``empty.db``: ``django_migrations`` exists, no row (crm migrated to 0001 then back to zero);
* ``partial.db``: crm 0001-0002 and sales 0001;
* ``full.db``: everything (billing through its squash);
* ``db.sqlite3``: the settings' default database, fully migrated.

``history_shop`` is a fresh copy of it (project and databases) for each test.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.history.shop import db_env, make_shop, migrate

DATABASES = {
    "empty.db": [("crm", "0001_initial"), ("crm", "zero")],
    "partial.db": [("crm", "0002_customer_age"), ("sales", "0001_initial")],
    "full.db": None,
    "db.sqlite3": None,
}


@pytest.fixture(scope="session")
def history_shop_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_shop(tmp_path_factory.mktemp("shop_template") / "shop")
    for name, targets in DATABASES.items():
        migrate(root, targets, db_env(name=str(root / name)))
    return root


@pytest.fixture
def history_shop(history_shop_template: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(history_shop_template, tmp_path / "shop", ignore=shutil.ignore_patterns("__pycache__")))
