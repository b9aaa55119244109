"""Pillow + exifread photo inspector: sniff, bound, hash, extract and derive, off the loop.

Every upload is hostile until proven otherwise. The order of checks is chosen so that the
cheap, header-only refusals happen before anything expensive:

1. size and magic bytes (the client's file name and Content-Type are never trusted);
2. SHA-256 over the exact bytes received (evidence integrity, before any transformation);
3. container structure: where the image ends, and what is appended after it;
4. pixel budget from the header (``Image.open`` is lazy) before a single pixel decodes;
5. EXIF through exifread on a bounded copy of the EXIF block, under a time and I/O budget;
6. a reduced decode (JPEG draft mode) for the perceptual hash, which also proves the
   image decodes.

All of this is blocking, CPU-bound work, so it runs in a bounded thread pool; the pool
size caps how many images are being decoded (and held in memory) at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import logging
import math
import mmap
import re
import struct
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import IO, Any

import exifread
from PIL import Image

from adapters.photos.phash import phash
from settlement.domain.evidence import GeoPoint, PhotoFacts
from settlement.domain.timeline import plausible_instant
from settlement.errors import (
    CorruptImage,
    EmptyUpload,
    ImageTooLarge,
    MalformedExif,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from settlement.ports.photos import DerivedImages, PhotoSource

log = logging.getLogger(__name__)

CHINA_STANDARD_TIME = timezone(timedelta(hours=8))

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000  # above any phone camera (a 200 MP sensor bins to 12.5 MP)
DEFAULT_MAX_FULL_DECODE_PIXELS = 16_000_000  # PNG and WebP: ~64 MB of RGBA per decode
DEFAULT_MAX_EXIF_BYTES = 64 * 1024  # a JPEG APP1 segment cannot exceed 64 KiB anyway
DEFAULT_EXIF_TIMEOUT_S = 1.0
DEFAULT_EXIF_MAX_READS = 20_000  # a normal EXIF block needs a few hundred reads
THUMBNAIL_SIZE = 320
PRIVACY_MAX_EDGE = 2048

_FORMATS = ("JPEG", "PNG", "WEBP")

# Inside JPEG entropy-coded data 0xFF is followed by a stuffed 0x00 or a restart marker;
# anything else is the next real marker.
_JPEG_MARKER_AFTER_SCAN = re.compile(rb"\xff[^\x00\xd0-\xd7]")
_MAX_PNG_CHUNKS = 100_000  # encoders write ≥ 8 KiB IDATs; millions of chunks is an attack

# Recognisable payloads hidden after the end of an image (polyglots).
_TRAILER_SIGNATURES: tuple[tuple[str, re.Pattern[bytes]], ...] = (
    ("html", re.compile(rb"<!doctype\s+html|<html|<body|<iframe", re.IGNORECASE)),
    ("script", re.compile(rb"<script|<\?php|javascript:", re.IGNORECASE)),
    ("svg", re.compile(rb"<svg", re.IGNORECASE)),
    ("zip", re.compile(rb"PK\x03\x04|PK\x05\x06|PK\x01\x02")),
    ("pdf", re.compile(rb"%PDF-")),
)
_TRAILER_SCAN_BYTES = 64 * 1024  # scan the head and the tail of the trailer, not all of it

_CREATOR_TOOL = re.compile(rb'CreatorTool(?:="|>)([^"<]{1,100})')

# EXIF Orientation → the transpose that makes the pixels upright.
_ORIENTATION_FIX: dict[int, Image.Transpose] = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

# What Pillow raises for broken input varies by plugin and version.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError)


def sniff_format(head: bytes) -> str | None:
    """The image format the magic bytes announce (JPEG, PNG, WEBP), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def jpeg_end(buf: bytes | mmap.mmap) -> int | None:
    """Offset just past the JPEG's EOI marker, or None if the stream is truncated/broken.

    Walks the marker segments (so an EXIF thumbnail's own EOI inside APP1 is skipped) and
    jumps over entropy-coded scans with one regex search each.
    """
    n = len(buf)
    pos = 2
    while pos + 2 <= n:
        if buf[pos] != 0xFF:
            return None
        marker = buf[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker == 0xD9:
            return pos + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            pos += 2
            continue
        if pos + 4 > n:
            return None
        length = (buf[pos + 2] << 8) | buf[pos + 3]
        if length < 2:
            return None
        pos += 2 + length
        if marker == 0xDA:
            found = _JPEG_MARKER_AFTER_SCAN.search(buf, pos)
            if found is None:
                return None
            pos = found.start()
    return None


def png_end(buf: bytes | mmap.mmap) -> int | None:
    """Offset just past the IEND chunk, or None if the chunk chain is broken."""
    n = len(buf)
    pos = 8
    for _ in range(_MAX_PNG_CHUNKS):
        if pos + 12 > n:
            return None
        length = int.from_bytes(buf[pos : pos + 4], "big")
        chunk_type = bytes(buf[pos + 4 : pos + 8])
        pos += 12 + length
        if chunk_type == b"IEND":
            return pos if pos <= n else None
    return None


def webp_end(buf: bytes | mmap.mmap) -> int | None:
    """Offset just past the RIFF container as its header declares it."""
    size = int.from_bytes(buf[4:8], "little")
    end = 8 + size + (size & 1)
    return end if end <= len(buf) else None


def classify_trailer(trailer: bytes | memoryview) -> str | None:
    """Name the kind of payload found in bytes appended after an image, if recognisable."""
    if len(trailer) > 2 * _TRAILER_SCAN_BYTES:
        sample = bytes(trailer[:_TRAILER_SCAN_BYTES]) + bytes(trailer[-_TRAILER_SCAN_BYTES:])
    else:
        sample = bytes(trailer)
    for kind, pattern in _TRAILER_SIGNATURES:
        if pattern.search(sample):
            return kind
    return None


def _draft_request(size: tuple[int, int], edge: int) -> tuple[int, int]:
    """The draft box that makes libjpeg decode straight to a long edge in (edge/2, edge].

    ``draft`` picks the smallest 1/2^k scale that still covers the requested box, so
    asking for half the target lets the decoder's DCT scaling do the whole reduction and
    leaves no resampling pass (a Lanczos resize of 12 MP costs more than the decode).
    """
    width, height = size
    longest = max(width, height)
    if longest <= edge:
        return size
    ratio = (edge // 2) / longest
    return max(1, math.ceil(width * ratio)), max(1, math.ceil(height * ratio))


_TIFF_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}
_SUB_IFD_TAGS = frozenset({0x8769, 0x8825, 0xA005})  # Exif, GPS and interoperability IFDs
MAX_IFDS = 16
MAX_IFD_ENTRIES = 512


def exif_structure_problem(tiff: bytes) -> str | None:
    """Why a TIFF/EXIF block cannot come from a camera, or None when it looks sane.

    Walks the IFD chain and sub-IFD pointers without decoding values: a loop, more IFDs
    or entries than any camera writes, or a value larger than the whole block are the
    marks of a crafted file meant to hang or bloat a parser.
    """
    if len(tiff) < 8:
        return "truncated TIFF header"
    endian = "<" if tiff[:2] == b"II" else ">"
    pending = [struct.unpack_from(endian + "I", tiff, 4)[0]]
    seen: set[int] = set()
    while pending:
        offset = pending.pop()
        if offset == 0:
            continue
        if offset in seen:
            return "IFD loop"
        seen.add(offset)
        if len(seen) > MAX_IFDS:
            return "too many IFDs"
        if offset + 2 > len(tiff):
            return "IFD outside the EXIF block"
        count = struct.unpack_from(endian + "H", tiff, offset)[0]
        if count > MAX_IFD_ENTRIES:
            return "too many IFD entries"
        end = offset + 2 + 12 * count
        if end > len(tiff):
            return "IFD runs past the EXIF block"
        for index in range(count):
            tag, kind, items, value = struct.unpack_from(
                endian + "HHII", tiff, offset + 2 + 12 * index
            )
            if _TIFF_TYPE_SIZES.get(kind, 1) * items > len(tiff):
                return "tag value larger than the EXIF block"
            if tag in _SUB_IFD_TAGS:
                pending.append(value)
        if end + 4 <= len(tiff):
            pending.append(struct.unpack_from(endian + "I", tiff, end)[0])
    return None


class ExifBudgetExceeded(Exception):
    """exifread used more time or I/O than any sane EXIF block needs."""


class _MeteredReader(io.BytesIO):
    """A bounded in-memory file that stops exifread when its budget runs out.

    exifread is pure Python and every step of its parse (following IFD offsets, reading
    tag values) goes through ``seek``/``read``; the known hangs (IFD cycles, huge
    counts) are loops of such calls. Metering them bounds time without a subprocess, and
    the backing buffer is a copy of at most ``DEFAULT_MAX_EXIF_BYTES``, which bounds memory.
    """

    def __init__(self, data: bytes, *, max_reads: int, deadline: float) -> None:
        super().__init__(data)
        self._reads_left = max_reads
        self._deadline = deadline

    def _spend(self) -> None:
        self._reads_left -= 1
        if self._reads_left < 0:
            raise ExifBudgetExceeded("too many reads")
        if time.monotonic() > self._deadline:
            raise ExifBudgetExceeded("time limit")

    def read(self, size: int | None = -1, /) -> bytes:
        self._spend()
        return super().read(size)

    def seek(self, offset: int, whence: int = 0, /) -> int:
        self._spend()
        return super().seek(offset, whence)


@contextlib.contextmanager
def _pixel_guard() -> Iterator[None]:
    """Turn Pillow's decompression-bomb warning into an error for this block.

    ``catch_warnings`` edits process-wide state, so threads can interleave here; that is
    why the explicit width × height check after ``Image.open`` is the real limit and this
    is only the second line.
    """
    with warnings.catch_warnings():
        # Pillow warns about every malformed metadata tag; hostile files would flood the
        # logs, and the EXIF verdict comes from the bounded exifread parse anyway.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        yield


@contextlib.contextmanager
def _buffer(source: PhotoSource) -> Iterator[bytes | mmap.mmap]:
    """The upload as a bytes-like object; files are memory-mapped, not read into the heap."""
    if isinstance(source, bytes):
        yield source
        return
    with open(source, "rb") as fh:
        size = fh.seek(0, io.SEEK_END)
        if size == 0:
            yield b""
            return
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            yield mapped


def _open_image(source: PhotoSource) -> IO[bytes]:
    return io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")


def _exif_time(tags: dict[str, Any]) -> tuple[datetime | None, str | None]:
    """The capture time, and why a present one was set aside (garbage is not evidence)."""
    raw = tags.get("EXIF DateTimeOriginal") or tags.get("Image DateTime")
    if raw is None:
        return None, None
    try:
        naive = datetime.strptime(str(raw).strip()[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None, None
    offset = tags.get("EXIF OffsetTimeOriginal")
    # Without an offset, the camera clock is local time; the service serves China.
    zone: timezone = CHINA_STANDARD_TIME
    if offset is not None:
        match = re.fullmatch(r"([+-])(\d{2}):(\d{2})", str(offset).strip())
        # Real offsets run from -12:00 to +14:00; anything else is a forged or broken tag.
        if not match or int(match.group(2)) > 14 or int(match.group(3)) >= 60:
            return None, "invalid OffsetTimeOriginal"
        sign = 1 if match.group(1) == "+" else -1
        zone = timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))
    shot = naive.replace(tzinfo=zone)
    if not plausible_instant(shot):
        return None, "implausible capture time"
    return shot, None


def _dms(tag: Any, ref: Any) -> float | None:
    values = getattr(tag, "values", None)
    if not isinstance(values, list) or len(values) != 3:
        return None
    try:
        degrees, minutes, seconds = (float(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = degrees + minutes / 60 + seconds / 3600
    return -result if str(ref).strip().upper() in {"S", "W"} else result


def _exif_gps(tags: dict[str, Any]) -> GeoPoint | None:
    lat_tag, lng_tag = tags.get("GPS GPSLatitude"), tags.get("GPS GPSLongitude")
    if lat_tag is None or lng_tag is None:
        return None
    lat = _dms(lat_tag, tags.get("GPS GPSLatitudeRef", "N"))
    lng = _dms(lng_tag, tags.get("GPS GPSLongitudeRef", "E"))
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    if lat == 0 and lng == 0:  # cameras write 0/0 when they had no fix
        return None
    return GeoPoint(latitude=lat, longitude=lng)


def _text(tags: dict[str, Any], name: str) -> str | None:
    # Make, Model and Software are ASCII tags; a hostile file may give them another type.
    values = getattr(tags.get(name), "values", None)
    if not isinstance(values, str):
        return None
    text = values.strip().strip("\x00").strip()[:100]
    return text or None


def _orientation(tags: dict[str, Any]) -> int | None:
    values = getattr(tags.get("Image Orientation"), "values", None)
    if isinstance(values, list) and values and isinstance(values[0], int) and 1 <= values[0] <= 8:
        return values[0]
    return None


class PillowExifInspector:
    """:class:`~settlement.ports.photos.PhotoInspector` over Pillow and exifread.

    Args:
        executor: the bounded pool all decoding runs in (its size caps concurrent decodes
            and therefore peak memory).
        max_bytes: largest accepted file.
        max_pixels: largest accepted width × height, checked from the header.
        max_full_decode_pixels: the same for PNG and WebP, which cannot decode scaled
            down as JPEG does (a 7000×7000 PNG costs ~290 MB per decode).
        max_exif_bytes: how much of the EXIF block exifread may see.
        exif_timeout_s: wall-clock budget of one EXIF parse.
        exif_max_reads: I/O-call budget of one EXIF parse.
        privacy_max_edge: longest edge of the privacy copy (JPEG decodes land in
            (edge/2, edge] by DCT scaling).
        thumbnail_size: box the thumbnail fits in.
        derived_cache_entries: how many inspected photos' derived copies are kept for
            the following :meth:`derive` call.
    """

    def __init__(
        self,
        executor: ThreadPoolExecutor,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        max_full_decode_pixels: int = DEFAULT_MAX_FULL_DECODE_PIXELS,
        max_exif_bytes: int = DEFAULT_MAX_EXIF_BYTES,
        exif_timeout_s: float = DEFAULT_EXIF_TIMEOUT_S,
        exif_max_reads: int = DEFAULT_EXIF_MAX_READS,
        privacy_max_edge: int = PRIVACY_MAX_EDGE,
        thumbnail_size: int = THUMBNAIL_SIZE,
        derived_cache_entries: int = 32,
    ) -> None:
        self._executor = executor
        self._max_bytes = max_bytes
        self._max_pixels = max_pixels
        self._max_full_decode_pixels = min(max_pixels, max_full_decode_pixels)
        self._max_exif_bytes = max_exif_bytes
        self._exif_timeout_s = exif_timeout_s
        self._exif_max_reads = exif_max_reads
        self._privacy_max_edge = privacy_max_edge
        self._thumbnail_size = thumbnail_size
        # Huffman decoding dominates and costs the same at any draft scale, so inspect
        # decodes once at the privacy-copy scale and makes the copies right away; derive
        # then only looks them up. Bounded, keyed by content hash, encoded bytes only.
        self._derived: OrderedDict[str, DerivedImages] = OrderedDict()
        self._derived_max = derived_cache_entries
        self._derived_lock = threading.Lock()

    async def inspect(self, source: PhotoSource) -> PhotoFacts:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.inspect_sync, source)

    async def derive(self, source: PhotoSource, facts: PhotoFacts) -> DerivedImages:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.derive_sync, source, facts)

    # --- synchronous work (runs in the executor) ---------------------------------------

    def inspect_sync(self, source: PhotoSource) -> PhotoFacts:
        """Blocking body of :meth:`inspect`; public for benchmarks and worker processes."""
        with _buffer(source) as buf:
            size = len(buf)
            if size == 0:
                raise EmptyUpload("The uploaded file is empty.")
            if size > self._max_bytes:
                raise PayloadTooLarge(
                    f"The file is larger than {self._max_bytes // (1024 * 1024)} MB.",
                    limit=self._max_bytes,
                )
            fmt = sniff_format(bytes(buf[:16]))
            if fmt is None:
                raise UnsupportedMediaType(
                    "Only JPEG, PNG and WebP photos are accepted.", accepted=list(_FORMATS)
                )
            sha256 = hashlib.sha256(buf).hexdigest()
            end = {"JPEG": jpeg_end, "PNG": png_end, "WEBP": webp_end}[fmt](buf)
            if end is None:
                raise CorruptImage("The image is truncated or damaged.", format=fmt)
            trailing = size - end
            trailing_kind = None
            if trailing:
                # Release the view before the mmap closes (an open export blocks close).
                with memoryview(buf) as view:
                    trailing_kind = classify_trailer(view[end:])
        return self._decode_facts(source, fmt, size, sha256, trailing, trailing_kind)

    def _open_checked(self, fh: IO[bytes], fmt: str) -> Image.Image:
        """Open lazily (header only) and refuse the pixel flood before any decoding."""
        try:
            with _pixel_guard():
                image = Image.open(fh, formats=[fmt])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageTooLarge(
                "The image has too many pixels.", max_pixels=self._max_pixels
            ) from exc
        except _DECODE_ERRORS as exc:
            raise CorruptImage("The image header cannot be read.", format=fmt) from exc
        width, height = image.size
        limit = self._max_pixels if fmt == "JPEG" else self._max_full_decode_pixels
        if width * height > limit or width <= 0 or height <= 0:
            image.close()
            raise ImageTooLarge(
                f"The image is {width}×{height} pixels; the limit for {fmt} is "
                f"{limit // 1_000_000} megapixels.",
                max_pixels=limit,
                width=width,
                height=height,
            )
        return image

    def _decode_facts(
        self,
        source: PhotoSource,
        fmt: str,
        size: int,
        sha256: str,
        trailing: int,
        trailing_kind: str | None,
    ) -> PhotoFacts:
        with _open_image(source) as fh, self._open_checked(fh, fmt) as image:
            width, height = image.size
            raw_exif = image.info.get("exif")
            xmp = image.info.get("xmp")
            tags, exif_error = self._read_exif(raw_exif if isinstance(raw_exif, bytes) else None)
            orientation = _orientation(tags)
            try:
                with _pixel_guard():
                    picture = self._decode_for_copies(image, fmt)
            except Image.DecompressionBombError as exc:
                raise ImageTooLarge("The image has too many pixels.") from exc
            except _DECODE_ERRORS as exc:
                raise CorruptImage("The image data cannot be decoded.", format=fmt) from exc
        captured_at, time_problem = _exif_time(tags)
        perceptual = phash(picture)
        self._remember(sha256, self._encode_copies(picture, orientation))
        software = _text(tags, "Image Software")
        if software is None and isinstance(xmp, bytes | str):
            xmp_bytes = xmp.encode() if isinstance(xmp, str) else xmp
            found = _CREATOR_TOOL.search(xmp_bytes[: self._max_exif_bytes])
            if found:
                software = found.group(1).decode("utf-8", "replace").strip() or None
        return PhotoFacts(
            format=fmt,
            width=width,
            height=height,
            byte_size=size,
            sha256=sha256,
            phash=perceptual,
            exif_present=raw_exif is not None,
            exif_captured_at=captured_at,
            exif_gps=_exif_gps(tags),
            software=software,
            make=_text(tags, "Image Make"),
            model=_text(tags, "Image Model"),
            orientation=orientation,
            exif_error=exif_error or time_problem,
            trailing_bytes=trailing,
            trailing_kind=trailing_kind,
        )

    def _read_exif(self, raw: bytes | None) -> tuple[dict[str, Any], str | None]:
        """Parse at most ``max_exif_bytes`` of EXIF under a time and I/O budget."""
        if not raw:
            return {}, None
        tiff = raw[6:] if raw.startswith(b"Exif\x00\x00") else raw
        tiff = tiff[: self._max_exif_bytes]
        if not tiff.startswith((b"II*\x00", b"MM\x00*")):
            return {}, "not a TIFF header"
        problem = exif_structure_problem(tiff)
        if problem is not None:
            raise MalformedExif(
                "The photo's metadata (EXIF) is damaged or forged; take the photo again "
                "with the phone's camera.",
                problem=problem,
            )
        reader = _MeteredReader(
            tiff,
            max_reads=self._exif_max_reads,
            deadline=time.monotonic() + self._exif_timeout_s,
        )
        try:
            tags: dict[str, Any] = exifread.process_file(
                reader, details=False, extract_thumbnail=False, strict=False
            )
        except ExifBudgetExceeded as exc:
            log.info("exif parse stopped: %s", exc)
            return {}, f"parse budget exceeded ({exc})"
        except Exception as exc:  # exifread raises anything on hostile input
            log.info("exif parse failed: %s", type(exc).__name__)
            return {}, f"unreadable ({type(exc).__name__})"
        return tags, None

    def derive_sync(self, source: PhotoSource, facts: PhotoFacts) -> DerivedImages:
        """Blocking body of :meth:`derive`: the copies made during inspection, else anew."""
        with self._derived_lock:
            cached = self._derived.pop(facts.sha256, None)
        if cached is not None:
            return cached
        with _open_image(source) as fh, self._open_checked(fh, facts.format) as image:
            try:
                with _pixel_guard():
                    picture = self._decode_for_copies(image, facts.format)
            except _DECODE_ERRORS as exc:
                raise CorruptImage("The image data cannot be decoded.") from exc
        return self._encode_copies(picture, facts.orientation)

    def _decode_for_copies(self, image: Image.Image, fmt: str) -> Image.Image:
        edge = self._privacy_max_edge
        if fmt == "JPEG":
            image.draft("RGB", _draft_request(image.size, edge))
        image.load()
        picture = image.convert("RGB")
        picture.thumbnail((edge, edge), Image.Resampling.LANCZOS)
        return picture

    def _remember(self, sha256: str, derived: DerivedImages) -> None:
        with self._derived_lock:
            self._derived[sha256] = derived
            self._derived.move_to_end(sha256)
            while len(self._derived) > self._derived_max:
                self._derived.popitem(last=False)

    def _encode_copies(self, picture: Image.Image, orientation: int | None) -> DerivedImages:
        fix = _ORIENTATION_FIX.get(orientation or 1)
        if fix is not None:
            picture = picture.transpose(fix)
        # Re-encoding from pixels drops EXIF, XMP, ICC and anything appended; clearing
        # info makes sure no plugin copies metadata across on save.
        picture.info = {}
        privacy = io.BytesIO()
        picture.save(privacy, "JPEG", quality=85)
        thumb = picture.copy()
        thumb.thumbnail((self._thumbnail_size, self._thumbnail_size), Image.Resampling.BILINEAR)
        thumbnail = io.BytesIO()
        thumb.save(thumbnail, "JPEG", quality=80)
        return DerivedImages(thumbnail=thumbnail.getvalue(), privacy_copy=privacy.getvalue())
