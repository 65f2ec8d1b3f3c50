import './console.css';
import { api } from '../api/client';
import { h } from '../dom';
import { t } from '../i18n';
import type { Cleanup } from '../main';
import { consoleTabs, href, navigate, type ConsoleTab, type Route } from '../router';
import { renderAcquisitions } from './acquisitions';
import { renderAudit } from './audit';
import { renderCollections } from './collections';
import { renderPartners } from './partners';
import { renderPatrons } from './patrons';
import { renderProgrammesConsole } from './programmes';
import { renderReports } from './reports';
import { renderTitleReview } from './title';
import { renderTitleList } from './titles';
import { renderUploads } from './uploads';

type ConsoleRoute = Extract<Route, { name: 'console' }>;

/** The librarian console: uploads, title review + licences, patrons, audit. Loaded with import(). */
export async function renderConsole(main: HTMLElement, route: ConsoleRoute): Promise<Cleanup> {
  document.title = `${t('console.title')} · ${t('app.name')}`;
  const session = api.session;
  if (!session) {
    navigate(href.signin(location.hash));
    return;
  }
  if (!session.patron.roles.includes('librarian')) {
    main.replaceChildren(h('h1', {}, t('console.title')), h('p', { role: 'alert' }, t('console.forbidden')));
    return;
  }
  const tab = (section: ConsoleTab) =>
    h(
      'li',
      {},
      h(
        'a',
        {
          href: href.console(section),
          'aria-current':
            route.section === section || (section === 'titles' && route.section === 'title')
              ? 'page'
              : undefined,
        },
        t(`console.tab.${section}`),
      ),
    );
  const body = h('div', { class: 'console-body' });
  main.replaceChildren(
    h(
      'div',
      { class: 'console' },
      h('h1', {}, t('console.title')),
      h(
        'nav',
        { class: 'console-tabs', 'aria-label': t('console.nav') },
        h('ul', {}, ...consoleTabs.map(tab)),
      ),
      body,
    ),
  );
  switch (route.section) {
    case 'uploads':
      return renderUploads(body);
    case 'title':
      return renderTitleReview(body, route.id ?? '');
    case 'titles':
      return renderTitleList(body);
    case 'patrons':
      return renderPatrons(body);
    case 'audit':
      return renderAudit(body);
    case 'programmes':
      return renderProgrammesConsole(body);
    case 'reports':
      return renderReports(body);
    case 'acquisitions':
      return renderAcquisitions(body);
    case 'collections':
      return renderCollections(body, route.id);
    case 'partners':
      return renderPartners(body);
    case 'dashboard':
      // Its own chunk, with the charting library: loaded only when the dashboard is opened.
      return (await import('./dashboard')).renderDashboard(body);
  }
}
