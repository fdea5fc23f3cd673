"""Images as prompt parts: read from bytes, a file or a notebook value, and bounded before sending.

The type is sniffed from the bytes (PNG, JPEG, WEBP, GIF: what OpenAI's models read), and the
size read from the header, so no library is needed to send an image that is already within the
limits: the long side at most ``ChatMagics.image_max_side`` (2,048 by default), at most 20 MB
an image and 50 MB a request. An image over them is downscaled with Pillow (the
``chatwithtech_magic[images]`` extra), its aspect ratio kept; without Pillow it is refused in one line.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from .i18n import Text
from .prompt import ImagePart

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_REQUEST_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_SIDE = 2048
DETAILS = ("auto", "low", "high")
THUMBNAIL_SIDE = 256
MEDIA_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")

MSG = {
    "missing": Text("--image {path}: no such file. Nothing was sent.", "--image {path}：文件不存在。未发送任何内容。"),
    "not_image": Text(
        "--image {path}: not a PNG, JPEG, WEBP or GIF image. Nothing was sent.",
        "--image {path}：不是 PNG、JPEG、WEBP 或 GIF 图像。未发送任何内容。",
    ),
    "unreadable": Text("--image {path}: can't be read ({reason}). Nothing was sent.", "--image {path}：无法读取（{reason}）。未发送任何内容。"),
    "too_large": Text(
        '{origin}: {width}×{height}, {size:,} bytes is over the limits (long side {side:,} px, 20 MB); '
        'to downscale it, pip install "chatwithtech_magic[images]". Nothing was sent.',
        '{origin}：{width}×{height}，{size:,} 字节，超出限制（长边 {side:,} 像素，20 MB）；'
        '如需自动缩小，请 pip install "chatwithtech_magic[images]"。未发送任何内容。',
    ),
    "broken": Text(
        "{origin}: its image data is damaged and can't be downscaled ({reason}). Nothing was sent.",
        "{origin}：图像数据已损坏，无法缩小（{reason}）。未发送任何内容。",
    ),
    "too_many_pixels": Text(
        "{origin}: {width}×{height} is too many pixels to open safely (Pillow's decompression-bomb limit); "
        "make it smaller first. Nothing was sent.",
        "{origin}：{width}×{height} 像素过多，无法安全打开（Pillow 的解压炸弹限制）；请先缩小它。未发送任何内容。",
    ),
    "still_too_large": Text(
        "{origin}: still over 20 MB after downscaling. Nothing was sent.",
        "{origin}：缩小后仍超过 20 MB。未发送任何内容。",
    ),
    "request_too_large": Text(
        "The images come to {size:,} bytes, over the 50 MB a request may hold. Nothing was sent.",
        "图像共 {size:,} 字节，超过单个请求 50 MB 的上限。未发送任何内容。",
    ),
    "sent": Text("images: {count} (~{tokens:,} input tokens)", "图像：{count} 张（约 {tokens:,} 个输入令牌）"),
}


class ImageProblem(Exception):
    """Why an image can't be sent, as a ``Text`` and its values (one line, in the user's language)."""

    def __init__(self, text: Text, **values):
        super().__init__(text.en)
        self.text, self.values = text, values

    def line(self, language: str = "en") -> str:
        return self.text.get(language, **self.values)


# -- reading bytes ----------------------------------------------------------------------------
def sniff(data: bytes) -> str | None:
    """The media type of ``data`` from its first bytes, or None when it is none of the four."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    return None


def dimensions(data: bytes, media_type: str) -> tuple[int, int]:
    """``(width, height)`` read from the header; ``(0, 0)`` when it can't be read."""
    try:
        if media_type == "image/png":
            return struct.unpack(">II", data[16:24])
        if media_type == "image/gif":
            return struct.unpack("<HH", data[6:10])
        if media_type == "image/webp":
            return _webp_size(data)
        if media_type == "image/jpeg":
            return _jpeg_size(data)
    except (struct.error, IndexError, ValueError):
        pass
    return 0, 0


def _webp_size(data: bytes) -> tuple[int, int]:
    chunk = data[12:16]
    if chunk == b"VP8X":
        w = int.from_bytes(data[24:27], "little") + 1
        h = int.from_bytes(data[27:30], "little") + 1
        return w, h
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 ":
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    return 0, 0


def _jpeg_size(data: bytes) -> tuple[int, int]:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
            i += 1 if marker == 0xFF else 2
            continue
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", data[i + 5 : i + 9])
            return w, h
        i += 2 + length
    return 0, 0


# -- making a part ----------------------------------------------------------------------------
def part_from_bytes(data: bytes, origin: str, detail: str = "auto", max_side: int = DEFAULT_MAX_SIDE,
                    media_type: str | None = None) -> ImagePart:
    """An ``ImagePart`` within the limits; ``ImageProblem`` when ``data`` is no image or can't be bounded."""
    sniffed = sniff(data)
    if sniffed is None:
        raise ImageProblem(MSG["not_image"], path=origin)
    width, height = dimensions(data, sniffed)
    part = ImagePart(data, sniffed, width, height, detail if detail in DETAILS else "auto", origin)
    return bounded(part, max_side)


def bounded(part: ImagePart, max_side: int = DEFAULT_MAX_SIDE) -> ImagePart:
    """``part`` as it may be sent: downscaled (aspect ratio kept) when over ``max_side`` or 20 MB."""
    over_side = max(part.width, part.height) > max_side
    if not over_side and len(part.data) <= MAX_IMAGE_BYTES:
        return part
    try:
        import PIL.Image  # noqa: F401  (the optional extra)
    except ImportError:
        raise ImageProblem(MSG["too_large"], origin=part.origin or "image", width=part.width, height=part.height,
                           size=len(part.data), side=max_side) from None
    try:
        smaller = downscale(part, max_side)
    except Exception as exc:  # a header that reads, over bytes that don't: one line, never a traceback
        if type(exc).__name__ == "DecompressionBombError":  # a real image, just more pixels than is safe to decode
            raise ImageProblem(MSG["too_many_pixels"], origin=part.origin or "image", width=part.width,
                               height=part.height) from None
        raise ImageProblem(MSG["broken"], origin=part.origin or "image", reason=type(exc).__name__) from None
    if len(smaller.data) > MAX_IMAGE_BYTES:
        raise ImageProblem(MSG["still_too_large"], origin=part.origin or "image")
    return smaller


def scaled_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """``width``×``height`` scaled so its long side is at most ``max_side``, the aspect ratio kept."""
    long_side = max(width, height)
    if long_side <= max_side or long_side <= 0:
        return width, height
    scale = max_side / long_side
    return max(1, round(width * scale)), max(1, round(height * scale))


def downscale(part: ImagePart, max_side: int) -> ImagePart:
    """``part`` re-encoded (PNG, or JPEG for a photo) with its long side at most ``max_side``. Needs Pillow."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(part.data)) as image:
        image.load()
        width, height = scaled_size(image.width, image.height, max_side)
        if (width, height) != (image.width, image.height):
            image = image.resize((width, height), Image.LANCZOS)
        out = io.BytesIO()
        if part.media_type == "image/jpeg":
            image.convert("RGB").save(out, "JPEG", quality=85)
            media_type = "image/jpeg"
        else:
            if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                image = image.convert("RGBA")
            image.save(out, "PNG", optimize=True)
            media_type = "image/png"
        data = out.getvalue()
        if len(data) > MAX_IMAGE_BYTES and media_type == "image/png":  # a noisy PNG: a JPEG is far smaller
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=85)
            data, media_type = out.getvalue(), "image/jpeg"
    return ImagePart(data, media_type, width, height, part.detail, part.origin)


def check_request(parts) -> None:
    """``ImageProblem`` when the images of one request come to more than 50 MB."""
    total = sum(len(part.data) for part in parts)
    if total > MAX_REQUEST_BYTES:
        raise ImageProblem(MSG["request_too_large"], size=total)


def from_path(path: str, detail: str = "auto", max_side: int = DEFAULT_MAX_SIDE) -> ImagePart:
    import os

    if not os.path.isfile(path):
        raise ImageProblem(MSG["missing"], path=path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
            if sniff(head) is None:
                raise ImageProblem(MSG["not_image"], path=path)
            data = head + handle.read()
    except OSError as exc:
        raise ImageProblem(MSG["unreadable"], path=path, reason=exc.strerror or type(exc).__name__) from None
    return part_from_bytes(data, path, detail, max_side)


def paths(patterns) -> list[str]:
    """Each ``--image`` pattern expanded (globs, ``~``), in order; a pattern matching nothing stays as written."""
    import glob
    import os

    found: list[str] = []
    for pattern in patterns or ():
        pattern = os.path.expanduser(pattern)
        matches = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else []
        for path in matches or [pattern]:
            if path not in found:
                found.append(path)
    return found


# -- notebook values ----------------------------------------------------------------------------
def image_bytes(value) -> bytes | None:
    """The PNG or JPEG bytes of a value that is an image: a matplotlib ``Figure``, a PIL ``Image``,
    an IPython ``Image``, or anything with ``_repr_png_``/``_repr_jpeg_``; None otherwise. Never raises."""
    try:
        if isinstance(value, (bytes, bytearray)) and sniff(bytes(value[:16])):
            return bytes(value)
        kind = type(value)
        module = getattr(kind, "__module__", "") or ""
        if module.startswith("matplotlib") and hasattr(value, "savefig"):
            import io

            out = io.BytesIO()
            value.savefig(out, format="png", bbox_inches="tight")
            return out.getvalue()
        if module.startswith("PIL") and hasattr(value, "save"):
            import io

            out = io.BytesIO()
            value.save(out, "PNG")
            return out.getvalue()
        for name in ("_repr_png_", "_repr_jpeg_"):
            method = getattr(value, name, None)
            if callable(method) and not isinstance(value, type):
                data = method()
                if isinstance(data, tuple):  # (data, metadata)
                    data = data[0]
                if isinstance(data, str):
                    import base64

                    data = base64.b64decode(data)
                if isinstance(data, (bytes, bytearray)) and sniff(bytes(data[:16])):
                    return bytes(data)
    except Exception:  # a value that fails to draw itself is sent as its text instead
        return None
    return None


def from_display(bundle: dict) -> bytes | None:
    """The image bytes of a display bundle (``image/png`` and the like, base64 text or bytes), or None."""
    import base64

    for media_type in MEDIA_TYPES:
        data = bundle.get(media_type)
        if data is None:
            continue
        try:
            raw = base64.b64decode(data) if isinstance(data, str) else bytes(data)
        except Exception:
            continue
        if sniff(raw[:16]):
            return raw
    return None


def thumbnail(part: ImagePart) -> tuple[bytes, str]:
    """A small copy of ``part`` to show (``--dry-run``): made with Pillow when there is one, else the image itself."""
    if max(part.width, part.height) <= THUMBNAIL_SIDE:
        return part.data, part.media_type
    try:
        return downscale(ImagePart(part.data, part.media_type, part.width, part.height, part.detail), THUMBNAIL_SIDE).data, "image/png" if part.media_type != "image/jpeg" else "image/jpeg"
    except Exception:
        return part.data, part.media_type


@dataclass
class Images:
    """The images one cell sends, gathered from ``--image``, ``{fig}`` and ``{Out[n]}``."""

    parts: list

    def tokens(self) -> int:
        from .tokens import image_tokens

        return sum(image_tokens(p.width, p.height, p.detail) for p in self.parts)

    def note(self) -> Text | None:
        if not self.parts:
            return None
        return MSG["sent"].fill(count=len(self.parts), tokens=self.tokens())
