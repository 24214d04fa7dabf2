import type { DBInstance, DBSnapshot, RDSClient } from '@aws-sdk/client-rds';

/** One RDS instance by identifier, or null when it does not exist (the test restore's copy, the drill's primary). */
export async function describeDbInstance(rds: RDSClient, id: string): Promise<DBInstance | null> {
  const { DescribeDBInstancesCommand } = await import('@aws-sdk/client-rds');
  try {
    return (
      (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0] ?? null
    );
  } catch (error) {
    if ((error as Error).name === 'DBInstanceNotFoundFault') return null;
    throw error;
  }
}

/** The newest available snapshot (of one type, when given). */
export function newestSnapshot(snapshots: DBSnapshot[], type?: 'automated' | 'manual'): DBSnapshot | null {
  return (
    snapshots
      .filter((s) => s.Status === 'available' && s.SnapshotCreateTime && (!type || s.SnapshotType === type))
      .sort((a, b) => b.SnapshotCreateTime!.getTime() - a.SnapshotCreateTime!.getTime())[0] ?? null
  );
}

/** Every RDS instance of the account and region (all pages). */
export async function listDbInstances(rds: RDSClient): Promise<DBInstance[]> {
  const { paginateDescribeDBInstances } = await import('@aws-sdk/client-rds');
  const instances: DBInstance[] = [];
  for await (const page of paginateDescribeDBInstances({ client: rds }, {})) {
    instances.push(...(page.DBInstances ?? []));
  }
  return instances;
}
