//! Deploying actors through init.
