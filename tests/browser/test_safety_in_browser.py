"""Issue 8, items 1 and 2, in a real JupyterLab in Debian's Chromium.

1. An answer, a model name and an error message that carry HTML are shown as text: no script
   runs (``window.__pwned`` stays undefined) and the text is visible as written, while bold
   text and code blocks still render.
2. A key typed on a ``%chatkey`` line in a cell of several lines is refused with an "ok"
   reply, so JupyterLab rewrites that line; the cell, the saved notebook and its checkpoint
   hold no key.
"""

from __future__ import annotations

import secrets

from playwright.sync_api import expect

from tests.support.openai_server import Reply, bad_request

WAIT_MS = 15_000
LOAD = "%load_ext chatwithtech_magic"
# The kernel gets a test key without any key being written in a cell.
KEY_FROM_PARTS = "import os; os.environ['OPENAI_API_KEY'] = 'sk-' + 'browser-safety-' + '0' * 24"

ANSWER = (
    'An image: <img src=x onerror="window.__pwned=1"> and a script: <script>window.__pwned=2</script>\n\n'
    "This is **bold**, and here is code:\n\n"
    "```html\n<b>tags in a code block</b>\n```\n"
)
MODEL = 'gpt-4.1-mini<img src=x onerror="window.__pwned=3">'
ERROR = '<img src=x onerror="window.__pwned=4"> is not a valid request'


def pwned(page):
    return page.evaluate("() => window.__pwned === undefined ? null : window.__pwned")


def test_html_from_an_answer_a_model_name_and_an_error_is_shown_as_text_and_never_runs(lab_page, server, tmp_path):
    server.script(Reply(ANSWER, model=MODEL), bad_request(ERROR))
    lab_page.write_notebook(
        "hostile.ipynb",
        [LOAD, KEY_FROM_PARTS, "%%chat -m gpt-4.1-mini\nShow me HTML.", "%%chat -m gpt-4.1-mini\nAgain.", "%chat history"],
    )
    lab_page.open_notebook("hostile.ipynb")
    lab_page.run_all()
    page = lab_page.page

    answer = lab_page.cell_locator(2).locator(".jp-RenderedMarkdown").first
    expect(answer).to_contain_text('<img src=x onerror="window.__pwned=1">', timeout=WAIT_MS)
    expect(answer).to_contain_text("<script>window.__pwned=2</script>")
    expect(answer.locator("strong")).to_have_text("bold")  # Markdown still renders
    expect(answer.locator("pre code")).to_contain_text("<b>tags in a code block</b>")  # and code blocks
    expect(answer.locator("sub")).to_contain_text('onerror="window.__pwned=3"')  # the model name, as text
    assert answer.locator("img, script, b").count() == 0

    panel = lab_page.cell_locator(3).locator(".chatwithtech-error").first
    expect(panel).to_contain_text(ERROR, timeout=WAIT_MS)
    assert lab_page.cell_locator(3).locator(".jp-OutputArea img").count() == 0

    history = lab_page.cell_locator(4).locator(".jp-RenderedMarkdown").first
    expect(history).to_contain_text('<img src=x onerror="window.__pwned=1">', timeout=WAIT_MS)
    assert history.locator("img, script").count() == 0

    page.wait_for_timeout(300)  # an onerror handler runs as soon as the broken image fails to load
    assert pwned(page) is None
    lab_page.cell_locator(2).screenshot(path=str(tmp_path / "hostile_answer.png"))


NESTED_CODE = 'if a<b and x <y: print("<div>") & x && y'
NESTED = (
    '1. Step one <img src=x onerror="window.__pwned=5">\n'
    "   - sub item\n"
    f"     ```python\n     {NESTED_CODE}\n     ```\n"
    '   > quoted <img src=x onerror="window.__pwned=6">\n'
    "2. Step two\n"
)


def test_code_in_a_nested_list_reads_as_written_while_html_around_it_stays_text(lab_page, server):
    server.script(Reply(NESTED))
    lab_page.write_notebook("nested_code.ipynb", [LOAD, KEY_FROM_PARTS, "%%chat -m gpt-4.1-mini\nSteps, please."])
    lab_page.open_notebook("nested_code.ipynb")
    lab_page.run_all()
    page = lab_page.page

    answer = lab_page.cell_locator(2).locator(".jp-RenderedMarkdown").first
    code = answer.locator("li li pre code").first
    expect(code).to_contain_text(NESTED_CODE, timeout=WAIT_MS)  # a<b, <div> and && as written, no &lt;
    assert "&lt;" not in code.inner_text() and "&amp;" not in code.inner_text()
    expect(answer).to_contain_text('<img src=x onerror="window.__pwned=5">')  # outside code: text
    assert answer.locator("img").count() == 0
    page.wait_for_timeout(300)
    assert pwned(page) is None


def test_a_key_typed_on_a_chatkey_line_is_rewritten_out_of_the_cell_the_notebook_and_its_checkpoint(lab_page, server):
    key = "sk-browser-typed-" + secrets.token_hex(16)
    lab_page.write_notebook("typed_key.ipynb", [LOAD, "x = 1\ny = 2"])
    lab_page.open_notebook("typed_key.ipynb")
    assert lab_page.run_cell(0)

    # Type the key into the middle of the cell, as a user would, then run it.
    editor = lab_page.cell_locator(1).locator(".jp-InputArea-editor")
    editor.click()
    page = lab_page.page
    page.keyboard.press("Control+Home")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type(f"%chatkey set {key}")
    source = lambda: page.evaluate(  # noqa: E731
        "() => window.jupyterapp.shell.currentWidget.content.widgets[1].model.sharedModel.getSource()"
    )
    assert source() == f"x = 1\n%chatkey set {key}\ny = 2"
    lab_page.run_cell(1)

    expect(lab_page.cell_locator(1).locator(".jp-OutputArea")).to_contain_text("Refused", timeout=WAIT_MS)
    page.wait_for_function(
        "() => !window.jupyterapp.shell.currentWidget.content.widgets[1].model.sharedModel.getSource().includes('sk-browser')",
        timeout=WAIT_MS,
    )
    assert source() == "x = 1\n%chatkey set\ny = 2"  # only the offending line was rewritten
    assert key not in lab_page.cell_output_text(1)

    lab_page.save()  # JupyterLab's save also creates the checkpoint
    assert key not in lab_page.read_notebook_text() and key[3:] not in lab_page.read_notebook_text()
    checkpoints = list((lab_page.server.root_dir / ".ipynb_checkpoints").glob("typed_key*.ipynb"))
    assert checkpoints, "no checkpoint was written"
    assert all(key[3:] not in c.read_text() for c in checkpoints)
