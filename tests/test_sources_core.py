"""Links in the core: normalized sources, links remembered with claims (no network)."""

from __future__ import annotations

from dbhelpers import link, who

import storage
from bot.core import Core


def core_with(*sources: tuple[str, str]) -> Core:
    core = Core.open(":memory:", "test-secret-0123456789", seed=False)
    for external_id, url in sources:
        storage.save_statement(
            core.db,
            storage.StatementInput(
                external_id=external_id, org="KPU", verdict="HOAKS",
                claim=f"klaim {external_id}", clarification="klarifikasi", source_url=url,
            ),
            actor="test",
        )  # fmt: skip
    core.refresh(force=True)
    return core


def answered_claim(core: Core, text: str, url: str, external_id: str) -> None:
    answer = core.check(text, who(core, "cli"))
    core.remember_links(answer.claim_id, (url,))
    assert answer.claim_id is not None
    link(core, answer.claim_id, external_id, actor="mod:1")


def test_normalized_sources_and_shared_homepages() -> None:
    core = core_with(("a", "https://www.kpu.go.id/a/"), ("b", "https://kpu.go.id"),
                     ("c", "https://kpu.go.id/"))  # fmt: skip
    found = core.link_answer(("http://kpu.go.id/a?utm_campaign=x",))
    assert found is not None and found[0].external_id == "a"
    assert core.link_answer(("https://www.kpu.go.id",)) is None  # two share it


def test_links_of_answered_claims() -> None:
    core = core_with(("a", "https://kpu.go.id/a"), ("b", "https://kpu.go.id/b"))
    answered_claim(core, "pesan berantai pertama soal kotak suara", "https://t.me/x/1", "a")
    found = core.link_answer(("https://t.me/x/1?igshid=zz",))
    assert found is not None and (found[0].external_id, found[1]) == ("a", "seen")
    # the same link answered differently elsewhere: it no longer says which claim it is
    answered_claim(core, "pesan lain yang sama sekali berbeda isinya", "https://t.me/x/1", "b")
    assert core.link_answer(("https://t.me/x/1",)) is None
    # a site's root never answers through earlier claims
    answered_claim(core, "kabar ketiga tentang surat suara rusak", "https://example.org/", "a")
    assert core.link_answer(("https://example.org",)) is None
    # an open (unanswered) claim's link answers nothing
    open_claim = core.check("kabar keempat belum dijawab siapa pun", who(core, "cli"))
    core.remember_links(open_claim.claim_id, ("https://t.me/x/9",))
    assert core.link_answer(("https://t.me/x/9",)) is None


def test_a_claim_many_links_share_answers_none_of_them() -> None:
    """A login wall's title as the claim text: one claim row for every link behind it."""
    core = core_with(("a", "https://kpu.go.id/a"))
    wall = [f"https://social.example/post/{n}" for n in range(4)]
    answer = core.check("masuk ke akun anda untuk melihat kiriman ini", who(core, "cli"))
    for url in wall:
        core.remember_links(answer.claim_id, (url,))
    assert answer.claim_id is not None
    link(core, answer.claim_id, "a", actor="mod:1")
    assert core.link_answer((wall[0],)) is None
    found = core.link_answer(("https://kpu.go.id/a/",))
    assert found is not None and found[1] == "source"
