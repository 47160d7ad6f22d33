export { defineCookbookChapter, CaseFailure } from './vitest/chapter.ts';
export { py2wasmCookbook, defineCookbookOptions } from './vitest/plugin.ts';
export { cookbookReporter, CookbookReporter, type CookbookReporterOptions } from './report/reporter.ts';
export type { CookbookOptions } from './config/cookbook-options.ts';
export { resolveOptions, type ResolvedOptions } from './config/options.ts';
export { discoverCookbook, CookbookError, type CookbookCase, type CookbookChapter } from './discover/discover.ts';
export * from './types.ts';
