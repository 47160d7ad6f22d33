// Lint for the project's TypeScript: typescript-eslint's type-aware rules; formatting is Prettier's
// (`npm run lint` checks both), so eslint-config-prettier turns off the rules that would fight it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'py2wasm-report/', '.vitest-py2wasm/', 'test/fixtures/', 'cookbook-tests/sample/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    files: ['test/**'],
    rules: {
      // expect's asymmetric matchers (expect.stringMatching, expect.any) are typed `any` by vitest
      '@typescript-eslint/no-unsafe-assignment': 'off',
      // fakes implement async interfaces with values at hand
      '@typescript-eslint/require-await': 'off',
    },
  },
  // plain JavaScript (the bin, runners, test doubles, this file): no types to check them against
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  // the HTML report's script runs in the browser
  { files: ['src/report/assets/*.js'], languageOptions: { globals: globals.browser } },
  prettier,
);
