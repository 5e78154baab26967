/**
 * Text for a terminal: data values (factor levels, column names, labels) can hold control
 * characters that a terminal would act on (escape sequences that recolour, move the cursor or
 * rewrite the title). The CLI's human-readable output shows them as visible escapes instead.
 */

/** C0 controls other than tab and newline, DEL, and C1 controls. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Replace terminal control characters with a visible `\xNN` escape; tab and newline stay.
 *
 * @example
 * ```ts
 * escapeControl('LA\u001b[31m'); // "LA\\x1b[31m"
 * ```
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
