#!/usr/bin/env bash
# Runs on the GPU machine (the device tool), from the repository root:
#   bash bench/gpu/run.sh            (results under $OUT)
# For every case at every size: outputs of the original and the fused version compared on the same
# random inputs, both timed (CUDA events, median); compute-sanitizer memcheck and racecheck on every
# case; Nsight Compute DRAM bytes for the DRAM-bound sizes. Prepared by bench/gpu/prepare.mjs.
set -u
cd "$(dirname "$0")"
OUT=${OUT:-$PWD/out}
mkdir -p "$OUT"
T0=$(date +%s)
stamp() { echo "### [$(( $(date +%s) - T0 ))s] $*"; }
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv > "$OUT/device.csv" 2>&1
cat "$OUT/device.csv"
CASES=${ONLY:-$(python3 -c 'import json; print(" ".join(json.load(open("gen/cases.json"))))')}

# prebuilt binaries (built on the development machine) or a rebuild here
if ! gen/bin/chain2 4096 3 --once > /dev/null 2>&1; then
  stamp "prebuilt binaries do not run here; rebuilding"
  for c in $CASES; do
    pre=""; [ -f "gen/$c.prelude.cuh" ] && pre="-DCASE_PRELUDE=\"gen/$c.prelude.cuh\""; nvcc -O3 -std=c++17 -arch=sm_90 -lineinfo $pre "-DCASE_ORIG=\"gen/$c.cu\"" "-DCASE_FUSED=\"gen/$c.fixed.cu\"" -o "gen/bin/$c" driver.cu &
  done
  wait
fi

stamp "calibration"
gen/bin/calib | tee "$OUT/calib.json"
stamp "correctness and timing"
python3 - "$OUT" <<'PY'
import json, subprocess, sys
out = sys.argv[1]
import os
cases = json.load(open('gen/cases.json'))
only = os.environ.get('ONLY', '').split()
with open(f'{out}/results.jsonl', 'w') as f:
    for c, sizes in cases.items():
        if only and c not in only:
            continue
        for n in sizes:
            n = n or 1048576
            try:
                r = subprocess.run([f'gen/bin/{c}', str(n), '50'], capture_output=True, text=True, timeout=240)
                lines = r.stdout.strip().splitlines()
                line = lines[-1] if lines else json.dumps({'case': c, 'n': n, 'error': r.stderr[-800:]})
                if r.returncode not in (0, 1):
                    line = json.dumps({'case': c, 'n': n, 'error': f'exit {r.returncode}: ' + r.stderr[-800:]})
            except subprocess.TimeoutExpired:
                line = json.dumps({'case': c, 'n': n, 'error': 'timeout'})
            print(line, flush=True)
            f.write(line + '\n')
PY

stamp "compute-sanitizer memcheck and racecheck (one call of each version)"
: > "$OUT/sanitizer.log"
[ "${SKIP_SANITIZER:-0}" = 1 ] && CASES_SAN="" || CASES_SAN=$CASES
for c in $CASES_SAN; do
  n=$(python3 -c "import json; s=json.load(open('gen/cases.json'))['$c']; print(min([x for x in s if x] or [65536]))")
  [ "$n" -gt 1048576 ] && n=65536
  for tool in memcheck racecheck; do
    res=$(compute-sanitizer --tool $tool --error-exitcode 9 "gen/bin/$c" "$n" 1 --once 2>&1 | tail -3 | tr '\n' ' ')
    echo "$c $tool n=$n rc=${PIPESTATUS[0]} :: $res" | tee -a "$OUT/sanitizer.log"
  done
done

stamp "Nsight Compute: DRAM bytes per kernel"
: > "$OUT/ncu.csv"
: > "$OUT/ncu.err"
# NCU="case:n ..." picks the runs; with ONLY and no NCU, none
[ -n "${NCU:-}" ] && NCU_SPECS=$NCU || { [ -n "${ONLY:-}" ] && NCU_SPECS="" || NCU_SPECS="chain2:16777216 chain4:16777216 chain8:16777216 chain4:67108864 normalize_u8:67108864 activation_live:16777216 sum_squares:67108864 blur_threshold_2d:3840"; }
for spec in $NCU_SPECS; do
  c=${spec%%:*}; n=${spec##*:}
  echo "### $c $n" >> "$OUT/ncu.csv"
  ncu --clock-control none --metrics dram__bytes_read.sum,dram__bytes_write.sum,gpu__time_duration.sum --csv "gen/bin/$c" "$n" 1 --once >> "$OUT/ncu.csv" 2>> "$OUT/ncu.err" || echo "ncu failed for $c $n"
done
: > /dev/null
stamp "done"
