// kube's SimpleNameGenerator (k8s.io/apiserver/pkg/storage/names): generateName plus five random
// characters from an alphabet without vowels (so no words) and without look-alikes (0, 1, 3).

import { randomInt } from 'node:crypto';

export const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
export const RANDOM_LENGTH = 5;
/** 63 - 5: a longer base is cut so the generated name still fits a DNS label. */
export const MAX_GENERATED_NAME_LENGTH = 58;

export function randomSuffix(n = RANDOM_LENGTH): string {
  let s = '';
  for (let i = 0; i < n; i++) s += NAME_ALPHABET[randomInt(NAME_ALPHABET.length)];
  return s;
}

/** Go cuts the base at 58 bytes; a multi-byte character cut in two is not a valid name anyway. */
function truncateBytes(s: string, max: number): string {
  const buf = Buffer.from(s, 'utf8');
  return buf.length <= max ? s : buf.subarray(0, max).toString('utf8');
}

export function generateName(base: string): string {
  return truncateBytes(base, MAX_GENERATED_NAME_LENGTH) + randomSuffix();
}
