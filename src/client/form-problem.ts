import { $ } from './dom';
import type { View } from './view';

/**
 * A form's own line beside its button, saying what went wrong with its last try (a refusal in words), where the
 * person is looking: the room's alert region, at the foot of the page, is what a screen reader hears. Once the
 * form's next action succeeds the line is cleared, and the alert too if it still says the same.
 */
export function showProblem(v: View, id: string, text: string, aloud = true): void {
  $(id).textContent = text;
  if (aloud) v.alert(text); // a refusal from the server is in the alert region already (room.ts `send`)
}

export function clearProblem(v: View, id: string): void {
  const line = $(id);
  if (line.textContent && $('alert').textContent === line.textContent) v.alert('');
  line.textContent = '';
}
