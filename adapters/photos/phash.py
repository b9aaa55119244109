"""A 64-bit DCT perceptual hash (pHash) computed with Pillow and the standard library.

The image is reduced to 32×32 grey levels, transformed with a 2-D DCT-II, and the 8×8
lowest frequencies are compared with their median: one bit each. Resizing, recompressing
and mild colour changes barely move the low frequencies, so copies stay within a few
bits, while a different photo of a similar scene changes the coarse layout and lands far
away. Only the 8 lowest coefficients per axis are needed, so the transform is done as
two small matrix products (8×32 per axis) instead of a full 32×32 DCT; that keeps it
around a millisecond in pure Python and avoids a numpy dependency.
"""

from __future__ import annotations

import math
import operator
import statistics

from PIL import Image

SIZE = 32  # side of the grey thumbnail the DCT runs on
BITS_PER_AXIS = 8  # 8×8 low frequencies → 64 bits

# _BASIS[u][x] = cos(pi * (2x + 1) * u / (2N)), the DCT-II basis; scale factors are left
# out because the hash only compares coefficients with their median.
_BASIS: tuple[tuple[float, ...], ...] = tuple(
    tuple(math.cos(math.pi * (2 * x + 1) * u / (2 * SIZE)) for x in range(SIZE))
    for u in range(BITS_PER_AXIS)
)


def _dot(a: tuple[float, ...] | list[float] | bytes, b: tuple[float, ...]) -> float:
    return math.fsum(map(operator.mul, a, b))


def phash(image: Image.Image) -> int:
    """Return the 64-bit perceptual hash of ``image`` as an unsigned int.

    Args:
        image: any decoded Pillow image; large images should be draft-decoded first,
            since only a 32×32 reduction is used.
    """
    grey = image.convert("L").resize((SIZE, SIZE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    pixels = grey.tobytes()
    rows = [pixels[y * SIZE : (y + 1) * SIZE] for y in range(SIZE)]
    # Transform along x: for every row, the 8 lowest horizontal frequencies.
    horizontal = [[_dot(row, _BASIS[u]) for u in range(BITS_PER_AXIS)] for row in rows]
    # Then along y: for every kept horizontal frequency, the 8 lowest vertical ones.
    coefficients: list[float] = []
    for v in range(BITS_PER_AXIS):
        basis = _BASIS[v]
        for u in range(BITS_PER_AXIS):
            column = [horizontal[y][u] for y in range(SIZE)]
            coefficients.append(_dot(column, basis))
    median = statistics.median(coefficients)
    value = 0
    for coefficient in coefficients:
        value = (value << 1) | (coefficient > median)
    return value


def to_signed64(value: int) -> int:
    """Map an unsigned 64-bit hash onto int64 (for stores such as BSON that lack uint64)."""
    return value - (1 << 64) if value >= 1 << 63 else value


def from_signed64(value: int) -> int:
    return value + (1 << 64) if value < 0 else value
