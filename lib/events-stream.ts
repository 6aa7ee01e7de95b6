// The wire contract for change events over NATS JetStream, shared by the API server's pump
// (the only publisher) and every informer (the consumers). One message per store revision,
// published in revision order, so stream sequence and revision advance together.
import { headers as natsHeaders, type MsgHdrs } from 'nats';
import type { KubeObject } from './kinds.js';

/** The stream that carries the change log. */
export const EVENTS_STREAM = 'SHOAL_EVENTS';
/** Every event subject starts with this. */
export const EVENTS_SUBJECT_PREFIX = 'shoal.events';
/** The stream's subject filter: every kind, every namespace. */
export const EVENTS_SUBJECTS = `${EVENTS_SUBJECT_PREFIX}.>`;
/** The namespace token for cluster-scoped objects (an empty token is not a valid subject). */
export const CLUSTER_SCOPE_TOKEN = '_';
/** JetStream's de-duplication header; the pump sets it to the revision. */
export const MSG_ID_HEADER = 'Nats-Msg-Id';
/** The revision, readable without parsing the body (the stream's last message is read this way). */
export const REVISION_HEADER = 'Shoal-Revision';

export type StreamEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change event as it travels; the same shape as the store's ChangeEvent. */
export interface StreamEvent {
  type: StreamEventType;
  revision: number;
  /** The revision of the previous change to an object of the same kind (0 if none). */
  kindPrevRevision: number;
  object: KubeObject;
  prevObject?: KubeObject;
  /** Set when the event was too large for a NATS message: `object` then carries only apiVersion,
   * kind and metadata, and a consumer must re-read the object (an informer relists). */
  truncated?: boolean;
}

// A subject token may not be empty or contain '.', '*', '>' or whitespace. Kubernetes kinds
// and namespace names (DNS labels) never do; anything else is a bug upstream, and silently
// mapping it onto another subject would route events to the wrong consumers.
const TOKEN = /^[^\s.*>]+$/;

function token(value: string, what: string): string {
  if (!TOKEN.test(value)) throw new Error(`invalid ${what} for an event subject: ${JSON.stringify(value)}`);
  return value;
}

/** `shoal.events.<Kind>.<namespace or "_">` */
export function eventSubject(kind: string, namespace: string | undefined): string {
  const ns = namespace ? token(namespace, 'namespace') : CLUSTER_SCOPE_TOKEN;
  return `${EVENTS_SUBJECT_PREFIX}.${token(kind, 'kind')}.${ns}`;
}

/** `shoal.events.<Kind>.>`: every event of one kind. */
export function kindSubjectFilter(kind: string): string {
  return `${EVENTS_SUBJECT_PREFIX}.${token(kind, 'kind')}.>`;
}

export interface EncodedEvent {
  subject: string;
  data: Uint8Array;
  headers: MsgHdrs;
  /** The de-duplication id (the revision, in decimal). */
  msgID: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function serialize(ev: StreamEvent): Uint8Array {
  const body: StreamEvent = {
    type: ev.type,
    revision: ev.revision,
    kindPrevRevision: ev.kindPrevRevision,
    object: ev.object,
  };
  if (ev.prevObject) body.prevObject = ev.prevObject;
  if (ev.truncated) body.truncated = true;
  return encoder.encode(JSON.stringify(body));
}

/**
 * Encodes an event for publishing. If `maxPayload` is given and the body would exceed it, the
 * event first loses `prevObject` (consumers hold the old object in their cache), then is
 * truncated to the object's identity: a publisher must never wedge on one oversized object.
 */
export function encodeEvent(ev: StreamEvent, maxPayload?: number): EncodedEvent {
  const kind = ev.object.kind;
  if (!kind) throw new Error(`event at revision ${ev.revision} carries an object without kind`);
  const subject = eventSubject(kind, ev.object.metadata?.namespace);
  let data = serialize(ev);
  // Leave room for the headers and protocol overhead.
  const limit = maxPayload !== undefined ? maxPayload - 512 : Infinity;
  if (data.byteLength > limit && ev.prevObject) {
    data = serialize({ ...ev, prevObject: undefined });
  }
  if (data.byteLength > limit) {
    const { apiVersion, metadata } = ev.object;
    data = serialize({ ...ev, prevObject: undefined, object: { apiVersion, kind, metadata }, truncated: true });
  }
  const msgID = String(ev.revision);
  const hdrs = natsHeaders();
  hdrs.set(MSG_ID_HEADER, msgID);
  hdrs.set(REVISION_HEADER, msgID);
  return { subject, data, headers: hdrs, msgID };
}

/** The revision in a message's `Shoal-Revision` header; undefined if absent or malformed. */
export function revisionFromHeaders(hdrs: MsgHdrs | undefined): number | undefined {
  const raw = hdrs?.get(REVISION_HEADER);
  if (!raw) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

const TYPES = new Set<string>(['ADDED', 'MODIFIED', 'DELETED']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Decodes a message body; throws a descriptive error if it is not a well-formed event. */
export function decodeEvent(data: Uint8Array): StreamEvent {
  const raw: unknown = JSON.parse(decoder.decode(data));
  if (!isRecord(raw)) throw new Error('change event is not a JSON object');
  const { type, revision, kindPrevRevision, object, prevObject, truncated } = raw;
  if (typeof type !== 'string' || !TYPES.has(type)) throw new Error(`change event has invalid type ${String(type)}`);
  if (typeof revision !== 'number' || !Number.isSafeInteger(revision) || revision <= 0) {
    throw new Error(`change event has invalid revision ${String(revision)}`);
  }
  if (typeof kindPrevRevision !== 'number' || !Number.isSafeInteger(kindPrevRevision) || kindPrevRevision < 0) {
    throw new Error(`change event ${revision} has invalid kindPrevRevision ${String(kindPrevRevision)}`);
  }
  if (!isRecord(object)) throw new Error(`change event ${revision} has no object`);
  const ev: StreamEvent = { type: type as StreamEventType, revision, kindPrevRevision, object };
  if (isRecord(prevObject)) ev.prevObject = prevObject;
  if (truncated === true) ev.truncated = true;
  return ev;
}
