// Bundles the extension client, the language server and the CLI with esbuild.
// Usage: node scripts/build.mjs [--watch] [--minify]
import * as esbuild from 'esbuild';
import { readFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const watch = process.argv.includes('--watch');
const minify = process.argv.includes('--minify');
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  minify,
  logLevel: 'warning',
  define: { __VERSION__: JSON.stringify(pkg.version) },
};
const builds = [
  { entryPoints: ['client/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] },
  { entryPoints: ['server/server.ts'], outfile: 'dist/server.js', external: ['typescript'] },
  { entryPoints: ['cli/main.ts'], outfile: 'dist/cli.js', external: ['typescript'], banner: { js: '#!/usr/bin/env node' } },
  // worker threads of `fusion-lens check` (loaded from dist/ next to cli.js)
  { entryPoints: ['cli/worker.ts'], outfile: 'dist/cli-worker.js', external: ['typescript'] },
];
mkdirSync('dist', { recursive: true });
// The TypeScript compiler API (6.0.x) is loaded lazily by analyzer/ts/tsModule.ts from
// dist/typescript.js, since the .vsix carries no node_modules (a single file, no dependencies).
copyFileSync(createRequire(import.meta.url).resolve('typescript/lib/typescript.js'), 'dist/typescript.js');
const t0 = Date.now();
if (watch) {
  for (const b of builds) await (await esbuild.context({ ...common, ...b })).watch();
  console.log('watching…');
} else {
  await Promise.all(builds.map(b => esbuild.build({ ...common, ...b })));
  console.log(`built ${builds.map(b => b.outfile).join(', ')} in ${Date.now() - t0} ms`);
}
