from IPython.core.magic import Magics, line_magic, magics_class


@magics_class
class KeyMagics(Magics):
    def __init__(self, shell=None, chat=None, **kwargs):
        super().__init__(shell=shell, **kwargs)
        self.chat = chat

    @line_magic
    def chatkey(self, line):
        pass
