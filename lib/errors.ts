// Typed errors, and the one table that maps them to and from gRPC status codes.
import { Metadata, status as Status, type ServiceError, type StatusObject } from '@grpc/grpc-js';

export class ShoalError extends Error {
  override name = 'ShoalError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The object does not exist (HTTP 404). */
export class NotFoundError extends ShoalError {
  override name = 'NotFoundError';
}

/** An object with that name already exists (HTTP 409 AlreadyExists). */
export class AlreadyExistsError extends ShoalError {
  override name = 'AlreadyExistsError';
}

/** The write carried a stale resourceVersion (HTTP 409 Conflict): re-read and retry. */
export class ConflictError extends ShoalError {
  override name = 'ConflictError';
}

/** One rejected field: `spec.replicas: Invalid value: -1: must be greater than or equal to 0`. */
export interface FieldViolation {
  field: string;
  message: string;
}

/** The input is invalid; `violations` lists every problem with its field path (HTTP 422). */
export class InvalidError extends ShoalError {
  override name = 'InvalidError';
  readonly violations: FieldViolation[];
  /** What was invalid, e.g. `Deployment "web" is invalid`. */
  readonly prefix: string;
  constructor(violations: FieldViolation[], prefix = 'invalid', options?: { cause?: unknown }) {
    super(`${prefix}: ${violations.map((v) => `${v.field}: ${v.message}`).join('; ')}`, options);
    this.violations = violations;
    this.prefix = prefix;
  }
}

/** A watch asked for a revision the change log no longer holds (HTTP 410 Gone): relist. */
export class ExpiredError extends ShoalError {
  override name = 'ExpiredError';
}

/** Missing or wrong credentials (HTTP 401). */
export class UnauthenticatedError extends ShoalError {
  override name = 'UnauthenticatedError';
}

/** The request is too large (HTTP 413). */
export class TooLargeError extends ShoalError {
  override name = 'TooLargeError';
}

/** The server cannot be reached right now; worth retrying (HTTP 503). */
export class UnavailableError extends ShoalError {
  override name = 'UnavailableError';
}

/** The deadline passed before the call finished (HTTP 504). */
export class TimeoutError extends ShoalError {
  override name = 'TimeoutError';
}

type ErrorClass = new (message: string, options?: { cause?: unknown }) => ShoalError;

/** The one mapping between error classes and gRPC codes, both ways. */
const TABLE: [ErrorClass, Status][] = [
  [NotFoundError, Status.NOT_FOUND],
  [AlreadyExistsError, Status.ALREADY_EXISTS],
  [ConflictError, Status.ABORTED],
  [ExpiredError, Status.OUT_OF_RANGE],
  [UnauthenticatedError, Status.UNAUTHENTICATED],
  [TooLargeError, Status.RESOURCE_EXHAUSTED],
  [UnavailableError, Status.UNAVAILABLE],
  [TimeoutError, Status.DEADLINE_EXCEEDED],
];

// Field violations travel as JSON in trailing metadata, so clients rebuild InvalidError.
const VIOLATIONS_KEY = 'shoal-field-violations';

/** The gRPC status for an error thrown by a handler; unknown errors become INTERNAL. */
export function toGrpcStatus(err: unknown): Partial<StatusObject> {
  if (err instanceof InvalidError) {
    const metadata = new Metadata();
    metadata.set(VIOLATIONS_KEY, JSON.stringify({ prefix: err.prefix, violations: err.violations }));
    return { code: Status.INVALID_ARGUMENT, details: err.message, metadata };
  }
  for (const [cls, code] of TABLE) {
    if (err instanceof cls) return { code, details: err.message };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: Status.INTERNAL, details: `internal error: ${message}` };
}

/** The typed error for a failed gRPC call. */
export function fromGrpcError(err: ServiceError): ShoalError {
  if (err.code === Status.INVALID_ARGUMENT) {
    const raw = err.metadata?.get(VIOLATIONS_KEY)[0];
    if (typeof raw === 'string') {
      try {
        const { prefix, violations } = JSON.parse(raw) as { prefix: string; violations: FieldViolation[] };
        return new InvalidError(violations, prefix, { cause: err });
      } catch {
        // Fall through to the plain message.
      }
    }
    return new InvalidError([{ field: '<request>', message: err.details }], 'invalid', { cause: err });
  }
  for (const [cls, code] of TABLE) {
    if (err.code === code) return new cls(err.details, { cause: err });
  }
  return new ShoalError(err.details || err.message, { cause: err });
}

/** A gRPC client error, as opposed to any other thrown value. */
export function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number';
}
