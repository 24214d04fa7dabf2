import type { DBInstance, RDSClient } from '@aws-sdk/client-rds';

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
