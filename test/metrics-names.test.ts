// Metric names, end to end: a real cluster in this process (nats-server, the API server on
// LevelDB, the scheduler, the controller manager, two node agents with the process driver and
// a proxy, each serving /metrics on loopback) runs a Deployment behind a ClusterIP Service
// with a little traffic through it. Then:
//   - every service's /metrics passes `promtool check metrics`;
//   - the controller manager's cluster-state gauges count what the API server holds;
//   - every query of the Grafana dashboard (deploy/grafana/dashboards/shoal.json) names only
//     metrics these services export, parses (`promtool check rules`), and, evaluated by a real
//     Prometheus scraping these services, returns data for every panel.
// Traffic goes only to loopback: the ClusterIP is in 127.93/16, pods on 127.1.x.y.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../lib/kinds.js';
import type { Deployment__Output } from '../lib/gen/shoal/v1/Deployment.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import type { Service__Output } from '../lib/gen/shoal/v1/Service.js';
import { startControllers, type ControllersHandle } from '../services/controllers/index.js';
import type { ContainerDriver } from '../services/node-agent/driver.js';
import { createDriver } from '../services/node-agent/drivers/index.js';
import { startNodeAgent, type NodeAgentHandle } from '../services/node-agent/index.js';
import { startProxy, type ProxyHandle } from '../services/proxy/index.js';
import { startScheduler, type SchedulerHandle } from '../services/scheduler/index.js';
import { TEST_TOKEN, eventually, freePort, startTestCluster, tempDir, type TestCluster } from './harness.js';
import { quiet } from './load.js';
import { dashboardProblems, familiesOf, metricNamesOf, panelsOf, seriesNamesOf, type DashboardPanel } from './promql.js';

const DASHBOARD = fileURLToPath(new URL('../deploy/grafana/dashboards/shoal.json', import.meta.url));
const NS = 'default';
const APP = 'metrics-web';
const NODES = [`metrics-a-${process.pid}`, `metrics-b-${process.pid}`];
/** What the dashboard must show, each matched by a panel title. */
const TOPICS: Record<string, RegExp> = {
  'nodes ready': /^nodes ready$/i,
  'pods by phase': /^pods by phase$/i,
  'scheduling latency': /^scheduling latency$/i,
  'API latency': /^API request latency/i,
  'API throughput': /^API throughput$/i,
  'rollout progress': /^rollout progress/i,
  'proxy traffic per service': /^proxy traffic per service$/i,
  'work queue depth': /^work queue depth$/i,
};

function deployment(replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: APP, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: APP } },
      template: {
        metadata: { labels: { app: APP } },
        spec: {
          terminationGracePeriodSeconds: 2,
          containers: [
            {
              name: 'httpd',
              image: 'shoal/busybox:1.36',
              command: ['sh', '-c', 'mkdir -p www && echo ok > www/index.html && exec busybox httpd -f -p "$POD_IP:8080" -h www'],
              env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/index.html', port: { intVal: 8080 } }, periodSeconds: 1, failureThreshold: 1 },
            },
          ],
        },
      },
    },
  };
}

function get(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/index.html', agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** The value of the one series of `name` whose labels include `labels`; undefined if none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const found: number[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const x of (m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) got[x[1]!] = x[2]!;
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) found.push(Number(m[3]));
  }
  if (found.length > 1) throw new Error(`${found.length} series ${name} match ${JSON.stringify(labels)}`);
  return found[0];
}

/** promtool's verdict on a metrics page: its output (empty when clean) and exit code. */
function promtoolCheckMetrics(text: string): { output: string; status: number | null } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { output: r.stdout + r.stderr, status: r.status };
}

/** A dashboard query as Prometheus would run it: Grafana's interval variables filled in. */
function concrete(expr: string, rateInterval: string): string {
  return expr.replace(/\$__rate_interval|\$__interval|\$\{__rate_interval\}|\$\{__interval\}/g, rateInterval).replace(/\$__range|\$\{__range\}/g, '1h');
}

/** Every target expression of the dashboard, with its panel's title. */
function queriesOf(dashboard: { panels?: DashboardPanel[] }): { title: string; expr: string }[] {
  return panelsOf(dashboard).flatMap((p) => (p.targets ?? []).map((t) => ({ title: p.title ?? '', expr: t.expr ?? '' })));
}

describe('metric names and the Grafana dashboard (real services, process driver)', () => {
  let cluster: TestCluster;
  let scheduler: SchedulerHandle | undefined;
  let controllers: ControllersHandle | undefined;
  let proxy: ProxyHandle | undefined;
  const agents: NodeAgentHandle[] = [];
  const drivers: ContainerDriver[] = [];
  let clusterIP = '';
  /** Each service's /metrics address, by a name for messages. */
  const targets: Record<string, string> = {};

  const scrape = async (address: string): Promise<string> => {
    const res = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(200);
    return res.text();
  };
  const scrapeAll = async (): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const [name, address] of Object.entries(targets)) out[name] = await scrape(address);
    return out;
  };
  const pods = async (): Promise<(Pod__Output & KubeObject)[]> =>
    (await cluster.client.list('Pod', { namespace: NS, labelSelector: `app=${APP}` })).items as (Pod__Output & KubeObject)[];
  const available = async (n: number): Promise<boolean> => {
    const d = (await cluster.client.get('Deployment', NS, APP)) as Deployment__Output & KubeObject;
    return (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) && d.status?.availableReplicas === n && d.status.updatedReplicas === n;
  };

  beforeAll(async () => {
    cluster = await startTestCluster({ metrics: true, serviceCIDR: '127.93.0.0/16' });
    targets.api = cluster.api.metricsAddress!;
    const common = { server: cluster.api.address, token: TEST_TOKEN, natsUrl: cluster.nats.url, metricsListen: '127.0.0.1:0' };
    scheduler = await startScheduler({ ...common, logger: quiet, podInitialBackoffMs: 100, podMaxBackoffMs: 500 });
    await scheduler.ready;
    targets.scheduler = scheduler.metricsAddress!;
    for (const node of NODES) {
      const dataDir = join(cluster.dataDir, node);
      const driver = createDriver('process', { node, dataDir });
      drivers.push(driver);
      const agent = await startNodeAgent({ ...common, nodeName: node, driver, dataDir, logger: quiet, leaseIntervalMs: 1000 });
      agents.push(agent);
      await agent.ready;
      targets[`node-agent ${node}`] = agent.metricsAddress!;
    }
    // With leader election, as deployed: the manager's state gauges are the leader's.
    controllers = await startControllers({ ...common, logger: quiet, identity: 'metrics-leader' });
    await controllers.ready;
    expect(controllers.isLeader()).toBe(true);
    targets.controllers = controllers.metricsAddress!;
    proxy = await startProxy({ ...common, nodeName: NODES[0], nodeAddresses: ['127.0.0.1'], logger: quiet });
    await proxy.ready;
    targets.proxy = proxy.metricsAddress!;

    await cluster.client.create(deployment(2));
    await cluster.client.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: APP, namespace: NS },
      spec: { selector: { app: APP }, ports: [{ name: 'http', port: 80, targetPort: { strVal: 'http' }, protocol: 'TCP' }] },
    });
    await eventually(async () => (await pods()).filter((p) => p.status?.phase === 'Running').length === 2, '2 pods Running', 60_000);
    await eventually(() => proxy!.endpoints(`${NS}/${APP}:http`).length === 2, '2 endpoints in the proxy', 30_000);
    await eventually(() => available(2), 'the Deployment available', 30_000);
    clusterIP = ((await cluster.client.get('Service', NS, APP)) as Service__Output).spec?.clusterIP ?? '';
    expect(clusterIP).toMatch(/^127\.93\./);
    await eventually(() => proxy!.listeners().some((l) => l.address === clusterIP && l.port === 80), 'the ClusterIP listener', 10_000);
    for (let i = 0; i < 10; i++) expect(await get(clusterIP, 80)).toBe(200);
  }, 150_000);

  afterAll(async () => {
    await cluster?.client.delete('Deployment', NS, APP).catch(() => undefined);
    await cluster?.client.delete('Service', NS, APP).catch(() => undefined);
    for (const p of (await cluster?.client.list('Pod', { namespace: NS }).catch(() => ({ items: [] })))?.items ?? []) {
      await cluster.client.delete('Pod', NS, p.metadata?.name ?? '', { gracePeriodSeconds: 0 }).catch(() => undefined);
    }
    if (cluster) await eventually(async () => (await cluster.client.list('Pod', { namespace: NS })).items.length === 0, 'pods gone', 20_000).catch(() => undefined);
    await proxy?.stop();
    await controllers?.stop();
    for (const a of agents) await a.stop();
    for (const d of drivers) await d.close();
    await scheduler?.stop();
    await cluster?.stop();
  }, 60_000);

  it("every service's /metrics passes promtool check metrics", async () => {
    const pages = await scrapeAll();
    expect(Object.keys(pages).sort()).toEqual(['api', 'controllers', ...NODES.map((n) => `node-agent ${n}`), 'proxy', 'scheduler'].sort());
    const verdicts = Object.fromEntries(Object.entries(pages).map(([name, text]) => [name, promtoolCheckMetrics(text)]));
    expect(verdicts).toEqual(Object.fromEntries(Object.keys(pages).map((name) => [name, { output: '', status: 0 }])));
    // The traffic reached every kind of sample: labelled counters and histograms included.
    expect(sample(pages.proxy!, 'shoal_proxy_connections_total', { service: `${NS}/${APP}`, port: 'http' })).toBeGreaterThanOrEqual(10);
    expect(sample(pages.scheduler!, 'shoal_scheduler_scheduling_duration_seconds_count', { result: 'scheduled' })).toBeGreaterThanOrEqual(2);
    expect(sample(pages.controllers!, 'shoal_controller_reconcile_duration_seconds_count', { controller: 'deployment' })).toBeGreaterThan(0);
  });

  it('promtool does report a badly named metric (the check above can fail)', () => {
    const bad = '# HELP shoal_widgets_total Widgets now.\n# TYPE shoal_widgets_total gauge\nshoal_widgets_total 1\n';
    const { output } = promtoolCheckMetrics(bad);
    expect(output).toContain('shoal_widgets_total');
  });

  it("the leader's cluster-state gauges count the nodes, the pods by phase and the Deployment's replicas", async () => {
    let text = await scrape(targets.controllers!);
    expect(sample(text, 'shoal_cluster_nodes', { condition: 'Ready', status: 'True' })).toBe(2);
    expect(sample(text, 'shoal_cluster_nodes', { condition: 'Ready', status: 'False' })).toBe(0);
    expect(sample(text, 'shoal_cluster_nodes', { condition: 'Ready', status: 'Unknown' })).toBe(0);
    const byPhase: Record<string, number> = { Pending: 0, Running: 0, Succeeded: 0, Failed: 0, Unknown: 0 };
    for (const p of (await cluster.client.list('Pod', { namespace: NS })).items as Pod__Output[]) byPhase[p.status?.phase || 'Pending']! += 1;
    expect(byPhase.Running).toBe(2);
    for (const [phase, n] of Object.entries(byPhase)) expect(sample(text, 'shoal_cluster_pods', { namespace: NS, phase }), phase).toBe(n);
    const d = { namespace: NS, deployment: APP };
    expect(sample(text, 'shoal_cluster_deployment_spec_replicas', d)).toBe(2);
    expect(sample(text, 'shoal_cluster_deployment_status_replicas_updated', d)).toBe(2);
    expect(sample(text, 'shoal_cluster_deployment_status_replicas_available', d)).toBe(2);

    // They follow the cluster: scaled to 3, the desired count moves at once, the rest follow.
    const cur = await cluster.client.get('Deployment', NS, APP);
    await cluster.client.update({ ...deployment(3), metadata: { ...cur.metadata } });
    await eventually(async () => sample(await scrape(targets.controllers!), 'shoal_cluster_deployment_spec_replicas', d) === 3, 'desired replicas 3 in the gauge', 10_000);
    await eventually(() => available(3), 'the Deployment scaled to 3', 60_000);
    await eventually(
      async () => {
        text = await scrape(targets.controllers!);
        return sample(text, 'shoal_cluster_deployment_status_replicas_available', d) === 3 && sample(text, 'shoal_cluster_pods', { namespace: NS, phase: 'Running' }) === 3;
      },
      '3 available replicas and 3 Running pods in the gauges',
      10_000,
    );
    expect(sample(text, 'shoal_cluster_deployment_status_replicas_updated', d)).toBe(3);
  }, 90_000);

  it('a standby controller manager reports the cluster-state families without samples', async () => {
    const standby = await startControllers({
      server: cluster.api.address,
      token: TEST_TOKEN,
      natsUrl: cluster.nats.url,
      metricsListen: '127.0.0.1:0',
      logger: quiet,
      identity: 'metrics-standby',
    });
    try {
      await standby.ready;
      expect(standby.isLeader()).toBe(false);
      const text = await scrape(standby.metricsAddress!);
      expect(familiesOf(text).get('shoal_cluster_nodes')).toBe('gauge');
      expect(text).not.toMatch(/^shoal_cluster_/m);
      expect(promtoolCheckMetrics(text)).toEqual({ output: '', status: 0 });
      expect(sample(text, 'shoal_controller_manager_leader')).toBe(0);
      // The leader still counts.
      expect(sample(await scrape(targets.controllers!), 'shoal_cluster_nodes', { condition: 'Ready', status: 'True' })).toBe(2);
    } finally {
      await standby.stop();
    }
  });

  it("every panel's queries name only metrics the services export, and the dashboard covers its topics", async () => {
    const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as { uid?: string; schemaVersion?: number; panels?: DashboardPanel[] };
    const pages = await scrapeAll();
    const families = new Map<string, string>();
    for (const text of Object.values(pages)) for (const [name, type] of familiesOf(text)) families.set(name, type);
    const series = seriesNamesOf(families);
    expect(dashboardProblems(dashboard, series)).toEqual([]);

    const panels = panelsOf(dashboard);
    const titles = panels.map((p) => p.title ?? '');
    expect(Object.entries(TOPICS).filter(([, re]) => !titles.some((t) => re.test(t))).map(([topic]) => topic)).toEqual([]);
    // Every target names the provisioned datasource (deploy/grafana/provisioning/datasources).
    for (const p of panels) {
      for (const t of (p.targets ?? []) as { datasource?: { uid?: string } }[]) expect(t.datasource?.uid, p.title).toBe('prometheus');
    }
    // The state gauges the dashboard depends on, and the histograms it takes quantiles of, are used.
    const used = new Set(queriesOf(dashboard).flatMap((q) => metricNamesOf(q.expr).metrics));
    for (const m of ['shoal_cluster_nodes', 'shoal_cluster_pods', 'shoal_cluster_deployment_status_replicas_updated', 'shoal_scheduler_scheduling_duration_seconds_bucket', 'shoal_api_request_duration_seconds_bucket', 'shoal_api_requests_total', 'shoal_proxy_bytes_total', 'shoal_controller_workqueue_depth']) {
      expect(used.has(m), m).toBe(true);
    }
  });

  it('every query parses (promtool check rules)', async () => {
    const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as { panels?: DashboardPanel[] };
    const { dir, cleanup } = await tempDir('shoal-rules-');
    try {
      const check = async (exprs: string[]): Promise<{ output: string; status: number | null }> => {
        const rules = { groups: [{ name: 'dashboard', rules: exprs.map((expr, i) => ({ record: `shoal:dashboard_query_${i}`, expr: concrete(expr, '1m') })) }] };
        const file = join(dir, 'rules.json');
        await writeFile(file, JSON.stringify(rules));
        const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8', timeout: 30_000 });
        if (r.error) throw r.error;
        return { output: r.stdout + r.stderr, status: r.status };
      };
      const queries = queriesOf(dashboard);
      const good = await check(queries.map((q) => q.expr));
      expect(good.status, good.output).toBe(0);
      expect(good.output).toContain(`SUCCESS: ${queries.length} rules found`);
      const bad = await check(['sum by (le (rate(shoal_api_requests_total[1m]))']);
      expect(bad.status).not.toBe(0);
    } finally {
      await cleanup();
    }
  });

  it('a real Prometheus scraping the services gets data for every panel', async () => {
    const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as { panels?: DashboardPanel[] };
    const { dir, cleanup } = await tempDir('shoal-prometheus-');
    const port = await freePort();
    const config = {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      scrape_configs: Object.entries(targets).map(([name, address]) => ({ job_name: name.replace(/[^a-zA-Z0-9_-]/g, '_'), static_configs: [{ targets: [address] }] })),
    };
    await writeFile(join(dir, 'prometheus.yml'), JSON.stringify(config));
    let prom: ChildProcess | undefined;
    let log = '';
    const query = async (q: string): Promise<unknown[]> => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`, { signal: AbortSignal.timeout(10_000) });
      const body = (await res.json()) as { status: string; error?: string; data?: { result?: unknown[] } };
      if (body.status !== 'success') throw new Error(`${q}: ${body.error ?? res.status}`);
      return body.data?.result ?? [];
    };
    try {
      prom = spawn(
        'prometheus',
        [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      prom.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
      const n = Object.keys(targets).length;
      // Every target up, and scraped often enough for rate() over the window below.
      await eventually(
        async () => {
          try {
            const up = (await query('count(up == 1)')) as { value: [number, string] }[];
            const scrapes = (await query('min(count_over_time(up[30s]))')) as { value: [number, string] }[];
            return Number(up[0]?.value[1]) === n && Number(scrapes[0]?.value[1]) >= 4;
          } catch {
            return false;
          }
        },
        `Prometheus scraping all ${n} targets (log: ${log})`,
        45_000,
      );
      // Some traffic and scheduling inside the rate window.
      for (let i = 0; i < 5; i++) expect(await get(clusterIP, 80)).toBe(200);
      await new Promise((r) => setTimeout(r, 2500));
      const empty: string[] = [];
      for (const p of panelsOf(dashboard)) {
        let data = false;
        for (const t of p.targets ?? []) if ((await query(concrete(t.expr ?? '', '10s'))).length > 0) data = true;
        if (!data) empty.push(p.title ?? '(untitled)');
      }
      expect(empty).toEqual([]);
    } finally {
      if (prom && prom.exitCode === null) {
        const exited = new Promise((r) => prom!.once('exit', r));
        prom.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (prom.exitCode === null) prom.kill('SIGKILL');
      }
      await cleanup();
    }
  }, 90_000);
});

describe('PromQL metric-name extraction', () => {
  it('finds metric names and only them', () => {
    expect(metricNamesOf('histogram_quantile(0.99, sum by (le, method) (rate(shoal_api_request_duration_seconds_bucket{method!="Watch",code=~"OK|sum"}[$__rate_interval])))')).toEqual({
      metrics: ['shoal_api_request_duration_seconds_bucket'],
      unknownFunctions: [],
    });
    expect(metricNamesOf('sum(rate(a_total[5m] offset 1h30m)) without (instance) / on (job) group_left(node) max by (job, node) (b) > bool 0 and c unless d or {__name__="e"}').metrics).toEqual(['a_total', 'b', 'c', 'd', 'e']);
    expect(metricNamesOf('max_over_time(x[1h:5m]) * 1e3 + 0x1F - inf and y @ start()').metrics).toEqual(['x', 'y']);
    expect(metricNamesOf('label_replace(up, "dst", "$1", "src", "(.*)") / ${scale}').metrics).toEqual(['up']);
    expect(metricNamesOf('sum(rate(shoal_api_requests_total[1m])) by (code)').metrics).toEqual(['shoal_api_requests_total']);
    expect(metricNamesOf('sumx(foo)')).toEqual({ metrics: ['foo'], unknownFunctions: ['sumx'] });
  });

  it('reports a made-up metric, an unknown function and a panel without targets', () => {
    const series = seriesNamesOf(new Map([['shoal_api_requests_total', 'counter'], ['shoal_api_request_duration_seconds', 'histogram']]));
    const dashboard = {
      panels: [
        {
          type: 'row',
          title: 'A row',
          panels: [{ title: 'Nested', targets: [{ expr: 'sum(rate(shoal_made_up_requests_total[5m]))' }] }],
        },
        { title: 'Fine', targets: [{ expr: 'histogram_quantile(0.9, sum by (le) (rate(shoal_api_request_duration_seconds_bucket[5m]))) + sum(rate(shoal_api_requests_total[5m]))' }] },
        { title: 'Not a histogram', targets: [{ expr: 'rate(shoal_api_requests_total_bucket[5m])' }] },
        { title: 'Typo', targets: [{ expr: 'rat(shoal_api_requests_total[5m])' }] },
        { title: 'Empty', targets: [] },
      ],
    };
    expect(dashboardProblems(dashboard, series)).toEqual([
      'Nested: no such metric shoal_made_up_requests_total',
      'Not a histogram: no such metric shoal_api_requests_total_bucket',
      'Typo: no such function rat',
      'Empty: no targets',
    ]);
  });
});
