import type { Finding as GuardDutyFinding } from '@aws-sdk/client-guardduty';
import type { CheckResult } from '../../../base/model/check.js';
import { parseDuration } from '../../../base/model/duration.js';
import { oneLine } from '../../../base/model/text.js';
import { gather, unreadFact } from '../partial.js';
import { allPages, call, guarded } from './common.js';

export interface DetectorFacts {
  id: string;
  status: string;
}

const FINDINGS_BATCH = 50;
/** GuardDuty severities: 7.0 and up is HIGH (9.0 and up CRITICAL), 4.0-6.9 MEDIUM. */
export const HIGH = 7;
export const MEDIUM = 4;

/** What a finding is about, in a few words: the resource type and its id. */
export function findingResource(f: GuardDutyFinding): string {
  const r = f.Resource;
  const id =
    r?.InstanceDetails?.InstanceId ??
    r?.AccessKeyDetails?.UserName ??
    r?.S3BucketDetails?.[0]?.Name ??
    r?.EcsClusterDetails?.Name ??
    r?.EksClusterDetails?.Name ??
    r?.RdsDbInstanceDetails?.DbInstanceIdentifier ??
    r?.LambdaDetails?.FunctionName ??
    '';
  return oneLine(`${r?.ResourceType ?? 'resource'}${id ? ` ${id}` : ''}`, 120);
}

/** GuardDuty on and no HIGH findings in the window (ops guide §5.2.1 SecurityBreach); MEDIUM ones warn. */
export function evaluateGuardDuty(
  detectors: DetectorFacts[],
  findings: GuardDutyFinding[],
  windowText: string,
): CheckResult[] {
  if (!detectors.some((d) => d.status === 'ENABLED'))
    return [
      {
        id: 'security.guardduty.enabled',
        title: 'GuardDuty enabled',
        status: 'fail',
        severity: 'critical',
        resource: detectors.map((d) => d.id).join(', ') || 'GuardDuty',
        expected: 'a GuardDuty detector ENABLED (deployment guide §2.2.3)',
        observed: detectors.length
          ? `detector(s) ${detectors.map((d) => `${d.id} ${oneLine(d.status)}`).join(', ')}`
          : 'no detector in this region',
        remediation: 'aws guardduty create-detector --enable (or update-detector --enable) in this region.',
      },
    ];
  const line = (f: GuardDutyFinding) =>
    `${(f.Severity ?? 0).toFixed(1)} ${oneLine(f.Title ?? f.Type)} — ${findingResource(f)}`;
  const high = findings
    .filter((f) => (f.Severity ?? 0) >= HIGH)
    .sort((a, b) => (b.Severity ?? 0) - (a.Severity ?? 0));
  const medium = findings.filter((f) => (f.Severity ?? 0) >= MEDIUM && (f.Severity ?? 0) < HIGH);
  const enabled = detectors.filter((d) => d.status === 'ENABLED').map((d) => d.id);
  return [
    {
      id: 'security.guardduty.enabled',
      title: 'GuardDuty enabled',
      status: 'pass',
      severity: 'critical',
      resource: enabled.join(', '),
      expected: 'a GuardDuty detector ENABLED (deployment guide §2.2.3)',
      observed: 'ENABLED',
    },
    {
      id: 'security.guardduty.high',
      title: 'No HIGH GuardDuty findings',
      status: high.length ? 'fail' : 'pass',
      severity: 'critical',
      resource: enabled.join(', '),
      expected: `no finding of severity 7 or more updated in the last ${windowText} (ops guide §5.2.1)`,
      observed: high.length
        ? `${high.length} HIGH finding(s): ${high.slice(0, 3).map(line).join('; ')}${high.length > 3 ? '; ...' : ''}`
        : 'none',
      detail:
        high.slice(0, 20).map(line).join('\n') +
        (high.length > 20 ? `\n... and ${high.length - 20} more` : ''),
      remediation:
        'ops guide §5.2.1 SecurityBreach: notify security and executives now; triage each finding in the GuardDuty console (archive only after investigation).',
    },
    {
      id: 'security.guardduty.medium',
      title: 'MEDIUM GuardDuty findings',
      status: medium.length ? 'warn' : 'pass',
      severity: 'medium',
      resource: enabled.join(', '),
      expected: `no finding of severity 4-6.9 updated in the last ${windowText}`,
      observed: medium.length ? `${medium.length} MEDIUM finding(s)` : 'none',
      detail:
        medium.slice(0, 10).map(line).join('\n') +
        (medium.length > 10 ? `\n... and ${medium.length - 10} more` : ''),
      remediation: 'Review the findings with the security team (runbook 003 PCI DSS daily: review logs).',
    },
  ];
}

export const guardDutyCheck = guarded({
  id: 'security.guardduty',
  title: 'GuardDuty threat detection',
  severity: 'critical',
  source:
    'deployment guide §2.2.3; ops guide §5.2.1; runbook 003 PCI DSS (monthly: analyze security logs; PCI DSS 11.5.1)',
  remediation: 'Enable GuardDuty and triage its findings.',
  async run(ctx) {
    const sdk = await import('@aws-sdk/client-guardduty');
    const gd = await ctx.aws.guardduty();
    const signal = ctx.signal;
    const ids = await allPages((NextToken) =>
      call('guardduty:ListDetectors', () =>
        gd.send(new sdk.ListDetectorsCommand({ NextToken }), { abortSignal: signal }),
      ).then((o) => ({ items: o.DetectorIds, next: o.NextToken })),
    );
    // Each detector on its own: one whose status or findings cannot be read is its own error, and
    // what the others show is judged (src/catalogue/checks/partial.ts). HIGH/MEDIUM are judged over the
    // detectors whose findings arrived, named as the findings' resource; never over an unread one.
    const unread: CheckResult[] = [];
    const statuses = await gather(
      ...ids.map((id) =>
        call('guardduty:GetDetector', () =>
          gd.send(new sdk.GetDetectorCommand({ DetectorId: id }), { abortSignal: signal }),
        ),
      ),
    );
    const detectors: DetectorFacts[] = [];
    ids.forEach((id, i) => {
      const got = statuses[i]!;
      if (got.ok) detectors.push({ id, status: got.value.Status ?? 'UNKNOWN' });
      else unread.push(unreadFact('security.guardduty', id, `GuardDuty detector ${id}`, got.reason));
    });
    // No detector known to be on, and one that could not be read: "GuardDuty off" would be a guess.
    if (unread.length && !detectors.some((d) => d.status === 'ENABLED')) return unread;
    const windowMs = parseDuration(ctx.env.config.security.findingsWindow, 'security.findingsWindow');
    const since = ctx.now.getTime() - windowMs;
    const enabled = detectors.filter((d) => d.status === 'ENABLED');
    const detectorFindings = async (detectorId: string): Promise<GuardDutyFinding[]> => {
      const findingIds = await allPages((NextToken) =>
        call('guardduty:ListFindings', () =>
          gd.send(
            new sdk.ListFindingsCommand({
              DetectorId: detectorId,
              FindingCriteria: {
                Criterion: {
                  severity: { GreaterThanOrEqual: MEDIUM },
                  updatedAt: { GreaterThanOrEqual: since },
                  'service.archived': { Equals: ['false'] },
                },
              },
              MaxResults: FINDINGS_BATCH,
              NextToken,
            }),
            { abortSignal: signal },
          ),
        ).then((o) => ({ items: o.FindingIds, next: o.NextToken })),
      );
      const found: GuardDutyFinding[] = [];
      for (let i = 0; i < findingIds.length; i += FINDINGS_BATCH) {
        const out = await call('guardduty:GetFindings', () =>
          gd.send(
            new sdk.GetFindingsCommand({
              DetectorId: detectorId,
              FindingIds: findingIds.slice(i, i + FINDINGS_BATCH),
            }),
            { abortSignal: signal },
          ),
        );
        found.push(...(out.Findings ?? []));
      }
      return found;
    };
    const perDetector = await gather(...enabled.map((detector) => detectorFindings(detector.id)));
    const findings: GuardDutyFinding[] = [];
    const judged: string[] = [];
    enabled.forEach((detector, i) => {
      const got = perDetector[i]!;
      if (got.ok) {
        findings.push(...got.value);
        judged.push(detector.id);
      } else
        unread.push(
          unreadFact(
            'security.guardduty',
            detector.id,
            `the findings of GuardDuty detector ${detector.id}`,
            got.reason,
          ),
        );
    });
    const judgedResults = evaluateGuardDuty(detectors, findings, ctx.env.config.security.findingsWindow);
    // The HIGH/MEDIUM verdicts speak only for the detectors whose findings were read.
    const verdicts = judgedResults.filter((r) => r.id === 'security.guardduty.enabled' || judged.length > 0);
    return [
      ...unread,
      ...verdicts.map((r) =>
        r.id === 'security.guardduty.enabled' ? r : { ...r, resource: judged.join(', ') },
      ),
    ];
  },
});
