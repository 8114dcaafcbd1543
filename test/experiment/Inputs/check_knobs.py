"""Independent checks of scripts/knobs.py's output.

  check_knobs.py check OUT STDOUT     the printed table, OUT/knobs.csv and
                                      OUT/knobs.svg agree; the accuracies are
                                      the trainer logs'; parameter counts are
                                      the executables' `info`
  check_knobs.py same CSV1 CSV2       equal apart from the time columns
  check_knobs.py interrupt OUT MODEL  makes MODEL's run look killed during
                                      its second epoch: no result, the
                                      checkpoint and log of epoch 1
"""

import csv
import glob
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

TIME_COLUMNS = {"seconds", "images_per_s"}


def fail(message):
    sys.exit(f"check_knobs: {message}")


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def run_dir(out):
    dirs = glob.glob(os.path.join(out, "runs", "*"))
    if len(dirs) != 1:
        fail(f"expected one run folder in {out}/runs, found {dirs}")
    return dirs[0]


def printed_table(path):
    """The rows of the table under its 'knob  parameters ...' header."""
    with open(path) as f:
        lines = f.read().splitlines()
    start = next((i for i, l in enumerate(lines) if re.match(r"knob\s+parameters", l)), None)
    if start is None:
        fail(f"no table in {path}")
    header = re.split(r"\s{2,}", lines[start].strip())
    rows = []
    for line in lines[start + 2:]:  # skip the rule under the header
        if not line.strip():
            break
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) != len(header):
            fail(f"table row {line!r} has {len(cells)} cells, not {len(header)}")
        rows.append(dict(zip(header, cells)))
    return rows


def check_table(table, rows):
    if [t["knob"] for t in table] != [r["knob"] for r in rows]:
        fail(f"table knobs {[t['knob'] for t in table]} != CSV {[r['knob'] for r in rows]}")
    for t, r in zip(table, rows):
        expected = {"parameters": f"{int(r['parameters']):,}",
                    "train acc": f"{float(r['train_acc']):.4f}",
                    "val acc": f"{float(r['val_acc']):.4f}",
                    "gap": f"{float(r['gap']):+.4f}"}
        for column, text in expected.items():
            if t[column] != text:
                fail(f"{r['knob']}: table {column} {t[column]} != CSV {text}")
        # The CSV rounds the times too (to 0.001 s and 0.1 images/s): the
        # table's figure is within half its own unit plus the CSV's rounding.
        for column, key, unit, csv_unit in (("train s", "seconds", 0.1, 0.001),
                                            ("images/s", "images_per_s", 1, 0.1)):
            if abs(float(t[column]) - float(r[key])) > (unit + csv_unit) / 2 + 1e-9:
                fail(f"{r['knob']}: table {column} {t[column]} != CSV {r[key]}")
        # The gap to printed precision, from the printed accuracies.
        printed_gap = float(t["train acc"]) - float(t["val acc"])
        if abs(float(t["gap"]) - printed_gap) > 1.5e-4:
            fail(f"{r['knob']}: gap {t['gap']} is not train - val ({printed_gap:.4f})")


def check_csv(rows, out, directory):
    for r in rows:
        train, val, gap = float(r["train_acc"]), float(r["val_acc"]), float(r["gap"])
        if abs(gap - (train - val)) > 1e-12:
            fail(f"{r['knob']}: CSV gap {gap} != {train} - {val}")
        with open(os.path.join(directory, r["model"] + ".json")) as f:
            settings = json.load(f)["settings"]
        log = read_csv(os.path.join(directory, r["model"] + ".log.csv"))
        if [int(l["epoch"]) for l in log] != list(range(1, settings["epochs"] + 1)):
            fail(f"{r['model']}: log epochs {[l['epoch'] for l in log]}")
        if (float(log[-1]["train_acc"]), float(log[-1]["val_acc"])) != (train, val):
            fail(f"{r['model']}: CSV accuracies {train}, {val} are not the log's "
                 f"{log[-1]['train_acc']}, {log[-1]['val_acc']}")
        seconds = sum(float(l["seconds"]) for l in log)
        if abs(float(r["seconds"]) - seconds) > 2e-3:
            fail(f"{r['model']}: CSV seconds {r['seconds']} != the log's sum {seconds}")
        with open(os.path.join(directory, r["model"] + ".out")) as f:
            images = int(re.search(r"(\d+) training and", f.read()).group(1))
        rate = images * settings["epochs"] / float(r["seconds"])
        if abs(float(r["images_per_s"]) - rate) > 0.01 * rate:
            fail(f"{r['model']}: {r['images_per_s']} images/s, expected about {rate:.1f}")
        bins = "-".join(settings["defines"]) or "default"
        if settings.get("device", "cpu") != "cpu":  # a GPU run's, beside the CPU's
            bins += "-" + settings["device"]
        exe = os.path.join(out, "bin", bins, r["model"])
        info = subprocess.run([exe, "info"], capture_output=True, text=True, check=True).stdout
        params = int(re.search(r"^parameters: (\d+)", info, re.MULTILINE).group(1))
        if params != int(r["parameters"]):
            fail(f"{r['model']}: CSV parameters {r['parameters']}, `info` says {params}")


def check_svg(path, rows):
    svg = ET.parse(path).getroot()
    ns = {"s": "http://www.w3.org/2000/svg"}
    ticks = {t.get("data-value"): float(t.get("y1")) for t in svg.iterfind(".//s:line", ns)
             if t.get("class") == "tick"}
    zero, one = ticks["0.0"], ticks["1.0"]
    texts = [t for t in svg.iterfind(".//s:text", ns)]
    knob_labels = [t.text for t in texts if t.get("class") == "knob"]
    if knob_labels != [r["knob"] for r in rows]:
        fail(f"SVG knob labels {knob_labels} != CSV {[r['knob'] for r in rows]}")
    title = " ".join(t.text for t in texts if t.get("class") in ("title", "subtitle"))
    for word in ("accuracy", "epoch", "seed", "images"):
        if word not in title:
            fail(f"SVG title {title!r} does not state the {word}")
    if not any(t.text == "accuracy" for t in texts if t.get("class") == "axis-label"):
        fail("SVG has no y axis label")
    if not {"train accuracy", "validation accuracy"} <= {t.text for t in texts}:
        fail("SVG has no legend")
    for split, column in (("train", "train_acc"), ("val", "val_acc")):
        bars = [b for b in svg.iterfind(".//s:rect", ns) if b.get("class") == f"bar {split}"]
        values = [t for t in texts if t.get("class") == f"value {split}"]
        if len(bars) != len(rows) or len(values) != len(rows):
            fail(f"SVG has {len(bars)} {split} bars and {len(values)} labels for {len(rows)} knobs")
        for bar, label, r in zip(bars, values, rows):
            v = float(r[column])
            top, height = float(bar.get("y")), float(bar.get("height"))
            if abs(top + height - zero) > 0.01 or abs(height - v * (zero - one)) > 0.01:
                fail(f"{r['knob']}: {split} bar y={top} height={height} does not show {v}")
            if bar.get("data-knob") != r["knob"] or label.text != f"{v:.3f}":
                fail(f"{r['knob']}: {split} bar of {bar.get('data-knob')} labelled {label.text}")


def check(out, stdout):
    rows = read_csv(os.path.join(out, "knobs.csv"))
    if not rows:
        fail("knobs.csv is empty")
    check_table(printed_table(stdout), rows)
    check_csv(rows, out, run_dir(out))
    check_svg(os.path.join(out, "knobs.svg"), rows)
    print(f"{len(rows)} knobs: table, CSV, SVG and trainer logs agree")


def same(first, second):
    a, b = read_csv(first), read_csv(second)
    strip = lambda rows: [{k: v for k, v in r.items() if k not in TIME_COLUMNS} for r in rows]
    if strip(a) != strip(b):
        fail(f"{first} and {second} differ:\n{strip(a)}\n{strip(b)}")
    print(f"{len(a)} rows identical apart from time columns")


def interrupt(out, model):
    """Replays MODEL's first epoch with the trainer alone, as a run killed
    during epoch 2 would have left it."""
    directory = run_dir(out)
    result = os.path.join(directory, model + ".json")
    with open(result) as f:
        s = json.load(f)["settings"]
    os.remove(result)
    exe = os.path.join(out, "bin", "-".join(s["defines"]) or "default", model)
    ckpt = os.path.join(directory, model + ".ckpt.safetensors")
    log = os.path.join(directory, model + ".log.csv")
    cmd = [exe, "train", "--epochs", "1", "--batch-size", str(s["batch_size"]),
           "--seed", str(s["seed"]), "--limit", str(s["limit"]), "--save", ckpt,
           "--log", log]
    if s["threads"]:
        cmd += ["--threads", str(s["threads"])]
    subprocess.run(cmd, check=True, capture_output=True)
    print(f"{model}: interrupted after epoch 1")


if __name__ == "__main__":
    command, rest = sys.argv[1], sys.argv[2:]
    {"check": check, "same": same, "interrupt": interrupt}[command](*rest)
