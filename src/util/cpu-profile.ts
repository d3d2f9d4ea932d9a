// CPU profiles in consecutive slices (diagnostics: the soak takes one per round, to compare round
// 1 with round 3). Uses the in-process inspector session: no debugging port is opened.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';

export class SlicedProfiler {
  private readonly session = new Session();
  private slice = 0;

  constructor(private readonly dir: string) {}

  async start(): Promise<void> {
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.start');
  }

  /** Writes the profile since the last cut to <dir>/slice-<n>.cpuprofile and starts the next. */
  async cut(): Promise<string> {
    const { profile } = await this.session.post('Profiler.stop');
    const file = join(this.dir, `slice-${this.slice++}.cpuprofile`);
    await writeFile(file, JSON.stringify(profile));
    await this.session.post('Profiler.start');
    return file;
  }
}
