// Lint rules: the recommended sets of ESLint and typescript-eslint, nothing exotic.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "data/", "migrations/", "coverage/", "dist/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": "off",
    },
  },
  {
    // One configuration object: the environment is read in src/config.ts only (parsed by zod,
    // a bad value stops every entry point naming the variable). Tests and benches set up theirs.
    files: ["src/**/*.ts", "commands/**/*.ts"],
    ignores: ["src/config.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read configuration from src/config.ts (Config)." },
      ],
    },
  },
);
