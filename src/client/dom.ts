/** Small DOM helpers for the room's client: the page's elements are in views/pages/room.hbs. */

export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

export function button(label: string, action: () => unknown, className = ''): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  if (className) b.className = className;
  b.addEventListener('click', () => void action());
  return b;
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
    void then(form);
  });
}
