"""Draws docs/control-latency.svg from bench/results/control-*.json: a step's p50 and p99 at T=1 and
T=8 across 4 node processes and a client, per machine and spin window, on a log time axis, against
the issue's goal (p50 <= 100 us, p99 <= 1 ms).

  python3 scripts/perf/control_chart.py bench/results/control-2026-12-06-h100host.json \
      bench/results/control-2026-12-06-devvm-spinwindow.json --out docs/control-latency.svg
"""
import argparse
import json
import math


def bars(paths):
    out = []
    for p in paths:
        d = json.load(open(p))
        runs = d.get("runs") or [d]
        cores = d.get("host_cores")
        for r in runs:
            label = "%s cores, spin %s" % (cores, str(r.get("spin_window", "")).split(" ")[0])
            if r.get("spin_allowed_here") is False:
                label += " (off here)"
            out.append((label, r["t1_p50_us"], r["t1_p99_us"], r["t8_p50_us"]))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("results", nargs="+")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rows = bars(a.results)
    w, row_h, left, top = 760, 54, 220, 40
    h = top + row_h * len(rows) + 50
    lo, hi = math.log10(10), math.log10(100_000)

    def x(us):
        return left + (math.log10(max(us, 10)) - lo) / (hi - lo) * (w - left - 20)

    s = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">' % (w, h),
         '<text x="10" y="20" font-size="14">A step across 4 node processes and a client (cpu backend): p50 and p99, log scale</text>']
    for us in (10, 100, 1000, 10_000, 100_000):
        s.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>' % (x(us), top - 5, x(us), h - 40))
        s.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (x(us), h - 25, ("%d us" % us) if us < 1000 else ("%g ms" % (us / 1000))))
    s.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#2a2" stroke-dasharray="4,3"/>' % (x(100), top - 5, x(100), h - 40))
    s.append('<text x="%.1f" y="%d" fill="#2a2">goal p50</text>' % (x(100) + 3, top + 5))
    s.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#a22" stroke-dasharray="4,3"/>' % (x(1000), top - 5, x(1000), h - 40))
    s.append('<text x="%.1f" y="%d" fill="#a22">goal p99</text>' % (x(1000) + 3, top + 5))
    for i, (label, p50, p99, t8) in enumerate(rows):
        y = top + 10 + i * row_h
        s.append('<text x="10" y="%d">%s</text>' % (y + 14, label))
        s.append('<rect x="%d" y="%d" width="%.1f" height="12" fill="#4477aa"/>' % (left, y, x(p50) - left))
        s.append('<text x="%.1f" y="%d">T=1 p50 %.0f us</text>' % (x(p50) + 4, y + 10, p50))
        s.append('<rect x="%d" y="%d" width="%.1f" height="12" fill="#aa7744"/>' % (left, y + 16, x(p99) - left))
        s.append('<text x="%.1f" y="%d">T=1 p99 %.0f us (T=8 p50 %.0f us)</text>' % (x(p99) + 4, y + 26, p99, t8))
    s.append("</svg>")
    open(a.out, "w").write("\n".join(s) + "\n")


if __name__ == "__main__":
    main()
