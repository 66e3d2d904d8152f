"""Telegram's HTML parse mode, as the Bot API applies it: what it accepts, what it refuses
(with Telegram's reason) and the visible text and entities a message ends up with."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; str(err) is the reason Telegram would give."""


_HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "span": "spoiler", "tg-spoiler": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}  # fmt: skip
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,8})|#x([0-9a-fA-F]{1,7})|([A-Za-z]+));")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _decode_entity(text: str, pos: int) -> tuple[str, int]:
    """Decode the HTML entity starting at ``text[pos] == "&"``; return (char, end)."""
    m = _ENTITY_RE.match(text, pos)
    if m:
        dec, hexa, name = m.groups()
        if name is not None:
            if name in _NAMED_ENTITIES:
                return _NAMED_ENTITIES[name], m.end()
        else:
            code = int(dec) if dec is not None else int(hexa, 16)
            if 0 < code < 0x110000 and not 0xD800 <= code <= 0xDFFF:
                return chr(code), m.end()
    snippet = text[pos : pos + 12].split(";")[0]
    raise EntityParseError(
        f'Unsupported HTML entity "{snippet}" at byte offset {len(text[:pos].encode())};'
        ' write a literal "&" as "&amp;"'
    )


@dataclass
class _OpenTag:
    name: str
    byte_offset: int
    start: int  # UTF-16 offset in the parsed text
    attrs: dict[str, str]
    language: str | None = None


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram-flavoured HTML like the Bot API does (tdlib's ``parse_html``).

    Returns the visible text (tags removed, entities decoded; not yet stripped) and the
    MessageEntity dicts with UTF-16 offsets. Raises EntityParseError with Telegram's reason.
    """
    out: list[str] = []
    pos16 = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(text)

    def byte_offset(k: int) -> int:
        return len(text[:k].encode())

    def skip_spaces(k: int) -> int:
        while k < n and text[k].isspace():
            k += 1
        return k

    while i < n:
        c = text[i]
        if c == "&":
            ch, i = _decode_entity(text, i)
            out.append(ch)
            pos16 += utf16_len(ch)
            continue
        if c != "<":
            j = i
            while j < n and text[j] not in "<&":
                j += 1
            out.append(text[i:j])
            pos16 += utf16_len(text[i:j])
            i = j
            continue

        begin = i
        i += 1
        if i < n and text[i] == "/":  # end tag
            i += 1
            j = i
            while i < n and not text[i].isspace() and text[i] != ">":
                i += 1
            name = text[j:i].lower()
            i = skip_spaces(i)
            if i >= n or text[i] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
            i += 1
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
            tag = stack.pop()
            if name and name != tag.name:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                    f'expected "</{tag.name}>", found "</{name}>"'
                )
            _close_tag(tag, pos16, stack, entities)
            continue

        # start tag
        j = i
        while i < n and not text[i].isspace() and text[i] != ">":
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
        name = text[j:i].lower()
        if name not in _HTML_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {byte_offset(begin)}'
            )
        attrs: dict[str, str] = {}
        while True:
            i = skip_spaces(i)
            if i >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if text[i] == ">":
                i += 1
                break
            a = i
            while i < n and not text[i].isspace() and text[i] not in "=>":
                i += 1
            attr = text[a:i].lower()
            if not attr:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset {byte_offset(a)}'
                )
            i = skip_spaces(i)
            if i < n and text[i] != "=":
                if name == "blockquote" and attr == "expandable":
                    attrs[attr] = ""
                    continue
                raise EntityParseError(
                    f'Expected equal sign in declaration of an attribute of the tag "{name}" '
                    f"at byte offset {byte_offset(i)}"
                )
            i = skip_spaces(i + 1)
            if i >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if text[i] in "'\"":
                quote = text[i]
                i += 1
                value: list[str] = []
                while i < n and text[i] != quote:
                    if text[i] == "&":
                        ch, i = _decode_entity(text, i)
                        value.append(ch)
                    else:
                        value.append(text[i])
                        i += 1
                if i >= n:
                    raise EntityParseError(
                        f"Unclosed start tag at byte offset {byte_offset(begin)}"
                    )
                i += 1
                attrs[attr] = "".join(value)
            else:  # name token: letters, digits, '.', '-'
                a = i
                while i < n and (text[i].isalnum() or text[i] in ".-"):
                    i += 1
                if i < n and not text[i].isspace() and text[i] != ">":
                    raise EntityParseError(
                        f"Unexpected end of name token at byte offset {byte_offset(i)}"
                    )
                attrs[attr] = text[a:i].lower()
        tag = _OpenTag(name, byte_offset(begin), pos16, attrs)
        if name == "a" and not attrs.get("href"):
            raise EntityParseError(
                f'Tag "a" must have attribute "href" at byte offset {tag.byte_offset}'
            )
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {tag.byte_offset}'
            )
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise EntityParseError("Invalid custom emoji identifier specified")
        stack.append(tag)

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _close_tag(
    tag: _OpenTag, end: int, stack: list[_OpenTag], entities: list[dict[str, Any]]
) -> None:
    if tag.name == "code" and stack and stack[-1].name == "pre":
        # <pre><code class="language-x"> is a single pre entity with a language
        cls = tag.attrs.get("class", "")
        if cls.startswith("language-"):
            stack[-1].language = cls.removeprefix("language-")
        return
    if end == tag.start:
        return  # Telegram drops empty entities
    entity: dict[str, Any] = {
        "type": _HTML_TAGS[tag.name],
        "offset": tag.start,
        "length": end - tag.start,
    }
    if tag.name == "a":
        entity["url"] = tag.attrs["href"]
    elif tag.name == "pre" and tag.language:
        entity["language"] = tag.language
    elif tag.name == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    entities.append(entity)


def strip(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip surrounding whitespace like Telegram, keeping entity offsets right."""
    stripped = text.strip()
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    result = []
    for e in entities:
        start = max(0, e["offset"] - lead)
        end = min(size, e["offset"] + e["length"] - lead)
        if end > start:
            result.append({**e, "offset": start, "length": end - start})
    return stripped, result
