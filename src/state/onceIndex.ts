import { randomInt } from 'node:crypto';

/** Entries in a chunk of the recording-order queue: 256 KiB of typed arrays. */
const CHUNK = 1 << 14;

interface QueueChunk {
  a: Int32Array;
  b: Int32Array;
  e: Float64Array;
}

const queueChunk = (): QueueChunk => ({ a: new Int32Array(CHUNK), b: new Int32Array(CHUNK), e: new Float64Array(CHUNK) });

/**
 * Frees the memory of arrays the index no longer uses, now rather than at the next full
 * collection. Tables and chunks live long enough to reach the old generation, whose buffers only a
 * mark-compact frees, and the thread the index lives on allocates too little to get one: a run of
 * 1M recordings kept every table it had outgrown, ~32 MB. Transferred, a buffer's memory moves to
 * a new, unreferenced ArrayBuffer, which the next scavenge frees.
 */
function release(...views: ArrayBufferView[]): void {
  for (const v of views) structuredClone(v.buffer, { transfer: [v.buffer] });
}

/** Old-table slots moved to the new one per recording while the table grows (see `grow`). */
const MOVE_PER_PUT = 8;
/** An old-table slot whose entry moved or was forgotten: probes pass over it, nothing matches it. */
const GONE = -1;

/**
 * The in-memory index of live one-time ids: a 64-bit fingerprint of each id and its expiry in typed
 * arrays (an open-addressing table with linear probing), and a queue of the same in recording order
 * to forget them as they expire. Where a Map of strings held 150–250 bytes per id in objects the
 * garbage collector traces on every full collection, this holds 48–95 bytes in a few flat buffers
 * it never traces (measured in bench/RESULTS.md).
 *
 * A fingerprint (two 32-bit hashes of the id, seeded at random per process) stands for the id: the
 * same id always has the same fingerprint, so a replay is never missed; two different ids share
 * one with a chance of about n / 2^64 for n live ids (10^-13 for a million), which would refuse
 * one request as a replay. The seeds are secret to the process, so nobody can aim at another
 * caller's ids. The log table (`once_log`) keeps the ids themselves.
 *
 * The table doubles as it fills, and it does so a few slots at a time: rehashing half a million
 * entries at once held the request thread for tens of milliseconds, the longest event-loop stalls
 * of a benchmark round. While it grows, the old table stays beside the new one, read-only but for
 * `GONE` marks; each recording moves `MOVE_PER_PUT` of its slots across, which empties it well
 * before the new table is half full. An id is in one table at a time.
 */
export class OnceIndex {
  private readonly seedA = randomInt(0x7fffffff) | 1;
  private readonly seedB = randomInt(0x7fffffff) | 1;
  /** Table: fingerprint halves and expiry tick; `exp` 0 = empty slot (ticks start at 1). */
  private fa = new Int32Array(1 << 16);
  private fb = new Int32Array(1 << 16);
  private exp = new Float64Array(1 << 16);
  /** Live entries in the table (not counting the old one's). */
  private count = 0;
  /** While growing: the old table, the next of its slots to move, and its live entries. */
  private old: { fa: Int32Array; fb: Int32Array; exp: Float64Array } | undefined;
  private moved = 0;
  private oldLive = 0;
  /**
   * Recording-order queue: fingerprint halves and the expiry each recording gave, in chunks of
   * `CHUNK` entries (first at `head`, the last filled up to `tail`). Chunks rather than one ring
   * that doubles: copying a full ring into one twice its size touches every page of the new one at
   * once, and on this kind of virtual machine a first touch costs ~11 µs a 4-KiB page (a 16-MB
   * ring: ~45 ms of one call). A chunk is written in order, so its pages are first touched one
   * recording at a time, and an emptied chunk is kept for the next one.
   */
  private chunks: QueueChunk[] = [queueChunk()];
  private spare: QueueChunk | undefined;
  private head = 0;
  private tail = 0;
  private length = 0;
  private a = 0;
  private b = 0;

  get size(): number {
    return this.count + this.oldLive;
  }

  /** The bytes of its typed arrays: the table (two while it grows) and the queue's chunks. */
  get bytes(): number {
    const table = this.exp.byteLength * 2 + (this.old ? this.old.exp.byteLength * 2 : 0);
    const chunk = CHUNK * 16;
    return table + (this.chunks.length + (this.spare ? 1 : 0)) * chunk;
  }

  /** Whether the table is between two sizes (for tests). */
  get growing(): boolean {
    return this.old !== undefined;
  }

  /** Sets this.a, this.b to the id's fingerprint. */
  private fingerprint(id: string): void {
    let a = this.seedA;
    let b = this.seedB;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    a ^= a >>> 16;
    a = Math.imul(a, 0x85ebca6b);
    a ^= a >>> 13;
    a = Math.imul(a, 0xc2b2ae35);
    a ^= a >>> 16;
    b ^= b >>> 13;
    b = Math.imul(b, 0x27d4eb2f);
    b ^= b >>> 16;
    this.a = a;
    this.b = b;
  }

  /** The slot holding (a, b) in the table, or the empty slot where it would go. */
  private slot(a: number, b: number): number {
    const mask = this.exp.length - 1;
    let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
    while (this.exp[i] !== 0 && (this.fa[i] !== a || this.fb[i] !== b)) i = (i + 1) & mask;
    return i;
  }

  /** The old table's slot holding (a, b) live, or -1. */
  private oldSlot(a: number, b: number): number {
    const old = this.old;
    if (!old) return -1;
    const mask = old.exp.length - 1;
    let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
    for (;;) {
      const e = old.exp[i]!;
      if (e === 0) return -1;
      if (e !== GONE && old.fa[i] === a && old.fb[i] === b) return i;
      i = (i + 1) & mask;
    }
  }

  /** The id's expiry tick, or undefined. */
  get(id: string): number | undefined {
    this.fingerprint(id);
    const e = this.exp[this.slot(this.a, this.b)]!;
    if (e !== 0) return e;
    const j = this.oldSlot(this.a, this.b);
    return j === -1 ? undefined : this.old!.exp[j];
  }

  /** Records the id (again) with this expiry, at the end of the recording order. */
  set(id: string, expiryTick: number): void {
    this.fingerprint(id);
    this.put(this.a, this.b, expiryTick);
    this.enqueue(this.a, this.b, expiryTick);
  }

  /** Puts back what the id had before a rolled-back recording (undefined: it was not there). */
  restore(id: string, before: number | undefined): void {
    this.fingerprint(id);
    if (before === undefined) this.forget(this.a, this.b, undefined);
    else this.put(this.a, this.b, before);
  }

  /** Forgets, in recording order, the ids whose expiry is at most `tick`, stopping at a live one or after `max`. */
  forgetUpTo(tick: number, max = Infinity): number {
    let n = 0;
    while (this.length > 0 && n < max) {
      const chunk = this.chunks[0]!;
      const h = this.head;
      const e = chunk.e[h]!;
      if (e > tick) break;
      // A later recording of the same id has its own entry further on: only its own expiry removes it.
      this.forget(chunk.a[h]!, chunk.b[h]!, e);
      this.length--;
      n++;
      if (++this.head === CHUNK) {
        this.head = 0;
        // The only chunk, read to its end, is empty: it is written from its start again.
        if (this.chunks.length === 1) this.tail = 0;
        else {
          if (this.spare) release(this.spare.a, this.spare.b, this.spare.e);
          this.spare = this.chunks.shift();
        }
      }
    }
    return n;
  }

  /** Removes (a, b) from whichever table holds it, when its expiry is `only` (undefined: whatever it is). */
  private forget(a: number, b: number, only: number | undefined): void {
    const i = this.slot(a, b);
    const e = this.exp[i]!;
    if (e !== 0) {
      if (only === undefined || e === only) this.remove(i);
      return;
    }
    const j = this.oldSlot(a, b);
    if (j !== -1 && (only === undefined || this.old!.exp[j] === only)) {
      this.old!.exp[j] = GONE;
      this.oldLive--;
    }
  }

  private put(a: number, b: number, expiryTick: number): void {
    // Grow first: growing makes the table the old one, where the id may be.
    if ((this.count + this.oldLive + 1) * 2 > this.exp.length) this.grow();
    if (this.old) {
      this.moveSome();
      // The id moves to the new table with its new expiry: its old slot is given up.
      const j = this.oldSlot(a, b);
      if (j !== -1) {
        this.old!.exp[j] = GONE;
        this.oldLive--;
      }
    }
    const i = this.slot(a, b);
    if (this.exp[i] === 0) this.count++;
    this.fa[i] = a;
    this.fb[i] = b;
    this.exp[i] = expiryTick;
  }

  /** Empties slot i of the table and shifts the probe run after it back (linear probing without tombstones). */
  private remove(i: number): void {
    const mask = this.exp.length - 1;
    this.count--;
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (this.exp[j] === 0) break;
      const home = (this.fa[j]! ^ Math.imul(this.fb[j]!, 0x9e3779b1)) & mask;
      // The entry at j may move to the hole unless its home lies cyclically in (hole, j].
      if (hole <= j ? hole < home && home <= j : hole < home || home <= j) continue;
      this.fa[hole] = this.fa[j]!;
      this.fb[hole] = this.fb[j]!;
      this.exp[hole] = this.exp[j]!;
      hole = j;
    }
    this.exp[hole] = 0;
  }

  /**
   * Starts moving to a table twice the size. A table still growing when the next growth is due
   * (which `MOVE_PER_PUT` keeps from happening: the old one empties after half its size in
   * recordings, while the new one fills past half only after its size's worth) finishes first.
   */
  private grow(): void {
    while (this.old) this.moveSome();
    this.old = { fa: this.fa, fb: this.fb, exp: this.exp };
    this.moved = 0;
    this.oldLive = this.count;
    const size = this.exp.length * 2;
    this.fa = new Int32Array(size);
    this.fb = new Int32Array(size);
    this.exp = new Float64Array(size);
    this.count = 0;
  }

  /** Moves the next `MOVE_PER_PUT` slots of the old table to the table; drops the old one once empty. */
  private moveSome(): void {
    const old = this.old!;
    const end = Math.min(this.moved + MOVE_PER_PUT, old.exp.length);
    for (let k = this.moved; k < end; k++) {
      const e = old.exp[k]!;
      if (e <= 0) continue;
      const i = this.slot(old.fa[k]!, old.fb[k]!);
      // Never already there (recording an id gives up its old slot); were it, the table's is newer.
      if (this.exp[i] === 0) {
        this.fa[i] = old.fa[k]!;
        this.fb[i] = old.fb[k]!;
        this.exp[i] = e;
        this.count++;
      }
      old.exp[k] = GONE;
      this.oldLive--;
    }
    this.moved = end;
    if (end === old.exp.length) {
      this.old = undefined;
      release(old.fa, old.fb, old.exp);
    }
  }

  private enqueue(a: number, b: number, expiryTick: number): void {
    if (this.tail === CHUNK) {
      this.chunks.push(this.spare ?? queueChunk());
      this.spare = undefined;
      this.tail = 0;
    }
    const chunk = this.chunks[this.chunks.length - 1]!;
    const t = this.tail++;
    chunk.a[t] = a;
    chunk.b[t] = b;
    chunk.e[t] = expiryTick;
    this.length++;
  }
}
