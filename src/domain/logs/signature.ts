/** One log event as fsops handles it, whichever API it came from. */
export interface LogEvent {
  timestamp: number;
  message: string;
  eventId?: string;
  logStreamName?: string;
}

/** Events that share a message signature: how many, when, and one real example. */
export interface SignatureGroup {
  signature: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
  example: string;
}

const MAX_SIGNATURE_LENGTH = 200;

/** Replacements in order: the specific shapes (timestamps, UUIDs, IPs) before the generic numbers. */
const NORMALISERS: [RegExp, string][] = [
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<ts>'],
  [/\b\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g, '<ts>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<ip>'],
  [/"(?:[^"\\]|\\.)*"/g, '"<str>"'],
  [/'(?:[^'\\\s]|\\.)(?:[^'\\]|\\.)*'/g, "'<str>'"],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  // Hex ids: long runs of hex digits that mix letters and digits (commit shas, request ids, tokens).
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<hex>'],
  // Numbers not glued to a word's letters ("v2", "S3" stay; "txn_12345", "took 340ms" change).
  [/(?<![A-Za-z])\d+(?:\.\d+)?/g, '<n>'],
];

/**
 * The text of a structured (JSON) log line that identifies the error: its message field with the
 * level, so that the rest of the JSON (ids, durations) does not split one error into many groups.
 */
function messageText(raw: string): string {
  const trimmed = raw.trim();
  if (!trimmed.startsWith('{')) return trimmed;
  try {
    const parsed = JSON.parse(trimmed) as Record<string, unknown>;
    const text = [parsed.msg, parsed.message, parsed.error, parsed.err].find((v) => typeof v === 'string');
    if (typeof text !== 'string') return trimmed;
    const level = [parsed.level, parsed.severity].find((v) => typeof v === 'string');
    return level ? `${String(level).toUpperCase()} ${text}` : text;
  } catch {
    return trimmed;
  }
}

/** A log message with its variable parts (ids, numbers, timestamps, quoted values) replaced by placeholders. */
export function messageSignature(message: string): string {
  let text = messageText(message);
  for (const [pattern, replacement] of NORMALISERS) text = text.replace(pattern, replacement);
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > MAX_SIGNATURE_LENGTH ? `${text.slice(0, MAX_SIGNATURE_LENGTH)}…` : text;
}

/** Groups events by signature, most frequent first (ties: most recent first). */
export function groupBySignature(events: readonly LogEvent[]): SignatureGroup[] {
  return mergeGroups(
    events.map((event) => ({
      signature: messageSignature(event.message),
      count: 1,
      firstSeen: event.timestamp,
      lastSeen: event.timestamp,
      example: event.message.trim(),
    })),
  );
}

/**
 * Merges partial groups that share a signature (e.g. Logs Insights rows keyed coarsely on the
 * server, re-keyed here with the full signature of their example).
 */
export function mergeGroups(groups: readonly SignatureGroup[]): SignatureGroup[] {
  const bySignature = new Map<string, SignatureGroup>();
  for (const group of groups) {
    const current = bySignature.get(group.signature);
    if (!current) {
      bySignature.set(group.signature, { ...group });
      continue;
    }
    current.count += group.count;
    if (group.firstSeen < current.firstSeen) current.firstSeen = group.firstSeen;
    if (group.lastSeen > current.lastSeen) {
      current.lastSeen = group.lastSeen;
      current.example = group.example;
    }
  }
  return [...bySignature.values()].sort((a, b) => b.count - a.count || b.lastSeen - a.lastSeen);
}
