#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so the package ships its sources as they are.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
