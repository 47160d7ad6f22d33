/** A mistake in the configuration (options or environment): the message says what to write instead. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
