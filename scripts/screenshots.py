#!/usr/bin/env python3
"""Make the README's pictures with the browser tests' own tooling, so they show what the product does today.

    .venv/bin/python scripts/screenshots.py        # writes docs/images/*.png

A throwaway JupyterLab (``tests/browser/support.py``) in Debian's Chromium, against the loopback
OpenAI-protocol server (``tests/support/openai_server.py``): no account, no key, no network. The key typed
into the form is a made-up one, typed the way a user would, and shown only masked. Each picture is one
cell, cropped, at 1x: a few tens of KB. Needs ``scripts/setup test`` (chromium, fonts-noto-cjk for Chinese).
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "images"

ANSWER = """\
## List comprehensions

A **list comprehension** builds a list in one expression:

```python
squares = [n * n for n in range(6) if n % 2 == 0]
```

| loop | comprehension |
|---|---|
| 4 lines | 1 line |

列表推导式：用一行代码生成列表。
"""


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import expect, sync_playwright

    from tests.browser.support import (
        CHROMIUM, CHROMIUM_ARGS, KEYRING_BACKEND, WAIT_MS, JupyterLabServer, LabPage, button, key_form,
        type_key_and_save,
    )
    from tests.support.openai_server import OpenAIServer, Reply, model_not_found

    OUT.mkdir(parents=True, exist_ok=True)
    cells = [
        "%load_ext chatwithtech_magic",
        "%chatkey",
        "%%chat\nExplain list comprehensions, with an example and a table.",
        "%%chat -m gpt-5-ultra\nWhat is 2+2?",
        '%config ChatMagics.language = "zh"',
        "%chatkey -c work",
        "%%chat -m gpt-5-ultra\n你好",
    ]
    with OpenAIServer() as api:
        api.models = ["gpt-6-luna", "gpt-4.1-mini", "gpt-4o"]
        api.script(Reply(ANSWER, delay=0.01), model_not_found("gpt-5-ultra"), model_not_found("gpt-5-ultra"))
        env = {"OPENAI_BASE_URL": api.base_url, "PYTHON_KEYRING_BACKEND": KEYRING_BACKEND, "PYTHONPATH": str(ROOT)}
        with JupyterLabServer(env) as lab_server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 980, "height": 1400}, device_scale_factor=1)
            page.set_default_timeout(60_000)
            lab = LabPage(page, lab_server)
            lab.goto_lab()
            lab.execute("application:toggle-left-area")  # the file browser would take a third of the width
            lab.write_notebook("tour.ipynb", cells)
            lab.open_notebook("tour.ipynb")
            lab.run_cell(0)
            lab.run_cell(1)
            form = key_form(lab.cell_locator(1))
            type_key_and_save(form, "sk-tour-" + secrets.token_hex(20))  # made up; the form shows it masked
            expect(form).to_contain_text("✔", timeout=WAIT_MS)
            shoot(lab.cell_locator(1), "key-form.png")

            lab.run_cell(2)
            expect(lab.cell_locator(2).locator(".jp-RenderedMarkdown table")).to_be_visible(timeout=WAIT_MS)
            shoot(lab.cell_locator(2), "streamed-answer.png")

            lab.run_cell(3)
            panel = lab.cell_locator(3).locator(".chatwithtech-error-panel")
            expect(button(panel, "Use gpt-4.1-mini")).to_be_visible(timeout=WAIT_MS)
            shoot(lab.cell_locator(3), "error-panel.png")

            for index in (4, 5, 6):
                lab.run_cell(index)
            expect(button(lab.cell_locator(6), "改用 gpt-4.1-mini")).to_be_visible(timeout=WAIT_MS)
            expect(key_form(lab.cell_locator(5))).to_contain_text("保存并测试")
            shoot(lab.cell_locator(5), "chinese-ui.png", lab.cell_locator(6))
            lab.shutdown_kernels()
            browser.close()
    return 0


def shoot(cell, name: str, *more) -> None:
    """One cell (or a few, stacked) as a cropped PNG."""
    page = cell.page
    cell.evaluate("element => element.scrollIntoView({block: 'start'})")  # the notebook scrolls, not the page
    page.mouse.move(0, 0)  # no hover highlight
    boxes = [locator.bounding_box() for locator in (cell, *more)]
    left = min(b["x"] for b in boxes)
    top = min(b["y"] for b in boxes)
    right = max(b["x"] + b["width"] for b in boxes)
    bottom = max(b["y"] + b["height"] for b in boxes)
    target = OUT / name
    page.screenshot(path=str(target), clip={"x": left, "y": top, "width": right - left, "height": bottom - top},
                    full_page=True)
    print(f"{target.relative_to(ROOT)}: {target.stat().st_size // 1024} KB")


if __name__ == "__main__":
    sys.exit(main())
