"""Roll-ups of many shows' reviews: by day, week, month, anchor, time slot and promotion, and
A/B comparisons of tagged shows (issue #13)."""
