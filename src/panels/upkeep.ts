import type { FieldErrors } from '../web/validate';
import { type Panel, type PanelDetails, type PanelEdit, registrationEnd } from './repo';

/** Where a panel stands, as far as an edit or a deletion cares: asked of the selection, the pool and the room. */
export interface PanelStanding {
  /** The published commitment's panel size, if there is one: the draw is committed to it. */
  committedSize: number | null;
  /** People in the pool (not erased). */
  registrants: number;
  /** Draws other than trials (final and replacement ones), and whether any draw is running. */
  draws: number;
  drawRunning: boolean;
  members: number;
  sessions: number;
  auditors: number;
}

export const PAST_CLOSING_DATE = 'The closing date is in the past: choose a later date.';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * What an edit may not change, by field, with the reason; empty when it can be saved. The panel size is fixed by
 * a published commitment (its fingerprint covers it, and the final draw chooses that many). The closing date is
 * fixed once registration has closed for good (by hand, or by the commitment that needs it closed), and a new one
 * must be in the future; a date that has passed may stay as it is.
 */
export function editRefusals(panel: Panel, edit: PanelEdit, standing: Pick<PanelStanding, 'committedSize'>, now: number): FieldErrors {
  const errors: FieldErrors = {};
  if (edit.panelSize !== panel.panelSize && standing.committedSize !== null) {
    errors.panelSize = `The panel size cannot change now: the published commitment fixes it at ${standing.committedSize}, and the draw chooses exactly that many people. Keep it at ${standing.committedSize}.`;
  }
  if (edit.closesAt !== panel.closesAt) {
    if (standing.committedSize !== null) {
      errors.closesAt = `The closing date cannot change now: registration closed for good on ${day(registrationEnd(panel))}, before the commitment was published, and the commitment fixes the pool.`;
    } else if (panel.closedAt !== null) {
      errors.closesAt = `The closing date cannot change now: registration was closed by hand on ${day(panel.closedAt)}, and cannot open again.`;
    } else if (edit.closesAt <= now) {
      errors.closesAt = PAST_CLOSING_DATE;
    }
  }
  return errors;
}

const SETTINGS = ['title', 'question', 'panelSize', 'closesAt', 'quotaTolerance'] as const;

/** The names of the fields an edit changes (details by their own names), for the audit line. */
export function changedFields(panel: Panel, edit: PanelEdit): string[] {
  const details = (Object.keys(edit.details) as (keyof PanelDetails)[]).filter((k) => edit.details[k] !== panel.details[k]);
  return [...SETTINGS.filter((k) => edit[k] !== panel[k]), ...details];
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * Why this panel cannot be deleted, in words, or undefined when it can. Only a draft that has gathered nothing
 * goes: never opened, nobody in its pool, no commitment, no final draw, no members, sessions or auditors. Its
 * categories and quotas, its team and any trial draws go with it.
 */
export function deleteRefusal(panel: Panel, s: PanelStanding): string | undefined {
  if (panel.openedAt !== null) {
    return `This panel opened registration on ${day(panel.openedAt)}, so it is part of the public record and cannot be deleted. Close registration instead, on this page.`;
  }
  if (s.registrants > 0) {
    return `This panel has ${count(s.registrants, 'person', 'people')} in its pool. A panel holding people’s data cannot be deleted here: erase them first, on the Pool page, if they asked to be.`;
  }
  if (s.committedSize !== null) return 'This panel has a published commitment, so its draw is on the public record and the panel cannot be deleted.';
  if (s.draws > 0 || s.members > 0) return `This panel has ${count(s.draws, 'draw', 'draws')} and ${count(s.members, 'member', 'members')} on the record, so it cannot be deleted.`;
  if (s.drawRunning) return 'A trial draw is running on this panel. Wait for it to finish, then delete the panel.';
  if (s.sessions > 0) return `This panel has ${count(s.sessions, 'live session', 'live sessions')}, so it cannot be deleted.`;
  if (s.auditors > 0) return `This panel has ${count(s.auditors, 'auditor', 'auditors')} on the record, so it cannot be deleted.`;
  return undefined;
}
