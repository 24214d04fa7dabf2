// Layering of src/ (docs/architecture.md, "Layers"): imports only point down.
//   commands  src/commands/, src/cli/, src/cli.ts      argv, flags, one file per command
//   engine    src/engine/ (not model/)                 runner, runbooks, guarded changes, printer, session
//   catalogue src/checks/, src/actions/               check and action definitions, pure judgement
//   domain    src/ecs/, src/logs/, src/metrics/, src/db/, src/demo/, src/maintenance/, src/backup/,
//             src/incident/, src/monitoring/, src/status/, src/redis/, src/release/ facts, pure helpers
//   base      src/engine/model/, src/config/, src/aws/   findings, the check contract, errors, config, clients
// A module may import its own layer and any layer below; `npm run lint:layers` fails on a climb.
const COMMANDS = '^src/(commands/|cli/|cli\\.ts$)';
const ENGINE = '^src/engine/(?!model/)';
const CATALOGUE = '^src/(checks|actions)/';
const DOMAIN = '^src/(ecs|logs|metrics|db|demo|maintenance|backup|incident|monitoring|status|redis|release)/';
const BASE = '^src/(engine/model|config|aws)/';

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
      '^src/(checks|actions)/index\\.ts$',
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
