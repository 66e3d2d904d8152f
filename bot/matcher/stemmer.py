"""Word roots for Indonesian, fast enough for every word of every claim.

The roots come from Sastrawi's dictionary (PySastrawi, about 30,000 root words). Sastrawi's
own stemmer runs its confix-stripping rules as objects and costs about 0.4 ms for each word it
has not seen; a forwarded post brings dozens of such words, more than a claim's whole time
budget. This module tries the same affixes as plain string operations, longest first, and
accepts the first candidate that is a dictionary root: microseconds per word, and the same
root as Sastrawi for 9 in 10 affixed words (tests/test_normalize.py pins the usual ones).

Only the root is wanted, for matching: "mencoblos", "dicoblos" and "pencoblosan" all give
"coblos"; a word with no root in the dictionary (a name, slang, English) stays as it is.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

_PARTICLES = ("lah", "kah", "tah", "pun")
_POSSESSIVES = ("ku", "mu", "nya")
_DERIVATIONAL = ("an", "kan", "i")  # "-an" first: "penculikan" is "culik", not "culi"
_VOWELS = frozenset("aeiou")
MIN_ROOT = 3


def _load_roots() -> frozenset[str]:
    text = resources.files("Sastrawi.Stemmer").joinpath("data/kata-dasar.txt").read_text("utf-8")
    return frozenset(w.strip() for w in text.split() if w.strip())


ROOTS = _load_roots()


def _suffix_forms(word: str) -> list[str]:
    """The word without inflectional then derivational suffixes, each step optional;
    the fullest stripping last, so the shortest change is tried first."""
    forms = [word]
    for group in (_PARTICLES, _POSSESSIVES, _DERIVATIONAL):
        extra = []
        for form in forms:
            for suffix in group:
                if form.endswith(suffix) and len(form) - len(suffix) >= MIN_ROOT:
                    extra.append(form[: -len(suffix)])
        forms.extend(extra)
    # informal Jakarta "-in" for "-kan"/"-i" ("dimundurin", "dibagiin")
    forms.extend(f[:-2] for f in list(forms) if f.endswith("in") and len(f) - 2 >= MIN_ROOT)
    return forms


def _prefix_forms(word: str) -> list[str]:
    """Candidate roots once one prefix is taken off, with the nasal changes of me-/pe-
    ("menulis" -> "tulis", "memilih" -> "pilih", "mengirim" -> "kirim", "menyebar" ->
    "sebar")."""
    out: list[str] = []
    for prefix in ("di", "ke", "se", "ter", "ber", "be", "per", "pe", "me"):
        if not word.startswith(prefix):
            continue
        rest = word[len(prefix) :]
        if prefix in ("me", "pe"):
            vowel = rest[2:3] in _VOWELS if rest.startswith(("ng", "ny")) else rest[1:2] in _VOWELS
            if rest.startswith("ng"):  # "mengirim" -> kirim, "mengambil" -> ambil
                out += [rest[2:], "k" + rest[2:]] if vowel else [rest[2:]]
            elif rest.startswith("ny"):  # "menyebar" -> sebar
                out += ["s" + rest[2:], rest]
            elif rest.startswith("m"):  # "memilih" -> pilih, "membeli" -> beli
                out += ["p" + rest[1:], rest] if vowel else [rest[1:]]
            elif rest.startswith("n"):  # "menulis" -> tulis, "menanti" -> nanti
                out += ["t" + rest[1:], rest] if vowel else [rest[1:]]
            else:
                out.append(rest)
            if prefix == "pe" and rest.startswith("r"):
                out.append(rest[1:])
        elif prefix in ("ber", "ter", "per") and rest[:1] == "r":
            out += [rest, rest[1:]]
        else:
            out.append(rest)
    return [f for f in out if len(f) >= MIN_ROOT]


@lru_cache(maxsize=262_144)
def root(word: str) -> str:
    """The dictionary root of `word`, or `word` itself when none is found."""
    if word in ROOTS:
        return word
    forms = _suffix_forms(word)
    for form in forms:
        if form in ROOTS:
            return form
    # one prefix off, the fewest suffixes off first ("dicuri" is "curi", not "cur"); only
    # then two prefixes ("diperpanjang", "memperbaiki"), so "penyebaran" is "sebar", not "baran"
    once = [_prefix_forms(form) for form in forms]
    for candidates in once:
        for candidate in candidates:
            if candidate in ROOTS:
                return candidate
    for candidates in once:
        for candidate in candidates:
            for twice in _prefix_forms(candidate):
                if twice in ROOTS:
                    return twice
    return word
