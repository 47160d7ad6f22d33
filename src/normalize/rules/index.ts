// The built-in normalization rules, in the order they run. A new rule is one file in this folder
// plus its line here; RULES.md is generated from the rules' own fields (`npm run rules-doc`).

import type { BuiltinRule } from '../rule.ts';
import lineEndings from './line-endings.ts';
import objectAddress from './object-address.ts';
import compiledTypes from './compiled-types.ts';
import threadIdent from './thread-ident.ts';
import timing from './timing.ts';
import timestamp from './timestamp.ts';
import tracebackPaths from './traceback-paths.ts';
import tracebackSource from './traceback-source.ts';
import scratchDir from './scratch-dir.ts';
import wasmRelativePath from './wasm-relative-path.ts';
import scriptName from './script-name.ts';
import moduleRepr from './module-repr.ts';
import didYouMean from './did-you-mean.ts';
import tempfileNames from './tempfile-names.ts';
import localPort from './local-port.ts';
import setOrder from './set-order.ts';
import dictOrder from './dict-order.ts';
import sysPlatform from './sys-platform.ts';
import pythonVersion from './python-version.ts';
import hexId from './hex-id.ts';

export const BUILTIN_RULES: readonly BuiltinRule[] = Object.freeze([
  lineEndings,
  objectAddress,
  compiledTypes,
  threadIdent,
  timing,
  timestamp,
  tracebackPaths,
  tracebackSource,
  scratchDir,
  wasmRelativePath,
  scriptName,
  moduleRepr,
  didYouMean,
  tempfileNames,
  localPort,
  setOrder,
  dictOrder,
  sysPlatform,
  pythonVersion,
  hexId,
]);
