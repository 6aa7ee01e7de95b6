// Bearer-token authentication for every RPC. Identities carry a user and groups so that
// roles (authorization) can be added without touching the transport.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';

export interface Identity {
  user: string;
  groups: string[];
}

/** Token → identity. Looked up in constant time per candidate. */
export class TokenAuthenticator {
  private readonly tokens: { token: Buffer; identity: Identity }[];

  constructor(tokens: Record<string, Identity>) {
    this.tokens = Object.entries(tokens).map(([token, identity]) => ({ token: Buffer.from(token), identity }));
  }

  authenticate(header: string | undefined): Identity | undefined {
    const m = header?.match(/^Bearer\s+(\S+)$/i);
    if (!m) return undefined;
    const given = Buffer.from(m[1]!);
    let found: Identity | undefined;
    for (const { token, identity } of this.tokens) {
      if (token.length === given.length && timingSafeEqual(token, given)) found = identity;
    }
    return found;
  }

  /** A server interceptor that ends every call without a valid token with UNAUTHENTICATED. */
  interceptor(): grpc.ServerInterceptor {
    return (_method, call) =>
      new grpc.ServerInterceptingCall(call, {
        start: (next) => {
          next({
            onReceiveMetadata: (metadata, mdNext) => {
              const header = metadata.get('authorization')[0];
              if (!this.authenticate(typeof header === 'string' ? header : undefined)) {
                call.sendStatus({
                  code: grpc.status.UNAUTHENTICATED,
                  details: header ? 'invalid bearer token' : 'missing bearer token: send "authorization: Bearer <token>"',
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
}

/** A fresh random admin token. */
export function generateToken(): string {
  return randomBytes(32).toString('hex');
}
