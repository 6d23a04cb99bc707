"""The rollback step in the Django subprocess: the newest migrations that are leaves of the graph are first
rolled back and migrated again together (one executor call each way); only when that shows a difference or
fails are they checked one by one, so the findings name the migration and the difference as before."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from squashkit import codec
from squashkit._django import run_action
from squashkit.graph.model import MigrationKey
from squashkit.graph.static import load_static
from squashkit.proof.database import temporary_database
from squashkit.proof.schema import Schema
from squashkit.verify import run_verify
from tests.graph.helpers import line_of, make_app, write_migration, write_settings

K = MigrationKey


def add_column(table: str, column: str) -> str:
    return (
        f"migrations.RunSQL('ALTER TABLE {table} ADD COLUMN {column} text', 'ALTER TABLE {table} DROP COLUMN {column}')"
    )


ADD_PRICE = add_column("shop_item", "price")
#: Forward changes no schema; the reverse drops a column the migration did not add.
LOSES_NAME = (
    "migrations.RunSQL(sql='UPDATE shop_item SET id = id', reverse_sql='ALTER TABLE shop_item DROP COLUMN name')"
)
IRREVERSIBLE = "migrations.RunPython(lambda apps, schema_editor: None)"


def project(root: Path, shop_second: str) -> Path:
    """Three apps (no models: the tables are made by ``RunSQL``), each with a table and a second migration
    that is a leaf of the graph: ``shop``'s is ``shop_second``, ``blog``'s and ``news``'s add a column."""
    for app, table, column, second in (
        ("blog", "blog_post", "title", add_column("blog_post", "body")),
        ("news", "news_story", "headline", add_column("news_story", "lead")),
        ("shop", "shop_item", "name", shop_second),
    ):
        folder = make_app(root, app)
        create = f"CREATE TABLE {table} (id integer PRIMARY KEY, {column} varchar(100) NOT NULL)"
        write_migration(folder, "0001_initial", operations=[f"migrations.RunSQL({create!r}, 'DROP TABLE {table}')"])
        write_migration(folder, "0002_second", dependencies=[(app, "0001_initial")], operations=[second])
    write_settings(root, ["blog", "news", "shop"])
    return root


LEAVES = [K("blog", "0002_second"), K("news", "0002_second"), K("shop", "0002_second")]


def migrate_action(root: Path, database: str = "sqlite", keys: list[K] = LEAVES) -> dict[str, Any]:
    """The raw result of the ``verify.migrate`` action, rolling back ``keys`` (default the three leaves)."""
    with temporary_database(database) as db:
        return run_action(
            root,
            "settings",
            "verify.migrate",
            {"rollback": [codec.encode_key(k) for k in keys]},
            databases=db.databases,
        )


def summary(result: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (tuple(r["key"]), r["unapplied"], r["error"], r["irreversible"], r["rollback_diff"], r["forward_diff"])
        for r in result["rollbacks"]
    ]


def clean(key: K) -> tuple[Any, ...]:
    return (tuple(key), [list(key)], None, False, [], [])


def test_leaves_are_rolled_back_and_migrated_again_together(tmp_path: Path):
    root = project(tmp_path / "p", ADD_PRICE)
    result = migrate_action(root)
    assert result["error"] is None
    assert result["batch"] == 3
    assert summary(result) == [clean(k) for k in LEAVES]
    assert len(result["timings"]) == 6  # the fresh migrate's, not the rollback's
    report = run_verify(load_static(root), "settings")
    assert (report.findings, report.exit_code) == ((), 0)
    assert report.runs[0].rolled_back == tuple(LEAVES)


def test_a_leaf_whose_reverse_loses_a_column_is_found_by_the_one_by_one_checks(tmp_path: Path):
    """The batch shows the lost column; the database is put back and each leaf is checked alone: the finding
    names shop's migration and the difference, the other two are clean."""
    root = project(tmp_path / "p", LOSES_NAME)
    result = migrate_action(root)
    assert result["batch"] == 0
    assert summary(result) == [
        clean(LEAVES[0]),
        clean(LEAVES[1]),
        (
            ("shop", "0002_second"),
            [["shop", "0002_second"]],
            None,
            False,
            ["table shop_item: column name (varchar(100) NOT NULL) only before applying"],
            ["table shop_item: column name (varchar(100) NOT NULL) only migrated"],
        ),
    ]
    report = run_verify(load_static(root), "settings")
    assert [(f.code, f.migration, f.message, f.details) for f in report.findings] == [
        (
            "SK604",
            K("shop", "0002_second"),
            "rolling back shop.0002_second does not restore the schema it was applied on",
            ("table shop_item: column name (varchar(100) NOT NULL) only before applying",),
        ),
        (
            "SK604",
            K("shop", "0002_second"),
            "after rolling back shop.0002_second and migrating again the schema differs from the migrated one",
            ("table shop_item: column name (varchar(100) NOT NULL) only migrated",),
        ),
    ]
    assert report.findings[0].path == root / "shop" / "migrations" / "0002_second.py"


def test_an_irreversible_leaf_is_kept_out_of_the_batch_and_reported_with_its_line(tmp_path: Path):
    root = project(tmp_path / "p", IRREVERSIBLE)
    result = migrate_action(root)
    assert result["batch"] == 2
    assert summary(result)[:2] == [clean(LEAVES[0]), clean(LEAVES[1])]
    assert result["rollbacks"][2]["irreversible"] is True
    report = run_verify(load_static(root), "settings")
    (finding,) = report.findings
    path = root / "shop" / "migrations" / "0002_second.py"
    assert (finding.code, finding.message) == (
        "SK605",
        "shop.0002_second cannot be rolled back: RunPython has no reverse",
    )
    assert (finding.path, finding.line) == (path, line_of(path, "RunPython"))


def test_a_leaf_whose_rollback_raises_is_reported_alone(tmp_path: Path):
    """The batch fails part-way (the reverse SQL names a table that does not exist): the database is put back,
    and the one-by-one checks report that migration's error only."""
    root = project(tmp_path / "p", "migrations.RunSQL('SELECT 1', 'DROP TABLE shop_nope')")
    report = run_verify(load_static(root), "settings")
    assert [(f.code, f.migration, f.message) for f in report.findings] == [
        (
            "SK606",
            K("shop", "0002_second"),
            "rolling back shop.0002_second fails: OperationalError: no such table: shop_nope",
        )
    ]


def with_feed(root: Path) -> Path:
    """``project`` plus an app ``feed`` depending on the three second migrations: they are no longer leaves."""
    folder = make_app(root, "feed")
    create = "CREATE TABLE feed_entry (id integer PRIMARY KEY)"
    write_migration(
        folder,
        "0001_initial",
        dependencies=LEAVES,
        operations=[f"migrations.RunSQL({create!r}, 'DROP TABLE feed_entry')"],
    )
    write_settings(root, ["blog", "news", "shop", "feed"])
    return root


def test_migrations_with_dependents_are_rolled_back_together(tmp_path: Path):
    """Was: one backwards plan per migration other apps depend on (each undoing and redoing its dependents:
    about 4 to 10 minutes each on the generated 100x50 project).  Now one plan for all of them; each record
    lists what its own rollback unapplies."""
    root = with_feed(project(tmp_path / "p", ADD_PRICE))
    result = migrate_action(root)
    assert result["error"] is None
    assert result["batch"] == 3
    assert summary(result) == [(tuple(k), [["feed", "0001_initial"], list(k)], None, False, [], []) for k in LEAVES]
    report = run_verify(load_static(root), "settings")
    assert (report.findings, report.exit_code) == ((), 0)


def test_a_migration_with_dependents_whose_reverse_loses_a_column_is_found_alone(tmp_path: Path):
    root = with_feed(project(tmp_path / "p", LOSES_NAME))
    result = migrate_action(root)
    assert result["batch"] == 0
    assert summary(result)[2] == (
        ("shop", "0002_second"),
        [["feed", "0001_initial"], ["shop", "0002_second"]],
        None,
        False,
        [],
        ["table shop_item: column name (varchar(100) NOT NULL) only migrated"],
    )
    assert [r["forward_diff"] for r in result["rollbacks"][:2]] == [[], []]


def chain(root: Path, mid_second: str = ADD_PRICE.replace("shop_item", "mid_row")) -> Path:
    """``base`` <- ``mid`` <- ``feed``: ``mid.0001`` depends on ``base.0002`` and ``feed.0001`` on ``mid.0002``,
    so the parent of ``mid.0002`` (``mid.0001``) is unapplied by ``base.0002``'s own rollback."""
    for app, table, dependency, second in (
        ("base", "base_row", None, add_column("base_row", "note")),
        ("mid", "mid_row", ("base", "0002_second"), mid_second),
    ):
        folder = make_app(root, app)
        create = f"CREATE TABLE {table} (id integer PRIMARY KEY)"
        write_migration(
            folder,
            "0001_initial",
            dependencies=[dependency] if dependency else [],
            operations=[f"migrations.RunSQL({create!r}, 'DROP TABLE {table}')"],
        )
        write_migration(folder, "0002_second", dependencies=[(app, "0001_initial")], operations=[second])
    folder = make_app(root, "feed")
    create = "CREATE TABLE feed_entry (id integer PRIMARY KEY)"
    write_migration(
        folder,
        "0001_initial",
        dependencies=[("mid", "0002_second")],
        operations=[f"migrations.RunSQL({create!r}, 'DROP TABLE feed_entry')"],
    )
    write_settings(root, ["base", "mid", "feed"])
    return root


CHAIN = [K("base", "0002_second"), K("mid", "0002_second"), K("feed", "0001_initial")]


def test_a_migration_whose_parent_another_one_rolls_back_is_batched_with_it(tmp_path: Path):
    """Was: one plan to both parents (``base.0001``, ``mid.0001``) is not a rollback (``mid.0001`` must be
    unapplied for the first and applied for the second), so each was checked alone (on the generated 100x50
    project, 2 hours).  Now the union of their own rollbacks is unapplied in one call."""
    result = migrate_action(chain(tmp_path / "p"), keys=CHAIN)
    assert (result["error"], result["batch"]) == (None, 2)  # feed.0001, the one leaf, is checked alone
    assert summary(result) == [
        (
            ("base", "0002_second"),
            [["feed", "0001_initial"], ["mid", "0002_second"], ["mid", "0001_initial"], ["base", "0002_second"]],
            None,
            False,
            [],
            [],
        ),
        (("mid", "0002_second"), [["feed", "0001_initial"], ["mid", "0002_second"]], None, False, [], []),
        clean(K("feed", "0001_initial")),
    ]


def test_a_lossy_reverse_inside_the_union_is_found_alone(tmp_path: Path):
    """``mid.0002``'s reverse drops ``base``'s column: the union fails, the database is put back, and both
    rollbacks that unapply ``mid.0002`` fail, ``base.0002``'s with the column lost; ``feed.0001`` passes."""
    lossy = "migrations.RunSQL(sql='SELECT 1', reverse_sql='ALTER TABLE base_row DROP COLUMN note')"
    result = migrate_action(chain(tmp_path / "p", lossy), keys=CHAIN)
    assert result["batch"] == 0
    fails = 'OperationalError: no such column: "note"'
    lost = ["table base_row: column note (TEXT NULL) only migrated"]
    assert [(tuple(r["key"]), r["error"], r["forward_diff"]) for r in result["rollbacks"]] == [
        (("base", "0002_second"), fails, lost),
        (("mid", "0002_second"), fails, []),
        (("feed", "0001_initial"), None, []),
    ]


def irreversible_chain(root: Path) -> Path:
    """``chain`` with an irreversible ``mid.0002`` plus two apps whose newest migration has a dependent."""
    root = chain(root, IRREVERSIBLE)
    for app in ("extra", "other"):
        folder = make_app(root, app)
        write_migration(folder, "0001_initial", operations=["migrations.RunSQL('SELECT 1', 'SELECT 1')"])
        write_migration(folder, "0002_second", dependencies=[(app, "0001_initial")], operations=[])
        write_migration(
            make_app(root, f"{app}_user"),
            "0001_initial",
            dependencies=[(app, "0002_second")],
            operations=[],
        )
    write_settings(root, ["base", "mid", "feed", "extra", "other", "extra_user", "other_user"])
    return root


def comparable(record: dict[str, Any]) -> dict[str, Any]:
    """A rollback record without its time, and with the function's address out of Django's error text."""
    error = record["error"] and re.sub(r" at 0x[0-9a-f]+", "", record["error"])
    return {**{k: v for k, v in record.items() if k != "seconds"}, "error": error}


def test_rollbacks_that_stop_at_an_irreversible_migration_are_batched_with_what_comes_before_it(tmp_path: Path):
    """Was: checked one at a time (each a Django migrate walking the whole graph: minutes each on the
    generated 100x50 project, where every migration with dependents reaches one of 86 irreversible
    ``RunPython``).  ``mid.0002`` is irreversible: ``base.0002``'s rollback unapplies ``feed.0001``, then stops
    at it.  All four are checked in one batch, and each record is the one a check alone writes."""
    root = irreversible_chain(tmp_path / "p")
    keys = [K("base", "0002_second"), K("mid", "0002_second"), K("extra", "0002_second"), K("other", "0002_second")]
    result = migrate_action(root, keys=keys)
    assert result["batch"] == 4
    assert [(tuple(r["key"]), r["irreversible"], r.get("culprit")) for r in result["rollbacks"]] == [
        (("base", "0002_second"), True, ["mid", "0002_second"]),
        (("mid", "0002_second"), True, ["mid", "0002_second"]),
        (("extra", "0002_second"), False, None),
        (("other", "0002_second"), False, None),
    ]
    for key, record in zip(keys, result["rollbacks"], strict=True):
        alone = migrate_action(root, keys=[key])
        assert alone["batch"] == 0
        assert comparable(record) == comparable(alone["rollbacks"][0])
    assert comparable(result["rollbacks"][0])["error"] == (
        "IrreversibleError: Operation <RunPython <function Migration.<lambda>>> in mid.0002_second is not reversible"
    )


def widened_key(root: Path) -> Path:
    """``org.Organizer``'s key becomes a ``BigAutoField`` after ``gift.GiftCard`` points at it: SQLite declares
    the key ``integer`` either way, so the foreign key column stays ``integer`` until the table is rebuilt,
    and rolling back ``gift.0002`` (dropping an indexed column rebuilds the table) declares it ``bigint``."""
    org = make_app(root, "org")
    write_migration(
        org,
        "0001_initial",
        operations=["migrations.CreateModel('Organizer', [('id', models.AutoField(primary_key=True))])"],
    )
    gift = make_app(root, "gift")
    card = (
        "migrations.CreateModel('GiftCard', [('id', models.AutoField(primary_key=True)), "
        "('issuer', models.ForeignKey('org.Organizer', models.CASCADE))])"
    )
    write_migration(gift, "0001_initial", dependencies=[("org", "0001_initial")], operations=[card])
    write_migration(
        org,
        "0002_big",
        dependencies=[("org", "0001_initial"), ("gift", "0001_initial")],
        operations=["migrations.AlterField('Organizer', 'id', models.BigAutoField(primary_key=True))"],
    )
    code = "models.CharField(max_length=10, null=True, db_index=True)"
    write_migration(
        gift,
        "0002_code",
        dependencies=[("gift", "0001_initial"), ("org", "0002_big")],
        operations=[f"migrations.AddField('GiftCard', 'code', {code})"],
    )
    write_settings(root, ["org", "gift"])
    return root


def test_a_foreign_key_declared_anew_within_one_sqlite_affinity_is_no_difference(tmp_path: Path):
    """Was (pretix 2026.8.0, 3 columns of ``pretixbase_giftcard``; Django's own ``migrate autocheckin zero``
    then ``migrate`` does the same): "column issuer_id is integer NOT NULL migrated, bigint NOT NULL after
    rollback and migrate".  SQLite stores both alike; a change of affinity is still reported."""
    result = migrate_action(widened_key(tmp_path / "p"), keys=[K("gift", "0002_code")])
    assert result["error"] is None
    assert summary(result) == [clean(K("gift", "0002_code"))]


def test_only_a_change_of_sqlite_affinity_is_a_difference():
    from squashkit.proof.schema import Column, Table
    from squashkit.verify.inprocess import _differences, sqlite_affinity

    declared = ("integer", "bigint", "varchar(10)", "text", "", "real", "decimal", "bool")
    affinities = ["INTEGER", "INTEGER", "TEXT", "TEXT", "BLOB", "REAL", "NUMERIC", "NUMERIC"]
    assert [sqlite_affinity(t) for t in declared] == affinities

    def schema(vendor: str, kind: str) -> Schema:
        return Schema(vendor, (Table("card", (Column("issuer_id", kind, False),)),))

    assert _differences(schema("sqlite", "integer"), schema("sqlite", "bigint")) == []
    assert _differences(schema("sqlite", "integer"), schema("sqlite", "text"), ("migrated", "again")) == [
        "table card: column issuer_id is integer NOT NULL migrated, text NOT NULL again"
    ]
    assert _differences(schema("postgresql", "integer"), schema("postgresql", "bigint"), ("migrated", "again")) == [
        "table card: column issuer_id is integer NOT NULL migrated, bigint NOT NULL again"
    ]


#: A project command replacing Django's ``makemigrations``, as pretix's does: ``help_text`` is left out.
QUIET_MAKEMIGRATIONS = """\
from django.core.management.commands.makemigrations import Command as Parent
from django.db import models


class Command(Parent):
    def handle(self, *args, **options):
        original = models.Field.deconstruct

        def deconstruct(field):
            name, path, args, kwargs = original(field)
            kwargs.pop("help_text", None)
            return name, path, args, kwargs

        models.Field.deconstruct = deconstruct
        return super().handle(*args, **options)
"""


def shop_with_help_text(root: Path, override: bool) -> Path:
    """``shop.Item.name`` has a ``help_text`` its migration does not have."""
    folder = make_app(root, "shop")
    (folder / "models.py").write_text(
        "from django.db import models\n\n\nclass Item(models.Model):\n"
        "    name = models.CharField(max_length=10, help_text='shown in forms')\n"
    )
    auto = "models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')"
    fields = f"[('id', {auto}), ('name', models.CharField(max_length=10))]"
    write_migration(folder, "0001_initial", operations=[f"migrations.CreateModel('Item', {fields})"])
    if override:
        commands = folder / "management" / "commands"
        commands.mkdir(parents=True)
        for package in (folder / "management", commands):
            (package / "__init__.py").write_text("")
        (commands / "makemigrations.py").write_text(QUIET_MAKEMIGRATIONS)
    write_settings(root, ["shop"], extra="DEFAULT_AUTO_FIELD = 'django.db.models.AutoField'\n")
    return root


@pytest.mark.parametrize("override", [False, True])
def test_model_changes_are_those_the_projects_own_makemigrations_finds(tmp_path: Path, override: bool):
    """Was: Django's autodetector called directly, so on pretix (whose ``makemigrations`` ignores
    ``verbose_name``, ``help_text``, ``ordering``...) 11 apps were reported where ``manage.py makemigrations
    --check`` finds one."""
    root = shop_with_help_text(tmp_path / "p", override)
    with temporary_database("sqlite") as db:
        result = run_action(root, "settings", "verify.static", {}, databases=db.databases)
    assert result["changes_error"] is None
    expected = [] if override else [["shop", "0002_alter_item_name", [["Alter field name on item", "item"]]]]
    assert result["changes"] == expected
    proc = subprocess.run(
        [sys.executable, "-c", "import django.core.management as m; m.execute_from_command_line()", "makemigrations",
         "--check", "--dry-run", "--settings", "settings"],
        cwd=root, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(root)},
    )  # fmt: skip
    assert proc.returncode == (0 if override else 1), proc.stdout + proc.stderr


def badges(root: Path, reverse_renames_declared_index: bool = False) -> Path:
    """pretix's ``badges``: two models with ``AutoField`` keys, one with a foreign key to the other and a
    declared index; ``0002`` makes both keys ``BigAutoField`` (Django drops and recreates the foreign key)."""
    folder = make_app(root, "badges")
    auto = "models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')"
    layout = f"migrations.CreateModel('Layout', [('id', {auto})])"
    item = (
        f"migrations.CreateModel('Item', [('id', {auto}), ('name', models.CharField(max_length=10)), "
        "('layout', models.ForeignKey('badges.Layout', models.CASCADE))], "
        "options={'indexes': [models.Index(fields=['name'], name='item_name_idx')]})"
    )
    write_migration(folder, "0001_initial", operations=[layout, item])
    big = "models.BigAutoField(auto_created=True, primary_key=True, serialize=False)"
    operations = [f"migrations.AlterField('Item', 'id', {big})", f"migrations.AlterField('Layout', 'id', {big})"]
    if reverse_renames_declared_index:
        operations.append("migrations.RunSQL('SELECT 1', 'ALTER INDEX item_name_idx RENAME TO other_idx')")
    write_migration(folder, "0002_bigint", dependencies=[("badges", "0001_initial")], operations=operations)
    write_settings(root, ["badges"])
    return root


@pytest.mark.postgres
def test_a_generated_constraint_name_made_anew_by_a_rollback_is_no_difference(tmp_path: Path, pg_cluster):
    """Was (pretix 2026.8.0 on PostgreSQL): "rolling back badges.0003_bigint does not restore the schema":
    Django recreates the foreign key ``..._fk_badges_layout_id`` as ``..._fk``.  A declared name (an entry of
    ``Meta.indexes``) that does not come back is still a difference."""
    keys = [K("badges", "0002_bigint")]
    result = migrate_action(badges(tmp_path / "good"), pg_cluster.dsn("postgres"), keys=keys)
    assert summary(result) == [clean(K("badges", "0002_bigint"))]
    result = migrate_action(badges(tmp_path / "bad", True), pg_cluster.dsn("postgres"), keys=keys)
    assert summary(result)[0][4] == [
        "table badges_item: index item_name_idx index (name) idx only before applying",
        "table badges_item: index other_idx index (name) idx only after rollback",
    ]


@pytest.mark.postgres
def test_batch_and_one_by_one_checks_on_postgresql(tmp_path: Path, pg_cluster):
    """On PostgreSQL the batch runs in one transaction that is rolled back: a clean project passes in one
    batch, a lossy leaf is found by the one-by-one checks with the difference."""
    good = migrate_action(project(tmp_path / "good", ADD_PRICE), pg_cluster.dsn("postgres"))
    assert (good["error"], good["batch"]) == (None, 3)
    assert summary(good) == [clean(k) for k in LEAVES]
    bad = migrate_action(project(tmp_path / "bad", LOSES_NAME), pg_cluster.dsn("postgres"))
    assert bad["batch"] == 0
    assert summary(bad) == [
        clean(LEAVES[0]),
        clean(LEAVES[1]),
        (
            ("shop", "0002_second"),
            [["shop", "0002_second"]],
            None,
            False,
            ["table shop_item: column name (character varying(100) NOT NULL) only before applying"],
            ["table shop_item: column name (character varying(100) NOT NULL) only migrated"],
        ),
    ]


TRACKED = """
import sys
import django
from django.conf import settings
database = sys.argv[1]
if database.startswith("postgresql://"):
    from urllib.parse import urlsplit
    url = urlsplit(database)
    db = {"ENGINE": "django.db.backends.postgresql", "NAME": url.path[1:], "USER": url.username,
          "PASSWORD": url.password, "HOST": url.hostname, "PORT": url.port}
else:
    db = {"ENGINE": "django.db.backends.sqlite3", "NAME": database}
settings.configure(INSTALLED_APPS=[], DATABASES={"default": db})
django.setup()
from django.db import connection
from squashkit.proof.inprocess import introspect
from squashkit.verify.inprocess import _Schemas

statements = [s for s in sys.stdin.read().split(";") if s.strip()]
with connection.cursor() as cursor:
    cursor.execute(statements[0])
schemas = _Schemas(connection)
checked = 0
for statement in statements[1:]:
    with connection.cursor() as cursor:
        cursor.execute(statement)
    assert schemas.read() == introspect(connection), statement
    checked += 1
print(checked, len(schemas.schema.tables))
"""

#: Every kind of change a migration makes; after each the tracked schema must equal a full introspection.
CHANGES = """
CREATE TABLE a (id integer PRIMARY KEY, name varchar(10) NOT NULL);
CREATE TABLE b (id integer PRIMARY KEY, a_id integer REFERENCES a (id), n integer);
ALTER TABLE b ADD COLUMN note text DEFAULT 'x';
CREATE INDEX b_n_idx ON b (n);
CREATE UNIQUE INDEX b_n_uniq ON b (n, a_id);
DROP INDEX b_n_idx;
ALTER TABLE a RENAME TO a2;
ALTER TABLE a2 RENAME COLUMN name TO title;
ALTER TABLE b DROP COLUMN note;
CREATE VIEW v AS SELECT id FROM b;
CREATE TABLE c (id integer PRIMARY KEY, b_id integer NOT NULL REFERENCES b (id), CHECK (b_id > 0));
DROP TABLE c
"""

PG_CHANGES = """;
ALTER TABLE b ALTER COLUMN n TYPE bigint;
ALTER TABLE b ALTER COLUMN n SET DEFAULT 3;
ALTER TABLE b ALTER COLUMN n SET NOT NULL;
ALTER TABLE b ADD CONSTRAINT b_n_positive CHECK (n > 0);
ALTER TABLE b DROP CONSTRAINT b_n_positive
"""


def test_the_tracked_schema_equals_a_full_introspection_after_each_change_sqlite(tmp_path: Path):
    """Reads after a change introspect only the tables whose sqlite_master rows changed; the schema read is
    the one a full introspection gives (a renamed table changes the foreign keys pointing at it, too)."""
    proc = subprocess.run(
        [sys.executable, "-c", TRACKED, str(tmp_path / "db.sqlite3")],
        input=CHANGES,
        capture_output=True,
        text=True,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "11 2\n", "")


@pytest.mark.postgres
def test_the_tracked_schema_equals_a_full_introspection_after_each_change_postgresql(pg_cluster, pg_database):
    proc = subprocess.run(
        [sys.executable, "-c", TRACKED, pg_cluster.dsn(pg_database)],
        input=CHANGES + PG_CHANGES,
        capture_output=True,
        text=True,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "16 2\n", "")
