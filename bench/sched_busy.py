#!/usr/bin/env python3
"""How busy a set of processes kept the CPUs over a window (issue 4 catch-up).

  perf record -k mono -a -e sched:sched_switch -e sched:sched_wakeup \
      -e sched:sched_wakeup_new -o sched.data -- <bench...>
  perf script -i sched.data -F pid,tid,cpu,time,event,trace | \
      bench/sched_busy.py START END PID [PID...] [--step 0.5]

START..END: a CLOCK_MONOTONIC window (bench_federation prints the catch-up's
and the pids). For the given processes' threads it reconstructs, from the
scheduler's switches and wake-ups, when each was running, runnable but waiting
for a CPU, or asleep, and prints: the share of the window in which 0, 1, 2, ...
of their threads wanted a CPU (running or runnable) - with C cores, time with
fewer than C threads wanting a CPU is a pipeline stall whatever else runs on
the machine - the CPU-s they ran, the CPU-s other processes ran, and idle CPU.
--step S also prints those per S seconds of the window.
"""
import re
import sys
from collections import defaultdict

args = [a for a in sys.argv[1:]]
step = None
if '--step' in args:
    i = args.index('--step')
    step = float(args[i + 1])
    del args[i:i + 2]
start, end = float(args[0]), float(args[1])
pids = set(int(a) for a in args[2:])

line_re = re.compile(r'^\s*(-?\d+)/(-?\d+)\s+\[(\d+)\]\s+([\d.]+):\s+(\S+):\s*(.*)$')
kv_re = re.compile(r'(\w+)=(\S+)')
events = []
tgid = {}
ncpu = 0
for line in sys.stdin:
    m = line_re.match(line)
    if not m:
        continue
    pid, tid, cpu, t, ev, rest = m.groups()
    pid, tid, cpu, t = int(pid), int(tid), int(cpu), float(t)
    ncpu = max(ncpu, cpu + 1)
    if tid > 0:
        tgid[tid] = pid
    if ev.endswith('sched_switch'):
        left, right = rest.split('==>')
        a = dict(kv_re.findall(left))
        b = dict(kv_re.findall(right))
        events.append((t, 'switch', cpu, int(a['prev_pid']), a['prev_state'],
                       int(b['next_pid'])))
    elif 'sched_wakeup' in ev:
        a = dict(kv_re.findall(rest))
        events.append((t, 'wake', cpu, int(a['pid']), None, None))
events.sort(key=lambda e: e[0])


def ours(tid):
    return tgid.get(tid) in pids


# state per thread: 'run', 'wait' (runnable), 'sleep'
state = defaultdict(lambda: 'unknown')
on_cpu = {}  # cpu -> tid
wanting = 0  # our threads running or runnable
running_ours = 0
last_t = start
buckets = defaultdict(lambda: defaultdict(float))  # bucket -> key -> seconds
totals = defaultdict(float)


def account(t):
    global last_t
    a, b = max(last_t, start), min(t, end)
    while a < b:
        bucket = int((a - start) // step) if step else 0
        edge = start + (bucket + 1) * step if step else b
        if edge <= a:  # a sits on a bucket edge (rounding): next bucket
            bucket += 1
            edge = start + (bucket + 1) * step
        c = min(b, edge)
        d = c - a
        for key, val in (('want%d' % min(wanting, 3), d),
                         ('ours_cpu', d * running_ours),
                         ('other_cpu', d * sum(1 for x in on_cpu.values()
                                               if x != 0 and not ours(x))),
                         ('idle_cpu', d * (ncpu - sum(1 for x in on_cpu.values()
                                                      if x != 0)))):
            buckets[bucket][key] += val
            totals[key] += val
        a = c
    last_t = max(last_t, t)


def set_state(tid, new):
    global wanting, running_ours
    if not ours(tid):
        state[tid] = new
        return
    old = state[tid]
    if old in ('run', 'wait'):
        wanting -= 1
    if old == 'run':
        running_ours -= 1
    state[tid] = new
    if new in ('run', 'wait'):
        wanting += 1
    if new == 'run':
        running_ours += 1


for t, kind, cpu, a, prev_state, b in events:
    account(t)
    if kind == 'switch':
        # prev_state R / R+: preempted, still runnable
        set_state(a, 'wait' if prev_state.startswith('R') else 'sleep')
        on_cpu[cpu] = b
        if b != 0:
            set_state(b, 'run')
    else:
        if state[a] != 'run':
            set_state(a, 'wait')
account(end)

width = end - start


def show(label, d, w):
    parts = ' '.join('%d:%4.1f%%' % (k, 100 * d['want%d' % k] / w)
                     for k in range(4))
    print('%s threads wanting a CPU (3 = 3 or more) %s | ours %.2f CPU-s, '
          'others %.2f, idle %.2f of %d x %.2f s' % (
              label, parts, d['ours_cpu'], d['other_cpu'], d['idle_cpu'],
              ncpu, w))


if step:
    for k in sorted(buckets):
        show('%6.1f s' % (k * step), buckets[k], min(step, width - k * step))
show('window  ', totals, width)
