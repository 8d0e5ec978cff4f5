// Text that came from outside (scenario files, images, guest memory) on its way to a terminal or
// a log: names and labels are refused or replaced where they enter if they hold control
// characters, and whatever is printed goes through safeText() so that nothing a guest writes can
// forge a line (a newline) or drive the user's terminal (an escape sequence).

/** C0 controls, DEL and C1 controls: what a terminal may act on rather than show. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
const CONTROLS_BUT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

/** A component's name: what scenario files and images may use (no path, no dots-only name). */
export const COMPONENT_NAME = /^(?!\.+$)[A-Za-z0-9_.-]{1,48}$/;

/** The task label init gives a component, which is also its LOG sessions' label. */
export function componentLabel(name: string): string {
  return `init -> ${name}`;
}

/** Whether `s` holds a control character (C0, DEL or C1). */
export function hasControl(s: string): boolean {
  return CONTROL.test(s);
}

/**
 * `s` safe to print on one line: every control character except tab is shown as `\xNN`
 * (and a backslash stays a backslash: the rendering is for people, not to be parsed back).
 */
export function safeText(s: string): string {
  return s.replace(CONTROLS_BUT_TAB, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A name taken from guest memory: control characters become `?` (same length, one line). */
export function sanitizeName(s: string): string {
  return s.replace(CONTROLS, '?');
}
