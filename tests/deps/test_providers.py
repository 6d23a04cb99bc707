"""Per-app providers, following RenameModel/RenameField/DeleteModel along the app's own chain.

inventory: 0001 creates Item -> 0002 adds sku -> 0003 renames Item to Product -> 0004 renames sku to code
-> 0005 deletes Product -> 0006 creates Product again.
"""

from __future__ import annotations

from pathlib import Path

from squashkit.deps.providers import AppChain, Provision, build_chains
from squashkit.graph.model import FieldRef, MigrationKey, ModelRef
from squashkit.graph.static import load_static
from tests.projects import add_field, build, create, migration

K = MigrationKey


def chain(tmp_path: Path) -> AppChain:
    names = ["0001_initial", "0002_sku", "0003_rename", "0004_code", "0005_delete", "0006_again"]
    ops = [
        [create("Item")],
        [add_field("Item", "sku", "models.CharField(max_length=5)")],
        ["migrations.RenameModel(old_name='Item', new_name='Product')"],
        ["migrations.RenameField(model_name='product', old_name='sku', new_name='code')"],
        ["migrations.DeleteModel(name='Product')"],
        [create("Product")],
    ]
    apps = {
        "inventory": {
            name: migration([("inventory", names[i - 1])] if i else [], ops=ops[i]) for i, name in enumerate(names)
        }
    }
    project = load_static(build(tmp_path, apps))
    return build_chains(project.graph(), project.migrations)["inventory"]


def test_chain_order_roots_and_leaves(tmp_path: Path) -> None:
    inventory = chain(tmp_path)
    assert [n.name for n in inventory.nodes][:2] == ["0001_initial", "0002_sku"]
    assert inventory.roots == [K("inventory", "0001_initial")]
    assert inventory.leaves == [K("inventory", "0006_again")]
    assert inventory.is_ancestor(K("inventory", "0002_sku"), K("inventory", "0004_code"))
    assert not inventory.is_ancestor(K("inventory", "0004_code"), K("inventory", "0002_sku"))


def test_providers_follow_renames_and_deletions(tmp_path: Path) -> None:
    inventory = chain(tmp_path)
    item, product = ModelRef("inventory", "item"), ModelRef("inventory", "product")
    at = {n.name[:4]: n for n in inventory.nodes}
    assert inventory.provide("exists", item, at["0002"]) == Provision(at["0001"], "creates inventory.item")
    assert inventory.provide("exists", item, at["0003"]) is None  # renamed away
    assert inventory.provide("exists", product, at["0004"]) == Provision(
        at["0003"], "renames inventory.item to inventory.product"
    )
    assert inventory.provide("exists", product, at["0005"]) is None  # deleted
    assert inventory.provide("exists", product, at["0006"]) == Provision(at["0006"], "creates inventory.product")
    code = FieldRef("inventory", "product", "code")
    assert inventory.provide("field", code, at["0004"]) == Provision(
        at["0004"], "renames inventory.product.sku to code"
    )
    assert inventory.provide("field", FieldRef("inventory", "item", "sku"), at["0002"]) == Provision(
        at["0002"], "adds inventory.item.sku"
    )
    assert inventory.provide("state", product, at["0004"]) == Provision(
        at["0004"], "changes inventory.product (RenameField)"
    )
