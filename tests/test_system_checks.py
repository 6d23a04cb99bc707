"""The ``squashkit`` Django system checks on a copy of sample_project with ``"squashkit"`` in INSTALLED_APPS:
``manage.py check --tag squashkit`` shows the findings as ``squashkit.SK201``...; a plain ``check`` does not run
them; ``manage.py squashkit check --format json`` gives the CLI's JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from squashkit.system_checks import requested

pytestmark = pytest.mark.django


def _manage(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # manage.py takes DJANGO_SETTINGS_MODULE from the environment first: another test's must not leak in
    env = {k: v for k, v in os.environ.items() if k not in ("SQUASHKIT_SETTINGS", "DJANGO_SETTINGS_MODULE")}
    env["SQUASHKIT_CACHE_DIR"] = str(root.parent / "cache")
    return subprocess.run(
        [sys.executable, "-B", "manage.py", *args], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def with_app(sample_copy: Path) -> Path:
    settings = sample_copy / "sample_project" / "settings.py"
    text = settings.read_text()
    settings.write_text(text.replace("INSTALLED_APPS = [\n", 'INSTALLED_APPS = [\n    "squashkit",\n', 1))
    return sample_copy


def test_check_tag_squashkit(with_app: Path) -> None:
    result = _manage(with_app, "check", "--tag", "squashkit")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output  # warnings and info do not fail Django's check
    assert output.count("(squashkit.SK201)") == 5
    assert output.count("(squashkit.SK202)") == 5
    assert (
        "inventory.0021_stocklevel_supplier: (squashkit.SK201) inventory/migrations/0021_stocklevel_supplier.py:10: "
        "inventory.0021_stocklevel_supplier depends on purchase_orders.0011_purchaseorder_received_at: needs only "
        "purchase_orders.0001_initial, which creates purchase_orders.supplier"
    ) in output


def test_plain_check_does_not_run_them(with_app: Path) -> None:
    result = _manage(with_app, "check")
    assert result.returncode == 0
    assert "squashkit." not in result.stdout + result.stderr


def test_management_command_json_is_the_clis(with_app: Path, run_cli) -> None:
    managed = _manage(with_app, "squashkit", "check", ".", "--format", "json")
    cli = run_cli("check", with_app, "--format", "json")
    assert managed.returncode == cli.exit_code == 1
    assert json.loads(managed.stdout)["findings"] == json.loads(cli.stdout)["findings"]


def test_requested() -> None:
    assert requested(["manage.py", "check", "--tag", "squashkit"])
    assert requested(["manage.py", "check", "-t", "squashkit", "--deploy"])
    assert requested(["manage.py", "check", "--tag=squashkit"])
    assert not requested(["manage.py", "check"])
    assert not requested(["manage.py", "runserver"])
