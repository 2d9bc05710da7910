/** The description of a legacy tool: what it does, that it is deprecated, and its replacement. */
export function deprecated(summary: string, replacement: string): string {
  return `${summary} DEPRECATED: use ${replacement} instead (it answers inline when fast and moves to a background job when slow).`;
}
