// The docker-compose demo end to end, as the README runs it (deploy/demo.sh): images built
// offline, compose up, three Ready nodes, the demo Deployment 3/3 over the three nodes, its
// LoadBalancer answering from the host, a rollout to v2 under load with no failed request,
// Prometheus scraping every Shoal service, and compose down leaving nothing behind.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShoalClient, loadClientConfig } from '../lib/client.js';
import type { Deployment__Output } from '../lib/gen/shoal/v1/Deployment.js';
import type { Node__Output } from '../lib/gen/shoal/v1/Node.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import type { Service__Output } from '../lib/gen/shoal/v1/Service.js';
import { eventually, freePort, tempDir } from './harness.js';

const execFileP = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const DEMO = join(ROOT, 'deploy', 'demo.sh');
const PROJECT = 'shoal-demo-test';

/** Whether compose can run here at all (docker-compose 1.29 or the v2 plugin). */
async function haveCompose(): Promise<boolean> {
  for (const [cmd, args] of [
    ['docker', ['compose', 'version']],
    ['docker-compose', ['version']],
  ] as const) {
    try {
      await execFileP(cmd, [...args]);
      return true;
    } catch {
      // try the next
    }
  }
  return false;
}

async function docker(args: string[]): Promise<string> {
  return (await execFileP('docker', args, { timeout: 30_000 })).stdout;
}

/** A GET on a new connection each time (no keep-alive: the proxy balances connections). */
function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timed out`)));
    req.on('error', reject);
  });
}

const composeReady = await haveCompose();

describe.runIf(composeReady)('the docker-compose demo', () => {
  let state: { dir: string; cleanup: () => Promise<void> };
  const env: NodeJS.ProcessEnv = { ...process.env };
  let client: ShoalClient;

  /** Runs a deploy/demo.sh step; its whole output goes into the error when it fails. */
  async function demo(args: string[], timeoutMs: number): Promise<string> {
    try {
      const { stdout, stderr } = await execFileP('bash', [DEMO, ...args], { env, timeout: timeoutMs, maxBuffer: 16 << 20 });
      return stdout + stderr;
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(`deploy/demo.sh ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, { cause: err });
    }
  }

  beforeAll(async () => {
    // One demo network per host: a demo left running by someone would collide.
    const networks = await docker(['network', 'ls', '--format', '{{.Name}}']);
    if (networks.split('\n').includes('shoal-demo')) throw new Error('a shoal-demo network exists already: take that demo down first (deploy/demo.sh down)');
    state = await tempDir('shoal-demo-');
    Object.assign(env, {
      SHOAL_DEMO_STATE: join(state.dir, 'state'),
      SHOAL_DEMO_PROJECT: PROJECT,
      SHOAL_OFFLINE: '1',
      SHOAL_API_PORT: String(await freePort()),
      SHOAL_LB_PORT: String(await freePort()),
      SHOAL_NODEPORT_PORT: String(await freePort()),
      SHOAL_PROMETHEUS_PORT: String(await freePort()),
      SHOAL_GRAFANA_PORT: String(await freePort()),
      SHOAL_NODE_DATA: join(state.dir, 'nodes'),
    });
    for (const k of ['SHOAL_CONFIG', 'SHOAL_SERVER', 'SHOAL_TOKEN', 'SHOAL_AGENT_TOKEN']) delete env[k];
    await demo(['up'], 240_000);
    client = new ShoalClient(await loadClientConfig(join(env.SHOAL_DEMO_STATE!, 'config.yaml')));
  }, 300_000);

  afterAll(async () => {
    client?.close();
    // Down even when a test failed; the last test checks what it leaves.
    await demo(['down'], 120_000).catch(() => undefined);
    await state?.cleanup();
  }, 150_000);

  it('all three nodes become Ready', async () => {
    await eventually(
      async () => {
        const nodes = (await client.list('Node')).items as Node__Output[];
        const ready = nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
        return ready.map((n) => n.metadata?.name).sort().join(',') === 'node-1,node-2,node-3';
      },
      'nodes node-1..3 Ready',
      60_000,
    );
  });

  it('the demo Deployment reaches 3/3, spread over the three nodes, and its LoadBalancer answers from the host', async () => {
    await demo(['apply'], 240_000);
    const d = (await client.get('Deployment', 'default', 'demo')) as Deployment__Output;
    expect(d.status?.availableReplicas).toBe(3);
    expect(d.status?.updatedReplicas).toBe(3);
    const pods = ((await client.list('Pod', { namespace: 'default', labelSelector: 'app=demo' })).items as Pod__Output[]).filter(
      (p) => !p.metadata?.deletionTimestamp,
    );
    expect(pods).toHaveLength(3);
    expect(new Set(pods.map((p) => p.spec?.nodeName))).toEqual(new Set(['node-1', 'node-2', 'node-3']));

    // Through the port published on the host, and at the ingress address it was given.
    const svc = (await client.get('Service', 'default', 'demo-lb')) as Service__Output;
    const ingress = svc.status?.loadBalancer?.ingress?.[0]?.ip;
    expect(ingress).toBe('10.245.255.250');
    const seen = new Set<string>();
    for (let i = 0; i < 9; i++) {
      const a = await get(`http://127.0.0.1:${env.SHOAL_LB_PORT}/any/path/${i}`);
      expect(a.status).toBe(200);
      const [version, pod] = a.body.trim().split(' ');
      expect(version).toBe('v1');
      seen.add(pod!);
    }
    expect(seen).toEqual(new Set(pods.map((p) => p.metadata!.name!)));
    expect((await get(`http://${ingress}:80/`)).body).toMatch(/^v1 demo-/);
    expect((await get(`http://127.0.0.1:${env.SHOAL_NODEPORT_PORT}/`)).body).toMatch(/^v1 demo-/);
  }, 300_000);

  it('rolls to v2 under load through the LoadBalancer with no failed request', async () => {
    const out = await demo(['roll', 'v2'], 300_000);
    const m = out.match(/requests during the rollout: (\d+), answered 200: (\d+), failed: (\d+)/);
    expect(m, out).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(20);
    expect(Number(m![3])).toBe(0);
    for (let i = 0; i < 6; i++) expect((await get(`http://127.0.0.1:${env.SHOAL_LB_PORT}/`)).body).toMatch(/^v2 /);
  }, 300_000);

  it("a pod's configMap, emptyDir and persistent volumes work on the nodes, and its logs reach the CLI", async () => {
    const manifest = `
apiVersion: v1
kind: ConfigMap
metadata:
  name: greeting
data:
  greeting: hello from a configMap
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: scratch
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Mi
---
apiVersion: v1
kind: Pod
metadata:
  name: volumes
spec:
  restartPolicy: Never
  containers:
    - name: main
      image: shoal/busybox:1.36
      command: ['sh', '-c', 'cp /config/greeting /cache/copy && cat /cache/copy > /data/kept && echo "$(cat /cache/copy) via emptyDir, $(cat /data/kept) kept"']
      volumeMounts:
        - { name: config, mountPath: /config }
        - { name: cache, mountPath: /cache }
        - { name: data, mountPath: /data }
  volumes:
    - name: config
      configMap: { name: greeting }
    - name: cache
      emptyDir: {}
    - name: data
      persistentVolumeClaim: { claimName: scratch }
`;
    const file = join(state.dir, 'volumes.yaml');
    await writeFile(file, manifest);
    await demo(['shoal', 'apply', '-f', file], 60_000);
    await eventually(
      async () => ((await client.get('Pod', 'default', 'volumes')) as Pod__Output).status?.phase === 'Succeeded',
      'the volumes pod Succeeded',
      90_000,
    );
    const logs = await demo(['shoal', 'logs', 'volumes'], 60_000);
    expect(logs).toContain('hello from a configMap via emptyDir, hello from a configMap kept');
  }, 200_000);

  it('Prometheus reports every Shoal target up and holds samples of Shoal metrics', async () => {
    const prom = `http://127.0.0.1:${env.SHOAL_PROMETHEUS_PORT}`;
    const jobs = ['shoal-api', 'shoal-scheduler', 'shoal-controllers', 'shoal-node-agent', 'shoal-proxy'];
    await eventually(
      async () => {
        const r = JSON.parse((await get(`${prom}/api/v1/targets`)).body) as {
          data: { activeTargets: { labels: { job: string }; health: string }[] };
        };
        const shoal = r.data.activeTargets.filter((t) => t.labels.job.startsWith('shoal-'));
        return shoal.length === 7 && shoal.every((t) => t.health === 'up') && jobs.every((j) => shoal.some((t) => t.labels.job === j));
      },
      'all 7 Shoal targets up in Prometheus',
      60_000,
    );
    // A Shoal metric, from every job: samples Prometheus scraped and stored.
    await eventually(
      async () => {
        const q = encodeURIComponent('count by (job) ({__name__=~"shoal_.+"})');
        const r = JSON.parse((await get(`${prom}/api/v1/query?query=${q}`)).body) as { data: { result: { metric: { job: string } }[] } };
        return jobs.every((j) => r.data.result.some((s) => s.metric.job === j));
      },
      'shoal_* samples from every job',
      60_000,
    );
  }, 150_000);

  it('every Shoal service stops gracefully on SIGTERM (exit code 0), and down leaves no container, network or volume behind', async () => {
    const shoalServices = ['api', 'scheduler', 'controllers', 'node-1', 'node-2', 'node-3', 'proxy'];
    const ids = (await docker(['ps', '-q', '--filter', `label=com.docker.compose.project=${PROJECT}`])).split('\n').filter(Boolean);
    const byService = new Map<string, string>();
    for (const id of ids) {
      const service = (await docker(['inspect', '-f', '{{index .Config.Labels "com.docker.compose.service"}}', id])).trim();
      byService.set(service, id);
    }
    expect([...byService.keys()].filter((s) => shoalServices.includes(s)).sort()).toEqual([...shoalServices].sort());
    // SIGTERM, then SIGKILL only after 30 s: a graceful stop exits 0 long before.
    const shoalIds = shoalServices.map((s) => byService.get(s)!);
    await execFileP('docker', ['stop', '--time', '30', ...shoalIds], { timeout: 60_000 });
    for (const s of shoalServices) {
      const state = (await docker(['inspect', '-f', '{{.State.ExitCode}} {{.State.OOMKilled}}', byService.get(s)!])).trim();
      expect(`${s}: ${state}`).toBe(`${s}: 0 false`);
    }

    await demo(['down'], 120_000);
    expect(await docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`])).toBe('');
    // The pods the agents started on the host's Docker went with their nodes.
    for (const node of ['node-1', 'node-2', 'node-3']) {
      expect(await docker(['ps', '-aq', '--filter', `label=io.shoal.node=shoal-demo/${node}`])).toBe('');
    }
    expect((await docker(['network', 'ls', '--format', '{{.Name}}'])).split('\n')).not.toContain('shoal-demo');
    expect(await docker(['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${PROJECT}`])).toBe('');
    // The pods' persistent volumes, and the nodes' data on the host, went too.
    for (const node of ['node-1', 'node-2', 'node-3']) {
      expect(await docker(['volume', 'ls', '-q', '--filter', `label=io.shoal.node=shoal-demo/${node}`])).toBe('');
    }
    expect(existsSync(env.SHOAL_NODE_DATA!)).toBe(false);
  }, 150_000);
});
