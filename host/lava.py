#!/usr/bin/env python3
"""The guest suite as a LAVA job, for labs that boot kernels with LAVA.

  lava.py job --kernel URL --ramdisk URL --append CMDLINE --stages S,...
              --memory MIB [--qemu-arg WORD]...         > job.yaml
  lava.py device --templates DIR --job job.yaml         > device.yaml
  lava.py compare --stages S,... --log LOG --console CONSOLE

job: LAVA's qemu device type, arch s390x, TCG, no network, the test kernel
and initramfs as its images, QEMU's arguments (WORDs, each one word of its
command line: the test bed's, host/topology.py qemu-args, and the
machine's) and one monitor per stage: LAVA records each top-level TAP
result of the stage's program, between guest/init's "### begin NAME" and
"### end NAME" markers (host/console.py), as a test case of its own.

device: the device configuration as a LAVA server would render it for this
job: lava-server's qemu.jinja2 (DIR) under a plain device dictionary, with
the job's context.

compare: LAVA's record (lava-run's log, LOG) against what host/results.py
reads in the console of the same boot (CONSOLE): each monitored stage must
have ended in LAVA's eyes, with the same cases and results in the same
order as host/results.py's; LAVA must have seen the guest get to its end,
and the job must have passed. Prints a PASS or FAIL line per stage, for
the guest's end, and for the job.
"""
import argparse
import re
import shlex
import sys

import jinja2
import yaml

import console
import results

# What results.py takes for a top-level TAP result (RESULT there): "ok" or
# "not ok", its number, its name, a directive after "#". LAVA keeps a case's
# result from one named group, mapped by the monitor's fixupdict, so the
# group holds a distinct string for each: "not ok", "ok", and for a skipped
# case ("ok N NAME # SKIP ...", in any case) the "o" of its "ok" alone. A
# result is a line of its own at the start of a line (a nested guest's lines
# come prefixed), and only a whole line counts (the lookahead for its end:
# "\r\r\n" once QEMU's stdio, a terminal, has added its own "\r").
PATTERN = (r'\n(?P<result>not ok|ok(?![^#\r\n]*#[ \t]*(?i:skip))|o(?=k))k?[ \t]+\d+[ \t]*-?[ \t]*'
           r'(?P<test_case_id>[^#\r\n]*?)[ \t]*(?:#[^\r\n]*)?(?=\r*\n)')
FIXUP = {'not ok': 'fail', 'ok': 'pass', 'o': 'skip'}


def monitor_name(stage):
    """A stage as LAVA can name a test definition (lower case, no "/")."""
    return stage.replace('/', '.').replace('@', '.').lower()


def start(stage):
    """Its begin marker; the lookahead wants the character after the name
    (pexpect searches what has arrived so far: "### begin vfio_iommu_info"
    could be the first part of "### begin vfio_iommu_info_json"). It stays
    as the stored lava-run logs of host/results-tests/ recorded it, without
    "@": no NAME@ARG stage runs in the lava boot (host/expected)."""
    return rf'\n### begin {re.escape(stage)}(?=[^\w./-])'


def end(stage):
    """Its end marker, or (matching nothing, so that the next monitor finds
    it) the next stage's begin or the guest's end: a stage cut off."""
    return rf'\n### end {re.escape(stage)} exit=\d+|(?=\n### (?:begin |guest done))'


def replay(text, stage):
    """What a monitor of STAGE records of the console TEXT, as LAVA's pexpect
    finds it (the earliest match of its end or its result pattern, the end
    first on a tie): [(case, result), ...], and whether it saw the end."""
    m = re.compile(start(stage), re.DOTALL).search(text)
    if not m:
        return [], False
    at, found = m.end(), []
    end_re, result_re = re.compile(end(stage), re.DOTALL), re.compile(PATTERN, re.DOTALL)
    while True:
        e, r = end_re.search(text, at), result_re.search(text, at)
        if not r or (e and e.start() <= r.start()):
            return found, e is not None
        found.append((r['test_case_id'].strip(), FIXUP[r['result']]))
        at = r.end()


class NoAliases(yaml.SafeDumper):
    def ignore_aliases(self, data):
        return True


# The last monitor records nothing: that LAVA saw guest/init get to its end.
DONE = {'name': 'guest-done', 'start': r'\n### guest done', 'end': r'(?=\r*\n)',
        'pattern': r'(?!)'}


def job(args):
    monitors = [{'name': monitor_name(s), 'start': start(s), 'end': end(s),
                 'pattern': PATTERN, 'fixupdict': FIXUP} for s in args.stages.split(',')]
    monitors.append(DONE)
    return {
        'device_type': 'qemu',
        'job_name': 'zPCI function and group info through VFIO: the guest suite',
        'priority': 'medium',
        'visibility': 'public',
        # The job takes well under a minute on TCG; room for a slow worker.
        'timeouts': {'job': {'minutes': 15}, 'action': {'minutes': 10},
                     'connection': {'minutes': 5}},
        # No KVM (an s390x guest on another host), and no network: the
        # host's QEMU is built without a backend, and the guest needs none.
        'context': {'arch': 's390x', 'no_kvm': True, 'netdevice': 'none',
                    'memory': args.memory,
                    'extra_options': [shlex.quote(w) for w in args.qemu_arg]},
        'actions': [
            {'deploy': {'to': 'tmpfs', 'timeout': {'minutes': 5}, 'images': {
                'kernel': {'url': args.kernel,
                           'image_arg': f'-kernel {{kernel}} -append {shlex.quote(args.append)}'},
                'ramdisk': {'url': args.ramdisk, 'image_arg': '-initrd {ramdisk}'}}}},
            {'boot': {'method': 'qemu', 'media': 'tmpfs', 'timeout': {'minutes': 5}}},
            {'test': {'timeout': {'minutes': 10}, 'monitors': monitors}},
        ],
    }


def device(args):
    with open(args.job) as f:
        context = yaml.safe_load(f)['context']
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(args.templates),
                             trim_blocks=True, autoescape=False)
    return env.from_string("{% extends 'qemu.jinja2' %}\n").render(**context)


def lava_record(log, stage_of):
    """From lava-run's log (a YAML mapping per line): each stage's cases
    [(case, result)], the stages whose monitor saw the end, the job's result."""
    cases, ended, job_result, current = {}, set(), None, None
    starts = {start(s): s for s in stage_of.values()}
    starts[DONE['start']] = DONE['name']
    with open(log) as f:
        for line in f:
            if '"lvl": "results"' not in line and '"lvl": "info"' not in line:
                continue
            entry = yaml.safe_load(line)
            msg = entry.get('msg')
            if entry.get('lvl') == 'info' and isinstance(msg, str):
                if msg.startswith('Waiting for start message: '):
                    current = starts.get(msg[len('Waiting for start message: '):])
                elif msg.startswith('ok: end string found') and current:
                    ended.add(current)
            elif isinstance(msg, dict):
                if msg.get('definition') == 'lava' and msg.get('case') == 'job':
                    job_result = msg.get('result')
                stage = stage_of.get(msg.get('definition'))
                if stage:
                    cases.setdefault(stage, []).append(
                        (msg.get('extra', {}).get('test_case_id'), msg.get('result')))
    return cases, ended, job_result


def compare(args):
    stage_of = {monitor_name(s): s for s in args.stages.split(',')}
    lava, ended, job_result = lava_record(args.log, stage_of)
    ours = {s: [] for s in stage_of.values()}
    for stage in console.stages(console.read(args.console)):
        if stage.name in ours:
            ours[stage.name] = results.cases(stage)
    out = []
    for stage, want in ours.items():
        got = lava.get(stage, [])
        if stage not in ended:
            out.append(f'FAIL lava/{stage}: LAVA did not see the stage end (its monitor '
                       'timed out or never started)')
        elif got == want:
            out.append(f'PASS lava/{stage}: LAVA recorded the same {len(got)} results')
        else:
            diff = [f'{c} {r} in LAVA, {dict(want).get(c, "none")} here' for c, r in got
                    if (c, r) not in want]
            diff += [f'{c} {r} here, none in LAVA' for c, r in want if c not in dict(got)]
            out.append(f'FAIL lava/{stage}: LAVA recorded {len(got)} results, results.py '
                       f'{len(want)}: ' + '; '.join(diff[:5] or ['another order']))
    out.append('PASS lava/guest-done: LAVA saw the guest get to its end'
               if DONE['name'] in ended else
               'FAIL lava/guest-done: LAVA did not see the guest get to its end')
    out.append('PASS lava/job' if job_result == 'pass' else
               f'FAIL lava/job: LAVA\'s job result is {job_result or "missing"}')
    print('\n'.join(out))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest='what', required=True)
    j = sub.add_parser('job')
    j.add_argument('--kernel', required=True)
    j.add_argument('--ramdisk', required=True)
    j.add_argument('--append', required=True)
    j.add_argument('--stages', required=True)
    j.add_argument('--memory', type=int, required=True, help='MiB')
    j.add_argument('--qemu-arg', action='append', default=[])
    d = sub.add_parser('device')
    d.add_argument('--templates', required=True)
    d.add_argument('--job', required=True)
    c = sub.add_parser('compare')
    c.add_argument('--stages', required=True)
    c.add_argument('--log', required=True, help='what lava-run printed')
    c.add_argument('--console', required=True, help='the console of the boot')
    args = ap.parse_args()
    if args.what == 'job':
        yaml.dump(job(args), sys.stdout, Dumper=NoAliases, sort_keys=False, width=1000)
    elif args.what == 'device':
        sys.stdout.write(device(args))
    else:
        compare(args)
    return 0


if __name__ == '__main__':
    sys.exit(main())
