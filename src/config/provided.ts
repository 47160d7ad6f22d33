import type { ResolvedOptions } from './options.ts';

// What the plugin hands to the test workers and the reporter through vitest's provide/inject.
// The doctor's findings (`py2wasmAvailability`) are declared beside their type in tools/availability.ts.
declare module 'vitest' {
  interface ProvidedContext {
    py2wasmOptions: ResolvedOptions;
    /** set by the plugin in watch mode: only then does a saved case narrow the next run */
    py2wasmWatching: boolean;
    /** one per vitest process (a watch session is one run): failure groups share a diagnosis within it */
    py2wasmRunId: string;
  }
}
