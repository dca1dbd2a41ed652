#!/usr/bin/env python3
"""The Python peers of `unipool bench`: the same workloads on the standard library's pools.

Runs ThreadPoolExecutor, ProcessPoolExecutor (fork and spawn), multiprocessing.Pool and asyncio on the
bench's suite and writes one JSON document (to --out, or stdout). Progress goes to stdout as lines
"plan N" and "step PEER WORKLOAD", so the Java side can draw its bar. Standard library only.

    python3 peers.py --tiny --out /tmp/peers.json     # a few seconds, proves everything runs
"""

import argparse
import asyncio
import concurrent.futures as cf
import json
import math
import multiprocessing as mp
import os
import platform
import statistics
import sys
import time
import traceback

WORKLOADS = ["startup", "startup_first", "startup_aot", "roundtrip", "roundtrip_busy", "floor", "floor_busy",
             "throughput", "map", "map_10k", "map_100k", "map_1m", "cpu_speedup", "io", "payload_small",
             "payload_large", "share_read", "idle_rss"]
UNITS = {"startup": "ms", "startup_first": "ms", "startup_aot": "ms", "roundtrip": "us", "roundtrip_busy": "us",
         "floor": "us", "floor_busy": "us", "throughput": "tasks/s", "map": "items/s", "map_10k": "items/s",
         "map_100k": "items/s", "map_1m": "items/s", "cpu_speedup": "x", "io": "tasks/s", "payload_small": "MB/s",
         "payload_large": "MB/s", "share_read": "GB/s", "idle_rss": "MB"}
MAP_SIZES = {"map_10k": 0, "map_100k": 1, "map_1m": 2}
# Not measured on this side: JVM features, the JVM-to-JVM floor, the busy-core round trip
JVM_ONLY = {"startup_first": "Python has no startup cache: every start-up is a first run (see startup)",
            "startup_aot": "a JVM feature; Python has no counterpart",
            "roundtrip_busy": "measured on the JVM side only",
            "floor": "measured once, JVM to JVM, on the unipool side",
            "floor_busy": "measured once, JVM to JVM, on the unipool side",
            "share_read": "not measured on the Python side (its counterparts: joblib memmapping,"
                          " multiprocessing.shared_memory)"}
RSS_TASKS = 2000

# Process pools of the standard library are much slower per task than the sizes the JVM side uses; these
# caps keep a repetition to seconds. Rates (tasks/s) stay comparable; each capped figure says so.
PPE_TASK_CAP = 20_000
PPE_ROUNDTRIP_CAP = 5_000
THREAD_MAP_CAP = 100_000


# ---- the tasks (module level, so that spawned workers can import them) ----

def one():
    return 1


def inc(x):
    return x + 1


def pid(_=None):
    return os.getpid()


def rss_mb(p):
    with open("/proc/%d/status" % p) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError("no VmRSS for %d" % p)


def echo(data):
    return data


def wait_50ms():
    time.sleep(0.05)
    return True


def do_math(start=0, num=10):
    """The course's do_math, verbatim in behaviour."""
    pos = start
    k_sq = 1000 * 1000
    ave = 0
    while pos < num:
        pos += 1
        dist = math.sqrt((pos - k_sq) * (pos - k_sq))
        ave += dist / num
    return int(ave)


def do_math_segment(bounds):
    return do_math(*bounds)


# ---- results ----

class Figure:
    def __init__(self, workload):
        self.workload = workload
        self.samples = []
        self.params = {}
        self.extras = {}
        self.notes = []
        self.reason = None

    def note(self, text):
        if text not in self.notes:
            self.notes.append(text)

    def fail(self, reason):
        if self.reason is None:
            self.reason = reason

    def to_json(self):
        ok = self.reason is None and self.samples
        d = {"status": "ok" if ok else "n/a", "unit": UNITS[self.workload]}
        if not ok:
            d["reason"] = self.reason or "no samples"
        d["samples"] = self.samples
        if ok:
            d["median"] = statistics.median(self.samples)
            d["min"] = min(self.samples)
            d["max"] = max(self.samples)
        d["params"] = self.params
        if self.extras:
            d["extras"] = {k: {"samples": v, "median": statistics.median(v)} for k, v in self.extras.items()}
        d["notes"] = self.notes
        return d


# ---- the peers: each knows how to make its pool and how to run one task on it ----

class Peer:
    name = ""
    not_applicable = {}

    def __init__(self, workers):
        self.workers = workers
        self.pool = None
        self.figures = {w: Figure(w) for w in WORKLOADS}
        for w, reason in self.not_applicable.items():
            self.figures[w].fail(reason)
        for w, reason in JVM_ONLY.items():
            self.figures[w].fail(reason)

    def applies(self, workload):
        return self.figures[workload].reason is None

    def open(self):
        self.pool = self.make()

    def close(self):
        if self.pool is not None:
            self.shutdown(self.pool)
            self.pool = None

    # executor flavour by default; multiprocessing.Pool overrides
    def make(self):
        raise NotImplementedError

    def shutdown(self, pool):
        pool.shutdown(wait=True)

    def submit(self, pool, fn, *args):
        return pool.submit(fn, *args)

    def result(self, fut):
        return fut.result()

    def map(self, pool, fn, items, chunksize):
        return list(pool.map(fn, items, chunksize=chunksize))

    def task_cap(self, n, fig):
        return n

    def roundtrip_cap(self, n):
        return n

    def map_cap(self, n, fig):
        return n


class ThreadPeer(Peer):
    name = "ThreadPoolExecutor"
    not_applicable = {"idle_rss": "threads: no worker process"}

    def make(self):
        return cf.ThreadPoolExecutor(max_workers=self.workers)

    def map_cap(self, n, fig):
        if n > THREAD_MAP_CAP:
            fig.note("scaled down to %d items: ThreadPoolExecutor.map makes one future per item" % THREAD_MAP_CAP)
            return THREAD_MAP_CAP
        return n


class ProcessPeer(Peer):
    def __init__(self, workers, method):
        self.method = method
        self.name = "ProcessPoolExecutor (%s)" % method
        super().__init__(workers)

    def make(self):
        return cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=mp.get_context(self.method))

    def task_cap(self, n, fig):
        if n > PPE_TASK_CAP:
            fig.note("scaled down to %d tasks: ProcessPoolExecutor does a few thousand tasks/s, %d would take"
                     " half a minute per repetition; tasks/s is comparable" % (PPE_TASK_CAP, n))
            return PPE_TASK_CAP
        return n

    def roundtrip_cap(self, n):
        return min(n, PPE_ROUNDTRIP_CAP)


class MultiprocessingPeer(Peer):
    name = "multiprocessing.Pool"

    def make(self):
        return mp.get_context("fork").Pool(processes=self.workers)

    def shutdown(self, pool):
        pool.close()
        pool.join()

    def submit(self, pool, fn, *args):
        return pool.apply_async(fn, args)

    def result(self, fut):
        return fut.get()

    def map(self, pool, fn, items, chunksize):
        return pool.map(fn, items, chunksize=chunksize)


class AsyncioPeer(Peer):
    name = "asyncio"
    not_applicable = {w: "asyncio runs coroutines on one thread; only the I/O workload applies"
                      for w in ["startup", "roundtrip", "throughput", "map", "map_10k", "map_100k", "map_1m",
                                "cpu_speedup", "payload_small", "payload_large", "idle_rss"]}

    def open(self):
        pass

    def close(self):
        pass


# ---- the workloads ----

def measure_startup(peer, fig):
    t0 = time.perf_counter()
    pool = peer.make()
    try:
        peer.result(peer.submit(pool, one))
        fig.samples.append((time.perf_counter() - t0) * 1e3)
    finally:
        peer.shutdown(pool)
    if isinstance(peer, MultiprocessingPeer):
        fig.note("fork start method (Linux default in Python 3.11)")


def measure_roundtrip(peer, fig, calls):
    calls = peer.roundtrip_cap(calls)
    nanos = []
    for _ in range(calls):
        t0 = time.perf_counter_ns()
        peer.result(peer.submit(peer.pool, one))
        nanos.append(time.perf_counter_ns() - t0)
    fig.params["calls"] = calls
    fig.samples.append(statistics.median(nanos) / 1e3)


def measure_throughput(peer, fig, tasks):
    tasks = peer.task_cap(tasks, fig)
    t0 = time.perf_counter()
    futures = [peer.submit(peer.pool, one) for _ in range(tasks)]
    for f in futures:
        peer.result(f)
    fig.params["tasks"] = tasks
    if isinstance(peer, MultiprocessingPeer):
        fig.params["api"] = "apply_async"
    fig.samples.append(tasks / (time.perf_counter() - t0))


def measure_map(peer, fig, items, repeats=1):
    """repeats maps of items back to back (the Java side's rule: the fixed-size rows each time as many
    items as the largest one), timed together."""
    items = peer.map_cap(items, fig)
    data = range(items)
    t0 = time.perf_counter()
    for _ in range(repeats):
        out = peer.map(peer.pool, inc, data, 1000)
        if len(out) != items or out[-1] != items:
            raise RuntimeError("map returned wrong results")
    seconds = time.perf_counter() - t0
    fig.params["items"] = items
    fig.params["maps"] = repeats
    fig.params["chunksize"] = 1000
    fig.samples.append(items * repeats / seconds)


def measure_idle_rss(peer, fig, idle_seconds):
    """A fresh pool, RSS_TASKS trivial tasks, idle_seconds of nothing, then the median RSS of the workers that
    ran them (and, beside it, their RSS right after the tasks), as the JVM side measures its workers."""
    pool = peer.make()
    try:
        futures = [peer.submit(pool, pid) for _ in range(RSS_TASKS)]
        pids = sorted({peer.result(f) for f in futures})
        at_once = [rss_mb(p) for p in pids]
        time.sleep(idle_seconds)
        rss = [rss_mb(p) for p in pids]
    finally:
        peer.shutdown(pool)
    fig.params.update({"tasks": RSS_TASKS, "workers": len(pids), "idle_ms": int(idle_seconds * 1000)})
    fig.extras.setdefault("max_mb", []).append(max(rss))
    fig.extras.setdefault("at_once_mb", []).append(statistics.median(at_once))
    fig.samples.append(statistics.median(rss))
    if peer.name.endswith("(fork)") or isinstance(peer, MultiprocessingPeer):
        fig.note("fork: RSS includes pages shared with the parent")


def measure_cpu(peer, fig, iterations):
    n = peer.workers
    t0 = time.perf_counter()
    do_math(0, iterations)
    serial = time.perf_counter() - t0
    t1 = time.perf_counter()
    futures = [peer.submit(peer.pool, do_math_segment, (iterations * (i - 1) // n, iterations * i // n))
               for i in range(1, n + 1)]
    for f in futures:
        peer.result(f)
    parallel = time.perf_counter() - t1
    fig.params.update({"iterations": iterations, "segments": n, "cores": os.cpu_count()})
    fig.extras.setdefault("serial_s", []).append(serial)
    fig.extras.setdefault("parallel_s", []).append(parallel)
    fig.samples.append(serial / parallel)
    if isinstance(peer, ThreadPeer):
        fig.note("threads share the GIL: no speedup expected")


def measure_io(peer, fig, unbounded, per_worker):
    if isinstance(peer, AsyncioPeer):
        tasks = unbounded

        async def gather():
            await asyncio.gather(*(asyncio.sleep(0.05) for _ in range(tasks)))

        t0 = time.perf_counter()
        asyncio.run(gather())
        seconds = time.perf_counter() - t0
    else:
        tasks = min(unbounded, peer.workers * per_worker)
        if tasks < unbounded:
            fig.note("scaled down to %d tasks (%d per worker): %d waits of 50 ms on %d workers would take %.0f s;"
                     " tasks/s is comparable, makespan is not"
                     % (tasks, per_worker, unbounded, peer.workers, unbounded * 0.05 / peer.workers))
        t0 = time.perf_counter()
        futures = [peer.submit(peer.pool, wait_50ms) for _ in range(tasks)]
        for f in futures:
            peer.result(f)
        seconds = time.perf_counter() - t0
    fig.params.update({"tasks": tasks, "waitMillis": 50})
    fig.extras.setdefault("makespan_ms", []).append(seconds * 1e3)
    fig.samples.append(tasks / seconds)


def measure_payload(peer, fig, data):
    t0 = time.perf_counter()
    back = peer.result(peer.submit(peer.pool, echo, data))
    seconds = time.perf_counter() - t0
    if len(back) != len(data):
        raise RuntimeError("payload came back damaged")
    if back is data:
        fig.note("in-process: the task returns the same object, nothing is copied")
    fig.params["bytes"] = len(data)
    fig.samples.append(len(data) / 1e6 / seconds)


def run_one(peer, workload, sizes, payloads, record):
    fig = peer.figures[workload] if record else Figure(workload)
    if not peer.applies(workload):
        return
    try:
        if workload == "startup":
            measure_startup(peer, fig)
        elif workload == "roundtrip":
            measure_roundtrip(peer, fig, sizes["round_trips"])
        elif workload == "throughput":
            measure_throughput(peer, fig, sizes["tasks"])
        elif workload == "map":
            measure_map(peer, fig, sizes["map_items"])
        elif workload in MAP_SIZES:
            items = sizes["map_sizes"][MAP_SIZES[workload]]
            measure_map(peer, fig, items, max(1, max(sizes["map_sizes"]) // items))
        elif workload == "idle_rss":
            measure_idle_rss(peer, fig, sizes["idle_seconds"])
        elif workload == "cpu_speedup":
            measure_cpu(peer, fig, sizes["cpu_iterations"])
        elif workload == "io":
            measure_io(peer, fig, sizes["io_tasks"], sizes["io_per_worker"])
        elif workload == "payload_small":
            measure_payload(peer, fig, payloads[0])
        elif workload == "payload_large":
            measure_payload(peer, fig, payloads[1])
    except Exception as e:  # one broken workload must not stop the others
        fig.fail("failed: %s: %s" % (type(e).__name__, e))
        traceback.print_exc(file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--reps", type=int, default=1)
    p.add_argument("--round-trips", type=int, default=2_000)
    p.add_argument("--tasks", type=int, default=20_000)
    p.add_argument("--map-items", type=int, default=200_000)
    p.add_argument("--map-sizes", default="10000,100000,1000000", help="items of the map_10k, _100k, _1m rows")
    p.add_argument("--cpu-iterations", type=int, default=1_000_000)
    p.add_argument("--io-tasks", type=int, default=2_000)
    p.add_argument("--io-per-worker", type=int, default=6)
    p.add_argument("--payload-small", type=int, default=10_000_000)
    p.add_argument("--payload-large", type=int, default=100_000_000)
    p.add_argument("--warm-fraction", type=float, default=0.2)
    p.add_argument("--idle-seconds", type=float, default=0.0,
                   help="how long workers idle before their memory is read (not in the warm-up round)")
    p.add_argument("--peers", default="threads,fork,spawn,multiprocessing,asyncio",
                   help="which peers to run (comma-separated)")
    p.add_argument("--tiny", action="store_true", help="tiny sizes: proves that everything runs, measures nothing")
    p.add_argument("--out", help="write the JSON here instead of stdout")
    a = p.parse_args()
    if a.tiny:
        a.reps, a.round_trips, a.tasks, a.map_items, a.cpu_iterations = 1, 50, 500, 5_000, 20_000
        a.map_sizes = "1000,2000,5000"
        a.io_tasks, a.io_per_worker, a.payload_small, a.payload_large = 50, 1, 100_000, 400_000
        a.warm_fraction = 0.5

    makers = {"threads": lambda: ThreadPeer(a.workers), "fork": lambda: ProcessPeer(a.workers, "fork"),
              "spawn": lambda: ProcessPeer(a.workers, "spawn"),
              "multiprocessing": lambda: MultiprocessingPeer(a.workers), "asyncio": lambda: AsyncioPeer(a.workers)}
    peers = [makers[name.strip()]() for name in a.peers.split(",") if name.strip()]
    sizes = {"round_trips": a.round_trips, "tasks": a.tasks, "map_items": a.map_items,
             "cpu_iterations": a.cpu_iterations, "io_tasks": a.io_tasks, "io_per_worker": a.io_per_worker}
    warm = {k: max(1, int(v * a.warm_fraction)) for k, v in sizes.items()}
    sizes["map_sizes"] = [int(x) for x in a.map_sizes.split(",")]
    warm["map_sizes"] = [max(1, int(x * a.warm_fraction)) for x in sizes["map_sizes"]]
    warm["io_per_worker"] = max(1, a.io_per_worker // 4)
    sizes["idle_seconds"], warm["idle_seconds"] = a.idle_seconds, 0.0
    payloads = (bytes(range(256)) * (a.payload_small // 256 + 1))[:a.payload_small], \
        (bytes(range(256)) * (a.payload_large // 256 + 1))[:a.payload_large]
    warm_payloads = (payloads[0][:max(1, int(len(payloads[0]) * a.warm_fraction))],) * 2

    measured = [w for w in WORKLOADS if w not in JVM_ONLY]
    print("plan %d" % ((a.reps + 1) * len(peers) * len(measured)), flush=True)
    started = time.time()
    for peer in peers:
        peer.open()
    try:
        # One warm-up round, then repetitions that alternate the peers, as the JVM side does.
        for rep in range(a.reps + 1):
            record = rep > 0
            order = peers[rep % len(peers):] + peers[:rep % len(peers)]
            for peer in order:
                for w in measured:
                    run_one(peer, w, sizes if record else warm, payloads if record else warm_payloads, record)
                    print("step %s %s" % (peer.name.replace(" ", "_"), w), flush=True)
    finally:
        for peer in peers:
            peer.close()
    doc = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "workers": a.workers,
        "repetitions": a.reps,
        "elapsedSeconds": time.time() - started,
        "peers": [{"name": peer.name, "results": {w: peer.figures[w].to_json() for w in WORKLOADS}}
                  for peer in peers],
    }
    text = json.dumps(doc)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
