"""Showing the model a plot: figures, images and files as image parts, bounded, counted and never kept as bytes.

Every body the loopback server receives is checked against OpenAI's official spec, image parts included.
"""

from __future__ import annotations

import base64
import io
import json

import nbformat
import pytest
from nbclient import NotebookClient

from tests.support.canned_failures import images_not_supported
from tests.support.magics import chat, chat_line
from tests.test_errors import panel_of, run, shown
from tests.test_kernel import notebook

PIL = pytest.importorskip("PIL.Image")
MODEL = "gpt-4.1-mini"


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    PIL.new("RGB", (width, height), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


def image_parts(body: dict) -> list[dict]:
    return [part for message in body["messages"] if isinstance(message["content"], list)
            for part in message["content"] if part["type"] == "image_url"]


def sent_image(part: dict) -> bytes:
    head, _, data = part["image_url"]["url"].partition(",")
    assert head == "data:image/png;base64"  # a data URL: the only form every gateway takes (Ollama)
    return base64.b64decode(data)


def test_a_file_given_with_image_is_sent_as_a_data_url_part_after_the_text(shell, server, api_key, tmp_path):
    (tmp_path / "plot.png").write_bytes(png(640, 480))

    cap = chat(shell, f"-m {MODEL} --image {tmp_path}/*.png", "What does this plot show?")

    body = server.chat_requests()[-1].body
    content = body["messages"][-1]["content"]
    assert content[0] == {"type": "text", "text": "What does this plot show?"}
    [part] = image_parts(body)
    assert sent_image(part) == png(640, 480) and part["image_url"]["detail"] == "auto"
    assert "images: 1 (~425 input tokens)" in shown(cap)  # the footer counts the image and its tokens


@pytest.mark.parametrize("path, said", [("nowhere.png", "no such file"), ("notes.txt", "not a PNG, JPEG, WEBP or GIF image")])
def test_a_missing_or_non_image_path_gets_one_line_and_no_request(shell, server, api_key, tmp_path, path, said):
    (tmp_path / "notes.txt").write_text("not a picture")

    cap = run(shell, f"%%chat -m {MODEL} --image {tmp_path / path}\nWhat is this?")

    lines = [line for line in shown(cap).splitlines() if line.strip()]
    assert len(lines) == 1 and said in lines[0] and "Nothing was sent." in lines[0]
    assert server.chat_requests() == []


def test_an_ipython_image_in_out_is_sent_as_an_image(shell, server, api_key):
    shell.run_cell(f"from IPython.display import Image\nImage(data={png(50, 40)!r})", store_history=True)
    number = shell.execution_count - 1

    chat(shell, f"-m {MODEL}", f"What is in {{Out[{number}]}}?")

    body = server.chat_requests()[-1].body
    [part] = image_parts(body)
    assert sent_image(part) == png(50, 40)
    assert body["messages"][-1]["content"][0]["text"] == f"What is in [image: 50×40 PNG, from cell {number}]?"


def test_fig_is_the_last_image_the_notebook_displayed(shell, server, api_key):
    shell.run_cell(f"from IPython.display import Image, display\ndisplay(Image(data={png(8, 8)!r}))\ndisplay(Image(data={png(30, 20)!r}))", store_history=True)
    shell.run_cell("x = 1", store_history=True)

    chat(shell, f"-m {MODEL}", "Explain {fig}")

    [part] = image_parts(server.chat_requests()[-1].body)
    assert sent_image(part) == png(30, 20)


def test_history_keeps_a_placeholder_and_the_next_cell_sends_no_base64(shell, server, api_key, tmp_path):
    (tmp_path / "plot.png").write_bytes(png(1280, 960))
    chat(shell, f"-m {MODEL} --image {tmp_path / 'plot.png'}", "What does it show?")

    chat(shell, f"-m {MODEL}", "And the axes?")

    body = json.dumps(server.chat_requests()[-1].body, ensure_ascii=False)
    assert "base64" not in body and "image_url" not in body
    assert "[image: 1280×960 PNG, from " in body
    history = shown(chat_line(shell, "history"))
    assert "What does it show?\n[image: 1280×960 PNG, from " in history and "base64" not in history


def test_dry_run_sends_nothing_and_shows_a_thumbnail_never_base64_text(shell, server, api_key, tmp_path):
    (tmp_path / "plot.png").write_bytes(png(1024, 512))

    cap = chat(shell, f"-m {MODEL} --dry-run --image {tmp_path / 'plot.png'}", "What does it show?")

    assert server.chat_requests() == []
    text = cap.stdout + "".join(o.data.get("text/plain", "") for o in cap.outputs)
    assert "[image: 1024×512 PNG, from " in text and "base64" not in text and "iVBOR" not in text
    assert "images: 1 (~" in text
    [thumb] = [o for o in cap.outputs if "image/png" in o.data]
    small = base64.b64decode(thumb.data["image/png"])
    assert PIL.open(io.BytesIO(small)).size == (256, 128)  # a thumbnail, the aspect ratio kept


def test_an_image_over_the_long_side_is_downscaled_keeping_its_aspect_ratio(shell, server, api_key, tmp_path):
    (tmp_path / "wide.png").write_bytes(png(3000, 1500))
    shell.run_line_magic("config", "ChatMagics.image_max_side = 1000")

    chat(shell, f"-m {MODEL} --image {tmp_path / 'wide.png'}", "Wide?")

    [part] = image_parts(server.chat_requests()[-1].body)
    assert PIL.open(io.BytesIO(sent_image(part))).size == (1000, 500)


def test_image_detail_follows_the_setting(shell, server, api_key, tmp_path):
    (tmp_path / "plot.png").write_bytes(png(64, 64))
    shell.run_line_magic("config", "ChatMagics.image_detail = 'low'")

    cap = chat(shell, f"-m {MODEL} --image {tmp_path / 'plot.png'}", "Low?")

    [part] = image_parts(server.chat_requests()[-1].body)
    assert part["image_url"]["detail"] == "low" and "images: 1 (~85 input tokens)" in shown(cap)


def test_a_text_only_models_refusal_gives_the_panel_after_one_request_and_is_learned(shell, server, api_key, tmp_path):
    (tmp_path / "plot.png").write_bytes(png(64, 64))
    server.script(images_not_supported())

    cap = run(shell, f"%%chat -m {MODEL} --image {tmp_path / 'plot.png'}\nWhat is it?")

    assert len(server.chat_requests()) == 1  # never sent again on its own
    assert f"{MODEL} can't read images" in shown(cap)
    panel = panel_of(cap)
    assert "gpt-6-luna" in json.dumps([getattr(b, "description", "") for b in panel.children[0].children])
    again = run(shell, f"%%chat -m {MODEL} --image {tmp_path / 'plot.png'}\nAnd now?")
    assert len(server.chat_requests()) == 1 and f"{MODEL} can't read images" in shown(again)  # learned: not sent
    chat(shell, f"-m {MODEL}", "Text only is fine")
    assert len(server.chat_requests()) == 2


def test_a_figure_plotted_by_the_inline_backend_in_a_real_kernel_is_sent_as_fig(server, api_key, tmp_path):
    nb = notebook(
        "%load_ext chatwithtech_magic",
        "%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [1, 4, 9])\nplt.title('squares')",
        f"%%chat -m {MODEL}\nWhat does {{fig}} show?",
        f"%%chat -m {MODEL}\nAnd {{fig[-2]}}?",
    )

    NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()

    plotted = [o for o in nb.cells[1].outputs if "image/png" in o.get("data", {})]
    assert plotted, nb.cells[1].outputs
    first, second = server.chat_requests()
    [part] = image_parts(first.body)
    assert sent_image(part) == base64.b64decode(plotted[0]["data"]["image/png"])  # the very PNG displayed
    assert "[image: " in first.body["messages"][-1]["content"][0]["text"] and "from cell 2" in first.body["messages"][-1]["content"][0]["text"]
    assert len(image_parts(second.body)) == 1  # {fig[-2]}: the plotting cell, counted back; the history holds none
    assert "base64" not in nbformat.writes(nb).split('"image/png"')[0]  # no base64 among the texts before the plot


def test_the_record_of_an_answer_names_its_image_by_hash_and_the_answers_file_holds_no_image(shell, server, api_key, tmp_path, monkeypatch):
    import hashlib

    monkeypatch.chdir(tmp_path)
    (tmp_path / "plot.png").write_bytes(png(64, 32))
    shell.run_line_magic("config", "ChatMagics.cache = 'record'")

    cap = chat(shell, f"-m {MODEL} --image plot.png", "What is it?")

    [answer] = [o for o in cap.outputs if "chatwithtech_magic" in o.metadata]
    [recorded] = answer.metadata["chatwithtech_magic"]["parameters"]["images"]
    assert recorded == {"sha256": hashlib.sha256(png(64, 32)).hexdigest(), "media_type": "image/png", "width": 64, "height": 32, "detail": "auto"}
    files = [p for p in tmp_path.iterdir() if p.suffix in (".jsonl", ".json")]
    assert files and all("base64" not in p.read_text() and "iVBOR" not in p.read_text() for p in files)
    (tmp_path / "plot.png").write_bytes(png(64, 33))  # another image, the same text: the key covers the bytes
    shell.run_line_magic("config", "ChatMagics.cache = 'replay'")
    again = chat(shell, f"-m {MODEL} --image plot.png", "What is it?")
    assert "No recorded answer" in shown(again) and len(server.chat_requests()) == 1


def test_one_image_named_twice_is_sent_once(shell, server, api_key):
    shell.run_cell(f"from IPython.display import Image, display\ndisplay(Image(data={png(16, 16)!r}))", store_history=True)

    chat(shell, f"-m {MODEL}", "Compare {fig} with {fig[1]}.")

    body = server.chat_requests()[-1].body
    assert len(image_parts(body)) == 1
    assert body["messages"][-1]["content"][0]["text"] == "Compare [image: 16×16 PNG, from cell 1] with [image: 16×16 PNG, from cell 1]."


def test_on_the_responses_api_an_image_goes_as_an_input_image_part_after_the_input_text(shell, server, api_key, tmp_path):
    (tmp_path / "plot.png").write_bytes(png(640, 480))

    chat(shell, f"-m {MODEL} --api responses --image {tmp_path}/plot.png", "What does this plot show?")

    [request] = server.responses_requests()
    content = request.body["input"][-1]["content"]
    assert content[0] == {"type": "input_text", "text": "What does this plot show?"}
    assert content[1]["type"] == "input_image" and content[1]["detail"] == "auto"
    head, _, data = content[1]["image_url"].partition(",")
    assert head == "data:image/png;base64" and base64.b64decode(data) == png(640, 480)
    assert server.chat_requests() == []
