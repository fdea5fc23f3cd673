"""options.py: which values a setting or a cell option may take, said in one line, in both languages."""

from __future__ import annotations

import pytest

from chatwithtech_magic import options


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -0.1, 2.5, "hot"])
def test_a_temperature_out_of_range_is_refused_naming_the_option_as_typed(value):
    message = options.problem("temperature", value, "-t/--temperature")
    assert message.startswith(f"-t/--temperature = {value} is not allowed: use a number from 0 to 2")


@pytest.mark.parametrize("name,value", [("temperature", 0), ("temperature", 2), ("timeout", 0.5), ("max_tokens", 0), ("budget", 0), ("window", None)])
def test_values_in_range_and_unset_ones_pass(name, value):
    assert options.problem(name, value) is None


def test_a_timeout_of_zero_can_never_be_met_and_is_refused():
    assert "above 0" in options.problem("timeout", 0)


def test_an_empty_model_name_is_refused_and_the_chinese_message_reads_chinese():
    assert options.problem("model", "  ") == "model needs a model name; it is empty."
    assert "模型名称" in options.problem("model", "", language="zh")


@pytest.mark.parametrize(
    "name,why",
    [("print", "a built-in"), ("class", "a Python keyword"), ("__name__", "a double-underscore name"), ("_i12", "IPython's own"), ("Out", "IPython's own")],
)
def test_out_refuses_names_python_or_ipython_need_and_says_why(name, why):
    assert f"({why})" in options.out_problem(name)


def test_out_takes_a_plain_variable_name_and_refuses_what_is_not_one():
    assert options.out_problem("answer") is None
    assert options.out_problem("my answer") == "--out needs a Python variable name, not 'my answer'."
