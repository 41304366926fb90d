#!/usr/bin/env python3
"""Stage results: judge a guest console log.

Counts every KUnit case (parsed by the kernel's own kunit.py), every
top-level TAP result of each guest program run between "### begin NAME" /
"### end NAME exit=N" markers, and the log-wide checks (programs that were
expected but did not run or finish, kernel splats, a clean power-off).
Prints PASS/FAIL/SKIP lines and, last, "N passed, N failed, N skipped".
"""
import argparse
import json
import re
import subprocess
import sys

SPLAT = re.compile(r'BUG:|WARNING:|Oops|Kernel panic|KASAN:|UBSAN:|unreferenced object|'
                   r'possible recursive locking|possible circular locking|'
                   r'inconsistent lock state|INFO: task .* blocked|'
                   r'sleeping function called from invalid context')
TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')
RESULT = re.compile(r'^(not ok|ok)\s+\d+\s*-?\s*([^#]*?)\s*(?:#\s*(.*))?$')

results = []
PREFIX = ''


def record(status, name, why=''):
    results.append(status)
    print(f'{status} {PREFIX}{name}' + (f': {why}' if why else ''))


def kunit(log_lines, tree, config):
    """Hand the kernel's part of the log to kunit.py parse, read its JSON."""
    kernel_part = []
    for line in log_lines:
        if line.startswith('### begin'):
            break
        kernel_part.append(line)
    with open(config) as f:
        configured = [l.split('=')[0] for l in f if re.match(r'CONFIG_\w*KUNIT_TEST=y', l)]
    if re.search(r'^1\.\.0$', '\n'.join(kernel_part), re.M) and not configured:
        return  # no KUnit suite in this kernel
    proc = subprocess.run([sys.executable, f'{tree}/tools/testing/kunit/kunit.py', 'parse',
                           '--json'], input='\n'.join(kernel_part) + '\n',
                          capture_output=True, text=True)
    try:
        report = json.loads(proc.stdout[proc.stdout.index('{'):])
    except ValueError:
        record('FAIL', 'kunit', f'kunit.py parse gave no results ({", ".join(configured)})')
        return
    cases = 0

    def walk(group, path):
        nonlocal cases
        for case in group.get('test_cases', []):
            cases += 1
            status = {'PASS': 'PASS', 'SKIP': 'SKIP'}.get(case['status'], 'FAIL')
            record(status, f'kunit/{path}{case["name"]}',
                   '' if status == 'PASS' else case['status'])
        for sub in group.get('sub_groups', []):
            walk(sub, f'{path}{sub["name"]}/')

    walk(report, '')
    if not cases:
        record('FAIL', 'kunit', f'{", ".join(configured)} configured, but no case ran')


def programs(log_lines, expected):
    """TAP of the guest programs, by their markers."""
    seen = set()
    name = None
    for line in log_lines:
        m = re.match(r'^### begin (\S+)', line)
        if m:
            name, plan, count, failed, notes = m.group(1), None, 0, 0, []
            continue
        if name is None:
            continue
        m = re.match(r'^### end (\S+) exit=(\d+)', line)
        if m:
            seen.add(name)
            exitcode = int(m.group(2))
            if plan is not None and count != plan:
                record('FAIL', name, f'planned {plan} results, got {count}')
            elif plan is None:
                record('FAIL', name, 'printed no TAP plan')
            elif exitcode not in (0, 4) and not failed:
                record('FAIL', name, f'exit status {exitcode} with no failed test')
            name = None
            continue
        m = re.match(r'^1\.\.(\d+)', line)
        if m:
            plan = int(m.group(1))
            continue
        if line.startswith('# '):
            notes.append(line[2:].strip())
            continue
        m = RESULT.match(line)
        if m:
            count += 1
            directive = m.group(3) or ''
            if m.group(1) == 'not ok':
                failed += 1
                # kselftest_harness prints why just before: the assertions and logs
                why = [n for n in notes if not re.match(r'(RUN|FAIL|OK)\b|\w+: Test failed', n)]
                record('FAIL', f'{name}/{m.group(2)}', '; '.join([directive] + why[-3:]).strip('; '))
            elif directive.upper().startswith('SKIP'):
                record('SKIP', f'{name}/{m.group(2)}', directive[4:].strip())
            else:
                record('PASS', f'{name}/{m.group(2)}')
            notes = []
    if name is not None:
        record('FAIL', name, 'did not finish (no end marker)')
    for want in expected:
        if want not in seen:
            record('FAIL', want, 'expected to run, but no output in the log')


# Leaks of the base kernel, not of the series: (where, a frame of the
# allocation's backtrace, why).
KNOWN_LEAKS = [
    ('hotplug', 'zpci_bus_device_register',
     'Linux 6.12 leaks the PCI host bridge of a removed zPCI bus (allocated at '
     'boot by zpci_bus_device_register)'),
]


def known_leaks(lines):
    """Take the kmemleak reports that KNOWN_LEAKS explains out of lines."""
    out, section, i, known = [], '', 0, set()
    while i < len(lines):
        m = re.match(r'^### kmemleak scan after (\S+)', lines[i])
        if m:
            section = m.group(1)
        if lines[i].startswith('unreferenced object'):
            j = i + 1
            while j < len(lines) and lines[j].startswith(' '):
                j += 1
            block = '\n'.join(lines[i:j])
            why = [w for s, frame, w in KNOWN_LEAKS if s == section and frame in block]
            if why:
                known.add(why[0])
                i = j
                continue
        out.append(lines[i])
        i += 1
    for why in sorted(known):
        record('SKIP', 'kmemleak known base-kernel leak', why)
    return out


def guest(prefix, log, tree, config, expected):
    """The results of one guest boot, named with prefix."""
    global PREFIX
    PREFIX = prefix
    with open(log, errors='replace') as f:
        lines = [TIMESTAMP.sub('', l.rstrip('\r\n')) for l in f]
    kunit(lines, tree, config)
    programs(lines, expected)
    unfinished = [l for l in lines if l.startswith('### kmemleak scan unfinished')]
    if unfinished:
        record('FAIL', 'kmemleak scan', unfinished[0][4:])
    splats = [l for l in known_leaks(lines) if SPLAT.search(l)]
    if splats:
        record('FAIL', 'kernel log is clean', splats[0])
    else:
        record('PASS', 'kernel log is clean')
    if any(l.startswith('### guest done') for l in lines):
        record('PASS', 'guest reached its end')
    else:
        record('FAIL', 'guest reached its end', f'see {log}')
    PREFIX = ''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--guest', nargs=3, action='append', default=[],
                    metavar=('PREFIX', 'LOG', 'CONFIG'),
                    help='a guest console log and its kernel .config; results named PREFIX...')
    ap.add_argument('--tree', required=True)
    ap.add_argument('--expect', action='append', default=[],
                    help='a guest program that must have run in every guest')
    ap.add_argument('--expect-first', action='append', default=[],
                    help='a guest program that must have run in the first guest')
    ap.add_argument('--results', action='append', default=[],
                    help='a file of host-side "PASS name" / "FAIL name: why" lines')
    args = ap.parse_args()

    for path in args.results:
        with open(path) as f:
            for line in f:
                m = re.match(r'^(PASS|FAIL|SKIP) (\S+)(?:: (.*))?$', line.rstrip())
                if m:
                    record(m.group(1), m.group(2), m.group(3) or '')
    for i, (prefix, log, config) in enumerate(args.guest):
        guest(prefix, log, args.tree, config, args.expect + (args.expect_first if i == 0 else []))

    passed, failed, skipped = (results.count(s) for s in ('PASS', 'FAIL', 'SKIP'))
    print(f'{passed} passed, {failed} failed, {skipped} skipped')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
