import { createColors } from 'picocolors';
import type { DoctorLine } from './line.ts';

export function formatDoctor(lines: DoctorLine[], opts: { color: boolean; onlyNeeded?: boolean }): string {
  const c = createColors(opts.color);
  const mark = { ok: c.green('✓'), warn: c.yellow('!'), missing: c.red('✗') } as const;
  const out = [c.bold('vitest-py2wasm doctor')];
  for (const line of lines) {
    if (opts.onlyNeeded && !line.needed && line.status === 'ok') continue;
    const what = [line.version, line.command && line.command !== line.version ? c.dim(line.command) : undefined]
      .filter(Boolean)
      .join('  ');
    const needed = line.needed ? '' : c.dim(' (not needed by the configured targets)');
    out.push(`  ${mark[line.status]} ${line.tool.padEnd(16)} ${what}${line.status === 'ok' ? '' : needed}`);
    if (line.message)
      out.push(`      ${line.status === 'missing' && line.needed ? c.red(line.message) : c.yellow(line.message)}`);
  }
  return out.join('\n');
}
