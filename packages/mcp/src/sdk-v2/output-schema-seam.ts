/**
 * The one place the v2 adapter leans on how SDK 2.4's `McpServer` checks tool output:
 * `validateToolOutput` skips a result whose `isError` is truthy, and the wire codec copies only
 * enumerable fields. A task answer (`resultType: "task"`, no `structuredContent`) of a tool
 * that declares an `outputSchema` is marked with a NON-enumerable `isError: true`: the SDK skips
 * output validation for it, and the client never sees the mark. Inline results are still
 * validated by the SDK as usual. `output-schema-seam.test.ts` fails loudly if the SDK changes.
 */
export function exemptFromOutputValidation<T extends object>(result: T): T {
  Object.defineProperty(result, 'isError', { value: true, enumerable: false });
  return result;
}
