"""Shows: one broadcast's lifecycle (scheduled → live → ended), its lineup and its targets."""
