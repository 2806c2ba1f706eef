import { useEffect, useState } from "react";
import type { ShowInfo } from "../live/protocol";
import { getLineup, type LineupProduct } from "./api";

/**
 * Product names, role tags, prices and allocations come from the show's lineup, not from
 * the live stream. Fetched when the page opens and again whenever the show itself changes
 * (a snapshot or a `show` frame), which is when a lineup edit may have happened.
 */
export function useLineup(showId: string, show: ShowInfo | null): readonly LineupProduct[] {
  const [lineup, setLineup] = useState<readonly LineupProduct[]>([]);
  useEffect(() => {
    let cancelled = false;
    getLineup(showId).then(
      (products) => {
        if (!cancelled) setLineup(products);
      },
      () => {
        // Not fatal: the pages still show SKUs and figures without names.
      },
    );
    return () => {
      cancelled = true;
    };
  }, [showId, show]);
  return lineup;
}
