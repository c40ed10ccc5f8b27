/**
 * Input the API server would refuse, or that cannot be read safely. The message is one
 * line naming the file, the document, the object and the field, and what would be
 * accepted; the CLIs print it and exit 2.
 */
export class InputError extends Error {
  override readonly name = "InputError";
}
