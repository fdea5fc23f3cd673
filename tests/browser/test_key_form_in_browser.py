"""The ``%chatkey`` form, the error panel's "Set API key" button and a streamed answer,
in a real JupyterLab in Debian's Chromium, against the run's loopback OpenAI server.

No key is ever written into a cell: keys are typed into the form's Password field
with the keyboard, as a user would, and every test checks that the saved notebook
(widget state saving is on in this JupyterLab) holds no key, only its masked form.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.support import WAIT_MS, button, input_values, key_form, masked, new_key, type_key_and_save
from tests.support.openai_server import Reply

LOAD = "%load_ext chatwithtech_magic"
FORM = "%chatkey"
QUESTION = "%%chat\nSay hello."


def assert_no_key_saved(lab_page, *keys: str) -> dict:
    lab_page.save()
    text = lab_page.read_notebook_text()
    for key in keys:
        assert key not in text, "a key was written into the saved notebook"
        assert key[3:] not in text  # not even without its sk- prefix
    saved = lab_page.read_notebook()
    assert "widgets" in saved["metadata"], "widget state was not saved: the leak check proves nothing"
    state = saved["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    passwords = [m["state"] for m in state.values() if m["model_name"] == "PasswordModel"]
    assert passwords, "no Password widget in the saved widget state"
    assert all(p.get("value", "") == "" for p in passwords)
    return saved


def test_typing_a_key_into_the_form_saves_it_masked_and_a_saved_notebook_holds_no_key(
    lab_page, server, tmp_path: Path
) -> None:
    key = new_key()
    organization = "org-browser" + secrets.token_hex(4)
    lab_page.write_notebook("key_form.ipynb", [LOAD, FORM])
    lab_page.open_notebook("key_form.ipynb")
    assert lab_page.run_all(), lab_page.cell_output_text(0) + lab_page.cell_output_text(1)

    form = key_form(lab_page.cell_locator(1))
    status = form.locator(".chatwithtech-key-status")
    expect(status).to_have_text("No key set.")

    type_key_and_save(form, key, organization)

    expect(status).to_contain_text(masked(key), timeout=WAIT_MS)
    expect(status).to_contain_text("keyring")
    expect(status).to_contain_text(organization)
    expect(form).to_contain_text("✔ Connected: 8 chat models (and 5 models not for chat).", timeout=WAIT_MS)
    assert key not in status.inner_text()
    assert key not in lab_page.cell_locator(1).inner_text()
    assert not any(key in value for value in input_values(lab_page.page))
    lab_page.screenshot(tmp_path / "key_form.png")
    lab_page.cell_locator(1).screenshot(path=str(tmp_path / "key_form_cell.png"))

    # The real key went over the wire (to the loopback server), with the organization ...
    tests = [r for r in server.requests if r.method == "GET" and r.path.startswith("/v1/models")]
    assert [r.bearer for r in tests] == [key]
    assert tests[0].headers.get("openai-organization") == organization

    # ... but not into the file: the status line keeps only the masked key.
    saved = assert_no_key_saved(lab_page, key)
    assert masked(key) in lab_page.read_notebook_text()
    assert organization in lab_page.read_notebook_text()
    assert saved["cells"][1]["source"] in ("%chatkey", ["%chatkey"])
    # The cell shows the form's intro (static, so a reopened notebook still reads) and the form, nothing
    # else (no `Out[]: <...KeyForm at 0x...>` repr).
    outputs = saved["cells"][1]["outputs"]
    assert [o["output_type"] for o in outputs] == ["display_data", "display_data"]
    assert "application/vnd.jupyter.widget-view+json" not in outputs[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" in outputs[1]["data"]


def test_the_set_api_key_button_on_a_rejected_key_opens_the_form_in_place(
    lab_page, server, tmp_path: Path
) -> None:
    right, wrong = new_key("right"), new_key("wrong")
    server.valid_keys = {right}
    lab_page.write_notebook("rejected.ipynb", [LOAD, FORM, QUESTION])
    lab_page.open_notebook("rejected.ipynb")
    assert lab_page.run_cell(0) and lab_page.run_cell(1)

    # A wrong key, saved through the form: its test already says it was rejected.
    form = key_form(lab_page.cell_locator(1))
    type_key_and_save(form, wrong)
    expect(form.locator(".chatwithtech-key-status")).to_contain_text(masked(wrong), timeout=WAIT_MS)
    expect(form.locator(".chatwithtech-error")).to_contain_text("The API key was rejected", timeout=WAIT_MS)

    # The question gets the "rejected" panel, naming the key only masked.
    lab_page.run_cell(2)
    cell = lab_page.cell_locator(2)
    message, panel = cell.locator(".chatwithtech-error"), cell.locator(".chatwithtech-error-panel")
    expect(panel).to_be_visible(timeout=WAIT_MS)  # the buttons; the message above them is an ordinary output
    expect(message).to_contain_text("The API key was rejected")
    expect(message).to_contain_text(masked(wrong))
    expect(message).to_contain_text("keyring")  # where the rejected key came from
    assert wrong not in cell.inner_text()
    assert server.chat_requests()[-1].bearer == wrong

    # "Set API key" opens the key form inside the panel; the right key goes in there.
    button(panel, "Set API key").click()
    inner = key_form(panel)
    expect(inner.locator(".chatwithtech-key-status")).to_contain_text(masked(wrong))
    type_key_and_save(inner, right)
    expect(inner.locator(".chatwithtech-key-status")).to_contain_text(masked(right), timeout=WAIT_MS)
    expect(inner).to_contain_text("✔ Connected: 8 chat models (and 5 models not for chat).", timeout=WAIT_MS)
    lab_page.cell_locator(2).screenshot(path=str(tmp_path / "panel_with_form.png"))
    models = [r for r in server.requests if r.method == "GET" and r.path.startswith("/v1/models")]
    assert [r.bearer for r in models] == [wrong, right]

    # The same question now gets its answer.
    lab_page.run_cell(2)
    answer = cell.locator(".jp-RenderedMarkdown")
    expect(answer).to_contain_text("Hello from the test server.", timeout=WAIT_MS)
    expect(cell.locator(".chatwithtech-error-panel")).to_have_count(0)
    assert server.chat_requests()[-1].bearer == right
    assert "Hello from the test server." in lab_page.cell_output_text(2)
    assert not any(k in value for value in input_values(lab_page.page) for k in (right, wrong))

    assert_no_key_saved(lab_page, right, wrong)


def test_an_answer_streams_into_the_cell_as_rendered_markdown(lab_page, server, tmp_path: Path) -> None:
    key = new_key()
    markdown = "# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n中文回答"
    server.script(Reply(markdown, delay=0.05))
    lab_page.write_notebook("stream.ipynb", [LOAD, FORM, "%%chat\nA title, a table and some Chinese, please."])
    lab_page.open_notebook("stream.ipynb")
    assert lab_page.run_cell(0) and lab_page.run_cell(1)
    form = key_form(lab_page.cell_locator(1))
    type_key_and_save(form, key)
    expect(form).to_contain_text("✔ Connected", timeout=WAIT_MS)

    cell = lab_page.cell_locator(2)
    # Record every text the output area shows while the answer streams in.
    cell.evaluate(
        """(cell) => {
          window.__cwtFrames = [];
          const seen = () => {
            const out = cell.querySelector('.jp-OutputArea');
            const text = out ? out.innerText : '';
            const frames = window.__cwtFrames;
            if (frames[frames.length - 1] !== text) frames.push(text);
          };
          window.__cwtObserver = new MutationObserver(seen);
          window.__cwtObserver.observe(cell, {childList: true, subtree: true, characterData: true});
        }"""
    )
    # Run it from the keyboard: click into the cell's editor, Ctrl+Enter.
    cell.locator(".jp-InputArea-editor").click()
    lab_page.page.keyboard.press("Control+Enter")

    rendered = cell.locator(".jp-OutputArea .jp-RenderedMarkdown")
    expect(rendered).to_contain_text("中文回答", timeout=WAIT_MS)
    expect(rendered.locator("sub")).to_contain_text("tokens", timeout=WAIT_MS)  # the final render's usage line
    lab_page.wait_kernel_idle()
    frames = lab_page.page.evaluate("() => { window.__cwtObserver.disconnect(); return window.__cwtFrames; }")

    expect(rendered.locator("h1")).to_contain_text("Title")
    table = rendered.locator("table")
    expect(table).to_have_count(1)
    expect(table.locator("th")).to_have_text(["a", "b"])
    expect(table.locator("td")).to_have_text(["1", "2"])
    expect(rendered.locator("p", has_text="中文回答")).to_be_visible()
    assert "|---|" not in rendered.inner_text()  # rendered, not shown as source
    # It streamed: the title was on screen before the Chinese text arrived.
    partial = [f for f in frames if "Title" in f and "中文回答" not in f]
    assert partial, f"no partial render seen; frames: {frames!r}"
    assert [r.bearer for r in server.chat_requests()] == [key]

    shot = tmp_path / "streamed_answer.png"
    cell.screenshot(path=str(shot))
    print(f"\nscreenshot: {shot}")
    assert_no_key_saved(lab_page, key)


def test_a_typed_key_is_out_of_the_notebook_even_if_it_is_saved_before_save_and_test(
    lab_page, server, tmp_path: Path
) -> None:
    key = new_key("early")
    lab_page.write_notebook("early_save.ipynb", [LOAD, FORM])
    lab_page.open_notebook("early_save.ipynb")
    assert lab_page.run_all()
    form = key_form(lab_page.cell_locator(1))
    password = form.get_by_label("API key", exact=True)
    password.click()
    password.press_sequentially(key)
    password.press("Tab")  # leaving the field hands the key to the kernel, which takes it out of the field
    expect(password).to_have_value("", timeout=WAIT_MS)
    expect(password).to_have_attribute("placeholder", re.compile(re.escape(masked(key)) + " received"))
    assert_no_key_saved(lab_page, key)
    button(form, "Save & test").click()
    expect(form).to_contain_text("✔ Connected: 8 chat models (and 5 models not for chat).", timeout=WAIT_MS)
    assert [r.bearer for r in server.requests if r.path.startswith("/v1/models")] == [key]
