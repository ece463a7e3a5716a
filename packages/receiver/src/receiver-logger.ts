/** The logging the receiver needs; a pino logger fits as it is. */
export interface ReceiverLogger {
  debug(details: object, message: string): void;
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

const ignore = () => undefined;

/** The default: the receiver says nothing unless given a logger. */
export const silentLogger: ReceiverLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
