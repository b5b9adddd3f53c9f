"""The same EP semantics as native-ep, written with PyTorch tensor ops, timed the same way.

World size 1 (one GPU): HT dispatch = layout + gather of the tokens routed to this rank (ascending
token order) with local expert ids; HT combine = index_add of the returned rows in fp32, rounded
once; LL dispatch = one row per (token, expert) pair into the expert-major [L, N*M, H] layout with
slots in ascending token order; LL combine = gather of each pair's row, weighted sum over k in fp32.
Times are CUDA-event medians after warm-up with L2 flushed before each op. Prints JSON.
"""
import argparse
import json

import torch


def median_us(fn, iters, warmup, flush):
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    times = []
    for i in range(warmup + iters):
        flush.fill_(i & 0xFF)
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        if i >= warmup:
            times.append(start.elapsed_time(stop))
    times.sort()
    return 1000.0 * times[len(times) // 2]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tokens", type=int, default=4096)
    p.add_argument("--ll-tokens", type=int, default=128)
    p.add_argument("--hidden", type=int, default=7168)
    p.add_argument("--topk", type=int, default=8)
    p.add_argument("--experts", type=int, default=256)
    p.add_argument("--iters", type=int, default=50)
    p.add_argument("--warmup", type=int, default=5)
    a = p.parse_args()
    dev = torch.device("cuda")
    T, H, K, E, M = a.tokens, a.hidden, a.topk, a.experts, a.ll_tokens
    N, me = 1, 0
    L = E // N
    g = torch.Generator(device=dev).manual_seed(42)
    x = torch.randn(T, H, device=dev, generator=g).to(torch.bfloat16)
    topk_idx = torch.rand(T, E, device=dev, generator=g).argsort(dim=1)[:, :K].contiguous()
    topk_w = torch.rand(T, K, device=dev, generator=g) * 0.95 + 0.05
    flush = torch.empty(256 << 20, dtype=torch.uint8, device=dev)

    state = {}

    def ht_dispatch():
        valid = topk_idx >= 0
        dest = torch.where(valid, topk_idx // L, N)
        in_rank = torch.zeros(T, N + 1, dtype=torch.bool, device=dev)
        in_rank.scatter_(1, dest, True)
        sel = in_rank[:, me].nonzero().squeeze(1)
        idx = topk_idx.index_select(0, sel)
        mine = (idx >= me * L) & (idx < (me + 1) * L)
        state["sel"] = sel
        state["recv_x"] = x.index_select(0, sel)
        state["recv_idx"] = torch.where(mine, idx - me * L, -1)
        state["recv_w"] = torch.where(mine, topk_w.index_select(0, sel), 0.0)

    def ht_combine():
        out = torch.zeros(T, H, dtype=torch.float32, device=dev)
        out.index_add_(0, state["sel"], state["recv_x"].float())
        state["ht_out"] = out.to(torch.bfloat16)

    xl, il, wl = x[:M], topk_idx[:M], topk_w[:M]

    def ll_dispatch():
        e = il.flatten()
        tok = torch.arange(M, device=dev).repeat_interleave(K)
        valid = e >= 0
        ekey = torch.where(valid, e, E)
        order = torch.argsort(ekey * M + tok)
        counts = torch.bincount(ekey, minlength=E + 1)
        starts = torch.cumsum(counts, 0) - counts
        es = ekey[order]
        slot = torch.arange(M * K, device=dev) - starts[es]
        row = (es % L) * (N * M) + me * M + slot
        recv = torch.zeros(L * N * M, H, dtype=torch.bfloat16, device=dev)
        ok = es < E
        recv[row[ok]] = xl[tok[order][ok]]
        pair_row = torch.empty_like(row)
        pair_row[order] = row
        state["ll_recv"] = recv
        state["pair_row"] = pair_row.view(M, K)

    def ll_combine():
        y = state["ll_recv"]
        rows = y.index_select(0, state["pair_row"].flatten()).view(M, K, H).float()
        state["ll_out"] = (rows * wl.unsqueeze(-1)).sum(dim=1).to(torch.bfloat16)

    res = {}
    res["ht_dispatch_us"] = median_us(ht_dispatch, a.iters, a.warmup, flush)
    res["ht_combine_us"] = median_us(ht_combine, a.iters, a.warmup, flush)
    res["ll_dispatch_us"] = median_us(ll_dispatch, a.iters, a.warmup, flush)
    res["ll_combine_us"] = median_us(ll_combine, a.iters, a.warmup, flush)
    # Sanity: HT round trip is x (one rank, unweighted); LL round trip is x * sum(w).
    torch.testing.assert_close(state["ht_out"].float(), x.float(), rtol=1e-2, atol=1e-2)
    ref = (xl.float() * wl.sum(dim=1, keepdim=True)).to(torch.bfloat16).float()
    torch.testing.assert_close(state["ll_out"].float(), ref, rtol=2e-2, atol=2e-2)
    ht_bytes, ll_bytes = T * H * 2, M * K * H * 2
    src = torch.empty(ht_bytes, dtype=torch.uint8, device=dev)
    dst = torch.empty_like(src)
    res["copy_ht_us"] = median_us(lambda: dst.copy_(src), a.iters, a.warmup, flush)
    res["copy_ll_pairs_us"] = median_us(lambda: dst[:ll_bytes].copy_(src[:ll_bytes]), a.iters, a.warmup, flush)
    res["torch"] = torch.__version__
    res["checks"] = "ht round trip == x, ll round trip == x*sum(w) (assert_close passed)"
    print(json.dumps(res))


if __name__ == "__main__":
    main()
