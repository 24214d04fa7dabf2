/**
 * Removes secrets from text meant for a person: every known secret value, and the password part of
 * any URL (`postgres://user:secret@host` -> `postgres://user:***@host`).
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):([^@/\s]*)@/gi, '$1:***@');
  for (const secret of secrets) {
    if (secret.length >= 3) out = out.split(secret).join('***');
  }
  return out;
}
