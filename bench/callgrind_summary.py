#!/usr/bin/env python3
"""Print "<instructions> <allocation calls>" of a callgrind output file.

Used by bench/callgrind.sh; tested by tests/bench/test_callgrind_summary.sh.

Callgrind compresses names: the first mention of a function, on an fn= line (the
function whose costs follow) or a cfn= line (a function it calls), reads "(id) name",
later ones only "(id)". Both kinds define ids, so both are read: an id first named on
an fn= line and later called through cfn=(id) is still recognised. An allocation is a
call to an allocator from a function that is not one itself (strdup calling malloc is
one allocation, not two).
"""
import re, sys
names = {}
ir = 0
allocs = 0
alloc_fns = {"malloc", "calloc", "realloc", "strdup", "strndup", "posix_memalign",
             "aligned_alloc", "memalign", "reallocarray"}

def name_of(spec):
    m = re.match(r"\((\d+)\)(?: (.*))?$", spec)
    if not m:
        return spec.split("'")[0]
    if m.group(2):
        names[m.group(1)] = m.group(2)
    return names.get(m.group(1), "").split("'")[0]

current = ""
pending = None
for line in open(sys.argv[1], errors="replace"):
    line = line.rstrip("\n")
    if line.startswith("summary:") or line.startswith("totals:"):
        ir = max(ir, int(line.split()[1]))
    elif line.startswith("fn="):
        current = name_of(line[3:])
        pending = None
    elif line.startswith("cfn="):
        pending = name_of(line[4:])
    elif line.startswith("calls=") and pending is not None:
        if pending in alloc_fns and current not in alloc_fns:
            allocs += int(line[6:].split()[0])
        pending = None
print(ir, allocs)
