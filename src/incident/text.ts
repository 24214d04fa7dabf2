/** Untrusted text (AWS messages, log lines, typed notes) without terminal control characters. */
export function plain(text: string): string {
  return text
    .replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

/** One markdown table cell: no control characters, no pipes, no line breaks. */
export function cell(text: string): string {
  return plain(text).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
