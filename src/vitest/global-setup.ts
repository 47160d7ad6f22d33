import type { TestProject } from 'vitest/node';
import { runDoctor } from '../tools/doctor.ts';
import { ensureToolchain, detectToolchain } from '../tools/toolchain/index.ts';
import { formatDoctor } from '../report/doctor-format.ts';
import '../config/provided.ts';
import '../tools/availability.ts';

/**
 * Once per run: set up the py2wasm toolchain when a target needs it and none is there, then
 * run the doctor and hand what it found to the workers.
 */
export default async function setup(project: TestProject): Promise<void> {
  const options = project.getProvidedContext().py2wasmOptions;
  const needsPy2wasm = options.targets.some((t) => t.compiler === 'py2wasm' || t.compiler === 'wasi-python');
  if (needsPy2wasm && options.autoSetup && !options.tools.py2wasm && !(await detectToolchain(options.cacheDir))) {
    process.stderr.write('vitest-py2wasm: setting up the py2wasm toolchain (first run only)...\n');
    try {
      await ensureToolchain({
        cacheDir: options.cacheDir,
        py2wasmSpec: options.py2wasmSpec,
        ...(options.tools.wasiSdkDir ? { wasiSdkDir: options.tools.wasiSdkDir } : {}),
        verify: true,
        onProgress: (msg) => process.stderr.write(`  setup: ${msg}\n`),
      });
    } catch (error) {
      // The run stops: every case would skip, and the message names the one command to run.
      process.stderr.write(`vitest-py2wasm: toolchain setup failed: ${(error as Error).message}\n`);
      throw error;
    }
  }
  const report = await runDoctor(options);
  process.stderr.write(`${formatDoctor(report.lines, { color: process.stderr.isTTY && !process.env.NO_COLOR, onlyNeeded: false })}\n`);
  project.provide('py2wasmAvailability', report.availability);
}
