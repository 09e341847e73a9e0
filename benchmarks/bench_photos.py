"""Photo pipeline figures: thumbnail, display copy and whole ingest of a 12 MP phone JPEG.

Run: .venv/bin/python benchmarks/bench_photos.py [--runs N]

Each measurement runs in a forked child process so that its peak RSS growth (ru_maxrss delta)
is its own; tracemalloc's peak is printed beside it but sees only Python-heap buffers (bytes
objects), not Pillow's pixel memory, which is allocated in C. CPU time (process_time) is
printed beside wall time: the machine is shared, and under load only CPU time and ratios
mean much. Compare figures within one run.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageChops, ImageOps, TiffImagePlugin

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp import create_app  # after the path fix-up above
from webapp.media import photos
from webapp.media.images import open_image

WIDTH, HEIGHT = 4000, 3000
CAPTION = "2026年11月27日 09:30 · 城关派出所 · 东大街12号 消防通道检查"
TARGETS = {  # the figures this machine kind must reach
    "thumbnail 320 (draft)": 60,
    "display 1600 (draft)": 160,
    "whole ingest": 250,
}
MEMORY_TARGET_MIB = 64


def make_photo() -> bytes:
    """A 4000x3000 JPEG, EXIF orientation 6 + GPS + capture time, phone-like size (~4-5 MB)."""
    g = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    r = Image.radial_gradient("L").resize((WIDTH, HEIGHT))
    channels = []
    for base in (g, r, g.transpose(Image.Transpose.ROTATE_180)):
        noise = Image.effect_noise((WIDTH, HEIGHT), 36).convert("L")
        channels.append(ImageChops.add(base, noise, scale=2.0, offset=-64))
    img = Image.merge("RGB", channels)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x0110] = "Benchmark Phone"
    exif.get_ifd(0x8769)[0x9003] = "2026:11:27 09:30:15"

    def rational(n: int, d: int = 1) -> TiffImagePlugin.IFDRational:
        return TiffImagePlugin.IFDRational(n, d)

    exif.get_ifd(0x8825).update({
        1: "N", 2: (rational(30), rational(15), rational(3012, 100)),
        3: "E", 4: (rational(120), rational(9), rational(4511, 100)),
        5: b"\x00", 6: rational(125, 10),
    })
    out = BytesIO()
    img.save(out, "JPEG", quality=88, exif=exif)
    return out.getvalue()


def make_heic(jpeg: bytes) -> bytes:
    """The same photo as an iPhone-style HEIC (the orientation carried over as HEIF irot)."""
    with Image.open(BytesIO(jpeg)) as img:
        out = BytesIO()
        img.save(out, "HEIF", quality=80, exif=img.info["exif"])
        return out.getvalue()


def full_decode_thumbnail(path: Path) -> bytes:
    """The plain way: decode every pixel, rotate, then shrink (no draft)."""
    with Image.open(path) as img:
        img.load()
        upright = ImageOps.exif_transpose(img)
        upright.thumbnail((photos.THUMB_EDGE, photos.THUMB_EDGE), Image.Resampling.LANCZOS)
        return photos.encode_jpeg(upright, photos.THUMB_QUALITY)


def full_decode_display(path: Path) -> bytes:
    with Image.open(path) as img:
        img.load()
        upright = ImageOps.exif_transpose(img)
        upright.thumbnail((photos.DISPLAY_EDGE, photos.DISPLAY_EDGE), Image.Resampling.LANCZOS)
        return photos.encode_jpeg(upright, photos.DISPLAY_QUALITY)


def both_copies_two_drafts(path: Path) -> None:
    """Alternative to decode-once: a 1/8-scale draft for the thumbnail, a 1/2 for display."""
    photos.make_thumbnail(path, "image/jpeg")
    photos.make_display(path, "image/jpeg")


def both_copies_decode_once(path: Path) -> None:
    """What ingest does: one 1/2-scale draft decode, the thumbnail shrunk from the display."""
    with open_image(path, "image/jpeg") as img:
        display, _ = photos.decode_upright(img, photos.DISPLAY_EDGE, local_zone="Asia/Shanghai")
    photos.encode_jpeg(photos.shrink(display, photos.THUMB_EDGE), photos.THUMB_QUALITY)
    photos.encode_jpeg(display, photos.DISPLAY_QUALITY)


def measure(fn: Callable[[], object], runs: int, before: Callable[[], object] | None) -> dict:
    """Median wall time, tracemalloc peak and ru_maxrss growth of `fn` (run in this process)."""
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    if before:
        before()
    fn()  # warm-up: first-use allocations and the font count too
    times, cpu = [], []
    for _ in range(runs):
        if before:
            before()
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base_rss
    if before:
        before()
    tracemalloc.start()
    fn()
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"median_ms": statistics.median(times) * 1000, "min_ms": min(times) * 1000,
            "cpu_ms": statistics.median(cpu) * 1000,
            "rss_mib": rss / 1024, "traced_mib": traced_peak / 2**20}


def _child(conn, fn: Callable[[], object]) -> None:
    conn.send(fn())
    conn.close()


def in_child(fn: Callable[[], object]):
    """Run `fn` in a forked child (it inherits the app context) and return its result.

    The parent never decodes an image itself, so no freed pixel memory is handed down for a
    child to reuse without its RSS growing.
    """
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn))
    proc.start()
    result = parent.recv()
    proc.join()
    return result


CASES: dict[str, tuple[Callable[[], object], Callable[[], object] | None]] = {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--heic", action="store_true",
                        help="also time the ingest of the same photo encoded as HEIC "
                             "(no DCT draft: a full decode)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="duban-bench-"))
    app = create_app({
        "SECRET_KEY": "bench", "AUDIT_HMAC_KEY": "bench",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "UPLOAD_ROOT": str(tmp / "uploads"),
    })
    try:
        with app.app_context():
            data = in_child(make_photo)
            source = tmp / "photo.jpg"
            source.write_bytes(data)
            blobs = Path(app.config["UPLOAD_ROOT"]) / "blobs"
            CASES.update({
                "thumbnail 320 (draft)": (lambda: photos.make_thumbnail(source, "image/jpeg"),
                                          None),
                "display 1600 (draft)": (lambda: photos.make_display(source, "image/jpeg"), None),
                "display 1600 + caption": (
                    lambda: photos.make_display(source, "image/jpeg", CAPTION), None),
                "both copies, decode once": (lambda: both_copies_decode_once(source), None),
                "both copies, two drafts": (lambda: both_copies_two_drafts(source), None),
                "whole ingest": (
                    lambda: photos.ingest_photo(BytesIO(data), caption=CAPTION),
                    lambda: shutil.rmtree(blobs, ignore_errors=True)),
                "thumbnail 320 (full decode)": (lambda: full_decode_thumbnail(source), None),
                "display 1600 (full decode)": (lambda: full_decode_display(source), None),
            })
            if args.heic:
                heic = in_child(lambda: make_heic(data))
                CASES["whole ingest, HEIC"] = (
                    lambda: photos.ingest_photo(BytesIO(heic), caption=CAPTION),
                    lambda: shutil.rmtree(blobs, ignore_errors=True))
            info = in_child(lambda: photos.ingest_photo(BytesIO(data)))
            print(f"photo: {WIDTH}x{HEIGHT} JPEG, {len(data) / 2**20:.2f} MiB, orientation 6; "
                  f"upright {info.width}x{info.height}, GPS {info.gps_lat}, {info.gps_lon}; "
                  f"Pillow {Image.__version__}; {args.runs} runs after a warm-up, "
                  "each case in its own process")
            print(f"{'case':<30}{'median ms':>10}{'min ms':>9}{'CPU ms':>9}{'RSS +MiB':>10}"
                  f"{'traced MiB':>12}  target (wall / CPU median)")
            results = {}
            for name in CASES:
                fn, before = CASES[name]
                r = results[name] = in_child(lambda fn=fn, before=before:
                                             measure(fn, args.runs, before))
                target = TARGETS.get(name)
                verdict = ""
                if target:
                    memory_ok = r["rss_mib"] <= MEMORY_TARGET_MIB
                    wall, cpu = (memory_ok and r[k] <= target for k in ("median_ms", "cpu_ms"))
                    verdict = (f"≤ {target} ms, ≤ {MEMORY_TARGET_MIB} MiB: "
                               f"{'ok' if wall else 'MISSED'} / {'ok' if cpu else 'MISSED'}")
                print(f"{name:<30}{r['median_ms']:>10.1f}{r['min_ms']:>9.1f}{r['cpu_ms']:>9.1f}"
                      f"{r['rss_mib']:>10.1f}{r['traced_mib']:>12.1f}  {verdict}")
            for what, key in (("wall", "median_ms"), ("CPU", "cpu_ms")):
                thumb = (results["thumbnail 320 (full decode)"][key]
                         / results["thumbnail 320 (draft)"][key])
                display = (results["display 1600 (full decode)"][key]
                           / results["display 1600 (draft)"][key])
                print(f"speed-up over full decode ({what}): thumbnail {thumb:.1f}x (target ≥ 3x: "
                      f"{'ok' if thumb >= 3 else 'MISSED'}), display {display:.1f}x")
            print(f"load average at the end: {os.getloadavg()[0]:.1f} "
                  f"on {os.cpu_count()} CPUs (wall figures are only meaningful near idle)")
    finally:
        with app.app_context():
            from webapp.extensions import db

            db.engine.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
