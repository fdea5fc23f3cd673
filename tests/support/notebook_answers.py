"""What the loopback server answers to the questions in ``notebooks/*.ipynb``.

A notebook's kernel can't script the test server, so for nbval (and ``scripts/refresh_notebooks.py``)
the server answers these questions with these texts, matched by a phrase of the question
(``OpenAIServer.answers``). They are written to read like a model's answers, so the outputs saved in
the notebooks teach something; anything else gets the server's default reply.
"""

from __future__ import annotations

ANSWERS = {
    "what a Python list comprehension is": (
        "- A **list comprehension** builds a new list from an iterable in one expression.\n"
        "- It reads like the loop it replaces: `[expression for item in iterable if condition]`.\n"
        "- It is usually shorter and faster than appending in a `for` loop.\n\n"
        "```python\n"
        "squares = [n * n for n in range(6) if n % 2 == 0]\n"
        "print(squares)  # [0, 4, 16]\n"
        "```"
    ),
    "same example as a plain for loop": (
        "The same squares, built with a loop:\n\n"
        "```python\n"
        "squares = []\n"
        "for n in range(6):\n"
        "    if n % 2 == 0:\n"
        "        squares.append(n * n)\n"
        "print(squares)  # [0, 4, 16]\n"
        "```"
    ),
    "sorted from highest to lowest": (
        "```python\n"
        "def highest_first(scores):\n"
        "    return sorted(scores, reverse=True)\n"
        "\n"
        "highest_first([72, 95, 88, 61])  # [95, 88, 72, 61]\n"
        "```"
    ),
    "Is the growth linear?": (
        "The plot shows **y = x²** for x from 0 to 9: a curve that starts flat and bends upward.\n\n"
        "- The growth is **not linear**: each step adds more than the last (1, 3, 5, 7, … — the odd numbers).\n"
        "- A straight line would need a constant slope; here the slope, 2x, grows with x.\n"
        "- On a log–log scale it would be a straight line of slope 2."
    ),
    "用一句话解释": "列表推导式用一行表达式从一个可迭代对象生成新列表，例如 `[n * n for n in range(3)]` 得到 `[0, 1, 4]`。",
    "has no attribute 'median'": (
        "A Python `list` has no `median()` method, so `scores.median()` raises `AttributeError`. "
        "Use the standard library's `statistics.median`:\n\n"
        "```python\n"
        "import statistics\n"
        "\n"
        "statistics.median(scores)\n"
        "```"
    ),
}
