"""Talk to OpenAI's GPT models from Jupyter cells.

``%load_ext chatwithtech_magic`` registers ``%%chat`` and ``%chatkey``. Loading stays
fast because nothing here imports ``openai``, ``ipywidgets`` or ``keyring``: they
are imported on first use.

The core works without IPython::

    from chatwithtech_magic.session import ChatSession, ChatRequest
    answer = ChatSession().ask("Hello", ChatRequest(model="gpt-4"))
"""

__version__ = "0.1.0"


def load_ipython_extension(shell):
    from .magics import register

    register(shell)


def unload_ipython_extension(shell):
    from .magics import unregister

    unregister(shell)
