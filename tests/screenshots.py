"""Chat-message screenshots of a text, generated deterministically (seeded): what citizens
forward as pictures. Used by the photo tests and bench/images.py.

Each screenshot is a phone-width page with one message bubble: a sender's name, the text
(sometimes as a bold capital headline), a time, in one of several fonts, sizes, colours and
backgrounds, saved as JPEG at quality 30-90 and sometimes turned a few degrees. Fonts come
from /usr/share/fonts/truetype when present; a machine without them falls back to Pillow's
own font (`ImageFont.load_default(size)`), and `FONTS_USED` says which were used.
"""

from __future__ import annotations

import io
import random
import textwrap
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype")
FONT_NAMES = (
    "dejavu/DejaVuSans.ttf",
    "dejavu/DejaVuSans-Bold.ttf",
    "dejavu/DejaVuSerif.ttf",
    "liberation/LiberationSans-Regular.ttf",
    "liberation/LiberationSans-Bold.ttf",
    "liberation/LiberationSerif-Regular.ttf",
    "liberation/LiberationSansNarrow-Regular.ttf",
    "dejavu/DejaVuSansCondensed.ttf",
)
DEFAULT_FONT = "Pillow default"
#: (page, bubble, text) colours: WhatsApp light and dark, Telegram light and dark, plain
THEMES = (
    ((236, 229, 221), (220, 248, 198), (17, 27, 33)),
    ((11, 20, 26), (0, 92, 75), (233, 237, 239)),
    ((207, 220, 235), (255, 255, 255), (0, 0, 0)),
    ((14, 22, 33), (43, 82, 120), (245, 245, 245)),
    ((255, 255, 255), (240, 240, 240), (40, 40, 40)),
)
NAMES = ("Grup Keluarga", "Bu RT", "Pak Budi", "Info Warga", "Alumni SMA 3")


def available_fonts() -> list[str]:
    """The fonts of FONT_NAMES this machine has (paths), or [DEFAULT_FONT]."""
    found = [str(FONT_DIR / name) for name in FONT_NAMES if (FONT_DIR / name).exists()]
    return found or [DEFAULT_FONT]


def load_font(name: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if name == DEFAULT_FONT:
        return ImageFont.load_default(size)
    return ImageFont.truetype(name, size)


@dataclass(frozen=True, slots=True)
class Style:
    font: str
    size: int
    theme: int
    quality: int
    rotate: float  # degrees
    headline: bool  # the text's first words in bold capitals, as forwarded warnings are
    name: str
    width: int


def style_for(rng: random.Random, fonts: list[str]) -> Style:
    return Style(
        font=rng.choice(fonts),
        size=rng.choice((22, 26, 30, 34)),
        theme=rng.randrange(len(THEMES)),
        quality=rng.randint(30, 90),
        rotate=rng.choice((0.0, 0.0, 0.0, rng.uniform(-4, 4))),
        headline=rng.random() < 0.3,
        name=rng.choice(NAMES),
        width=rng.choice((640, 720, 1080)),
    )


def screenshot(text: str, style: Style) -> bytes:
    """`text` as one chat message in `style`, JPEG-encoded."""
    page, bubble, ink = THEMES[style.theme]
    font = load_font(style.font, style.size)
    small = load_font(style.font, max(14, style.size * 2 // 3))
    margin, pad = style.width // 24, style.size // 2 + 6
    chars = max(12, int((style.width - 2 * margin - 2 * pad) / (style.size * 0.55)))
    body = text.upper() if style.headline else text
    lines = textwrap.wrap(body, chars) or [""]
    line_height = int(style.size * 1.35)
    height = 2 * margin + 2 * pad + line_height * (len(lines) + 2)
    image = Image.new("RGB", (style.width, height), page)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(
        (margin, margin, style.width - margin, height - margin), radius=pad, fill=bubble
    )
    x, y = margin + pad, margin + pad
    draw.text((x, y), style.name, font=small, fill=(53, 151, 104))
    y += line_height
    for line in lines:
        draw.text((x, y), line, font=font, fill=ink)
        y += line_height
    draw.text((style.width - margin - pad - 5 * style.size // 2, y), "14.32", font=small,
              fill=ink)  # fmt: skip
    if style.rotate:
        image = image.rotate(
            style.rotate, expand=True, fillcolor=page, resample=Image.Resampling.BICUBIC
        )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=style.quality)
    return out.getvalue()


def screenshots(texts: list[str], seed: int = 16) -> list[tuple[Style, bytes]]:
    """One screenshot of each text, styles drawn from `seed`: the same every run."""
    rng = random.Random(seed)
    fonts = available_fonts()
    return [(style := style_for(rng, fonts), screenshot(text, style)) for text in texts]


def plain_screenshot(text: str, *, size: int = 30, quality: int = 80) -> bytes:
    """`text` in the first available font, upright: a screenshot any OCR reads."""
    style = Style(available_fonts()[0], size, 2, quality, 0.0, False, NAMES[0], 720)
    return screenshot(text, style)
