"""Turn informal Indonesian text into comparable tokens.

One pipeline for statements and claims alike, so both sides of a match are read the same way:
NFKC -> lower case -> symbols used as letters ("C0r€T", "N4NG!S") -> drop URLs, mentions,
emoji -> squeeze letter runs -> drop question tags ("bener gak sih?") -> split -> fold digits
used as letters -> expand slang and election vocabulary -> (content tokens) drop stopwords ->
(terms) reduce each word to its root (stemmer.py, on Sastrawi's dictionary), so "mencoblos",
"pencoblosan" and "dicoblos" meet in the index.
"""

from __future__ import annotations

import operator
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import TypeVar

from bot.matcher import paced
from bot.matcher.lexicon import ELECTION, NEGATIONS, QUESTION_TAG_LEADS, SLANG, STOPWORDS
from bot.matcher.stemmer import root

_URL = re.compile(r"(?:https?://|www\.)\S+")
_DOMAIN = re.compile(r"\b[\w.-]+\.(?:com|id|co\.id|go\.id|net|org|ly)\b\S*")
_TLDS = (".com", ".id", ".net", ".org", ".ly")
_MENTION = re.compile(r"[@#]\w+")
# "benar²", "hati2", "apa-apa": reduplication marks -> the base word once.
_REDUP = re.compile(r"\b([a-z]{2,})(?:²|2|-\1)\b")
_RUN = re.compile(r"([a-z])\1{2,}")  # "bohoooong" -> "bohong"; Indonesian has no triple letters
# "diundurr": no Indonesian word ends so
_FINAL_DOUBLE = re.compile(r"([b-df-hj-np-tv-z])\1(?![a-z0-9])")
# `pattern.sub(_FIRST_GROUP, text)` is `pattern.sub(r"\1", text)`, whose template is
# worked out in Python on every call, matched or not: for a word, the three took 4.5 us
# that way and 0.8 us this way (each new word of a base or a claim goes through them)
_FIRST_GROUP = operator.methodcaller("group", 1)
_COMBINING = re.compile(r"[\u0300-\u036f]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_TOKEN = re.compile(r"[a-z0-9]+")
_PHRASE_TABLE = {**SLANG, **ELECTION}
# Symbols typed for letters inside words: "C0r€T", "N4NG!S", "Pr0v0k?Si". Only between
# letters or digits, so "benar!" and "kenapa?" keep their punctuation.
_SYMBOL_LETTERS = {"€": "e", "£": "l", "¢": "c", "$": "s"}
_INNER_BANG = re.compile(r"(?<=[a-z0-9])[!|](?=[a-z0-9])")
_INNER_QUESTION = re.compile(r"(?<=[a-z0-9])\?(?=[a-z0-9])")
# Digits typed for letters ("Be1ur", "PENCUC14N", "per1ntah"): a run of one or two digits
# with letters on both sides, in a word that is mostly letters, so "g30s", "h1n1", "covid19",
# "rp50rb" and "5g" stay as they are.
_LEET_DIGITS = str.maketrans("0134579", "oieastg")
_LEET_RUN = re.compile(r"(?<=[a-z])[0-9]{1,2}(?=[a-z])")
_NEG_WORDS = "gak|ga|gk|nggak|ngga|nggk|enggak|engga|tidak|tdk|ndak|kagak|gag|tak"
_LEADS = "|".join(QUESTION_TAG_LEADS)
# Question tags are not negations: "bener gak sih ...", "... ya gak?", "pemilu diundur atau
# tidak?" ask whether something is true; they do not say it is not.
_QUESTION_TAG = re.compile(
    rf"\b(?:(?:{_LEADS})\s+(?:{_NEG_WORDS})\s+(?:sih|si|nih|ya)\b"
    rf"|(?:{_LEADS})\s+(?:{_NEG_WORDS})\b\s*(?:sih|si|nih|ya|yah)?\s*(?=[?!.,;:]|$)"
    rf"|(?:{_NEG_WORDS})\s*(?:sih|si)?\s*\?)"
)

# Amounts: "Rp 600.000", "rp600rb", "600 ribu" and "Rp600 000" (a page address) are one
# amount, written one way ("600ribu"): bansos and prize hoaxes are told by their amounts.
# a round number with separators ("600.000", "1.500.000"); "204.807.222" stays in groups
_THOUSANDS = re.compile(r"(?<![\d.,])(\d{1,3}(?:[.,]\d{3})*[.,]000)(?![\d]|[.,]\d)")
_SPACED_THOUSANDS = re.compile(r"\b(\d{1,3}(?: 000)+)\b")
_RP = re.compile(r"\brp\.?\s?(?=\d)")
_AMOUNT = re.compile(
    r"\b(rp )?(\d+)(?:[.,](\d{1,3}))?\s?"
    r"(ribu|rb|juta|jt|miliar|milyar|triliun|k|m|t)?(?![a-z0-9])"
)
# a cheap first look: most texts hold no amount, and amounts() makes four passes
_MAYBE_AMOUNT = re.compile(r"\d(?:[., ]?000|\d{3}| ?(?:ribu|rb|juta|jt|mil|tri))|rp\.? ?\d")
_UNITS = {
    "ribu": 10**3, "rb": 10**3, "k": 10**3, "juta": 10**6, "jt": 10**6,
    "miliar": 10**9, "milyar": 10**9, "m": 10**9, "triliun": 10**12, "t": 10**12,
}  # fmt: skip
_NAMES = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (10**3, "ribu"))

MAX_CHARS = 20_000  # longer posts are cut: nothing a person forwards needs more to be matched


@dataclass(frozen=True, slots=True)
class Normalized:
    """A text read for matching: all tokens (negations kept) and the content tokens."""

    tokens: tuple[str, ...]
    content: tuple[str, ...]
    terms: tuple[str, ...] = ()  # content words reduced to their roots: what is indexed

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    @property
    def negated(self) -> bool:
        return any(t in NEGATIONS for t in self.tokens)


def clean(text: str) -> str:
    """Unicode-fold, lower-case and strip what never carries a claim (URLs, mentions, emoji).

    The whole text through each step in turn: the definition that `tokens` (the fast way,
    a piece at a time) must agree with (tests/test_normalize_fast.py)."""
    text = prepare(text)
    text = _before_amounts(text)
    if _MAYBE_AMOUNT.search(text):
        text = amounts(text)
    return _QUESTION_TAG.sub(" ", _after_amounts(text))


def prepare(text: str) -> str:
    """A text folded (NFKC), in lower case, cut at MAX_CHARS."""
    text = text[:MAX_CHARS]
    if not text.isascii():  # NFKC leaves ASCII as it is
        if "\u2026" in text:
            # "…" as NFKC writes it, first: it is all NFKC would change in most posts that
            # have it, and a text NFKC would leave as it is costs it a quick look only
            # (a character decomposes on its own, and "." composes with nothing)
            text = text.replace("\u2026", "...")
        text = unicodedata.normalize("NFKC", text)
    return text.lower().replace("\x00", " ")


def _before_amounts(text: str) -> str:
    # each rule only where its character occurs: most texts have none
    if not text.isascii() or "$" in text:
        for symbol, letter in _SYMBOL_LETTERS.items():
            if symbol in text:
                text = text.replace(symbol, letter)
    if "!" in text or "|" in text:
        text = _INNER_BANG.sub("i", text)
    if "?" in text:
        text = _INNER_QUESTION.sub("", text)
    if "//" in text or "www." in text:
        text = _URL.sub(" ", text)
    if "." in text and any(tld in text for tld in _TLDS):
        text = _DOMAIN.sub(" ", text)
    if "@" in text or "#" in text:
        text = _MENTION.sub(" ", text)
    return text


def _after_amounts(text: str) -> str:
    if not text.isascii():
        # Fold accents ("café" -> "cafe"); what is left outside ASCII is emoji and symbols.
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
        text = _NON_ASCII.sub(" ", text)
    return _letter_runs(_REDUP.sub(_FIRST_GROUP, text))


def _letter_runs(text: str) -> str:
    """Runs of one letter squeezed, a final double consonant made single."""
    return _FINAL_DOUBLE.sub(_FIRST_GROUP, _RUN.sub(_FIRST_GROUP, text))


def amounts(text: str) -> str:
    """Write every amount one way: its digits in the largest round unit ("600ribu",
    "15juta", "300triliun"); "k", "m" and "t" count as units only after "rp"."""
    if "rp" in text:
        text = _RP.sub("rp ", text)
    if "000" in text:
        text = _THOUSANDS.sub(lambda m: re.sub(r"[.,]", "", m.group(1)), text)
        text = _SPACED_THOUSANDS.sub(lambda m: m.group(1).replace(" ", ""), text)
    return _AMOUNT.sub(_amount, text)


def _amount(m: re.Match[str]) -> str:
    rp, whole, fraction, unit = m.group(1), m.group(2), m.group(3), m.group(4)
    if unit in ("k", "m", "t") and not rp:
        return m.group()
    if unit is None and (len(whole) < 4 or (not rp and len(whole) < 5) or whole[0] == "0"):
        return m.group()  # a plain small number, a year, a count: as it is
    if len(whole) > 15:
        return m.group()
    scale = _UNITS[unit] if unit else 1
    value = int(whole) * scale
    if fraction:
        value += int(fraction) * scale // 10 ** len(fraction)
    for size, name in _NAMES:
        if value >= size and value % size == 0:
            return f"{rp or ''}{value // size}{name}"
    return f"{rp or ''}{value}"


def unleet(token: str) -> str:
    """Digits typed for letters back to letters ("p3ncuc14n" -> "pencucian"), with the
    letter-run rules applied again to what they make ("aab5$" reads "aab5s" -> "aabs", as
    "aabss" does: reading a text's words again gives the same words)."""
    if token.isalpha() or token.isdigit() or token.startswith("rp"):
        return token
    letters = sum(map(str.isalpha, token))  # no Python frame per character
    if letters < 4 or letters < 2 * (len(token) - letters):
        return token
    letters_back = _LEET_RUN.sub(lambda m: m.group().translate(_LEET_DIGITS), token)
    if letters_back == token:
        return token
    return _letter_runs(letters_back)


_TIMES = re.compile(r"^([1-9])x$")  # "2x", "3x": so many times


def expand(token: str) -> tuple[str, ...]:
    """A raw token as the words it stands for: slang and election vocabulary spelled out
    ("nyoblos" -> "mencoblos"), digits typed for letters turned back, "2x" -> "2 kali"."""
    times = _TIMES.match(token)
    if times:
        return (times.group(1), "kali")
    token = unleet(token)
    mapped = _PHRASE_TABLE.get(token)
    if mapped is None:
        return (token,)
    return tuple(mapped.split())


#: Canonical words of our own tables stay whole ("pemilu" is not "milu").
_KEEP = frozenset(w for v in _PHRASE_TABLE.values() for w in v.split())


def stem(word: str) -> str:
    """The root of one content word (stemmer.py); words of four letters or fewer, numbers
    and our own canonical words are kept as they are."""
    if len(word) <= 4 or not word.isalpha() or word in _KEEP:
        return word
    return root(word)


def normalize(text: str) -> Normalized:
    """Read a text into tokens; the same call serves statements and citizens' claims."""
    return _read(_split_tokens(clean(text)))


def normalize_many(text: str) -> Normalized:
    """`normalize(text)`, the fast way (below): for the statements of a whole base, whose
    pieces recur. A lone claim reads faster whole: its pieces are mostly new to the tables."""
    return _read(raw_tokens(text))


def terms(text: str) -> Iterator[str]:
    """`normalize(text).terms`, the fast way, one after another, with nothing else made on
    the way: how a statement's clarification is read for the index."""
    return chain.from_iterable(map(_TERMS.__getitem__, raw_tokens(text)))


def _read(raw: list[str]) -> Normalized:
    tokens = tuple(chain.from_iterable(map(_EXPANDED.__getitem__, raw)))
    content = tuple(filter(_CONTENT.__getitem__, tokens))
    return Normalized(tokens=tokens, content=content, terms=tuple(map(_STEMS.__getitem__, content)))


# ------------------------------------------------------------------ the fast way
# `clean` runs a dozen regular expressions over the whole text; at 100,000 statements of a
# few thousand characters each that was most of an index build. Every step but two only
# looks inside a run of non-space characters, so the text is cut at spaces into pieces and
# each distinct piece is cleaned once (a word like "pemilu" or "2024." recurs in thousands
# of statements). The two steps that look across spaces are handled whole:
# - amounts ("rp 600", "600 ribu", "1 000 000") only cross a space after a digit, "p" or
#   ".": the text is not cut there, so an amount stays within one piece;
# - question tags ("bener gak sih") need a question mark or a lead word and a negation
#   among the words: only then does the whole text go through that expression.
_PIECE = re.compile(r" (?<!\d )(?!(?<=rp )\d|(?<=rp\. )\d)")  # see above
_LEAD_WORDS = frozenset(QUESTION_TAG_LEADS)
_NEG_SET = frozenset(_NEG_WORDS.split("|"))
# every ASCII character but [a-z0-9] -> space: the tokens of an ASCII text are its split
_SEPARATORS = bytes(
    c if chr(c) in "abcdefghijklmnopqrstuvwxyz0123456789" else 32 for c in range(256)
)
MEMO_LIMIT = 100_000  # distinct pieces or words each table remembers; it starts over past this

K = TypeVar("K")
V = TypeVar("V")


class Memo(dict[K, V]):
    """A pure function's values by argument, computed on first use (`memo[arg]`), so a
    `map(memo.__getitem__, ...)` over known arguments runs without Python calls."""

    def __init__(self, fn: Callable[[K], V], limit: int | None = None) -> None:
        super().__init__()
        self.fn = fn
        self.limit = limit  # None: MEMO_LIMIT as it is when the table fills

    def __missing__(self, key: K) -> V:
        if len(self) >= (MEMO_LIMIT if self.limit is None else self.limit):
            self.clear()
        value = self[key] = self.fn(key)
        return value


_BEFORE: Memo[str, str] = Memo(_before_amounts)
_HAS_AMOUNT: Memo[str, bool] = Memo(lambda p: _MAYBE_AMOUNT.search(_BEFORE[p]) is not None)
_PLAIN: Memo[str, str] = Memo(lambda p: _after_amounts(_BEFORE[p]))
_WITH_AMOUNTS: Memo[str, str] = Memo(lambda p: _after_amounts(amounts(_BEFORE[p])))
# a piece's tokens: a text's are its pieces' in turn (the pieces were cut at spaces)
_PLAIN_TOKENS: Memo[str, tuple[str, ...]] = Memo(lambda p: _kept(_split_tokens(_PLAIN[p])))
_AMOUNT_TOKENS: Memo[str, tuple[str, ...]] = Memo(
    lambda p: _kept(_split_tokens(_WITH_AMOUNTS[p]))
)


def _kept(tokens: list[str]) -> tuple[str, ...]:
    """Tokens as a table keeps them: one copy of each word however many pieces hold it."""
    return tuple(map(sys.intern, tokens))


def forget() -> None:
    """Empty the tables: after reading a whole base, most of what they hold is of no more
    use (each table is bounded, but together they held ~100 MB at 100,000 statements)."""
    for table in (_BEFORE, _HAS_AMOUNT, _PLAIN, _WITH_AMOUNTS, _PLAIN_TOKENS, _AMOUNT_TOKENS):
        paced.emptied(table)  # `clear()` of 100,000 entries held the GIL ~35 ms


def _split_tokens(text: str) -> list[str]:
    """`_TOKEN.findall(text)`."""
    if text.isascii():
        return text.encode().translate(_SEPARATORS).decode().split()
    return _TOKEN.findall(text)


def _may_tag(text: str, tokens: list[str]) -> bool:
    """Whether the question-tag expression could match: it needs a question mark, or a lead
    word with only spaces before a negation (so the two are neighbours among the tokens)."""
    if "?" in text:
        return True
    leads = _LEAD_WORDS.intersection(tokens)
    negations = _NEG_SET.intersection(tokens) if leads else ()
    if not negations:
        return False
    words = f" {' '.join(tokens)} "
    return any(f" {lead} {neg} " in words for lead in leads for neg in negations)


def raw_tokens(text: str) -> list[str]:
    """`_TOKEN.findall(clean(text))`, a piece at a time (see above)."""
    text, pieces = cut(text)
    amount = any(map(_HAS_AMOUNT.__getitem__, pieces))
    found = list(
        chain.from_iterable(map((_AMOUNT_TOKENS if amount else _PLAIN_TOKENS).__getitem__, pieces))
    )
    return untagged(text, pieces, amount, found)


def cut(text: str) -> tuple[str, list[str]]:
    """A text prepared (`prepare`) and its pieces (see above)."""
    text = prepare(text)
    return text, _PIECE.split(text)


def untagged(
    text: str,
    pieces: list[str],
    amount: bool,
    found: list[str],
    cleaned: Callable[[str], str] | None = None,
) -> list[str]:
    """The tokens `found` in a prepared text's pieces (each piece's `piece_tokens`), with
    its question tags dropped: the whole text through that expression when it may hold one.
    `cleaned`: each piece cleaned in the text's reading (`piece_clean`), from a table."""
    if _may_tag(text, found):
        if cleaned is None:
            cleaned = (_WITH_AMOUNTS if amount else _PLAIN).__getitem__
        return _split_tokens(_QUESTION_TAG.sub(" ", " ".join(map(cleaned, pieces))))
    return found


def is_content(token: str) -> bool:
    """Not a stopword, not a lone letter, not a long number (phone numbers, ids)."""
    if token in STOPWORDS:
        return False
    if token.isdigit():
        return len(token) <= 6
    return len(token) > 1


_EXPANDED: Memo[str, tuple[str, ...]] = Memo(expand)
_CONTENT: Memo[str, bool] = Memo(is_content)
_STEMS: Memo[str, str] = Memo(stem)
_TERMS: Memo[str, tuple[str, ...]] = Memo(
    lambda raw: tuple(_STEMS[t] for t in _EXPANDED[raw] if _CONTENT[t])
)
