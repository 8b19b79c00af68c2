import pino, { type Logger } from 'pino';
import { REDACTED_PATHS, scrubSecrets, serializeError } from './redaction.js';

export interface LogOptions {
  level?: string;
  /** A file to append to instead of stdout (tests grep it). */
  file?: string;
}

/**
 * The server's one pino logger: JSON lines, secrets redacted by path, error objects reduced to
 * message and stack, and every finished line scrubbed of anything shaped like a secret.
 */
export function createLogger(options: LogOptions = {}): Logger {
  const destination = options.file
    ? pino.destination({ dest: options.file, sync: true, mkdir: true })
    : pino.destination({ fd: 1, sync: false });
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError, error: serializeError },
      hooks: { streamWrite: scrubSecrets },
    },
    destination,
  );
}
