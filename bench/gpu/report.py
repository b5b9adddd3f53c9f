"""Merges the native benchmark, the PyTorch baseline and the GPU checks of one device run into the
result JSON (GB/s counted as DeepEP does: bytes received / time; ratios against a device copy of
the same bytes measured in the same run)."""
import argparse
import datetime
import json


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--native", required=True)
    p.add_argument("--torch", required=True)
    p.add_argument("--checks", required=True)
    p.add_argument("--env", required=True)
    p.add_argument("--command", required=True)
    p.add_argument("--cluster", default=None)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    nat = json.load(open(a.native))
    tor = json.load(open(a.torch))
    try:
        checks = [l.strip() for l in open(a.checks) if l.strip()]
    except OSError as e:
        checks = ["no GPU check report: %s" % e]
    env = open(a.env).read().strip().splitlines()
    d = nat["direct"]
    b = nat["bytes"]

    def gbs(nbytes, us):
        return round(nbytes / us / 1e3, 1)

    ops = {
        "ht_dispatch": (b["ht"], d["ht_dispatch_us"], nat["copy_us"]["ht"], tor["ht_dispatch_us"], 0.8),
        "ht_combine": (b["ht"], d["ht_combine_us"], nat["copy_us"]["ht"], tor["ht_combine_us"], 0.8),
        "ll_dispatch": (b["ll_pairs"], d["ll_dispatch_us"], nat["copy_us"]["ll_pairs"], tor["ll_dispatch_us"], 0.7),
        "ll_combine": (b["ll_pairs"], d["ll_combine_us"], nat["copy_us"]["ll_pairs"], tor["ll_combine_us"], 0.7),
    }
    figures = {}
    for name, (nbytes, us, copy_us, torch_us, goal) in ops.items():
        ratio = round(copy_us / us, 3)
        speedup = round(torch_us / us, 2)
        figures[name] = {
            "us": round(us, 2), "GBps": gbs(nbytes, us), "copy_us": round(copy_us, 2), "copy_GBps": gbs(nbytes, copy_us),
            "ratio_to_copy": ratio, "ratio_goal": goal, "ratio_goal_met": ratio >= goal,
            "torch_us": round(torch_us, 2), "speedup_vs_torch": speedup, "speedup_goal_met": speedup >= 3.0,
        }
    res = {
        "what": "native-ep kernels on one GPU, world size 1 (HT: T=4096, H=7168, K=8, E=256, bf16; LL: T=128)",
        "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": a.command,
        "environment": env,
        "gpu": nat["gpu"], "cuda_driver": nat["cuda_driver"], "cuda_runtime": nat["cuda_runtime"],
        "nccl_version": nat.get("nccl_version"), "torch": tor.get("torch"), "build": nat["build"],
        "method": "CUDA-event medians of %d iterations after %d warm-ups, L2 flushed (%d-byte memset) before each op; "
                  "GB/s = DeepEP's byte count (received rows x H x 2; LL: (token, expert) pairs x H x 2) / time; "
                  "copy = cudaMemcpyAsync D2D of the same byte count" % (nat["shape"]["iters"], nat["shape"]["warmup"],
                                                                       nat["shape"]["l2_flush_bytes"]),
        "shape": nat["shape"],
        "figures": figures,
        "native_raw": nat,
        "torch_raw": tor,
        "gpu_checks": checks,
    }
    if a.cluster:
        try:
            keep = ("ep run: starting", "ep run: world ready", "steps ", "verified ", "mismatches ", "latency ", "result ",
                    "ep run --backend")
            res["cluster_run"] = [l.strip() for l in open(a.cluster) if l.strip().startswith(keep)]
        except OSError as e:
            res["cluster_run"] = ["no cluster run output: %s" % e]
    json.dump(res, open(a.out, "w"), indent=2)
    print("%-12s %9s %9s %9s %7s %9s %8s" % ("op", "us", "GB/s", "copyGB/s", "ratio", "torch_us", "speedup"))
    for k, f in figures.items():
        print("%-12s %9.2f %9.1f %9.1f %7.3f %9.2f %8.2f" % (k, f["us"], f["GBps"], f["copy_GBps"], f["ratio_to_copy"],
                                                          f["torch_us"], f["speedup_vs_torch"]))


if __name__ == "__main__":
    main()
