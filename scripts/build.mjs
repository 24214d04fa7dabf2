// npm run build: bundles fsops into dist/ with esbuild (see docs/startup.md).
// - one entry (src/cli.ts -> dist/cli.js), ESM for Node 22+, minified, with linked source maps;
// - code splitting: every dynamic `import()` (the commands in src/cli.ts, each AWS SDK client in
//   src/base/aws/clients.ts) becomes its own chunk under dist/chunks/, loaded only when that code runs, so
//   new commands and clients need no build configuration;
// - pg's optional native binding (pg-native) stays external: fsops uses the pure-JS client.
// Type checking is `npm run typecheck` (tsc --noEmit); esbuild only strips types.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist');
rmSync(outdir, { recursive: true, force: true });

/**
 * `import('@aws-sdk/client-x')` asks for the whole client: every command, schema, paginator and
 * waiter of the service (SSM and RDS carry hundreds), which a dynamic import cannot tree-shake. This
 * plugin hands src/ a slim facade instead: it re-exports only the client's names that src/ mentions
 * anywhere (its Client class, the XxxCommand and exception classes it uses), so the bundler drops
 * the rest. The aggregated client (`new RDS()`, every command at once) is left out: use XxxClient. Automatic for every client, including ones added later; a name src/ does not mention
 * cannot be reached from src/ either.
 */
function slimAwsClients() {
  const srcDir = join(root, 'src');
  let words;
  const mentioned = () => {
    if (!words) {
      words = new Set();
      for (const file of readdirSync(srcDir, { recursive: true, encoding: 'utf8' })) {
        if (!file.endsWith('.ts')) continue;
        for (const word of readFileSync(join(srcDir, file), 'utf8').match(/[A-Za-z_$][\w$]*/g) ?? [])
          words.add(word);
      }
    }
    return words;
  };
  const requireFromRoot = createRequire(join(root, 'package.json'));
  return {
    name: 'slim-aws-clients',
    setup(b) {
      b.onResolve({ filter: /^@aws-sdk\/client-[a-z0-9-]+$/ }, (args) => {
        if (args.namespace !== 'file' || !args.importer.startsWith(srcDir)) return undefined;
        return { path: args.path, namespace: 'slim-aws-client' };
      });
      b.onLoad({ filter: /.*/, namespace: 'slim-aws-client' }, async (args) => {
        const entry = requireFromRoot.resolve(args.path);
        const all = Object.keys(await import(pathToFileURL(entry).href));
        // Not `default` (the CommonJS view), nor the aggregated client (`RDS` next to `RDSClient`),
        // which carries every command: src/ sends XxxCommand objects through the XxxClient.
        const names = all.filter(
          (name) =>
            /^[A-Za-z_$][\w$]*$/.test(name) &&
            name !== 'default' &&
            !all.includes(`${name}Client`) &&
            mentioned().has(name),
        );
        return {
          contents: `export { ${names.join(', ')} } from ${JSON.stringify(args.path)};`,
          resolveDir: root,
          loader: 'js',
        };
      });
    },
  };
}

const result = await build({
  absWorkingDir: root,
  entryPoints: {
    cli: 'src/cli.ts',
    // scripts/bench-db.mjs starts the same disposable PostgreSQL as `fsops demo`.
    'db/local-server': 'src/domain/db/local-server.ts',
    // scripts/bench.mjs starts the same disposable redis-server as the tests and `fsops demo`.
    'redis/local-server': 'src/domain/redis/local-server.ts',
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
  plugins: [slimAwsClients()],
  metafile: true,
  logLevel: 'warning',
});

// `fsops --version` and `fsops --help` into a pipe print the same text every time: bin/fsops answers
// them from dist/fast-paths.json without loading the bundle (a terminal's help is laid out for its
// width, so it goes through the bundle). test/e2e/startup.test.ts compares the two.
const answer = (flag) =>
  execFileSync(process.execPath, [join(outdir, 'cli.js'), flag], {
    env: { PATH: process.env.PATH, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
const help = answer('--help');
const version = answer('--version');
writeFileSync(
  join(outdir, 'fast-paths.json'),
  `${JSON.stringify({ '--help': help, '-h': help, '--version': version, '-V': version })}\n`,
);

const outputs = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'));
const bytes = outputs.reduce((sum, [, o]) => sum + o.bytes, 0);
console.error(`build: ${outputs.length} files, ${(bytes / 1024 / 1024).toFixed(1)} MiB in dist/`);
