#!/usr/bin/env python3
"""The peer side of `bindery bench ann --peers`: builds hnswlib and FAISS HNSW indexes over the same
vectors Bindery indexes and answers the same queries, single-threaded, at each ef.

Usage:
  peers.py --check                 print {"ok": true, "versions": {...}} or {"ok": false, "error"}
  peers.py REQUEST.json RESPONSE.json
  peers.py --serve ENGINE BASE QUERIES METRIC
                                   keep one engine (hnswlib or faiss-hnsw) in this process and
                                   answer `bench ann --rounds` one line at a time, the protocol of
                                   hnsw_native.cpp: a ready line, then "build M EFC THREADS" ->
                                   {"build_seconds", "build_cpu_seconds", "index_bytes"},
                                   "query EF K" -> {"wall_seconds", "cpu_seconds", "ids"}, "quit"
  peers.py --build-native SRC.cpp OUT
                                   compile the native hnswlib driver (hnsw_native.cpp, which
                                   `bench ann --rounds` drives) against Debian's libhnswlib-dev
                                   headers with g++ -O3 -march=native; print {"ok", "binary",
                                   "command"} or {"ok": false, "error"} (exit 3)

The Java side (dev.bindery.eval.bench.PeerBenchmark) writes REQUEST.json:
  {"protocol": 1, "base": "base.npy", "queries": "queries.npy", "metric": "cosine"|"dot"|"l2",
   "m": 16, "ef_construction": 100, "efs": [10, 20, ...], "k": 10,
   "engines": ["hnswlib", "faiss-hnsw"], "build_threads": 1}
and reads RESPONSE.json:
  {"protocol": 1, "versions": {...}, "count": N, "dim": D, "query_count": Q,
   "engines": [{"name", "version", "build_seconds", "build_cpu_seconds", "build_threads",
                "index_bytes", "params",
                "runs": [{"ef", "qps", "cpu_qps", "batch_qps", "p50_ms", "p99_ms",
                          "ids": [[...], ...]}]}]}
Recall is computed by the Java side from "ids" (row indexes of the base file, best first) against
the same exact neighbours it scores Bindery with, so both sides share one definition of recall.

Vectors: .npy (2-D float32/float64, C order) or .fvecs. Row i has id i.
Timing: queries are sent one at a time (as Bindery's are) after one untimed warm-up pass per ef;
"qps" is over elapsed time, "cpu_qps" over the CPU time of this process (hnswlib with
num_threads=1 and FAISS with one OpenMP thread search in the calling thread), which other processes
on a shared machine do not inflate; the Java side counts its whole process the same way. "build_cpu_seconds" is the CPU time of the whole process during
the build. "batch_qps" is the same queries in one call, still on one thread, for reference only.
Exit codes: 0 done, 2 bad request or data, 3 a peer library is missing (run install-peers.sh).
"""
import json
import os
import platform
import sys
import tempfile
import time

PROTOCOL = 1
ENGINES = ("hnswlib", "faiss-hnsw")
INSTALL_HINT = "run eval/bench-peers/install-peers.sh (apt-get install python3-hnswlib python3-faiss)"


class BadRequest(Exception):
    pass


def log(msg):
    print("peers: " + msg, file=sys.stderr, flush=True)


def package_version(debian_package, module_name):
    """The Debian package version if dpkg knows it, else the Python distribution's."""
    try:
        import subprocess

        out = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", debian_package],
            capture_output=True,
            text=True,
            timeout=10,
        )
        if out.returncode == 0 and out.stdout.strip():
            return "debian " + debian_package + " " + out.stdout.strip()
    except (OSError, ValueError):
        pass
    try:
        from importlib import metadata

        return module_name + " " + metadata.version(module_name)
    except Exception:  # noqa: BLE001 - a version label only
        return module_name + " (version unknown)"


def import_peers():
    """Imports numpy, hnswlib and faiss, or raises ImportError naming what is missing."""
    missing = []
    mods = {}
    for name in ("numpy", "hnswlib", "faiss"):
        try:
            mods[name] = __import__(name)
        except ImportError as e:
            missing.append(f"{name} ({e})")
    if missing:
        raise ImportError(
            f"{sys.executable} cannot import {', '.join(missing)}; {INSTALL_HINT}"
        )
    return mods


def versions(mods):
    return {
        "python": platform.python_version(),
        "numpy": mods["numpy"].__version__,
        "hnswlib": package_version("python3-hnswlib", "hnswlib"),
        "faiss": package_version("python3-faiss", "faiss") + " (faiss.__version__ "
        + getattr(mods["faiss"], "__version__", "?") + ")",
        "cpu": cpu_model(),
        "load_average_at_start": " ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1, 5, 15 min)",
    }


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def read_vectors(np, path, limit=None):
    if not os.path.isfile(path):
        raise BadRequest(f"{path}: no such file")
    if path.lower().endswith(".npy"):
        a = np.load(path, mmap_mode="r")
        if a.ndim != 2 or a.dtype.kind != "f":
            raise BadRequest(f"{path}: expected a 2-D float array, got {a.dtype} {a.shape}")
    elif path.lower().endswith(".fvecs"):
        raw = np.fromfile(path, dtype="<i4")
        if raw.size == 0:
            raise BadRequest(f"{path}: empty")
        dim = int(raw[0])
        if dim <= 0 or raw.size % (dim + 1) != 0:
            raise BadRequest(f"{path}: not an .fvecs file of dimension {dim}")
        a = raw.reshape(-1, dim + 1)[:, 1:].view("<f4")
    else:
        raise BadRequest(f"{path}: expected a .npy or .fvecs file")
    if limit is not None:
        a = a[:limit]
    return np.ascontiguousarray(a, dtype=np.float32)


def check_request(req):
    if req.get("protocol") != PROTOCOL:
        raise BadRequest(f"protocol {req.get('protocol')!r} is not {PROTOCOL}")
    for key in ("base", "queries", "metric", "m", "ef_construction", "efs", "k", "engines"):
        if key not in req:
            raise BadRequest(f"request has no {key!r}")
    if req["metric"] not in ("cosine", "dot", "l2"):
        raise BadRequest(f"metric {req['metric']!r} is not cosine, dot or l2")
    for e in req["engines"]:
        if e not in ENGINES:
            raise BadRequest(f"engine {e!r} is not one of {', '.join(ENGINES)}")
    if any(ef < req["k"] for ef in req["efs"]):
        raise BadRequest(f"every ef must be >= k={req['k']}, got {req['efs']}")


def timed_queries(np, search_one, search_all, queries, k):
    """Warm-up pass, then a timed pass one query at a time, then one timed batch call."""
    for q in queries:
        search_one(q)
    ids = np.empty((len(queries), k), dtype=np.int64)
    lat = np.empty(len(queries), dtype=np.int64)
    cpu_start = time.process_time_ns()
    start = time.perf_counter_ns()
    for i, q in enumerate(queries):
        t = time.perf_counter_ns()
        ids[i] = search_one(q)
        lat[i] = time.perf_counter_ns() - t
    wall = (time.perf_counter_ns() - start) / 1e9
    cpu = (time.process_time_ns() - cpu_start) / 1e9
    t = time.perf_counter_ns()
    search_all(queries)
    batch_wall = (time.perf_counter_ns() - t) / 1e9
    lat.sort()
    n = len(queries)

    def pct(p):
        rank = max(1, int(np.ceil(p * n)))
        return float(lat[rank - 1]) / 1e6

    return {
        "qps": n / wall,
        "cpu_qps": n / cpu,
        "batch_qps": n / batch_wall,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "ids": ids.tolist(),
    }


def file_bytes(save):
    with tempfile.TemporaryDirectory(prefix="bindery-peers-") as d:
        path = os.path.join(d, "index.bin")
        save(path)
        return os.path.getsize(path)


def run_hnswlib(mods, req, base, queries):
    np, hnswlib = mods["numpy"], mods["hnswlib"]
    space = {"cosine": "cosine", "dot": "ip", "l2": "l2"}[req["metric"]]
    n, dim = base.shape
    index = hnswlib.Index(space=space, dim=dim)
    index.init_index(max_elements=n, ef_construction=req["ef_construction"], M=req["m"],
                     random_seed=100)
    threads = req.get("build_threads", 1)
    log(f"hnswlib: building over {n} vectors, {threads} thread(s)")
    t, c = time.perf_counter(), time.process_time()
    index.add_items(base, np.arange(n), num_threads=threads)
    build, build_cpu = time.perf_counter() - t, time.process_time() - c
    index.set_num_threads(1)
    k = req["k"]
    runs = []
    for ef in req["efs"]:
        log(f"hnswlib: querying at ef={ef}")
        index.set_ef(ef)
        r = timed_queries(
            np,
            lambda q: index.knn_query(q, k=k, num_threads=1)[0][0],
            lambda qs: index.knn_query(qs, k=k, num_threads=1),
            queries,
            k,
        )
        runs.append({"ef": ef, **r})
    return {
        "name": "hnswlib",
        "version": package_version("python3-hnswlib", "hnswlib"),
        "build_seconds": build,
        "build_cpu_seconds": build_cpu,
        "build_threads": threads,
        "index_bytes": file_bytes(index.save_index),
        "params": {"space": space, "M": req["m"], "ef_construction": req["ef_construction"],
                   "level0_links": 2 * req["m"]},
        "runs": runs,
    }


def run_faiss(mods, req, base, queries):
    np, faiss = mods["numpy"], mods["faiss"]
    metric = faiss.METRIC_L2 if req["metric"] == "l2" else faiss.METRIC_INNER_PRODUCT
    if req["metric"] == "cosine":
        # FAISS has no cosine metric: inner product over unit vectors is the same ranking.
        base = base.copy()
        queries = queries.copy()
        faiss.normalize_L2(base)
        faiss.normalize_L2(queries)
    n, dim = base.shape
    index = faiss.IndexHNSWFlat(dim, req["m"], metric)
    index.hnsw.efConstruction = req["ef_construction"]
    threads = req.get("build_threads", 1)
    faiss.omp_set_num_threads(threads)
    log(f"faiss-hnsw: building over {n} vectors, {threads} thread(s)")
    t, c = time.perf_counter(), time.process_time()
    index.add(base)
    build, build_cpu = time.perf_counter() - t, time.process_time() - c
    faiss.omp_set_num_threads(1)
    k = req["k"]
    runs = []
    for ef in req["efs"]:
        log(f"faiss-hnsw: querying at ef={ef}")
        index.hnsw.efSearch = ef
        r = timed_queries(
            np,
            lambda q: index.search(q.reshape(1, -1), k)[1][0],
            lambda qs: index.search(qs, k),
            queries,
            k,
        )
        runs.append({"ef": ef, **r})
    return {
        "name": "faiss-hnsw",
        "version": package_version("python3-faiss", "faiss"),
        "build_seconds": build,
        "build_cpu_seconds": build_cpu,
        "build_threads": threads,
        "index_bytes": file_bytes(lambda p: faiss.write_index(index, p)),
        "params": {"index": "IndexHNSWFlat", "metric": "inner_product" if metric ==
                   faiss.METRIC_INNER_PRODUCT else "l2", "M": req["m"],
                   "efConstruction": req["ef_construction"], "level0_links": 2 * req["m"]},
        "runs": runs,
    }


NATIVE_FLAGS = ["-O3", "-march=native", "-std=c++17", "-pthread"]


def build_native(src, out):
    """Compiles hnsw_native.cpp against /usr/include/hnswlib (libhnswlib-dev); nothing vendored."""
    import shutil
    import subprocess

    cxx = shutil.which("g++")
    if cxx is None:
        return {"ok": False, "error": "g++ is missing; " + INSTALL_HINT}
    if not os.path.isfile("/usr/include/hnswlib/hnswlib.h"):
        return {"ok": False, "error": "libhnswlib-dev headers are missing; " + INSTALL_HINT}
    command = [cxx, *NATIVE_FLAGS, "-o", out, src]
    log("compiling " + " ".join(command))
    r = subprocess.run(command, capture_output=True, text=True)
    if r.returncode != 0:
        return {"ok": False, "error": "g++ failed: " + r.stderr[-2000:]}
    return {"ok": True, "binary": out, "command": " ".join(command),
            "libhnswlib_dev": package_version("libhnswlib-dev", "hnswlib")}


def serve(mods, engine, base_path, queries_path, metric):
    """The line protocol of hnsw_native.cpp, over Debian's Python hnswlib or FAISS."""
    np = mods["numpy"]
    base = read_vectors(np, base_path)
    queries = read_vectors(np, queries_path)
    if engine == "faiss-hnsw" and metric == "cosine":
        # FAISS has no cosine: inner product over unit vectors. Copies, since the loaded arrays
        # may be read-only memory maps (normalize_L2 writes in place).
        faiss = mods["faiss"]
        base = base.copy()
        queries = queries.copy()
        faiss.normalize_L2(base)
        faiss.normalize_L2(queries)
    print(json.dumps({"ok": True, "count": int(base.shape[0]), "dim": int(base.shape[1]),
                      "query_count": int(queries.shape[0]),
                      "version": package_version(
                          "python3-hnswlib" if engine == "hnswlib" else "python3-faiss",
                          "hnswlib" if engine == "hnswlib" else "faiss")}), flush=True)
    index = None
    for line in sys.stdin:
        op = line.split()
        if not op:
            continue
        if op[0] == "quit":
            break
        if op[0] == "build":
            m, efc, threads = int(op[1]), int(op[2]), int(op[3])
            index = None
            t, c = time.perf_counter(), time.process_time()
            if engine == "hnswlib":
                hnswlib = mods["hnswlib"]
                space = {"cosine": "cosine", "dot": "ip", "l2": "l2"}[metric]
                index = hnswlib.Index(space=space, dim=base.shape[1])
                index.init_index(max_elements=base.shape[0], ef_construction=efc, M=m,
                                 random_seed=100)
                index.add_items(base, np.arange(base.shape[0]), num_threads=threads)
                index.set_num_threads(1)
                save = index.save_index
            else:
                faiss = mods["faiss"]
                fm = faiss.METRIC_L2 if metric == "l2" else faiss.METRIC_INNER_PRODUCT
                index = faiss.IndexHNSWFlat(base.shape[1], m, fm)
                index.hnsw.efConstruction = efc
                faiss.omp_set_num_threads(threads)
                index.add(base)
                faiss.omp_set_num_threads(1)
                save = lambda p, ix=index: faiss.write_index(ix, p)  # noqa: E731
            build, build_cpu = time.perf_counter() - t, time.process_time() - c
            print(json.dumps({"build_seconds": build, "build_cpu_seconds": build_cpu,
                              "index_bytes": file_bytes(save)}), flush=True)
        elif op[0] == "query":
            if index is None:
                print(json.dumps({"error": "query before build"}), flush=True)
                return 2
            ef, k = int(op[1]), int(op[2])
            if engine == "hnswlib":
                index.set_ef(ef)
                one = lambda q: index.knn_query(q, k=k, num_threads=1)[0][0]  # noqa: E731
            else:
                index.hnsw.efSearch = ef
                one = lambda q: index.search(q.reshape(1, -1), k)[1][0]  # noqa: E731
            ids = np.empty((len(queries), k), dtype=np.int64)
            c, t = time.process_time_ns(), time.perf_counter_ns()
            for i, q in enumerate(queries):
                ids[i] = one(q)
            wall = (time.perf_counter_ns() - t) / 1e9
            cpu = (time.process_time_ns() - c) / 1e9
            print(json.dumps({"wall_seconds": wall, "cpu_seconds": cpu, "ids": ids.tolist()}),
                  flush=True)
        else:
            print(json.dumps({"error": "unknown command: " + line.strip()}), flush=True)
            return 2
    return 0


def main(argv):
    if len(argv) == 6 and argv[1] == "--serve":
        if argv[2] not in ENGINES:
            print(json.dumps({"error": f"engine {argv[2]!r} is not one of {', '.join(ENGINES)}"}))
            return 2
        try:
            mods = import_peers()
        except ImportError as e:
            print(json.dumps({"error": str(e)}))
            return 3
        return serve(mods, argv[2], argv[3], argv[4], argv[5])
    if len(argv) == 4 and argv[1] == "--build-native":
        result = build_native(argv[2], argv[3])
        print(json.dumps(result))
        return 0 if result["ok"] else 3
    if len(argv) == 2 and argv[1] == "--check":
        try:
            mods = import_peers()
        except ImportError as e:
            print(json.dumps({"ok": False, "error": str(e)}))
            return 3
        print(json.dumps({"ok": True, "versions": versions(mods)}))
        return 0
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        mods = import_peers()
    except ImportError as e:
        log(str(e))
        return 3
    np = mods["numpy"]
    try:
        with open(argv[1], encoding="utf-8") as f:
            req = json.load(f)
        check_request(req)
        base = read_vectors(np, req["base"], req.get("max_vectors"))
        queries = read_vectors(np, req["queries"])
        if base.shape[1] != queries.shape[1]:
            raise BadRequest(f"base dimension {base.shape[1]} != query dimension {queries.shape[1]}")
        if req["k"] > base.shape[0]:
            raise BadRequest(f"k={req['k']} exceeds the {base.shape[0]} base vectors")
    except (OSError, ValueError, BadRequest) as e:
        log(f"bad request {argv[1]}: {e}")
        return 2
    out = {
        "protocol": PROTOCOL,
        "versions": versions(mods),
        "count": int(base.shape[0]),
        "dim": int(base.shape[1]),
        "query_count": int(queries.shape[0]),
        "engines": [],
    }
    runners = {"hnswlib": run_hnswlib, "faiss-hnsw": run_faiss}
    for name in req["engines"]:
        out["engines"].append(runners[name](mods, req, base, queries))
    tmp = argv[2] + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(out, f)
    os.replace(tmp, argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
