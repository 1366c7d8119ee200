# usage: bash bench/adoption/walk.sh "KB_COMMAND" SITE  (init, roster from git, adopt --apply, findings per rule)
cd $2
$1 init . >/dev/null 2>&1
$1 people suggest 2>/dev/null >> people.yaml
git add -A; git commit -qm "kb init"
$1 adopt --apply --yes >/dev/null 2>&1
$1 check --format json 2>/dev/null | python3 -c "
import json,sys,collections; d=json.load(sys.stdin); c=collections.Counter(f['rule'] for f in d['findings']); print(dict(c))"
$1 list --json 2>/dev/null | python3 -c "
import json,sys; d=json.load(sys.stdin); print(len(d),'cards; titles e.g.', [c['title'] for c in d[:3]], 'tags', sorted({t for c in d for t in c['tags']})[:6])"
git log --format=%s | head -4 | tr '\n' '|'; echo
