// Decisions return three Float64Arrays of K entries. Above 64 bytes V8 gives every typed array its
// own off-heap backing store, which costs about ten times the scoring work itself at K = 10, so
// small arrays are handed out as views into a shared 8 KiB slab — what Node does for small
// Buffers (Buffer.poolSize). Slabs are never reused: a fresh slab is zero-filled, and a view that
// a caller keeps only keeps its own slab alive.
const SLAB_LENGTH = 1024;
const MAX_POOLED = SLAB_LENGTH / 8;

let slab = new Float64Array(SLAB_LENGTH);
let used = 0;

/** A zero-filled Float64Array of `length` entries, possibly a view into a shared slab. */
export function pooledFloat64Array(length: number): Float64Array {
  if (length > MAX_POOLED) return new Float64Array(length);
  if (used + length > SLAB_LENGTH) {
    slab = new Float64Array(SLAB_LENGTH);
    used = 0;
  }
  const view = slab.subarray(used, used + length);
  used += length;
  return view;
}
