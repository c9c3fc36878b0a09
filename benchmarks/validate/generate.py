#!/usr/bin/env python3
"""Writes a validation file of 500 relationships and 200 assertions (100 true, 100 false).

The expected answers are computed here, independently of Relata, by brute force over the
relationships, so `relata validate` passing the file also checks its answers.
Usage: python3 generate.py > bench.yaml
"""
import random

random.seed(1)
rels = set()
while len(rels) < 500:
    k = random.randrange(5)
    g, u, p = random.randrange(40), random.randrange(60), random.randrange(120)
    if k == 0:
        rels.add(f"group:g{g}#member@user:u{u}")
    elif k == 1:
        h = random.randrange(40)
        if h > g:
            rels.add(f"group:g{g}#member@group:g{h}#member")
    elif k == 2:
        rels.add(f"project:p{p}#namespace@group:g{g}")
    elif k == 3:
        rels.add(f"project:p{p}#developer@user:u{u}")
    else:
        rels.add(f"project:p{p}#banned@user:u{u}")
rels = sorted(rels)

members, subgroups, namespace, developers, banned = {}, {}, {}, {}, {}
for r in rels:
    resource, subject = r.split("@")
    rtype, relation = resource.split("#")
    if rtype.startswith("group"):
        if "#member" in subject:
            subgroups.setdefault(rtype, set()).add(subject.split("#")[0])
        else:
            members.setdefault(rtype, set()).add(subject)
    elif relation == "namespace":
        namespace.setdefault(rtype, set()).add(subject)
    elif relation == "developer":
        developers.setdefault(rtype, set()).add(subject)
    else:
        banned.setdefault(rtype, set()).add(subject)


def group_members(group, seen):
    if group in seen:
        return set()
    seen.add(group)
    out = set(members.get(group, set()))
    for sub in subgroups.get(group, set()):
        out |= group_members(sub, seen)
    return out


def push(project, user):
    allowed = user in developers.get(project, set()) or any(
        user in group_members(g, set()) for g in namespace.get(project, set()))
    return allowed and user not in banned.get(project, set())


random.seed(2)
true, false = [], []
while len(true) < 100 or len(false) < 100:
    project, user = f"project:p{random.randrange(120)}", f"user:u{random.randrange(60)}"
    target = true if push(project, user) else false
    if len(target) < 100:
        target.append(f"{project}#push@{user}")

SCHEMA = """definition user {}
definition group {
  relation member: user | group#member
}
definition project {
  relation namespace: group
  relation developer: user | group#member
  relation banned: user
  permission push = (developer + namespace->member) - banned
}"""
print("schema: |-")
for line in SCHEMA.split("\n"):
    print("  " + line)
print("relationships: |-")
for r in rels:
    print("  " + r)
print("assertions:\n  assertTrue:")
for a in true:
    print("    - " + a)
print("  assertFalse:")
for a in false:
    print("    - " + a)
