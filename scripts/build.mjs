// npm run build: bundles fsops into dist/ with esbuild (see docs/architecture.md, "Build").
// - one entry (src/cli.ts -> dist/cli.js), ESM for Node 22+, minified, with linked source maps;
// - code splitting: every dynamic `import()` (the commands in src/cli.ts, each AWS SDK client in
//   src/aws/clients.ts) becomes its own chunk under dist/chunks/, loaded only when that code runs, so
//   new commands and clients need no build configuration;
// - pg's optional native binding (pg-native) stays external: fsops uses the pure-JS client.
// Type checking is `npm run typecheck` (tsc --noEmit); esbuild only strips types.
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist');
rmSync(outdir, { recursive: true, force: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: {
    cli: 'src/cli.ts',
    // scripts/bench-db.mjs starts the same disposable PostgreSQL as `fsops demo`.
    'db/local-server': 'src/db/local-server.ts',
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  // The ESM builds of the AWS SDK (dist-es): static imports the bundler can follow and trim.
  mainFields: ['module', 'main'],
  target: 'node22',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  chunkNames: 'chunks/[name]-[hash]',
  external: ['pg-native'],
  // Bundled CommonJS dependencies (pg, the SDK's smithy packages) call require() for Node built-ins.
  banner: {
    js: "import{createRequire as __fsopsCreateRequire}from'node:module';const require=__fsopsCreateRequire(import.meta.url);",
  },
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'));
const bytes = outputs.reduce((sum, [, o]) => sum + o.bytes, 0);
console.error(`build: ${outputs.length} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB in dist/`);
