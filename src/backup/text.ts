/**
 * Text from outside (AWS error messages, PostgreSQL errors, instance states) before it reaches a report
 * or the terminal: control characters (escape sequences, newlines) become spaces, and it is cut short.
 */
export function untrusted(text: string, max = 300): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}
