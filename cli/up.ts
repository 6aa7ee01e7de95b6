// `shoal up`: the embedded all-in-one cluster for a laptop. Starts a nats-server child (unless
// a NATS URL is given) and the API server in this process; later services join here.
import { existsSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { normalizeClusterDomain } from '../lib/cluster-domain.js';
import { freePort, startNatsServer, type NatsServerProcess } from '../lib/natsd.js';
import { generateToken } from '../services/api/auth.js';
import { startApiServer, type ApiServer } from '../services/api/server.js';
import type { Identity } from '../services/api/auth.js';
import { startNodeAgent, type NodeAgentHandle } from '../services/node-agent/index.js';
import { createDriver, type DriverName } from '../services/node-agent/drivers/index.js';
import { startScheduler, type SchedulerHandle } from '../services/scheduler/index.js';
import { startControllers, type ControllersHandle } from '../services/controllers/index.js';
import { DUMMY_INTERFACE, startProxy, type DnsStatus, type ProxyHandle } from '../services/proxy/index.js';

export interface UpOptions {
  dataDir: string;
  listen: string;
  metricsListen: string;
  natsUrl?: string;
  /** How many node agents to run (named node-1, node-2, ...). */
  nodes: number;
  runtime: DriverName;
  /** The docker runtime's pod sandbox image (default: the driver's, registry.k8s.io/pause:3.9
   * with the local shoal/pause:3.9 as fallback). */
  sandboxImage?: string;
  /** Where Services' cluster IPs come from (default 10.96.0.0/12). */
  serviceCIDR?: string;
  /** Where Services' node ports come from, "first-last" (default 30000-32767). */
  nodePortRange?: string;
  /** Where NodePort and LoadBalancer services listen (default 127.0.0.1: this machine only). */
  nodeAddresses?: string[];
  /** The cluster DNS address: the proxy serves DNS there (port 53), the node agents give it
   * to ClusterFirst pods (docker runtime) and the API server never gives it to a Service.
   * Absent: no cluster DNS. `up` fails when the proxy cannot serve it. */
  clusterDNS?: string;
  /** Default cluster.local. */
  clusterDomain?: string;
  /** The proxy's dnsUpstream (absent: the node's resolvers; []: no forwarding). */
  dnsUpstream?: string[];
  /** The proxy's clusterIPInterface (default shoal-svc). */
  clusterIPInterface?: string;
  log: (line: string) => void;
}

export interface Cluster {
  api: ApiServer;
  configPath: string;
  stop(): Promise<void>;
}

/** How long `up` waits for the proxy to serve the cluster DNS before it gives up. */
const DNS_WAIT_MS = 10_000;

/**
 * Why the cluster DNS as the proxy reports it cannot be handed to pods, or undefined when it
 * can (it is served). A pod given an address nobody answers on resolves nothing at all (not
 * even the names the node's resolver would have answered), so `up` stops rather than start
 * the node agents with it. `pending` is checked once the wait is over.
 */
export function clusterDNSProblem(status: DnsStatus, iface = DUMMY_INTERFACE): string | undefined {
  if (status.state === 'serving') return undefined;
  if (status.state === 'disabled') return 'the proxy was started without the cluster DNS';
  const address = status.address ?? '?';
  const why = status.reason ?? status.state;
  const hint =
    status.state === 'unservable'
      ? `run as root (the address goes on the ${iface} interface), or pick an address this host already has`
      : 'is something else listening on port 53 there?';
  return `cannot serve the cluster DNS on ${address}:53 (${why}); pods would get a DNS server that does not answer: ${hint}, or start without --cluster-dns`;
}

/** Waits (bounded) for the proxy's cluster DNS to leave `pending`; the problem, if any. */
async function awaitClusterDNS(proxy: ProxyHandle, iface: string | undefined): Promise<string | undefined> {
  const deadline = Date.now() + DNS_WAIT_MS;
  while (proxy.dnsStatus().state === 'pending' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return clusterDNSProblem(proxy.dnsStatus(), iface);
}

/** Marks a client config that `shoal up` wrote, so it may overwrite it later. */
const GENERATED_MARK = '# written by shoal up';

/** The admin token and the token the API server shows node agents, kept in the data
 * directory so the client config and running containers' agents survive restarts. */
async function loadTokens(dataDir: string): Promise<{ tokens: Record<string, Identity>; admin: string; agent: string }> {
  const file = join(dataDir, 'tokens.json');
  const agentFile = join(dataDir, 'agent-token');
  let agent = existsSync(agentFile) ? (await readFile(agentFile, 'utf8')).trim() : '';
  if (!agent) {
    agent = generateToken();
    await writeFile(agentFile, agent, { mode: 0o600 });
  }
  if (existsSync(file)) {
    const tokens = JSON.parse(await readFile(file, 'utf8')) as Record<string, Identity>;
    const admin = Object.entries(tokens).find(([, id]) => id.user === 'admin')?.[0];
    if (admin) return { tokens, admin, agent };
  }
  const admin = generateToken();
  const tokens = { [admin]: { user: 'admin', groups: ['system:masters'] } };
  await writeFile(file, JSON.stringify(tokens, null, 2), { mode: 0o600 });
  return { tokens, admin, agent };
}

export async function up(opts: UpOptions): Promise<Cluster> {
  if (opts.clusterDNS !== undefined && !isIPv4(opts.clusterDNS)) throw new Error(`--cluster-dns ${opts.clusterDNS} is not an IPv4 address`);
  const dns = opts.clusterDNS ? { clusterDNS: opts.clusterDNS, clusterDomain: normalizeClusterDomain(opts.clusterDomain) } : {};
  const dataDir = resolve(opts.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const { tokens, admin, agent } = await loadTokens(dataDir);

  let nats: NatsServerProcess | undefined;
  let natsUrl = opts.natsUrl;
  if (!natsUrl) {
    const storeDir = join(dataDir, 'nats');
    await mkdir(storeDir, { recursive: true });
    nats = await startNatsServer({ port: await freePort(), storeDir });
    natsUrl = nats.url;
    opts.log(`nats-server started at ${natsUrl} (JetStream in ${storeDir})`);
  }

  let api: ApiServer | undefined;
  let scheduler: SchedulerHandle | undefined;
  let controllers: ControllersHandle | undefined;
  let proxy: ProxyHandle | undefined;
  const agents: NodeAgentHandle[] = [];
  const drivers: { close(): Promise<void> }[] = [];
  const stopAll = async (): Promise<void> => {
    // Agents leave their containers running, as a kubelet does: the next `shoal up` re-adopts them.
    await Promise.all(agents.map((a) => a.stop()));
    await Promise.all(drivers.map((d) => d.close()));
    await proxy?.stop();
    await controllers?.stop();
    await scheduler?.stop();
    await api?.stop();
    await nats?.stop();
  };
  try {
    api = await startApiServer({
      dataDir,
      listen: opts.listen,
      metricsListen: opts.metricsListen,
      natsUrl,
      tokens,
      agentToken: agent,
      serviceCIDR: opts.serviceCIDR,
      nodePortRange: opts.nodePortRange,
      ...(opts.clusterDNS ? { clusterDNS: opts.clusterDNS } : {}),
    });
    opts.log(`API server listening on ${api.address} (metrics on http://${api.metricsAddress ?? '-'}/metrics)`);
    scheduler = await startScheduler({ server: api.address, token: admin, natsUrl });
    await scheduler.ready;
    opts.log('scheduler started');
    // One process, one manager: no standby to elect against.
    controllers = await startControllers({ server: api.address, token: admin, natsUrl, leaderElection: false });
    await controllers.ready;
    opts.log('controllers started');
    // One proxy for the machine: every node of an embedded cluster shares its addresses.
    const nodeAddresses = opts.nodeAddresses?.length ? opts.nodeAddresses : ['127.0.0.1'];
    proxy = await startProxy({
      server: api.address,
      token: admin,
      natsUrl,
      nodeAddresses,
      ...dns,
      ...(opts.dnsUpstream ? { dnsUpstream: opts.dnsUpstream } : {}),
      ...(opts.clusterIPInterface ? { clusterIPInterface: opts.clusterIPInterface } : {}),
    });
    await proxy.ready;
    opts.log(`proxy started (NodePort and LoadBalancer services on ${nodeAddresses.join(', ')})`);
    if (opts.clusterDNS) {
      const problem = await awaitClusterDNS(proxy, opts.clusterIPInterface);
      if (problem) throw new Error(problem);
      const upstreams = proxy.dnsStatus().upstreams ?? [];
      const forwarding = upstreams.length ? `forwarding other names to ${upstreams.join(', ')}` : 'other names REFUSED';
      opts.log(`cluster DNS for ${dns.clusterDomain} on ${proxy.dnsAddress() ?? '?'}, ${forwarding}`);
    }
    for (let i = 1; i <= opts.nodes; i++) {
      const nodeName = `node-${i}`;
      const nodeDir = join(dataDir, 'nodes', nodeName);
      const driver = createDriver(opts.runtime, { node: nodeName, dataDir: nodeDir, ipamDir: join(dataDir, 'ipam'), sandboxImage: opts.sandboxImage });
      drivers.push(driver);
      const handle = await startNodeAgent({ nodeName, server: api.address, token: admin, natsUrl, driver, agentToken: agent, dataDir: nodeDir, ...dns });
      agents.push(handle);
      await handle.ready;
      opts.log(`node agent ${nodeName} started (${opts.runtime} runtime, agent on ${handle.address})`);
    }
  } catch (err) {
    await stopAll();
    throw err;
  }

  const config = { server: api.address, token: admin, nats: natsUrl };
  const configPath = join(dataDir, 'admin.yaml');
  await writeFile(configPath, `${GENERATED_MARK}\n${stringify(config)}`, { mode: 0o600 });
  await chmod(configPath, 0o600);
  opts.log(`client config written to ${configPath}`);

  // Make the plain `shoal get ...` work in another terminal, unless the user keeps their own.
  const userConfig = join(homedir(), '.shoal', 'config.yaml');
  const userOwned = existsSync(userConfig) && !(await readFile(userConfig, 'utf8')).startsWith(GENERATED_MARK);
  if (!userOwned) {
    await mkdir(dirname(userConfig), { recursive: true, mode: 0o700 });
    await writeFile(userConfig, `${GENERATED_MARK}\n${stringify(config)}`, { mode: 0o600 });
    opts.log(`and to ${userConfig}`);
  } else {
    opts.log(`(${userConfig} is yours and was left alone: export SHOAL_CONFIG=${configPath})`);
  }

  return { api, configPath, stop: stopAll };
}
