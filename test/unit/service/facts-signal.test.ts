import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode, ExitError } from '../../../src/base/model/errors.js';
import {
  gatherRollbackFacts,
  gatherServiceChangeFacts,
  serviceNames,
} from '../../../src/domain/ecs/service-facts.js';
import { dispatchInterrupt, readsUntilInterrupted } from '../../../src/engine/interrupt.js';
import { type EnvSession, openEnvSession, verifyAccount } from '../../../src/engine/session.js';
import { TEST_CREDENTIALS } from '../../helpers/context.js';
import { type FakeAws, startFakeWorld } from '../../helpers/fake-aws.js';

// The reads before a change take the run's signal: aborting it ends a call that hangs at once. Without
// the signal each of these would wait for the SDK's request timeout (10 s, times the retries), past
// the test's own timeout.

let fake: FakeAws | undefined;
let session: EnvSession | undefined;
const saved = { ...process.env };

beforeEach(() => {
  process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
});
afterEach(async () => {
  session?.aws.destroy();
  session = undefined;
  await fake?.close();
  fake = undefined;
  process.env = { ...saved };
});

/** A prod session against a world where `action` of `service` never answers. */
async function hanging(service: string, action: string): Promise<EnvSession> {
  fake = await startFakeWorld('prod', {}, { faults: [{ service, action, kind: 'hang' }] });
  fake.handlers.ecs!.ListTasks = () => ({ taskArns: [] });
  fake.handlers.ecs!.ListTaskDefinitions = () => ({ taskDefinitionArns: [] });
  session = openEnvSession({ endpointUrl: fake.url }, 'prod');
  return session;
}

/** Aborts once `action` has reached the endpoint (the call is in flight). */
function abortWhenCalled(action: string): AbortController {
  const controller = new AbortController();
  const poll = setInterval(() => {
    if (fake!.calls.some((c) => c.action === action)) {
      clearInterval(poll);
      controller.abort();
    }
  }, 10);
  controller.signal.addEventListener('abort', () => clearInterval(poll));
  return controller;
}

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return 'resolved';
}

describe('ECS fact reads take the run signal', () => {
  it('gatherRollbackFacts: a hanging DescribeServices ends when the signal aborts', async () => {
    const s = await hanging('ecs', 'DescribeServices');
    const controller = abortWhenCalled('DescribeServices');
    const error = await errorOf(
      gatherRollbackFacts(await s.aws.ecs(), serviceNames(s.env, 'internal-pe'), {
        signal: controller.signal,
      }),
    );
    expect((error as Error).name).toBe('AbortError');
  });

  it('gatherRollbackFacts: an aborted history read stops the run instead of passing as "history unavailable"', async () => {
    const s = await hanging('ecs', 'ListServiceDeployments');
    const controller = abortWhenCalled('ListServiceDeployments');
    const error = await errorOf(
      gatherRollbackFacts(await s.aws.ecs(), serviceNames(s.env, 'internal-pe'), {
        stoppedTasks: false,
        signal: controller.signal,
      }),
    );
    expect((error as Error).name).toBe('AbortError');
  });

  it('gatherServiceChangeFacts: a hanging ListTasks ends when the signal aborts', async () => {
    const s = await hanging('ecs', 'ListTasks');
    const controller = abortWhenCalled('ListTasks');
    const error = await errorOf(
      gatherServiceChangeFacts(await s.aws.ecs(), serviceNames(s.env, 'internal-pe'), controller.signal),
    );
    expect((error as Error).name).toBe('AbortError');
  });
});

describe('the account check takes the run signal', () => {
  it('verifyAccount: a hanging GetCallerIdentity ends when the signal aborts, before its own deadline', async () => {
    const s = await hanging('sts', 'GetCallerIdentity');
    const controller = abortWhenCalled('GetCallerIdentity');
    const error = await errorOf(verifyAccount(s, true, controller.signal));
    // Not "no answer from STS within 6 s": the run's signal ended it.
    expect((error as Error).name).toBe('AbortError');
  });
});

describe('readsUntilInterrupted', () => {
  it('an interrupt aborts the reads and ends as interrupted (130), whatever error the read surfaced as', async () => {
    const s = await hanging('ecs', 'DescribeServices');
    const poll = setInterval(() => {
      if (fake!.calls.some((c) => c.action === 'DescribeServices')) {
        clearInterval(poll);
        dispatchInterrupt();
      }
    }, 10);
    const error = await errorOf(
      readsUntilInterrupted(async (signal) =>
        gatherRollbackFacts(await s.aws.ecs(), serviceNames(s.env, 'internal-pe'), { signal }).catch(() => {
          throw new Error('cannot read the service');
        }),
      ),
    );
    expect(error).toBeInstanceOf(ExitError);
    expect((error as ExitError).code).toBe(ExitCode.interrupted);
  });

  it('an interrupt as the last read finishes still stops: never "carry on to the change"', async () => {
    const error = await errorOf(
      readsUntilInterrupted(async () => {
        dispatchInterrupt();
        return 'facts';
      }),
    );
    expect((error as ExitError).code).toBe(ExitCode.interrupted);
  });

  it('without an interrupt returns what was read and leaves no handler behind', async () => {
    expect(await readsUntilInterrupted(async () => 'facts')).toBe('facts');
    expect(dispatchInterrupt()).toBe(false);
  });
});
