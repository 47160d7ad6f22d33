import { defineRule } from '../rule.ts';

export default defineRule({
  name: 'hex-id',
  description:
    'OPT-IN. Any bare hex number of 6 or more digits (`0x7f6d89ece850`, `hex(id(x))`) becomes `0xADDR`. Off by default: it also hides real hex output.',
  rewrites: 'any bare hex number of 6 to 16 digits -> `0xADDR` (`hex(id(x))`)',
  why: 'also hides real hex output',
  defaultEnabled: false,
  apply: (t) => t.replace(/\b0x[0-9a-fA-F]{6,16}\b/g, '0xADDR'),
});
