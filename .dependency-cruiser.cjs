// Layering of src/ (docs/architecture.md, "Layers"): imports only point down, and each top-level
// folder of src/ is one layer:
//   commands  src/commands/ (with cli/ and the kit), src/cli.ts   argv, flags, one file per command
//   engine    src/engine/                 runner, runbooks, the change driver, printer, session, runtime
//   catalogue src/catalogue/              checks/, actions/, the action contract: pure judgement
//   domain    src/domain/<area>/          facts, pure helpers
//   base      src/base/                   model/ (findings, the check contract, errors), config/, aws/
// A module may import its own layer and any layer below; `npm run lint:layers` fails on a climb.
const COMMANDS = '^src/(commands/|cli\\.ts$)';
const ENGINE = '^src/engine/';
const CATALOGUE = '^src/catalogue/';
const DOMAIN = '^src/domain/';
const BASE = '^src/base/';

const climb = (name, from, to, comment) => ({
  name,
  severity: 'error',
  comment,
  from: { path: from },
  to: { path: to },
});

module.exports = {
  forbidden: [
    climb('engine-imports-command', ENGINE, COMMANDS, 'the engine is called by commands, never calls them'),
    climb(
      'catalogue-imports-engine',
      CATALOGUE,
      `${ENGINE}|${COMMANDS}`,
      'checks and actions are data for the engine: they get what they need in their context',
    ),
    climb(
      'domain-imports-upward',
      DOMAIN,
      `${CATALOGUE}|${ENGINE}|${COMMANDS}`,
      'domain modules gather facts and judge them; they know nothing of checks, the engine or commands',
    ),
    climb(
      'base-imports-upward',
      BASE,
      `${DOMAIN}|${CATALOGUE}|${ENGINE}|${COMMANDS}`,
      'the base (findings, errors, config, AWS clients) is imported by everything and imports nothing above',
    ),
    climb(
      'engine-imports-registry',
      ENGINE,
      '^src/catalogue/(checks|actions)/index\\.ts$',
      'the catalogues (CHECKS, ACTIONS) are passed to the engine by commands, not imported by it',
    ),
    {
      name: 'module-outside-layers',
      severity: 'error',
      comment: 'every module of src/ belongs to a layer: add a new folder to one of them (docs/architecture.md)',
      from: { path: '^src/', pathNot: `${COMMANDS}|${ENGINE}|${CATALOGUE}|${DOMAIN}|${BASE}` },
      to: {},
    },
    {
      name: 'no-circular',
      severity: 'warn',
      comment: 'circular imports make load order fragile',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    // Type-only imports count: a type from a higher layer is a climb too.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
