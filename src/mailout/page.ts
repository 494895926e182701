/**
 * A letter's page (issues 21 and 22): A4, in PDF points, with the address placed for a standard DL window
 * envelope (20 mm from the left, 50 mm from the top, 90 × 35 mm), which a letter folded in three shows.
 */
export const MM = 72 / 25.4;
export const MARGIN = 20 * MM;
export const WINDOW = { x: 20 * MM, y: 50 * MM, width: 90 * MM, height: 35 * MM };
