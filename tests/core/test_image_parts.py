"""An image is one more prompt part: counted by OpenAI's tile rule, passed untouched by masking, shown as one
line (never its bytes), keyed by its hash, and written as a data-URL ``image_url`` part on Chat Completions."""

from __future__ import annotations

import io
import json

import pytest

from chatwithtech_magic import images, prompt
from chatwithtech_magic.prompt import ImagePart, Prompt, TextPart, text
from chatwithtech_magic.tokens import estimate_parts, image_tokens
from chatwithtech_magic.wire.chat_completions import messages, prompt_of

PIL = pytest.importorskip("PIL.Image")


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    PIL.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def encoded(width: int, height: int, kind: str) -> bytes:
    out = io.BytesIO()
    PIL.new("RGB", (width, height), (0, 90, 200)).save(out, kind)
    return out.getvalue()


@pytest.mark.parametrize("kind, media_type", [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp"), ("GIF", "image/gif")])
def test_the_type_and_size_of_an_image_are_read_from_its_bytes(kind, media_type):
    data = encoded(321, 123, kind)
    assert images.sniff(data) == media_type
    assert images.dimensions(data, media_type) == (321, 123)


def test_bytes_that_are_no_image_are_refused_in_one_line():
    with pytest.raises(images.ImageProblem) as refused:
        images.part_from_bytes(b"%PDF-1.7 not an image", "notes.pdf")
    assert refused.value.line() == "--image notes.pdf: not a PNG, JPEG, WEBP or GIF image. Nothing was sent."


@pytest.mark.parametrize(
    "size, detail, tokens",
    [
        ((1024, 1024), "low", 85),
        ((1024, 1024), "high", 85 + 170 * 4),  # 768×768 after the short side goes to 768: 2×2 tiles
        ((2048, 4096), "high", 85 + 170 * 6),  # 1024×2048, then 768×1536: 2×3 tiles
        ((512, 512), "auto", 85 + 170),  # already small: one tile
        ((640, 480), "high", 85 + 170 * 2),
    ],
)
def test_an_image_costs_what_openais_tile_rule_says(size, detail, tokens):
    assert image_tokens(*size, detail) == tokens
    part = ImagePart(b"", "image/png", *size, detail)
    assert estimate_parts((part,)) == tokens


def test_downscaling_keeps_the_aspect_ratio():
    part = images.part_from_bytes(png(4000, 1000), "cell 3", max_side=2048)
    assert (part.width, part.height) == (2048, 512)
    assert images.dimensions(part.data, part.media_type) == (2048, 512)
    assert images.scaled_size(1000, 3000, 600) == (200, 600)
    small = images.part_from_bytes(png(300, 200), "cell 3")
    assert (small.width, small.height) == (300, 200)  # within the limits: the very bytes


def test_without_pillow_an_image_over_the_limits_is_refused_with_how_to_install_it(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "PIL.Image", None)  # import PIL.Image now fails, as without the extra
    with pytest.raises(images.ImageProblem) as refused:
        images.part_from_bytes(png(3000, 100), "cell 4", max_side=2048)
    line = refused.value.line()
    assert 'pip install "chatwithtech_magic[images]"' in line and "3000×100" in line and "\n" not in line


def test_masking_passes_an_image_untouched_and_changes_the_text_beside_it():
    image = ImagePart(png(20, 10), "image/png", 20, 10, "low", "cell 2")
    asked = Prompt(cell=text("my sk-secret") + (image,))
    masked = asked.map_text(str.upper)
    assert masked.cell == (TextPart("MY SK-SECRET"), image)


def test_a_preview_and_the_replay_key_name_the_image_by_hash_never_by_its_bytes():
    data = png(64, 48)
    image = ImagePart(data, "image/png", 64, 48, "auto", "cell 12")
    assert image.label == "[image: 64×48 PNG, from cell 12]"
    shown = prompt.shown(image)
    assert shown.startswith("[image: 64×48 PNG, from cell 12] sha256:") and image.data_url()[30:60] not in shown
    assert "data" not in repr(image) or data not in repr(image).encode()
    key = prompt.key_parts(text("What is it?") + (image,))
    assert key[1] == {"type": "image", "sha256": image.sha256, "media_type": "image/png", "detail": "auto"}
    assert image.data_url()[22:] not in json.dumps(key)


def test_chat_completions_writes_a_data_url_image_part_and_reads_it_back():
    image = ImagePart(png(30, 20), "image/png", 30, 20, "high", "cell 1")
    sent = messages(Prompt(cell=text("What does it show?") + (image,)))
    assert sent[-1]["content"][0] == {"type": "text", "text": "What does it show?"}
    part = sent[-1]["content"][1]
    assert part["type"] == "image_url" and part["image_url"]["detail"] == "high"
    assert part["image_url"]["url"].startswith("data:image/png;base64,iVBOR")
    back = prompt_of(sent).cell[1]
    assert (back.data, back.width, back.height, back.detail) == (image.data, 30, 20, "high")


def test_a_text_only_cell_is_written_as_before():
    assert messages(Prompt(cell=text("Hi")))[-1] == {"role": "user", "content": "Hi"}


def test_the_images_of_one_request_are_held_to_fifty_megabytes():
    big = ImagePart(b"x" * (26 * 1024 * 1024), "image/png", 10, 10)
    with pytest.raises(images.ImageProblem) as refused:
        images.check_request([big, big])
    assert "50 MB" in refused.value.line()


def test_a_value_that_is_an_image_gives_its_png_bytes():
    from IPython.display import Image

    data = png(12, 12)
    assert images.image_bytes(Image(data=data)) == data
    assert images.sniff(images.image_bytes(PIL.new("RGB", (5, 5)))) == "image/png"
    assert images.image_bytes("a text") is None and images.image_bytes(42) is None


def test_an_image_whose_header_reads_but_whose_data_is_damaged_is_refused_in_one_line():
    damaged = png(3000, 2000)[:200]  # the header says 3000×2000; the pixels are cut off
    with pytest.raises(images.ImageProblem) as refused:
        images.part_from_bytes(damaged, "cell 7", max_side=2048)
    assert refused.value.line().startswith("cell 7: its image data is damaged")
