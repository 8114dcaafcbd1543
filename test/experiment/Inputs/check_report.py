"""Checks the knobs report in a real browser (Debian's chromium, headless).

  check_report.py OUT_DIR WORK_DIR KNOB=MODEL...

- report.html is self-contained: no script, nothing fetched (no src=, href=,
  url(), http(s) address but SVG's namespace);
- Chromium loads it without a console error or a failed request (a page
  that fetches a missing image, written here, must fail this check: the
  check can fail);
- the DOM Chromium built has one validation curve per knob in the combined
  chart and one card per knob, with train and validation curves of the
  accuracy and of the loss, whose values are the trainer's per-epoch log
  (OUT_DIR/runs/*/MODEL.log.csv);
- knobs-curves.svg, rendered to a screenshot, shows each knob's colour along
  a curve (hundreds of pixels, more than its legend's line), and no colour of
  a knob that was not run.
Prints one line per check; exits non-zero at the first failure."""

import csv
import glob
import os
import re
import struct
import subprocess
import sys
import zlib

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "scripts"))
from knobs_report import PALETTE  # noqa: E402

CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
            "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
            "--no-first-run", "--disable-background-networking"]


def fail(message):
    print(f"FAIL: {message}")
    sys.exit(1)


def chromium(args, work):
    env = dict(os.environ, HOME=work)  # its profile goes there
    r = subprocess.run(CHROMIUM + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env, timeout=120, cwd=work)
    return r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")


def page_errors(log):
    """Console errors and failed loads Chromium logged."""
    return [line for line in log.splitlines()
            if re.search(r"CONSOLE|Uncaught|net::ERR_|Failed to load", line)]


def read_png(path):
    """(width, height, rows of RGB tuples): 8-bit RGB(A), not interlaced, as
    Chromium writes screenshots."""
    blob = open(path, "rb").read()
    assert blob[:8] == b"\x89PNG\r\n\x1a\n", path
    at, idat = 8, b""
    while at < len(blob):
        n, kind = struct.unpack(">I4s", blob[at:at + 8])
        data = blob[at + 8:at + 8 + n]
        if kind == b"IHDR":
            w, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", data)
            assert depth == 8 and colour in (2, 6) and not interlace, (depth, colour)
        elif kind == b"IDAT":
            idat += data
        at += 12 + n
    bpp = 3 if colour == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), w * bpp, [], bytearray(w * bpp)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return w, h, rows


def main():
    out, work = sys.argv[1], sys.argv[2]
    models = dict(a.split("=", 1) for a in sys.argv[3:])
    knobs = list(models)
    report = os.path.join(out, "report.html")
    text = open(report).read()
    external = re.findall(r'(?:src=|href=|url\(|https?://)[^\s>]*', text)
    external = [x for x in external if x.rstrip('"') != "http://www.w3.org/2000/svg"]
    if external or "<script" in text:
        fail(f"report.html is not self-contained: {external[:3]}")
    print("report.html: self-contained (no script, nothing fetched)")

    # The error check, on a page that does fetch something missing.
    broken = os.path.join(work, "broken.html")
    open(broken, "w").write('<!DOCTYPE html><img src="missing.png">'
                            '<script>undefinedFunction()</script>')
    _, log = chromium(["--dump-dom", "file://" + broken], work)
    if not page_errors(log):
        fail("Chromium logged no error for a page with a missing image and a "
             "script error: the error check cannot see errors")
    print("control: a broken page's errors are seen")

    dom, log = chromium(["--dump-dom", "file://" + os.path.abspath(report)], work)
    if page_errors(log):
        fail(f"report.html: {page_errors(log)[:3]}")
    if "</svg>" not in dom:
        fail("Chromium's DOM of report.html has no SVG")
    curves = re.findall(r'<path class="knob-curve" data-knob="([^"]*)"', dom)
    cards = re.findall(r'<div class="knob" data-knob="([^"]*)"', dom)
    kinds = ("curve train", "curve val", "curve loss", "curve val-loss")
    per_knob = {k: tuple(len(re.findall(rf'<path class="{c}" data-knob="{re.escape(k)}"', dom))
                         for c in kinds)
                for k in knobs}
    if curves != knobs or cards != knobs or any(v != (1,) * len(kinds) for v in per_knob.values()):
        fail(f"curves {curves}, cards {cards}, per-knob {'/'.join(kinds)} {per_knob}; "
             f"expected one each for {knobs}")
    for knob, model in models.items():
        (log,) = glob.glob(os.path.join(out, "runs", "*", f"{model}.log.csv"))
        rows = list(csv.DictReader(open(log)))
        for cls, column in (("curve train", "train_acc"), ("curve val", "val_acc"),
                            ("curve loss", "loss"), ("curve val-loss", "val_loss"),
                            ("knob-curve", "val_acc")):
            (values,) = re.findall(rf'<path class="{cls}" data-knob="{re.escape(knob)}" '
                                   r'data-values="([^"]*)"', dom)
            if [float(v) for v in values.split(",")] != [float(r[column]) for r in rows]:
                fail(f"{knob}: the {cls} plots {values}, the log's {column} is "
                     f"{[r[column] for r in rows]}")
    print(f"report.html: loads without errors; {len(knobs)} knobs, one validation "
          f"curve and one card (train and validation accuracy and loss) each, the "
          f"logs' values")

    shot = os.path.join(work, "curves.png")
    chromium(["--window-size=900,520", f"--screenshot={shot}",
              "file://" + os.path.abspath(os.path.join(out, "knobs-curves.svg"))], work)
    w, h, rows = read_png(shot)
    counts = {}
    for row in rows:
        for px in row:
            counts[px] = counts.get(px, 0) + 1
    rgb = lambda c: tuple(int(c[i:i + 2], 16) for i in (1, 3, 5))
    for i, colour in enumerate(PALETTE):
        n = counts.get(rgb(colour), 0)
        if i < len(knobs) and n < 200:
            fail(f"curves screenshot: {knobs[i]}'s colour {colour} on {n} pixels only")
        # Greys are left out: antialiased text has every grey. A stray pixel
        # of a blend may hit a colour by chance.
        if i >= len(knobs) and n > 20 and len(set(colour[1:3] + colour[3:5] + colour[5:])) > 1 \
                and len({colour[1:3], colour[3:5], colour[5:]}) > 1:
            fail(f"curves screenshot: colour {colour} of no knob on {n} pixels")
    print(f"knobs-curves.svg: {w}x{h} screenshot, one coloured curve per knob")


if __name__ == "__main__":
    main()
