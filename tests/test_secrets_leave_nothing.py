"""Issue 18, items 1 and 3: a key the session knows leaves the kernel nowhere, whatever its shape.

Keys from Groq (``gsk_…``), Azure and many gateways (32 hex characters) have no ``sk-`` to be
recognised by. The session knows them anyway -- the connection's key, organization and project
IDs, the base URL's own secrets -- and every text that leaves the kernel is masked of them: the
prompt, the history resent with it, ``%chat history``, the replay file and the output metadata.
Checked on the loopback server's recorded request bodies, through the real magics.
"""

from __future__ import annotations

import json

import pytest
from IPython.utils.capture import capture_output

from chatwithtech_magic import replay
from chatwithtech_magic.masking import redact
from chatwithtech_magic.urls import mask_url

GROQ = "gsk_" + "Q7wL2mZ9xR4tY8uK1pN6vB3cF5hJ0dS2aG7eW9qT4yU1iO8pLkMn"
HEX = "3f9a1c0b7e5d42a8b6c9d0e1f2a3b4c5"  # an Azure key: no shape at all
PROJECT = "proj_" + "8c1d2e3f4a5b6c7d8e9f0a1b"
MODEL = "gpt-4.1-mini"


@pytest.fixture
def ip(shell, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # the answers file is written beside the "notebook"
    for name in ("OPENAI_API_KEY", "OPENAI_PROJECT_ID"):
        monkeypatch.setenv(name, "placeholder")  # restored after the test: the cells below change them
    shell.run_line_magic("config", f"ChatMagics.model = '{MODEL}'")
    shell.run_line_magic("config", "ChatMagics.cache = 'auto'")
    return shell


def run(shell, source: str):
    with capture_output() as cap:
        shell.run_cell(source, store_history=True)
    return cap


def everything_shown(cap) -> str:
    return json.dumps([[o.data, o.metadata] for o in cap.outputs], ensure_ascii=False) + cap.stdout + cap.stderr


def bodies(server) -> str:
    return "\n".join(r.raw.decode("utf-8", "replace") for r in server.requests)


@pytest.mark.parametrize("key", [GROQ, HEX], ids=["groq-gsk_", "azure-32-hex"])
def test_a_key_without_the_sk_shape_reaches_no_request_history_replay_file_or_output(ip, server, key, tmp_path):
    run(ip, f'import os\nos.environ["OPENAI_API_KEY"] = "{key}"\nos.environ["OPENAI_PROJECT_ID"] = "{PROJECT}"')  # 1
    run(ip, f'raise RuntimeError("the gateway refused {key} for {PROJECT}")')  # 2

    shown = [
        run(ip, "%%chat\nWhy doesn't my setup work? {In[1]}"),
        run(ip, "%%chat\nAnd this error? {Err}"),
        run(ip, "%chat explain"),
        run(ip, "%%chat\nThanks. One more thing: what does os.environ do?"),  # the above resent as history
        run(ip, "%chat history"),
    ]

    requests = server.chat_requests()
    assert len(requests) == 4 and all(r.bearer == key for r in requests)  # the key went where it belongs: the header
    sent = bodies(server)
    assert key not in sent and PROJECT not in sent
    assert "os.environ" in sent and "RuntimeError" in sent  # the cells themselves were sent, masked
    for cap in shown:
        assert key not in everything_shown(cap) and PROJECT not in everything_shown(cap)
    written = (tmp_path / replay.FILENAME).read_text(encoding="utf-8")
    assert written.count("\n") == 4 and key not in written and PROJECT not in written


def test_a_key_the_server_echoes_is_not_resent_as_history(ip, server):
    run(ip, f'import os\nos.environ["OPENAI_API_KEY"] = "{HEX}"')
    server.script(f"Your key is {HEX}, right?")
    run(ip, "%%chat\nWhat is my key?")

    cap = run(ip, "%%chat\nAre you sure?")

    assert HEX not in json.dumps(server.chat_requests()[-1].body)
    assert HEX not in everything_shown(run(ip, "%chat history")) and HEX not in everything_shown(cap)


def test_a_key_in_the_base_urls_path_is_never_written_to_the_answers_file(ip, server, tmp_path):
    key = "sk-gateway-" + "Zx8Yw7Vu6Ts5Rq4Po3Nm2Lk1"
    ip.run_line_magic("config", f"ChatMagics.base_url = '{server.base_url[:-3]}/{key}/v1'")
    run(ip, 'import os\nos.environ["OPENAI_API_KEY"] = "sk-test-0123456789abcdefWXYZ"')

    cap = run(ip, "%%chat\nHello through the gateway")

    assert server.chat_requests()[-1].path.startswith(f"/{key}/v1/")  # the gateway got its key
    written = (tmp_path / replay.FILENAME).read_text(encoding="utf-8")
    entry = json.loads(written)
    assert key not in written and entry["endpoint"] == f"{server.base_url[:-3]}/…/v1"
    assert key not in everything_shown(cap) and key not in bodies(server)


@pytest.mark.parametrize(
    "url",
    [
        "https://gw.example/sk-proj-AbCdEf123456/v1",
        "https://gw.example/gsk_Q7wL2mZ9xR4tY8uK1pN6vB3cF5hJ0/v1",
        "https://user:pa55word@gw.example/v1?api-key=xyz123&api-version=2024",
    ],
)
def test_the_replay_file_and_every_display_mask_a_url_by_one_rule(url):
    shown = mask_url(url)
    stored = replay.endpoint(url)

    assert stored == mask_url(stored)  # stored as shown: nothing left for the display rule to mask
    for secret in ("sk-proj-AbCdEf123456", "gsk_Q7wL2mZ9xR4tY8uK1pN6vB3cF5hJ0", "pa55word", "xyz123"):
        assert secret not in shown and secret not in stored


def test_key_shapes_of_other_providers_are_masked_and_ordinary_words_are_not():
    text = "groq gsk_Q7wL2mZ9xR4tY8uK1pN6vB3cF5hJ0 xai xai-Q7wL2mZ9xR4tY8uK1pN6vB3cF5 but hf_hub and task-runner stay"

    masked = redact(text)

    assert "Q7wL2mZ9xR4tY8uK1pN6vB3cF5hJ0" not in masked and "xai-Q7wL" not in masked
    assert "hf_hub" in masked and "task-runner" in masked


def test_an_exchange_asked_before_its_key_was_set_is_masked_in_history_and_when_resent(ip, server):
    run(ip, f"%%chat\nIs {HEX} a valid Azure key?")  # not a key of this session yet: sent as written
    run(ip, f'import os\nos.environ["OPENAI_API_KEY"] = "{HEX}"')

    history = run(ip, "%chat history")
    run(ip, "%%chat\nAnd now?")

    assert HEX not in everything_shown(history)
    assert HEX not in json.dumps(server.chat_requests()[-1].body)


@pytest.mark.parametrize("placeholder", ["lm-studio", "not-needed", "no-key-required"])
def test_a_local_servers_placeholder_key_is_a_word_and_the_question_is_sent_as_written(ip, server, placeholder):
    run(ip, f'import os\nos.environ["OPENAI_API_KEY"] = "{placeholder}"')

    run(ip, f"%%chat\nWhy does {placeholder} print a warning?")

    assert server.chat_requests()[-1].body["messages"][-1]["content"] == f"Why does {placeholder} print a warning?"
