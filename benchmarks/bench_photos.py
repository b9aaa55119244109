"""Photo intake benchmark: throughput against a decode floor, peak memory, near-dup lookup.

Run: ``python benchmarks/bench_photos.py`` (about a minute; needs the embedded mongod).

1. Intake throughput on generated 12-megapixel JPEGs (4000×3000, noise over gradients so
   they compress like phone photos, ~4–6 MB): the whole path — inspect (SHA-256, structure
   scan, bounded EXIF, 1/8-scale decode, pHash), judge, derive (1/2-scale decode, privacy
   copy and thumbnail encodes) and store (original + 2 copies, fsync'd, to a temp local
   store) — *excluding* Mongo (duplicate lookups go to an in-memory stub), so the figure
   is about image work. It is set beside the same run's floor: SHA-256 of the file plus a
   bare draft-mode decode at the privacy-copy scale, i.e. the least any intake that keeps
   a re-encoded copy must do.
2. Peak memory of ingesting one ~20 MB upload, as the peak-RSS (VmHWM) growth of a fresh
   child process (Pillow's pixel buffers are invisible to tracemalloc).
3. Near-duplicate lookup latency with 10k and 100k stored hashes in a real mongod.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.mongo.embedded import EmbeddedMongo
from adapters.mongo.photos import (
    MongoPhotoRepository,
    band_keys,
    ensure_photo_indexes,
)
from adapters.photos.inspector import (
    PRIVACY_MAX_EDGE,
    PillowExifInspector,
    _draft_request,
)
from adapters.photos.local_store import LocalPhotoStore
from settlement.domain.evidence import (
    CaptureContext,
    DuplicateMatch,
    PhotoRecord,
    PhotoSlot,
)
from settlement.services.evidence import EvidenceService, IngestPhoto

PHOTOS = 6
ROUNDS = 2
LOOKUPS = 200
ROWS: list[str] = []
"""README table rows, printed at the end."""
T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


def synthetic_photo(seed: int, size: tuple[int, int] = (4000, 3000), quality: int = 90) -> bytes:
    """A photo-like JPEG: a colour gradient with shapes, under sensor-like noise."""
    rng = random.Random(seed)
    w, h = size
    gradient = Image.linear_gradient("L").resize(size)
    base = Image.merge(
        "RGB",
        (
            gradient,
            gradient.rotate(rng.choice([90, 180, 270]), expand=False).resize(size),
            Image.new("L", size, rng.randint(60, 200)),
        ),
    )
    for _ in range(12):
        x, y = rng.randrange(w), rng.randrange(h)
        colour = tuple(rng.randrange(256) for _ in range(3))
        base.paste(
            colour, (x, y, min(w, x + rng.randint(200, 1200)), min(h, y + rng.randint(100, 800)))
        )
    noise = Image.effect_noise(size, 40).convert("RGB")
    image = Image.blend(base, noise, 0.18)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


class NoDuplicates:
    """Repository stub for the throughput run: Mongo is measured separately below."""

    async def record(self, photo: PhotoRecord) -> PhotoRecord:
        return photo

    async def find_by_upload_id(self, uploader: str, upload_id: str) -> PhotoRecord | None:
        return None

    async def find_exact(
        self, sha256: str, *, exclude_case: str | None = None
    ) -> Sequence[DuplicateMatch]:
        return []

    async def find_near(
        self, phash: int, max_distance: int, *, exclude_case: str | None = None
    ) -> Sequence[DuplicateMatch]:
        return []

    async def list_for_case(self, case_id: str) -> Sequence[PhotoRecord]:
        return []


def floor_once(path: Path) -> None:
    data = path.read_bytes()
    hashlib.sha256(data).hexdigest()
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", _draft_request(image.size, PRIVACY_MAX_EDGE))
        image.load()


async def intake_run(paths: list[Path], store_root: Path, executor: ThreadPoolExecutor) -> float:
    service = EvidenceService(
        PillowExifInspector(executor),
        LocalPhotoStore(store_root, executor=executor),
        NoDuplicates(),
    )
    context = CaptureContext(reported_at=T0, received_at=T0 + timedelta(minutes=5))
    started = time.perf_counter()
    for round_ in range(ROUNDS):
        for i, path in enumerate(paths):
            await service.ingest(
                IngestPhoto(
                    case_id=f"case-{round_}-{i}",
                    party="A",
                    slot=PhotoSlot.SIDE_FRONT,
                    uploader="bench",
                    upload_id=f"u-{round_}-{i}",
                    source=path,
                    context=context,
                )
            )
    return time.perf_counter() - started


def bench_throughput(workdir: Path) -> None:
    print(f"generating {PHOTOS} 4000×3000 JPEGs …", flush=True)
    paths = []
    for seed in range(PHOTOS):
        path = workdir / f"photo-{seed}.jpg"
        path.write_bytes(synthetic_photo(seed))
        paths.append(path)
    sizes = [p.stat().st_size / 1e6 for p in paths]
    print(f"  sizes {min(sizes):.1f}–{max(sizes):.1f} MB")

    for path in paths[:2]:  # warm caches and Pillow's lazy plugin imports
        floor_once(path)
    started = time.perf_counter()
    for _ in range(ROUNDS):
        for path in paths:
            floor_once(path)
    floor_rate = ROUNDS * len(paths) / (time.perf_counter() - started)

    with ThreadPoolExecutor(max_workers=2) as executor:
        asyncio.run(intake_run(paths[:1], workdir / "warm", executor))
        elapsed = asyncio.run(intake_run(paths, workdir / "store", executor))
    intake_rate = ROUNDS * len(paths) / elapsed
    print(f"floor (SHA-256 + draft decode ≤{PRIVACY_MAX_EDGE} px):   {floor_rate:6.2f} photos/s")
    print(f"whole intake path (no Mongo):                {intake_rate:6.2f} photos/s")
    print(f"ratio intake/floor:                          {intake_rate / floor_rate:6.1%}")
    ROWS.append(f"| floor: SHA-256 + bare draft-mode decode | {floor_rate:.1f} photos/s |")
    ROWS.append(
        f"| whole intake path (inspect, hash, judge, derive, store) | {intake_rate:.1f} photos/s "
        f"({intake_rate / floor_rate:.0%} of the floor) |"
    )


def memory_child(path: str) -> None:
    """Runs in a fresh interpreter: ru_maxrss growth across one ingest of ``path``."""
    with ThreadPoolExecutor(max_workers=1) as executor, tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "small.jpg"
        small.write_bytes(synthetic_photo(99, (640, 480)))
        asyncio.run(intake_run([small], Path(tmp) / "warm", executor))  # imports, pools
        before = peak_rss_kib()
        asyncio.run(intake_run([Path(path)], Path(tmp) / "store", executor))
        after = peak_rss_kib()
    print(f"{before / 1024:.1f} {after / 1024:.1f}")


def peak_rss_kib() -> int:
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork+exec, so a child started
    # by a parent that held big images would report the parent's peak.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def bench_memory(workdir: Path) -> None:
    big = workdir / "big.jpg"
    big.write_bytes(synthetic_photo(7, (6400, 4800), quality=98))
    size_mb = big.stat().st_size / 1e6
    result = subprocess.run(
        [sys.executable, __file__, "--memory-child", str(big)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    before, after = map(float, result.stdout.strip().splitlines()[-1].split())
    print(
        f"peak RSS ingesting a {size_mb:.1f} MB, 31 MP upload: {before:.0f} → {after:.0f} MB "
        f"(+{after - before:.0f} MB)"
    )
    ROWS.append(f"| peak memory ingesting a {size_mb:.0f} MB, 31 MP upload | +{after - before:.0f} MB RSS |")


async def bench_near_lookup(workdir: Path) -> None:
    from pymongo import AsyncMongoClient

    medians: dict[int, float] = {}
    server = EmbeddedMongo(workdir / "mongo")
    server.start()
    try:
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(server.uri, tz_aware=True)
        db = client["bench"]
        await ensure_photo_indexes(db)
        repository = MongoPhotoRepository(db)
        rng = random.Random(1)
        stored: list[int] = []
        for target in (10_000, 100_000):
            batch = []
            while len(stored) < target:
                value = rng.getrandbits(64)
                stored.append(value)
                n = len(stored)
                batch.append(
                    {
                        "_id": f"p{n}",
                        "case_id": f"case-{n % 50_000}",
                        "party": "A",
                        "uploader": f"u{n}",
                        "upload_id": f"up{n}",
                        "sha256": f"{n:064x}",
                        "phash": value - (1 << 64) if value >= 1 << 63 else value,
                        "phash_bands": band_keys(value),
                        "received_at": T0,
                    }
                )
                if len(batch) == 10_000:
                    await db["photos"].insert_many(batch, ordered=False)
                    batch = []
            if batch:
                await db["photos"].insert_many(batch, ordered=False)
            queries = []
            for _ in range(LOOKUPS):
                # Half the queries have a true near-duplicate stored, half are fresh photos.
                if rng.random() < 0.5:
                    value = rng.choice(stored)
                    for bit in rng.sample(range(64), rng.randint(0, 6)):
                        value ^= 1 << bit
                else:
                    value = rng.getrandbits(64)
                queries.append(value)
            for value in queries[:20]:  # warm the index into the cache
                await repository.find_near(value, 6)
            timings = []
            for value in queries:
                started = time.perf_counter()
                await repository.find_near(value, 6, exclude_case="case-none")
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            medians[target] = statistics.median(timings)
            print(
                f"near-dup lookup (d≤6) at {target:>7,} hashes: "
                f"median {statistics.median(timings):5.2f} ms, "
                f"p95 {timings[int(0.95 * len(timings))]:5.2f} ms, max {timings[-1]:5.2f} ms"
            )
        await client.close()
    finally:
        server.stop()
    ROWS.append(
        "| near-duplicate lookup at "
        + " / ".join(f"{n // 1000}k" for n in medians)
        + " stored hashes | "
        + " / ".join(f"{m:.2f}" for m in medians.values())
        + " ms median |"
    )


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--memory-child":
        memory_child(sys.argv[2])
        return
    with tempfile.TemporaryDirectory(prefix="bench-photos-") as tmp:
        workdir = Path(tmp)
        bench_throughput(workdir)
        bench_memory(workdir)
        asyncio.run(bench_near_lookup(workdir))
    print()
    print("| measure | figure |")
    print("|---|---|")
    for row in ROWS:
        print(row)


if __name__ == "__main__":
    main()
