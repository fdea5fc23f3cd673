"""Smoke test for the browser harness: a real JupyterLab, a real kernel, real widgets."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

HELLO = 'print("hello from the kernel")'

ENVIRONMENT = """\
import os, sys, keyring
print("prefix=" + sys.prefix)
print("backend=" + os.environ.get("PYTHON_KEYRING_BACKEND", ""))
print("keyring=" + type(keyring.get_keyring()).__name__)
"""

KEY_FORM = """\
import ipywidgets as widgets
from IPython.display import display

key = widgets.Password(description="Key")
status = widgets.Label(value="waiting for a key")
go = widgets.Button(description="Go")

def on_go(_):
    received = len(key.value)
    key.value = ""
    status.value = f"received {received} characters"

go.on_click(on_go)
display(widgets.VBox([key, go, status]))
"""


def test_a_notebook_cell_runs_in_jupyterlab_in_chromium(lab_page, jupyter_env, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    secret = "sk-smoke-" + secrets.token_hex(8)
    lab_page.write_notebook("smoke.ipynb", [HELLO, ENVIRONMENT, KEY_FORM])
    lab_page.open_notebook("smoke.ipynb")

    assert lab_page.run_all(), "a cell failed:\n" + "\n".join(
        lab_page.cell_output_text(i) for i in range(3)
    )
    assert "hello from the kernel" in lab_page.cell_output_text(0)

    page = lab_page.page
    form = lab_page.cell_locator(2)
    # ipywidgets 8 renders Password as `.widget-text` with <input type=password>
    # labelled by its description.
    password = form.get_by_label("Key", exact=True)
    expect(password).to_have_attribute("type", "password")
    expect(form.locator(".widget-label", has_text="waiting for a key")).to_be_visible()

    password.fill(secret)
    form.get_by_role("button", name="Go", exact=True).click()

    expect(form.locator(".widget-label", has_text=f"received {len(secret)} characters")).to_be_visible()
    expect(password).to_have_value("")
    lab_page.screenshot(tmp_path / "smoke.png")

    lab_page.save()
    saved = lab_page.read_notebook()

    assert "hello from the kernel" in lab_page.output_text(saved, 0)
    env_out = lab_page.output_text(saved, 1)
    assert f"prefix={sys.prefix}" in env_out  # the kernel runs the venv's python
    assert f"backend={jupyter_env['PYTHON_KEYRING_BACKEND']}" in env_out
    assert "keyring=MemoryKeyring" in env_out

    state = saved["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    models = {m["model_name"]: m["state"] for m in state.values()}
    # Saved widget state drops default values, so an emptied Password has no "value" key.
    assert models["PasswordModel"].get("value", "") == ""
    assert models["PasswordModel"]["description"] == "Key"
    assert models["LabelModel"]["value"] == f"received {len(secret)} characters"
    assert secret not in lab_page.read_notebook_text()
    assert page.url.startswith(lab_page.server.url)
