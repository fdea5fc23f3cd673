"""Real parts the tests run against: a loopback OpenAI-protocol server and an in-memory keyring."""
