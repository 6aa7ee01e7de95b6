// The agent's NodeAgent gRPC service (the kubelet's /containerLogs, /exec and /attach): the API
// server relays `shoal logs`, `shoal exec` and `shoal run -i` here, authenticated with the
// agent token.
import { timingSafeEqual } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import type { ExecInput__Output } from '../../lib/gen/shoal/v1/ExecInput.js';
import type { ExecOutput } from '../../lib/gen/shoal/v1/ExecOutput.js';
import type { ExecStart__Output } from '../../lib/gen/shoal/v1/ExecStart.js';
import type { LogChunk } from '../../lib/gen/shoal/v1/LogChunk.js';
import type { LogsRequest__Output } from '../../lib/gen/shoal/v1/LogsRequest.js';
import type { NodeAgentHandlers } from '../../lib/gen/shoal/v1/NodeAgent.js';
import { NodeAgentService } from '../../lib/proto.js';
import type { ContainerDriver, ContainerHandle } from './driver.js';
import type { Logger, PodManager } from './pod-worker.js';

export interface AgentServerConfig {
  /** "host:port"; port 0 picks one. */
  listen: string;
  /** When set, every call must carry `authorization: Bearer <agentToken>`. */
  agentToken?: string;
  driver: ContainerDriver;
  pods: PodManager;
  logger: Logger;
}

export interface AgentServer {
  port: number;
  /** "host:port" as bound. */
  address: string;
  /** Logs, exec and attach calls whose handler is still running (tests). */
  activeStreams(): number;
  close(): Promise<void>;
}

/** A gRPC status error for a handler's 'error' event. */
class CallError extends Error {
  constructor(
    readonly code: grpc.status,
    readonly details: string,
  ) {
    super(details);
  }
}

function tokenInterceptor(token: string): grpc.ServerInterceptor {
  const want = Buffer.from(`Bearer ${token}`);
  return (_method, call) =>
    new grpc.ServerInterceptingCall(call, {
      start: (next) => {
        next({
          onReceiveMetadata: (metadata, mdNext) => {
            const header = metadata.get('authorization')[0];
            const given = Buffer.from(typeof header === 'string' ? header : '');
            if (given.length !== want.length || !timingSafeEqual(given, want)) {
              call.sendStatus({
                code: grpc.status.UNAUTHENTICATED,
                details: header ? 'invalid agent token' : 'missing bearer token: send "authorization: Bearer <agent token>"',
                metadata: new grpc.Metadata(),
              });
              return;
            }
            mdNext(metadata);
          },
        });
      },
    });
}

interface Target {
  handle: ContainerHandle;
  name: string;
}

/** Finds the container a logs or exec call means: the named one, or the pod's only one. */
function findContainer(pods: PodManager, namespace: string, podName: string, container: string, previous: boolean): Target {
  const st = pods.stateFor(namespace || 'default', podName);
  if (!st) throw new CallError(grpc.status.NOT_FOUND, `pod "${podName}" not found on this node`);
  const spec = st.pod.spec ?? {};
  const app = (spec.containers ?? []).map((c) => c.name ?? '');
  const all = [...(spec.initContainers ?? []).map((c) => c.name ?? ''), ...app];
  let name = container;
  if (!name) {
    if (app.length !== 1) {
      throw new CallError(grpc.status.INVALID_ARGUMENT, `a container name must be specified for pod ${podName}, choose one of: [${app.join(' ')}]`);
    }
    name = app[0]!;
  }
  if (!all.includes(name)) throw new CallError(grpc.status.INVALID_ARGUMENT, `container ${name} is not valid for pod ${podName}`);
  const rec = st.records.get(name);
  const handle = previous ? rec?.previous : rec?.current;
  if (!handle) {
    if (previous) throw new CallError(grpc.status.NOT_FOUND, `previous terminated container "${name}" in pod "${podName}" not found`);
    throw new CallError(grpc.status.FAILED_PRECONDITION, `container "${name}" in pod "${podName}" is waiting to start`);
  }
  return { handle, name };
}

/** Waits for a call's 'drain', or for `signal` to abort: a cancelled call never drains, and a
 * wait for it alone would hold the handler (and its log stream or exec) forever. */
function drained(call: grpc.ServerWritableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      call.removeListener('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

function toError(err: unknown): Error & { code: grpc.status; details: string } {
  if (err instanceof CallError) return Object.assign(new Error(err.details), { code: err.code, details: err.details });
  const message = err instanceof Error ? err.message : String(err);
  return Object.assign(new Error(message), { code: grpc.status.INTERNAL, details: message });
}

export async function startAgentServer(cfg: AgentServerConfig): Promise<AgentServer> {
  const { driver, pods } = cfg;
  const open = new Set<AbortController>();

  const handlers: NodeAgentHandlers = {
    Logs(call: grpc.ServerWritableStream<LogsRequest__Output, LogChunk>) {
      const req = call.request;
      const abort = new AbortController();
      open.add(abort);
      call.on('cancelled', () => abort.abort());
      const run = async (): Promise<void> => {
        const { handle } = findContainer(pods, req.namespace ?? '', req.pod ?? '', req.container ?? '', req.previous ?? false);
        const tail = req.tail_lines !== undefined && req.tail_lines > 0 ? req.tail_lines : undefined;
        const stream = await driver.logs(handle.id, { follow: req.follow ?? false, tail, signal: abort.signal });
        abort.signal.addEventListener('abort', () => stream.destroy(), { once: true });
        try {
          for await (const chunk of stream as AsyncIterable<Buffer | string>) {
            if (abort.signal.aborted) break;
            const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
            if (!call.write({ data })) await drained(call, abort.signal);
          }
        } catch (err) {
          if (!abort.signal.aborted) throw err;
        }
      };
      run()
        .then(() => call.end())
        .catch((err: unknown) => {
          if (abort.signal.aborted) call.end();
          else call.emit('error', toError(err));
        })
        .finally(() => open.delete(abort));
    },

    Exec: (call) => serveStream(call, 'exec'),
    Attach: (call) => serveStream(call, 'attach'),
  };

  /** Exec and Attach share the stream protocol: `start`, then stdin; output, then the exit
   * code. Exec runs a new command; attach joins the container's own process. */
  function serveStream(call: grpc.ServerDuplexStream<ExecInput__Output, ExecOutput>, kind: 'exec' | 'attach'): void {
    const abort = new AbortController();
    open.add(abort);
    const stdin = new PassThrough();
    let started = false;
    let finished = false;
    const fail = (err: unknown): void => {
      if (finished) return;
      finished = true;
      abort.abort();
      call.emit('error', toError(err));
    };
    const sink = (field: 'stdout' | 'stderr'): Writable =>
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          if (finished) return cb();
          if (call.write({ [field]: chunk })) cb();
          else void drained(call, abort.signal).then(() => cb());
        },
      });
    const run = async (start: ExecStart__Output): Promise<void> => {
      const { handle } = findContainer(pods, start.namespace ?? '', start.pod ?? '', start.container ?? '', false);
      const stdout = sink('stdout');
      const stderr = sink('stderr');
      let code: number | undefined;
      if (kind === 'exec') {
        if (handle.status.state !== 'running') {
          throw new CallError(grpc.status.FAILED_PRECONDITION, `container ${handle.name} in pod ${start.pod ?? ''} is not running`);
        }
        code = await driver.exec(handle.id, {
          command: start.command ?? [],
          tty: start.tty ?? false,
          stdin: start.stdin ? stdin : undefined,
          stdout,
          stderr,
          signal: abort.signal,
        });
      } else {
        if (!driver.attach) throw new CallError(grpc.status.UNIMPLEMENTED, `the ${driver.name} runtime cannot attach to containers`);
        // An exited container is fine too: the driver gives its output and exit code.
        code = await driver.attach(handle.id, {
          tty: start.tty ?? false,
          stdin: start.stdin ? stdin : undefined,
          stdout,
          stderr,
          signal: abort.signal,
        });
      }
      // Output written before the exit code goes first.
      await Promise.all([new Promise<void>((r) => stdout.end(r)), new Promise<void>((r) => stderr.end(r))]);
      if (finished) return;
      finished = true;
      // An attach that ends while the container runs (detached) has no exit code.
      if (code !== undefined) call.write({ exit_code: code });
      call.end();
    };
    call.on('data', (msg: ExecInput__Output) => {
      if (!started) {
        if (!msg.start) return fail(new CallError(grpc.status.INVALID_ARGUMENT, 'the first message must be start'));
        if (kind === 'exec' && !msg.start.command?.length) return fail(new CallError(grpc.status.INVALID_ARGUMENT, 'start.command: Required value'));
        started = true;
        run(msg.start)
          .catch(fail)
          .finally(() => open.delete(abort));
        return;
      }
      if (msg.stdin !== undefined && msg.stdin !== '') stdin.write(Buffer.from(msg.stdin, 'base64'));
      if (msg.stdin_eof) stdin.end();
    });
    call.on('end', () => stdin.end());
    call.on('cancelled', () => {
      finished = true;
      abort.abort();
      // A running handler leaves the set when it returns.
      if (!started) open.delete(abort);
    });
    call.on('error', () => abort.abort());
  }

  const server = new grpc.Server(cfg.agentToken ? { interceptors: [tokenInterceptor(cfg.agentToken)] } : {});
  server.addService(NodeAgentService, handlers);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(cfg.listen, grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  const host = cfg.listen.replace(/:\d+$/, '');
  let closed: Promise<void> | undefined;
  return {
    port,
    address: `${host}:${port}`,
    activeStreams: () => open.size,
    close() {
      closed ??= (async () => {
        for (const a of open) a.abort();
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
      })();
      return closed;
    },
  };
}
