"""A witness directory: one JSON file per signed checkpoint, never overwritten, and the head.

``checkpoint-<number, 12 digits>.json`` for each checkpoint (linked into place, so an
existing one is never replaced) and ``head.json``, the newest checkpoint again, replaced
atomically after each one. The directory should live where the database's operators cannot
rewrite it unnoticed (another volume, a synced folder, a write-once mount); the checkpoints
chain to each other and the head names the newest, so a removed, swapped or rolled-back
file is named by ``settlement audit verify``.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from settlement.errors import AlreadyExists

PREFIX, SUFFIX = "checkpoint-", ".json"
HEAD = "head.json"


class FileWitness:
    """:class:`~settlement.ports.audit.Witness` on a local directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, number: int) -> Path:
        return self.directory / f"{PREFIX}{number:012d}{SUFFIX}"

    async def put(self, number: int, checkpoint: Mapping[str, Any]) -> None:
        await asyncio.to_thread(self._put, number, dict(checkpoint))

    def _put(self, number: int, checkpoint: dict[str, Any]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.path(number)
        body = json.dumps(checkpoint, ensure_ascii=False, sort_keys=True)
        temporary = target.with_suffix(".tmp")
        temporary.write_text(body)
        try:
            # A hard link fails if the target exists: no checkpoint is ever replaced.
            os.link(temporary, target)
        except FileExistsError:
            raise AlreadyExists("This checkpoint was already witnessed.", number=number) from None
        finally:
            temporary.unlink(missing_ok=True)
        # Only after the checkpoint file exists: a head never names a missing checkpoint.
        # Written aside then renamed, so a reader sees the old head or the new, never half.
        head_temporary = self.directory / f".{HEAD}.{os.getpid()}.tmp"
        head_temporary.write_text(body)
        os.replace(head_temporary, self.directory / HEAD)

    async def list(self) -> Sequence[tuple[str, Mapping[str, Any] | None]]:
        return await asyncio.to_thread(self._list)

    def _list(self) -> Sequence[tuple[str, Mapping[str, Any] | None]]:
        if not self.directory.is_dir():
            return []
        found: list[tuple[int, str, Mapping[str, Any] | None]] = []
        for path in self.directory.glob(f"{PREFIX}*{SUFFIX}"):
            digits = path.name.removeprefix(PREFIX).removesuffix(SUFFIX)
            if not digits.isdigit():
                continue
            try:
                data = json.loads(path.read_text())
            except (OSError, ValueError):
                data = None
            found.append((int(digits), str(int(digits)), data if isinstance(data, dict) else None))
        found.sort(key=lambda item: item[0])
        return [(name, data) for _, name, data in found]

    async def head(self) -> Mapping[str, Any] | None:
        """The latest head as written; {} when it is missing or unreadable."""
        return await asyncio.to_thread(self._head)

    def _head(self) -> Mapping[str, Any]:
        try:
            data = json.loads((self.directory / HEAD).read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}
