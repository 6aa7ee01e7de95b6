// The client verbs (apply, get, describe, delete) as functions of a client, already-parsed
// arguments and an output sink. cli/main.ts parses argv and calls them; tests call them with
// a fake client. Each returns the process exit code: 0, or 1 after printing what failed in
// kubectl's wording.
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { ShoalClient } from '../lib/client.js';
import {
  AlreadyExistsError,
  ConflictError,
  ExpiredError,
  InvalidError,
  NotFoundError,
  TimeoutError,
  TooLargeError,
  UnauthenticatedError,
  UnavailableError,
} from '../lib/errors.js';
import type { Event__Output } from '../lib/gen/shoal/v1/Event.js';
import type { LabelSelector__Output } from '../lib/gen/shoal/v1/LabelSelector.js';
import { findKind, qualifiedName, type KindInfo, type KubeObject } from '../lib/kinds.js';
import { decodeObject, parseManifestText } from '../lib/manifest.js';
import { formatLabelSelector } from '../lib/selectors.js';
import {
  describe as describeText,
  noResourcesMessage,
  printObjects,
  printTable,
  resourceName,
  tableHeader,
  tableRow,
  TableWriter,
  type DescribeRelated,
  type TableOptions,
} from './printers.js';

/** The part of ShoalClient the verbs use; tests pass a fake. */
export type CommandClient = Pick<ShoalClient, 'get' | 'list' | 'listAll' | 'delete' | 'apply' | 'watch'>;

/** Where a verb writes. Each call is one or more whole lines (a missing final newline is implied). */
export interface IO {
  out(text: string): void;
  err(text: string): void;
  /** All of standard input, for `-f -`; default: process.stdin. */
  readStdin?(): Promise<string>;
  /** Ends `get --watch`; default: the first SIGINT. */
  signal?: AbortSignal;
  /** The clock for AGE columns, in ms since the epoch; default: Date.now. */
  now?(): number;
}

export type OutputFormat = '' | 'wide' | 'yaml' | 'json' | 'name';

export interface ApplyArgs {
  /** Files, directories (their *.yaml, *.yml and *.json, sorted, not recursive) or '-' for stdin. */
  files: string[];
  namespace?: string;
}

export interface GetArgs {
  /** "pods", "po", "deploy,svc", "all", or "deploy/nginx" (then every name is TYPE/NAME too). */
  kind: string;
  names?: string[];
  namespace?: string;
  allNamespaces?: boolean;
  selector?: string;
  fieldSelector?: string;
  output?: OutputFormat;
  watch?: boolean;
}

export interface DescribeArgs {
  /** A kind, or "kind/name". */
  kind: string;
  /** Absent: every object of the kind in the namespace (matching `selector`). */
  name?: string;
  namespace?: string;
  selector?: string;
}

export interface DeleteArgs {
  kind?: string;
  names?: string[];
  /** Manifests whose objects are deleted (by kind, namespace and name). */
  files?: string[];
  namespace?: string;
  /** Deletes every object of `kind` matching it (instead of names). */
  selector?: string;
  cascade?: 'background' | 'foreground' | 'orphan';
  /** Seconds; absent leaves it to the object (pods: terminationGracePeriodSeconds). */
  gracePeriod?: number;
}

/** What `get all` lists, in kubectl's order. */
const ALL_KINDS = ['Pod', 'Service', 'Deployment', 'ReplicaSet', 'Job', 'CronJob'];
const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const PAGE_SIZE = 500;

/** A mistake in the command line, printed as "error: ..." */
class UsageError extends Error {
  override name = 'UsageError';
}

// ---- Errors ----

function formatInvalid(err: InvalidError): string {
  const named = /^(?:document \d+: )?([A-Za-z]+(?:\.[a-z.]+)?) "([^"]*)" is invalid$/.exec(err.prefix);
  const head = named ? `The ${named[1]} "${named[2]}" is invalid:` : err.prefix === 'invalid' ? 'The request is invalid:' : `error: ${err.prefix}:`;
  return [head, ...err.violations.map((v) => `* ${v.field}: ${v.message}`)].join('\n');
}

/**
 * An error as kubectl prints it: `Error from server (NotFound): deployments.apps "x" not
 * found`, an InvalidError as `The Deployment "x" is invalid:` and one `* field: message` line
 * per violation, anything else as `error: message`. `docs` (the parsed manifest the request
 * carried, if any) lets an invalid document be named by its metadata.name.
 */
export function formatError(err: unknown): string {
  if (err instanceof InvalidError) return formatInvalid(err);
  const fromServer: [new (...args: never[]) => Error, string][] = [
    [NotFoundError, 'NotFound'],
    [AlreadyExistsError, 'AlreadyExists'],
    [ConflictError, 'Conflict'],
    [ExpiredError, 'Expired'],
    [TooLargeError, 'RequestEntityTooLarge'],
    [TimeoutError, 'Timeout'],
  ];
  for (const [cls, reason] of fromServer) {
    if (err instanceof cls) return `Error from server (${reason}): ${err.message}`;
  }
  if (err instanceof UnauthenticatedError) return `error: You must be logged in to the server (Unauthorized): ${err.message}`;
  if (err instanceof UnavailableError) return `Unable to connect to the server: ${err.message}`;
  return `error: ${err instanceof Error ? err.message : String(err)}`;
}

// ---- Shared plumbing ----

function resolveKind(alias: string): KindInfo {
  const info = findKind(alias);
  if (!info) throw new UsageError(`the server doesn't have a resource type "${alias}"`);
  return info;
}

interface Target {
  info: KindInfo;
  /** Empty: the whole list. */
  names: string[];
}

/** Kind arguments as kubectl reads them: aliases, comma lists, `all`, and TYPE/NAME. */
function resolveTargets(kindArg: string, names: string[]): Target[] {
  const args = [kindArg, ...names];
  const slashed = args.filter((a) => a.includes('/')).length;
  if (slashed > 0) {
    if (slashed !== args.length) {
      throw new UsageError(
        `there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'shoal get resource/<resource_name>' instead of 'shoal get resource resource/<resource_name>')`,
      );
    }
    const targets: Target[] = [];
    for (const arg of args) {
      const i = arg.indexOf('/');
      const info = resolveKind(arg.slice(0, i));
      const name = arg.slice(i + 1);
      if (!name) throw new UsageError(`arguments in resource/name form must have a single resource and name`);
      const existing = targets.find((t) => t.info === info);
      if (existing) existing.names.push(name);
      else targets.push({ info, names: [name] });
    }
    return targets;
  }
  const infos: KindInfo[] = [];
  for (const part of kindArg.split(',').filter(Boolean)) {
    for (const info of part.toLowerCase() === 'all' ? ALL_KINDS.map(resolveKind) : [resolveKind(part)]) {
      if (!infos.includes(info)) infos.push(info);
    }
  }
  if (!infos.length) throw new UsageError('you must specify the type of resource');
  return infos.map((info) => ({ info, names: [...names] }));
}

/** Every page of a list, PAGE_SIZE at a time (as kubectl's --chunk-size). */
function listPages(client: CommandClient, kind: string, query: Parameters<CommandClient['list']>[1]): ReturnType<CommandClient['listAll']> {
  return client.listAll(kind, { ...query, limit: PAGE_SIZE });
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

interface Source {
  /** The path as given, or "STDIN". */
  label: string;
  text: string;
}

/** Reads every -f argument up front, so a bad path fails the command before any write. */
async function readSources(paths: string[], io: IO): Promise<Source[]> {
  const sources: Source[] = [];
  for (const path of paths) {
    if (path === '-') {
      sources.push({ label: 'STDIN', text: await (io.readStdin ?? readAllStdin)() });
      continue;
    }
    let isDir: boolean;
    try {
      isDir = (await stat(path)).isDirectory();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`the path "${path}" does not exist`);
      throw err;
    }
    const files = isDir
      ? (await readdir(path))
          .filter((f) => MANIFEST_EXTENSIONS.has(extname(f).toLowerCase()))
          .sort()
          .map((f) => join(path, f))
      : [path];
    for (const file of files) sources.push({ label: file, text: await readFile(file, 'utf8') });
  }
  return sources;
}

function namespaceOf(doc: unknown): string | undefined {
  const metadata = (doc as { metadata?: { namespace?: unknown } } | null)?.metadata;
  return typeof metadata?.namespace === 'string' && metadata.namespace ? metadata.namespace : undefined;
}

function checkNamespace(objectNamespace: string | undefined, flag: string | undefined): void {
  if (flag && objectNamespace && objectNamespace !== flag) {
    throw new UsageError(
      `the namespace from the provided object "${objectNamespace}" does not match the namespace "${flag}". You must pass '--namespace=${objectNamespace}' to perform this operation.`,
    );
  }
}

/** Runs a verb body, printing a thrown error kubectl's way. */
/** Runs a verb, printing any error kubectl-style with exit code 1. */
export async function guarded(io: IO, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    io.err(formatError(err));
    return 1;
  }
}

// ---- apply ----

/** `apply -f`: one Apply call per file; prints "deployment.apps/nginx created" per object. */
export async function apply(client: CommandClient, args: ApplyArgs, io: IO): Promise<number> {
  return guarded(io, async () => {
    const sources = await readSources(args.files, io);
    let failed = false;
    let objects = 0;
    for (const source of sources) {
      let docs: unknown[] | undefined;
      try {
        docs = parseManifestText(source.text);
      } catch {
        // The server reports syntax errors with their document numbers.
      }
      if (docs?.length === 0) continue;
      try {
        for (const doc of docs ?? []) checkNamespace(namespaceOf(doc), args.namespace);
        const results = await client.apply(source.text, args.namespace ? { namespace: args.namespace } : {});
        for (const r of results) io.out(`${resourceName(r.object)} ${r.action}`);
        objects += results.length;
      } catch (err) {
        failed = true;
        const text = formatError(err);
        io.err(sources.length > 1 && !(err instanceof InvalidError) ? `${text} (in ${source.label})` : text);
      }
    }
    if (!failed && objects === 0) {
      io.err('error: no objects passed to apply');
      return 1;
    }
    return failed ? 1 : 0;
  });
}

// ---- get ----

function interruptSignal(io: IO): { signal: AbortSignal; dispose: () => void } {
  if (io.signal) return { signal: io.signal, dispose: () => {} };
  const controller = new AbortController();
  const onInterrupt = (): void => controller.abort();
  process.once('SIGINT', onInterrupt);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onInterrupt) };
}

function namespaceFor(info: KindInfo, args: { namespace?: string; allNamespaces?: boolean }, byName: boolean): string {
  if (!info.namespaced) return '';
  if (args.allNamespaces && !byName) return '';
  return args.namespace || 'default';
}

async function watchTarget(client: CommandClient, target: Target, args: GetArgs, io: IO): Promise<number> {
  const { info, names } = target;
  if (names.length > 1) {
    throw new UsageError(`watch is only supported on individual resources and resource collections, but ${names.length} resources were found`);
  }
  const namespace = namespaceFor(info, args, false);
  const fieldSelector = [args.fieldSelector, names[0] ? `metadata.name=${names[0]}` : ''].filter(Boolean).join(',');
  const query = { namespace, labelSelector: args.selector, fieldSelector };
  const { items, resourceVersion } = await listPages(client, info.kind, query);
  if (names[0] && !items.length) throw new NotFoundError(`${info.plural}${info.group ? `.${info.group}` : ''} "${names[0]}" not found`);

  const output = args.output ?? '';
  const tableOpts: TableOptions = { wide: output === 'wide', allNamespaces: args.allNamespaces };
  const writer = new TableWriter();
  let printed = 0;
  const print = (objs: KubeObject[]): void => {
    if (!objs.length) return;
    if (output === '' || output === 'wide') {
      const opts = { ...tableOpts, now: io.now?.() ?? Date.now() };
      const rows = objs.map((o) => tableRow(info, o, opts));
      io.out(writer.format(printed ? rows : [tableHeader(info, opts), ...rows]));
    } else {
      for (const o of objs) {
        const text = printObjects([o], output, { asList: false });
        io.out(output === 'yaml' && printed ? `---\n${text}` : text);
      }
    }
    printed += objs.length;
  };
  print(items);

  const { signal, dispose } = interruptSignal(io);
  try {
    for await (const ev of client.watch(info.kind, { ...query, resourceVersion, signal })) {
      if (ev.type === 'BOOKMARK' || !ev.object) continue;
      print([ev.object]);
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    dispose();
  }
  return 0;
}

/**
 * `get`: tables (one per kind, `kind.group/name` names and a blank line between kinds when
 * several were asked for), or the objects as YAML, JSON or names. Missing names are reported
 * after the output and make the exit code 1. With `watch`, prints the table, then one row per
 * change until io.signal (default: SIGINT) aborts.
 */
export async function get(client: CommandClient, args: GetArgs, io: IO): Promise<number> {
  return guarded(io, async () => {
    const targets = resolveTargets(args.kind, args.names ?? []);
    const byName = targets.some((t) => t.names.length > 0);
    if (byName && args.selector) throw new UsageError('name cannot be provided when a selector is specified');
    if (byName && args.allNamespaces) throw new UsageError('a resource cannot be retrieved by name across all namespaces');
    if (args.watch) {
      if (targets.length !== 1) throw new UsageError('you may only specify a single resource type');
      return await watchTarget(client, targets[0]!, args, io);
    }

    const errors: string[] = [];
    const results: { info: KindInfo; objects: KubeObject[] }[] = [];
    for (const { info, names } of targets) {
      const namespace = namespaceFor(info, args, names.length > 0);
      const objects: KubeObject[] = [];
      if (names.length) {
        for (const name of names) {
          try {
            objects.push(await client.get(info.kind, namespace, name));
          } catch (err) {
            if (!(err instanceof NotFoundError)) throw err;
            errors.push(formatError(err));
          }
        }
      } else {
        const list = await listPages(client, info.kind, { namespace, labelSelector: args.selector, fieldSelector: args.fieldSelector });
        objects.push(...list.items);
      }
      results.push({ info, objects });
    }

    const output = args.output ?? '';
    const all = results.flatMap((r) => r.objects);
    if (output === '' || output === 'wide') {
      const now = io.now?.() ?? Date.now();
      const withKind = targets.length > 1;
      const tables = results
        .filter((r) => r.objects.length)
        .map((r) => printTable(r.info, r.objects, { wide: output === 'wide', allNamespaces: args.allNamespaces, withKind, now }));
      if (tables.length) io.out(tables.join('\n'));
      else if (!byName) {
        const namespaced = targets.some((t) => t.info.namespaced);
        io.err(noResourcesMessage(namespaced ? undefined : targets[0]!.info, args.namespace || 'default', args.allNamespaces));
      }
    } else {
      const single = targets.length === 1 && targets[0]!.names.length === 1;
      if (!(single && all.length === 0)) io.out(printObjects(all, output, { asList: !single }));
    }
    for (const e of errors) io.err(e);
    return errors.length ? 1 : 0;
  });
}

// ---- describe ----

/** Events about `obj`: listed by involvedObject name and namespace, then kind and uid here. */
async function eventsFor(client: CommandClient, obj: KubeObject): Promise<KubeObject[]> {
  const m = obj.metadata ?? {};
  const namespace = m.namespace ?? '';
  const { items } = await listPages(client, 'Event', {
    namespace,
    fieldSelector: `involvedObject.name=${m.name ?? ''},involvedObject.namespace=${namespace}`,
  });
  return items.filter((e) => {
    const ref = (e as Event__Output).involvedObject ?? {};
    return ref.kind === obj.kind && (!ref.uid || !m.uid || ref.uid === m.uid);
  });
}

/** The objects `obj` controls, of `kind`, in its namespace. */
async function controlled(client: CommandClient, obj: KubeObject, kind: string, selector: LabelSelector__Output | undefined): Promise<KubeObject[]> {
  const m = obj.metadata ?? {};
  const { items } = await listPages(client, kind, { namespace: m.namespace ?? '', labelSelector: formatLabelSelector(selector) });
  return items.filter((o) => (o.metadata?.ownerReferences ?? []).some((r) => r.controller && r.uid === m.uid));
}

/** Best effort, as kubectl: describe still prints when a side lookup fails. */
async function optional<T>(fetch: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fetch();
  } catch {
    return undefined;
  }
}

async function relatedFor(client: CommandClient, obj: KubeObject): Promise<DescribeRelated> {
  const m = obj.metadata ?? {};
  const spec = obj.spec as { selector?: LabelSelector__Output } | undefined;
  switch (obj.kind) {
    case 'Service': {
      const endpoints = await optional(async () => {
        try {
          return await client.get('Endpoints', m.namespace ?? '', m.name ?? '');
        } catch (err) {
          if (err instanceof NotFoundError) return null;
          throw err;
        }
      });
      return endpoints === undefined ? {} : { endpoints };
    }
    case 'Deployment': {
      const replicaSets = await optional(() => controlled(client, obj, 'ReplicaSet', spec?.selector));
      return replicaSets ? { replicaSets } : {};
    }
    case 'ReplicaSet': {
      const pods = await optional(() => controlled(client, obj, 'Pod', spec?.selector));
      return pods ? { pods } : {};
    }
    default:
      return {};
  }
}

/** `describe KIND NAME`: the object, what it relates to, and its events. */
export async function describe(client: CommandClient, args: DescribeArgs, io: IO): Promise<number> {
  return guarded(io, async () => {
    const targets = resolveTargets(args.kind, args.name ? [args.name] : []);
    const texts: string[] = [];
    for (const { info, names } of targets) {
      const namespace = namespaceFor(info, { namespace: args.namespace }, true);
      const objects = names.length
        ? await Promise.all(names.map((n) => client.get(info.kind, namespace, n)))
        : (await listPages(client, info.kind, { namespace, labelSelector: args.selector })).items;
      for (const obj of objects) {
        const [events, related] = await Promise.all([optional(() => eventsFor(client, obj)), relatedFor(client, obj)]);
        texts.push(describeText(obj, events ?? [], { now: io.now?.() ?? Date.now(), related }));
      }
    }
    if (!texts.length) {
      io.err(noResourcesMessage(targets[0]?.info, args.namespace || 'default'));
      return 0;
    }
    io.out(texts.join('\n\n'));
    return 0;
  });
}

// ---- delete ----

const POLICIES = { background: 'Background', foreground: 'Foreground', orphan: 'Orphan' } as const;

interface DeleteTarget {
  info: KindInfo;
  namespace: string;
  name: string;
}

/** The objects named in manifests (decoded, so unknown kinds and fields are reported). */
async function targetsFromFiles(files: string[], namespace: string | undefined, io: IO): Promise<DeleteTarget[]> {
  const targets: DeleteTarget[] = [];
  for (const source of await readSources(files, io)) {
    const docs = parseManifestText(source.text);
    docs.forEach((doc, i) => {
      const obj = decodeObject(doc, docs.length > 1 ? `document ${i}` : '');
      const info = resolveKind(obj.kind ?? '');
      const name = obj.metadata?.name;
      if (!name) throw new UsageError(`${source.label}: ${info.kind} has no metadata.name`);
      checkNamespace(obj.metadata?.namespace, namespace);
      targets.push({ info, namespace: info.namespaced ? obj.metadata?.namespace || namespace || 'default' : '', name });
    });
  }
  if (!targets.length) throw new UsageError('no objects passed to delete');
  return targets;
}

/**
 * `delete`: by KIND NAME..., TYPE/NAME, a selector, or the objects in -f manifests. Prints
 * `deployment.apps "nginx" deleted` per object (also when finalizers or a grace period keep
 * it a while); an object that cannot be deleted is reported and the rest still are.
 */
export async function del(client: CommandClient, args: DeleteArgs, io: IO): Promise<number> {
  return guarded(io, async () => {
    const names = args.names ?? [];
    let targets: DeleteTarget[];
    if (args.files?.length) {
      if (args.kind || names.length) {
        throw new UsageError('when paths or stdin is provided as input, you may not specify resource arguments as well');
      }
      targets = await targetsFromFiles(args.files, args.namespace, io);
    } else {
      if (!args.kind) throw new UsageError('you must specify the type of resource to delete, or -f FILE');
      targets = [];
      for (const t of resolveTargets(args.kind, names)) {
        const namespace = namespaceFor(t.info, { namespace: args.namespace }, true);
        if (t.names.length) {
          targets.push(...t.names.map((name) => ({ info: t.info, namespace, name })));
        } else if (args.selector) {
          const { items } = await listPages(client, t.info.kind, { namespace, labelSelector: args.selector });
          targets.push(...items.map((o) => ({ info: t.info, namespace, name: o.metadata?.name ?? '' })));
        } else {
          throw new UsageError('resource(s) were provided, but no name was specified');
        }
      }
      if (!targets.length && args.selector) {
        io.err(noResourcesMessage(undefined, args.namespace || 'default'));
        return 0;
      }
    }

    const opts: Parameters<CommandClient['delete']>[3] = { propagationPolicy: POLICIES[args.cascade ?? 'background'] };
    if (args.gracePeriod !== undefined && args.gracePeriod >= 0) opts.gracePeriodSeconds = args.gracePeriod;
    let failed = false;
    for (const t of targets) {
      try {
        await client.delete(t.info.kind, t.namespace, t.name, opts);
        io.out(`${qualifiedName(t.info)} "${t.name}" deleted`);
      } catch (err) {
        failed = true;
        io.err(formatError(err));
      }
    }
    return failed ? 1 : 0;
  });
}
