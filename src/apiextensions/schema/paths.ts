// field.Path's string forms: Child joins with ".", Key and Index add "[k]" and "[i]".

export const child = (p: string, k: string): string => (p ? `${p}.${k}` : k);
export const key = (p: string, k: string): string => `${p}[${k}]`;
export const index = (p: string, i: number): string => `${p}[${i}]`;

export const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
