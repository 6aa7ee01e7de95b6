// The typed gRPC client for service Resources, used by the CLI, every service and the tests.
// Objects go in and come out as canonical KubeObjects; the `Object` envelope is a wire detail.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { parse as parseYaml } from 'yaml';
import { ConflictError, ExpiredError, ShoalError, UnavailableError, fromGrpcError, isServiceError } from './errors.js';
import { fromEnvelope, toEnvelope, type KubeObject } from './kinds.js';
import { grpcPackage } from './proto.js';
import type { ResourcesClient } from './gen/shoal/v1/Resources.js';
import type { PropagationPolicy } from './gen/shoal/v1/PropagationPolicy.js';
import type { WatchEvent__Output } from './gen/shoal/v1/WatchEvent.js';
import type { Object__Output } from './gen/shoal/v1/Object.js';
import type { ListRequest } from './gen/shoal/v1/ListRequest.js';
import type { ListResponse__Output } from './gen/shoal/v1/ListResponse.js';
import type { DeleteRequest } from './gen/shoal/v1/DeleteRequest.js';
import type { DeleteResponse__Output } from './gen/shoal/v1/DeleteResponse.js';
import type { ApplyResponse__Output } from './gen/shoal/v1/ApplyResponse.js';
import type { VersionResponse__Output } from './gen/shoal/v1/VersionResponse.js';
import type { LogChunk__Output } from './gen/shoal/v1/LogChunk.js';
import type { ExecOutput__Output } from './gen/shoal/v1/ExecOutput.js';

/** Receive up to 16 MiB (large lists), send up to 4 MiB (one object or manifest). */
export const MAX_RECEIVE_MESSAGE_BYTES = 16 * 1024 * 1024;
export const MAX_SEND_MESSAGE_BYTES = 4 * 1024 * 1024;

export interface RetryPolicy {
  /** First delay after UNAVAILABLE (default 100 ms), doubling... */
  initialBackoffMs: number;
  /** ...up to this (default 5 s)... */
  maxBackoffMs: number;
  /** ...while the call's total time stays under this (default 30 s). */
  deadlineMs: number;
}

export interface ShoalClientOptions {
  /** "host:port" of the API server. */
  server: string;
  /** Bearer token sent with every call. */
  token?: string;
  /** Channel credentials (default: insecure, for loopback and trusted networks). */
  credentials?: grpc.ChannelCredentials;
  /** Per-attempt deadline of a unary call (default 30 s). */
  callTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Extra channel options, merged over the defaults. */
  channelOptions?: grpc.ChannelOptions;
}

export interface CallOptions {
  /** Aborts the call (and its retries). */
  signal?: AbortSignal;
}

export interface ListOptions extends CallOptions {
  /** "" or absent: every namespace. */
  namespace?: string;
  /** Kubernetes syntax: "app=web,tier in (a,b),!canary". */
  labelSelector?: string;
  /** "metadata.name=x", "spec.nodeName=n1", "status.phase=Running". */
  fieldSelector?: string;
  /** Page size; 0 or absent returns everything. */
  limit?: number;
  /** The continueToken of the previous page. */
  continueToken?: string;
}

export interface ListResult {
  items: KubeObject[];
  /** The store revision the page was read at: watch from it to see every later change. */
  resourceVersion: string;
  /** Set when more items follow. */
  continueToken?: string;
  /** How many matching items follow this page, when known. */
  remainingItemCount?: number;
}

export interface WriteOptions extends CallOptions {
  dryRun?: boolean;
}

export interface DeleteOptions extends WriteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  /** Pods: 0 deletes at once; absent takes the pod's terminationGracePeriodSeconds. */
  gracePeriodSeconds?: number;
  /** Delete only at this resourceVersion (ConflictError otherwise). */
  resourceVersion?: string;
}

export interface DeleteResult {
  /** The object as removed, or as it now stands marked for deletion. */
  object: KubeObject;
  /** True when it is gone; false when it waits for finalizers or graceful termination. */
  deleted: boolean;
}

export interface ApplyOptions extends WriteOptions {
  /** For documents that name none; "" or absent means "default". */
  namespace?: string;
}

export type ApplyAction = 'created' | 'configured' | 'unchanged' | (string & {});

export interface ApplyResult {
  object: KubeObject;
  action: ApplyAction;
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Deliver every change after this revision; absent starts at the current revision. */
  resourceVersion?: string;
  /** Ask for BOOKMARK events carrying the current revision while idle. */
  allowBookmarks?: boolean;
  /** Ends the watch (the iteration then finishes without an error). */
  signal?: AbortSignal;
}

export type WatchEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject; resourceVersion: string }
  | { type: 'BOOKMARK'; object?: KubeObject; resourceVersion: string };

export interface LogsOptions {
  /** Empty picks the pod's only container. */
  container?: string;
  follow?: boolean;
  tailLines?: number;
  /** The previous (terminated) instance of the container. */
  previous?: boolean;
  signal?: AbortSignal;
}

export interface ExecOptions {
  command: string[];
  /** Empty picks the pod's only container. */
  container?: string;
  tty?: boolean;
  /** Streamed to the command's stdin; absent means no stdin. */
  stdin?: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  signal?: AbortSignal;
}

export interface AttachOptions {
  /** Empty picks the pod's only container. */
  container?: string;
  tty?: boolean;
  /** Streamed to the container's stdin (its spec must have `stdin: true`); absent: output only. */
  stdin?: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  signal?: AbortSignal;
}

export interface VersionInfo {
  version: string;
  /** The store's current revision. */
  revision: string;
}

const POLICIES: Record<NonNullable<DeleteOptions['propagationPolicy']>, PropagationPolicy> = {
  Background: 'PROPAGATION_POLICY_BACKGROUND',
  Foreground: 'PROPAGATION_POLICY_FOREGROUND',
  Orphan: 'PROPAGATION_POLICY_ORPHAN',
};

class AbortedError extends ShoalError {
  override name = 'AbortError';
}

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new AbortedError('the call was aborted');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const onAbort = (): void => {
      clearTimeout(t);
      reject(abortError(signal!));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A server stream as an async iterable of mapped items, typed errors, cancellable. */
async function* streamOf<Raw, Out>(call: grpc.ClientReadableStream<Raw>, signal: AbortSignal | undefined, map: (raw: Raw) => Out): AsyncGenerator<Out> {
  if (signal?.aborted) {
    call.cancel();
    return;
  }
  const onAbort = (): void => call.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  call.on('error', () => {});
  try {
    for await (const raw of call as AsyncIterable<Raw>) yield map(raw);
  } catch (err) {
    if (signal?.aborted) return;
    if (isServiceError(err)) throw fromGrpcError(err);
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    call.cancel();
  }
}

function required(obj: KubeObject | undefined, what: string): KubeObject {
  if (!obj) throw new ShoalError(`the server returned no object for ${what}`);
  return obj;
}

/** Starts one attempt of a unary call. */
type Invoke<Res> = (metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<Res>) => grpc.ClientUnaryCall;

/**
 * A write that is not safe to send twice (Create, Update, UpdateStatus, Delete): UNAVAILABLE
 * after the request went out may mean it was applied, so it is never retried. Instead the
 * call waits for a connection before it is sent (within the retry deadline), which covers
 * the usual case of a server that is restarting.
 */
const WRITE = { idempotent: false } as const;

/**
 * A client for one API server. Safe to share: calls are independent and may run concurrently.
 * Unary calls retry UNAVAILABLE (the server is down or restarting) with exponential backoff
 * for up to `retry.deadlineMs`; every other failure is thrown at once as a typed error from
 * lib/errors.ts (NotFoundError, ConflictError, InvalidError, ExpiredError, ...).
 */
export class ShoalClient {
  private readonly raw: ResourcesClient;
  private readonly token: string | undefined;
  private readonly callTimeoutMs: number;
  private readonly retry: RetryPolicy;

  constructor(opts: ShoalClientOptions) {
    this.token = opts.token;
    this.callTimeoutMs = opts.callTimeoutMs ?? 30_000;
    this.retry = { initialBackoffMs: 100, maxBackoffMs: 5000, deadlineMs: 30_000, ...opts.retry };
    this.raw = new grpcPackage.shoal.v1.Resources(opts.server, opts.credentials ?? grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': MAX_RECEIVE_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_SEND_MESSAGE_BYTES,
      // Long-lived watches across idle NATs and proxies.
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.keepalive_permit_without_calls': 1,
      ...opts.channelOptions,
    });
  }

  /** One object. NotFoundError if absent. Cluster-scoped kinds take namespace "". */
  async get(kind: string, namespace: string, name: string, opts: CallOptions = {}): Promise<KubeObject> {
    const req = { kind, namespace, name };
    const res = await this.unary<Object__Output>((md, o, cb) => this.raw.Get(req, md, o, cb), opts);
    return required(fromEnvelope(res), `${kind} ${name}`);
  }

  async list(kind: string, opts: ListOptions = {}): Promise<ListResult> {
    const req: ListRequest = {
      kind,
      namespace: opts.namespace ?? '',
      label_selector: opts.labelSelector ?? '',
      field_selector: opts.fieldSelector ?? '',
      limit: opts.limit ?? 0,
      continue_token: opts.continueToken ?? '',
    };
    const res = await this.unary<ListResponse__Output>((md, o, cb) => this.raw.List(req, md, o, cb), opts);
    const items: KubeObject[] = [];
    for (const env of res.items ?? []) {
      const obj = fromEnvelope(env);
      if (obj) items.push(obj);
    }
    const result: ListResult = { items, resourceVersion: res.resource_version ?? '' };
    if (res.continue_token) result.continueToken = res.continue_token;
    if (res.remaining_item_count) result.remainingItemCount = res.remaining_item_count;
    return result;
  }

  /** Every page of a list. Each page is read at its own revision; the result carries the
   * first (oldest) one, so a watch from it misses nothing, though it may replay changes the
   * later pages already show. Prefer one unpaged list where a consistent snapshot matters. */
  /**
   * Every page of a list (`opts.limit` is the page size; 0 is one call), all read at one
   * revision: when the list changes between pages the server expires the continue token and
   * this starts over, a few times at most.
   */
  async listAll(kind: string, opts: Omit<ListOptions, 'continueToken'> = {}): Promise<ListResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        const first = await this.list(kind, opts);
        const items = [...first.items];
        let token = first.continueToken;
        // Bounded: every page advances the server's cursor; a server that repeats a token is a bug.
        for (let pages = 0; token && pages < 1_000_000; pages++) {
          const page = await this.list(kind, { ...opts, continueToken: token });
          items.push(...page.items);
          if (page.continueToken === token) throw new ShoalError(`list ${kind}: the server repeated continue token`);
          token = page.continueToken;
        }
        return { items, resourceVersion: first.resourceVersion };
      } catch (err) {
        if (!(err instanceof ExpiredError) || attempt >= 5) throw err;
      }
    }
  }


  /** AlreadyExistsError if the name is taken; InvalidError with field paths. */
  async create(obj: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    const req = { object: toEnvelope(obj), dry_run: opts.dryRun ?? false };
    const res = await this.unary<Object__Output>((md, o, cb) => this.raw.Create(req, md, o, cb), opts, WRITE);
    return required(fromEnvelope(res), `create ${obj.kind}`);
  }

  /** Spec and metadata; metadata.resourceVersion is the precondition (ConflictError if stale). */
  async update(obj: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    const req = { object: toEnvelope(obj), dry_run: opts.dryRun ?? false };
    const res = await this.unary<Object__Output>((md, o, cb) => this.raw.Update(req, md, o, cb), opts, WRITE);
    return required(fromEnvelope(res), `update ${obj.kind}`);
  }

  /** Status only; spec and metadata are kept as stored. */
  async updateStatus(obj: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    const req = { object: toEnvelope(obj), dry_run: opts.dryRun ?? false };
    const res = await this.unary<Object__Output>((md, o, cb) => this.raw.UpdateStatus(req, md, o, cb), opts, WRITE);
    return required(fromEnvelope(res), `update status of ${obj.kind}`);
  }

  async delete(kind: string, namespace: string, name: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    const req: DeleteRequest = {
      kind,
      namespace,
      name,
      propagation_policy: opts.propagationPolicy ? POLICIES[opts.propagationPolicy] : 'PROPAGATION_POLICY_UNSPECIFIED',
      resource_version: opts.resourceVersion ?? '',
      dry_run: opts.dryRun ?? false,
    };
    if (opts.gracePeriodSeconds !== undefined) req.grace_period_seconds = opts.gracePeriodSeconds;
    const res = await this.unary<DeleteResponse__Output>((md, o, cb) => this.raw.Delete(req, md, o, cb), opts, WRITE);
    return { object: required(fromEnvelope(res.object), `delete ${kind} ${name}`), deleted: res.deleted ?? false };
  }

  /** kubectl apply: one or more YAML/JSON documents, validated as a whole before any write. */
  async apply(manifest: string, opts: ApplyOptions = {}): Promise<ApplyResult[]> {
    const req = { manifest, namespace: opts.namespace ?? '', dry_run: opts.dryRun ?? false };
    const res = await this.unary<ApplyResponse__Output>((md, o, cb) => this.raw.Apply(req, md, o, cb), opts);
    return (res.results ?? []).map((r) => ({
      object: required(fromEnvelope(r.object), 'apply'),
      action: r.action ?? '',
    }));
  }

  async version(opts: CallOptions = {}): Promise<VersionInfo> {
    const res = await this.unary<VersionResponse__Output>((md, o, cb) => this.raw.Version({}, md, o, cb), opts);
    return { version: res.version ?? '', revision: res.revision ?? '' };
  }

  /**
   * The server-streaming Watch as an async iterable. Not retried: a failure (UnavailableError
   * when the server goes away, ExpiredError for a compacted resourceVersion) ends the
   * iteration with the typed error, and the caller resumes or relists. Aborting `signal` or
   * leaving the loop cancels the call.
   */
  watch(kind: string, opts: WatchOptions = {}): AsyncIterable<WatchEvent> {
    return {
      [Symbol.asyncIterator]: () => this.watchIterator(kind, opts),
    };
  }

  /** A container's output as raw chunks, relayed from the pod's node agent. Ends when the
   * container's log ends (or, with `follow`, when `signal` aborts). */
  logs(namespace: string, pod: string, opts: LogsOptions = {}): AsyncIterable<Buffer> {
    const { signal } = opts;
    const call = this.raw.Logs(
      {
        namespace,
        pod,
        container: opts.container ?? '',
        follow: opts.follow ?? false,
        tail_lines: opts.tailLines,
        previous: opts.previous ?? false,
      },
      this.metadata(),
    );
    return streamOf(call, signal, (chunk: LogChunk__Output) => Buffer.from(chunk.data ?? '', 'base64'));
  }

  /**
   * Runs a command in a container. stdin (if given) is streamed in; stdout and stderr are
   * written to the given streams; resolves with the command's exit code.
   */
  async exec(namespace: string, pod: string, opts: ExecOptions): Promise<number> {
    const code = await this.duplex('exec', namespace, pod, opts.command, opts);
    if (code === undefined) throw new ShoalError('exec: the stream ended without an exit code');
    return code;
  }

  /**
   * Attaches to a container's main process (kubectl attach): its output from now on (all of
   * it if it has already exited), and stdin if given. Resolves with its exit code once it has
   * exited, or undefined when the stream ended while it still runs (or `signal` detached).
   */
  attach(namespace: string, pod: string, opts: AttachOptions): Promise<number | undefined> {
    return this.duplex('attach', namespace, pod, [], opts);
  }

  private async duplex(kind: 'exec' | 'attach', namespace: string, pod: string, command: string[], opts: AttachOptions): Promise<number | undefined> {
    const call = kind === 'exec' ? this.raw.Exec(this.metadata()) : this.raw.Attach(this.metadata());
    call.write({
      start: {
        namespace,
        pod,
        container: opts.container ?? '',
        command,
        stdin: opts.stdin !== undefined,
        tty: opts.tty ?? false,
      },
    });
    const onAbort = (): void => call.cancel();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const input = opts.stdin;
    const onData = (chunk: Buffer | string): void => {
      call.write({ stdin: Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk) });
    };
    const onEnd = (): void => {
      call.write({ stdin_eof: true });
    };
    input?.on('data', onData);
    input?.once('end', onEnd);
    if (!input) call.end();
    try {
      let exitCode: number | undefined;
      for await (const out of call as AsyncIterable<ExecOutput__Output>) {
        if (out.stdout) opts.stdout.write(Buffer.from(out.stdout, 'base64'));
        else if (out.stderr) opts.stderr.write(Buffer.from(out.stderr, 'base64'));
        else if (out.exit_code !== undefined) exitCode = out.exit_code;
      }
      return exitCode;
    } catch (err) {
      // Aborting an attach detaches: the container goes on.
      if (kind === 'attach' && opts.signal?.aborted) return undefined;
      if (isServiceError(err)) throw fromGrpcError(err);
      throw err;
    } finally {
      input?.off('data', onData);
      input?.off('end', onEnd);
      opts.signal?.removeEventListener('abort', onAbort);
      call.end();
    }
  }

  private async *watchIterator(kind: string, opts: WatchOptions): AsyncGenerator<WatchEvent> {
    const { signal } = opts;
    if (signal?.aborted) return;
    const call = this.raw.Watch(
      {
        kind,
        namespace: opts.namespace ?? '',
        label_selector: opts.labelSelector ?? '',
        field_selector: opts.fieldSelector ?? '',
        resource_version: opts.resourceVersion ?? '',
        allow_bookmarks: opts.allowBookmarks ?? false,
      },
      this.metadata(),
    );
    let cancelled = false;
    const onAbort = (): void => {
      cancelled = true;
      call.cancel();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    // Silence the stream's 'error' event: async iteration rethrows it below.
    call.on('error', () => {});
    try {
      for await (const raw of call as AsyncIterable<WatchEvent__Output>) {
        const object = fromEnvelope(raw.object);
        const resourceVersion = raw.resource_version ?? object?.metadata?.resourceVersion ?? '';
        if (raw.type === 'BOOKMARK') {
          yield object ? { type: 'BOOKMARK', object, resourceVersion } : { type: 'BOOKMARK', resourceVersion };
        } else if (raw.type === 'ADDED' || raw.type === 'MODIFIED' || raw.type === 'DELETED') {
          if (!object) throw new ShoalError(`watch ${kind}: ${raw.type} event without an object`);
          yield { type: raw.type, object, resourceVersion };
        }
        // Unknown event types from a newer server are skipped.
      }
    } catch (err) {
      if (cancelled || signal?.aborted) return;
      if (isServiceError(err)) {
        if (err.code === grpc.status.CANCELLED && cancelled) return;
        throw fromGrpcError(err);
      }
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // Leaving the loop early (break, throw in the body) ends the server stream.
      call.cancel();
    }
  }

  /** Closes the channel; calls in flight fail with UNAVAILABLE/CANCELLED. */
  close(): void {
    this.raw.close();
  }

  private metadata(): grpc.Metadata {
    const md = new grpc.Metadata();
    if (this.token) md.set('authorization', `Bearer ${this.token}`);
    return md;
  }

  private async unary<Res>(invoke: Invoke<Res>, opts: CallOptions, kind: { idempotent: boolean } = { idempotent: true }): Promise<Res> {
    const { signal } = opts;
    if (!kind.idempotent) {
      try {
        return await this.once(invoke, signal, this.retry.deadlineMs > 0);
      } catch (err) {
        if (!isServiceError(err)) throw err;
        if (err.code === grpc.status.CANCELLED && signal?.aborted) throw abortError(signal);
        throw fromGrpcError(err);
      }
    }
    const started = Date.now();
    let backoff = this.retry.initialBackoffMs;
    // Bounded by the retry deadline: each failed attempt sleeps at least initialBackoffMs.
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw abortError(signal);
      try {
        return await this.once(invoke, signal);
      } catch (err) {
        if (!isServiceError(err)) throw err;
        if (err.code === grpc.status.CANCELLED && signal?.aborted) throw abortError(signal);
        const typed = fromGrpcError(err);
        if (!(typed instanceof UnavailableError)) throw typed;
        const elapsed = Date.now() - started;
        const jittered = backoff * (0.8 + Math.random() * 0.4);
        if (elapsed + jittered > this.retry.deadlineMs) {
          throw new UnavailableError(
            `${typed.message} (gave up after ${attempt} attempts in ${Math.round(elapsed)} ms)`,
            { cause: err },
          );
        }
        await sleep(jittered, signal);
        backoff = Math.min(backoff * 2, this.retry.maxBackoffMs);
      }
    }
  }

  private once<Res>(invoke: Invoke<Res>, signal: AbortSignal | undefined, waitForReady = false): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      const metadata = this.metadata();
      if (waitForReady) metadata.setOptions({ waitForReady: true });
      const call = invoke(
        metadata,
        // Waiting for a connection counts against the retry deadline, not only the call's.
        { deadline: Date.now() + (waitForReady ? this.retry.deadlineMs + this.callTimeoutMs : this.callTimeoutMs) },
        (err: grpc.ServiceError | null, value?: Res) => {
          signal?.removeEventListener('abort', onAbort);
          if (err) reject(err);
          else if (value === undefined) reject(new ShoalError('the server returned an empty response'));
          else resolve(value);
        },
      );
      const onAbort = (): void => call.cancel();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/**
 * Runs `fn` (a read-modify-write) again when it throws ConflictError, up to `attempts` times
 * in all, with a short growing pause; any other error, or the last conflict, is thrown.
 */
export async function retryOnConflict<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  const n = Math.max(1, attempts);
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof ConflictError) || i >= n) throw err;
      await sleep(10 * i * (0.9 + Math.random() * 0.2));
    }
  }
}

export interface ClientConfig {
  /** "host:port" of the API server. */
  server: string;
  token: string;
  /** NATS URL for services that watch through informers. */
  nats?: string;
  /** The file it was read from, or "$SHOAL_SERVER" when it came from the environment. */
  path: string;
}

/** The config file that loadClientConfig reads: `path`, else $SHOAL_CONFIG, else ~/.shoal/config.yaml. */
export function clientConfigPath(path?: string): string {
  return path || process.env.SHOAL_CONFIG || join(homedir(), '.shoal', 'config.yaml');
}

/** Reads `{ server, token, nats? }` from the YAML file when one is named (`path`, or
 * $SHOAL_CONFIG), else from $SHOAL_SERVER, $SHOAL_TOKEN and $SHOAL_NATS when $SHOAL_SERVER is
 * set (as services in containers are configured), else from ~/.shoal/config.yaml; errors
 * name the variable or the file and the missing field. */
export async function loadClientConfig(path?: string): Promise<ClientConfig> {
  const env = process.env;
  if (!path && !env.SHOAL_CONFIG && env.SHOAL_SERVER) {
    if (!env.SHOAL_TOKEN) throw new ShoalError('$SHOAL_SERVER is set but $SHOAL_TOKEN is not: set the bearer token too');
    const config: ClientConfig = { server: env.SHOAL_SERVER, token: env.SHOAL_TOKEN, path: '$SHOAL_SERVER' };
    if (env.SHOAL_NATS) config.nats = env.SHOAL_NATS;
    return config;
  }
  const file = clientConfigPath(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === 'ENOENT' ? ' (it does not exist; `shoal up` writes one, or set $SHOAL_CONFIG)' : '';
    throw new ShoalError(`cannot read the Shoal client config ${file}: ${(err as Error).message}${hint}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ShoalError(`${file}: not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ShoalError(`${file}: expected a mapping with "server" and "token"`);
  }
  const { server, token, nats } = doc as Record<string, unknown>;
  if (typeof server !== 'string' || !server) throw new ShoalError(`${file}: missing "server" (the API server's host:port)`);
  if (typeof token !== 'string' || !token) throw new ShoalError(`${file}: missing "token" (the bearer token)`);
  if (nats !== undefined && nats !== null && typeof nats !== 'string') throw new ShoalError(`${file}: "nats" must be a URL string`);
  const config: ClientConfig = { server, token, path: file };
  if (typeof nats === 'string' && nats) config.nats = nats;
  return config;
}
