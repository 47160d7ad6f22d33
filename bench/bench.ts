// `npm run bench`: the project's performance targets, each measured side by side in one run and
// printed with its raw figures, then one table: target, measured, ratio, PASS/MISS.
//
//   npm run bench                          every section (the cold-suite section compiles every case twice: long)
//   npm run bench -- --quick               the cold-suite section on chapters 1 and 5 only
//   npm run bench -- --only symbolize      one section (or several: --only overhead,history)
//   options: --reps N (warm repetitions, default 5), --frames N (large symbolization set, default 2000),
//            --keep (keep the temporary folders), --strict (exit 1 on a MISS too, not only on an ERROR)
//
// Sections run one after another: on 2 cores two measurements at once would measure each other.
// A new section (the watch-latency one, target 4, once watch mode lands) is a module exporting a
// `Section` (bench/common.ts), added to SECTIONS below; its rows join the final table.

import { parseArgs } from 'node:util';
import { cacheSection } from './cache.ts';
import { compilesSection } from './compiles.ts';
import { diagnoseSection } from './diagnose.ts';
import { fixSection } from './fix.ts';
import { historySection } from './history.ts';
import { overheadSection } from './overhead.ts';
import { ownLineSection } from './own-line.ts';
import { reduceSection } from './reduce.ts';
import { shardsSection } from './shards.ts';
import { suiteSection } from './suite.ts';
import { symbolizeSection } from './symbolize.ts';
import { watchSection } from './watch.ts';
import { wamrWatchSection } from './wamr-watch.ts';
import { foreignCompilers, loadNote, secs, table, type BenchContext, type Row, type Section } from './common.ts';

/** In run order: the short, warm sections first, the long cold-suite one last. */
const SECTIONS: Section[] = [
  overheadSection,
  symbolizeSection,
  historySection,
  watchSection,
  wamrWatchSection,
  diagnoseSection,
  ownLineSection,
  reduceSection,
  cacheSection,
  fixSection,
  shardsSection,
  suiteSection,
  compilesSection,
];

const USAGE = `usage: npm run bench -- [--quick] [--only ${SECTIONS.map((s) => s.name).join('|')}[,...]] [--reps N] [--frames N] [--keep] [--strict]`;

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} needs a positive integer, not ${value}\n${USAGE}`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      reps: { type: 'string' },
      frames: { type: 'string' },
      keep: { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const only = (values.only ?? [])
    .flatMap((o) => o.split(','))
    .map((o) => o.trim())
    .filter(Boolean);
  const unknown = only.filter((o) => !SECTIONS.some((s) => s.name === o));
  if (unknown.length) throw new Error(`unknown section ${unknown.join(', ')}\n${USAGE}`);
  const selected = only.length ? SECTIONS.filter((s) => only.includes(s.name)) : SECTIONS;
  const ctx: BenchContext = {
    quick: values.quick,
    reps: positiveInt(values.reps, 'reps', 5),
    frames: positiveInt(values.frames, 'frames', 2000),
    keep: values.keep,
    log: (line) => process.stdout.write(`${line}\n`),
  };

  const started = performance.now();
  ctx.log(
    `vitest-py2wasm bench: ${selected.map((s) => s.name).join(', ')}${ctx.quick ? ' (--quick)' : ''}; ${await loadNote()}`,
  );
  const foreign = await foreignCompilers();
  if (foreign.length)
    ctx.log(
      `WARNING: py2wasm/Nuitka processes of another run are busy (pids ${foreign.join(', ')}): the figures include that contention`,
    );

  const rows: Row[] = [];
  for (const section of selected) {
    ctx.log(`\n== ${section.title} ==`);
    const s = performance.now();
    try {
      const got = await section.run(ctx);
      rows.push(...got);
      for (const r of got) ctx.log(`  -> ${r.id} ${r.verdict}: ${r.ratio} (${r.measured})`);
    } catch (error) {
      const message = (error as Error).stack ?? String(error);
      ctx.log(`  ERROR: ${message}`);
      rows.push({
        id: section.name,
        target: section.title,
        measured: String((error as Error).message ?? error).split('\n')[0]!,
        ratio: '-',
        verdict: 'ERROR',
      });
    }
    ctx.log(`  (${section.name}: ${secs(performance.now() - s)})`);
  }

  rows.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  ctx.log(`\n== Results (${secs(performance.now() - started)} in all) ==\n`);
  ctx.log(
    table(
      ['#', 'target', 'measured', 'ratio', 'verdict'],
      rows.map((r) => [r.id, r.target, r.measured, r.ratio, r.verdict]),
    ),
  );
  for (const r of rows.filter((r) => r.note)) ctx.log(`  ${r.id}: ${r.note}`);
  const missed = rows.filter((r) => r.verdict === 'MISS');
  const errors = rows.filter((r) => r.verdict === 'ERROR');
  ctx.log(
    `\n${rows.length - missed.length - errors.length} PASS, ${missed.length} MISS${missed.length ? ` (${missed.map((r) => r.id).join(', ')})` : ''}, ${errors.length} ERROR`,
  );
  return errors.length || (values.strict && missed.length) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
  },
);
