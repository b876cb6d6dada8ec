"""Standards: each province's standard as data (resources/standards/), the evaluation of
households (一超六有, 八有) and villages (一低六有), seed 001's tables, 补短清单 and 点球."""
