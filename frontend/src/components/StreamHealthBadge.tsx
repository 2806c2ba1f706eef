import { ageOf, familyTime } from "../lib/freshness";
import type { Feeds, StreamHealth } from "../live/protocol";

/** Thresholds for a stream that viewers will notice: stalls, low frame rate, long latency. */
function healthLevel(h: StreamHealth): "ok" | "warn" | "bad" {
  const stall = h.stall_ratio ?? 0;
  const fps = h.fps ?? 30;
  if (stall >= 0.05 || fps < 15) return "bad";
  if (stall >= 0.02 || fps < 24 || (h.latency_ms ?? 0) >= 5000) return "warn";
  return "ok";
}

interface Props {
  health: StreamHealth | null;
  feeds: Feeds;
  serverNow: number;
  showEnded: boolean;
}

/** Push-stream health from the encoder/CDN agent: bitrate, fps, latency, stall ratio. */
export function StreamHealthBadge({ health, feeds, serverNow, showEnded }: Props) {
  if (health === null) return null;
  const age = ageOf(
    familyTime(feeds, "stream") ?? (health.ts !== null ? Date.parse(health.ts) : null),
    serverNow,
    showEnded,
  );
  const level = age.level === "bad" ? "bad" : healthLevel(health);
  const parts = [
    health.bitrate_kbps !== null ? `${Math.round(health.bitrate_kbps)} kbps` : null,
    health.fps !== null ? `${Math.round(health.fps)} fps` : null,
    health.latency_ms !== null ? `延迟 ${(health.latency_ms / 1000).toFixed(1)}s` : null,
    health.stall_ratio !== null ? `卡顿 ${(health.stall_ratio * 100).toFixed(1)}%` : null,
  ].filter((p): p is string => p !== null);
  return (
    <span
      className={`health health--${level} health--age-${age.level}`}
      data-testid="stream-health"
      title={`推流健康 stream health${health.line !== null ? ` · 线路 ${health.line}` : ""} · ${age.detail}`}
    >
      推流 {parts.join(" · ")} <span className="health__age">{age.label}</span>
    </span>
  );
}
