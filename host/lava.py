#!/usr/bin/env python3
"""The guest suite as a LAVA job, for labs that boot kernels with LAVA.

  lava.py job --kernel URL --ramdisk URL --append CMDLINE --stages S,...
              [--worker-option OPT]...                  > job.yaml
  lava.py device --templates DIR --job job.yaml         > device.yaml
  lava.py compare --stages S,... --log LOG --results FILE

job: LAVA's qemu device type, arch s390x, the test kernel and initramfs as
its images, the test bed's QEMU arguments (host/topology.py qemu-args) and
one monitor per stage: LAVA records each top-level TAP result of the
stage's program, between guest/init's "### begin NAME" and "### end NAME"
markers (host/console.py), as a test case of its own. OPT: options only
this worker needs (host/lava.sh: the QMP socket for host/hotplug.py, a copy
of the console for host/results.py).

device: the device configuration as a LAVA server would render it for this
job: lava-server's qemu.jinja2 (DIR) under this worker's device dictionary
(no KVM, no network: the host's QEMU has neither), with the job's context.

compare: LAVA's recorded results (lava-run's log, LOG) against what
host/results.py says of the same boot (FILE): each case of each monitored
stage must have the same result in both, and the job must have passed.
Prints a PASS or FAIL line per stage, and for the job.
"""
import argparse
import re
import sys

import jinja2
import yaml

# What results.py takes for a top-level TAP result (RESULT there): "ok" or
# "not ok", its number, its name, a directive after "#". LAVA keeps a case's
# result from one named group, mapped by the monitor's fixupdict, so the
# group holds a distinct string for each: "not ok", "ok", and for a skipped
# case ("ok N NAME # SKIP ...") the "o" of its "ok" alone. A result is a line
# of its own at the start of a line (a nested guest's lines come prefixed),
# and only a whole line counts (the lookahead for its end: "\r\r\n" once
# QEMU's stdio, a terminal, has added its own "\r").
PATTERN = (r'\n(?P<result>not ok|ok(?![^#\r\n]*#[ \t]*SKIP)|o(?=k))k?[ \t]+\d+[ \t]*-?[ \t]*'
           r'(?P<test_case_id>[^#\r\n]*?)[ \t]*(?:#[^\r\n]*)?(?=\r*\n)')
FIXUP = {'not ok': 'fail', 'ok': 'pass', 'o': 'skip'}


def monitor_name(stage):
    """A stage as LAVA can name a test definition (no "/")."""
    return stage.replace('/', '.')


def job(args):
    stages = args.stages.split(',')
    monitors = [{
        'name': monitor_name(s),
        'start': rf'### begin {re.escape(s)}(?![\w./-])',
        'end': rf'### end {re.escape(s)} exit=\d+',
        'pattern': PATTERN,
        'fixupdict': FIXUP,
    } for s in stages]
    # Debian's qemu-system-data has the firmware the machine loads first
    options = ['-M s390-ccw-virtio', '-accel tcg', '-cpu qemu', '-smp 1', '-no-reboot',
               '-L /usr/share/qemu']
    with open(args.qemu_args) as f:
        words = f.read().split('\n')
    options += [f"{flag} '{value}'" for flag, value in zip(words[0::2], words[1::2])]
    return {
        'device_type': 'qemu',
        'job_name': 'zPCI function and group info through VFIO: the guest suite',
        'priority': 'medium',
        'visibility': 'public',
        'timeouts': {'job': {'minutes': 40}, 'action': {'minutes': 30},
                     # the longest quiet stretch of a stage's output
                     'connection': {'minutes': 10}},
        'context': {'arch': 's390x', 'memory': 2048,
                    'extra_options': options + args.worker_option},
        'actions': [
            {'deploy': {'to': 'tmpfs', 'timeout': {'minutes': 5}, 'images': {
                'kernel': {'url': args.kernel,
                           'image_arg': f'-kernel {{kernel}} -append "{args.append}"'},
                'ramdisk': {'url': args.ramdisk, 'image_arg': '-initrd {ramdisk}'}}}},
            {'boot': {'method': 'qemu', 'media': 'tmpfs', 'timeout': {'minutes': 5}}},
            {'test': {'timeout': {'minutes': 30}, 'monitors': monitors}},
        ],
    }


def device(args):
    with open(args.job) as f:
        context = yaml.safe_load(f)['context']
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(args.templates),
                             trim_blocks=True, autoescape=False)
    # This worker's device dictionary: TCG, and no network device backend
    # (the host's QEMU is built without one; the guest needs none).
    dictionary = ("{% extends 'qemu.jinja2' %}\n"
                  "{% set no_kvm = True %}\n"
                  "{% set netdevice = 'none' %}\n")
    return env.from_string(dictionary).render(**context)


def compare(args):
    stage_of = {monitor_name(s): s for s in args.stages.split(',')}
    lava, job_result = {}, None
    with open(args.log) as f:  # lava-run's log: a YAML mapping per line
        for line in f:
            if '"lvl": "results"' not in line:
                continue
            msg = yaml.safe_load(line).get('msg')
            if msg.get('definition') == 'lava' and msg.get('case') == 'job':
                job_result = msg.get('result')
            name = msg.get('definition')
            if name in stage_of:
                lava.setdefault(stage_of[name], []).append(
                    (msg.get('extra', {}).get('test_case_id'), msg.get('result')))
    ours = {stage: [] for stage in stage_of.values()}
    with open(args.results) as f:
        for line in f:
            m = re.match(r'^(PASS|FAIL|SKIP) (?:\w+:)?(\S+?)(?:: (.*))?$', line.rstrip())
            if not m:
                continue
            status, name, why = m.group(1), m.group(2), m.group(3) or ''
            stage = next((s for s in ours if name.startswith(f'{s}/')), None)
            if stage is None:
                continue
            # results.py fails a skip that host/expected does not allow: a
            # skip all the same, as TAP and LAVA see it
            if status == 'FAIL' and why.startswith('skipped, '):
                status = 'SKIP'
            ours[stage].append((name[len(stage) + 1:], status.lower()))
    out = []
    for stage, want in ours.items():
        got = lava.get(stage, [])
        if got == want:
            out.append(f'PASS lava/{stage}: LAVA recorded the same {len(got)} results')
            continue
        diff = [f'{c} {r} in LAVA, {dict(want).get(c, "none")} here' for c, r in got
                if (c, r) not in want]
        diff += [f'{c} {r} here, none in LAVA' for c, r in want if c not in dict(got)]
        out.append(f'FAIL lava/{stage}: LAVA recorded {len(got)} results, results.py '
                   f'{len(want)}: ' + '; '.join(diff[:5] or ['another order']))
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
    j.add_argument('--qemu-args', required=True,
                   help='a file of host/topology.py qemu-args')
    j.add_argument('--worker-option', action='append', default=[])
    d = sub.add_parser('device')
    d.add_argument('--templates', required=True)
    d.add_argument('--job', required=True)
    c = sub.add_parser('compare')
    c.add_argument('--stages', required=True)
    c.add_argument('--log', required=True, help="what lava-run printed")
    c.add_argument('--results', required=True)
    args = ap.parse_args()
    if args.what == 'job':
        yaml.safe_dump(job(args), sys.stdout, sort_keys=False, width=1000)
    elif args.what == 'device':
        sys.stdout.write(device(args))
    else:
        compare(args)
    return 0


if __name__ == '__main__':
    sys.exit(main())
