"""kill_rank.py RANK PREFIX COMMAND...: runs COMMAND (an mpirun), and once a
line of its standard output starts with PREFIX kills the process of rank
RANK with SIGKILL (found among COMMAND's descendants by the
OMPI_COMM_WORLD_RANK in its environment). Prints the standard output up to
that line, then "ended within 10 s" (or "still running after 10 s", and
then kills the whole job), the standard error and "exit N"."""
import os
import signal
import subprocess
import sys
import time

rank, prefix, command = sys.argv[1], sys.argv[2], sys.argv[3:]
p = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                     text=True, start_new_session=True)


def descendants(root):
    children = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(pid))
    todo, found = [root], []
    while todo:
        for c in children.get(todo.pop(), []):
            found.append(c)
            todo.append(c)
    return found


def rank_of(pid):
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            for var in f.read().split(b"\0"):
                if var.startswith(b"OMPI_COMM_WORLD_RANK="):
                    return var.split(b"=", 1)[1].decode()
    except OSError:
        pass
    return None


for line in p.stdout:
    sys.stdout.write(line)
    if line.startswith(prefix):
        break
victims = [pid for pid in descendants(p.pid) if rank_of(pid) == rank]
if not victims:
    sys.exit(f"no process of rank {rank} under {p.pid}")
os.kill(victims[0], signal.SIGKILL)
start = time.monotonic()
try:
    out, err = p.communicate(timeout=10)
    print(f"ended within 10 s")
except subprocess.TimeoutExpired:
    print(f"still running after 10 s")
    os.killpg(p.pid, signal.SIGKILL)
    out, err = p.communicate()
sys.stdout.write(err)
print(f"exit {p.returncode}")
