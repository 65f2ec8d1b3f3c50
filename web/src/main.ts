interface TitleSummary {
  id: string;
  title: string;
  authors: string[];
  format: string;
}

const app = document.querySelector<HTMLElement>('#app');

function text(tag: string, content: string): HTMLElement {
  const element = document.createElement(tag);
  element.textContent = content;
  return element;
}

async function showCatalogue(root: HTMLElement): Promise<void> {
  root.replaceChildren(text('h1', 'Pustaka'));
  const response = await fetch('/titles?limit=100');
  if (!response.ok) {
    root.append(text('p', 'Katalog tidak tersedia / The catalogue is unavailable.'));
    return;
  }
  const { data } = (await response.json()) as { data: TitleSummary[] };
  const list = document.createElement('ul');
  for (const title of data) {
    list.append(text('li', `${title.title} — ${title.authors.join(', ')} (${title.format.toUpperCase()})`));
  }
  root.append(list);
}

if (app) void showCatalogue(app);
