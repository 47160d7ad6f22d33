import path from 'node:path';
import readline from 'node:readline';
import { execa, type ResultPromise } from 'execa';
import { RUNNERS_DIR } from '../config/options.ts';

/** A removable part of a script: a statement, an except clause, a decorator or a base class. */
export interface AstUnit {
  /** Path of the node from the module, e.g. `body.3.body.0`. */
  id: string;
  kind: 'stmt' | 'handler' | 'decorator' | 'base';
  /** Nesting level: 0 for module-level statements. */
  depth: number;
  line: number;
  /** First line of the unit's source, for progress and logs. */
  text: string;
  /** A compound statement that can be replaced by its body (if, for, while, with, try). */
  unwrappable: boolean;
}

export class PythonAstError extends Error {
  override name = 'PythonAstError';
}

/**
 * One CPython process (`runners/reduce_ast.py`) that parses and unparses scripts with `ast`, so every
 * candidate of a reduction is valid Python as the CPython of the run understands it.
 */
export class PythonAst {
  private readonly child: ResultPromise;
  private readonly lines: AsyncIterator<string>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(python: string[]) {
    const [file, ...args] = python;
    this.child = execa(file!, [...args, path.join(RUNNERS_DIR, 'reduce_ast.py')], {
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'inherit',
      buffer: false,
      reject: false,
      cleanup: true,
    });
    this.lines = readline.createInterface({ input: this.child.stdout! })[Symbol.asyncIterator]();
  }

  units(source: string): Promise<AstUnit[]> {
    return this.ask<{ units: AstUnit[] }>({ op: 'units', source }).then((r) => r.units);
  }

  render(source: string, edits: { remove?: string[]; unwrap?: string[] }): Promise<string> {
    return this.ask<{ source: string }>({
      op: 'render',
      source,
      remove: edits.remove ?? [],
      unwrap: edits.unwrap ?? [],
    }).then((r) => r.source);
  }

  close(): void {
    this.child.stdin?.end();
    this.child.kill();
  }

  // requests are answered in order: one at a time over the pipe
  private ask<T>(request: object): Promise<T> {
    const next = this.queue.then(async () => {
      this.child.stdin!.write(`${JSON.stringify(request)}\n`);
      const line = await this.lines.next();
      if (line.done) {
        const result = await this.child;
        throw new PythonAstError(
          `the Python AST helper exited (${String(result.exitCode)}): ${String(result.stderr ?? '').slice(-500)}`,
        );
      }
      const reply = JSON.parse(line.value) as T & { error?: string };
      if (reply.error) throw new PythonAstError(reply.error);
      return reply;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
