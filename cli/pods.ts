// The verbs that reach into running pods: logs, exec and run (which attaches with -i).
import type { ShoalClient } from '../lib/client.js';
import type { KubeObject } from '../lib/kinds.js';
import type { Pod__Output } from '../lib/gen/shoal/v1/Pod.js';
import { guarded, type IO } from './commands.js';

export interface PodStreams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?(mode: boolean): unknown };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface LogsArgs {
  pod: string;
  namespace?: string;
  container?: string;
  follow: boolean;
  tail?: number;
  previous: boolean;
}

export function logs(client: ShoalClient, args: LogsArgs, io: IO, streams: PodStreams): Promise<number> {
  return guarded(io, async () => {
    for await (const chunk of client.logs(args.namespace ?? 'default', args.pod, {
      container: args.container,
      follow: args.follow,
      tailLines: args.tail,
      previous: args.previous,
      signal: io.signal,
    })) {
      streams.stdout.write(chunk);
    }
    return 0;
  });
}

export interface ExecArgs {
  pod: string;
  namespace?: string;
  container?: string;
  command: string[];
  stdin: boolean;
  tty: boolean;
}

/** `exec`: the command's exit code becomes ours, as kubectl does. */
export function exec(client: ShoalClient, args: ExecArgs, io: IO, streams: PodStreams): Promise<number> {
  return guarded(io, async () => {
    if (!args.command.length) {
      io.err('error: you must specify at least one command for the container');
      return 2;
    }
    const raw = args.tty && args.stdin && streams.stdin.isTTY === true && typeof streams.stdin.setRawMode === 'function';
    if (raw) streams.stdin.setRawMode?.(true);
    try {
      return await client.exec(args.namespace ?? 'default', args.pod, {
        command: args.command,
        container: args.container,
        tty: args.tty,
        stdin: args.stdin ? streams.stdin : undefined,
        stdout: streams.stdout,
        stderr: streams.stderr,
        signal: io.signal,
      });
    } finally {
      if (raw) streams.stdin.setRawMode?.(false);
      if (args.stdin) streams.stdin.pause();
    }
  });
}

export interface RunArgs {
  name: string;
  image: string;
  namespace?: string;
  /** With `command`, these replace the image's entrypoint; else they are its args. */
  command: string[];
  useCommand: boolean;
  restart: 'Always' | 'OnFailure' | 'Never';
  rm: boolean;
  /** Stay attached: print the container's output until it ends. */
  attach: boolean;
  /** -i: the container keeps its stdin open (stdin, stdinOnce) and run attaches ours to it. */
  stdin?: boolean;
  /** -t: and it gets a terminal (our stdin in raw mode when it is one). */
  tty?: boolean;
  labels: Record<string, string>;
  env: Record<string, string>;
  /** How long to wait for the pod to start, in seconds. */
  podRunningTimeout: number;
}

function containerTerminated(pod: Pod__Output): { exitCode: number } | undefined {
  const t = pod.status?.containerStatuses?.[0]?.state?.terminated;
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return { exitCode: t?.exitCode ?? (pod.status.phase === 'Succeeded' ? 0 : 1) };
  return undefined;
}

function started(pod: Pod__Output): boolean {
  const s = pod.status?.containerStatuses?.[0]?.state;
  return Boolean(s?.running || s?.terminated);
}

/** The pod once `done(pod)` holds, or as it stands after `timeoutMs`; watches, never polls. */
async function waitForPod(client: ShoalClient, namespace: string, name: string, done: (pod: Pod__Output) => boolean, timeoutMs: number): Promise<Pod__Output> {
  let current = (await client.get('Pod', namespace, name)) as Pod__Output;
  if (done(current)) return current;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    for await (const ev of client.watch('Pod', {
      namespace,
      fieldSelector: `metadata.name=${name}`,
      resourceVersion: current.metadata?.resourceVersion,
      signal: abort.signal,
    })) {
      if (ev.type === 'BOOKMARK') continue;
      if (ev.type === 'DELETED') throw new Error(`pod ${namespace}/${name} was deleted`);
      current = ev.object as Pod__Output;
      if (done(current)) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return current;
}

/** The container's exit code once it has ended (bounded wait: its status trails the end). */
async function exitCodeOf(client: ShoalClient, namespace: string, name: string, restart: string): Promise<number> {
  if (restart !== 'Never') return 0;
  const pod = await waitForPod(client, namespace, name, (p) => containerTerminated(p) !== undefined, 10_000);
  return containerTerminated(pod)?.exitCode ?? 0;
}

/**
 * `run`: creates a pod with one container. With -i it attaches to the container (kubectl
 * run -i): our stdin goes to its stdin (raw, with -t on a terminal), its output to ours,
 * and its exit code becomes ours. Attached otherwise (--rm), it follows the container's
 * output until it ends and exits with its code. --rm then deletes the pod.
 */
export function run(client: ShoalClient, args: RunArgs, io: IO, streams: PodStreams): Promise<number> {
  return guarded(io, async () => {
    const namespace = args.namespace ?? 'default';
    const container: Record<string, unknown> = { name: args.name, image: args.image };
    if (args.command.length) container[args.useCommand ? 'command' : 'args'] = args.command;
    if (Object.keys(args.env).length) container.env = Object.entries(args.env).map(([name, value]) => ({ name, value }));
    if (args.stdin) {
      container.stdin = true;
      container.stdinOnce = true;
    }
    if (args.tty) container.tty = true;
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: args.name, namespace, labels: { run: args.name, ...args.labels } },
      spec: { containers: [container], restartPolicy: args.restart },
    };
    await client.create(pod);
    if (!args.attach) {
      io.out(`pod/${args.name} created`);
      return 0;
    }
    try {
      const current = await waitForPod(client, namespace, args.name, started, args.podRunningTimeout * 1000);
      if (!started(current)) {
        const waiting = current.status?.containerStatuses?.[0]?.state?.waiting;
        io.err(`error: timed out waiting for pod ${namespace}/${args.name} to start${waiting?.reason ? ` (${waiting.reason}: ${waiting.message ?? ''})` : ''}`);
        return 1;
      }
      if (args.stdin) {
        const raw = args.tty === true && streams.stdin.isTTY === true && typeof streams.stdin.setRawMode === 'function';
        // The output before the attach (a first prompt) is not replayed, as with kubectl.
        if (raw) io.err("If you don't see a command prompt, try pressing enter.");
        if (raw) streams.stdin.setRawMode?.(true);
        let code: number | undefined;
        try {
          code = await client.attach(namespace, args.name, {
            tty: args.tty ?? false,
            stdin: streams.stdin,
            stdout: streams.stdout,
            stderr: streams.stderr,
            signal: io.signal,
          });
        } finally {
          if (raw) streams.stdin.setRawMode?.(false);
          streams.stdin.pause();
        }
        // The attach ends with the container's exit code, unless it still ran then.
        return code ?? (await exitCodeOf(client, namespace, args.name, args.restart));
      }
      for await (const chunk of client.logs(namespace, args.name, { follow: true, signal: io.signal })) streams.stdout.write(chunk);
      // The log ends when the container does; its terminated status may trail by a moment.
      return await exitCodeOf(client, namespace, args.name, args.restart);
    } finally {
      if (args.rm) {
        await client.delete('Pod', namespace, args.name, { gracePeriodSeconds: 0 }).catch(() => undefined);
        io.out(`pod "${args.name}" deleted`);
      }
    }
  });
}
