"""A model that thinks, in JupyterLab and Notebook 7: the live line while it is silent, then the answer in its
place with the thinking folded above it (dimmed, escaped, no math), and a saved notebook, reopened with a kernel
and with none, keeps the folded thinking and never the live line."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.support import WAIT_MS
from tests.support.openai_server import Reply

LOAD = (
    "%load_ext chatwithtech_magic\n%config ChatMagics.retries = 0\n"
    "import chatwithtech_magic.render.waiting as w\nw.SHOW_AFTER = w.INTERVAL = 0.2"  # the line from 0.2 s on
)
KEY_FROM_PARTS = "import os; os.environ['OPENAI_API_KEY'] = 'sk-' + 'browser-think-' + '0' * 24"
ASK = "%%chat -m gpt-4.1-mini\nHow much are two apples?"
THOUGHT = "Apples cost $5 and $6 <b>each</b>, so \\(5+6\\)."
ANSWER = "Two apples cost **11** dollars."


@pytest.fixture(params=["jupyterlab", "notebook7"])
def frontend(request):
    return request.getfixturevalue("lab_page" if request.param == "jupyterlab" else "notebook7_page")


def start_cell(frontend, index: int) -> None:
    """Run a cell without waiting for it, as a user presses Shift-Enter and watches."""
    frontend._js(
        """
        const w = findPanel(arg.path);
        window.jupyterapp.shell.activateById(w.id);
        w.content.activeCellIndex = arg.index;
        w.content.deselectAll();
        window.jupyterapp.commands.execute('notebook:run-cell');
        """,
        {"path": frontend._path(None), "index": index},
    )


def test_the_live_line_then_the_folded_thinking_above_the_answer_survive_a_save_and_reopen(frontend, server):
    server.script(Reply(chunks=["Two apples cost ", "**11** dollars."], think=3.0, reasoning=[THOUGHT]))
    frontend.write_notebook("think.ipynb", [LOAD, KEY_FROM_PARTS, ASK])
    frontend.open_notebook("think.ipynb")
    assert frontend.run_cell(0) and frontend.run_cell(1)

    start_cell(frontend, 2)
    cell = frontend.cell_locator(2)
    expect(cell.locator(".jp-OutputArea")).to_contain_text("gpt-4.1-mini · thinking · 0:0", timeout=WAIT_MS)
    expect(cell.locator(".jp-OutputArea")).to_contain_text("■ Stop or Ctrl-C cancels")
    frontend.wait_kernel_idle()

    answer = cell.locator(".jp-RenderedMarkdown")
    expect(answer.locator("strong")).to_contain_text("11", timeout=WAIT_MS)
    expect(cell).not_to_contain_text("thinking ·")
    thinking = answer.locator("details.chatwithtech-thinking")
    expect(thinking).to_have_count(1)
    expect(thinking.locator("summary")).to_have_text("Thinking")
    expect(thinking.locator("div")).not_to_be_visible()  # folded
    thinking.locator("summary").click()
    expect(thinking.locator("div")).to_have_text(THOUGHT)  # as written: no bold, no math
    expect(thinking.locator("b, mjx-container, .MathJax")).to_have_count(0)

    frontend.save()
    saved = frontend.read_notebook_text()
    assert "thinking ·" not in saved and "Ctrl-C cancels" not in saved
    for kernel in (True, False):
        frontend.reopen(kernel=kernel)
        reopened = frontend.cell_locator(2).locator(".jp-RenderedMarkdown")
        expect(reopened.locator("strong")).to_contain_text("11", timeout=WAIT_MS)
        details = reopened.locator("details")
        expect(details).to_have_count(1)
        expect(details.locator("summary")).to_have_text("Thinking")
        details.locator("summary").click()
        expect(details).to_contain_text("Apples cost $5 and $6 <b>each</b>")
        expect(frontend.cell_locator(2)).not_to_contain_text("thinking ·")
