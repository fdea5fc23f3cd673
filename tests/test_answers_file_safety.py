"""Issue 18, item 2: the answers file is opened only as a regular file, never through a link, with caps.

A cloned repository can ship ``chatwithtech_answers.jsonl -> ~/.bashrc`` (one ``%%chat`` would
append a JSON line to the shell profile) or a link to ``/dev/zero`` (reading would never end).
Such a file gets a panel, nothing is written to it, and nothing is sent.
"""

from __future__ import annotations

import json
import os

import pytest
from IPython.utils.capture import capture_output

from chatwithtech_magic import replay
from tests.support.openai_server import Reply

MODEL = "gpt-4.1-mini"
needs_links = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="symbolic links")


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def ask(shell, mode: str, line: str = "", cell: str = "Hello"):
    shell.run_line_magic("config", f"ChatMagics.cache = '{mode}'")
    with capture_output() as cap:
        shell.run_cell_magic("chat", f"-m {MODEL} {line}", cell)
    return cap


def panel_of(cap) -> dict:
    [panel] = [o.data for o in cap.outputs if 'data-kind="answers_file_unsafe"' in o.data.get("text/html", "")]
    return panel


@needs_links
@pytest.mark.parametrize("mode", ["auto", "record", "replay"])
def test_an_answers_file_linked_to_a_users_file_is_never_written_and_says_why(shell, server, api_key, folder, mode):
    profile = folder / "bashrc"
    profile.write_text("export PATH=$HOME/bin:$PATH\n")
    (folder / replay.FILENAME).symlink_to(profile)

    cap = ask(shell, mode)

    assert profile.read_text() == "export PATH=$HOME/bin:$PATH\n"  # untouched
    assert server.chat_requests() == []
    panel = panel_of(cap)
    assert "chatwithtech_answers.jsonl is a symbolic link" in panel["text/plain"]
    assert 'ChatMagics.cache = "off"' in panel["text/plain"]
    assert "Traceback" not in cap.stdout + cap.stderr


@needs_links
def test_a_dangling_link_is_not_followed_to_create_its_target(shell, server, api_key, folder):
    (folder / replay.FILENAME).symlink_to(folder / "elsewhere.txt")

    cap = ask(shell, "auto")

    assert not (folder / "elsewhere.txt").exists()
    assert "is a symbolic link" in panel_of(cap)["text/plain"]


@needs_links
@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="/dev/zero")
def test_a_link_to_dev_zero_is_refused_at_once_instead_of_read_forever(shell, server, api_key, folder):
    (folder / replay.FILENAME).symlink_to("/dev/zero")

    cap = ask(shell, "auto")

    assert "is a symbolic link" in panel_of(cap)["text/plain"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
@pytest.mark.parametrize("mode", ["auto", "record"])
def test_a_pipe_in_the_files_place_is_refused_without_blocking(shell, server, api_key, folder, mode):
    os.mkfifo(folder / replay.FILENAME)  # opening it to read would wait for a writer forever

    cap = ask(shell, mode)

    assert "is not a regular file" in panel_of(cap)["text/plain"]
    assert server.chat_requests() == []


def test_a_file_over_the_size_cap_is_refused_and_left_as_it_is(shell, server, api_key, folder, monkeypatch):
    monkeypatch.setattr(replay, "MAX_FILE_BYTES", 1000)
    path = folder / replay.FILENAME
    path.write_bytes(b"x" * 2000)

    cap = ask(shell, "auto")

    assert "is larger than" in panel_of(cap)["text/plain"] and path.read_bytes() == b"x" * 2000
    assert server.chat_requests() == []


def test_a_line_over_the_line_cap_is_skipped_as_damaged_and_the_rest_still_replays(shell, server, api_key, folder, monkeypatch):
    server.script(Reply("Recorded once."))
    ask(shell, "auto", "--no-history")
    path = folder / replay.FILENAME
    monkeypatch.setattr(replay, "MAX_LINE_BYTES", 5000)
    path.write_text(json.dumps({"format": 1, "key": "sha256:0", "answer": "y" * 6000}) + "\n" + path.read_text())

    cap = ask(shell, "auto", "--no-history")

    assert len(server.chat_requests()) == 1  # replayed from the second line
    assert "line 1 is damaged" in cap.outputs[-1].data["text/plain"]


def test_an_ordinary_answers_file_is_still_read_and_appended(shell, server, api_key, folder):
    server.script(Reply("First."))
    ask(shell, "auto", "--no-history")
    ask(shell, "auto", "--no-history")

    assert len(server.chat_requests()) == 1
    assert (folder / replay.FILENAME).read_text().count("\n") == 1
