#!/usr/bin/env python3
"""Runs a command and prints the CPU seconds (user + system) of its threads whose name starts with PREFIX.

    scripts/thread-cpu.py procwatch-read -- java -jar target/procwatch.jar scan --readers 1 ../shared/datasets/otrf

Linux only: polls /proc/PID/task every 20 ms (a thread's kernel name is the first 15 characters of its Java name)
and keeps each thread's last figure, so up to 20 ms of a thread's end may be missed. Works on any build, old or new,
which is what comparing a thread's CPU across builds needs."""
import os
import subprocess
import sys
import time

if len(sys.argv) < 4 or sys.argv[2] != '--':
    sys.exit(__doc__)
prefix, cmd = sys.argv[1], sys.argv[3:]
tick = os.sysconf('SC_CLK_TCK')
proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
cpu = {}
while proc.poll() is None:
    try:
        tasks = os.listdir('/proc/%d/task' % proc.pid)
    except OSError:
        break
    for tid in tasks:
        try:
            with open('/proc/%d/task/%s/comm' % (proc.pid, tid)) as f:
                if not f.read().startswith(prefix):
                    continue
            with open('/proc/%d/task/%s/stat' % (proc.pid, tid)) as f:
                fields = f.read().rsplit(')', 1)[1].split()
            cpu[tid] = (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            pass
    time.sleep(0.02)
print('%s*: %d thread(s), %.2f s CPU; exit code %d' % (prefix, len(cpu), sum(cpu.values()), proc.wait()))
