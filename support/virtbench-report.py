#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The report of support/virtbench.sh: tables and plots from its raw results.

Usage: virtbench-report.py DIR

Reads DIR/results.csv (one row per metric per run: ok with a value, failed with why, absent
with why), DIR/platforms.tsv (each platform: present or absent, emulated or not, how its
figures are obtained), DIR/metrics.tsv (each metric's unit and which way is better) and
DIR/meta.tsv. Writes DIR/results.json (everything, with a summary per metric and platform),
DIR/results.md (one table per workload group: median [min-max] and the cost against native
Linux) and one PNG per group (micro.png, compute.png, network.png, block.png, startup.png)
with matplotlib; prints the Markdown. Emulated platforms (QEMU TCG, Xen nested under TCG) are
marked in every table and plot: their slowness is the emulator's, not a virtualization cost.
"""
import csv
import json
import math
import os
import statistics
import sys
import textwrap

GROUPS = [
    ("micro", "Microbenchmarks", ["null-call", "clock", "sleep", "touch", "bandwidth", "switch", "mutex", "crash"]),
    ("compute", "Compute", ["sqlite", "lua"]),
    ("network", "Network", ["http", "echo"]),
    ("block", "Block", ["blk"]),
    ("startup", "Start-up", ["startup"]),
]
NAMES = {
    "native": "Linux (native)",
    "hv-process": "skiff-hv process",
    "hv-kvm": "skiff-hv KVM",
    "qemu-kvm-microvm": "QEMU KVM microvm",
    "qemu-kvm-pc": "QEMU KVM pc",
    "qemu-kvm-q35-ovmf": "QEMU KVM q35+OVMF",
    "qemu-tcg-microvm": "QEMU TCG microvm",
    "qemu-tcg-pc": "QEMU TCG pc",
    "qemu-tcg-q35-ovmf": "QEMU TCG q35+OVMF",
    "xen-pv": "Xen PV",
    "xen-pvh": "Xen PVH",
}
EMULATED_MARK = "\u2020"  # a dagger: emulated, not an overhead


def read_tsv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def load(d):
    rows = list(csv.DictReader(open(os.path.join(d, "results.csv"), newline="")))
    platforms = read_tsv(os.path.join(d, "platforms.tsv"))
    metrics = read_tsv(os.path.join(d, "metrics.tsv"))
    meta = {r["key"]: r["value"] for r in read_tsv(os.path.join(d, "meta.tsv"))}
    return rows, platforms, metrics, meta


def summarize(rows, platforms, metrics):
    """One entry per metric and platform that has rows: values, status and the cost vs native."""
    cells = {}
    for r in rows:
        c = cells.setdefault((r["metric"], r["platform"]), {"values": [], "failed": [], "absent": []})
        if r["status"] == "ok":
            c["values"].append(float(r["value"]))
        elif r["status"] == "failed":
            c["failed"].append(r["note"])
        else:
            c["absent"].append(r["note"])
    better = {m["metric"]: m["better"] for m in metrics}
    summary = []
    for m in metrics:
        name = m["metric"]
        native = cells.get((name, "native"), {}).get("values")
        base = statistics.median(native) if native else None
        for p in platforms:
            c = cells.get((name, p["platform"]))
            if not c:
                continue
            e = {"metric": name, "workload": m["workload"], "unit": m["unit"], "better": better[name],
                 "platform": p["platform"], "emulated": p["emulated"] == "1", "runs": len(c["values"]),
                 "failed_runs": len(c["failed"])}
            if c["values"]:
                v = c["values"]
                e.update(status="ok", median=statistics.median(v), min=min(v), max=max(v))
                if base and e["median"] > 0:
                    e["cost_vs_native"] = (e["median"] / base if better[name] == "lower" else base / e["median"])
                if c["failed"]:
                    e["note"] = c["failed"][0]
            elif c["failed"]:
                e.update(status="failed", note=c["failed"][0])
            else:
                e.update(status="absent", note=c["absent"][0])
            summary.append(e)
    return summary


def fmt(v):
    if v >= 100:
        return "{:,.0f}".format(v)
    if v >= 10:
        return "{:.1f}".format(v)
    return "{:.3g}".format(v)


def column_name(p):
    return NAMES.get(p["platform"], p["platform"]) + (" " + EMULATED_MARK if p["emulated"] == "1" else "")


def markdown(summary, platforms, metrics, meta, plotted):
    present = [p for p in platforms if p["state"] == "present"]
    what = {m["metric"]: m for m in metrics}
    out = ["# virtbench results", ""]
    runs = meta.get("reps", "?")
    if meta.get("emulated_reps", runs) != runs:
        runs += " (%s on emulated platforms)" % meta["emulated_reps"]
    out.append("%s; %s; load average %s. `%s`: %s runs of each workload on each platform (%s). Each cell: "
               "the median [lowest-highest] and, after the dot, the cost against native Linux (time / native "
               "time, or native rate / rate: 1.00x is native speed, 2.00x half of it)."
               % (meta.get("date", ""), meta.get("host", ""), meta.get("load", "?"), meta.get("command", ""), runs,
                  meta.get("sizes", "")))
    out.append("")
    out.append("| platform | how the figures were obtained |")
    out.append("| --- | --- |")
    for p in present:
        out.append("| %s | %s |" % (column_name(p), p["label"]))
    out.append("")
    if any(p["emulated"] == "1" for p in present):
        out.append("%s emulated: the CPU (QEMU TCG), or Xen nested under it, is emulated in software. These "
                   "figures are the emulator's speed, not what paravirtualization or virtualization costs; "
                   "their ratios are in italics." % EMULATED_MARK)
        out.append("")
    gone = [p for p in platforms if p["state"] != "present"]
    if gone:
        out.append("Absent here: " + "; ".join("%s (%s)" % (p["platform"], p["reason"]) for p in gone) + ".")
        out.append("")
    by = {(e["metric"], e["platform"]): e for e in summary}
    for key, title, workloads in GROUPS:
        names = [m["metric"] for m in metrics if m["workload"] in workloads and
                 any((m["metric"], p["platform"]) in by for p in present)]
        if not names:
            continue
        notes = []
        out.append("## " + title)
        out.append("")
        out.append("| metric | " + " | ".join(column_name(p) for p in present) + " |")
        out.append("| --- |" + " --- |" * len(present))
        for name in names:
            m = what[name]
            cells = []
            for p in present:
                e = by.get((name, p["platform"]))
                cells.append(cell(e, notes))
            arrow = "higher is better" if m["better"] == "higher" else "lower is better"
            out.append("| %s (%s, %s) | %s |" % (m["what"], m["unit"], arrow, " | ".join(cells)))
        out.append("")
        for i, n in enumerate(notes, 1):
            out.append("%d. %s" % (i, n))
        if notes:
            out.append("")
        if key in plotted:
            out.append("![%s](%s.png)" % (title, key))
            out.append("")
    return "\n".join(out)


def cell(e, notes):
    if e is None:
        return ""

    def note(text):
        if text not in notes:
            notes.append(text)
        return notes.index(text) + 1

    if e["status"] == "failed":
        return "**failed** (%d run%s) [%d]" % (e["failed_runs"], "" if e["failed_runs"] == 1 else "s",
                                                note(e["note"]))
    if e["status"] == "absent":
        return "n/a [%d]" % note(e["note"])
    text = "%s [%s-%s]" % (fmt(e["median"]), fmt(e["min"]), fmt(e["max"]))
    if "cost_vs_native" in e and e["platform"] != "native":
        ratio = "%.2fx" % e["cost_vs_native"]
        text += " \u00b7 " + ("*%s*" % ratio if e["emulated"] else ratio)
    if e["failed_runs"]:
        text += " (%d failed [%d])" % (e["failed_runs"], note(e["note"]))
    return text


COLORS = {"native": "#444444", "hv": "#1f77b4", "qemu-kvm": "#2ca02c", "qemu-tcg": "#ff7f0e", "xen": "#9467bd"}


def color(platform):
    for k, c in COLORS.items():
        if platform == k or platform.startswith(k + "-"):
            return c
    return "#888888"


def plot(d, summary, platforms, metrics, meta):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    present = [p for p in platforms if p["state"] == "present"]
    what = {m["metric"]: m for m in metrics}
    by = {(e["metric"], e["platform"]): e for e in summary}
    written = []
    for key, title, workloads in GROUPS:
        names = [m["metric"] for m in metrics if m["workload"] in workloads and
                 any(by.get((m["metric"], p["platform"]), {}).get("status") == "ok" for p in present)]
        if not names:
            continue
        cols = 2 if len(names) > 1 else 1
        rows = math.ceil(len(names) / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(11, (0.3 * len(present) + 0.9) * rows + 0.8 + 0.13 * (len(present) + 3)),
                                 squeeze=False)
        for ax, name in zip(axes.flat, names):
            draw(ax, name, what[name], present, by)
        for ax in list(axes.flat)[len(names):]:
            ax.axis("off")
        runs = meta.get("reps", "?") + " runs"
        if meta.get("emulated_reps", "") not in ("", meta.get("reps")):
            runs += " (%s on emulated platforms)" % meta["emulated_reps"]
        fig.suptitle("virtbench: %s, medians of %s; bars span lowest to highest\n%s, %s"
                     % (title, runs, meta.get("host", ""), meta.get("date", "")), fontsize=10)
        note = footer(present)
        fig.text(0.01, 0.005, note, fontsize=7, va="bottom", ha="left")
        height = fig.get_figheight()
        # Room for the two title lines at the top and the footer's lines at the bottom.
        fig.tight_layout(rect=(0, (0.13 * (note.count("\n") + 1) + 0.1) / height, 1, 1 - 0.55 / height))
        path = os.path.join(d, key + ".png")
        fig.savefig(path, dpi=72)
        plt.close(fig)
        shrink(path)
        written.append(key)
    return written


def shrink(path):
    """A palette PNG: a quarter of the size, small enough to keep in the repository."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as im:
        small = im.convert("RGB").quantize(colors=64)
    small.save(path, optimize=True)


def draw(ax, name, m, present, by):
    ys, labels = [], []
    vals = [by[(name, p["platform"])]["median"] for p in present
            if by.get((name, p["platform"]), {}).get("status") == "ok"]
    log = vals and min(vals) > 0 and max(vals) / min(vals) > 30
    for i, p in enumerate(present):
        e = by.get((name, p["platform"]))
        y = len(present) - 1 - i
        ys.append(y)
        labels.append(column_name(p))
        if not e or e["status"] != "ok":
            ax.text(0.01, y, e["status"] if e else "not run", transform=ax.get_yaxis_transform(),
                    va="center", fontsize=7, color="#aa0000" if e and e["status"] == "failed" else "#777777")
            continue
        emulated = p["emulated"] == "1"
        ax.barh(y, e["median"], color=color(p["platform"]), alpha=0.45 if emulated else 0.9,
                hatch="///" if emulated else None, edgecolor="#333333" if emulated else None,
                xerr=[[e["median"] - e["min"]], [e["max"] - e["median"]]], capsize=2, error_kw={"lw": 0.8})
        tag = fmt(e["median"])
        if "cost_vs_native" in e and p["platform"] != "native":
            tag += "  (%.2fx)" % e["cost_vs_native"]
        ax.text(e["max"], y, " " + tag, va="center", fontsize=7)
    ax.set_yticks(ys)
    ax.set_yticklabels(labels, fontsize=7)
    if log:
        ax.set_xscale("log")
    lo, hi = ax.get_xlim()
    ax.set_xlim(lo, hi * (3 if log else 1.35))
    ax.tick_params(axis="x", labelsize=7)
    ax.set_title("%s (%s, %s is better)" % (m["what"], m["unit"], m["better"]), fontsize=8)


def footer(present):
    lines = ["How the figures were obtained:"]
    for p in present:
        lines.append("%s: %s" % (column_name(p), p["label"]))
    if any(p["emulated"] == "1" for p in present):
        lines.append("%s hatched: emulated CPU (QEMU TCG, or Xen nested under it): the emulator's speed, "
                     "not a virtualization overhead." % EMULATED_MARK)
    return "\n".join(textwrap.shorten(line, 190) for line in lines)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: virtbench-report.py DIR")
    d = sys.argv[1]
    rows, platforms, metrics, meta = load(d)
    summary = summarize(rows, platforms, metrics)
    with open(os.path.join(d, "results.json"), "w") as f:
        json.dump({"meta": meta, "platforms": platforms, "metrics": metrics, "summary": summary, "runs": rows},
                  f, indent=1)
    try:
        pngs = plot(d, summary, platforms, metrics, meta)
    except ImportError as e:
        print("virtbench-report: no plots: %s (support/deps.sh bench installs python3-matplotlib)" % e,
              file=sys.stderr)
        pngs = []
    md = markdown(summary, platforms, metrics, meta, pngs)
    with open(os.path.join(d, "results.md"), "w") as f:
        f.write(md + "\n")
    print(md)
    for key in pngs:
        print("plot: " + os.path.join(d, key + ".png"))


if __name__ == "__main__":
    main()
