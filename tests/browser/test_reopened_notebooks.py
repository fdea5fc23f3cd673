"""Notebook 7 as well as JupyterLab: the key form, a streamed answer and an error panel work live, and a
saved notebook reads well when reopened with a fresh kernel and with none.

Saved the way both frontends save by default (no widget state), a reopened notebook can't show a widget
("Error displaying widget: model not found" with a kernel, "Loading widget..." without): so the panel's
message is an ordinary output, and an answer a panel's button brought replaces that message as one.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.support import WAIT_MS, button, key_form, masked, new_key, type_key_and_save
from tests.support.openai_server import Reply, insufficient_quota, model_not_found, overloaded

LOAD = "%load_ext chatwithtech_magic\n%config ChatMagics.retries = 0"
FORM = "%chatkey"
ASK = "%%chat\nA heading and some Chinese, please."
WRONG_MODEL = "%%chat -m gpt-5-ultra\nWhat is 2+2?"
QUOTA = "%%chat\nOne more?"
BUSY = "%%chat\nAnd now?"
CELLS = [LOAD, FORM, ASK, WRONG_MODEL, QUOTA, BUSY]
WIDGET_PROBLEMS = ("Error displaying widget", "Loading widget")


@pytest.fixture(params=["jupyterlab", "notebook7"])
def frontend(request):
    """The same page helpers on JupyterLab and on Notebook 7."""
    return request.getfixturevalue("lab_page" if request.param == "jupyterlab" else "notebook7_page")


def test_the_form_a_streamed_answer_and_a_panels_button_work_and_survive_a_save_and_reopen(frontend, server):
    server.models = ["gpt-4.1-mini"]
    server.script(Reply("# Hello\n\n中文回答", delay=0.02), model_not_found("gpt-5-ultra"), insufficient_quota(),
                  overloaded(), Reply("Four."))  # the last one for the button
    frontend.write_notebook("story.ipynb", CELLS)
    frontend.open_notebook("story.ipynb")
    assert frontend.run_cell(0) and frontend.run_cell(1)
    form = key_form(frontend.cell_locator(1))
    key = new_key()
    type_key_and_save(form, key)
    expect(form).to_contain_text("✔ Connected", timeout=WAIT_MS)
    for index in (2, 3, 4, 5):
        frontend.run_cell(index)

    # A streamed answer, rendered.
    answer = frontend.cell_locator(2).locator(".jp-RenderedMarkdown")
    expect(answer.locator("h1")).to_contain_text("Hello", timeout=WAIT_MS)
    expect(answer).to_contain_text("中文回答")

    # An error panel: the message, and under it the buttons; "Use gpt-4.1-mini" puts the answer in its place.
    wrong = frontend.cell_locator(3)
    expect(wrong.locator(".chatwithtech-error")).to_contain_text("Model gpt-5-ultra is not available", timeout=WAIT_MS)
    button(wrong.locator(".chatwithtech-error-panel"), "Use gpt-4.1-mini").click()
    expect(wrong.locator(".jp-RenderedMarkdown")).to_contain_text("Four.", timeout=WAIT_MS)
    expect(wrong.locator(".chatwithtech-error")).to_have_count(0)
    expect(wrong.locator(".chatwithtech-error-panel")).to_have_count(0)
    assert server.chat_requests()[-1].body["model"] == "gpt-4.1-mini"
    expect(frontend.cell_locator(4).locator(".chatwithtech-error")).to_contain_text("You exceeded your current quota")
    busy = frontend.cell_locator(5)
    expect(busy.locator(".chatwithtech-error")).to_contain_text("overloaded", timeout=WAIT_MS)
    expect(button(busy.locator(".chatwithtech-error-panel"), "Retry")).to_be_visible()

    frontend.save()
    frontend.forget_widget_state()  # what a save with the default settings writes
    saved = frontend.read_notebook()
    assert "Four." in frontend.output_text(saved, 3)  # the button's answer is an ordinary output in the file ...
    assert "gpt-5-ultra is not available" not in frontend.output_text(saved, 3)  # ... in the message's place
    assert "You exceeded your current quota" in frontend.output_text(saved, 4)

    for kernel in (True, False):
        frontend.reopen(kernel=kernel)
        expect(frontend.cell_locator(2).locator(".jp-RenderedMarkdown")).to_contain_text("中文回答", timeout=WAIT_MS)
        expect(frontend.cell_locator(3).locator(".jp-RenderedMarkdown")).to_contain_text("Four.")
        expect(frontend.cell_locator(4).locator(".chatwithtech-error")).to_contain_text("You exceeded your current quota")
        expect(frontend.cell_locator(5).locator(".chatwithtech-error")).to_contain_text("overloaded")
        for index in (2, 3, 4):  # where a message or an answer was, it still reads, with no widget note
            shown = frontend.shown_text(index)
            assert not any(problem in shown for problem in WIDGET_PROBLEMS), (kernel, index, shown)
        # Where the form was, an ordinary output still says what it was and how to open it again; never the key.
        expect(frontend.cell_locator(1).locator(".chatwithtech-key-intro")).to_contain_text("OpenAI connection 'openai'")
        form_cell = frontend.shown_text(1)
        assert "run %chatkey" in form_cell and key not in form_cell and masked(key) not in form_cell, form_cell
