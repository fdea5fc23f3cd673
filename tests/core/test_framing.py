"""framing.py: Server-Sent Events framed from byte blocks, as the standard reads them.

tests/test_sse_framing.py covers long lines, the size cap and line endings cut across blocks, end to end;
these pin the rest of the reading down: which lines carry data, and what a body that is not a stream
leaves behind.
"""

from __future__ import annotations

from chatwithtech_magic.framing import Events, events


def test_each_event_is_the_data_of_its_lines_joined_by_a_line_feed():
    assert list(events([b"data: first\ndata: second\n\ndata: third\n\n"])) == [b"first\nsecond", b"third"]


def test_one_space_after_the_colon_is_dropped_and_any_more_are_data():
    assert list(events([b"data:tight\n\ndata:  two spaces\n\n"])) == [b"tight", b" two spaces"]


def test_comments_ids_retries_event_names_and_unknown_fields_carry_nothing():
    body = b": ping\nid: 7\nretry: 100\nevent: message\nx-custom: 1\ndata: kept\n\n: trailing comment\n\n"
    assert list(events([body])) == [b"kept"]


def test_a_blank_line_without_data_is_no_event():
    assert list(events([b"\n\n: ping\n\n\n"])) == []


def test_the_last_event_counts_when_the_body_ends_without_its_blank_line():
    assert list(events([b"data: one\n\ndata: last"])) == [b"one", b"last"]


def test_an_event_split_anywhere_across_blocks_is_read_whole():
    body = b"data: {\"a\": 1}\n\ndata: {\"b\": 2}\n\n"
    for cut in range(1, len(body)):
        assert list(events([body[:cut], body[cut:]])) == [b'{"a": 1}', b'{"b": 2}'], cut


def test_empty_blocks_change_nothing():
    assert list(events([b"", b"data: x", b"", b"\n", b"", b"\n"])) == [b"x"]


def test_a_whole_json_answer_sent_instead_of_a_stream_is_kept_as_its_raw_lines():
    reader = Events()
    out = reader.feed(b'{"id": "chatcmpl-1",\n "object": "chat.completion"}\n') + reader.end()
    assert out == [] and not reader.seen
    assert reader.raw == b'{"id": "chatcmpl-1",\n "object": "chat.completion"}'


def test_once_an_event_has_come_other_lines_are_not_kept():
    reader = Events()
    reader.feed(b"data: x\n\nstray line\n")
    assert reader.seen and reader.raw == b""


def test_raw_lines_are_kept_only_up_to_the_limit():
    reader = Events(limit=100)
    for _ in range(50):
        reader.feed(b"0123456789\n")
    assert 0 < len(reader.raw) <= 100
