// clang's JSON AST of a translation unit is one object whose `inner` array holds its top-level
// declarations: about 2 GB for Nuitka's CompiledFunctionType.c with Python's headers, too big to
// parse at once. This splits the stream into the declarations' texts, one at a time.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** Feed it the JSON's chunks; it calls `onDecl` with the text of each element of the top object's arrays. */
export class TopLevelDecls {
  private readonly stack: number[] = [];
  private inString = false;
  private escaped = false;
  private pieces: Buffer[] = [];
  private inDecl = false;

  constructor(private readonly onDecl: (text: string) => void) {}

  push(chunk: Buffer): void {
    let start = this.inDecl ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        if (c === OPEN_OBJECT && this.stack.length === 2 && this.stack[1] === OPEN_ARRAY) {
          this.inDecl = true;
          start = i;
        }
        this.stack.push(c);
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        this.stack.pop();
        if (this.inDecl && this.stack.length === 2) {
          this.pieces.push(chunk.subarray(start, i + 1));
          this.onDecl(Buffer.concat(this.pieces).toString('utf8'));
          this.pieces = [];
          this.inDecl = false;
          start = -1;
        }
      }
    }
    if (this.inDecl) this.pieces.push(Buffer.from(chunk.subarray(start)));
  }

  /** Whether the input ended inside a declaration (a cut-off dump). */
  get incomplete(): boolean {
    return this.inDecl || this.stack.length > 0;
  }
}
