#!/bin/bash
# Real-code fixes proven on a GPU: copies three programs from public checkouts (never committed)
# into out/realgpu/, applies `fusion-lens fix` to a copy of each, and leaves run.sh beside them.
# Usage: bash bench/gpu/realcode/prepare.sh <NVIDIA-developer-blog/code-samples> <PacktPublishing/Learn-CUDA-Programming>
# then, on the device machine (carry out/realgpu): bash out/realgpu/run.sh
set -eu
blog=$1; packt=$2
root=$(cd "$(dirname "$0")/../../.." && pwd)
out=$root/out/realgpu
rm -rf "$out" && mkdir -p "$out"
copy() { mkdir -p "$out/$1"; cp "$2" "$out/$1/orig.cu"; echo "$3" > "$out/$1/libs"; }
copy lstm "$blog/posts/rnn/LSTM.cu" "-lcublas -lcurand -DPERFOPTS=27"   # PERFOPTS=27: the unfused elementwise path
copy unified "$packt/Chapter02/02_memory_overview/06_unified_memory/unified_memory_initialized.cu" ""
copy curand "$packt/Chapter08/08_cuda_libs_and_other_languages/03_curand/curand_device.cu" ""
# the sample's own bug, which GCC 12 rejects: patched in both versions
sed -i 's/   return time < 0;/   return 0;/' "$out/lstm/orig.cu"
for d in lstm unified curand; do
  cp "$out/$d/orig.cu" "$out/$d/fixed.cu"
  node "$root/dist/cli.js" fix "$out/$d/fixed.cu"
done
cp "$(dirname "$0")/run.sh" "$out/run.sh"
