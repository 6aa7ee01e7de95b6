// Logs, exec and attach streams: the API server's relay to the node agents (AgentRelay,
// against real NodeAgent gRPC servers and a fake registry), and the agent's own handlers
// (startAgentServer, against a fake driver) when a client stops reading and then cancels.
import { EventEmitter } from 'node:events';
import { Readable, type Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../lib/errors.js';
import type { ExecInput__Output } from '../lib/gen/shoal/v1/ExecInput.js';
import type { ExecOutput } from '../lib/gen/shoal/v1/ExecOutput.js';
import type { LogChunk } from '../lib/gen/shoal/v1/LogChunk.js';
import type { LogsRequest__Output } from '../lib/gen/shoal/v1/LogsRequest.js';
import type { NodeAgentClient, NodeAgentHandlers } from '../lib/gen/shoal/v1/NodeAgent.js';
import type { Node__Output } from '../lib/gen/shoal/v1/Node.js';
import { NodeAgentClientConstructor, NodeAgentService } from '../lib/proto.js';
import { AgentRelay } from '../services/api/relay.js';
import type { Registry } from '../services/api/registry.js';
import type { ContainerDriver, ContainerHandle, ExecOptions } from '../services/node-agent/driver.js';
import { startAgentServer, type AgentServer } from '../services/node-agent/grpc.js';
import type { PodManager } from '../services/node-agent/pod-worker.js';
import { eventually } from './harness.js';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };
const NODE = 'n1';

/** A NodeAgent gRPC server with the given handlers on a free loopback port. */
async function fakeAgent(handlers: Partial<NodeAgentHandlers>): Promise<{ port: number; stop(): void }> {
  const server = new grpc.Server();
  const unimplemented = (call: { emit(ev: 'error', e: unknown): void }) => call.emit('error', { code: grpc.status.UNIMPLEMENTED });
  server.addService(NodeAgentService, { Logs: unimplemented, Exec: unimplemented, Attach: unimplemented, ...handlers });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { port, stop: () => server.forceShutdown() };
}

/** The registry as the relay reads it: one pod on NODE, and NODE at `port`. */
class FakeRegistry {
  port = 0;
  /** When set, the pod lookup waits for it. */
  podGate?: Promise<void>;
  async get(kind: string, _ns: string, name: string): Promise<unknown> {
    if (kind === 'Pod') {
      await this.podGate;
      return { metadata: { name, namespace: 'default' }, spec: { nodeName: NODE } };
    }
    if (kind === 'Node' && name === NODE) {
      const node: Node__Output = {
        metadata: { name: NODE },
        status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: this.port } } },
      };
      return node;
    }
    throw new NotFoundError(`${kind} ${name} not found`);
  }
}

/** A server call as the relay sees it: events, cancelled, write (whose result the test
 * chooses) and end. */
class FakeCall extends EventEmitter {
  cancelled = false;
  ended = false;
  readonly written: unknown[] = [];
  /** write() returns false while set (the client reads slowly). */
  blocked = false;
  constructor(readonly request?: LogsRequest__Output) {
    super();
  }
  write(msg: unknown): boolean {
    this.written.push(msg);
    return !this.blocked;
  }
  end(): void {
    this.ended = true;
  }
  cancel(): void {
    this.cancelled = true;
    this.emit('cancelled');
  }
}

describe('the API server relay', () => {
  const stops: (() => void)[] = [];
  afterEach(() => {
    for (const s of stops.splice(0)) s();
  });

  function newRelay(registry: FakeRegistry): AgentRelay {
    const relay = new AgentRelay(registry as unknown as Registry, undefined);
    stops.push(() => relay.close());
    return relay;
  }

  it('does not open the agent stream of a logs call cancelled while the agent is looked up', async () => {
    let opened = 0;
    let cancelled = 0;
    const agent = await fakeAgent({
      Logs(call) {
        opened++;
        call.on('cancelled', () => cancelled++);
        const t = setInterval(() => call.write({ data: Buffer.from('line\n') }), 20);
        call.on('cancelled', () => clearInterval(t));
      },
    });
    stops.push(() => agent.stop());
    const registry = new FakeRegistry();
    registry.port = agent.port;
    let release!: () => void;
    registry.podGate = new Promise<void>((r) => (release = r));
    const relay = newRelay(registry);
    const call = new FakeCall({ namespace: 'default', pod: 'p', follow: true });
    relay.logs(call as unknown as grpc.ServerWritableStream<LogsRequest__Output, LogChunk>);
    call.cancel();
    release();
    await new Promise((r) => setTimeout(r, 300));
    expect(opened).toBe(0);
    expect(call.written).toEqual([]);

    // Cancelled after the agent stream is open: the agent sees the cancellation.
    const late = new FakeCall({ namespace: 'default', pod: 'p', follow: true });
    relay.logs(late as unknown as grpc.ServerWritableStream<LogsRequest__Output, LogChunk>);
    await eventually(() => late.written.length > 0, 'log lines');
    late.cancel();
    await eventually(() => cancelled === 1, 'the agent to see the cancellation');
  });

  it('keeps one channel per node and replaces it when the agent comes back at a new address', async () => {
    const serve = (text: string): Partial<NodeAgentHandlers> => ({
      Logs(call) {
        call.write({ data: Buffer.from(text) });
        call.end();
      },
    });
    const registry = new FakeRegistry();
    const relay = newRelay(registry);
    const logs = async (): Promise<string> => {
      const call = new FakeCall({ namespace: 'default', pod: 'p' });
      relay.logs(call as unknown as grpc.ServerWritableStream<LogsRequest__Output, LogChunk>);
      await eventually(() => call.ended, 'the logs call to end');
      return call.written.map((c) => Buffer.from((c as { data: string }).data, 'base64').toString()).join('');
    };
    const clients = (relay as unknown as { clients: Map<string, { address: string; client: NodeAgentClient }> }).clients;

    const first = await fakeAgent(serve('first'));
    registry.port = first.port;
    expect(await logs()).toBe('first');
    expect(await logs()).toBe('first');
    expect([...clients.keys()]).toEqual([NODE]);
    const old = clients.get(NODE)!.client as unknown as grpc.Client;

    // The agent restarts on another port (port 0 picks one).
    first.stop();
    const second = await fakeAgent(serve('second'));
    stops.push(() => second.stop());
    registry.port = second.port;
    expect(await logs()).toBe('second');
    expect([...clients.keys()]).toEqual([NODE]);
    expect(clients.get(NODE)!.address).toBe(`127.0.0.1:${second.port}`);
    expect(old.getChannel().getConnectivityState(false)).toBe(grpc.connectivityState.SHUTDOWN);
  });

  it('pauses exec output from the agent while the client does not take it', async () => {
    const N = 200;
    const agent = await fakeAgent({
      Exec(call) {
        call.once('data', () => {
          for (let i = 0; i < N; i++) call.write({ stdout: Buffer.from(`chunk ${i}\n`) });
          call.write({ exit_code: 0 });
          call.end();
        });
      },
    });
    stops.push(() => agent.stop());
    const registry = new FakeRegistry();
    registry.port = agent.port;
    const relay = newRelay(registry);
    const call = new FakeCall();
    call.blocked = true;
    relay.exec(call as unknown as grpc.ServerDuplexStream<ExecInput__Output, ExecOutput>);
    call.emit('data', { start: { namespace: 'default', pod: 'p', command: ['cat'] } });
    await eventually(() => call.written.length > 0, 'the first output');
    await new Promise((r) => setTimeout(r, 300));
    // Nothing more until the client drains.
    expect(call.written.length).toBe(1);
    expect(call.ended).toBe(false);
    call.blocked = false;
    call.emit('drain');
    await eventually(() => call.ended, 'the exec call to end');
    expect(call.written).toHaveLength(N + 1);
    expect(call.written.at(-1)).toMatchObject({ exit_code: 0 });
  });
});

describe('the agent streams', () => {
  let server: AgentServer | undefined;
  let client: NodeAgentClient | undefined;
  afterEach(async () => {
    client?.close();
    client = undefined;
    await server?.close();
    server = undefined;
  });

  const handle = { id: 'c1', name: 'main', role: 'container', attempt: 0, status: { state: 'running', startedAt: new Date().toISOString() } } as unknown as ContainerHandle;
  const pods = {
    stateFor: () => ({ pod: { spec: { containers: [{ name: 'main' }] } }, records: new Map([['main', { current: handle }]]) }),
  } as unknown as PodManager;
  const chunk = Buffer.alloc(64 * 1024, 'x');

  async function start(driver: Partial<ContainerDriver>): Promise<{ server: AgentServer; client: NodeAgentClient }> {
    server = await startAgentServer({ listen: '127.0.0.1:0', driver: { name: 'fake', ...driver } as ContainerDriver, pods, logger: quiet });
    client = new NodeAgentClientConstructor(server.address, grpc.credentials.createInsecure());
    return { server, client };
  }

  it('ends a logs call cancelled while it waits for the client to read', async () => {
    let destroyed = false;
    const { server, client } = await start({
      logs: () => {
        // `logs -f` of a chatty container: never ends by itself.
        const stream = new Readable({
          read() {
            this.push(chunk);
          },
        });
        stream.on('close', () => (destroyed = true));
        return Promise.resolve(stream);
      },
    });
    // The client does not read: the agent's writes back up.
    const call = client.Logs({ namespace: 'default', pod: 'p', follow: true });
    call.on('error', () => {});
    await new Promise((r) => setTimeout(r, 500));
    expect(server.activeStreams()).toBe(1);
    call.cancel();
    await eventually(() => server.activeStreams() === 0, 'the logs handler to end', 3_000);
    expect(destroyed).toBe(true);
  });

  it('ends an exec call cancelled while it waits for the client to read', async () => {
    let aborted = false;
    const { server, client } = await start({
      exec: async (_id: string, opts: ExecOptions) => {
        const out: Writable = opts.stdout;
        // Output as fast as the sink takes it, until the call goes.
        while (!opts.signal?.aborted) {
          if (!out.write(chunk)) {
            await new Promise<void>((resolve) => {
              const done = (): void => {
                out.removeListener('drain', done);
                opts.signal?.removeEventListener('abort', done);
                resolve();
              };
              out.once('drain', done);
              opts.signal?.addEventListener('abort', done, { once: true });
            });
          }
        }
        aborted = true;
        return 137;
      },
    });
    const call = client.Exec();
    call.on('error', () => {});
    call.write({ start: { namespace: 'default', pod: 'p', command: ['yes'] } });
    await new Promise((r) => setTimeout(r, 500));
    expect(server.activeStreams()).toBe(1);
    call.cancel();
    await eventually(() => aborted, 'the exec to be aborted', 3_000);
    await eventually(() => server.activeStreams() === 0, 'the exec handler to end', 3_000);
  });
});
