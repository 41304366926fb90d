#!/usr/bin/env python3
"""The zPCI test bed of config/topology, for QEMU and for the guest.

    topology.py [--file F] qemu-args    QEMU's -device arguments, one per line
    topology.py [--file F] cmdline      the guest's kernel command line part

As a module (host/hotplug.py): load(), Function.qemu_props(), device ids.

The guest gets the test bed only through its command line, one parameter a
function, group or nested function, each a record of FIELD=VALUE pairs:

    vfiotest.fn=ROLE:uid=0x1234,fid=0x42,pfgid=0x12,...
    vfiotest.group=pfgid=0x12,refresh=0x0,...
    vfiotest.nested=uid=0x4321,fid=0x21,host=0x1234

Numbers are lowercase hexadecimal; pfip is its 4 bytes and util_str its
EBCDIC bytes (code page 037), both as hex digits, util_str without its
trailing zero bytes. A function without rid or util_str has none.
"""
import argparse
import os
import shlex
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT = os.path.join(TOP, 'config', 'topology')
ROLES = ('container', 'outside', 'unbound')

# Field: the QEMU zpci property that sets it (host/qemu-host/), its kind.
FN_FIELDS = {
    'pfgid': ('pfgid', int), 'pchid': ('pchid', int), 'vfn': ('vfn', int),
    'pft': ('pft', int), 'port': ('port', int), 'pfip': ('pfip', 'bytes4'),
    'fmb_length': ('fmbl', 'words'), 'start_dma': ('sdma', int), 'end_dma': ('edma', int),
    'rid': ('rid', int), 'physfn': ('physfn', bool), 'util_str': ('util-str', str),
}
FN_OPTIONAL = ('rid', 'util_str')
GROUP_FIELDS = {
    'refresh': ('refresh', bool), 'maxstbl': ('maxstbl', int), 'noi': ('noi', int),
    'mui': ('mui', int), 'msi_addr': ('msia', int), 'dasm': ('dasm', int),
    'version': ('version', int), 'dtsm': ('dtsm', int),
}
# Fields whose values may repeat: flags, and the group a function is in.
REPEATABLE = ('physfn', 'refresh', 'pfgid')


class TopologyError(Exception):
    pass


class Function:
    def __init__(self, index, role, uid, fid, fields):
        self.index, self.role, self.uid, self.fid, self.fields = index, role, uid, fid, fields

    # The QEMU ids of the function's two devices: the zPCI function and the
    # virtio-rng PCI device it is the target of.
    @property
    def device_id(self):
        return f'rng{self.index}'

    @property
    def zpci_id(self):
        return f'zrng{self.index}'

    def qemu_props(self, group):
        """The zpci device's properties (as QMP's device_add takes them)."""
        props = {'uid': self.uid, 'fid': self.fid, 'target': self.device_id}
        for name, value in list(self.fields.items()) + list(group.fields.items()):
            prop, kind = {**FN_FIELDS, **GROUP_FIELDS}[name]
            if kind == 'bytes4':
                value = int.from_bytes(value, 'big')
            elif kind == 'words':   # CLP counts 4-byte words
                value //= 4
            props[prop] = value
        return props

    # Its device: a modern virtio-rng device behind the IOMMU, so that a
    # nested guest's DMA is translated.
    DEVICE = 'virtio-rng-pci'
    DEVICE_PROPS = {'disable-legacy': 'on', 'iommu_platform': True}

    def record(self):
        return record({'uid': self.uid, 'fid': self.fid, **self.fields})


class Group:
    def __init__(self, pfgid, fields):
        self.pfgid, self.fields = pfgid, fields

    def record(self):
        return record({'pfgid': self.pfgid, **self.fields})


def record(fields):
    """FIELD=VALUE,... as the guest reads it (see the module's doc)."""
    out = []
    for name, value in fields.items():
        if name == 'util_str':
            value = value.encode('cp037').hex()
        elif isinstance(value, bytes):
            value = value.hex()
        else:
            value = hex(int(value))
        out.append(f'{name}={value}')
    return ','.join(out)


def parse_value(name, text, kinds):
    kind = kinds[name][1]
    try:
        if kind is int:
            return int(text, 16)
        if kind == 'words':
            value = int(text, 16)
            if value % 4 or value > 4 * 0xff:
                raise ValueError
            return value
        if kind is bool:
            if text not in ('0', '1'):
                raise ValueError
            return text == '1'
        if kind == 'bytes4':
            value = bytes.fromhex(text)
            if len(value) != 4:
                raise ValueError
            return value
        if not text or len(text) > 64 or \
           not all(c.isascii() and (c.isupper() or c.isdigit() or c == ' ') for c in text):
            raise ValueError
        return text
    except ValueError:
        raise TopologyError(f'{name}={text}: not a valid value') from None


def parse_fields(words, kinds, optional=()):
    fields = {}
    for word in words:
        name, _, text = word.partition('=')
        if name not in kinds or name in fields:
            raise TopologyError(f'{word}: unknown or repeated field')
        fields[name] = parse_value(name, text, kinds)
    missing = set(kinds) - set(fields) - set(optional)
    if missing:
        raise TopologyError(f'missing {", ".join(sorted(missing))}')
    return {name: fields[name] for name in kinds if name in fields}


def check_distinct(label, items, key):
    """Within each item, and between items for each field: no value twice."""
    for item in items:
        seen = {}
        for name, value in item.fields.items():
            if name in REPEATABLE:
                continue
            if value in seen:
                raise TopologyError(f'{label} {key(item)}: {name} and {seen[value]} are both '
                                    f'{value!r}, a swap of the two would go unseen')
            seen[value] = name
    for a in items:
        for b in items:
            if a is b:
                continue
            for name, value in a.fields.items():
                if name not in REPEATABLE and b.fields.get(name) == value:
                    raise TopologyError(f'{label}s {key(a)} and {key(b)} have the same {name}')


class Topology:
    def __init__(self, path):
        self.path, self.functions, self.groups, self.nested = path, [], {}, []
        with open(path) as f:
            for n, line in enumerate(f, 1):
                try:
                    self._line(shlex.split(line, comments=True))
                except (TopologyError, ValueError) as e:
                    raise TopologyError(f'{path}:{n}: {e}') from None
        for fn in self.functions:
            if fn.fields['pfgid'] not in self.groups:
                raise TopologyError(f'{path}: function {fn.uid:#x} is in group '
                                    f'{fn.fields["pfgid"]:#x}, which is not defined')
        for uid, fid, host in self.nested:
            if not any(fn.uid == host and fn.role == 'container' for fn in self.functions):
                raise TopologyError(f'{path}: nested {uid:#x} names {host:#x}, '
                                    'not a function of the container')
        check_distinct('function', self.functions, lambda fn: hex(fn.uid))
        check_distinct('group', list(self.groups.values()), lambda g: hex(g.pfgid))

    def _line(self, words):
        if not words:
            return
        if words[0] == 'group' and len(words) >= 2:
            pfgid = int(words[1], 16)
            if pfgid in self.groups:
                raise TopologyError(f'group {pfgid:#x} defined twice')
            self.groups[pfgid] = Group(pfgid, parse_fields(words[2:], GROUP_FIELDS))
        elif words[0] == 'function' and len(words) >= 4 and words[1] in ROLES:
            uid, fid = int(words[2], 16), int(words[3], 16)
            if any(fn.uid == uid or fn.fid == fid for fn in self.functions):
                raise TopologyError(f'uid {uid:#x} or fid {fid:#x} used twice')
            self.functions.append(Function(len(self.functions), words[1], uid, fid,
                                           parse_fields(words[4:], FN_FIELDS, FN_OPTIONAL)))
        elif words[0] == 'nested' and len(words) == 4:
            self.nested.append(tuple(int(w, 16) for w in words[1:]))
        else:
            raise TopologyError(f'not "group PFGID ...", "function ROLE UID FID ...", '
                                f'nor "nested UID FID HOST_UID": {" ".join(words)}')

    def by_uid(self, uid):
        return next((fn for fn in self.functions if fn.uid == uid), None)

    def qemu_args(self):
        """The -device arguments: each function a zPCI function and the
        device it is the target of."""
        args = []
        for fn in self.functions:
            props = {**fn.qemu_props(self.groups[fn.fields['pfgid']]), 'id': fn.zpci_id}
            args += ['-device', 'zpci,' + options(props),
                     '-device', f'{fn.DEVICE},' + options({'id': fn.device_id,
                                                           **fn.DEVICE_PROPS})]
        return args

    def cmdline(self):
        out = [f'vfiotest.fn={fn.role}:{fn.record()}' for fn in self.functions]
        out += [f'vfiotest.group={g.record()}' for g in self.groups.values()]
        out += [f'vfiotest.nested=uid={u:#x},fid={f:#x},host={h:#x}' for u, f, h in self.nested]
        return ' '.join(out)


def options(props):
    """QEMU's -device option string of props."""
    def value(v):
        if isinstance(v, bool):
            return 'on' if v else 'off'
        if isinstance(v, int):
            return hex(v)
        return v.replace(',', ',,')
    return ','.join(f'{k}={value(v)}' for k, v in props.items())


def load(path=None):
    return Topology(path or os.environ.get('TOPOLOGY') or DEFAULT)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--file', help=f'the topology (default {DEFAULT})')
    ap.add_argument('what', choices=('qemu-args', 'cmdline'))
    args = ap.parse_args()
    try:
        topology = load(args.file)
    except (OSError, TopologyError) as e:
        sys.exit(f'topology: {e}')
    if args.what == 'qemu-args':
        print('\n'.join(topology.qemu_args()))
    else:
        print(topology.cmdline())


if __name__ == '__main__':
    main()
