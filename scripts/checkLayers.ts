import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cruise, type ICruiseResult, type IConfiguration, type IViolation } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

/**
 * Runs the layer rules of .dependency-cruiser.cjs over a source tree through dependency-cruiser's API
 * (its command line refuses Node 20, the API runs on it). `npm test` runs it through
 * test/main/dependencyRules.test.ts; `npx tsx scripts/checkLayers.ts` prints the violations.
 */
export async function checkLayers(
  baseDir: string,
  targets: string[] = ['src-main', 'src-renderer'],
): Promise<IViolation[]> {
  const config = createRequire(import.meta.url)(
    path.resolve(import.meta.dirname, '..', '.dependency-cruiser.cjs'),
  ) as IConfiguration;
  const options = config.options ?? {};
  const tsConfigFile = path.join(baseDir, options.tsConfig?.fileName ?? 'tsconfig.json');
  const result = await cruise(
    targets,
    {
      ...options,
      baseDir,
      tsConfig: { fileName: tsConfigFile },
      validate: true,
      ruleSet: { forbidden: config.forbidden ?? [], options } as never,
    },
    {},
    { tsConfig: extractTSConfig(tsConfigFile) },
  );
  const { summary } = result.output as ICruiseResult;
  // A rule cannot fail on files it never saw: an empty cruise (wrong folder) is an error, not a pass.
  if (summary.totalCruised === 0) throw new Error(`no source files found under ${targets.join(', ')} in ${baseDir}`);
  return summary.violations;
}

export function describeViolation(v: IViolation): string {
  return `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (cycle: ${v.cycle.map((c) => c.name).join(' → ')})` : ''}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const violations = await checkLayers(path.resolve(import.meta.dirname, '..'));
  for (const v of violations) process.stderr.write(`${describeViolation(v)}\n`);
  process.stdout.write(`${violations.length} layer rule violations\n`);
  process.exitCode = violations.length ? 1 : 0;
}
