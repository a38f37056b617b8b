const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const INTERVAL_MS = 80;

export interface Spinner {
  /** Stops the frames and clears the line; safe to call more than once. */
  stop(): void;
}

/**
 * A spinner on one line of `stream` (stderr) while something slow runs: an STS call, a wait for
 * another process's lease. The caller decides whether it is shown (a terminal, no NO_COLOR, not
 * under credential_process): when not enabled nothing is written at all, so captured stderr stays
 * clean. The timer is unref'd: a forgotten spinner never keeps the process alive.
 */
export function startSpinner(text: string, options: { stream: NodeJS.WriteStream; enabled: boolean }): Spinner {
  if (!options.enabled) return { stop() {} };
  const { stream } = options;
  let frame = 0;
  const draw = () => {
    stream.write(`\r${FRAMES[frame]} ${text}\x1b[K`);
    frame = (frame + 1) % FRAMES.length;
  };
  draw();
  const timer = setInterval(draw, INTERVAL_MS);
  timer.unref();
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      // Back to the start of the line and erase it, so the next message starts on a clean line.
      stream.write('\r\x1b[2K');
    },
  };
}
