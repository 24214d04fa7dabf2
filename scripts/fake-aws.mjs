// A local AWS endpoint for end-to-end tests and the benchmark: it speaks the wire protocols the SDK
// uses (JSON 1.0/1.1 by X-Amz-Target; awsQuery with XML answers) so that fsops runs unchanged with
// --endpoint-url, including real retries, throttling and timeouts. The answers come from handlers
// the caller passes in; nothing here knows fsops's logic.
import { createServer } from 'node:http';

/** awsQuery list members that are not called `member` (RDS names its members after the shape). */
const QUERY_MEMBER_NAMES = {
  DBInstances: 'DBInstance',
  ReadReplicaDBInstanceIdentifiers: 'ReadReplicaDBInstanceIdentifier',
  VpcSecurityGroups: 'VpcSecurityGroupMembership',
  DBSnapshots: 'DBSnapshot',
  // DBInstance.DBParameterGroups and DescribeDBParameterGroups both name their members DBParameterGroup.
  DBParameterGroups: 'DBParameterGroup',
  DBEngineVersions: 'DBEngineVersion',
  ValidUpgradeTarget: 'UpgradeTarget',
  PendingMaintenanceActions: 'ResourcePendingMaintenanceActions',
  PendingMaintenanceActionDetails: 'PendingMaintenanceAction',
  Parameters: 'Parameter',
  Events: 'Event',
  Subnets: 'Subnet',
  TagList: 'Tag',
  DBInstanceAutomatedBackups: 'DBInstanceAutomatedBackup',
  DBInstanceAutomatedBackupsReplications: 'DBInstanceAutomatedBackupsReplication',
  // SNS GetTopicAttributes: a map, written as [{ key, value }] entries.
  Attributes: 'entry',
  // ElastiCache (DescribeReplicationGroups, DescribeSnapshots)
  ReplicationGroups: 'ReplicationGroup',
  NodeGroups: 'NodeGroup',
  NodeGroupMembers: 'NodeGroupMember',
  MemberClusters: 'ClusterId',
  Snapshots: 'Snapshot',
  NodeSnapshots: 'NodeSnapshot',
};

const QUERY_SERVICES = new Set(['rds', 'elasticloadbalancing', 'sts', 'iam', 'sns', 'elasticache']);

function escapeXml(text) {
  return String(text).replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function toQueryXml(value, key = '') {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) {
    const member = QUERY_MEMBER_NAMES[key] ?? 'member';
    return value.map((item) => `<${member}>${toQueryXml(item, member)}</${member}>`).join('');
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    // A field set to undefined is absent (an override that removes it), not an empty element.
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${toQueryXml(v, k)}</${k}>`)
      .join('');
  }
  return escapeXml(value);
}

/** EC2 wire names that are not the SDK member name with a lower-case first letter. */
const EC2_XML_NAMES = {
  SecurityGroups: 'securityGroupInfo',
  UserIdGroupPairs: 'groups',
  Subnets: 'subnetSet',
  Tags: 'tagSet',
  Vpcs: 'vpcSet',
  Reservations: 'reservationSet',
  Instances: 'instancesSet',
  NetworkInterfaces: 'networkInterfaceSet',
};

/** EC2's own XML: handlers answer in SDK names; the wire has lowerCamel names and lists of <item>. */
export function toEc2Xml(value) {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((item) => `<item>${toEc2Xml(item)}</item>`).join('');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    return Object.entries(value)
      .map(([k, v]) => {
        const name = EC2_XML_NAMES[k] ?? `${k[0].toLowerCase()}${k.slice(1)}`;
        return `<${name}>${toEc2Xml(v)}</${name}>`;
      })
      .join('');
  }
  return escapeXml(value);
}

/**
 * S3 (REST-XML): the operation of a bucket-configuration request by its sub-resource (`GET /bucket?lifecycle`),
 * the root element of its answer, and the list members S3 writes flattened (repeated, without a wrapper).
 */
const S3_OPERATIONS = {
  'GET lifecycle': { action: 'GetBucketLifecycleConfiguration', root: 'LifecycleConfiguration' },
  'GET object-lock': { action: 'GetObjectLockConfiguration', root: 'ObjectLockConfiguration' },
  'GET encryption': { action: 'GetBucketEncryption', root: 'ServerSideEncryptionConfiguration' },
  'GET publicAccessBlock': { action: 'GetPublicAccessBlock', root: 'PublicAccessBlockConfiguration' },
};
const S3_FLATTENED = { Rules: 'Rule', Transitions: 'Transition', Tags: 'Tag' };

/** S3's XML: handlers answer in SDK names; lists are flattened into repeated elements. */
export function toS3Xml(value) {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) =>
        Array.isArray(v)
          ? v.map((item) => `<${S3_FLATTENED[k] ?? k}>${toS3Xml(item)}</${S3_FLATTENED[k] ?? k}>`).join('')
          : `<${k}>${toS3Xml(v)}</${k}>`,
      )
      .join('');
  }
  return escapeXml(value);
}

/** `GET /bucket?lifecycle` → the operation, its answer's root element and `{ Bucket }`. */
function s3Request(req) {
  const url = new URL(req.url ?? '/', 'http://fake');
  const bucket = decodeURIComponent(url.pathname.split('/')[1] ?? '');
  const sub = [...url.searchParams.keys()].find((key) => key !== 'x-id') ?? '';
  const known = S3_OPERATIONS[`${req.method} ${sub}`];
  return {
    action: known?.action ?? url.searchParams.get('x-id') ?? `${req.method} ${url.pathname}`,
    root: known?.root ?? 'Result',
    params: { Bucket: bucket },
  };
}

/** The signing scope names the region: Credential=AKID/20261121/ap-south-1/ecs/aws4_request. */
function regionOf(req) {
  const match = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(req.headers.authorization ?? '');
  return match ? match[1] : 'unknown';
}

/** The signing scope names the service: Credential=AKID/20261121/ap-south-1/ecs/aws4_request. */
function accessKeyOf(req) {
  const match = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '');
  return match ? match[1] : 'unknown';
}

function serviceOf(req) {
  const match = /Credential=[^/]+\/\d+\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '');
  return match ? match[1] : 'unknown';
}

export class AwsFault extends Error {
  constructor(code, message = code, status = 400) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/**
 * Starts the endpoint on 127.0.0.1 at a free port.
 * handlers: { [service]: { [action]: (input) => output | Promise<output> } } (services by signing name:
 *   ecs, rds, logs, monitoring, elasticloadbalancing, ssm, secretsmanager, sts, ec2, iam, cloudtrail,
 *   config; guardduty by 'METHOD /path'; s3 by operation name, e.g. GetObjectLockConfiguration, with
 *   { Bucket } as input, path-style requests only)
 * http: { [path]: { status, body?, delayMs? } } plain HTTP routes (health endpoints)
 * faults: [{ service, action, kind: 'throttle' | 'hang' | 'error500', times }] applied before handlers
 * delayMs: added to every AWS answer (the benchmark's network latency)
 * accounts: { [accessKeyId]: { handlers } } another account's answers, chosen by the access key that
 *   signed the request (a second environment reached through its own profile, e.g. staging beside prod)
 */
export async function startFakeAws({
  handlers = {},
  http = {},
  faults = [],
  delayMs = 0,
  accounts = {},
} = {}) {
  const calls = [];
  const remaining = faults.map((fault) => ({ ...fault, left: fault.times ?? Number.POSITIVE_INFINITY }));
  const sockets = new Set();
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString('utf8');
    const route = http[req.url ?? ''];
    if (req.method === 'GET' && route) {
      if (route.delayMs) await sleep(route.delayMs);
      res.writeHead(route.status, { 'content-type': 'text/plain' }).end(route.body ?? '');
      return;
    }
    const service = serviceOf(req);
    const target = req.headers['x-amz-target'];
    const query = QUERY_SERVICES.has(service) || service === 'ec2';
    const s3 = service === 's3' ? s3Request(req) : null;
    const params = s3
      ? s3.params
      : query
        ? Object.fromEntries(new URLSearchParams(body))
        : body
          ? JSON.parse(body)
          : {};
    // REST-JSON services (GuardDuty) have neither a target nor an Action: their handlers are keyed 'GET /detector'.
    const action = s3
      ? s3.action
      : target
        ? String(target).split('.').pop()
        : (params.Action ?? `${req.method} ${(req.url ?? '').split('?')[0]}`);
    const region = regionOf(req);
    const accessKey = accessKeyOf(req);
    calls.push({ service, action, input: params, at: Date.now(), region, accessKey });
    const fault = remaining.find((f) => f.service === service && f.action === action && f.left > 0);
    if (fault) fault.left -= 1;
    if (fault?.kind === 'hang') return; // never answers: the SDK's request timeout must fire
    if (delayMs) await sleep(delayMs);
    try {
      if (fault?.kind === 'throttle')
        throw s3
          ? new AwsFault('SlowDown', 'Please reduce your request rate.', 503)
          : new AwsFault(
              service === 'ec2' ? 'RequestLimitExceeded' : query ? 'Throttling' : 'ThrottlingException',
              'Rate exceeded',
            );
      if (fault?.kind === 'error500') throw new AwsFault('InternalFailure', 'internal error', 500);
      const handler = (accounts[accessKey]?.handlers ?? handlers)[service]?.[action];
      if (!handler)
        throw new AwsFault('UnknownOperationException', `fake AWS has no handler for ${service}.${action}`);
      const output = (await handler(params, { region })) ?? {};
      if (s3) {
        const xml = `<?xml version="1.0" encoding="UTF-8"?><${s3.root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${toS3Xml(output)}</${s3.root}>`;
        res.writeHead(200, { 'content-type': 'application/xml' }).end(xml);
      } else if (service === 'ec2') {
        // EC2 answers <XResponse> without a Result wrapper.
        const xml = `<${action}Response><requestId>fake</requestId>${toEc2Xml(output)}</${action}Response>`;
        res.writeHead(200, { 'content-type': 'text/xml' }).end(xml);
      } else if (query) {
        const xml = `<${action}Response><${action}Result>${toQueryXml(output)}</${action}Result><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></${action}Response>`;
        res.writeHead(200, { 'content-type': 'text/xml' }).end(xml);
      } else {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(output));
      }
    } catch (error) {
      const code = error instanceof AwsFault ? error.code : 'InternalFailure';
      const status = error instanceof AwsFault ? error.status : 500;
      if (s3) {
        const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${escapeXml(error.message)}</Message><RequestId>fake</RequestId></Error>`;
        res.writeHead(status, { 'content-type': 'application/xml' }).end(xml);
      } else if (service === 'ec2') {
        const xml = `<Response><Errors><Error><Code>${code}</Code><Message>${escapeXml(error.message)}</Message></Error></Errors><RequestID>fake</RequestID></Response>`;
        res.writeHead(status, { 'content-type': 'text/xml' }).end(xml);
      } else if (query) {
        const xml = `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>fake</RequestId></ErrorResponse>`;
        res.writeHead(status, { 'content-type': 'text/xml' }).end(xml);
      } else {
        res
          .writeHead(status, {
            'content-type': 'application/x-amz-json-1.1',
            'x-amzn-query-error': `${code};Sender`,
          })
          .end(JSON.stringify({ __type: code, message: error.message }));
      }
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    calls,
    handlers,
    http,
    accounts,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
