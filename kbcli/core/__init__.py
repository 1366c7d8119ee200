"""The pure core: cards, trust policy and findings. Standard library only, no I/O."""
