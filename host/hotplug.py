#!/usr/bin/env python3
"""Carry out the guest's hot-plug requests through QEMU's QMP socket.

    TOPOLOGY=FILE hotplug.py QMP_SOCKET CONSOLE_LOG

Follows the console log while QEMU runs. On "### hotplug unplug UID" it
removes the PCI device of the test bed's function with that zPCI UID
(device_del); on "### hotplug plug UID" it adds the function back as the
test bed (host/topology.py, config/topology or $TOPOLOGY) defines it: its
zPCI function and its device; on "### hotplug replug UID" likewise, with
the other values of the test bed's replug line. Each request and answer is
printed.
"""
import json
import os
import socket
import sys
import time

import console
import topology


def qmp(sock, f, command, **arguments):
    sock.sendall(json.dumps({'execute': command, 'arguments': arguments}).encode() + b'\n')
    while True:
        answer = json.loads(f.readline())
        if 'return' in answer or 'error' in answer:
            print(f'hotplug: {command} {arguments} -> {answer}', flush=True)
            return answer


def add(sock, f, **arguments):
    """device_add, again while QEMU still holds the device of that id: the
    guest sees a function gone before QEMU has let go of its zpci device,
    which the unplug of its PCI device takes with it (30 s at most)."""
    for _ in range(150):
        answer = qmp(sock, f, 'device_add', **arguments)
        if 'Duplicate device ID' not in answer.get('error', {}).get('desc', ''):
            return answer
        time.sleep(0.2)
    return answer


def main():
    path, log = sys.argv[1], sys.argv[2]
    bed = topology.load()
    for _ in range(300):
        if os.path.exists(path) and os.path.exists(log):
            break
        time.sleep(0.1)
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(path)
    f = sock.makefile('r')
    f.readline()  # the greeting
    qmp(sock, f, 'qmp_capabilities')
    with open(log, errors='replace') as log_file:
        partial = ''
        while True:
            partial += log_file.readline()
            if partial.endswith('\n'):
                line, partial = partial, ''
            else:  # at the end of what QEMU has written so far
                try:
                    if sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b'':
                        return 0  # QEMU has gone
                except BlockingIOError:
                    pass
                time.sleep(0.1)
                continue
            request = console.hotplug(line)
            if not request:
                if '### hotplug' in line:
                    print(f'hotplug: not a request: {line.strip()}', flush=True)
                continue
            what, uid = request
            fn = bed.by_uid(int(uid, 0))
            if fn is None:
                print(f'hotplug: no function with uid {uid} in {bed.path}', flush=True)
            elif what == 'unplug':
                qmp(sock, f, 'device_del', id=fn.device_id)
            else:
                add(sock, f, driver='zpci', id=fn.zpci_id,
                    **fn.qemu_props(bed.groups[fn.fields['pfgid']], what == 'replug'))
                add(sock, f, driver=fn.DEVICE, id=fn.device_id, **fn.DEVICE_PROPS)


if __name__ == '__main__':
    sys.exit(main())
