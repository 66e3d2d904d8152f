"""A fresh snapshot made after another finds statements by their source links exactly as
one made from nothing, normalizing only the links the one before did not have."""

from __future__ import annotations

from datetime import date

import pytest

from bot import snapshot
from bot.snapshot import Reading, next_snapshot, snapshot_of, source_keys
from bot.sources.urls import normalize_url
from storage import Statement

DAY = date(2026, 1, 5)


def statement(n: int, url: str | None, claim: str = "") -> Statement:
    return Statement(
        n, f"s{n}", "KPU", "hoaks", claim or f"klaim nomor {n}", "", url, None, None, None,
        None, "active", None, "2026-01-01", "2026-01-01",
    )  # fmt: skip


def reading(statements: list[Statement]) -> Reading:
    return Reading(1, 0, DAY, statements, True)


def lookups(snap: snapshot.Snapshot) -> dict[str, list[int]]:
    return {key: [s.id for s in group] for key, group in snap.by_source_key.items()}


BEFORE = [
    statement(1, "https://www.kpu.go.id/berita/1?utm_source=wa"),
    statement(2, "http://kpu.go.id/berita/1/"),  # the same page as 1
    statement(3, "https://bawaslu.go.id/x#atas"),
    statement(4, None),
    statement(5, ""),
    statement(6, "ftp://kpu.go.id/berkas"),  # not a web link: no key
    statement(7, "https://turnbackhoax.id/a"),
]
AFTER = [
    statement(1, "https://www.kpu.go.id/berita/1?utm_source=wa"),
    statement(2, "https://kpu.go.id/berita/2"),  # its link changed
    statement(3, "https://bawaslu.go.id/x#atas"),
    statement(4, "https://bawaslu.go.id/x"),  # now has one, the page of 3
    statement(6, "ftp://kpu.go.id/berkas"),
    statement(8, "https://turnbackhoax.id/a?fbclid=1"),  # new, the page of the gone 7
    statement(9, "http://[::1]:8080/p"),
]


def test_a_fresh_build_after_a_snapshot_finds_the_same_statements_by_link() -> None:
    first = next_snapshot(None, reading(BEFORE))
    assert lookups(first) == {
        "kpu.go.id/berita/1": [1, 2],
        "bawaslu.go.id/x": [3],
        "turnbackhoax.id/a": [7],
    }
    rebuilt = next_snapshot(first, reading(AFTER), rebuild=True)
    assert (
        lookups(rebuilt)
        == lookups(snapshot_of(1, AFTER))
        == {
            "kpu.go.id/berita/1": [1],
            "kpu.go.id/berita/2": [2],
            "bawaslu.go.id/x": [3, 4],
            "turnbackhoax.id/a": [8],
            "[::1]:8080/p": [9],
        }
    )


def test_only_links_the_snapshot_before_did_not_have_are_normalized(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = next_snapshot(None, reading(BEFORE))
    assert source_keys(first) == {
        "https://www.kpu.go.id/berita/1?utm_source=wa": "kpu.go.id/berita/1",
        "http://kpu.go.id/berita/1/": "kpu.go.id/berita/1",
        "https://bawaslu.go.id/x#atas": "bawaslu.go.id/x",
        "https://turnbackhoax.id/a": "turnbackhoax.id/a",
    }
    normalized: list[str] = []

    def counting(url: str) -> str | None:
        normalized.append(url)
        return normalize_url(url)

    monkeypatch.setattr(snapshot, "normalize_url", counting)
    again = [statement(10, AFTER[1].source_url), statement(11, AFTER[0].source_url)]
    rebuilt = next_snapshot(first, reading(AFTER + again), rebuild=True)  # links met twice
    assert sorted(normalized) == sorted(
        [
            "https://kpu.go.id/berita/2",
            "https://bawaslu.go.id/x",
            "ftp://kpu.go.id/berkas",
            "https://turnbackhoax.id/a?fbclid=1",
            "http://[::1]:8080/p",
        ]
    )
    monkeypatch.undo()
    assert lookups(rebuilt) == lookups(snapshot_of(1, AFTER + again))
