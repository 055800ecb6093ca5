#!/usr/bin/env node
// Runs the TypeScript command line directly through tsx (no build step needed after `npm ci`).
import { register } from 'tsx/esm/api';

register();
await import('../src-main/cli.ts');
