"""Synthetic accident-scene photos for the demo installation and the console tests.

Each seed draws a different road, two cars and a plate, at a camera resolution the
evidence rules accept, as JPEG with no EXIF (like most WeChat uploads).
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter


def scene_jpeg(seed: int, size: tuple[int, int] = (1280, 960)) -> bytes:
    """A JPEG of a two-car scene; the same seed gives the same bytes."""
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.28, 0.45))
    sky = (rng.randint(90, 150), rng.randint(140, 190), 235)
    for y in range(horizon):
        f = y / max(1, horizon)
        draw.line([(0, y), (width, y)], fill=tuple(int(c + (255 - c) * f * 0.6) for c in sky))
    draw.rectangle([0, horizon, width, height], fill=(84, 86, 92))
    for i in range(5):
        x = int(width * (i + 0.5) / 5 + rng.uniform(-30, 30))
        draw.polygon([(x, horizon), (x + 5, horizon), (x * 2 - width // 2 + 28, height),
                      (x * 2 - width // 2, height)], fill=(230, 230, 225))  # fmt: skip
    for _ in range(rng.randint(2, 5)):  # buildings on the horizon
        bx = rng.randint(0, width - 120)
        bh = rng.randint(40, horizon)
        shade = rng.randint(120, 200)
        draw.rectangle([bx, horizon - bh, bx + rng.randint(80, 200), horizon],
                       fill=(shade, shade - 10, shade - 20))  # fmt: skip
    for _ in range(2):
        car_w = int(width * rng.uniform(0.28, 0.42))
        car_h = int(car_w * rng.uniform(0.38, 0.48))
        x0 = rng.randint(0, width - car_w)
        y0 = rng.randint(horizon, height - car_h - 10)
        colour = (rng.randint(20, 235), rng.randint(20, 235), rng.randint(20, 235))
        draw.rounded_rectangle([x0, y0, x0 + car_w, y0 + car_h], radius=car_h // 5, fill=colour)
        draw.rectangle([x0 + car_w // 5, y0 + car_h // 8, x0 + car_w * 4 // 5, y0 + car_h // 2],
                       fill=(40, 52, 64))  # fmt: skip
        for wx in (x0 + car_w // 6, x0 + car_w * 5 // 6):
            r = car_h // 5
            draw.ellipse([wx - r, y0 + car_h - r, wx + r, y0 + car_h + r], fill=(18, 18, 18))
        px, py = x0 + car_w // 2 - car_w // 10, y0 + car_h * 2 // 3
        draw.rectangle([px, py, px + car_w // 5, py + car_h // 8], fill=(20, 60, 200))
    noise = Image.effect_noise(size, 20).convert("RGB")
    image = Image.blend(image, noise, 0.1).filter(ImageFilter.GaussianBlur(0.5))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()
