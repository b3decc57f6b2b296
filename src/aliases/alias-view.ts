import { formatAddress } from '../common/user-ref';
import type { AliasRow } from '../kamailio/alias.repository';

/** An alias as the API shows it. */
export interface AliasView {
  alias: string;
  destination: string;
}

export const toAliasView = (row: AliasRow): AliasView => ({
  alias: formatAddress(row.alias),
  destination: formatAddress(row.destination),
});
