import { ApiError } from '../api/client';
import { h } from '../dom';
import { t, type MessageKey } from '../i18n';
import type { Cleanup } from '../main';
import { toast } from '../toast';
import {
  partnerAdmin,
  partnerAlgorithms,
  type PartnerDatabase,
  type PartnerFields,
  type PartnerGrant,
  type PartnerPatch,
  type PartnerRecord,
  type PartnerRule,
} from './partners-api';
import { problemText } from './problem';

/**
 * Academic partners (functions/http/routes/partners.ts): the list, and one form to register a partner or change
 * one: its token trust (issuer, pinned key set, algorithms, audience), campus networks, claim rules, what each
 * entitlement opens, the databases `/go` may send patrons to, and campus sign-in. The API decides what is
 * valid; each message it gives for a field (problem+json `errors[].field`) is shown under that field. Partners
 * are never deleted (the API has no such call): a partner is suspended, which stops every sign-in and campus
 * match at once, and can be reactivated.
 */

let counter = 0;
const uid = () => `partner-f${++counter}`;

const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** A labelled control; `field` is the API's name for it (where its validation messages are shown). */
function labelled<C extends Control>(control: C, label: MessageKey, field: string, hint?: MessageKey) {
  control.id ||= uid();
  control.dataset['field'] = field;
  const hintId = hint ? `${control.id}-hint` : undefined;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: control.id }, t(label)),
    hint ? h('p', { class: 'hint', id: hintId }, t(hint)) : null,
    control,
  );
}

function text(value = '', attrs: Record<string, string | number | boolean> = {}) {
  return h('input', { type: 'text', autocomplete: 'off', value, ...attrs });
}

function area(value: string[] = [], rows = 3) {
  const control = h('textarea', { rows, spellcheck: 'false' });
  control.value = value.join('\n');
  return control;
}

/** A choice among `V` (given at each call: the API's union, so an option it does not take fails the type check). */
function select<V extends string>(options: [V, MessageKey][], value: V) {
  return h(
    'select',
    {},
    options.map(([option, label]) => h('option', { value: option, selected: option === value }, t(label))),
  );
}

interface Row<T> {
  element: HTMLElement;
  read(): T;
}

/**
 * A list of sub-forms (rules, grants, databases) with add and remove. Rows are numbered in order on the page,
 * as the API numbers them in its field names (`databases.0.startUrl`).
 */
function rowList<T>(
  list: string,
  heading: MessageKey,
  addLabel: MessageKey,
  removeLabel: MessageKey,
  items: T[],
  build: (item: T | undefined) => { fields: HTMLElement[]; read(): T },
) {
  const rows: Row<T>[] = [];
  const container = h('div', { class: 'partner-rows', 'data-list': list });
  const add = (item?: T) => {
    const built = build(item);
    const element = h('fieldset', { class: 'partner-row', 'data-row': '' });
    const legend = h('legend', {});
    const row: Row<T> = { element, read: built.read };
    element.append(
      legend,
      ...built.fields,
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () => {
            rows.splice(rows.indexOf(row), 1);
            element.remove();
            renumber();
          },
        },
        t(removeLabel),
      ),
    );
    rows.push(row);
    container.append(element);
    renumber();
    return built;
  };
  const renumber = () =>
    rows.forEach((row, index) => {
      row.element.querySelector('legend')!.textContent = t('console.partners.rowNumber', {
        what: t(heading),
        n: index + 1,
      });
    });
  for (const item of items) add(item);
  const addButton = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: () => {
        const built = add();
        built.fields[0]?.querySelector<HTMLElement>('input, select, textarea')?.focus();
      },
    },
    t(addLabel),
  );
  const section = h(
    'fieldset',
    { class: 'partner-section', 'data-field': list },
    h('legend', {}, t(heading)),
    container,
    addButton,
  );
  return { section, read: () => rows.map((row) => row.read()) };
}

type RuleShape = NonNullable<PartnerRule['shape']>;

function ruleRow(rule: PartnerRule | undefined) {
  const kind = select<PartnerRule['kind']>(
    [
      ['values', 'console.partners.rule.kindValues'],
      ['scoped-affiliation', 'console.partners.rule.kindScoped'],
    ],
    rule?.kind ?? 'values',
  );
  const claim = text(rule?.claim ?? 'eduperson_entitlement', { maxlength: 100 });
  const values = area(rule?.kind === 'values' ? rule.values : []);
  const affiliations = area(rule?.kind === 'scoped-affiliation' ? rule.affiliations : ['member']);
  const scopes = area(rule?.kind === 'scoped-affiliation' ? rule.scopes : []);
  const shape = select<RuleShape>(
    [
      ['array', 'console.partners.rule.shapeArray'],
      ['array-or-string', 'console.partners.rule.shapeEither'],
    ],
    rule?.shape ?? 'array',
  );
  const entitlement = text(rule?.entitlement ?? '', { maxlength: 100 });
  const valuesField = labelled(values, 'console.partners.rule.values', 'values');
  const affiliationsField = labelled(affiliations, 'console.partners.rule.affiliations', 'affiliations');
  const scopesField = labelled(scopes, 'console.partners.rule.scopes', 'scopes');
  const showKind = () => {
    const scoped = kind.value === 'scoped-affiliation';
    valuesField.hidden = scoped;
    affiliationsField.hidden = !scoped;
    scopesField.hidden = !scoped;
  };
  kind.addEventListener('change', showKind);
  showKind();
  return {
    fields: [
      labelled(kind, 'console.partners.rule.kind', 'kind'),
      labelled(claim, 'console.partners.rule.claim', 'claim'),
      valuesField,
      affiliationsField,
      scopesField,
      labelled(shape, 'console.partners.rule.shape', 'shape'),
      labelled(entitlement, 'console.partners.rule.entitlement', 'entitlement'),
    ],
    read: (): PartnerRule => {
      const common = {
        claim: claim.value.trim(),
        shape: shape.value as RuleShape,
        entitlement: entitlement.value.trim(),
      };
      return kind.value === 'scoped-affiliation'
        ? {
            kind: 'scoped-affiliation',
            ...common,
            affiliations: lines(affiliations.value),
            scopes: lines(scopes.value),
          }
        : { kind: 'values', ...common, values: lines(values.value) };
    },
  };
}

function grantRow(grant: PartnerGrant | undefined) {
  const entitlement = text(grant?.entitlement ?? '', { maxlength: 100 });
  const collections = area(grant?.collections);
  const titles = area(grant?.titles);
  return {
    fields: [
      labelled(entitlement, 'console.partners.grant.entitlement', 'entitlement'),
      labelled(collections, 'console.partners.grant.collections', 'collections'),
      labelled(titles, 'console.partners.grant.titles', 'titles'),
    ],
    read: (): PartnerGrant => ({
      entitlement: entitlement.value.trim(),
      collections: lines(collections.value),
      titles: lines(titles.value),
    }),
  };
}

function databaseRow(database: PartnerDatabase | undefined) {
  const name = text(database?.name ?? '', { maxlength: 200 });
  const host = text(database?.host ?? '', { maxlength: 253 });
  const domain = text(database?.domain ?? '', { maxlength: 253 });
  const startUrl = h('input', { type: 'url', autocomplete: 'off', value: database?.startUrl ?? '' });
  return {
    fields: [
      labelled(name, 'console.partners.database.name', 'name'),
      labelled(host, 'console.partners.database.host', 'host', 'console.partners.database.hostHint'),
      labelled(domain, 'console.partners.database.domain', 'domain', 'console.partners.database.domainHint'),
      labelled(startUrl, 'console.partners.database.startUrl', 'startUrl'),
    ],
    read: (): PartnerDatabase => ({
      name: name.value.trim(),
      ...(host.value.trim() ? { host: host.value.trim() } : {}),
      ...(domain.value.trim() ? { domain: domain.value.trim() } : {}),
      startUrl: startUrl.value.trim(),
    }),
  };
}

/** The element an API field name points at: `issuer`, `oidc.clientId`, `databases.0`, `databases.0.host`. */
function fieldElement(form: HTMLElement, path: string): HTMLElement | undefined {
  const parts = path.split('.');
  for (let n = parts.length; n > 0; n--) {
    const name = parts.slice(0, n).join('.');
    const direct = [...form.querySelectorAll<HTMLElement>('[data-field]')].find(
      (element) => element.dataset['field'] === name && !element.closest('[data-row]'),
    );
    if (direct) return direct;
    const [list, index, part] = parts.slice(0, n);
    if (list && index !== undefined && /^\d+$/.test(index)) {
      const container = form.querySelector(`[data-list="${CSS.escape(list)}"]`);
      const row = container?.querySelectorAll<HTMLElement>(':scope > [data-row]')[Number(index)];
      if (!row) continue;
      if (n === 2) return row;
      const inRow = [...row.querySelectorAll<HTMLElement>('[data-field]')].find(
        (element) => element.dataset['field'] === part,
      );
      if (inRow) return inRow;
    }
  }
  return undefined;
}

function clearFieldErrors(form: HTMLElement): void {
  for (const message of form.querySelectorAll('.field-error')) message.remove();
  for (const invalid of form.querySelectorAll('[aria-invalid]')) {
    invalid.removeAttribute('aria-invalid');
    const describedBy = (invalid.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .filter((id) => id && !id.endsWith('-error'));
    if (describedBy.length) invalid.setAttribute('aria-describedby', describedBy.join(' '));
    else invalid.removeAttribute('aria-describedby');
  }
}

/**
 * Puts each of the API's field messages under its field (marked invalid and described by it); returns those
 * it found no field for, and focuses the first invalid field.
 */
function showFieldErrors(form: HTMLElement, error: unknown): string[] {
  const errors = error instanceof ApiError ? error.problem.errors : undefined;
  const items = (Array.isArray(errors) ? errors : []) as { field?: unknown; message?: unknown }[];
  const unplaced: string[] = [];
  let first: HTMLElement | undefined;
  for (const item of items) {
    const field = typeof item.field === 'string' ? item.field : '';
    const message = typeof item.message === 'string' ? item.message : '';
    if (!message) continue;
    const target = field ? fieldElement(form, field) : undefined;
    if (!target) {
      unplaced.push(field ? `${field}: ${message}` : message);
      continue;
    }
    const control = target.matches('input, select, textarea, fieldset') ? target : undefined;
    const errorId = `${target.id || (target.id = uid())}-error`;
    const note = h('p', { class: 'field-error', id: errorId }, message);
    if (target.matches('fieldset')) target.querySelector('legend')!.after(note);
    else target.after(note);
    if (control) {
      control.setAttribute('aria-invalid', 'true');
      const describedBy = control.getAttribute('aria-describedby');
      control.setAttribute('aria-describedby', describedBy ? `${describedBy} ${errorId}` : errorId);
    }
    first ??= target.matches('fieldset')
      ? (target.querySelector<HTMLElement>('input, select, textarea') ?? target)
      : target;
  }
  first?.focus();
  return unplaced;
}

function partnerForm(existing: PartnerRecord | undefined, done: (saved: PartnerRecord) => void) {
  const status = h('div', { class: 'status status-error', role: 'alert', hidden: true });
  const id = text(existing?.id ?? '', {
    required: true,
    maxlength: 63,
    pattern: '[a-z0-9][a-z0-9\\-]{1,62}',
  });
  if (existing) id.disabled = true;
  const name = text(existing?.name ?? '', { required: true, maxlength: 200 });
  const state = select<PartnerRecord['status']>(
    [
      ['active', 'console.partners.status.active'],
      ['suspended', 'console.partners.status.suspended'],
    ],
    existing?.status ?? 'active',
  );
  const issuer = h('input', {
    type: 'url',
    required: true,
    autocomplete: 'off',
    value: existing?.issuer ?? '',
  });
  const jwksUri = h('input', {
    type: 'url',
    required: true,
    autocomplete: 'off',
    value: existing?.jwksUri ?? '',
  });
  const audience = text(existing?.audience ?? '', { required: true, maxlength: 500 });
  const maxAge = h('input', {
    type: 'number',
    min: 30,
    max: 3600,
    step: 1,
    inputmode: 'numeric',
    value: existing?.maxTokenAgeSeconds ?? '',
  });
  const chosen = new Set<string>(existing?.algorithms ?? ['RS256']);
  const algorithmBoxes = partnerAlgorithms.map((alg) => {
    const box = h('input', { type: 'checkbox', id: uid(), value: alg, checked: chosen.has(alg) });
    return { alg, box, label: h('label', { class: 'check' }, box, ` ${alg}`) };
  });
  const algorithms = h(
    'fieldset',
    { class: 'partner-algorithms', 'data-field': 'algorithms' },
    h('legend', {}, t('console.partners.algorithms')),
    h(
      'div',
      { class: 'partner-checks' },
      algorithmBoxes.map((a) => a.label),
    ),
  );
  const ipRanges = area(existing?.ipRanges, 4);
  const campusEntitlements = area(existing?.campusEntitlements);
  const rules = rowList(
    'entitlementRules',
    'console.partners.rules',
    'console.partners.rule.add',
    'console.partners.rule.remove',
    existing?.entitlementRules ?? [],
    ruleRow,
  );
  const grants = rowList(
    'grants',
    'console.partners.grants',
    'console.partners.grant.add',
    'console.partners.grant.remove',
    existing?.grants ?? [],
    grantRow,
  );
  const databases = rowList(
    'databases',
    'console.partners.databases',
    'console.partners.database.add',
    'console.partners.database.remove',
    existing?.databases ?? [],
    databaseRow,
  );
  const oidcOn = h('input', { type: 'checkbox', id: uid(), checked: existing?.oidc !== undefined });
  const clientId = text(existing?.oidc?.clientId ?? '', { maxlength: 255 });
  const oidcScopes = text((existing?.oidc?.scopes ?? ['openid']).join(' '), { maxlength: 500 });
  const clientSecret = h('input', { type: 'password', autocomplete: 'new-password', maxlength: 512 });
  const oidcFields = h(
    'div',
    {},
    labelled(clientId, 'console.partners.oidc.clientId', 'oidc.clientId'),
    labelled(oidcScopes, 'console.partners.oidc.scopes', 'oidc.scopes'),
    labelled(
      clientSecret,
      'console.partners.oidc.clientSecret',
      'oidc.clientSecret',
      existing?.oidc?.clientSecretSet
        ? 'console.partners.oidc.secretKept'
        : 'console.partners.oidc.secretHint',
    ),
  );
  const showOidc = () => (oidcFields.hidden = !oidcOn.checked);
  oidcOn.addEventListener('change', showOidc);
  showOidc();

  const read = (): PartnerFields => {
    const age = maxAge.value.trim();
    const campus = lines(campusEntitlements.value);
    const secret = clientSecret.value;
    return {
      name: name.value.trim(),
      status: state.value as PartnerRecord['status'],
      issuer: issuer.value.trim(),
      jwksUri: jwksUri.value.trim(),
      algorithms: algorithmBoxes.filter((a) => a.box.checked).map((a) => a.alg),
      audience: audience.value.trim(),
      ...(age ? { maxTokenAgeSeconds: Number(age) } : {}),
      ipRanges: lines(ipRanges.value),
      // Empty on a new partner: campus networks get every granted entitlement (the API's default).
      ...(campus.length || existing ? { campusEntitlements: campus } : {}),
      entitlementRules: rules.read(),
      grants: grants.read(),
      databases: databases.read(),
      ...(oidcOn.checked
        ? {
            oidc: {
              clientId: clientId.value.trim(),
              scopes: oidcScopes.value.split(/\s+/).filter(Boolean),
              ...(secret ? { clientSecret: secret } : {}),
            },
          }
        : {}),
    };
  };

  const save = h(
    'button',
    { type: 'submit' },
    t(existing ? 'console.partners.save' : 'console.partners.create'),
  );
  const form: HTMLFormElement = h(
    'form',
    {
      class: 'console-form partner-form',
      id: 'partner-form',
      'aria-labelledby': 'partner-form-heading',
      novalidate: true,
      onsubmit: (event: Event) => {
        event.preventDefault();
        clearFieldErrors(form);
        status.hidden = true;
        const fields = read();
        const work = existing
          ? partnerAdmin.update(existing.id, {
              ...fields,
              ...(oidcOn.checked ? {} : existing.oidc ? { oidc: null } : {}),
            } satisfies PartnerPatch)
          : partnerAdmin.create({ id: id.value.trim(), ...fields });
        save.disabled = true;
        void work
          .then((saved) => {
            toast(t(existing ? 'console.partners.saved' : 'console.partners.created', { name: saved.name }));
            done(saved);
          })
          .catch((error: unknown) => {
            const unplaced = showFieldErrors(form, error);
            status.replaceChildren(
              h('p', {}, problemText(error)),
              ...(unplaced.length
                ? [
                    h(
                      'ul',
                      {},
                      unplaced.map((message) => h('li', {}, message)),
                    ),
                  ]
                : []),
            );
            status.hidden = false;
          })
          .finally(() => (save.disabled = false));
      },
    },
    h(
      'h3',
      { id: 'partner-form-heading' },
      existing ? t('console.partners.editing', { name: existing.name }) : t('console.partners.new'),
    ),
    h(
      'fieldset',
      { class: 'partner-section' },
      h('legend', {}, t('console.partners.identity')),
      labelled(id, 'console.partners.id', 'id', 'console.partners.idHint'),
      labelled(name, 'console.partners.name', 'name'),
      labelled(state, 'console.partners.status', 'status', 'console.partners.statusHint'),
    ),
    h(
      'fieldset',
      { class: 'partner-section' },
      h('legend', {}, t('console.partners.trust')),
      labelled(issuer, 'console.partners.issuer', 'issuer', 'console.partners.issuerHint'),
      labelled(jwksUri, 'console.partners.jwksUri', 'jwksUri', 'console.partners.jwksUriHint'),
      algorithms,
      labelled(audience, 'console.partners.audience', 'audience'),
      labelled(
        maxAge,
        'console.partners.maxTokenAge',
        'maxTokenAgeSeconds',
        'console.partners.maxTokenAgeHint',
      ),
    ),
    h(
      'fieldset',
      { class: 'partner-section' },
      h('legend', {}, t('console.partners.campus')),
      labelled(ipRanges, 'console.partners.ipRanges', 'ipRanges', 'console.partners.ipRangesHint'),
      labelled(
        campusEntitlements,
        'console.partners.campusEntitlements',
        'campusEntitlements',
        'console.partners.campusEntitlementsHint',
      ),
    ),
    rules.section,
    grants.section,
    databases.section,
    h(
      'fieldset',
      { class: 'partner-section', 'data-field': 'oidc' },
      h('legend', {}, t('console.partners.oidc')),
      h('label', { class: 'check', for: oidcOn.id }, oidcOn, ` ${t('console.partners.oidc.enabled')}`),
      oidcFields,
    ),
    status,
    h('div', { class: 'row-actions' }, save),
  );
  return form;
}

function partnerItem(
  partner: PartnerRecord,
  edit: (partner: PartnerRecord) => void,
  changed: (partner: PartnerRecord) => void,
  status: HTMLElement,
): HTMLLIElement {
  const suspended = partner.status === 'suspended';
  return h(
    'li',
    { 'data-partner-id': partner.id },
    h('h3', {}, partner.name),
    h(
      'p',
      {},
      h('code', {}, partner.id),
      ' ',
      h(
        'span',
        { class: 'badge' },
        t(suspended ? 'console.partners.status.suspended' : 'console.partners.status.active'),
      ),
    ),
    h('p', {}, t('console.partners.issuerIs', { issuer: partner.issuer })),
    h(
      'p',
      {},
      t('console.partners.summary', {
        ranges: partner.ipRanges.length,
        rules: partner.entitlementRules.length,
        databases: partner.databases.length,
      }),
    ),
    h(
      'div',
      { class: 'row-actions' },
      h(
        'button',
        { type: 'button', onclick: () => edit(partner) },
        t('console.partners.edit', { name: partner.name }),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () =>
            void partnerAdmin
              .update(partner.id, { status: suspended ? 'active' : 'suspended' })
              .then((saved) => {
                toast(
                  t(suspended ? 'console.partners.reactivated' : 'console.partners.suspendedNow', {
                    name: saved.name,
                  }),
                );
                changed(saved);
              })
              .catch((error: unknown) => {
                status.textContent = problemText(error);
              }),
        },
        t(suspended ? 'console.partners.reactivate' : 'console.partners.suspend', { name: partner.name }),
      ),
    ),
  );
}

export function renderPartners(body: HTMLElement): Cleanup {
  const status = h('p', { class: 'status status-error', role: 'alert' });
  const list = h('ul', { class: 'console-list', id: 'partner-list', 'aria-labelledby': 'partners-heading' });
  const formSlot = h('div', {});
  const newButton = h('button', { type: 'button', id: 'partner-new' }, t('console.partners.new'));
  let partners: PartnerRecord[] = [];

  const drawList = () =>
    list.replaceChildren(
      ...(partners.length
        ? partners.map((partner) => partnerItem(partner, open, replaced, status))
        : [h('li', {}, t('console.partners.none'))]),
    );
  const replaced = (saved: PartnerRecord) => {
    const at = partners.findIndex((p) => p.id === saved.id);
    if (at >= 0) partners[at] = saved;
    else partners = [...partners, saved].sort((a, b) => a.id.localeCompare(b.id));
    drawList();
  };
  const close = () => {
    formSlot.replaceChildren();
    newButton.hidden = false;
  };
  function open(existing?: PartnerRecord) {
    newButton.hidden = true;
    const form = partnerForm(existing, (saved) => {
      replaced(saved);
      close();
      list.querySelector<HTMLElement>(`[data-partner-id="${CSS.escape(saved.id)}"] h3`)?.scrollIntoView();
    });
    const cancel = h(
      'button',
      { type: 'button', class: 'secondary', onclick: () => close() },
      t('console.partners.cancel'),
    );
    form.querySelector('.row-actions')!.append(cancel);
    formSlot.replaceChildren(form);
    form.querySelector<HTMLElement>('input:not([disabled])')?.focus();
  }
  newButton.addEventListener('click', () => open());

  body.replaceChildren(
    h('h2', { id: 'partners-heading' }, t('console.partners.heading')),
    h('p', {}, t('console.partners.intro')),
    status,
    list,
    newButton,
    formSlot,
  );
  void partnerAdmin
    .list()
    .then((found) => {
      partners = found;
      drawList();
    })
    .catch((error: unknown) => (status.textContent = problemText(error)));
}
