import type { Table } from './definition.js';
export function completionScript(_shell: 'bash' | 'zsh' | 'fish', shipped: string, _table: Table): string {
  return shipped;
}
