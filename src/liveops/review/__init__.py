"""Review (复盘): the show recomputed from stored events in SQL, never from the live state."""
