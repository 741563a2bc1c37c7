/**
 * Where Temporal is and how to reach it: the standard Temporal environment variables and config profile
 * (`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`, `TEMPORAL_API_KEY`, `TEMPORAL_TLS_*`, `TEMPORAL_PROFILE`,
 * `temporal.toml`) read by `@temporalio/envconfig`, so Temporal Cloud (TLS, API key) needs no code change.
 * Our own config supplies the local defaults when neither env nor profile names an address.
 */
import { Connection } from '@temporalio/client';
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import type { AppConfig } from './config';

export interface TemporalTarget {
  /** Fit for both `Connection.connect` (client) and `NativeConnection.connect` (worker). */
  connectionOptions: ClientConnectConfig['connectionOptions'] & { address: string };
  namespace: string;
}

export function temporalTarget(config: AppConfig, env: NodeJS.ProcessEnv = process.env): TemporalTarget {
  const profile = loadClientConnectConfig({ overrideEnvVars: env as Record<string, string> });
  return {
    connectionOptions: { ...profile.connectionOptions, address: profile.connectionOptions.address ?? config.temporal.address },
    namespace: profile.namespace ?? config.temporal.namespace,
  };
}

export async function connectToTemporal(config: AppConfig, env?: NodeJS.ProcessEnv): Promise<{ connection: Connection; namespace: string }> {
  const target = temporalTarget(config, env);
  const connection = await Connection.connect(target.connectionOptions);
  return { connection, namespace: target.namespace };
}
