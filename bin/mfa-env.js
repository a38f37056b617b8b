#!/usr/bin/env node
import { run } from '../dist/bundle/mfa-login.js';
await run(process.argv.slice(2), 'mfa-env');
