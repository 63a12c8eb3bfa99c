#!/bin/bash
# On the GPU machine: build each original and fixed program, run both, compare their output, time
# LSTM (its own Runtime figure; PERFOPTS=31, the author's hand fusion, for reference), kernel times
# by ncu, compute-sanitizer memcheck and racecheck. Results under $OUT.
set -u
cd "$(dirname "$0")"
nvidia-smi --query-gpu=name --format=csv,noheader; nvcc --version | tail -1
for d in lstm unified curand; do for v in orig fixed; do
  nvcc -O3 -arch=sm_90 -o $d/$v $d/$v.cu $(cat $d/libs) > $OUT/$d.$v.build 2>&1 || { echo "$d $v BUILD FAILED"; tail -5 $OUT/$d.$v.build; }
done; done
nvcc -O3 -arch=sm_90 -o lstm/author lstm/orig.cu -lcublas -lcurand -DPERFOPTS=31 > $OUT/lstm.author.build 2>&1
for d in lstm unified curand; do
  for v in orig fixed; do timeout 120 ./$d/$v > $OUT/$d.$v.out 2>&1; done
  if diff <(grep -v Runtime $OUT/$d.orig.out) <(grep -v Runtime $OUT/$d.fixed.out) > /dev/null; then echo "$d: outputs identical ($(grep -vc Runtime $OUT/$d.orig.out) lines)"; else echo "$d: outputs DIFFER"; fi
done
: > $OUT/lstm.times
for r in $(seq 1 9); do for v in orig fixed author; do ./lstm/$v 100 4 512 64 | grep Runtime | sed "s/^/$v /" >> $OUT/lstm.times; done; done
for v in orig fixed author; do echo "lstm $v: median $(grep "^$v " $OUT/lstm.times | awk '{print $3}' | sed 's/ms//' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') ms of 9 runs"; done
ncu --kernel-name regex:"pw_biasAdd" --launch-count 64 --metrics gpu__time_duration.sum --csv ./lstm/orig 10 1 512 64 > $OUT/ncu.orig.csv 2>/dev/null
ncu --kernel-name regex:"pw_biasAdd" --launch-count 32 --metrics gpu__time_duration.sum --csv ./lstm/fixed 10 1 512 64 > $OUT/ncu.fixed.csv 2>/dev/null
for v in orig fixed; do echo "lstm $v ncu: $(grep gpu__time_duration $OUT/ncu.$v.csv | awk -F'","' '{gsub(/"/,"",$NF); gsub(/,/,"",$NF); print $NF}' | sort -n | awk '{a[NR]=$1} END {print "median " a[int((NR+1)/2)] " ns per kernel, " NR " kernels"}')"; done
for d in lstm unified curand; do
  args=""; [ $d = lstm ] && args="20 2 256 32"
  for v in orig fixed; do timeout 300 compute-sanitizer --tool memcheck ./$d/$v $args > $OUT/$d.$v.memcheck 2>&1; echo "$d $v memcheck: $(tail -1 $OUT/$d.$v.memcheck)"; done
  timeout 300 compute-sanitizer --tool racecheck ./$d/fixed $args > $OUT/$d.fixed.racecheck 2>&1; echo "$d fixed racecheck: $(tail -1 $OUT/$d.fixed.racecheck)"
done
