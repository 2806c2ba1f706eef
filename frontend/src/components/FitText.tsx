import { useEffect, useLayoutEffect, useReducer, useRef, useState, type CSSProperties } from "react";

interface Props {
  /** What to show, from the most exact to the shortest (e.g. "9,876.54万", "9877万"). */
  texts: readonly string[];
  className: string;
  title?: string;
  testId?: string;
}

interface Fit {
  /** Index in `texts` of the text shown. */
  level: number;
  /** Font scale, below 1 only when even the shortest text does not fit. */
  scale: number;
  /** Box width and length of the exact text when `level`/`scale` were chosen. */
  width: number;
  length: number;
}

const EXACT: Fit = { level: 0, scale: 1, width: 0, length: 0 };

/**
 * One line that is never cut off: it shows the first of `texts` that fits its box, and if even
 * the shortest does not, scales its font down until it does. No ellipsis ever hides a number;
 * the exact figure goes in `title`. Measured in a layout effect, so a step down happens before
 * the browser paints. It goes back to the exact text when the box grows or the exact text gets
 * shorter; otherwise it keeps its choice, so a moving number does not flicker between forms.
 */
export function FitText({ texts, className, title, testId }: Props) {
  const ref = useRef<HTMLDivElement | null>(null);
  const [fit, setFit] = useState<Fit>(EXACT);
  // The box's width can change without a new value (a resize, a column appearing).
  const [, remeasure] = useReducer((n: number) => n + 1, 0);

  useEffect(() => {
    const el = ref.current;
    if (el === null || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(() => remeasure());
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const level = Math.min(fit.level, Math.max(0, texts.length - 1));
  const exactLength = texts[0]?.length ?? 0;

  useLayoutEffect(() => {
    const el = ref.current;
    if (el === null) return;
    const width = el.clientWidth;
    const shortened = level > 0 || fit.scale < 1;
    if (shortened && (width > fit.width || exactLength < fit.length)) {
      setFit({ ...EXACT, width, length: exactLength }); // room again: try the exact text
      return;
    }
    if (el.scrollWidth <= width) return;
    if (level < texts.length - 1) {
      setFit({ level: level + 1, scale: 1, width, length: exactLength });
    } else if (fit.scale === 1 && el.scrollWidth > 0) {
      setFit({ level, scale: Math.max(0.5, (width / el.scrollWidth) * 0.97), width, length: exactLength });
    }
  });

  const style = fit.scale < 1 ? ({ "--fit-scale": fit.scale.toFixed(3) } as CSSProperties) : undefined;
  return (
    <div ref={ref} className={className} title={title} data-testid={testId} data-fit={level} style={style}>
      {texts[level] ?? ""}
    </div>
  );
}
