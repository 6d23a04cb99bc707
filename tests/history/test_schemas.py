from __future__ import annotations

from squashkit.history.schemas import SchemaSelection


def test_of_values() -> None:
    assert SchemaSelection.of(None).search_path
    assert SchemaSelection.of(False).search_path
    assert SchemaSelection.of(True) == SchemaSelection(all=True)
    assert SchemaSelection.of("*") == SchemaSelection(all=True)
    assert SchemaSelection.of(["public", "*"]) == SchemaSelection(all=True)
    assert SchemaSelection.of("public, tenant_*") == SchemaSelection(patterns=("public", "tenant_*"))


def test_select_names_and_globs() -> None:
    selection = SchemaSelection.of(["public", "tenant_1?", "missing"])
    assert selection.names == ["public", "missing"]
    assert selection.globs == ["tenant_1?"]
    available = ["public", "tenant_1", "tenant_10", "tenant_11", "tenant_2"]
    assert selection.select(available) == ["public", "tenant_10", "tenant_11"]
    assert SchemaSelection(all=True).select(available) == sorted(available)
    assert selection.describe() == "public, tenant_1?, missing"
    assert SchemaSelection(all=True).describe() == "all schemas"


def test_describe() -> None:
    assert SchemaSelection().describe() == "search path"
    assert SchemaSelection(patterns=("tenant_*", "public")).describe() == "tenant_*, public"
