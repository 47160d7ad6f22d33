import type { ResolvedOptions } from '../config/options.ts';
import type { ToolAvailability } from '../run/environment.ts';

export const OPTIONS_KEY = 'py2wasmOptions';
export const AVAILABILITY_KEY = 'py2wasmAvailability';

declare module 'vitest' {
  interface ProvidedContext {
    py2wasmOptions: ResolvedOptions;
    py2wasmAvailability: ToolAvailability;
    /** set by the plugin in watch mode: only then does a saved case narrow the next run */
    py2wasmWatching: boolean;
  }
}
