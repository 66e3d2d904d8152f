"""The settings of official sources: defaults, syntax, every problem reported at once."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings

SECRET = "test-secret-0123456789"


def load(**env: str):  # type: ignore[no-untyped-def]
    return load_settings(environ={"CEKKLAIM_SECRET": SECRET, "CEKKLAIM_DB": ":memory:", **env},
                         env_file=None)  # fmt: skip


def test_defaults() -> None:
    s = load()
    assert dict(s.official_domains) == {"kpu.go.id": "KPU", "bawaslu.go.id": "Bawaslu"}
    assert s.fetch_links is True and s.fetch_allow_loopback is False
    assert s.fetch_timeout_seconds == 8 and s.source_feeds == () and s.feed_poll_minutes == 30


def test_values() -> None:
    s = load(
        OFFICIAL_DOMAINS="kpu.go.id, dkpp.go.id, 127.0.0.1=KPU",
        FETCH_LINKS="0",
        FETCH_ALLOW_LOOPBACK="yes",
        FETCH_TIMEOUT_SECONDS="3",
        SOURCE_FEEDS="https://www.kpu.go.id/rss, https://bawaslu.go.id/sitemap.xml",
        FEED_POLL_MINUTES="15",
    )
    assert dict(s.official_domains) == {"kpu.go.id": "KPU", "dkpp.go.id": "DKPP",
                                        "127.0.0.1": "KPU"}  # fmt: skip
    assert (s.fetch_links, s.fetch_allow_loopback, s.fetch_timeout_seconds) == (False, True, 3)
    assert s.source_feeds == ("https://www.kpu.go.id/rss", "https://bawaslu.go.id/sitemap.xml")
    assert s.feed_poll_minutes == 15
    assert "official_domains" in repr(s) and "source_feeds" in repr(s)


def test_every_problem_at_once() -> None:
    with pytest.raises(SettingsError) as caught:
        load(
            OFFICIAL_DOMAINS="kpu.go.id,https://x/",
            FETCH_LINKS="mungkin",
            FETCH_ALLOW_LOOPBACK="2",
            FETCH_TIMEOUT_SECONDS="0",
            SOURCE_FEEDS="https://ok.example/rss ftp://bad/feed",
            FEED_POLL_MINUTES="x",
        )
    names = sorted(p.split(":")[0] for p in caught.value.problems)
    assert names == ["FEED_POLL_MINUTES", "FETCH_ALLOW_LOOPBACK", "FETCH_LINKS",
                     "FETCH_TIMEOUT_SECONDS", "OFFICIAL_DOMAINS", "SOURCE_FEEDS"]  # fmt: skip


def test_an_empty_domain_list_is_unset() -> None:
    assert "kpu.go.id" in load(OFFICIAL_DOMAINS=" ").official_domains
    with pytest.raises(SettingsError, match="OFFICIAL_DOMAINS"):
        load(OFFICIAL_DOMAINS=",,")


@pytest.mark.parametrize(
    "feed", ["https://[::1", "https://[zz]/rss", "https://kpu.go.id:99999/rss", "https://kpu.go.id:x/"]
)
def test_a_feed_url_urllib_raises_on_is_a_settings_problem(feed: str) -> None:
    """Named in the error (cekklaim prints it and exits 2), not a ValueError at start-up."""
    with pytest.raises(SettingsError) as caught:
        load(SOURCE_FEEDS=f"https://www.kpu.go.id/rss {feed}")
    assert [p.split(":")[0] for p in caught.value.problems] == ["SOURCE_FEEDS"]
    assert repr(feed) in str(caught.value)
