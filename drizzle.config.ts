// drizzle-kit reads this to generate SQL migrations from the schema: `npx drizzle-kit generate --name <name>`.
// Migrations are committed and never edited after landing; triggers go in `--custom` migrations.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./migrations",
  strict: true,
});
