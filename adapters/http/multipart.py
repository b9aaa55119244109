"""An incremental multipart/form-data parser for streamed uploads.

Tornado parses multipart bodies only once they are whole in memory. Photos are streamed
instead: the file part goes straight to a temporary file and small text fields are kept
with a cap, so a large or hostile body never sits in memory.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from settlement.errors import MalformedBody, PayloadTooLarge

MAX_HEADER_BYTES = 8 * 1024
MAX_FIELD_BYTES = 4 * 1024
MAX_FIELDS = 32

_PARAM = re.compile(r';\s*([a-zA-Z0-9_-]+)="?([^";]*)"?')


def boundary_of(content_type: str) -> bytes:
    """The boundary of a ``multipart/form-data`` Content-Type.

    Raises:
        MalformedBody: not multipart/form-data or no usable boundary.
    """
    kind, _, params = content_type.partition(";")
    if kind.strip().lower() != "multipart/form-data":
        raise MalformedBody("Send the photo as multipart/form-data with the image in 'file'.")
    for name, value in _PARAM.findall(";" + params):
        if name.lower() == "boundary" and 0 < len(value) <= 70:
            return str(value).encode("latin-1")
    raise MalformedBody("The multipart Content-Type has no valid boundary.")


@dataclass
class MultipartSink:
    """Feed body chunks in; get text fields and the spooled file part out."""

    boundary: bytes
    file_field: str
    max_file_bytes: int
    directory: Path | None = None
    fields: dict[str, str] = field(default_factory=dict)
    file_path: Path | None = None
    file_content_type: str | None = None
    file_bytes: int = 0
    finished: bool = False
    _buffer: bytes = b""
    _state: str = "preamble"
    _part_name: str | None = None
    _part_is_file: bool = False
    _text: bytearray = field(default_factory=bytearray)
    _file: IO[bytes] | None = None

    def __post_init__(self) -> None:
        self._delimiter = b"\r\n--" + self.boundary
        # The first delimiter has no leading CRLF; adding one makes every delimiter alike.
        self._buffer = b"\r\n"

    def feed(self, chunk: bytes) -> None:
        """Consume one chunk of the body.

        Raises:
            MalformedBody: the body is not well-formed multipart.
            PayloadTooLarge: the file part exceeds ``max_file_bytes``.
        """
        self._buffer += chunk
        while True:
            if self._state == "preamble":
                index = self._buffer.find(self._delimiter)
                if index < 0:
                    self._buffer = self._buffer[-len(self._delimiter) :]
                    return
                self._buffer = self._buffer[index + len(self._delimiter) :]
                self._state = "after_delimiter"
            elif self._state == "after_delimiter":
                if len(self._buffer) < 2:
                    return
                marker, self._buffer = self._buffer[:2], self._buffer[2:]
                if marker == b"--":
                    self._state = "epilogue"
                    self.finished = True
                elif marker == b"\r\n":
                    self._state = "headers"
                else:
                    raise MalformedBody("The multipart body is malformed.")
            elif self._state == "headers":
                end = self._buffer.find(b"\r\n\r\n")
                if end < 0:
                    if len(self._buffer) > MAX_HEADER_BYTES:
                        raise MalformedBody("A multipart part has oversized headers.")
                    return
                self._start_part(self._buffer[:end])
                self._buffer = self._buffer[end + 4 :]
                self._state = "body"
            elif self._state == "body":
                index = self._buffer.find(self._delimiter)
                if index < 0:
                    keep = len(self._delimiter)
                    if len(self._buffer) > keep:
                        self._write(self._buffer[:-keep])
                        self._buffer = self._buffer[-keep:]
                    return
                self._write(self._buffer[:index])
                self._end_part()
                self._buffer = self._buffer[index + len(self._delimiter) :]
                self._state = "after_delimiter"
            else:  # epilogue: ignored by the standard
                self._buffer = b""
                return

    def _start_part(self, raw_headers: bytes) -> None:
        headers: dict[str, str] = {}
        for line in raw_headers.decode("utf-8", errors="replace").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        params: dict[str, str] = {str(k).lower(): str(v) for k, v in _PARAM.findall(disposition)}
        part_name = params.get("name")
        if not disposition.lower().startswith("form-data") or not part_name:
            raise MalformedBody("Every multipart part needs a form-data name.")
        self._part_name = part_name
        self._part_is_file = part_name == self.file_field
        if self._part_is_file:
            if self._file is not None or self.file_path is not None:
                raise MalformedBody("Send exactly one 'file' part per upload.")
            handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in _end_part
                prefix="upload-", dir=self.directory, delete=False
            )
            self._file = handle
            self.file_path = Path(handle.name)
            self.file_content_type = headers.get("content-type")
        else:
            if len(self.fields) >= MAX_FIELDS:
                raise MalformedBody("Too many form fields.")
            self._text = bytearray()

    def _write(self, data: bytes) -> None:
        if not data:
            return
        if self._part_is_file:
            self.file_bytes += len(data)
            if self.file_bytes > self.max_file_bytes:
                raise PayloadTooLarge(
                    f"The photo is larger than {self.max_file_bytes} bytes.",
                    limit_bytes=self.max_file_bytes,
                )
            assert self._file is not None  # noqa: S101 - set in _start_part
            self._file.write(data)
        else:
            self._text += data
            if len(self._text) > MAX_FIELD_BYTES:
                raise MalformedBody(f"The form field '{self._part_name}' is too long.")

    def _end_part(self) -> None:
        if self._part_is_file:
            assert self._file is not None  # noqa: S101 - set in _start_part
            self._file.close()
            self._file = None
        elif self._part_name is not None:
            try:
                self.fields[self._part_name] = self._text.decode("utf-8")
            except UnicodeDecodeError:
                raise MalformedBody(f"The form field '{self._part_name}' is not UTF-8.") from None
        self._part_name = None

    def discard(self) -> None:
        """Remove the spooled file (always call when the request ends)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        if self.file_path is not None:
            self.file_path.unlink(missing_ok=True)
