#!/usr/bin/env python3
"""Stage results: judge the guest console logs.

Counts every KUnit case (parsed by the kernel's own kunit.py, of a guest's
boot and of kunit.py run), every
top-level TAP result of each guest program run between "### begin NAME" /
"### end NAME exit=N" markers, and the log-wide checks (stages that
host/expected lists but did not run or finish, kernel splats in the guest's
or a nested guest's console, a clean power-off). A SKIP that host/expected
does not allow for that boot is a FAIL. Prints PASS/FAIL/SKIP lines and,
last, "N passed, N failed, N skipped".
"""
import argparse
import fnmatch
import json
import re
import subprocess
import sys

import console
import topology

# Whatever an s390 kernel prints when something goes wrong: die() ("kernel
# BUG at", "monitor event: 0040 ilc:2 [#1]", "Oops: 0004 ilc:3 [#1]"),
# WARN, lockdep, KASAN, UBSAN, kmemleak, RCU stalls, hung tasks, soft
# lockups (BUG:), sleeping in atomic context, panic. Searched anywhere in a
# line: nested guests' consoles come prefixed.
SPLAT = re.compile(r'BUG:|kernel BUG at|WARNING:|Oops|\bilc:\d+ \[#\d+\]|Kernel panic|'
                   r'KASAN:|UBSAN:|unreferenced object|kmemleak:.*disabled|'
                   r'possible recursive locking|possible circular locking|'
                   r'inconsistent lock state|INFO: task .* blocked|'
                   r'rcu: INFO:|detected stalls? on CPU|self-detected stall|'
                   r'sleeping function called from invalid context')
RESULT = re.compile(r'^(not ok|ok)\s+\d+\s*-?\s*([^#]*?)\s*(?:#\s*(.*))?$')

results = []
PREFIX = ''
BOOT = None         # the boot being judged: test, debug, 6.12 or run
ALLOWED_SKIPS = []  # (boots, pattern, reason) from host/expected


def report(status, name, why=''):
    if status == 'SKIP' and not any(BOOT in boots and fnmatch.fnmatchcase(name, pattern)
                                    for boots, pattern, _ in ALLOWED_SKIPS):
        status, why = 'FAIL', f'skipped, and host/expected allows no such skip: {why}'
    results.append(status)
    print(f'{status} {PREFIX}{name}' + (f': {why}' if why else ''))


def read_expected(path):
    """host/expected: {boot: [stage, ...]} and the allowed skips."""
    stages = {}
    with open(path) as f:
        for line in f:
            words = line.split(None, 3)
            if not words or words[0].startswith('#'):
                continue
            boots = words[1].split(',') if len(words) > 1 else []
            if not boots or not set(boots) <= {'test', 'debug', '6.12', 'lava', 'run', 'bench', 'shell'} or \
               not ((words[0] == 'stage' and len(words) == 3) or
                    (words[0] == 'skip' and len(words) == 4)):
                sys.exit(f'{path}: not "stage BOOTS NAME" or "skip BOOTS RESULT REASON": '
                         f'{line.strip()}')
            if words[0] == 'stage':
                for boot in boots:
                    stages.setdefault(boot, []).append(words[2].strip())
            else:
                ALLOWED_SKIPS.append((boots, words[2], words[3].strip()))
    return stages


def kunit(log_lines, tree, config):
    """Hand the kernel's part of the log to kunit.py parse, read its JSON."""
    kernel_part = []
    for line in log_lines:
        if console.BEGIN.match(line):
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
        parsed = json.loads(proc.stdout[proc.stdout.index('{'):])
    except ValueError:
        report('FAIL', 'kunit', f'kunit.py parse gave no results ({", ".join(configured)})')
        return
    kunit_cases(parsed, 'kunit', f'{", ".join(configured)} configured')


def kunit_cases(parsed, name, what):
    """Report each case of kunit.py's JSON (PARSED) as NAME/SUITE/CASE, and
    NAME itself as failed when no case ran, or when kunit.py counted an
    error or a crash (a suite cut short: cases that never reported)."""
    cases = 0

    def walk(group, path):
        nonlocal cases
        for case in group.get('test_cases', []):
            cases += 1
            status = {'PASS': 'PASS', 'SKIP': 'SKIP'}.get(case['status'], 'FAIL')
            report(status, f'{name}/{path}{case["name"]}',
                   '' if status == 'PASS' else case['status'])
        for sub in group.get('sub_groups', []):
            walk(sub, f'{path}{sub["name"]}/')

    walk(parsed, '')
    counts = parsed.get('misc') or {}
    if not cases:
        report('FAIL', name, f'{what}, but no case ran')
    elif counts.get('errors') or counts.get('crashed'):
        report('FAIL', name, f'kunit.py counted {counts.get("errors", 0)} error(s) and '
               f'{counts.get("crashed", 0)} crash(es) ({what})')


def kunit_py(path):
    """The suite as kernel CI runs it (host/kunit.sh): kunit.py run's JSON."""
    try:
        with open(path) as f:
            parsed = json.load(f)
    except (OSError, ValueError) as e:
        report('FAIL', 'kunit.py', f'no results from kunit.py run ({e}); see its log beside')
        return
    kunit_cases(parsed, 'kunit.py', 'kunit.py run with drivers/iommu/.kunitconfig')


def tap(lines):
    """The top-level TAP of a stage's LINES: yields ('plan', N, SKIP_WHY) for
    its plan and (STATUS, NAME, WHY) for each result, STATUS being PASS, FAIL
    or SKIP (host/lava.py compares LAVA's results with these)."""
    notes = []
    for line in lines:
        m = re.match(r'^1\.\.(\d+)(?:\s*#\s*SKIP\s*(.*))?', line, re.I)
        if m:
            yield 'plan', int(m.group(1)), m.group(2) or ''
            continue
        if line.startswith('# '):
            notes.append(line[2:].strip())
            continue
        m = RESULT.match(line)
        if m:
            directive = m.group(3) or ''
            if m.group(1) == 'not ok':
                # kselftest_harness prints why just before: the assertions and logs
                why = [n for n in notes if not re.match(r'(RUN|FAIL|OK)\b|\w+: Test failed', n)]
                yield 'FAIL', m.group(2), '; '.join([directive] + why[-3:]).strip('; ')
            elif directive.upper().startswith('SKIP'):
                yield 'SKIP', m.group(2), directive[4:].strip()
            else:
                yield 'PASS', m.group(2), ''
            notes = []


def cases(stage):
    """A stage's results as [(NAME, 'pass'|'fail'|'skip')], in order."""
    return [(name, status.lower()) for status, name, _ in tap(stage.lines) if status != 'plan']


def programs(log_lines, expected):
    """TAP of the guest programs, stage by stage."""
    for stage in console.stages(log_lines):
        name, plan, count, failed, skip_why = stage.name, None, 0, 0, ''
        for status, what, why in tap(stage.lines):
            if status == 'plan':
                plan, skip_why = what, why
                continue
            count += 1
            failed += status == 'FAIL'
            report(status, f'{name}/{what}', why)
        if stage.exit is None:
            report('FAIL', name, 'did not finish (no end marker)')
        elif plan == 0 and stage.exit not in (0, 4):
            report('FAIL', name, f'planned no result, but exit status {stage.exit}')
        elif plan == 0 or (stage.exit == 4 and count == 0):
            report('SKIP', name, skip_why or f'exit status {stage.exit}, no result')
        elif plan is not None and count != plan:
            report('FAIL', name, f'planned {plan} results, got {count}')
        elif plan is None:
            report('FAIL', name, 'printed no TAP plan')
        elif stage.exit not in (0, 4) and not failed:
            report('FAIL', name, f'exit status {stage.exit} with no failed test')
    seen = {stage.name for stage in console.stages(log_lines)}
    for want in expected:
        if want not in seen:
            report('FAIL', want, 'expected to run, but no output in the log')


def guest(boot, log, tree, config, expected):
    """The results of one guest boot (test, debug, 6.12 or lava)."""
    global PREFIX, BOOT
    PREFIX, BOOT = ('' if boot == 'test' else f'{boot}:'), boot
    try:
        lines = console.read(log)
    except FileNotFoundError:  # the boot never started
        lines = []
    if lines:
        kunit(lines, tree, config)
    programs(lines, expected)
    splats = [l for l in lines if SPLAT.search(l)]
    if not lines:
        report('FAIL', 'kernel log is clean', f'no console {log}')
    elif splats:
        report('FAIL', 'kernel log is clean', splats[0])
    else:
        report('PASS', 'kernel log is clean')
    try:  # how the boot ended, when badly (host/boot.sh)
        with open(f'{log}.status') as f:
            ended = f'{f.read().strip()}; '
    except FileNotFoundError:
        ended = '' if lines else 'no console; '
    if console.done(lines) and not ended:
        report('PASS', 'guest reached its end')
    else:
        report('FAIL', 'guest reached its end', f'{ended}see {log}')
    PREFIX, BOOT = '', None


def answer(log, stages):
    """make run: did the guest show its whole answer? Each stage ran and
    exited 0, no TAP failure or splat, the guest got to its end, and the
    tool listed each function of the container and a group, as table and
    as JSON (the test bed's container functions, config/topology). Prints
    what is missing; the exit status."""
    lines = console.read(log)
    problems, ended, out = [], {}, {}
    for stage in console.stages(lines):
        out.setdefault(stage.name, []).extend(stage.lines)
        problems += [f'{stage.name}: {l}' for l in stage.lines if l.startswith('not ok')]
        if stage.exit is not None:
            ended[stage.name] = stage.exit
    for stage in stages:
        if stage not in ended:
            problems.append(f'{stage} did not run or finish')
        elif ended[stage]:
            problems.append(f'{stage} exited {ended[stage]}')
    problems += [f'kernel log: {l}' for l in lines if SPLAT.search(l)][:1]
    if not console.done(lines):
        problems.append('the guest did not get to its end')
    functions = sum(fn.role == 'container' for fn in topology.load().functions)
    table = '\n'.join(out.get('vfio_iommu_info', []))
    js = '\n'.join(out.get('vfio_iommu_info_json', []))
    for what, text, fn, group in (('table', table, 'zpci_fn: capability ',
                                   'zpci_group: capability '),
                                  ('JSON', js, '"name": "zpci_fn"', '"name": "zpci_group"')):
        if not functions or text.count(fn) != functions or not text.count(group):
            problems.append(f'the tool\'s {what} lists {text.count(fn)} zPCI function(s) and '
                            f'{text.count(group)} group(s) for the {functions} function(s) '
                            'of the container')
    for p in problems:
        print(f'make run: {p}')
    if problems:
        print(f'make run: the guest\'s answer is incomplete; console: {log}')
        return 1
    print(f'make run: the guest\'s answer is whole: {functions} zPCI functions and their group(s)')
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--guest', nargs=3, action='append', default=[],
                    metavar=('BOOT', 'LOG', 'CONFIG'),
                    help='a guest console log (boot test, debug, 6.12 or lava) and its kernel .config')
    ap.add_argument('--tree')
    ap.add_argument('--expected', required=True, help='host/expected')
    ap.add_argument('--results', action='append', default=[],
                    help='a file of host-side "PASS name" / "FAIL name: why" lines')
    ap.add_argument('--kunit-py', metavar='JSON',
                    help='the JSON of kunit.py run (host/kunit.sh)')
    ap.add_argument('--answer', metavar='LOG',
                    help='judge make run\'s console log instead (see answer())')
    ap.add_argument('--stages', metavar='BOOT',
                    help='only print the stages host/expected lists for BOOT, NAME,NAME,...')
    args = ap.parse_args()
    stages = read_expected(args.expected)
    if args.stages:
        print(','.join(stages.get(args.stages, [])))
        return 0
    if args.answer:
        return answer(args.answer, stages.get('run', []))

    for path in args.results:
        with open(path) as f:
            for line in f:
                m = re.match(r'^(PASS|FAIL|SKIP) (\S+)(?:: (.*))?$', line.rstrip())
                if m:
                    report(m.group(1), m.group(2), m.group(3) or '')
    if args.kunit_py:
        kunit_py(args.kunit_py)
    for boot, log, config in args.guest:
        guest(boot, log, args.tree, config, stages.get(boot, []))

    passed, failed, skipped = (results.count(s) for s in ('PASS', 'FAIL', 'SKIP'))
    print(f'{passed} passed, {failed} failed, {skipped} skipped')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
