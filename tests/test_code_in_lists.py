"""Code reads as written wherever Markdown renders it as code -- fenced (backticks or tildes, at any
indent a list allows), indented, inline spans -- at the top level, in nested list items and in block
quotes; while ``<``, ``&`` outside code still cannot form HTML, whatever the shape of the answer.

Most tests check the Markdown string ``safe_markdown`` produces. The renderer tests feed it to the
real renderers: JupyterLab's own bundled ``marked`` (run with node; skipped without node) and
nbconvert's mistune (an exported notebook).
"""

from __future__ import annotations

import html
import json
import random
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from chatwithtech_magic.render.safe import safe_markdown

CODE = 'if a<b and x <y: print("<div>") & x && y'
NESTED = f"1. Step one\n   - sub item\n     ```python\n     {CODE}\n     ```\n2. Step two\n"
HOSTILE = "<img src=x onerror=alert(1)>"


# -- the Markdown string ------------------------------------------------------------------


def test_code_in_a_nested_list_keeps_its_less_than_signs():
    shown = safe_markdown(NESTED)
    assert f"     ```python\n     {CODE}\n     ```" in shown
    assert "&lt;" not in shown and "&amp;" not in shown


@pytest.mark.parametrize(
    "text, code_line",
    [
        (f"- item\n  ~~~\n  {CODE}\n  ~~~", f"  {CODE}"),  # tildes
        (f"- item\n\n     ````js\n     {CODE}\n     ````", f"     {CODE}"),  # four backticks, indented 3 in the item
        (f"1) item\n   * deeper\n     + deepest\n       ```\n       {CODE}\n       ```", f"       {CODE}"),  # three levels
        (f"> quoted\n>\n> ```\n> {CODE}\n> ```", f"> {CODE}"),  # a block quote
        (f"> 1. quoted list\n>    ```\n>    {CODE}\n>    ```", f">    {CODE}"),  # a list in a quote
        (f"- item\n  > quote in a list\n  > ```\n  > {CODE}\n  > ```", f"  > {CODE}"),  # a quote in a list
        (f"- item\n\n      {CODE}", f"  {CODE}"),  # indented code in a list item, as a fence
        (f"> quoted\n>\n>     {CODE}", f"> {CODE}"),  # indented code in a quote, as a fence
        (f"10. item\n    ```\n    {CODE}\n    ```", f"    {CODE}"),  # a wide ordered marker
    ],
)
def test_code_in_lists_and_quotes_is_left_exactly_as_written(text, code_line):
    shown = safe_markdown(text)
    assert code_line in shown.split("\n"), shown


@pytest.mark.parametrize("text", ["- `a<b && c`", "> `a<b && c`", "1. text ``a<b` && c`` text", "- > `a<b && c`"])
def test_inline_code_in_lists_and_quotes_shows_its_characters_as_written(text):
    shown = safe_markdown(text)
    spans = re.findall(r"<code>(.*?)</code>", shown)
    assert len(spans) == 1 and html.unescape(spans[0]).replace("\u200b", "") in ("a<b && c", "a<b` && c"), shown


def test_outside_the_code_the_same_list_still_escapes_html():
    shown = safe_markdown(f"1. Step {HOSTILE}\n   ```\n   {CODE}\n   ```\n   after {HOSTILE}\n> quoted {HOSTILE}")
    assert shown.count("&lt;img") == 3 and f"   {CODE}" in shown


def test_a_top_level_code_block_stays_as_written_and_an_indented_one_becomes_a_fence():
    assert safe_markdown(f"```\n{CODE}\n```") == f"```\n{CODE}\n```"
    assert safe_markdown(f"text\n\n    {CODE}") == f"text\n\n```\n{CODE}\n```"


def test_indented_code_in_a_list_item_becomes_a_fence_at_the_items_indentation():
    # marked would glue an indented block in a list item to the text before it, blank lines or not.
    shown = safe_markdown(f"- item\n\n      {CODE}\n\n          more\n\n- next")
    assert shown == f"- item\n\n  ```\n  {CODE}\n\n      more\n  ```\n\n- next"


def test_a_cut_off_fence_in_a_nested_list_is_closed_at_its_own_indentation():
    cut = "1. Step\n   - sub\n     ```python\n     if a<b:"
    assert safe_markdown(cut) == cut  # while streaming: the code so far, as written
    assert safe_markdown(cut, close=True) == cut + "\n     ```"
    assert safe_markdown("> ~~~~\n> x<y", close=True) == "> ~~~~\n> x<y\n> ~~~~"


def test_the_line_under_a_cut_off_answer_is_not_swallowed_by_a_fence_in_a_list():
    from chatwithtech_magic.render.answer import markdown_bundle
    from chatwithtech_magic.session import Answer

    answer = Answer(prompt="p", text="- step\n  ```python\n  print(1)", model="gpt-4.1-mini", complete=False)
    markdown = markdown_bundle(answer.text, answer)["text/markdown"]
    assert markdown.index("  ```\n") < markdown.index("<sub>")


def test_a_closing_fence_only_one_renderer_accepts_is_rewritten_so_both_close_there():
    shown = safe_markdown(f"```\na\n```~\n```\n{HOSTILE}\n```")
    assert shown.split("\n")[2] == "```"  # marked closed at "```~", CommonMark did not: now both do
    assert shown.split("\n")[:5] == ["```", "a", "```", "```", HOSTILE]  # and agree the image line is code


@pytest.mark.parametrize(
    "text",
    [
        f"1. step\n   ```\n   code\n  {HOSTILE}\n   ```",  # less indented than the item: the item ends
        f"1. step\n   ```\n   code\n  lazy text\n   ```\n   {HOSTILE}\n   ```",  # marked and CommonMark part here
        f"- item\n\tcode\n  ```\n  {HOSTILE}\n  ```",  # a tab in the indentation
        f"-\n  ```\n  {HOSTILE}\n  ```",  # an empty list item
        f"-      far\n  ```\n  {HOSTILE}\n  ```",  # an over-indented item
        f"> quote\nlazy\n> ```\n> {HOSTILE}\n> ```",  # a lazy line in a quote
    ],
)
def test_where_renderers_could_read_the_structure_differently_nothing_is_kept_as_written(text):
    assert "&lt;img" in safe_markdown(text) and HOSTILE not in safe_markdown(text)


# -- the real renderers ---------------------------------------------------------------------

ALLOWED = {"p", "ol", "ul", "li", "pre", "code", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
           "strong", "em", "a", "table", "thead", "tbody", "tr", "th", "td", "br", "del", "sub", "input"}  # fmt: skip


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.bad: list[str] = []
        self.code: list[str] = []
        self._in_code = 0

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED or any(name.startswith("on") for name, _ in attrs):
            self.bad.append(tag)
        if tag == "code":
            self._in_code += 1
            self.code.append("")

    def handle_endtag(self, tag):
        if tag == "code":
            self._in_code -= 1

    def handle_data(self, data):
        if self._in_code:
            self.code[-1] += data


def _read(page: str) -> _Tags:
    tags = _Tags()
    tags.convert_charrefs = True
    tags.feed(page)
    return tags


# How the shared-module table in JupyterLab's main bundle names marked: version, chunk, module id.
_MARKED_SHARED = (
    r'name:"marked",version:"(\d+)\.(\d+)\.(\d+)",'
    r"factory:\(\)=>__webpack_require__\.e\((\d+)\)\.then\(\(\)=>\(\)=>__webpack_require__\((\d+)\)"
)


def _marked_bundle() -> tuple[Path, str] | None:
    """JupyterLab's own marked: the chunk and module its Markdown renderer loads."""
    static = Path(sys.prefix, "share", "jupyter", "lab", "static")
    found = []
    for main in static.glob("main.*.js"):
        for match in re.finditer(_MARKED_SHARED, main.read_text(encoding="utf-8")):
            version, chunk, module = tuple(map(int, match.group(1, 2, 3))), match.group(4), match.group(5)
            found += [(version, path, module) for path in static.glob(f"{chunk}.*.js")]
    return max(found)[1:] if found else None


SHIM = """
const fs = require('fs');
const modules = {};
globalThis.self = globalThis;
globalThis.rspackChunk_jupyterlab_application_top = globalThis.webpackChunk_jupyterlab_application_top =
  { push: (chunk) => Object.assign(modules, chunk[1]) };
eval(fs.readFileSync(process.argv[1], 'utf8'));
const cache = {};
function req(id) {
  if (!cache[id]) { cache[id] = { exports: {} }; modules[id](cache[id], cache[id].exports, req); }
  return cache[id].exports;
}
req.r = (e) => Object.defineProperty(e, '__esModule', { value: true });
req.d = (e, d) => { for (const k in d) Object.defineProperty(e, k, { enumerable: true, get: d[k] }); };
req.o = (o, p) => Object.prototype.hasOwnProperty.call(o, p);
const { marked } = req(process.argv[2]);
const inputs = JSON.parse(fs.readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(inputs.map((s) => marked.parse(s, { gfm: true }))));
"""


@pytest.fixture(scope="module")
def renderers():
    """Render Markdown strings with marked (JupyterLab) and mistune (nbconvert): name -> function."""
    found = {}
    bundle, node = _marked_bundle(), shutil.which("node")
    if bundle and node:

        def marked(texts):
            done = subprocess.run([node, "-e", SHIM, str(bundle[0]), bundle[1]], input=json.dumps(texts),
                                  capture_output=True, text=True, timeout=60)  # fmt: skip
            assert done.returncode == 0, done.stderr
            return json.loads(done.stdout)

        found["marked"] = marked
    mistune = pytest.importorskip("mistune")
    parse = mistune.create_markdown(escape=False, plugins=["strikethrough", "table"])
    found["mistune"] = lambda texts: [parse(text) for text in texts]
    return found


def test_jupyterlabs_marked_is_found_and_runs(renderers):
    if "marked" not in renderers:
        pytest.skip("node or JupyterLab's bundled marked is not available")
    assert "<li>" in renderers["marked"](["- x"])[0]


def test_both_renderers_show_code_in_nested_lists_and_quotes_as_written(renderers):
    texts = [NESTED, f"> 1. q\n>    ~~~\n>    {CODE}\n>    ~~~", f"- a\n\n      {CODE}", f"- `{CODE}`"]
    for name, render in renderers.items():
        for text, page in zip(texts, render([safe_markdown(text, close=True) for text in texts])):
            read = _read(page)
            assert read.bad == [], (name, page)
            assert any(CODE in code for code in read.code), (name, text, page)


def _shape(rng: random.Random) -> str:
    """A random answer built of list items, quotes, fences, tabs and HTML, well formed or not."""
    starts = ["", " ", "  ", "   ", "    ", "     ", "       ", "\t", "> ", ">", "> > ", ">    ", "   > "]
    bodies = ["1. step", "- item", "* x", "2. two", "10) ten", "> quote", "-", "-      far", "```", "```python",
              "~~~", "````", "```~", "~~~`", "```\t", "``` `x`", HOSTILE, "a<b and <div> x", "`<b>` code",
              "``a<b` ``", "# head", "---", "", "", "&#106;avascript", "text", "\tcode<b>", "<!-- c -->",
              "<https://x.y>", "x <script>alert(1)</script>"]  # fmt: skip
    return "\n".join(rng.choice(starts) + rng.choice(bodies) for _ in range(rng.randint(1, 12)))


def test_no_shape_of_answer_lets_html_through_either_renderer_not_even_one_after_another(renderers):
    rng = random.Random(20261129)
    texts = [_shape(rng) for _ in range(400)]
    single = [safe_markdown(text, close=rng.random() < 0.5) for text in texts]
    # As in %chat history: one escaped text after another, each closed.
    joined = [
        safe_markdown(a, close=True) + "\n\n**1. model**\n\n" + safe_markdown(b, close=True) for a, b in zip(texts, texts[1:])
    ]
    for name, render in renderers.items():
        for text, page in zip(single + joined, render(single + joined)):
            assert _read(page).bad == [], (name, text, page)


def _nested(rng: random.Random, prefix: str = "", depth: int = 0) -> list[str]:
    """A well-formed answer: lists and quotes nested up to three deep, each holding code."""
    lines: list[str] = []
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(["text", "fence", "list", "quote", "indented"] if depth < 3 else ["text", "fence"])
        if kind == "text":
            lines.append(prefix + rng.choice(["Some `a<b` text", "plain words", "see ``x<y` `` ok"]))
        elif kind == "fence":
            fence, indent = rng.choice(["```", "~~~", "````"]), " " * rng.randint(0, 3)
            opener = prefix + indent + fence + rng.choice(["python", ""])
            lines += [opener, prefix + indent + CODE, prefix + indent + fence]
        elif kind == "indented":
            lines += [prefix.rstrip(), prefix + "    " + CODE, prefix.rstrip()]
        elif kind == "list":
            for number in range(1, rng.randint(2, 3)):
                marker = rng.choice(["-", "*", f"{number}.", f"{number})"]) + " " * rng.randint(1, 3)
                lines.append(prefix + marker + "item")
                lines += _nested(rng, prefix + " " * len(marker), depth + 1)
            lines.append(prefix.rstrip())
        else:
            lines.append(prefix + "> quoted")
            lines += _nested(rng, prefix + "> ", depth + 1)
            lines.append(prefix.rstrip())
    return lines


def test_well_formed_nested_answers_show_all_their_code_as_written_in_both_renderers(renderers):
    rng = random.Random(7)
    texts = ["\n".join(_nested(rng)) for _ in range(150)]
    for name, render in renderers.items():
        for text, page in zip(texts, render([safe_markdown(text, close=True) for text in texts])):
            read = _read(page)
            assert read.bad == [], (name, text, page)
            assert not any("&lt;" in code or "&amp;" in code for code in read.code), (name, text, page)


def test_broken_variants_of_nested_answers_never_let_html_through(renderers):
    rng = random.Random(11)
    texts = []
    for _ in range(300):
        lines = [line.replace(CODE, HOSTILE) if rng.random() < 0.5 else line for line in _nested(rng)]
        for _ in range(rng.randint(1, 4)):  # shift, drop or insert lines: lazy lines, bad indents, tabs
            at, change = rng.randrange(len(lines)), rng.random()
            if change < 0.3:
                lines[at] = lines[at][rng.randint(1, 3) :]
            elif change < 0.5:
                lines[at] = " " * rng.randint(1, 3) + lines[at]
            elif change < 0.7 and len(lines) > 1:
                del lines[at]
            else:
                lines.insert(at, rng.choice(["", "lazy", "```", "~~~", "\t" + HOSTILE, "  " + HOSTILE]))
        texts.append("\n".join(lines))
    shown = [safe_markdown(text, close=True) for text in texts]
    shown += [a + "\n\n**1. model**\n\n" + b for a, b in zip(shown, shown[1:])]
    for name, render in renderers.items():
        for text, page in zip(shown, render(shown)):
            assert _read(page).bad == [], (name, text, page)


def test_a_code_span_over_several_lines_stays_on_its_lines():
    # As one <code> line it would merge a list item into the line before it.
    text = "- a `x\n- b<i>` c\n  ```\n  <img src=x onerror=alert(1)>\n  ```"
    assert safe_markdown(text).count("\n") == text.count("\n")


def test_every_cut_off_point_of_a_nested_answer_is_safe_and_its_code_reads_as_written(renderers):
    answer = f"1. Step {HOSTILE}\n   - sub\n     ```python\n     {CODE}\n     {HOSTILE}\n     ```\n   after\n2. End"
    cuts = [safe_markdown(answer[:end], close=True) for end in range(1, len(answer) + 1)]
    for name, render in renderers.items():
        pages = render(cuts)
        assert all(_read(page).bad == [] for page in pages), name
        assert any(CODE in code for code in _read(pages[-1]).code), (name, pages[-1])
