"""One codec for the Django runner's payloads and the record cache: records survive both carriers exactly."""

from __future__ import annotations

import dataclasses

import pytest

from squashkit import codec
from squashkit.graph import cache as cache_module
from squashkit.graph.model import MigrationKey
from squashkit.graph.static import load_static
from tests.graph.helpers import FIXTURES

K = MigrationKey


def via_json(value):
    return codec.loads_json(codec.dumps_json(value))


def via_marshal(value):
    return codec.loads_marshal(codec.dumps_marshal(value))


@pytest.mark.parametrize("carrier", [via_json, via_marshal], ids=["json", "marshal"])
@pytest.mark.parametrize("fixture", ["odd_files", "computed_deps", "syntax_error", "conflicts"])
def test_projects_roundtrip_exactly_through_both_carriers(fixture, carrier):
    project = load_static(FIXTURES / fixture, cache=False)
    again = codec.decode_project(carrier(codec.encode_project(project)))
    assert again == project
    assert again.problems == project.problems
    for key, info in project.migrations.items():
        assert dataclasses.asdict(again.migrations[key]) == dataclasses.asdict(info)
    assert again.graph().edges() == project.graph().edges()


def test_complete_project_flags_roundtrip():
    project = dataclasses.replace(
        load_static(FIXTURES / "conflicts"), complete=True, unmigrated_apps=frozenset({"sessions"})
    )
    again = codec.decode_project(via_json(codec.encode_project(project)))
    assert (again.complete, again.unmigrated_apps) == (True, frozenset({"sessions"}))


def test_unresolved_records_keep_their_flag():
    project = load_static(FIXTURES / "computed_deps")
    again = codec.decode_project(via_json(codec.encode_project(project)))
    assert again.migrations[K("reports", "0002_report_account")].unresolved is True


def test_encoded_record_is_plain_data():
    info = load_static(FIXTURES / "odd_files").migrations[K("catalog", "0001_initial")]
    deps, _replaces, run_before, *_ = codec.encode_info(info)
    assert deps == (("shop", "__first__", "first", None, 9),)
    assert run_before == (("shop", "0004_order_reference", "explicit", None, 11),)
    assert codec.decode_info(via_json(codec.encode_info(info)), info.path, info.key) == info


def test_key_encodings():
    key = K("sales_orders", "0001_initial")
    assert codec.key_text(key) == "sales_orders|0001_initial"
    assert codec.key_from_text("sales_orders|0001_initial") == key
    assert codec.decode_key(via_json(codec.encode_key(key))) == key
    assert type(codec.decode_key(["a", "b"])) is MigrationKey


def test_the_cache_and_the_runner_use_this_codec():
    """The record cache stores codec.encode_info entries with codec's marshal carrier; the Django loader's
    subprocess answers with codec.encode_project over codec's JSON carrier (no other encoding exists)."""
    import inspect

    from squashkit._django import child, runner
    from squashkit._django.actions import load
    from squashkit.graph import django_loader

    cache_source = inspect.getsource(cache_module)
    assert "codec.encode_info" in cache_source and "codec.dumps_marshal" in cache_source
    assert "import marshal" not in cache_source
    assert "codec.dumps_json" in inspect.getsource(runner) and "codec.dumps_json" in inspect.getsource(child)
    assert "codec.encode_project" in inspect.getsource(load)
    assert "codec.decode_project" in inspect.getsource(django_loader)
    for module in (runner, child, django_loader):
        assert "import json" not in inspect.getsource(module)


def test_a_cache_file_decodes_with_the_codec(tmp_path):
    root = FIXTURES / "odd_files"
    project = load_static(root, cache=tmp_path)
    (path,) = tmp_path.glob("*.marshal")
    header, entries = codec.loads_marshal(path.read_bytes())
    assert header[0] == "squashkit-migration-cache"
    text = str(root / "shop" / "migrations" / "0002_order_note.py")
    entry = entries[text]
    info = codec.decode_info(
        entry[1], root / "shop" / "migrations" / "0002_order_note.py", K("shop", "0002_order_note")
    )
    assert info == project.migrations[K("shop", "0002_order_note")]
