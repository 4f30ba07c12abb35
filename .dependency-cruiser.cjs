/* global module */
/**
 * The layers of mailbot point one way (README "Architecture"), checked by `npm run depcruise`
 * (part of `npm run lint`, so of .ci/run):
 *
 *   src/main.ts, src/cli.ts          entry points: wire everything, imported by nobody
 *   commands/  src/cli/  src/http/   features and front doors
 *   src/bot/                         the chat plumbing (no import of commands/: features come in)
 *   src/demo/                        the demo seed (`mailbot seed demo`, first start): uses services
 *   src/overview/                    /tongquan text, chart and XLSX, the duty attachment
 *   src/reminders/                   rules, sweep, digests (no import of the bot)
 *   src/services/  src/mailserver/   use cases (no import of reminders, bot, commands);
 *   src/metrics.ts                   the Prometheus metrics (beside the services)
 *   src/db/                          schema, client, migrate
 *   src/policy/                      pure rules
 *   src/calendar/                    pure calendar
 *   src/lib/  src/config.ts          shared helpers; the only reader of process.env;
 *   src/logger.ts  src/redact.ts     the logger and what counts as a secret (beside lib)
 *
 * "process.env only in src/config.ts" is not an import, so ESLint checks it (eslint.config.js).
 */
const LAYERS = [
  { name: "lib", path: "^src/(lib/|logger\\.ts$|redact\\.ts$)" },
  { name: "config", path: "^src/config\\.ts$" },
  { name: "calendar", path: "^src/calendar/" },
  { name: "policy", path: "^src/policy/" },
  { name: "db", path: "^src/db/" },
  { name: "services", path: "^src/((services|mailserver)/|metrics\\.ts$)" },
  { name: "demo", path: "^src/demo/" },
  { name: "reminders", path: "^src/reminders/" },
  { name: "overview", path: "^src/overview/" },
  { name: "bot", path: "^src/bot/" },
  { name: "features", path: "^(commands/|src/cli/|src/http/)" },
  { name: "entry", path: "^src/(main|cli)\\.ts$" },
];

// What each layer may NOT import: everything above it. Two layers are side by side, not stacked:
// config sits beside lib (it may use the calendar's date schema), reminders beside the bot; the
// demo seed sits on the services beside the reminders (only the entry points and the CLI load it).
const above = {
  lib: [
    "config",
    "calendar",
    "policy",
    "db",
    "services",
    "demo",
    "reminders",
    "overview",
    "bot",
    "features",
    "entry",
  ],
  config: ["policy", "db", "services", "demo", "reminders", "overview", "bot", "features", "entry"],
  calendar: ["policy", "db", "services", "demo", "reminders", "overview", "bot", "features", "entry"],
  policy: ["db", "services", "demo", "reminders", "overview", "bot", "features", "entry"],
  db: ["services", "demo", "reminders", "overview", "bot", "features", "entry"],
  services: ["demo", "reminders", "overview", "bot", "features", "entry"],
  demo: ["reminders", "overview", "bot", "features", "entry"],
  reminders: ["demo", "overview", "bot", "features", "entry"],
  overview: ["demo", "bot", "features", "entry"],
  bot: ["demo", "features", "entry"],
  features: ["entry"],
};
const pathOf = (name) => LAYERS.find((l) => l.name === name).path;

module.exports = {
  forbidden: [
    ...Object.entries(above).map(([layer, forbidden]) => ({
      name: `no-${layer}-upward`,
      comment: `src/${layer} must not import from a layer above it (${forbidden.join(", ")}).`,
      severity: "error",
      from: { path: pathOf(layer) },
      to: { path: forbidden.map(pathOf) },
    })),
    {
      name: "no-circular",
      comment: "No import cycles: split the shared part into its own module.",
      severity: "error",
      from: { path: "^(src|commands)/" },
      to: { circular: true },
    },
    {
      name: "cli-commands-load-lazily",
      comment:
        "A CLI command module imports the database, services, reminders, bot or grammY only inside run (await import): --help and the pure commands must start fast.",
      severity: "error",
      from: { path: "^src/cli/" },
      to: {
        path: [
          "^src/(db|bot|reminders|services|http|mailserver|demo)/",
          "^node_modules/(drizzle-orm|@electric-sql|postgres|grammy|@grammyjs|@node-rs|node-schedule|csv-parse)/",
        ],
        pathNot: [
          // Pure, tiny modules the help and the router need.
          "^src/services/(errors|types|import-columns)\\.ts$",
          "^src/reminders/types\\.ts$",
        ],
        dynamic: false,
        dependencyTypesNot: ["type-only", "type-import"],
      },
    },
    {
      name: "main-starts-light",
      comment:
        "src/main.ts imports statically only what the first Telegram requests and the database boot need; the rest loads inside start() (await import) while the database boots, so the first getUpdates leaves early.",
      severity: "error",
      from: { path: "^src/main\\.ts$" },
      to: {
        pathNot: [
          "^src/(config|logger)\\.ts$",
          "^src/bot/transports/first-poll\\.ts$",
          "^src/db/pglite-boot\\.ts$",
          "^node_modules/(dotenv|pino)/",
        ],
        dynamic: false,
        dependencyTypesNot: ["type-only", "type-import", "core"],
      },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|node_modules|test|bench|migrations)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".mjs", ".cjs", ".json"] },
  },
};
