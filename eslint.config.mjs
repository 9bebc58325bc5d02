// ESLint (flat config) with typescript-eslint's recommended rules, without type information: it runs in
// seconds, and `tsc` (strict, npm run typecheck) already checks what type-aware rules would.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'examples/.workspace/**',
      'e2e/.artifacts/**',
      'bench/.artifacts/**',
      'bench/results/**',
      'generators/*/files/**',
    ],
  },
  tseslint.configs.recommended,
  {
    rules: {
      // require() is deliberate here: modules that cost time to load (typescript, picomatch, Nx internals,
      // tsx's hooks) load lazily, on first use, and the 'nx-steps' entry forwards runPipeline without
      // loading nx-steps/results.
      '@typescript-eslint/no-require-imports': 'off',
      // `{}` is the public API's "no inputs" (step(() => ...) takes {}), and StorableTypes is an empty
      // interface that users extend by declaration merging.
      '@typescript-eslint/no-empty-object-type': 'off',
      // A leading underscore names what is left out on purpose (`const { code: _code, ...rest } = x`).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      // Tests build sparse arrays on purpose and say so (value-codec.test.ts); anywhere else a hole is a typo.
      'no-sparse-arrays': 'error',
    },
  },
);
