// The `shoal` binary against a real API server: the seed manifests apply, get, describe and
// delete exactly as a user would run them. (Runs the build in dist/: `npm run build` first.)
import { execFile, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { TEST_TOKEN, eventually, startTestCluster, type TestCluster } from './harness.js';

const BIN = fileURLToPath(new URL('../bin/shoal.js', import.meta.url));
const SEED = fileURLToPath(new URL('../../shared/manifests/seed', import.meta.url));
const SEED_FILES = readdirSync(SEED).filter((f) => f.endsWith('.yaml')).sort();

let cluster: TestCluster;
let env: NodeJS.ProcessEnv;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function shoal(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  cluster = await startTestCluster();
  const config = join(cluster.dataDir, 'client.yaml');
  await writeFile(config, stringify({ server: cluster.api.address, token: TEST_TOKEN, nats: cluster.nats.url }));
  env = { ...process.env, SHOAL_CONFIG: config };
});
afterAll(async () => {
  await cluster?.stop();
});

describe('the seed manifests through the CLI', () => {
  it('finds the seed manifests', () => {
    expect(SEED_FILES).toEqual(['app-service.yaml', 'lb-service.yaml', 'nginx-deployment.yaml', 'nodeport-service.yaml']);
  });

  it('applies every seed manifest, and re-applying changes nothing', async () => {
    const first = await shoal('apply', '-f', SEED);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n').sort()).toEqual([
      'deployment.apps/nginx-deployment created',
      'service/app-service created',
      'service/lb-service created',
      'service/my-service created',
    ]);
    const rvBefore = (await cluster.client.get('deploy', 'default', 'nginx-deployment')).metadata?.resourceVersion;
    const again = await shoal('apply', '-f', join(SEED, 'nginx-deployment.yaml'));
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe('deployment.apps/nginx-deployment unchanged');
    const rvAfter = (await cluster.client.get('deploy', 'default', 'nginx-deployment')).metadata?.resourceVersion;
    expect(rvAfter).toBe(rvBefore);
  });

  it('gets them as tables, by short name, and as yaml, json and name', async () => {
    const deploy = await shoal('get', 'deploy');
    expect(deploy.code).toBe(0);
    expect(deploy.stdout).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\n/);
    expect(deploy.stdout).toMatch(/nginx-deployment\s+0\/3\s+0\s+0\s+\d+s/);

    const svc = await shoal('get', 'svc');
    expect(svc.stdout).toMatch(/NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE/);
    expect(svc.stdout).toMatch(/my-service\s+NodePort\s+\S+\s+<none>\s+80:30007\/TCP/);
    expect(svc.stdout).toMatch(/lb-service\s+LoadBalancer/);

    const yaml = await shoal('get', 'deployment', 'nginx-deployment', '-o', 'yaml');
    expect(yaml.stdout).toContain('kind: Deployment');
    expect(yaml.stdout).toMatch(/maxSurge: 1\n/);
    expect(yaml.stdout).toMatch(/maxUnavailable: 0\n/);

    const json = JSON.parse((await shoal('get', 'svc', 'my-service', '-o', 'json')).stdout) as { spec: { ports: { nodePort: number; targetPort: number }[] } };
    expect(json.spec.ports[0]).toMatchObject({ nodePort: 30007, targetPort: 80 });

    const names = await shoal('get', 'deploy,svc', '-o', 'name');
    expect(names.stdout.trim().split('\n')).toEqual(
      expect.arrayContaining(['deployment.apps/nginx-deployment', 'service/app-service', 'service/lb-service', 'service/my-service']),
    );

    const selected = await shoal('get', 'svc', '-l', 'app=lb-service', '-o', 'name');
    expect(selected.stdout.trim()).toBe('service/lb-service');

    const all = await shoal('get', 'all', '-A');
    expect(all.stdout).toContain('deployment.apps/nginx-deployment');
    expect(all.stdout).toContain('service/my-service');
  });

  it('describes them readably', async () => {
    const d = await shoal('describe', 'deploy', 'nginx-deployment');
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/Name:\s+nginx-deployment/);
    expect(d.stdout).toMatch(/Replicas:\s+3 desired/);
    expect(d.stdout).toMatch(/RollingUpdateStrategy:\s+0 max unavailable, 1 max surge/);
    expect(d.stdout).toMatch(/MinReadySeconds:\s+10/);
    expect(d.stdout).toContain('Events');
    const s = await shoal('describe', 'svc', 'my-service');
    expect(s.stdout).toMatch(/Type:\s+NodePort/);
    expect(s.stdout).toMatch(/NodePort:\s+.*30007\/TCP/);
  });

  it('prints server errors readably with a non-zero exit code', async () => {
    const missing = await shoal('get', 'deploy', 'nope');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('Error from server (NotFound): deployments.apps "nope" not found');

    const bad = join(cluster.dataDir, 'bad.yaml');
    await writeFile(bad, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bad}\nspec:\n  replicas: -1\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c}]}\n');
    const invalid = await shoal('apply', '-f', bad);
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toContain('The Deployment "bad" is invalid:');
    expect(invalid.stderr).toContain('* spec.replicas: Invalid value: -1');
    expect(invalid.stderr).toContain('* spec.template.spec.containers[0].image: Required value');

    const unknownKind = await shoal('get', 'gizmos');
    expect(unknownKind.code).not.toBe(0);
    expect(unknownKind.stderr).toMatch(/gizmos/);
  });

  it('deletes them by file and by name, passing --cascade on', async () => {
    const byFile = await shoal('delete', '-f', join(SEED, 'lb-service.yaml'));
    expect(byFile.code).toBe(0);
    expect(byFile.stdout.trim()).toBe('service "lb-service" deleted');

    const fg = await shoal('delete', 'deploy', 'nginx-deployment', '--cascade=foreground');
    expect(fg.code).toBe(0);
    // Without a garbage collector yet, the foreground finalizer holds the object: that is
    // what shows the policy reached the server.
    const held = await cluster.client.get('deploy', 'default', 'nginx-deployment');
    expect(held.metadata?.finalizers).toEqual(['foregroundDeletion']);
    expect(held.metadata?.deletionTimestamp).toBeTruthy();

    const byName = await shoal('delete', 'svc', 'app-service', 'my-service');
    expect(byName.code).toBe(0);
    const left = await shoal('get', 'svc', '-o', 'name');
    expect(left.stdout.trim()).toBe('');
  });

  it('applies from stdin and shows changes live with get --watch', async () => {
    const watcher = spawn(process.execPath, [BIN, 'get', 'cm', '--watch'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    watcher.stdout.on('data', (b: Buffer) => (out += b.toString()));
    watcher.stderr.on('data', (b: Buffer) => (err += b.toString()));
    // With nothing to list, kubectl's watch prints nothing until a change; it watches from
    // its list's revision, so an apply that beats the watch to the server is still seen.
    const stdin = await new Promise<Run>((resolve) => {
      const p = execFile(process.execPath, [BIN, 'apply', '-f', '-'], { env }, (err, stdout, stderr) =>
        resolve({ code: err ? 1 : 0, stdout, stderr }),
      );
      p.stdin?.end('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-stdin}\ndata: {a: b}\n');
    });
    expect(stdin.stdout.trim()).toBe('configmap/from-stdin created');
    await eventually(() => /from-stdin\s+1\s+\d+s/.test(out), 'the watch to print the new configmap');
    expect(out).toMatch(/^NAME\s+DATA\s+AGE\n/);
    expect(err).toBe('');
    const exited = new Promise<number | null>((resolve) => watcher.once('exit', (code) => resolve(code)));
    watcher.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('prints the client and server versions', async () => {
    const v = await shoal('version');
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/Client Version: \d+\.\d+\.\d+/);
    expect(v.stdout).toMatch(/Server Version: \d+\.\d+\.\d+/);
  });
});
