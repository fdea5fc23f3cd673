"""Which lines of an answer are code for every Markdown renderer: at the top level, in (nested)
list items and in block quotes.

``safe.safe_markdown`` leaves code exactly as written (so ``a<b`` reads ``a<b``) and escapes
everything else. That is safe only where every renderer agrees a line is code: JupyterLab's
marked, and the CommonMark readers of an exported notebook (nbconvert's mistune, markdown-it).
A verbatim line that one of them reads as text would turn ``<img onerror=…>`` into markup.

So this reads the container structure (``>`` quotes, list items and their content column) the
way CommonMark does, where marked and mistune are known to read it the same. Where they can
part -- a lazy continuation line, a tab in the indentation, an empty or over-indented list item,
a line that ends a list item without a blank line before it and is not one all of them end it
on -- nothing is kept verbatim until a blank line and a line at column 0 bring every renderer
back to the top level. Until then lines are escaped as text, and fence lines are defused (an
invisible space after each backtick or tilde), so that no fence a renderer might open there can
swallow or expose what follows. A closing fence that only some of them accept (``````~``) is
rewritten as the plain closing fence. Indented code is rewritten as a fence, read alike everywhere.

``tests/test_code_in_lists.py`` checks this against JupyterLab's own bundled marked and mistune.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"( {0,3})(`{3,}|~{3,})(.*)")
_MARKER = re.compile(r" {0,3}(?:[*+-]|(\d{1,9})[.)])(?=[ \t]|$)")
_QUOTE = re.compile(r" {0,3}> ?")
_THEMATIC = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
_QUOTE_LIKE = re.compile(r"[ \t]*>")
_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")
# A fence after any container marks, defused once the structure is uncertain.
_FENCE_ANYWHERE = re.compile(r"^((?:[ \t>]|(?:[*+-]|\d{1,9}[.)])(?=[ \t]))*)(`{3,}|~{3,})")


def blocks(lines: list[str]):
    """Yield ``(kind, lines, closer)``: kind "code" (verbatim), "open" (a code fence the text leaves
    open: verbatim, ``closer`` ends it at the right indentation) or "text" (to be escaped)."""
    reader = _Reader(lines)
    for index, line in enumerate(lines):
        reader.index = index
        reader.feed(line)
    return reader.finish()


class _Reader:
    def __init__(self, lines: list[str]):
        self.index = 0
        # For each line: the run of ">" lines after it ends in a non-blank line without ">".
        self.lazy_after = [False] * len(lines)
        for index in range(len(lines) - 2, -1, -1):
            following = lines[index + 1]
            quoted = _QUOTE_LIKE.match(following)
            self.lazy_after[index] = self.lazy_after[index + 1] if quoted else bool(following.strip())
        self.segments: list[list] = []
        # None: a block quote; (content column, width of the marker and the spaces before it): a list item
        self.stack: list[tuple[int, int] | None] = []
        self.leaf = None  # None, "para", "closed" (heading, rule), "fence" or "indented"
        self.fence = ""  # the opening fence (``` or ~~~~), while leaf == "fence"
        self.fence_prefix = ""
        self.indented: list[tuple[str, str]] = []  # an indented block (line, rest), rewritten as a fence
        self.previous_blank = True
        self.poisoned = False

    # -- output --

    def emit(self, kind: str, line: str):
        if self.segments and self.segments[-1][0] == kind:
            self.segments[-1][1].append(line)
        else:
            self.segments.append([kind, [line], ""])

    def finish(self):
        self._flush_indented()
        if self.leaf == "fence" and not self.poisoned and self.segments and self.segments[-1][0] == "code":
            self.segments[-1][0] = "open"
            self.segments[-1][2] = self.fence_prefix + self.fence
        return [tuple(segment) for segment in self.segments]

    def poison(self, line: str):
        self._flush_indented()
        self.poisoned, self.previous_blank = True, not line.strip()
        self.emit("text", _defused(line))

    # -- reading --

    def feed(self, line: str):
        if self.poisoned:
            if not (self.previous_blank and line[:1] not in ("", " ", "\t", ">")):
                return self.poison(line)
            # A blank line, then one at column 0: every renderer has closed every list item, quote and
            # fence (none could open in between), so all read on from the top level again.
            self.poisoned, self.stack, self.leaf = False, [], None
        if not self.stack and self.leaf == "fence":
            return self._in_fence(line, line)  # a top-level fence holds anything until its closing fence
        starts = self.stack or _QUOTE.match(line) or _MARKER.match(line)
        if starts and "\t" in re.match(r"[ \t>]*", line).group(0):
            return self.poison(line)  # tab stops: renderers count the columns differently
        rest, matched = line, 0
        for column in self.stack:
            if column is None:
                quote = _QUOTE.match(rest)
                if not quote:
                    break
                rest = rest[quote.end() :]
            elif not rest.strip():
                rest = ""
            elif _indent(rest) >= column[0]:
                rest = rest[column[0] :]
            else:
                break
            matched += 1
        blank = not rest.strip()
        if matched < len(self.stack):
            if blank:  # (list items take blank lines: the unmatched container is a block quote)
                self._close(matched)  # a blank line ends a block quote, and all inside it
            elif None not in self.stack[matched:] and (
                self.previous_blank or self._ends_item(rest, self.stack[matched])
            ):
                self._close(matched)  # every renderer reads this line as the end of the list item
            else:
                return self.poison(line)  # a lazy line, or one marked and CommonMark part on
        self.previous_blank = blank
        self._block(line, rest, blank)

    def _lazy_tail(self) -> bool:
        """Whether the run of ``>`` lines starting here is followed directly by a line without one:
        marked reads such a lazy line by lexing the quote again with it, which can change how the
        lines *before* it are read, so the whole quote is uncertain, not only what follows."""
        return self.lazy_after[self.index]

    def _ends_item(self, rest: str, item: tuple[int, int]) -> bool:
        """A line that ends a list item without a blank line before it for every renderer: CommonMark
        (it is not a lazy line), marked (less indented than the content) and mistune (no more
        indented than the marker's end: ``1.`` allows 2 spaces, ``-`` one)."""
        if _indent(rest) > min(3, item[1]):
            return False
        marker = _MARKER.match(rest)
        if marker and rest[marker.end() :].strip():
            return True
        return bool(_opens_fence(rest) or _HEADING.match(rest) or _THEMATIC.fullmatch(rest))

    def _close(self, depth: int):
        self._flush_indented()
        del self.stack[depth:]
        self.leaf = None  # the container's end ends its code or paragraph

    def _block(self, line: str, rest: str, blank: bool):
        if self.leaf == "fence":
            return self._in_fence(line, rest)
        if self.leaf == "indented":
            if blank or _indent(rest) >= 4:
                return self._indented_line(line, rest)
            self._flush_indented()
            self.leaf = None
        if blank:
            self.leaf = None
            return self.emit("text", line)
        starts_container = False
        while True:
            if _THEMATIC.fullmatch(rest):
                break
            quote = _QUOTE.match(rest)
            marker = _MARKER.match(rest)
            if quote:
                if self._lazy_tail():
                    return self.poison(line)
                self.stack.append(None)
                rest = rest[quote.end() :]
            elif marker and (self.leaf != "para" or (rest[marker.end() :].strip() and marker.group(1) in (None, "1"))):
                after = rest[marker.end() :]
                spaces = len(after) - len(after.lstrip(" "))
                if not after.strip() or after[spaces:spaces + 1] == "\t" or spaces >= 5:
                    return self.poison(line)  # an empty or over-indented item: renderers differ
                self.stack.append((marker.end() + spaces, marker.end()))
                rest = after[spaces:]
            else:
                break
            starts_container = True
            self.leaf = None
            if "\t" in line[: len(line) - len(rest)]:
                return self.poison(line)
        if starts_container and not rest.strip():
            self.previous_blank = True
            return self.emit("text", line)
        opener = _opens_fence(rest)
        if self.leaf != "para" and _indent(rest) >= 4:
            self.leaf = "indented"
            return self._indented_line(line, rest)
        if opener:
            self.leaf, self.fence = "fence", opener.group(2)
            self.fence_prefix = "".join("> " if column is None else " " * column[0] for column in self.stack)
            self.fence_prefix += opener.group(1)
            return self.emit("code", line)
        self.leaf = "closed" if (_HEADING.match(rest) or _THEMATIC.fullmatch(rest)) else "para"
        self.emit("text", line)

    def _in_fence(self, line: str, rest: str):
        char, size = self.fence[0], len(self.fence)
        commonmark = re.fullmatch(r" {0,3}" + re.escape(char) + "{%d,}[ \t]*" % size, rest)
        marked = re.fullmatch(r" {0,3}" + re.escape(self.fence) + r"[~`]* *", rest)
        if commonmark or marked:
            self.leaf = None
            if not (commonmark and marked):  # only one of them would close here: close for both
                line = line[: len(line) - len(rest)] + rest[: len(rest) - len(rest.lstrip(" "))] + self.fence
        self.emit("code", line)

    def _indented_line(self, line: str, rest: str):
        self.indented.append((line, rest))

    def _flush_indented(self):
        """An indented block, rewritten as a fence in its container (trailing blank lines are not part of
        it). A fence is read alike everywhere; an indented block is not: it can be misread as list text,
        and marked glues one in a list item to the text before it even across blank lines."""
        if not self.indented:
            return
        body = list(self.indented)
        while not body[-1][1].strip():
            body.pop()
        trailing = self.indented[len(body) :]
        prefix = "".join("> " if column is None else " " * column[0] for column in self.stack)
        code = [_dedent4(rest) for _, rest in body]
        longest = max((len(m) for raw in code for m in re.findall(r"`+", raw)), default=0)
        fence = prefix + "`" * max(3, longest + 1)
        lines = [fence, *((prefix + raw) if raw else prefix.rstrip() for raw in code), fence]
        self.segments.append(["code", lines, ""])
        for line, _ in trailing:
            self.emit("text", line)
        self.indented = []


def _defused(line: str) -> str:
    """A fence line that no renderer can read as a fence, even one that drops a character or two (marked
    can, re-reading a block quote): an invisible zero-width space after each fence character."""
    return _FENCE_ANYWHERE.sub(lambda m: m.group(1) + "".join(c + "\u200b" for c in m.group(2)), line)


def _opens_fence(rest: str):
    opener = _FENCE.fullmatch(rest)
    if opener and not (opener.group(2)[0] == "`" and "`" in opener.group(3)):  # ``` `x` is inline code
        return opener
    return None


def _indent(line: str) -> int:
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4 - width % 4
        else:
            break
    return width


def _dedent4(line: str) -> str:
    removed = 0
    for position, char in enumerate(line):
        if removed >= 4 or char not in " \t":
            return line[position:]
        removed += 1 if char == " " else 4 - removed % 4
    return ""
