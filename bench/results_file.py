"""The --results file of a bench script: a title, the command that made the
table (this run's flags without --results), the run's conditions, the table."""
import sys


def write_results(path, title, script, meta, table):
    argv, skip = [], False
    for a in sys.argv[1:]:
        if skip or a.startswith("--results"):
            skip = a == "--results"
            continue
        argv.append(a)
    command = " ".join([f"/usr/bin/python3 bench/{script}", *argv])
    with open(path, "w") as f:
        f.write(f"# {title}\n\n")
        f.write(f"Command: `{command.strip()}`\n\n{meta}.\n\n{table}\n")
