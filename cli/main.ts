// The one `shoal` binary: server subcommands (up, api) and the kubectl-like client verbs.
import { readFile } from 'node:fs/promises';
import { isIPv4 } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ShoalClient, loadClientConfig } from '../lib/client.js';
import { VERSION, startApiServer } from '../services/api/server.js';
import type { Identity } from '../services/api/auth.js';
import { apply, del, describe, get, type IO } from './commands.js';
import { exec, logs, run, type PodStreams } from './pods.js';
import { cordon, drain, uncordon } from './nodes.js';
import { startNodeAgent } from '../services/node-agent/index.js';
import { createDriver } from '../services/node-agent/drivers/index.js';
import { removeAllPods } from '../services/node-agent/teardown.js';
import { startScheduler } from '../services/scheduler/index.js';
import { startControllers } from '../services/controllers/index.js';
import { startProxy } from '../services/proxy/index.js';
import { rolloutHistory, rolloutPause, rolloutRestart, rolloutResume, rolloutStatus, rolloutUndo, scale } from './rollout.js';
import { createJobFromCronJob } from './jobs.js';
import { up } from './up.js';

const USAGE = `shoal: a Kubernetes-style container orchestrator

Cluster:
  shoal up [--data-dir DIR] [--listen ADDR] [--metrics ADDR] [--nats URL]
                                      run the embedded all-in-one cluster in the foreground
  shoal up ... [--nodes N] [--runtime docker|process] [--sandbox-image IMAGE]
                                      N node agents (default 1) running pods in Docker or as processes
  shoal up ... [--service-cidr CIDR] [--node-port-range FIRST-LAST] [--node-address IP]...
                                      where Services' cluster IPs (10.96.0.0/12) and node ports (30000-32767) come from
  shoal up ... [--cluster-dns IP] [--cluster-domain DOMAIN] [--dns-upstream IP[:PORT]|none]...
            [--cluster-ip-interface NAME]
                                      serve the cluster DNS on IP (e.g. 10.96.0.10) for Docker pods (default: off),
                                      forwarding other names to the node's resolvers (or the --dns-upstream ones)
  shoal api --data-dir DIR --token-file FILE|--admin-token TOKEN [--listen ADDR] [--metrics ADDR] [--nats URL]
            [--agent-token TOKEN] [--service-cidr CIDR] [--node-port-range FIRST-LAST]
            [--cluster-dns IP]        (never given to a Service)
                                      run the API server alone
  shoal scheduler [--metrics ADDR]    run the scheduler alone (against the client config's cluster)
  shoal controllers [--metrics ADDR]  run the controller manager alone (leader-elected)
  shoal proxy [--node-address IP]... [--lb-pool IP]... [--balance round-robin|least-connections]
            [--access-log FILE|-] [--proxy-protocol] [--x-forwarded-for] [--metrics ADDR]
            [--cluster-dns IP] [--cluster-domain DOMAIN] [--dns-upstream IP[:PORT]|none]...
            [--cluster-ip-interface NAME] (default shoal-svc; one proxy per interface)
                                      run one node's Service proxy (and the cluster DNS on IP:53)
  shoal node-agent --name NAME [--runtime docker|process] [--data-dir DIR] [--listen ADDR]
            [--agent-token TOKEN] [--metrics ADDR] [--sandbox-image IMAGE]
            [--cluster-name NAME] [--pod-network NETWORK] [--remove-pods-on-exit]
            [--cluster-dns IP] [--cluster-domain DOMAIN]   (ClusterFirst pods resolve through IP)
                                      run one node agent (against the client config's cluster)
  Every flag of these service commands can also be set as an environment variable,
  --foo-bar as SHOAL_FOO_BAR (the command line wins; lists comma-separated). The services
  other than up and api find their cluster through $SHOAL_SERVER, $SHOAL_TOKEN and
  $SHOAL_NATS when $SHOAL_SERVER is set, else through the client config.

Client (reads $SHOAL_CONFIG, else ~/.shoal/config.yaml):
  shoal apply -f FILE|DIR|- [-n NS]
  shoal get KIND [NAME...] [-n NS | -A] [-l SELECTOR] [--field-selector SEL] [-o wide|yaml|json|name] [-w]
  shoal describe KIND NAME [-n NS]
  shoal delete KIND NAME... | -f FILE [-n NS] [--cascade=background|foreground|orphan] [--grace-period N]
  shoal logs POD [-c CONTAINER] [-f] [--tail N] [-p] [-n NS]
  shoal exec POD [-c CONTAINER] [-i] [-t] [-n NS] -- COMMAND [ARGS...]
  shoal run NAME --image IMAGE [--rm] [-i] [-t] [--restart=Always|OnFailure|Never] [--command]
            [--env K=V] [-l K=V] [-n NS] [-- ARGS...]
  shoal scale deploy/NAME --replicas N
  shoal rollout status|history|undo|pause|resume|restart deploy/NAME [--timeout 90s]
            [--revision N] [--to-revision N]
  shoal create job NAME --from=cronjob/CRONJOB
  shoal cordon NODE | uncordon NODE
  shoal drain NODE [--force] [--grace-period N] [--timeout SECONDS]
  shoal version

Kinds: pods (po), replicasets (rs), deployments (deploy), services (svc), endpoints (ep),
namespaces (ns), nodes (no), jobs, cronjobs (cj), events (ev), leases, configmaps (cm),
secrets, persistentvolumeclaims (pvc), all.
`;

const stdio: IO = {
  out: (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`),
  err: (s) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`),
};

/** The verbs that run a service: each of their flags `--foo-bar` can also be set by the
 * environment variable SHOAL_FOO_BAR (a flag on the command line wins), which is how
 * containers configure them. Client verbs read only the command line. */
const SERVICE_VERBS = new Set(['up', 'api', 'scheduler', 'controllers', 'proxy', 'node-agent']);
let flagsFromEnv = false;

/** The environment variable that stands for a flag. */
function flagEnvName(flag: string): string {
  return `SHOAL_${flag.toUpperCase().replace(/-/g, '_')}`;
}

/** Option defaults taken from the environment: strings as they are, repeatable flags
 * comma-separated, booleans true/false/1/0. */
function envDefaults(options: NonNullable<ParseArgsConfig['options']>): NonNullable<ParseArgsConfig['options']> {
  const out: NonNullable<ParseArgsConfig['options']> = {};
  for (const [flag, option] of Object.entries(options)) {
    const name = flagEnvName(flag);
    const raw = process.env[name];
    if (raw === undefined || raw === '') {
      out[flag] = option;
    } else if (option.type === 'boolean') {
      if (!/^(true|false|1|0)$/i.test(raw)) throw new Error(`invalid $${name} "${raw}": must be true or false`);
      out[flag] = { ...option, default: /^(true|1)$/i.test(raw) };
    } else if (option.multiple) {
      out[flag] = { ...option, default: raw.split(',').map((v) => v.trim()).filter(Boolean) };
    } else {
      out[flag] = { ...option, default: raw };
    }
  }
  return out;
}

function parse(args: string[], options: ParseArgsConfig['options']): { values: Record<string, unknown>; positionals: string[] } {
  const opts = flagsFromEnv && options ? envDefaults(options) : options;
  const { values, positionals } = parseArgs({ args, options: opts, allowPositionals: true, strict: true });
  return { values: values, positionals };
}

/** How long a service may take to stop after SIGTERM before it exits anyway: under the 30 s
 * a container runtime (and the compose demo) waits before SIGKILL. */
const SHUTDOWN_TIMEOUT_MS = 20_000;

/** Waits for SIGINT or SIGTERM, then runs `stop`; the exit code is 0 once it has finished,
 * 1 if it failed or did not finish within `timeoutMs` (none: wait for it). */
async function stopOnSignal(stop: () => Promise<void>, timeoutMs: number | undefined = SHUTDOWN_TIMEOUT_MS): Promise<number> {
  const sig = await untilSignal();
  stdio.out(`${sig}: stopping`);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    if (timeoutMs !== undefined) timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const result = await Promise.race([stop().then(() => 'stopped' as const), timedOut]);
    if (result === 'timeout') {
      stdio.err(`error: did not stop within ${(timeoutMs ?? 0) / 1000} s; exiting anyway`);
      return 1;
    }
    return 0;
  } catch (err) {
    stdio.err(`error: stopping: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for SIGINT or SIGTERM, once. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (sig: string): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(sig);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

async function runUp(args: string[]): Promise<number> {
  const { values } = parse(args, {
    'data-dir': { type: 'string', default: join(homedir(), '.shoal', 'data') },
    listen: { type: 'string', default: '127.0.0.1:6443' },
    metrics: { type: 'string', default: '127.0.0.1:9464' },
    nats: { type: 'string' },
    nodes: { type: 'string', default: '1' },
    runtime: { type: 'string', default: 'docker' },
    'sandbox-image': { type: 'string' },
    'service-cidr': { type: 'string' },
    'node-port-range': { type: 'string' },
    'node-address': { type: 'string', multiple: true },
    'cluster-dns': { type: 'string' },
    'cluster-domain': { type: 'string', default: 'cluster.local' },
    'dns-upstream': { type: 'string', multiple: true },
    'cluster-ip-interface': { type: 'string' },
  });
  const nodes = values.nodes as string;
  const runtime = values.runtime as string;
  if (!/^\d+$/.test(nodes) || Number(nodes) > 100) {
    stdio.err(`error: invalid --nodes "${nodes}": must be a whole number from 0 to 100`);
    return 2;
  }
  if (runtime !== 'docker' && runtime !== 'process') {
    stdio.err(`error: invalid --runtime "${runtime}": must be docker or process`);
    return 2;
  }
  const cluster = await up({
    dataDir: values['data-dir'] as string,
    listen: values.listen as string,
    metricsListen: values.metrics as string,
    natsUrl: values.nats as string | undefined,
    nodes: Number(nodes),
    runtime,
    sandboxImage: values['sandbox-image'] as string | undefined,
    serviceCIDR: values['service-cidr'] as string | undefined,
    nodePortRange: values['node-port-range'] as string | undefined,
    nodeAddresses: values['node-address'] as string[] | undefined,
    clusterDNS: values['cluster-dns'] as string | undefined,
    clusterDomain: values['cluster-domain'] as string,
    dnsUpstream: dnsUpstreams(values['dns-upstream']),
    clusterIPInterface: values['cluster-ip-interface'] as string | undefined,
    log: (line) => stdio.out(line),
  });
  stdio.out(`Shoal is up. Try: npx shoal get all -A   (Ctrl-C stops the cluster)`);
  // No time limit: `up` owns a nats-server child that it stops last, and exiting early
  // would orphan it.
  return stopOnSignal(() => cluster.stop(), undefined);
}

async function runApi(args: string[]): Promise<number> {
  const { values } = parse(args, {
    'data-dir': { type: 'string' },
    'token-file': { type: 'string' },
    listen: { type: 'string', default: '127.0.0.1:6443' },
    metrics: { type: 'string', default: '127.0.0.1:9464' },
    nats: { type: 'string' },
    'compact-after': { type: 'string' },
    'admin-token': { type: 'string' },
    'agent-token': { type: 'string' },
    'service-cidr': { type: 'string' },
    'node-port-range': { type: 'string' },
    'cluster-dns': { type: 'string' },
  });
  const dataDir = values['data-dir'] as string | undefined;
  const tokenFile = values['token-file'] as string | undefined;
  const adminToken = values['admin-token'] as string | undefined;
  if (!dataDir || (!tokenFile && !adminToken)) {
    stdio.err(
      'error: --data-dir and one of --token-file or --admin-token are required (the token file is JSON: {"<token>": {"user": "admin", "groups": []}})',
    );
    return 2;
  }
  const tokens: Record<string, Identity> = tokenFile ? (JSON.parse(await readFile(tokenFile, 'utf8')) as Record<string, Identity>) : {};
  if (adminToken) tokens[adminToken] = { user: 'admin', groups: ['system:masters'] };
  const compact = values['compact-after'] as string | undefined;
  if (compact !== undefined && !/^\d+$/.test(compact)) {
    stdio.err(`error: invalid --compact-after "${compact}": must be a whole number of seconds`);
    return 2;
  }
  const apiClusterDNS = values['cluster-dns'] as string | undefined;
  if (apiClusterDNS !== undefined && !isIPv4(apiClusterDNS)) {
    stdio.err(`error: invalid --cluster-dns "${apiClusterDNS}": must be an IPv4 address`);
    return 2;
  }
  const api = await startApiServer({
    dataDir,
    listen: values.listen as string,
    metricsListen: values.metrics as string,
    natsUrl: values.nats as string | undefined,
    tokens,
    compactAfterMs: compact ? Number(compact) * 1000 : undefined,
    agentToken: values['agent-token'] as string | undefined,
    serviceCIDR: values['service-cidr'] as string | undefined,
    nodePortRange: values['node-port-range'] as string | undefined,
    clusterDNS: apiClusterDNS,
  });
  // A parent process (tests, supervisors) reads this line to learn the bound addresses.
  stdio.out(`listening ${api.address} metrics ${api.metricsAddress ?? '-'}`);
  return stopOnSignal(() => api.stop());
}

/** `shoal scheduler`: the scheduler alone, against the cluster of the client config. */
async function runScheduler(args: string[]): Promise<number> {
  const { values } = parse(args, { metrics: { type: 'string' }, 'leader-elect': { type: 'boolean', default: true } });
  const config = await loadClientConfig();
  if (!config.nats) throw new Error('the client config names no NATS server ("nats:"): the scheduler watches through it');
  const scheduler = await startScheduler({
    server: config.server,
    token: config.token,
    natsUrl: config.nats,
    metricsListen: values.metrics as string | undefined,
    leaderElection: values['leader-elect'] as boolean,
  });
  await scheduler.ready;
  stdio.out('scheduler running');
  return stopOnSignal(() => scheduler.stop());
}

/** `shoal controllers`: the controller manager alone, against the cluster of the client config;
 * replicas elect one leader on a Lease, the others stand by. */
async function runControllers(args: string[]): Promise<number> {
  const { values } = parse(args, { metrics: { type: 'string' }, 'leader-elect': { type: 'boolean', default: true } });
  const config = await loadClientConfig();
  if (!config.nats) throw new Error('the client config names no NATS server ("nats:"): the controllers watch through it');
  const controllers = await startControllers({
    server: config.server,
    token: config.token,
    natsUrl: config.nats,
    metricsListen: values.metrics as string | undefined,
    leaderElection: values['leader-elect'] as boolean,
  });
  await controllers.ready;
  stdio.out('controller manager running');
  return stopOnSignal(() => controllers.stop());
}

/** --dns-upstream as the proxy takes it: absent, the node's resolvers (undefined); `none`,
 * no forwarding ([]); else the addresses given. */
function dnsUpstreams(value: unknown): string[] | undefined {
  const list = value as string[] | undefined;
  if (!list?.length) return undefined;
  return list.includes('none') ? [] : list;
}

/** `shoal proxy`: one node's Service proxy, against the cluster of the client config. */
async function runProxy(args: string[]): Promise<number> {
  const { values } = parse(args, {
    'node-name': { type: 'string' },
    'node-address': { type: 'string', multiple: true },
    'lb-pool': { type: 'string', multiple: true },
    balance: { type: 'string', default: 'round-robin' },
    'access-log': { type: 'string' },
    'proxy-protocol': { type: 'boolean' },
    'x-forwarded-for': { type: 'boolean' },
    'bind-cluster-ips': { type: 'boolean', default: true },
    metrics: { type: 'string' },
    'cluster-dns': { type: 'string' },
    'cluster-domain': { type: 'string', default: 'cluster.local' },
    'dns-upstream': { type: 'string', multiple: true },
    'cluster-ip-interface': { type: 'string' },
  });
  const balance = values.balance as string;
  if (balance !== 'round-robin' && balance !== 'least-connections') {
    stdio.err(`error: invalid --balance "${balance}": must be round-robin or least-connections`);
    return 2;
  }
  const config = await loadClientConfig();
  if (!config.nats) throw new Error('the client config names no NATS server ("nats:"): the proxy watches through it');
  const proxy = await startProxy({
    server: config.server,
    token: config.token,
    natsUrl: config.nats,
    nodeName: values['node-name'] as string | undefined,
    nodeAddresses: (values['node-address'] as string[] | undefined) ?? ['127.0.0.1'],
    loadBalancerPool: values['lb-pool'] as string[] | undefined,
    balance,
    accessLog: values['access-log'] as string | undefined,
    proxyProtocol: values['proxy-protocol'] as boolean | undefined,
    xForwardedFor: values['x-forwarded-for'] as boolean | undefined,
    bindClusterIPs: values['bind-cluster-ips'] as boolean,
    metricsListen: values.metrics as string | undefined,
    clusterDNS: values['cluster-dns'] as string | undefined,
    clusterDomain: values['cluster-domain'] as string,
    dnsUpstream: dnsUpstreams(values['dns-upstream']),
    clusterIPInterface: values['cluster-ip-interface'] as string | undefined,
  });
  await proxy.ready;
  stdio.out('proxy running');
  return stopOnSignal(() => proxy.stop());
}

/** `shoal node-agent`: one node agent, against the cluster of the client config. */
async function runNodeAgent(args: string[]): Promise<number> {
  const { values } = parse(args, {
    name: { type: 'string' },
    runtime: { type: 'string', default: 'docker' },
    'data-dir': { type: 'string' },
    listen: { type: 'string', default: '127.0.0.1:0' },
    'agent-token': { type: 'string' },
    metrics: { type: 'string' },
    'sandbox-image': { type: 'string' },
    'cluster-name': { type: 'string' },
    'pod-network': { type: 'string' },
    'remove-pods-on-exit': { type: 'boolean', default: false },
    'cluster-dns': { type: 'string' },
    'cluster-domain': { type: 'string', default: 'cluster.local' },
  });
  const name = values.name as string | undefined;
  const runtime = values.runtime as string;
  if (!name) {
    stdio.err('error: --name is required');
    return 2;
  }
  if (runtime !== 'docker' && runtime !== 'process') {
    stdio.err(`error: invalid --runtime "${runtime}": must be docker or process`);
    return 2;
  }
  const clusterDNS = values['cluster-dns'] as string | undefined;
  if (clusterDNS !== undefined && !isIPv4(clusterDNS)) {
    stdio.err(`error: invalid --cluster-dns "${clusterDNS}": must be an IPv4 address`);
    return 2;
  }
  const config = await loadClientConfig();
  if (!config.nats) throw new Error('the client config names no NATS server ("nats:"): the agent watches its pods through it');
  const dataDir = (values['data-dir'] as string | undefined) ?? join(homedir(), '.shoal', 'nodes', name);
  // The docker runtime's pod sandbox (pause) image; default registry.k8s.io/pause:3.9, or
  // the locally built shoal/pause:3.9 when that cannot be pulled.
  const driver = createDriver(runtime, {
    node: name,
    dataDir,
    sandboxImage: values['sandbox-image'] as string | undefined,
    cluster: values['cluster-name'] as string | undefined,
    networkName: values['pod-network'] as string | undefined,
  });
  const agent = await startNodeAgent({
    nodeName: name,
    server: config.server,
    token: config.token,
    natsUrl: config.nats,
    driver,
    dataDir,
    listen: values.listen as string,
    agentToken: values['agent-token'] as string | undefined,
    metricsListen: values.metrics as string | undefined,
    clusterDNS,
    clusterDomain: values['cluster-domain'] as string,
  });
  await agent.ready;
  stdio.out(`node agent ${name} running (${runtime}), agent on ${agent.address}`);
  return stopOnSignal(async () => {
    try {
      await agent.stop();
    } finally {
      try {
        if (values['remove-pods-on-exit']) {
          // The node goes away with this process (a compose demo node): so do its pods, with
          // a short grace, well within the shutdown timeout; even when the agent's own stop
          // failed, for nothing else would remove them.
          const removed = await removeAllPods(driver, 5);
          stdio.out(`removed the containers of ${removed} pod(s)`);
        }
      } finally {
        await driver.close();
      }
    }
  });
}

async function withClient(fn: (client: ShoalClient) => Promise<number>): Promise<number> {
  const config = await loadClientConfig();
  const client = new ShoalClient(config);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

const NAMESPACE_OPTS = { namespace: { type: 'string', short: 'n' } } as const;

const podStreams: PodStreams = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };

/** Splits `a b -- c d` into the options part and the command after `--`. */
function splitCommand(args: string[]): { before: string[]; after: string[] } {
  const i = args.indexOf('--');
  return i < 0 ? { before: args, after: [] } : { before: args.slice(0, i), after: args.slice(i + 1) };
}

/** Parses repeated K=V options (--env, -l) into a map; throws naming the bad one. */
function keyValues(values: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const i = v.indexOf('=');
    if (i <= 0) throw new Error(`invalid ${flag} "${v}": expected KEY=VALUE`);
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}

async function runClientVerb(verb: string, args: string[]): Promise<number> {
  switch (verb) {
    case 'apply': {
      const { values } = parse(args, { filename: { type: 'string', short: 'f', multiple: true }, ...NAMESPACE_OPTS });
      const files = (values.filename as string[] | undefined) ?? [];
      if (!files.length) {
        stdio.err('error: must specify -f FILE|DIR|-');
        return 2;
      }
      return withClient((c) => apply(c, { files, namespace: values.namespace as string | undefined }, stdio));
    }
    case 'get': {
      const { values, positionals } = parse(args, {
        ...NAMESPACE_OPTS,
        'all-namespaces': { type: 'boolean', short: 'A' },
        selector: { type: 'string', short: 'l' },
        'field-selector': { type: 'string' },
        output: { type: 'string', short: 'o' },
        watch: { type: 'boolean', short: 'w' },
      });
      const [kind, ...names] = positionals;
      if (!kind) {
        stdio.err('error: you must specify the type of resource to get, e.g. shoal get pods');
        return 2;
      }
      const output = (values.output as string | undefined) ?? '';
      if (!['', 'wide', 'yaml', 'json', 'name'].includes(output)) {
        stdio.err(`error: unable to match a printer suitable for the output format "${output}", allowed formats are: json,name,wide,yaml`);
        return 2;
      }
      return withClient((c) =>
        get(
          c,
          {
            kind,
            names,
            namespace: values.namespace as string | undefined,
            allNamespaces: (values['all-namespaces'] as boolean | undefined) ?? false,
            selector: values.selector as string | undefined,
            fieldSelector: values['field-selector'] as string | undefined,
            output: output as '' | 'wide' | 'yaml' | 'json' | 'name',
            watch: (values.watch as boolean | undefined) ?? false,
          },
          stdio,
        ),
      );
    }
    case 'describe': {
      const { values, positionals } = parse(args, NAMESPACE_OPTS);
      let [kind, name] = positionals;
      if (kind?.includes('/') && !name) [kind, name] = kind.split('/', 2) as [string, string];
      if (!kind || !name) {
        stdio.err('error: usage: shoal describe KIND NAME');
        return 2;
      }
      return withClient((c) => describe(c, { kind, name, namespace: values.namespace as string | undefined }, stdio));
    }
    case 'delete': {
      const { values, positionals } = parse(args, {
        ...NAMESPACE_OPTS,
        filename: { type: 'string', short: 'f', multiple: true },
        cascade: { type: 'string', default: 'background' },
        'grace-period': { type: 'string' },
      });
      const cascade = values.cascade as string;
      if (!['background', 'foreground', 'orphan'].includes(cascade)) {
        stdio.err(`error: invalid --cascade value "${cascade}": must be background, foreground or orphan`);
        return 2;
      }
      const grace = values['grace-period'] as string | undefined;
      if (grace !== undefined && !/^-?\d+$/.test(grace)) {
        stdio.err(`error: invalid --grace-period "${grace}": must be an integer`);
        return 2;
      }
      const [kind, ...names] = positionals;
      const files = (values.filename as string[] | undefined) ?? [];
      if (!files.length && !kind) {
        stdio.err('error: usage: shoal delete KIND NAME... | -f FILE');
        return 2;
      }
      return withClient((c) =>
        del(
          c,
          {
            kind,
            names,
            files,
            namespace: values.namespace as string | undefined,
            cascade: cascade as 'background' | 'foreground' | 'orphan',
            gracePeriod: grace === undefined || Number(grace) < 0 ? undefined : Number(grace),
          },
          stdio,
        ),
      );
    }
    case 'scale': {
      const { values, positionals } = parse(args, { ...NAMESPACE_OPTS, replicas: { type: 'string' } });
      const replicas = values.replicas as string | undefined;
      let [target] = positionals;
      if (positionals.length === 2) target = `${positionals[0]}/${positionals[1]}`;
      if (!target || replicas === undefined || !/^\d+$/.test(replicas)) {
        stdio.err('error: usage: shoal scale deploy/NAME --replicas N');
        return 2;
      }
      return withClient((c) => scale(c, { target, replicas: Number(replicas), namespace: values.namespace as string | undefined }, stdio));
    }
    case 'rollout': {
      const [sub, ...rest] = args;
      const { values, positionals } = parse(rest, {
        ...NAMESPACE_OPTS,
        timeout: { type: 'string' },
        watch: { type: 'string' },
        revision: { type: 'string' },
        'to-revision': { type: 'string' },
      });
      let [target] = positionals;
      if (positionals.length === 2) target = `${positionals[0]}/${positionals[1]}`;
      const namespace = values.namespace as string | undefined;
      const int = (flag: string): number | undefined => {
        const v = values[flag] as string | undefined;
        if (v === undefined) return undefined;
        const m = v.match(/^(\d+)(s|m)?$/);
        if (!m) throw new Error(`invalid --${flag} "${v}": must be a whole number${flag === 'timeout' ? ' of seconds (e.g. 90s or 5m)' : ''}`);
        return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
      };
      if (!target) {
        stdio.err('error: usage: shoal rollout status|history|undo|pause|resume|restart deploy/NAME');
        return 2;
      }
      switch (sub) {
        case 'status':
          return withClient((c) =>
            rolloutStatus(c, { target, namespace, timeoutSeconds: int('timeout'), watch: values.watch !== 'false' }, stdio),
          );
        case 'history':
          return withClient((c) => rolloutHistory(c, { target, namespace, revision: int('revision') }, stdio));
        case 'undo':
          return withClient((c) => rolloutUndo(c, { target, namespace, toRevision: int('to-revision') }, stdio));
        case 'pause':
          return withClient((c) => rolloutPause(c, { target, namespace }, stdio));
        case 'resume':
          return withClient((c) => rolloutResume(c, { target, namespace }, stdio));
        case 'restart':
          return withClient((c) => rolloutRestart(c, { target, namespace }, stdio));
        default:
          stdio.err(`error: unknown rollout command "${sub ?? ''}": use status, history, undo, pause, resume or restart`);
          return 2;
      }
    }
    case 'create': {
      const [what, ...rest] = args;
      const { values, positionals } = parse(rest, { ...NAMESPACE_OPTS, from: { type: 'string' } });
      const [name] = positionals;
      const from = (values.from as string | undefined)?.match(/^(?:cronjob|cronjobs|cj|cronjob\.batch)\/(.+)$/);
      if (what !== 'job' || !name || !from) {
        stdio.err('error: usage: shoal create job NAME --from=cronjob/CRONJOB');
        return 2;
      }
      return withClient((c) => createJobFromCronJob(c, { name, cronJob: from[1]!, namespace: values.namespace as string | undefined }, stdio));
    }
    case 'cordon':
    case 'uncordon': {
      const { positionals } = parse(args, {});
      const [node] = positionals;
      if (!node) {
        stdio.err(`error: usage: shoal ${verb} NODE`);
        return 2;
      }
      return withClient((c) => (verb === 'cordon' ? cordon : uncordon)(c, { node }, stdio));
    }
    case 'drain': {
      const { values, positionals } = parse(args, {
        force: { type: 'boolean' },
        'ignore-daemonsets': { type: 'boolean' },
        'delete-emptydir-data': { type: 'boolean' },
        'grace-period': { type: 'string' },
        timeout: { type: 'string' },
      });
      const [node] = positionals;
      const grace = values['grace-period'] as string | undefined;
      const timeout = values.timeout as string | undefined;
      if (!node || (grace !== undefined && !/^-?\d+$/.test(grace)) || (timeout !== undefined && !/^\d+s?$/.test(timeout))) {
        stdio.err('error: usage: shoal drain NODE [--force] [--grace-period N] [--timeout SECONDS]');
        return 2;
      }
      return withClient((c) =>
        drain(
          c,
          {
            node,
            force: values.force as boolean | undefined,
            ignoreDaemonsets: values['ignore-daemonsets'] as boolean | undefined,
            deleteEmptyDirData: values['delete-emptydir-data'] as boolean | undefined,
            gracePeriod: grace === undefined ? undefined : Number(grace),
            timeoutSeconds: timeout === undefined ? undefined : Number(timeout.replace(/s$/, '')),
          },
          stdio,
        ),
      );
    }
    case 'logs': {
      const { values, positionals } = parse(args, {
        ...NAMESPACE_OPTS,
        container: { type: 'string', short: 'c' },
        follow: { type: 'boolean', short: 'f' },
        tail: { type: 'string' },
        previous: { type: 'boolean', short: 'p' },
      });
      const [pod] = positionals;
      const tail = values.tail as string | undefined;
      if (!pod || (tail !== undefined && !/^-?\d+$/.test(tail))) {
        stdio.err('error: usage: shoal logs POD [-c CONTAINER] [-f] [--tail N]');
        return 2;
      }
      return withClient((c) =>
        logs(
          c,
          {
            pod,
            namespace: values.namespace as string | undefined,
            container: values.container as string | undefined,
            follow: (values.follow as boolean | undefined) ?? false,
            tail: tail === undefined || Number(tail) < 0 ? undefined : Number(tail),
            previous: (values.previous as boolean | undefined) ?? false,
          },
          stdio,
          podStreams,
        ),
      );
    }
    case 'exec': {
      const { before, after } = splitCommand(args);
      const { values, positionals } = parse(before, {
        ...NAMESPACE_OPTS,
        container: { type: 'string', short: 'c' },
        stdin: { type: 'boolean', short: 'i' },
        tty: { type: 'boolean', short: 't' },
      });
      const [pod, ...rest] = positionals;
      if (!pod) {
        stdio.err('error: usage: shoal exec POD [-c CONTAINER] [-i] [-t] -- COMMAND [ARGS...]');
        return 2;
      }
      return withClient((c) =>
        exec(
          c,
          {
            pod,
            namespace: values.namespace as string | undefined,
            container: values.container as string | undefined,
            command: [...rest, ...after],
            stdin: (values.stdin as boolean | undefined) ?? false,
            tty: (values.tty as boolean | undefined) ?? false,
          },
          stdio,
          podStreams,
        ),
      );
    }
    case 'run': {
      const { before, after } = splitCommand(args);
      const { values, positionals } = parse(before, {
        ...NAMESPACE_OPTS,
        image: { type: 'string' },
        rm: { type: 'boolean' },
        stdin: { type: 'boolean', short: 'i' },
        tty: { type: 'boolean', short: 't' },
        restart: { type: 'string' },
        command: { type: 'boolean' },
        env: { type: 'string', multiple: true },
        labels: { type: 'string', short: 'l', multiple: true },
        'pod-running-timeout': { type: 'string', default: '60' },
      });
      const [name, ...rest] = positionals;
      const image = values.image as string | undefined;
      const podRunningTimeout = values['pod-running-timeout'] as string;
      if (!/^\d+$/.test(podRunningTimeout)) {
        stdio.err(`error: invalid --pod-running-timeout "${podRunningTimeout}": must be a whole number of seconds`);
        return 2;
      }
      if (!name || !image) {
        stdio.err('error: usage: shoal run NAME --image IMAGE [--rm] [-i] [-t] [--restart=Never] [-- ARGS...]');
        return 2;
      }
      const rm = (values.rm as boolean | undefined) ?? false;
      const interactive = (values.stdin as boolean | undefined) ?? false;
      const tty = (values.tty as boolean | undefined) ?? false;
      const attach = rm || interactive;
      if (tty && !interactive) {
        stdio.err('error: -i/--stdin is required for containers with -t/--tty');
        return 2;
      }
      const restart = (values.restart as string | undefined) ?? (attach ? 'Never' : 'Always');
      if (restart !== 'Always' && restart !== 'OnFailure' && restart !== 'Never') {
        stdio.err(`error: invalid --restart "${restart}": must be Always, OnFailure or Never`);
        return 2;
      }
      if (rm && restart === 'Always') {
        stdio.err('error: --rm should only be used for attached containers (use --restart=Never)');
        return 2;
      }
      return withClient((c) =>
        run(
          c,
          {
            name,
            image,
            namespace: values.namespace as string | undefined,
            command: [...rest, ...after],
            useCommand: (values.command as boolean | undefined) ?? false,
            restart,
            rm,
            attach,
            stdin: interactive,
            tty,
            env: keyValues(values.env as string[] | undefined, '--env'),
            labels: keyValues(values.labels as string[] | undefined, '--labels'),
            podRunningTimeout: Number(podRunningTimeout),
          },
          stdio,
          podStreams,
        ),
      );
    }
    case 'version': {
      stdio.out(`Client Version: ${VERSION}`);
      try {
        return await withClient(async (c) => {
          const v = await c.version();
          stdio.out(`Server Version: ${v.version} (revision ${v.revision})`);
          return 0;
        });
      } catch (err) {
        stdio.err(`Server Version: unavailable (${err instanceof Error ? err.message : String(err)})`);
        return 1;
      }
    }
    default:
      stdio.err(`error: unknown command "${verb}"\n\n${USAGE}`);
      return 2;
  }
}

/** Runs one command line; returns the process exit code. */
/** Whether `verb` runs a service (which bin/shoal.js ends with process.exit once stopped). */
export function isServiceVerb(verb: string | undefined): boolean {
  return verb !== undefined && SERVICE_VERBS.has(verb);
}

export async function main(argv: string[]): Promise<number> {
  const [verb, ...args] = argv;
  flagsFromEnv = isServiceVerb(verb);
  try {
    switch (verb) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        stdio.out(USAGE);
        return verb ? 0 : 2;
      case 'up':
        return await runUp(args);
      case 'api':
        return await runApi(args);
      case 'scheduler':
        return await runScheduler(args);
      case 'controllers':
        return await runControllers(args);
      case 'proxy':
        return await runProxy(args);
      case 'node-agent':
        return await runNodeAgent(args);
      default:
        return await runClientVerb(verb, args);
    }
  } catch (err) {
    stdio.err(`error: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
