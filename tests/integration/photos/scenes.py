"""Synthetic accident-scene photos and hostile files, generated on the fly for tests.

The scenes share a layout (sky, road, lane markings, two cars) so that "a similar scene"
is a genuinely hard negative for the near-duplicate check; the seed moves the cars,
changes their colours and the camera's framing, as a second real photo would.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from datetime import datetime

from PIL import Image, ImageDraw, ImageFilter
from PIL.TiffImagePlugin import IFDRational


def scene(seed: int, size: tuple[int, int] = (1200, 900)) -> Image.Image:
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.3, 0.5))
    for y in range(horizon):  # sky gradient
        shade = int(150 + 90 * y / horizon)
        draw.line([(0, y), (width, y)], fill=(shade - 60, shade - 20, 255))
    draw.rectangle([0, horizon, width, height], fill=(90, 90, 95))
    for i in range(rng.randint(3, 6)):  # lane markings
        x = int(width * (i + rng.random()) / 6)
        draw.polygon(
            [
                (x, horizon),
                (x + 6, horizon),
                (x * 2 - width // 2 + 30, height),
                (x * 2 - width // 2, height),
            ],
            fill=(235, 235, 235),
        )
    for _ in range(2):  # two cars
        car_w = int(width * rng.uniform(0.25, 0.45))
        car_h = int(car_w * rng.uniform(0.35, 0.5))
        x0 = rng.randint(0, width - car_w)
        y0 = rng.randint(horizon - car_h // 3, height - car_h)
        colour = (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255))
        draw.rounded_rectangle([x0, y0, x0 + car_w, y0 + car_h], radius=car_h // 5, fill=colour)
        draw.rectangle(
            [x0 + car_w // 5, y0 + car_h // 8, x0 + car_w * 4 // 5, y0 + car_h // 2],
            fill=(40, 50, 60),
        )
        for wx in (x0 + car_w // 6, x0 + car_w * 5 // 6):
            r = car_h // 5
            draw.ellipse([wx - r, y0 + car_h - r, wx + r, y0 + car_h + r], fill=(15, 15, 15))
        plate = (x0 + car_w // 2 - car_w // 10, y0 + car_h * 2 // 3)
        draw.rectangle([plate, (plate[0] + car_w // 5, plate[1] + car_h // 8)], fill=(20, 60, 200))
    noise = Image.effect_noise(size, 24).convert("RGB")
    return Image.blend(image, noise, 0.12).filter(ImageFilter.GaussianBlur(0.6))


def exif_for(
    *,
    taken_at: datetime | None = None,
    gps: tuple[float, float] | None = None,
    software: str | None = None,
) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "HUAWEI"
    exif[0x0110] = "P60"
    if software:
        exif[0x0131] = software
    if taken_at is not None:
        ifd = exif.get_ifd(0x8769)
        ifd[0x9003] = taken_at.strftime("%Y:%m:%d %H:%M:%S")
        ifd[0x9011] = taken_at.strftime("%z")[:3] + ":" + taken_at.strftime("%z")[3:]
    if gps is not None:
        lat, lng = gps

        def dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
            degrees = int(value)
            minutes = int((value - degrees) * 60)
            seconds = round(((value - degrees) * 60 - minutes) * 60 * 1000)
            return (IFDRational(degrees), IFDRational(minutes), IFDRational(seconds, 1000))

        ifd = exif.get_ifd(0x8825)
        ifd[1] = "N"
        ifd[2] = dms(lat)
        ifd[3] = "E"
        ifd[4] = dms(lng)
    return exif


def jpeg_bytes(
    image: Image.Image, *, quality: int = 90, exif: Image.Exif | bytes | None = None
) -> bytes:
    out = io.BytesIO()
    kwargs: dict[str, object] = {"quality": quality}
    if exif is not None:
        kwargs["exif"] = exif
    image.save(out, "JPEG", **kwargs)
    return out.getvalue()


def png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A small, valid-looking PNG whose header claims ``width`` × ``height`` pixels.

    The IDAT holds one compressed scanline only: an inflating decoder would need the whole
    400 MP, a header check needs none of it.
    """
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" + b"\x00" * 3 * min(width, 4096), 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


def hostile_tiff() -> bytes:
    """A big-endian TIFF/EXIF block with an IFD cycle and absurd value counts.

    IFD0 holds: Make with count 0x7FFFFFFF, an ExifOffset pointing back at IFD0 (a cycle),
    a GPSInfo offset pointing at IFD0 too, and its next-IFD link pointing at itself.
    """
    entries = [
        (0x010F, 2, 0x7FFFFFFF, 8),  # Make: ASCII, 2 GiB long, value "at" offset 8
        (0x0110, 3, 0x3FFFFFFF, 8),  # Model as SHORTs, a billion of them
        (0x8769, 4, 1, 8),  # ExifOffset → IFD0 again
        (0x8825, 4, 1, 8),  # GPSInfo → IFD0 again
        (0x927C, 7, 0x7FFFFFFF, 8),  # MakerNote: huge UNDEFINED
    ]
    ifd = struct.pack(">H", len(entries))
    for tag, kind, count, value in entries:
        ifd += struct.pack(">HHII", tag, kind, count, value)
    ifd += struct.pack(">I", 8)  # next IFD: itself
    return b"MM\x00*" + struct.pack(">I", 8) + ifd


def jpeg_with_raw_exif(tiff: bytes, image: Image.Image | None = None) -> bytes:
    """A JPEG whose APP1 carries ``tiff`` verbatim (Pillow would rewrite a parsed EXIF)."""
    plain = jpeg_bytes(image or scene(3, (640, 480)))
    app1 = b"Exif\x00\x00" + tiff
    segment = b"\xff\xe1" + struct.pack(">H", len(app1) + 2) + app1
    return plain[:2] + segment + plain[2:]


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)

HTML_TRAILER = b"<html><body><script>fetch('/api/v1/me')</script></body></html>"


def zip_trailer() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.js", "alert(1)")
    return out.getvalue()


def hostile_tiff_huge_counts(entries: int = 400, count: int = 30_000) -> bytes:
    """IFD0 full of tags that each claim tens of thousands of SHORT values.

    The values all point at the same few bytes, so the block stays small (well under the
    64 KiB EXIF limit) while a naive parser performs ``entries × count`` reads.
    """
    ifd = struct.pack(">H", entries)
    for i in range(entries):
        ifd += struct.pack(">HHII", 0xC000 + i, 3, count, 8)
    ifd += struct.pack(">I", 0)
    return b"MM\x00*" + struct.pack(">I", 8) + ifd + b"\x00" * 64
