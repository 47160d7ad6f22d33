// `fix --apply <checkout>`: the verified patches of the last `fix` applied to a py2wasm checkout
// with `git apply`, refused on a tree with uncommitted changes (the user's work is never mixed in).
import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { FixesFile } from '../../fix/results.ts';
import type { CommandIO } from './import-pickle.ts';

export async function applyFixes(
  checkout: string,
  fixesDir: string,
  say: (l: string) => void,
  io: CommandIO,
): Promise<number> {
  const dir = path.resolve(checkout);
  if (!(await fs.stat(path.join(dir, 'nuitka', '__main__.py')).catch(() => undefined)))
    throw new Error(`${checkout} is not a py2wasm checkout: it has no nuitka/__main__.py`);
  const file = JSON.parse(
    await fs.readFile(path.join(fixesDir, 'fixes.json'), 'utf8').catch(() => {
      throw new Error(`no fixes at ${fixesDir}: run vitest-py2wasm fix first`);
    }),
  ) as FixesFile;
  const git = (args: string[]) => execa('git', args, { cwd: dir, reject: false, stdin: 'ignore' });
  const status = await git(['status', '--porcelain', '--untracked-files=no']);
  if (status.exitCode !== 0)
    throw new Error(`git status in ${checkout} failed (exit ${status.exitCode}): ${status.stderr}`);
  if (status.stdout.trim())
    throw new Error(`${checkout} has uncommitted changes; commit or put them aside first:\n${status.stdout}`);
  const verified = file.fixes.filter((f) => f.verified.some((v) => v.role === 'failing' && v.after !== v.before));
  if (!verified.length) throw new Error('no patch of the last fix changed any failing case: nothing to apply');
  const paths = verified.map((f) => path.join(fixesDir, f.patch));
  const check = await git(['apply', '--check', ...paths]);
  if (check.exitCode !== 0)
    throw new Error(
      `the patches do not apply to ${checkout} (git apply --check, exit ${check.exitCode}):\n${check.stderr}`,
    );
  const applied = await git(['apply', ...paths]);
  if (applied.exitCode !== 0) throw new Error(`git apply failed (exit ${applied.exitCode}):\n${applied.stderr}`);
  for (const f of verified) say(`applied ${f.patch}: ${f.title}`);
  io.stdout.write(
    `${verified.length} patch${verified.length === 1 ? '' : 'es'} applied to ${checkout}; a watch run shows what they fix\n`,
  );
  return 0;
}
