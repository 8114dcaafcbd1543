"""Mutation fuzzing of the model files: cnnc must exit 0 or 1 on every
variant, never die by a signal (a crash, an assertion, a sanitizer report
exits otherwise) nor run past a timeout.

usage: mutate.py MODELS_DIR WORK_DIR [VARIANTS] [SEED]
"""
import os
import random
import re
import shutil
import subprocess
import sys

TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|\*\*|//|\S")
JUNK = ["(", ")", "{", "}", "[", "]", ",", "=", "*", "**", "//", "-", "0",
        "-1", "1e999", "99999999999999999999", "true", "forward", "return",
        "model", "block", "input", "shared", "sequential", "x", "\"", "#",
        "\x00", "\xff", "2 ** 64", "n_blocks * 1000"]
DEFINES = ["n_blocks=1000000000", "n_blocks=0", "side=1", "side=-3",
           "n_chans1=0", "in_chans=1048577", "side=3.5", "n_classes=true",
           "side=9223372036854775807", "n_chans1=4096"]


def mutate(text, rng):
    toks = [m for m in TOKEN.finditer(text)]
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(6)
        if not text:
            break
        if kind < 4 and toks:
            m = toks[rng.randrange(len(toks))]
            s, e = m.span()
            if kind == 0:    # delete a token
                text = text[:s] + text[e:]
            elif kind == 1:  # duplicate a token
                text = text[:e] + " " + m.group() + text[e:]
            elif kind == 2:  # swap with another token
                o = toks[rng.randrange(len(toks))]
                if o.start() > e:
                    text = (text[:s] + o.group() + text[e:o.start()] +
                            m.group() + text[o.end():])
            else:            # replace by junk
                text = text[:s] + rng.choice(JUNK) + text[e:]
            toks = [m for m in TOKEN.finditer(text)]
        else:
            i = rng.randrange(len(text))
            if kind == 4:    # delete a character
                text = text[:i] + text[i + 1:]
            else:            # duplicate a character
                text = text[:i] + text[i] + text[i:]
    return text


def main():
    models_dir, work = sys.argv[1], sys.argv[2]
    variants = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 0)
    cnnc = shutil.which("cnnc")
    models = sorted(os.path.join(models_dir, f) for f in os.listdir(models_dir)
                    if f.endswith(".cnn"))
    os.makedirs(work, exist_ok=True)
    bad = []
    for i in range(variants):
        src = models[i % len(models)]
        with open(src, encoding="utf-8") as f:
            text = mutate(f.read(), rng)
        path = os.path.join(work, "v%03d.cnn" % i)
        with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(text)
        args = [cnnc, path, "--emit=" + rng.choice(["tokens", "ast", "graph", "graph"])]
        if rng.random() < 0.2:
            args += ["-D", rng.choice(DEFINES)]
        try:
            r = subprocess.run(args, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, timeout=20)
        except subprocess.TimeoutExpired:
            bad.append("%s: timeout (%s)" % (path, " ".join(args[2:])))
            continue
        if r.returncode not in (0, 1):
            bad.append("%s: exit %d (%s)\n%s" % (path, r.returncode,
                                                 " ".join(args[2:]),
                                                 r.stderr.decode(errors="replace")[-2000:]))
    for b in bad:
        print("FAIL", b)
    print("%d variants, %d failures" % (variants, len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
