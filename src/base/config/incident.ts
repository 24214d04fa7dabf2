import { z } from 'zod';

/** The severities of ops guide §11.1.1, as config keys. */
export const SEVERITY_KEYS = ['1', '2', '3', '4'] as const;
export const NOTIFY_CHANNELS = ['slack', 'pagerduty', 'webhook'] as const;
export type NotifyChannel = (typeof NOTIFY_CHANNELS)[number];

/**
 * Where a webhook URL or routing key comes from: an environment variable, else a Secrets Manager
 * secret (a plain string, or a JSON object and the key to read). Never a literal: the config file
 * may live in a repository next to the incident records.
 */
const SecretRefSchema = z
  .object({
    env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name, e.g. FSOPS_SLACK_WEBHOOK_URL'),
    secretId: z.string().min(1).nullable().describe('Secrets Manager secret read when the variable is unset'),
    secretKey: z.string().min(1).nullable().describe('key of a JSON secret; null: the whole secret string'),
  })
  .strict();

const ContactSchema = z
  .object({
    role: z.string().min(1),
    name: z.string().min(1).nullable(),
    email: z.string().min(1).nullable(),
    slack: z.string().min(1).nullable(),
    phone: z.string().min(1).nullable(),
  })
  .strict();

const LevelSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes'),
    title: z.string().min(1),
    method: z.string().min(1),
    recipients: z.array(z.string().min(1)).min(1),
  })
  .strict();

const SeverityPolicySchema = z
  .object({
    name: z.string().min(1),
    response: z.string().min(1).describe('response time of ops guide §11.1.1'),
    escalation: z.string().min(1).describe('who is told, in the words of ops guide §11.1.1'),
    minutes: z
      .record(z.string(), z.number().int().min(0))
      .describe('escalation level id -> minutes after the start when it falls due; absent: not used'),
    channels: z.array(z.enum(NOTIFY_CHANNELS)).describe('where --notify posts the notices'),
  })
  .strict();

/** Incident response (ops guide §11, §5.1.1, §13.3): records, escalation, notification channels. */
export const IncidentSchema = z
  .object({
    directory: z
      .string()
      .min(1)
      .describe(
        'one folder per incident under here (default: the per-user state folder beside the audit log; ~/ is the home folder, a relative path is taken from the working directory)',
      ),
    updateIntervalMinutes: z
      .number()
      .int()
      .positive()
      .describe('ops guide §11.2.1: updates every 30 minutes'),
    postmortemDueHours: z
      .number()
      .int()
      .positive()
      .describe('ops guide §11.2.1: post-mortem within 48 hours'),
    lockTimeoutMs: z.number().int().positive().describe('how long an update waits for another one to finish'),
    snapshotRunbook: z.string().min(1).describe('runbook whose checks make the evidence snapshot'),
    contacts: z.array(ContactSchema),
    levels: z.array(LevelSchema).min(1),
    severities: z
      .object({
        1: SeverityPolicySchema,
        2: SeverityPolicySchema,
        3: SeverityPolicySchema,
        4: SeverityPolicySchema,
      })
      .strict(),
    notify: z
      .object({
        timeoutMs: z.number().int().positive(),
        slack: z.object({ url: SecretRefSchema }).strict(),
        pagerduty: z.object({ eventsUrl: z.url(), routingKey: SecretRefSchema }).strict(),
        webhook: z.object({ url: SecretRefSchema }).strict(),
      })
      .strict(),
  })
  .strict()
  .superRefine((incident, ctx) => {
    const ids = new Set(incident.levels.map((level) => level.id));
    for (const key of SEVERITY_KEYS) {
      for (const level of Object.keys(incident.severities[key].minutes)) {
        if (!ids.has(level)) {
          ctx.addIssue({
            code: 'custom',
            path: ['severities', key, 'minutes', level],
            message: `unknown escalation level '${level}': ${ids.size ? `valid levels are ${[...ids].join(', ')}` : 'no level is defined (incident.levels)'}`,
          });
        }
      }
    }
  });

export type IncidentConfig = z.infer<typeof IncidentSchema>;
export type SecretRef = z.infer<typeof SecretRefSchema>;

/**
 * Ops guide §11.1.1 (severities, response times), §5.1.1 (Email → Slack → PagerDuty → executives at
 * 0/5/15/30 minutes), §5.2.1 (system down and database unavailable page immediately), §13.3 (who to
 * call). The guide's phone numbers are placeholders (+91-XXXX-...): contacts carry none until the team
 * fills them in.
 */
export const DEFAULT_INCIDENT: IncidentConfig = {
  directory: '~/.local/state/fsops/incidents',
  updateIntervalMinutes: 30,
  postmortemDueHours: 48,
  lockTimeoutMs: 10_000,
  snapshotRunbook: 'incident',
  contacts: [
    { role: 'On-call DevOps (primary)', name: null, email: null, slack: '@devops-oncall', phone: null },
    { role: 'On-call DevOps (secondary)', name: null, email: null, slack: null, phone: null },
    { role: 'Application team lead', name: null, email: 'app-team@1cloudhub.com', slack: null, phone: null },
    { role: 'Engineering Manager', name: null, email: null, slack: null, phone: null },
    { role: 'CTO', name: null, email: null, slack: null, phone: null },
    { role: 'AWS Support', name: null, email: null, slack: null, phone: 'Premium Support case' },
    { role: 'RazorPay Support', name: null, email: 'support@razorpay.com', slack: null, phone: null },
    { role: 'JusPay Support', name: null, email: 'support@juspay.in', slack: null, phone: null },
  ],
  levels: [
    {
      id: 'email',
      title: 'Level 1 Email',
      method: 'Email notification',
      recipients: ['devops-team@1cloudhub.com', 'app-team@1cloudhub.com'],
    },
    {
      id: 'slack',
      title: 'Level 2 Slack',
      method: 'Slack notification with @channel',
      recipients: ['#fivestar-alerts', '@devops-oncall'],
    },
    {
      id: 'pagerduty',
      title: 'Level 3 PagerDuty',
      method: 'PagerDuty incident creation',
      recipients: ['DevOps Engineer (on-call)', 'Engineering Manager'],
    },
    {
      id: 'executive',
      title: 'Level 4 Executive',
      method: 'Phone + Email + Slack DM',
      recipients: ['CTO', 'VP Engineering'],
    },
  ],
  severities: {
    1: {
      name: 'Critical',
      response: '15 minutes',
      escalation: 'Immediate executive notification; call the Engineering Manager immediately (§13.3.2)',
      minutes: { email: 0, slack: 0, pagerduty: 0, executive: 0 },
      channels: ['slack', 'pagerduty', 'webhook'],
    },
    2: {
      name: 'High',
      response: '1 hour',
      escalation: 'Management notification within 2 hours',
      minutes: { email: 0, slack: 5, pagerduty: 15 },
      channels: ['slack', 'pagerduty', 'webhook'],
    },
    3: {
      name: 'Medium',
      response: '4 hours',
      escalation: 'Standard team notification',
      minutes: { email: 0, slack: 5 },
      channels: ['slack', 'webhook'],
    },
    4: {
      name: 'Low',
      response: 'the next business day',
      escalation: 'Team lead notification',
      minutes: { email: 0 },
      channels: ['webhook'],
    },
  },
  notify: {
    timeoutMs: 10_000,
    slack: { url: { env: 'FSOPS_SLACK_WEBHOOK_URL', secretId: null, secretKey: null } },
    pagerduty: {
      eventsUrl: 'https://events.pagerduty.com/v2/enqueue',
      routingKey: { env: 'FSOPS_PAGERDUTY_ROUTING_KEY', secretId: null, secretKey: null },
    },
    webhook: { url: { env: 'FSOPS_INCIDENT_WEBHOOK_URL', secretId: null, secretKey: null } },
  },
};
