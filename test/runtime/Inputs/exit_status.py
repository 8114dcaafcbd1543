"""Runs a command and prints its standard output and error, merged, then
"exit N": lit's `not` only tells zero from non-zero, and the model executable
promises 1 for failures and 2 for bad command lines."""
import subprocess
import sys

r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
sys.stdout.write(r.stdout.decode())
print(f"exit {r.returncode}")
