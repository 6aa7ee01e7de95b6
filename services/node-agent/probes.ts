// Liveness, readiness and startup probes, and the handlers they share with lifecycle hooks
// (exec, httpGet, tcpSocket), after the kubelet's prober. One ContainerProber per container
// instance: created when it starts, stopped when it stops, never reused.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import type { Container__Output } from '../../lib/gen/shoal/v1/Container.js';
import type { ContainerPort__Output } from '../../lib/gen/shoal/v1/ContainerPort.js';
import type { IntOrString__Output } from '../../lib/gen/shoal/v1/IntOrString.js';
import type { LifecycleHandler__Output } from '../../lib/gen/shoal/v1/LifecycleHandler.js';
import type { Probe__Output } from '../../lib/gen/shoal/v1/Probe.js';
import type { ContainerDriver } from './driver.js';
import type { AgentMetrics, ProbeKind } from './metrics.js';

/** Where a handler runs: the container (exec) and the pod's address (httpGet, tcpSocket). */
export interface HandlerTarget {
  containerId: string;
  podIP: string;
  /** The container's ports, to resolve a named port. */
  ports: ContainerPort__Output[];
}

export interface HandlerResult {
  ok: boolean;
  /** Why it failed (a status code, an error, the command's output). */
  message?: string;
}

/** Kubernetes' probe defaults (the API server fills them in too; absent or 0 means default). */
export const PROBE_DEFAULTS = { initialDelaySeconds: 0, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 };

/** Output kept from an exec handler for its failure message. */
const MAX_OUTPUT = 1024;

/** The port number of an IntOrString port: a number, or a named container port. */
export function resolvePort(port: IntOrString__Output | undefined, ports: ContainerPort__Output[]): number | undefined {
  if (port?.intVal !== undefined) return port.intVal;
  const name = port?.strVal;
  if (name === undefined) return undefined;
  if (/^\d+$/.test(name)) return Number(name);
  return ports.find((p) => p.name === name)?.containerPort;
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.text.length < MAX_OUTPUT) this.text += chunk.toString('utf8').slice(0, MAX_OUTPUT - this.text.length);
    cb();
  }
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs one handler (a probe's or a lifecycle hook's action) with a timeout. Never throws:
 * every failure, the timeout included, is a result with ok=false. `signal` cuts it short.
 */
export async function runHandler(
  driver: ContainerDriver,
  action: LifecycleHandler__Output | Probe__Output,
  target: HandlerTarget,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<HandlerResult> {
  const timeout = AbortSignal.timeout(Math.max(1, timeoutMs));
  const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    if (action.exec) return await execHandler(driver, action.exec.command ?? [], target, both, timeout);
    if (action.httpGet) {
      const port = resolvePort(action.httpGet.port, target.ports);
      if (port === undefined) return { ok: false, message: `httpGet: no port ${JSON.stringify(action.httpGet.port)}` };
      return await httpHandler(action.httpGet.host || target.podIP, port, action.httpGet, both);
    }
    if (action.tcpSocket) {
      const port = resolvePort(action.tcpSocket.port, target.ports);
      if (port === undefined) return { ok: false, message: `tcpSocket: no port ${JSON.stringify(action.tcpSocket.port)}` };
      return await tcpHandler(action.tcpSocket.host || target.podIP, port, both);
    }
    return { ok: false, message: 'the handler has no action (exec, httpGet or tcpSocket)' };
  } catch (err) {
    if (timeout.aborted) return { ok: false, message: `timed out after ${timeoutMs} ms` };
    return { ok: false, message: errMessage(err) };
  }
}

async function execHandler(
  driver: ContainerDriver,
  command: string[],
  target: HandlerTarget,
  signal: AbortSignal,
  timeout: AbortSignal,
): Promise<HandlerResult> {
  if (command.length === 0) return { ok: false, message: 'exec: no command' };
  const out = new Capture();
  const code = await driver.exec(target.containerId, { command, tty: false, stdout: out, stderr: out, signal });
  if (timeout.aborted) return { ok: false, message: `command timed out: ${command.join(' ')}` };
  if (code === 0) return { ok: true };
  return { ok: false, message: `command exited with ${code}${out.text ? `: ${out.text.trim()}` : ''}` };
}

function httpHandler(
  host: string,
  port: number,
  action: NonNullable<Probe__Output['httpGet']>,
  signal: AbortSignal,
): Promise<HandlerResult> {
  const https = (action.scheme ?? 'HTTP').toUpperCase() === 'HTTPS';
  const headers: Record<string, string> = { 'User-Agent': 'shoal-probe/0.1', Accept: '*/*', Connection: 'close' };
  for (const h of action.httpHeaders ?? []) if (h.name) headers[h.name] = h.value ?? '';
  let path = action.path || '/';
  if (!path.startsWith('/')) path = `/${path}`;
  return new Promise<HandlerResult>((resolve, reject) => {
    const onResponse = (res: IncomingMessage): void => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 400 ? { ok: true } : { ok: false, message: `HTTP probe failed with statuscode: ${status}` });
    };
    // No keep-alive (as the kubelet): one connection per probe, closed after it.
    const opts = { host, port, path, method: 'GET', headers, agent: false as const, signal };
    const req = https ? httpsRequest({ ...opts, rejectUnauthorized: false }, onResponse) : httpRequest(opts, onResponse);
    req.on('error', reject);
    req.end();
  });
}

function tcpHandler(host: string, port: number, signal: AbortSignal): Promise<HandlerResult> {
  return new Promise<HandlerResult>((resolve, reject) => {
    const socket = connect({ host, port });
    const onAbort = (): void => {
      socket.destroy();
      reject(new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve({ ok: true });
    });
    socket.once('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve({ ok: false, message: `dial tcp ${host}:${port}: ${err.message}` });
    });
  });
}

export interface ProberCallbacks {
  /** The startup probe passed (called at once when there is none): liveness and readiness
   * probes begin. */
  onStarted(): void;
  /** The readiness result changed (`message`: why the last probe failed). */
  onReady(ready: boolean, message?: string): void;
  /** Liveness or startup failed failureThreshold times in a row: kill the container. */
  onFailed(kind: 'liveness' | 'startup', message: string): void;
}

export interface ProberSeed {
  /** Skip the startup probe (an adopted container that had passed it). */
  started?: boolean;
  /** The readiness to start from (an adopted container that was ready). */
  ready?: boolean;
}

/** One probe's loop: one timer at a time; at most one run in flight. */
class ProbeWorker {
  private timer: NodeJS.Timeout | undefined;
  private successes = 0;
  private failures = 0;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: Probe__Output,
    private readonly run: (signal: AbortSignal) => Promise<HandlerResult>,
    /** Called after every run with the consecutive counts; returns false to stop the loop. */
    private readonly onResult: (r: HandlerResult, successes: number, failures: number) => boolean,
  ) {}

  start(initialDelayMs: number): void {
    this.schedule(initialDelayMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, ms);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const r = await this.run(this.abort.signal);
    if (this.stopped) return;
    if (r.ok) {
      this.successes++;
      this.failures = 0;
    } else {
      this.failures++;
      this.successes = 0;
    }
    if (!this.onResult(r, this.successes, this.failures)) return;
    this.schedule(secs(this.probe.periodSeconds, PROBE_DEFAULTS.periodSeconds) * 1000);
  }
}

function secs(v: number | undefined, dflt: number): number {
  return v !== undefined && v > 0 ? v : dflt;
}

/**
 * The probes of one container instance. Callbacks are called on the event loop, never after
 * stop(). Timers are bounded: at most one pending timer and one run per probe.
 */
export class ContainerProber {
  private readonly workers: ProbeWorker[] = [];
  private stopped = false;
  private ready: boolean;
  private readonly startedAt = Date.now();

  constructor(
    private readonly driver: ContainerDriver,
    private readonly target: HandlerTarget,
    private readonly container: Container__Output,
    private readonly callbacks: ProberCallbacks,
    private readonly metrics: AgentMetrics | undefined,
    private readonly seed: ProberSeed = {},
  ) {
    this.ready = seed.ready ?? false;
  }

  /** True when the container has a readiness probe (else it is ready once started). */
  get hasReadinessProbe(): boolean {
    return !!this.container.readinessProbe;
  }

  start(): void {
    const startup = this.container.startupProbe;
    if (!startup || this.seed.started) {
      this.callbacks.onStarted();
      this.startMain();
      return;
    }
    const w = this.worker('startup', startup, (r, successes, failures) => {
      if (r.ok && successes >= 1) {
        // Startup passes once; then the other probes take over.
        this.callbacks.onStarted();
        this.startMain();
        return false;
      }
      if (failures >= secs(startup.failureThreshold, PROBE_DEFAULTS.failureThreshold)) {
        this.callbacks.onFailed('startup', `Startup probe failed: ${r.message ?? ''}`);
        return false;
      }
      return true;
    });
    w.start(this.initialDelay(startup));
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.workers) w.stop();
    this.workers.length = 0;
  }

  private initialDelay(probe: Probe__Output): number {
    // Counted from the container's start, also for probes that begin after startup.
    const delay = secs(probe.initialDelaySeconds, PROBE_DEFAULTS.initialDelaySeconds) * 1000;
    return Math.max(0, this.startedAt + delay - Date.now());
  }

  private startMain(): void {
    if (this.stopped) return;
    const liveness = this.container.livenessProbe;
    if (liveness) {
      const threshold = secs(liveness.failureThreshold, PROBE_DEFAULTS.failureThreshold);
      this.worker('liveness', liveness, (r, _s, failures) => {
        if (failures >= threshold) {
          this.callbacks.onFailed('liveness', `Liveness probe failed: ${r.message ?? ''}`);
          return false;
        }
        return true;
      }).start(this.initialDelay(liveness));
    }
    const readiness = this.container.readinessProbe;
    if (readiness) {
      const success = secs(readiness.successThreshold, PROBE_DEFAULTS.successThreshold);
      const failure = secs(readiness.failureThreshold, PROBE_DEFAULTS.failureThreshold);
      this.worker('readiness', readiness, (r, successes, failures) => {
        const next = r.ok ? (successes >= success ? true : this.ready) : failures >= failure ? false : this.ready;
        if (next !== this.ready) {
          this.ready = next;
          this.callbacks.onReady(next, r.message);
        }
        return true;
      }).start(this.initialDelay(readiness));
    }
  }

  private worker(
    kind: ProbeKind,
    probe: Probe__Output,
    onResult: (r: HandlerResult, successes: number, failures: number) => boolean,
  ): ProbeWorker {
    const timeoutMs = secs(probe.timeoutSeconds, PROBE_DEFAULTS.timeoutSeconds) * 1000;
    const w = new ProbeWorker(
      kind,
      probe,
      (signal) => runHandler(this.driver, probe, this.target, timeoutMs, signal),
      (r, s, f) => {
        if (this.stopped) return false;
        this.metrics?.probeResults.inc({ probe: kind, result: r.ok ? 'success' : 'failure' });
        return onResult(r, s, f);
      },
    );
    this.workers.push(w);
    return w;
  }
}
