"""A mistyped word on a magic's line: one line that names it, in the user's language, and nothing sent.

argparse alone read ``%%chat --colour blue`` as the command ``blue`` ("argument command: invalid
choice: 'blue'") and never named ``--colour``. Every unknown option, unknown command and word too
many on ``%%chat``, ``%chat`` and ``%chatkey`` is now said the same way (``magics/args.py``).
"""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError
from IPython.utils.capture import capture_output

from tests.support.environment import TEST_KEY

MODEL = "gpt-4.1-mini"


def refusal(shell, source: str) -> str:
    """The one line a notebook shows for ``source`` (a UsageError on stderr), checked for the basics."""
    with capture_output() as cap:
        result = shell.run_cell(source)
    assert isinstance(result.error_in_exec, UsageError), result.error_in_exec
    line = cap.stderr.strip()
    assert line.startswith("UsageError: ") and "\n" not in line and "Traceback" not in cap.stdout + cap.stderr
    return line.removeprefix("UsageError: ")


@pytest.mark.parametrize(
    "options, unknown",
    [
        ("--colour blue", "--colour"),  # unknown long option with a value after it: the value is not read as a command
        ("-x", "-x"),  # unknown short option
        ("--colour=blue", "--colour"),  # option=value: named without its value
        (f"-m {MODEL} -q", "-q"),
    ],
)
def test_an_unknown_option_on_a_chat_cell_is_named_with_the_valid_ones_and_nothing_is_sent(shell, server, api_key, options, unknown):
    message = refusal(shell, f"%%chat {options}\nHello")

    assert message.startswith(f"%%chat has no option {unknown}. Its options: -m/--model, -t/--temperature")
    assert "(details: %%chat?). Nothing was sent." in message
    assert "invalid choice" not in message and "blue" not in message
    assert server.requests == []


def test_a_close_misspelling_of_an_option_suggests_the_right_one(shell, server, api_key):
    message = refusal(shell, "%%chat --temprature 1\nHello")

    assert message.startswith("%%chat has no option --temprature (did you mean --temperature?).")
    assert server.requests == []


def test_a_word_on_the_cell_line_says_the_question_goes_below(shell, server, api_key):
    message = refusal(shell, "%%chat what is python\nHello")

    assert message == "%%chat takes options only, not 'what': the question goes on the lines below it (details: %%chat?). Nothing was sent."
    assert server.requests == []


@pytest.mark.parametrize("line, start", [
    ("bogus", "%chat has no command 'bogus'. Commands: reset, history, models, error, settings, explain, usage;"),
    ("reset now", "%chat does not take 'now' here: one command at most"),
    ("--colour blue", "%chat has no option --colour."),
    ("history -z", "%chat has no option -z."),
])
def test_an_unknown_command_or_option_on_the_chat_line_is_named_and_nothing_runs(shell, server, api_key, line, start):
    shell.run_cell(f"%%chat -m {MODEL}\nRemember me")

    message = refusal(shell, f"%chat {line}")

    assert message.startswith(start) and message.endswith("Nothing was sent.")
    assert len(shell.magics_manager.registry["ChatMagics"].session.conversation.exchanges) == 1  # reset did not run
    assert len(server.requests) == 1


@pytest.mark.parametrize("line, unknown", [("--colour blue", "--colour"), ("set -x", "-x"), ("status --secret=hunter2", "--secret")])
def test_an_unknown_option_on_chatkey_is_named_without_its_value_and_nothing_changes(shell, memory_keyring, line, unknown):
    message = refusal(shell, f"%chatkey {line}")

    assert message == f"%chatkey has no option {unknown}. Its options: --org, --project, --base-url, -c/--connection (details: %chatkey?). Nothing was changed."
    assert memory_keyring.entries == {}


def test_an_unknown_short_option_on_chatkey_is_named_without_the_key_fragment_glued_to_it(shell, memory_keyring):
    fragment = "-proj-Abc123Def"  # too short for a key (a whole one is refused: tests/test_dash_keys.py), still not echoed

    message = refusal(shell, f"%chatkey set {fragment}")

    assert message.startswith("%chatkey has no option -p. Its options:") and "Abc123" not in message
    assert memory_keyring.entries == {}


def test_chatkey_never_echoes_a_word_too_many_or_a_bad_value_which_may_be_a_secret(shell, memory_keyring):
    extra = refusal(shell, "%chatkey delete gateway hunter2")
    missing = refusal(shell, "%chatkey set --org")

    assert extra == "%chatkey got more words than it takes (details: %chatkey?). Nothing was changed."
    assert missing.startswith("Could not read the options of %chatkey: argument --org: expected one argument")
    assert "hunter2" not in extra + missing


def test_a_key_shaped_unknown_option_is_still_refused_as_a_key_and_never_echoed(shell, memory_keyring):
    with capture_output() as cap:
        shell.run_cell(f"%chatkey set --apikey={TEST_KEY}")

    assert "Refused" in cap.stdout and TEST_KEY not in cap.stdout + cap.stderr


def test_a_bad_option_value_is_one_line_that_points_to_the_help(shell, server, api_key):
    message = refusal(shell, "%%chat -f html\nHello")

    assert message.startswith("Could not read the options of %%chat: argument -f/--format: invalid choice: 'html'")
    assert message.endswith("(details: %%chat?). Nothing was sent.")
    assert server.requests == []


def test_negative_values_abbreviations_and_attached_values_still_read_as_before(shell, server, api_key):
    refused = refusal(shell, f"%%chat -m {MODEL} -t -1\nHello")  # a value that starts with "-" is a value, not an option
    assert "-t/--temperature = -1.0 is not allowed" in refused

    with capture_output():
        shell.run_cell(f"%%chat --mod {MODEL} -t0.5 --max-tokens=20\nHello")

    [request] = server.chat_requests()
    assert request.body["model"] == MODEL and request.body["temperature"] == 0.5


def test_the_messages_are_in_chinese_with_chinese_punctuation(shell, server, api_key):
    shell.run_line_magic("config", "ChatMagics.language = 'zh'")

    option = refusal(shell, "%%chat --colour blue\n你好")
    command = refusal(shell, "%chat bogus")
    key = refusal(shell, "%chatkey --colour blue")

    assert option.startswith("%%chat 没有选项 --colour。可用选项：-m/--model、-t/--temperature、")
    assert option.endswith("（详见 %%chat?）。未发送任何请求。")
    assert command.startswith("%chat 没有命令“bogus”。可用命令：reset、history、")
    assert key.endswith("（详见 %chatkey?）。未做任何更改。")
    assert server.requests == []


def test_an_unknown_chatkey_command_lists_the_commands_without_repeating_the_word(shell, memory_keyring):
    message = refusal(shell, "%chatkey frobnicate")

    assert message == (
        "Unknown %chatkey command. Use: set, status, test, delete, or no argument for the form "
        "(details: %chatkey?). Nothing was changed."
    )
    assert memory_keyring.entries == {}
