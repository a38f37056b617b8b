/**
 * Text for a field a desktop reads as Pango markup (zenity's --text, a notification's body, which
 * notify-send passes on and the notification daemon renders): `&`, `<` and `>` escaped, so that a
 * profile name shows as written and cannot add markup (a link, hidden text) of its own.
 */
export function pangoText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
