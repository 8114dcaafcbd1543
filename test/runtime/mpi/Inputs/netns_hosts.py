"""netns_hosts.py 2 RANKS_PER_HOST COMMAND...: runs COMMAND data-parallel on
two test hosts of this machine: each a network namespace of its own (its
own host name too), joined by a veth pair (10.211.0.1 and 10.211.0.2, /24;
the namespaces' addresses do not meet the machine's). mpirun runs on host 1 and
starts the other hosts' daemons through a stand-in for ssh that enters
their namespace; ranks talk through Open MPI's TCP transport only. Prints
COMMAND's output; removes the namespaces whatever happens."""
import os
import subprocess
import sys
import tempfile

hosts, per_host, command = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
if hosts != 2:
    sys.exit("netns_hosts.py: two hosts (one veth pair) only")
tag = f"cnnc{os.getpid()}"
names = [f"{tag}h{k}" for k in range(1, hosts + 1)]
addrs = [f"10.211.0.{k}" for k in range(1, hosts + 1)]


def ip(*args):
    subprocess.run(["ip", *args], check=True)


work = tempfile.mkdtemp(prefix=tag)
try:
    for ns in names:
        ip("netns", "add", ns)
        ip("-n", ns, "link", "set", "lo", "up")
    # Two hosts on one link: a veth pair, one end in each namespace.
    a, b = f"{tag}a", f"{tag}b"
    ip("link", "add", a, "type", "veth", "peer", "name", b)
    for end, ns, addr in ((a, names[0], addrs[0]), (b, names[1], addrs[1])):
        ip("link", "set", end, "netns", ns)
        ip("-n", ns, "addr", "add", f"{addr}/24", "dev", end)
        ip("-n", ns, "link", "set", end, "up")
    # Not named ssh: mpirun would pass it ssh's options.
    agent = os.path.join(work, "enter-host")
    with open(agent, "w") as f:
        f.write("#!/bin/sh\n# ssh HOST COMMAND: COMMAND in HOST's namespace\n"
                "host=$1; shift\ncase $host in\n")
        for ns, addr in zip(names, addrs):
            f.write(f"  {addr}) ns={ns} ;;\n")
        f.write("esac\nexec ip netns exec $ns unshare --uts sh -c "
                "\"hostname $ns; $*\"\n")
    os.chmod(agent, 0o755)
    mpirun = ["mpirun", "--allow-run-as-root", "--oversubscribe",
              "--bind-to", "none", "-x", "OMP_NUM_THREADS=1",
              "--mca", "plm_rsh_agent", agent,
              "--mca", "btl", "tcp,self",
              "--mca", "btl_tcp_if_include", "10.211.0.0/24",
              "--mca", "oob_tcp_if_include", "10.211.0.0/24",
              "--host", ",".join(f"{a}:{per_host}" for a in addrs),
              "-np", str(hosts * per_host)]
    # A sanitizer build's ranks: AddressSanitizer without its leak check, as
    # %mpirun gives them (Open MPI's own allocations live to the end).
    if "ASAN_OPTIONS" in os.environ:
        asan = os.environ["ASAN_OPTIONS"].replace("detect_leaks=1", "detect_leaks=0")
        mpirun[1:1] = ["-x", "ASAN_OPTIONS=" + asan]
    run = subprocess.run(["ip", "netns", "exec", names[0], "unshare", "--uts",
                          "sh", "-c", f'hostname {names[0]}; exec "$@"', "sh",
                          *mpirun, *command])
    sys.exit(run.returncode)
finally:
    for ns in names:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
    subprocess.run(["rm", "-rf", work])
