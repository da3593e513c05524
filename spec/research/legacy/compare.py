# compare.py: print each scenario of legacy_probe.<ver>.json side by side (same -> once)
import json, sys
vers = ['3.12', '3.13', '3.14', '3.15', 'pypy39']
D = {}
for v in vers:
    t = open((sys.argv[2] if len(sys.argv)>2 else 'legacy_probe')+'.%s.json' % v).read()
    D[v] = json.loads(t[t.index('{'):])
keys = sorted(set().union(*[d.keys() for d in D.values()]))
pat = sys.argv[1] if len(sys.argv) > 1 else ''
for k in keys:
    if pat not in k: continue
    groups = {}
    for v in vers:
        if k in D[v]:
            groups.setdefault(json.dumps(D[v][k], sort_keys=True), []).append(v)
    print('==', k)
    for val, vs in groups.items():
        print('  [%s]' % ','.join(vs))
        x = json.loads(val)
        if isinstance(x, list):
            for i in x: print('     ', i)
        else:
            print('     ', json.dumps(x, sort_keys=True)[:3000])
