"""``{name}`` in a %%chat cell: replaced only when the name exists; everything else is sent as written."""

from __future__ import annotations

import pytest
from IPython.utils.capture import capture_output

from chatwithtech_magic.cell import interpolate


def sent_prompt(shell, server, cell: str, line: str = "") -> str:
    with capture_output():
        shell.run_cell_magic("chat", line, cell)
    return server.chat_requests()[-1].body["messages"][-1]["content"]


def test_a_name_that_exists_in_the_notebook_is_replaced_by_its_value(shell, server, api_key):
    shell.run_cell("topic = 'black holes'\nyears = 3")

    assert sent_prompt(shell, server, "Explain {topic} in {years} sentences.") == "Explain black holes in 3 sentences."


def test_a_dataframe_like_value_is_sent_as_its_str(shell, server, api_key):
    shell.run_cell("rows = [{'a': 1}, {'a': 2}]")

    assert sent_prompt(shell, server, "Summarize {rows}") == "Summarize [{'a': 1}, {'a': 2}]"


CODE_CELL = '''Why does this fail?

```python
config = {"name": "demo", "size": {width}}
label = f"{config['name']!r:>10} {undefined_name}"
print("{} {}".format(1, 2), {x for x in range(3)})
template = "{{literal}}" + "{0}".format(topic)
def f(): return {}
```
'''


@pytest.mark.parametrize(
    "text",
    [
        CODE_CELL,
        "A dict literal: {'a': 1, \"b\": [1, 2]}",
        "An f-string: f\"{value:.2f} and {obj.attr} and {items[0]} and {a + b}\"",
        "Undefined: {nobody_defined_this}",
        "Escaped braces: {{topic}} stay doubled",
        "Positional and empty: {} {0} { topic } {topic!r}",
        "Unbalanced: { and } and {topic and topic}",
        "JSON: {\"key\": {\"nested\": null}}",
        "LaTeX: $\\frac{a}{b}$ and \\textbf{bold}",
    ],
    ids=["code", "dict", "f-string", "undefined", "escaped", "format-fields", "unbalanced", "json", "latex"],
)
def test_braces_that_are_not_an_existing_name_are_sent_exactly_as_written(shell, server, api_key, text):
    shell.run_cell("topic = 'ignored'\nvalue = 1.5")

    assert sent_prompt(shell, server, text) == text.strip("\n")


def test_only_the_lone_existing_names_in_a_mixed_cell_are_replaced(shell, server, api_key):
    shell.run_cell("topic = 'sets'")

    text = "About {topic}: {1, 2} and {{topic}} and {missing} and f'{topic!s}'"
    assert sent_prompt(shell, server, text) == "About sets: {1, 2} and {{topic}} and {missing} and f'{topic!s}'"


def test_no_interpolate_sends_existing_names_literally(shell, server, api_key):
    shell.run_cell("topic = 'black holes'")

    assert sent_prompt(shell, server, "Explain {topic}.", "--no-interpolate") == "Explain {topic}."


def test_a_value_whose_str_raises_keeps_its_placeholder_and_the_cell_still_runs(shell, server, api_key):
    shell.run_cell("class Broken:\n    def __str__(self):\n        raise RuntimeError('no')\nthing = Broken()")

    assert sent_prompt(shell, server, "What is {thing}?") == "What is {thing}?"


def test_interpolation_never_raises_on_any_brace_pattern():
    namespace = {"a": 1, "b": "two"}
    samples = ["{", "}", "{{", "}}", "{a", "a}", "{{a}", "{a}}", "{{{a}}}", "{}{}{", "{a}{b}", "{\n}", "{é}", "{a.b}"]

    results = {sample: interpolate(sample, namespace) for sample in samples}

    assert results["{a}{b}"] == "1two"
    assert results["{é}"] == "{é}"
    assert results["{a.b}"] == "{a.b}"
    for sample in ("{", "}", "{{", "}}", "{a", "a}", "{{a}", "{a}}", "{{{a}}}", "{}{}{", "{\n}"):
        assert results[sample] == sample
