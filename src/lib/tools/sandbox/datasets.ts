/**
 * CSV files shipped with the app for the sandbox: the sandbox has no network, so the host
 * passes these in by name (`loadCSV('cafe-sales.csv')` inside the code).
 *
 * `cafe-sales.csv` (made up, 120 rows): ten days of cups sold by four cafés (harbor, market,
 * station, campus) for three drinks (coffee, tea, cocoa), with the price and the day's
 * temperature. Columns: day, store, drink, cups, price, temp_c.
 */
import cafeSales from './data/cafe-sales.csv?raw';

export const CAFE_SALES = 'cafe-sales.csv';

export const BUNDLED_CSV_FILES: Readonly<Record<string, string>> = { [CAFE_SALES]: cafeSales };

/** The first lines of a CSV, to show a model what the columns look like. */
export function csvPreview(text: string, lines = 4): string {
  return text.split('\n').slice(0, lines).join('\n');
}
