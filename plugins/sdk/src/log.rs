//! Logging into the host's log, where each line is tagged with plugin and tool.
//!
//! Use the functions, or the [`info!`](crate::info)-style macros that format first.
//! Never log secrets or personal data the tool does not need to show.

use crate::bindings::daniel::plugin::log as wit;

/// Logs `message` at trace level.
pub fn trace(message: &str) {
    wit::log(wit::Level::Trace, message);
}

/// Logs `message` at debug level.
pub fn debug(message: &str) {
    wit::log(wit::Level::Debug, message);
}

/// Logs `message` at info level.
pub fn info(message: &str) {
    wit::log(wit::Level::Info, message);
}

/// Logs `message` at warn level.
pub fn warn(message: &str) {
    wit::log(wit::Level::Warn, message);
}

/// Logs `message` at error level.
pub fn error(message: &str) {
    wit::log(wit::Level::Error, message);
}

/// Formats and logs at trace level: `trace!("read {} rows", n)`.
#[macro_export]
macro_rules! trace {
    ($($arg:tt)+) => { $crate::log::trace(&::std::format!($($arg)+)) };
}

/// Formats and logs at debug level: `debug!("read {} rows", n)`.
#[macro_export]
macro_rules! debug {
    ($($arg:tt)+) => { $crate::log::debug(&::std::format!($($arg)+)) };
}

/// Formats and logs at info level: `info!("read {} rows", n)`.
#[macro_export]
macro_rules! info {
    ($($arg:tt)+) => { $crate::log::info(&::std::format!($($arg)+)) };
}

/// Formats and logs at warn level: `warn!("field {} missing", name)`.
#[macro_export]
macro_rules! warn {
    ($($arg:tt)+) => { $crate::log::warn(&::std::format!($($arg)+)) };
}

/// Formats and logs at error level: `error!("unexpected state: {}", s)`.
#[macro_export]
macro_rules! error {
    ($($arg:tt)+) => { $crate::log::error(&::std::format!($($arg)+)) };
}
