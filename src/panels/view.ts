import type { User } from '../auth/users';
import { panelIdsOf } from '../auth/teams';
import type { AppContext } from '../context';
import { findPanel, listCategories, type Panel, type PanelDetails, poolSize, registrationClosed, registrationEnd } from './repo';
import { shareWarning } from './shares';

/** The user's other panels that have categories to copy into a draft, with how many. */
export function copySources(ctx: AppContext, user: Pick<User, 'id' | 'admin'>, panelId: number) {
  return panelIdsOf(ctx.db, user)
    .filter((id) => id !== panelId)
    .map((id) => ({ id, title: findPanel(ctx.db, id)?.title ?? '', categories: listCategories(ctx.db, id).length }))
    .filter((p) => p.categories > 0);
}

/** The organiser's panel page: settings, event details, categories (with their share warnings) and a link to its audit trail. */
export function panelPage(ctx: AppContext, panel: Panel, user: Pick<User, 'id' | 'admin'>, extra: Record<string, unknown> = {}) {
  const { db, clock } = ctx;
  const categories = listCategories(db, panel.id).map((c) => ({ ...c, shareWarning: shareWarning(c) }));
  const size = poolSize(db, panel.id);
  const draft = panel.openedAt === null;
  return {
    title: panel.title,
    panel,
    categories,
    poolSize: size,
    draft,
    canEditCategories: draft && size === 0,
    copySources: draft && size === 0 ? copySources(ctx, user, panel.id) : [],
    registrationOpen: !draft && !registrationClosed(panel, clock.now()),
    closedOn: registrationEnd(panel),
    // A draft whose date has passed would close the moment it opened.
    closingPassed: draft && panel.closesAt <= clock.now(),
    hasDetails: Object.values(panel.details).some(Boolean),
    detailRows: detailRows(panel.details),
    ...extra,
  };
}

/** The event's details as the page lists them, each with its label; empty ones say so. */
function detailRows(d: PanelDetails) {
  const contact = [d.contactName, d.contactEmail, d.contactPhone].filter(Boolean).join(', ');
  return [
    { label: 'Dates of the sessions', value: d.dates },
    { label: 'Venue', value: d.venue },
    { label: 'Expenses and support', value: d.expenses },
    { label: 'Access', value: d.access },
    { label: 'Contact', value: contact },
  ];
}
