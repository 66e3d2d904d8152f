"""The one claim use case, for every channel: plain Python, no Telegram.

    what came in (text, links, channel, who, where) + options
      -> readable?                         `readable` (the one rule)
      -> a statement the links point to    Core.link_answer            (options.use_links)
      -> an unknown link's page as text    sources.citizen             (options.fetch)
      -> match, and record before answering  Core.check / check_async  (options.record)
      -> keep the links for next time      Core.remember_links         (options.remember_links)
      -> what was recorded, on the update's log line   bot/updatelog.py
      -> Decision (tier, statements, what was recorded, what the moderators get)

Adapters (private chat, groups, inline mode, the CLI) build a `Claim`, pick their
channel's `Options` below, call `decide` (or `decide_now` off the event loop) and render
the `Decision`; none of them decides anything about the claim itself.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from bot import updatelog
from bot.core import Answer, Core, Who
from bot.domain import LONE_SURROGATE_RE
from bot.matcher.match import MIN_CONTENT_WORDS, Match, MatchResult, Tier, plausible
from bot.matcher.normalize import normalize
from bot.sources.urls import URL_IN_TEXT
from storage import Statement, get_statement
from storage.groups import SENSITIVITY_STRICT

if TYPE_CHECKING:
    from bot.sources.fetch import FetchPolicy

log = logging.getLogger(__name__)

MAX_CLAIM_CHARS = 20_000  # beyond this nothing helps matching; the rest is dropped
#: Inline mode answers while the user types: shorter queries are not worth a match.
MIN_INLINE_CHARS = 3
#: A group's strict sensitivity: on top of a confident match, the post must state the
#: statement's claim nearly word for word (nearly all its words, in one stretch).
STRICT_MIN_COVERAGE = 0.9
STRICT_MIN_FUZZY = 0.9


class Channel(StrEnum):
    """Where a claim came in; stored with each submission."""

    PRIVATE = "private"
    GROUP = "group"
    INLINE = "inline"
    CLI = "cli"


@dataclass(frozen=True, slots=True)
class Claim:
    """What came in. `user_hash`/`chat_hash` are keyed hashes (`Core.pseudonym`), computed
    once by the adapter; raw Telegram ids never reach the use case."""

    text: str
    urls: tuple[str, ...] = ()
    channel: Channel = Channel.CLI
    user_hash: str | None = None
    chat_hash: str | None = None
    update_id: int | None = None


@dataclass(frozen=True, slots=True)
class Options:
    """How a channel differs, as values: the path itself is the same for all."""

    record: bool = True  # store the claim before anyone is answered (False: a preview)
    asked: bool = True  # someone asked; False: only seen (a group's automatic check), it
    # counts toward trends but stays out of the moderators' queue
    use_links: bool = True  # the links count: a link alone is readable, and a statement
    # whose source (or earlier answer) is that link answers the claim
    remember_links: bool = True  # keep the claim's links, so the same link later gets
    # the same answer (`Core.link_answer`, "seen")
    fetch: FetchPolicy | None = None  # read an unknown link's page as the claim's text
    min_chars: int = 0  # shorter texts are not checked (inline mode, while typing)
    readable_only: bool = True  # False: any text is matched (and recorded, if it can be
    # stored): the operator's CLI shows what the matcher makes of anything

    def fetching(self, policy: FetchPolicy | None) -> Options:
        return dataclasses.replace(self, fetch=policy)


#: A citizen in a private chat: links answer, unknown pages are read (add the fetch
#: policy with `PRIVATE.fetching(policy)` when link fetching is on).
PRIVATE = Options()
#: Someone asked in a group (/cek, a mention): recorded as asked, links answer and are
#: remembered like a private ask (it enters the same queue); no page is fetched for a
#: group, whose answer must stay short and prompt.
GROUP_ASKED = Options()
#: A forwarded post the automatic check saw: recorded for trends only; its text alone is
#: the claim (a shared post's links are not a question anyone asked).
GROUP_AUTO = Options(asked=False, use_links=False, remember_links=False)
#: Inline mode while typing: nothing recorded (a query typed letter by letter would flood
#: the claims table), matched only when long enough.
INLINE_TYPING = Options(
    record=False, use_links=False, remember_links=False, min_chars=MIN_INLINE_CHARS
)
#: The user sent an inline result into a chat: now the query is a question asked.
INLINE_CHOSEN = Options(use_links=False, remember_links=False)
#: `cekklaim check`: the text as typed, whatever it is; `--no-record` is `CLI_PREVIEW`.
CLI = Options(use_links=False, remember_links=False, readable_only=False)
CLI_PREVIEW = dataclasses.replace(CLI, record=False)


def ask_options(private: bool, fetch: FetchPolicy | None = None) -> tuple[Channel, Options]:
    """The channel and options of a citizen's ask: in a private chat (an unknown link's page
    read with `fetch`, when link fetching is on) or in a group (/cek, a mention)."""
    if private:
        return Channel.PRIVATE, PRIVATE.fetching(fetch)
    return Channel.GROUP, GROUP_ASKED


def received(raw: str, links: Iterable[str] = ()) -> tuple[str, tuple[str, ...]]:
    """What a message says, made storable, and its links: the text cut at MAX_CLAIM_CHARS
    with NUL and lone surrogates (a JSON "\\ud800" escape is no character) replaced; the
    links in the text, then `links` the message marks, once each, trailing punctuation off."""
    raw = LONE_SURROGATE_RE.sub("\ufffd", raw.replace("\x00", " ")[:MAX_CLAIM_CHARS])
    urls = [*URL_IN_TEXT.findall(raw), *links]
    return raw.strip(), tuple(dict.fromkeys(u.rstrip(".,)") for u in urls))


#: Small talk, by kind: a message made only of these words (and filler) is a greeting,
#: thanks or an "ok", not a claim. Words are compared with repeated letters collapsed
#: ("haloo", "makasiih", "assalamualaikum" match), so each is listed collapsed.
SMALL_TALK = {
    "thanks": frozenset(
        "terima kasih makasih makasi maksih mksh trims terimakasih trimakasih tq tks thx "
        "thanks thank nuwun matur suwun".split()
    ),
    "greeting": frozenset(
        "halo helo hai hi hei hey pagi siang sore malam selamat met asalamualaikum "
        "asalamu alaikum salam permisi".split()
    ),
    "ack": frozenset("ok oke okay okey okeh sip siap mantap mantab baik god nice noted".split()),
}
#: An emoji alone says thanks or "ok" only when it is one of these (😡🔥 is no answer).
_EMOJI_TALK = {"🙏": "thanks", **dict.fromkeys("👍👌🙂😊❤👏✅🤝😀😁💪", "ack")}
_FILLER = frozenset(
    "ya yah iya dong deh nih ni kok min mimin admin kak kakak pak bu bang mas mbak bro sis "
    "gan om semua ygy you bot cekklaim juga banyak sekali wr wb warahmatulahi wabarakatuh".split()
)
_LAUGH = re.compile(r"(?:wk)+w?|(?:ha)+h?|(?:he)+h?|(?:hi){2,}")
_REPEATS = re.compile(r"(.)\1+")
MAX_SMALL_TALK_WORDS = 8


def small_talk(text: str) -> str | None:
    """ "thanks", "greeting" or "ack" when the message is only that (no claim in it), else
    None. Emoji alone count when they are _EMOJI_TALK's (🙏, 👍); any number or other word
    makes the message a claim."""
    text = text.strip()
    if not text:
        return None
    words = re.findall(r"\w+", text.lower())
    if not words:  # skin tones, variation selectors and joiners aside
        symbols = {c for c in text if unicodedata.category(c) not in ("Sk", "Mn", "Cf", "Zs")}
        kinds = {_EMOJI_TALK.get(c) for c in symbols}
        if not symbols or None in kinds:
            return None
        return "thanks" if "thanks" in kinds else "ack"
    if len(words) > MAX_SMALL_TALK_WORDS or any(not w.isalpha() for w in words):
        return None
    found = []
    for word in words:
        short = _REPEATS.sub(r"\1", word)
        kind = next((k for k, lexicon in SMALL_TALK.items() if short in lexicon), None)
        if kind is not None:
            found.append(kind)
        elif short not in _FILLER and not _LAUGH.fullmatch(word):
            return None
    return next((k for k in SMALL_TALK if k in found), None)


def readable(text: str, urls: tuple[str, ...] = (), *, min_chars: int = 0) -> bool:
    """Worth checking: a link, or at least one content word (and `min_chars` characters).

    The one rule every channel applies; what is not readable is neither matched nor
    recorded, and the citizen gets a how-to instead of a "no match".
    """
    if urls:
        return True
    text = " ".join(text.split())
    return len(text) >= max(min_chars, 1) and bool(normalize(text).content)


@dataclass(frozen=True, slots=True)
class Decision:
    """What the use case decided; adapters only render it.

    `answer` is None when the claim was not readable (nothing matched or recorded).
    `linked` is the statement the claim's links point to (`seen`: through earlier claims'
    links, not as its source); it answers in place of the matched tier.
    """

    claim: Claim
    options: Options
    answer: Answer | None
    linked: Statement | None = None
    seen: bool = False
    fetch_failure: str | None = None  # a FetchError reason: the page could not be read
    small_talk: str | None = None  # "thanks", "greeting", "ack": answered, never recorded

    @property
    def readable(self) -> bool:
        return self.answer is not None

    @property
    def tier(self) -> Tier:
        return Tier.NONE if self.answer is None else self.answer.tier

    @property
    def statements(self) -> tuple[Statement, ...]:
        """The matched statements, best first (empty when unreadable)."""
        return () if self.answer is None else self.answer.statements

    @property
    def best_match(self) -> Match | None:
        return None if self.answer is None else self.answer.result.best

    @property
    def claim_id(self) -> int | None:
        """The stored claim (None: nothing recorded, e.g. a preview or an unreadable text)."""
        return None if self.answer is None else self.answer.claim_id

    @property
    def duplicate(self) -> bool:
        """The same update was recorded before (a redelivery): record nothing new."""
        return self.answer is not None and self.answer.duplicate

    @property
    def too_short(self) -> bool:
        """Too few content words to be sure of anything: the "none" answer says so."""
        return self.answer is not None and (
            len(set(self.answer.result.query.content)) < MIN_CONTENT_WORDS
        )

    @property
    def for_moderators(self) -> bool:
        """The claim waits in the moderators' queue: asked, and stored without an answer
        (status "open"; a confident match or a moderator's link answers it).

        Moderators are not messaged per claim: the queue, and the fast-growing cluster
        alerts built from it, are how they hear of it."""
        return self.answer is not None and self.answer.status == "open" and self.options.asked

    def plausible(self) -> list[tuple[Match, Statement]]:
        """Matches that at least possibly answer the claim, best first (inline results)."""
        if self.answer is None:
            return []
        pairs = zip(self.answer.result.matches, self.answer.statements, strict=True)
        return [(m, s) for m, s in pairs if plausible(m)]


@dataclass(frozen=True, slots=True)
class _Plan:
    text: str  # what is matched (and recorded)
    linked: Statement | None
    seen: bool


def _plan(core: Core, claim: Claim, options: Options) -> _Plan | Decision:
    """Readable? Then what to match, and the statement the links point to, if any; else
    the Decision (nothing matched or recorded: small talk, or nothing to check)."""
    urls = claim.urls if options.use_links else ()
    if options.readable_only and not urls and (talk := small_talk(claim.text)) is not None:
        return Decision(claim, options, None, small_talk=talk)
    if options.readable_only and not readable(claim.text, urls, min_chars=options.min_chars):
        return Decision(claim, options, None)
    found = core.link_answer(urls) if urls else None
    linked, how = found if found else (None, None)
    return _Plan(claim.text or " ".join(urls), linked, how == "seen")


def _who(claim: Claim, options: Options) -> Who:
    return Who(
        claim.channel.value, claim.user_hash, claim.chat_hash, claim.update_id, options.asked
    )


def _decided(
    core: Core, claim: Claim, options: Options, plan: _Plan, answer: Answer, failure: str | None
) -> Decision:
    if options.record:
        log.debug("%s claim %s tier %s", claim.channel.value, answer.claim_id, answer.tier.value)
        updatelog.note_answer(answer)  # every channel's update line says what it recorded
        if options.remember_links and options.use_links:
            core.remember_links(answer.claim_id, claim.urls)
    return Decision(claim, options, answer, plan.linked, plan.seen, failure)


async def decide(core: Core, claim: Claim, options: Options) -> Decision:
    """The claim path for the event loop: the page is fetched off the loop and the claim
    stored with group commit (`Core.check_async`), committed before the caller answers."""
    plan = _plan(core, claim, options)
    if isinstance(plan, Decision):
        return plan
    text, failure = plan.text, None
    if plan.linked is None and options.fetch is not None and options.use_links and claim.urls:
        # a link known to no statement or earlier claim: what the page says is the claim
        from bot.sources.citizen import claim_text_with_page  # the fetcher: only when used

        read = await claim_text_with_page(claim.text, claim.urls, options.fetch)
        text, failure = read.text, read.failure
    if not options.record:
        answer = _preview(*await core.match_async(text))
    else:
        answer = await core.check_async(text, who=_who(claim, options))
    return _decided(core, claim, options, plan, answer, failure)


def decide_now(core: Core, claim: Claim, options: Options) -> Decision:
    """`decide` on the calling thread, for the CLI and tests: no page is fetched."""
    if options.fetch is not None:
        raise ValueError("decide_now cannot fetch pages: use decide")
    plan = _plan(core, claim, options)
    if isinstance(plan, Decision):
        return plan
    if not options.record:
        answer = _preview(*core.match(plan.text))
    else:
        answer = core.check(plan.text, who=_who(claim, options))
    return _decided(core, claim, options, plan, answer, None)


def _preview(result: MatchResult, statements: tuple[Statement, ...]) -> Answer:
    """A match shown, not recorded (inline queries, previews)."""
    return Answer(result, statements, False, None)


def speaks_unprompted(decision: Decision, sensitivity: str) -> bool:
    """May a group's automatic check answer a post nobody asked about? Only for a confident
    match not contradicted by the post's polarity, and with strict sensitivity only for a
    very strong one; never "no match" unprompted."""
    best = decision.best_match
    if decision.tier is not Tier.CONFIDENT or best is None or best.polarity_differs:
        return False
    return sensitivity != SENSITIVITY_STRICT or (
        best.coverage >= STRICT_MIN_COVERAGE and best.fuzzy >= STRICT_MIN_FUZZY
    )


@dataclass(frozen=True, slots=True)
class Listing:
    """What inline mode lists for a query: statements (with the match that found each; None
    for a shared one), or why none: "missing" (a shared id unknown), "unreadable" (too
    short to match), "no_match"."""

    found: tuple[tuple[Statement, Match | None], ...]
    shared: bool = False
    empty: str | None = None


def inline_listing(core: Core, query: str, share_prefix: str, limit: int) -> Listing:
    """An inline query as the user types it: `share_prefix` + an id shares that statement,
    anything else lists up to `limit` statements that at least possibly match, best first.
    Nothing is recorded (a query typed letter by letter would flood the claims table)."""
    query = " ".join(query.split())
    if query.startswith(share_prefix):
        statement = get_statement(core.db, query[len(share_prefix) :].strip())
        if statement is None:
            return Listing((), shared=True, empty="missing")
        return Listing(((statement, None),), shared=True)
    decision = decide_now(core, Claim(query, channel=Channel.INLINE), INLINE_TYPING)
    if not decision.readable:
        return Listing((), empty="unreadable")
    found = tuple((s, m) for m, s in decision.plausible()[:limit])
    return Listing(found, empty=None if found else "no_match")
