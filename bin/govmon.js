#!/usr/bin/env node
// Entry point for `govmon` / `npx govmon`: runs the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../pipelines/cli.ts');
