/**
 * Names of a test's own, so that each test seeds the data it needs and runs alone with -t
 * as well as in its file: a counter per test file (jest loads each file afresh), never reused.
 */
let counter = 0;

/** `${prefix}${n}`: a name no other test of this file has been given. */
export function fresh(prefix: string): string {
  counter += 1;
  return `${prefix}${counter}`;
}

/** Digits of the file's own: `lead` and the counter in `digits` digits, e.g. freshDigits('4750', 6) = '4750000007'. */
export function freshDigits(lead: string, digits: number): string {
  counter += 1;
  return `${lead}${String(counter).padStart(digits, '0')}`;
}
