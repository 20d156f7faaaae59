// SPDX-License-Identifier: Apache-2.0
// Parse Mermaid files with Mermaid's own parser (node + jsdom, no browser); exit 1 on the first error.
// Run from a directory whose node_modules holds mermaid and jsdom (.ci/run installs them).
import fs from 'node:fs';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.DOMParser = dom.window.DOMParser;
globalThis.Element = dom.window.Element;
globalThis.HTMLElement = dom.window.HTMLElement;
const { default: mermaid } = await import('mermaid');
for (const file of process.argv.slice(2)) {
  try {
    await mermaid.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    console.error(`${file}: ${String(error.message || error)}`);
    process.exit(1);
  }
}
