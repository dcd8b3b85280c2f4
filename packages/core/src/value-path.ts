/**
 * Paths into a value for error messages, e.g. `value.items[2].fn` or `value["odd key"]`, so a
 * `CacheValueError` or `CacheKeyError` points at the exact member that is wrong. Walkers keep raw
 * steps (cheap to push) and format them only when they have something to report.
 */

/** An array index, an object key, or a step already written out (into a Map or Set). */
export type PathStep = number | string | { readonly text: string };

/** The step into a Set's items. */
export const SET_STEP: PathStep = { text: '.values()[…]' };

/** The step to a Map entry: `.get("key")`, or `.get(…)` for a key that is not a primitive. */
export function mapStep(key: unknown): PathStep {
  const shown =
    typeof key === 'string'
      ? JSON.stringify(key)
      : typeof key === 'number' || typeof key === 'boolean'
        ? String(key)
        : '…';
  return { text: `.get(${shown.length > 40 ? shown.slice(0, 40) + '…' : shown})` };
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function formatStep(step: PathStep): string {
  if (typeof step === 'number') return `[${step}]`;
  if (typeof step === 'object') return step.text;
  return IDENTIFIER.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`;
}

/** `value` followed by the steps, shortened to fit one line of a message (deep values make long paths). */
export function formatPath(steps: readonly PathStep[]): string {
  const path = 'value' + steps.map(formatStep).join('');
  return path.length <= 200 ? path : `${path.slice(0, 100)}…${path.slice(-100)}`;
}
