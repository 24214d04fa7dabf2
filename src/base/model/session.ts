import type { AwsClients } from '../aws/clients.js';
import type { EnvContext } from '../config/load.js';
import type { Config } from '../config/schema.js';

/**
 * An environment opened for a run: its config, the resolved environment and its AWS clients (built,
 * not yet connected). Opened by `openEnvSession` (src/engine/session.ts); the database layer
 * (src/domain/db/connection.ts) and the check runner take it as it is.
 */
export interface EnvSession {
  config: Config;
  env: EnvContext;
  aws: AwsClients;
}
