// ESLint for the whole repository (`npm run lint`, which also runs dependency-cruiser).
// Typed rules use typescript-eslint's project service: each file is checked with the
// tsconfig.json of its workspace, so no list of projects to keep in step.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Another workspace is reached only through its entry point (`@costgate/core`), never a path inside it. */
const deepImports = {
  group: ["@costgate/*/*"],
  message: "Import a workspace package through its entry point (`@costgate/name`), not a file inside it.",
};

export default tseslint.config(
  {
    ignores: [
      "**/node_modules/**",
      "**/.next/**",
      "**/.turbo/**",
      "**/dist/**",
      "**/coverage/**",
      "reports/**",
      "test-results/**",
      "playwright-report/**",
      "apps/web/src/gql/**",
      "apps/web/next-env.d.ts",
      "apps/api/src/graphql/generated/**",
      "packages/db/src/generated/**",
      "packages/ml/reference/generated/**",
      "**/*.d.ts",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx,mts,cts}"],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: false } }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-import-type-side-effects": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true },
      ],
      "no-restricted-imports": ["error", { patterns: [deepImports] }],
    },
  },
  {
    // Packages never import an app (docs/ARCHITECTURE.md, "Arrows"; dependency-cruiser checks the same graph).
    files: ["packages/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            deepImports,
            {
              group: ["@costgate/api", "@costgate/worker", "@costgate/web", "@costgate/e2e", "**/apps/**"],
              message: "Packages never import an app: move what both need into a package.",
            },
          ],
        },
      ],
    },
  },
  {
    // formats is the one home of the file rules the API and ml share: node builtins only
    // (docs/ARCHITECTURE.md, "Arrows"). dependency-cruiser checks the same for workspace paths.
    files: ["packages/formats/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@costgate/*", "@tensorflow/*", "**/apps/**", "**/packages/**"],
              message: "packages/formats imports nothing of ours and no TensorFlow.js: node builtins only.",
            },
          ],
        },
      ],
    },
  },
  {
    // Tests, scripts and benchmarks read untyped GraphQL/JSON answers: `any` is allowed there.
    files: [
      "**/__tests__/**",
      "**/*.test.ts",
      "**/test/**",
      "**/scripts/**",
      "**/bench/**",
      "e2e/**",
      "packages/testkit/**",
    ],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // Playwright fixtures take their dependencies as a destructured first argument, `{}` when none.
    files: ["e2e/**"],
    rules: { "no-empty-pattern": "off" },
  },
  {
    // CommonJS configs (.dependency-cruiser.cjs).
    files: ["**/*.cjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { module: "writable", require: "readonly", __dirname: "readonly" },
    },
  },
  {
    // Plain JavaScript (scripts, configs): no type information, Node globals.
    files: ["**/*.{js,mjs,cjs}"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        URL: "readonly",
        Buffer: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        fetch: "readonly",
        AbortController: "readonly",
        AbortSignal: "readonly",
      },
    },
  },
);
