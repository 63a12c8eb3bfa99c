// A text test the WebGPU walker runs on every function at every keystroke: does this text assign
// a given name or a `this.` field? A scan from each `=` back to its target, instead of a regular
// expression tried at every character (a quarter of a one-line edit's time on a 5,000-line file).
// It accepts at least every assignment the regular expression
//   (?:this\s*\.\s*[\w$]+|(?<![\w$.])([A-Za-z_$][\w$]*))\s*(?:[-+*/%&|^]|<<|>>>?|\*\*|&&|\|\||\?\?)?=(?![=>])
// accepts (test/webgpu/assignTargets.test.ts checks them against each other); the syntax tree
// decides afterwards.

/** An assignment operator after its target, not `==` or `=>`. */
export const ASSIGN_OP = '\\s*(?:[-+*/%&|^]|<<|>>>?|\\*\\*|&&|\\|\\||\\?\\?)?=(?![=>])';
/** The regular expression mayAssign stands for: `this.x` (group 1 undefined) or a whole ASCII identifier (group 1). */
export const ASSIGN_TARGET = new RegExp(`(?:this\\s*\\.\\s*[\\w$]+|(?<![\\w$.])([A-Za-z_$][\\w$]*))${ASSIGN_OP}`, 'g');

const isWord = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isAsciiSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);

/**
 * Whether `text` may assign `this.<field>` or a whole identifier for which `isName` holds.
 * Non-ASCII characters next to a target make it answer true (the regular expression's `\s` and
 * `\w` are not ours to reproduce there).
 */
export function mayAssign(text: string, isName: (id: string) => boolean): boolean {
  for (let eq = text.indexOf('='); eq >= 0; eq = text.indexOf('=', eq + 1)) {
    const next = text.charCodeAt(eq + 1);
    if (next === 61 /* = */ || next === 62 /* > */) {
      // `==`, `===`, `=>`: skip the run of `=`
      while (text.charCodeAt(eq + 1) === 61) eq++;
      continue;
    }
    // the operator before `=`: one of - + * / % & | ^, or << >> >>> ** && || ??
    let k = eq;
    const c1 = text.charCodeAt(eq - 1);
    const c2 = text.charCodeAt(eq - 2);
    if (c1 === 60 /* < */ || c1 === 62 /* > */) {
      if (c2 !== c1) continue; // `<=`, `>=`: comparisons
      k = eq - 2;
      if (c1 === 62 && text.charCodeAt(k - 1) === 62) k--;
    } else if (c1 === 63 /* ? */) {
      if (c2 !== 63) continue;
      k = eq - 2;
    } else if (c1 === 61 /* = */ || c1 === 33 /* ! */) {
      continue; // the end of `==` or `!=`
    } else if (c1 === 45 || c1 === 43 || c1 === 42 || c1 === 47 || c1 === 37 || c1 === 38 || c1 === 124 || c1 === 94) {
      k = eq - 1;
      // `**=`, `&&=`, `||=`: the target ends before the pair as well
      if ((c1 === 42 || c1 === 38 || c1 === 124) && c2 === c1 && hasTargetBefore(text, eq - 2, isName)) return true;
    }
    if (hasTargetBefore(text, k, isName)) return true;
  }
  return false;
}

/** Whether an assignment target ends just before `end` (blanks allowed between). */
function hasTargetBefore(text: string, end: number, isName: (id: string) => boolean): boolean {
  let j = end - 1;
  while (j >= 0 && isAsciiSpace(text.charCodeAt(j))) j--;
  if (j < 0) return false;
  if (text.charCodeAt(j) > 127) return true;
  if (!isWord(text.charCodeAt(j))) return false;
  const last = j;
  while (j >= 0 && isWord(text.charCodeAt(j))) j--;
  const start = j + 1;
  const before = j >= 0 ? text.charCodeAt(j) : -1;
  if (before > 127) return true;
  // `this . field`: blanks allowed around the dot
  let d = j;
  while (d >= 0 && isAsciiSpace(text.charCodeAt(d))) d--;
  if (d >= 0 && text.charCodeAt(d) > 127) return true;
  if (d >= 0 && text.charCodeAt(d) === 46 /* . */) {
    d--;
    while (d >= 0 && isAsciiSpace(text.charCodeAt(d))) d--;
    if (d >= 0 && text.charCodeAt(d) > 127) return true;
    if (d >= 3 && text.startsWith('this', d - 3)) return true;
  }
  // a whole identifier: not a member (`.x`), not a number (`1x`)
  if (before === 46 || isDigit(text.charCodeAt(start))) return false;
  return isName(text.slice(start, last + 1));
}
