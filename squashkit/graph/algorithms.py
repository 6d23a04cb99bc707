"""Pure algorithms over plain parent maps, shared by the graph, proposal and verification code.

They take ``parents`` (every node -> its parents) rather than a graph type, so the same code serves
squashkit's networkx graph, a rewired copy of it, and Django's own ``MigrationGraph`` in a subprocess.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

__all__ = ["ancestor_bits"]

K = TypeVar("K", bound=Hashable)


def ancestor_bits(parents: Mapping[K, Iterable[K]], position: Mapping[K, int]) -> dict[K, int] | None:
    """Per node, the bit-set of its strict ancestors that have a ``position`` (bit ``1 << position[node]``).

    Nodes without a position pass their ancestors' bits on without a bit of their own.  Kahn's algorithm: any
    topological order gives the same bit-sets.  Returns None when some node is never reached (a cycle, or a
    parent that is not itself a key of ``parents``).

    >>> ancestor_bits({"a": [], "b": ["a"], "c": ["b"]}, {"a": 0, "b": 1, "c": 2})
    {'a': 0, 'b': 1, 'c': 3}
    >>> ancestor_bits({"a": ["b"], "b": ["a"]}, {"a": 0, "b": 1}) is None
    True
    """
    pending: dict[K, int] = {}
    children: dict[K, list[K]] = {}
    for node, node_parents in parents.items():
        count = 0
        for parent in node_parents:
            children.setdefault(parent, []).append(node)
            count += 1
        pending[node] = count
    ready = [node for node, count in pending.items() if count == 0]
    bits: dict[K, int] = {}
    while ready:
        node = ready.pop()
        value = 0
        for parent in parents[node]:
            value |= bits[parent]
            if parent in position:
                value |= 1 << position[parent]
        bits[node] = value
        for child in children.get(node, ()):
            pending[child] -= 1
            if not pending[child]:
                ready.append(child)
    return bits if len(bits) == len(pending) else None
