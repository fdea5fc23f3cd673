"""Text from a model or a server, made safe to show: it is always text, never markup.

JupyterLab trusts the outputs produced in the running session, so raw HTML inside a
``text/markdown`` output is rendered and ``<img onerror=…>`` runs JavaScript as the user.
Answers can carry HTML (a prompt injection through an interpolated web page, or a
malicious compatible endpoint), and so can model names and error messages. Every
renderer passes such text through one of these functions:

* ``html_text``, ``html_attribute`` -- for HTML outputs and HTML widgets (panels, the key form),
  and ``html_output`` around each of them: no math is typeset in it;
* ``literal_markdown`` -- a short plain string (a model name, the line under an answer)
  placed into Markdown: every Markdown and HTML character is escaped;
* ``safe_markdown`` -- an answer: Markdown formatting, code blocks, tables and math keep
  working, while raw HTML is shown as text and ``javascript:``/``data:`` links are dead.

How ``safe_markdown`` stays safe without a Markdown parser of its own: outside code, only
the characters that can *start* markup are changed -- ``<`` before a letter, ``/``, ``!`` or
``?`` (every HTML tag, comment and declaration starts so) and ``&`` before ``#`` or a letter
(a character reference, which could spell ``javascript&#58;`` in a link). Code is left
alone only where every renderer must agree it is code (``code_blocks`` reads the block
structure): fenced and indented blocks at the top level, in list items at any depth and in
block quotes, so ``a<b`` in them reads ``a<b``; indented blocks are rewritten as fences. An
inline code span on one line that holds such characters becomes ``<code>`` HTML that we
write ourselves, with its content escaped: it looks the same, and it stays harmless
whatever a renderer decides the backticks around it meant.
"""

from __future__ import annotations

import html
import re

from .code_blocks import blocks

# -- plain text ---------------------------------------------------------------------


def html_text(text) -> str:
    """``text`` for an HTML element's content (an output, an HTML widget): shown as written."""
    return html.escape("" if text is None else str(text), quote=False)


def html_attribute(text) -> str:
    """``text`` for a quoted HTML attribute value."""
    return html.escape("" if text is None else str(text), quote=True)


# MathJax classes that keep a subtree from being typeset: JupyterLab and Notebook 7 typeset ``$…$`` in
# HTML outputs and HTML widgets too, so "≈$0.0043 … ≈$0.0024" in a panel read as italic math.
# ``mathjax_ignore`` is MathJax 3's (and 4's), ``tex2jax_ignore`` MathJax 2's (classic Notebook, older
# nbconvert templates). A class, not ``\$``: static viewers that typeset nothing show the text unchanged.
NO_MATH = "tex2jax_ignore mathjax_ignore"


def html_output(markup: str, tag: str = "div") -> str:
    """``markup`` (already escaped HTML) in an element that MathJax leaves alone: every HTML we show
    (an output or an HTML widget's value) goes through here, so a ``$`` in it is never math."""
    return f'<{tag} class="{NO_MATH}">{markup}</{tag}>'


# Characters with a meaning inside a line of Markdown (emphasis, code, links, strikethrough,
# table cells, math); the rest (``-``, ``.``, ``:``, ``#``) only matter at a line's start,
# and this text never starts one, so model names stay readable in the saved notebook.
_MD_PUNCTUATION = re.compile(r"([\\`*_\[\]|~$])")


def literal_markdown(text) -> str:
    """``text`` as literal Markdown inside a line: no formatting, no HTML, no link, no math."""
    text = " ".join(("" if text is None else str(text)).split())
    text = _MD_PUNCTUATION.sub(r"\\\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;")  # entities: they read the same inside <sub> too


def plain_bundle(bundle: dict) -> dict:
    """``bundle`` with its ``text/plain`` safe for a terminal: every output the package publishes goes
    through this (answer views, panels, notices, listings). ``jupyter console`` prints ``text/plain``,
    and so does ``cat`` of a saved output: an ESC or an OSC 52 (clipboard write) from a model's name or
    an answer would be obeyed. Control characters are shown as visible symbols (``stream.visible``)."""
    text = bundle.get("text/plain") if isinstance(bundle, dict) else None
    if not isinstance(text, str) or not text:
        return bundle
    from ..stream import visible

    safe = visible(text.replace("\r\n", "\n"))
    return bundle if safe == text else {**bundle, "text/plain": safe}


# -- Markdown ------------------------------------------------------------------------

_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_REFERENCE = re.compile(r"&(?=[#A-Za-z])")
# Schemes that run code or smuggle a document. A zero-width space before the colon turns
# the link into a harmless relative one (a scheme can't hold it) and is invisible in text.
_BAD_SCHEME = re.compile(r"(?i)(?<![A-Za-z0-9+.\-])(javascript|vbscript|livescript|data)(?=\\?:)")
_ZWSP = "\u200b"
# After ``&amp;``: a reference's shape (``#58``, ``colon;``). mistune, and so nbconvert's HTML export,
# decodes a link's URL twice, so ``&amp;#58;`` would still spell a colon there; the invisible
# space keeps what follows from being read as a reference a second time.
_DECODABLE = re.compile(r"#|[A-Za-z][A-Za-z0-9]*;")
# Autolinks that may stay: a web or mail address cannot run code.
_SAFE_AUTOLINK = re.compile(r"<(?:https?://|mailto:)[^\s<>\"'`\\]*>", re.IGNORECASE)
# Math (heuristic; safety never depends on it): there a space keeps ``a<b`` from reading as a tag.
_MATH = re.compile(
    r"\$\$.+?\$\$|\$[^$\n]+?\$|\\\(.+?\\\)|\\\[.+?\\\]|\\begin\{([A-Za-z]+\*?)\}.*?\\end\{\1\}", re.DOTALL
)


def safe_markdown(text, close: bool = False) -> str:
    """An answer's Markdown with raw HTML shown as text and dangerous links disabled.

    ``close``: end a code fence the text leaves open (an answer cut off mid-code), so
    that whatever is placed after it is not swallowed into the code block.
    """
    text = "" if text is None else str(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as renderers do, before finding fences
    out: list[str] = []
    for kind, lines, closer in blocks(text.split("\n")):
        if kind == "code":
            out.extend(lines)
        elif kind == "open":
            out.extend(lines)
            if close:
                out.append(closer)
        else:
            out.append(_inline("\n".join(lines)))
    return "\n".join(out)


def _inline(text: str) -> str:
    """Escape a run of Markdown text, keeping its inline code spans as code."""
    out: list[str] = []
    plain_start = index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == "\\" and index + 1 < length and text[index + 1] not in "&<" and _is_punctuation(text[index + 1]):
            index += 2  # an escaped character (``\``` never opens a code span)
            continue
        if char != "`":
            index += 1
            continue
        run_end = index
        while run_end < length and text[run_end] == "`":
            run_end += 1
        run = text[index:run_end]
        line_start = text.rfind("\n", 0, index) + 1
        if len(run) >= 3 and not text[line_start:index].strip():
            index = run_end  # three or more backticks opening a line: never a code span, literal text
            continue
        close = _closing_run(text, run_end, len(run))
        content = text[run_end:close] if close is not None else ""
        if close is None or ("\n" in content and _needs_escaping(content)):
            # No closing run: the backticks are literal text. A span over several lines stays
            # text too: as one ``<code>`` line it would merge lines that ``code_blocks`` has
            # read as separate blocks (a list item, a fence), and a renderer might not agree.
            index = run_end
            continue
        out.append(_escape_text(text[plain_start:index]))
        out.append(_code_span(run, content))
        index = plain_start = close + len(run)
    out.append(_escape_text(text[plain_start:]))
    return "".join(out)


def _is_punctuation(char: str) -> bool:
    return char.isascii() and not char.isalnum() and not char.isspace()


def _closing_run(text: str, start: int, size: int) -> int | None:
    for match in re.finditer(r"`+", text[start:]):
        if len(match.group(0)) == size:
            return start + match.start()
    return None


def _needs_escaping(text: str) -> bool:
    return bool(_TAG_START.search(text) or _REFERENCE.search(text) or _BAD_SCHEME.search(text))


def _code_span(run: str, content: str) -> str:
    if not _needs_escaping(content):
        return f"{run}{content}{run}"
    shown = content.replace("\n", " ")
    if len(shown) > 2 and shown[0] == " " and shown[-1] == " " and shown.strip():
        shown = shown[1:-1]  # CommonMark drops one space on each side
    # Our own HTML with escaped content: it renders like the code span, and no reading
    # of the backticks around it can turn its content into markup or a link.
    escaped = html.escape(shown, quote=False).replace("`", "&#96;").replace("\\", "&#92;")
    return f"<code>{_BAD_SCHEME.sub(lambda m: m.group(0) + _ZWSP, escaped)}</code>"


def _escape_text(text: str) -> str:
    if not text:
        return text
    pieces, last = [], 0
    for match in _MATH.finditer(text):
        pieces.append(_escape_prose(text[last : match.start()]))
        pieces.append(_escape_math(match.group(0)))
        last = match.end()
    pieces.append(_escape_prose(text[last:]))
    return _BAD_SCHEME.sub(lambda m: m.group(0) + _ZWSP, "".join(pieces))


def _escape_prose(text: str) -> str:
    kept: list[str] = []

    def keep(match):
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    text = _SAFE_AUTOLINK.sub(keep, text.replace("\x00", ""))
    text = _REFERENCE.sub(lambda m: "&amp;" + (_ZWSP if _DECODABLE.match(text, m.end()) else ""), text)
    text = _TAG_START.sub("&lt;", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], text)


def _escape_math(text: str) -> str:
    # In TeX a space after ``<`` or ``&`` changes nothing; outside math it stops a tag or reference.
    return re.sub(r"([<&])(?=[#A-Za-z/!?])", r"\1 ", text)
