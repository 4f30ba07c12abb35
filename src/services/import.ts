/**
 * Kept so existing importers (the demo seed) need no change: the import lives in ./import/
 * (csv-reader, units, staff). New code imports "./import/index.ts".
 */
export * from "./import/index.ts";
