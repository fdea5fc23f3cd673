"""A Retry after a cut-off stream, in a real JupyterLab: the button's answer replaces the partial
answer where it stands (an update by display id from a widget callback), the panel goes, and the
saved notebook holds one answer."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.support import WAIT_MS, button
from tests.support.openai_server import Reply, StreamDrop

LOAD = "%load_ext chatwithtech_magic\n%config ChatMagics.retries = 0"
KEY_FROM_PARTS = "import os; os.environ['OPENAI_API_KEY'] = 'sk-' + 'browser-retry-' + '0' * 24"
ASK = "%%chat -m gpt-4.1-mini\nTell me a story."


def test_retry_replaces_the_cut_off_answer_in_place_and_the_saved_cell_holds_one_answer(lab_page, server):
    server.script(StreamDrop("Once upon a time, "), Reply("Once upon a time, there was one answer."))
    lab_page.write_notebook("retry.ipynb", [LOAD, KEY_FROM_PARTS, ASK])
    lab_page.open_notebook("retry.ipynb")
    lab_page.run_all()
    cell = lab_page.cell_locator(2)
    expect(cell.locator(".chatwithtech-error")).to_contain_text("The answer was cut off", timeout=WAIT_MS)
    expect(cell.locator(".jp-RenderedMarkdown").first).to_contain_text("answer incomplete")

    button(cell.locator(".chatwithtech-error-panel"), "Retry").click()

    expect(cell.locator(".jp-RenderedMarkdown").first).to_contain_text("there was one answer.", timeout=WAIT_MS)
    expect(cell.locator(".chatwithtech-error")).to_have_count(0)
    expect(cell.locator(".chatwithtech-error-panel")).to_have_count(0)
    expect(cell.locator(".jp-RenderedMarkdown", has_text="Once upon a time")).to_have_count(1)  # not twice
    expect(cell).not_to_contain_text("answer incomplete")

    lab_page.save()
    saved = lab_page.output_text(lab_page.read_notebook(), 2)
    assert saved.count("Once upon a time") == 1 and "there was one answer." in saved
    assert "cut off" not in saved
