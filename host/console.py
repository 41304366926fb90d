#!/usr/bin/env python3
"""The guest's console, read one way for the whole harness.

Between the kernel's messages the guest writes markers, each a line of its
own:
  ### begin NAME             guest/init: stage NAME starts
  ### end NAME exit=N        guest/init: it ended with exit status N
  ### guest done             guest/init: the guest got to its end
  ### bench NAME CALLS       guest/bench.c: a measurement of CALLS calls
  ### hotplug plug|replug|unplug UID  guest/hotplug.c: a request to the host
host/results.py, host/hotplug.py, host/bench.sh and make run read them here.
As a program:
  console.py stages LOG [--except NAME]  each stage's output, under "== NAME"
  console.py exit LOG NAME               the stage's exit status (none: 255)
  console.py bench LOG                   "NAME CALLS" of each measurement
"""
import argparse
import re
import sys

TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')


def clean(line):
    """A console line without its line end and kernel timestamp."""
    return TIMESTAMP.sub('', line.rstrip('\r\n'))


def read(path):
    """The lines of a console log (its CR LF line ends read as LF)."""
    with open(path, errors='replace') as f:
        return [clean(line) for line in f]


# Each marker at the start of a line; the kernel may print into the same
# line after it (a message between the text and its line end), so what
# follows the marker's own words is no part of it. Names are of word
# characters, ".", "/" and "-".
BEGIN = re.compile(r'^### begin ([\w./@-]+)')
END = re.compile(r'^### end ([\w./@-]+) exit=(\d+)')
DONE = re.compile(r'^### guest done')
BENCH = re.compile(r'^### bench (\w+) (\d+)')
HOTPLUG = re.compile(r'^### hotplug (plug|replug|unplug) (\w+)')


class Stage:
    """A stage's output: its name, its lines, its exit status (None: no end)."""
    def __init__(self, name):
        self.name, self.lines, self.exit = name, [], None


def stages(lines):
    """The stages of a console, in order; one cut off has exit None. An end
    marker ends the stage that is open, whatever name it gives."""
    out, current = [], None
    for line in lines:
        m = BEGIN.match(line)
        if m:
            current = Stage(m.group(1))
            out.append(current)
            continue
        m = END.match(line)
        if m and current:
            current.exit, current = int(m.group(2)), None
        elif current:
            current.lines.append(line)
    return out


def done(lines):
    return any(DONE.match(line) for line in lines)


def benches(lines):
    """(NAME, CALLS) of each measurement, in order."""
    return [(m.group(1), int(m.group(2))) for m in map(BENCH.match, lines) if m]


def hotplug(line):
    """(plug, replug or unplug, UID) of a hot-plug request, or None."""
    m = HOTPLUG.match(clean(line))
    return m.groups() if m else None


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest='what', required=True)
    s = sub.add_parser('stages')
    s.add_argument('log')
    s.add_argument('--except', dest='skip', action='append', default=[])
    e = sub.add_parser('exit')
    e.add_argument('log')
    e.add_argument('name')
    b = sub.add_parser('bench')
    b.add_argument('log')
    args = ap.parse_args()
    lines = read(args.log)
    if args.what == 'stages':
        for stage in stages(lines):
            if stage.name not in args.skip:
                print(f'== {stage.name}')
                for line in stage.lines:
                    print(line)
    elif args.what == 'exit':
        ended = [s.exit for s in stages(lines) if s.name == args.name and s.exit is not None]
        return ended[-1] if ended else 255
    else:
        for name, calls in benches(lines):
            print(name, calls)
    return 0


if __name__ == '__main__':
    sys.exit(main())
