"""One peer in its own process, driven by bench/peers.py over a pipe.

    bench/.venv/bin/python bench/peers/worker.py PEER THREADS

PEER is a module of this folder (torch_eager, torch_compile, jax_xla,
onnx_runtime). Before the framework is imported the process is bound to
THREADS CPUs and OMP_NUM_THREADS / XLA_FLAGS say THREADS, so that each
peer's thread pools are sized to them; the peer then pins its own threads
in its own way (its module says how). Each peer has a process of its own so
that no framework's thread pool or allocator shares the process with
another's while it is timed.

Requests are JSON lines on stdin, replies JSON lines on stdout (the
frameworks' own chatter goes to stderr):
  {"op": "setup", "case": {...}}          build the case's model (common.py)
  {"op": "check", "mode": "train"|"infer", "out": PATH}
                                           one step / forward from cnnc's
                                           weights, written to PATH
  {"op": "time", "mode": ..., "runs": N, "warmup": W}
                                           ms of each of N calls after W
"""
import json
import os
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))


def pin(threads):
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) > threads:
        os.sched_setaffinity(0, cpus[:threads])
    os.environ["OMP_NUM_THREADS"] = str(threads)
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                               + " --xla_cpu_multi_thread_eigen=true").strip()


def main():
    peer_module, threads = sys.argv[1], int(sys.argv[2])
    pin(threads)
    sys.path.insert(0, HERE)
    reply_to = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever the frameworks print goes to stderr
    module = __import__(peer_module)
    peer = None
    for line in sys.stdin:
        request = json.loads(line)
        try:
            reply = handle(module, request, peer)
            if request["op"] == "setup":
                peer, reply = reply
        except Exception as e:  # reported to the driver, which goes on
            traceback.print_exc()
            reply = {"error": f"{type(e).__name__}: {e}"}
        reply_to.write(json.dumps(reply) + "\n")
        reply_to.flush()


def handle(module, request, peer):
    op = request["op"]
    if op == "setup":
        start = time.perf_counter()
        peer = module.PEER(request["case"])
        return peer, {"seconds": time.perf_counter() - start}
    if op == "check":
        from common import save
        start = time.perf_counter()
        if request["mode"] == "train":
            save(request["out"], peer.check_train())
        else:
            save(request["out"], {"logits": peer.check_infer()})
        return {"seconds": time.perf_counter() - start}
    if op == "time":
        call = peer.train_step if request["mode"] == "train" else peer.infer
        for _ in range(request["warmup"]):
            peer.sync(call())
        ms = []
        for _ in range(request["runs"]):
            start = time.perf_counter()
            peer.sync(call())
            ms.append((time.perf_counter() - start) * 1e3)
        return {"ms": ms}
    raise ValueError(f"unknown op {op!r}")


if __name__ == "__main__":
    main()
