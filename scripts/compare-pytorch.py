#!/usr/bin/env python3
"""Times the paper's PTB language model in PyTorch and in GRUKit (gru-bench) at several hidden sizes.

What is compared. For each hidden size H (default 128, 256, 650, 1024; the paper's PTB model is
650) the embedding is E = H (--embedding fixes it instead), with vocabulary V = 10,000, batch
B = 20, T = 35 steps, dropout 0.5, Float32 and 2 threads. The PyTorch model is the one gru-bench
trains, shape for shape:

    nn.Embedding(V, E) -> x 0.01 -> dropout(p) -> nn.GRU(E, H, bias=False) -> dropout(p)
        -> nn.Linear(H, V) -> cross-entropy (mean over tokens)

trained by plain SGD (lr 1) on windows of T x B random tokens, the hidden state carried from
window to window without gradient (truncated BPTT), torch.set_num_threads(THREADS). One
iteration is forward + backward + SGD step, in both frameworks; GRUKit's side is
`gru-bench --json --cell reset-after` (PyTorch's GRU form) with the same shape, run with
--binding-warmup 0 --run-iterations 0 --projections 1 so that it times the iterations and little
else (gru-bench's projection_share_binding is a separate, much longer run, not part of this table).

How. Wall-clock times on a shared machine are noisy, so everything runs in the same invocation and
alternates: for each H the pair (PyTorch, GRUKit) is run --repeats times, the order rotated on
every repeat (PyTorch first, then GRUKit first, ...), so a slow spell of the machine hits both
frameworks. With --baseline-bench, a second gru-bench (an earlier build, say) joins the rotation
as a third column with the ratio GRUKit / baseline: a change's before and after, in one run. Each run reports the minimum over its timed iterations (after untimed warm-up ones)
and its median; a size's time is the minimum of those minima (the median of the medians is shown
beside it). The ratio is GRUKit / PyTorch, judged against the goal GRUKit <= 0.8 x PyTorch:
"ok" at or below 0.8, "above 0.8" up to 1, "slower" beyond. Tokens per second are B*T over the
minimum. The torch version, its BLAS (torch.__config__), the CPU model, gru-bench's blas_core
and the 1-minute load average before and after the sweep are printed with the table.

Against the peak. Each size's FLOPs per iteration are counted from the shapes by the formula of
GRUKit's StepFlops (step_flops below: the nine matrix products of a step, 2 FLOPs per
multiply-add, 6*N*H*V + 6*N*3H*(E + H) with N = T*B; the elementwise work is not counted), the
same for both frameworks, and checked against the flops_per_iteration gru-bench reports. GFLOP/s
are those FLOPs over a framework's minimum time, and the fraction of peak divides them by one peak
for the whole table: the highest peak_gflops of the sweep's gru-bench runs (each measures the
machine's peak with FMA loops on all cores, see gru-bench --help), or, with --skip-bench or a
gru-bench that does not report it, one `gru-bench --peak-only` at the end. The highest, because
each measurement is the fastest of its rounds and a busy machine only lowers it. (PyTorch may skip
the step's last recurrent product, the gradient into the detached initial state: one of 70, 0.1 %
of the FLOPs at H = 650; the count is the model's, not either implementation's.)

Output. The table goes to standard output and to figures/compare/compare.tsv (tab-separated, a
header line, one row per H); every run's raw numbers go to figures/compare/compare.json. Both
files are written once the sweep is over, each to a temporary file in the same folder and then
renamed, so an interrupted run leaves the previous files intact.

When PyTorch is not installed the script says so plainly and prints GRUKit's numbers alone.
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
GOAL = 0.8  # GRUKit <= GOAL x PyTorch


def load_average():
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def torch_blas(torch):
    """One short line on the BLAS under torch, from torch.__config__.show()."""
    try:
        text = torch.__config__.show()
    except Exception as e:  # a stripped build; the version alone is still printed
        return f"torch.__config__.show() failed: {e}"
    parts = []
    blas = re.search(r"BLAS_INFO=([^,\s]+)", text)
    lapack = re.search(r"LAPACK_INFO=([^,\s]+)", text)
    if blas:
        parts.append(f"BLAS {blas.group(1)}")
    if lapack:
        parts.append(f"LAPACK {lapack.group(1)}")
    mkl = re.search(r"Math Kernel Library Version ([\w.]+)", text)
    if mkl:
        parts.append(f"MKL {mkl.group(1)}")
    dnn = re.search(r"MKL-DNN (v[\w.]+)", text)
    if dnn:
        parts.append(f"oneDNN {dnn.group(1)}")
    cap = re.search(r"CPU capability usage: (\S+)", text)
    if cap:
        parts.append(f"CPU capability {cap.group(1)}")
    if "OpenMP" in text:
        parts.append("OpenMP")
    return ", ".join(parts) or "no BLAS information in torch.__config__"


class PyTorchModel:
    """The PTB model at one shape, built once per H and timed once per repeat."""

    def __init__(self, torch, args, E, H):
        nn = torch.nn
        torch.manual_seed(args.seed)
        V, B, T = args.vocabulary, args.batch, args.steps
        self.torch, self.args, self.H, self.V = torch, args, H, V

        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.encoder = nn.Embedding(V, E)
                self.drop = nn.Dropout(args.dropout)
                self.rnn = nn.GRU(E, H, bias=False)
                self.decoder = nn.Linear(H, V)

            def forward(self, x, h):
                y, h = self.rnn(self.drop(self.encoder(x) * 0.01), h)
                return self.decoder(self.drop(y)).view(-1, V), h

        self.model = Model()
        self.model.train()
        self.opt = torch.optim.SGD(self.model.parameters(), lr=args.learning_rate)
        self.loss_fn = nn.CrossEntropyLoss()
        gen = torch.Generator().manual_seed(args.seed + 100)
        self.windows = [(torch.randint(0, V, (T, B), generator=gen), torch.randint(0, V, (T, B), generator=gen))
                        for _ in range(4)]
        self.h = torch.zeros(1, B, H)

    def run(self):
        """One timed run: warm-up, then the timed iterations; the projection timed after them."""
        torch, args = self.torch, self.args
        load_before = load_average()
        times = []
        loss = None
        for i in range(args.warmup + args.iterations):
            x, y = self.windows[i % len(self.windows)]
            t0 = time.perf_counter()
            self.opt.zero_grad(set_to_none=False)
            out, self.h = self.model(x, self.h.detach())
            loss = self.loss_fn(out, y.view(-1))
            loss.backward()
            self.opt.step()
            dt = time.perf_counter() - t0
            if i >= args.warmup:
                times.append(dt)
        # The projection P_delta of weight_hh_l0[2H:3H] (the candidate block) by a full SVD, as a
        # PyTorch user would write it: W = U diag(min(S, c)) Vh, c = 2 - delta. Timed once per run
        # (gru-bench's --projections 1 likewise); it is in the JSON, not in the table.
        c = 2.0 - args.delta
        H = self.H
        p0 = time.perf_counter()
        with torch.no_grad():
            w = self.model.rnn.weight_hh_l0[2 * H:3 * H]
            u, s, vh = torch.linalg.svd(w, full_matrices=False)
            w.copy_((u * s.clamp(max=c)) @ vh)
        projection = time.perf_counter() - p0
        return {"seconds_per_iteration": min(times), "seconds_per_iteration_median": statistics.median(times),
                "iteration_seconds": times, "projection_full_svd_ms": projection * 1e3,
                "final_loss": loss.item(), "load_before": load_before, "load_after": load_average()}


def step_flops(V, E, H, B, T):
    """FLOPs of one training step, the formula of GRUKit's StepFlops (Engine/StepFlops.swift): its
    nine matrix products at 2 FLOPs per multiply-add, N = T*B rows. Returns (total, output layer, GRU)."""
    N = T * B
    products = [
        (N, 3 * H, E, 1),      # GRU input projection X W_ih^T
        (B, 3 * H, H, T),      # GRU recurrence h W_hh^T, T calls
        (N, V, H, 1),          # output layer y W^T
        (N, H, V, 1),          # output layer dy = G W
        (V, H, N, 1),          # output layer dW = G^T y
        (B, H, 3 * H, T),      # GRU recurrence back da W_hh, T calls
        (3 * H, E, N, 1),      # GRU dW_ih = A^T X
        (3 * H, H, N, 1),      # GRU dW_hh = A_h^T H
        (N, E, 3 * H, 1),      # GRU dX = A W_ih
    ]
    flops = [2 * m * n * k * calls for m, n, k, calls in products]
    output = flops[2] + flops[3] + flops[4]
    return sum(flops), output, sum(flops) - output


def measure_peak(executable):
    """One `gru-bench --peak-only --json`: its peak fields, or None (with a note) where it cannot run."""
    cmd = [executable, "--peak-only", "--json"]
    try:
        proc = subprocess.run(cmd, check=True, capture_output=True, text=True)
        fields = json.loads(proc.stdout.strip().splitlines()[-1])
    except (OSError, subprocess.CalledProcessError, IndexError, json.JSONDecodeError) as e:
        print(f"compare-pytorch: could not measure the peak with {' '.join(cmd)} ({e}): no fraction of peak")
        return None
    return fields if fields.get("peak_gflops") else None


def run_gru_bench(args, E, H, executable=None):
    executable = executable or args.gru_bench
    cmd = [executable, "--json", "--cell", "reset-after", "--vocabulary", str(args.vocabulary),
           "--embedding", str(E), "--hidden", str(H), "--batch", str(args.batch),
           "--steps", str(args.steps), "--dropout", str(args.dropout), "--threads", str(args.threads),
           "--iterations", str(args.iterations), "--warmup", str(args.warmup), "--delta", str(args.delta),
           "--learning-rate", str(args.learning_rate), "--seed", str(args.seed),
           "--binding-warmup", "0", "--run-iterations", "0", "--projections", "1"]
    shown = " ".join(cmd)
    try:
        proc = subprocess.run(cmd, check=True, capture_output=True, text=True)
    except FileNotFoundError:
        sys.exit(f"compare-pytorch: {executable} not found: build it first "
                 "(swift build -c release --product gru-bench, or make build)")
    except OSError as e:
        sys.exit(f"compare-pytorch: could not run {shown}: {e}")
    except subprocess.CalledProcessError as e:
        sys.exit(f"compare-pytorch: {shown} failed with status {e.returncode}:\n{e.stderr}")
    lines = proc.stdout.strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError) as e:
        sys.exit(f"compare-pytorch: {shown} printed no JSON object on its last line ({e}):\n"
                 f"{proc.stdout}{proc.stderr}")


def positive_int_list(text):
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated positive integers, got {text!r}")
    if not sizes or any(s <= 0 for s in sizes):
        raise argparse.ArgumentTypeError(f"expected comma-separated positive integers, got {text!r}")
    return sizes


def write_atomically(path, text):
    """Writes text to path through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it 0600; the result is an ordinary file
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def verdict(ratio):
    if ratio is None:
        return "-"
    if ratio <= GOAL:
        return "ok"
    return f"above {GOAL}" if ratio <= 1 else "slower"


def summarise(runs):
    """(min of the minima, median of the medians) over a framework's runs at one size."""
    if not runs:
        return None, None
    return (min(r["seconds_per_iteration"] for r in runs),
            statistics.median(r["seconds_per_iteration_median"] for r in runs))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    ap.add_argument("--gru-bench", default=None, help="the gru-bench executable (default: .build/release/gru-bench)")
    sizes = ap.add_mutually_exclusive_group()
    sizes.add_argument("--hidden-sizes", type=positive_int_list, default=None,
                       help="comma-separated hidden sizes H to sweep (default: 128,256,650,1024)")
    sizes.add_argument("--hidden", type=int, default=None, help="a single hidden size H")
    ap.add_argument("--embedding", type=int, default=None, help="embedding size E (default: E = H)")
    ap.add_argument("--vocabulary", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--steps", type=int, default=35)
    ap.add_argument("--dropout", type=float, default=0.5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--iterations", type=int, default=10, help="timed iterations per run (the minimum is reported)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed warm-up iterations per run")
    ap.add_argument("--repeats", type=int, default=3,
                    help="runs of each (framework, H) pair, alternating; the minimum of the minima is reported")
    ap.add_argument("--delta", type=float, default=0.2)
    ap.add_argument("--learning-rate", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--output", default=None,
                    help="folder for compare.tsv and compare.json (default: figures/compare)")
    ap.add_argument("--skip-bench", action="store_true", help="time PyTorch only")
    ap.add_argument("--baseline-bench", default=None,
                    help="a second gru-bench (say, an earlier commit's build) timed in the same rotation: "
                         "its column and the ratio GRUKit / baseline show a change's before and after in one run")
    args = ap.parse_args()
    for name in ("vocabulary", "batch", "steps", "threads", "iterations", "repeats", "hidden", "embedding"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            ap.error(f"argument --{name.replace('_', '-')}: must be positive, got {value}")
    if args.warmup < 0:
        ap.error(f"argument --warmup: must not be negative, got {args.warmup}")
    if not 0 <= args.dropout < 1:
        ap.error(f"argument --dropout: must lie in [0, 1), got {args.dropout}")
    hidden_sizes = [args.hidden] if args.hidden else (args.hidden_sizes or [128, 256, 650, 1024])
    args.gru_bench = args.gru_bench or str(PROJECT / ".build" / "release" / "gru-bench")
    output = Path(args.output) if args.output else PROJECT / "figures" / "compare"
    tokens = args.batch * args.steps

    load_start = load_average()
    print(f"V={args.vocabulary} B={args.batch} T={args.steps}, E = {args.embedding or 'H'}, "
          f"H in {','.join(map(str, hidden_sizes))}; dropout {args.dropout}, Float32, {args.threads} threads; "
          f"{args.warmup} warm-up + {args.iterations} timed iterations per run, {args.repeats} "
          f"run{'s' if args.repeats != 1 else ''} per framework and size, alternating")
    try:
        import torch
    except ImportError as e:
        torch = None
        print(f"PyTorch is NOT installed (import torch failed: {e}): no PyTorch timing; install it with "
              "`pip install torch` (or run `make compare`, which installs it in .venv-compare/) to compare. "
              "GRUKit's numbers follow alone.")
    if torch is not None:
        torch.set_num_threads(args.threads)
    sys.stdout.flush()

    results = []
    for H in hidden_sizes:
        E = args.embedding or H
        model = PyTorchModel(torch, args, E, H) if torch is not None else None
        pt_runs, gk_runs, base_runs = [], [], []
        for r in range(args.repeats):
            order = ["pytorch", "grukit"] + (["baseline"] if args.baseline_bench else [])
            order = order[r % len(order):] + order[:r % len(order)]
            for framework in order:
                if framework == "pytorch" and model is not None:
                    pt_runs.append(model.run())
                elif framework == "grukit" and not args.skip_bench:
                    gk_runs.append(run_gru_bench(args, E, H))
                elif framework == "baseline" and not args.skip_bench:
                    base_runs.append(run_gru_bench(args, E, H, args.baseline_bench))
        del model
        pt_min, pt_med = summarise(pt_runs)
        gk_min, gk_med = summarise(gk_runs)
        base_min, base_med = summarise(base_runs)
        ratio = gk_min / pt_min if pt_min and gk_min else None
        flops, flops_output, flops_gru = step_flops(args.vocabulary, E, H, args.batch, args.steps)
        for g in gk_runs:
            if "flops_per_iteration" in g and g["flops_per_iteration"] != flops:
                sys.exit(f"compare-pytorch: gru-bench counts {g['flops_per_iteration']} FLOPs per iteration at H={H} "
                         f"E={E}, this script's formula {flops}: the two formulas differ")
        results.append({"hidden": H, "embedding": E, "flops_per_iteration": flops,
                        "flops_output_layer": flops_output, "flops_gru": flops_gru,
                        "pytorch_min": pt_min, "pytorch_median": pt_med,
                        "grukit_min": gk_min, "grukit_median": gk_med, "ratio": ratio, "verdict": verdict(ratio),
                        "pytorch_tokens_per_second": tokens / pt_min if pt_min else None,
                        "grukit_tokens_per_second": tokens / gk_min if gk_min else None,
                        "baseline_min": base_min, "baseline_median": base_med,
                        "ratio_over_baseline": gk_min / base_min if gk_min and base_min else None,
                        "pytorch_runs": pt_runs, "grukit_runs": gk_runs, "baseline_runs": base_runs})
        line = f"H={H} E={E}:"
        if pt_min:
            line += f" PyTorch {pt_min:.4f} s ({pt_med:.4f})"
        if gk_min:
            line += f" GRUKit {gk_min:.4f} s ({gk_med:.4f})"
        if ratio:
            line += f" ratio {ratio:.2f}"
        if base_min:
            line += f" baseline {base_min:.4f} s ({base_med:.4f})"
        print(line, flush=True)
    # One peak for the whole table: the highest the sweep's gru-bench runs measured.
    peaks = [g for res in results for g in res["grukit_runs"] if g.get("peak_gflops")]
    peak = max(peaks, key=lambda g: g["peak_gflops"]) if peaks else None
    if peak is None and os.path.exists(args.gru_bench):
        peak = measure_peak(args.gru_bench)
    peak_gflops = peak["peak_gflops"] if peak else None
    for res in results:
        for fw in ("pytorch", "grukit"):
            t = res[f"{fw}_min"]
            gflops = res["flops_per_iteration"] / t / 1e9 if t else None
            res[f"{fw}_gflops"] = gflops
            res[f"{fw}_fraction_of_peak"] = gflops / peak_gflops if gflops and peak_gflops else None
    load_end = load_average()

    def fmt(x, spec):
        return "-" if x is None else format(x, spec)

    header = ["H", "PyTorch s/it min (median)", "GRUKit s/it min (median)", "GRUKit/PyTorch",
              f"goal <= {GOAL}", "PyTorch tokens/s", "GRUKit tokens/s", "GFLOP/it",
              "PyTorch GFLOP/s", "GRUKit GFLOP/s", "PyTorch of peak", "GRUKit of peak"]
    if args.baseline_bench:
        header += ["baseline s/it min (median)", "GRUKit/baseline"]
    rows = [header]
    for res in results:
        row = [str(res["hidden"]),
               "-" if res["pytorch_min"] is None else f"{res['pytorch_min']:.4f} ({res['pytorch_median']:.4f})",
               "-" if res["grukit_min"] is None else f"{res['grukit_min']:.4f} ({res['grukit_median']:.4f})",
               fmt(res["ratio"], ".2f"), res["verdict"],
               fmt(res["pytorch_tokens_per_second"], ",.0f"), fmt(res["grukit_tokens_per_second"], ",.0f"),
               f"{res['flops_per_iteration'] / 1e9:.2f}",
               fmt(res["pytorch_gflops"], ".1f"), fmt(res["grukit_gflops"], ".1f"),
               fmt(res["pytorch_fraction_of_peak"], ".1%"), fmt(res["grukit_fraction_of_peak"], ".1%")]
        if args.baseline_bench:
            row += ["-" if res["baseline_min"] is None else f"{res['baseline_min']:.4f} ({res['baseline_median']:.4f})",
                    fmt(res["ratio_over_baseline"], ".2f")]
        rows.append(row)

    blas_core = next((g.get("blas_core") for res in results for g in res["grukit_runs"]), None)
    torch_line = (f"PyTorch {torch.__version__} ({torch_blas(torch)})" if torch is not None
                  else "PyTorch not installed")
    info = [torch_line,
            f"GRUKit gru-bench, reset-after, blas_core {blas_core or '-'}"
            + (f"; baseline {args.baseline_bench}" if args.baseline_bench else ""),
            f"CPU {cpu_model()}, {os.cpu_count()} cores; load average {load_start} before, {load_end} after",
            (f"peak {peak_gflops:.1f} GFLOP/s: FMA loop ({peak.get('peak_isa')}) on {peak.get('peak_cores')} cores at once, "
             f"each {', '.join(f'{x:.1f}' for x in peak.get('peak_gflops_per_core', []))}; one core alone "
             f"{peak.get('peak_gflops_one_core', float('nan')):.1f} "
             + (f"(the highest of the sweep's {len(peaks)} measurement{'s' if len(peaks) > 1 else ''})" if peaks
                else "(gru-bench --peak-only after the sweep)")) if peak
            else "peak not measured: no fraction of peak"]
    print()
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for r in rows:
        print("  ".join(c.rjust(w) if i != 4 else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip())
    for line in info:
        print(line)
    print(f"Times are seconds per iteration (forward, backward, SGD), the minimum over {args.iterations} "
          f"timed iterations of each of {args.repeats} alternating run{'s' if args.repeats != 1 else ''} (median "
          f"of the runs' medians in brackets); tokens/s = "
          f"B*T / minimum = {tokens} / minimum; GFLOP/it counts the step's matrix products from the shapes "
          f"(2 FLOPs per multiply-add, the same for both), GFLOP/s = GFLOP/it / minimum, of peak = GFLOP/s / peak.")

    tsv_header = ["hidden", "embedding", "pytorch_s_per_iteration_min", "pytorch_s_per_iteration_median",
                  "grukit_s_per_iteration_min", "grukit_s_per_iteration_median", "ratio_grukit_over_pytorch",
                  "verdict", "pytorch_tokens_per_second", "grukit_tokens_per_second",
                  "baseline_s_per_iteration_min", "baseline_s_per_iteration_median", "ratio_grukit_over_baseline",
                  "flops_per_iteration", "pytorch_gflops", "grukit_gflops", "pytorch_fraction_of_peak",
                  "grukit_fraction_of_peak", "peak_gflops"]
    tsv = ["\t".join(tsv_header)]
    for res in results:
        tsv.append("\t".join([str(res["hidden"]), str(res["embedding"]),
                              fmt(res["pytorch_min"], ".5f"), fmt(res["pytorch_median"], ".5f"),
                              fmt(res["grukit_min"], ".5f"), fmt(res["grukit_median"], ".5f"),
                              fmt(res["ratio"], ".3f"), res["verdict"],
                              fmt(res["pytorch_tokens_per_second"], ".1f"),
                              fmt(res["grukit_tokens_per_second"], ".1f"),
                              fmt(res["baseline_min"], ".5f"), fmt(res["baseline_median"], ".5f"),
                              fmt(res["ratio_over_baseline"], ".3f"), str(res["flops_per_iteration"]),
                              fmt(res["pytorch_gflops"], ".2f"), fmt(res["grukit_gflops"], ".2f"),
                              fmt(res["pytorch_fraction_of_peak"], ".4f"), fmt(res["grukit_fraction_of_peak"], ".4f"),
                              fmt(peak_gflops, ".2f")]))
    raw = {"settings": {"vocabulary": args.vocabulary, "embedding": args.embedding or "H", "hidden_sizes": hidden_sizes,
                        "batch": args.batch, "steps": args.steps, "dropout": args.dropout, "threads": args.threads,
                        "iterations": args.iterations, "warmup": args.warmup, "repeats": args.repeats,
                        "delta": args.delta, "learning_rate": args.learning_rate, "seed": args.seed,
                        "goal": GOAL},
           "torch": torch.__version__ if torch is not None else None,
           "torch_blas": torch_blas(torch) if torch is not None else None,
           "blas_core": blas_core, "baseline_bench": args.baseline_bench, "cpu": cpu_model(), "cores": os.cpu_count(),
           "load_before": load_start, "load_after": load_end,
           "peak": {k: v for k, v in peak.items() if k.startswith("peak_")} if peak else None,
           "results": results}
    write_atomically(output / "compare.json", json.dumps(raw, indent=1) + "\n")
    write_atomically(output / "compare.tsv", "\n".join(tsv) + "\n")
    try:
        shown = output.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        shown = output
    print(f"Wrote {shown}/compare.tsv and {shown}/compare.json")


if __name__ == "__main__":
    main()
