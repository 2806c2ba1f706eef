import { useEffect, useState, type ReactNode } from "react";
import { navigate, reviewPath, showEntry } from "../../lib/route";
import { getShow } from "../../lib/showsApi";

/**
 * `/shows/{id}`: reads the show's status first, and opens an ended show's review (the address
 * is replaced, so Back leaves the show) for the roles that may read it; otherwise, or when the
 * show cannot be read here, the console given as children (it reports its own errors).
 */
export function ShowEntry({ showId, role, children }: { showId: string; role: string; children: ReactNode }) {
  const [decided, setDecided] = useState(false);

  useEffect(() => {
    let cancelled = false;
    getShow(showId).then(
      (show) => {
        if (cancelled) return;
        if (showEntry(show.status, role) === "review") navigate(reviewPath(showId), true);
        else setDecided(true);
      },
      () => !cancelled && setDecided(true),
    );
    return () => {
      cancelled = true;
    };
  }, [showId, role]);

  if (!decided) return <div className="centered muted">正在打开… Opening…</div>;
  return <>{children}</>;
}
