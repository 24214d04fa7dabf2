import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../src/base/config/defaults.js';
import { UnreachableError, UsageError } from '../../../src/base/model/errors.js';
import { describeBackend, parsePid } from '../../../src/commands/db-signal.js';
import { describePgError, sessionParameters, tlsOptions } from '../../../src/domain/db/connection.js';
import { redactSecrets } from '../../../src/domain/db/redact.js';
import {
  applyTunnel,
  defaultSslMode,
  envDbTarget,
  parseDbUrl,
  resolveDbTarget,
} from '../../../src/domain/db/target.js';
import { detachedEnv } from '../../../src/engine/database.js';
import type { EnvSession } from '../../../src/engine/session.js';
import { testAws, testEnv } from '../../helpers/context.js';

const settings = DEFAULT_CONFIG.database.session;
const RDS = 'prod-fivestar-payments-db.abc123.ap-south-1.rds.amazonaws.com';

describe('database URLs and TLS', () => {
  it('parses a postgres URL, TLS required for RDS hosts and off for loopback', () => {
    expect(parseDbUrl(`postgresql://fivestar_app:p%40ss@${RDS}:5432/fivestar_payments`, '--db-url')).toEqual({
      host: RDS,
      port: 5432,
      database: 'fivestar_payments',
      user: 'fivestar_app',
      password: 'p@ss',
      ssl: 'require',
      source: '--db-url',
    });
    expect(parseDbUrl('postgres://me@localhost/db', 'DATABASE_URL')).toMatchObject({
      ssl: 'disable',
      port: 5432,
    });
    expect(parseDbUrl('postgres://me@db.internal/x?sslmode=verify-ca', 'x').ssl).toBe('verify-full');
    expect(parseDbUrl('postgres://me@db.internal/x?sslmode=prefer', 'x').ssl).toBe('require');
    expect(defaultSslMode('10.0.0.5')).toBe('disable');
  });

  it('rejects bad URLs without echoing them (they may hold a password)', () => {
    expect(() => parseDbUrl('not a url with s3cret', '--db-url')).toThrow(UsageError);
    expect(() => parseDbUrl('not a url with s3cret', '--db-url')).not.toThrow(/s3cret/);
    expect(() => parseDbUrl('postgres://u:s3cret@h/db?sslmode=bogus', '--db-url')).toThrow(
      "--db-url: unknown sslmode 'bogus' (valid: disable, allow, prefer, require, verify-ca, verify-full)",
    );
  });

  it('--db-host/--db-port reach the database through a tunnel, checking TLS against the real host', () => {
    const target = parseDbUrl(`postgres://app@${RDS}/fivestar_payments?sslmode=verify-full`, '--db-url');
    const tunnelled = applyTunnel(target, { dbHost: '127.0.0.1', dbPort: '15432' });
    expect(tunnelled).toMatchObject({
      host: '127.0.0.1',
      port: 15432,
      tlsServerName: RDS,
      ssl: 'verify-full',
    });
    const tls = tlsOptions(tunnelled, null);
    expect(tls).toMatchObject({ rejectUnauthorized: true, servername: RDS });
    expect(tlsOptions({ ...target, ssl: 'require' }, null)).toEqual({ rejectUnauthorized: false });
    expect(tlsOptions({ ...target, ssl: 'disable' }, null)).toBe(false);
    expect(() => applyTunnel(target, { dbPort: '70000' })).toThrow(
      "--db-port must be a port number 1-65535 (got '70000')",
    );
    expect(() => tlsOptions(tunnelled, '/nonexistent/rds-ca.pem')).toThrow(/sslRootCert: cannot read/);
  });

  it('every session is read-only (unless a mutation) with the configured limits', () => {
    expect(sessionParameters(settings, true)).toEqual({
      default_transaction_read_only: 'on',
      statement_timeout: '10000',
      lock_timeout: '2000',
      idle_in_transaction_session_timeout: '60000',
    });
    expect(sessionParameters(settings, false).default_transaction_read_only).toBe('off');
  });
});

describe('secrets never reach messages', () => {
  it('redacts URL passwords and known secrets', () => {
    expect(redactSecrets('failed for postgres://app:hunter22@db:5432/x and postgresql://u:p@h/d')).toBe(
      'failed for postgres://***@db:5432/x and postgresql://***@h/d',
    );
    expect(redactSecrets('error near "hunter22"', ['hunter22'])).toBe('error near "***"');
  });

  it('describes pg errors in one line, naming the limit that cancelled a query', () => {
    expect(
      describePgError(
        { code: '57014', message: 'canceling statement due to statement timeout' },
        settings,
        [],
      ),
    ).toBe('query cancelled by statement_timeout (10000 ms, database.session.statementTimeoutMs)');
    expect(
      describePgError({ code: '55P03', message: 'canceling statement due to lock timeout' }, settings, []),
    ).toBe('gave up waiting for a lock after lock_timeout (2000 ms)');
    expect(
      describePgError({ code: 'XX000', message: 'bad thing with pw123\nDETAIL: more' }, settings, ['pw123']),
    ).toBe('bad thing with *** (SQLSTATE XX000)');
  });
});

describe('the environment database secret (deployment guide §4.2.2)', () => {
  const secrets = mockClient(SecretsManagerClient);
  let session: EnvSession;
  beforeEach(() => {
    secrets.reset();
    const env = testEnv('prod');
    session = { config: env.config, env, aws: testAws() };
  });
  afterEach(() => session.aws.destroy());

  it('reads fivestar/payments/{env}/database and requires TLS for the RDS endpoint', async () => {
    secrets.on(GetSecretValueCommand, { SecretId: 'fivestar/payments/prod/database' }).resolves({
      SecretString: JSON.stringify({
        username: 'fivestar_app',
        password: 'gen3rated',
        host: RDS,
        port: 5432,
        database: 'fivestar_payments',
      }),
    });
    expect(await envDbTarget(session)).toEqual({
      host: RDS,
      port: 5432,
      database: 'fivestar_payments',
      user: 'fivestar_app',
      password: 'gen3rated',
      ssl: 'require',
      source: 'secret fivestar/payments/prod/database',
    });
  });

  it('a missing secret is a usage error naming it; a malformed one says what it should hold', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
    await expect(envDbTarget(session)).rejects.toThrow(
      'database secret fivestar/payments/prod/database not found for prod (names.dbSecret in the config, or pass --db-url)',
    );
    secrets.reset();
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'user=x password=y' });
    await expect(envDbTarget(session)).rejects.toThrow(
      /is not JSON with username, password, host, port, database/,
    );
  });

  it('access denied is exit 3', async () => {
    const denied = Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' });
    secrets.on(GetSecretValueCommand).rejects(denied);
    await expect(envDbTarget(session)).rejects.toBeInstanceOf(UnreachableError);
  });

  it('config host/user/password make the secret unnecessary', async () => {
    const env = testEnv(
      'dev',
      'environments:\n  dev:\n    database: { host: 127.0.0.1, port: 15432, user: me, password: "", database: payments }\n',
    );
    const target = await envDbTarget({ config: env.config, env, aws: testAws() });
    expect(target).toMatchObject({
      host: '127.0.0.1',
      port: 15432,
      user: 'me',
      ssl: 'disable',
      source: 'environments.dev.database',
    });
    expect(secrets.calls()).toHaveLength(0);
  });
});

describe('which database a command talks to', () => {
  const saved = { DATABASE_URL: process.env.DATABASE_URL, FSOPS_ENV: process.env.FSOPS_ENV };
  afterEach(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  const noEnv = () => {
    throw new Error('no environment should be opened');
  };

  it('--db-url first, then DATABASE_URL; nothing at all is a usage error', async () => {
    process.env.DATABASE_URL = 'postgres://from@env/db';
    expect((await resolveDbTarget({ dbUrl: 'postgres://from@flag/db' }, noEnv)).target.source).toBe(
      '--db-url',
    );
    expect((await resolveDbTarget({}, noEnv)).target.source).toBe('DATABASE_URL');
    delete process.env.DATABASE_URL;
    delete process.env.FSOPS_ENV;
    await expect(resolveDbTarget({}, noEnv)).rejects.toThrow(/^no database given: pass --db-url/);
  });

  it('mutations do not take their environment from FSOPS_ENV', async () => {
    delete process.env.DATABASE_URL;
    process.env.FSOPS_ENV = 'prod';
    await expect(resolveDbTarget({}, noEnv, { envFromEnvironment: false })).rejects.toThrow(
      /FSOPS_ENV is not used by commands that change something/,
    );
  });

  it('a bare URL gets the global thresholds and no account or protection', () => {
    const env = detachedEnv(DEFAULT_CONFIG);
    expect(env).toMatchObject({ name: 'database', accountId: null, profile: undefined });
    expect(env.settings.protected).toBe(false);
    expect(env.thresholds).toEqual(DEFAULT_CONFIG.thresholds);
  });
});

describe('db cancel / terminate input and plan', () => {
  it('parses a pid or says what a pid is', () => {
    expect(parsePid('4242')).toBe(4242);
    for (const bad of ['-1', '0', 'abc', '1.5', '99999999999'])
      expect(() => parsePid(bad)).toThrow(UsageError);
  });

  it('describes who the pid is and what the signal does', () => {
    const lines = describeBackend(
      'terminate',
      {
        pid: 4242,
        user: 'fivestar_app',
        application: 'internal-pe',
        client: '10.0.1.7',
        database: 'fivestar_payments',
        state: 'idle in transaction',
        backendType: 'client backend',
        queryAge: 400,
        xactAge: 420,
        stateAge: 390,
        query: 'UPDATE payments SET status = $1 WHERE id = $2',
        blocking: 3,
      },
      'fsops@db:5432/fivestar_payments',
    );
    expect(lines).toEqual([
      'database: fsops@db:5432/fivestar_payments',
      'session:  pid 4242, user fivestar_app, application internal-pe, client 10.0.1.7',
      'state:    idle in transaction for 6m 30s; transaction open 7m 0s',
      'query:    UPDATE payments SET status = $1 WHERE id = $2',
      'blocking: 3 sessions waiting on its locks',
      'effect:   pg_terminate_backend: the connection is closed and its open transaction rolled back',
    ]);
  });
});

describe('one connect-failure message for read-only and writable sessions', () => {
  it('keeps the reason (and never the password) for the writable maintenance session too', async () => {
    const { openDbSession } = await import('../../../src/domain/db/connection.js');
    const { openMaintenanceSession } = await import('../../../src/domain/db/writable.js');
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const target = parseDbUrl('postgres://ops:s3cret-pw@127.0.0.1:1/fivestar', '--db-url');
    const read = await openDbSession(target, {
      readOnly: true,
      settings: DEFAULT_CONFIG.database.session,
    }).then(
      () => 'connected',
      (error: Error) => error,
    );
    const write = await openMaintenanceSession(target, DEFAULT_CONFIG).then(
      () => 'connected',
      (error: Error) => error,
    );
    expect(read).toBeInstanceOf(Error);
    expect(write).toBeInstanceOf(Error);
    const expected =
      'cannot connect to PostgreSQL ops@127.0.0.1:1/fivestar (from --db-url): connection refused (is the server running, or the tunnel open?)';
    expect((read as Error).message).toBe(expected);
    expect((write as Error).message).toBe(expected);
    expect((write as Error).message).not.toContain('s3cret-pw');
  });
});
