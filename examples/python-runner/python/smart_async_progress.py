"""Report progress to the smart-async Python runner (sa-python-runner) from a script."""
import sys


def progress(current, total=None, message=None):
    """Print `::progress <current>[/<total>] [message]` on stdout; the server turns it into job progress."""
    line = "::progress %g" % current + ("/%g" % total if total is not None else "")
    if message:
        line += " " + " ".join(str(message).split())
    print(line, file=sys.stdout, flush=True)
