#!/usr/bin/env node
// Writes docs/thresholds.md from src/config/guide-thresholds.ts (loaded with Node's type stripping).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const { renderThresholdsDoc } = await import('../src/config/guide-thresholds.ts');
const target = fileURLToPath(new URL('../docs/thresholds.md', import.meta.url));
writeFileSync(target, renderThresholdsDoc());
process.stdout.write(`wrote ${target}\n`);
