import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['lib/', 'node_modules/', 'coverage/', '.data/', 'bench/results/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', process: 'readonly', console: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no I/O modules.
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'fs', 'http', 'https', 'net', 'ky', '**/src/womei/client*', '**/activities/*'], allowTypeImports: true }] }],
    },
  },
  {
    files: ['workflows/**/*.ts', 'activities/**/*.ts'],
    rules: {
      // What a failure type means is src/failure-types.ts: decisions read its traits, never a string of their own.
      'no-restricted-syntax': [
        'error',
        {
          selector: "BinaryExpression[operator=/^[!=]==?$/][left.property.name='type'][right.type='Literal']",
          message: 'Read failure types through traitsOf() or failureIs() (src/failure-types.ts), not a string comparison.',
        },
        {
          selector: "SwitchStatement[discriminant.property.name='type']",
          message: 'Read failure types through traitsOf() (src/failure-types.ts), not a switch.',
        },
      ],
    },
  },
);
