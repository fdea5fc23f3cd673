"""magics/args.py: a magic's line is read like a shell reads it; every mistake is one clear line naming it.

The magic here is a small one of the same shape as ``%%chat`` (a command word, short and long options), so the
messages are checked without an IPython shell.
"""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError
from IPython.core.magic_arguments import argument, magic_arguments

from chatwithtech_magic.magics.args import NOTHING_CHANGED, parse


@magic_arguments()
@argument("command", nargs="?", choices=("reset", "history", "models"))
@argument("-m", "--model")
@argument("-t", "--temperature", type=float)
@argument("--max-tokens", type=int)
@argument("--org")
@argument("--new", action="store_true")
def chat(line, cell=None):
    """A magic shaped like %%chat."""


def _refused(line: str, **kwargs) -> str:
    with pytest.raises(UsageError) as caught:
        parse(chat, line, **kwargs)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_quotes_group_words_and_are_removed_like_a_shell():
    args = parse(chat, '-m "my model" --org ""')
    assert args.model == "my model" and args.org == ""


def test_a_negative_value_after_an_option_is_its_value_not_an_option():
    assert parse(chat, "-t -1").temperature == -1.0


def test_a_value_attached_to_a_short_option_and_an_abbreviated_long_option_are_read():
    args = parse(chat, "-t0.5 --max 20 --mod gpt-4o")
    assert (args.temperature, args.max_tokens, args.model) == (0.5, 20, "gpt-4o")


def test_a_known_command_is_read():
    assert parse(chat, "history").command == "history"


def test_an_unclosed_quote_says_so_and_shows_the_line():
    assert _refused('-m "gpt-4o') == 'Could not read the options (No closing quotation): -m "gpt-4o'


def test_an_unclosed_quote_on_a_line_that_may_hold_a_secret_is_not_echoed():
    message = _refused('--org "sk-secret', echo=False)
    assert message == "Could not read the options (No closing quotation)." and "sk-secret" not in message


def test_a_mistyped_option_is_named_with_the_one_meant_and_the_options_listed():
    message = _refused("--modle gpt-4o", name="%%chat")
    assert message.startswith("%%chat has no option --modle (did you mean --model?). Its options: ")
    assert "-m/--model" in message and message.endswith("(details: %%chat?). Nothing was sent.")


def test_an_option_like_no_other_gets_no_guess():
    assert "did you mean" not in _refused("--colour blue")


def test_a_mistyped_command_on_the_line_magic_gets_did_you_mean():
    message = _refused("modles", name="%chat")
    assert message.startswith(
        "%chat has no command 'modles' (did you mean models?). Commands: reset, history, models"
    )


def test_a_word_on_the_cell_magic_line_says_the_question_goes_below():
    message = _refused("what is 2+2", name="%%chat")
    assert message.startswith("%%chat takes options only, not 'what'")


def test_one_command_at_most():
    message = _refused("reset history", name="%chat")
    assert message.startswith("%chat does not take 'history' here: one command at most")


def test_a_word_too_many_on_a_secret_line_is_not_repeated():
    message = _refused("reset sk-abc123", name="%chatkey", echo=False, nothing=NOTHING_CHANGED)
    assert "sk-abc123" not in message and message.endswith("Nothing was changed.")


def test_an_unknown_short_option_with_a_glued_value_on_a_secret_line_names_only_the_option():
    message = _refused("-xproj-secret-value", echo=False)
    assert "-x" in message and "proj-secret-value" not in message


def test_a_bad_value_is_argparses_reason_in_one_line_and_hidden_on_a_secret_line():
    message = _refused("-t warm", name="%%chat")
    assert message.startswith("Could not read the options of %%chat: ") and "'warm'" in message
    hidden = _refused("--max-tokens sk-oops", echo=False)
    assert "sk-oops" not in hidden and "'…'" in hidden


def test_every_message_reads_chinese_for_a_chinese_user():
    message = _refused("--modle x", language="zh", name="%%chat")
    assert message.startswith("%%chat 没有选项 --modle（您是想用 --model 吗？）")
    assert _refused("reset history", language="zh").endswith("未发送任何请求。")
    assert "、" in _refused("modles", language="zh")  # Chinese lists with the enumeration comma
