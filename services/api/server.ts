// The API server: the only owner of cluster state. gRPC (Resources, health, reflection) in
// front of the registry and the LevelDB store; the change log pumped into NATS JetStream;
// Prometheus metrics over HTTP.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { Counter, Gauge, Histogram, type Registry as PromRegistry } from 'prom-client';
import { ExpiredError, InvalidError, toGrpcStatus } from '../../lib/errors.js';
import type { GetRequest__Output } from '../../lib/gen/shoal/v1/GetRequest.js';
import type { ListRequest__Output } from '../../lib/gen/shoal/v1/ListRequest.js';
import type { CreateRequest__Output } from '../../lib/gen/shoal/v1/CreateRequest.js';
import type { UpdateRequest__Output } from '../../lib/gen/shoal/v1/UpdateRequest.js';
import type { DeleteRequest__Output } from '../../lib/gen/shoal/v1/DeleteRequest.js';
import type { WatchRequest__Output } from '../../lib/gen/shoal/v1/WatchRequest.js';
import type { WatchEvent } from '../../lib/gen/shoal/v1/WatchEvent.js';
import type { ApplyRequest__Output } from '../../lib/gen/shoal/v1/ApplyRequest.js';
import type { ResourcesHandlers } from '../../lib/gen/shoal/v1/Resources.js';
import { fromEnvelope, toEnvelope, type KubeObject } from '../../lib/kinds.js';
import { MAX_MANIFEST_BYTES } from '../../lib/manifest.js';
import { newMetricsRegistry, serveMetrics, type MetricsServer } from '../../lib/metrics.js';
import { LOADER_OPTIONS, packageDefinition, ResourcesService } from '../../lib/proto.js';
import { DEFAULT_NODE_PORT_RANGE, DEFAULT_SERVICE_CIDR } from './allocators.js';
import { TokenAuthenticator, type Identity } from './auth.js';
import { startPump, type Pump } from './pump.js';
import { Registry, type PropagationPolicy } from './registry.js';
import { AgentRelay } from './relay.js';
import { openStore, type LevelStore } from './store.js';

export const VERSION = '0.1.0';

export interface ApiServerConfig {
  /** LevelDB lives in `<dataDir>/store`. */
  dataDir: string;
  /** gRPC listen address, "host:port"; port 0 picks a free one. */
  listen?: string;
  /** Prometheus /metrics listen address; port 0 picks one; undefined disables. */
  metricsListen?: string;
  /** NATS server for the change-event stream; undefined runs without fan-out. */
  natsUrl?: string;
  /** Bearer token → identity. */
  tokens: Record<string, Identity>;
  /** How long the change log is kept before compaction. */
  compactAfterMs?: number;
  /** Idle watches get a BOOKMARK this often (when asked for). */
  bookmarkIntervalMs?: number;
  /** Presented to node agents when relaying logs and exec. */
  agentToken?: string;
  /** Services' cluster IPs come from this IPv4 CIDR (default 10.96.0.0/12). */
  serviceCIDR?: string;
  /** Services' node ports come from this "first-last" range (default 30000-32767). */
  nodePortRange?: string;
  /** The cluster DNS address the proxies serve (their clusterDNS): reserved, never a
   * Service's cluster IP. */
  clusterDNS?: string;
}

export interface ApiServer {
  /** Resolves once the server accepts calls. */
  ready: Promise<void>;
  /** "host:port" of the gRPC endpoint. */
  address: string;
  metricsAddress?: string;
  registry: Registry;
  stop(): Promise<void>;
}

const PROPAGATION: Record<string, PropagationPolicy> = {
  PROPAGATION_POLICY_BACKGROUND: 'Background',
  PROPAGATION_POLICY_FOREGROUND: 'Foreground',
  PROPAGATION_POLICY_ORPHAN: 'Orphan',
};

function requireObject(envelope: CreateRequest__Output['object']): KubeObject {
  const obj = fromEnvelope(envelope);
  if (!obj) throw new InvalidError([{ field: 'object', message: 'Required value: set exactly one kind in the Object envelope' }]);
  return obj;
}

/** Starts the API server; see ApiServer. */
export async function startApiServer(config: ApiServerConfig): Promise<ApiServer> {
  const metrics = newMetricsRegistry('api');
  const requests = new Counter({
    name: 'shoal_api_requests_total',
    help: 'API requests by method and gRPC status code.',
    labelNames: ['method', 'code'],
    registers: [metrics],
  });
  const latency = new Histogram({
    name: 'shoal_api_request_duration_seconds',
    help: 'Latency of unary API requests by method.',
    labelNames: ['method'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [metrics],
  });
  const storeWrites = new Histogram({
    name: 'shoal_store_write_duration_seconds',
    help: 'Latency of durable store writes, queueing for the group commit included.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [metrics],
  });
  const watchers = new Gauge({ name: 'shoal_api_watchers', help: 'Open Watch streams.', registers: [metrics] });

  let pump: Pump | undefined;
  const store = await openStore({
    dir: `${config.dataDir}/store`,
    compactAfterMs: config.compactAfterMs,
    // The log keeps what the pump has not published yet, so NATS being down for longer than
    // the compaction window loses nothing from the stream.
    compactFloor: () => (pump ? pump.publishedRevision : Infinity),
  });
  try {
    return await serve(config, store, metrics, { requests, latency, storeWrites, watchers }, (p) => (pump = p));
  } catch (err) {
    await pump?.stop();
    await store.close();
    throw err;
  }
}

interface ApiMetrics {
  requests: Counter;
  latency: Histogram;
  storeWrites: Histogram;
  watchers: Gauge;
}

async function serve(
  config: ApiServerConfig,
  store: LevelStore,
  metrics: PromRegistry,
  { requests, latency, storeWrites, watchers }: ApiMetrics,
  setPump: (pump: Pump) => void,
): Promise<ApiServer> {
  new Gauge({
    name: 'shoal_store_revision',
    help: 'The latest committed store revision.',
    registers: [metrics],
    collect() {
      this.set(store.revision);
    },
  });
  new Gauge({
    name: 'shoal_store_size_bytes',
    help: 'Size of the store on disk.',
    registers: [metrics],
    async collect() {
      this.set(await store.sizeOnDisk());
    },
  });

  const registry = new Registry(
    store,
    { storeWrite: (s) => storeWrites.observe(s) },
    {
      serviceCIDR: config.serviceCIDR ?? DEFAULT_SERVICE_CIDR,
      nodePortRange: config.nodePortRange ?? DEFAULT_NODE_PORT_RANGE,
      ...(config.clusterDNS ? { clusterDNS: config.clusterDNS } : {}),
    },
  );
  for (const warning of await registry.bootstrap()) console.warn(`api: ${warning}`);

  let pump: Pump | undefined;
  if (config.natsUrl) {
    pump = await startPump({ store, natsUrl: config.natsUrl });
    setPump(pump);
  }

  const unary = <Req, Res>(method: string, handle: (req: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> => {
    return (call, callback) => {
      const end = latency.startTimer({ method });
      handle(call.request).then(
        (res) => {
          end();
          requests.inc({ method, code: 'OK' });
          callback(null, res);
        },
        (err: unknown) => {
          end();
          const status = toGrpcStatus(err);
          requests.inc({ method, code: grpc.status[status.code ?? grpc.status.INTERNAL] });
          callback(status);
        },
      );
    };
  };

  const relay = new AgentRelay(registry, config.agentToken);
  const bookmarkIntervalMs = config.bookmarkIntervalMs ?? 10_000;
  const openWatches = new Set<AbortController>();

  const handlers: ResourcesHandlers = {
    Get: unary('Get', async (req: GetRequest__Output) => toEnvelope(await registry.get(req.kind ?? '', req.namespace, req.name ?? ''))),
    List: unary('List', async (req: ListRequest__Output) => {
      const res = await registry.list({
        kind: req.kind ?? '',
        namespace: req.namespace,
        labelSelector: req.label_selector,
        fieldSelector: req.field_selector,
        limit: req.limit || undefined,
        continueToken: req.continue_token,
      });
      return {
        items: res.items.map(toEnvelope),
        resource_version: String(res.revision),
        continue_token: res.continueToken,
        remaining_item_count: res.remaining,
      };
    }),
    Create: unary('Create', async (req: CreateRequest__Output) =>
      toEnvelope(await registry.create(requireObject(req.object), { dryRun: req.dry_run })),
    ),
    Update: unary('Update', async (req: UpdateRequest__Output) =>
      toEnvelope(await registry.update(requireObject(req.object), { dryRun: req.dry_run })),
    ),
    UpdateStatus: unary('UpdateStatus', async (req: UpdateRequest__Output) =>
      toEnvelope(await registry.updateStatus(requireObject(req.object), { dryRun: req.dry_run })),
    ),
    Delete: unary('Delete', async (req: DeleteRequest__Output) => {
      const res = await registry.delete(req.kind ?? '', req.namespace, req.name ?? '', {
        propagationPolicy: PROPAGATION[req.propagation_policy ?? ''] ?? 'Background',
        resourceVersion: req.resource_version,
        gracePeriodSeconds: req.grace_period_seconds,
        dryRun: req.dry_run,
      });
      return { object: toEnvelope(res.object), deleted: res.deleted };
    }),
    Apply: unary('Apply', async (req: ApplyRequest__Output) => {
      const results = await registry.apply(req.manifest ?? '', { namespace: req.namespace, dryRun: req.dry_run });
      return { results: results.map((r) => ({ object: toEnvelope(r.object), action: r.action })) };
    }),
    Version: unary('Version', () => Promise.resolve({ version: VERSION, revision: String(store.revision) })),
    Logs: (call) => relay.logs(call),
    Exec: (call) => relay.exec(call),
    Attach: (call) => relay.attach(call),
    Watch: (call: grpc.ServerWritableStream<WatchRequest__Output, WatchEvent>) => {
      const req = call.request;
      const abort = new AbortController();
      openWatches.add(abort);
      watchers.inc();
      call.on('cancelled', () => abort.abort());
      call.on('close', () => abort.abort());
      let progress = 0;
      let lastSent = 0;
      const timer = req.allow_bookmarks
        ? setInterval(() => {
            if (progress > lastSent) {
              lastSent = progress;
              call.write({ type: 'BOOKMARK', resource_version: String(progress) });
            }
          }, bookmarkIntervalMs)
        : undefined;
      const run = async (): Promise<void> => {
        let after: number | undefined;
        const rv = req.resource_version ?? '';
        if (rv !== '' && rv !== '0') {
          if (!/^\d+$/.test(rv)) {
            throw new InvalidError([{ field: 'resource_version', message: `Invalid value: ${JSON.stringify(rv)}` }]);
          }
          after = Number(rv);
        }
        const events = registry.watch(
          { kind: req.kind, namespace: req.namespace, labelSelector: req.label_selector, fieldSelector: req.field_selector, after },
          abort.signal,
          (rev) => (progress = rev),
        );
        for await (const ev of events) {
          lastSent = ev.revision;
          const ok = call.write({ type: ev.type, object: toEnvelope(ev.object), resource_version: String(ev.revision) });
          // Respect backpressure: wait for the transport to drain before reading on.
          if (!ok) await new Promise<void>((resolve) => call.once('drain', resolve));
          if (abort.signal.aborted) break;
        }
      };
      run()
        .then(() => {
          requests.inc({ method: 'Watch', code: 'OK' });
          call.end();
        })
        .catch((err: unknown) => {
          if (abort.signal.aborted && !(err instanceof ExpiredError)) {
            call.end();
            return;
          }
          const status = toGrpcStatus(err);
          requests.inc({ method: 'Watch', code: grpc.status[status.code ?? grpc.status.INTERNAL] });
          // grpc-js turns an 'error' event into the call's final status.
          call.emit('error', Object.assign(new Error(status.details), status));
        })
        .finally(() => {
          if (timer) clearInterval(timer);
          openWatches.delete(abort);
          watchers.dec();
        });
    },
  };

  const auth = new TokenAuthenticator(config.tokens);
  const server = new grpc.Server({
    interceptors: [auth.interceptor()],
    'grpc.max_receive_message_length': MAX_MANIFEST_BYTES,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
  });
  server.addService(ResourcesService, handlers);
  const health = new HealthImplementation({ '': 'SERVING', 'shoal.v1.Resources': 'SERVING' });
  health.addToServer(server);
  const healthDefinition = protoLoader.loadSync(healthProtoPath, LOADER_OPTIONS);
  new ReflectionService({ ...packageDefinition, ...healthDefinition }).addToServer(server);

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(config.listen ?? '127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    );
  });
  const host = (config.listen ?? '127.0.0.1:0').replace(/:\d+$/, '');
  let metricsServer: MetricsServer | undefined;
  if (config.metricsListen !== undefined) metricsServer = await serveMetrics(metrics, config.metricsListen);

  let stopped: Promise<void> | undefined;
  return {
    ready: Promise.resolve(),
    address: `${host === '0.0.0.0' || host === '' ? '127.0.0.1' : host}:${port}`,
    metricsAddress: metricsServer?.address,
    registry,
    stop() {
      stopped ??= (async () => {
        health.setStatus('', 'NOT_SERVING');
        for (const w of openWatches) w.abort();
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            server.forceShutdown();
            resolve();
          }, 2000);
          server.tryShutdown(() => {
            clearTimeout(timer);
            resolve();
          });
        });
        relay.close();
        await pump?.stop();
        await metricsServer?.close();
        await store.close();
      })();
      return stopped;
    },
  };
}
