import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Finding, Report } from '../../../src/base/model/finding.js';
import { putMetrics, reportMetrics } from '../../../src/domain/metrics/publish.js';

const cloudwatch = mockClient(CloudWatchClient);
beforeEach(() => cloudwatch.reset());

const finding = (id: string, status: Finding['status']): Finding => ({
  id,
  checkId: id,
  title: id,
  status,
  severity: 'high',
  resource: 'r',
  detail: '',
  expected: '',
  observed: '',
  remediation: '',
  source: 's',
});

const report = (findings: Finding[]): Report => ({
  command: 'validate',
  env: 'prod',
  status: findings.some((f) => f.status === 'fail') ? 'fail' : 'pass',
  startedAt: '2026-11-29T02:00:00.000Z',
  durationMs: 1,
  findings,
});

describe('--publish metrics', () => {
  it('one CheckFailing per check id and env, counts by status, and the run verdict', () => {
    const data = reportMetrics(
      report([
        finding('ecs.service', 'pass'),
        finding('ecs.service', 'fail'),
        finding('rds.instance', 'pass'),
        finding('logs.groups', 'error'),
        finding('health.endpoints', 'warn'),
      ]),
    );
    const failing = data
      .filter((d) => d.MetricName === 'CheckFailing')
      .map((d) => [d.Dimensions!.find((x) => x.Name === 'Check')!.Value, d.Value]);
    expect(failing).toEqual([
      ['ecs.service', 1],
      ['rds.instance', 0],
      ['logs.groups', 1],
      ['health.endpoints', 0],
    ]);
    const counts = Object.fromEntries(
      data
        .filter((d) => d.MetricName === 'Findings')
        .map((d) => [d.Dimensions!.find((x) => x.Name === 'Status')!.Value, d.Value]),
    );
    expect(counts).toEqual({ pass: 2, warn: 1, fail: 1, skip: 0, error: 1 });
    expect(data.find((d) => d.MetricName === 'RunFailing')).toMatchObject({
      Value: 1,
      Dimensions: [
        { Name: 'Env', Value: 'prod' },
        { Name: 'Command', Value: 'validate' },
      ],
    });
    expect(data.every((d) => d.Timestamp!.toISOString() === '2026-11-29T02:00:00.000Z')).toBe(true);
  });

  it('sends one PutMetricData call, more only above 1000 metrics', async () => {
    cloudwatch.on(PutMetricDataCommand).resolves({});
    const client = new CloudWatchClient({
      region: 'ap-south-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const small = reportMetrics(report([finding('a', 'pass')]));
    expect(await putMetrics(client, 'Fivestar/Ops', small)).toBe(1);
    const many = reportMetrics(report(Array.from({ length: 1500 }, (_, i) => finding(`check.${i}`, 'pass'))));
    expect(many).toHaveLength(1506);
    expect(await putMetrics(client, 'Fivestar/Ops', many)).toBe(2);
    const sizes = cloudwatch
      .commandCalls(PutMetricDataCommand)
      .map((c) => c.args[0].input.MetricData!.length);
    expect(sizes).toEqual([small.length, 1000, 506]);
    expect(cloudwatch.commandCalls(PutMetricDataCommand)[0]!.args[0].input.Namespace).toBe('Fivestar/Ops');
  });
});
