/**
 * One-key shortcuts on the consoles (A: acknowledge the newest alert, C: the cue box, P/N/G:
 * the action bar) must not fire while a person types: this says whether a key event's target
 * takes text. Buttons, checkboxes and the like do not, so a shortcut still works after a click.
 */
const NOT_TEXT_INPUTS: ReadonlySet<string> = new Set([
  "button",
  "checkbox",
  "radio",
  "submit",
  "reset",
  "range",
  "color",
  "file",
]);

export function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
  if (target.tagName !== "INPUT") return false;
  return !NOT_TEXT_INPUTS.has((target as HTMLInputElement).type);
}
