// One line of the doctor's table: its own file, so the per-tool checks and the doctor need not import each other.
export type DoctorStatus = 'ok' | 'warn' | 'missing';

export interface DoctorLine {
  tool: string;
  status: DoctorStatus;
  command?: string;
  version?: string;
  /** what to do about it (missing / warn) */
  message?: string;
  /** whether a configured target needs it */
  needed: boolean;
}
