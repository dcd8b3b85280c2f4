/** Any of the typed arrays the index and the read cache keep their per-slot fields in. */
export type SlotArray = Float64Array | Uint32Array | Uint16Array | Uint8Array | Int32Array;

/** `bigger` with `old`'s elements copied to its start: one field's array after a growth. */
export function grown<T extends SlotArray>(old: T, bigger: T): T {
  bigger.set(old as ArrayLike<number>);
  return bigger;
}
