/**
 * The IAM actions fsops calls, by command family: what `fsops doctor` asks IAM to simulate for the
 * caller (iam:SimulatePrincipalPolicy) and what a team's policy must allow. Kept next to the clients:
 * test/unit/aws/permissions.test.ts reads every AWS SDK command and paginator src/ uses and fails when
 * an action is missing here or listed here but no longer called. An action may serve several families.
 */
export interface PermissionFamily {
  family: string;
  /** The commands that need these actions. */
  commands: string;
  actions: readonly string[];
}

export const AWS_PERMISSIONS: readonly PermissionFamily[] = [
  {
    family: 'read',
    commands:
      'validate, troubleshoot, status, metrics, logs, ecs tasks, alarms, net db-path, cert, runbook run, deployments, incident open/update',
    actions: [
      'ecs:DescribeServices',
      'ecs:DescribeTaskDefinition',
      'ecs:DescribeTasks',
      'ecs:ListTasks',
      'ecs:ListTaskDefinitions',
      'ecs:ListServiceDeployments',
      'ecs:DescribeServiceDeployments',
      'ecs:DescribeServiceRevisions',
      'rds:DescribeDBInstances',
      'elasticloadbalancing:DescribeLoadBalancers',
      'elasticloadbalancing:DescribeListeners',
      'elasticloadbalancing:DescribeTargetGroups',
      'elasticloadbalancing:DescribeTargetHealth',
      'cloudwatch:DescribeAlarms',
      'cloudwatch:GetMetricData',
      'logs:DescribeLogGroups',
      'logs:FilterLogEvents',
      'logs:StartQuery',
      'logs:GetQueryResults',
      'logs:StopQuery',
      'ssm:GetParameter',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeSubnets',
      'dynamodb:Query',
      'dynamodb:Scan',
    ],
  },
  {
    family: 'redis',
    commands: 'redis (ElastiCache)',
    actions: ['elasticache:DescribeReplicationGroups', 'elasticache:DescribeSnapshots'],
  },
  {
    family: 'database',
    commands: "db *, the database checks of validate and troubleshoot (the environment's secret)",
    actions: ['secretsmanager:GetSecretValue'],
  },
  {
    family: 'deploy',
    commands: 'deploy (the gates: ECR image and scan; the release: a new task-definition revision)',
    actions: [
      'ecr:DescribeImages',
      'ecr:DescribeImageScanFindings',
      'ecr:DescribeRepositories',
      'ecs:RegisterTaskDefinition',
      'ecs:UpdateService',
      'ecs:StopServiceDeployment',
      'ecs:ContinueServiceDeployment',
      'codedeploy:ListApplications',
      'codedeploy:ListDeploymentGroups',
      'codedeploy:BatchGetDeploymentGroups',
      'codedeploy:CreateDeployment',
      'codedeploy:GetDeployment',
      'codedeploy:StopDeployment',
    ],
  },
  {
    family: 'deploy (CODE_DEPLOY services)',
    commands:
      'deployments, rollback of a service on the CODE_DEPLOY controller (its deployment in flight); CreateDeployment also needs codedeploy:GetDeploymentConfig and the application revision actions AWS checks for it',
    actions: [
      'codedeploy:ListApplications',
      'codedeploy:ListDeploymentGroups',
      'codedeploy:BatchGetDeploymentGroups',
      'codedeploy:ListDeployments',
      'codedeploy:GetDeployment',
      'codedeploy:StopDeployment',
    ],
  },
  {
    family: 'service changes',
    commands: 'rollback, restart, scale, maintenance mode on|off',
    actions: [
      'ecs:UpdateService',
      'ecs:StopServiceDeployment',
      'application-autoscaling:DescribeScalableTargets',
      'ssm:PutParameter',
    ],
  },
  {
    family: 'maintenance',
    commands: 'maintenance checklist, maintenance run',
    actions: [
      'rds:DescribeDBEngineVersions',
      'rds:DescribePendingMaintenanceActions',
      'rds:DescribeDBParameters',
      'rds:DescribeDBSnapshots',
    ],
  },
  {
    family: 'monitoring',
    commands: 'alarms audit, alarms apply, --publish',
    actions: [
      'cloudwatch:PutMetricAlarm',
      'cloudwatch:PutMetricData',
      'cloudwatch:ListMetrics',
      'sns:ListTopics',
      'sns:ListSubscriptionsByTopic',
      'sns:GetTopicAttributes',
      'sns:Subscribe',
      'sns:CreateTopic',
      'sns:SetTopicAttributes',
      'kms:DescribeKey',
      'logs:DescribeMetricFilters',
      'logs:PutMetricFilter',
      'events:DescribeRule',
      'events:ListTargetsByRule',
      'events:PutRule',
      'events:PutTargets',
    ],
  },
  {
    family: 'security',
    commands: 'security',
    actions: [
      'guardduty:ListDetectors',
      'guardduty:GetDetector',
      'guardduty:ListFindings',
      'guardduty:GetFindings',
      'cloudtrail:DescribeTrails',
      'cloudtrail:GetTrailStatus',
      'config:DescribeConfigurationRecorderStatus',
      'iam:GetRole',
      'iam:GetRolePolicy',
      'iam:ListRolePolicies',
      'iam:ListAttachedRolePolicies',
      'iam:GetPolicy',
      'iam:GetPolicyVersion',
      'secretsmanager:DescribeSecret',
      'rds:DescribeDBParameters',
      'rds:DescribeDBSnapshots',
    ],
  },
  {
    family: 'backup and DR',
    commands: 'backup status, backup snapshot, backup verify, dr drill',
    actions: [
      'rds:DescribeDBInstanceAutomatedBackups',
      'rds:DescribeDBSnapshots',
      'rds:CreateDBSnapshot',
      'rds:RestoreDBInstanceFromDBSnapshot',
      'rds:RestoreDBInstanceToPointInTime',
      'rds:DeleteDBInstance',
      'rds:RebootDBInstance',
      'ecs:StopTask',
    ],
  },
  {
    family: 'recover',
    commands: 'recover (restore a database or a table: the restored instance renamed and tagged into place)',
    actions: ['rds:ModifyDBInstance', 'rds:AddTagsToResource', 'ecs:UpdateService'],
  },
  {
    family: 'incident notices',
    commands: 'incident open/update/resolve --notify (a channel kept in Secrets Manager)',
    actions: ['secretsmanager:GetSecretValue'],
  },
  {
    family: 'log archive',
    commands:
      'logs archive, the logs.archive check (maintenance run monthly, security): the archive bucket, the export tasks and the Firehose delivery streams',
    actions: [
      'logs:DescribeLogGroups',
      'logs:DescribeSubscriptionFilters',
      'logs:DescribeExportTasks',
      'logs:CreateExportTask',
      'firehose:DescribeDeliveryStream',
      's3:GetLifecycleConfiguration',
      's3:GetBucketObjectLockConfiguration',
      's3:GetEncryptionConfiguration',
      's3:GetBucketPublicAccessBlock',
    ],
  },
  {
    family: 'audit',
    commands: 'every change, when audit.logGroup is set',
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  },
  {
    family: 'doctor',
    commands: 'doctor (sts:GetCallerIdentity needs no permission)',
    actions: ['iam:SimulatePrincipalPolicy', 'iam:GetRole'],
  },
];

/**
 * SDK operations whose IAM action has another name (S3 names its bucket-configuration actions apart
 * from its API): what test/unit/aws/permissions.test.ts maps a call in src/ to before looking it up.
 */
export const IAM_ACTION_OF_OPERATION: Readonly<Record<string, string>> = {
  's3:GetBucketLifecycleConfiguration': 's3:GetLifecycleConfiguration',
  's3:GetObjectLockConfiguration': 's3:GetBucketObjectLockConfiguration',
  's3:GetBucketEncryption': 's3:GetEncryptionConfiguration',
  's3:GetPublicAccessBlock': 's3:GetBucketPublicAccessBlock',
};

/** Actions every principal may call: IAM cannot deny them, so they are not simulated. */
export const ALWAYS_ALLOWED = ['sts:GetCallerIdentity'] as const;

/** Every action of the list, once. */
export function allActions(): string[] {
  return [...new Set(AWS_PERMISSIONS.flatMap((family) => family.actions))].sort();
}
