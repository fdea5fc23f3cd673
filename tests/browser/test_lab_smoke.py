"""Smoke test for the browser harness: a real JupyterLab, a real kernel, real widgets."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

HELLO = 'print("hello from the kernel")'

ENVIRONMENT = """\
import os, sys, keyring
print("prefix=" + sys.prefix)
print("backend=" + os.environ.get("PYTHON_KEYRING_BACKEND", ""))
print("keyring=" + type(keyring.get_keyring()).__name__)
print("base_url=" + os.environ.get("OPENAI_BASE_URL", ""))
print("key_set=" + str("OPENAI_API_KEY" in os.environ))
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
    kernel_env = dict(line.split("=", 1) for line in lab_page.output_text(saved, 1).splitlines())
    assert kernel_env["prefix"] == sys.prefix  # the kernel runs the venv's python
    assert kernel_env["backend"] == jupyter_env["PYTHON_KEYRING_BACKEND"]
    assert kernel_env["keyring"] == "MemoryKeyring"
    # The kernel inherits the run's environment (e.g. the root conftest's loopback
    # OPENAI_BASE_URL) unless jupyter_env says otherwise ...
    expected_base_url = jupyter_env.get("OPENAI_BASE_URL", os.environ.get("OPENAI_BASE_URL")) or ""
    assert kernel_env["base_url"] == expected_base_url
    # ... but a session-long server never inherits a key.
    assert kernel_env["key_set"] == str(jupyter_env.get("OPENAI_API_KEY") is not None)

    state = saved["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    models = {m["model_name"]: m["state"] for m in state.values()}
    # Saved widget state drops default values, so an emptied Password has no "value" key.
    assert models["PasswordModel"].get("value", "") == ""
    assert models["PasswordModel"]["description"] == "Key"
    assert models["LabelModel"]["value"] == f"received {len(secret)} characters"
    assert secret not in lab_page.read_notebook_text()
    assert page.url.startswith(lab_page.server.url)
