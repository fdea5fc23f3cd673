"""Server-Sent Events framed from byte blocks: lines, then events, in linear time and bounded size.

Why its own reader: joining each new block to the unfinished line before splitting cost
quadratic time (50 MB without a newline: 24 s of CPU and 267 MB), and a lone CR, which the
SSE standard allows as a line ending, was read as part of the line.
"""

from __future__ import annotations

import re

# The longest line (and event) read. Framed incrementally, a long line costs linear time; past this
# it is a broken stream, said in a panel. A whole completion sent as one event fits easily.
MAX_LINE = 16 * 1024 * 1024
_BREAK = re.compile(rb"\r\n|\r|\n")


class Events:
    """Server-Sent Events framed incrementally from byte blocks: each event's data, as bytes.

    Lines end with LF, CRLF or a lone CR, as the standard allows (a CRLF may be cut across two
    blocks). An unfinished line is kept as pieces, joined once it ends, so a long line costs
    linear time; a line or event longer than ``MAX_LINE`` is a broken stream (``APIError``).
    Comments (``:``), ``id:``, ``retry:``, ``event:`` and unknown fields carry nothing we use.
    """

    def __init__(self, limit: int | None = None):
        self.limit = limit or MAX_LINE
        self.pieces: list[bytes] = []
        self.pending = 0  # bytes in ``pieces``
        self.after_cr = False  # the last block ended with CR: an LF opening the next one belongs to it
        self.data: list[bytes] = []
        self.size = 0  # bytes in ``data``
        self.seen = False  # any data: field at all
        self.lines: list[bytes] = []  # the lines kept while no event has come (a whole JSON answer), up to ``limit``
        self.kept = 0

    def feed(self, block: bytes, request=None) -> list[bytes]:
        out: list[bytes] = []
        start = 1 if (self.after_cr and block[:1] == b"\n") else 0
        self.after_cr = False
        for match in _BREAK.finditer(block, start):
            piece = block[start : match.start()]
            if self.pieces:
                self.pieces.append(piece)
                piece, self.pieces, self.pending = b"".join(self.pieces), [], 0
            self._line(piece, out, request)
            start = match.end()
            if match.group() == b"\r" and start == len(block):
                self.after_cr = True
        rest = block[start:]
        if rest:
            self.pending += len(rest)
            if self.pending > self.limit:
                raise too_long(request)
            self.pieces.append(rest)
        return out

    def end(self, request=None) -> list[bytes]:
        """The last event, when the body ends without its final blank line."""
        out: list[bytes] = []
        if self.pieces:
            line, self.pieces, self.pending = b"".join(self.pieces), [], 0
            self._line(line, out, request)
        self._line(b"", out, request)
        return out

    def _line(self, line: bytes, out: list, request) -> None:
        if not line:  # a blank line ends the event
            if self.data:
                out.append(b"\n".join(self.data))
                self.data, self.size = [], 0
            return
        if line.startswith(b"data:"):
            value = line[5:]
            value = value[1:] if value.startswith(b" ") else value
            self.size += len(value) + 1
            if self.size > self.limit:
                raise too_long(request)
            self.data.append(value)
            self.seen = True
        elif not self.seen and line[:1] != b":" and self.kept + len(line) < self.limit:
            self.lines.append(line)
            self.kept += len(line) + 1

    @property
    def raw(self) -> bytes:
        return b"\n".join(self.lines)


def too_long(request):
    import openai

    return openai.APIError(f"the server sent a line or event longer than {MAX_LINE // (1024 * 1024)} MB; reading stopped", request, body=None)


def events(byte_chunks):
    """The data of each Server-Sent Event in ``byte_chunks``, as bytes (``data:`` lines joined by LF)."""
    reader = Events()
    for block in byte_chunks:
        yield from reader.feed(block)
    yield from reader.end()
