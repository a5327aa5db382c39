"""Closed-loop search load with pymilvus, for benchmarks/milvus-gateway-bench.sh.

  python bench_milvus.py --uri http://127.0.0.1:P [--token JWT] [--filter EXPR] --procs N --seconds S [--warmup W]

--filter sends a boolean filter with every search (to measure direct Milvus with the row filter the
gateway's policy adds).

Each of N processes runs MilvusClient.search on the `docs` collection in a loop; the parent prints one
JSON line: samples, ops/s and latency percentiles in microseconds, and `requests` (every call made,
warm-up included, for CPU-per-request accounting). Every response is checked (hits returned), so a
fast failing run cannot pass.
"""
import argparse
import json
import logging
import multiprocessing as mp
import time

logging.getLogger("pymilvus").setLevel(logging.CRITICAL)
VECTOR = [[4.0, 1.0, 0.5, 0.25]]


def worker(uri, token, filt, warmup, seconds, out):
    try:
        run(uri, token, filt, warmup, seconds, out)
    except BaseException as e:  # noqa: BLE001 - the parent must hear of it, or it waits forever
        out.put((None, f"{type(e).__name__}: {e}"))
        raise


def run(uri, token, filt, warmup, seconds, out):
    from pymilvus import MilvusClient

    # connect before the clock starts; a cold gateway on a busy machine can take longer than pymilvus's
    # default 10 s handshake (as in benchmarks/soak.sh)
    client = MilvusClient(uri=uri, token=token, timeout=60) if token else MilvusClient(uri=uri, timeout=60)
    lat = []
    calls = 0
    start = time.perf_counter()
    measure_from = start + warmup
    end = measure_from + seconds
    while True:
        t0 = time.perf_counter()
        if t0 >= end:
            break
        if filt:
            res = client.search("docs", data=VECTOR, limit=5, output_fields=["title"], filter=filt)
        else:
            res = client.search("docs", data=VECTOR, limit=5, output_fields=["title"])
        dt = time.perf_counter() - t0
        calls += 1
        if not res or len(res[0]) == 0:
            raise SystemExit("search returned no hits: the benchmark setup is wrong")
        if t0 >= measure_from:
            lat.append(dt)
    out.put((lat, calls))


def pct(sorted_vals, p):
    if not sorted_vals:
        return 0.0
    i = max(0, min(len(sorted_vals) - 1, int(round(p / 100.0 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[i]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--uri", required=True)
    ap.add_argument("--token")
    ap.add_argument("--filter")
    ap.add_argument("--procs", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--warmup", type=float, default=3)
    ap.add_argument("--name", default="search")
    a = ap.parse_args()
    q = mp.Queue()
    ps = [mp.Process(target=worker, args=(a.uri, a.token, a.filter, a.warmup, a.seconds, q)) for _ in range(a.procs)]
    for p in ps:
        p.start()
    lat = []
    calls = 0
    for _ in ps:
        got, n = q.get()
        if got is None:
            for p in ps:
                p.terminate()
            raise SystemExit(f"a load process failed: {n}")
        lat.extend(got)
        calls += n
    for p in ps:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"a load process failed with exit code {p.exitcode}")
    lat.sort()
    print(json.dumps({
        "name": a.name, "procs": a.procs, "samples": len(lat), "requests": calls, "ops_per_s": len(lat) / a.seconds,
        "p50_us": pct(lat, 50) * 1e6, "p99_us": pct(lat, 99) * 1e6,
    }))


if __name__ == "__main__":
    main()
