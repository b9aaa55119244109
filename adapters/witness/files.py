"""A witness directory: one JSON file per signed checkpoint, never overwritten.

The directory should live where the database's operators cannot rewrite it unnoticed
(another volume, a synced folder, a write-once mount); the checkpoints chain to each
other, so a removed or swapped file is named by ``settlement audit verify``.
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
        temporary = target.with_suffix(".tmp")
        temporary.write_text(json.dumps(checkpoint, ensure_ascii=False, sort_keys=True))
        try:
            # A hard link fails if the target exists: no checkpoint is ever replaced.
            os.link(temporary, target)
        except FileExistsError:
            raise AlreadyExists("This checkpoint was already witnessed.", number=number) from None
        finally:
            temporary.unlink(missing_ok=True)

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
        """None: the directory keeps no separate head (its newest file is the head)."""
        return None
