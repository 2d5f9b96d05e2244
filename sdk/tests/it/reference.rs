//! Streaming results equal small in-memory reference implementations.
