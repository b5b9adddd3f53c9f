#!/usr/bin/env python3
"""Draws a chaos run's timeline as SVG from its history (tests/target/chaos/<seed>/history.jsonl):
fault intervals by kind on top, steps completed per second (ok, failed) in the middle, and the
world generation of the steps that completed below, on one time axis.

  python3 scripts/chaos/timeline.py HISTORY.jsonl OUT.svg [TITLE]
"""
import json
import sys
from collections import defaultdict

COLORS = {"loss": "#1f77b4", "partition": "#d62728", "kill": "#000000", "pause": "#9467bd",
          "slow": "#8c564b", "coordinator": "#e377c2", "hostile": "#ff7f0e"}


def main(src, dst, title):
    faults, open_faults, oks, fails, gens = [], {}, defaultdict(int), defaultdict(int), []
    for line in open(src):
        e = json.loads(line)
        t = e["t_ms"] / 1000.0
        if e["type"] == "fault":
            if e["phase"] == "start":
                open_faults[e["kind"]] = (t, e.get("rank"))
            else:
                start, rank = open_faults.pop(e["kind"])
                faults.append((e["kind"], start, t, rank))
        elif e["type"] == "ok":
            oks[int(t)] += 1
            gens.append((t, e["generation"]))
        elif e["type"] in ("fail", "timeout"):
            fails[int(t)] += 1
    end = max([f[2] for f in faults] + [g[0] for g in gens] + [1])
    w, left, right = 1200, 90, 20
    plot = w - left - right
    x = lambda t: left + plot * t / end
    rows = []
    # faults band
    y0 = 40
    kinds = [k for k in COLORS if any(f[0] == k for f in faults)]
    for i, k in enumerate(kinds):
        y = y0 + i * 16
        rows.append(f'<text x="{left - 6}" y="{y + 11}" text-anchor="end" font-size="11">{k}</text>')
        for kind, s, e, rank in faults:
            if kind == k:
                rows.append(f'<rect x="{x(s):.1f}" y="{y}" width="{max(1.5, x(e) - x(s)):.1f}" height="12" fill="{COLORS[k]}">'
                            f'<title>{k} rank {rank}: {s:.1f}-{e:.1f} s</title></rect>')
    # completions per second
    y1 = y0 + len(kinds) * 16 + 30
    h1 = 160
    peak = max(list(oks.values()) + [1])
    rows.append(f'<text x="{left - 6}" y="{y1 + 10}" text-anchor="end" font-size="11">steps/s</text>')
    rows.append(f'<text x="{left - 6}" y="{y1 + h1}" text-anchor="end" font-size="11">0</text>')
    rows.append(f'<text x="{left - 6}" y="{y1 + 24}" text-anchor="end" font-size="10">{peak}</text>')
    bar = max(1.0, plot / end)
    for s, n in oks.items():
        h = h1 * n / peak
        rows.append(f'<rect x="{x(s):.1f}" y="{y1 + h1 - h:.1f}" width="{bar:.2f}" height="{h:.1f}" fill="#2ca02c"/>')
    for s, n in fails.items():
        rows.append(f'<rect x="{x(s):.1f}" y="{y1 + h1 - 6}" width="{max(2, bar):.2f}" height="6" fill="#d62728"><title>{n} failed at {s} s</title></rect>')
    # generations
    y2 = y1 + h1 + 40
    h2 = 90
    gmax = max([g for _, g in gens] + [1])
    rows.append(f'<text x="{left - 6}" y="{y2 + 10}" text-anchor="end" font-size="11">generation</text>')
    rows.append(f'<text x="{left - 6}" y="{y2 + h2}" text-anchor="end" font-size="10">1</text>')
    rows.append(f'<text x="{left - 6}" y="{y2 + 24}" text-anchor="end" font-size="10">{gmax}</text>')
    pts = sorted(gens)
    step = max(1, len(pts) // 4000)
    path = " ".join(f"{x(t):.1f},{y2 + h2 - h2 * (g - 1) / max(1, gmax - 1):.1f}" for t, g in pts[::step])
    rows.append(f'<polyline points="{path}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>')
    # axis
    ya = y2 + h2 + 20
    rows.append(f'<line x1="{left}" y1="{ya}" x2="{left + plot}" y2="{ya}" stroke="#444"/>')
    tick = 60 if end > 300 else 30
    t = 0
    while t <= end:
        rows.append(f'<line x1="{x(t):.1f}" y1="{ya}" x2="{x(t):.1f}" y2="{ya + 5}" stroke="#444"/>')
        rows.append(f'<text x="{x(t):.1f}" y="{ya + 18}" text-anchor="middle" font-size="10">{t:.0f} s</text>')
        t += tick
    height = ya + 30
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{height}" font-family="sans-serif">',
           f'<rect width="{w}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="20" font-size="14">{title}</text>'] + rows + ["</svg>"]
    open(dst, "w").write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "chaos run")
