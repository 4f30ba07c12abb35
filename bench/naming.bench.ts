/**
 * Naming throughput: 100,000 Vietnamese names through proposePersonalAddress on one core, with
 * a taken set that grows as addresses are issued (about 10% of the names collide).
 * Target: at least 50,000 addresses per second.
 */
import { proposePersonalAddress } from "../src/policy/addresses/index.ts";
import type { Profile } from "../src/policy/profile.ts";
import { getProfile } from "../src/policy/profiles/index.ts";

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

const FAMILY = [
  "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý",
  "Đinh", "Trịnh", "Mai", "Cao", "Lương", "Tạ", "Tô", "Kiều", "Quách", "Châu", "Chu", "Yên", "Ông", "Âu", "Giang", "Lâm",
]; // prettier-ignore
const MIDDLE = [
  "Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Xuân", "Thu", "Hồng", "Kim", "Công", "Bảo", "Gia", "Như",
  "Đình", "Quang", "Thế", "Trọng", "Anh", "Diệu", "Bích", "Khánh", "Phương", "Tuấn", "Mỹ", "Hoài", "Uyên", "Yến", "Lệ", "Ánh",
]; // prettier-ignore
const GIVEN = [
  "An", "Anh", "Bình", "Châu", "Chi", "Cường", "Dũng", "Duy", "Đạt", "Đức", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa",
  "Hùng", "Hương", "Huy", "Khánh", "Khoa", "Lan", "Linh", "Long", "Mai", "Minh", "My", "Nam", "Nga", "Ngân", "Nhung", "Oanh",
  "Phong", "Phúc", "Phương", "Quân", "Quang", "Quỳnh", "Sơn", "Tâm", "Thảo", "Thắng", "Thủy", "Tiến", "Trang", "Trung", "Tú", "Tuấn",
  "Uyên", "Việt", "Vinh", "Vy", "Xuân", "Yến", "Ánh", "Bảo", "Cúc", "Diệp", "Đông", "Hằng", "Hiền", "Hòa", "Hưng", "Kiên",
  "Lâm", "Lực", "Lợi", "Nghĩa", "Ngọc", "Nhân", "Ninh", "Phát", "Quý", "Sang", "Thành", "Thịnh", "Thu", "Toàn", "Trâm", "Trí",
  "Trường", "Tùng", "Vân", "Vũ", "Ý", "Ẩn", "Ưng", "Đào", "Liên", "Loan", "Luân", "Mạnh", "Nguyên", "Nhật", "Pháp", "Sương",
]; // prettier-ignore

/** Small deterministic PRNG (mulberry32) so every run measures the same workload. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

export interface BenchPerson {
  fullName: string;
  birthDate: string;
  agency: string;
  unitSymbol: string;
}

const AGENCIES = ["stttt", "snv", "stc", "skhdt", "syt", "sgddt", "ubnd", "vp"];
const UNITS = ["CNTT", "VP", "TCCB", "KHTC", "PTTH&TTĐT", "BC", "VT", "TTTT"];

/**
 * `count` people for `profile`: about `collisionRate` of them repeat an earlier person's name
 * (and agency), so their plain address is already taken when they arrive; the others have a
 * plain address nobody had before. Setup only, not measured.
 */
export function generatePeople(
  profile: Profile,
  count: number,
  collisionRate = 0.1,
  seed = 2024,
): BenchPerson[] {
  const random = rng(seed);
  const people: BenchPerson[] = [];
  const plainSeen = new Set<string>();
  const empty = new Set<string>();
  const birth = (): string => {
    const month = 1 + Math.floor(random() * 12);
    const day = 1 + Math.floor(random() * 28);
    return `${1960 + Math.floor(random() * 45)}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
  };
  /** A person whose plain address nobody had before (redraws until one is found). */
  const freshPerson = (): BenchPerson => {
    for (;;) {
      const middles = random() < 0.6 ? 1 : random() < 0.8 ? 2 : random() < 0.5 ? 3 : 0;
      const words = [pick(FAMILY, random)];
      for (let k = 0; k < middles; k++) words.push(pick(MIDDLE, random));
      words.push(pick(GIVEN, random));
      const person: BenchPerson = {
        fullName: words.join(" "),
        birthDate: birth(),
        agency: pick(AGENCIES, random),
        unitSymbol: pick(UNITS, random),
      };
      const plain = proposePersonalAddress(profile, person, empty);
      if (plain.ok && !plainSeen.has(plain.value.address)) {
        plainSeen.add(plain.value.address);
        return person;
      }
    }
  };
  while (people.length < count) {
    if (people.length > 0 && random() < collisionRate) {
      const earlier = people[Math.floor(random() * people.length)] as BenchPerson;
      people.push({ ...earlier, birthDate: birth() });
    } else {
      people.push(freshPerson());
    }
  }
  return people;
}

export async function benchNaming(count = 100_000): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const id of ["phuyen", "ninhbinh", "mic", "binhtan"]) {
    const profile = getProfile(id);
    const people = generatePeople(profile, count, 0.1, 7 + id.length);
    // Warm up the JIT on a separate set so the measurement sees optimised code.
    const warm = new Set<string>();
    for (let i = 0; i < 5_000; i++) proposePersonalAddress(profile, people[i] as BenchPerson, warm);

    const taken = new Set<string>();
    let collisions = 0;
    let failures = 0;
    const start = process.hrtime.bigint();
    for (const person of people) {
      const result = proposePersonalAddress(profile, person, taken);
      if (result.ok) {
        taken.add(result.value.address);
        if (result.value.collided !== null) collisions++;
      } else failures++;
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    results.push({
      name: `naming.${id}.addresses_per_second`,
      value: Math.round(count / seconds),
      unit: "addr/s",
    });
    results.push({
      name: `naming.${id}.collision_rate`,
      value: Math.round((collisions / count) * 1000) / 10,
      unit: "%",
    });
    if (failures > 0) results.push({ name: `naming.${id}.failures`, value: failures, unit: "count" });
  }
  return results;
}

// Run directly: `npx tsx bench/naming.bench.ts`.
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await benchNaming()) console.log(`${r.name}: ${r.value} ${r.unit}`);
}
