import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPTIONS_DOC, readOptionDocs, renderOptionsDoc } from '../../scripts/options-doc.ts';
import { DEFAULTS } from '../../src/config/cookbook-options.ts';
import { optionEntries } from '../../src/config/option-table.ts';

// The docs page is generated from the option table and the options' JSDoc, as src/normalize/RULES.md
// is from the rules: a stale page, an option without a doc, or a JSDoc @default that says another
// value than DEFAULTS fails here.
describe('docs/configuration.md', () => {
  const docs = readOptionDocs();
  const entries = optionEntries();

  it('is what `npm run options-doc` writes from the table and the JSDoc', () => {
    const page = fs.readFileSync(OPTIONS_DOC, 'utf8');
    expect(page, 'docs/configuration.md is out of date: run npm run options-doc').toBe(renderOptionsDoc(docs));
    // a row per option, in table order, each with its variable
    const rows = [...page.matchAll(/^\| `([\w.]+)` \| (?:`(\w+)`)?/gm)].map((m) => [m[1], m[2]]);
    const leafRows = rows.filter(([name]) => entries.some((e) => e.name === name));
    expect(leafRows).toEqual(entries.map((e) => [e.name, e.row.env?.name]));
    // a changed doc changes the page
    expect(renderOptionsDoc(new Map([...docs, ['root', { text: 'changed' }]]))).not.toBe(page);
  });

  it('documents every option, and names no variable in the prose (the table does)', () => {
    for (const { name } of entries) {
      const doc = docs.get(name);
      expect(doc?.text, `${name} has no JSDoc`).toBeTruthy();
      expect(doc?.text, `${name}: its variable belongs in the option table`).not.toMatch(/\bEnv\b/);
    }
  });

  it("gives each variable to one option, and keeps each JSDoc @default equal to DEFAULTS' value", () => {
    const variables = entries.flatMap((e) => (e.row.env ? [e.row.env.name] : []));
    expect(new Set(variables).size).toBe(variables.length);
    for (const { name, path } of entries) {
      let value: unknown = DEFAULTS;
      for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
      const stated = docs.get(name)?.default;
      const written =
        typeof value === 'string'
          ? `'${value}'`
          : typeof value === 'number' || typeof value === 'boolean'
            ? `${value}`
            : '';
      if (!written || stated === undefined) continue;
      expect(stated, `${name}: @default ${stated}, DEFAULTS ${written}`).toContain(written);
    }
  });
});
