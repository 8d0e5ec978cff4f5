// Reports of `rtcr test`: lines for people, JUnit XML and TAP 13 for CI. All pure functions of
// the results (in input order).
import type { TestResult } from './testcase';

/** Counts of a run's results. */
export interface Tally {
  total: number;
  passed: number;
  failed: number;
  errors: number;
}

export function tally(results: readonly TestResult[]): Tally {
  const count = (o: TestResult['outcome']) => results.filter((r) => r.outcome === o).length;
  return { total: results.length, passed: count('pass'), failed: count('fail'), errors: count('error') };
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);

/** One test's result for people: a status line, then each failure and its diff, indented. */
export function humanResult(r: TestResult): string {
  if (r.outcome === 'error') return `ERROR ${r.error}\n`;
  const head = `${r.outcome === 'pass' ? (r.updated ? 'updated' : 'ok') : 'FAIL'} ${r.file} (${seconds(r.ms)} s)\n`;
  return head + r.failures.map((f) => [`    ${f.message}`, ...f.diff.map((l) => `      ${l}`)].join('\n') + '\n').join('');
}

/** The summary line: `12 files: 10 passed, 1 failed, 1 error (3.21 s)`. */
export function humanSummary(t: Tally, ms: number): string {
  return `${t.total} file${t.total === 1 ? '' : 's'}: ${t.passed} passed, ${t.failed} failed, ${t.errors} error${t.errors === 1 ? '' : 's'} (${seconds(ms)} s)\n`;
}

/** A failure's text: its message and diff lines. */
function failureText(r: TestResult): string {
  return r.failures.map((f) => [f.message, ...f.diff].join('\n')).join('\n');
}

/** `s` safe in XML 1.0 text and attributes: escaped markup, and no characters XML forbids. */
export function xmlEscape(s: string): string {
  return s
    // XML 1.0 allows tab, newline and carriage return only among the control characters.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
    // A literal carriage return would be normalised away by XML parsers.
    .replace(/\r/g, '&#13;');
}

/** `s` in an XML attribute: line ends and tabs as references (a parser would turn them into spaces). */
const xmlAttr = (s: string) => xmlEscape(s).replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');

/** JUnit XML: one testsuite, one testcase per file (a failure or error element with the diff). */
export function junitXml(results: readonly TestResult[], ms: number): string {
  const t = tally(results);
  const attrs = `tests="${t.total}" failures="${t.failed}" errors="${t.errors}" skipped="0" time="${seconds(ms)}"`;
  const cases = results.map((r) => {
    const open = `    <testcase classname="rtcr.test" name="${xmlAttr(r.file)}" file="${xmlAttr(r.file)}" time="${seconds(r.ms)}"`;
    if (r.outcome === 'pass') return `${open}/>`;
    const [tag, message, type, body] = r.outcome === 'error'
      ? ['error', r.error ?? '', 'spec', r.error ?? '']
      : ['failure', r.failures.map((f) => f.message).join('; '), r.failures.map((f) => f.field).join(' '), failureText(r)];
    return `${open}>\n      <${tag} message="${xmlAttr(message)}" type="${xmlAttr(type)}">${xmlEscape(body)}</${tag}>\n    </testcase>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ${attrs}>\n  <testsuite name="rtcr test" ${attrs}>\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}

/** A TAP description: `#` would start a directive, and a line end would end the line. */
const tapDescription = (s: string) => s.replace(/\\/g, '\\\\').replace(/#/g, '\\#').replace(/[\r\n]/g, ' ');

/** A YAML literal block line: control characters (other than tab) are not allowed there. */
const yamlLine = (s: string) => s.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/** TAP version 13: the plan, then `ok N - file` or `not ok N - file` with a YAML block of the diff. */
export function tapReport(results: readonly TestResult[]): string {
  const out = ['TAP version 13', `1..${results.length}`];
  results.forEach((r, i) => {
    out.push(`${r.outcome === 'pass' ? 'ok' : 'not ok'} ${i + 1} - ${tapDescription(r.file)}`);
    if (r.outcome === 'pass') return;
    const message = r.outcome === 'error' ? r.error ?? '' : r.failures.map((f) => f.message).join('; ');
    const text = r.outcome === 'error' ? '' : failureText(r);
    out.push('  ---', `  message: ${JSON.stringify(yamlLine(message))}`, `  severity: ${r.outcome === 'error' ? 'error' : 'fail'}`);
    if (text !== '') out.push('  diff: |', ...text.split('\n').map((l) => `    ${yamlLine(l)}`));
    out.push('  ...');
  });
  return out.join('\n') + '\n';
}
