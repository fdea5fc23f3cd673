"""account_models.py: the account's model list is fetched at most once a cell, failures included."""

from __future__ import annotations

import pytest

from chatwithtech_magic.account_models import OncePerCell


class Boom(Exception):
    pass


def test_outside_a_cell_every_call_fetches():
    calls = []
    memo = OncePerCell()
    memo.fetch("k", lambda: calls.append(1) or ["a"])
    memo.fetch("k", lambda: calls.append(1) or ["a"])
    assert len(calls) == 2


def test_inside_a_cell_the_first_list_is_reused_and_each_caller_gets_its_own_copy():
    calls = []
    memo = OncePerCell()
    with memo.cell():
        first = memo.fetch("k", lambda: calls.append(1) or ["a", "b"])
        first.append("changed by the first caller")
        second = memo.fetch("k", lambda: calls.append(1) or ["x"])
    assert calls == [1] and second == ["a", "b"]


def test_a_failing_list_is_not_asked_again_in_the_same_cell_but_is_in_the_next():
    calls = []

    def failing():
        calls.append(1)
        raise Boom("no list")

    memo = OncePerCell()
    with memo.cell():
        for _ in range(2):
            with pytest.raises(Boom):
                memo.fetch("k", failing)
    with memo.cell():
        with pytest.raises(Boom):
            memo.fetch("k", failing)
    assert len(calls) == 2


def test_different_connections_are_fetched_apart():
    memo = OncePerCell()
    with memo.cell():
        assert memo.fetch("one", lambda: ["a"]) == ["a"]
        assert memo.fetch("two", lambda: ["b"]) == ["b"]
