// Kernel and service errors: names inside TypeScript, numbers at the guest ABI (docs/abi.md).

export type KernelError =
  | 'BAD_SLOT' | 'RIGHTS' | 'BAD_OPCODE' | 'BAD_ARG' | 'FAULT' | 'QUOTA' | 'REGION_CONFLICT'
  | 'DENIED' | 'WOULD_BLOCK' | 'BAD_SYSCALL' | 'NOT_FOUND';

export const ERROR_CODES: Readonly<Record<KernelError, number>> = {
  BAD_SLOT: -1, RIGHTS: -2, BAD_OPCODE: -3, BAD_ARG: -4, FAULT: -5, QUOTA: -6,
  REGION_CONFLICT: -7, DENIED: -8, WOULD_BLOCK: -9, BAD_SYSCALL: -10, NOT_FOUND: -11,
};

/** A result value: success with a payload, or a named error. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: KernelError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = <T = never>(error: KernelError): Result<T> => ({ ok: false, error });
