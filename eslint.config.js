// Type-aware lint for the whole repository (npm run lint).
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "node_modules/**",
      ".next/**",
      "src/generated/**",
      "sdk/src/generated/**",
      "sdk/dist/**",
      "sdk/.build/**",
      "prisma/**",
      "data/**",
      "scratch/**",
      "test-output/**",
      ".release-build/**",
      "dist/**",
      "next-env.d.ts",
      "**/*.js",
      "**/*.mjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/restrict-template-expressions": [
        "error",
        { allowNumber: true, allowBoolean: true },
      ],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    // Prisma's types come from src/server/db (client.ts re-exports them), not from a generated client
    files: ["src/**/*.ts", "src/**/*.tsx", "grpc-gateway/**/*.ts"],
    ignores: ["src/server/db/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "generated/prisma-(sqlite|postgresql)/",
              message: "import Prisma's types from src/server/db/client.ts",
            },
          ],
        },
      ],
    },
  },
  {
    // The domain layer is transport-free: it never imports the transports (tRPC, the gRPC sidecar,
    // Next) or the sign-in layer (auth/ imports core, not the other way round). docs/architecture.md
    files: ["src/server/core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "(^|/)(auth|trpc|grpc-gateway|licensing-api|http|admin-cli)(/|$)",
              message:
                "src/server/core is the domain layer: it must not import a transport or the auth layer",
            },
            {
              regex: "^(next|next-auth|@trpc|nice-grpc)(/|$)",
              message: "src/server/core must not depend on a transport",
            },
            // the Prisma rule below, again: a later block replaces a rule for its files, it does not add
            {
              regex: "generated/prisma-(sqlite|postgresql)/",
              message: "import Prisma's types from src/server/db/client.ts",
            },
          ],
        },
      ],
    },
  },
  {
    // procedures name a permission of the domain's table, never a role (the type says so too)
    files: ["src/server/trpc/**/*.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector:
            "CallExpression[callee.name='adminProcedure'] > Literal[value=/^(viewer|editor|admin|super_admin)$/]",
          message: "adminProcedure takes a permission from PERMISSIONS (core/access/policy.ts), not a role",
        },
      ],
    },
  },
  prettier,
);
