import { $, button } from './dom';
import type { View } from './view';
import { t } from './words';

/**
 * The summary a vote asks the members to approve, read in the room (issue 19): the exact revision, asked of the
 * server (`summary:read`) and shown in a dialog that stays open while the room updates around it. The HTML is
 * the server's own rendering of the summary (views/partials/summary-body.hbs).
 */
export function summaryButton(v: View, revision: number): HTMLButtonElement {
  return button(t('readSummary', { revision }), () => open(v, revision), 'secondary');
}

/** How many times the dialog was asked to open: only the latest asking's answer is shown. */
let asking = 0;

async function open(v: View, revision: number): Promise<void> {
  const dialog = $<HTMLDialogElement>('summary-reader');
  const body = $('summary-reader-body');
  body.textContent = t('summaryLoading');
  if (!dialog.open) dialog.showModal();
  const asked = ++asking;
  const reply = await v.readSummary(revision);
  if (asked !== asking) return; // asked again since: that answer shows
  if (reply.ok) {
    body.replaceChildren(...parsed(reply.data.html));
    body.querySelector('h2')?.setAttribute('tabindex', '-1');
    body.querySelector('h2')?.focus();
  } else body.textContent = t('summaryFailed', { reason: reply.message });
}

/**
 * The server's rendering as nodes. It escapes everything it renders (Handlebars, and Markdown without HTML), so
 * there should be nothing active in it; in case there is, no element that runs anything, and no handler, is kept.
 */
function parsed(html: string): Node[] {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  doc.querySelectorAll('script, style, iframe, object, embed, link, meta, form').forEach((el) => el.remove());
  for (const el of Array.from(doc.body.querySelectorAll('*'))) {
    for (const attr of Array.from(el.attributes)) if (/^on/i.test(attr.name) || /^\s*(javascript|data):/i.test(attr.value)) el.removeAttribute(attr.name);
  }
  return Array.from(doc.body.childNodes);
}

/** Closing the dialog, by its button or Escape. */
export function wireSummaryReader(): void {
  $('summary-reader-close').addEventListener('click', () => $<HTMLDialogElement>('summary-reader').close());
}
