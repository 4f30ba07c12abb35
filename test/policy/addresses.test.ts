import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AddressProposal,
  type PersonInput,
  checkNamingTemplates,
  personalAddressPrefix,
  proposePersonalAddress,
  proposeUnitAddress,
  validateLocalPart,
} from "../../src/policy/addresses/index.ts";
import { type Profile, ProfileSchema } from "../../src/policy/profile.ts";
import { getProfile } from "../../src/policy/profiles/index.ts";
import { binhtan as binhtanInput } from "../../src/policy/profiles/binhtan.ts";
import { FAMILY_NAMES, GIVEN_NAMES, MIDDLE_NAMES } from "../helpers/vietnamese-names.ts";

const mic = getProfile("mic");
const phuyen = getProfile("phuyen");
const ninhbinh = getProfile("ninhbinh");
const binhtan = getProfile("binhtan");
const soctrang = getProfile("soctrang");
const PROFILES = [mic, phuyen, ninhbinh, binhtan, soctrang];

const none = new Set<string>();

function value<T>(
  result: { ok: true; value: T } | { ok: false; error: { code: string; message: string } },
): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
  return result.value;
}

function errorOf(result: { ok: boolean; error?: { code: string; message: string } }): {
  code: string;
  message: string;
} {
  if (result.ok || !result.error) throw new Error("expected an error");
  return result.error;
}

const unit = (profile: Profile, input: Parameters<typeof proposeUnitAddress>[1]): AddressProposal =>
  value(proposeUnitAddress(profile, input, none));

describe("personal addresses: examples from the documents", () => {
  it("mic Điều 5.3: Đỗ Văn Bê → dvbe", () => {
    const p = value(proposePersonalAddress(mic, { fullName: "Đỗ Văn Bê" }, none));
    expect(p).toMatchObject({
      address: "dvbe@mic.gov.vn",
      localPart: "dvbe",
      ruleId: "mic.personal",
      alternatives: [],
      collided: null,
    });
    expect(p.rule).toMatch(/Điều 5\.3 QĐ 652\/QĐ-BTTTT/);
  });

  it("phuyen Điều 4.2a: Nguyễn Văn A → nguyenvana", () => {
    const p = value(proposePersonalAddress(phuyen, { fullName: "Nguyễn Văn A" }, none));
    expect(p.address).toBe("nguyenvana@phuyen.gov.vn");
    expect(p.ruleId).toBe("phuyen.personal");
  });

  it("phuyen Điều 4.2b: nguyenvana79, then nguyenvana379 (month without leading zero)", () => {
    const person = { fullName: "Nguyễn Văn A", birthDate: "1979-03-15" };
    const taken = new Set(["nguyenvana@phuyen.gov.vn"]);
    const first = value(proposePersonalAddress(phuyen, person, taken));
    expect(first).toMatchObject({
      address: "nguyenvana79@phuyen.gov.vn",
      ruleId: "phuyen.collision.birth-yy",
      collided: "nguyenvana@phuyen.gov.vn",
    });
    expect(first.rule).toMatch(/^Theo Điều 4\.2b QĐ 13\/2020\/QĐ-UBND: .*2 số cuối năm sinh/);

    taken.add(first.address);
    const second = value(proposePersonalAddress(phuyen, person, taken));
    expect(second).toMatchObject({
      address: "nguyenvana379@phuyen.gov.vn",
      ruleId: "phuyen.collision.birth-myy",
    });

    taken.add(second.address);
    const third = value(proposePersonalAddress(phuyen, person, taken));
    expect(third).toMatchObject({
      address: "nguyenvana2@phuyen.gov.vn",
      ruleId: "phuyen.collision.sequence",
    });
    expect(third.rule).toMatch(/mailbot/);
  });

  it("phuyen: a collision without a birth date is an error, never a guess", () => {
    const error = errorOf(
      proposePersonalAddress(phuyen, { fullName: "Nguyễn Văn A" }, new Set(["nguyenvana@phuyen.gov.vn"])),
    );
    expect(error.code).toBe("missing_birth_date");
    expect(error.message).toMatch(/ngày sinh/);
    expect(
      errorOf(
        proposePersonalAddress(
          phuyen,
          { fullName: "Nguyễn Văn A", birthDate: "1979-02-30" },
          new Set(["nguyenvana@phuyen.gov.vn"]),
        ),
      ).code,
    ).toBe("missing_birth_date");
    // No collision: the birth date is not needed.
    expect(proposePersonalAddress(phuyen, { fullName: "Nguyễn Văn A" }, none).ok).toBe(true);
  });

  it("ninhbinh Điều 5.2: annv.stttt, the second person annv2.stttt, then annv3.stttt", () => {
    const person = { fullName: "Nguyễn Văn An", agency: "stttt" };
    const taken = new Set<string>();
    const first = value(proposePersonalAddress(ninhbinh, person, taken));
    expect(first).toMatchObject({ address: "annv.stttt@ninhbinh.gov.vn", ruleId: "ninhbinh.personal" });
    taken.add(first.address);
    const second = value(proposePersonalAddress(ninhbinh, person, taken));
    expect(second).toMatchObject({
      address: "annv2.stttt@ninhbinh.gov.vn",
      ruleId: "ninhbinh.collision.sequence",
      collided: "annv.stttt@ninhbinh.gov.vn",
    });
    expect(second.rule).toMatch(/Điều 5\.2b/);
    taken.add(second.address);
    expect(value(proposePersonalAddress(ninhbinh, person, taken)).address).toBe(
      "annv3.stttt@ninhbinh.gov.vn",
    );
  });

  it("ninhbinh: the agency may be given as an address or an abbreviation", () => {
    for (const agency of ["stttt", "STTTT", "stttt@ninhbinh.gov.vn", "Sở TT&TT"]) {
      expect(
        value(proposePersonalAddress(ninhbinh, { fullName: "Nguyễn Văn An", agency }, none)).address,
      ).toBe("annv.stttt@ninhbinh.gov.vn");
    }
  });

  it("ninhbinh: a missing agency is an error", () => {
    expect(errorOf(proposePersonalAddress(ninhbinh, { fullName: "Nguyễn Văn An" }, none)).code).toBe(
      "missing_agency",
    );
    expect(
      errorOf(
        proposePersonalAddress(ninhbinh, { fullName: "Nguyễn Văn An", agency: "stttt@example.com" }, none),
      ).code,
    ).toBe("invalid_abbr");
  });

  it("binhtan Điều 5: nvan.binhtan, ward staff nvan.binhtridonga.bt", () => {
    expect(value(proposePersonalAddress(binhtan, { fullName: "Nguyễn Văn An" }, none))).toMatchObject({
      address: "nvan.binhtan@tphcm.gov.vn",
      ruleId: "binhtan.personal",
    });
    const ward = value(
      proposePersonalAddress(binhtan, { fullName: "Nguyễn Văn An", ward: "Bình Trị Đông A" }, none),
    );
    expect(ward).toMatchObject({
      address: "nvan.binhtridonga.bt@tphcm.gov.vn",
      ruleId: "binhtan.personal.ward",
    });
    expect(ward.rule).toMatch(/QĐ 41\/2011/); // the default note travels with the rule
    const again = value(
      proposePersonalAddress(
        binhtan,
        { fullName: "Nguyễn Văn An", ward: "phường Bình Trị Đông A" },
        new Set(["nvan.binhtridonga.bt@tphcm.gov.vn"]),
      ),
    );
    expect(again.address).toBe("nvan2.binhtridonga.bt@tphcm.gov.vn");
  });

  it("soctrang: documented default {f}{m}{given}", () => {
    const p = value(proposePersonalAddress(soctrang, { fullName: "Trần Thị Bích Ngọc" }, none));
    expect(p.address).toBe("ttbngoc@soctrang.gov.vn");
    expect(p.rule).toMatch(/QĐ 17\/2014/);
  });

  it("several middle names give one initial each", () => {
    expect(value(proposePersonalAddress(mic, { fullName: "Tôn Nữ Thị Ngọc Anh" }, none)).address).toBe(
      "tntnanh@mic.gov.vn",
    );
    expect(value(proposePersonalAddress(phuyen, { fullName: "Tôn Nữ Thị Ngọc Anh" }, none)).address).toBe(
      "tonnuthingocanh@phuyen.gov.vn",
    );
    expect(value(proposePersonalAddress(mic, { fullName: "Lê An" }, none)).address).toBe("lan@mic.gov.vn");
  });
});

describe("mic collisions (Điều 5.4)", () => {
  const taken = new Set(["dvbe@mic.gov.vn"]);

  it("proposes <name>.<unit symbol> and lists letter-order permutations as alternatives", () => {
    const p = value(proposePersonalAddress(mic, { fullName: "Đỗ Văn Bê", unitSymbol: "CNTT" }, taken));
    expect(p).toMatchObject({
      address: "dvbe.cntt@mic.gov.vn",
      ruleId: "mic.collision.unit-suffix",
      collided: "dvbe@mic.gov.vn",
    });
    expect(p.alternatives).toEqual([
      "vdbe@mic.gov.vn",
      "bedv@mic.gov.vn",
      "bevd@mic.gov.vn",
      "dbev@mic.gov.vn",
      "vbed@mic.gov.vn",
    ]);
    expect(p.rule).toMatch(/Điều 5\.4b QĐ 652\/QĐ-BTTTT/);
  });

  it("unit symbols with invalid characters follow Điều 5.1", () => {
    const p = value(proposePersonalAddress(mic, { fullName: "Đỗ Văn Bê", unitSymbol: "PTTH&TTĐT" }, taken));
    expect(p.address).toBe("dvbe.ptth_ttdt@mic.gov.vn");
  });

  it("falls back to the first free permutation, then to a sequence number", () => {
    const more = new Set([...taken, "dvbe.cntt@mic.gov.vn", "vdbe@mic.gov.vn"]);
    const p = value(proposePersonalAddress(mic, { fullName: "Đỗ Văn Bê", unitSymbol: "CNTT" }, more));
    expect(p).toMatchObject({ address: "bedv@mic.gov.vn", ruleId: "mic.collision.permutation" });
    expect(p.alternatives).not.toContain("vdbe@mic.gov.vn");

    const all = new Set(
      [...more, "bedv", "bevd", "dbev", "vbed"].map((a) => (a.includes("@") ? a : a + "@mic.gov.vn")),
    );
    const last = value(proposePersonalAddress(mic, { fullName: "Đỗ Văn Bê", unitSymbol: "CNTT" }, all));
    expect(last).toMatchObject({
      address: "dvbe2@mic.gov.vn",
      ruleId: "mic.collision.sequence",
      alternatives: [],
    });
  });

  // Điều 5.4b: "hoán chuyển vị trí thứ tự chữ cái giữa họ, tên đệm và tên hoặc theo định dạng
  // hovaten.tendonvi" — a person without a unit still gets the permutations.
  it("without a unit, still offers the article's permutations instead of an error", () => {
    const p = value(proposePersonalAddress(mic, { fullName: "Đỗ Văn Bê" }, taken));
    expect(p).toMatchObject({ address: "vdbe@mic.gov.vn", ruleId: "mic.collision.permutation" });
    expect(p.alternatives).toEqual([
      "bedv@mic.gov.vn",
      "bevd@mic.gov.vn",
      "dbev@mic.gov.vn",
      "vbed@mic.gov.vn",
    ]);
    expect(p.rule).toMatch(/Điều 5\.4b QĐ 652\/QĐ-BTTTT/);
    expect(p.rule).toMatch(/ký hiệu đơn vị/);
  });

  it("asks for the unit symbol only when every permutation is taken too", () => {
    const all = new Set(["dvbe", "vdbe", "bedv", "bevd", "dbev", "vbed"].map((a) => `${a}@mic.gov.vn`));
    const error = errorOf(proposePersonalAddress(mic, { fullName: "Đỗ Văn Bê" }, all));
    expect(error.code).toBe("missing_unit");
    expect(error.message).toMatch(/ký hiệu đơn vị/);
  });

  it("duplicate letters give distinct permutations only", () => {
    const p = value(
      proposePersonalAddress(
        mic,
        { fullName: "Nguyễn Ngọc Anh", unitSymbol: "VP" },
        new Set(["nnanh@mic.gov.vn"]),
      ),
    );
    expect(p.alternatives).toEqual(["anhnn@mic.gov.vn", "nanhn@mic.gov.vn"]);
  });
});

describe("personal address errors", () => {
  it("invalid names carry the name error message", () => {
    const error = errorOf(proposePersonalAddress(mic, { fullName: "Bê" }, none));
    expect(error.code).toBe("invalid_name");
    expect(error.message).toMatch(/^Nhập đủ họ và tên/);
    expect(errorOf(proposePersonalAddress(mic, { fullName: "Đỗ Văn 2" }, none)).code).toBe("invalid_name");
  });

  it("exhausted when every candidate is taken", () => {
    const error = errorOf(
      proposePersonalAddress(phuyen, { fullName: "Nguyễn Văn A", birthDate: "1979-03-15" }, () => true),
    );
    expect(error.code).toBe("exhausted");
  });

  it("too_long when the plain address exceeds 64 octets", () => {
    const long = "Nguyễn " + "Thượng ".repeat(9) + "Nghiêng";
    expect(errorOf(proposePersonalAddress(phuyen, { fullName: long }, none)).code).toBe("too_long");
  });

  it("missing_ward when a profile's template needs a ward", () => {
    const custom: Profile = ProfileSchema.parse({
      ...binhtanInput,
      id: "wardonly",
      naming: { ...binhtanInput.naming, personal: { ...binhtanInput.naming.personal, suffix: ".{ward}.bt" } },
    });
    expect(errorOf(proposePersonalAddress(custom, { fullName: "Nguyễn Văn An" }, none)).code).toBe(
      "missing_ward",
    );
  });

  it("reports unknown template tokens", () => {
    const custom: Profile = ProfileSchema.parse({
      ...binhtanInput,
      id: "typo",
      naming: {
        ...binhtanInput.naming,
        personal: { ...binhtanInput.naming.personal, pattern: "{f}{midle}{given}" },
      },
    });
    expect(checkNamingTemplates(custom)[0]).toMatch(/\{midle\}/);
    expect(checkNamingTemplates(mic)).toEqual([]);
  });
});

describe("personalAddressPrefix", () => {
  it("is the plain name part", () => {
    expect(personalAddressPrefix(mic, { fullName: "Đỗ Văn Bê" })).toBe("dvbe");
    expect(personalAddressPrefix(phuyen, { fullName: "nguyễn   văn a" })).toBe("nguyenvana");
    expect(personalAddressPrefix(ninhbinh, { fullName: "Nguyễn Văn An", agency: "stttt" })).toBe("annv");
    expect(personalAddressPrefix(binhtan, { fullName: "Nguyễn Văn An" })).toBe("nvan");
    expect(personalAddressPrefix(mic, { fullName: "Bê" })).toBeNull();
  });
});

describe("unit and group addresses", () => {
  it("mic Điều 5.1–5.2: cntt, ptth_ttdt, doanthanhnien", () => {
    expect(unit(mic, { kind: "agency", abbr: "CNTT" }).address).toBe("cntt@mic.gov.vn");
    const ptth = unit(mic, { kind: "agency", abbr: "PTTH&TTĐT" });
    expect(ptth).toMatchObject({ address: "ptth_ttdt@mic.gov.vn", ruleId: "mic.unit.agency" });
    expect(ptth.rule).toMatch(/Điều 5\.1.*“_”/);
    expect(unit(mic, { kind: "division", abbr: "PTTH - TTĐT" }).address).toBe("ptth_ttdt@mic.gov.vn");
    expect(unit(mic, { kind: "agency", abbr: "&CNTT--" }).address).toBe("cntt@mic.gov.vn");
    expect(unit(mic, { kind: "group", name: "doanthanhnien" }).address).toBe("doanthanhnien@mic.gov.vn");
    expect(unit(mic, { kind: "group", name: "Đoàn thanh niên" }).address).toBe("doanthanhnien@mic.gov.vn");
  });

  it("phuyen Điều 4.1: stttt, tuyhoa, hoan.phuhoa, pnv.tuyan, ttcntttt.stttt", () => {
    for (const abbr of ["STTTT", "Sở TT&TT", "S.TT&TT"]) {
      expect(unit(phuyen, { kind: "agency", abbr }).address).toBe("stttt@phuyen.gov.vn");
    }
    expect(unit(phuyen, { kind: "district", name: "Tuy Hòa" }).address).toBe("tuyhoa@phuyen.gov.vn");
    expect(unit(phuyen, { kind: "district", name: "thành phố Tuy Hòa" }).address).toBe(
      "tuyhoa@phuyen.gov.vn",
    );
    // Điều 4.1c writes xã Hòa An contracted: the profile's listed form, not a general rule.
    const hoan = unit(phuyen, { kind: "commune", name: "Hòa An", parentLocalPart: "phuhoa" });
    expect(hoan).toMatchObject({ address: "hoan.phuhoa@phuyen.gov.vn", ruleId: "phuyen.unit.listed" });
    expect(hoan.rule).toMatch(/Điều 4\.1c QĐ 13\/2020\/QĐ-UBND/);
    // Elsewhere the name is written in full ("viết liền, không dấu").
    expect(unit(phuyen, { kind: "commune", name: "Hòa An", parentLocalPart: "tuyan" }).address).toBe(
      "hoaan.tuyan@phuyen.gov.vn",
    );
    expect(
      unit(phuyen, { kind: "commune", name: "xã Hòa An", parentLocalPart: "huyện Phú Hòa" }).address,
    ).toBe("hoan.phuhoa@phuyen.gov.vn");
    expect(unit(phuyen, { kind: "division", abbr: "PNV", parentLocalPart: "tuyan" }).address).toBe(
      "pnv.tuyan@phuyen.gov.vn",
    );
    expect(unit(phuyen, { kind: "division", abbr: "Phòng Nội vụ", parentLocalPart: "tuyan" }).address).toBe(
      "pnv.tuyan@phuyen.gov.vn",
    );
    for (const abbr of ["TTCNTTTT", "TT CNTT&TT", "Trung tâm CNTT&TT"]) {
      expect(unit(phuyen, { kind: "division", abbr, parentLocalPart: "stttt" }).address).toBe(
        "ttcntttt.stttt@phuyen.gov.vn",
      );
    }
    expect(
      unit(phuyen, { kind: "division", abbr: "TTCNTTTT", parentLocalPart: "stttt@phuyen.gov.vn" }).address,
    ).toBe("ttcntttt.stttt@phuyen.gov.vn");
  });

  // Điều 5.1a "Đối với Ủy ban nhân dân tỉnh sử dụng tên viết tắt là: ubnd"; 5.1b "Đối với Ủy ban
  // nhân dân thành phố Ninh Bình sử dụng tên viết tắt: tpb".
  it("ninhbinh Điều 5.1: every fixed form the article lists, from the unit's name", () => {
    for (const name of ["Ủy ban nhân dân tỉnh Ninh Bình", "UBND tỉnh", "Uỷ ban nhân dân tỉnh"]) {
      const p = unit(ninhbinh, { kind: "agency", name, abbr: name });
      expect(p).toMatchObject({ address: "ubnd@ninhbinh.gov.vn", ruleId: "ninhbinh.unit.listed" });
      expect(p.rule).toMatch(/Điều 5\.1a/);
    }
    for (const name of [
      "thành phố Ninh Bình",
      "UBND thành phố Ninh Bình",
      "TP Ninh Bình",
      "Ủy ban nhân dân TP. Ninh Bình",
    ]) {
      const p = unit(ninhbinh, { kind: "district", name });
      expect(p).toMatchObject({ address: "tpb@ninhbinh.gov.vn", ruleId: "ninhbinh.unit.listed" });
      expect(p.rule).toMatch(/Điều 5\.1b/);
    }
    // Other districts keep the template: <tên huyện>.
    expect(unit(ninhbinh, { kind: "district", name: "thành phố Tam Điệp" }).address).toBe(
      "tamdiep@ninhbinh.gov.vn",
    );
  });

  it("ninhbinh Điều 5.1: ubnd, tpb, no “và” and no “-”, division under the parent's local part", () => {
    expect(unit(ninhbinh, { kind: "agency", abbr: "UBND" }).address).toBe("ubnd@ninhbinh.gov.vn");
    expect(unit(ninhbinh, { kind: "district", name: "tpb" }).address).toBe("tpb@ninhbinh.gov.vn");
    expect(unit(ninhbinh, { kind: "district", abbr: "TPB" }).address).toBe("tpb@ninhbinh.gov.vn");
    expect(unit(ninhbinh, { kind: "agency", abbr: "Sở Văn hóa và Thể thao" }).address).toBe(
      "svhtt@ninhbinh.gov.vn",
    );
    expect(unit(ninhbinh, { kind: "agency", abbr: "VH - TT" }).address).toBe("vhtt@ninhbinh.gov.vn");
    expect(unit(ninhbinh, { kind: "agency", abbr: "TT và TT" }).address).toBe("tttt@ninhbinh.gov.vn");
    expect(unit(ninhbinh, { kind: "district", name: "huyện Gia Viễn" }).address).toBe(
      "giavien@ninhbinh.gov.vn",
    );
    expect(unit(ninhbinh, { kind: "commune", name: "Gia Hòa", parentLocalPart: "giavien" }).address).toBe(
      "giahoa.giavien@ninhbinh.gov.vn",
    );
    expect(unit(ninhbinh, { kind: "division", abbr: "VP", parentLocalPart: "stttt" }).address).toBe(
      "vp.stttt@ninhbinh.gov.vn",
    );
  });

  it("binhtan Điều 5: <abbr>.binhtan, ubnd.<ward>.bt, group", () => {
    expect(unit(binhtan, { kind: "agency", abbr: "VP" })).toMatchObject({
      address: "vp.binhtan@tphcm.gov.vn",
      ruleId: "binhtan.unit.agency",
    });
    expect(unit(binhtan, { kind: "commune", name: "Bình Trị Đông A" }).address).toBe(
      "ubnd.binhtridonga.bt@tphcm.gov.vn",
    );
    expect(unit(binhtan, { kind: "commune", name: "Phường 1" }).address).toBe("ubnd.phuong1.bt@tphcm.gov.vn");
    expect(unit(binhtan, { kind: "group", name: "Công đoàn" }).address).toBe("congdoan.binhtan@tphcm.gov.vn");
  });

  it("errors: missing abbreviation, name or parent; taken address", () => {
    expect(errorOf(proposeUnitAddress(mic, { kind: "agency" }, none)).code).toBe("invalid_abbr");
    expect(errorOf(proposeUnitAddress(mic, { kind: "agency", abbr: "&&" }, none)).code).toBe("invalid_abbr");
    expect(errorOf(proposeUnitAddress(phuyen, { kind: "district" }, none)).code).toBe("invalid_abbr");
    const parent = errorOf(proposeUnitAddress(phuyen, { kind: "commune", name: "Hòa An" }, none));
    expect(parent.code).toBe("missing_unit");
    expect(parent.message).toMatch(/cấp trên/);
    expect(
      errorOf(proposeUnitAddress(phuyen, { kind: "division", abbr: "PNV", parentLocalPart: "x@y.vn" }, none))
        .code,
    ).toBe("missing_unit");
    expect(
      errorOf(proposeUnitAddress(mic, { kind: "agency", abbr: "CNTT" }, new Set(["cntt@mic.gov.vn"]))).code,
    ).toBe("exhausted");
    expect(errorOf(proposeUnitAddress(mic, { kind: "group", name: "a".repeat(65) }, none)).code).toBe(
      "too_long",
    );
  });
});

// Issue 10: place names are written "viết liền, không dấu" — no letter is dropped, so two places
// never meet in one address (phuyen Điều 4.1b–c, ninhbinh Điều 5.1b).
describe("place names keep every letter", () => {
  it("Bình Hưng Hòa and Bình Hưng Hòa A differ; Ninh Hải, Sơn Nguyên keep their doubled letter", () => {
    expect(unit(binhtan, { kind: "commune", name: "Bình Hưng Hòa" }).address).toBe(
      "ubnd.binhhunghoa.bt@tphcm.gov.vn",
    );
    expect(unit(binhtan, { kind: "commune", name: "Bình Hưng Hòa A" }).address).toBe(
      "ubnd.binhhunghoaa.bt@tphcm.gov.vn",
    );
    expect(unit(phuyen, { kind: "district", name: "huyện Sơn Hòa" }).address).toBe("sonhoa@phuyen.gov.vn");
    expect(unit(phuyen, { kind: "commune", name: "Sơn Nguyên", parentLocalPart: "sonhoa" }).address).toBe(
      "sonnguyen.sonhoa@phuyen.gov.vn",
    );
    expect(unit(ninhbinh, { kind: "commune", name: "Ninh Hải", parentLocalPart: "hoalu" }).address).toBe(
      "ninhhai.hoalu@ninhbinh.gov.vn",
    );
    expect(
      value(proposePersonalAddress(binhtan, { fullName: "Nguyễn Văn An", ward: "Bình Hưng Hòa A" }, none))
        .address,
    ).toBe("nvan.binhhunghoaa.bt@tphcm.gov.vn");
  });
});

// "Never let two different units share a suffix": a unit whose address (the suffix of every
// address under it) is taken is refused with a clear message, and the operator may override.
describe("unit collisions, every profile", () => {
  const cases: Array<[Profile, Parameters<typeof proposeUnitAddress>[1]]> = [
    [mic, { kind: "agency", abbr: "CNTT" }],
    [phuyen, { kind: "commune", name: "Hòa An", parentLocalPart: "phuhoa" }],
    [ninhbinh, { kind: "district", name: "thành phố Ninh Bình" }],
    [binhtan, { kind: "commune", name: "Bình Hưng Hòa" }],
    [soctrang, { kind: "agency", abbr: "STTTT" }],
  ];
  for (const [profile, input] of cases) {
    it(`${profile.id}: refused when taken, with the way out; an override is validated and labelled`, () => {
      const plain = unit(profile, input).address;
      const taken = new Set([plain]);
      const error = errorOf(proposeUnitAddress(profile, input, taken));
      expect(error.code).toBe("exhausted");
      expect(error.message).toMatch(/không được dùng chung/);
      expect(error.message).toMatch(/--override/);
      const over = value(proposeUnitAddress(profile, { ...input, override: "donvi2" }, taken));
      expect(over).toMatchObject({
        address: `donvi2@${profile.domain}`,
        ruleId: `${profile.id}.unit.override`,
        collided: plain,
      });
      expect(errorOf(proposeUnitAddress(profile, { ...input, override: plain }, taken)).code).toBe(
        "exhausted",
      );
      expect(errorOf(proposeUnitAddress(profile, { ...input, override: "Đơn vị" }, taken)).code).toBe(
        "invalid_abbr",
      );
    });
  }
});

// Personal collisions for every profile: never a taken address, always the profile's next step.
describe("personal collisions, every profile", () => {
  it("each profile's second namesake gets the article's form", () => {
    const second = (profile: Profile, person: PersonInput, taken: string[]): string =>
      value(proposePersonalAddress(profile, person, new Set(taken))).address;
    expect(second(mic, { fullName: "Đỗ Văn Bê", unitSymbol: "CNTT" }, ["dvbe@mic.gov.vn"])).toBe(
      "dvbe.cntt@mic.gov.vn",
    );
    expect(second(mic, { fullName: "Đỗ Văn Bê" }, ["dvbe@mic.gov.vn"])).toBe("vdbe@mic.gov.vn");
    expect(
      second(phuyen, { fullName: "Nguyễn Văn A", birthDate: "1979-03-05" }, ["nguyenvana@phuyen.gov.vn"]),
    ).toBe("nguyenvana79@phuyen.gov.vn");
    expect(
      second(ninhbinh, { fullName: "Nguyễn Văn An", agency: "stttt" }, ["annv.stttt@ninhbinh.gov.vn"]),
    ).toBe("annv2.stttt@ninhbinh.gov.vn");
    expect(second(binhtan, { fullName: "Nguyễn Văn An" }, ["nvan.binhtan@tphcm.gov.vn"])).toBe(
      "nvan2.binhtan@tphcm.gov.vn",
    );
    expect(second(soctrang, { fullName: "Nguyễn Văn An" }, ["nvan@soctrang.gov.vn"])).toBe(
      "nvan2@soctrang.gov.vn",
    );
  });

  // Issue 9 item 7: "Nguyễn\u200bVăn An" used to give nan@.
  it("a zero-width character between two words is refused for every profile, never glued", () => {
    for (const profile of PROFILES) {
      const result = proposePersonalAddress(
        profile,
        { fullName: "Nguyễn\u200bVăn An", agency: "stttt", unitSymbol: "CNTT" },
        none,
      );
      expect(errorOf(result).code).toBe("invalid_name");
    }
  });
});

describe("validateLocalPart", () => {
  it("accepts RFC 5321 local parts in house style", () => {
    for (const ok of ["dvbe", "ptth_ttdt", "hoan.phuhoa", "annv2.stttt", "a".repeat(64)]) {
      expect(validateLocalPart(ok)).toEqual({ ok: true, value: ok });
    }
  });

  it("rejects the rest", () => {
    expect(errorOf(validateLocalPart("a".repeat(65))).code).toBe("too_long");
    for (const bad of ["", ".dvbe", "dvbe.", "dv..be", "DVBE", "dv be", "dvbê", "dv-be", "dv+be"]) {
      expect(validateLocalPart(bad).ok).toBe(false);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const randomCase = (word: string): fc.Arbitrary<string> =>
  fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((flags) => [...word].map((ch, i) => (flags[i] ? ch.toUpperCase() : ch.toLowerCase())).join(""));

const spacing = fc.constantFrom(" ", "  ", "\t", " \t ", "\u00a0");

/** A realistic name with random case, spacing and normalisation form, plus its canonical form. */
const nameArb = fc
  .record({
    family: fc.constantFrom(...FAMILY_NAMES),
    middle: fc.array(fc.constantFrom(...MIDDLE_NAMES), { maxLength: 3 }),
    given: fc.constantFrom(...GIVEN_NAMES),
  })
  .chain(({ family, middle, given }) => {
    const words = [family, ...middle, given];
    return fc
      .record({
        cased: fc.tuple(...words.map(randomCase)),
        gaps: fc.array(spacing, { minLength: words.length + 1, maxLength: words.length + 1 }),
        form: fc.constantFrom("NFC", "NFD"),
      })
      .map(({ cased, gaps, form }) => {
        const text = cased.map((w, i) => gaps[i] + w).join("") + gaps[words.length];
        return { canonical: words.join(" "), input: text.normalize(form) };
      });
  });

const birthArb = fc
  .record({
    y: fc.integer({ min: 1950, max: 2005 }),
    m: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
  })
  .map(({ y, m, d }) => `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`);

const personArb = fc.record({
  name: nameArb,
  birthDate: birthArb,
  unitSymbol: fc.constantFrom("CNTT", "VP", "PTTH&TTĐT", "TCCB"),
  agency: fc.constantFrom("stttt", "snv", "ubnd", "Sở TT&TT"),
  ward: fc.option(fc.constantFrom("Bình Trị Đông A", "An Lạc", "Tân Tạo"), { nil: null }),
});

type PersonSample = typeof personArb extends fc.Arbitrary<infer T> ? T : never;

function toPerson(p: PersonSample): PersonInput {
  return {
    fullName: p.name.input,
    birthDate: p.birthDate,
    unitSymbol: p.unitSymbol,
    agency: p.agency,
    ward: p.ward,
  };
}

describe("properties", () => {
  it("every proposal is a valid, free, deterministic address, the same for NFC and NFD input", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PROFILES),
        personArb,
        fc.array(fc.boolean(), { maxLength: 12 }),
        (profile, p, takeSteps) => {
          const person = toPerson(p);
          // Build a taken set out of the likely candidates: each step issues (or skips) the
          // address the generator would propose next, plus some of its alternatives.
          const taken = new Set<string>();
          for (const take of takeSteps) {
            const r = proposePersonalAddress(profile, person, taken);
            if (!r.ok) break;
            if (take) taken.add(r.value.address);
            else r.value.alternatives.slice(0, 2).forEach((a) => taken.add(a));
          }
          const result = proposePersonalAddress(profile, person, taken);
          expect(result.ok).toBe(true);
          if (!result.ok) return;
          const proposal = result.value;
          expect(taken.has(proposal.address)).toBe(false);
          for (const alt of proposal.alternatives) expect(taken.has(alt)).toBe(false);
          for (const address of [proposal.address, ...proposal.alternatives]) {
            const [local, domain] = address.split("@") as [string, string];
            expect(validateLocalPart(local).ok).toBe(true);
            expect(domain).toBe(profile.domain);
          }
          expect(proposal.localPart + "@" + profile.domain).toBe(proposal.address);
          expect(proposal.rule.length).toBeGreaterThan(20);
          // Deterministic, and the normalisation form of the input does not matter.
          expect(proposePersonalAddress(profile, person, taken)).toEqual(result);
          const nfc = { ...person, fullName: person.fullName.normalize("NFC") };
          const nfd = { ...person, fullName: person.fullName.normalize("NFD") };
          expect(proposePersonalAddress(profile, nfd, taken)).toEqual(
            proposePersonalAddress(profile, nfc, taken),
          );
          // The same answer for the canonical spelling of the name.
          const canonical = { ...person, fullName: p.name.canonical };
          expect(proposePersonalAddress(profile, canonical, taken)).toEqual(result);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("the taken lookup may be a function", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PROFILES),
        personArb,
        fc.integer({ min: 0, max: 5 }),
        (profile, p, n) => {
          const person = toPerson(p);
          const taken = new Set<string>();
          for (let i = 0; i < n; i++) {
            const r = proposePersonalAddress(profile, person, (a) => taken.has(a));
            expect(r.ok).toBe(true);
            if (!r.ok) return;
            expect(taken.has(r.value.address)).toBe(false);
            taken.add(r.value.address);
          }
        },
      ),
    );
  });

  it("issuing the same name repeatedly never hands out an address twice", () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROFILES), personArb, (profile, p) => {
        const person = toPerson(p);
        const taken = new Set<string>();
        for (let i = 0; i < 15; i++) {
          const r = proposePersonalAddress(profile, person, taken);
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          expect(taken.has(r.value.address)).toBe(false);
          taken.add(r.value.address);
        }
        expect(taken.size).toBe(15);
      }),
      { numRuns: 50 },
    );
  });

  it("the prefix starts the plain proposal", () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROFILES), personArb, (profile, p) => {
        const person = toPerson(p);
        const prefix = personalAddressPrefix(profile, person);
        expect(prefix).not.toBeNull();
        const r = proposePersonalAddress(profile, person, none);
        expect(r.ok && r.value.localPart.startsWith(prefix as string)).toBe(true);
      }),
    );
  });
});
