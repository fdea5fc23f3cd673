from IPython.utils.capture import capture_output
from tests.support.openai_server import *

def test_smoke(shell, server, api_key):
    server.script(Reply("Hello **world** and more text here"))
    with capture_output() as cap:
        shell.run_cell_magic("chat", "", "hi {x}")
    print(repr(cap.stdout), repr(cap.stderr))
    for o in cap.outputs:
        print(o.data, o.metadata, getattr(o, 'transient', None))
    print(server.chat_requests()[0].body)
    r = None
    with capture_output() as cap:
        r = shell.run_cell("%%chat --bogus\nhi")
    print(repr(cap.stdout), repr(cap.stderr), r.error_in_exec, r.error_before_exec)
    server.script(insufficient_quota())
    with capture_output() as cap:
        shell.run_cell_magic("chat", "", "hi")
    print(repr(cap.stdout), repr(cap.stderr))
    for o in cap.outputs:
        print(o.data.keys(), o.data.get('text/plain'))
    print(len(server.chat_requests()))
