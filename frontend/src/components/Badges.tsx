const PLATFORMS: Record<string, string> = {
  douyin: "抖音",
  taobao: "淘宝直播",
  kuaishou: "快手",
  tiktok: "TikTok Shop",
  wechat: "视频号",
  channels: "视频号",
  xiaohongshu: "小红书",
  jd: "京东",
  pdd: "拼多多",
};

export function PlatformBadge({ platform }: { platform: string }) {
  const label = PLATFORMS[platform.toLowerCase()] ?? platform;
  return (
    <span className="badge badge--platform" title={platform}>
      {label || "—"}
    </span>
  );
}

const STATUS: Record<string, { zh: string; cls: string }> = {
  scheduled: { zh: "未开播", cls: "badge--muted" },
  live: { zh: "直播中", cls: "badge--live" },
  ended: { zh: "已结束", cls: "badge--ended" },
};

export function StatusBadge({ status }: { status: string }) {
  const s = STATUS[status] ?? { zh: status, cls: "badge--muted" };
  return (
    <span className={`badge ${s.cls}`} data-testid="show-status" data-status={status}>
      {s.zh} <span className="en">{status}</span>
    </span>
  );
}
