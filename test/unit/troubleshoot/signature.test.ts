import { describe, expect, it } from 'vitest';
import { groupBySignature, mergeGroups, messageSignature } from '../../../src/domain/logs/signature.js';

describe('messageSignature', () => {
  it('replaces UUIDs, hex ids, numbers, timestamps and quoted values', () => {
    expect(
      messageSignature(
        '2026-11-21T10:00:01.123Z ERROR payment 3f2a9c1e-8d4b-4f6a-9e2d-1b3c5d7e9f00 failed after 340ms: gateway said "card declined" (txn_88231, trace a1b2c3d4e5f60718)',
      ),
    ).toBe('<ts> ERROR payment <uuid> failed after <n>ms: gateway said "<str>" (txn_<n>, trace <hex>)');
  });

  it('gives the same signature to messages that differ only in their variable parts', () => {
    const a = messageSignature(
      "ERROR [10:02:13] connect ECONNREFUSED 10.0.1.15:5432 for user 'app_rw' attempt 3",
    );
    const b = messageSignature(
      "ERROR [11:45:00] connect ECONNREFUSED 10.0.2.99:5432 for user 'reporting' attempt 17",
    );
    expect(a).toBe(b);
    expect(a).toBe("ERROR [<ts>] connect ECONNREFUSED <ip> for user '<str>' attempt <n>");
  });

  it('keeps numbers that are part of a word, and 0x hex values become <hex>', () => {
    expect(messageSignature('S3 upload to v2 api failed with 0xDEADBEEF')).toBe(
      'S3 upload to v2 api failed with <hex>',
    );
  });

  it('uses the message field of JSON log lines, so ids elsewhere in the JSON do not split groups', () => {
    const line = (id: string, ms: number) =>
      JSON.stringify({ level: 'error', msg: 'RazorPay request timed out after 30000ms', requestId: id, ms });
    expect(messageSignature(line('r-1', 12))).toBe(messageSignature(line('r-2', 99)));
    expect(messageSignature(line('r-1', 12))).toBe('ERROR RazorPay request timed out after <n>ms');
  });

  it('does not normalise words away and cuts very long signatures', () => {
    expect(messageSignature('ERROR   Database   unavailable')).toBe('ERROR Database unavailable');
    expect(messageSignature(`ERROR ${'x'.repeat(500)}`).length).toBeLessThanOrEqual(201);
  });
});

describe('groupBySignature', () => {
  it('counts per signature with first and last seen and the latest example, most frequent first', () => {
    const groups = groupBySignature([
      { timestamp: 1000, message: 'ERROR payment 11 failed: timeout' },
      { timestamp: 3000, message: 'ERROR LMS push 7 rejected' },
      { timestamp: 2000, message: 'ERROR payment 12 failed: timeout' },
      { timestamp: 5000, message: 'ERROR payment 13 failed: timeout\n' },
    ]);
    expect(groups).toEqual([
      {
        signature: 'ERROR payment <n> failed: timeout',
        count: 3,
        firstSeen: 1000,
        lastSeen: 5000,
        example: 'ERROR payment 13 failed: timeout',
      },
      {
        signature: 'ERROR LMS push <n> rejected',
        count: 1,
        firstSeen: 3000,
        lastSeen: 3000,
        example: 'ERROR LMS push 7 rejected',
      },
    ]);
  });

  it('returns nothing for no events', () => {
    expect(groupBySignature([])).toEqual([]);
  });

  it('merges partial groups (Logs Insights rows) that share a signature', () => {
    const merged = mergeGroups([
      { signature: 's', count: 4, firstSeen: 50, lastSeen: 60, example: 'a' },
      { signature: 's', count: 6, firstSeen: 10, lastSeen: 90, example: 'b' },
      { signature: 't', count: 7, firstSeen: 1, lastSeen: 2, example: 'c' },
    ]);
    expect(merged).toEqual([
      { signature: 's', count: 10, firstSeen: 10, lastSeen: 90, example: 'b' },
      { signature: 't', count: 7, firstSeen: 1, lastSeen: 2, example: 'c' },
    ]);
  });
});
