/**
 * A map from strings to small unsigned integers that keeps its keys as UTF-8 bytes in one
 * growing buffer, outside the JavaScript heap, instead of one heap string and one Map entry per
 * key (≈ 25 bytes plus the key's bytes, against ≈ 70 for a Map of short strings).
 *
 * Made for the keys a long run keeps to its end (the staff import's codes, e-mails and taken
 * addresses: 500,000 of each). V8 lets its heap grow to about four times what survived the last
 * full collection before it collects again, so every byte kept alive on the heap costs about four
 * at the peak; bytes in an ArrayBuffer do not count there. Keys are compared exactly.
 * Hand-written: we found no maintained npm package for an off-heap string map; it is small and
 * tested against a plain Map (test/lib/compact-strings.test.ts).
 */
export class CompactStringMap {
  /** Keys, each as a 2-byte little-endian length and its UTF-8 bytes. */
  private bytes = new Uint8Array(1 << 16);
  private used = 0;
  /** Per entry: where its key starts in `bytes`, and its value. */
  private starts = new Uint32Array(1 << 10);
  private values = new Uint32Array(1 << 10);
  private count = 0;
  /** Open addressing (linear probing): entry number + 1, 0 = empty. Kept at most 70 % full. */
  private slots = new Uint32Array(1 << 11);
  private scratch = new Uint8Array(256);
  private readonly encoder = new TextEncoder();

  get size(): number {
    return this.count;
  }

  get(key: string): number | undefined {
    const len = this.encode(key);
    const entry = this.slots[this.probe(len, hash(this.scratch, 0, len))] as number;
    return entry === 0 ? undefined : this.values[entry - 1];
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Adds the key or changes its value; `value` must fit in 32 bits unsigned. */
  set(key: string, value = 0): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
      throw new RangeError(`CompactStringMap: value ${value} is not a 32-bit unsigned integer`);
    const len = this.encode(key);
    const slot = this.probe(len, hash(this.scratch, 0, len));
    const entry = this.slots[slot] as number;
    if (entry !== 0) {
      this.values[entry - 1] = value;
      return this;
    }
    if (this.used + 2 + len > this.bytes.length) this.bytes = grow(this.bytes, this.used + 2 + len);
    if (this.count === this.starts.length) {
      this.starts = grow(this.starts, this.count + 1);
      this.values = grow(this.values, this.count + 1);
    }
    this.bytes[this.used] = len & 0xff;
    this.bytes[this.used + 1] = len >>> 8;
    // Byte by byte: keys are short, and a subarray view per insert costs more than the copy.
    for (let i = 0; i < len; i++) this.bytes[this.used + 2 + i] = this.scratch[i] as number;
    this.starts[this.count] = this.used;
    this.values[this.count] = value;
    this.used += 2 + len;
    this.count++;
    this.slots[slot] = this.count;
    if (this.count * 10 > this.slots.length * 7) this.rehash();
    return this;
  }

  /** The key's UTF-8 bytes into `scratch`; returns their number. */
  private encode(key: string): number {
    // At most 3 bytes per UTF-16 code unit.
    if (this.scratch.length < key.length * 3) this.scratch = new Uint8Array(key.length * 3);
    const { written } = this.encoder.encodeInto(key, this.scratch);
    if (written > 0xffff) throw new RangeError("CompactStringMap: key longer than 65,535 bytes");
    return written;
  }

  /** The slot holding the key in `scratch`, or the empty slot where it would go. */
  private probe(len: number, h: number): number {
    const mask = this.slots.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot] as number;
      if (entry === 0 || this.keyEquals(this.starts[entry - 1] as number, len)) return slot;
    }
  }

  private keyEquals(start: number, len: number): boolean {
    const b = this.bytes;
    if (((b[start] as number) | ((b[start + 1] as number) << 8)) !== len) return false;
    for (let i = 0; i < len; i++) if (b[start + 2 + i] !== this.scratch[i]) return false;
    return true;
  }

  private rehash(): void {
    const slots = new Uint32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    const b = this.bytes;
    for (let e = 0; e < this.count; e++) {
      const start = this.starts[e] as number;
      const len = (b[start] as number) | ((b[start + 1] as number) << 8);
      let slot = hash(b, start + 2, len) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = e + 1;
    }
    this.slots = slots;
  }
}

/** FNV-1a over `len` bytes from `start`. */
function hash(b: Uint8Array, start: number, len: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < start + len; i++) h = Math.imul(h ^ (b[i] as number), 0x01000193);
  return h >>> 0;
}

/** A copy at least `need` long (doubling, so appends stay amortised O(1)). */
function grow<T extends Uint8Array | Uint32Array>(a: T, need: number): T {
  let size = a.length * 2;
  while (size < need) size *= 2;
  const out = new (a.constructor as new (n: number) => T)(size);
  out.set(a);
  return out;
}
