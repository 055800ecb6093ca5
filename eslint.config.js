// ESLint (flat config): typescript-eslint for TypeScript, eslint-plugin-svelte for components.
// Run by `npm run lint`, part of `npm test`. Formatting is Prettier's (`.prettierrc.json`), not ESLint's.
import js from '@eslint/js';
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
    rules: {
      // `_`-prefixed names are deliberately unused (ports that ignore an argument).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
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
