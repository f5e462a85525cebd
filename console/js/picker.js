// A searchable picker: a text box that filters a list of choices by name
// and alias, in the ARIA combobox pattern (listbox popup, active option by
// aria-activedescendant), so that it works with the keyboard alone and
// with a screen reader. Arrow keys move, Enter chooses, Escape closes.
import { h } from './dom.js';
import { search } from './places.js';

let picker = 0;

/**
 * `choices`: `{ value, label, detail?, terms? }`. Returns the labelled
 * field and `value()`, the chosen value ('' while nothing is chosen).
 */
export function createPicker({ id, label, hint, choices, placeholder, empty = 'Tidak ada yang cocok.' }) {
  picker += 1;
  const listId = `${id}-list`;
  let shown = [];
  let active = -1;
  let chosen = null;
  const input = h('input', {
    id, type: 'text', role: 'combobox', autocomplete: 'off', 'aria-autocomplete': 'list',
    'aria-expanded': 'false', 'aria-controls': listId, placeholder,
    'aria-describedby': hint ? `${id}-hint` : undefined,
  });
  const list = h('ul', { id: listId, role: 'listbox', class: 'picker-list', 'aria-label': label, hidden: true });
  const status = h('span', { class: 'visually-hidden', 'aria-live': 'polite' });

  const optionId = (i) => `${id}-o${picker}-${i}`;
  const open = (yes) => {
    list.hidden = !yes;
    input.setAttribute('aria-expanded', String(yes));
    if (!yes) input.removeAttribute('aria-activedescendant');
  };
  const highlight = (i) => {
    active = i;
    [...list.children].forEach((li, n) => li.setAttribute('aria-selected', String(n === i)));
    if (i >= 0) {
      input.setAttribute('aria-activedescendant', optionId(i));
      list.children[i]?.scrollIntoView?.({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  };
  const choose = (choice) => {
    chosen = choice;
    input.value = choice.label;
    status.textContent = `Dipilih: ${choice.label}`;
    open(false);
  };
  const render = () => {
    shown = search(choices, chosen && input.value === chosen.label ? '' : input.value);
    list.replaceChildren(...(shown.length ? shown.map((c, i) => h('li', {
      id: optionId(i), role: 'option', 'aria-selected': 'false', 'data-value': c.value,
      onmousedown: (e) => { e.preventDefault(); choose(c); },
    }, h('span', {}, c.label), c.detail ? h('small', {}, c.detail) : null))
      : [h('li', { class: 'muted', role: 'presentation' }, empty)]));
    active = -1;
    status.textContent = `${shown.length} pilihan`;
    open(true);
  };

  input.addEventListener('input', () => { chosen = null; render(); });
  input.addEventListener('focus', () => { if (list.hidden) render(); });
  input.addEventListener('blur', () => open(false));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (list.hidden) render();
      const step = e.key === 'ArrowDown' ? 1 : -1;
      if (shown.length) highlight((active + step + shown.length) % shown.length);
    } else if (e.key === 'Enter' && !list.hidden && active >= 0) {
      e.preventDefault();
      choose(shown[active]);
    } else if (e.key === 'Escape' && !list.hidden) {
      e.preventDefault();
      open(false);
    }
  });

  const fieldEl = h('div', { class: 'picker' },
    h('label', { for: id }, label), input, list, status,
    hint ? h('small', { id: `${id}-hint`, class: 'muted' }, hint) : null);
  return {
    field: fieldEl,
    value: () => (chosen && input.value === chosen.label ? chosen.value : ''),
    /** Typed text that matches no choice: the form says so rather than sending it. */
    unmatched: () => input.value.trim() !== '' && !(chosen && input.value === chosen.label),
  };
}
