#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so the package ships its sources as they are.
import { register } from 'tsx/esm/api';

register();
// a reader that stops early (`vitest-py2wasm cache | head`) is not an error of ours
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
