import { describe, expect, it } from 'vitest';
import {
  FAKE_CONFIG_VALUES,
  FAKE_FAILED_LOGIN_PATTERN,
  fakeAlarmAccount,
  fakeAlb,
} from '../../../scripts/fake-alarms.mjs';
import { DEFAULT_CONFIG } from '../../../src/base/config/defaults.js';
import {
  alarmDiff,
  desiredAlarms,
  loadAlarmCatalogue,
} from '../../../src/domain/monitoring/alarm-catalogue.js';
import { testEnv } from '../../helpers/context.js';

const at = (path: string): unknown =>
  path.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], DEFAULT_CONFIG);

describe("the fake account's alarms (scripts/fake-alarms.mjs) are what fsops derives from the catalogue", () => {
  it('its config values are the defaults', () => {
    for (const [path, value] of Object.entries(FAKE_CONFIG_VALUES))
      expect([path, at(path)]).toEqual([path, value]);
    expect(FAKE_FAILED_LOGIN_PATTERN).toBe(DEFAULT_CONFIG.security.failedLogin.pattern);
  });

  it('every alarm of the healthy prod account has no diff against the catalogue', () => {
    const env = testEnv('prod');
    const account = '123456789014';
    const albs = new Map(
      env.components.map((c) => {
        const alb = fakeAlb('prod', account, c);
        return [c, { loadBalancer: alb.dimension, targetGroups: [alb.targetGroupDimension] }];
      }),
    );
    const desired = desiredAlarms(loadAlarmCatalogue(), env, { albs });
    const fake = fakeAlarmAccount('prod', account, env.components);
    expect([...fake.alarms.keys()].sort()).toEqual(desired.map((a) => a.name).sort());
    for (const alarm of desired)
      expect([alarm.name, alarmDiff(alarm, fake.alarms.get(alarm.name)!)]).toEqual([alarm.name, []]);
  });
});
