/**
 * The one sanitiser of text fsops did not write: flags people type (titles, actions, ETAs), AWS and
 * PostgreSQL messages, log lines, records read back. Two forms of the same rule:
 *
 * - `clean`: for a terminal or a report that may span lines (query text, a notice being shown):
 *   every unsafe character is shown as a visible escape (`\x1b`, `\u202e`) instead of acting;
 *   newline and tab are kept.
 * - `oneLine`: for a value that must stay one line or one field (an incident title, a notice's
 *   "Actions Taken:", a record field, an AWS error in a finding): escape sequences are dropped, every
 *   control character, line break and bidi control becomes a space, and it is cut at `max`. A newline
 *   in `--title` can then never forge a `Subject:` line or a second heading.
 *
 * Unsafe: C0 controls (but newline and tab for `clean`), DEL, C1 (which includes ESC-less CSI), ESC
 * itself, the Unicode line/paragraph separators and the bidi overrides/isolates/marks that can
 * reorder what a terminal shows.
 */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** ANSI CSI (`ESC [ ... final`) and OSC (`ESC ] ... BEL|ST`) sequences, dropped whole by `oneLine`. */
const SEQUENCES = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g;
const BREAKING = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]+/g;

/** `text` with every unsafe character shown as a visible escape instead of acting; lines kept. */
export function clean(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    const code = ch.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** `text` as one safe line: sequences dropped, controls and line breaks as one space, cut at `max`. */
export function oneLine(text: string | undefined, max = Number.POSITIVE_INFINITY): string {
  const flat = (text ?? '').replace(SEQUENCES, '').replace(BREAKING, ' ').replace(/ {2,}/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** `scheme://userinfo@`: the user part can be a token as much as the password is a secret. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@'"<>`[\]]+@/gi;
/** Query parameters that carry a credential (`?token=`, `&api_key=`, `X-Amz-Signature=`, `sig=`). */
const URL_TOKEN_PARAM =
  /([?&][a-z0-9_.-]*(?:token|key|secret|password|passwd|pwd|sig|signature|auth|credential)[a-z0-9_.-]*=)[^&#\s'"<>`]+/gi;

/**
 * `text` with every credential a URL may carry hidden: the whole user-info part (`https://***@host`)
 * and credential-like query parameters (`?token=***`). Applied to everything fsops prints, stores in
 * a record or audits, so a URL with credentials never reaches a terminal, a file or a log.
 */
export function hideUrlCredentials(text: string): string {
  return text.replace(URL_USERINFO, '$1***@').replace(URL_TOKEN_PARAM, '$1***');
}

/**
 * A URL with `user:password@` as fetch can send it (Node's fetch refuses credentials in the URL):
 * the bare URL and a Basic Authorization header.
 */
export function splitUrlCredentials(url: string): { url: string; headers: Record<string, string> } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url, headers: {} };
  }
  if (!parsed.username && !parsed.password) return { url, headers: {} };
  const basic = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  parsed.username = '';
  parsed.password = '';
  return {
    url: parsed.toString(),
    headers: { authorization: `Basic ${Buffer.from(basic).toString('base64')}` },
  };
}
