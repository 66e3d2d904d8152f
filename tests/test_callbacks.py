"""The callback-data codec: what it writes it reads back; anything else is refused."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.replies import callbacks
from bot.replies.callbacks import Arg

PICK = callbacks.declare("tp", Arg.ID, Arg.ID)
SUB = callbacks.declare("tq:a", Arg.WORD)
TOP = callbacks.declare("tq", Arg.WORD, Arg.WORD)


def test_round_trip() -> None:
    data = callbacks.encode(PICK, 12, 345)
    assert data == "tp:12:345"
    pressed = callbacks.decode(data)
    assert pressed is not None
    assert pressed.kind is PICK
    assert (pressed.id(0), pressed.id(1)) == (12, 345)


def test_sub_kind_wins_over_its_parent() -> None:
    sub = callbacks.decode("tq:a:c12")
    top = callbacks.decode("tq:d:c12")
    assert sub is not None and sub.kind is SUB and sub.word(0) == "c12"
    assert top is not None and top.kind is TOP and top.args == ("d", "c12")


@pytest.mark.parametrize(
    "data",
    ["", "tp", "tp:1", "tp:1:2:3", "tp:0:1", "tp:-1:2", "tp:01:2", "tp:1:x", "zz:1:2",
     "tp:99999999999999999:1", "tq:a:" + "x" * 60, "tq:a:é"],
)
def test_malformed_or_forged_data_is_refused(data: str) -> None:
    assert callbacks.decode(data) is None


def test_encode_refuses_what_does_not_fit() -> None:
    with pytest.raises(ValueError):
        callbacks.encode(PICK, 1)
    with pytest.raises(ValueError):
        callbacks.encode(SUB, "has space")
    with pytest.raises(ValueError):
        callbacks.encode(SUB, "x" * 25)
    with pytest.raises(ValueError):
        callbacks.declare("tp", Arg.ID)  # prefixes are unique


def test_pattern_matches_only_its_kind() -> None:
    import re

    assert re.match(callbacks.pattern(SUB), "tq:a:c1")
    assert not re.match(callbacks.pattern(SUB), "tq:d:c1")
    assert not re.match(callbacks.pattern(PICK), "tp:1:2x")


@given(st.text(max_size=80))
def test_any_text_decodes_to_a_valid_press_or_none(data: str) -> None:
    pressed = callbacks.decode(data)
    if pressed is not None:
        assert callbacks.encode(pressed.kind, *pressed.args) == data
        assert len(data.encode()) <= callbacks.MAX_BYTES


@given(st.integers(min_value=1, max_value=callbacks.MAX_ID), st.integers(1, callbacks.MAX_ID))
def test_every_encodable_press_fits_and_round_trips(a: int, b: int) -> None:
    data = callbacks.encode(PICK, a, b)
    assert len(data.encode()) <= callbacks.MAX_BYTES
    pressed = callbacks.decode(data)
    assert pressed is not None and pressed.args == (a, b)
