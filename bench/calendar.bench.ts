// Benchmarks of the working-day calendar, run by bench/run.ts (`npm run bench`).
// Note: lunar month starts are memoised per module (pure values), so only the very
// first "fresh calendar" run pays for the lunar astronomy; every run pays for building
// the year tables, which is what a new calendar (e.g. after an operator override) costs.
import { createCalendar } from "../src/calendar/index.ts";
import { dateOfDayNumber, dayNumberOf } from "../src/calendar/time.ts";

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

const FIRST_DAY = dayNumberOf("2024-01-01");
const LAST_DAY = dayNumberOf("2033-12-31");

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Deterministic pseudo-random integers (LCG), so runs are comparable. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state;
  };
}

export async function benchCalendar(): Promise<BenchResult[]> {
  const dates: string[] = [];
  for (let day = FIRST_DAY; day <= LAST_DAY; day++) dates.push(dateOfDayNumber(day));

  // 1. A fresh calendar answering dayInfo for every day of 2024–2033 (builds 10 year tables).
  let checksum = 0;
  const coldRun = (): number => {
    const started = performance.now();
    const cal = createCalendar();
    for (const date of dates) if (cal.dayInfo(date).working) checksum++;
    return performance.now() - started;
  };
  const firstRunMs = coldRun(); // includes the lunar memo warm-up
  const runs: number[] = [];
  for (let i = 0; i < 30; i++) runs.push(coldRun());

  // 2. addWorkingDays throughput on a warm calendar: random start in 2024–2033, n in 1..60.
  const cal = createCalendar();
  cal.addWorkingDays("2024-01-01", 3000); // build every year table the queries may touch
  const next = lcg(20_261_124);
  const queries = 200_000;
  const starts: string[] = [];
  const counts: number[] = [];
  for (let i = 0; i < queries; i++) {
    starts.push(dates[next() % dates.length] as string);
    counts.push((next() % 60) + 1);
  }
  let started = performance.now();
  for (let i = 0; i < queries; i++)
    checksum += cal.addWorkingDays(starts[i] as string, counts[i] as number).length;
  const addMs = performance.now() - started;

  // 3. workingDaysBetween throughput, same pairs.
  const ends = starts.map((start, i) => {
    const other = starts[(i * 7919) % queries] as string;
    return other < start ? start : other;
  });
  started = performance.now();
  for (let i = 0; i < queries; i++)
    checksum += cal.workingDaysBetween(starts[i] as string, ends[i] as string);
  const betweenMs = performance.now() - started;

  if (checksum === 0) throw new Error("benchmark computed nothing");
  return [
    {
      name: "calendar: fresh calendar, dayInfo for every day 2024–2033 (median of 30)",
      value: round3(median(runs)),
      unit: "ms",
    },
    {
      name: "calendar: same, first run in the process (lunar memo cold)",
      value: round3(firstRunMs),
      unit: "ms",
    },
    {
      name: "calendar: addWorkingDays throughput (n = 1–60)",
      value: Math.round(queries / (addMs / 1000)),
      unit: "ops/s",
    },
    {
      name: "calendar: workingDaysBetween throughput",
      value: Math.round(queries / (betweenMs / 1000)),
      unit: "ops/s",
    },
  ];
}
