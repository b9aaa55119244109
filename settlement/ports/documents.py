"""Ports for issuing documents: rendering them to PDF and keeping what was issued.

The content of a document (:mod:`settlement.domain.agreement`) is decided by the core; how it
looks on paper is an adapter's business. A document's identity is the SHA-256 of its canonical
content JSON, which the renderer prints on the page; the hash of the PDF file is kept too, so
a verifier holding only the file can check it with ``sha256sum``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from settlement.ports.outbox import Transaction


@dataclass(frozen=True, slots=True)
class RenderedDocument:
    """A document ready to be issued.

    Attributes:
        kind: ``agreement`` (自行协商协议书) or ``determination`` (事故认定书).
        sha256: SHA-256 of the canonical content JSON (printed on the document).
        pdf: the PDF bytes.
        file_sha256: SHA-256 of ``pdf``.
    """

    kind: str
    sha256: str
    pdf: bytes
    file_sha256: str


@dataclass(frozen=True, slots=True)
class IssuedDocument:
    """What the service remembers about an issued document (no personal data)."""

    sha256: str
    file_sha256: str
    kind: str
    case_id: str
    issued_at: datetime
    size: int


class DocumentRenderer(Protocol):
    async def render(self, content: Mapping[str, Any]) -> RenderedDocument:
        """Lay out ``content`` (an agreement or a determination, by ``content["kind"]``).

        Args:
            content: the document content from :func:`settlement.domain.agreement.
                agreement_content` or :func:`~settlement.domain.agreement.
                determination_content`.

        Returns:
            The PDF and both hashes. The same content always gives the same ``sha256``.

        Raises:
            InvalidInput: ``content["kind"]`` is not a known document kind.
        """
        ...


class DocumentStore(Protocol):
    async def put(self, case_id: str, document: RenderedDocument, issued_at: datetime,
                  *, tx: Transaction | None = None) -> IssuedDocument:
        """Keep an issued document, inside ``tx`` when given (it commits with the case
        change that issues it). Storing the same ``sha256`` again changes nothing."""
        ...

    async def pdf(self, sha256: str) -> bytes:
        """The PDF of an issued document.

        Raises:
            NotFound: no document with this content hash was issued.
        """
        ...

    async def find(self, sha256: str) -> IssuedDocument | None:
        """The document whose content hash or PDF file hash is ``sha256``, if issued."""
        ...
