# Two commands: `make demo` runs kb on example-kb/, `make test` runs the whole suite.
# Both create .venv themselves; only Python 3.11+, git and the OS package manager are needed.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
KB     := $(BIN)/kb
DEMO   := .kb-demo

.PHONY: demo demo-repo test venv lint typecheck browser signing clean bench fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

# example-kb/ lives inside kb's own repository, whose history (kb developers editing the
# cards) would be evidence against every stamp. The demo runs on a copy with a history of
# its own: the cards imported in one commit (no evidence either way), then a support
# engineer (priya) who is not its verifier rewords one line of the escalation policy after its
# verification, so the demo shows a realistic mix, one card needing review among them.
DEMO_KB := $(DEMO)/example-kb
GIT_DEMO := git -C $(DEMO_KB) -c commit.gpgsign=false
demo-repo:
	@rm -rf $(DEMO_KB) && mkdir -p $(DEMO) && cp -r example-kb $(DEMO_KB)
	@printf '.kb/\n' > $(DEMO_KB)/.gitignore
	@$(GIT_DEMO) init -q -b main
	@$(GIT_DEMO) add -A
	@GIT_COMMITTER_NAME=Importer GIT_COMMITTER_EMAIL=import@nimbus.example \
	  GIT_AUTHOR_DATE=2026-11-20T10:00:00Z GIT_COMMITTER_DATE=2026-11-20T10:00:00Z \
	  $(GIT_DEMO) commit -q --author="Importer <import@nimbus.example>" \
	  -m "Import the support handbook" -m "Kb-Import: handbook"
	@sed -i 's/When and how a support ticket leaves/When and how a ticket leaves/' \
	  $(DEMO_KB)/policies/escalation-policy.md
	@GIT_COMMITTER_NAME="Priya Raman" GIT_COMMITTER_EMAIL=priya@nimbus.example \
	  GIT_AUTHOR_DATE=2026-11-21T09:30:00Z GIT_COMMITTER_DATE=2026-11-21T09:30:00Z \
	  $(GIT_DEMO) commit -q -a --author="Priya Raman <priya@nimbus.example>" \
	  -m "Escalation policy: shorter first line"
	@echo "Demo knowledge repo (its own git history): $(DEMO_KB)"

demo: venv demo-repo
	@echo "== kb list: every card with its trust state =="
	-$(KB) --kb $(DEMO_KB) list
	@echo
	@echo "== kb list --state expired: what needs verifying now =="
	-$(KB) --kb $(DEMO_KB) list --state expired
	@echo
	@echo "== kb show: one card =="
	$(KB) --kb $(DEMO_KB) show "SAML SSO setup" | head -40
	@echo
	@echo "== kb search: ranked, with trust badges (the index updates itself) =="
	$(KB) --kb $(DEMO_KB) search "refund duplicate charge"
	@echo
	@echo "== kb suggest: which cards answer this ticket? =="
	echo "We were billed twice this month, can we get our money back?" | $(KB) --kb $(DEMO_KB) suggest -
	@echo
	@echo "== kb check: the CI gate (exit 1 on errors; --format github/junit/sarif/gitlab for CI) =="
	-$(KB) --kb $(DEMO_KB) check billing accounts
	@echo
	@echo "== kb report: trust score, findings, what each owner must verify =="
	-$(KB) --kb $(DEMO_KB) report --limit 5
	@echo
	@echo "== kb report --format markdown --owner marcus: a digest to paste into a chat =="
	-$(KB) --kb $(DEMO_KB) report --format markdown --owner marcus
	@echo
	@echo "== kb capture slack: a Slack thread becomes a KCS draft (dry run, on a scratch copy) =="
	@rm -rf $(DEMO)/capture && mkdir -p $(DEMO) && cp -r $(DEMO_KB) $(DEMO)/capture
	-$(KB) --kb $(DEMO)/capture capture slack tests/fixtures/slack-export --latest 3
	-$(KB) --kb $(DEMO)/capture capture slack tests/fixtures/slack-export \
	  --link https://nimbus-support.slack.com/archives/C01BILL/p1793749200000100 --dry-run
	@echo
	@echo "== kb build: the handbook, internal and public =="
	$(KB) --kb $(DEMO_KB) build --out $(DEMO)/handbook
	$(KB) --kb $(DEMO_KB) build --audience public --out $(DEMO)/help-center
	@echo "Handbook: $(DEMO)/handbook/index.html  Help center: $(DEMO)/help-center/index.html"
	@echo "Live preview: $(KB) --kb $(DEMO_KB) serve"

# Debian's chromium for the handbook's browser tests (installed once, needs root or sudo).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

# ssh-keygen and gpg for the signed-verification tests (Debian's openssh-client, gnupg).
signing:
	@{ command -v ssh-keygen && command -v gpg; } >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq openssh-client gnupg >/dev/null; }

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

test: venv browser signing lint typecheck
	$(BIN)/python -m pytest -n 2 -q

bench: venv
	$(BIN)/python bench/run_all.py

# 100,000 generated adversarial cards through kb list, check, search and build (not part
# of `make test`): counts exit 3, tracebacks, hangs over 60 s and fail-open statuses and
# dates, and copies each reproducer to fuzz-failures/. FUZZ_CARDS=10000 for a short run.
FUZZ_CARDS ?= 100000
fuzz: venv
	$(BIN)/python tests/fuzz/fuzz_cards.py --cards $(FUZZ_CARDS) --per-repo 2000 --seed 1

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache
