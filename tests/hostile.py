"""Hostile bodies for the link fetcher, and the memory of a process as Linux counts it.

`zeros-1gib.gz.gz` (1,827 bytes) is 1 GiB of zero bytes gzipped twice, the response of
issue 11 that raised the bot's peak memory by 1.9 GB (`Content-Encoding: gzip, gzip`). It is
kept as a file because making it takes 10 s; `make_stacked_gzip_bomb` makes it again.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

BOMB = Path(__file__).resolve().parent / "data" / "hostile" / "zeros-1gib.gz.gz"
GIB = 1 << 30


def gzip_stream(size: int, wbits: int = 31) -> bytes:
    """`size` zero bytes compressed in one stream, without holding them in memory."""
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = bytes(1 << 20)
    parts = [packer.compress(block) for _ in range(size >> 20)]
    return b"".join(parts) + packer.flush()


def make_stacked_gzip_bomb(path: Path = BOMB) -> None:
    path.write_bytes(gzip.compress(gzip_stream(GIB), 9))


def stacked_gzip_bomb() -> bytes:
    """1,827 bytes that decode (gzip, gzip) to 1 GiB."""
    return BOMB.read_bytes()


def gzip_bomb() -> bytes:
    """About 1 MB that decodes (gzip) to 1 GiB: the inner layer of the stacked bomb."""
    return gzip.decompress(stacked_gzip_bomb())


def deflate_bomb() -> bytes:
    """About 1 MB that decodes (deflate, raw) to 1 GiB: the gzip bomb without its framing
    (zlib writes a 10-byte header without options, and an 8-byte trailer)."""
    return gzip_bomb()[10:-8]


def status_kb(pid: int, field: str) -> int:
    """A `VmHWM`/`VmRSS`-style line of /proc/<pid>/status, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def reset_peak(pid: int) -> None:
    """Start VmHWM again from the current resident size (Linux clear_refs, value 5)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def children(pid: int) -> list[int]:
    """Direct child processes of `pid` (the parsing workers of a bot)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(c) for c in text]
    return found
