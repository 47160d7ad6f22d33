// The project's cookbook config (vitest.config.ts) plus one reporter: once the first case has
// finished, it replaces the report folder by a file, so the folder breaks after the check at the
// start passed, as a full disk or another process could break it (a read-only folder would not do:
// these tests run as root, whose writes chmod does not stop). Used by report-dir.test.ts.
import fs from 'node:fs';
import { mergeConfig } from 'vitest/config';
import type { Reporter } from 'vitest/node';
import cookbookConfig from '../../vitest.config.ts';

let replaced = false;
const replaceReportDirByFile: Reporter = {
  onTestCaseResult() {
    const dir = process.env.PY2WASM_REPORT_DIR;
    if (replaced || !dir) return;
    replaced = true;
    fs.rmSync(dir, { recursive: true, force: true });
    fs.writeFileSync(dir, 'the report folder, replaced by a file during the run\n');
  },
};

export default mergeConfig(cookbookConfig, { test: { reporters: [replaceReportDirByFile] } });
