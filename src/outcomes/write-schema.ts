import fs from 'node:fs';
import path from 'node:path';
import { EXPORT_SCHEMA_FILE, exportJsonSchemaText } from './export-schema';

/** `npm run schema`: writes the export's JSON Schema to docs/summary.schema.json (commit it with the change). */
fs.writeFileSync(EXPORT_SCHEMA_FILE, exportJsonSchemaText());
console.log(`Wrote ${path.relative(process.cwd(), EXPORT_SCHEMA_FILE)}`);
