import { hideUrlCredentials } from '../../base/model/text.js';

/**
 * Removes secrets from text meant for a person: every known secret value, and the credentials any URL
 * carries (`postgres://user:secret@host` -> `postgres://***@host`, `?token=***`).
 */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = hideUrlCredentials(text);
  for (const secret of secrets) {
    if (secret.length >= 3) out = out.split(secret).join('***');
  }
  return out;
}
