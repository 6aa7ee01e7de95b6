// The API server's Prometheus metrics: present, moving, and accepted by promtool.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sampleObject } from './fixtures.js';
import { eventually, startTestCluster, type TestCluster } from './harness.js';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startTestCluster({ metrics: true });
});
afterAll(async () => {
  await cluster?.stop();
});

async function scrape(): Promise<string> {
  const res = await fetch(`http://${cluster.api.metricsAddress}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of the series `name` with exactly these labels (in any order). */
function value(text: string, name: string, labels: Record<string, string>): number {
  const want = { ...labels, service: 'api' };
  for (const line of text.split('\n')) {
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/);
    if (!m || m[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const x of (m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) got[x[1]!] = x[2]!;
    if (JSON.stringify(Object.entries(got).sort()) === JSON.stringify(Object.entries(want).sort())) return Number(m[3]);
  }
  throw new Error(`no series ${name} ${JSON.stringify(want)}`);
}

it('reports requests, latency, store writes, revision, watchers and size on disk', async () => {
  const abort = new AbortController();
  let seen = 0;
  const watching = (async () => {
    for await (const _ of cluster.client.watch('cm', { resourceVersion: '1', signal: abort.signal })) seen++;
  })();
  for (let i = 0; i < 5; i++) await cluster.client.create(sampleObject('ConfigMap', `m-${i}`));
  // Once the watch has delivered the creates, it is certainly open.
  await eventually(() => seen >= 5, 'the watch to see the creates');
  await cluster.client.get('cm', 'default', 'nope').catch(() => undefined);
  const text = await scrape();
  abort.abort();
  await watching;

  expect(value(text, 'shoal_api_requests_total', { method: 'Create', code: 'OK' })).toBe(5);
  expect(value(text, 'shoal_api_requests_total', { method: 'Get', code: 'NOT_FOUND' })).toBe(1);
  expect(value(text, 'shoal_api_request_duration_seconds_count', { method: 'Create' })).toBe(5);
  // Two bootstrap namespaces, then five creates.
  expect(value(text, 'shoal_store_write_duration_seconds_count', {})).toBe(7);
  expect(value(text, 'shoal_store_revision', {})).toBe(7);
  expect(value(text, 'shoal_api_watchers', {})).toBe(1);
  expect(value(text, 'shoal_store_size_bytes', {})).toBeGreaterThan(0);
});

it('passes promtool check metrics', async () => {
  const text = await scrape();
  const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  expect(check.error).toBeUndefined();
  expect(check.stdout + check.stderr).toBe('');
  expect(check.status).toBe(0);
});
