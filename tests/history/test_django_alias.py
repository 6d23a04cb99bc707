from __future__ import annotations

from pathlib import Path

import pytest

from squashkit.history.django_alias import AliasParams, alias_params, postgres_conninfo
from squashkit.history.errors import SourceError

pytestmark = pytest.mark.django


def test_postgres_conninfo_keeps_libpq_options_only() -> None:
    params = AliasParams(
        "default", "mysite.settings", "postgresql", "shop", "db", "5433", "app", "p w",
        options=(("options", "-c search_path=tenant_a"), ("sslmode", "require"), ("isolation_level", "1")),
    )  # fmt: skip
    conninfo = postgres_conninfo(params)
    assert "isolation_level" not in conninfo
    assert conninfo.split() == [
        "options='-c",
        "search_path=tenant_a'",
        "sslmode=require",
        "dbname=shop",
        "host=db",
        "port=5433",
        "user=app",
        "password='p",
        "w'",
    ]
    assert params.describe() == "alias 'default' of mysite.settings (postgresql postgresql://app@db:5433/shop)"
    sqlite = AliasParams("default", "mysite.settings", "sqlite", "db.sqlite3")
    assert sqlite.describe() == "alias 'default' of mysite.settings (sqlite db.sqlite3)"


def test_alias_params_of_the_shop_settings(history_shop: Path) -> None:
    params = alias_params(history_shop, "shopsite.settings", "default", "local")
    assert (params.vendor, params.name, params.password) == ("sqlite", "db.sqlite3", "")
    with pytest.raises(SourceError) as info:
        alias_params(history_shop, "shopsite.settings", "other", "local")
    assert str(info.value) == (
        "local: no database alias 'other' in settings (known aliases: default) (alias 'other' of shopsite.settings)"
    )
