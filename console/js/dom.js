// A small element builder: text always goes in as text, never as HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    // Through CSSOM: the Content-Security-Policy (style-src 'self') refuses style attributes.
    else if (key === 'style') el.style.cssText = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces the page's content and moves focus to its heading. */
export function show(...children) {
  const main = document.getElementById('main');
  main.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

let toastTimer;
export function toast(text) {
  const el = document.getElementById('toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, 5000);
}

/** A danger button that asks `question` first, then runs `act`; a failure is toasted as `explain` words it. */
export function confirmButton(label, name, question, act, explain) {
  const button = h('button', { type: 'button', class: 'danger', 'aria-label': name }, label);
  button.addEventListener('click', async () => {
    if (!window.confirm(question)) return;
    button.disabled = true;
    try {
      await act();
    } catch (error) {
      button.disabled = false;
      toast(explain(error));
    }
  });
  return button;
}

/** A labelled field: `<label for>` + control, for screen readers. */
export function field(id, label, control, hint) {
  control.id = id;
  if (hint) control.setAttribute('aria-describedby', `${id}-hint`);
  return h('div', {}, h('label', { for: id }, label), control, hint ? h('small', { id: `${id}-hint`, class: 'muted' }, hint) : null);
}

export function options(pairs, selected) {
  return pairs.map(([value, label]) => h('option', { value, selected: value === selected }, label));
}
