import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * py2wasm builds in `<its nuitka package>/__py2wasm/<stem>.build`, so two compiles of the same
 * stem collide. A slot is a folder whose `nuitka/` mirrors the real package with symbolic links,
 * except for an own `__py2wasm/`: py2wasm run from a slot builds there (Python keeps the link
 * path in `__file__`), and the output is byte-identical. One compile of a stem per slot at a time.
 */
export interface CompileSlotsRequest {
  /** The real installed (or editable checkout) `nuitka` package folder. */
  packageDir: string;
  /** The Python that runs py2wasm (the venv's). */
  python: string;
  /** Where slots live. */
  dir: string;
  count: number;
}

const OWN = '__py2wasm';

/** The py2wasm command of each slot, creating or refreshing the slots' link farms. */
export async function prepareCompileSlots(req: CompileSlotsRequest): Promise<string[][]> {
  const key = crypto.createHash('sha256').update(`${req.packageDir}\0${req.python}`).digest('hex').slice(0, 12);
  const entries = (await fs.readdir(req.packageDir)).filter((e) => e !== OWN);
  const commands: string[][] = [];
  for (let i = 0; i < req.count; i++) {
    const slot = path.join(req.dir, key, String(i));
    const nuitka = path.join(slot, 'nuitka');
    await fs.mkdir(path.join(nuitka, OWN), { recursive: true });
    // refresh the links: an editable checkout may gain or lose top-level files between runs
    const present = new Set((await fs.readdir(nuitka)).filter((e) => e !== OWN));
    for (const entry of entries) {
      const link = path.join(nuitka, entry);
      const target = path.join(req.packageDir, entry);
      if (present.has(entry) && (await fs.readlink(link).catch(() => '')) === target) {
        present.delete(entry);
        continue;
      }
      await fs.rm(link, { recursive: true, force: true });
      // another worker may be refreshing the same slot: its link is as good as ours
      await fs.symlink(target, link).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      present.delete(entry);
    }
    for (const stale of present) await fs.rm(path.join(nuitka, stale), { recursive: true, force: true });
    // a script, not `python -c`: Nuitka re-executes itself through sys.argv[0]
    const entry = path.join(slot, 'py2wasm');
    const script = `#!${req.python}\nimport sys\nsys.path.insert(0, ${JSON.stringify(slot)})\nfrom nuitka.__main__ import py2wasm\nsys.exit(py2wasm())\n`;
    if ((await fs.readFile(entry, 'utf8').catch(() => '')) !== script) {
      await fs.writeFile(`${entry}.${process.pid}.tmp`, script, { mode: 0o755 });
      await fs.rename(`${entry}.${process.pid}.tmp`, entry);
    }
    commands.push([entry]);
  }
  return commands;
}
