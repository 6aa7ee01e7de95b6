// Logs, exec and attach: the API server finds the pod's node and relays the stream to that node's
// agent, authenticating with the agent token (as kube-apiserver does to the kubelet).
import * as grpc from '@grpc/grpc-js';
import { InvalidError, NotFoundError, UnavailableError, toGrpcStatus } from '../../lib/errors.js';
import type { ExecInput__Output } from '../../lib/gen/shoal/v1/ExecInput.js';
import type { ExecOutput } from '../../lib/gen/shoal/v1/ExecOutput.js';
import type { LogChunk } from '../../lib/gen/shoal/v1/LogChunk.js';
import type { LogsRequest__Output } from '../../lib/gen/shoal/v1/LogsRequest.js';
import type { NodeAgentClient } from '../../lib/gen/shoal/v1/NodeAgent.js';
import type { Node__Output } from '../../lib/gen/shoal/v1/Node.js';
import type { Pod__Output } from '../../lib/gen/shoal/v1/Pod.js';
import { NodeAgentClientConstructor } from '../../lib/proto.js';
import type { Registry } from './registry.js';

/** Where a node's agent listens: its InternalIP and the kubelet endpoint port it reported. */
export function agentAddress(node: Node__Output): string | undefined {
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  const ip = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  return port && ip ? `${ip}:${port}` : undefined;
}

export class AgentRelay {
  /** One channel per node, to the address it reports now. Agents listen on port 0 by default,
   * so a restarted agent has a new address: its node's old channel is closed, not left to
   * reconnect to nothing forever. */
  private readonly clients = new Map<string, { address: string; client: NodeAgentClient }>();

  constructor(
    private readonly registry: Registry,
    private readonly agentToken: string | undefined,
  ) {}

  private metadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    if (this.agentToken) md.set('authorization', `Bearer ${this.agentToken}`);
    return md;
  }

  /** The agent client for the node that runs this pod. */
  private async agentFor(namespace: string, podName: string): Promise<NodeAgentClient> {
    const pod = (await this.registry.get('Pod', namespace, podName)) as Pod__Output;
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) throw new InvalidError([{ field: 'pod', message: `pod "${podName}" is not scheduled to a node yet` }], 'cannot reach the pod');
    let node: Node__Output;
    try {
      node = (await this.registry.get('Node', '', nodeName)) as Node__Output;
    } catch (err) {
      if (err instanceof NotFoundError) {
        this.dropClient(nodeName);
        throw new UnavailableError(`node "${nodeName}" of pod "${podName}" is not registered`, { cause: err });
      }
      throw err;
    }
    const address = agentAddress(node);
    if (!address) throw new UnavailableError(`node "${nodeName}" has not reported its agent endpoint`);
    let entry = this.clients.get(nodeName);
    if (entry?.address !== address) {
      // The node's agent moved (restarted on a new port, or a new IP): calls still running on
      // the old channel finish; the channel does not reconnect.
      this.dropClient(nodeName);
      entry = { address, client: new NodeAgentClientConstructor(address, grpc.credentials.createInsecure()) };
      this.clients.set(nodeName, entry);
    }
    return entry.client;
  }

  private dropClient(nodeName: string): void {
    this.clients.get(nodeName)?.client.close();
    this.clients.delete(nodeName);
  }

  logs(call: grpc.ServerWritableStream<LogsRequest__Output, LogChunk>): void {
    const req = call.request;
    let upstream: grpc.ClientReadableStream<LogChunk> | undefined;
    // Listening before the agent is looked up: a client that cancels meanwhile must not leave
    // `logs -f` running on the agent.
    call.on('cancelled', () => upstream?.cancel());
    this.agentFor(req.namespace || 'default', req.pod ?? '')
      .then((agent) => {
        if (call.cancelled) return;
        upstream = agent.Logs(req, this.metadata());
        upstream.on('data', (chunk: LogChunk) => {
          if (!call.write(chunk)) {
            upstream?.pause();
            call.once('drain', () => upstream?.resume());
          }
        });
        upstream.on('end', () => call.end());
        upstream.on('error', (err: grpc.ServiceError) => {
          if (err.code === grpc.status.CANCELLED) return;
          call.emit('error', err);
        });
      })
      .catch((err: unknown) => call.emit('error', Object.assign(new Error(String(err)), toGrpcStatus(err))));
  }

  exec(call: grpc.ServerDuplexStream<ExecInput__Output, ExecOutput>): void {
    this.duplex(call, 'exec');
  }

  /** As exec, to the agent's Attach (no command: it joins the container's process). */
  attach(call: grpc.ServerDuplexStream<ExecInput__Output, ExecOutput>): void {
    this.duplex(call, 'attach');
  }

  private duplex(call: grpc.ServerDuplexStream<ExecInput__Output, ExecOutput>, kind: 'exec' | 'attach'): void {
    let upstream: grpc.ClientDuplexStream<ExecInput__Output, ExecOutput> | undefined;
    const pending: ExecInput__Output[] = [];
    /** The client half-closed before the agent connection was up. */
    let ended = false;
    const fail = (err: unknown): void => {
      upstream?.cancel();
      call.emit('error', Object.assign(new Error(String(err)), toGrpcStatus(err)));
    };
    call.on('data', (msg: ExecInput__Output) => {
      if (upstream) {
        upstream.write(msg);
        return;
      }
      if (pending.length === 0) {
        const start = msg.start;
        if (!start) return fail(new InvalidError([{ field: 'start', message: 'Required value: the first message must be start' }]));
        if (kind === 'exec' && !start.command?.length) return fail(new InvalidError([{ field: 'start.command', message: 'Required value' }]));
        pending.push(msg);
        this.agentFor(start.namespace || 'default', start.pod ?? '')
          .then((agent) => {
            // The client went away while the agent was looked up: nothing to open.
            if (call.cancelled) return;
            const up = (kind === 'exec' ? agent.Exec(this.metadata()) : agent.Attach(this.metadata())) as unknown as grpc.ClientDuplexStream<ExecInput__Output, ExecOutput>;
            upstream = up;
            for (const m of pending.splice(0)) up.write(m);
            if (ended) up.end();
            // As logs: a client that reads slowly slows the agent (HTTP/2 flow control) rather
            // than have its output pile up here.
            up.on('data', (out: ExecOutput) => {
              if (!call.write(out)) {
                up.pause();
                call.once('drain', () => up.resume());
              }
            });
            up.on('end', () => call.end());
            up.on('error', (err: grpc.ServiceError) => {
              if (err.code !== grpc.status.CANCELLED) call.emit('error', err);
            });
          })
          .catch(fail);
        return;
      }
      // Input that arrives while the agent connection is being set up waits its turn.
      pending.push(msg);
    });
    call.on('end', () => {
      ended = true;
      upstream?.end();
    });
    call.on('cancelled', () => upstream?.cancel());
  }

  close(): void {
    for (const { client } of this.clients.values()) client.close();
    this.clients.clear();
  }
}
