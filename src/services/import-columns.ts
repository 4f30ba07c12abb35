/**
 * The CSV columns of `mailbot import units|staff`, in their own module so the CLI's help can show
 * them without loading the importer (and with it the database layer).
 */
export const UNIT_HEADERS = ["ma_don_vi", "ten_don_vi", "loai", "ky_hieu", "don_vi_cha", "ho_so"] as const;
export const STAFF_HEADERS = [
  "ma_can_bo",
  "ho_ten",
  "ngay_sinh",
  "ma_don_vi",
  "chuc_vu",
  "hinh_thuc",
  "so_thang_hop_dong",
  "email",
] as const;

/** The largest CSV file an import reads (64 MB): a larger one is refused before reading. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
