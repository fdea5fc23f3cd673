"""The notebook as context (issue 10): {In[n]}, {Out[n]}, {Err[n]}, %chat explain, data frames, cut values, --dry-run.

Three layers: ``placeholders``, ``error_log``, ``frames`` and ``explain`` on their own (fast, no IPython), the magics in an IPython
shell against the loopback server, and a real kernel run by nbclient.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import nbformat
import pytest
from IPython.utils.capture import capture_output
from nbclient import NotebookClient

from chatwithtech_magic.cell import interpolate
from chatwithtech_magic.error_log import KEPT_ERRORS, TRACEBACK_CHARS, ErrorLog, plain_traceback
from chatwithtech_magic.explain import explain_prompt, fence
from chatwithtech_magic.frames import frame_library
from chatwithtech_magic.placeholders import Notebook, describe, fill
from tests.support.environment import TEST_KEY
from tests.support.magics import chat, chat_line
from tests.support.openai_server import Reply

MODEL = "gpt-4.1-mini"
ANSI = "\x1b["


def failing(code: str = "1 / 0") -> BaseException:
    try:
        exec(compile(code, "<cell>", "exec"), {})
    except Exception as exc:  # noqa: BLE001 - the point is to keep it
        return exc
    raise AssertionError("the code did not fail")


def notebook_with_error() -> Notebook:
    errors = ErrorLog()
    errors.record(2, "1 / 0", failing())
    return Notebook(inputs=["", "x = 41", "1 / 0", "x + 1", "%%chat ..."], outputs={3: 42}, errors=errors, current=4)


# -- the modules on their own -------------------------------------------------------------------


def test_cell_references_are_replaced_by_the_cells_source_result_and_error():
    filled = fill("code {In[1]} result {Out[3]} error {Err[2]}", {}, notebook_with_error())

    assert filled.text.startswith("code x = 41 result 42 error Traceback")
    assert filled.text.endswith("ZeroDivisionError: division by zero")
    assert filled.missing == [] and filled.notes() == []


def test_negative_indices_count_back_from_the_current_cell():
    filled = fill("{In[-1]} / {Out[-1]} / {Err[-2]}", {}, notebook_with_error())

    assert filled.text.startswith("x + 1 / 42 / Traceback")  # cell 4 is current: -1 is cell 3, -2 is cell 2


def test_a_reference_that_does_not_exist_stays_as_written_with_a_note():
    text = "{In[0]} {In[99]} {In[-9]} {Out[1]} {Err[3]} {In[5]} {In[99]}"

    filled = fill(text, {}, notebook_with_error())

    assert filled.text == text
    assert filled.notes() == ["not found, sent as written: {In[0]}, {In[99]}, {In[-9]}, {Out[1]}, {Err[3]}, {In[5]}"]
    assert filled.notes("zh")[0].startswith("未找到，已按原样发送：")


def test_err_alone_is_the_last_error_and_says_so_when_there_is_none():
    assert fill("{Err}", {}, notebook_with_error()).text.endswith("ZeroDivisionError: division by zero")

    nothing = fill("{Err}", {}, Notebook())
    assert nothing.text == "{Err}" and nothing.missing == ["{Err}"]


def test_a_users_own_variable_named_err_wins_over_the_last_error():
    assert fill("{Err}", {"Err": "mine"}, notebook_with_error()).text == "mine"


def test_plain_names_and_other_braces_keep_todays_rules_and_get_no_note():
    text = "{topic} {undefined} {{topic}} {'a': 1} {In} {In[1]!r} {In[ 1 ]} f'{x[0]}'"

    filled = fill(text, {"topic": "sets"}, notebook_with_error())

    assert filled.text == text.replace("{topic} ", "sets ", 1)
    assert filled.missing == []


def test_plain_interpolation_leaves_cell_references_alone():
    assert interpolate("{In[1]} {Err} {a}", {"a": 1, "Err": 2}) == "{In[1]} 2 1"


def test_a_long_value_is_cut_with_a_mark_and_a_note_naming_it_and_by_how_much():
    filled = fill("A {big} B {small}", {"big": "x" * 5000, "small": "ok"}, max_value_chars=1000)

    assert filled.text.startswith("A " + "x" * 1000 + "… [4,000 more characters cut] B ok")
    assert filled.notes() == ["cut to 1,000 characters (ChatMagics.max_value_chars): {big} 5,000 → 1,000"]


def test_an_api_key_in_a_cell_or_a_value_is_masked_before_it_is_sent():
    key = "sk-proj-abcdefghijklmnopqrstuvwxyz1234"
    notebook = Notebook(inputs=["", f"client = OpenAI(api_key='{key}')"], current=2)
    notebook.errors.record(1, f"connect('{key}')", failing(f"raise ValueError('bad key {key}')"))

    filled = fill("{In[1]} {Err[1]} {secret}", {"secret": key}, notebook)
    explained = explain_prompt(notebook.errors.last).text

    assert key not in filled.text and key[8:] not in filled.text and filled.text.count("sk-…1234") >= 3
    assert key not in explained and "sk-…1234" in explained


def test_a_value_whose_str_raises_keeps_its_placeholder():
    class Broken:
        def __str__(self):
            raise RuntimeError("no")

    assert fill("{thing}", {"thing": Broken()}).text == "{thing}"


def test_errors_are_kept_as_plain_text_and_later_cells_do_not_erase_them():
    errors = ErrorLog()
    first = errors.record(3, "1 / 0", failing())
    errors.record(7, "int('x')", failing("int('x')"))

    assert errors.get(3) is first and errors.last.cell == 7
    assert first.type == "ZeroDivisionError" and first.message == "division by zero"
    assert ANSI not in first.traceback and "Traceback" in first.traceback


def test_only_the_most_recent_errors_are_kept():
    errors = ErrorLog()
    for cell in range(1, KEPT_ERRORS + 11):
        errors.record(cell, "boom", failing())

    assert len(errors.by_cell) == KEPT_ERRORS and errors.get(1) is None and errors.get(KEPT_ERRORS + 10)


def test_a_deep_traceback_is_bounded_and_keeps_its_head_and_its_last_line():
    error = failing("def down(n):\n    return down(n - 1) if n else 1 / 0\ndown(400)")

    text = plain_traceback(error)

    assert len(text) < TRACEBACK_CHARS + 200
    assert text.startswith("Traceback") and "characters omitted" in text
    assert text.endswith("ZeroDivisionError: division by zero")


def test_ansi_colour_codes_in_an_exception_message_are_removed():
    error = failing("raise ValueError('\\x1b[31mred\\x1b[0m text')")

    errors = ErrorLog()
    entry = errors.record(1, "...", error)

    assert entry.message == "red text" and ANSI not in entry.text()


def test_explain_prompt_holds_the_instruction_the_code_and_the_error_in_the_users_language():
    entry = ErrorLog().record(5, "print(undefined_name)", failing("print(undefined_name)"))

    english = explain_prompt(entry).text
    chinese = explain_prompt(entry, "zh").text

    assert "Explain the cause in plain words" in english and "In[5]" in english
    assert "```python\nprint(undefined_name)\n```" in english
    assert "NameError: name 'undefined_name' is not defined" in english
    assert "请用简体中文" in chinese and "NameError" in chinese


def test_explain_prompt_bounds_a_huge_cell_and_says_so():
    entry = ErrorLog().record(2, "x = 1\n" * 2000, failing())

    filled = explain_prompt(entry, max_value_chars=500)

    assert "more characters cut" in filled.text
    assert filled.notes()[0] == "about In[2]: ZeroDivisionError"
    assert filled.notes()[1].startswith("cut to 500 characters") and "In[2] 11,999 → 500" in filled.notes()[1]


def test_a_fence_is_longer_than_any_backticks_in_the_text():
    assert fence("a ``` b", "python") == "````python\na ``` b\n````"
    assert fence("plain") == "```\nplain\n```"


def test_a_pandas_data_frame_is_sent_as_shape_column_types_and_first_rows():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"city": ["Oslo", "Lima|Peru", "new\nline"] * 10, "people": range(30)})

    text = describe(frame)

    assert frame_library(frame) == "pandas"
    assert text.startswith("DataFrame (pandas): 30 rows × 2 columns\ncolumn types: city ")
    assert "people int64" in text
    assert "|  | city | people |" in text and "| 1 | Lima\\|Peru | 1 |" in text and "| 2 | new line | 2 |" in text
    assert text.count("\n| ") == 12 and text.endswith("(first 10 of 30 rows)")  # header, rule, ten rows


def test_a_wide_frame_and_a_series_are_bounded_too():
    pd = pytest.importorskip("pandas")
    wide = pd.DataFrame({f"c{i}": [i] for i in range(50)})

    assert describe(wide).endswith("(first 20 of 50 columns)")
    assert describe(pd.Series([1.5, 2.5], name="x")).startswith("Series (pandas): 2 rows × 1 columns\ncolumn types: x float64")


def test_a_polars_data_frame_is_sent_the_same_way():
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})

    text = describe(frame)

    assert text.startswith("DataFrame (polars): 3 rows × 2 columns\ncolumn types: a Int64, b String")
    assert "| a | b |\n| --- | --- |\n| 1 | x |" in text


def test_values_that_only_look_like_frames_are_sent_as_their_str():
    class DataFrame:  # a user's own class with the same name
        def __str__(self):
            return "mine"

    assert frame_library(DataFrame()) is None and describe(DataFrame()) == "mine"


def test_neither_pandas_nor_polars_is_imported_to_interpolate_or_at_load():
    code = textwrap.dedent(
        """
        import sys
        from IPython.core.interactiveshell import InteractiveShell
        ip = InteractiveShell.instance()
        ip.run_line_magic("load_ext", "chatwithtech_magic")
        from chatwithtech_magic.placeholders import fill
        fill("{x} {In[1]}", {"x": [1, 2]})
        ip.run_cell("1 / 0", store_history=True)
        print(sorted(m for m in ("pandas", "polars", "numpy", "openai") if m in sys.modules))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    assert out.strip().splitlines()[-1] == "[]"


# -- the magics in an IPython shell ------------------------------------------------------------


@pytest.fixture
def ip(shell):
    shell.run_line_magic("config", f"ChatMagics.model = '{MODEL}'")
    return shell


def run(shell, source: str):
    with capture_output() as cap:
        shell.run_cell(source, store_history=True)
    return cap


def last_prompt(server) -> str:
    return server.chat_requests()[-1].body["messages"][-1]["content"]


def shown_plain(cap) -> str:
    return cap.outputs[-1].data["text/plain"] if cap.outputs else cap.stdout


def test_a_chat_cell_refers_to_earlier_cells_by_number(ip, server, api_key):
    run(ip, "x = 41")  # 1
    run(ip, "x + 1")  # 2
    run(ip, "int('nope')")  # 3

    cap = run(ip, "%%chat\nSource {In[1]}, result {Out[-2]}, error {Err[3]}, nothing {Out[9]}")

    prompt = last_prompt(server)
    assert prompt.startswith("Source x = 41, result 42, error Traceback")
    assert "ValueError: invalid literal for int() with base 10: 'nope', nothing {Out[9]}" in prompt
    assert "Cell In[3]" in prompt and ANSI not in prompt
    assert "[not found, sent as written: {Out[9]}]" in shown_plain(cap)


def test_an_error_survives_later_successful_cells_and_err_is_the_last_one(ip, server, api_key):
    run(ip, "undefined_thing")  # 1
    run(ip, "y = 1")
    run(ip, "y + 1")

    run(ip, "%%chat\n{Err[1]} / {Err}")

    assert last_prompt(server).count("NameError: name 'undefined_thing' is not defined") == 2


def test_a_syntax_error_is_kept_too_and_an_interrupt_is_not(ip, server, api_key):
    run(ip, "def broken(:\n    pass")  # 1
    run(ip, "raise KeyboardInterrupt")  # 2

    run(ip, "%%chat\n{Err}")

    assert "SyntaxError" in last_prompt(server) and "KeyboardInterrupt" not in last_prompt(server)


def test_chat_explain_sends_the_failing_cells_code_and_traceback_with_the_instruction(ip, server, api_key):
    run(ip, "def ratio(a, b):\n    return a / b\n\nratio(1, 0)")
    run(ip, "print('fine')")
    server.script(Reply("The divisor is zero.\n\n```python\nratio(1, 1)\n```\n"))

    cap = run(ip, "%chat explain -f code")

    [request] = server.chat_requests()
    prompt = request.body["messages"][-1]["content"]
    assert "Explain the cause in plain words" in prompt and "give a corrected version" in prompt
    assert "```python\ndef ratio(a, b):\n    return a / b\n\nratio(1, 0)\n```" in prompt
    assert "ZeroDivisionError: division by zero" in prompt and "Cell In[1], line 4" in prompt
    assert request.body["model"] == MODEL and request.body["stream"] is True
    assert cap.outputs[-1].data["text/plain"].startswith("The divisor is zero.")
    assert "[about In[1]: ZeroDivisionError]" in cap.outputs[-1].data["text/plain"]
    assert ip.rl_next_input == "ratio(1, 1)"


def test_chat_explain_checks_its_options_like_a_chat_cell(ip, server, api_key):
    from IPython.core.error import UsageError

    run(ip, "1 / 0")

    with pytest.raises(UsageError):
        ip.run_line_magic("chat", "explain --out In")
    assert server.chat_requests() == []

    cap = run(ip, "%chat explain --out In")  # as a cell: the one-line usage message, and not kept as "the last error"
    assert "UsageError" in cap.stderr + cap.stdout
    run(ip, "%chat explain")
    assert "ZeroDivisionError" in last_prompt(server) and "UsageError" not in last_prompt(server)


def test_chat_explain_follows_the_language_setting(ip, server, api_key):
    run(ip, "1 / 0")
    ip.run_line_magic("config", "ChatMagics.language = 'zh'")

    run(ip, "%chat explain")

    assert "请用简体中文" in last_prompt(server)


def test_chat_explain_with_no_error_so_far_says_so_and_sends_nothing(ip, server, api_key):
    run(ip, "x = 1")

    cap = chat_line(ip, "explain")

    assert cap.stdout.strip() == "No cell has failed in this session, so there is nothing to explain. Nothing was sent."
    assert server.chat_requests() == []


def test_a_data_frame_in_a_cell_is_sent_as_a_table(ip, server, api_key):
    pytest.importorskip("pandas")
    run(ip, "import pandas as pd\nsales = pd.DataFrame({'month': ['Jan', 'Feb'], 'total': [10.5, 12.0]})")

    chat(ip, "", "Summarize {sales}")

    prompt = last_prompt(server)
    assert prompt.startswith("Summarize DataFrame (pandas): 2 rows × 2 columns\ncolumn types: month ")
    assert "|  | month | total |\n| --- | --- | --- |\n| 0 | Jan | 10.5 |\n| 1 | Feb | 12.0 |" in prompt


def test_a_value_longer_than_max_value_chars_is_cut_and_the_note_says_by_how_much(ip, server, api_key):
    ip.run_line_magic("config", "ChatMagics.max_value_chars = 100")
    run(ip, "log = 'line\\n' * 1000")

    cap = chat(ip, "", "What is in {log}?")

    assert len(last_prompt(server)) < 200 and "… [4,900 more characters cut]" in last_prompt(server)
    assert "[cut to 100 characters (ChatMagics.max_value_chars): {log} 5,000 → 100]" in shown_plain(cap)


def test_max_value_chars_must_be_positive(ip):
    with capture_output() as cap:
        ip.run_line_magic("config", "ChatMagics.max_value_chars = 0")

    assert ip.magics_manager.registry["ChatMagics"].max_value_chars == 4000
    # Said in one line where the user sees it (%config itself only logs a TraitError).
    assert cap.stdout == "ChatMagics.max_value_chars = 0 is not allowed: use a whole number of characters, 1 or more. It stays 4000.\n"


def test_dry_run_shows_the_messages_model_and_parameters_as_text_and_sends_nothing(ip, server, api_key):
    chat(ip, "-s 'Be brief.'", "First question")
    run(ip, "name = '<b>Ada</b>'")

    cap = chat(ip, "--dry-run -t 0.7", "Hello {name} and {In[99]}")

    assert len(server.chat_requests()) == 1  # only the first question
    assert [o for o in cap.outputs if "text/html" in o.data or "text/markdown" in o.data] == []
    shown = cap.stdout
    assert shown.startswith("Dry run: nothing was sent.")
    assert f"model           {MODEL}" in shown and "temperature     0.7" in shown
    assert "── [1] system" in shown and "Be brief." in shown
    assert "── [2] user" in shown and "First question" in shown and "── [3] assistant" in shown
    assert "── [4] user ────────────────────\nHello <b>Ada</b> and {In[99]}" in shown
    assert "[not found, sent as written: {In[99]}]" in shown
    assert len(ip.magics_manager.registry["ChatMagics"].session.conversation.exchanges) == 1


def test_dry_run_shows_the_parameters_a_real_request_sends(ip, server, api_key):
    cap = chat(ip, "--dry-run --max-tokens 50 --no-stream", "Same?")
    chat(ip, "--max-tokens 50 --no-stream", "Same?")

    sent = server.chat_requests()[-1].body
    for name, value in sent.items():
        if name != "messages":
            assert f"{name}" in cap.stdout and str(value) in cap.stdout
    assert len(server.chat_requests()) == 1


def test_dry_run_with_new_shows_an_empty_conversation_and_forgets_nothing(ip, server, api_key):
    chat(ip, "", "Remember me")

    cap = chat(ip, "--dry-run --new", "Fresh start")

    assert "Remember me" not in cap.stdout and "1 message\n" in cap.stdout  # one, said in the singular
    assert len(ip.magics_manager.registry["ChatMagics"].session.conversation.exchanges) == 1


def test_dry_run_works_before_any_key_is_set(ip, server):
    cap = chat(ip, "--dry-run", "Hello")

    assert cap.stdout.startswith("Dry run: nothing was sent.") and "Hello" in cap.stdout
    assert server.requests == []


def test_dry_run_names_what_would_stop_the_request_before_it_is_sent(ip, server, api_key):
    ip.run_line_magic("config", "ChatMagics.budget = 0.000001")

    cap = chat(ip, "--dry-run", "word " * 500)

    assert cap.stdout.splitlines()[1].startswith("It would not be sent: This cell would go over the session's")
    assert server.chat_requests() == []


def test_dry_run_of_chat_explain_shows_the_prompt_and_sends_nothing(ip, server, api_key):
    run(ip, "1 / 0")

    cap = chat_line(ip, "explain --dry-run")

    assert "Explain the cause in plain words" in cap.stdout and "ZeroDivisionError" in cap.stdout
    assert server.chat_requests() == []


def test_unloading_the_extension_removes_the_error_hook(ip):
    magics = ip.magics_manager.registry["ChatMagics"]
    assert magics.record_error in ip.events.callbacks["post_run_cell"]

    ip.run_line_magic("unload_ext", "chatwithtech_magic")
    assert magics.record_error not in ip.events.callbacks["post_run_cell"]
    ip.run_line_magic("load_ext", "chatwithtech_magic")
    assert len([c for c in ip.events.callbacks["post_run_cell"] if getattr(c, "__name__", "") == "record_error"]) == 1


# -- a real kernel ---------------------------------------------------------------------------


def execute(*sources: str):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    return nb


def texts(cell) -> str:
    parts = []
    for output in cell.outputs:
        parts.append(output.get("text", ""))
        parts.extend(str(v) for k, v in output.get("data", {}).items() if k.startswith("text/"))
    return "\n".join(part for part in parts if part)


def test_in_a_kernel_explain_and_cell_references_send_the_notebooks_own_cells(server, api_key):
    server.script(Reply("Divide by something else.\n\n```python\nratio(1, 2)\n```\n"))
    nb = execute(
        f"%load_ext chatwithtech_magic\n%config ChatMagics.model = '{MODEL}'",  # 1
        "def ratio(a, b):\n    return a / b\n\nratio(1, 0)",  # 2
        "41 + 1",  # 3
        "%chat explain",  # 4
        "%%chat\nCode: {In[2]}\nResult: {Out[-2]}\nError: {Err[2]}\nMissing: {Out[4]} {In[42]}",  # 5
        "%%chat --dry-run\nWould ask about {Err}",  # 6
    )

    explain, references = (r.body["messages"][-1]["content"] for r in server.chat_requests())
    assert len(server.chat_requests()) == 2  # the dry run sent nothing
    assert "def ratio(a, b):\n    return a / b\n\nratio(1, 0)" in explain and "ZeroDivisionError: division by zero" in explain
    assert "Cell In[2], line 4" in explain and ANSI not in explain
    assert "Divide by something else." in texts(nb.cells[3])
    assert references.startswith("Code: def ratio(a, b):")
    assert "Result: 42\nError: Traceback" in references and "Missing: {Out[4]} {In[42]}" in references
    assert "[not found, sent as written: {Out[4]}, {In[42]}]" in texts(nb.cells[4])
    dry = texts(nb.cells[5])
    assert dry.startswith("Dry run: nothing was sent.") and "Would ask about Traceback" in dry
    assert not [o for cell in nb.cells[2:] for o in cell.outputs if o.output_type == "error"]
    assert TEST_KEY not in nbformat.writes(nb)


def test_in_a_kernel_a_data_frame_is_sent_as_a_table(server, api_key):
    pytest.importorskip("pandas")
    execute(
        f"%load_ext chatwithtech_magic\n%config ChatMagics.model = '{MODEL}'",
        "import pandas as pd\ndf = pd.DataFrame({'n': range(100), 'sq': [i * i for i in range(100)]})",
        "%%chat\nDescribe {df}",
    )

    prompt = server.chat_requests()[-1].body["messages"][-1]["content"]
    assert prompt.startswith("Describe DataFrame (pandas): 100 rows × 2 columns\ncolumn types: n int64, sq int64")
    assert "| 9 | 9 | 81 |" in prompt and "| 10 |" not in prompt and prompt.endswith("(first 10 of 100 rows)")
