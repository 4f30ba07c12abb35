// `node --import ./test/helpers/fake-clock.mjs dist/src/main.js`: the program's clock runs
// MAILBOT_TEST_CLOCK_OFFSET_MS ahead of (or behind) the real one, and keeps running.
// Why: the reminder sweep works only inside a profile's working hours on working days, so a test
// that runs a real bot process at any hour moves that process into a working afternoon. Several
// processes given the same offset share one clock. Timers are untouched (they count real time).
import process from "node:process";

const offset = Number(process.env.MAILBOT_TEST_CLOCK_OFFSET_MS ?? "0");
if (!Number.isFinite(offset)) throw new Error("MAILBOT_TEST_CLOCK_OFFSET_MS must be a number");

const RealDate = Date;
const realNow = RealDate.now.bind(RealDate);

// A proxy, not a subclass: `x instanceof Date` stays true for dates Node itself creates.
globalThis.Date = new Proxy(RealDate, {
  construct(target, args, newTarget) {
    return Reflect.construct(target, args.length === 0 ? [realNow() + offset] : args, newTarget);
  },
  apply() {
    return new RealDate(realNow() + offset).toString();
  },
  get(target, property, receiver) {
    if (property === "now") return () => realNow() + offset;
    return Reflect.get(target, property, receiver);
  },
});
