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
      // Spreading an array into arguments puts every element on the stack: past ~120,000
      // elements it throws RangeError (issue 13). Use a loop or reduce.
      "no-restricted-syntax": [
        "error",
        {
          selector:
            "CallExpression[callee.object.name='Math'][callee.property.name=/^(max|min)$/] > SpreadElement",
          message: "Math.max/min(...xs) overflows the stack on large arrays: use xs.reduce.",
        },
      ],
    },
  },
  {
    // Code whose arrays grow with the data (due items, imported rows): no push(...xs) either.
    files: ["src/reminders/*.ts", "src/services/**/*.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector:
            "CallExpression[callee.object.name='Math'][callee.property.name=/^(max|min)$/] > SpreadElement",
          message: "Math.max/min(...xs) overflows the stack on large arrays: use xs.reduce.",
        },
        {
          selector: "CallExpression[callee.property.name=/^(push|unshift|splice)$/] > SpreadElement",
          message: "push(...xs) overflows the stack past ~120,000 elements: push in a loop.",
        },
      ],
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
