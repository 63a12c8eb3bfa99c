// Unified diff of two texts (Myers' O(ND) line diff), for `fusion-lens fix --dry-run`.

export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, context = 3): string {
  const a = oldText.split('\n');
  const b = newText.split('\n');
  const ops = diffLines(a, b);
  if (!ops.some(o => o.kind !== '=')) return '';
  const out: string[] = [`--- ${oldName}`, `+++ ${newName}`];
  // group into hunks
  let i = 0;
  while (i < ops.length) {
    while (i < ops.length && ops[i].kind === '=') i++;
    if (i >= ops.length) break;
    let start = Math.max(0, i - context);
    let end = i;
    // extend while changes are within 2*context of each other
    for (;;) {
      while (end < ops.length && ops[end].kind !== '=') end++;
      let j = end;
      while (j < ops.length && ops[j].kind === '=' && j - end < 2 * context) j++;
      if (j < ops.length && ops[j].kind !== '=' && j - end < 2 * context) { end = j; continue; }
      break;
    }
    const stop = Math.min(ops.length, end + context);
    const hunk = ops.slice(start, stop);
    const aStart = hunk.find(o => o.a >= 0)?.a ?? 0;
    const bStart = hunk.find(o => o.b >= 0)?.b ?? 0;
    const aLen = hunk.filter(o => o.kind !== '+').length;
    const bLen = hunk.filter(o => o.kind !== '-').length;
    out.push(`@@ -${aStart + 1},${aLen} +${bStart + 1},${bLen} @@`);
    for (const o of hunk) out.push((o.kind === '=' ? ' ' : o.kind) + o.text);
    i = stop;
    start = stop;
  }
  return out.join('\n') + '\n';
}

interface Op {
  kind: '=' | '-' | '+';
  text: string;
  a: number;
  b: number;
}

function diffLines(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const v = new Map<number, number>([[1, 0]]);
  const trace: Array<Map<number, number>> = [];
  outer: for (let d = 0; d <= max; d++) {
    trace.push(new Map(v));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && (v.get(k - 1) ?? -1) < (v.get(k + 1) ?? -1)) ? v.get(k + 1) ?? 0 : (v.get(k - 1) ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) { x++; y++; }
      v.set(k, x);
      if (x >= n && y >= m) break outer;
    }
  }
  // backtrack
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vv = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && (vv.get(k - 1) ?? -1) < (vv.get(k + 1) ?? -1)) ? k + 1 : k - 1;
    const prevX = vv.get(prevK) ?? 0;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) { ops.push({ kind: '=', text: a[x - 1], a: x - 1, b: y - 1 }); x--; y--; }
    if (d > 0) {
      if (x === prevX) ops.push({ kind: '+', text: b[y - 1], a: -1, b: y - 1 });
      else ops.push({ kind: '-', text: a[x - 1], a: x - 1, b: -1 });
    }
    x = prevX;
    y = prevY;
  }
  return ops.reverse();
}
