from IPython.utils.capture import capture_output
from tests.support.openai_server import *

def test_smoke(shell, server, api_key):
    with capture_output() as cap:
        r = shell.run_cell("%config ChatMagics.window = 0")
    print("CFG", repr(cap.stdout), repr(cap.stderr), r.error_in_exec)
    with capture_output() as cap:
        r = shell.run_cell("%config ChatMagics.window = 7")
    print("CFG", repr(cap.stdout), repr(cap.stderr), r.error_in_exec)
    print([type(c).__name__ for c in shell.configurables])
    with capture_output() as cap:
        r = shell.run_cell("%chat")
    print(cap.stdout)
    with capture_output() as cap:
        r = shell.run_cell("%%chat -f code\nhi")
    print(repr(cap.stdout), shell.rl_next_input)
