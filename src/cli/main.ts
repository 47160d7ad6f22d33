import path from 'node:path';
import { cac } from 'cac';
import { createColors } from 'picocolors';
import { ConfigError, resolveOptions } from '../config/options.ts';
import { formatDoctor } from '../doctor/format.ts';
import { runDoctor } from '../doctor/doctor.ts';
import { ensureToolchain } from '../toolchain/index.ts';
import { parseSize } from './size.ts';

import { setupWamrCommand } from './commands/setup-wamr.ts';
import { cacheCommand, type CacheFlags } from './commands/cache.ts';
import { compareCommand } from './commands/compare.ts';
import { reduceCommand } from './commands/reduce.ts';
import { bisectCommand } from './commands/bisect.ts';
import { fixCommand } from './commands/fix.ts';
import { bisectStep } from '../bisect/step.ts';
import { importPickleCommand, type CommandIO } from './commands/import-pickle.ts';

const defaultIO: CommandIO = { stdout: process.stdout, stderr: process.stderr };

/** Runs a long command with an AbortSignal that Ctrl-C (or SIGTERM) fires, so it can stop cleanly. */
async function withInterrupt(run: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** `vitest-py2wasm <command>`; returns the exit status. */
export async function main(argv: string[], cio: CommandIO = defaultIO): Promise<number> {
  const io = { stdout: (t: string) => cio.stdout.write(t), stderr: (t: string) => cio.stderr.write(t) };
  const cli = cac('vitest-py2wasm');
  let pending: Promise<number> | undefined;
  const color = !process.env.NO_COLOR && Boolean(process.stdout.isTTY);

  cli.command('doctor', 'Show which tools were found, their versions, and what to do about missing ones').action(() => {
    pending = (async () => {
      const options = resolveOptions();
      const report = await runDoctor(options);
      io.stdout(`${formatDoctor(report.lines, { color })}\n`);
      io.stdout(
        `targets: ${options.targets.map((t) => t.name).join(', ')}\ncookbook: ${options.root}${options.isSample ? ' (sample)' : ''}\n`,
      );
      return report.lines.some((l) => l.needed && l.status === 'missing') ? 1 : 0;
    })();
  });

  cli
    .command('setup', 'Install py2wasm (PyPI) into a venv and assemble its WASI SDK from Debian LLVM 19')
    .option('--spec <spec>', 'pip spec or local py2wasm checkout (installed editable)')
    .option('--no-verify', 'skip the hello-world compile check')
    .option('--wamr <checkout>', 'instead: build iwasm variants of this WAMR checkout into the cache')
    .option('--variants <list>', 'with --wamr: release,classic,debug,fast-jit,aot (default release,classic,debug)')
    .action((flags: { spec?: string; verify?: boolean; wamr?: string; variants?: string }) => {
      if (flags.wamr) {
        pending = setupWamrCommand({ wamr: flags.wamr, ...(flags.variants ? { variants: flags.variants } : {}) }, io);
        return;
      }
      pending = (async () => {
        const options = resolveOptions();
        const toolchain = await ensureToolchain({
          cacheDir: options.cacheDir,
          py2wasmSpec: flags.spec ?? options.py2wasmSpec,
          wasiSdkDir: options.tools.wasiSdkDir ?? undefined,
          verify: flags.verify !== false,
          onProgress: (msg) => io.stderr(`setup: ${msg}\n`),
        });
        io.stdout(
          `py2wasm: ${toolchain.py2wasm.join(' ')}\nWASI SDK: ${toolchain.wasiSdkDir}\nfingerprint: ${toolchain.fingerprints.py2wasm}\n`,
        );
        return 0;
      })();
    });

  cli
    .command(
      'cache [action] [file]',
      'Show the compile cache and the compiler cache (ccache); prune or clear both; export or import it',
    )
    .option('--prune', 'evict least recently used entries down to the size limit')
    .option('--max-size <size>', 'size limit for --prune (e.g. 2G); default: the configured cacheMaxBytes')
    .option(
      '--key',
      'print the CI cache key (key=...) and its restore prefix (restore-key=...) from the py2wasm in use',
    )
    .option(
      '--clear',
      'remove every entry, every cached C object, every cached CPython result and wasm run, and every cached diagnosis and stack',
    )
    .action((action: string | undefined, file: string | undefined, flags: CacheFlags) => {
      pending = withInterrupt((signal) => cacheCommand({ ...flags, action, file, signal }, io));
    });

  cli
    .command(
      'import-pickle <...inputs>',
      "Read the old analysis notebook's chapter_N_result.pkl files (files or folders) into results.json form",
    )
    .option('--out <file>', 'write here (default: stdout)')
    .action((inputs: string[], flags: { out?: string }) => {
      pending = importPickleCommand({ inputs, out: flags.out }, cio);
    });

  cli
    .command(
      'compare <old> <new>',
      'Fixed, regressed and changed cases between two runs (results.json, report dirs or pickles); exit 1 on a regression',
    )
    .option('--markdown <file>', 'also write the comparison as Markdown')
    .option('--target <name>', 'compare only this target')
    .option(
      '--max-size <size>',
      'largest results.json read (e.g. 200M); default: about 512M, the longest string Node holds',
    )
    .action((oldRun: string, newRun: string, flags: { markdown?: string; target?: string; maxSize?: string }) => {
      pending = compareCommand(
        {
          old: oldRun,
          new: newRun,
          markdown: flags.markdown,
          target: flags.target,
          ...(flags.maxSize ? { maxBytes: parseSize(flags.maxSize) } : {}),
        },
        cio,
      );
    });

  cli
    .command(
      'watch [checkout]',
      'Watch mode while patching: install a py2wasm checkout editable, then re-run cases on every save',
    )
    .option('--config <file>', 'vitest config (default: vitest.config.ts)')
    .option(
      '--wamr <checkout>',
      'also build iwasm variants of this WAMR checkout, and rebuild them on every save in it',
    )
    .action((checkout: string | undefined, flags: { config?: string; wamr?: string }) => {
      pending = (async () => {
        // the plugin reads WAMR_DIR when vitest loads the config, in this process
        if (flags.wamr) process.env.WAMR_DIR = path.resolve(flags.wamr);
        const options = resolveOptions();
        if (checkout) {
          await ensureToolchain({
            cacheDir: options.cacheDir,
            py2wasmSpec: path.resolve(checkout),
            wasiSdkDir: options.tools.wasiSdkDir ?? undefined,
            verify: false,
            onProgress: (msg) => io.stderr(`setup: ${msg}\n`),
          });
        }
        const { startVitest } = await import('vitest/node');
        const vitest = await startVitest('test', [], {
          watch: true,
          ...(flags.config ? { config: flags.config } : {}),
        });
        if (!vitest) return 1;
        // runs until the user quits vitest's watch mode
        await new Promise<void>((resolve) => vitest.onClose(() => resolve()));
        return 0;
      })();
    });

  cli
    .command(
      'reduce <case>',
      'Shrink a failing case (recipe.example) to a minimal reproducer and a report.md for an upstream issue; run again to resume',
    )
    .option('--target <target>', 'the target it fails on, e.g. py2wasm+node (default: the first configured target)')
    .option('--out <dir>', 'output folder (default: <report dir>/reduced/<chapter>-<case>)')
    .option('--fresh', 'start over instead of resuming')
    .action((name: string, flags: { target?: string; out?: string; fresh?: boolean }) => {
      pending = withInterrupt((signal) => reduceCommand({ case: name, ...flags, signal }, cio));
    });

  cli
    .command(
      'bisect <checkout> [...cases]',
      'The first commit of a py2wasm or WAMR checkout at which the cases fail as they do at --bad (git bisect run); the checkout is left as found',
    )
    .option('--good <rev>', 'a revision where the cases do not fail that way')
    .option('--bad <rev>', 'a revision where they fail')
    .option('--target <target>', 'the target to judge on (default: the first configured target)')
    .option('--out <dir>', 'step log and result (default: <report dir>/bisect)')
    .action(
      (checkout: string, cases: string[], flags: { good?: string; bad?: string; target?: string; out?: string }) => {
        pending = withInterrupt((signal) =>
          bisectCommand(
            {
              checkout,
              cases,
              good: flags.good ?? '',
              bad: flags.bad ?? '',
              ...(flags.target ? { target: flags.target } : {}),
              ...(flags.out ? { out: flags.out } : {}),
              signal,
            },
            cio,
          ),
        );
      },
    );

  cli
    .command(
      'fix [...names]',
      'For each failure group of the last report with a known fix (or the groups of these cases), a py2wasm patch verified by re-running the cases; written to <report dir>/fixes/',
    )
    .option('--target <target>', 'only the records of this target')
    .option('--all', 'also apply every verified patch together and re-run the whole cookbook')
    .option('--sample <n>', 'passing cases re-run per patch to show it breaks nothing (default 2)')
    .option(
      '--apply <checkout>',
      'instead: apply the verified patches of the last fix to this py2wasm checkout (refused when it has uncommitted changes)',
    )
    .action((names: string[], flags: { target?: string; all?: boolean; sample?: string; apply?: string }) => {
      pending = withInterrupt((signal) =>
        fixCommand(
          {
            names,
            ...(flags.target ? { target: flags.target } : {}),
            ...(flags.all ? { all: true } : {}),
            ...(flags.sample !== undefined ? { sample: Number(flags.sample) } : {}),
            ...(flags.apply ? { apply: flags.apply } : {}),
            signal,
          },
          cio,
        ),
      );
    });

  // one step of `git bisect run`, called by `bisect`: exit 0 good, 1 bad, 125 skip
  cli.command('bisect-step <config>', '').action((config: string) => {
    pending = bisectStep(config).catch((error: unknown) => {
      io.stderr(`bisect-step: ${(error as Error).message}\n`);
      return 200;
    });
  });

  cli.help();
  try {
    cli.parse(['node', 'vitest-py2wasm', ...argv], { run: false });
    // cac has printed the help asked for (a command's own when its name matched) and unset the match
    if (cli.options.help) {
      const asked = argv[0]?.startsWith('-') ? undefined : argv[0];
      if (asked === undefined || cli.commands.some((command) => command.isMatched(asked))) return 0;
      io.stderr(`unknown command: ${asked}\n`);
      return 2;
    }
    if (!cli.matchedCommand) {
      if (argv.length) io.stderr(`unknown command: ${argv[0]}\n`);
      cli.outputHelp();
      return 2;
    }
    await cli.runMatchedCommand();
    return await (pending ?? Promise.resolve(0));
  } catch (error) {
    const c = createColors(color);
    io.stderr(`${c.red('error:')} ${(error as Error).message}\n`);
    return error instanceof ConfigError ? 2 : 1;
  }
}
