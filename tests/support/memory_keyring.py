"""An in-memory keyring backend, so tests never touch a real keychain.

Kernels started by nbval or JupyterLab pick it up through
``PYTHON_KEYRING_BACKEND=tests.support.memory_keyring.MemoryKeyring`` with the
project root on ``PYTHONPATH``.
"""

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self):
        super().__init__()
        self.entries = {}

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise PasswordDeleteError(username) from None
