"""The live platforms (Douyin, Taobao Live, Kuaishou…) as LiveOps acts on them: pin a product,
change a price, issue a coupon. `base.Platform` is the interface; `recording.RecordingPlatform`
is the fake the demo and the tests use. Real adapters come later, one module each."""
