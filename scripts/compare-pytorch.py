#!/usr/bin/env python3
"""Times the paper's PTB language model in PyTorch and in GRUKit (gru-bench) on this machine.

The PyTorch model is the one gru-bench trains, shape for shape:

    nn.Embedding(V, E) -> x 0.01 -> dropout(p) -> nn.GRU(E, H, bias=False) -> dropout(p)
        -> nn.Linear(H, V) -> cross-entropy (mean over tokens)

trained by plain SGD (lr 1) on windows of T x B random tokens, the hidden state carried from
window to window without gradient (truncated BPTT), Float32, torch.set_num_threads(THREADS).
It is timed twice: forward + backward + SGD step, and the same followed by the projection
P_delta of weight_hh_l0[2H:3H] (the candidate block) by a full SVD, as a PyTorch user would
write it: U, S, Vh = svd(W); W = U diag(min(S, c)) Vh with c = 2 - delta.

Then gru-bench --json runs with the same shape and both results are printed with their
ratio. Wall-clock times on a shared machine are noisy: every time is the minimum over the
timed iterations (the median is shown beside it), and the 1-minute load average is printed.

When PyTorch is not installed the script says so plainly and prints GRUKit's numbers alone.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def load_average():
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def time_pytorch(torch, args, project):
    """(min, median) seconds per iteration and the minimum projection time of the PyTorch model."""
    nn = torch.nn
    torch.manual_seed(args.seed)
    V, E, H, B, T = args.vocabulary, args.embedding, args.hidden, args.batch, args.steps

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

    model = Model()
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=args.learning_rate)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(args.seed + 100)
    windows = [(torch.randint(0, V, (T, B), generator=gen), torch.randint(0, V, (T, B), generator=gen)) for _ in range(4)]
    c = 2.0 - args.delta
    h = torch.zeros(1, B, H)
    times, ptimes = [], []
    for i in range(args.warmup + args.iterations):
        x, y = windows[i % len(windows)]
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=False)
        out, h = model(x, h.detach())
        loss = loss_fn(out, y.view(-1))
        loss.backward()
        opt.step()
        if project:
            p0 = time.perf_counter()
            with torch.no_grad():
                w = model.rnn.weight_hh_l0[2 * H:3 * H]
                u, s, vh = torch.linalg.svd(w, full_matrices=False)
                w.copy_((u * s.clamp(max=c)) @ vh)
            p1 = time.perf_counter()
        dt = time.perf_counter() - t0
        if i >= args.warmup:
            times.append(dt)
            if project:
                ptimes.append(p1 - p0)
    return min(times), statistics.median(times), (min(ptimes) if ptimes else None)


def run_gru_bench(args):
    cmd = [args.gru_bench, "--json", "--cell", "reset-after", "--vocabulary", str(args.vocabulary),
           "--embedding", str(args.embedding), "--hidden", str(args.hidden), "--batch", str(args.batch),
           "--steps", str(args.steps), "--dropout", str(args.dropout), "--threads", str(args.threads),
           "--iterations", str(args.iterations), "--warmup", str(args.warmup), "--delta", str(args.delta),
           "--learning-rate", str(args.learning_rate), "--run-iterations", str(args.run_iterations)]
    if args.data:
        cmd += ["--data", args.data]
    try:
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    except FileNotFoundError:
        sys.exit(f"compare-pytorch: {args.gru_bench} not found: build it first (swift build -c release --product gru-bench)")
    except subprocess.CalledProcessError as e:
        sys.exit(f"compare-pytorch: {' '.join(cmd)} failed with status {e.returncode}:\n{e.stderr}")
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gru-bench", default=".build/release/gru-bench", help="the gru-bench executable")
    ap.add_argument("--vocabulary", type=int, default=10_000)
    ap.add_argument("--embedding", type=int, default=650)
    ap.add_argument("--hidden", type=int, default=650)
    ap.add_argument("--batch", type=int, default=20)
    ap.add_argument("--steps", type=int, default=35)
    ap.add_argument("--dropout", type=float, default=0.5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--iterations", type=int, default=10, help="timed iterations (the minimum is reported)")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--delta", type=float, default=0.2)
    ap.add_argument("--learning-rate", type=float, default=1.0)
    ap.add_argument("--run-iterations", type=int, default=30, help="gru-bench's training run with the projection")
    ap.add_argument("--data", help="data folder with ptb/ for gru-bench's training run")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-bench", action="store_true", help="time PyTorch only")
    args = ap.parse_args()
    for name in ("vocabulary", "embedding", "hidden", "batch", "steps", "threads", "iterations"):
        if getattr(args, name) <= 0:
            ap.error(f"--{name.replace('_', '-')} must be positive")
    if not 0 <= args.dropout < 1:
        ap.error("--dropout must lie in [0, 1)")

    print(f"shape V={args.vocabulary} E={args.embedding} H={args.hidden} B={args.batch} T={args.steps}, "
          f"dropout {args.dropout}, Float32, {args.threads} threads; load average {load_average()}")
    try:
        import torch
    except ImportError:
        torch = None
        print("PyTorch is NOT installed (import torch failed): no PyTorch timing; "
              "install it with `pip install torch` to compare. GRUKit's numbers follow alone.")
    pt = None
    if torch is not None:
        torch.set_num_threads(args.threads)
        t_min, t_med, _ = time_pytorch(torch, args, project=False)
        p_min, p_med, p_svd = time_pytorch(torch, args, project=True)
        pt = {"torch": torch.__version__, "seconds_per_iteration": t_min, "seconds_per_iteration_median": t_med,
              "with_projection_seconds_per_iteration": p_min, "with_projection_median": p_med, "projection_ms": p_svd * 1e3,
              "projection_share": p_svd / p_min, "load_after": load_average()}
        print("PyTorch " + json.dumps(pt))
    if args.skip_bench:
        return
    gk = run_gru_bench(args)
    print("GRUKit  " + json.dumps(gk))
    print()
    rows = [("", "PyTorch" if pt else "PyTorch (missing)", "GRUKit", "PyTorch / GRUKit")]

    def row(name, a, b, fmt):
        rows.append((name, fmt.format(a) if a is not None else "-", fmt.format(b), f"{a / b:.2f}" if a else "-"))

    row("s / iteration (fwd+bwd+SGD)", pt and pt["seconds_per_iteration"], gk["seconds_per_iteration"], "{:.4f}")
    row("one projection, ms", pt and pt["projection_ms"], gk["projection_ms"], "{:.1f}")
    row("projection share of an iteration", pt and pt["projection_share"], gk["projection_share"], "{:.2%}")
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        print("  ".join(r[i].ljust(widths[i]) for i in range(4)))
    print(f"GRUKit's projection share is over its training run: {gk.get('projection_run')}; "
          f"PyTorch's is the full SVD in every step. Load average now {load_average()}.")


if __name__ == "__main__":
    main()
