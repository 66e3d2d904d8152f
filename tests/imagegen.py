"""Synthetic pictures of the kinds that circulate (posters, charts, chat screenshots), made
with Pillow from a seed, and the changes a picture goes through when it is passed around.

Used by the known-image tests and by bench/images_known.py: the same seed gives the same
picture on every machine (Pillow's bundled default font, no system fonts).
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from functools import cache

from PIL import Image, ImageDraw, ImageFont

WORDS = (
    "pemilu kpu bawaslu suara surat coblos tps hoaks resmi paslon caleg kotak hitung "
    "rekap quick count dpt pemilih desa kota provinsi tanggal hari ini besok batal "
    "ulang curang bukti video foto viral sebarkan segera penting info terbaru"
).split()


@cache
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _colour(rng: random.Random, low: int = 0, high: int = 255) -> tuple[int, int, int]:
    return (rng.randint(low, high), rng.randint(low, high), rng.randint(low, high))


def _words(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def _size(rng: random.Random) -> tuple[int, int]:
    width = rng.randint(480, 1080)
    return width, int(width * rng.uniform(0.6, 1.9))


def poster(rng: random.Random) -> Image.Image:
    """A gradient, shapes and a few lines of big text."""
    width, height = _size(rng)
    top, bottom = _colour(rng), _colour(rng)
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.composite(Image.new("RGB", (width, height), bottom),
                            Image.new("RGB", (width, height), top), gradient)
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(3, 9)):
        x0, y0 = rng.randint(0, width), rng.randint(0, height)
        x1, y1 = x0 + rng.randint(40, width // 2), y0 + rng.randint(40, height // 2)
        shape = rng.choice(("rectangle", "ellipse", "polygon"))
        if shape == "polygon":
            points = [(rng.randint(0, width), rng.randint(0, height)) for _ in range(3)]
            draw.polygon(points, fill=_colour(rng))
        else:
            getattr(draw, shape)((x0, y0, x1, y1), fill=_colour(rng))
    for _ in range(rng.randint(2, 5)):
        size = rng.randint(28, 72)
        xy = (rng.randint(0, width // 3), rng.randint(0, height - size))
        draw.text(xy, _words(rng, 2, 5).upper(), fill=_colour(rng), font=font(size))
    return image


def chart(rng: random.Random) -> Image.Image:
    """A title, axes and bars or a line, on a light background."""
    width, height = _size(rng)
    image = Image.new("RGB", (width, height), _colour(rng, 225, 255))
    draw = ImageDraw.Draw(image)
    draw.text((30, 20), _words(rng, 3, 6), fill=_colour(rng, 0, 80), font=font(32))
    left, base, right, top = 70, height - 60, width - 30, 90
    draw.line((left, top, left, base), fill=(0, 0, 0), width=3)
    draw.line((left, base, right, base), fill=(0, 0, 0), width=3)
    count = rng.randint(3, 12)
    step = (right - left) / count
    values = [rng.uniform(0.1, 1.0) for _ in range(count)]
    if rng.random() < 0.6:
        for i, value in enumerate(values):
            x = left + i * step + step * 0.15
            draw.rectangle((x, base - value * (base - top), x + step * 0.7, base),
                           fill=_colour(rng, 0, 200))
    else:
        points = [(left + (i + 0.5) * step, base - v * (base - top)) for i, v in enumerate(values)]
        draw.line(points, fill=_colour(rng, 0, 200), width=6)
    for i in range(count):
        draw.text((left + i * step + 4, base + 10), f"{rng.randint(1, 99)}", fill=(40, 40, 40),
                  font=font(20))
    return image


def chat(rng: random.Random) -> Image.Image:
    """A chat app's screenshot: a header, then bubbles of text left and right."""
    width = rng.randint(540, 1080)
    height = int(width * rng.uniform(1.6, 2.2))
    image = Image.new("RGB", (width, height), _colour(rng, 200, 245))
    draw = ImageDraw.Draw(image)
    header = int(height * 0.07)
    draw.rectangle((0, 0, width, header), fill=_colour(rng, 0, 120))
    draw.text((header + 20, header // 3), _words(rng, 1, 3).title(), fill=(255, 255, 255),
              font=font(max(18, header // 3)))
    draw.ellipse((10, 8, header - 8, header - 8), fill=_colour(rng))
    y = header + 20
    text_size = max(18, width // 30)
    while y < height - 80:
        lines = [_words(rng, 2, 6) for _ in range(rng.randint(1, 4))]
        bubble_w = min(width - 60, max(len(line) for line in lines) * text_size // 2 + 40)
        bubble_h = len(lines) * (text_size + 8) + 36
        mine = rng.random() < 0.5
        x0 = width - bubble_w - 20 if mine else 20
        fill = _colour(rng, 180, 255) if mine else (255, 255, 255)
        draw.rounded_rectangle((x0, y, x0 + bubble_w, y + bubble_h), radius=14, fill=fill)
        for i, line in enumerate(lines):
            draw.text((x0 + 16, y + 12 + i * (text_size + 8)), line, fill=(20, 20, 20),
                      font=font(text_size))
        draw.text((x0 + bubble_w - 70, y + bubble_h - 22), f"{rng.randint(0, 23):02d}."
                  f"{rng.randint(0, 59):02d}", fill=(110, 110, 110), font=font(14))
        y += bubble_h + rng.randint(10, 40)
    return image


KINDS: tuple[Callable[[random.Random], Image.Image], ...] = (poster, chart, chat)


def picture(seed: int) -> Image.Image:
    """The picture of `seed`: a poster, chart or chat screenshot, by turns."""
    rng = random.Random(seed)
    return KINDS[seed % len(KINDS)](rng)


def encode(image: Image.Image, quality: int = 85) -> bytes:
    """JPEG bytes, as a messenger sends a photo on."""
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def jpeg30(image: Image.Image, rng: random.Random) -> Image.Image:
    return Image.open(io.BytesIO(encode(image, 30)))


def half(image: Image.Image, rng: random.Random) -> Image.Image:
    return image.resize((image.width // 2, image.height // 2), Image.Resampling.LANCZOS)


def crop10(image: Image.Image, rng: random.Random) -> Image.Image:
    """10% of the width and 10% of the height cut off, split at random between the sides."""
    cut_w, cut_h = image.width * 0.10, image.height * 0.10
    left, top = rng.uniform(0, cut_w), rng.uniform(0, cut_h)
    box = (left, top, image.width - (cut_w - left), image.height - (cut_h - top))
    return image.crop(tuple(round(v) for v in box))


def border(image: Image.Image, rng: random.Random) -> Image.Image:
    """A plain frame of 3-10% of the side, of any colour."""
    pad_x = int(image.width * rng.uniform(0.03, 0.10))
    pad_y = int(image.height * rng.uniform(0.03, 0.10))
    framed = Image.new("RGB", (image.width + 2 * pad_x, image.height + 2 * pad_y), _colour(rng))
    framed.paste(image, (pad_x, pad_y))
    return framed


def statusbar(image: Image.Image, rng: random.Random) -> Image.Image:
    """A phone's screenshot of the picture: a status bar (clock, icons) on top, the picture
    at the phone's width below it, and a navigation bar or a black letterbox under it."""
    width = 720
    shown = image.resize((width, max(1, round(image.height * width / image.width))))
    bar = int(width * rng.uniform(0.05, 0.09))
    nav = int(width * rng.uniform(0.0, 0.12))
    phone = Image.new("RGB", (width, bar + shown.height + nav), _colour(rng, 0, 60))
    draw = ImageDraw.Draw(phone)
    draw.text((16, bar // 4), f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
              fill=(255, 255, 255), font=font(max(14, bar // 2)))
    for i in range(3):
        x = width - 40 - i * 36
        draw.rectangle((x, bar // 4, x + 24, bar * 3 // 4), fill=(230, 230, 230))
    phone.paste(shown, (0, bar))
    if nav:
        for i, x in enumerate((width // 4, width // 2, width * 3 // 4)):
            y = bar + shown.height + nav // 2
            draw.ellipse((x - 10, y - 10, x + 10, y + 10), outline=(200, 200, 200), width=2 + i % 2)
    return phone


CHANGES: dict[str, Callable[[Image.Image, random.Random], Image.Image]] = {
    "jpeg q=30": jpeg30,
    "resize 50%": half,
    "crop 10%": crop10,
    "border": border,
    "status bar": statusbar,
}


def changed(image: Image.Image, change: str, seed: int) -> bytes:
    """`image` after `change`, sent on as a messenger does (JPEG q=85, except the q=30 one,
    whose bytes are kept as they are)."""
    result = CHANGES[change](image, random.Random(seed))
    if change == "jpeg q=30":
        return encode(image, 30)
    return encode(result)
