"""safe_file.py: a file that came with a folder is read or written only when it is a regular file reached
without a link, and read only up to a cap; otherwise the user is told why, in both languages."""

from __future__ import annotations

import os
import sys

import pytest

from chatwithtech_magic.safe_file import UnsafeFile, open_regular, read_capped

needs_links = pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")


def _read(path, limit: int = 1 << 20) -> bytes:
    fd = open_regular(path)
    try:
        return read_capped(fd, limit)
    finally:
        os.close(fd)


def test_a_regular_file_is_read_whole(tmp_path):
    path = tmp_path / "answers.jsonl"
    path.write_bytes(b'{"a": 1}\n')
    assert _read(path) == b'{"a": 1}\n'


def test_a_file_that_does_not_exist_is_an_ordinary_not_found():
    with pytest.raises(FileNotFoundError):
        open_regular("/nonexistent/chatwithtech_answers.jsonl")


def test_a_new_file_is_created_when_asked(tmp_path):
    path = tmp_path / "new.jsonl"
    fd = open_regular(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        os.write(fd, b"line\n")
    finally:
        os.close(fd)
    assert path.read_bytes() == b"line\n"


@needs_links
def test_a_link_to_the_users_shell_profile_is_refused_and_the_target_untouched(tmp_path):
    target = tmp_path / "bashrc"
    target.write_bytes(b"export PATH=...\n")
    link = tmp_path / "chatwithtech_answers.jsonl"
    link.symlink_to(target)
    with pytest.raises(UnsafeFile) as caught:
        open_regular(link, os.O_WRONLY | os.O_APPEND)
    assert caught.value.reason == ("is a symbolic link", "是一个符号链接")
    assert target.read_bytes() == b"export PATH=...\n"


@needs_links
def test_a_link_to_an_endless_device_is_refused_before_any_read(tmp_path):
    link = tmp_path / "answers.jsonl"
    link.symlink_to("/dev/zero")
    with pytest.raises(UnsafeFile):
        open_regular(link)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_not_a_regular_file_and_opening_it_does_not_block(tmp_path):
    pipe = tmp_path / "answers.jsonl"
    os.mkfifo(pipe)
    with pytest.raises(UnsafeFile) as caught:
        open_regular(pipe)
    assert caught.value.reason.en.startswith("is not a regular file")


def test_a_folder_is_an_ordinary_is_a_directory_error(tmp_path):
    with pytest.raises(IsADirectoryError):
        open_regular(tmp_path)


def test_a_file_larger_than_the_cap_is_refused_saying_the_cap_in_megabytes(tmp_path):
    path = tmp_path / "big.jsonl"
    path.write_bytes(b"x" * ((2 << 20) + 1))
    with pytest.raises(UnsafeFile) as caught:
        _read(path, limit=2 << 20)
    assert caught.value.reason.en == "is larger than 2 MB" and caught.value.reason.zh == "大于 2 MB"


def test_a_file_exactly_at_the_cap_is_read(tmp_path):
    path = tmp_path / "edge.jsonl"
    path.write_bytes(b"y" * 1000)
    assert len(_read(path, limit=1000)) == 1000
