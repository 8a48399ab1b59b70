// CSV cells that a spreadsheet would run as a formula (OWASP "CSV injection"): a cell beginning with =, +, -, @, tab
// or carriage return gets a leading single quote, which spreadsheets show as text. Only strings are touched: a
// number column (a negative score, a cost) stays a number. Cells that already begin with quotes before such a
// character get one more, so that `restoreFormula` (used by the case importer) gives back exactly the original text
// and an exported suite imports back into the same cases.

const formulaStart = /^'*[=+\-@\t\r]/;
const neutralized = /^'+[=+\-@\t\r]/;

export function neutralizeFormula(text: string): string {
  return formulaStart.test(text) ? `'${text}` : text;
}

/** The inverse of neutralizeFormula for a cell read back from a CSV file. */
export function restoreFormula(text: string): string {
  return neutralized.test(text) ? text.slice(1) : text;
}
