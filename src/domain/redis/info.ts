/** The answer to INFO, by field: `section -> field -> value` flattened to `field -> value` (fields are unique). */
export type RedisInfo = Record<string, string>;

/** Parses INFO's `# Section` / `field:value` lines (CRLF or LF). */
export function parseInfo(text: string): RedisInfo {
  const info: RedisInfo = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    info[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return info;
}

/** A numeric field, or null when absent or not a number. */
export function infoNumber(info: RedisInfo, field: string): number | null {
  const raw = info[field];
  if (raw === undefined || raw === '') return null;
  const n = Number(raw);
  return Number.isFinite(n) ? n : null;
}

/** `a=1,b=x` values (keyspace `db0:keys=..`, replication `slave0:ip=..`). */
export function parseFields(value: string): Record<string, string> {
  return Object.fromEntries(
    value
      .split(',')
      .map((pair) => pair.split('='))
      .filter((kv): kv is [string, string] => kv.length === 2 && kv[0] !== ''),
  );
}

export interface ReplicaLink {
  name: string;
  address: string;
  state: string;
  /** Seconds since the replica's last acknowledgement (INFO's `lag`), null when not given. */
  lag: number | null;
}

/** The replicas a primary lists (`slave0:ip=..,port=..,state=online,offset=..,lag=0`). */
export function replicaLinks(info: RedisInfo): ReplicaLink[] {
  return Object.keys(info)
    .filter((key) => /^slave\d+$/.test(key))
    .map((key) => {
      const f = parseFields(info[key]!);
      const lag = f.lag === undefined ? null : Number(f.lag);
      return {
        name: key,
        address: `${f.ip ?? '?'}:${f.port ?? '?'}`,
        state: f.state ?? 'unknown',
        lag: lag !== null && Number.isFinite(lag) ? lag : null,
      };
    });
}
