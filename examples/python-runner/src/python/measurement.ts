/** Python that runs the command given as its arguments and writes its children's rusage to fd 3. */
export const measuringWrapper = `
import json, os, resource, signal, subprocess, sys
code = subprocess.call(sys.argv[1:])
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
os.write(3, json.dumps({"cpu": usage.ru_utime + usage.ru_stime, "max_rss_kb": usage.ru_maxrss}).encode())
if code < 0:
    signal.signal(-code, signal.SIG_DFL)
    os.kill(os.getpid(), -code)
sys.exit(code)
`;

/** Reads what the measuring wrapper wrote; zeros when it wrote nothing (killed early). */
export function parseMeasurement(text: string): { cpu: number; maxRssKb: number } {
  try {
    const parsed = JSON.parse(text) as { cpu?: number; max_rss_kb?: number };
    return { cpu: parsed.cpu ?? 0, maxRssKb: parsed.max_rss_kb ?? 0 };
  } catch {
    return { cpu: 0, maxRssKb: 0 };
  }
}
