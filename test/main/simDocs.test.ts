import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { faultSpecSchema, realTenantObjectSchema, scenarioSchema } from '../../src-main/sim/simScenario.ts';

const repo = path.resolve(import.meta.dirname, '..', '..');

/**
 * docs/architecture.md#the-simulated-tenant lists every fault kind, scenario key and real-tenant switch of
 * src-main/sim/simScenario.ts, so a developer finds a knob in the doc before reading the schema. The names are read
 * from the zod schemas, not from a list kept here.
 */

/** The text of the `## ` section named `heading` in `markdown` (to the next `## `). */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`no section "${heading}"`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

/** The names not written as `name` (in backticks) in `text`. */
function unnamed(text: string, names: readonly string[]): string[] {
  return names.filter((n) => !text.includes(`\`${n}\``));
}

describe('the simulated tenant as the architecture page describes it', () => {
  const doc = section(fs.readFileSync(path.join(repo, 'docs', 'architecture.md'), 'utf8'), 'The simulated tenant');

  it('names every fault kind, scenario key (and nested key) and real-tenant switch', () => {
    const nested = ['app', 'delays', 'throttle', 'signIn', 'devices'] as const;
    const keys = [
      ...Object.keys(scenarioSchema.shape),
      ...nested.flatMap((k) => Object.keys((scenarioSchema.shape[k].unwrap() as unknown as { shape: object }).shape)),
    ];
    expect(keys, 'the nested keys are read too').toEqual(
      expect.arrayContaining(['tagUpdateS', 'redirectPlatform', 'appWrites']),
    );
    expect(unnamed(doc, faultSpecSchema.shape.kind.options), 'fault kinds').toEqual([]);
    expect(
      unnamed(
        doc,
        Object.keys(faultSpecSchema.shape).filter((k) => k !== 'kind'),
      ),
      'fault options',
    ).toEqual([]);
    expect(unnamed(doc, keys), 'scenario keys').toEqual([]);
    expect(unnamed(doc, Object.keys(realTenantObjectSchema.shape)), 'real-tenant switches').toEqual([]);
  });

  it('the check can fail', () => {
    expect(unnamed('`html-200`, `503` and reset', ['html-200', '503', 'reset'])).toEqual(['reset']);
    expect(() => section('# Doc\n## Other\n', 'The simulated tenant')).toThrow();
  });
});
