/**
 * Whether the address a resident typed is the one their letter went to (issue 21): the same postcode and the same
 * house. A difference is flagged for the organiser to look at, never refused: people write "St" for "Street",
 * put the flat first or last, or leave it out.
 */
export interface InvitedAddress {
  line1: string;
  line2?: string;
  postcode: string;
}

/** A postcode in one form: capitals, no spaces ("cv1 2ab" and "CV12AB" are both CV12AB). */
export const postcodeKey = (postcode: string): string => postcode.toUpperCase().replace(/[^A-Z0-9]/g, '');

const FLAT = /\b(?:FLAT|APARTMENT|APT|UNIT|ROOM|MAISONETTE)\.?\s*([0-9]+[A-Z]?)\b/;
const NUMBER = /\b([0-9]+)(?:\s?([A-Z]))?\b/;
const WORDS: Record<string, string> = { ST: 'STREET', RD: 'ROAD', AVE: 'AVENUE', AV: 'AVENUE', LN: 'LANE', CL: 'CLOSE', CRES: 'CRESCENT', DR: 'DRIVE', GDNS: 'GARDENS', GRN: 'GREEN', GR: 'GROVE', PL: 'PLACE', SQ: 'SQUARE', TER: 'TERRACE', CT: 'COURT', HO: 'HOUSE' };

/** The house in an address: its flat (if it says), its building number with any letter (10A), and its words. */
export function houseOf(address: string): { flat?: string; number?: string; words: string } {
  let s = address.toUpperCase().replace(/[,;]/g, ' ').replace(/\s+/g, ' ').trim();
  const flat = FLAT.exec(s)?.[1];
  if (flat) s = s.replace(FLAT, ' ');
  const m = NUMBER.exec(s);
  const number = m ? m[1] + (m[2] ?? '') : undefined;
  if (m) s = s.replace(NUMBER, ' ');
  const words = s.replace(/[^A-Z ]/g, ' ').split(' ').filter(Boolean).map((w) => WORDS[w] ?? w).join(' ');
  return { flat, number, words };
}

/** Why a typed address is not the invited one, or null when it is (as far as postcode and house tell). */
export function addressMismatch(invited: InvitedAddress, typed: { address: string; postcode: string }): string | null {
  if (postcodeKey(invited.postcode) !== postcodeKey(typed.postcode)) return 'postcode';
  const want = houseOf(`${invited.line1} ${invited.line2 ?? ''}`);
  const got = houseOf(typed.address);
  if (want.number) {
    if (got.number !== want.number) return 'house number';
  } else if (!got.words.includes(want.words.split(' ').slice(0, 2).join(' '))) {
    return 'house name';
  }
  if (want.flat && got.flat && want.flat !== got.flat) return 'flat';
  return null;
}
