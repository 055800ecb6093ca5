// ESLint (flat config): typescript-eslint for TypeScript, eslint-plugin-svelte for components.
// Run by `npm run lint` (after `prettier --check .`), part of `npm test`. Formatting is Prettier's
// (`.prettierrc.json`).
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

export default ts.config(
  { ignores: ['dist/', 'release/', 'node_modules/', 'test-results/', 'bench/results/', '.station-data/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { '@stylistic': stylistic },
    rules: {
      // Prettier wraps code at 120 but leaves comments and long strings alone; this catches the comments and
      // the code Prettier cannot break. A string, URL or regular expression may run long: its text is its
      // meaning, and a search for it must find it whole.
      '@stylistic/max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreUrls: true },
      ],
      // `_`-prefixed names are deliberately unused (ports that ignore an argument).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
    rules: {
      // The stores replace their Maps and Sets whole (a new one assigned to a $state field), never
      // mutate them in place, so the plain built-ins are what they mean.
      'svelte/prefer-svelte-reactivity': 'off',
      // {' '} and {' · '} keep a space between an {#if} and the text around it, whatever a formatter does.
      'svelte/no-useless-mustaches': 'off',
    },
  },
  {
    // Tests and benches read JSON answers and poke at doubles; their counters run to the end of a loop.
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', 'no-useless-assignment': 'off' },
  },
  {
    // electron-builder loads its hooks with require().
    files: ['scripts/**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
