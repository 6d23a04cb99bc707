"""RunPython functions of replaced migrations: copied with what they use, or referenced with the reason."""

from __future__ import annotations

import textwrap
from pathlib import Path

from squashkit.squash.generate import WRITER_NAMES
from squashkit.squash.porting import FunctionRef, plan_ports


def _module(tmp_path: Path, name: str, source: str) -> Path:
    path = tmp_path / "shop" / "migrations" / f"{name}.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))
    return path


def _ref(path: Path, qualname: str) -> FunctionRef:
    return FunctionRef(f"shop.migrations.{path.stem}", path, qualname)


def test_copies_function_with_helpers_constants_and_imports(tmp_path: Path) -> None:
    path = _module(
        tmp_path,
        "0003_fill",
        """
        import decimal
        import json
        from django.db import migrations, models

        LIMIT = 10
        NAMES = {"a": "b"}


        def helper(x):
            return NAMES.get(x, x)[:LIMIT]


        def forwards(apps, schema_editor):
            for item in apps.get_model("shop", "Item").objects.all():
                item.name = helper(item.name) + str(decimal.Decimal(1))
                item.save()


        class Migration(migrations.Migration):
            operations = [migrations.RunPython(forwards)]
        """,
    )
    plan = plan_ports([_ref(path, "forwards")], WRITER_NAMES)
    (port,) = plan.ports
    assert (port.status, port.expression, port.reason, port.line) == ("copied", "forwards", "", 14)
    assert plan.imports == ("import decimal",)
    assert plan.blocks == (
        "# Copied from shop/migrations/0003_fill.py\n"
        'LIMIT = 10\nNAMES = {"a": "b"}\n\n\n'
        "def helper(x):\n    return NAMES.get(x, x)[:LIMIT]\n\n\n"
        "def forwards(apps, schema_editor):\n"
        '    for item in apps.get_model("shop", "Item").objects.all():\n'
        "        item.name = helper(item.name) + str(decimal.Decimal(1))\n"
        "        item.save()",
    )


def test_module_state_is_referenced_with_the_reason(tmp_path: Path) -> None:
    path = _module(
        tmp_path,
        "0005_remember",
        """
        CACHE = {}


        def remember(apps, schema_editor):
            CACHE["x"] = 1
        """,
    )
    (port,) = plan_ports([_ref(path, "remember")], WRITER_NAMES).ports
    assert port.status == "referenced"
    assert port.expression == 'importlib.import_module("shop.migrations.0005_remember").remember'
    assert (
        port.note == "needs porting: `remember` uses module-level `CACHE`, line 2, which the module modifies (line 6)"
    )


def test_reasons(tmp_path: Path) -> None:
    path = _module(
        tmp_path,
        "0007_odd",
        """
        import logging
        logger = logging.getLogger(__name__)
        COUNT = 0
        try:
            import yaml
        except ImportError:
            yaml = None


        def logs(apps, schema_editor):
            logger.info("x")


        def counts(apps, schema_editor):
            global COUNT
            COUNT = COUNT + 1


        def needs_file(apps, schema_editor):
            return __file__


        def optional(apps, schema_editor):
            return yaml


        def unknown(apps, schema_editor):
            return MISSING
        """,
    )
    names = ["logs", "counts", "needs_file", "optional", "unknown"]
    plan = plan_ports([_ref(path, n) for n in names], WRITER_NAMES)
    assert [p.note for p in plan.ports] == [
        "needs porting: `logs` uses module-level `logger`, line 3 (computed at import time)",
        "needs porting: `counts` assigns module-level `COUNT`",
        "needs porting: `needs_file` uses `__file__`, which differs in the squashed module",
        "needs porting: `optional` uses module-level `yaml`, line 6 (bound more than once or conditionally)",
        "needs porting: `unknown` uses `MISSING`, which the module does not define",
    ]
    assert plan.imports == ("import importlib",)
    assert plan.blocks == ()


def test_clashing_names_get_the_migration_number(tmp_path: Path) -> None:
    first = _module(
        tmp_path,
        "0002_a",
        """
        LIMIT = 10


        def forwards(apps, schema_editor):
            return LIMIT
        """,
    )
    second = _module(
        tmp_path,
        "0004_b",
        """
        LIMIT = 20


        def forwards(apps, schema_editor):
            return LIMIT
        """,
    )
    same = _module(
        tmp_path,
        "0006_c",
        """
        LIMIT = 10


        def forwards(apps, schema_editor):
            return LIMIT
        """,
    )
    plan = plan_ports([_ref(first, "forwards"), _ref(second, "forwards"), _ref(same, "forwards")], WRITER_NAMES)
    assert [p.expression for p in plan.ports] == ["forwards", "forwards_0004", "forwards"]
    assert plan.blocks[1] == (
        "# Copied from shop/migrations/0004_b.py\nLIMIT_0004 = 20\n\n\ndef forwards_0004(apps, schema_editor):\n"
        "    return LIMIT_0004"
    )
    assert len(plan.blocks) == 2  # 0006's identical definitions are shared


def test_writer_names_are_not_imported_twice(tmp_path: Path) -> None:
    path = _module(
        tmp_path,
        "0003_f",
        """
        from django.db import models
        from django.db.models import F


        def forwards(apps, schema_editor):
            apps.get_model("shop", "Item").objects.update(n=F("n") + models.Value(1))
        """,
    )
    plan = plan_ports([_ref(path, "forwards")], WRITER_NAMES)
    assert plan.ports[0].status == "copied"
    assert plan.imports == ("from django.db import models", "from django.db.models import F")
    clash = _module(
        tmp_path,
        "0004_g",
        """
        from shop import models


        def forwards(apps, schema_editor):
            return models
        """,
    )
    (port,) = plan_ports([_ref(clash, "forwards")], WRITER_NAMES).ports
    assert port.note == (
        "needs porting: `forwards` imports `models` (from shop import models), which the squashed file binds otherwise"
    )
