"""interrupt.py SIGNAL PREFIX COMMAND...: runs COMMAND, sends it SIGNAL (INT,
TERM) once a line of its standard output starts with PREFIX, and prints its
standard output up to that line, its standard error, then "exit N"."""
import signal
import subprocess
import sys

sig = getattr(signal, "SIG" + sys.argv[1])
prefix = sys.argv[2]
p = subprocess.Popen(sys.argv[3:], stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)
for line in p.stdout:
    sys.stdout.write(line)
    if line.startswith(prefix):
        p.send_signal(sig)
        break
_, err = p.communicate(timeout=120)
sys.stdout.write(err)
print(f"exit {p.returncode}")
