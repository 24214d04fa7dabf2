import pg from 'pg';
import type { DatabaseConfig } from '../../base/config/schema.js';
import { connectionConfig, sessionParameters } from '../db/connection.js';
import type { DbTarget } from '../db/target.js';
import type { ProbeSample } from './drill.js';

/**
 * The failover drill's probe: every interval a write and a read on one connection, reconnecting after a
 * failure. The write goes to a TEMPORARY table fsops creates on each connection (`fsops_dr_probe`): it
 * needs only the TEMP privilege, fails on a read-only standby like any write, and disappears with the
 * session, so nothing is left behind even if fsops is killed. The read is `SELECT 1`.
 */
export class FailoverProbe {
  private client: pg.Client | null = null;
  readonly samples: ProbeSample[] = [];

  constructor(
    private readonly target: DbTarget,
    private readonly settings: DatabaseConfig['session'],
    private readonly timeoutMs: number,
  ) {}

  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client({
      ...connectionConfig(
        this.target,
        { ...this.settings, connectTimeoutMs: this.timeoutMs },
        'fsops-dr-drill',
        {
          ...sessionParameters({ ...this.settings, statementTimeoutMs: this.timeoutMs }, false),
        },
      ),
      query_timeout: this.timeoutMs,
    });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('CREATE TEMPORARY TABLE IF NOT EXISTS fsops_dr_probe (at timestamptz NOT NULL)');
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    this.client = client;
    return client;
  }

  private async drop(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  /** One write and one read; a failure closes the connection so the next probe reconnects. */
  async probe(): Promise<ProbeSample> {
    const at = Date.now();
    let write = false;
    let read = false;
    try {
      const client = await this.connect();
      await client.query('INSERT INTO fsops_dr_probe (at) VALUES (now())');
      write = true;
      await client.query('SELECT 1');
      read = true;
    } catch {
      await this.drop();
      // The write failed on a broken connection: try the read on a fresh one (a standby may still read).
      if (!read) {
        try {
          const client = await this.connect();
          await client.query('SELECT 1');
          read = true;
        } catch {
          await this.drop();
        }
      }
    }
    const sample = { at, write, read };
    this.samples.push(sample);
    return sample;
  }

  async close(): Promise<void> {
    if (this.client) await this.client.query('DROP TABLE IF EXISTS fsops_dr_probe').catch(() => {});
    await this.drop();
  }
}
