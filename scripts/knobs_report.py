"""The knobs experiment's curves: how the train/validation gap opens over the
epochs, per knob.

report_html() makes one self-contained page (inline SVG and CSS, nothing
fetched, no script): the knobs table, the final bar chart, and per knob the
train and validation accuracy (the gap between them shaded) and the training
and validation loss per epoch. curves_svg() puts every knob's validation
accuracy on one chart. Both read the trainer's per-epoch log rows (epoch,
loss, train_acc, val_acc, val_loss; a log without val_loss, from an older
trainer, plots the training loss alone). Standard library only, as knobs.py.
"""

import html

# One colour a knob (Tableau 10 and black); past 11 knobs the dashes differ.
PALETTE = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860",
           "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd", "#1b1b1b"]
TRAIN, VAL = "#4c72b0", "#dd8452"


def e(text):
    return html.escape(str(text))


def knob_style(i):
    dash = "" if i < len(PALETTE) else f' stroke-dasharray="{4 + 2 * (i // len(PALETTE))} 3"'
    return PALETTE[i % len(PALETTE)], dash


def nice_range(values, floor_zero=False):
    """Bounds on tenths (accuracy) or zero to a round top (loss)."""
    lo, hi = min(values), max(values)
    if floor_zero:
        top = 10 ** len(str(int(hi))) / 10 if hi >= 1 else 1.0
        while top < hi:
            top *= 2
        return 0.0, top
    lo, hi = max(0.0, int(lo * 10) / 10), min(1.0, int(hi * 10 + 0.999) / 10)
    return (lo, hi) if hi > lo else (max(0.0, lo - 0.1), min(1.0, hi + 0.1))


class Plot:
    """An SVG line chart: epochs along x, one value range along y."""

    def __init__(self, width, height, epochs, y_range, title, y_label,
                 left=56, right=16, top=34, bottom=40):
        self.w, self.h, self.epochs = width, height, epochs
        self.lo, self.hi = y_range
        self.left, self.top = left, top
        self.pw, self.ph = width - left - right, height - top - bottom
        self.out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
                    f'height="{height}" viewBox="0 0 {width} {height}" '
                    f'font-family="sans-serif">',
                    f'<rect width="{width}" height="{height}" fill="white"/>',
                    f'<text class="title" x="{left + self.pw / 2:.1f}" y="20" '
                    f'text-anchor="middle" font-size="13" font-weight="bold">{e(title)}</text>']
        self.axes(y_label)

    def x(self, epoch):
        span = max(1, self.epochs - 1)
        return self.left + self.pw * (epoch - 1) / span

    def y(self, v):
        return self.top + self.ph * (1 - (v - self.lo) / (self.hi - self.lo))

    def axes(self, y_label):
        # Ticks on a round step: at most 6 intervals.
        span = self.hi - self.lo
        step = next(s for s in (0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 50, 100)
                    if span / s <= 6.001) if span <= 600 else span / 4
        for i in range(int(span / step + 1e-9) + 1):
            v = self.lo + step * i
            self.out.append(f'<line x1="{self.left}" x2="{self.left + self.pw}" '
                            f'y1="{self.y(v):.2f}" y2="{self.y(v):.2f}" stroke="#e4e4e4"/>')
            self.out.append(f'<text x="{self.left - 6}" y="{self.y(v) + 4:.2f}" '
                            f'text-anchor="end" font-size="10">{v:.{2 if step < 0.1 else 1}f}</text>')
        step = max(1, round(self.epochs / 10))
        for epoch in range(1, self.epochs + 1, step):
            self.out.append(f'<text x="{self.x(epoch):.2f}" y="{self.top + self.ph + 14}" '
                            f'text-anchor="middle" font-size="10">{epoch}</text>')
        bottom = self.top + self.ph
        self.out += [f'<line x1="{self.left}" x2="{self.left}" y1="{self.top}" '
                     f'y2="{bottom}" stroke="black"/>',
                     f'<line x1="{self.left}" x2="{self.left + self.pw}" y1="{bottom}" '
                     f'y2="{bottom}" stroke="black"/>',
                     f'<text x="{self.left + self.pw / 2:.1f}" y="{bottom + 30}" '
                     f'text-anchor="middle" font-size="11">epoch</text>',
                     f'<text transform="translate(14 {self.top + self.ph / 2:.1f}) '
                     f'rotate(-90)" text-anchor="middle" font-size="11">{e(y_label)}</text>']

    def points(self, rows, key):
        return [(self.x(r["epoch"]), self.y(r[key])) for r in rows]

    def line(self, pts, colour, cls, knob, label, values, dash=""):
        """values: what the points plot, kept on the path (data-values)."""
        d = " ".join(f"{'M' if i == 0 else 'L'}{x:.2f},{y:.2f}" for i, (x, y) in enumerate(pts))
        dots = "".join(f'<circle cx="{x:.2f}" cy="{y:.2f}" r="2.5" fill="{colour}"/>'
                       for x, y in pts) if len(pts) <= 30 else ""
        self.out.append(f'<path class="{cls}" data-knob="{e(knob)}" '
                        f'data-values="{",".join(repr(v) for v in values)}" d="{d}" fill="none" '
                        f'stroke="{colour}" stroke-width="2"{dash}><title>{e(label)}</title></path>'
                        + dots)

    def band(self, upper, lower, colour):
        """The area between two curves (the gap)."""
        pts = upper + lower[::-1]
        d = " ".join(f"{'M' if i == 0 else 'L'}{x:.2f},{y:.2f}" for i, (x, y) in enumerate(pts))
        self.out.append(f'<path class="gap" d="{d} Z" fill="{colour}" fill-opacity="0.15" stroke="none"/>')

    def legend(self, items, x, y):
        for i, (colour, label, dash) in enumerate(items):
            yy = y + 15 * i
            self.out.append(f'<line x1="{x}" x2="{x + 18}" y1="{yy}" y2="{yy}" '
                            f'stroke="{colour}" stroke-width="2"{dash}/>'
                            f'<text x="{x + 23}" y="{yy + 4}" font-size="10">{e(label)}</text>')

    def svg(self):
        return "\n".join(self.out + ["</svg>"]) + "\n"


def epochs_of(results):
    return max(len(r["curve"]) for r in results)


def accuracy_range(results):
    return nice_range([v for r in results for row in r["curve"]
                       for v in (row["train_acc"], row["val_acc"])])


def knob_accuracy_svg(r, epochs, y_range):
    p = Plot(420, 250, epochs, y_range, f"{r['knob']}: accuracy", "accuracy")
    train, val = p.points(r["curve"], "train_acc"), p.points(r["curve"], "val_acc")
    p.band(train, val, VAL)
    p.line(train, TRAIN, "curve train", r["knob"], f"{r['knob']}: train accuracy",
           [row["train_acc"] for row in r["curve"]])
    p.line(val, VAL, "curve val", r["knob"], f"{r['knob']}: validation accuracy",
           [row["val_acc"] for row in r["curve"]])
    p.legend([(TRAIN, "train", ""), (VAL, "validation", "")], p.left + p.pw - 90, p.top + p.ph - 24)
    return p.svg()


def has_val_loss(r):
    return all(row.get("val_loss") is not None for row in r["curve"])


def knob_loss_svg(r, epochs, y_range):
    """The training loss (the mean of the epoch's batch losses, penalty
    included, as the lecture prints it) and the validation loss (the
    cross-entropy of the weights after the epoch, eval mode)."""
    p = Plot(420, 250, epochs, y_range, f"{r['knob']}: loss", "loss")
    p.line(p.points(r["curve"], "loss"), TRAIN, "curve loss", r["knob"],
           f"{r['knob']}: training loss (batch mean, with the penalty)",
           [row["loss"] for row in r["curve"]])
    legend = [(TRAIN, "training", "")]
    if has_val_loss(r):
        p.line(p.points(r["curve"], "val_loss"), VAL, "curve val-loss", r["knob"],
               f"{r['knob']}: validation loss", [row["val_loss"] for row in r["curve"]])
        legend.append((VAL, "validation", ""))
    p.legend(legend, p.left + p.pw - 90, p.top + 8)
    return p.svg()


def curves_svg(results, title):
    """Every knob's validation accuracy per epoch on one chart."""
    epochs = epochs_of(results)
    p = Plot(900, 520, epochs, accuracy_range(results),
             "Validation accuracy per epoch, every knob", "validation accuracy",
             right=250, top=56)
    p.out.insert(3, f'<text class="subtitle" x="{p.left + p.pw / 2:.1f}" y="40" '
                    f'text-anchor="middle" font-size="11">{e(title)}</text>')
    items = []
    for i, r in enumerate(results):
        colour, dash = knob_style(i)
        p.line(p.points(r["curve"], "val_acc"), colour, "knob-curve", r["knob"],
               f"{r['knob']}: validation accuracy", [row["val_acc"] for row in r["curve"]],
               dash)
        items.append((colour, r["knob"], dash))
    p.legend(items, p.left + p.pw + 20, p.top + 8)
    return p.svg()


STYLE = """
body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1400px; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 32px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.knobs { display: flex; flex-wrap: wrap; gap: 16px; }
.knob { border: 1px solid #ddd; padding: 8px; }
.knob h3 { font-size: 14px; margin: 4px 0 8px; }
.note { color: #555; font-size: 13px; }
"""


def report_html(results, title, table_columns, table_rows, bar_svg, note=""):
    """The whole page. table_rows: the printed table's cells, per knob."""
    epochs = epochs_of(results)
    acc_range = accuracy_range(results)
    loss_range = nice_range([v for r in results for row in r["curve"]
                             for v in (row["loss"], row.get("val_loss"))
                             if v is not None], floor_zero=True)
    head = "".join(f"<th>{e(c)}</th>" for c in table_columns)
    body = "\n".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>"
                     for cells in table_rows)
    cards = []
    for r in results:
        cards.append(f'<div class="knob" data-knob="{e(r["knob"])}">\n'
                     f'<h3>{e(r["knob"])} <span class="note">({e(r["model"])}, '
                     f'{r["parameters"]:,} parameters; final gap {r["gap"]:+.4f})</span></h3>\n'
                     + knob_accuracy_svg(r, epochs, acc_range)
                     + knob_loss_svg(r, epochs, loss_range) + "</div>")
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Comparing design knobs</title>
<style>{STYLE}</style>
</head>
<body>
<h1>Comparing design knobs</h1>
<p>{e(title)}</p>
<table>
<tr>{head}</tr>
{body}
</table>
<p class="note">gap = train accuracy - validation accuracy, after the last epoch.
{e(note)}</p>
<h2>After the last epoch</h2>
{bar_svg}
<h2>Validation accuracy per epoch</h2>
{curves_svg(results, title)}
<h2>Per knob: train and validation accuracy (the gap shaded) and loss per epoch</h2>
<p class="note">Training loss: the mean of the epoch's batch losses (dropout on, the
penalty included), as the lecture prints it; validation loss: the cross-entropy
on the validation split after the epoch.</p>
<div class="knobs">
{chr(10).join(cards)}
</div>
</body>
</html>
"""
