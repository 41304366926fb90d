#!/usr/bin/env python3
"""The zPCI test bed of config/topology, for QEMU and for the guest, and
the fields it sets, of config/fields.

    topology.py [--file F] qemu-args    QEMU's -device arguments, one per line
    topology.py [--file F] cmdline      the guest's kernel command line part
    topology.py guest-fields DIR        what the guest's tests need of
                                        config/fields: fields.h, fields.sh,
                                        fields.jq (host/initramfs.sh)

As a module (host/hotplug.py): load(), Function.qemu_props(), device ids.

The guest gets the test bed only through its command line, one parameter a
function, group, nested function or the replugged function's other values,
each a record of FIELD=VALUE pairs:

    vfiotest.fn=ROLE:uid=0x1234,fid=0x42,pfgid=0x12,...
    vfiotest.group=pfgid=0x12,platform_refresh=0x0,...
    vfiotest.nested=uid=0x4321,fid=0x21,host=0x1234
    vfiotest.replug=uid=0x2468,fid=0x47,pfgid=0x34,...

Fields in config/fields' order. Numbers are lowercase hexadecimal; bytes
(pfip) and strings (util_str, as EBCDIC, code page 037) are hex digits, a
string without its trailing zero bytes. A field that has a flag that says
it is valid is left out where the topology leaves it out.
"""
import argparse
import os
import shlex
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT = os.path.join(TOP, 'config', 'topology')
FIELDS = os.path.join(TOP, 'config', 'fields')
ROLES = ('container', 'outside', 'unbound')
KINDS = ('int', 'words', 'bytes', 'str', 'flag')
# What config/fields' columns A and B can say other than a value.
KINDS_OF_VALUE = ('given', 'mem', 'none', 'host', 'sim', 'intercept')
# What a topology line gives in its words, not as FIELD=VALUE.
KEYS = {'fn': ('uid', 'fid'), 'group': ('pfgid',)}


class TopologyError(Exception):
    pass


class Field:
    """A line of config/fields (its columns are described there)."""
    COLUMNS = ('scope', 'name', 'kind', 'bits', 'qemu', 'sysfs', 'flag', 'a', 'b')

    def __init__(self, words):
        for column, word in zip(self.COLUMNS, words):
            setattr(self, column, None if word == '-' else word)
        self.bits = int(self.bits or '')
        self.flag = None if self.flag is None else int(self.flag)
        if (self.kind == 'flag') != (self.bits == 1) or \
           (self.kind == 'flag' and self.flag is None) or not self.a or not self.b:
            raise ValueError
        for value in (self.a, self.b):  # a value, written as a guest record has it
            if value not in KINDS_OF_VALUE:
                width = len(bytes.fromhex(value)) * 8 if self.is_bytes else \
                    int(value, 16).bit_length()
                if width > self.bits + (2 if self.kind == 'words' else 0):
                    raise ValueError

    @property
    def optional(self):
        """Absent unless its flag says it is valid."""
        return self.flag is not None and self.kind != 'flag'

    @property
    def is_bytes(self):
        return self.kind in ('bytes', 'str')


def load_fields(path=FIELDS):
    """config/fields as {'fn': {name: Field}, 'group': {name: Field}}."""
    fields = {'fn': {}, 'group': {}}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            words = line.split('#', 1)[0].split()
            if not words:
                continue
            try:
                if len(words) != len(Field.COLUMNS) or words[0] not in fields or \
                   words[2] not in KINDS or words[1] in fields[words[0]]:
                    raise ValueError
                field = Field(words)
            except ValueError:
                raise TopologyError(f'{path}:{n}: not a field of the form the file '
                                    'describes (nine columns, values that fit BITS, '
                                    'a flag with its FLAG bit, no name twice)') from None
            fields[field.scope][field.name] = field
    return fields


try:
    FIELD_TABLE = load_fields()
except (OSError, TopologyError) as e:
    sys.exit(f'topology: {e}')
# The fields a topology line sets as FIELD=VALUE, and those that may be left out.
FN_SETTABLE = {k: f for k, f in FIELD_TABLE['fn'].items() if k not in KEYS['fn']}
GROUP_SETTABLE = {k: f for k, f in FIELD_TABLE['group'].items() if k not in KEYS['group']}
# Fields whose values may repeat: flags, and the group a function is in.
REPEATABLE = tuple(k for f in FIELD_TABLE.values() for k, v in f.items()
                   if v.kind == 'flag') + ('pfgid',)


class Function:
    def __init__(self, index, role, uid, fid, fields):
        self.index, self.role, self.uid, self.fid, self.fields = index, role, uid, fid, fields
        self.replug = None  # its fields when plugged back with other values

    # The QEMU ids of the function's two devices: the zPCI function and the
    # virtio-rng PCI device it is the target of.
    @property
    def device_id(self):
        return f'rng{self.index}'

    @property
    def zpci_id(self):
        return f'zrng{self.index}'

    def qemu_props(self, group, replug=False):
        """The zpci device's properties (as QMP's device_add takes them),
        with the replug line's values if replug."""
        values = {'uid': self.uid, 'fid': self.fid,
                  **(self.replug if replug else self.fields)}
        props = {'target': self.device_id}
        for scope, fields in (('fn', values), ('group', group.fields)):
            for name, field in FIELD_TABLE[scope].items():
                if field.qemu and name in fields:
                    props[field.qemu] = qemu_value(field, fields[name])
        return props

    # Its device: a modern virtio-rng device behind the IOMMU, so that a
    # nested guest's DMA is translated.
    DEVICE = 'virtio-rng-pci'
    DEVICE_PROPS = {'disable-legacy': 'on', 'iommu_platform': True}

    def record(self, replug=False):
        return record('fn', {'uid': self.uid, 'fid': self.fid,
                             **(self.replug if replug else self.fields)})


class Group:
    def __init__(self, pfgid, fields):
        self.pfgid, self.fields = pfgid, fields

    def record(self):
        return record('group', {'pfgid': self.pfgid, **self.fields})


def qemu_value(field, value):
    if field.kind == 'bytes':
        return int.from_bytes(value, 'big')
    if field.kind == 'words':   # CLP counts 4-byte words
        return value // 4
    return value


def record(scope, fields):
    """FIELD=VALUE,... as the guest reads it (see the module's doc), in
    config/fields' order."""
    out = []
    for name, field in FIELD_TABLE[scope].items():
        if name not in fields:
            continue
        value = fields[name]
        if field.kind == 'str':
            value = value.encode('cp037').hex()
        elif field.kind == 'bytes':
            value = value.hex()
        else:
            value = hex(int(value))
        out.append(f'{name}={value}')
    return ','.join(out)


def parse_value(field, text):
    """A topology's VALUE of field, checked against its kind and width."""
    try:
        if field.kind in ('int', 'words'):
            value = int(text, 16)
            if field.kind == 'words' and value % 4:
                raise ValueError
            if value >> field.bits + (2 if field.kind == 'words' else 0):
                raise ValueError
            return value
        if field.kind == 'flag':
            if text not in ('0', '1'):
                raise ValueError
            return text == '1'
        if field.kind == 'bytes':
            value = bytes.fromhex(text)
            if len(value) * 8 != field.bits:
                raise ValueError
            return value
        if not text or len(text) * 8 > field.bits or \
           not all(c.isascii() and (c.isupper() or c.isdigit() or c == ' ') for c in text):
            raise ValueError
        return text
    except ValueError:
        width = f'{field.bits // 8} bytes' if field.is_bytes else f'{field.bits} bits'
        raise TopologyError(f'{field.name}={text}: not a valid value ({field.kind} of '
                            f'{width}, config/fields)') from None


def parse_fields(words, fields):
    values = {}
    for word in words:
        name, _, text = word.partition('=')
        if name not in fields or name in values:
            raise TopologyError(f'{word}: unknown or repeated field')
        values[name] = parse_value(fields[name], text)
    missing = {name for name, f in fields.items() if not f.optional} - set(values)
    if missing:
        raise TopologyError(f'missing {", ".join(sorted(missing))}')
    return {name: values[name] for name in fields if name in values}


def check_rid(fields):
    """A RID's devfn byte is 0, so that the function stays at devfn 0."""
    if fields.get('rid', 0) & 0xff:
        raise TopologyError(f'rid={fields["rid"]:#x}: its devfn byte is not 0')


def check_distinct(label, items, key):
    """Within each item, and between items for each field: no value twice."""
    for item in items:
        seen = {}
        keys = {'uid': item.uid, 'fid': item.fid} if isinstance(item, Function) else {}
        for name, value in {**keys, **item.fields}.items():
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
        self.replugged = None
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
        if not self.replugged:
            raise TopologyError(f'{path}: no "replug UID ..." line (the hotplug stage needs one)')
        # Replugged, the function's values are distinct as any function's
        fn = self.replugged
        replugged = Function(fn.index, fn.role, fn.uid, fn.fid, fn.replug)
        check_distinct('function', [f for f in self.functions if f is not fn] + [replugged],
                       lambda f: hex(f.uid) + (' (replugged)' if f is replugged else ''))
        check_distinct('group', list(self.groups.values()), lambda g: hex(g.pfgid))

    def _line(self, words):
        if not words:
            return
        if words[0] == 'group' and len(words) >= 2:
            pfgid = parse_value(FIELD_TABLE['group']['pfgid'], words[1])
            if pfgid in self.groups:
                raise TopologyError(f'group {pfgid:#x} defined twice')
            self.groups[pfgid] = Group(pfgid, parse_fields(words[2:], GROUP_SETTABLE))
        elif words[0] == 'function' and len(words) >= 4 and words[1] in ROLES:
            uid, fid = (parse_value(FIELD_TABLE['fn'][k], w) for k, w in zip(KEYS['fn'], words[2:]))
            if any(fn.uid == uid or fn.fid == fid for fn in self.functions):
                raise TopologyError(f'uid {uid:#x} or fid {fid:#x} used twice')
            fields = parse_fields(words[4:], FN_SETTABLE)
            check_rid(fields)
            self.functions.append(Function(len(self.functions), words[1], uid, fid, fields))
        elif words[0] == 'nested' and len(words) == 4:
            self.nested.append(tuple(parse_value(FIELD_TABLE['fn'][k], w)
                                     for k, w in zip(('uid', 'fid', 'uid'), words[1:])))
        elif words[0] == 'replug' and len(words) >= 3:
            if self.replugged:
                raise TopologyError('a second replug line')
            self._replug(words)
        else:
            raise TopologyError(f'not "group PFGID ...", "function ROLE UID FID ...", '
                                f'"nested UID FID HOST_UID" nor one "replug UID ...": '
                                f'{" ".join(words)}')

    def _replug(self, words):
        """replug UID FIELD=VALUE...: a container function's other values,
        one for every field it has but pfgid (its group stays)."""
        fn = self.by_uid(parse_value(FIELD_TABLE['fn']['uid'], words[1]))
        if fn is None or fn.role != 'container':
            raise TopologyError(f'replug {words[1]}: not a function of the container above')
        settable = {k: f for k, f in FN_SETTABLE.items() if k != 'pfgid'}
        changed = parse_fields(words[2:], settable)
        missing = [k for k in fn.fields if k in settable and k not in changed]
        if missing:
            raise TopologyError(f'replug {words[1]}: no new {", ".join(missing)}: '
                                'a stale value would go unseen')
        # Not its old value, nor (flags aside) the old one of another field
        old = {v: k for k, v in fn.fields.items() if k not in REPEATABLE}
        for name, value in changed.items():
            if fn.fields.get(name) == value or (name not in REPEATABLE and value in old):
                raise TopologyError(f'replug {words[1]}: {name} is its old '
                                    f'{old.get(value, name)}, a stale or swapped value '
                                    'would go unseen')
        check_rid(changed)
        fn.replug = {k: changed.get(k, fn.fields[k]) for k in FN_SETTABLE
                     if k in changed or k == 'pfgid'}
        self.replugged = fn

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
        out.append(f'vfiotest.replug={self.replugged.record(replug=True)}')
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


# What the guest's tests need of config/fields, generated when the
# initramfs is built (host/initramfs.sh): "topology.py guest-fields DIR".
GENERATED = 'generated from config/fields by host/topology.py: do not edit'
STRUCTS = {'fn': 'vfio_iommu_type1_info_cap_zpci_fn',
           'group': 'vfio_iommu_type1_info_cap_zpci_group'}


def guest_c():
    """fields.h, for guest/record.h: print_fn_record(), print_group_record()."""
    out = [f'/* {GENERATED} */', '#ifndef GUEST_FIELDS_H', '#define GUEST_FIELDS_H', '']
    for scope, fields in FIELD_TABLE.items():
        for f in fields.values():
            if f.flag is not None:
                out.append(f'_Static_assert(VFIO_IOMMU_ZPCI_{scope.upper()}_FLAG_'
                           f'{f.name.upper()} == 1 << {f.flag}, "config/fields: {f.name}");')
    for scope, fields in FIELD_TABLE.items():
        out += ['', f'static inline void print_{scope}_record(FILE *f, '
                f'const struct {STRUCTS[scope]} *c)', '{']
        for n, f in enumerate(fields.values()):
            name = f'"{"," if n else ""}{f.name}="'
            if f.kind == 'flag':
                out.append(f'\tfprintf(f, {name[:-1]}0x%x", !!(c->flags & 1 << {f.flag}));')
                continue
            body = [f'fprintf(f, {name[:-1]}0x%llx", (unsigned long long)c->{f.name});']
            if f.is_bytes:
                body = [f'fputs({name}, f);', f'print_hex_bytes(f, c->{f.name}, '
                        f'sizeof(c->{f.name}), {int(f.kind == "str")});']
            if f.optional:
                out.append(f'\tif (c->flags & 1 << {f.flag}) {{')
                out += ['\t\t' + line for line in body] + ['\t}']
            else:
                out += ['\t' + line for line in body]
        out.append('}')
    return '\n'.join(out + ['', '#endif', ''])


def guest_sh():
    """fields.sh, for guest/vfiotest.sh and the stages: lists of names."""
    def words(names):
        return "'" + ' '.join(names) + "'"
    out = [f'# {GENERATED}']
    for scope, fields in FIELD_TABLE.items():
        s = scope.upper()
        out.append(f'{s}_FIELDS={words(fields)}')
        for col in ('a', 'b'):
            values = {k: getattr(f, col) for k, f in fields.items()}
            out.append(f'{col.upper()}_{s}=' + "'" + ','.join(
                f'{k}={v}' for k, v in values.items() if v not in KINDS_OF_VALUE) + "'")
            for kind in KINDS_OF_VALUE:
                names = [k for k, v in values.items() if v == kind]
                if names:
                    out.append(f'{col.upper()}_{s}_{kind}={words(names)}')
    out.append(f'BYTE_FIELDS={words(k for f in FIELD_TABLE.values() for k, v in f.items() if v.is_bytes)}')
    out.append(f'FLAG_FIELDS={words(k for f in FIELD_TABLE.values() for k, v in f.items() if v.kind == "flag")}')
    out.append('FN_FLAGS=' + words(f.name for f in sorted(
        (f for f in FIELD_TABLE['fn'].values() if f.flag is not None), key=lambda f: f.flag)))
    out.append(f'SYSFS_FN={words(f"{k}={f.sysfs}" for k, f in FIELD_TABLE["fn"].items() if f.sysfs)}')
    return '\n'.join(out + [''])


def guest_jq():
    """fields.jq: the zPCI entries of the tool's JSON as guest records."""
    out = [f'# {GENERATED}', '# (jq 1.6 has no bit operations)',
           'def bit($n): (. / $n | floor) % 2;', '.capabilities[] |']
    for n, (scope, fields) in enumerate(FIELD_TABLE.items()):
        out.append(f'{"elif" if n else "if"} .name == "zpci_{scope}" then "zpci_{scope} " + ([')
        items = []
        for k, f in fields.items():
            if f.kind == 'flag':
                items.append(f'"{k}=\\(.flags | bit({1 << f.flag}))"')
            elif f.optional:
                items.append(f'(if (.flags | bit({1 << f.flag})) == 1 then "{k}=\\(.{k})" '
                             'else empty end)')
            else:
                items.append(f'"{k}=\\(.{k})"')
        out.append(',\n'.join('\t' + i for i in items))
        out.append('] | join(","))')
    return '\n'.join(out + ['else empty end', ''])


def write_guest_fields(directory):
    os.makedirs(directory, exist_ok=True)
    for name, text in (('fields.h', guest_c()), ('fields.sh', guest_sh()),
                       ('fields.jq', guest_jq())):
        with open(os.path.join(directory, name), 'w') as f:
            f.write(text)


def load(path=None):
    return Topology(path or os.environ.get('TOPOLOGY') or DEFAULT)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--file', help=f'the topology (default {DEFAULT})')
    ap.add_argument('what', choices=('qemu-args', 'cmdline', 'guest-fields'))
    ap.add_argument('dir', nargs='?', help='guest-fields: where to write them')
    args = ap.parse_args()
    if args.what == 'guest-fields':
        if not args.dir:
            ap.error('guest-fields needs a DIR')
        write_guest_fields(args.dir)
        return
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
