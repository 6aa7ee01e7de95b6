// The one place that loads Shoal's protos, with one set of options. The decoded form
// (camelCase Kubernetes field names, int64 as number, bytes as base64, unset fields absent)
// is the canonical in-memory shape of every object in every service.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from './gen/api.js';

// Found from the sources (lib/) and from the build (dist/lib/) alike.
export const PROTO_DIR = [new URL('../proto', import.meta.url), new URL('../../proto', import.meta.url)]
  .map((u) => fileURLToPath(u))
  .find((dir) => existsSync(`${dir}/shoal/v1/api.proto`)) ?? fileURLToPath(new URL('../proto', import.meta.url));
export const PROTO_FILES = ['shoal/v1/api.proto'];

export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  bytes: String,
  defaults: false,
  arrays: false,
  objects: false,
  oneofs: false,
  includeDirs: [PROTO_DIR],
};

export const packageDefinition = protoLoader.loadSync(PROTO_FILES, LOADER_OPTIONS);
export const grpcPackage = grpc.loadPackageDefinition(packageDefinition) as unknown as ProtoGrpcType;
export const ResourcesService = grpcPackage.shoal.v1.Resources.service;

/** One field of a message, as the descriptor describes it. */
export interface FieldInfo {
  name: string;
  /** TYPE_STRING, TYPE_INT32, TYPE_MESSAGE, ... */
  type: string;
  repeated: boolean;
  /** Fully-qualified message type name without the leading dot, for TYPE_MESSAGE. */
  messageType?: string;
  /** For map fields: the value's field info. */
  mapValue?: FieldInfo;
}

export interface MessageInfo {
  name: string;
  fields: Map<string, FieldInfo>;
}

interface RawField {
  name: string;
  type: string;
  label: string;
  typeName: string;
}
interface RawDescriptor {
  name: string;
  field: RawField[];
  nestedType: RawDescriptor[];
  options: { mapEntry?: boolean } | null;
}

const messages = new Map<string, MessageInfo>();

// proto-loader's descriptors name field types relative to the enclosing message's package
// (and map entries as nested types of the message), so resolve them in that scope.
function fieldInfo(f: RawField, owner: RawDescriptor, pkg: string): FieldInfo {
  const info: FieldInfo = { name: f.name, type: f.type, repeated: f.label === 'LABEL_REPEATED' };
  if (f.type === 'TYPE_MESSAGE') {
    const typeName = f.typeName.replace(/^\./, '');
    const entry = owner.nestedType.find((n) => n.options?.mapEntry && n.name === typeName);
    if (entry) {
      const value = entry.field.find((x) => x.name === 'value');
      if (!value) throw new Error(`map entry ${typeName} has no value field`);
      info.repeated = false;
      info.mapValue = fieldInfo(value, entry, pkg);
    } else {
      info.messageType = typeName.includes('.') && packageDefinition[typeName] ? typeName : `${pkg}.${typeName}`;
    }
  }
  return info;
}

for (const [fullName, def] of Object.entries(packageDefinition)) {
  if (!('format' in def) || def.format !== 'Protocol Buffer 3 DescriptorProto') continue;
  const desc = def.type as unknown as RawDescriptor;
  const pkg = fullName.slice(0, fullName.lastIndexOf('.'));
  const fields = new Map<string, FieldInfo>();
  for (const f of desc.field) fields.set(f.name, fieldInfo(f, desc, pkg));
  messages.set(fullName, { name: fullName, fields });
}

/** The descriptor of a message type such as "shoal.v1.Pod". Throws if there is none. */
export function messageInfo(fullName: string): MessageInfo {
  const m = messages.get(fullName);
  if (!m) throw new Error(`unknown message type ${fullName}`);
  return m;
}

export const INT_OR_STRING = 'shoal.v1.IntOrString';

export const NodeAgentService = grpcPackage.shoal.v1.NodeAgent.service;
export const NodeAgentClientConstructor = grpcPackage.shoal.v1.NodeAgent;
