// The compose demo's configuration hangs together: Prometheus' config is valid and scrapes
// every Shoal service of the compose file on the port it serves metrics on; Grafana's
// provisioning points the dashboard at the datasource it provisions and at the Prometheus of
// the compose file; the dashboard provider reads where compose mounts the dashboards.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const run = promisify(execFile);
const DEPLOY = join(import.meta.dirname, '..', 'deploy');

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  networks?: unknown;
}

async function yamlFile<T>(path: string): Promise<T> {
  return parse(await readFile(join(DEPLOY, path), 'utf8'), { merge: true }) as T;
}

describe('the compose demo configuration', () => {
  it('Prometheus config passes promtool check config', async () => {
    const { stdout, stderr } = await run('promtool', ['check', 'config', join(DEPLOY, 'prometheus', 'prometheus.yml')]);
    expect(`${stdout}${stderr}`).toMatch(/SUCCESS/);
  });

  it('Prometheus scrapes every Shoal service of the compose file, on its metrics port', async () => {
    const compose = await yamlFile<{ services: Record<string, ComposeService> }>('docker-compose.yml');
    const prom = await yamlFile<{ scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] }>('prometheus/prometheus.yml');
    const targets = new Set(prom.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets)));
    const shoal = Object.entries(compose.services).filter(([, s]) => s.environment?.SHOAL_METRICS);
    expect(shoal.map(([name]) => name).sort()).toEqual(['api', 'controllers', 'node-1', 'node-2', 'node-3', 'proxy', 'scheduler']);
    for (const [name, s] of shoal) {
      const port = s.environment!.SHOAL_METRICS!.split(':').pop();
      expect(targets, `${name}:${port}`).toContain(`${name}:${port}`);
    }
    // Every Shoal target names a service of the compose file.
    for (const t of targets) {
      const host = t.split(':')[0]!;
      if (host !== '127.0.0.1') expect(Object.keys(compose.services)).toContain(host);
    }
  });

  it("Grafana's datasource is the compose file's Prometheus, and the dashboard uses that datasource", async () => {
    const compose = await yamlFile<{ services: Record<string, ComposeService> }>('docker-compose.yml');
    const ds = await yamlFile<{ datasources: { uid: string; type: string; url: string }[] }>('grafana/provisioning/datasources/prometheus.yml');
    const [prometheus] = ds.datasources;
    expect(prometheus?.type).toBe('prometheus');
    const url = new URL(prometheus!.url);
    expect(Object.keys(compose.services)).toContain(url.hostname);
    expect(compose.services[url.hostname]!.command).toContain(`--web.listen-address=0.0.0.0:${url.port}`);

    const dashboard = JSON.parse(await readFile(join(DEPLOY, 'grafana', 'dashboards', 'shoal.json'), 'utf8')) as {
      panels: { title: string; type: string; panels?: unknown[]; targets?: { datasource?: { uid?: string } }[] }[];
    };
    const targets = dashboard.panels.flatMap((p) => p.targets ?? []);
    expect(targets.length).toBeGreaterThan(0);
    for (const t of targets) expect(t.datasource?.uid).toBe(prometheus!.uid);
  });

  it('the dashboard provider reads the folder compose mounts the dashboards into', async () => {
    const compose = await yamlFile<{ services: Record<string, ComposeService> }>('docker-compose.yml');
    const provider = await yamlFile<{ providers: { options: { path: string } }[] }>('grafana/provisioning/dashboards/shoal.yml');
    const mounts = (compose.services.grafana!.volumes ?? []).map((v) => v.split(':'));
    const dashboards = mounts.find(([src]) => src === './grafana/dashboards');
    expect(dashboards?.[1]).toBe(provider.providers[0]!.options.path);
    const provisioning = mounts.find(([src]) => src === './grafana/provisioning');
    expect(provisioning?.[1]).toBe('/etc/grafana/provisioning');
  });
});
