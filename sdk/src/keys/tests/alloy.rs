//! Cross-checks against alloy.
