"""A whole base read at once (bot/matcher/bulk.py) gives exactly what reading each statement
on its own gives (`read`, then its counts copied into arrays word by word): the same words,
the same postings in the same order, the same counts, phrasings and lengths, whether the
statements are read from text, unpacked from what was kept, or both."""

from __future__ import annotations

import pickle
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from readingcases import CASES, PARTS, plain

from bot.matcher import packed, readers, reading
from bot.matcher.building import BaseBuilder
from bot.matcher.bulk import TermIds
from bot.matcher.normalize import prepare
from bot.matcher.postings import Built, IndexDoc, Rows, by_word, read
from bot.matcher.reading import phrasings_of

made_up = st.lists(st.sampled_from(PARTS), max_size=30).map("".join)


def reference(docs: list[IndexDoc]) -> dict[str, object]:
    """Each statement read on its own: per word, (statement, head count, body count) in
    statement order; and per statement its phrasings and lengths."""
    postings: dict[str, list[tuple[int, int, int]]] = {}
    heads, lengths = [], []
    for slot, doc in enumerate(docs):
        terms = read(doc)
        for word in sorted(terms.terms):
            counts = (slot, terms.head_tf.get(word, 0), terms.body_tf.get(word, 0))
            postings.setdefault(word, []).append(counts)
        heads.append(terms.heads)
        lengths.append((terms.head_len, terms.body_len))
    return {"postings": postings, "heads": heads, "lengths": lengths}


def as_read(built: Built) -> dict[str, object]:
    base = built.postings
    postings = {}
    for row, word in enumerate(base.names):
        a, b = int(base.start[row]), int(base.start[row + 1])
        got = (base.slots[a:b], base.head_tf[a:b], base.body_tf[a:b])
        postings[word] = list(zip(*(g.tolist() for g in got), strict=True))
    lengths = list(zip(built.head_len.tolist(), built.body_len.tolist(), strict=True))
    return {"postings": postings, "heads": built.heads, "lengths": lengths}


def from_text(docs: list[IndexDoc]) -> Built:
    builder = BaseBuilder()
    for doc in docs:
        builder.add_text(doc)
    return builder.built()


def docs_of(texts: list[str]) -> list[IndexDoc]:
    """Statements whose claims, variants and clarifications are the given texts."""
    return [
        IndexDoc(f"s{i}", texts[i], tuple(texts[i + 1 : i + 2]), " ".join(texts[i:]))
        for i in range(len(texts))
    ]


def test_a_base_read_at_once_is_read_as_each_statement_alone() -> None:
    docs = docs_of(CASES)
    built = from_text(docs)
    assert built.ids == [d.statement_id for d in docs]
    assert as_read(built) == reference(docs)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(made_up, min_size=1, max_size=6))
def test_made_up_bases_are_read_as_each_statement_alone(texts: list[str]) -> None:
    docs = docs_of(texts)
    assert as_read(from_text(docs)) == reference(docs)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(made_up)
def test_a_text_is_read_as_normalize_reads_it(text: str) -> None:
    reader = TermIds(Rows())
    expected = plain(text)
    assert reader.normalized(text) == expected
    assert words(reader, text) == list(expected.terms)


#: words that make amounts across spaces ("rp 5 000", "600 ribu"), or look as if they might
AMOUNT_WORDS = [
    *("rp", "rp.", "Rp", "5", "600", "000", "1.500", "12345", "0", "2024", "5,5", "٣", "½"),
    *("juta", "ribu", "rb", "k", "m", "t", "jt", "miliar", "milik", "tri", "5k", "rp5"),
    *("pemilu", "tidak", "benar", "gak", "ya", "sih", "?", "tidak?", "é", "😀", "-", ".", "x"),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(AMOUNT_WORDS), max_size=25).map(" ".join))
def test_amounts_across_parts_are_read_as_normalize_reads_them(text: str) -> None:
    reader = TermIds(Rows())
    assert words(reader, text) == list(plain(text).terms)


def test_amounts_across_parts_leave_the_text_read_a_part_at_a_time() -> None:
    """Parts an amount may cross are read as one ("rp 600 ribu"), the rest of the text
    a part at a time still, as normalize.py reads it."""
    text = "Bansos Rp 600 ribu dan 5 juta per KK, cair 2024 pemilu"
    reader = TermIds(Rows())
    found = reader._by_parts(prepare(text))
    assert found is not None
    assert found[0][1:3] == ["rp 600 ribu", "dan"] and "5 juta" in found[0]
    assert words(reader, text) == list(plain(text).terms)
    assert reader.normalized(text) == plain(text)


def words(reader: TermIds, text: str) -> list[str]:
    """A text's terms as the reader gives them, by id."""
    ids = np.frombuffer(reader.ids(text), np.int32).tolist()
    names = list(reader.rows)
    return [names[i] for i in ids]


def test_tables_that_start_over_give_the_same() -> None:
    """The reader's tables are bounded: past their limit they are emptied and filled again."""
    reader = TermIds(Rows(), limit=3)
    for text in CASES * 2:
        assert reader.normalized(text) == plain(text)
        assert words(reader, text) == list(plain(text).terms)


def test_a_long_number_before_a_word_is_read_whole() -> None:
    """A piece is put together from its parts only where no amount may cross between them
    ("600 ribu" is one amount; "2024 pemilu" is two words)."""
    cases = ("rp 600 ribu", "5 000 000 orang", "2024 pemilu", "harga 5 k", "5 miliaran", "12345 é")
    cases += ("5\u2028rb, 5000",)  # "5\u2028rb" is an amount only in a text with one
    # what follows an amount is read cleaned: "kwww.x" is "k", "r!bu" is "ribu"
    cases += ("1.500.000\xa0kwww.x", "5 r!bu", "5 mi£iar", "rp 5 @x ribu")
    cases += ("benar http://x/5 tidak", "atau 1234567 tidak")  # tokens between, or none
    for text in cases:
        assert TermIds(Rows()).normalized(text) == plain(text)
        assert words(TermIds(Rows()), text) == list(plain(text).terms)


@pytest.mark.parametrize("share", [0.0, 0.5, 1.0])
def test_kept_and_read_statements_make_one_base(share: float) -> None:
    """Statements unpacked from what was kept and statements read from text, mixed in any
    order, make the base reading all of them would."""
    docs = docs_of([*CASES, "pemilu 2024 diundur", "tinta pemilu mengandung babi"])
    kept_every = 1 / share if share else 0
    builder = BaseBuilder()
    for i, doc in enumerate(docs):
        blob = packed.pack(read(doc)) if kept_every and i % int(kept_every) == 0 else None
        parts = packed._parts(blob) if blob is not None else None
        if parts is None:
            builder.add_text(doc)
            continue
        heads, text, head_bytes, body_bytes, n = parts
        words = text.split(" ") if n else []
        phrasings = phrasings_of(heads)
        builder.add_kept(doc.statement_id, phrasings, words, (head_bytes, body_bytes))
    assert as_read(builder.built()) == reference(docs)


def test_the_counts_of_a_body_are_its_terms() -> None:
    """A body's counts are how often each root occurs in it (not how many pieces hold it)."""
    doc = IndexDoc("s1", "Pemilu 2024 diundur?", ("pemilu ditunda",), CASES[1] + " " + CASES[4])
    built = from_text([doc])
    counts = zip(built.postings.names, built.postings.body_tf.tolist(), strict=True)
    assert {w: c for w, c in counts if c} == dict(Counter(plain(doc.clarification).terms))


@pytest.mark.parametrize("smallest_chunk", [1, 10_000])  # many chunks each, or one
def test_a_base_read_in_worker_processes_is_the_same(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, smallest_chunk: int
) -> None:
    """Statements read by worker processes, a chunk at a time (each worker with words of
    its own, mapped back to the builder's), give what reading them here gives."""
    monkeypatch.setattr(readers, "SHARED_FROM", 2)
    monkeypatch.setattr(readers, "SMALLEST_CHUNK", smallest_chunk)
    here: list[int] = []
    read_here = reading.read_here

    def counted(docs: list[IndexDoc], rows: Rows) -> reading.Texts:
        here.append(len(docs))
        return read_here(docs, rows)

    monkeypatch.setattr(readers, "read_here", counted)
    docs = docs_of([*CASES, *PARTS])
    shared = BaseBuilder(processes=2)
    for doc in docs:
        shared.add_text(doc)
    assert as_read(shared.built()) == reference(docs)
    assert here == []  # every statement was read by the workers
    assert "failed" not in caplog.text


def test_statements_sent_to_workers_are_left_as_they_were() -> None:
    """Pickling a string outside ASCII would keep a UTF-8 copy inside it for as long as the
    bot keeps the statement (about 150 MB at 100,000 statements): the texts are sent
    encoded, and come back in the worker as they were."""
    text = "KPU “tidak pernah” menyatakan café… ditunda " * 40
    doc = IndexDoc("id-é", text, (text[:30], "lone \ud83d surrogate"), text)
    size = sys.getsizeof(text)
    chunk = pickle.loads(pickle.dumps(reading.sent([doc]), pickle.HIGHEST_PROTOCOL))
    assert sys.getsizeof(text) == size
    assert reading._docs(chunk) == [doc]
    pickle.dumps(text)  # what sending the string itself would do
    assert sys.getsizeof(text) > size


@pytest.mark.parametrize(("n", "processes"), [(100_000, 2), (20_000, 4), (999, 2), (2_500, 2)])
def test_chunks_cover_a_base_once_in_order_and_shrink(n: int, processes: int) -> None:
    bounds = readers.chunked(n, processes)
    assert [a for a, _ in bounds] == [0, *(b for _, b in bounds[:-1])]
    assert bounds[-1][1] == n
    sizes = [b - a for a, b in bounds]
    assert sizes[:-1] == sorted(sizes[:-1], reverse=True)  # the last takes what is left
    assert min(sizes) >= min(n, readers.SMALLEST_CHUNK)
    assert sizes[0] in (n, max(readers.SMALLEST_CHUNK, n // (2 * processes)))


def test_workers_that_cannot_start_leave_the_reading_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "SHARED_FROM", 2)

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("no processes here")

    monkeypatch.setattr(readers.subprocess, "Popen", broken)
    docs = docs_of(CASES)
    builder = BaseBuilder(processes=3)
    for doc in docs:
        builder.add_text(doc)
    assert as_read(builder.built()) == reference(docs)


@pytest.mark.parametrize(
    ("worker", "seconds", "said"),
    [
        ("import sys; sys.stderr.write('no memory left'); sys.exit(3)", 60.0, "no memory left"),
        ("import time; time.sleep(60)", 0.3, "exited with -9"),  # killed when late
    ],
)
def test_a_worker_that_fails_or_hangs_leaves_the_reading_here(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    worker: str,
    seconds: float,
    said: str,
) -> None:
    monkeypatch.setattr(readers, "SHARED_FROM", 2)
    monkeypatch.setattr(readers, "WORKER_SECONDS", seconds)
    monkeypatch.setattr(readers, "command", lambda: [sys.executable, "-c", worker])
    docs = docs_of(CASES)
    builder = BaseBuilder(processes=2)
    for doc in docs:
        builder.add_text(doc)
    assert as_read(builder.built()) == reference(docs)
    assert "reading in worker processes failed" in caplog.text
    assert said in caplog.text


def test_one_failing_worker_ends_the_others_and_the_reading_is_done_here(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(readers, "SHARED_FROM", 2)
    monkeypatch.setattr(readers, "SMALLEST_CHUNK", 1)
    commands = iter([readers.command(), [sys.executable, "-c", "import sys; sys.exit(5)"]])
    monkeypatch.setattr(readers, "command", lambda: next(commands))
    docs = docs_of([*CASES, *PARTS])
    builder = BaseBuilder(processes=2)
    for doc in docs:
        builder.add_text(doc)
    assert as_read(builder.built()) == reference(docs)
    assert "worker exited with 5" in caplog.text


def test_a_worker_is_given_chunks_only_as_it_answers(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Workers that take nothing in and never answer are given AHEAD chunks each, not all
    of them (their pipes would hold them all), until they are given up: a chunk goes to
    the worker ready for it."""
    monkeypatch.setattr(readers, "SHARED_FROM", 2)
    monkeypatch.setattr(readers, "SMALLEST_CHUNK", 1)
    monkeypatch.setattr(readers, "WORKER_SECONDS", 0.5)
    sleeping = [sys.executable, "-c", "import time; time.sleep(60)"]
    monkeypatch.setattr(readers, "command", lambda: sleeping)
    given: list[int] = []
    sent = reading.sent

    def counted(docs: list[IndexDoc]) -> reading.Sent:
        given.append(len(docs))
        return sent(docs)

    given_up: list[int] = []  # chunks given when each worker was given up
    timer = readers.threading.Timer

    def late(seconds: float, kill: Callable[[], object]) -> threading.Timer:
        return timer(seconds, lambda: (given_up.append(len(given)), kill()))

    monkeypatch.setattr(readers, "sent", counted)
    monkeypatch.setattr(readers.threading, "Timer", late)
    docs = docs_of([*CASES, *PARTS])
    assert len(readers.chunked(len(docs), 2)) > 2 * readers.AHEAD
    builder = BaseBuilder(processes=2)
    for doc in docs:
        builder.add_text(doc)
    assert as_read(builder.built()) == reference(docs)  # read here after they were given up
    assert "exited with -9" in caplog.text
    # at the first give-up (the other's comes after the first feeder was let go: one more)
    assert given_up and given_up[0] <= 2 * readers.AHEAD


def test_a_worker_given_bad_input_ends_with_an_error() -> None:
    worker = subprocess.run(
        readers.command(),
        input=b"this is no pickle",
        capture_output=True,
        timeout=60,
        cwd=Path(readers.__file__).resolve().parents[2],
        check=False,
    )
    assert worker.returncode == 1
    assert b"UnpicklingError" in worker.stderr


@pytest.mark.parametrize("largest_word", [50, 2**50])  # 2**50: the entry needs over 63 bits
def test_entries_in_any_order_are_grouped_by_word_then_statement(largest_word: int) -> None:
    rng = np.random.default_rng(4)
    pairs = {
        (int(w), int(s))
        for w, s in zip(rng.integers(0, largest_word, 500), rng.integers(0, 90, 500), strict=True)
    }
    term, slot = (np.array(x, dtype=np.int64) for x in zip(*pairs, strict=True))
    head, body = rng.integers(0, 4, len(term)), rng.integers(1, 300, len(term))
    got = by_word((term, slot, head, body), 90)
    order = np.lexsort((slot, term))
    for mine, theirs in zip(got, (term, slot, head, body), strict=True):
        assert mine.tolist() == theirs[order].tolist()
    assert [a.tolist() for a in by_word(got, 90)] == [a.tolist() for a in got]


def test_shares_with_words_of_their_own_merge_as_one_sort_groups_them() -> None:
    """`reading.merged` (each share's run of a word copied into place) gives what sorting
    all the entries, in the building process's ids, gives; and the shares' lengths in turn."""
    rng = np.random.default_rng(9)
    words, shares, first, everything, lengths = 40, [], 0, [], []
    for size in (30, 1, 25):  # statements per share, placed one share after another
        drawn = zip(rng.integers(0, 12, 60), rng.integers(0, size, 60), strict=True)
        pairs = sorted({(int(w), int(s)) for w, s in drawn})
        local, slot = (np.array(x, dtype=np.int32) for x in zip(*pairs, strict=True))
        mine = rng.permutation(words)[:12]  # the share's word ids in the building process
        head, body = (rng.integers(0, 5, len(local)).astype(np.uint16) for _ in range(2))
        present, runs = np.unique(local, return_counts=True)
        own = (rng.integers(0, 99, size), rng.integers(0, 99, size))
        shares.append((mine, reading.Counted(present, runs, slot, head, body, *own), first))
        everything.append((mine[local], slot + first, head, body))
        lengths.append(own)
        first += size
    together = tuple(np.concatenate(a) for a in zip(*everything, strict=True))
    expected = by_word(together, first)  # type: ignore[arg-type]
    got = reading.merged(shares, words)
    assert [a.tolist() for a in got.entries()] == [a.tolist() for a in expected]
    assert got.words.tolist() == sorted(set(expected[0].tolist()))
    for i in (0, 1):
        assert got[5 + i].tolist() == np.concatenate([o[i] for o in lengths]).tolist()
