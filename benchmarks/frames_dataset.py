"""Camera-trap-like frames from a re-ID set of crops, for end-to-end quality on frames.

    .venv/bin/python benchmarks/frames_dataset.py --data ../shared/data/lion \\
        --out benchmarks/out/lion-frames [--stations 6] [--size 1024x720]

Each crop is pasted, at its own resolution, at a random place into a frame of one of
`--stations` camera stations (chosen per image, so one individual visits several). A station's
scene is one of the real Reconyx frames of the Camtrap DP example (../shared/camtrap-dp,
flipped for every other station), its data strips are that frame's real time bar and logo
(32 px of 1440, scaled with the frame), and every frame gets its own sensor noise and JPEG
compression, as a camera's frames do. Writes `images/<identity>/<name>.jpg` and a
wildlife-datasets `metadata.csv` with the original columns plus `bbox` ([x, y, w, h] in pixels,
where the crop was pasted) and `station`. Evaluate it three ways:

    E=".venv/bin/python -m worker.pipeline.evaluate --threads 2"
    $E --data OUT --protocol closed                       # true boxes: the crops again
    $E --data OUT --protocol closed --ignore-bbox         # whole frames, strips and all
    $E --data OUT --protocol closed --detector none       # whole frames, strips cut
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT.parent / "shared" / "camtrap-dp" / "example" / "media"
STRIP = 32 / 1440  # the Reconyx bars' share of the frame height


def _seed(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def stations(n: int, size: tuple[int, int]) -> list[tuple[np.ndarray, Image.Image, Image.Image]]:
    """(scene as float array, top strip, bottom strip) of each station, at `size`."""
    frames = sorted(EXAMPLE.glob("*.JPG"))
    if not frames:
        sys.exit(f"the Camtrap DP example's frames are not in {EXAMPLE}")
    width, height = size
    strip = max(1, round(STRIP * height))
    out = []
    for k in range(n):
        source = Image.open(frames[k % len(frames)]).convert("RGB")
        sw, sh = source.size
        bar = round(STRIP * sh)
        scene = source.crop((0, bar, sw, sh - bar))
        if k % 2:
            scene = ImageOps.mirror(scene)
        scene = scene.resize((width, height), Image.Resampling.BILINEAR)
        top = source.crop((0, 0, sw, bar)).resize((width, strip), Image.Resampling.BILINEAR)
        bottom = source.crop((0, sh - bar, sw, sh)).resize(
            (width, strip), Image.Resampling.BILINEAR
        )
        out.append((np.asarray(scene, dtype=np.float32), top, bottom))
    return out


def frame_of(crop: Image.Image, station, key: str) -> tuple[Image.Image, list[float]]:
    scene, top, bottom = station
    height, width = scene.shape[:2]
    strip = top.height
    rng = np.random.default_rng(_seed(key))
    room_w, room_h = width, height - 2 * strip
    if crop.width > room_w * 0.6 or crop.height > room_h * 0.9:
        scale = min(room_w * 0.6 / crop.width, room_h * 0.9 / crop.height)
        crop = crop.resize((max(1, int(crop.width * scale)), max(1, int(crop.height * scale))))
    x = int(rng.integers(0, room_w - crop.width + 1))
    y = strip + int(rng.integers(0, room_h - crop.height + 1))
    pixels = scene + rng.normal(0, 3, scene.shape)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    image.paste(crop, (x, y))
    image.paste(top, (0, 0))
    image.paste(bottom, (0, height - strip))
    return image, [x, y, crop.width, crop.height]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--stations", type=int, default=6)
    parser.add_argument("--size", default="1024x720")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.lower().split("x"))
    places = stations(args.stations, size)  # type: ignore[arg-type]
    with (args.data / "metadata.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    written = []
    for row in rows:
        key = row.get("image_id") or row["path"]
        station = _seed("station:" + key) % args.stations
        crop = ImageOps.exif_transpose(Image.open(args.data / row["path"])).convert("RGB")
        frame, bbox = frame_of(crop, places[station], key)
        path = Path("images") / row["identity"] / (Path(row["path"]).stem + ".jpg")
        (args.out / path).parent.mkdir(parents=True, exist_ok=True)
        frame.save(args.out / path, "JPEG", quality=90)
        written.append({**row, "path": path.as_posix(), "bbox": str(bbox),
                        "station": f"station-{station + 1}"})  # fmt: skip
    with (args.out / "metadata.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(written[0]))
        writer.writeheader()
        writer.writerows(written)
    print(
        f"{len(written)} frames of {size[0]}x{size[1]} from {args.stations} stations in {args.out}"
    )


if __name__ == "__main__":
    main()
