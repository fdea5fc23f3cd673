"""Running the magics in a test shell and capturing what the user would see."""

from IPython.utils.capture import capture_output


def chat(shell, line: str = "", cell: str = "Hello"):
    """Run ``%%chat line`` with ``cell``; the captured outputs."""
    with capture_output() as cap:
        shell.run_cell_magic("chat", line, cell)
    return cap


def chat_line(shell, command: str):
    """Run the line magic ``%chat command``; the captured outputs."""
    with capture_output() as cap:
        shell.run_line_magic("chat", command)
    return cap
