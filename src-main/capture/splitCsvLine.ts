/**
 * One CSV line into fields. Get-WindowsAutopilotInfo strips every quote, Export-Csv and Excel keep
 * them (with "" inside), so both are read. Quoted fields never span lines in these files: an open
 * quote at the end of a line is a damaged row, not a multi-line value.
 */
export type SplitLine = { ok: true; fields: string[] } | { ok: false; reason: string };

export function splitCsvLine(line: string, delimiter: string): SplitLine {
  if (!line.includes('"')) return { ok: true, fields: line.split(delimiter) };
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    // Spaces before an opening quote are tolerated (", "value"" from hand-edited files).
    let j = i;
    while (line[j] === ' ') j++;
    if (line[j] === '"') {
      let value = '';
      j++;
      for (;;) {
        const close = line.indexOf('"', j);
        if (close === -1) return { ok: false, reason: 'a quote is opened but never closed' };
        value += line.slice(j, close);
        if (line[close + 1] === '"') {
          value += '"';
          j = close + 2;
          continue;
        }
        j = close + 1;
        break;
      }
      while (line[j] === ' ') j++;
      fields.push(value);
      if (j === line.length) return { ok: true, fields };
      if (line[j] !== delimiter) return { ok: false, reason: 'there is text after a closing quote' };
      i = j + 1;
    } else {
      const end = line.indexOf(delimiter, i);
      const value = end === -1 ? line.slice(i) : line.slice(i, end);
      if (value.includes('"')) return { ok: false, reason: 'a quote appears inside a value' };
      fields.push(value);
      if (end === -1) return { ok: true, fields };
      i = end + 1;
    }
  }
}
