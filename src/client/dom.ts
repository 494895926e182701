/** Small DOM helpers for the room's client: the page's elements are in views/pages/room.hbs. */

export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

/** Why the latest command was refused, in words: room.ts `send` notes it, for the control that sent it to show. */
let lastRefusal = '';
export const noteRefusal = (text: string): void => void (lastRefusal = text);

/**
 * After a control's action: a refusal (false) appears in words on the problem line of the control's group (its
 * nearest `[data-controls]` or form), where the facilitator is looking; a success (true) clears it, as every command
 * that goes through clears them all (room.ts). Any other result (an action that sent nothing) leaves it as it is.
 */
export function report(control: HTMLElement, result: unknown): void {
  if (typeof result !== 'boolean') return;
  const group = control.closest<HTMLElement>('[data-controls], form') ?? control.parentElement;
  if (!group) return;
  let line = group.querySelector<HTMLElement>(':scope > .problem');
  if (!line) {
    line = element('p', '', 'flag problem');
    line.setAttribute('role', 'status');
    group.append(line);
  }
  line.textContent = result ? '' : lastRefusal;
}

export function button(label: string, action: () => unknown, className = ''): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  if (className) b.className = className;
  // The button may be gone by the time the answer comes (the room re-renders): its group is found from where it was.
  b.addEventListener('click', () => {
    const group = b.closest<HTMLElement>('[data-controls], form') ?? b.parentElement;
    void Promise.resolve(action()).then((result) => group && report(b.isConnected ? b : group, result));
  });
  return b;
}

/** Runs `action` when the element with this id is clicked, and reports its result beside it. */
export function onClick(id: string, action: () => unknown): void {
  const el = $(id);
  el.addEventListener('click', () => void Promise.resolve(action()).then((result) => report(el, result)));
}

export function item(text: string, ...extra: (Node | string)[]): HTMLLIElement {
  const li = document.createElement('li');
  li.append(text, ...extra);
  return li;
}

export function element<K extends keyof HTMLElementTagNameMap>(tag: K, text = '', className = ''): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  el.textContent = text;
  if (className) el.className = className;
  return el;
}

/** Sets a select's options, keeping the chosen one when it is still there; untouched if nothing changed. */
export function setOptions(select: HTMLSelectElement, options: [value: string, label: string][]): void {
  const key = JSON.stringify(options);
  if (select.dataset.options === key) return;
  const chosen = select.value;
  select.replaceChildren(
    ...options.map(([value, label]) => {
      const option = document.createElement('option');
      option.value = value;
      option.textContent = label;
      return option;
    }),
  );
  select.dataset.options = key;
  if (options.some(([value]) => value === chosen)) select.value = chosen;
}

/** A form's value if it is one of `choices` (what its inputs offer), else undefined. */
export function oneOf<T extends string>(value: string, choices: readonly T[]): T | undefined {
  return choices.find((c) => c === value);
}

/** Runs `then` with the form's data when it is submitted, without leaving the page. */
export function onSubmit(id: string, then: (form: HTMLFormElement) => unknown): void {
  const form = document.getElementById(id) as HTMLFormElement | null;
  form?.addEventListener('submit', (event) => {
    event.preventDefault();
    void Promise.resolve(then(form)).then((result) => report(form, result));
  });
}
