/**
 * Untrusted text (AWS messages, log lines, typed notes) without terminal control characters, nor the
 * bidi overrides, isolates and marks that reorder what a terminal shows (the same set as the printer's
 * `clean`, removed rather than shown: this text is also stored in the record).
 */
export function plain(text: string): string {
  return text
    .replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
}

/** One markdown table cell: no control characters, no pipes, no line breaks. */
export function cell(text: string): string {
  return plain(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
