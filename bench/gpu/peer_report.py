"""Merges one device call's peer benchmark (PeerBench), PyTorch's version (torch_peer.py) and the
machine facts into bench/results/gpu-peer-<date>.json: per (world size, dtype) each op's time, its
traffic over a device-to-device copy's in the same run, and its speed-up over PyTorch; the top-level
`ops` are the goal case (N = 8, bf16) and `goals` says whether each goal was met.

  python3 bench/gpu/peer_report.py --bench peer-bench.json --torch torch-peer.json --env env.txt \
      --command "..." --out bench/results/gpu-peer-2026-12-05.json
"""
import argparse
import json
import re

GOAL_N = 8
GOAL_RATIO = 0.7
GOAL_TORCH = 3.0


def env_facts(path):
    facts = {}
    for line in open(path):
        if ":" in line:
            k, v = line.split(":", 1)
            facts[k.strip()] = v.strip()
    return facts


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bench", required=True)
    p.add_argument("--torch", required=True)
    p.add_argument("--env", required=True)
    p.add_argument("--command", required=True)
    p.add_argument("--nccl-self", help="ep_bench JSON (world size 1, NCCL self send/recv), for context")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    bench = json.load(open(a.bench))
    # One line per (N, dtype) as each finishes, then the whole result; a run cut short has only the former.
    torch_objs = [json.loads(l) for l in open(a.torch) if l.strip().startswith("{")]
    torch = next((o for o in torch_objs if "runs" in o), {"runs": [o for o in torch_objs if "world_size" in o]})
    tmap = {(r["world_size"], r["dtype"]): r for r in torch["runs"]}
    env = env_facts(a.env)
    gpu = env.get("gpu", "")
    runs = []
    for r in bench["runs"]:
        t = tmap.get((r["world_size"], r["dtype"]))
        ops = {}
        for name, o in r["ops"].items():
            op = dict(o)
            if t is not None and (name + "_us") in t:
                op["torch_us"] = round(t[name + "_us"], 2)
                op["vs_torch"] = round(t[name + "_us"] / o["us"], 2)
            ops[name] = op
        runs.append({"world_size": r["world_size"], "dtype": r["dtype"], "verified": r["verified"], "ops": ops,
                     "notes": r["notes"]})
    goal = next((r for r in runs if r["world_size"] == GOAL_N and r["dtype"] == "bf16"), None)
    goals = {}
    if goal:
        for name, o in goal["ops"].items():
            goals[name] = {"traffic_ratio_to_copy": o["traffic_ratio_to_copy"], "ratio_met": o["traffic_ratio_to_copy"] >= GOAL_RATIO,
                           "vs_torch": o.get("vs_torch"), "vs_torch_met": (o.get("vs_torch") or 0) >= GOAL_TORCH}
    out = {
        "device": gpu.split(",")[0].strip() if gpu else bench.get("gpu"),
        "driver": gpu.split(",")[1].strip() if gpu.count(",") >= 1 else None,
        "cuda": env.get("nvcc"),
        "nccl": env.get("libnccl.so.2"),
        "torch": torch.get("torch"),
        "date": env.get("date"),
        "world_size": sorted({r["world_size"] for r in runs}),
        "gpus": 1,
        "ranks_in_process": True,
        "shape": {"ht_tokens_per_rank": 4096, "ll_tokens_per_rank": 128, "hidden": 7168, "topk": 8, "experts": 256,
                  "ll_capacity": 128, "masked_slots": 0, "dtypes": sorted({r["dtype"] for r in runs})},
        "command": a.command,
        "verified": all(r["verified"] for r in runs) and bench.get("verified", False),
        "complete": bench.get("complete", False),
        "method": "N ranks of the nccl backend in one JVM on one GPU, joined through their peer windows; each op timed over "
                  "all N ranks at once (CUDA events around a fork/join of the ranks' streams, L2 flushed and the GPU held "
                  "2 ms before each so every rank's launches are queued), median of the iterations; traffic = bytes read "
                  "plus written from each op's access pattern, each array once (dispatch includes layout and notify); "
                  "traffic_ratio_to_copy = (traffic / time) / (2 * bytes / time) of a cudaMemcpy D2D of traffic/2 bytes "
                  "timed the same way in the same run; torch runs the same shapes in its own process right after, "
                  "timed the same way (CUDA events, L2 flushed), on its own random data of the same distribution",
        "torch_differs": torch.get("work"),
        "ops": goal["ops"] if goal else {},
        "goals": {"case": "N = %d, bf16" % GOAL_N, "traffic_ratio_to_copy_min": GOAL_RATIO, "vs_torch_min": GOAL_TORCH,
                  "per_op": goals},
        "runs": runs,
    }
    if a.nccl_self:
        out["nccl_self_send_recv_world1"] = json.load(open(a.nccl_self))
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    for r in runs:
        line = " ".join("%s %.1fus r%.2f t%s" % (n, o["us"], o["traffic_ratio_to_copy"], o.get("vs_torch")) for n, o in r["ops"].items())
        print("N=%d %s verified=%s: %s" % (r["world_size"], r["dtype"], r["verified"], line))


if __name__ == "__main__":
    main()
