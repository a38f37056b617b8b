/** `1 profile`, `3 profiles`: a number and the word for what it counts, in English's two forms. */
export function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
