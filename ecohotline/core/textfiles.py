"""Text files people send us (12345 exports, station data): which encoding they are in. They are often GBK,
sometimes UTF-8 with or without a BOM; GB18030 reads GBK and GB2312 too."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import IO

CHUNK_BYTES = 1024 * 1024
Opener = Callable[[], AbstractContextManager[IO[bytes]]]


def decodes(open_binary: Opener, encoding: str) -> bool:
    """Does the whole file decode in `encoding` without an error (read in chunks, not all at once)?"""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with open_binary() as handle:
            while chunk := handle.read(CHUNK_BYTES):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def guess_encoding(open_binary: Opener) -> str | None:
    """UTF-8 (a BOM tolerated), else GB18030, else what charset-normalizer finds if the file decodes in it;
    None when nothing reads the whole file."""
    for encoding in ("utf-8-sig", "gb18030"):
        if decodes(open_binary, encoding):
            return encoding
    from charset_normalizer import from_bytes

    with open_binary() as handle:
        best = from_bytes(handle.read()).best()
    if best is not None and decodes(open_binary, best.encoding):
        return str(best.encoding)
    return None
