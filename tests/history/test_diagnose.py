"""Each inconsistency produced for real (rows edited with sqlite3, files edited in a temp copy of the history_shop
project) and reported with its fix; Django agrees where it has an opinion."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from squashkit.graph.model import MigrationKey
from squashkit.graph.static import load_static
from squashkit.history import collect_applied
from squashkit.history.diagnose import finding_dict
from squashkit.history.report import HistoryReport, history_report
from squashkit.history.snapshot import snapshot_dict, write_snapshot
from squashkit.rules import Finding, Severity
from tests.history.shop import BILLING_SQUASH, db_env, manage, migrate
from tests.projects import migration

K = MigrationKey


def history_finding(
    code: str, kind: str, severity: str, migrations: tuple[K, ...], message: str, fix: str, labels: tuple[str, ...]
) -> Finding:
    """A history finding, written as the JSON output shows it (the kind is the rule's name)."""
    finding = Finding(code, Severity(severity), message, fix, None, 0, migrations[0], migrations[1:], labels)
    assert finding.name == kind
    return finding


def report(root: Path, *dsns: str, snapshots: tuple[str, ...] = ()) -> HistoryReport:
    state = collect_applied(root, dsns=list(dsns), snapshots=list(snapshots))
    assert state.failures == ()
    return history_report(load_static(root), state)


def delete_rows(db: Path, *keys: tuple[str, str]) -> None:
    with sqlite3.connect(db) as conn:
        for app, name in keys:
            conn.execute("DELETE FROM django_migrations WHERE app = ? AND name = ?", (app, name))
    conn.close()


def run_fix_sql(db: Path, fix: str, verb: str) -> None:
    """Run the SQL statement of a fix text (the backticked part starting with ``verb``) on a SQLite file."""
    [statement] = [part for part in fix.split("`") if part.startswith(verb)]
    with sqlite3.connect(db) as conn:
        conn.execute(statement)
    conn.close()


def django_migrate_error(root: Path, db: Path) -> str:
    try:
        manage(root, "migrate", "--noinput", env=db_env(name=str(db)))
    except AssertionError as exc:
        return str(exc).strip().splitlines()[-1]
    return ""


def test_consistent_databases_have_no_findings(history_shop: Path) -> None:
    result = report(history_shop, "sqlite:///full.db", "sqlite:///partial.db", "sqlite:///empty.db")
    assert result.findings == ()
    assert result.exit_code == 0


@pytest.mark.django
def test_applied_before_dependency(history_shop: Path) -> None:
    delete_rows(history_shop / "full.db", ("crm", "0002_customer_age"))
    result = report(history_shop, "prod=sqlite:///full.db", "ci=sqlite:///partial.db")
    assert result.findings == (
        history_finding(
            "SK401",
            "applied-before-dependency",
            "error",
            (K("crm", "0003_customer_size"), K("crm", "0002_customer_age")),
            "crm.0003_customer_size is applied before its dependency crm.0002_customer_age: Django's migrate raises "
            "InconsistentMigrationHistory",
            "if the changes of crm.0002_customer_age are already in the database, record it in `python manage.py "
            "dbshell`: `INSERT INTO django_migrations (app, name, applied) VALUES ('crm', '0002_customer_age', "
            "CURRENT_TIMESTAMP);`; otherwise revert the changes of crm.0003_customer_size by hand and unrecord it: "
            "`DELETE FROM django_migrations WHERE app = 'crm' AND name = '0003_customer_size';`; then `python "
            "manage.py migrate` (`migrate --fake` cannot help: migrate stops on this inconsistency before doing "
            "anything)",
            ("prod",),
        ),
        history_finding(
            "SK401",
            "applied-before-dependency",
            "error",
            (K("sales", "0001_initial"), K("crm", "0002_customer_age")),
            "sales.0001_initial is applied before its dependency crm.0002_customer_age: Django's migrate raises "
            "InconsistentMigrationHistory",
            "if the changes of crm.0002_customer_age are already in the database, record it in `python manage.py "
            "dbshell`: `INSERT INTO django_migrations (app, name, applied) VALUES ('crm', '0002_customer_age', "
            "CURRENT_TIMESTAMP);`; otherwise revert the changes of sales.0001_initial by hand and unrecord it: "
            "`DELETE FROM django_migrations WHERE app = 'sales' AND name = '0001_initial';`; then `python manage.py "
            "migrate` (`migrate --fake` cannot help: migrate stops on this inconsistency before doing anything)",
            ("prod",),
        ),
    )
    assert result.exit_code == 1
    assert django_migrate_error(history_shop, history_shop / "full.db") == (
        "django.db.migrations.exceptions.InconsistentMigrationHistory: Migration crm.0003_customer_size is applied "
        "before its dependency crm.0002_customer_age on database 'default'."
    )
    # The fix as printed (run here by a human's stand-in) makes Django and squashkit happy again.
    run_fix_sql(history_shop / "full.db", result.findings[0].hint, "INSERT")
    assert report(history_shop, "prod=sqlite:///full.db").findings == ()
    assert django_migrate_error(history_shop, history_shop / "full.db") == ""


def partial_billing(history_shop: Path, db: str) -> None:
    """A database that applied billing 0001-0002 before the squash file existed."""
    squash = history_shop / "billing/migrations" / f"{BILLING_SQUASH}.py"
    source = squash.read_text()
    squash.unlink()
    migrate(history_shop, [("billing", "0002_invoice_total")], db_env(name=str(history_shop / db)))
    squash.write_text(source)


@pytest.mark.django
def test_partial_squash_with_replaced_files(history_shop: Path) -> None:
    partial_billing(history_shop, "old.db")
    result = report(history_shop, "old=sqlite:///old.db", "full=sqlite:///full.db")
    assert [finding_dict(f) for f in result.findings] == [
        {
            "code": "SK402",
            "kind": "partial-squash",
            "severity": "warning",
            "where": ["old"],
            "migrations": ["billing.0001_squashed_0003_invoice_due", "billing.0003_invoice_due"],
            "message": "squashed migration billing.0001_squashed_0003_invoice_due is partially applied (2 of 3 "
            "replaced migrations recorded; not recorded: billing.0003_invoice_due): Django uses the replaced "
            "migrations, not the squash",
            "fix": "apply the rest: `python manage.py migrate billing 0003_invoice_due` (Django then records "
            "billing.0001_squashed_0003_invoice_due); keep the replaced files until every database has done so",
        }
    ]
    fix = result.findings[0].hint
    [command] = [part for part in fix.split("`") if part.startswith("python manage.py migrate")]
    manage(history_shop, *command.split()[2:], env=db_env(name=str(history_shop / "old.db")))
    assert report(history_shop, "old=sqlite:///old.db").findings == ()  # Django recorded the squash too
    old = result.statuses[0]
    assert old.pending == (
        K("billing", "0003_invoice_due"),
        K("billing", "0004_invoice_paid"),
        K("crm", "0001_initial"),
        K("crm", "0002_customer_age"),
        K("crm", "0003_customer_size"),
        K("sales", "0001_initial"),
        K("sales", "0002_order_n"),
    )


@pytest.mark.django
def test_partial_squash_whose_replaced_files_are_gone(history_shop: Path) -> None:
    partial_billing(history_shop, "old.db")
    (history_shop / "billing/migrations/0003_invoice_due.py").unlink()
    [finding] = [f for f in report(history_shop, "old=sqlite:///old.db").findings if f.code == "SK402"]
    assert finding.severity == "error"
    assert finding.message.endswith(
        "; billing.0003_invoice_due no longer exist, so Django cannot build the graph (NodeNotFoundError)"
    )
    assert finding.hint == (
        "restore the files of billing.0003_invoice_due (e.g. from git history), then `python manage.py migrate "
        "billing 0003_invoice_due`; if their changes are already in the database, `python manage.py migrate "
        "billing 0003_invoice_due --fake` once the files are back"
    )
    assert "NodeNotFoundError" in django_migrate_error(history_shop, history_shop / "old.db")


@pytest.mark.django
def test_stale_rows_renamed_deleted_and_replaced(history_shop: Path) -> None:
    crm = history_shop / "crm/migrations"
    (crm / "0003_customer_size.py").rename(crm / "0003_customer_height.py")
    (history_shop / "sales/migrations/0002_order_n.py").unlink()
    for name in ("0001_initial", "0002_invoice_total", "0003_invoice_due"):
        (history_shop / "billing/migrations" / f"{name}.py").unlink()
    result = report(history_shop, "prod=sqlite:///full.db")
    status = result.statuses[0]
    assert [(s.key, s.reason, s.related) for s in status.stale] == [
        (K("billing", "0001_initial"), "replaced", K("billing", BILLING_SQUASH)),
        (K("billing", "0002_invoice_total"), "replaced", K("billing", BILLING_SQUASH)),
        (K("billing", "0003_invoice_due"), "replaced", K("billing", BILLING_SQUASH)),
        (K("crm", "0003_customer_size"), "renamed", K("crm", "0003_customer_height")),
        (K("sales", "0002_order_n"), "deleted", None),
    ]
    assert status.pending == (K("crm", "0003_customer_height"),)
    by_severity = [(f.severity, f.code, f.migrations) for f in result.findings]
    assert by_severity == [
        ("warning", "SK403", (K("crm", "0003_customer_size"), K("crm", "0003_customer_height"))),
        ("warning", "SK403", (K("sales", "0002_order_n"),)),
        ("info", "SK403", (K("billing", "0001_initial"),)),
        ("info", "SK403", (K("billing", "0002_invoice_total"),)),
        ("info", "SK403", (K("billing", "0003_invoice_due"),)),
    ]
    renamed, deleted, replaced = result.findings[0], result.findings[1], result.findings[2]
    assert renamed.message == (
        "crm.0003_customer_size is recorded but has no file; it was probably renamed to crm.0003_customer_height, "
        "which Django would run again"
    )
    assert renamed.hint == (
        "rename the file back to 0003_customer_size.py, or record the new name and delete the old row in "
        "`python manage.py dbshell`: `INSERT INTO django_migrations (app, name, applied) VALUES ('crm', "
        "'0003_customer_height', CURRENT_TIMESTAMP);` `DELETE FROM django_migrations WHERE app = 'crm' AND "
        "name = '0003_customer_size';`"
    )
    assert deleted.message == "sales.0002_order_n is recorded but its file no longer exists (deleted)"
    assert deleted.hint == (
        "restore sales/migrations/0002_order_n.py (`git log --diff-filter=D -- sales/migrations/0002_order_n.py`); "
        "if it was removed on purpose, `python manage.py migrate sales --prune` deletes the row"
    )
    assert replaced.message == (
        "billing.0001_initial is recorded but its file is gone: replaced by billing.0001_squashed_0003_invoice_due, "
        "Django ignores the row"
    )
    assert replaced.hint == (
        "nothing needed; once billing.0001_squashed_0003_invoice_due no longer lists `replaces`, `python manage.py "
        "migrate billing --prune` deletes the row"
    )
    assert result.exit_code == 1
    run_fix_sql(history_shop / "full.db", renamed.hint, "INSERT")
    run_fix_sql(history_shop / "full.db", renamed.hint, "DELETE")
    manage(history_shop, "migrate", env=db_env(name=str(history_shop / "full.db")))
    stale = report(history_shop, "prod=sqlite:///full.db").statuses[0].stale
    assert K("crm", "0003_customer_size") not in [s.key for s in stale]


def test_renamed_file_found_by_snapshot_hash(history_shop: Path) -> None:
    hashes = {k: m.content_hash for k, m in load_static(history_shop).migrations.items()}
    sets = collect_applied(history_shop, dsns=["sqlite:///full.db"]).sets
    write_snapshot(history_shop / "prod.json", snapshot_dict("prod", sets, hashes))
    crm = history_shop / "crm/migrations"
    (crm / "0002_customer_age.py").rename(crm / "0002_age_of_customer.py")
    (crm / "0003_customer_size.py").write_text(
        (crm / "0003_customer_size.py").read_text().replace("0002_customer_age", "0002_age_of_customer")
    )
    status = report(history_shop, snapshots=("prod.json",)).statuses[0]
    assert [(s.key, s.reason, s.related) for s in status.stale] == [
        (K("crm", "0002_customer_age"), "renamed", K("crm", "0002_age_of_customer"))
    ]


def test_edited_after_apply(history_shop: Path) -> None:
    project = load_static(history_shop)
    write_snapshot(
        history_shop / "prod.json",
        snapshot_dict(
            "prod",
            collect_applied(history_shop, dsns=["sqlite:///full.db"]).sets,
            {k: m.content_hash for k, m in project.migrations.items()},
        ),
    )
    path = history_shop / "crm/migrations/0002_customer_age.py"
    path.write_text(path.read_text().replace("default=0", "default=42"))
    result = report(history_shop, snapshots=("prod.json",))
    [finding] = result.findings
    taken = result.statuses[0].set.taken
    assert taken is not None
    assert finding == history_finding(
        "SK404",
        "edited-after-apply",
        "warning",
        (K("crm", "0002_customer_age"),),
        f"crm.0002_customer_age is applied but crm/migrations/0002_customer_age.py changed since the snapshot of "
        f"{taken.isoformat()}: databases that applied it ran the old version",
        "restore crm/migrations/0002_customer_age.py as it was applied (`git log -p -- "
        "crm/migrations/0002_customer_age.py`) and make the change in a new migration (`python manage.py "
        "makemigrations crm`)",
        ("prod",),
    )


@pytest.mark.django
def test_squash_not_recorded_while_replaces_is_kept(history_shop: Path) -> None:
    partial_billing(history_shop, "old.db")
    squash = history_shop / "billing/migrations" / f"{BILLING_SQUASH}.py"
    source = squash.read_text()
    squash.unlink()
    migrate(history_shop, [("billing", "0003_invoice_due")], db_env(name=str(history_shop / "old.db")))
    squash.write_text(source)
    result = report(history_shop, "old=sqlite:///old.db")
    [finding] = result.findings
    assert (finding.code, finding.severity) == ("SK405", "info")
    assert finding.hint == (
        "record the squashed name before removing `replaces` from billing.0001_squashed_0003_invoice_due: "
        "`python manage.py migrate billing` (nothing to apply; it records billing.0001_squashed_0003_invoice_due)"
    )
    assert result.exit_code == 0
    manage(history_shop, "migrate", "billing", env=db_env(name=str(history_shop / "old.db")))
    assert report(history_shop, "old=sqlite:///old.db").findings == ()


@pytest.mark.django
def test_finalized_squash_not_recorded(history_shop: Path) -> None:
    """Old migrations applied; the squash then lost its ``replaces`` and the old files were deleted."""
    billing = history_shop / "billing/migrations"
    (billing / f"{BILLING_SQUASH}.py").unlink()
    migrate(history_shop, [("billing", "0004_invoice_paid")], db_env(name=str(history_shop / "old.db")))
    for name in ("0001_initial", "0002_invoice_total", "0003_invoice_due"):
        (billing / f"{name}.py").unlink()
    (billing / f"{BILLING_SQUASH}.py").write_text(migration(ops=[], initial=True))
    (billing / "0004_invoice_paid.py").write_text(migration([("billing", BILLING_SQUASH)]))
    result = report(history_shop, "old=sqlite:///old.db")
    codes = [(f.code, f.severity, f.migrations) for f in result.findings]
    squash = K("billing", BILLING_SQUASH)
    replaced = (K("billing", "0001_initial"), K("billing", "0002_invoice_total"), K("billing", "0003_invoice_due"))
    assert codes == [
        ("SK401", "error", (K("billing", "0004_invoice_paid"), squash)),
        ("SK405", "error", (squash, *replaced)),
    ]
    sk405 = result.findings[1]
    assert sk405.message == (
        "billing.0001_squashed_0003_invoice_due has no `replaces` any more and is not recorded, while the "
        "migrations it squashed are (billing.0001_initial, billing.0002_invoice_total, billing.0003_invoice_due): "
        "Django would run billing.0001_squashed_0003_invoice_due again"
    )
    assert sk405.hint == (
        "record the squashed name in `python manage.py dbshell` (after checking that every migration it squashed "
        "is recorded): `INSERT INTO django_migrations (app, name, applied) VALUES ('billing', "
        "'0001_squashed_0003_invoice_due', CURRENT_TIMESTAMP);`, then `python manage.py migrate billing --prune` "
        "deletes the old rows"
    )
    assert "InconsistentMigrationHistory" in django_migrate_error(history_shop, history_shop / "old.db")
    run_fix_sql(history_shop / "old.db", sk405.hint, "INSERT")
    manage(history_shop, "migrate", "billing", "--prune", env=db_env(name=str(history_shop / "old.db")))
    assert report(history_shop, "old=sqlite:///old.db").findings == ()
    assert django_migrate_error(history_shop, history_shop / "old.db") == ""


def test_identical_sets_share_one_finding(history_shop: Path) -> None:
    for name in ("a.db", "b.db"):
        (history_shop / name).write_bytes((history_shop / "full.db").read_bytes())
        delete_rows(history_shop / name, ("crm", "0002_customer_age"))
    result = report(history_shop, "sqlite:///a.db", "sqlite:///b.db", "sqlite:///full.db")
    assert [f.labels for f in result.findings] == [("a", "b"), ("a", "b")]
    assert [g.labels for g in result.groups] == [["a", "b"], ["full"]]


def test_diagnosis_never_writes(history_shop: Path) -> None:
    delete_rows(history_shop / "full.db", ("crm", "0002_customer_age"))
    files = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in history_shop.glob("*.db")}
    report(history_shop, *(f"sqlite:///{p.name}" for p in files))
    assert files == {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in history_shop.glob("*.db")}


@pytest.mark.django
def test_sk401_exactly_when_django_raises(history_shop: Path) -> None:
    """Each recorded row of the fully migrated database deleted in turn: squashkit reports SK401 exactly when
    Django's ``migrate --plan`` stops with InconsistentMigrationHistory."""
    full = history_shop / "full.db"
    with sqlite3.connect(full) as conn:
        rows = [tuple(r) for r in conn.execute("SELECT app, name FROM django_migrations ORDER BY id")]
    conn.close()
    agreed = []
    for row in rows:
        db = history_shop / "case.db"
        db.write_bytes(full.read_bytes())
        delete_rows(db, row)
        sk401 = any(f.code == "SK401" for f in report(history_shop, "sqlite:///case.db").findings)
        try:
            manage(history_shop, "migrate", "--plan", env=db_env(name=str(db)))
            raised = False
        except AssertionError as exc:
            assert "InconsistentMigrationHistory" in str(exc), str(exc)
            raised = True
        agreed.append((row, sk401, raised))
    assert [a for a in agreed if a[1] != a[2]] == []
    assert sum(a[2] for a in agreed) >= 5  # most deletions break the history
