import { describe, expect, it } from 'vitest';
import { measureWatchLatency, patchGetsetSignatures } from './watch-latency.ts';

// Watch mode while patching py2wasm, for real: PyPI's py2wasm 2.6.3 sdist (a complete py2wasm source
// tree) unpacked as "a copy of the checkout", installed editable into a temp toolchain; `vitest watch`
// on decorators.example1 (traps: bug wasmerio/py2wasm#13); the fix of the getter/setter signatures
// saved into the copy while vitest watches; the case must re-run by itself, now OK, and the report
// must carry the new py2wasm fingerprint. Slow: a setup and two real compiles (minutes).

describe('watch mode while patching py2wasm (editable checkout, real compiles)', () => {
  it('patches every getter/setter signature and nothing else', () => {
    const src = [
      'static PyObject *Nuitka_Function_get_name(struct Nuitka_FunctionObject *function) {',
      'static int Nuitka_Function_set_name(struct Nuitka_FunctionObject *function, PyObject *value) {',
      '    {(char *)"__name__", (getter)Nuitka_Function_get_name, (setter)Nuitka_Function_set_name, NULL},',
    ].join('\n');
    const { text, count } = patchGetsetSignatures(src);
    expect(count).toBe(2);
    expect(text.split('\n')).toEqual([
      'static PyObject *Nuitka_Function_get_name(struct Nuitka_FunctionObject *function, void *data) {',
      'static int Nuitka_Function_set_name(struct Nuitka_FunctionObject *function, PyObject *value, void *data) {',
      '    {(char *)"__name__", (getter)Nuitka_Function_get_name, (setter)Nuitka_Function_set_name, NULL},',
    ]);
    expect(patchGetsetSignatures(text).count).toBe(0);
  });

  it(
    're-runs the case after a save in the checkout, without a restart, and the trap becomes OK',
    async ({ signal }) => {
      const m = await measureWatchLatency({ log: (line) => process.stderr.write(`${line}\n`), signal });
      const { pythonMs, compileMs, wasmMs } = m.durations;
      process.stderr.write(
        `watch latency: save -> verdict ${m.latencyMs} ms (RERUN after ${m.detectMs} ms, re-run start + reporting ${m.rerunStartMs} ms); case python ${pythonMs} + compile ${compileMs} + wasm ${wasmMs} = ${m.caseMs} ms; overhead ${m.overheadMs} ms\n`,
      );

      expect(m.before.code, m.output.slice(-3000)).toBe('WASM_EXECUTION_FAILURE');
      expect(m.before.record.wasm?.trap?.kind).toBe('indirect call type mismatch');
      expect(m.before.record.wasm?.frames[0]?.name).toMatch(/getset_get/);
      expect(m.patchedSignatures).toBe(28);
      expect(m.after.code, `${m.after.record.msg}\n${m.output.slice(-3000)}`).toBe('OK');
      expect(m.after.record.compile?.cached).toBe(false);
      expect(m.restarted).toBe(false);
      expect(m.before.fingerprint).toBeTruthy();
      expect(m.after.fingerprint).not.toBe(m.before.fingerprint);
      expect(m.lingering).toEqual([]);
      expect(m.latencyMs).toBeGreaterThanOrEqual(m.caseMs);
    },
    40 * 60_000,
  );
});
