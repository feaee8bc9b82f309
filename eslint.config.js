// Lint for the whole lab: typescript-eslint's type-aware rules (a promise nobody awaits, `any` leaking
// from an untyped value), React's hook rules in the renderer, and nothing about layout: prettier owns that.
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}', 'test/unit/renderer-*'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    // incompatible-library is for builds with the React Compiler, which this one does not use.
    rules: { ...reactHooks.configs.recommended.rules, 'react-hooks/incompatible-library': 'off' },
  },
  {
    rules: {
      // zustand actions and the API contract are declared as methods but are closures: `this` is never used.
      '@typescript-eslint/unbound-method': 'off',
      // Methods are async by contract (the lab's API answers with promises) even where one answers at once.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // One import style: a relative import names the emitted file (`./store.js`; Vite and NodeNext map it to the source).
      'no-restricted-syntax': [
        'error',
        ...['ImportDeclaration', 'ExportNamedDeclaration', 'ExportAllDeclaration', 'ImportExpression'].map((node) => ({
          selector: `${node}[source.value=/^\\.\\.?\\/.*(?<!\\.(js|mjs|css|json))$/]`,
          message: 'Name the file of a relative import with its extension (`./store.js` for store.ts or store.tsx).',
        })),
      ],
    },
  },
  {
    // Tests stand in for Electron's and other modules' objects, whose full types would be noise.
    files: ['test/**/*'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  { files: ['**/*.{js,mjs,cjs}'], ...tseslint.configs.disableTypeChecked },
  prettier,
)
