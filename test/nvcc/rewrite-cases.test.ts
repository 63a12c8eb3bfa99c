// The fixed text of every rewrite case compiles with nvcc.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { analyzeText, applyFirstFix } from '../helpers/analyze';
import { REWRITE_CASES } from '../helpers/rewriteCases';
import { compileCuda, nvccPath, pool } from '../helpers/nvcc';

test('every rewrite case compiles with nvcc after its fixes', { skip: nvccPath() ? false : 'nvcc not found' }, async () => {
  const jobs = REWRITE_CASES.map(c => {
    let text = c.src;
    for (let pass = 0; pass < 5; pass++) {
      const r = analyzeText(text, '/virtual/case.cu', c.files);
      if (!r.findings.some(f => f.fixable)) break;
      text = applyFirstFix(text, r);
    }
    const extra = Object.fromEntries(Object.entries(c.files ?? {}).map(([p, t]) => [path.basename(p), t]));
    return { c, text: '#include <cuda_runtime.h>\n' + text, extra };
  });
  const results = await pool(jobs, 2, async j => ({ j, r: await compileCuda('case.cu', j.text, j.extra) }));
  for (const { j, r } of results) {
    assert.ok(r.ok, `${j.c.name}:\n${r.output}\n--- source ---\n${j.text}`);
    assert.doesNotMatch(r.output, /warning/i, `${j.c.name}:\n${r.output}`);
  }
});
