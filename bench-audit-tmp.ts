import { openDatabase } from "./src/db/client.ts";
import { migrateDatabase } from "./src/db/migrate.ts";
import { writeAuditBatch } from "./src/services/audit.ts";
const db = await openDatabase({ inMemory: true });
await migrateDatabase(db);
const rows = Array.from({ length: 5000 }, (_, i) => ({ actor: "cli", action: "staff.import", entity: "staff", entityId: i, details: { code: `demo-${i}`, line: i } }));
async function run(label: string) {
  const t = performance.now();
  await db.db.transaction((tx) => writeAuditBatch(tx, rows));
  const ms = performance.now() - t;
  console.log(label, ms.toFixed(0), "ms");
  return ms;
}
await db.execute("alter table audit_log disable trigger audit_log_chain");
const base1 = await run("no chain");
await db.execute("alter table audit_log enable trigger audit_log_chain");
const chained = await run("chain");
await db.execute("alter table audit_log disable trigger audit_log_chain");
const base2 = await run("no chain");
console.log("ratio chain/no-chain", (chained / ((base1 + base2) / 2)).toFixed(2));
await db.close();
