import { useMemo } from "react";
import { scriptPieces } from "../../lib/prompter";
import type { PrompterPart } from "../../live/protocol";

const VALUE_LABEL: Readonly<Record<string, string>> = {
  price: "原价",
  live_price: "直播价",
  stock_left: "剩余库存",
  sold: "已售",
  online: "在线人数",
  countdown: "倒计时",
  top_question: "观众提问",
};

/**
 * The prompter's script with its live values set off from the text around them, so the
 * anchor's eye finds the number to read out. A value that is not known shows the server's
 * dash, marked as missing.
 */
export function ScriptText({
  text,
  parts,
  className,
  testId,
}: {
  text: string;
  parts: readonly PrompterPart[];
  className: string;
  testId?: string;
}) {
  const pieces = useMemo(() => scriptPieces(text, parts), [text, parts]);
  return (
    <p className={className} data-testid={testId}>
      {pieces.map((p, i) =>
        p.part === null ? (
          <span key={i}>{p.text}</span>
        ) : (
          <mark
            key={i}
            className={`script__value script__value--${p.part.name}${p.part.missing ? " script__value--missing" : ""}`}
            data-name={p.part.name}
            data-missing={p.part.missing ? "true" : undefined}
            title={`${VALUE_LABEL[p.part.name] ?? p.part.name}${p.part.missing ? "：暂无数据 not known" : ""}`}
          >
            {p.text}
          </mark>
        ),
      )}
    </p>
  );
}
