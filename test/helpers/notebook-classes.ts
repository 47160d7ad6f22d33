/**
 * The old notebook's own class definitions (seed: `CaseErrorCode(IntEnum)`, `CaseResult`), as
 * Python source, for tests and benchmarks that write real pickles with CPython. Defined in
 * `__main__`, as they were in the Jupyter kernel that wrote `chapter_N_result.pkl`.
 */
export const NOTEBOOK_CLASSES_PY = String.raw`
from enum import IntEnum

class CaseErrorCode(IntEnum):
    OK = 0
    COMPILATION_FAILURE = 1
    WASM_EXECUTION_FAILURE = 2
    PY_EXECUTION_FAILURE = 3
    DIFFERENT_RESULT = 4
    BYPASS = 5
    WASM_EXECUTION_TIMEOUT = 6
    PY_EXECUTION_TIMEOUT = 7

    def __str__(self):
        return f'{self.name}'

class CaseResult:
    def __init__(self, error_code: CaseErrorCode, msg: str):
        self.error_code = error_code
        self.msg = msg

    def __repr__(self):
        return f"{self.error_code}. \"{self.msg.strip()}\""
`;
