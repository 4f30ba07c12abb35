/**
 * Vietnamese name parts for generated people: the property tests of the address rules and the
 * import benchmark. Common family, middle and given names plus the awkward ones the address rules
 * must survive (one-letter "A", "Ẩn", "Ưng", "Âu"): 18 × 16 × 30 = 8,640 "family middle given"
 * names, so a large generated directory has many same-name people. Test data, not production
 * rules; bench/ may import it.
 */
export const FAMILY_NAMES: readonly string[] = [
  "Nguyễn",
  "Trần",
  "Lê",
  "Phạm",
  "Hoàng",
  "Huỳnh",
  "Phan",
  "Vũ",
  "Võ",
  "Đặng",
  "Bùi",
  "Đỗ",
  "Hồ",
  "Ngô",
  "Dương",
  "Lý",
  "Tôn",
  "Âu",
];

export const MIDDLE_NAMES: readonly string[] = [
  "Văn",
  "Thị",
  "Hữu",
  "Đức",
  "Minh",
  "Ngọc",
  "Thanh",
  "Quốc",
  "Xuân",
  "Thu",
  "Hồng",
  "Kim",
  "Nữ",
  "Công",
  "Bảo",
  "Ưng",
];

export const GIVEN_NAMES: readonly string[] = [
  "A",
  "An",
  "Anh",
  "Bê",
  "Bình",
  "Châu",
  "Dũng",
  "Đức",
  "Giang",
  "Hà",
  "Hải",
  "Hương",
  "Khánh",
  "Linh",
  "Long",
  "Mai",
  "Nam",
  "Phúc",
  "Quân",
  "Quỳnh",
  "Sơn",
  "Tâm",
  "Thảo",
  "Trang",
  "Tuấn",
  "Uyên",
  "Vy",
  "Yến",
  "Ánh",
  "Ẩn",
];
