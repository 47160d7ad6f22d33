import fs from 'node:fs/promises';
import path from 'node:path';
import type { IwasmMode } from '../config/choices.ts';
import type { WamrVariant } from '../config/wamr.ts';

/** What a WAMR tree can build, read from its CMake scripts (a 2020 tree lacks most of it). */
export interface WamrTreeFeatures {
  /** the linux CMakeLists turns SIMD on by default (2.x): classic builds must turn it off */
  simdOnByDefault: boolean;
  /** SIMD support fetches the SIMDe headers from GitHub at configure time */
  fetchesSimde: boolean;
  fastJit: boolean;
  dumpCallStack: boolean;
  /** wamr-compiler/ builds against an installed LLVM (WAMR_BUILD_WITH_CUSTOM_LLVM), not only its own core/deps/llvm */
  wamrcWithInstalledLlvm: boolean;
}

const read = (file: string) => fs.readFile(file, 'utf8').catch(() => '');

export async function readTreeFeatures(checkout: string): Promise<WamrTreeFeatures> {
  const [linux, common, simde, wamrc] = await Promise.all([
    read(path.join(checkout, 'product-mini', 'platforms', 'linux', 'CMakeLists.txt')),
    read(path.join(checkout, 'build-scripts', 'config_common.cmake')),
    read(path.join(checkout, 'core', 'iwasm', 'libraries', 'simde', 'simde.cmake')),
    read(path.join(checkout, 'wamr-compiler', 'CMakeLists.txt')),
  ]);
  return {
    simdOnByDefault: /set\s*\(\s*WAMR_BUILD_SIMD\s+1\s*\)/.test(linux),
    fetchesSimde: /FetchContent/.test(simde),
    fastJit: /WAMR_BUILD_FAST_JIT/.test(common),
    dumpCallStack: /WAMR_BUILD_DUMP_CALL_STACK/.test(common),
    wamrcWithInstalledLlvm: /WAMR_BUILD_WITH_CUSTOM_LLVM/.test(wamrc),
  };
}

/** How a variant is built from one tree; `unsupported` says why it cannot be, and what to do. */
export interface VariantPlan {
  variant: WamrVariant;
  cmakeArgs: string[];
  /** how iwasm's frame offsets are read */
  mode: IwasmMode;
  /** builds wamrc too (wamr-compiler/), and runs iwasm on its `.aot` output */
  wamrc: boolean;
  unsupported?: string;
  /** said once when the variant is built but lacks something (e.g. no call-stack dumps) */
  note?: string;
}

/** The debug build the old manual failure analysis used for call stacks (classic interpreter, names kept). */
export const DEBUG_CMAKE_ARGS = [
  '-DCMAKE_BUILD_TYPE=Debug',
  '-DWAMR_BUILD_DUMP_CALL_STACK=1',
  '-DWAMR_BUILD_FAST_INTERP=0',
  '-DWAMR_BUILD_CUSTOM_NAME_SECTION=1',
  '-DWAMR_BUILD_LOAD_CUSTOM_SECTION=1',
];

/** Pure: the CMake options of a variant on a tree with these features. */
export function planVariant(
  variant: WamrVariant,
  tree: WamrTreeFeatures,
  opts: { llvmCmakeDir?: string | null; simdeDir?: string | null } = {},
): VariantPlan {
  // SIMD + classic interpreter, and SIMD + fast JIT, are rejected at configure time where SIMD is on by default
  const noSimd = tree.simdOnByDefault ? ['-DWAMR_BUILD_SIMD=0'] : [];
  // local SIMDe headers (Debian libsimde-dev) stand in for the clone, so a SIMD build works offline
  const localSimde = tree.fetchesSimde && opts.simdeDir ? [`-DFETCHCONTENT_SOURCE_DIR_SIMDE=${opts.simdeDir}`] : [];
  switch (variant) {
    case 'release':
      return { variant, cmakeArgs: localSimde, mode: 'fast-interp', wamrc: false };
    case 'classic':
      return { variant, cmakeArgs: ['-DWAMR_BUILD_FAST_INTERP=0', ...noSimd], mode: 'interp', wamrc: false };
    case 'debug':
      return {
        variant,
        cmakeArgs: [...DEBUG_CMAKE_ARGS, ...noSimd],
        mode: 'interp',
        wamrc: false,
        ...(tree.dumpCallStack
          ? {}
          : {
              note: 'this WAMR tree has no WAMR_BUILD_DUMP_CALL_STACK: its debug iwasm prints no call stacks, so stacks come from the runtimes themselves',
            }),
      };
    case 'fast-jit':
      return tree.fastJit
        ? { variant, cmakeArgs: ['-DWAMR_BUILD_FAST_JIT=1', ...noSimd], mode: 'fast-interp', wamrc: false }
        : {
            variant,
            cmakeArgs: [],
            mode: 'fast-interp',
            wamrc: false,
            unsupported:
              'this WAMR tree has no fast JIT (no WAMR_BUILD_FAST_JIT in build-scripts/config_common.cmake; it arrived in WAMR 1.1)',
          };
    case 'aot':
      if (!tree.wamrcWithInstalledLlvm) {
        return {
          variant,
          cmakeArgs: [],
          mode: 'aot',
          wamrc: true,
          unsupported:
            "this tree's wamr-compiler builds only against its own LLVM in core/deps/llvm/build (build_llvm.sh clones and builds LLVM); WAMR_BUILD_WITH_CUSTOM_LLVM, for an installed LLVM, arrived later",
        };
      }
      return opts.llvmCmakeDir
        ? {
            variant,
            cmakeArgs: ['-DWAMR_BUILD_WITH_CUSTOM_LLVM=1', `-DLLVM_DIR=${opts.llvmCmakeDir}`, ...localSimde],
            mode: 'aot',
            wamrc: true,
          }
        : {
            variant,
            cmakeArgs: [],
            mode: 'aot',
            wamrc: true,
            unsupported:
              'aot needs wamrc, which links LLVM: no LLVM development files found (LLVMConfig.cmake). apt-get install -y llvm-19-dev, then run again',
          };
  }
}
