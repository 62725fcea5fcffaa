export type ConfigErrorCode = 'REST_ERR_CONFIG_INVALID' | 'REST_ERR_CONFIG_USAGE';

/** A bad flag or environment value. `message` is the one line a CLI prints; exit with `exitCode`. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: ConfigErrorCode;
  readonly retriable = false;
  readonly exitCode = 2;
  /** The option at fault (`port`, `tags`...), when there is one. */
  readonly option: string | undefined;
  /** Where the bad value came from: `--port`, `BOOKSHELF_PORT`, or `default`. */
  readonly source: string | undefined;

  constructor(
    code: ConfigErrorCode,
    message: string,
    details: { option?: string; source?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: details.cause });
    this.code = code;
    this.option = details.option;
    this.source = details.source;
  }
}
