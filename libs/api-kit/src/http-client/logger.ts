/**
 * The logging surface the peer client and the event helpers need: pino-compatible
 * `(object, message)` calls. Callers pass their app logger; the default discards everything.
 * Implementations must not be handed tokens or bodies, and this code never passes them (S2S-12).
 */
export interface StructuredLogger {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

/** A logger that drops every line; the default when none is injected. */
export const silentLogger: StructuredLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
