/**
 * The one error services throw for expected refusals (bad input, illegal transition, not found,
 * not allowed). The bot replies with `message` as is, so it is a full Vietnamese sentence saying
 * what is wrong and what to do. Anything else thrown by a service is a bug.
 */
export type ServiceErrorCode =
  | "invalid_input"
  | "not_found"
  /** The typed text names several people or units; the message lists them. */
  | "ambiguous"
  | "forbidden"
  | "conflict"
  | "illegal_transition"
  | "address_taken"
  | "not_eligible"
  | "rate_limited"
  | "expired"
  | "weak_password"
  | "password_reused"
  | "bad_file"
  | "bad_encoding";

export class ServiceError extends Error {
  override readonly name = "ServiceError";
  readonly code: ServiceErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ServiceErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof ServiceError;
}
