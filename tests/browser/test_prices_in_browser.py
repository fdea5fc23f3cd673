"""Issue 18, item 13: prices in an HTML panel read as prices, not as math, in JupyterLab and in Notebook 7.

Both typeset ``$…$`` in HTML outputs with MathJax, so "≈$0.0000043 so far, and this cell …≈$0.0012"
became italic letters. Every HTML we show sits in an element MathJax leaves alone (render/safe.py).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.support import WAIT_MS

LOAD = "%load_ext chatwithtech_magic"
KEY_FROM_PARTS = "import os; os.environ['OPENAI_API_KEY'] = 'sk-' + 'browser-prices-' + '0' * 24"
# A budget this small refuses the cell with a panel naming the budget, the spend and the cell's cost: three prices.
OVER_BUDGET = "%config ChatMagics.budget = 0.000001\n%config ChatMagics.retries = 0"
ASK = "%%chat --max-tokens 1000\nHow much would this cost?"


@pytest.fixture(params=["jupyterlab", "notebook7"])
def frontend(request):
    return request.getfixturevalue("lab_page" if request.param == "jupyterlab" else "notebook7_page")


def test_prices_in_a_panel_are_shown_as_written_and_never_typeset_as_math(frontend, server):
    frontend.write_notebook("prices.ipynb", [LOAD, KEY_FROM_PARTS, OVER_BUDGET, ASK])
    frontend.open_notebook("prices.ipynb")
    frontend.run_all()
    cell = frontend.cell_locator(3)
    panel = cell.locator(".chatwithtech-error").first
    expect(panel).to_contain_text("budget", timeout=WAIT_MS)
    expect(panel).to_contain_text("$0.000001")
    frontend.page.wait_for_timeout(500)  # MathJax typesets an output shortly after it is attached
    shown = panel.inner_text()
    assert shown.count("$") >= 3, shown
    assert cell.locator("mjx-container, .MathJax, .MathJax_Preview").count() == 0
    assert server.chat_requests() == []  # the budget held: nothing was sent
