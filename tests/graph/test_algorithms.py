"""Ancestor bit-sets over plain parent maps (used by proposals and by verification inside Django)."""

from __future__ import annotations

import doctest

from squashkit.graph import algorithms
from squashkit.graph.algorithms import ancestor_bits


def test_doctests() -> None:
    assert doctest.testmod(algorithms).failed == 0


def test_diamond_and_nodes_without_position() -> None:
    r"""
    a -> b -> d
     \-> c -/        (c has no position: it passes a's bit on, adds none)
    """
    parents = {"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"]}
    assert ancestor_bits(parents, {"a": 0, "b": 1, "d": 2}) == {"a": 0, "b": 0b1, "c": 0b1, "d": 0b11}


def test_unreached_parent_or_cycle_gives_none() -> None:
    assert ancestor_bits({"b": ["a"]}, {"a": 0, "b": 1}) is None
    assert ancestor_bits({"a": ["c"], "b": ["a"], "c": ["b"]}, {}) is None
