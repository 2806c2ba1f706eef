"""The show's plan on air: the run-sheet, the prompter the anchor reads, and cues (contract §8)."""
