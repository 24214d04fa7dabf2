// Preloaded with `node --import ./module-probe.mjs`: an ESM-aware module probe. A synchronous module
// hook (module.registerHooks) sees every import, dynamic import() and require() the process resolves,
// and at exit prints the resolved URLs on stderr as one line: MODULES-LOADED:<JSON array>.
import { registerHooks } from 'node:module';

const loaded = new Set();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    loaded.add(resolved.url);
    return resolved;
  },
});
process.on('exit', () => process.stderr.write(`\nMODULES-LOADED:${JSON.stringify([...loaded])}\n`));
