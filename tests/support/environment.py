"""The run-wide test environment: one loopback server and the test key, shared by every conftest."""

from __future__ import annotations

TEST_KEY = "sk-test-0123456789abcdefWXYZ"
OPENAI_VARS = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_ORGANIZATION", "OPENAI_PROJECT_ID")


class Run:
    server = None  # the OpenAIServer started at pytest_configure
    scratch = ""  # the run's temporary folder (IPython profile, cache), removed at pytest_unconfigure
