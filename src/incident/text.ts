import { oneLine } from '../engine/model/text.js';

/** One markdown table cell: one safe line (src/engine/model/text.ts), pipes escaped. */
export function cell(text: string): string {
  return oneLine(text).replace(/\|/g, '\\|');
}
