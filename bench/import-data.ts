/** Deterministic import files for the import benches (bench/import.bench.ts and its child). */
import { FAMILY_NAMES, GIVEN_NAMES, MIDDLE_NAMES } from "../test/helpers/vietnamese-names.ts";

export const UNIT_COUNT = 40;

export function unitsCsv(): string {
  const lines = [
    "ma_don_vi,ten_don_vi,loai,ky_hieu,don_vi_cha,ho_so",
    "B-ROOT,Sở Thử Nghiệm,co_quan,sotn,,phuyen",
  ];
  for (let i = 1; i <= UNIT_COUNT; i++) lines.push(`B-P${i},Phòng ${i},phong,p${i},B-ROOT,phuyen`);
  return lines.join("\n");
}

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

export const STAFF_HEADER = "ma_can_bo,ho_ten,ngay_sinh,ma_don_vi,chuc_vu,hinh_thuc,so_thang_hop_dong,email";

/**
 * Staff rows, `batch` lines at a time (so a 500,000-row file can be written without holding it):
 * 8,640 full names from test/helpers/vietnamese-names.ts, so most names repeat and every collision
 * step of the naming rules is exercised.
 */
export function* staffLines(rows: number, batch = 10_000): Generator<string> {
  const r = rng(42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(r() * list.length)] as T;
  let out: string[] = [STAFF_HEADER];
  for (let i = 1; i <= rows; i++) {
    const year = 1965 + Math.floor(r() * 35);
    const month = 1 + Math.floor(r() * 12);
    const day = 1 + Math.floor(r() * 28);
    const date = `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
    const contract = r() < 0.1;
    out.push(
      `CB${i},${pick(FAMILY_NAMES)} ${pick(MIDDLE_NAMES)} ${pick(GIVEN_NAMES)},${date},B-P${1 + (i % UNIT_COUNT)},,${contract ? "hop_dong,24" : "bien_che,"},`,
    );
    if (out.length >= batch) {
      yield `${out.join("\n")}\n`;
      out = [];
    }
  }
  if (out.length > 0) yield `${out.join("\n")}\n`;
}
