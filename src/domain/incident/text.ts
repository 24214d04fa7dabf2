import { oneLine } from '../../base/model/text.js';

/** One markdown table cell: one safe line (src/base/model/text.ts), pipes escaped. */
export function cell(text: string): string {
  return oneLine(text).replace(/\|/g, '\\|');
}
