"""Text that reads well: no brackets inside brackets, Chinese punctuation in Chinese text, and a key
form that still says what it is when a reopened notebook can't show the widget.
"""

from __future__ import annotations

import json
import re

import pytest
from IPython.utils.capture import capture_output

from tests.support.environment import TEST_KEY
from tests.support.magics import chat, chat_line
from tests.support.openai_server import insufficient_quota, invalid_api_key

VIEW = "application/vnd.jupyter.widget-view+json"
MODEL = "gpt-4.1-mini"
OPEN, CLOSE = "([（【", ")]）】"
CJK_THEN_ASCII = re.compile(r"[\u4e00-\u9fff“”（）][:;,?!(]|[\u4e00-\u9fff] \(")


def nested_brackets(text: str) -> list[str]:
    """The lines of ``text`` with a bracket opened inside another one (markup and URLs aside)."""
    found = []
    for line in text.splitlines():
        line = re.sub(r"https?://\S+|\{(?:In|Out|Err)\[-?\d+\]\}", "", line)
        depth = 0
        for char in line:
            if char in OPEN:
                depth += 1
                if depth > 1:
                    found.append(line)
                    break
            elif char in CLOSE:
                depth = max(0, depth - 1)
    return found


def shown(cap) -> str:
    parts = [cap.stdout, cap.stderr]
    parts += [o.data.get("text/plain", "") for o in cap.outputs]
    return "\n".join(parts)


def test_no_panel_status_line_or_settings_row_nests_brackets(shell, server, api_key):
    server.script(invalid_api_key(TEST_KEY))
    panel = chat(shell, f"-m {MODEL}")
    settings = chat_line(shell, "")
    with capture_output() as status:
        shell.run_line_magic("chatkey", "status")

    text = shown(panel) + shown(settings) + shown(status)
    assert "(from the OPENAI_API_KEY environment variable)" in shown(panel)
    assert "sk-…WXYZ · from the OPENAI_API_KEY environment variable" in shown(settings) + shown(status)
    assert nested_brackets(text) == []


def test_in_chinese_the_key_source_is_named_without_brackets_and_panels_use_full_width_colons(shell, server, api_key):
    shell.run_line_magic("config", "ChatMagics.language = 'zh'")
    server.script(insufficient_quota())

    panel = chat(shell, f"-m {MODEL}", "你好")
    settings = chat_line(shell, "")

    text = shown(panel)
    assert "结算：https://platform.openai.com/settings/organization/billing/overview" in text
    assert "帮助：https://help.openai.com/" in text and "技术细节：%chat error" in text
    assert "来源：环境变量 OPENAI_API_KEY" in shown(settings)
    assert CJK_THEN_ASCII.findall(text + shown(settings)) == []
    assert nested_brackets(text + shown(settings)) == []


def test_chinese_history_and_usage_use_full_width_punctuation(shell, server, api_key):
    shell.run_line_magic("config", "ChatMagics.language = 'zh'")
    chat(shell, f"-m {MODEL}", "你好")

    history = chat_line(shell, "history")
    usage = chat_line(shell, "usage")

    plain = history.outputs[0].data["text/plain"]
    assert plain.startswith("[1] 你：你好\n[1] gpt-4.1-mini：")
    assert f"**1. 你**（{MODEL}）" in history.outputs[0].data["text/markdown"]
    assert "结算：https://" in usage.outputs[0].data["text/plain"]
    assert CJK_THEN_ASCII.findall(plain + usage.outputs[0].data["text/plain"]) == []


def open_form(shell, line=""):
    with capture_output() as cap:
        shell.run_line_magic("chatkey", line)
    return cap


def test_the_key_form_is_introduced_by_an_ordinary_output_that_a_reopened_notebook_still_reads(shell):
    cap = open_form(shell)

    intro, form = cap.outputs
    assert VIEW not in intro.data and VIEW in form.data  # the intro is no widget: it reads without a kernel
    assert intro.data["text/plain"].startswith("🔑 OpenAI connection 'openai'\nSet the API key for this connection in the form below")
    assert "run %chatkey." in intro.data["text/plain"]
    assert '<div class="chatwithtech-key-intro">' in intro.data["text/html"] and "<code>%chatkey</code>" in intro.data["text/html"]


def test_the_key_form_intro_names_its_connection_and_speaks_chinese(shell):
    shell.run_line_magic("config", "ChatMagics.language = 'zh'")

    intro = open_form(shell, "-c gateway").outputs[0].data

    assert intro["text/plain"].startswith("🔑 OpenAI 连接“gateway”\n请在下方表单中为此连接设置 API 密钥")
    assert "请运行 %chatkey -c gateway。" in intro["text/plain"]


def test_the_key_form_intro_never_holds_the_key_even_when_one_is_set(shell, api_key, memory_keyring):
    from chatwithtech_magic.masking import mask

    shell.magics_manager.registry["ChatMagics"].session.credentials.save_or_keep("openai", "sk-proj-" + "a" * 40 + "7777", None)

    intro = open_form(shell).outputs[0].data

    text = json.dumps(intro, ensure_ascii=False)
    assert "sk-" not in text and "7777" not in text and mask(TEST_KEY) not in text


@pytest.mark.parametrize("language", ["en", "zh"])
def test_an_error_panels_key_form_opens_under_its_buttons_without_a_second_intro(shell, server, api_key, language):
    shell.run_line_magic("config", f"ChatMagics.language = '{language}'")
    server.script(invalid_api_key(TEST_KEY))
    cap = chat(shell, f"-m {MODEL}")
    import ipywidgets

    panel_view = next(o.data[VIEW] for o in cap.outputs if VIEW in o.data)
    panel = ipywidgets.widgets.widget._instances[panel_view["model_id"]]
    with capture_output() as opened:
        next(b for row in panel.children[:1] for b in row.children).click()  # "Set API key"

    assert opened.outputs == [] and len(panel.children[1].children) == 1  # the form, in the panel's slot


def test_the_readmes_pictures_are_files_in_the_repo_and_small():
    import os

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "README.md"), encoding="utf-8") as readme:
        text = readme.read()
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)

    assert len(pictures) == 4
    for url in pictures:
        # Relative: the project has no public repository address yet, and an invented one shows broken pictures.
        assert not url.startswith(("http:", "https:")), url
        path = os.path.join(root, url)
        assert os.path.isfile(path) and os.path.getsize(path) < 100_000, path


def test_chinese_sentences_follow_each_other_without_a_space(shell, server, api_key):
    from IPython.core.error import UsageError

    shell.run_line_magic("config", "ChatMagics.language = 'zh'")
    with pytest.raises(UsageError) as refused:
        shell.run_cell_magic("chat", f"-m {MODEL} -t 5", "你好")
    with capture_output() as kept:
        shell.run_line_magic("config", "ChatMagics.timeout = -1")

    assert str(refused.value).endswith("请使用0 到 2 之间的数。未发送任何请求。")
    assert kept.stdout.strip().endswith("不可用：请使用大于 0、最多 3600 的秒数。它保持为 600.0。")
    assert server.requests == []


def test_the_quiet_line_is_dimmed_on_a_real_terminal_unless_no_color_is_set(monkeypatch):
    import io

    from chatwithtech_magic.render.answer import TerminalView
    from chatwithtech_magic.session import Answer

    class Tty(io.StringIO):
        def isatty(self):
            return True

    answer = Answer(prompt="Hi", model="gpt-4.1-mini", text="Hello.", complete=True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    dim = Tty()
    TerminalView("en", out=dim).finish(answer)
    monkeypatch.setenv("NO_COLOR", "1")
    plain = Tty()
    TerminalView("en", out=plain).finish(answer)

    assert dim.getvalue() == "Hello.\n\x1b[2m— gpt-4.1-mini\x1b[0m\n"
    assert plain.getvalue() == "Hello.\n— gpt-4.1-mini\n"
