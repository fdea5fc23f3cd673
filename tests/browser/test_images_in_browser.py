"""Issue 22 in a real JupyterLab in Debian's Chromium: ``--dry-run`` shows a plot's thumbnail as a picture (never
base64 text), and the line under the answer counts the images sent."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.support.openai_server import Reply

WAIT_MS = 15_000
LOAD = "%load_ext chatwithtech_magic"
KEY_FROM_PARTS = "import os; os.environ['OPENAI_API_KEY'] = 'sk-' + 'browser-images-' + '0' * 24"
PLOT = "%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [1, 4, 9]);"


def test_dry_run_shows_the_plots_thumbnail_and_the_answer_counts_the_image(lab_page, server):
    server.script(Reply("A rising curve: y = x squared."))
    lab_page.write_notebook(
        "plot_question.ipynb",
        [LOAD, KEY_FROM_PARTS, PLOT, "%%chat -m gpt-4.1-mini --dry-run\nWhat does {fig} show?", "%%chat -m gpt-4.1-mini\nWhat does {fig} show?"],
    )
    lab_page.open_notebook("plot_question.ipynb")
    lab_page.run_all()

    dry = lab_page.cell_locator(3)
    expect(dry).to_contain_text("[image: ", timeout=WAIT_MS)
    expect(dry.locator(".jp-RenderedImage img")).to_have_count(1)  # the thumbnail, a picture
    assert "base64" not in dry.inner_text() and "iVBOR" not in dry.inner_text()

    answer = lab_page.cell_locator(4)
    expect(answer).to_contain_text("A rising curve", timeout=WAIT_MS)
    expect(answer).to_contain_text("images: 1 (~")
    assert len(server.chat_requests()) == 1  # the dry run sent nothing
    lab_page.save("plot_question.ipynb")
    saved = lab_page.read_notebook("plot_question.ipynb")
    assert "[image: " in lab_page.output_text(saved, 3) and "base64" not in lab_page.output_text(saved, 3)
