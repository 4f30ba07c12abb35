/**
 * The most common passwords, shipped with the bot (no network, no download at run time).
 *
 * Why this list and not a 100k-entry file:
 * - The point is to stop the passwords an attacker tries first (credential stuffing and
 *   password spraying against webmail try a few hundred candidates per account, not millions).
 *   NIST SP 800-63B §5.1.1.2 asks to reject "values known to be commonly used"; it does not
 *   ask for a dictionary attack on every password.
 * - Every password here also has to pass the profile's length and class rules, so most of a
 *   big list ("123456", "qwerty") is already rejected by those. What slips through are
 *   *decorated* common words: "Matkhau@123", "Admin@2024", "P@ssw0rd". `isCommonPassword`
 *   therefore compares the whole password AND its core (leading/trailing digits and specials
 *   stripped, leetspeak undone), so one entry "matkhau" covers "Matkhau@123", "@Matkhau2025!"
 *   and "M@tkh@u1". That is why a few hundred entries go a long way.
 * - Sources: the top of the public breach-frequency lists (SecLists "10-million-password-list-top-1000",
 *   the NCSC/HIBP "100k most common"), the Vietnamese patterns that dominate Vietnamese leak
 *   analyses (phone-keypad and lucky numbers 6868/8888, "anhyeuem", "matkhau", place names,
 *   common family names), keyboard walks, years, the organisations' own names and domains,
 *   and the example passwords printed in the regulations themselves: an example published in a
 *   regulation ("Matkhou@123", Điều 9 QĐ 13/2020/QĐ-UBND Phú Yên) is the first thing an
 *   attacker will try, so it must never be accepted.
 *
 * Entries are lower case ASCII. Add local ones (the agency's name, the city) here or in a
 * profile-specific list passed by the caller.
 */

/** Whole passwords (compared after lower-casing). Mostly digits and walks with no letter core. */
const WHOLE: readonly string[] = [
  // Top of the global breach lists.
  "123456",
  "123456789",
  "12345678",
  "12345",
  "1234567",
  "1234567890",
  "123123",
  "111111",
  "000000",
  "654321",
  "666666",
  "121212",
  "112233",
  "123321",
  "123654",
  "159753",
  "147258",
  "147258369",
  "159357",
  "789456",
  "789456123",
  "741852963",
  "963852741",
  "987654321",
  "0987654321",
  "1029384756",
  "11223344",
  "12341234",
  "123123123",
  "1234512345",
  "12344321",
  "131313",
  "696969",
  "7777777",
  "999999",
  "888888",
  "555555",
  "222222",
  "333333",
  "444444",
  "1q2w3e",
  "1q2w3e4r",
  "1q2w3e4r5t",
  "1q2w3e4r5t6y",
  "q1w2e3r4",
  "q1w2e3r4t5",
  "1qaz2wsx",
  "1qaz2wsx3edc",
  "1qazxsw2",
  "zaq12wsx",
  "zaq1zaq1",
  "!qaz2wsx",
  "!qaz@wsx",
  "!qaz@wsx#edc",
  "1qaz@wsx",
  "1qaz!qaz",
  "qazwsx",
  "qazwsxedc",
  "qweasd",
  "qweasdzxc",
  "qwe123",
  "qwe123!@#",
  "qwer1234",
  "qwer!234",
  "asd123",
  "asdf1234",
  "zxc123",
  "zxcv1234",
  "abc123",
  "abc@123",
  "abcd1234",
  "abcd@1234",
  "a123456",
  "a12345678",
  "123456a",
  "123456a@",
  "123456aa",
  "123456ab",
  "123456abc",
  "123abc",
  "aa123456",
  "aa12345678",
  "aaa111",
  "aaaaaa",
  "abcabc",
  "abc12345",
  "1234qwer",
  "1234abcd",
  "1234@abcd",
  "12345a",
  "12345qwert",
  "123qwe",
  "123qweasd",
  "123qweasdzxc",
  "123456789a",
  "123456789@",
  "p@ssw0rd",
  "p@$$w0rd",
  "p@ssword",
  "passw0rd",
  "pa$$word",
  "password1",
  "password123",
  "password@123",
  "password!",
  "admin@123",
  "admin123",
  "admin@1234",
  "admin@2024",
  "admin@2025",
  "admin@2026",
  "administrator",
  "root@123",
  "abc@12345",
  "abc@123456",
  "matkhau@123",
  "matkhou@123",
  "matkhau123",
  "matkhau@1234",
  "vietnam@123",
  "hanoi@123",
  "123@abc",
  "123456@abc",
  "@123456",
  "a@123456",
  "aa@123456",
  "abc@@123",
  "qwerty@123",
  "welcome@123",
  "welcome1",
  "changeme",
  "changeme123",
  "test@123",
  "test123",
  "user@123",
  "user123",
  "guest@123",
  "ubnd@123",
  "congvu@123",
  "email@123",
  "mail@123",
  "ninhbinh@123",
  "phuyen@123",
  "soctrang@123",
  "binhtan@123",
  "mic@123",
  "gov@123",
];

/**
 * Words whose decorated forms are common ("Dragon2024!", "Anhyeuem@123"). Compared with the
 * password's letter core, so each must be at least 3 letters.
 */
const CORES: readonly string[] = [
  // English words from the top of the breach lists.
  "password",
  "passwd",
  "pass",
  "pwd",
  "qwerty",
  "qwertyuiop",
  "qwertyu",
  "qwert",
  "qwer",
  "asdf",
  "asdfgh",
  "asdfghjkl",
  "zxcvbn",
  "zxcvbnm",
  "zxcv",
  "azerty",
  "qwertz",
  "admin",
  "administrator",
  "root",
  "toor",
  "superuser",
  "sysadmin",
  "webmaster",
  "user",
  "guest",
  "test",
  "tester",
  "demo",
  "default",
  "login",
  "welcome",
  "letmein",
  "changeme",
  "secret",
  "master",
  "access",
  "iloveyou",
  "iloveu",
  "loveyou",
  "love",
  "lovely",
  "princess",
  "dragon",
  "monkey",
  "sunshine",
  "shadow",
  "football",
  "baseball",
  "soccer",
  "superman",
  "batman",
  "spiderman",
  "pokemon",
  "naruto",
  "starwars",
  "trustno",
  "whatever",
  "freedom",
  "hello",
  "hellokitty",
  "charlie",
  "michael",
  "jennifer",
  "jordan",
  "hunter",
  "ranger",
  "buster",
  "killer",
  "soccer",
  "hockey",
  "george",
  "computer",
  "internet",
  "samsung",
  "apple",
  "iphone",
  "google",
  "facebook",
  "yahoo",
  "gmail",
  "hotmail",
  "outlook",
  "microsoft",
  "windows",
  "office",
  "summer",
  "winter",
  "spring",
  "autumn",
  "flower",
  "angel",
  "baby",
  "babygirl",
  "cookie",
  "cheese",
  "chocolate",
  "banana",
  "orange",
  "purple",
  "ginger",
  "matrix",
  "mustang",
  "ferrari",
  "liverpool",
  "chelsea",
  "arsenal",
  "manutd",
  "barcelona",
  "realmadrid",
  "abcdef",
  "abcdefgh",
  "abc",
  "abcd",
  "abcde",
  "aaa",
  "aaaa",
  "xxx",
  "zzz",
  "qqq",
  "qazwsx",
  "qweasd",
  "qweasdzxc",
  "qwe",
  "asd",
  "zxc",
  "mnbvcxz",
  "poiuytrewq",
  "lkjhgfdsa",
  "email",
  "mail",
  "webmail",
  "server",
  "system",
  "network",
  "security",
  "company",
  "temp",
  "temporary",
  "new",
  "newpass",
  "newpassword",
  "oldpassword",
  "mypass",
  "mypassword",
  "passpass",
  "private",
  "public",
  // Vietnamese: the words people actually type.
  "matkhau",
  "matkhou",
  "matkhaumoi",
  "matkhaucu",
  "doimatkhau",
  "matma",
  "anhyeuem",
  "emyeuanh",
  "yeuem",
  "yeuanh",
  "yeuemnhieu",
  "anhyeuemnhieu",
  "teyeume",
  "toiyeuem",
  "toiyeuvietnam",
  "yeuvietnam",
  "iloveyouvn",
  "emyeu",
  "anhyeu",
  "yeunhau",
  "maimai",
  "maiyeu",
  "tinhyeu",
  "hanhphuc",
  "giadinh",
  "vietnam",
  "vietnamese",
  "vietnamvodich",
  "saigon",
  "hanoi",
  "haiphong",
  "danang",
  "hue",
  "cantho",
  "hochiminh",
  "tphcm",
  "hcm",
  "sgn",
  "ninhbinh",
  "phuyen",
  "tuyhoa",
  "soctrang",
  "binhtan",
  "vnpt",
  "viettel",
  "mobifone",
  "fpt",
  "ubnd",
  "ubndtinh",
  "ubndquan",
  "ubndhuyen",
  "ubndxa",
  "sotttt",
  "stttt",
  "sotaichinh",
  "sonoivu",
  "vanphong",
  "vanthu",
  "ketoan",
  "congvu",
  "congvan",
  "thudientu",
  "thucongvu",
  "hopthu",
  "hethong",
  "quantri",
  "quantrivien",
  "taikhoan",
  "nguoidung",
  "coquan",
  "donvi",
  "phongban",
  "canbo",
  "congchuc",
  "vienchuc",
  "nhanvien",
  "chinhphu",
  "nhanuoc",
  "congan",
  "quandoi",
  "bothongtin",
  "mic",
  "gov",
  "govvn",
  "micgovvn",
  "xinchao",
  "chaoban",
  "camon",
  "hello",
  "tamso",
  "loc",
  "phat",
  "locphat",
  "phattai",
  "thanhcong",
  "binhan",
  "hoabinh",
  "tudo",
  "doclap",
  "hoangsa",
  "truongsa",
  // Common family names, and given names used alone as passwords.
  "nguyen",
  "tran",
  "pham",
  "hoang",
  "huynh",
  "phan",
  "dang",
  "dao",
  "bui",
  "ngo",
  "duong",
  "trinh",
  "truong",
  "dinh",
  "doan",
  "lam",
  "luong",
  "vu",
  "vo",
  "le",
  "ly",
  "mai",
  "anh",
  "minh",
  "linh",
  "huong",
  "hoa",
  "lan",
  "hung",
  "dung",
  "tuan",
  "long",
  "thao",
  "trang",
  "ngoc",
  "quynh",
  "phuong",
  "thuy",
  "hang",
  "nam",
  "hieu",
  "trung",
  "duc",
  "quang",
  "thanh",
  "hai",
  "son",
  "binh",
];

/** Years people type (birth years, "Admin@2024"), as whole passwords: 1940 … 2040. */
function years(): string[] {
  const out: string[] = [];
  for (let y = 1940; y <= 2040; y += 1) out.push(String(y));
  return out;
}

/** Repeated digits ("8888", "68686868") and digit runs ("1234" … "0123456789"), as whole passwords. */
function digitPatterns(): string[] {
  const out: string[] = [];
  for (let d = 0; d <= 9; d += 1) {
    for (let len = 4; len <= 12; len += 1) out.push(String(d).repeat(len));
  }
  // Vietnamese lucky numbers: lộc phát 68, 86, 6868, 8386 ("phát tài phát lộc"), 3979 ("thần tài").
  for (const pair of ["68", "86", "69", "96", "12", "21", "79", "39", "83"]) {
    for (let reps = 2; reps <= 6; reps += 1) out.push(pair.repeat(reps));
  }
  out.push("8386", "83868386", "3979", "39793979", "6868", "8686", "1368", "13681368");
  const up = "01234567890";
  const down = "9876543210";
  for (let len = 4; len <= 10; len += 1) {
    for (let i = 0; i + len <= up.length; i += 1) out.push(up.slice(i, i + len));
    for (let i = 0; i + len <= down.length; i += 1) out.push(down.slice(i, i + len));
  }
  return out;
}

/** Keyboard walks along the rows of a US/Vietnamese QWERTY keyboard, forwards and backwards. */
function keyboardWalks(): string[] {
  const rows = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "!@#$%^&*()"];
  const out: string[] = [];
  for (const row of rows) {
    const reversed = [...row].reverse().join("");
    for (let len = 4; len <= row.length; len += 1) {
      out.push(row.slice(0, len), reversed.slice(0, len));
    }
  }
  return out;
}

/** Every whole-password entry (lower case). */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  ...WHOLE,
  ...years(),
  ...digitPatterns(),
  ...keyboardWalks(),
  ...CORES,
]);

/** Every word whose decorated forms are rejected (lower case letters, ≥ 3). */
export const COMMON_PASSWORD_CORES: ReadonlySet<string> = new Set(
  [...CORES, ...keyboardWalks()].filter((w) => /^[a-z]{3,}$/.test(w)),
);

/** Leetspeak undone: the usual letter substitutions, tried one way each. */
const LEET: Readonly<Record<string, string>> = {
  "@": "a",
  "4": "a",
  "3": "e",
  "1": "i",
  "!": "i",
  "0": "o",
  $: "s",
  "5": "s",
  "7": "t",
  "+": "t",
  "9": "g",
  "8": "b",
};

function unleet(s: string, one: "i" | "l"): string {
  let out = "";
  for (const ch of s) {
    const mapped = LEET[ch];
    out += mapped === "i" && (ch === "1" || ch === "!") ? one : (mapped ?? ch);
  }
  return out;
}

/** The letters left after stripping leading and trailing digits, specials and spaces. */
function core(s: string): string {
  return s.replace(/^[^a-z]+/, "").replace(/[^a-z]+$/, "");
}

/**
 * True when `password` is a common password or a decorated form of one. `password` must be
 * lower case with diacritics folded (the caller does that, so the check sees "Mậtkhẩu" as
 * "matkhau"). Compares: the whole string; its letter core ("Matkhau@123" → "matkhau"); and
 * both again with leetspeak undone ("P@ssw0rd!" → "password").
 */
export function isCommonPassword(folded: string): boolean {
  if (COMMON_PASSWORDS.has(folded)) return true;
  const candidates = new Set<string>([core(folded)]);
  for (const one of ["i", "l"] as const) {
    const plain = unleet(folded, one);
    candidates.add(plain);
    candidates.add(core(plain));
    // Undo leetspeak inside the core only, so trailing "123" stays digits: "P@ssw0rd123" → "password".
    const inner = /^([^a-z]*)(.*?)([^a-z]*)$/.exec(folded);
    if (inner?.[2]) candidates.add(core(unleet(inner[2], one)));
  }
  for (const c of candidates) {
    if (c.length >= 3 && (COMMON_PASSWORD_CORES.has(c) || COMMON_PASSWORDS.has(c))) return true;
  }
  return false;
}
