// How a service reaches the cluster: a typed client to the API server and a NATS connection
// for the change-event stream, opened and closed together.
import { connect, type NatsConnection } from 'nats';
import { ShoalClient } from './client.js';

export interface ClusterConnection {
  client: ShoalClient;
  /** Reconnects for ever (informers resume after an outage); close() ends it. */
  nc: NatsConnection;
  close(): Promise<void>;
}

/** Opens both; if NATS cannot be reached, the client is closed again and the error thrown. */
export async function connectToCluster(opts: { server: string; token?: string; natsUrl: string; name?: string }): Promise<ClusterConnection> {
  const client = new ShoalClient({ server: opts.server, token: opts.token });
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: opts.natsUrl, name: opts.name, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
  } catch (err) {
    client.close();
    throw err;
  }
  return {
    client,
    nc,
    async close() {
      await nc.close();
      client.close();
    },
  };
}
