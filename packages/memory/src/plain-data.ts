/** Deeper than this, the walk gives up and the value takes the serializer's path (which also catches cycles). */
const MAX_WALK_DEPTH = 64;

/**
 * True when `value` is plain JSON data that `JSON.stringify` writes exactly and `JSON.parse`
 * reads back strictly equal: strings, booleans, null, finite numbers other than -0, arrays
 * without holes or `undefined`, and plain objects whose members are all such data (no
 * `undefined` members, no `toJSON`). With `clone: false` such a value is held by reference;
 * anything else is held as the decoded copy of its stored form, so that `toJSON`, dropped
 * members and the tagged types behave exactly as they do on Redis or disk.
 * Deliberately conservative: a false answer only costs a copy.
 */
export function isPlainData(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_WALK_DEPTH) return false;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return false;
        // A hole reads as undefined, which is not data either.
        for (let i = 0; i < value.length; i++) if (!isPlainData(value[i], depth + 1)) return false;
        return true;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) return false;
      // Own enumerable string keys: exactly the members JSON.stringify writes.
      const members = Object.values(value);
      for (let i = 0; i < members.length; i++) {
        if (!isPlainData(members[i], depth + 1)) return false;
      }
      // A `toJSON` member fails above: a function is not data.
      return true;
    }
    default:
      return false;
  }
}
