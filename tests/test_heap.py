"""The collector held back during a build (bot/matcher/heap.py) comes back on after it, and
garbage made meanwhile, cycles included, is still freed: nothing is kept for good."""

from __future__ import annotations

import gc
import threading
import weakref

from bot.matcher.heap import held_back


class Node:
    me: Node


def test_cyclic_garbage_made_during_a_build_is_freed_after_it() -> None:
    assert gc.isenabled()
    with held_back():
        assert not gc.isenabled()
        node = Node()
        node.me = node  # a cycle: only the collector frees it
        gone = weakref.ref(node)
        del node
    assert gc.isenabled()
    gc.collect()
    assert gone() is None


def test_overlapping_builds_keep_it_held_back_until_the_last_ends() -> None:
    first_in, second_done = threading.Event(), threading.Event()
    seen: list[bool] = []

    def other_build() -> None:
        first_in.wait(5)
        with held_back():
            seen.append(gc.isenabled())
        second_done.set()

    thread = threading.Thread(target=other_build)
    thread.start()
    with held_back():
        first_in.set()
        assert second_done.wait(5)
        seen.append(gc.isenabled())  # the other build ended; this one still runs
    thread.join(5)
    assert seen == [False, False]
    assert gc.isenabled()
