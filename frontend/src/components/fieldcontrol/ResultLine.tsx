/** What a moderation step came to: done (its words), or failed (the reason). */
export interface Result {
  ok: boolean;
  text: string;
}

/**
 * The status line under a moderation control (the keyword filter, the user card's bans) that
 * says how its last step went: read out politely when done, at once (an alert, marked ✗) when
 * it failed. Nothing before the first step.
 */
export function ResultLine({ result, testId }: { result: Result | null; testId: string }) {
  if (result === null) return null;
  return (
    <div
      className={`fcbar__status fcbar__status--${result.ok ? "ok" : "error"}`}
      role={result.ok ? "status" : "alert"}
      data-testid={testId}
    >
      {result.ok ? result.text : `✗ ${result.text}`}
    </div>
  );
}
