import { configLookup } from '../base/config/load.js';
import { printerFor, VIEW_FORMATS } from '../engine/printer.js';
import type { Runtime } from '../engine/runtime.js';
import type { GlobalOptions } from '../engine/session.js';

/** `fsops config path`: every place fsops looks for its config, in order, and the one it uses. */
export async function configPath(options: GlobalOptions, runtime: Runtime): Promise<number> {
  const printer = printerFor(options, 'config path', VIEW_FORMATS, runtime);
  const { candidates, used } = configLookup(options.config);
  const rows = candidates.map((candidate) => ({
    ...candidate,
    used: candidate === used,
  }));
  printer.view({
    data: { used: used?.path ?? null, candidates: rows },
    text: () => {
      const width = Math.max(...rows.map((row) => row.source.length));
      const lines = rows.map((row, index) => {
        const where = row.path ?? '(not set)';
        const state =
          row.path === null
            ? ''
            : row.used
              ? row.exists
                ? '  <- used'
                : '  <- given, not found'
              : row.exists
                ? '  found'
                : '  not found';
        return `  ${index + 1}. ${row.source.padEnd(width)}  ${where}${state}`;
      });
      const verdict = used
        ? `fsops reads ${used.path}`
        : 'no config file: fsops uses its built-in defaults (fsops config init writes a starter file)';
      return `Where fsops looks for its config, in order:\n${lines.join('\n')}\n${verdict}\n`;
    },
  });
  return 0;
}
