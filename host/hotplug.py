#!/usr/bin/env python3
"""Carry out the guest's hot-plug requests through QEMU's QMP socket.

    hotplug.py QMP_SOCKET CONSOLE_LOG UID=DEVICE_ID...

Follows the console log while QEMU runs. On "### hotplug unplug UID" it
removes the PCI device behind that zPCI UID (device_del); on "### hotplug
plug UID FID" it adds a zPCI function with that UID and FID and its device
back (device_add). Each request and answer is printed.
"""
import json
import os
import socket
import sys
import time


def qmp(sock, f, command, **arguments):
    sock.sendall(json.dumps({'execute': command, 'arguments': arguments}).encode() + b'\n')
    while True:
        answer = json.loads(f.readline())
        if 'return' in answer or 'error' in answer:
            print(f'hotplug: {command} {arguments} -> {answer}', flush=True)
            return answer


def main():
    path, log, ids = sys.argv[1], sys.argv[2], dict(a.split('=') for a in sys.argv[3:])
    for _ in range(300):
        if os.path.exists(path) and os.path.exists(log):
            break
        time.sleep(0.1)
    sock = socket.socket(socket.AF_UNIX)
    sock.connect(path)
    f = sock.makefile('r')
    f.readline()  # the greeting
    qmp(sock, f, 'qmp_capabilities')
    with open(log, errors='replace') as console:
        while True:
            line = console.readline()
            if not line:
                try:
                    if sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b'':
                        return 0  # QEMU has gone
                except BlockingIOError:
                    pass
                time.sleep(0.1)
                continue
            words = line.split()
            if words[:2] != ['###', 'hotplug']:
                continue
            uid, dev = words[3], ids.get(str(int(words[3], 0)))
            if words[2] == 'unplug':
                qmp(sock, f, 'device_del', id=dev)
            elif words[2] == 'plug':
                qmp(sock, f, 'device_add', driver='zpci', id=f'z{dev}', uid=int(uid, 0),
                    fid=int(words[4], 0), target=dev)
                qmp(sock, f, 'device_add', driver='virtio-rng-pci', id=dev)


if __name__ == '__main__':
    sys.exit(main())
