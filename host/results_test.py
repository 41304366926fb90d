#!/usr/bin/env python3
"""The judge's tests: host/results.py on stored console excerpts.

Each host/results-tests/CASE.log is a console as a guest boot could leave it
(a pass, a stage missing, a skip host/expected does not allow, a failure, a
truncated log, a crashed guest, a nested guest's splat, leaks); CASE.want is
what the judge must print of it, summary included. CASE is judged as boot
"debug" if its name starts with "debug-", else "test", with the kernel
config "config-kunit" if its name starts with "kunit-", else "config", and
the host/expected of results-tests/expected. kunitpy-CASE.want is what the
judge must print of kunit.py run's JSON kunitpy-CASE.json (or of none);
lava-CASE.want what host/lava.py compare must print of lava-run's log
lava-CASE.yaml and the console lava-CASE.console; and LAVA's monitors
(host/lava.py) must find in each stored console the cases results.py
reads there. Then every line of
results-tests/splats (KIND LINE) must fail "kernel log is clean" when put
into pass.log, and no line of results-tests/not-splats may.

Prints "PASS judge/NAME" or "FAIL judge/NAME: why" per test, also into
--out; the exit status is 0 when it could run the tests at all.
  results_test.py --tree LINUX [--out FILE]   (LINUX: for kunit.py parse)
"""
import argparse
import difflib
import os
import subprocess
import sys
import tempfile

import console
import lava
import results

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, 'results-tests')


def judge(log, tree, boot='test', config='config', where=DATA):
    """What host/results.py prints of the console log LOG, a file in WHERE."""
    proc = subprocess.run([sys.executable, os.path.join(HERE, 'results.py'), '--tree', tree,
                           '--expected', os.path.join(DATA, 'expected'), '--guest', boot, log,
                           os.path.join(DATA, config)],
                          cwd=where, capture_output=True, text=True)
    return proc.stdout + proc.stderr


def differs(got, want):
    """The first line where GOT is not WANT, or ''."""
    for line in difflib.unified_diff(want.splitlines(), got.splitlines(), lineterm='', n=0):
        if line[:1] in '+-' and line[:3] not in ('+++', '---'):
            return line
    return ''


def with_summary(out):
    """OUT, the judge's lines, with its last line, the summary, made anew."""
    lines = out.splitlines()[:-1]
    n = [sum(l.startswith(s + ' ') for l in lines) for s in ('PASS', 'FAIL', 'SKIP')]
    return '\n'.join(lines + ['%d passed, %d failed, %d skipped' % tuple(n)]) + '\n'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tree', required=True, help='the kernel tree whose kunit.py parses')
    ap.add_argument('--out', help='also write the results here')
    args = ap.parse_args()
    tree = os.path.abspath(args.tree)
    if not os.path.isfile(os.path.join(tree, 'tools/testing/kunit/kunit.py')):
        sys.exit(f'results_test: no kunit.py in {tree}')
    lines = []

    def result(name, why):
        lines.append(f'FAIL judge/{name}: {why}' if why else f'PASS judge/{name}')
        print(lines[-1], flush=True)

    logs = {f[:-len('.log')] for f in os.listdir(DATA) if f.endswith('.log')}
    wants = {f[:-len('.want')] for f in os.listdir(DATA) if f.endswith('.want')
             and not f.startswith(('kunitpy-', 'lava-'))}
    for case in sorted(logs ^ wants):
        result(case, f'{case}.log and {case}.want go together; one is missing')
    tmp = tempfile.TemporaryDirectory()
    for case in sorted(logs & wants):
        with open(os.path.join(DATA, f'{case}.want')) as f:
            want = f.read()
        boot = 'debug' if case.startswith('debug-') else 'test'
        config = 'config-kunit' if case.startswith('kunit-') else 'config'
        result(case, differs(judge(f'{case}.log', tree, boot, config), want))

    # Programs of the judge run on stored input (in DATA): PREFIX-CASE.want
    # is what each must print. kunit.py run's JSON (host/kunit.sh):
    # kunitpy-CASE.json, or no such file. LAVA's results against
    # what results.py reads (host/lava.py compare): lava-run's log
    # lava-CASE.yaml and the console lava-CASE.console, stages zpci_setup
    # and tool.
    runs = {
        'kunitpy-': lambda case: ['results.py', '--expected', os.path.join(DATA, 'expected'),
                                  '--kunit-py', f'{case}.json'],
        'lava-': lambda case: ['lava.py', 'compare', '--stages', 'zpci_setup,tool',
                               '--log', f'{case}.yaml', '--console', f'{case}.console'],
    }
    for prefix, argv in runs.items():
        for want_file in sorted(f for f in os.listdir(DATA) if f.startswith(prefix)
                                and f.endswith('.want')):
            case = want_file[:-len('.want')]
            with open(os.path.join(DATA, want_file)) as f:
                want = f.read()
            program, *rest = argv(case)
            proc = subprocess.run([sys.executable, os.path.join(HERE, program)] + rest,
                                  cwd=DATA, capture_output=True, text=True)
            result(case, differs(proc.stdout + proc.stderr, want))

    # LAVA's monitors find in each stored console what results.py reads there.
    consoles = [f'{case}.log' for case in logs] + [f for f in os.listdir(DATA)
                                                  if f.endswith('.console')]
    for name in sorted(consoles):
        case, path = name.rsplit('.', 1)[0], os.path.join(DATA, name)
        with open(path, errors='replace') as f:
            text = f.read()
        why = ''
        for stage in console.stages(console.read(path)):
            want = results.cases(stage)
            # as the console comes to LAVA: "\r\r\n" through QEMU's terminal
            for ends in ('\n', '\r\r\n'):
                got, _ = lava.replay(text.replace('\n', ends), stage.name)
                if got != want:
                    why = (f'{stage.name}: a monitor records {got[:3]}..., results.py '
                           f'{want[:3]}... (lines ending {ends!r})')
                    break
            if why:
                break
        result(f'lava-pattern/{case}', why)

    # Each splat kind fails the pass; none of the lookalikes does.
    with open(os.path.join(DATA, 'pass.log')) as f:
        passing = f.read()
    with open(os.path.join(DATA, 'pass.want')) as f:
        pass_want = f.read()
    anchor = '[    1.203456] Run /init as init process\n'
    if anchor not in passing:
        result('splats', f'pass.log has no line {anchor.strip()!r} to put them after')
        passing = ''
    for kind, path in (('splat', 'splats'), ('not-splat', 'not-splats')):
        with open(os.path.join(DATA, path)) as f:
            for entry in f:
                if not passing or not entry.strip() or entry.startswith('#'):
                    continue
                name, line = entry.rstrip('\n').split(' ', 1)
                with open(os.path.join(tmp.name, 'splat.log'), 'w') as log:
                    log.write(passing.replace(anchor, anchor + line + '\n'))
                got = judge('splat.log', tree, where=tmp.name)
                want = pass_want
                if kind == 'splat':
                    bare = line.split('] ', 1)[-1] if line.startswith('[') else line
                    want = with_summary(want.replace('PASS kernel log is clean',
                                                     f'FAIL kernel log is clean: {bare}'))
                result(f'{kind}/{name}', differs(got, want))
    tmp.cleanup()

    if args.out:
        with open(args.out, 'w') as f:
            f.write('\n'.join(lines) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
