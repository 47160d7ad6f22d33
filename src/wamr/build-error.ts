/** A cmake step of a WAMR build failed: the command, its exit status and output, and what would avoid it. */
export class WamrBuildError extends Error {
  override name = 'WamrBuildError';
  constructor(
    readonly variant: string,
    readonly command: string[],
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    const hint = networkHint(output);
    super(
      `building iwasm:${variant} failed: \`${command.join(' ')}\` exited with ${exitCode ?? 'a signal'}${hint ? `\n${hint}` : ''}\n${output.trimEnd().split('\n').slice(-25).join('\n')}`,
    );
  }
}

/**
 * A configure step that wanted the network (CMake FetchContent cloning from GitHub): which
 * dependency, and which option avoids the download. Recognised from CMake's own failure text.
 */
export function networkHint(output: string): string | undefined {
  const wantsNetwork =
    /FetchContent|Failed to clone|git clone|Could not resolve host|Failed to connect to|unable to access 'https?:|download.*failed/i.test(
      output,
    );
  if (!wantsNetwork) return undefined;
  if (/simde/i.test(output)) {
    return 'the configure step wanted the network: SIMD support fetches SIMDe from GitHub. Build offline with -DWAMR_BUILD_SIMD=0 (wamr.cmakeArgs), or give it local headers with -DFETCHCONTENT_SOURCE_DIR_SIMDE=<dir holding simde/> (or apt-get install -y libsimde-dev: headers in /usr/include are used instead of the clone)';
  }
  if (/asmjit|zydis/i.test(output)) {
    return 'the configure step wanted the network: the fast JIT fetches asmjit and zydis from GitHub. Leave fast-jit out of wamr.variants offline, or give local sources with -DFETCHCONTENT_SOURCE_DIR_ASMJIT=<dir> / -DFETCHCONTENT_SOURCE_DIR_ZYDIS=<dir>';
  }
  return 'the configure step wanted the network (CMake FetchContent): give each dependency a local copy with -DFETCHCONTENT_SOURCE_DIR_<NAME>=<dir> in wamr.cmakeArgs, or turn off the feature that needs it';
}
