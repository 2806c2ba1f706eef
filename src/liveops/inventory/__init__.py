"""Flash-sale stock: the per-SKU ledger, reservations and the atomic decision (contract §7)."""
