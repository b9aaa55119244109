"""The label catalogue for clients: every code's Chinese and English wording, one document.

Public and cacheable: it changes only with a deployment, so clients keep it and revalidate
with ``If-None-Match`` (a strong ETag over the exact body); an unchanged catalogue is a 304.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from adapters.http.base import ApiHandler, public
from settlement.domain.labels import LANGS, all_labels

_BODY = json.dumps(
    {"langs": list(LANGS), "labels": all_labels()}, ensure_ascii=False, sort_keys=True
).encode()
_ETAG = f'"{hashlib.sha256(_BODY).hexdigest()[:32]}"'
CACHE_CONTROL = "public, max-age=3600"


class LabelsHandler(ApiHandler):
    def compute_etag(self) -> str | None:
        return _ETAG

    @public
    def get(self) -> None:
        self.set_header("Cache-Control", CACHE_CONTROL)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        # Tornado compares If-None-Match with this ETag in finish() and answers 304.
        self.finish(_BODY)


routes: list[tuple[str, type[ApiHandler], dict[str, Any] | None]] = [
    (r"/api/v1/labels", LabelsHandler, None),
]
