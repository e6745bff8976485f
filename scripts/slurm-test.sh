#!/usr/bin/env bash
# The Slurm mode of the sweeps, tested on a real single-node cluster started on this machine:
# munged, slurmctld and slurmd (Debian's slurm-wlm and munge, installed when missing) with a
# generated slurm.conf in a temporary folder. It submits a tiny chapter-5 sweep (2 methods x 2
# rates, hidden 8, generated PTB-like data) as a job array, requeues one task while it runs
# (scontrol requeue), sends another Slurm's warning signal (USR1 to its batch shell, which must
# stop the run and requeue it), waits for the array, collects, and checks that the collected
# results.md equals the one of the same sweep trained in-process. It submits from a folder named
# `my runs 'q' pct%j`, so the tasks must find their folder and output files through the quoting.
# Every daemon it started is stopped by its pid at the end, also on failure.
#
#   bash scripts/slurm-test.sh                 fail when Slurm cannot be installed or started
#   bash scripts/slurm-test.sh --if-available  print one line and succeed instead (make test)
#
# GRUKIT_BIN: the folder of the built chapters (default .build/release).
set -euo pipefail
optional=0
[ "${1:-}" = --if-available ] && optional=1
skip() {
  if [ $optional = 1 ]; then echo "Slurm test SKIPPED: $*"; exit 0; fi
  echo "Slurm test cannot run: $*" >&2; exit 1
}
fail() { echo "Slurm test FAILED: $*" >&2; exit 1; }
started=$(date +%s)
BIN=$(cd "${GRUKIT_BIN:-.build/release}" 2>/dev/null && pwd) || skip "no build folder ${GRUKIT_BIN:-.build/release}"
CH="$BIN/ch05-penn-treebank"
[ -x "$CH" ] || skip "$CH is not built (swift build -c release)"

# ── Slurm and munge, installed when missing (root only: the daemons run as root here) ──
[ "$(id -u)" = 0 ] || skip "it runs slurmctld, slurmd and munged as root; run it as root"
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || skip "slurm-wlm and munge are missing and there is no apt-get to install them"
  echo "Installing slurm-wlm and munge (Debian packages)..."
  export DEBIAN_FRONTEND=noninteractive
  { apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null 2>&1 ||
    { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null 2>&1; }; } ||
    skip "apt-get could not install slurm-wlm and munge"
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/grukit-slurm.XXXXXX")
pids=()
job=""
cleanup() {
  set +e
  # Jobs first (their processes belong to slurmstepd, not to the daemons), then the daemons, newest first.
  if [ -n "$job" ]; then
    scancel "$job" 2>/dev/null
    for _ in $(seq 50); do [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break; sleep 0.2; done
  fi
  for ((k = ${#pids[@]} - 1; k >= 0; k--)); do kill "${pids[k]}" 2>/dev/null; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
  done
  if [ "${keep:-0}" = 1 ]; then echo "Logs kept in $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ── munged, on a private socket with a fresh key ──
mkdir -p "$T/munge" "$T/state" "$T/spool"
chmod 711 "$T" "$T/munge"  # clients reach the socket through these folders
head -c 1024 /dev/urandom > "$T/munge/munge.key"
chmod 400 "$T/munge/munge.key"
munged --foreground --force --key-file="$T/munge/munge.key" --socket="$T/munge/munge.socket" \
  --pid-file="$T/munge/munged.pid" --log-file="$T/munge/munged.log" --seed-file="$T/munge/munged.seed" >"$T/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$T/munge/munge.socket" ] && break; sleep 0.1; done
[ -S "$T/munge/munge.socket" ] || skip "munged did not start ($(tail -1 "$T/munge/munged.log" 2>/dev/null))"

# ── slurm.conf for this host: one node with its CPUs and memory, no cgroups ──
host=$(hostname -s)
cpus=$(nproc)
memory=$(( $(awk '/MemTotal/ { print $2 }' /proc/meminfo) / 1024 * 9 / 10 ))
port=$(( 20000 + RANDOM % 20000 ))
export SLURM_CONF="$T/slurm.conf"
cat > "$SLURM_CONF" <<CONF
ClusterName=grukit-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$T/munge/munge.socket
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
KillWait=5
MinJobAge=600
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -D -i -f "$SLURM_CONF" >"$T/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N "$host" >"$T/slurmd.out" 2>&1 &
pids+=($!)
up=0
for _ in $(seq 100); do
  if sinfo -h -o '%t' 2>/dev/null | grep -Eq '^(idle|mix|alloc)'; then up=1; break; fi
  sleep 0.2
done
[ $up = 1 ] || skip "slurmctld/slurmd did not bring the node up: $(tail -2 "$T/slurmctld.log" "$T/slurmd.log" 2>/dev/null | tr '\n' ' ')"
echo "Slurm cluster up on $host ($cpus CPUs, ${memory} MB) in $(( $(date +%s) - started )) s"

# ── a PTB-like corpus: 40 word types, the next word depending on the previous one ──
mkdir -p "$T/data/ptb"
corpus() {  # lines seed
  awk -v n="$1" -v seed="$2" 'BEGIN { srand(seed); if (seed == 1) { for (i = 0; i < 40; i++) printf "w%d ", i; print "" }
    for (l = 0; l < n; l++) { k = 4 + int(rand() * 9); w = int(rand() * 40)
      for (j = 0; j < k; j++) { printf "w%d ", w; w = (w * 7 + 3 + int(rand() * 3)) % 40 } print "" } }'
}
corpus 3000 1 > "$T/data/ptb/ptb.train.txt"
corpus 200 2 > "$T/data/ptb/ptb.valid.txt"
corpus 200 3 > "$T/data/ptb/ptb.test.txt"

# Same BLAS threads here and in the tasks (sbatch passes the environment on): equal numbers.
export OPENBLAS_NUM_THREADS=1
sweep=(--sweep --seeds 1 --methods sgd,clip --lrs 1,10 --hidden 8 --epochs 12 --limit-windows 30 --log-every 5
       --data "$T/data" --no-render)

# ── the reference: the same sweep in-process ──
"$CH" "${sweep[@]}" --out "$T/local" > "$T/local.txt" 2>&1 || { cat "$T/local.txt"; fail "the in-process sweep failed"; }

# ── the job array, submitted from a folder whose name has a space, a quote and a `%` (which Slurm
# would read as a file-name pattern): the script must carry the folder as it is ──
W="$T/my runs 'q' pct%j"
mkdir -p "$W"
cd "$W"
"$CH" "${sweep[@]}" --out cluster --slurm --sbatch "--mem=200M" > "$T/submit.txt" 2>&1 || { cat "$T/submit.txt"; fail "--slurm failed"; }
job=$(sed -n 's/^Submitted batch job \([0-9]*\).*/\1/p' "$T/submit.txt")
[ -n "$job" ] || { cat "$T/submit.txt"; fail "no job id printed"; }
echo "Submitted job array $job"
grep -q -- '--signal=B:USR1@' cluster/slurm/ch05-penn-treebank.sbatch || fail "the script asks for no warning signal"
grep -qF -- "#SBATCH --chdir=\"$W\"" cluster/slurm/ch05-penn-treebank.sbatch || fail "the script's --chdir is not the quoted folder"

state() { squeue -h -r -j "${job}_$1" -o '%T' 2>/dev/null | head -1; }
# Waits until task $1's run $2 has logged its first epoch (so it runs, past the batch shell's trap,
# with a checkpoint to resume from).
wait_epoch() {
  for _ in $(seq 1200); do
    grep -qs '"type":"epoch"' "cluster/runs/$2.jsonl" && return 0
    case "$(state "$1")" in COMPLETED|FAILED|CANCELLED) break ;; esac
    sleep 0.05
  done
  fail "task $1 ($2) logged no epoch while running ($(state "$1"))"
}
# Task 0: requeued by scontrol while it runs. Task 1: Slurm's warning signal to its batch shell,
# which must stop the run and requeue the task itself.
wait_epoch 0 sgd-lr1
scontrol requeue "${job}_0" || fail "scontrol requeue ${job}_0 failed"
echo "Requeued ${job}_0 while it ran ($(grep -c '"type":"epoch"' cluster/runs/sgd-lr1.jsonl) epochs logged)"
wait_epoch 1 clip5-lr1
# scancel may report "Job can not be altered now" and still deliver the signal: the task's output decides.
scancel --batch --signal=USR1 "${job}_1" || echo "(scancel returned $?)"
echo "Sent USR1 to the batch shell of ${job}_1 ($(grep -c '"type":"epoch"' cluster/runs/clip5-lr1.jsonl) epochs logged)"

# slurmctld holds a requeued task back for a while (its BeginTime); start the two at once instead.
for _ in $(seq 900); do
  [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
  for k in 0 1; do
    if [ "$(state $k)" = PENDING ]; then scontrol update JobId="${job}_$k" StartTime=now 2>/dev/null || true; fi
  done
  sleep 0.2
done
[ -z "$(squeue -h -j "$job" 2>/dev/null)" ] || fail "the array did not finish within 3 minutes: $(squeue -h -r -j "$job")"
echo "Array $job finished after $(( $(date +%s) - started )) s"

# Both interrupted tasks ran twice: their output (appended) shows a restart.
for k in 0 1; do
  out=$(ls cluster/slurm/ch05-penn-treebank-"${job}"_"$k".out)
  grep -q "task $k (restart 1)" "$out" || { cat "$out"; fail "task $k was not run again after its interruption"; }
done
grep -q "warning signal; stopping and requeueing" cluster/slurm/ch05-penn-treebank-"${job}"_1.out ||
  fail "task 1's batch shell did not see the warning signal"
# Resumed from a checkpoint, unless the run had finished before the interruption reached it (a fast machine).
for k in 0 1; do
  out=cluster/slurm/ch05-penn-treebank-"${job}"_"$k".out
  if grep -q "resuming after epoch" "$out"; then echo "Task $k: $(grep -o '[^ ]*: resuming after epoch [0-9]*' "$out" | head -1)"
  else echo "Note: task $k had finished before its interruption took effect; it was not retrained."; fi
done

"$CH" "${sweep[@]}" --out cluster --collect > "$T/collect.txt" 2>&1 || { cat "$T/collect.txt"; fail "--collect failed"; }
if ! diff "$T/local/results.md" cluster/results.md; then
  keep=1; fail "the collected results.md differs from the in-process one (above)"
fi
grep -q "Unfinished\|Failed:\|Missing:" "$T/collect.txt" && { cat "$T/collect.txt"; fail "--collect reports unfinished runs"; }
cat cluster/results.md
echo "Slurm test passed in $(( $(date +%s) - started )) s (job $job)."
